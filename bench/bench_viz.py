"""``kg viz`` on the 100,000-entity generated graph (issue 13's bar: at most 10 s and 1 GB on this machine).

Printed, for alternating rounds (``KG_BENCH_ROUNDS``, default 3), min and median:

- the raw library as the yardstick: a whole Python process that streams the same N-Triples file through
  pyoxigraph (``ox.parse``, counting triples) -- what reading the file costs before kg does anything;
- ``kg viz -g FILE.nt -o PAGE.html`` as a user runs it: wall and CPU seconds, and peak memory;
- the ratio of the two (CPU), which is what to compare across runs: the machine has 2 cores shared by
  several engineers, so the load average is printed at the start and the end.

The graph comes from ``bench/gen_graph.py`` (the project's shared generator) and is cached under
``out/bench/`` (the same file ``bench_analyze`` uses). ``KG_BENCH_ENTITIES`` / ``KG_BENCH_RELATIONS``
change the size.

Run:  .venv/bin/python bench/run.py viz
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

RAW = "import sys, pyoxigraph as ox\nprint(sum(1 for _ in ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)))\n"


def generated_nt(n_entities: int, n_relations: int, seed: int = 0) -> Path:
    """The generated graph as N-Triples, made once per size."""
    import pyoxigraph as ox
    from gen_graph import VERSION, generate

    cache = ROOT / "out" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    nt = cache / f"gen-v{VERSION}-{n_entities}-{n_relations}.nt"
    if not nt.exists():
        tmp = nt.with_suffix(".nt.tmp")
        with tmp.open("wb") as fh:
            ox.serialize(generate(n_entities, n_relations, seed), fh, format=ox.RdfFormat.N_TRIPLES)
        tmp.replace(nt)
    return nt


def run(args: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak memory GB) of one whole process, from its own rusage (``os.wait4``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / 1e9


def main() -> None:
    n_entities = int(os.environ.get("KG_BENCH_ENTITIES", "100000"))
    n_relations = int(os.environ.get("KG_BENCH_RELATIONS", "300000"))
    rounds = int(os.environ.get("KG_BENCH_ROUNDS", "3"))
    nt = generated_nt(n_entities, n_relations)
    kg = str(Path(sys.executable).with_name("kg"))
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"graph: {nt.name} ({nt.stat().st_size / 1e9:.2f} GB)")
    raw: list[tuple[float, float, float]] = []
    viz: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        page = str(Path(tmp) / "v.html")
        for i in range(rounds):
            raw.append(run([sys.executable, "-c", RAW, str(nt)]))
            viz.append(run([kg, "viz", "-q", "-g", str(nt), "-o", page, "--force"]))
            print(
                f"round {i + 1}: pyoxigraph parse {raw[-1][0]:.2f} s wall {raw[-1][1]:.2f} s CPU; "
                f"kg viz {viz[-1][0]:.2f} s wall {viz[-1][1]:.2f} s CPU {viz[-1][2]:.2f} GB peak",
                flush=True,
            )
    for name, rows in (("pyoxigraph parse", raw), ("kg viz", viz)):
        walls, cpus = [r[0] for r in rows], [r[1] for r in rows]
        print(
            f"{name}: wall min {min(walls):.2f} median {statistics.median(walls):.2f} s; "
            f"CPU min {min(cpus):.2f} median {statistics.median(cpus):.2f} s; "
            f"peak {max(r[2] for r in rows):.2f} GB"
        )
    ratios = [v[1] / r[1] for r, v in zip(raw, viz, strict=True)]
    print(f"kg viz / pyoxigraph parse (CPU, same round): min {min(ratios):.2f} median {statistics.median(ratios):.2f}")
    print(f"bar: <= 10 s and <= 1 GB: best wall {min(v[0] for v in viz):.2f} s, peak {max(v[2] for v in viz):.2f} GB")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

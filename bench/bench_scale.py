"""Build time and peak memory against text size: ``kg build`` on 50k, 200k and 1M characters (and 5 MB once).

Issue 10's bar: time and peak memory per 100k characters stay within 1.5x of each other from 50k to 1M
characters of entity-dense text (linear), and a 5 MB text builds. The text is made up (bench/gen_text.py:
invented names, several per sentence), so the measurement never quotes a corpus. Each build runs in its own
process (``os.wait4`` gives its CPU time and peak RSS); a build of a 300-character text measured in the same
rounds is the fixed cost (interpreter, model and gazetteer load) that is taken off before dividing by size.
spaCy alone parsing the same pieces in its own process is the raw library, measured in the same rounds; the
ratio kg/spaCy at each size says how much of the growth is kg's. Sizes are run in alternating order for
``KG_BENCH_ROUNDS`` rounds (default 2); min and median are printed.

Run:  make bench BENCH=scale          (KG_BENCH_5MB=0 skips the 5 MB build; KG_BENCH_SIZES=50000,200000 picks)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from gen_text import generate  # noqa: E402

GOAL = 1.5
_SPACY_ONLY = r"""
import sys
from pathlib import Path
from kg.nlp.pipeline import load_nlp
from kg.pieces import pieces
text = Path(sys.argv[1]).read_text(encoding="utf-8")
nlp = load_nlp()
for _ in nlp.pipe([p.text for p in pieces(text)], batch_size=5):
    pass
"""


def _run(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed ({proc.returncode}): {err[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _kg_build(text: Path, out: Path) -> tuple[float, float, float]:
    return _run([sys.executable, "-m", "kg.cli", "build", str(text), "-o", str(out), "-q"])


def _spacy(text: Path) -> tuple[float, float, float]:
    return _run([sys.executable, "-c", _SPACY_ONLY, str(text)])


def main() -> None:
    sizes = [int(s) for s in os.environ.get("KG_BENCH_SIZES", "50000,200000,1000000").split(",")]
    rounds = int(os.environ.get("KG_BENCH_ROUNDS", "2"))
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {0: folder / "tiny.txt"}
        files[0].write_text(generate(300, seed=7), encoding="utf-8")
        for size in sizes:
            files[size] = folder / f"text-{size}.txt"
            files[size].write_text(generate(size, seed=7), encoding="utf-8")
        kg: dict[int, list[tuple[float, float, float]]] = {n: [] for n in files}
        sp: dict[int, list[tuple[float, float, float]]] = {n: [] for n in files}
        order = [0, *sizes]
        for r in range(rounds):
            for n in order if r % 2 == 0 else list(reversed(order)):
                kg[n].append(_kg_build(files[n], folder / "out.ttl"))
                sp[n].append(_spacy(files[n]))
        print(f"load average at start {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores, shared); {rounds} rounds")
        base_cpu = min(c for _, c, _ in kg[0])
        base_mem = min(m for *_, m in kg[0])
        sp_cpu = min(c for _, c, _ in sp[0])
        sp_mem = min(m for *_, m in sp[0])
        print(
            f"fixed cost (300-character text): kg build {base_cpu:.1f} s CPU, {base_mem:.0f} MB; "
            f"spaCy alone {sp_cpu:.1f} s, {sp_mem:.0f} MB"
        )
        print(
            f"  {'characters':>10} {'CPU s min':>9} {'median':>7} {'s/100k':>7} {'peak MB':>8} {'MB/100k':>8}"
            f" {'spaCy s/100k':>12} {'kg/spaCy':>8}"
        )
        per_time: list[float] = []
        per_mem: list[float] = []
        for n in sizes:
            cpu = min(c for _, c, _ in kg[n])
            med = statistics.median(c for _, c, _ in kg[n])
            mem = min(m for *_, m in kg[n])
            t100 = (cpu - base_cpu) / (n / 100_000)
            m100 = (mem - base_mem) / (n / 100_000)
            s100 = (min(c for _, c, _ in sp[n]) - sp_cpu) / (n / 100_000)
            per_time.append(t100)
            per_mem.append(m100)
            print(
                f"  {n:>10,} {cpu:9.1f} {med:7.1f} {t100:7.2f} {mem:8.0f} {m100:8.1f} {s100:12.2f} {t100 / s100:8.2f}"
            )
        spread_t = max(per_time) / min(per_time)
        print(
            f"time per 100k characters: max/min {spread_t:.2f} ({'meets' if spread_t <= GOAL else 'MISSES'} "
            f"the goal <= {GOAL}); peak memory grows {min(per_mem):.0f}-{max(per_mem):.0f} MB per 100k above the "
            f"fixed {base_mem:.0f} MB"
        )
        if os.environ.get("KG_BENCH_5MB", "1") != "0":
            big = folder / "text-5MB.txt"
            big.write_text(generate(5_000_000, seed=7), encoding="utf-8")
            wall, cpu, mem = _kg_build(big, folder / "big.ttl")
            size = (folder / "big.ttl").stat().st_size
            print(
                f"5 MB text ({len(big.read_text(encoding='utf-8')):,} characters): built in {wall:.0f} s "
                f"({cpu:.0f} s CPU), peak {mem:.0f} MB, {size / 1e6:.1f} MB of Turtle"
            )


if __name__ == "__main__":
    main()

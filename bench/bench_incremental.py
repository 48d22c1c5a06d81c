"""Incremental builds: N documents added in 10 steps (``kg build NEW --into G.nq``) against one build of all N.

Issue 12's bar: the result is byte-identical N-Quads; a changed document replaces only its own graph; and the
time of one increment is reported against a full rebuild (whole processes, model load included).

``KG_BENCH_DOCS`` (default 1000), ``KG_BENCH_STEPS`` (default 10).

Run:  .venv/bin/python bench/run.py incremental
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (str(HERE.parent), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)


def graph_names(path: Path) -> dict[bytes, list[bytes]]:
    from kg.rdf import dataset as ds

    out: dict[bytes, list[bytes]] = {}
    for line in path.read_bytes().splitlines(keepends=True):
        out.setdefault(ds.split_graph(line)[1], []).append(line)
    return out


def main() -> None:
    from bench_build import corpus, kg_argv, run

    n = int(os.environ.get("KG_BENCH_DOCS", "1000"))
    steps = int(os.environ.get("KG_BENCH_STEPS", "10"))
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="kg-bench-incremental-") as tmp:
        root = Path(tmp)
        folder = root / "all"
        words = corpus(folder, n)
        files = sorted(folder.glob("*.txt"))
        print(f"{n} documents, {words} words, added in {steps} steps of {n // steps}")
        full = run([*kg_argv(), "build", str(folder), "-o", str(root / "all.nq"), "-q"])
        print(f"  one build of all {n}: {full:.1f} s")
        step_times = []
        chunk = (n + steps - 1) // steps
        for i in range(steps):
            part = files[i * chunk : (i + 1) * chunk]
            step_times.append(run([*kg_argv(), "build", *map(str, part), "--into", str(root / "steps.nq"), "-q"]))
            print(f"  step {i + 1}: {len(part)} documents in {step_times[-1]:.1f} s", flush=True)
        same = (root / "steps.nq").read_bytes() == (root / "all.nq").read_bytes()
        print(f"10 steps == one build, byte for byte: {same}")
        print(
            f"per increment: median {statistics.median(step_times):.1f} s (min {min(step_times):.1f}) against "
            f"{full:.1f} s for a full rebuild: {statistics.median(step_times) / full:.2f} of it; "
            f"all steps together {sum(step_times) / full:.2f}x one build"
        )
        before = graph_names(root / "steps.nq")
        changed = files[n // 2]
        text = changed.read_text(encoding="utf-8") + "\n\nThe ministry gave no figures.\n"
        changed.write_text(text, encoding="utf-8")
        again = run([*kg_argv(), "build", str(changed), "--into", str(root / "steps.nq"), "-q"])
        after = graph_names(root / "steps.nq")
        gone, new = before.keys() - after.keys(), after.keys() - before.keys()
        untouched = all(after[g] == lines for g, lines in before.items() if g in after)
        print(
            f"one changed document: {again:.1f} s; graphs removed {len(gone)}, added {len(new)}, "
            f"every other graph unchanged: {untouched}"
        )
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()

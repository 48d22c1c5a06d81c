"""Build speed: ``kg build`` against plain spaCy ``nlp.pipe`` on the same documents, whole processes, same run.

Issue 13's bars: ``kg build`` takes at most 1.18x plain spaCy's time (model load included, both as whole
processes), and ``kg build --jobs 2`` gets at least 0.9x the speed-up spaCy gets from ``n_process=2``.
Issue 12's: on 1,000+ documents, a two-worker local Dask cluster's speed-up over one process is at least
0.9x spaCy's ``n_process=2`` speed-up, same run.

Printed, for alternating rounds (spaCy 1, kg 1, spaCy 2, kg --jobs 2; the machine is shared, so load falls
on all of them alike): each time, min and median, and the ratios; then, in process, the split of one build
into parse / normalisation layer / entity passes / relation passes / RDF mapping / writing, as fractions of
the parse.

Documents: the seed, dev and (when present) training texts, each given a numbered headline so every
document is distinct; ``KG_BENCH_DOCS`` (default 200), ``KG_BENCH_ROUNDS`` (default 3),
``KG_BENCH_DASK_DOCS`` (default 1000; 0 skips the Dask part), ``KG_BENCH_DASK_ROUNDS`` (default 1).

Run:  .venv/bin/python bench/run.py build
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BUILD_GOAL = 1.18
SPEEDUP_GOAL = 0.9
#: Plain spaCy as a whole process: load the model kg loads, read the files, parse them; nothing else.
SPACY = """
import sys
from pathlib import Path
import importlib
from kg.nlp.pipeline import model_info
nlp = importlib.import_module(model_info()[0]).load()
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
for _ in nlp.pipe(texts, batch_size=16, n_process=int(sys.argv[2])):
    pass
"""


def texts() -> list[str]:
    folders = [ROOT / "seeds", ROOT / "tests" / "data" / "dev", ROOT.parent / "shared" / "corpus" / "train"]
    folders.append(Path("/work/shared/corpus/train"))
    seen: set[Path] = set()
    out = []
    for folder in folders:
        for p in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            if p.resolve() not in seen:
                seen.add(p.resolve())
                out.append(p.read_text(encoding="utf-8"))
    return out


def corpus(folder: Path, n: int) -> int:
    """``n`` distinct documents in ``folder``; returns their word count."""
    base = texts()
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for i in range(n):
        text = f"Bulletin {i + 1}\n\n{base[i % len(base)]}"
        (folder / f"doc-{i:05d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def run(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr.decode()[-2000:], file=sys.stderr)
        raise SystemExit(f"benchmark command failed: {' '.join(argv)}")
    return elapsed


def kg_argv() -> list[str]:
    kg = ROOT / ".venv" / "bin" / "kg"
    return [str(kg)] if kg.exists() else [sys.executable, "-m", "kg.cli"]


def rounds(cases: dict[str, list[str]], n: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in cases}
    for r in range(n):
        for name, argv in cases.items():
            times[name].append(run(argv))
        print(f"  round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)
    return times


def summary(times: dict[str, list[float]]) -> None:
    for name, ts in times.items():
        print(f"  {name:<28} min {min(ts):7.2f} s  median {statistics.median(ts):7.2f} s")


def ratio(a: list[float], b: list[float]) -> tuple[float, float]:
    """(a/b from the minima, median of the per-round a/b)."""
    return min(a) / min(b), statistics.median(x / y for x, y in zip(a, b, strict=True))


def split(folder: Path) -> None:
    """One build in process, stage by stage, as fractions of spaCy's parse."""
    import pyoxigraph as ox

    from kg.build import BATCH_SIZE
    from kg.inputs import expand, read_all
    from kg.nlp.enhanced import DepGraph
    from kg.nlp.entities import resolve_entities
    from kg.nlp.extract import extract
    from kg.nlp.pipeline import load_nlp
    from kg.nlp.relations import Rejection, find_relations, name_spans
    from kg.nlp.timex import TimeIndex
    from kg.rdf import dataset as ds
    from kg.rdf.mapping import extraction_lines
    from kg.rdf.store import dataset_bytes

    docs = list(read_all(expand([str(folder)]), []))
    nlp = load_nlp()
    list(nlp.pipe([d.text for d in docs[:8]], batch_size=BATCH_SIZE))  # warm-up
    names = ("parse", "normalisation layer", "entity passes", "relation passes", "RDF mapping", "writing")
    t: dict[str, float] = dict.fromkeys(names, 0.0)
    start = time.perf_counter()
    parsed = list(nlp.pipe([d.text for d in docs], batch_size=BATCH_SIZE))
    t["parse"] = time.perf_counter() - start
    parts = []
    for doc, document in zip(parsed, docs, strict=True):
        # the stages of kg.nlp.extract.analyse, one by one (the retyping second pass is left out here)
        a = time.perf_counter()
        graph = DepGraph(doc)
        b = time.perf_counter()
        index = resolve_entities(doc, graph=graph)
        c = time.perf_counter()
        times = TimeIndex(graph.text, document.date, name_spans(doc, index))
        rejected: list[Rejection] = []
        find_relations(doc, index, rejected=rejected, times=times, graph=graph)
        d = time.perf_counter()
        ext = extract(doc, document)  # what the build maps (timed above stage by stage)
        e = time.perf_counter()
        parts.append(extraction_lines(ext))
        f = time.perf_counter()
        t["normalisation layer"] += b - a
        t["entity passes"] += c - b
        t["relation passes"] += d - c
        t["RDF mapping"] += f - e
    a = time.perf_counter()
    lines = ds.merge(*parts)
    dataset_bytes(lines, ox.RdfFormat.TURTLE)
    t["writing"] = time.perf_counter() - a
    print(f"in-process split of one build ({len(docs)} documents, {len(lines)} quads), as a fraction of the parse:")
    for name, secs in t.items():
        print(f"  {name:<18} {secs:7.2f} s  {secs / t['parse']:5.2f}")


def main() -> None:
    n = int(os.environ.get("KG_BENCH_DOCS", "200"))
    n_rounds = int(os.environ.get("KG_BENCH_ROUNDS", "3"))
    dask_docs = int(os.environ.get("KG_BENCH_DASK_DOCS", "1000"))
    dask_rounds = int(os.environ.get("KG_BENCH_DASK_ROUNDS", "1"))
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="kg-bench-build-") as tmp:
        folder = Path(tmp) / "docs"
        words = corpus(folder, n)
        print(f"{n} documents, {words} words; alternating rounds of whole processes (model load included):")
        py = sys.executable
        cases = {
            "spaCy nlp.pipe": [py, "-c", SPACY, str(folder), "1"],
            "kg build": [*kg_argv(), "build", str(folder), "-o", f"{tmp}/a.nq", "-q"],
            "spaCy n_process=2": [py, "-c", SPACY, str(folder), "2"],
            "kg build --jobs 2": [*kg_argv(), "build", str(folder), "-o", f"{tmp}/b.nq", "-q", "--jobs", "2"],
        }
        times = rounds(cases, n_rounds)
        summary(times)
        same = Path(f"{tmp}/a.nq").read_bytes() == Path(f"{tmp}/b.nq").read_bytes()
        r_min, r_med = ratio(times["kg build"], times["spaCy nlp.pipe"])
        verdict = "meets" if r_min <= BUILD_GOAL else "MISSES"
        print(
            f"kg build / spaCy: min {r_min:.2f}, median {r_med:.2f} ({verdict} <= {BUILD_GOAL}; "
            f"{1 / r_min:.2f}x spaCy's words/s)"
        )
        s_spacy = ratio(times["spaCy nlp.pipe"], times["spaCy n_process=2"])
        s_kg = ratio(times["kg build"], times["kg build --jobs 2"])
        rel = s_kg[0] / s_spacy[0]
        verdict = "meets" if rel >= SPEEDUP_GOAL else "MISSES"
        print(
            f"speed-up from 2 processes: spaCy {s_spacy[0]:.2f} (median {s_spacy[1]:.2f}), kg --jobs 2 {s_kg[0]:.2f} "
            f"(median {s_kg[1]:.2f}); kg's / spaCy's = {rel:.2f} ({verdict} >= {SPEEDUP_GOAL}); "
            f"--jobs 2 output identical: {same}"
        )
        split(folder)
        if dask_docs:
            dask(Path(tmp), dask_docs, dask_rounds)
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def dask(tmp: Path, n: int, n_rounds: int) -> None:
    folder = tmp / "dask-docs"
    words = corpus(folder, n)
    print(f"Dask: {n} documents, {words} words; alternating rounds of whole processes:")
    py = sys.executable
    cases = {
        "spaCy nlp.pipe": [py, "-c", SPACY, str(folder), "1"],
        "spaCy n_process=2": [py, "-c", SPACY, str(folder), "2"],
        "kg build": [*kg_argv(), "build", str(folder), "-o", f"{tmp}/one.nq", "-q"],
        "kg build --workers 2": [*kg_argv(), "build", str(folder), "-o", f"{tmp}/dask.nq", "-q", "--workers", "2"],
    }
    times = rounds(cases, n_rounds)
    summary(times)
    same = Path(f"{tmp}/one.nq").read_bytes() == Path(f"{tmp}/dask.nq").read_bytes()
    s_spacy = ratio(times["spaCy nlp.pipe"], times["spaCy n_process=2"])
    s_dask = ratio(times["kg build"], times["kg build --workers 2"])
    rel = s_dask[0] / s_spacy[0]
    verdict = "meets" if rel >= SPEEDUP_GOAL else "MISSES"
    print(
        f"speed-up from 2 workers: spaCy n_process=2 {s_spacy[0]:.2f}, kg on a 2-worker Dask cluster {s_dask[0]:.2f}; "
        f"Dask's / spaCy's = {rel:.2f} ({verdict} >= {SPEEDUP_GOAL}); output identical to one process: {same}"
    )


if __name__ == "__main__":
    main()

"""``kg analyze`` on a generated graph shaped like ours: 100,000 entities, 300,000 relations with assertions.

The issue's bar: ``kg analyze`` finishes in under a minute on this machine (2 shared cores). Printed:

- the raw libraries on the same data, as the yardstick: pyoxigraph streaming the file (``ox.parse``,
  what ``kg analyze`` reads files with) and loading it into a store (``Store.bulk_load``, what
  ``load_graph`` does), and NetworkX building a plain ``DiGraph`` of the relation triples from the store;
- each stage of ``kg analyze`` (reading + projection, every report section, rendering), in wall and CPU
  seconds, for the graph as an N-Triples file (streamed) and as an on-disk ``.oxigraph`` store;
- the end-to-end ``kg analyze`` command on both, as a user runs it, in wall and CPU seconds.

The graph comes from ``bench/gen_graph.py`` (the project's shared generator) and is cached under
``out/bench/``. ``KG_BENCH_ENTITIES`` / ``KG_BENCH_RELATIONS`` change the size. The machine is shared, so
the load average is printed too: compare ratios, not seconds, across runs.

Run:  .venv/bin/python bench/run.py analyze
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

T = TypeVar("T")
KG = "https://w3id.org/kg-news/ontology#"
RELATIONS = ("controls", "advancesOn", "defectsTo", "advises")


def generated(n_entities: int, n_relations: int, seed: int = 0) -> tuple[Path, Path]:
    """The generated graph as an N-Triples file and an on-disk Oxigraph store, each made once per size."""
    import pyoxigraph as ox
    from gen_graph import VERSION, generate, write_store

    cache = ROOT / "out" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    stem = cache / f"gen-v{VERSION}-{n_entities}-{n_relations}"
    nt, store = stem.with_suffix(".nt"), stem.with_suffix(".oxigraph")
    if not nt.exists():
        tmp = nt.with_suffix(".nt.tmp")
        with tmp.open("wb") as fh:
            ox.serialize(generate(n_entities, n_relations, seed), fh, format=ox.RdfFormat.N_TRIPLES)
        tmp.replace(nt)
    if not store.exists():
        tmp_dir = Path(tempfile.mkdtemp(prefix=".gen-", dir=cache))
        tmp_dir.rmdir()
        write_store(str(tmp_dir), n_entities, n_relations, seed)
        tmp_dir.replace(store)
    return nt, store


def timed(label: str, fn: Callable[[], T], times: dict[str, float]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    times[label] = time.perf_counter() - wall
    print(f"  {label:<34} {times[label]:7.2f} s wall {time.process_time() - cpu:7.2f} s cpu", flush=True)
    return result


def raw_baselines(nt: Path) -> dict[str, float]:
    """What the raw libraries take for the bulk of the work: parsing, and a NetworkX graph of the relations."""
    import networkx as nx
    import pyoxigraph as ox

    times: dict[str, float] = {}
    print("raw libraries:")

    def stream() -> int:
        return sum(1 for _ in ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES))

    timed("pyoxigraph parse (stream)", stream, times)
    store = ox.Store()

    def load() -> None:
        store.bulk_load(path=nt, format=ox.RdfFormat.N_TRIPLES)

    timed("pyoxigraph bulk_load (store)", load, times)

    def digraph() -> nx.DiGraph:
        G = nx.DiGraph()
        for rel in RELATIONS:
            G.add_edges_from(
                (q.subject.value, q.object.value)  # type: ignore[union-attr]
                for q in store.quads_for_pattern(None, ox.NamedNode(KG + rel), None, None)
            )
        return G

    timed("networkx DiGraph of relations", digraph, times)
    return times


def stages(path: Path) -> dict[str, float]:
    """Every stage of ``kg analyze`` in process, with the report's own per-section timings."""
    from kg import analysis
    from kg.rdf.store import load_graph

    times: dict[str, float] = {}
    if path.is_dir():
        graph = timed("load_graph (read-only store)", lambda: load_graph(path), times)
        G = timed("project (one scan per predicate)", lambda: analysis.project(graph), times)
    else:
        G = timed("project_file (streamed)", lambda: analysis.project_file(path), times)
    sections: dict[str, tuple[float, float]] = {}
    rep = timed("report (all sections)", lambda: analysis.report(G, limit=25, seed=0, timings=sections), times)
    for name, (wall, cpu) in sections.items():
        print(f"    section {name:<26} {wall:7.2f} s wall {cpu:7.2f} s cpu", flush=True)
    timed("render markdown", lambda: analysis.render(rep, "markdown"), times)
    times["total"] = sum(times.values())
    print(f"  {'total in process':<34} {times['total']:7.2f} s wall")
    return times


def command(path: Path) -> float:
    """The ``kg analyze`` command end to end, as ``make run`` calls it (wall, and CPU of the child)."""
    kg = ROOT / ".venv" / "bin" / "kg"
    argv = [str(kg)] if kg.exists() else [sys.executable, "-m", "kg.cli"]
    before = os.times()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run(
            [*argv, "analyze", "-g", str(path), "--format", "markdown", "-o", str(Path(tmp) / "report.md")],
            capture_output=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if done.returncode != 0:
        print(done.stderr.decode(), file=sys.stderr)
    verdict = "under" if elapsed < 60 else "OVER"
    print(
        f"  kg analyze -g {path.name}: {elapsed:.1f} s wall ({verdict} a minute), {cpu:.1f} s cpu, "
        f"exit {done.returncode}",
        flush=True,
    )
    return elapsed


def main() -> None:
    n_entities = int(os.environ.get("KG_BENCH_ENTITIES", "100000"))
    n_relations = int(os.environ.get("KG_BENCH_RELATIONS", "300000"))
    nt, store = generated(n_entities, n_relations)
    load = os.getloadavg()
    print(f"graph: {n_entities} entities, {n_relations} relations; {nt.stat().st_size / 1e6:.0f} MB N-Triples")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    raw = raw_baselines(nt)
    print(f"kg analyze stages, {nt.name}:")
    file_times = stages(nt)
    print(f"kg analyze stages, {store.name}:")
    store_times = stages(store)
    print("end to end:")
    command(nt)
    command(store)
    read = file_times["project_file (streamed)"]
    print(
        f"ratios: project_file / raw stream = {read / raw['pyoxigraph parse (stream)']:.2f}; "
        f"project_file / raw store load = {read / raw['pyoxigraph bulk_load (store)']:.2f}; "
        f"store total / file total = {store_times['total'] / file_times['total']:.2f}"
    )


if __name__ == "__main__":
    main()

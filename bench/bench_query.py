"""Every named query on a generated ~1M-triple graph shaped like ours: ``kg query`` vs pyoxigraph alone.

Writes the graph (bench/gen_graph.py) into an on-disk Oxigraph store, then times each named query two ways in
the same run, on the same store, with the same bound parameters and the same output (W3C CSV bytes):

* kg:  what ``kg query NAME -g DIR.oxigraph --format csv`` runs: safety check, label lookup of the parameters,
       evaluation in a worker thread with a deadline, serialisation (kg.query.bind_params + kg.query.run);
* ox:  ``pyoxigraph.Store.query(text, substitutions=...)`` and ``serialize(format=CSV)``, nothing else.

Each is timed best-of-N (N=3, or 1 for queries over a second), alternating the two. Then one real
``kg query`` subprocess shows the start-up cost (interpreter, imports, opening the store). Goal: ratio <= 1.5.

Run:  .venv/bin/python bench/run.py query      (KG_BENCH_QUERY_RELATIONS scales the graph; default 50000)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import gen_graph  # noqa: E402
import pyoxigraph as ox  # noqa: E402

RELATIONS = int(os.environ.get("KG_BENCH_QUERY_RELATIONS", "50000"))
ENTITIES = max(2, RELATIONS // 3)


def _best(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _hubs(store: ox.Store) -> dict[str, str]:
    """Labels of the busiest place and agent: the parameters an analyst would ask about."""
    q = """PREFIX kg: <https://w3id.org/kg-news/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?label (COUNT(*) AS ?n) WHERE { ?s %s ?x . ?x rdfs:label ?label }
    GROUP BY ?label ORDER BY DESC(?n) LIMIT 1"""
    labels = []
    for pattern in ("?s kg:controls ?x", "?x kg:controls ?s"):
        solutions = store.query(q.replace("?s %s ?x", pattern))
        assert isinstance(solutions, ox.QuerySolutions)
        labels.append(next(iter(solutions))["label"].value)
    place, agent = labels
    return {"place": place, "agent": agent}


def main() -> None:
    from kg.query import _to_ox, bind_params, catalogue, check, run
    from kg.rdf.store import load_graph

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-query-"))
    try:
        path = tmp / "graph.oxigraph"
        t = time.perf_counter()
        n = gen_graph.write_store(str(path), ENTITIES, RELATIONS, seed=42)
        print(
            f"generated {n:,} triples ({ENTITIES:,} entities, {RELATIONS:,} statements) in "
            f"{time.perf_counter() - t:.1f} s -> {path.name}",
            flush=True,
        )

        t = time.perf_counter()
        graph = load_graph(path)
        open_kg = time.perf_counter() - t
        t = time.perf_counter()
        raw = ox.Store.read_only(str(path))
        open_ox = time.perf_counter() - t
        print(f"open store: kg {open_kg * 1000:.0f} ms, pyoxigraph {open_ox * 1000:.0f} ms")

        hubs = _hubs(raw)
        params = {
            "who-controls": {"place": hubs["place"]},
            "timeline": {"place": hubs["place"]},
            "controlled-by": {"agent": hubs["agent"]},
            "profile": {"entity": hubs["agent"]},
            "evidence": {"subject": hubs["agent"], "predicate": "kg:controls"},
        }
        print(f"parameters: place={hubs['place']!r} agent={hubs['agent']!r} (the busiest of each)\n")
        print(f"{'query':26} {'params':>6} {'rows':>8} {'kg (s)':>9} {'ox (s)':>9} {'ratio':>6}")
        ratios = []
        for name, query in catalogue().items():
            given = params.get(name, {})
            fmt = "ttl" if name == "relation-subgraph" else "csv"

            def via_kg(query=query, given=given, fmt=fmt) -> bytes:  # type: ignore[no-untyped-def]
                check.cache_clear()  # pay for parsing every time, as a fresh 'kg query' process does
                return run(graph, query, bind_params(graph, query, given), fmt=fmt, timeout=600)

            bindings = bind_params(graph, query, given)
            subs = {ox.Variable(k): _to_ox(v) for k, v in bindings.items()}

            def via_ox(query=query, subs=subs) -> bytes:  # type: ignore[no-untyped-def]
                result = raw.query(query.text, substitutions=subs)
                if isinstance(result, ox.QueryTriples):
                    return ox.serialize(result, format=ox.RdfFormat.TURTLE) or b""
                return result.serialize(format=ox.QueryResultsFormat.CSV) or b""

            t = time.perf_counter()
            out = via_kg()
            first = time.perf_counter() - t
            reps = 1 if first > 1.0 else 3
            kg_t = min(first, _best(via_kg, reps - 1)) if reps > 1 else first
            ox_t = _best(via_ox, reps)
            if reps == 1:  # one more of each, the other way round, so neither side gets only a cold cache
                ox_t = min(ox_t, _best(via_ox, 1))
                kg_t = min(kg_t, _best(via_kg, 1))
            rows = out.count(b"\n") - 1 if fmt == "csv" else out.count(b" .\n")
            ratio = kg_t / ox_t if ox_t > 0 else float("inf")
            ratios.append(ratio)
            print(f"{name:26} {len(given):>6} {rows:>8,} {kg_t:>9.3f} {ox_t:>9.3f} {ratio:>5.2f}x", flush=True)
        print(f"\nratio kg/ox: median {statistics.median(ratios):.2f}x, max {max(ratios):.2f}x (goal <= 1.5x)")

        cmd = [
            str(ROOT / ".venv" / "bin" / "kg"),
            "query",
            "who-controls",
            "-g",
            str(path),
            "--format",
            "csv",
            "--param",
            f"place={hubs['place']}",
        ]
        if not Path(cmd[0]).exists():
            cmd = [sys.executable, "-m", "kg.cli", *cmd[1:]]
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, check=False)
        wall = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import pyoxigraph"], check=True)
        bare = time.perf_counter() - t
        print(
            f"real subprocess 'kg query who-controls --param place=…': {wall:.2f} s wall (exit {done.returncode}); "
            f"a bare 'python -c \"import pyoxigraph\"' takes {bare:.2f} s"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

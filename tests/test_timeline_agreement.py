"""The ``timeline`` query and ``kg analyze`` tell the same story of every place: same statements, same order.

Graphs are built with the real model from the seed, the dev texts and the train texts (read from
``../shared/corpus/train`` at test time, never copied here), each alone and all together. For every
place the query lists, :func:`kg.analysis.control_history` must give the same statements in the same
order (time, change, agent, evidence, document), and ``kg analyze``'s JSON must list the place with its
holders in an order that follows the query's rows.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from kg import analysis
from kg.cli import main
from kg.query import catalogue, execute
from kg.rdf.store import new_graph, write_graph

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "dev"


def train_dir() -> Path | None:
    """``../shared/corpus/train`` next to the checkout (or a worktree's main checkout), or ``KG_TRAIN_DIR``."""
    if os.environ.get("KG_TRAIN_DIR"):
        return Path(os.environ["KG_TRAIN_DIR"])
    for base in (ROOT.parent, ROOT.parent.parent):
        found = base / "shared" / "corpus" / "train"
        if found.is_dir():
            return found
    return None


def _build(paths: list[Path]) -> Graph:
    from kg.build import build_graph
    from kg.inputs import Source, read

    graph, _ = build_graph([read(Source(str(p), p)) for p in paths])
    return graph


@pytest.fixture(scope="module")
def graphs(nlp: Any, seed_build: Any) -> dict[str, Graph]:
    out = {"seed": seed_build[0], "dev": _build(sorted(DEV.glob("*.txt")))}
    train = train_dir()
    if train is None:
        if os.environ.get("KG_REQUIRE_TOOLS"):
            pytest.fail("../shared/corpus/train not found (set KG_TRAIN_DIR) [KG_REQUIRE_TOOLS is set]")
    else:
        out["train"] = _build(sorted(train.glob("*.txt")))
    combined = new_graph()
    for g in out.values():
        combined.addN((s, p, o, combined) for s, p, o in g)
    out["all"] = combined
    return out


def _timeline(graph: Graph) -> dict[str, list[tuple[Any, ...]]]:
    """place -> the query's rows as (when, change, agent, evidence, document), in the query's order."""
    result = execute(graph, catalogue()["timeline"])
    col = {v: i for i, v in enumerate(result.variables)}
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in result.rows:

        def value(name: str, row: tuple[Any, ...] = row) -> str | None:
            term = row[col[name]]
            return None if term is None else str(term.value)

        out[value("place") or ""].append(
            (value("when"), value("change"), value("agent"), value("evidence"), value("doc"))
        )
    return dict(out)


@pytest.mark.parametrize("name", ["seed", "dev", "train", "all"])
def test_timeline_query_and_analysis_agree_on_every_place(graphs: dict[str, Graph], name: str) -> None:
    if name not in graphs:
        pytest.skip("the train corpus is not next to the checkout (../shared/corpus/train); set KG_TRAIN_DIR")
    graph = graphs[name]
    expected = _timeline(graph)
    assert expected, f"the {name} graph has control statements"
    G = analysis.project(graph)
    for place, rows in expected.items():
        got = [
            (r["when"], r["change"], r["agent"]["iri"], r["evidence"], r["document"])
            for r in analysis.control_history(G, place)
        ]
        assert got == rows, analysis.find_entity(G, place)
    assert set(expected) == {r["place"]["iri"] for r in analysis.control_map(G)["places"]}


@pytest.mark.parametrize("name", ["seed", "all"])
def test_kg_analyze_lists_every_place_with_holders_in_the_querys_order(
    graphs: dict[str, Graph], name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{name}.nt"
    write_graph(graphs[name], path)
    assert main(["analyze", "-g", str(path), "--format", "json", "--limit", "0"]) == 0
    places = {r["place"]["iri"]: r for r in json.loads(capsys.readouterr().out)["control"]["places"]}
    expected = _timeline(graphs[name])
    assert set(places) == set(expected)
    for place, rows in expected.items():
        order = [(when, evidence) for when, _, _, evidence, _ in rows]
        found = [((p["time"] or p["until"]), p["evidence"]) for p in places[place]["sequence"]]
        positions = [order.index(x) for x in found]  # each period starts at one of the query's rows ...
        assert positions == sorted(positions) and positions[0] == 0, place  # ... in the query's order

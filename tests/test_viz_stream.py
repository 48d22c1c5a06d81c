"""``kg viz`` on a file streams it (no store): the same view as reading the file into a store first."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.rdf.store import load_graph
from kg.viz import VizOptions, load_view, load_view_file

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

OPTIONS = [
    VizOptions(),
    VizOptions(show_claims=True, max_nodes=12, max_edges=15),
    VizOptions(since="1990", until="2005"),
    VizOptions(relations=("controls",), types=("GPE", "Group"), min_support=2),
]


def _generated(tmp_path: Path, suffix: str) -> Path:
    spec = importlib.util.spec_from_file_location("gen_graph", ROOT / "bench" / "gen_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    triples = list(module.generate(150, 400, seed=11))
    out = tmp_path / f"gen{suffix}"
    if suffix == ".nq":  # the same triples spread over two named graphs, some in both
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"http://e/g{i % 2}")) for i, t in enumerate(triples)
        ]
        quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("http://e/g1")) for t in triples[::7]]
        out.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    else:
        out.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE) or b"")
    return out


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "claims-capped", "period", "filtered"])
def test_streamed_view_equals_the_store_view(tmp_path: Path, options: VizOptions) -> None:
    for path in (DATA / "seed-curated.ttl", _generated(tmp_path, ".ttl"), _generated(tmp_path, ".nq")):
        assert load_view_file(path, options) == load_view(load_graph(path), options), path.name


def test_streamed_view_finds_the_focus_by_label(tmp_path: Path) -> None:
    path = DATA / "seed-curated.ttl"
    view = load_view(load_graph(path), VizOptions())
    label = next(iter(view.entities.values())).label
    options = VizOptions(focus=label)
    assert load_view_file(path, options) == load_view(load_graph(path), options)

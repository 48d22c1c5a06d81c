"""``kg viz`` on a file streams it (no store): the same view as reading the file into a store first."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import KGError
from kg.rdf.store import load_graph
from kg.viz import VizOptions, _load_view_indexed, load_view, load_view_file

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
    if suffix == ".nt":  # the indexed reader's case
        out.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    elif suffix == ".nq":  # the same triples spread over two named graphs, some in both
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
    seed_nt = tmp_path / "seed.nt"
    seed_nt.write_bytes(ox.serialize(list(ox.parse(path=DATA / "seed-curated.ttl")), format=ox.RdfFormat.N_TRIPLES))
    files = (DATA / "seed-curated.ttl", _generated(tmp_path, ".ttl"), _generated(tmp_path, ".nq"))
    for path in (*files, seed_nt, _generated(tmp_path, ".nt")):
        assert load_view_file(path, options) == load_view(load_graph(path), options), path.name
    assert _load_view_indexed(seed_nt, options) is not None  # N-Triples took the indexed reader


def _seed_lines(tmp_path: Path) -> list[bytes]:
    data = ox.serialize(list(ox.parse(path=DATA / "seed-curated.ttl")), format=ox.RdfFormat.N_TRIPLES) or b""
    return data.splitlines(keepends=True)


def test_n_triples_of_another_shape_is_read_the_usual_way(tmp_path: Path) -> None:
    path = tmp_path / "commented.nt"
    path.write_bytes(b"# written by hand\n" + b"".join(_seed_lines(tmp_path)))
    assert _load_view_indexed(path, VizOptions()) is None
    assert load_view_file(path, VizOptions()) == load_view(load_graph(path), VizOptions())


def test_a_file_that_is_no_n_triples_gets_the_same_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.nt"
    path.write_text("this is not a graph\n", encoding="utf-8")
    with pytest.raises(KGError) as from_store:
        load_graph(path)
    with pytest.raises(KGError) as from_file:
        load_view_file(path, VizOptions())
    assert str(from_file.value) == str(from_store.value)
    assert "is not valid N-Triples" in str(from_file.value)


def test_a_bad_term_the_page_shows_is_refused_one_it_does_not_is_not_read(tmp_path: Path) -> None:
    lines = _seed_lines(tmp_path)
    label = next(i for i, line in enumerate(lines) if b"rdf-schema#label>" in line)
    bad_label = lines.copy()
    bad_label[label] = bad_label[label].replace(b'" .', b'"x" .', 1)  # a quote inside the label
    path = tmp_path / "bad-label.nt"
    path.write_bytes(b"".join(bad_label))
    with pytest.raises(KGError, match="is not valid N-Triples"):
        load_view_file(path, VizOptions())
    unused = tmp_path / "bad-unused.nt"  # a broken line of a predicate the page never reads
    unused.write_bytes(b"".join([*lines, b'<http://example.org/x> <http://example.org/unused> "unterminated .\n']))
    good = tmp_path / "good.nt"
    good.write_bytes(b"".join(lines))
    assert load_view_file(unused, VizOptions()) == load_view(load_graph(good), VizOptions())


def test_streamed_view_finds_the_focus_by_label(tmp_path: Path) -> None:
    path = DATA / "seed-curated.ttl"
    view = load_view(load_graph(path), VizOptions())
    label = next(iter(view.entities.values())).label
    options = VizOptions(focus=label)
    assert load_view_file(path, options) == load_view(load_graph(path), options)


def _first(lines: list[bytes], marker: bytes) -> int:
    return next(i for i, line in enumerate(lines) if marker in line)


def _edited(lines: list[bytes], case: str) -> list[bytes]:
    """The seed graph changed into one kg would not write (each the coded reader hands to the string one)."""
    out = lines.copy()
    rdf = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    if case == "two subjects":  # an assertion stating two things
        i = _first(out, b"22-rdf-syntax-ns#subject>")
        out.append(out[i].replace(b"/entity/", b"/entity/Other_", 1))
    elif case == "no asserted":  # polarity and modality decide
        del out[_first(out, b"ontology#asserted>")]
    elif case == "asserted as 0 and 1":  # other spellings of the booleans (still kg's shape)
        for i, line in enumerate(out):
            out[i] = line.replace(b'"true"^^', b'"1"^^').replace(b'"false"^^', b'"0"^^')
    elif case == "literal object":  # an rdf:object spelled as a literal
        i = _first(out, b"22-rdf-syntax-ns#object>")
        subject, _, obj = out[i].rstrip(b" .\n").split(b" ", 2)
        out[i] = subject + b" <" + rdf + b'object> "' + obj[1:-1] + b'" .\n'
    elif case == "literal relation":
        i = _first(out, b"ontology#controls>")
        subject, predicate, obj = out[i].rstrip(b" .\n").split(b" ", 2)
        out.append(subject + b" " + predicate + b' "' + obj[1:-1] + b'" .\n')
    elif case == "literal class":
        i = _first(out, b"22-rdf-syntax-ns#type>")
        subject, predicate, obj = out[i].rstrip(b" .\n").split(b" ", 2)
        out.append(b"<http://example.org/odd> " + predicate + b' "' + obj[1:-1] + b'" .\n')
    return out


@pytest.mark.parametrize(
    "case",
    [
        "as written",
        "two subjects",
        "no asserted",
        "asserted as 0 and 1",
        "literal object",
        "literal relation",
        "literal class",
    ],
)
@pytest.mark.parametrize("options", OPTIONS[:2] + OPTIONS[3:], ids=["default", "claims-capped", "filtered"])
def test_the_coded_reader_gives_the_store_view_or_hands_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, options: VizOptions
) -> None:
    """kg's own graphs are read as term ids (no string skeleton at all); a graph shaped otherwise is read
    as strings, whose rules for it the ids do not repeat -- either way the store's view."""
    import kg.viz

    path = tmp_path / "g.nt"
    path.write_bytes(b"".join(_edited(_seed_lines(tmp_path), case)))
    strings = kg.viz._indexed_view
    used: list[str] = []

    def spy(*args: object, **kwargs: object) -> object:
        used.append("strings")
        return strings(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kg.viz, "_indexed_view", spy)
    assert load_view_file(path, options) == load_view(load_graph(path), options)
    assert used == ([] if case in ("as written", "asserted as 0 and 1") else ["strings"])


def test_a_generated_kg_graph_takes_the_coded_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.viz

    path = _generated(tmp_path, ".nt")

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("read as strings")

    monkeypatch.setattr(kg.viz, "_indexed_view", fail)
    for options in OPTIONS[:2] + OPTIONS[3:]:
        assert load_view_file(path, options) == load_view(load_graph(path), options)


def test_a_kg_asserted_that_is_no_boolean_is_read_alike_by_every_reader(tmp_path: Path) -> None:
    """kg always writes an ``xsd:boolean``; a hand-made graph may not. Only an ``xsd:boolean`` is true or false
    (as SPARQL reads it), anything else leaves polarity and modality to decide: on a file, in a store, streamed."""
    asserted = ox.NamedNode("https://w3id.org/kg-news/ontology#asserted")
    triples = []
    changed = 0
    for i, t in enumerate(ox.parse(path=DATA / "seed-curated.ttl")):
        if t.predicate == asserted:
            odd = [ox.Literal("maybe"), ox.Literal("true"), ox.Literal("false"), ox.Literal("1", language="en")]
            if i % 2:
                t, changed = ox.Triple(t.subject, t.predicate, odd[i % 4]), changed + 1
        triples.append(t)
    assert changed > 4
    for suffix, fmt in ((".nt", ox.RdfFormat.N_TRIPLES), (".ttl", ox.RdfFormat.TURTLE)):
        path = tmp_path / f"odd{suffix}"
        path.write_bytes(ox.serialize(triples, format=fmt) or b"")
        for options in (VizOptions(), VizOptions(show_claims=True)):
            assert load_view_file(path, options) == load_view(load_graph(path), options), (suffix, options)

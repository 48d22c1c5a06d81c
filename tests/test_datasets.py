"""Per-document named graphs, incremental builds, removal, and reading the union of named graphs.

The texts are written for these tests (made-up places), built with the real spaCy model in process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.rdf import dataset as ds

TEXTS = {
    "a.txt": "Rebel fighters captured the town of Vellmar on 3 March 2004.\n\nThe army later retook Vellmar.",
    "b.txt": "Government troops advanced on Dorrisk in May 2006. The Northern Front controlled Dorrisk.",
    "c.txt": "The Coastal Brigade defected to the Northern Front in 2007.\n\nForeign officers advised the brigade.",
    "d.txt": "Militia units seized the port of Ossin. The militia held Ossin for a year.",
}


def _write(folder: Path, names: list[str], texts: dict[str, str] = TEXTS) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names:
        (folder / name).write_text(texts[name], encoding="utf-8")
        out.append(str(folder / name))
    return out


def _graph_names(path: Path) -> set[bytes]:
    return {ds.split_graph(line)[1] for line in path.read_bytes().splitlines(keepends=True)}


def test_each_document_is_a_named_graph_and_turtle_is_their_union(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = _write(tmp_path / "in", ["a.txt", "b.txt"])
    assert main(["build", *files, "-o", str(tmp_path / "g.nq"), "-q"]) == 0
    assert main(["build", *files, "-o", str(tmp_path / "g.nt"), "-q"]) == 0
    names = _graph_names(tmp_path / "g.nq")
    assert len(names) == 2 and all(n.startswith(b"<https://w3id.org/kg-news/doc/") for n in names)
    union = ds.flatten((tmp_path / "g.nq").read_bytes().splitlines(keepends=True))
    assert b"".join(union) == (tmp_path / "g.nt").read_bytes()
    # each document graph holds that document's own triples
    for line in (tmp_path / "g.nq").read_bytes().splitlines(keepends=True):
        if b"/kg-news/doc/" in line.split(b" ", 1)[0]:
            triple, graph = ds.split_graph(line)
            assert triple.split(b" ", 1)[0] == graph


def test_documents_added_one_by_one_equal_one_build(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    names = sorted(TEXTS)
    files = _write(tmp_path / "in", names)
    together, steps = tmp_path / "together.nq", tmp_path / "steps.nq"
    assert main(["build", *files, "-o", str(together), "-q"]) == 0
    for f in files:
        assert main(["build", f, "--into", str(steps), "-q"]) == 0
    assert steps.read_bytes() == together.read_bytes()
    # the same holds for a store, compared through its N-Quads export
    store = tmp_path / "steps.oxigraph"
    for f in files[:2]:
        assert main(["build", f, "--into", str(store), "-q"]) == 0
    assert main(["build", *files[2:], "--into", str(store), "-q"]) == 0
    assert main(["export", "-g", str(store), "-o", str(tmp_path / "from-store.nq"), "-q"]) == 0
    assert (tmp_path / "from-store.nq").read_bytes() == together.read_bytes()


def test_changed_document_replaces_only_its_graph_and_unchanged_is_skipped(  # type: ignore[no-untyped-def]
    nlp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _write(tmp_path / "in", ["a.txt", "b.txt"])
    g = tmp_path / "g.nq"
    assert main(["build", *files, "-o", str(g), "-q"]) == 0
    before = g.read_bytes().splitlines(keepends=True)
    old_names = _graph_names(g)
    Path(files[1]).write_text(TEXTS["b.txt"] + " Observers said the fighting stopped.", encoding="utf-8")
    assert main(["build", *files, "--into", str(g), "--summary", "json"]) == 0
    out = capsys.readouterr().out
    assert '"replaced": 1' in out and '"unchanged": 1' in out and '"documents": 2' in out
    new_names = _graph_names(g)
    assert len(new_names) == 2 and len(old_names & new_names) == 1
    kept = (old_names & new_names).pop()
    after = g.read_bytes().splitlines(keepends=True)
    assert [x for x in before if ds.split_graph(x)[1] == kept] == [x for x in after if ds.split_graph(x)[1] == kept]


def test_remove_drops_the_documents_graph_and_only_what_it_alone_said(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = _write(tmp_path / "in", ["a.txt", "b.txt", "c.txt"])
    full, two = tmp_path / "full.trig", tmp_path / "two.trig"
    assert main(["build", *files, "-o", str(full), "-q"]) == 0
    assert main(["build", *files[:2], "-o", str(two), "-q"]) == 0
    assert main(["remove", "c.txt", "--from", str(full), "-q"]) == 0
    assert full.read_bytes() == two.read_bytes()
    assert (tmp_path / "full.void.ttl").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["remove", "zzz.txt", "--from", "{g}"], "no document 'zzz.txt'"),
        (["remove", "a.txt", "--from", "{ttl}"], "holds no per-document graphs"),
        (["build", "{a}", "--into", "{ttl}"], "use a .nq, .trig or .oxigraph"),
        (["build", "{a}", "--into", "{g}", "-o", "x.ttl"], "not both"),
    ],
)
def test_incremental_usage_errors_say_what_to_do(  # type: ignore[no-untyped-def]
    nlp, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    files = _write(tmp_path / "in", ["a.txt"])
    g, ttl = tmp_path / "g.nq", tmp_path / "g.ttl"
    assert main(["build", *files, "-o", str(g), "-q"]) == 0
    assert main(["build", *files, "-o", str(ttl), "-q"]) == 0
    capsys.readouterr()
    subst = {"{g}": str(g), "{ttl}": str(ttl), "{a}": files[0]}
    assert main([subst.get(a, a) for a in args]) == 1
    assert message in capsys.readouterr().err


def test_trig_with_only_named_graphs_reads_like_its_turtle(  # type: ignore[no-untyped-def]
    nlp, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from kg.query import catalogue, check

    files = _write(tmp_path / "in", sorted(TEXTS))
    trig, ttl = tmp_path / "g.trig", tmp_path / "g.ttl"
    assert main(["build", *files, "-o", str(trig), "-q"]) == 0
    assert main(["build", *files, "-o", str(ttl), "-q"]) == 0
    assert b"GRAPH" not in trig.read_bytes() and b"doc:d" in trig.read_bytes()
    capsys.readouterr()
    assert main(["query", "entities", "-g", str(ttl), "-f", "csv"]) == 0
    from kg.query import csv_rows

    table = csv_rows(capsys.readouterr().out.encode())
    place = next(r[2] for r in table[1:] if r[0].endswith(("GPE", "Place")))
    agent = next(r[2] for r in table[1:] if r[0].endswith(("Group", "Person")))
    needs = {"who-controls": ["--param", f"place={place}"], "timeline": ["--param", f"place={place}"]}
    needs |= {"controlled-by": ["--param", f"agent={agent}"], "profile": ["--param", f"entity={place}"]}
    rows = 0
    for name, query in catalogue().items():
        extra = needs.get(name, [])
        if any(p.required for p in query.params) and not extra:
            continue
        outputs, notes = [], []
        for g in (trig, ttl):
            caplog.clear()
            fmt = "ttl" if check(query.text).kind in ("CONSTRUCT", "DESCRIBE") else "csv"
            assert main(["query", name, "-g", str(g), "-f", fmt, *extra]) == 0, name
            outputs.append(capsys.readouterr().out)
            notes.append(caplog.text)
        assert outputs[0] == outputs[1], name
        rows += outputs[0].count("\n") - 1
        assert "named graph(s), none in the default graph" in notes[0] and "named graph" not in notes[1]
    assert rows > 20  # the queries found something to agree on
    reports = []
    for g in (trig, ttl):
        assert main(["analyze", "-g", str(g), "-f", "json"]) == 0
        reports.append(capsys.readouterr().out)
    assert reports[0] == reports[1] and '"entities": 0' not in reports[0]


def test_split_graph_handles_literals_that_look_like_graphs() -> None:
    cases = [
        (b'<s> <p> "x <y> z" .\n', b""),
        (b'<s> <p> "a\\" <g> ." <g> .\n', b"<g>"),
        (b'<s> <p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', b""),
        (b'<s> <p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <g> .\n', b"<g>"),
        (b'<s> <p> "hi"@en-GB _:b1 .\n', b"_:b1"),
        (b"<s> <p> _:o .\n", b""),
    ]
    for short, short_graph in cases:
        line = short.replace(b"<s>", b"<http://e/s>").replace(b"<p>", b"<http://e/p>").replace(b"<g>", b"<http://e/g>")
        graph = short_graph.replace(b"<g>", b"<http://e/g>")
        triple, g = ds.split_graph(line)
        assert g == graph, line
        parsed = list(ox.parse(line, format=ox.RdfFormat.N_QUADS))
        assert len(parsed) == 1
        assert next(iter(ox.parse(triple, format=ox.RdfFormat.N_TRIPLES))).object == parsed[0].object


def test_flatten_reports_the_graph_names_split_graph_finds() -> None:
    """The VoID description counts graphs from the names flatten() met: they must be split_graph's."""
    lines = [
        b'<http://e/s> <http://e/p> "x <http://e/y> z" .\n',
        b'<http://e/s> <http://e/p> "a\\" <http://e/g> ." <http://e/g> .\n',
        b'<http://e/s> <http://e/p> "hi"@en-GB _:b1 .\n',
        b"<http://e/s> <http://e/p> <http://e/o> <http://e/h> .\n",
        b"<http://e/s>  <http://e/p>  <http://e/o>  <http://e/k>  .  \n",
    ]
    names: set[bytes] = set()
    flat = ds.flatten(lines, names)
    assert (
        names
        == {ds.split_graph(line)[1] for line in lines}
        == {b"", b"<http://e/g>", b"_:b1", b"<http://e/h>", b"<http://e/k>"}
    )
    assert flat == ds.flatten(lines)


def test_a_store_with_only_named_graphs_is_read_as_their_union(tmp_path: Path) -> None:
    """A store filled by another tool, with every triple in a named graph, is read as the union (not empty)."""
    from kg.rdf.store import load_graph

    path = tmp_path / "other.oxigraph"
    store = ox.Store(str(path))
    e, k = "https://w3id.org/kg-news/entity/", "https://w3id.org/kg-news/ontology#"
    for g in ("http://e/g1", "http://e/g2"):
        store.add(ox.Quad(ox.NamedNode(e + "A"), ox.NamedNode(k + "controls"), ox.NamedNode(e + "X"), ox.NamedNode(g)))
    store.add(
        ox.Quad(ox.NamedNode(e + "B"), ox.NamedNode(k + "advises"), ox.NamedNode(e + "A"), ox.NamedNode("http://e/g2"))
    )
    store.flush()
    del store
    assert len(load_graph(path)) == 2


def test_literal_escapes_are_read_left_to_right() -> None:
    """An escaped backslash before a quote or a 'U' is a backslash, not the start of another escape (an alias
    ending in a backslash once made the JSON-LD writer emit JSON nothing could read)."""
    assert ds.literal_value(b'"\\\\\'"') == "\\'"
    assert ds.literal_value(b'"\\\'"') == "'"
    assert ds.literal_value(b'"\\U0001F600 \\\\U00000041"') == "\U0001f600 \\U00000041"
    for text in ["\\'", "a\\", "\\\\U00000041", '"\\"', "\x01\t\x7f", "\ufffe\uffff\U0001f600"]:
        written = str(ox.Literal(text)).encode("utf-8")
        assert ds.literal_value(written) == text
        line = b"<http://e/s> <http://www.w3.org/2004/02/skos/core#altLabel> " + written + b" .\n"
        assert json.loads(ds.jsonld([line]))["@graph"][0]["skos:altLabel"] == text

"""``kg build`` end to end on the seed article with the real spaCy model and strict parsers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rdflib import RDF, Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.rdf.namespace import KG, RELATIONS, relation_term
from kg.rdf.store import FORMATS, load_graph, serialize

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "kabul-2001-11.txt"
GOLDEN = Path(__file__).resolve().parent / "data" / "seed.golden.ttl"
ONTOLOGY = ROOT / "ontology"
KG_BIN = [sys.executable, "-m", "kg.cli"]


def _plain(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    return out


def test_same_input_gives_identical_bytes(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    assert main(["build", str(SEED), "-o", str(a)]) == 0
    assert main(["build", str(SEED), "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_seed_matches_reviewed_golden_turtle(seed_build) -> None:  # type: ignore[no-untyped-def]
    _, data, _ = seed_build
    if os.environ.get("KG_REGEN_GOLDEN"):
        GOLDEN.write_bytes(data)
        pytest.skip("golden file regenerated: review 'git diff tests/data/seed.golden.ttl'")
    assert data.decode() == GOLDEN.read_text(encoding="utf-8"), (
        "seed graph changed; if on purpose, rerun with KG_REGEN_GOLDEN=1 and review the diff"
    )


def test_seed_graph_holds_each_relation_with_exact_evidence(seed_build) -> None:  # type: ignore[no-untyped-def]
    graph, _, _ = seed_build
    text = SEED.read_text(encoding="utf-8")
    for name in RELATIONS:
        plain = list(graph.triples((None, relation_term(name), None)))
        assert plain, f"the seed graph has no {name} triple"
        for s, p, o in plain:
            backing = [
                a
                for a in graph.subjects(RDF.subject, s)
                if (a, RDF.predicate, p) in graph
                and (a, RDF.object, o) in graph
                and str(graph.value(a, KG.asserted)) == "true"
            ]
            assert backing, f"{s} {name} {o} has no asserted assertion"
            for a in backing:
                start, end = int(graph.value(a, KG.charStart)), int(graph.value(a, KG.charEnd))  # type: ignore[arg-type]
                assert str(graph.value(a, KG.evidence)) == text[start:end]


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_every_format_reparses_isomorphic(seed_build, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    graph, _, _ = seed_build
    out = tmp_path / f"g{suffix}"
    out.write_bytes(serialize(graph, FORMATS[suffix]))
    assert isomorphic(_plain(load_graph(out)), _plain(graph))
    # and rdflib's own parsers read it too
    rdflib_fmt = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".trig": "trig", ".nq": "nquads"}[suffix]
    again = Graph().parse(out, format=rdflib_fmt)
    assert len(again) == len(graph)


def test_rapper_accepts_the_seed_turtle(seed_build) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import require_tool

    rapper = require_tool("rapper")
    _, _, path = seed_build
    proc = subprocess.run([rapper, "-i", "turtle", "-c", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "returned" in proc.stderr and " 0 triples" not in proc.stderr


def test_serdi_accepts_the_seed_turtle(seed_build) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import require_tool

    serdi = require_tool("serdi")
    graph, _, path = seed_build
    proc = subprocess.run([serdi, "-i", "turtle", "-o", "ntriples", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert len(list(ox.parse(proc.stdout, format=ox.RdfFormat.N_TRIPLES))) == len(graph)


def test_seed_graph_conforms_to_shapes(seed_build) -> None:  # type: ignore[no-untyped-def]
    from pyshacl import validate

    _, data, _ = seed_build
    data_graph = Graph().parse(data=data, format="turtle")
    conforms, _, report = validate(
        data_graph,
        shacl_graph=Graph().parse(ONTOLOGY / "shapes.ttl"),
        ont_graph=Graph().parse(ONTOLOGY / "kg.ttl"),
        inference="rdfs",
    )
    assert conforms, report


def test_shapes_catch_a_plain_triple_without_assertion(seed_build) -> None:  # type: ignore[no-untyped-def]
    from pyshacl import validate

    _, data, _ = seed_build
    g = Graph().parse(data=data, format="turtle")
    s = next(iter(g.subjects(RDF.type, KG.Group)))
    o = next(iter(g.subjects(RDF.type, KG.GPE)))
    g.add((s, KG.controls, o))
    conforms, _, _ = validate(
        g,
        shacl_graph=Graph().parse(ONTOLOGY / "shapes.ttl"),
        ont_graph=Graph().parse(ONTOLOGY / "kg.ttl"),
        inference="rdfs",
    )
    assert not conforms


# ------------------------------------------------------------------ the command line as a user runs it


def _run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KG_BIN, *args], input=stdin.decode() if stdin else None, capture_output=True, text=True, cwd=cwd or ROOT
    )


def test_cli_builds_from_stdin_and_summarises(tmp_path: Path) -> None:
    out = tmp_path / "s.ttl"
    proc = _run("build", "-", "-o", str(out), stdin=b"Rebel fighters captured the town of Brega on Monday.\n")
    assert proc.returncode == 0, proc.stderr
    assert "1 document(s)" in proc.stderr and "relations" in proc.stderr
    assert len(load_graph(out)) > 0


def test_cli_streams_the_graph_to_stdout_in_the_format_asked(seed_build) -> None:  # type: ignore[no-untyped-def]
    """``kg build seeds -o - --format nt | wc -l``: one N-Triples line per triple; the summary stays on stderr."""
    graph, _, _ = seed_build
    proc = subprocess.run(
        f"{' '.join(KG_BIN)} build {ROOT / 'seeds'} -o - --format nt | wc -l",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) == len(graph)
    assert "kg build:" in proc.stderr and "-> stdout" in proc.stderr
    turtle = _run("build", "-", "-o", "-", "-q", stdin=b"Militia fighters seized the port of Qandala in 1998.\n")
    assert turtle.returncode == 0 and turtle.stderr == ""
    assert len(list(ox.parse(turtle.stdout.encode(), format=ox.RdfFormat.TURTLE))) > 0  # it parses
    assert turtle.stdout.startswith("@prefix kg:")


def test_cli_json_summary_and_format_checks(tmp_path: Path) -> None:
    out = tmp_path / "g.nt"
    proc = _run("build", str(SEED), "-o", str(out), "--summary", "json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["output"] == str(out) and summary["documents"] == 1 and summary["relations"] > 0
    assert summary["relations"] == sum(summary["by_relation"].values())
    clash = _run("build", str(SEED), "-o", str(tmp_path / "g.ttl"), "--format", "nt")
    assert clash.returncode == 1 and "--format nt" in clash.stderr and "*.nt" in clash.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x00\x01binary", "binary"), (b"\xfa\xfb bad", "not valid UTF-8"), (b"\xff\xfe\xfa bad", "not valid UTF-16")],
)
def test_cli_bad_input_gets_one_line_and_exit_1(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = tmp_path / "g.ttl"
    out.write_text("earlier graph")
    proc = _run("build", str(bad), "-o", str(out))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr and "bad.txt" in proc.stderr
    assert out.read_text() == "earlier graph"  # nothing already written is lost


def test_cli_missing_file(tmp_path: Path) -> None:
    proc = _run("build", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "g.ttl"))
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "missing.txt: no such file" in proc.stderr


def test_cli_bad_output_suffix_lists_choices(tmp_path: Path) -> None:
    proc = _run("build", str(SEED), "-o", str(tmp_path / "g.rdfx"))
    assert proc.returncode == 1
    assert ".jsonld, .nq, .nt, .trig, .ttl" in proc.stderr


def test_cli_skips_bad_files_but_builds_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Government troops entered the city of Hamah.")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01binary")
    proc = _run("build", str(tmp_path), "-o", str(tmp_path / "g.nt"))
    assert proc.returncode == 0
    assert "skipped" in proc.stderr and "binary.txt" in proc.stderr
    assert (tmp_path / "g.nt").exists()


def test_version_names_the_model() -> None:
    proc = _run("--version")
    assert proc.returncode == 0
    assert "spaCy model: en_core_web_sm" in proc.stdout


def test_usage_error_exits_1() -> None:
    proc = _run("build")
    assert proc.returncode == 1
    assert "usage:" in proc.stderr


def test_parallel_jobs_give_the_same_graph(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, sentence in enumerate(
        ["Rebel forces captured the town of Sirte.", "Government troops retook Homs in May 2012.", "He said nothing."]
    ):
        (corpus / f"{i}.txt").write_text(sentence)
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    assert _run("build", str(corpus), "-o", str(one)).returncode == 0
    assert _run("build", str(corpus), "-o", str(two), "--jobs", "2").returncode == 0
    assert one.read_bytes() == two.read_bytes()


def test_one_entity_is_one_node_across_documents(tmp_path: Path) -> None:
    from rdflib import URIRef

    from kg.rdf.mapping import entity_iri

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Fighters of the Free Valley Front captured the town of Homs on Monday. The group then advanced on Hama.\n"
    )
    (corpus / "b.txt").write_text("Free Valley Front fighters attacked Hama on Tuesday, witnesses said.\n")
    out = tmp_path / "g.ttl"
    assert _run("build", str(corpus), "-o", str(out)).returncode == 0
    g = load_graph(out)
    front, hama = entity_iri("Free Valley Front"), entity_iri("Hama")
    assert len(set(g.objects(front, KG.mentionedIn))) == 2
    assert len(set(g.objects(hama, KG.mentionedIn))) == 2
    assert (front, KG.advancesOn, hama) in g
    assert (front, KG.controls, entity_iri("Homs")) in g
    backing = {g.value(a, KG.evidence) for a in g.subjects(RDF.object, hama) if (a, RDF.subject, front) in g}
    assert len(backing) == 2  # one assertion per document, both on the one node
    assert all(isinstance(x, URIRef) for x in g.objects(front, KG.mentionedIn))


def test_cli_format_names_are_the_writable_suffixes() -> None:
    from kg.commands import build as command

    assert {f".{name}" for name in command.FORMATS} == set(FORMATS)


# ------------------------------------------------------------------ statistics by distinct keys


def _stats_by_flattening(lines: list[bytes]) -> tuple[int, int, int, int, dict[str, int]]:
    """The definition the build's counts must keep: distinct triples of the union, read one by one."""
    from kg.rdf.dataset import flatten

    entity_classes = {f"<{KG[t]}>".encode() for t in ("Person", "Group", "GPE", "Place")}
    relations = {f"<{relation_term(r)}>".encode(): r for r in RELATIONS}
    entities: set[bytes] = set()
    documents = assertions = held = 0
    asserted = dict.fromkeys(RELATIONS, 0)
    for line in flatten(lines):
        s, p, o = line.split(b" ", 2)
        if p == f"<{RDF.type}>".encode():
            if o[:-3] in entity_classes:
                entities.add(s)
            documents += o[:-3] == f"<{KG.Document}>".encode()
            assertions += o[:-3] == f"<{KG.Assertion}>".encode()
        elif p == f"<{KG.asserted}>".encode():
            held += o.startswith(b'"false"')
        elif p in relations:
            asserted[relations[p]] += 1
    return len(entities), documents, assertions, held, asserted


_IRIS = ["<http://example.org/a>", "<http://example.org/b>", "_:b0", f"<{KG.Document}>", f"<{KG.Person}>"]
_OBJECTS = [
    *_IRIS,
    f"<{KG.Assertion}>",
    '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>',
    '"false"',
    '"a b"',
    '"a c"',
    '"false\\" <http://example.org/g>"',  # literals with spaces that look like a graph name or an end
    '"x <http://example.org/a> .\\n"',
    '"true"^^<http://example.org/dt>',
]
_PREDICATES = [f"<{RDF.type}>", f"<{KG.asserted}>", f"<{KG.controls}>", f"<{KG.advises}>", "<http://example.org/p>"]


@settings(max_examples=200, deadline=None)
@example(
    [  # two literal objects that share their first word, one of them in two graphs
        ("_:b0", f"<{KG.controls}>", '"a b"', " <http://example.org/g1>"),
        ("_:b0", f"<{KG.controls}>", '"a b"', " <http://example.org/g2>"),
        ("_:b0", f"<{KG.controls}>", '"a c"', ""),
    ]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_IRIS[:3]),
            st.sampled_from(_PREDICATES),
            st.sampled_from(_OBJECTS),
            st.sampled_from(["", " <http://example.org/g1>", " <http://example.org/g2>"]),
        ),
        max_size=30,
    )
)
def test_statistics_count_distinct_triples_of_the_union(quads: list[tuple[str, str, str, str]]) -> None:
    from kg.build import dataset_stats
    from kg.rdf.dataset import merge

    lines = merge([f"{s} {p} {o}{g} .\n".encode() for s, p, o, g in quads])
    stats = dataset_stats(lines)
    got = (stats.entities, stats.documents, stats.assertions, stats.held_back, dict(stats.asserted))
    assert got == _stats_by_flattening(lines)


def test_statistics_of_real_documents_are_those_of_their_union(extracted) -> None:  # type: ignore[no-untyped-def]
    from kg.build import dataset_stats
    from kg.rdf.dataset import merge
    from kg.rdf.mapping import extraction_lines

    texts = [
        "Rebel fighters captured the river port of Dunmore on 3 May 2014, the army said.",
        "Rebel fighters captured the river port of Dunmore on 3 May 2014, the army said. They did not take Alder.",
    ]
    lines = merge(*(extraction_lines(extracted(t)) for t in texts))  # entities shared by both documents
    stats = dataset_stats(lines)
    got = (stats.entities, stats.documents, stats.assertions, stats.held_back, dict(stats.asserted))
    assert got == _stats_by_flattening(lines)
    assert stats.documents == 2 and stats.assertions > 0

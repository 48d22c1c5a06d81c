"""``kg export``: every format loads back in the tool it is for (rdflib/pyoxigraph, networkx, the GEXF schema),
and the Turtle writer agrees with Oxigraph's while reading like hand-written Turtle."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg import analysis
from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CURATED = DATA / "seed-curated.ttl"
GEXF_XSD = DATA / "gexf-1.2draft" / "gexf.xsd"


def _generated(tmp_path: Path, entities: int = 80, relations: int = 200) -> Path:
    spec = importlib.util.spec_from_file_location("gen_graph", ROOT / "bench" / "gen_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "gen.nt"
    out.write_bytes(ox.serialize(list(module.generate(entities, relations, seed=5)), format=ox.RdfFormat.N_TRIPLES))
    return out


def _plain(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    return out


@pytest.mark.parametrize(("suffix", "rdflib_format"), [(".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld")])
def test_flat_rdf_exports_load_back_in_rdflib_and_oxigraph(tmp_path: Path, suffix: str, rdflib_format: str) -> None:
    out = tmp_path / f"g{suffix}"
    assert main(["export", "-g", str(CURATED), "-o", str(out), "-q"]) == 0
    expected = _plain(Graph().parse(CURATED, format="turtle"))
    assert isomorphic(_plain(Graph().parse(out, format=rdflib_format)), expected)
    fmt = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}[suffix]
    assert len(list(ox.parse(path=out, format=fmt))) == len(expected)
    again = tmp_path / f"again{suffix}"
    assert main(["export", "-g", str(out), "-o", str(again), "-q"]) == 0
    assert again.read_bytes() == out.read_bytes()  # deterministic, and a fixed point


def test_dataset_exports_keep_the_graphs(tmp_path: Path) -> None:
    nq = tmp_path / "g.nq"
    # two documents' graphs sharing an entity triple
    e, k = "https://w3id.org/kg-news/entity/", "https://w3id.org/kg-news/ontology#"
    d = "https://w3id.org/kg-news/doc/"
    nq.write_text(
        f'<{e}A> <http://www.w3.org/2000/01/rdf-schema#label> "A" <{d}d1> .\n'
        f'<{e}A> <http://www.w3.org/2000/01/rdf-schema#label> "A" <{d}d2> .\n'
        f"<{e}A> <{k}controls> <{e}X> <{d}d2> .\n",
        encoding="utf-8",
    )
    trig = tmp_path / "g.trig"
    assert main(["export", "-g", str(nq), "-o", str(trig), "-q"]) == 0
    text = trig.read_text(encoding="utf-8")
    assert "doc:d1 {" in text and "doc:d2 {" in text
    quads = list(ox.parse(path=trig, format=ox.RdfFormat.TRIG))
    assert len(quads) == 3 and len({q.graph_name for q in quads}) == 2
    rdflib_ds = Dataset().parse(trig, format="trig")
    assert len(list(rdflib_ds.quads())) == 3
    back = tmp_path / "back.nq"
    assert main(["export", "-g", str(trig), "-o", str(back), "-q"]) == 0
    assert back.read_bytes() == nq.read_bytes()


def test_jsonld_is_compacted_with_the_published_context(tmp_path: Path) -> None:
    out = tmp_path / "g.jsonld"
    assert main(["export", "-g", str(CURATED), "-o", str(out), "-q"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    published = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == published["@context"]
    ids = [node["@id"] for node in doc["@graph"]]
    assert len(ids) == len(set(ids)) and any(i.startswith("ent:") for i in ids)
    node = next(n for n in doc["@graph"] if n.get("@type") == "kg:Assertion")
    assert node["rdf:predicate"]["@id"].startswith("kg:") and isinstance(node["kg:evidence"], str)


def test_turtle_writer_agrees_with_oxigraph_and_groups_subjects(tmp_path: Path) -> None:
    nt = _generated(tmp_path)
    out = tmp_path / "g.ttl"
    assert main(["export", "-g", str(nt), "-o", str(out), "-q"]) == 0
    ours = {(q.subject, q.predicate, q.object) for q in ox.parse(path=out, format=ox.RdfFormat.TURTLE)}
    theirs = {(q.subject, q.predicate, q.object) for q in ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES)}
    assert ours == theirs
    text = out.read_text(encoding="utf-8")
    blocks = text.split("\n\n")[1:]
    assert all(b.splitlines()[0][:1] not in ("\t", " ") for b in blocks)  # a block per subject
    assert all(" a kg:" in b.splitlines()[0] for b in blocks if "\ta " not in b and " a kg:" in b)
    subjects = [b.split(" ", 1)[0] for b in blocks]
    assert len(subjects) == len(set(subjects))


def test_graphml_and_gexf_load_in_networkx_with_typed_attributes(tmp_path: Path) -> None:
    G = analysis.project_file(CURATED, paths=True)
    for suffix, read in ((".graphml", nx.read_graphml), (".gexf", nx.read_gexf)):
        out = tmp_path / f"g{suffix}"
        assert main(["export", "-g", str(CURATED), "-o", str(out), "-q"]) == 0
        H = read(out)
        assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()
        placed = [d for _, d in H.nodes(data=True) if "lat" in d]
        assert placed and all(isinstance(d["lat"], float) for d in placed)
        assert all(isinstance(d["assertions"], int) for *_, d in H.edges(data=True))
        assert "None" not in out.read_text(encoding="utf-8")


def test_gexf_is_valid_against_gephis_schema(tmp_path: Path) -> None:
    from lxml import etree

    out = tmp_path / "g.gexf"
    assert main(["export", "-g", str(CURATED), "-o", str(out), "-q"]) == 0
    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    broken = etree.fromstring(out.read_bytes().replace(b"<nodes>", b"<nodes><bogus/>", 1))
    assert not schema.validate(broken)  # the check can fail


def test_neo4j_csv_has_the_import_headers_and_every_edge(tmp_path: Path) -> None:
    out = tmp_path / "neo4j"
    assert main(["export", "-g", str(CURATED), "-o", str(out), "-f", "neo4j", "-q"]) == 0
    nodes = list(csv.reader(io.StringIO((out / "nodes.csv").read_text(encoding="utf-8"))))
    rels = list(csv.reader(io.StringIO((out / "relationships.csv").read_text(encoding="utf-8"))))
    assert nodes[0][0] == "iri:ID" and nodes[0][-1] == ":LABEL"
    assert rels[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    ids = {r[0] for r in nodes[1:]}
    assert all(r[0] in ids and r[1] in ids for r in rels[1:])
    G = analysis.project_file(CURATED)
    assert len(rels) - 1 == G.number_of_edges() and len(nodes) - 1 == G.number_of_nodes()
    assert {r[2] for r in rels[1:]} <= {"controls", "advancesOn", "defectsTo", "advises"}


def test_export_formats_are_listed_once() -> None:
    from kg import export
    from kg.commands import export as command

    assert command.FORMATS == export.FORMATS


def test_unknown_export_suffix_lists_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "-g", str(CURATED), "-o", str(tmp_path / "g.xyz")]) == 1
    assert ".graphml" in capsys.readouterr().err


def test_every_build_writes_a_void_description(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "t.txt"
    src.write_text("Rebel fighters captured the town of Vellmar in 2004.", encoding="utf-8")
    out = tmp_path / "g.ttl"
    assert main(["build", str(src), "-o", str(out), "-q"]) == 0
    void = Graph().parse(tmp_path / "g.void.ttl", format="turtle")
    q = """PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?triples ?docs ?created WHERE { ?d a void:Dataset ; void:triples ?triples ; void:documents ?docs ;
    dcterms:created ?created }"""
    rows = list(void.query(q))
    assert len(rows) == 1
    triples, docs, _ = rows[0]  # type: ignore[misc]
    assert int(triples) == len(Graph().parse(out, format="turtle")) and int(docs) == 1
    q = "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?c WHERE { ?d void:classPartition/void:class ?c }"
    parts = list(void.query(q))
    assert len(parts) >= 2


def test_line_based_input_in_any_spelling_gives_the_canonical_output(tmp_path: Path) -> None:
    """The fast path (lines used as they are) is taken only when Oxigraph agrees the file is canonical; any
    other spelling of the same triples goes through Oxigraph's parser and gives the same bytes."""
    canonical = tmp_path / "a.nt"
    canonical.write_text(
        '<http://e/s> <http://e/p> "caf\u00e9" .\n<http://e/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
        "<http://e/C> .\n",
        encoding="utf-8",
    )
    odd = tmp_path / "b.nt"
    odd.write_text(
        "# a comment\n<http://e/s>\t<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>  <http://e/C> .\n"
        '<http://e/s> <http://e/p> "caf\\u00E9"^^<http://www.w3.org/2001/XMLSchema#string> .\n\n',
        encoding="utf-8",
    )
    outs = []
    for src in (canonical, odd):
        out = tmp_path / f"{src.stem}.ttl"
        assert main(["export", "-g", str(src), "-o", str(out), "-q"]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].endswith(b'<http://e/s> a <http://e/C> ;\n\t<http://e/p> "caf\xc3\xa9" .\n')


def test_invalid_line_based_input_is_an_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://e/s> <http://e/p> "open .\n', encoding="utf-8")
    out = tmp_path / "bad.ttl"
    assert main(["export", "-g", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "bad.nt is not valid N-Triples" in err and "Traceback" not in err
    assert not out.exists()

"""Named SPARQL queries: each answers its question on the hand-checked seed graph, identically on both engines.

The expected results under ``tests/data/query-expected/`` were produced from ``tests/data/seed-curated.ttl`` and
checked by hand against ``seeds/kabul-2001-11.txt`` and its gold file (see ``queries/README.md``). To regenerate
after a deliberate change:  KG_REGEN_QUERY_FIXTURES=1 .venv/bin/python -m pytest tests/test_query.py  — then
review the diff line by line against the text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg.cli import main
from kg.errors import KGError
from kg.query import (
    Result,
    bind_params,
    catalogue,
    check,
    execute,
    format_table,
    lookup_label,
    parse_header,
    parse_value,
    resolve,
    run,
)
from kg.rdf.store import load_graph, write_graph

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tests" / "data" / "seed-curated.ttl"
EXPECTED = ROOT / "tests" / "data" / "query-expected"
ENT = "https://w3id.org/kg-news/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: (query name, parameters): every catalogue query without parameters, and typical parameterised questions.
CASES: list[tuple[str, dict[str, str]]] = [
    ("advances", {}),
    ("advances", {"place": "Herat"}),
    ("advisers", {}),
    ("advisers", {"adviser": "SAS"}),
    ("claims", {}),
    ("claims", {"modality": "kg:Urged"}),
    ("contested-places", {}),
    ("controlled-by", {}),
    ("controlled-by", {"agent": "taliban"}),
    ("defections", {}),
    ("defections", {"to": "the alliance"}),
    ("documents", {}),
    ("entities", {}),
    ("entities", {"type": "Person"}),
    ("evidence", {}),
    ("evidence", {"subject": "Taliban", "predicate": "kg:controls"}),
    ("most-connected", {}),
    ("places-with-coordinates", {}),
    ("profile", {"entity": "Northern Alliance"}),
    ("profile", {"entity": "kabul"}),
    ("relation-subgraph", {}),
    ("relation-summary", {}),
    ("timeline", {}),
    ("timeline", {"place": "Afghan capital"}),
    ("who-controls", {}),
    ("who-controls", {"place": "Kabul"}),
]


def case_id(name: str, params: dict[str, str]) -> str:
    return name + "".join(f"--{k}-{re.sub(r'[^A-Za-z0-9]+', '_', v)}" for k, v in sorted(params.items()))


@pytest.fixture(scope="module")
def ox_graph() -> Graph:
    return load_graph(CURATED)


@pytest.fixture(scope="module")
def rdflib_graph() -> Graph:
    """The same data in a plain in-memory rdflib graph: rdflib's own SPARQL engine answers."""
    graph = Graph()
    graph.parse(CURATED, format="turtle")
    return graph


def _norm(term: Any) -> str:
    """A term in N-Triples, numeric literals by value (engines may write 1.0 or 1.00), plain == xsd:string."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and term.datatype.value in (XSD + "decimal", XSD + "double", XSD + "float"):
        return f"{Decimal(term.value).normalize()}^^{term.datatype.value}"
    return str(term)


def _tsv(result: Result) -> str:
    """A SELECT result as W3C SPARQL TSV (terms in N-Triples syntax), or a CONSTRUCT result as sorted N-Triples."""
    if result.kind == "SELECT":
        lines = ["\t".join("?" + v for v in result.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    return "".join(sorted(f"{t} .\n" for t in result.triples))


def _normalised(result: Result) -> list[tuple[str, ...]]:
    if result.kind == "SELECT":
        return [tuple(_norm(t) for t in row) for row in result.rows]
    return sorted((f"{t} .",) for t in result.triples)


def _expected_path(name: str, params: dict[str, str]) -> Path:
    kind = "nt" if name == "relation-subgraph" else "tsv"
    return EXPECTED / f"{case_id(name, params)}.{kind}"


def _fixture_result(path: Path) -> list[tuple[str, ...]]:
    """Read an expected-results file back into normalised rows."""
    if path.suffix == ".nt":
        return sorted((line,) for line in path.read_text(encoding="utf-8").splitlines())
    parsed = ox.parse_query_results(path.read_bytes(), format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    width = len(parsed.variables)
    return [tuple(_norm(s[i]) for i in range(width)) for s in parsed]


@pytest.mark.parametrize(("name", "params"), CASES, ids=[case_id(*c) for c in CASES])
def test_named_query_gives_the_checked_answer_on_both_engines(
    name: str, params: dict[str, str], ox_graph: Graph, rdflib_graph: Graph
) -> None:
    query = catalogue()[name]
    bindings = bind_params(ox_graph, query, params)
    got = execute(ox_graph, query, bindings)
    path = _expected_path(name, params)
    if os.environ.get("KG_REGEN_QUERY_FIXTURES"):
        path.write_text(_tsv(got), encoding="utf-8")
    assert path.exists(), f"no expected results for {path.name}: regenerate and check them by hand"
    assert _normalised(got) == _fixture_result(path), "Oxigraph's answer differs from the hand-checked one"
    # Same bindings, rdflib's engine over a plain rdflib Graph: the same rows in the same order.
    cross = execute(rdflib_graph, query, bindings)
    assert cross.variables == got.variables
    assert _normalised(cross) == _normalised(got), "rdflib's SPARQL engine disagrees with Oxigraph"


def test_catalogue_has_every_question_the_issue_asks_for() -> None:
    names = catalogue()
    assert len(names) >= 14
    for required in (
        "who-controls", "controlled-by", "advances", "defections", "advisers", "contested-places", "profile",
        "timeline", "evidence", "entities", "claims", "most-connected", "places-with-coordinates",
        "relation-subgraph",
    ):  # fmt: skip
        assert required in names
    assert {n for n, _ in CASES} == set(names), "every named query needs an expected-results case"


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_each_query_file_documents_itself_and_runs_standalone(name: str) -> None:
    from rdflib.plugins.sparql import prepareQuery

    query = catalogue()[name]
    assert query.title and query.description, "header needs '# title:' and '# description:'"
    for p in query.params:
        assert p.meaning and p.default, f"'# param: ?{p.name} — meaning (default)' needs both parts"
        assert re.search(rf"SELECT[^{{]*\?{p.name}\b", query.text, re.S), f"?{p.name} must be SELECTed to be bound"
    prepareQuery(query.text)  # no predeclared prefixes: the file declares its own, so any engine runs it
    kind = check(query.text).kind
    if kind == "SELECT":
        assert "ORDER BY" in query.text, "SELECT queries sort their rows so output is deterministic"


def test_header_parsing() -> None:
    title, description, params = parse_header(
        "# title: T\n# description: D d\n# param: ?place — the place (every place)\n# param: ?x - needed (required)\n"
        "SELECT * WHERE { ?s ?p ?o }\n# param: ?late — ignored after the query starts\n"
    )
    assert (title, description) == ("T", "D d")
    assert [(p.name, p.meaning, p.default, p.required) for p in params] == [
        ("place", "the place", "every place", False),
        ("x", "needed", "required", True),
    ]


def test_labels_are_looked_up_case_insensitively_through_aliases(ox_graph: Graph) -> None:
    assert lookup_label(ox_graph, "KABUL") == URIRef(ENT + "Kabul")
    assert lookup_label(ox_graph, "the afghan capital".removeprefix("the ")) == URIRef(ENT + "Kabul")
    assert lookup_label(ox_graph, "Islamic rulers") == URIRef(ENT + "Taliban")


def test_unknown_label_suggests_close_ones(ox_graph: Graph) -> None:
    with pytest.raises(KGError, match=r"no entity is labelled 'Kandahr'.*close labels: Kandahar"):
        lookup_label(ox_graph, "Kandahr")


def test_ontology_terms_by_local_name_when_no_entity_has_the_label(ox_graph: Graph) -> None:
    query = catalogue()["entities"]
    assert bind_params(ox_graph, query, {"type": "group"}) == {
        "type": URIRef("https://w3id.org/kg-news/ontology#Group")
    }


def test_parameter_errors_say_what_is_valid(ox_graph: Graph) -> None:
    with pytest.raises(KGError, match=r"has no parameter 'city'; its parameters: place"):
        bind_params(ox_graph, catalogue()["who-controls"], {"city": "Kabul"})
    with pytest.raises(KGError, match=r"no parameter 'x'; it takes none"):
        bind_params(ox_graph, catalogue()["contested-places"], {"x": "1"})
    with pytest.raises(KGError, match=r"needs --param entity="):
        bind_params(ox_graph, catalogue()["profile"], {})


def test_typed_values_are_rdf_terms_not_text() -> None:
    assert parse_value("<urn:x>") == URIRef("urn:x")
    assert str(parse_value("kg:controls")) == "https://w3id.org/kg-news/ontology#controls"
    assert parse_value("42").datatype == URIRef(XSD + "integer")  # type: ignore[union-attr]
    assert parse_value("2001-11-13").datatype == URIRef(XSD + "date")  # type: ignore[union-attr]
    lit = parse_value('"1992"^^xsd:gYear')
    assert lit is not None and lit.datatype == URIRef(XSD + "gYear")  # type: ignore[attr-defined]
    assert parse_value('"Kabul"@en').language == "en"  # type: ignore[union-attr]
    assert parse_value("Mazar-e-Sharif") is None  # text: looked up as a label


def test_a_value_cannot_change_the_query(ox_graph: Graph) -> None:
    """A label full of SPARQL is just a label that matches nothing: it is bound as a term, never spliced in."""
    with pytest.raises(KGError, match="no entity is labelled"):
        bind_params(ox_graph, catalogue()["who-controls"], {"place": 'x" } ?a ?b ?c . FILTER("1"="1'})


def test_parameter_must_be_selected_for_ad_hoc_queries(ox_graph: Graph) -> None:
    with pytest.raises(KGError, match="SELECT clause"):
        execute(ox_graph, "SELECT ?a WHERE { ?a kg:controls ?place }", {"place": URIRef(ENT + "Kabul")})


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_is_w3c_sparql_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(
        capsys, "query", "who-controls", "-g", str(CURATED), "--param", "place=Kabul", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["head"]["vars"][:4] == ["place", "placeLabel", "agent", "agentLabel"]
    first = data["results"]["bindings"][0]
    assert first["agent"] == {"type": "uri", "value": ENT + "Northern_Alliance"}
    assert first["placeLabel"] == {"type": "literal", "value": "Kabul"}  # plain literal: no xsd:string datatype
    assert first["time"] == {"type": "literal", "value": "1992", "datatype": XSD + "gYear"}


def test_cli_csv_and_tsv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "query", "contested-places", "-g", str(CURATED), "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["place", "placeLabel", "controllers", "agent", "agentLabel"]
    assert {r[1] for r in rows[1:]} == {"Herat", "Kabul", "Kunduz"}
    assert out.endswith("\r\n"), "W3C CSV results use CRLF line ends"
    code, out, _ = _cli(capsys, "query", "contested-places", "-g", str(CURATED), "--format", "tsv")
    assert out.splitlines()[0] == "?place\t?placeLabel\t?controllers\t?agent\t?agentLabel"
    assert f'<{ENT}Herat>\t"Herat"\t2\t' in out


def test_cli_construct_gives_turtle_that_parses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "query", "relation-subgraph", "-g", str(CURATED))
    assert code == 0 and out.startswith("@prefix kg:")
    triples = list(ox.parse(out.encode(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == 49
    assert not any("assertion/" in str(t) or "doc/" in str(t) for t in triples), "no provenance in the subgraph"
    code, _, err = _cli(capsys, "query", "relation-subgraph", "-g", str(CURATED), "--format", "json")
    assert code == 1 and "--format ttl" in err


def test_table_wraps_long_cells_to_the_width_and_never_cuts_them() -> None:
    sentence = " ".join(f"word{i}" for i in range(50))
    text = format_table(["a", "evidence"], [(ox.Literal("x"), ox.Literal(sentence + "\n\n"))], width=40)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 40 and lines[-1] == "(1 row)"
    assert "…" not in text
    column = lines[0].index("evidence")
    assert " ".join(line[column:].strip() for line in lines[2:-1]) == sentence


def _column(text: str, name: str) -> list[str]:
    """The cells of column ``name`` in a table, wrapped lines joined (rows are separated by blank lines)."""
    lines = text.splitlines()
    start = lines[0].index(name)
    cells, current = [], []
    for line in lines[2:]:
        if not line.strip() or line.startswith("("):
            if current:
                cells.append(" ".join(current))
            current = []
            continue
        if line[:start].strip() and current:  # a new row begins in the first columns
            cells.append(" ".join(current))
            current = []
        current.append(line[start:].split("   ")[0].strip())
    return cells


def test_cli_table_reads_as_names_documents_and_whole_sentences(
    capsys: pytest.CaptureFixture[str], ox_graph: Graph
) -> None:
    query = (
        "SELECT ?place ?placeLabel ?doc ?evidence WHERE { ?a rdf:predicate kg:controls ; rdf:object ?place ; "
        "kg:evidence ?evidence ; prov:wasDerivedFrom ?doc . ?place rdfs:label ?placeLabel } ORDER BY ?placeLabel"
    )
    code, out, _ = _cli(capsys, "query", query, "-g", str(CURATED), "--width", "90")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header == ["place", "doc", "evidence"]  # ?placeLabel folded into ?place
    assert "ent:" not in out and "doc:" not in out
    assert "seeds/kabul-2001-11.txt" in out  # the document by its file (it has no title)
    assert max(len(line) for line in out.splitlines()) <= 90
    got = _column(out, "evidence")
    result = execute(ox_graph, query)
    want = [" ".join(str(row[3].value).split()) for row in result.rows]
    assert got == want, "every evidence sentence is there, whole"
    code, out, _ = _cli(capsys, "query", query, "-g", str(CURATED), "--iris", "--width", "0")
    assert out.splitlines()[0].split() == ["place", "placeLabel", "doc", "evidence"]
    assert "ent:Kabul" in out and "doc:d607dc60af368724e5571" in out
    assert all(len(line.split("   ")) >= 3 for line in out.splitlines()[2:-1]), "--width 0: one line per row"


def test_cli_many_columns_print_as_records_with_whole_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "query", "evidence", "-g", str(CURATED), "--param", "object=Herat", "--width", "80")
    assert code == 0
    assert out.startswith("── 1 ") and max(len(line) for line in out.splitlines()) <= 80
    block = out.split("── 2 ")[0]
    lines = block.splitlines()[1:]
    start = next(i for i, line in enumerate(lines) if line.startswith("evidence "))
    indent = len(lines[start]) - len(lines[start][len("evidence") :].lstrip())
    words = [lines[start][indent:]]
    words += [line[indent:] for line in lines[start + 1 :] if line[:indent].strip() == ""]
    sentence = " ".join(words)
    assert (
        sentence.startswith("The action north") and "Kabul came as" in sentence and sentence.endswith("in the north.")
    )
    assert "object         Herat" in block and "subject        Northern Alliance" in block


def test_display_names_for_entities_and_documents(ox_graph: Graph, curated_graph: Graph) -> None:
    from kg.query import display_names

    terms = [ox.NamedNode(ENT + "Kabul"), ox.NamedNode("https://w3id.org/kg-news/doc/d607dc60af368724e5571")]
    for graph in (ox_graph, _plain_rdflib(curated_graph)):
        names = display_names(graph, [*terms, ox.Literal("x"), ox.NamedNode("https://example.org/nothing")])
        assert names == {ENT + "Kabul": "Kabul", terms[1].value: "seeds/kabul-2001-11.txt"}
    import hashlib

    from kg.model import Document, Extraction
    from kg.rdf.mapping import add_extraction, document_iri
    from kg.rdf.store import new_graph

    text = "Harbour pilots went on strike."
    sha = hashlib.sha256(text.encode()).hexdigest()
    titled = new_graph()
    add_extraction(titled, Extraction(Document(text, "news/strike.txt", sha, title="Port news"), (), ()))
    iri = str(document_iri(sha))
    assert display_names(titled, [ox.NamedNode(iri)]) == {iri: "Port news (news/strike.txt)"}


def _plain_rdflib(graph: Graph) -> Graph:
    out = Graph()
    for t in graph:
        out.add(t)
    return out


def test_cli_errors_list_valid_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "query", "who-control", "-g", str(CURATED))
    assert code == 1 and "did you mean who-controls" in err
    code, _, err = _cli(capsys, "query", "profile", "-g", str(CURATED), "--param", "entity=Talibn")
    assert code == 1 and "close labels: Taliban" in err
    code, _, err = _cli(capsys, "query", "who-controls", "-g", str(CURATED), "--param", "place")
    assert code == 1 and "NAME=VALUE" in err


def test_kg_queries_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "queries")
    assert code == 0
    for name in catalogue():
        assert re.search(rf"^{re.escape(name)}\s", out, re.M)
    assert re.search(r"^profile\s.*entity!", out, re.M), "required parameters are marked"
    code, out, _ = _cli(capsys, "queries", "timeline")
    assert code == 0 and "--param place=" in out and "SELECT" in out


def test_kg_queries_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "queries", "-f", "json")
    rows = json.loads(out)
    assert code == 0 and [r["name"] for r in rows] == list(catalogue())
    profile = next(r for r in rows if r["name"] == "profile")
    assert any(p["required"] for p in profile["params"]) and profile["title"]
    code, out, _ = _cli(capsys, "queries", "timeline", "--format", "json")
    one = json.loads(out)
    assert code == 0 and one["name"] == "timeline" and "SELECT" in one["text"] and one["file"].endswith(".rq")


def test_query_file_and_inline_text(tmp_path: Path, ox_graph: Graph) -> None:
    rq = tmp_path / "mine.rq"
    rq.write_text(
        "# title: Mine\n# param: ?x — a place (required)\nSELECT ?x ?l WHERE { ?x rdfs:label ?l } ORDER BY ?l\n"
    )
    q = resolve(str(rq))
    assert q.title == "Mine" and q.params[0].required
    out = run(ox_graph, q, bind_params(ox_graph, q, {"x": "Herat"}), fmt="csv")
    assert out.splitlines()[1] == b"https://w3id.org/kg-news/entity/Herat,Herat"
    inline = resolve("ASK { ent:Taliban kg:defectsTo ent:Northern_Alliance }")
    assert run(ox_graph, inline, fmt="table") == b"yes\n"
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "-", "-g", str(CURATED), "--format", "csv"],
        input="SELECT ?x ?l WHERE { VALUES ?x { ent:Kunduz } ?x rdfs:label ?l }",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "https://w3id.org/kg-news/entity/Kunduz,Kunduz"


def test_on_disk_store_answers_like_the_file(
    tmp_path: Path, ox_graph: Graph, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "seed.oxigraph"
    write_graph(ox_graph, store)
    answers = []
    for graph in (str(CURATED), str(store)):
        code, out, err = _cli(capsys, "query", "who-controls", "-g", graph, "--format", "csv")
        assert code == 0, err
        answers.append(out)
    assert answers[0] == answers[1] and answers[0].count("\r\n") == 15


def test_real_subprocess(tmp_path: Path) -> None:
    """The installed entry point, end to end (what a user's shell runs)."""
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "defections", "-g", str(CURATED), "--format", "tsv"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith(f'<{ENT}Taliban>\t"Taliban"\t<{ENT}Northern_Alliance>')


def test_cli_constants_match_the_library() -> None:
    import kg.commands.query as command
    import kg.query as library

    assert command.FORMATS == library.FORMATS and command.DEFAULT_TIMEOUT == library.DEFAULT_TIMEOUT


def _generated_nt() -> bytes:
    """A small graph from the benchmark generator: many documents, dates, times, negations, reporters."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_graph", ROOT / "bench" / "gen_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return ox.serialize(list(module.generate(60, 120, seed=3)), format=ox.RdfFormat.N_TRIPLES) or b""


def test_both_engines_agree_on_a_generated_graph_too() -> None:
    """The seed is one document; a generated graph exercises every OPTIONAL, date and aggregate branch."""
    from kg.rdf.store import parse_bytes

    data = _generated_nt()
    on_ox = parse_bytes(data, ox.RdfFormat.N_TRIPLES)
    on_rdflib = Graph()
    on_rdflib.parse(data=data, format="nt")
    hub = execute(on_ox, "SELECT ?e (COUNT(*) AS ?n) WHERE { ?e kg:controls ?x } GROUP BY ?e ORDER BY DESC(?n) ?e")
    agent = URIRef(hub.rows[0][0].value)
    for name, query in catalogue().items():
        cases = [{"entity": agent}] if name == "profile" else [{}]
        cases += [{p.name: agent} for p in query.params if p.name in ("agent", "subject", "from", "adviser")]
        for bindings in cases:
            got = execute(on_ox, query, bindings)
            assert got.rows or got.triples, f"{name} {bindings} found nothing: the check would be vacuous"
            assert _normalised(execute(on_rdflib, query, bindings)) == _normalised(got), f"{name} {bindings}"

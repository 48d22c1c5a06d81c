"""``kg analyze`` reads a line-shaped N-Triples file through kg.rdf.ntscan; the projection it makes must be the
one Oxigraph's parser gives, term for term, and a file or term the scan cannot vouch for goes to Oxigraph."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import analysis
from kg.analysis import projection
from kg.errors import KGError
from kg.rdf import ntscan

ROOT = Path(__file__).resolve().parent.parent
E, K = "https://w3id.org/kg-news/entity/", "https://w3id.org/kg-news/ontology#"
RDF, RDFS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#"
XSD, GEO = "http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/2003/01/geo/wgs84_pos#"
PROV, SKOS = "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#"


def _assertion(a: str, s: str, rel: str, o: str, evidence: str, asserted: str, time: str) -> list[str]:
    return [
        f"<{E}{a}> <{RDF}type> <{K}Assertion> .",
        f"<{E}{a}> <{RDF}subject> <{E}{s}> .",
        f"<{E}{a}> <{RDF}predicate> <{K}{rel}> .",
        f"<{E}{a}> <{RDF}object> <{E}{o}> .",
        f"<{E}{a}> <{PROV}wasDerivedFrom> <{E}doc1> .",
        f"<{E}{a}> <{K}evidence> {evidence} .",
        f"<{E}{a}> <{K}asserted> {asserted} .",
        f'<{E}{a}> <{K}confidence> "0.80"^^<{XSD}decimal> .',
        f"<{E}{a}> <{K}time> {time} .",
        f"<{E}{a}> <{K}timeSource> <{K}ClauseTime> .",
    ]


#: A kg-shaped graph with every kind of term the projection keeps: escapes (\", \\, \n, \u, \U) in evidence and
#: labels, language tags, typed literals (decimal, boolean, date, gYear, a boolean spelled 1 and a plain "true"),
#: an escaped IRI object, Unicode, a repeated line and a triple of a predicate nobody reads.
KG_LINES = [
    f"<{E}doc1> <{RDF}type> <{K}Document> .",
    f'<{E}doc1> <{K}documentDate> "2003-04-05"^^<{XSD}date> .',
    f"<{E}Harbor_Front> <{RDF}type> <{K}Group> .",
    f'<{E}Harbor_Front> <{RDFS}label> "Harbor \\"Front\\" \\\\ ünïon"@en-GB .',
    f'<{E}Harbor_Front> <{SKOS}altLabel> "the Front\\u00E9\\U0001F600" .',
    f'<{E}Harbor_Front> <{SKOS}altLabel> "the Front"@fr .',
    f"<{E}Cove_Town> <{RDF}type> <{K}Place> .",
    f"<{E}Cove_Town> <{RDF}type> <{K}GPE> .",
    f'<{E}Cove_Town> <{RDFS}label> "Cove Town" .',
    f'<{E}Cove_Town> <{GEO}lat> "12.50"^^<{XSD}decimal> .',
    f'<{E}Cove_Town> <{GEO}long> "-3.25"^^<{XSD}decimal> .',
    f"<{E}Hill_Guard> <{RDF}type> <{K}Group> .",
    f'<{E}Hill_Guard> <{RDFS}label> "Hill Guard" .',
    f"<{E}Hill_Guard> <{K}advises> <{E}Harbor_Front> .",
    f"<{E}Hill_Guard> <{K}memberOf> <{E}caf\\u00E9_Alliance> .",
    *_assertion(
        "a1",
        "Harbor_Front",
        "controls",
        "Cove_Town",
        '"They said \\"we hold it\\".\\nThen left."',
        f'"true"^^<{XSD}boolean>',
        f'"2003"^^<{XSD}gYear>',
    ),
    *_assertion(
        "a2",
        "Hill_Guard",
        "advancesOn",
        "Cove_Town",
        '"Guards moved > and < lines, a 10% rise."',
        f'"1"^^<{XSD}boolean>',
        f'"2003-04-01"^^<{XSD}date>',
    ),
    *_assertion("a3", "Hill_Guard", "controls", "Cove_Town", '"Maybe held."', '"true"', '"2003-04"'),
    *_assertion(
        "a4",
        "Harbor_Front",
        "controls",
        "Cove_Town",
        '"Lost it."@en',
        f'"false"^^<{XSD}boolean>',
        f'"2003-04-03"^^<{XSD}date>',
    ),
    f'<{E}a1> <{K}endsControl> "true"^^<{XSD}boolean> .',
    f'<{E}a1> <{K}timeStart> "2003-01-01"^^<{XSD}date> .',
    f"<{E}a1> <{K}sideLeft> <{E}Hill_Guard> .",
    f'<{E}a1> <{K}trigger> "a line nobody reads" .',
    f"<{E}Hill_Guard> <{K}advises> <{E}Harbor_Front> .",
]


def _write(tmp_path: Path, lines: list[str], name: str = "g.nt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _snapshot(G: nx.MultiDiGraph) -> tuple[list[Any], list[Any], dict[str, Any]]:
    return list(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph)


def _oxigraph_read(path: Path, paths: bool = True) -> tuple[projection.Pairs, projection.Truths]:
    predicates = projection._READ_PATHS if paths else projection._READ
    return projection._read_file(path, ox.RdfFormat.N_TRIPLES, predicates)


@pytest.mark.parametrize("chunk", [ntscan.CHUNK, 128])  # small blocks: lines cross them
def test_the_scan_reads_what_oxigraph_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(ntscan, "CHUNK", chunk)
    path = _write(tmp_path, KG_LINES)
    scanned = projection._scan_file(path, projection._READ_PATHS)
    assert scanned is not None, "a line-shaped file takes the scan"
    assert scanned == _oxigraph_read(path)
    assert scanned[1][f"{K}asserted"] == [(f"{E}a1", True), (f"{E}a2", True), (f"{E}a3", None), (f"{E}a4", False)]
    expected = projection._project(*_oxigraph_read(path), True)
    assert expected.number_of_edges() == 3
    assert _snapshot(analysis.project_file(path, paths=True)) == _snapshot(expected)
    ttl = tmp_path / "g.ttl"
    ttl.write_bytes(ox.serialize(ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE) or b"")
    assert _snapshot(analysis.project_file(path)) == _snapshot(analysis.project_file(ttl))


def test_the_seed_graph_projects_alike_both_ways(tmp_path: Path) -> None:
    nt = tmp_path / "seed.nt"
    text = (ROOT / "tests" / "data" / "seed.golden.ttl").read_bytes()
    nt.write_bytes(ox.serialize(ox.parse(text, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES) or b"")
    scanned = projection._scan_file(nt, projection._READ_PATHS)
    assert scanned is not None
    assert scanned == _oxigraph_read(nt)
    assert len(scanned[0][f"{RDF}type"]) > 10


@pytest.mark.parametrize(
    "line",
    [
        f'_:b1 <{RDFS}label> "a blank subject" .',  # not line-shaped for the scan
        f"<{E}Cove_Town> <{K}advises> _:b2 .",  # a blank object
        f'# a comment\n<{E}x> <{RDFS}label> "x" .',
    ],
)
def test_blank_nodes_and_other_shapes_go_to_oxigraph_and_project_alike(tmp_path: Path, line: str) -> None:
    path = _write(tmp_path, [*KG_LINES, line])
    assert projection._scan_file(path, projection._READ_PATHS) is None
    oxigraph = _oxigraph_read(path)
    assert _snapshot(analysis.project_file(path, paths=True)) == _snapshot(projection._project(*oxigraph, True))


@pytest.mark.parametrize(
    "line",
    [
        f'<{E}Cove_Town> <{RDFS}label> "a bare " quote" .',
        f'<{E}Cove_Town> <{RDFS}label> "a carriage\rreturn" .',
        f'<{E}Cove_Town> <{RDFS}label> "tag too long"@abcdefghijk .',
        f'<{E}Cove_Town> <{RDFS}label> "bad datatype"^^<no-scheme> .',
        f'<{E}Cove_Town> <{RDFS}label> "bad escape \\uD800" .',
        f'<{E}Cove_Town> <{RDFS}label> "no lang"^^<{RDF}langString> .',
        f'<no-scheme> <{RDFS}label> "a relative subject" .',
        f'<{E}a b> <{RDFS}label> "a space in the subject" .',
        f"<{E}Cove_Town> <{K}advises> <{E}100%zz> .",
        f"<{E}Cove_Town> <{K}advises> <{E}x> <{E}y> .",
    ],
)
def test_a_wrong_term_the_projection_reads_gives_oxigraphs_error(tmp_path: Path, line: str) -> None:
    path = _write(tmp_path, [*KG_LINES, line])
    assert projection._scan_file(path, projection._READ_PATHS) is None
    with pytest.raises(KGError, match="is not valid N-Triples") as error:
        analysis.project_file(path, paths=True)
    from kg.rdf.store import load_graph

    with pytest.raises(KGError) as loaded:
        load_graph(path)
    assert str(error.value) == str(loaded.value)


def test_a_wrong_line_the_projection_never_reads_is_not_looked_at(tmp_path: Path) -> None:
    """The lead's rule for the scan (as in ``kg viz``): only the terms read are checked."""
    path = _write(tmp_path, [*KG_LINES, f'<{E}Cove_Town> <{K}trigger> "a bare " quote" .'])
    assert projection._scan_file(path, projection._READ_PATHS) is not None
    assert analysis.project_file(path).number_of_edges() == 3


_GOOD = [
    f"<{E}A>",
    f"<{E}B>",
    f"<{E}caf\\u00E9>",
    '"plain"',
    '"with \\"escape\\""',
    '"tab\\there"',
    '"uni ünï"',
    '"é"@fr',
    f'"true"^^<{XSD}boolean>',
    f'"0"^^<{XSD}boolean>',
    '"\\U0010FFFF"',
    '""',
]
_BAD = [
    "<no-scheme>",
    f"<{E}x y>",
    '"bare " quote"',
    '"x"@toolongtagxx',
    '"2"^^<rel>',
    f'"a"^^<{RDF}langString>',
    '"\\uDC00"',
    "_:b",
    "<>",
]
#: mostly good terms, so that many files take the scan and a bad term is often the only one
_PIECES = st.sampled_from(_GOOD * 8 + _BAD)
_SUBJECTS = st.sampled_from([f"<{E}A>", f"<{E}B>"] * 20 + ["<no-scheme>", f"<{E}x y>", f"<{E}caf\\u00E9>", "_:b"])
_PREDICATES = st.sampled_from([f"{RDFS}label", f"{K}asserted", f"{K}controls", f"{RDF}type", f"{K}trigger"])


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_SUBJECTS, _PREDICATES, _PIECES), min_size=1, max_size=6))
def test_any_line_shaped_file_scans_as_oxigraph_reads_it_or_is_declined(lines: list[tuple[str, str, str]]) -> None:
    """Taken by the scan, a file reads as Oxigraph reads its lines the projection reads (the others, of
    predicates it never reads, are not looked at); a file Oxigraph refuses is declined."""
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), [f"{s} <{p}> {o} ." for s, p, o in lines])
        scanned = projection._scan_file(path, projection._READ_PATHS)
        read = _write(Path(tmp), [f"{s} <{p}> {o} ." for s, p, o in lines if p != f"{K}trigger"], "read.nt")
        try:
            expected = _oxigraph_read(read)
        except KGError:
            assert scanned is None
            return
        assert scanned is None or scanned == expected


def test_the_projection_is_the_graph_networkx_would_build(tmp_path: Path) -> None:
    """_project fills the graph's dicts directly: the same nodes, edges, keys, attributes and orders (both
    directions) as add_node/add_edge give."""
    G = analysis.project_file(_write(tmp_path, KG_LINES), paths=True)
    H = nx.MultiDiGraph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, k, **d)
    H.graph.update(G.graph)
    assert _snapshot(G) == _snapshot(H)
    assert list(G.in_edges(keys=True, data=True)) == list(H.in_edges(keys=True, data=True))
    assert G.adj == H.adj and G.pred == H.pred
    assert sorted(G.in_degree()) == sorted(H.in_degree()) and G.number_of_edges() == 3

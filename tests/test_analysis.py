"""``kg analyze``: the projection, every report section, paths, and the CLI, on graphs a person checked.

The substance tests run on ``tests/data/seed-curated.ttl`` (the seed article's hand-checked relations) and,
for the facts the real extractor finds today, on the graph it builds from the seed.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from kg import analysis
from kg.cli import main
from kg.errors import KGError
from kg.rdf.store import new_graph, parse_bytes

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tests" / "data" / "seed-curated.ttl"
KG_BIN = ROOT / ".venv" / "bin" / "kg"

PREFIXES = b"""@prefix kg: <https://w3id.org/kg-news/ontology#> .
@prefix ent: <https://w3id.org/kg-news/entity/> .
@prefix stmt: <https://w3id.org/kg-news/assertion/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _graph(body: bytes) -> nx.MultiDiGraph:
    return analysis.project(parse_bytes(PREFIXES + body), paths=True)


def _norm(label: str) -> str:
    """Labels compared the way a reader would: case, hyphens and spaces aside ("Mazar-e Sharif")."""
    return re.sub(r"[^a-z0-9]", "", label.casefold())


def _controllers(rep: dict[str, Any]) -> dict[str, set[str]]:
    return {_norm(r["place"]["label"]): {_norm(c["label"]) for c in r["controllers"]} for r in rep["control"]["places"]}


@pytest.fixture(scope="module")
def curated(curated_graph: Any) -> nx.MultiDiGraph:
    return analysis.project(curated_graph, paths=True)


@pytest.fixture(scope="module")
def curated_report(curated: nx.MultiDiGraph) -> dict[str, Any]:
    return analysis.report(curated, limit=None)


# ------------------------------------------------------------------------------------ the seed's substance


def test_curated_report_has_the_seed_substance(curated_report: dict[str, Any]) -> None:
    held = _controllers(curated_report)
    assert "kunduz" in {_norm(p) for p in curated_report["control"]["contested"]}
    assert "northernalliance" in held["mazaresharif"]
    assert "northernalliance" in held["kunduz"]
    assert "taliban" in held["kandahar"]
    flows = {(_norm(f["from"]["label"]), _norm(f["to"]["label"])) for f in curated_report["defections"]["flows"]}
    assert ("taliban", "northernalliance") in flows
    net = {_norm(r["label"]): r["net"] for r in curated_report["defections"]["net"]}
    assert net["northernalliance"] > 0 > net["taliban"]
    advice = {(_norm(r["adviser"]["label"]), _norm(r["advised"]["label"])) for r in curated_report["advisory"]["links"]}
    assert ("britishforces", "northernalliance") in advice
    # British forces fight nowhere themselves: an outside patron.
    assert "britishforces" in {_norm(p["label"]) for p in curated_report["advisory"]["patrons"]}


def test_seed_built_graph_has_the_facts_extraction_finds_today(seed_build: Any) -> None:
    """The same substance from the real extractor's graph: every fact the issue names is extracted today."""
    graph, _, _ = seed_build
    rep = analysis.report(analysis.project(graph), limit=None)
    held = _controllers(rep)
    assert "kunduz" in {_norm(p) for p in rep["control"]["contested"]}
    assert "northernalliance" in held["mazaresharif"]
    assert "northernalliance" in held["kunduz"]
    assert "taliban" in held["kandahar"]
    flows = {(_norm(f["from"]["label"]), _norm(f["to"]["label"])) for f in rep["defections"]["flows"]}
    assert ("taliban", "northernalliance") in flows
    advice = {(_norm(r["adviser"]["label"]), _norm(r["advised"]["label"])) for r in rep["advisory"]["links"]}
    assert ("britishforces", "northernalliance") in advice


def test_claims_that_are_not_asserted_are_not_edges(curated: nx.MultiDiGraph) -> None:
    """The curated graph urges/negates NA controls/advancesOn Kabul: those assertions add no support."""
    na = analysis.find_entity(curated, "Northern Alliance")
    kabul = analysis.find_entity(curated, "Kabul")
    assert curated[na][kabul]["controls"]["assertions"] == 1
    assert curated[na][kabul]["controls"]["times"] == ("1992",)
    assert curated[na][kabul]["advancesOn"]["assertions"] == 1
    assert curated.graph["unasserted"] == 2


def test_negated_only_statement_makes_no_edge() -> None:
    G = _graph(
        b"""ent:A a kg:Group ; rdfs:label "Alpha" .
        ent:X a kg:Place ; rdfs:label "Xville" .
        stmt:a1 a kg:Assertion ; rdf:subject ent:A ; rdf:predicate kg:controls ; rdf:object ent:X ;
            kg:asserted false ; kg:polarity kg:Negative ; kg:modality kg:Actual ."""
    )
    assert G.number_of_edges() == 0
    assert G.graph["unasserted"] == 1
    assert analysis.report(G)["control"]["places"] == []


def test_projection_attributes() -> None:
    G = analysis.project(
        parse_bytes(
            PREFIXES
            + b"""@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
        ent:A a kg:Group ; rdfs:label "Alpha" ; skos:altLabel "the alphas" ; kg:controls ent:X .
        ent:X a kg:GPE, kg:Place ; rdfs:label "Xville" ; geo:lat "1.5"^^xsd:decimal ; geo:long "-2.25"^^xsd:decimal .
        stmt:a1 rdf:subject ent:A ; rdf:predicate kg:controls ; rdf:object ent:X ; kg:asserted true ;
            <http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/kg-news/doc/d1> ;
            kg:confidence "0.6"^^xsd:decimal ; kg:time "2001-11"^^xsd:gYearMonth ; kg:evidence "A holds X." .
        stmt:a2 rdf:subject ent:A ; rdf:predicate kg:controls ; rdf:object ent:X ; kg:asserted true ;
            <http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/kg-news/doc/d2> ;
            kg:confidence "0.9"^^xsd:decimal ; kg:time "1992"^^xsd:gYear ; kg:evidence "A took X." ."""
        ),
        paths=True,
    )
    a, x = "https://w3id.org/kg-news/entity/A", "https://w3id.org/kg-news/entity/X"
    assert G.nodes[x] == {"label": "Xville", "type": "GPE", "lat": 1.5, "long": -2.25, "aliases": ()}
    assert G.nodes[a]["aliases"] == ("the alphas",)
    edge = dict(G[a][x]["controls"])
    statements = edge.pop("statements")
    assert edge == {
        "relation": "controls",
        "assertions": 2,
        "documents": 2,
        "times": ("1992", "2001-11"),
        "confidence": 0.9,
        "evidence": "A took X.",
    }
    assert [(s.when, s.source, s.evidence, s.document.rsplit("/", 1)[1]) for s in statements] == [
        ("1992", "clause", "A took X.", "d2"),
        ("2001-11", "clause", "A holds X.", "d1"),
    ]


def test_projection_reads_a_plain_rdflib_graph_too() -> None:
    """Any rdflib graph works (SPARQL through rdflib), not only the Oxigraph-backed ones kg makes."""
    from rdflib import Graph

    graph = Graph().parse(
        data=(PREFIXES + b'ent:A a kg:Group ; rdfs:label "Alpha" ; kg:advises ent:B . ent:B a kg:Person .').decode(),
        format="turtle",
    )
    G = analysis.project(graph)
    assert [(G.nodes[u]["label"], k, G.nodes[v]["label"]) for u, v, k in G.edges(keys=True)] == [
        ("Alpha", "advises", "B")
    ]


def _snapshot(G: nx.MultiDiGraph) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Everything a projection holds, in order: nodes, edges with keys, and graph attributes."""
    return list(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph)


def test_every_reader_gives_the_same_projection(curated_graph: Any, tmp_path: Path) -> None:
    """The file stream (kg analyze), an Oxigraph store, a plain rdflib graph and a .oxigraph folder agree."""
    from rdflib import Graph

    from kg.rdf.store import load_graph, write_graph

    expected = _snapshot(analysis.project(curated_graph, paths=True))
    assert expected[1], "the curated graph has relations"
    assert _snapshot(analysis.project_file(CURATED, paths=True)) == expected
    assert _snapshot(analysis.project(Graph().parse(CURATED, format="turtle"), paths=True)) == expected
    for name in ("g.nt", "g.jsonld", "g.trig", "g.oxigraph"):
        write_graph(curated_graph, tmp_path / name)
        assert _snapshot(analysis.project_file(tmp_path / name, paths=True)) == expected, name
    nt = tmp_path / "g.nt"
    assert _snapshot(analysis.project(load_graph(nt))) == _snapshot(analysis.project_file(nt))


def test_streamed_file_counts_like_a_store(tmp_path: Path) -> None:
    """A repeated line and a kg:asserted that is no xsd:boolean change nothing, as in a store; a named graph's
    triples count like the default graph's (readers take the union)."""
    e, k, r = (
        "https://w3id.org/kg-news/entity/",
        "https://w3id.org/kg-news/ontology#",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    )
    lines = [
        f"<{e}A> <{r}type> <{k}Group> .",
        f"<{e}X> <{r}type> <{k}Place> .",
        f"<{e}s1> <{r}subject> <{e}A> .",
        f"<{e}s1> <{r}predicate> <{k}controls> .",
        f"<{e}s1> <{r}object> <{e}X> .",
        f'<{e}s1> <{k}asserted> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .',
        f"<{e}s2> <{r}subject> <{e}A> .",
        f"<{e}s2> <{r}predicate> <{k}advancesOn> .",
        f"<{e}s2> <{r}object> <{e}X> .",
        f'<{e}s2> <{k}asserted> "true" .',
    ]
    nq = tmp_path / "g.nq"
    nq.write_text("\n".join([*lines, lines[3], f"<{e}B> <{k}advises> <{e}A> <{e}elsewhere> ."]) + "\n")
    G = analysis.project_file(nq)
    assert sorted((k_, d["assertions"]) for _, _, k_, d in G.edges(keys=True, data=True)) == [
        ("advises", 0),
        ("controls", 1),
    ]
    assert next((u, k_, v) for u, v, k_ in G.edges(keys=True)) == (f"{e}A", "controls", f"{e}X")
    assert (f"{e}B", f"{e}A", "advises") in G.edges(keys=True)
    from kg.rdf.store import load_graph

    assert _snapshot(analysis.project(load_graph(nq))) == _snapshot(G)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.ttl", "<a> <b> .", "not valid Turtle"),
        ("graph.csv", "a,b,c", "cannot tell the RDF format"),
    ],
)
def test_project_file_errors_say_what_to_do(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(KGError, match=message):
        analysis.project_file(path)


# ------------------------------------------------------------------------------------ sections


def test_changes_of_hands_and_latest_controller() -> None:
    G = _graph(
        b"""ent:A a kg:Group ; rdfs:label "Alpha" .  ent:B a kg:Group ; rdfs:label "Beta" .
        ent:X a kg:Place ; rdfs:label "Xville" .
        stmt:a1 rdf:subject ent:A ; rdf:predicate kg:controls ; rdf:object ent:X ; kg:asserted true ;
            kg:time "1992"^^xsd:gYear .
        stmt:a2 rdf:subject ent:B ; rdf:predicate kg:controls ; rdf:object ent:X ; kg:asserted true ;
            kg:time "1996-09"^^xsd:gYearMonth .
        stmt:a3 rdf:subject ent:A ; rdf:predicate kg:controls ; rdf:object ent:X ; kg:asserted true ;
            kg:time "2001-11-13"^^xsd:date ."""
    )
    control = analysis.control_map(G)
    (place,) = control["places"]
    assert place["contested"] and place["latest"]["label"] == "Alpha" and place["latest"]["time"] == "2001-11-13"
    (change,) = control["changes"]
    assert [(s["label"], s["time"]) for s in change["sequence"]] == [
        ("Alpha", "1992"),
        ("Beta", "1996-09"),
        ("Alpha", "2001-11-13"),
    ]


def test_fronts_mark_advances_on_places_others_hold(curated_report: dict[str, Any]) -> None:
    rows = {_norm(r["place"]["label"]): r for r in curated_report["fronts"]["places"]}
    assert rows["kunduz"]["front"]  # the Taliban hold it, the alliance advances on it
    assert not rows["mazaresharif"]["front"]  # the alliance advances on what only it holds


def test_the_capital_is_a_front_held_by_the_taliban_and_1992_is_history(curated_report: dict[str, Any]) -> None:
    """The seed's story: the alliance is at the gates of a capital the Taliban hold; its 1992 capture is past."""
    front = {_norm(r["place"]["label"]): r for r in curated_report["fronts"]["places"]}["kabul"]
    assert front["front"] and [_norm(h["label"]) for h in front["held_by"]] == ["taliban"]
    place = {_norm(r["place"]["label"]): r for r in curated_report["control"]["places"]}["kabul"]
    assert [(_norm(p["label"]), p["time"]) for p in place["sequence"]] == [
        ("northernalliance", "1992"),
        ("taliban", None),
    ]
    assert [_norm(h["label"]) for h in place["holders"]] == ["taliban"]


def test_on_the_built_seed_the_capital_is_a_front_held_by_the_taliban(seed_build: Any) -> None:
    """Built by the extractor, as the curated graph above: the capital is a front held by the Taliban (their tanks
    ring it against the alliance's expected assault) and the alliance's 1992 capture is history."""
    graph, _, _ = seed_build
    rep = analysis.report(analysis.project(graph), limit=None)
    front = {_norm(r["place"]["label"]): r for r in rep["fronts"]["places"]}["kabul"]
    assert front["front"] and {_norm(h["label"]) for h in front["held_by"]} == {"taliban"}
    place = {_norm(r["place"]["label"]): r for r in rep["control"]["places"]}["kabul"]
    assert {_norm(h["label"]) for h in place["holders"]} == {"taliban"}
    assert [_norm(p["label"]) for p in place["sequence"]][:1] == ["northernalliance"]
    assert ("northernalliance", "1992") in [(_norm(p["label"]), p["time"]) for p in place["sequence"]]


def test_blocs_group_advisers_with_the_advised(curated_report: dict[str, Any]) -> None:
    blocs = curated_report["blocs"]["blocs"]
    members = [{_norm(m["label"]) for m in b["members"]} for b in blocs]
    assert {"britishforces", "northernalliance"} in members
    assert not any("taliban" in m for m in members)  # members defecting do not make a group an ally


def test_centrality_ranks_the_hub_first(curated_report: dict[str, Any]) -> None:
    top = curated_report["centrality"]["by_pagerank"][0]
    assert _norm(top["label"]) == "northernalliance"
    assert top["degree"]["controls"][0] >= 2
    assert _norm(curated_report["centrality"]["by_betweenness"][0]["label"]) == "northernalliance"


def test_pagerank_is_stationary_and_sums_to_one() -> None:
    rng = np.random.default_rng(3)
    n = 30
    src, dst = rng.integers(0, n, 80), rng.integers(0, n, 80)
    w = rng.integers(1, 4, 80).astype(float)
    pr = analysis.pagerank(n, src, dst, w)
    assert pr.sum() == pytest.approx(1.0)
    out = np.bincount(src, weights=w, minlength=n)
    flow = np.bincount(dst, weights=pr[src] * w / out[src], minlength=n)
    expected = 0.85 * flow + (0.85 * pr[out == 0].sum() + 0.15) / n
    assert np.allclose(pr, expected, atol=1e-8)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_betweenness_equals_networkx(seed: int) -> None:
    G = nx.gnm_random_graph(40, 70, seed=seed)
    G.add_edge(0, 0)  # loops and isolated nodes must not disturb it
    G.add_nodes_from(range(40, 43))
    src = np.array([u for u, _ in G.edges()])
    dst = np.array([v for _, v in G.edges()])
    ours = analysis.betweenness(G.number_of_nodes(), src, dst)
    theirs = nx.betweenness_centrality(G)
    assert np.allclose(ours, [theirs[i] for i in range(G.number_of_nodes())])


def test_sampled_betweenness_is_an_unbiased_scale_of_the_exact_one() -> None:
    G = nx.path_graph(10)
    src, dst = np.array([u for u, _ in G.edges()]), np.array([v for _, v in G.edges()])
    exact = analysis.betweenness(10, src, dst)
    assert np.allclose(analysis.betweenness(10, src, dst, range(10)), exact)
    assert analysis.betweenness(10, src, dst, [0, 9]).sum() > 0


# ------------------------------------------------------------------------------------ awkward graphs


@pytest.mark.parametrize("fmt", analysis.FORMATS)
def test_empty_graph_gives_a_report_of_na(fmt: str) -> None:
    text = analysis.render(analysis.report(analysis.project(new_graph())), fmt)
    if fmt == "json":
        data = json.loads(text)
        assert data["summary"]["entities"] == 0 and data["summary"]["density"] is None
        assert data["centrality"]["betweenness"] is None
    else:
        assert "N/A" in text and "Traceback" not in text


def test_edgeless_graph() -> None:
    G = _graph(b'ent:A a kg:Group ; rdfs:label "Alpha" .  ent:X a kg:Place ; rdfs:label "Xville" .')
    rep = analysis.report(G)
    assert rep["summary"]["entities"] == 2 and rep["summary"]["isolated"] == 2 and rep["summary"]["density"] == 0.0
    assert rep["summary"]["components"] == 2
    assert rep["centrality"]["by_betweenness"] == [] and rep["blocs"]["blocs"] == []
    text = analysis.render(rep, "table")
    assert "N/A (none in this graph)" in text


def test_disconnected_graph_and_no_path() -> None:
    G = _graph(
        b"""ent:A a kg:Group ; rdfs:label "Alpha" ; kg:controls ent:X .  ent:X a kg:Place ; rdfs:label "Xville" .
        ent:B a kg:Group ; rdfs:label "Beta" ; kg:advancesOn ent:Y .  ent:Y a kg:Place ; rdfs:label "Yton" ."""
    )
    rep = analysis.report(G)
    assert rep["summary"]["components"] == 2 and rep["summary"]["largest_component"] == 2
    with pytest.raises(KGError, match="not connected"):
        analysis.shortest_connection(G, analysis.find_entity(G, "alpha"), analysis.find_entity(G, "yton"))


def test_limit_caps_lists_and_says_how_many_are_left(curated: nx.MultiDiGraph) -> None:
    rep = analysis.report(curated, limit=2)
    assert len(rep["control"]["places"]) == 2 and rep["control"]["places_more"] > 0
    assert f"and {rep['control']['places_more']} more" in analysis.render(rep, "markdown")


def test_larger_generated_graph_samples_betweenness_and_is_repeatable() -> None:
    """Above the exact-betweenness threshold the sample is drawn with the seed: same graph, same report."""
    rng = random.Random(5)
    lines = [b'ent:P%d a kg:Place ; rdfs:label "Place %d" .' % (i, i) for i in range(1500)]
    lines += [b'ent:G%d a kg:Group ; rdfs:label "Group %d" .' % (i, i) for i in range(1000)]
    for _ in range(5000):
        rel = rng.choice((b"controls", b"advancesOn", b"advises", b"defectsTo"))
        obj = b"P%d" % rng.randrange(1500) if rel in (b"controls", b"advancesOn") else b"G%d" % rng.randrange(1000)
        lines.append(b"ent:G%d kg:%s ent:%s ." % (rng.randrange(1000), rel, obj))
    G = _graph(b"\n".join(lines))
    first, second = analysis.report(G, seed=1), analysis.report(G, seed=1)
    assert first["centrality"]["betweenness"]["method"] == "sampled"
    assert analysis.render(first, "json") == analysis.render(second, "json")


# ------------------------------------------------------------------------------------ path


def test_path_hops_carry_evidence(curated: nx.MultiDiGraph) -> None:
    a, b = analysis.find_entity(curated, "taliban"), analysis.find_entity(curated, "British forces")
    hops = analysis.shortest_connection(curated, a, b)
    assert [(h["subject"]["label"], h["relation"], h["object"]["label"]) for h in hops] == [
        ("Taliban", "defectsTo", "Northern Alliance"),
        ("British forces", "advises", "Northern Alliance"),
    ]
    assert all(h["evidence"] for h in hops)
    assert "defections to the alliance" in hops[0]["evidence"]


def test_find_entity_by_label_alias_and_iri(curated: nx.MultiDiGraph) -> None:
    iri = analysis.find_entity(curated, "NORTHERN ALLIANCE")
    assert analysis.find_entity(curated, "the opposition".removeprefix("the ")) == iri
    assert analysis.find_entity(curated, iri) == iri
    assert analysis.find_entity(curated, "ent:" + iri.rsplit("/", 1)[1]) == iri
    with pytest.raises(KGError, match="close matches: Kunduz"):
        analysis.find_entity(curated, "Kunduzz")


def test_ambiguous_name_lists_the_candidates() -> None:
    G = _graph(b'ent:A a kg:Group ; skos:altLabel "the front" .  ent:B a kg:Group ; skos:altLabel "the front" .')
    with pytest.raises(KGError, match="names 2 entities"):
        analysis.find_entity(G, "The Front")


# ------------------------------------------------------------------------------------ CLI


def _kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    cmd = [str(KG_BIN)] if KG_BIN.exists() else [sys.executable, "-m", "kg.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, cwd=ROOT, env=env, check=False)


def test_cli_output_is_deterministic_across_processes(tmp_path: Path) -> None:
    """Two runs with different string hashing give the same bytes (sets and Louvain cannot leak order)."""
    outs = []
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        out = tmp_path / f"report-{hashseed}.json"
        done = _kg("analyze", "-g", str(CURATED), "--format", "json", "-o", str(out), env=env)
        assert done.returncode == 0, done.stderr.decode()
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["summary"]["entities"] > 0


def test_cli_report_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["analyze", "-g", str(CURATED)]) == 0
    table = capsys.readouterr().out
    assert "== Control map" in table and "Kunduz" in table
    out = tmp_path / "sub" / "report.md"
    assert main(["analyze", "-g", str(CURATED), "--format", "markdown", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# kg analysis\n") and "| place |" in text


def test_cli_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "path", "Taliban", "british forces", "-g", str(CURATED)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Taliban → British forces: 2 hops"
    assert "defections to the alliance" in out
    assert main(["analyze", "path", "Kandahar", "Kabul", "-g", str(CURATED), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hops"] and all(h["evidence"] for h in data["hops"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "paths", "A", "B"], "unknown analysis 'paths'"),
        (["analyze", "path", "Kabul"], "needs two entities"),
        (["analyze", "path", "Kabul", "Atlantis"], "no entity is named 'Atlantis'"),
        (["analyze", "--limit", "-1"], "--limit"),
    ],
)
def test_cli_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*args, "-g", str(CURATED)]) == 1
    assert message in capsys.readouterr().err


def test_cli_offers_the_library_formats() -> None:
    from kg.commands import analyze

    assert analyze.FORMATS == analysis.FORMATS


def test_cli_missing_graph_and_bad_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["analyze", "-g", str(tmp_path / "none.ttl")]) == 1
    assert "kg build" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "-g", str(CURATED), "--format", "html"])
    assert exc.value.code == 1
    assert "markdown" in capsys.readouterr().err


def test_cli_as_of_reads_the_graph_at_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    """On the curated seed, Kabul fell to the alliance in 1992: as of 1993 it holds the capital, later not."""
    assert main(["analyze", "-g", str(CURATED), "--as-of", "1993", "--format", "json"]) == 0
    then = json.loads(capsys.readouterr().out)["control"]
    assert then["as_of"] == "1993"
    assert [(r["place"]["label"], [h["label"] for h in r["holders"]]) for r in then["places"]] == [
        ("Kabul", ["Northern Alliance"])
    ]
    assert main(["analyze", "-g", str(CURATED), "--format", "json"]) == 0
    now = {r["place"]["label"]: r for r in json.loads(capsys.readouterr().out)["control"]["places"]}
    assert [h["label"] for h in now["Kabul"]["holders"]] == ["Taliban"]
    assert [(p["label"], p["time"]) for p in now["Kabul"]["sequence"]] == [
        ("Northern Alliance", "1992"),
        ("Taliban", None),
    ]


def test_cli_as_of_must_be_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "-g", str(CURATED), "--as-of", "last week"]) == 1
    err = capsys.readouterr().err
    assert "--as-of 'last week' is not a date" in err and "YYYY-MM-DD" in err and "Traceback" not in err

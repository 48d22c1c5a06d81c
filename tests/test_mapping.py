"""Extraction -> RDF mapping: IRIs, the assertion model, and serialise -> parse round trips (no model needed)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Literal
from rdflib.compare import isomorphic

from kg.model import Document, Entity, Evidence, Extraction, GeoRef, Link, Relation
from kg.rdf.dataset import quad_lines
from kg.rdf.mapping import _string, add_extraction, entity_iri, extraction_lines, slug, time_literal
from kg.rdf.namespace import GEO, KG, LINKS, RELATIONS
from kg.rdf.store import FORMATS, new_graph, parse_bytes, serialize

TEXT = "The rebels captured Townsville in 1999. They did not take Hill City."


def _doc(text: str = TEXT) -> Document:
    return Document(text=text, source="t.txt", sha256=hashlib.sha256(text.encode()).hexdigest())


def _sample() -> Extraction:
    doc = _doc()
    s1 = Evidence(0, 38, TEXT[0:38], 0, "captured")
    s2 = Evidence(39, len(TEXT), TEXT[39:], 1, "take")
    return Extraction(
        doc,
        (
            Entity("Rebels", "Group", ("rebels", "Rebels")),
            Entity("Townsville", "GPE", ("Townsville",), geo=GeoRef(1, 10.5, -20.25, "XX")),
            Entity("Hill City", "GPE", ("Hill City",)),
        ),
        (
            Relation("Rebels", "controls", "Townsville", s1, "r1", 0.8, time="1999", time_text="in 1999"),
            Relation("Rebels", "controls", "Hill City", s2, "r1", 0.8, negated=True),
        ),
    )


def test_plain_triple_only_for_positive_factual_statements() -> None:
    g = new_graph()
    add_extraction(g, _sample())
    rebels, town, hill = entity_iri("Rebels"), entity_iri("Townsville"), entity_iri("Hill City")
    assert (rebels, KG.controls, town) in g
    assert (rebels, KG.controls, hill) not in g
    assertions = set(g.subjects(RDF.type, KG.Assertion))
    assert len(assertions) == 2
    negated = next(a for a in assertions if (a, RDF.object, hill) in g)
    assert (negated, KG.polarity, KG.Negative) in g
    assert (negated, KG.asserted, Literal(False)) in g


def test_evidence_is_stored_without_surrounding_whitespace_and_offsets_still_cut_it_out() -> None:
    text = "Intro line.\n\n  Militias held the old fort of Dunmore.\n\nNext paragraph."
    sentence = "  Militias held the old fort of Dunmore.\n\n"
    start = text.index(sentence)
    ev = Evidence(start, start + len(sentence), sentence, 1, "held")
    doc = _doc(text)
    g = new_graph()
    rel = Relation("Militias", "controls", "Dunmore", ev, "r1", 0.8)
    add_extraction(g, Extraction(doc, (Entity("Militias", "Group"), Entity("Dunmore", "Place")), (rel,)))
    a = next(iter(g.subjects(RDF.type, KG.Assertion)))
    stored = str(g.value(a, KG.evidence))
    assert stored == "Militias held the old fort of Dunmore."
    begin, end = int(g.value(a, KG.charStart)), int(g.value(a, KG.charEnd))  # type: ignore[arg-type]
    assert text[begin:end] == stored


def test_assertion_carries_provenance_matching_the_text() -> None:
    g = new_graph()
    add_extraction(g, _sample())
    a = next(a for a in g.subjects(RDF.type, KG.Assertion) if (a, RDF.object, entity_iri("Townsville")) in g)
    start, end = int(g.value(a, KG.charStart)), int(g.value(a, KG.charEnd))  # type: ignore[arg-type]
    assert str(g.value(a, KG.evidence)) == TEXT[start:end]
    assert g.value(a, KG.time) == Literal("1999", datatype=XSD.gYear)
    assert str(g.value(a, KG.rule)) == "r1"
    assert g.value(a, KG.modality) == KG.Actual


def test_entities_have_type_label_aliases_and_geo() -> None:
    g = new_graph()
    add_extraction(g, _sample())
    rebels = entity_iri("Rebels")
    assert (rebels, RDF.type, KG.Group) in g
    # Oxigraph hands plain literals back as xsd:string; compare their text
    assert str(g.value(rebels, RDFS.label)) == "Rebels"
    assert {str(x) for x in g.objects(rebels, SKOS.altLabel)} == {"rebels"}
    town = entity_iri("Townsville")
    assert str(g.value(town, KG.mentionedIn)).startswith("https://w3id.org/kg-news/doc/d")
    assert float(g.value(town, GEO.lat)) == 10.5  # type: ignore[arg-type]
    assert str(g.value(town, OWL.sameAs)) == "https://sws.geonames.org/1/"


def test_evidence_that_does_not_match_the_text_is_refused() -> None:
    ext = _sample()
    bad = Relation("Rebels", "controls", "Townsville", Evidence(0, 5, "xxxxx", 0), "r1")
    with pytest.raises(ValueError, match="does not match the document text"):
        add_extraction(new_graph(), Extraction(ext.document, ext.entities, (bad,)))


def test_iris_are_stable_across_runs() -> None:
    a = serialize(_build(_sample()))
    b = serialize(_build(_sample()))
    assert a == b
    assert entity_iri("Northern Town") == entity_iri("Northern Town")


@pytest.mark.parametrize(
    ("value", "dtype"),
    [("1992", XSD.gYear), ("2011-03", XSD.gYearMonth), ("2011-03-02", XSD.date), ("1980s", None)],
)
def test_time_literal_types(value: str, dtype: object) -> None:
    assert time_literal(value).datatype == dtype


def _build(ext: Extraction):  # type: ignore[no-untyped-def]
    g = new_graph()
    add_extraction(g, ext)
    return g


names = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "")


@given(names)
def test_slug_always_gives_a_valid_iri(name: str) -> None:
    iri = entity_iri(name)
    assert re.fullmatch(r"https://w3id\.org/kg-news/entity/[A-Za-z][A-Za-z0-9_\-]*", str(iri))
    # strict N-Triples parsing accepts it
    nt = f"<{iri}> <http://example.org/p> <http://example.org/o> .\n"
    assert len(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))) == 1
    assert slug(name) == slug(name)


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


@st.composite
def extractions(draw: st.DrawFn) -> Extraction:
    text = draw(texts)
    doc = _doc(text)
    ent_names = draw(st.lists(names, min_size=2, max_size=4, unique_by=slug))
    types = draw(
        st.lists(st.sampled_from(["Person", "Group", "GPE", "Place"]), min_size=len(ent_names), max_size=len(ent_names))
    )
    ents = tuple(
        Entity(n, t, (*tuple(draw(st.lists(texts, max_size=2))), n)) for n, t in zip(ent_names, types, strict=True)
    )
    doc = replace(doc, date=draw(st.sampled_from([None, "2001-11-13"])))
    rels = []
    links = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        subject, predicate, obj = (
            draw(st.sampled_from(ent_names)),
            draw(st.sampled_from(RELATIONS)),
            draw(st.sampled_from(ent_names)),
        )
        left = [n for n in ent_names if n not in (subject, obj)] if predicate == "defectsTo" else []
        rels.append(
            Relation(
                subject,
                predicate,
                obj,
                Evidence(start, end, text[start:end], 0, draw(texts)),
                "rule.x",
                draw(st.floats(0, 1)),
                negated=draw(st.booleans()),
                time=draw(st.sampled_from([None, "2001", "2001-11", "2001-11-13", "1980s"])),
                time_start=draw(st.sampled_from([None, "1975", "1975-04"])),
                time_end=draw(st.sampled_from([None, "2002", "2002-01-01"])),
                ends=predicate == "controls" and draw(st.booleans()),
                side_left=draw(st.sampled_from([None, *left])),
            )
        )
        a, b = draw(st.sampled_from(ent_names)), draw(st.sampled_from(ent_names))
        if a != b:
            links.append(Link(a, draw(st.sampled_from(LINKS)), b, Evidence(start, end, text[start:end], 0), "link.x"))
    return Extraction(doc, ents, tuple(rels), tuple(links))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extractions(), st.sampled_from(sorted(FORMATS)))
def test_serialise_parse_round_trip_is_isomorphic(ext: Extraction, suffix: str) -> None:
    graph = _build(ext)
    fmt = FORMATS[suffix]
    data = serialize(graph, fmt)
    again = parse_bytes(data, fmt)
    assert isomorphic(_plain(graph), _plain(again))
    assert serialize(again, fmt) == data  # deterministic: re-serialising gives the same bytes


def test_literals_are_escaped_as_oxigraph_writes_them() -> None:
    # the mapping writes N-Quads itself: every character must come out as Oxigraph's own writer has it
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    for i in range(0, len(chars), 4096):
        text = chars[i : i + 4096]
        want = ox.serialize([ox.Triple(s, p, ox.Literal(text))], format=ox.RdfFormat.N_TRIPLES)
        assert want == b"<http://example.org/s> <http://example.org/p> " + _string(text) + b" .\n", hex(i)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extractions(), st.floats(-90, 90), st.floats(-180, 180), st.booleans())
def test_extraction_lines_are_the_lines_oxigraph_writes(ext: Extraction, lat: float, long: float, geo: bool) -> None:
    if geo:
        ext = replace(ext, entities=(replace(ext.entities[0], geo=GeoRef(2988507, lat, long)), *ext.entities[1:]))
    lines = extraction_lines(ext)
    again = quad_lines(ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS))
    assert sorted(again) == sorted(lines)
    graph = new_graph()
    assert add_extraction(graph, ext) == len(lines)  # the same statements in an rdflib graph
    assert len(graph) == len(set(lines))


def _plain(g):  # type: ignore[no-untyped-def]
    from rdflib import Graph

    out = Graph()
    for t in g:
        out.add(t)
    return out


# ------------------------------------------------------------------ time, intervals, sides: the NLP hand-off

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
DATED = (
    "Border guards held Eastbridge. Since 2009 the guards have held Eastbridge. "
    "Militia fighters took Eastbridge from the guards on 4 May 2013. "
    "A captain defected from the guards to the militia. The captain leads the militia."
)


def _sentence(text: str, n: int) -> Evidence:
    starts = [0] + [m.end() for m in re.finditer(r"\. ", text)]
    start = starts[n]
    end = text.index(".", start) + 1
    return Evidence(start, end, text[start:end], n)


def _dated(date: str | None = "2013-05-06", **changes: Any) -> Extraction:
    """Five statements of a dated report, built by hand as the NLP would hand them over."""
    doc = replace(_doc(DATED), date=date)
    ents = (
        Entity("Guards", "Group", ("guards", "Border guards")),
        Entity("Militia", "Group", ("militia", "Militia fighters")),
        Entity("Eastbridge", "GPE", ("Eastbridge",)),
        Entity("Captain", "Person", ("captain",)),
    )
    rels = (
        Relation("Guards", "controls", "Eastbridge", _sentence(DATED, 0), "c.held", 0.8),
        Relation("Guards", "controls", "Eastbridge", _sentence(DATED, 1), "c.held", 0.8, time_start="2009"),
        Relation(
            "Militia",
            "controls",
            "Eastbridge",
            _sentence(DATED, 2),
            "c.took",
            0.8,
            time="2013-05-04",
            time_text="4 May",
        ),
        Relation("Guards", "controls", "Eastbridge", _sentence(DATED, 2), "c.from", 0.8, time="2013-05-04", ends=True),
        Relation("Captain", "defectsTo", "Militia", _sentence(DATED, 3), "d.defect", 0.8, side_left="Guards"),
    )
    links = (Link("Captain", "leads", "Militia", _sentence(DATED, 4), "link.leads"),)
    return replace(Extraction(doc, ents, rels, links), **changes)


def _statement(g: Any, rule: str) -> Any:
    (a,) = [
        a for a in g.subjects(KG.rule, None) if str(g.value(a, KG.rule)) == rule and (a, RDF.type, KG.Assertion) in g
    ]
    return a


def _held(g: Any) -> Any:
    """The statement of the first sentence, which names no time."""
    first = "Border guards held Eastbridge."
    return next(a for a in g.subjects(KG.evidence, None) if str(g.value(a, KG.evidence)) == first)


def test_a_statement_without_a_clause_time_takes_the_document_date() -> None:
    g = _build(_dated())
    held = next(
        a for a in g.subjects(KG.rule, None) if str(g.value(a, KG.evidence)) == "Border guards held Eastbridge."
    )
    assert g.value(held, KG.time) == Literal("2013-05-06", datatype=XSD.date)
    assert g.value(held, KG.timeSource) == KG.DocumentTime
    took = _statement(g, "c.took")
    assert g.value(took, KG.time) == Literal("2013-05-04", datatype=XSD.date)
    assert g.value(took, KG.timeSource) == KG.ClauseTime


def test_an_undated_document_gives_no_time_and_no_source() -> None:
    g = _build(_dated(date=None))
    held = next(
        a for a in g.subjects(KG.rule, None) if str(g.value(a, KG.evidence)) == "Border guards held Eastbridge."
    )
    assert g.value(held, KG.time) is None and g.value(held, KG.timeSource) is None
    assert g.value(_statement(g, "c.took"), KG.timeSource) == KG.ClauseTime


def test_a_capture_from_a_holder_ends_the_holders_control() -> None:
    g = _build(_dated())
    ended = _statement(g, "c.from")
    assert g.value(ended, RDF.subject) == entity_iri("Guards")
    assert g.value(ended, KG.timeEnd) == Literal("2013-05-04", datatype=XSD.date)
    assert g.value(ended, KG.timeStart) is None
    assert g.value(ended, KG.endsControl) == Literal(True)
    took = _statement(g, "c.took")
    assert g.value(took, KG.timeEnd) is None and g.value(took, KG.endsControl) is None


def test_a_capture_in_an_undated_document_still_marks_the_end() -> None:
    g = _build(_dated(date=None, relations=tuple(replace(r, time=None) for r in _dated().relations)))
    ended = _statement(g, "c.from")
    assert g.value(ended, KG.endsControl) == Literal(True)
    assert g.value(ended, KG.timeEnd) is None and g.value(ended, KG.time) is None


def test_an_undated_capture_from_a_holder_ends_it_at_the_document_date() -> None:
    ext = _dated()
    rels = tuple(replace(r, time=None) if r.rule == "c.from" else r for r in ext.relations)
    g = _build(replace(ext, relations=rels))
    assert g.value(_statement(g, "c.from"), KG.timeEnd) == Literal("2013-05-06", datatype=XSD.date)


def test_intervals_the_text_gives_are_kept() -> None:
    g = _build(_dated())
    since = next(a for a in g.subjects(KG.timeStart, None))
    assert g.value(since, KG.timeStart) == Literal("2009", datatype=XSD.gYear)
    assert g.value(since, KG.timeEnd) is None


def test_a_defection_carries_the_side_left() -> None:
    g = _build(_dated())
    a = _statement(g, "d.defect")
    assert g.value(a, KG.sideLeft) == entity_iri("Guards")
    assert (entity_iri("Captain"), KG.defectsTo, entity_iri("Militia")) in g


def test_a_link_is_a_plain_triple_with_an_asserted_statement_behind_it() -> None:
    g = _build(_dated())
    assert (entity_iri("Captain"), KG.leads, entity_iri("Militia")) in g
    a = _statement(g, "link.leads")
    assert g.value(a, RDF.predicate) == KG.leads
    assert g.value(a, KG.asserted) == Literal(True)
    assert str(g.value(a, KG.evidence)) == "The captain leads the militia."


def test_a_link_or_side_left_naming_an_unknown_entity_is_refused() -> None:
    ext = _dated()
    bad_link = Link("Captain", "memberOf", "Nobody", _sentence(DATED, 4))
    with pytest.raises(ValueError, match="Nobody"):
        _build(replace(ext, links=(bad_link,)))
    bad_left = replace(ext.relations[4], side_left="Nobody")
    with pytest.raises(ValueError, match="Nobody"):
        _build(replace(ext, relations=(bad_left,)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"predicate": "advancesOn", "ends": True}, "only a controls statement"),
        ({"side_left": "Guards"}, "only a defectsTo statement"),
        ({"time": "late 2013"}, "not a year, year-month, date or decade"),
        ({"time_start": "2014", "time_end": "2013-05"}, "ends before it starts"),
        ({"time_source": "headline"}, "clause, document"),
    ],
)
def test_the_hand_off_refuses_what_cannot_be_mapped(changes: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {"subject": "Militia", "predicate": "controls", "object": "Eastbridge", **changes}
    with pytest.raises(ValueError, match=message):
        Relation(evidence=_sentence(DATED, 2), rule="r", **fields)


def test_a_link_must_be_one_of_the_side_links() -> None:
    with pytest.raises(ValueError, match="memberOf, forcesOf, leads"):
        Link("Captain", "allyOf", "Militia", _sentence(DATED, 4))


def _conforms(g: Any) -> tuple[bool, str]:
    from pyshacl import validate
    from rdflib import Graph

    data = Graph().parse(data=serialize(g).decode(), format="turtle")
    conforms, _, text = validate(
        data,
        shacl_graph=Graph().parse(ONTOLOGY / "shapes.ttl"),
        ont_graph=Graph().parse(ONTOLOGY / "kg.ttl"),
        inference="rdfs",
    )
    return bool(conforms), str(text)


def test_time_and_side_statements_conform_to_the_shapes() -> None:
    conforms, text = _conforms(_build(_dated()))
    assert conforms, text


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("document-time", "not the document's kg:documentDate"),
        ("backwards", "kg:timeEnd is before kg:timeStart"),
        ("side-left-on-control", "kg:defectsTo"),
        ("no-source", "timeSource"),
        ("advance-ends", "kg:controls"),
    ],
)
def test_shapes_catch_wrong_times_and_sides(edit: str, message: str) -> None:
    g = _build(_dated())
    held = next(
        a for a in g.subjects(KG.rule, None) if str(g.value(a, KG.evidence)) == "Border guards held Eastbridge."
    )
    if edit == "document-time":
        g.set((held, KG.time, Literal("2013-05-01", datatype=XSD.date)))
    elif edit == "backwards":
        g.add((held, KG.timeStart, Literal("2013", datatype=XSD.gYear)))
        g.add((held, KG.timeEnd, Literal("2012-12", datatype=XSD.gYearMonth)))
    elif edit == "side-left-on-control":
        g.add((held, KG.sideLeft, entity_iri("Militia")))
    elif edit == "advance-ends":
        g.set((held, RDF.predicate, KG.advancesOn))
        g.add((held, KG.endsControl, Literal(True)))
    else:
        g.remove((held, KG.timeSource, None))
    conforms, text = _conforms(g)
    assert not conforms
    assert message in text

"""The ontology file, the closed namespace object and the shapes agree with each other."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from kg.rdf.namespace import KG, RELATIONS, class_term, relation_term

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
DECLARING = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}


def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "kg.ttl", format="turtle")


def test_namespace_equals_terms_declared_in_ontology() -> None:
    g = _ontology()
    ns = str(KG._NS)
    declared = {str(s)[len(ns) :] for s, _, t in g.triples((None, RDF.type, None)) if t in DECLARING}
    declared |= {str(s)[len(ns) :] for s, _, _ in g.triples((None, RDF.type, KG.Modality))}
    declared |= {str(s)[len(ns) :] for s, _, _ in g.triples((None, RDF.type, KG.Polarity))}
    declared = {d for d in declared if "#" not in d and "/" not in d}
    in_code = {name for name in KG.__annotations__}
    assert declared == in_code


def test_namespace_is_closed() -> None:
    with pytest.raises(AttributeError):
        _ = KG.control  # a typo must fail, not mint a new term


def test_relation_term_lists_valid_choices_on_error() -> None:
    assert relation_term("controls") == KG.controls
    with pytest.raises(ValueError, match="controls, advancesOn, defectsTo, advises"):
        relation_term("holds")
    with pytest.raises(ValueError, match="Person, Group, GPE, Place"):
        class_term("City")


@pytest.mark.parametrize("name", RELATIONS)
def test_relations_have_domain_range_label_definition(name: str) -> None:
    g = _ontology()
    term = URIRef(KG._NS + name)
    assert (term, RDF.type, OWL.ObjectProperty) in g
    assert g.value(term, RDFS.domain) == KG.Agent
    assert g.value(term, RDFS.range) == (KG.Place if name in ("controls", "advancesOn") else KG.Agent)
    assert g.value(term, RDFS.label) is not None
    assert len(str(g.value(term, SKOS.definition))) > 40


def test_gpe_is_both_agent_and_place() -> None:
    g = _ontology()
    assert {KG.Agent, KG.Place} <= set(g.objects(KG.GPE, RDFS.subClassOf))


@pytest.mark.parametrize("name", ["kg.ttl", "shapes.ttl"])
def test_ontology_files_parse_in_oxigraph(name: str) -> None:
    triples = list(ox.parse(path=str(ONTOLOGY / name), format=ox.RdfFormat.TURTLE))
    assert len(triples) > 20


@pytest.mark.parametrize("name", ["kg.ttl", "shapes.ttl"])
def test_ontology_files_parse_in_rapper(name: str) -> None:
    from tests.conftest import require_tool

    rapper = require_tool("rapper")
    proc = subprocess.run([rapper, "-i", "turtle", "-c", str(ONTOLOGY / name)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr

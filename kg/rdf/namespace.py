"""The one closed namespace object through which code names ontology terms.

``KG.controls`` works; ``KG.control`` raises ``AttributeError`` (rdflib's ``DefinedNamespace`` with
``_fail = True``), so a typo fails at import or first use instead of minting a term nobody declared.
A test keeps this list equal to the terms ``ontology/kg.ttl`` declares.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/kg-news/ontology"
BASE = "https://w3id.org/kg-news/"

ENTITY = Namespace(BASE + "entity/")
DOC = Namespace(BASE + "doc/")
ASSERTION = Namespace(BASE + "assertion/")
GEONAMES = Namespace("https://sws.geonames.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SCHEMA = Namespace("http://schema.org/")


class KG(DefinedNamespace):
    """Terms of ``ontology/kg.ttl``."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Agent: URIRef
    Person: URIRef
    Group: URIRef
    GPE: URIRef
    Place: URIRef
    Document: URIRef
    Assertion: URIRef
    Modality: URIRef
    Polarity: URIRef
    TimeSource: URIRef
    # the four relations
    controls: URIRef
    advancesOn: URIRef
    defectsTo: URIRef
    advises: URIRef
    # sides: who acts for whom (links between agents)
    sideOf: URIRef
    memberOf: URIRef
    forcesOf: URIRef
    leads: URIRef
    # assertion provenance
    evidence: URIRef
    charStart: URIRef
    charEnd: URIRef
    sentenceIndex: URIRef
    trigger: URIRef
    subjectText: URIRef
    objectText: URIRef
    rule: URIRef
    confidence: URIRef
    polarity: URIRef
    modality: URIRef
    asserted: URIRef
    time: URIRef
    timeText: URIRef
    timeSource: URIRef
    timeStart: URIRef
    timeEnd: URIRef
    endsControl: URIRef
    sideLeft: URIRef
    reportedBy: URIRef
    # documents and entities
    sha256: URIRef
    sourcePath: URIRef
    wordCount: URIRef
    documentDate: URIRef
    mentionedIn: URIRef
    # individuals
    Positive: URIRef
    Negative: URIRef
    Actual: URIRef
    Hypothetical: URIRef
    Planned: URIRef
    Urged: URIRef
    Threatened: URIRef
    Feared: URIRef
    Future: URIRef
    Questioned: URIRef
    Claimed: URIRef
    ClauseTime: URIRef
    DocumentTime: URIRef


RELATIONS: tuple[str, ...] = ("controls", "advancesOn", "defectsTo", "advises")
#: Links between agents that put the subject on the object's side (all sub-properties of ``kg:sideOf``):
#: a person or unit belonging to or serving a group, government or state; a state's or group's armed forces;
#: a person leading a group or state.
LINKS: tuple[str, ...] = ("memberOf", "forcesOf", "leads")
#: How an assertion's ``kg:time`` was obtained -> the ``kg:TimeSource`` individual's local name.
TIME_SOURCES: dict[str, str] = {"clause": "ClauseTime", "document": "DocumentTime"}
ENTITY_TYPES: tuple[str, ...] = ("Person", "Group", "GPE", "Place")
AGENT_TYPES = frozenset({"Person", "Group", "GPE"})
PLACE_TYPES = frozenset({"Place", "GPE"})
MODALITIES: tuple[str, ...] = (
    "Actual",
    "Hypothetical",
    "Planned",
    "Urged",
    "Threatened",
    "Feared",
    "Future",
    "Questioned",
    "Claimed",
)

#: Prefixes every serialisation uses, in this order.
PREFIXES: dict[str, str] = {
    "kg": ONTOLOGY_IRI + "#",
    "ent": str(ENTITY),
    "doc": str(DOC),
    "stmt": str(ASSERTION),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "geo": str(GEO),
}


def relation_term(name: str) -> URIRef:
    """The property IRI for one of the four relation names; raises ``ValueError`` listing valid ones."""
    if name not in RELATIONS:
        raise ValueError(f"unknown relation {name!r}; valid relations: {', '.join(RELATIONS)}")
    return URIRef(KG._NS + name)


def link_term(name: str) -> URIRef:
    """The property IRI for one of the side links; raises ``ValueError`` listing valid ones."""
    if name not in LINKS:
        raise ValueError(f"unknown link {name!r}; valid links: {', '.join(LINKS)}")
    return URIRef(KG._NS + name)


def time_source_term(name: str) -> URIRef:
    """The ``kg:TimeSource`` individual for ``clause`` or ``document``; raises ``ValueError`` listing valid ones."""
    if name not in TIME_SOURCES:
        raise ValueError(f"unknown time source {name!r}; valid sources: {', '.join(TIME_SOURCES)}")
    return URIRef(KG._NS + TIME_SOURCES[name])


def class_term(name: str) -> URIRef:
    """The class IRI for an entity type; raises ``ValueError`` listing valid ones."""
    if name not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {name!r}; valid types: {', '.join(ENTITY_TYPES)}")
    return URIRef(KG._NS + name)

"""spaCy ``Doc`` -> ``Extraction``: the normalisation layer (``enhanced``), entity resolution (``entities``),
then relation finding (``relations``).

The roles relations give an entity are evidence for its type: when a rule rejected a candidate only because
an entity had the wrong type ("rebels captured X" with X tagged as an organisation), and nothing firm stands
behind that type, the entity is retyped and the relations are found again.

:func:`analyse` returns everything decided on the way (``kg explain`` prints it); :func:`extract` keeps what
the graph needs: the entities that are named or take part in a statement, and the statements.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from kg.memory import gc_paused
from kg.model import Document, Evidence, Extraction, Link, Relation
from kg.nlp.enhanced import Arc, DepGraph
from kg.nlp.entities import EntityIndex, resolve_entities
from kg.nlp.gazetteer import load_gazetteer
from kg.nlp.relations import Rejection, find_relations, name_spans
from kg.nlp.timex import TimeIndex, document_date


@dataclass
class Analysis:
    """What extraction decided about one document: the enhanced graph, the entity index, the statements with
    the enhanced arcs each rests on, and the candidates that were rejected (with why)."""

    document: Document
    graph: DepGraph
    index: EntityIndex
    relations: list[Relation]
    rejected: list[Rejection] = field(default_factory=list)
    trace: dict[int, tuple[Arc, ...]] = field(default_factory=dict)


def retype_by_roles(index: EntityIndex, rejected: list[Rejection], relations: list[Relation]) -> list[str]:
    """Retype entities whose weak type cost a relation; returns the keys retyped.

    A Group wanted as a place becomes a GPE (a town the NER called an organisation); a Person needs two such
    rejections (people are captured too), or one when the gazetteer knows a place of that name ("took Menaka");
    a Place wanted as an agent becomes a Group. An entity that is the subject of a found relation keeps its type.
    """
    wanted: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rejected:
        if r.entity and r.wanted:
            wanted[r.entity][r.wanted] += 1
    acting = {rel.subject for rel in relations}
    changed: list[str] = []
    for key, votes in sorted(wanted.items()):
        if key not in index.entities or key in index.firm:
            continue
        etype = index.type_of(key)
        new: str | None = None
        person_place = etype == "Person" and (votes["Place"] >= 2 or _gazetteer_place(key))
        if votes["Place"] and key not in acting and (etype == "Group" or person_place):
            new = "GPE"
        elif votes["Agent"] and etype == "Place" and not votes["Place"]:
            new = "Group"
        if new is not None and index.retype(key, new):
            changed.append(key)
    return changed


def _gazetteer_place(name: str) -> bool:
    """Whether GeoNames knows a town of this name, in any country (a one-word name the NER took for a person)."""
    return " " not in name and any(not p.is_country for p in load_gazetteer().lookup(name))


def analyse(doc: Doc, document: Document) -> Analysis:
    """Entities and relations of one parsed document, with everything decided on the way."""
    graph = DepGraph(doc)
    document = document if document.date else replace(document, date=document_date(graph.text))
    index = resolve_entities(doc, graph=graph)
    # the document's date, not one found in this text: a piece of a long text (kg.pieces) has no dateline
    times = TimeIndex(graph.text, document.date, name_spans(doc, index, graph.toks))
    rejected: list[Rejection] = []
    trace: dict[int, tuple[Arc, ...]] = {}
    relations = find_relations(doc, index, rejected=rejected, times=times, graph=graph, trace=trace)
    if retype_by_roles(index, rejected, relations):
        rejected, trace = [], {}
        relations = find_relations(doc, index, rejected=rejected, times=times, graph=graph, trace=trace)
    return Analysis(document, graph, index, relations, rejected, trace)


def extract(doc: Doc, document: Document) -> Extraction:
    """Entities and relations of one parsed document."""
    with gc_paused():  # an allocation burst: collecting once afterwards saves a seventh of the time
        return _extract(doc, document)


def _extract(doc: Doc, document: Document) -> Extraction:
    a = analyse(doc, document)
    index, relations = a.index, a.relations
    used = {r.subject for r in relations} | {r.object for r in relations}
    missing = used - index.entities.keys()
    if missing:
        raise ValueError(f"relations name entities the index does not hold: {sorted(missing)}")
    linked = {s for s, _p, o in index.links if s in used or o in used} | {
        o for s, _p, o in index.links if s in used or o in used
    }
    keep = [
        k for k, e in index.entities.items() if k in used or k in linked or (e.mentions and k not in index.promoted)
    ]
    entities = tuple(index.entities[k] for k in sorted(keep))
    return Extraction(document=a.document, entities=entities, relations=tuple(relations), links=links(doc, index, keep))


def links(doc: Doc, index: EntityIndex, keep: list[str]) -> tuple[Link, ...]:
    """The entity layer's ties ("Northland forces" forcesOf Northland, a commander memberOf his group, a leader
    leads his followers) between entities the extraction keeps, each with the first sentence that mentions
    its subject (else its object) as evidence."""
    kept = set(keep)
    sents = list(doc.sents)  # (links are few: spaCy's own sentences will do)
    out: list[Link] = []
    for s, p, o in sorted(index.links):
        if s not in kept or o not in kept or s == o:
            continue
        mentions = index.entities[s].mentions or index.entities[o].mentions
        if not mentions:
            continue
        first = min(mentions, key=lambda m: m.start)
        sent = next((x for x in sents if x.start_char <= first.start < x.end_char), sents[0])
        n = sents.index(sent)
        out.append(Link(s, p, o, Evidence(sent.start_char, sent.end_char, sent.text, n), rule=f"entities.{p}"))
    return tuple(out)

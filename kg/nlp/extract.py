"""spaCy ``Doc`` -> ``Extraction``: entity resolution (``entities``), then relation finding (``relations``).

The roles relations give an entity are evidence for its type: when a rule rejected a candidate only because
an entity had the wrong type ("rebels captured X" with X tagged as an organisation), and nothing firm stands
behind that type, the entity is retyped and the relations are found again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from spacy.tokens import Doc

from kg.model import Document, Extraction, Relation
from kg.nlp.entities import EntityIndex, resolve_entities
from kg.nlp.relations import Rejection, find_relations, name_spans
from kg.nlp.timex import TimeIndex, document_date


def retype_by_roles(index: EntityIndex, rejected: list[Rejection], relations: list[Relation]) -> list[str]:
    """Retype entities whose weak type cost a relation; returns the keys retyped.

    A Group wanted as a place becomes a GPE (a town the NER called an organisation); a Person needs two such
    rejections (people are captured too); a Place wanted as an agent becomes a Group. An entity that is the
    subject of a found relation keeps its type.
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
        if votes["Place"] and key not in acting and (etype == "Group" or (etype == "Person" and votes["Place"] >= 2)):
            new = "GPE"
        elif votes["Agent"] and etype == "Place" and not votes["Place"]:
            new = "Group"
        if new is not None and index.retype(key, new):
            changed.append(key)
    return changed


def extract(doc: Doc, document: Document) -> Extraction:
    """Entities and relations of one parsed document."""
    document = document if document.date else replace(document, date=document_date(doc.text))
    index = resolve_entities(doc)
    rejected: list[Rejection] = []
    # the document's date, not one found in this text: a piece of a long text (kg.pieces) has no dateline
    times = TimeIndex(doc.text, document.date, exclude=name_spans(doc, index))
    relations = find_relations(doc, index, rejected=rejected, times=times)
    if retype_by_roles(index, rejected, relations):
        relations = find_relations(doc, index, times=TimeIndex(doc.text, document.date, name_spans(doc, index)))
    used = {r.subject for r in relations} | {r.object for r in relations}
    missing = used - index.entities.keys()
    if missing:
        raise ValueError(f"relations name entities the index does not hold: {sorted(missing)}")
    entities = tuple(index.entities[k] for k in sorted(index.entities))
    return Extraction(document=document, entities=entities, relations=tuple(relations))

"""spaCy ``Doc`` -> ``Extraction``: entity resolution (``entities``), then relation finding (``relations``)."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from kg.model import Document, Extraction
from kg.nlp.entities import resolve_entities
from kg.nlp.relations import find_relations
from kg.nlp.timex import document_date


def extract(doc: Doc, document: Document) -> Extraction:
    """Entities and relations of one parsed document."""
    document = document if document.date else replace(document, date=document_date(doc.text))
    index = resolve_entities(doc)
    relations = find_relations(doc, index)
    used = {r.subject for r in relations} | {r.object for r in relations}
    missing = used - index.entities.keys()
    if missing:
        raise ValueError(f"relations name entities the index does not hold: {sorted(missing)}")
    entities = tuple(index.entities[k] for k in sorted(index.entities))
    return Extraction(document=document, entities=entities, relations=tuple(relations))

"""Entity mentions and their resolution within one document.

``resolve_entities(doc)`` returns an :class:`EntityIndex`: the document's entities and, for every token that
refers to one (names, aliases, member nouns standing for their group, pronouns), the key of that entity.
Relation finding (``kg.nlp.relations``) reads only this index, never NER labels directly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from kg.model import Entity, Mention

NER_TYPES = {"PERSON": "Person", "ORG": "Group", "NORP": "Group", "GPE": "GPE", "LOC": "Place", "FAC": "Place"}


@dataclass
class EntityIndex:
    """Entities of one document and the token -> entity-key map relation finding reads."""

    entities: dict[str, Entity] = field(default_factory=dict)
    token_entity: dict[int, str] = field(default_factory=dict)

    def type_of(self, key: str) -> str:
        return self.entities[key].type

    def entity_at(self, token_i: int) -> str | None:
        return self.token_entity.get(token_i)


def _name(span: Span) -> str:
    text = span.text.strip()
    return text[4:] if text.lower().startswith("the ") else text


def resolve_entities(doc: Doc) -> EntityIndex:
    """A first resolver: NER spans, merged by surface text."""
    mentions: dict[str, list[Mention]] = defaultdict(list)
    types: dict[str, str] = {}
    index = EntityIndex()
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    for span in doc.ents:
        if span.label_ not in NER_TYPES:
            continue
        key = _name(span)
        types.setdefault(key, NER_TYPES[span.label_])
        mentions[key].append(Mention(span.start_char, span.end_char, span.text, sent_index.get(span.sent.start, 0)))
        for tok in span:
            index.token_entity[tok.i] = key
    for key, ms in sorted(mentions.items()):
        index.entities[key] = Entity(key=key, type=types[key], aliases=tuple(sorted({m.text for m in ms})), mentions=tuple(ms))
    return index

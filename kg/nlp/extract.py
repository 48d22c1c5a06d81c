"""spaCy ``Doc`` -> ``Extraction``: entities from NER, relations from the lexicon over the dependency parse.

A first, deliberately plain extractor: NER spans become entities (merged by surface text), and a rule
fires when a trigger verb's subject and object are entities of the right types.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.tokens import Doc, Span, Token

from kg.model import Document, Entity, Evidence, Extraction, Mention, Relation
from kg.nlp.lexicon import Rule, load_lexicon
from kg.rdf.namespace import AGENT_TYPES, PLACE_TYPES

NER_TYPES = {"PERSON": "Person", "ORG": "Group", "NORP": "Group", "GPE": "GPE", "LOC": "Place", "FAC": "Place"}


def _entity_spans(doc: Doc) -> list[tuple[Span, str]]:
    return [(ent, NER_TYPES[ent.label_]) for ent in doc.ents if ent.label_ in NER_TYPES]


def _name(span: Span) -> str:
    text = span.text.strip()
    return text[4:] if text.lower().startswith("the ") else text


def extract(doc: Doc, document: Document) -> Extraction:
    """Entities and relations of one parsed document."""
    mentions: dict[str, list[Mention]] = defaultdict(list)
    types: dict[str, str] = {}
    token_entity: dict[int, str] = {}
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    for span, etype in _entity_spans(doc):
        key = _name(span)
        types.setdefault(key, etype)
        mentions[key].append(Mention(span.start_char, span.end_char, span.text, sent_index.get(span.sent.start, 0)))
        for tok in span:
            token_entity[tok.i] = key
    entities = tuple(
        Entity(key=k, type=types[k], aliases=tuple(sorted({m.text for m in ms})), mentions=tuple(ms))
        for k, ms in sorted(mentions.items())
    )
    rules = load_lexicon()
    relations: list[Relation] = []
    for tok in doc:
        if tok.pos_ != "VERB":
            continue
        for rule in rules:
            if tok.lemma_.lower() in rule.lemmas:
                rel = _apply(rule, tok, token_entity, types, sent_index)
                if rel is not None:
                    relations.append(rel)
    return Extraction(document=document, entities=entities, relations=tuple(dict.fromkeys(relations)))


def _arg(tokens: list[Token], token_entity: dict[int, str]) -> str | None:
    for t in tokens:
        for sub in t.subtree:
            if sub.i in token_entity:
                return token_entity[sub.i]
    return None


def _apply(
    rule: Rule, verb: Token, token_entity: dict[int, str], types: dict[str, str], sent_index: dict[int, int]
) -> Relation | None:
    if rule.construction == "verb-active":
        subj = _arg([c for c in verb.children if c.dep_ == "nsubj"], token_entity)
        obj = _arg([c for c in verb.children if c.dep_ == "dobj"], token_entity)
    else:
        agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        subj = _arg(agents, token_entity)
        obj = _arg([c for c in verb.children if c.dep_ == "nsubjpass"], token_entity)
    if subj is None or obj is None or subj == obj or types[subj] not in AGENT_TYPES:
        return None
    want = PLACE_TYPES if rule.relation in ("controls", "advancesOn") else AGENT_TYPES
    if types[obj] not in want:
        return None
    sent = verb.sent
    negated = any(c.dep_ == "neg" for c in verb.children)
    ev = Evidence(sent.start_char, sent.end_char, sent.text, sent_index.get(sent.start, 0), verb.text)
    return Relation(subj, rule.relation, obj, ev, rule.id, rule.confidence, negated=negated)

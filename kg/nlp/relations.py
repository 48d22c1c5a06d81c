"""Relations from the lexicon (``ontology/lexicon.toml``) over the dependency parse.

``find_relations(doc, index)`` reads the entity index of ``kg.nlp.entities`` and returns ``Relation``s with
evidence, rule id, confidence, polarity/modality and time.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from kg.model import Evidence, Relation
from kg.nlp.entities import EntityIndex
from kg.nlp.lexicon import Rule, load_lexicon
from kg.rdf.namespace import AGENT_TYPES, PLACE_TYPES


def find_relations(doc: Doc, index: EntityIndex) -> list[Relation]:
    rules = load_lexicon()
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    relations: list[Relation] = []
    for tok in doc:
        if tok.pos_ != "VERB":
            continue
        for rule in rules:
            if tok.lemma_.lower() in rule.lemmas:
                rel = _apply(rule, tok, index, sent_index)
                if rel is not None:
                    relations.append(rel)
    return list(dict.fromkeys(relations))


def _arg(tokens: list[Token], index: EntityIndex) -> str | None:
    for t in tokens:
        for sub in t.subtree:
            key = index.entity_at(sub.i)
            if key is not None:
                return key
    return None


def _apply(rule: Rule, verb: Token, index: EntityIndex, sent_index: dict[int, int]) -> Relation | None:
    if rule.construction == "verb-active":
        subj = _arg([c for c in verb.children if c.dep_ == "nsubj"], index)
        obj = _arg([c for c in verb.children if c.dep_ == "dobj"], index)
    else:
        agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        subj = _arg(agents, index)
        obj = _arg([c for c in verb.children if c.dep_ == "nsubjpass"], index)
    if subj is None or obj is None or subj == obj or index.type_of(subj) not in AGENT_TYPES:
        return None
    want = PLACE_TYPES if rule.relation in ("controls", "advancesOn") else AGENT_TYPES
    if index.type_of(obj) not in want:
        return None
    sent = verb.sent
    negated = any(c.dep_ == "neg" for c in verb.children)
    ev = Evidence(sent.start_char, sent.end_char, sent.text, sent_index.get(sent.start, 0), verb.text)
    return Relation(subj, rule.relation, obj, ev, rule.id, rule.confidence, negated=negated)

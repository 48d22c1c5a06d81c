"""Claims weighed: is a statement negated, hypothetical, urged, planned, threatened, feared, future, claimed
or questioned, and who reported it?

``weigh(trigger, lexicon)`` walks outward from the trigger through the clauses that govern it ("may try to
take": try, then may; "urged X not to seize": not, then urge; "claimed that they captured": claim) and
returns the first modality found, whether a negation applies, the speaker of reported speech, and, for an
attempt ("an attempt to take the town"), the relation the attempt itself shows. The cue words are data
(``[modality]`` and ``[[governor]]`` in ``ontology/lexicon.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from kg.nlp.enhanced import PERFORMING, is_aside
from kg.nlp.lexicon import Governor, Lexicon
from kg.nlp.tokens import Sent

_VERBAL = ("VERB", "AUX")
_MAX_STEPS = 8
#: Prepositions whose "-ing" clause is a time or circumstance adjunct of the verb, not what the verb is about.
_ADJUNCT_PREPS = frozenset({"after", "before", "upon", "on", "following", "since", "despite", "while"})


@dataclass(frozen=True)
class Weight:
    """How a statement is claimed. ``speaker`` is the token index of the reporting verb's subject."""

    negated: bool = False
    modality: str = "Actual"
    cue: str = ""
    speaker: int | None = None
    implies: str | None = None

    @property
    def asserted(self) -> bool:
        return not self.negated and self.modality == "Actual"


@lru_cache(maxsize=8)
def _governors(lex: Lexicon) -> tuple[dict[str, Governor], dict[str, Governor]]:
    verbs: dict[str, Governor] = {}
    nouns: dict[str, Governor] = {}
    for gov in lex.governors:
        for w in gov.verbs:
            verbs.setdefault(w, gov)
        for w in gov.nouns:
            nouns.setdefault(w, gov)
    return verbs, nouns


class _Acc:
    """What the walk has found so far; the nearest modality wins."""

    def __init__(self) -> None:
        self.negated = False
        self.modality: str | None = None
        self.cue = ""
        self.speaker: int | None = None
        self.implies: str | None = None
        self.implies_hedged = False

    def mod(self, modality: str, cue: str) -> None:
        self.implies_hedged = self.implies is not None
        if self.modality is None:
            self.modality, self.cue = modality, cue

    def neg(self, cue: str) -> None:
        self.implies_hedged = self.implies is not None
        if not self.negated:
            self.negated = True
            if not self.cue:
                self.cue = cue

    def apply(self, gov: Governor, word: Token) -> bool:
        """Apply a governing word; returns whether the walk goes on past it."""
        if gov.effect == "negated":
            self.neg(word.text)
            return True
        if gov.effect == "actual":
            return True
        if gov.effect == "reported":
            # "X is believed/said to ...": the passive subject is what the claim is about, not who makes it;
            # only an agent ("is said by Y to ...") speaks
            subj = [c for c in word.children if c.dep_ == "nsubj"] or [
                g for c in word.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
            ]
            if subj and self.speaker is None:
                self.speaker = subj[0].i
            return False
        if gov.implies and self.implies is None and self.modality is None and not self.negated:
            # "tried to take X": not asserted, but the attempt shows an advance, unless it is hedged in turn
            self.mod(gov.effect, word.text)
            self.implies = gov.implies
            return True
        self.mod(gov.effect, word.text)
        return False


def _own_cues(v: Token, lex: Lexicon, acc: _Acc, with_negation: bool = True) -> None:
    negators = lex.words("modality", "negators")
    denying = lex.words("modality", "negating_subject_words")
    for c in v.children:
        low = c.lower_
        if (
            with_negation
            and c.dep_ in ("nsubj", "nsubjpass")
            and any(g.dep_ in ("preconj", "det") and g.lower_ in denying for g in c.children)
        ):
            acc.neg(c.text)  # "Neither A nor B captured X"
            continue
        if with_negation and (c.dep_ == "neg" or (c.dep_ in ("advmod", "det") and low in negators)):
            acc.neg(c.text)
        elif c.dep_ == "aux" and low in lex.words("modality", "hypothetical_aux"):
            acc.mod("Hypothetical", c.text)
        elif c.dep_ == "aux" and low in lex.words("modality", "future_aux"):
            acc.mod("Future", c.text)
        elif c.dep_ == "advmod" and low in lex.words("modality", "hypothetical_adverbs"):
            acc.mod("Hypothetical", c.text)
        elif c.dep_ == "advmod" and low in lex.words("modality", "claimed_adverbs"):
            acc.mod("Claimed", c.text)
        elif c.dep_ == "mark" and low in lex.words("modality", "conditional_marks"):
            acc.mod("Hypothetical", c.text)
        elif c.dep_ == "mark" and low in lex.words("modality", "question_marks"):
            acc.mod("Questioned", c.text)
        elif with_negation and c.dep_ == "advmod" and any(g.lower_ in negators for g in c.children):
            acc.neg(c.text)  # "no longer in their hands", "not yet"
        elif c.dep_ == "advmod" and low == "yet" and v.lemma_ in ("have", "be"):
            acc.neg(c.text)
        elif low == "according" and acc.speaker is None:  # "According to X, ..." reports X's words
            for to in (g for g in c.children if g.lower_ == "to"):
                for pobj in (g for g in to.children if g.dep_ == "pobj"):
                    acc.speaker = pobj.i


def weigh(trigger: Token, lex: Lexicon, sent: Span | Sent | None = None) -> Weight:
    """The weight of the statement ``trigger`` (a verb or a noun) makes; ``sent`` is its sentence when the
    caller has it at hand (``Token.sent`` is slow)."""
    verbs, nouns = _governors(lex)
    acc = _Acc()
    v = trigger
    steps = 0
    if trigger.pos_ not in _VERBAL:
        _own_cues(trigger, lex, acc)
        cur = prev = trigger
        adjunct = False
        while cur.pos_ not in _VERBAL and cur.head is not cur and steps < _MAX_STEPS:
            prev, cur = cur, cur.head
            steps += 1
            gov = nouns.get(cur.lemma_.lower()) if cur.pos_ == "NOUN" else None
            if gov is not None and prev.dep_ in ("pobj", "prep", "acl", "compound") and not acc.apply(gov, cur):
                return _done(acc, sent if sent is not None else trigger.sent)
            adjunct = prev.dep_ == "prep"
        if cur.pos_ not in _VERBAL:
            return _done(acc, sent if sent is not None else trigger.sent)
        performed = prev.dep_ == "nsubjpass" and cur.lemma_.lower() in PERFORMING  # "was not carried out by Y"
        if (
            prev.dep_ in ("nsubj", "nsubjpass")
            and not performed
            and cur.lemma_.lower() not in lex.words("modality", "occurrence_verbs")
        ):
            # "their control of X was never in doubt": the verb says something about the fact, not whether it is
            return _done(acc, sent if sent is not None else trigger.sent)
        if adjunct:
            # "told X to withdraw on the counsel of Y": an adjunct phrase is not what the order is about
            _own_cues(cur, lex, acc)
            return _done(acc, sent if sent is not None else trigger.sent)
        gov = verbs.get(cur.lemma_.lower()) if prev.dep_ == "dobj" else None
        if gov is not None and gov.governs_objects and not acc.apply(gov, cur):  # "threatened an attack on X"
            _own_cues(cur, lex, acc)
            return _done(acc, sent if sent is not None else trigger.sent)
        v = cur
    while steps < _MAX_STEPS:
        steps += 1
        _own_cues(v, lex, acc)
        if v.dep_ == "conj":
            # "entered X and may take Y": a conjunct keeps its own auxiliaries; a bare one shares the first's.
            bare = v.tag_ == "VB" and not any(c.dep_ in ("aux", "neg") for c in v.children)
            first = v
            while first.dep_ == "conj" and first.head is not first:
                first = first.head
            if bare:
                v = first
                continue
            v = first
        if v.head is v:
            break
        nxt = _step(v, v.head, v.dep_, verbs, nouns, acc, lex)
        if nxt is None:
            break
        v = nxt
    return _done(acc, sent if sent is not None else trigger.sent)


def _step(
    v: Token, head: Token, dep: str, verbs: dict[str, Governor], nouns: dict[str, Governor], acc: _Acc, lex: Lexicon
) -> Token | None:
    """One step outward from clause ``v``; ``None`` stops the walk."""
    if dep == "pcomp" and head.lower_ in lex.words("modality", "negating_preps"):
        acc.neg(head.text)  # "withdrew without capturing X"
    if dep == "xcomp" or (dep == "pcomp" and head.pos_ == "ADP" and head.head is not head):
        gov_tok = head if dep == "xcomp" else head.head
        if dep == "pcomp" and head.dep_ != "prep":
            return None
        if dep == "pcomp" and head.lower_ in _ADJUNCT_PREPS:
            # "After seizing X, they moved on Y": a time adjunct is no complement of the verb it hangs on, which
            # neither plans nor attempts it; only that clause's own cues ("may, after taking X, ...") still count
            return gov_tok if gov_tok.pos_ in _VERBAL else None
        if gov_tok.pos_ == "NOUN":
            gov = nouns.get(gov_tok.lemma_.lower())
            if gov is not None:
                acc.apply(gov, gov_tok)
            return None
        gov = verbs.get(gov_tok.lemma_.lower())
        if gov is not None and not acc.apply(gov, gov_tok):
            _own_cues(gov_tok, lex, acc)  # "did not want to advance": the governor's own negation counts
            return None
        return gov_tok if gov_tok.pos_ in _VERBAL or gov_tok.pos_ == "ADJ" else None
    if dep in ("ccomp", "parataxis"):
        if dep == "ccomp" and is_aside(head, v):
            return None  # "X, said to be loyal to Y, is guarding Z": the aside reports on X, not on the guarding
        gov = verbs.get(head.lemma_.lower())
        if gov is not None and gov.effect == "Urged":
            # "told reporters (that) they had taken X": a that-clause or a quote after "tell" is reported, not urged
            gov = next((g for g in lex.governors if g.effect == "reported" and head.lemma_.lower() in g.verbs), gov)
        if gov is not None and gov.effect != "actual":
            acc.apply(gov, head)
        return None
    if dep == "acl":
        gov = nouns.get(head.lemma_.lower()) if head.pos_ == "NOUN" else None
        if gov is not None:  # "an attempt to take X", "the threat to attack X"
            acc.apply(gov, head)
    return None


def _done(acc: _Acc, sent: Span | Sent) -> Weight:
    if acc.modality is None and sent.text.rstrip().rstrip("\"'\u201d").endswith("?"):
        acc.mod("Questioned", "?")
    return Weight(
        acc.negated, acc.modality or "Actual", acc.cue, acc.speaker, None if acc.implies_hedged else acc.implies
    )

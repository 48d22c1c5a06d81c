"""Pass 7, pronouns: they/them/their, he/him/his, it/its refer to the nearest compatible entity before them.

Compatible: "they" a group (or a state's forces, or followers), and failing any, a state that acted as the
subject of a clause ("Croatia launched an operation in which they ..."); "he" a person; "it" a group, state
or place. Preferences, in order:

- a possessive or reflexive refers to its own clause's subject ("X ... formed its new party"), and a reported
  clause's subject to the speaker ("the army said it had withdrawn"); "its leader" is never a town's;
- an object is never the subject of its own verb ("they advised them");
- a landmark is skipped: a place inside an apposition or a prepositional phrase of another candidate
  ("X, a town west of Y, ... seized it"; "advanced toward X in central Y, capturing it");
- a sentence's main subject pronoun continues an earlier sentence's subject;
- otherwise the nearest mention, within three sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from spacy.tokens import Token

from kg.nlp.entities.table import Cluster, Table
from kg.nlp.lexicon import load_lexicon

_SPEECH = frozenset({"say", "tell", "announce", "stress", "add", "confirm", "claim", "insist", "deny"})


def run(t: Table) -> None:
    for tok in [x for x in t.toks if x.pos_ == "PRON" or x.tag_ in ("PRP", "PRP$")]:
        if tok.i in t.ref or not (tok.pos_ == "PRON" or tok.tag_ in ("PRP", "PRP$")):
            continue
        c = resolve(t, tok)
        if c is not None:
            t.ref[tok.i] = c.uid
            t.mention(c, tok.i, tok.i + 1, "pronoun", map_tokens=False)


def _want(t: Table, tok: Token) -> Callable[[Cluster], bool] | None:
    lex = t.lex
    low = tok.lower_
    if low in lex.plural_pronouns:
        return lambda c: c.group_like
    if low in lex.person_pronouns:
        return lambda c: c.type == "Person"
    if low in lex.neuter_pronouns:
        if _expletive(t, tok):
            return None
        if tok.dep_ == "dobj" and t.graph.lemmas[tok.head.i] in _place_verbs():
            return lambda c: c.place_like  # "his men recaptured it": what one captures is a place
        if tok.tag_ == "PRP$" and tok.head.lower_ in t.lex.words("group_roles"):
            return lambda c: c.group_like or c.kind == "state"  # "X holds Y, where its leader is based": X's
        if tok.tag_ == "PRP$" and lex.is_group_noun(tok.head.lower_):
            # "its fighters": a place has none, but a capital that speaks ("Baku said its troops") is its state
            return lambda c: c.group_like or c.kind == "state" or t.capital_of(c) is not None
        return lambda c: c.type in ("Group", "GPE", "Place") and c.kind not in ("forces", "side", "followers")
    return None


def resolve(t: Table, tok: Token) -> Cluster | None:
    want = _want(t, tok)
    if want is None:
        return None
    low = tok.lower_
    lex = t.lex
    neuter = low in lex.neuter_pronouns
    found = _own_subject(t, tok, want)
    if found is not None:
        return found
    verb = tok.head
    main_subject = tok.dep_ in ("nsubj", "nsubjpass") and verb.dep_ == "ROOT"
    if tok.dep_ == "pobj":  # "jailed dozens of them": the verb above the phrase
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
    agentive = tok.dep_ in ("nsubj",) and neuter  # "It later lost the town": not a place
    # "X's army retook the town, the government said, months after Y seized it": what one seizes is territory,
    # never a state named as a government acting or speaking
    taken = tok.dep_ == "dobj" and t.graph.lemmas[tok.head.i] in _place_verbs()
    acting = lex.words_of("government_words", "official_words")
    lo = t.sent_of[tok.i] - 2
    nearest: Cluster | None = None
    # "the regime jailed dozens of them": an object is never the entity its own verb's subject is
    subjects = (
        {c.uid for a in t.graph.deps(verb.i, "nsubj", "nsubj:pass") if (c := t.at(a.dep)) is not None}
        if tok.dep_ in ("dobj", "pobj")
        else set()
    )
    for s, e, uid, _k in sorted(t.spans, key=lambda x: (-x[0], x[1])):
        if s >= tok.i or t.sent_of[s] < lo:
            continue
        c = t.get(uid)
        if agentive and c.type == "Place":
            continue
        root = t.toks[e - 1]
        if taken and root.lower_ in acting:
            continue
        forces_it = neuter and tok.dep_ not in ("dobj", "pobj") and c.kind == "forces" and root.tag_ == "NN"
        if not want(c) and not (forces_it and lex.is_group_noun(root.lower_)):
            continue  # "the army ... it": a singular noun for a state's forces takes "it"
        if tok.dep_ in ("dobj", "pobj") and root.dep_.startswith("nsubj") and root.head.i == verb.i:
            continue  # "they advised them": not the same group
        if c.uid in subjects:
            continue
        if tok.dep_ in ("dobj", "pobj") and any(
            sj.dep_.startswith("nsubj") and sj.left_edge.i <= s and e - 1 <= sj.right_edge.i for sj in verb.children
        ):
            continue  # "X, supported by Y, pushed them back": neither X nor Y
        if _landmark(t, root, c, want) or _located(t, root, s, tok, c, want):
            continue
        if main_subject and root.dep_ in ("nsubj", "nsubjpass") and t.sent_of[s] < t.sent_of[tok.i]:
            return c  # a sentence's subject pronoun continues an earlier subject
        if nearest is None:
            nearest = c
            if not main_subject:
                return c
    if nearest is None and low in lex.plural_pronouns:
        return _acting_state(t, tok)
    return nearest


def _own_subject(t: Table, tok: Token, want: Callable[[Cluster], bool]) -> Cluster | None:
    """A possessive or reflexive refers to its clause's subject; a reported clause's subject to the speaker."""
    lex = t.lex
    low = tok.lower_
    neuter = low in lex.neuter_pronouns
    if tok.tag_ == "PRP$" or low.endswith(("self", "selves")):
        v = tok.head
        while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
            v = v.head
        heads = [v, v.head] if v.dep_ == "conj" else [v]
        if v.dep_ == "ccomp" and v.head.lemma_ in _SPEECH:
            heads.append(v.head)  # "the ministry said its units ...": the speaker's own units
        for h in heads:
            for a in t.graph.deps(h.i, "nsubj", "nsubj:pass", "nsubj:x"):
                subj = t.toks[a.dep]
                if tok.i in range(subj.left_edge.i, subj.right_edge.i + 1):
                    continue
                c = t.at(subj.i)
                if c is None:
                    continue
                singular = neuter and c.kind == "forces" and subj.tag_ == "NN"
                if want(c) or singular:
                    return c
    verb = tok.head
    if tok.dep_ in ("nsubj", "nsubjpass") and verb.dep_ == "ccomp" and verb.head.lemma_ in _SPEECH:
        for sj in verb.head.children:  # "The army said it had withdrawn": the speaker speaks of itself
            if sj.dep_ != "nsubj":
                continue
            c = t.at(sj.i)
            if c is not None and (want(c) or (neuter and c.kind == "forces" and lex.is_group_noun(sj.lower_))):
                return c
    return None


def _landmark(t: Table, root: Token, c: Cluster, want: Callable[[Cluster], bool]) -> bool:
    """Whether ``root`` only locates another candidate: inside its apposition or a locating phrase of it
    ("X, a town south of Y": Y locates X)."""
    node = root
    crossed = False
    for _ in range(8):
        if node.head.i == node.i:
            return False
        if node.dep_ == "appos" or (node.dep_ == "pobj" and node.head.lower_ in _LOCATING):
            crossed = True
        elif node.dep_ not in ("pobj", "prep", "compound", "amod", "advmod", "npadvmod"):
            return False
        node = node.head
        if crossed:
            other = t.at(node.i)
            if other is not None and other is not c and want(other):
                return True
            if other is not None and other is not c and other.place_like and c.place_like:
                return True  # "X entered Lobo, Northland. Its commanders ...": a country after a town only locates it
    return False


def _located(t: Table, root: Token, s: int, tok: Token, c: Cluster, want: Callable[[Cluster], bool]) -> bool:
    """ "advanced toward X in central Y, capturing it": a place only said to be where something happens (in,
    near) gives way to another candidate just before it in the same sentence."""
    if not (root.dep_ == "pobj" and root.head.lower_ in ("in", "near", "around", "inside", "within")):
        return False
    sent = t.sent_of[s]
    for s2, _e2, uid, _k in t.spans:
        if s2 < s and t.sent_of[s2] == sent:
            other = t.get(uid)
            if other is not c and want(other):
                return True
    return False


_LOCATING = frozenset({"in", "of", "near", "outside", "north", "south", "east", "west", "within", "inside"})


def _acting_state(t: Table, tok: Token) -> Cluster | None:
    """ "Croatia launched an operation in which they took X": a state that acted as a subject shortly before."""
    lo = t.sent_of[tok.i] - 1
    for s, e, uid, _k in sorted(t.spans, key=lambda x: -x[0]):
        if s >= tok.i or t.sent_of[s] < lo:
            continue
        c = t.get(uid)
        root = t.toks[e - 1]
        if c.kind == "state" and root.dep_ == "nsubj":
            return c
    return None


@lru_cache(maxsize=1)
def _place_verbs() -> frozenset[str]:
    """Verbs whose object the relation lexicon wants to be a place ("capture", "attack"): selectional evidence."""
    lex = load_lexicon()
    return frozenset(
        w
        for r in lex.rules
        if r.relation in ("controls", "advancesOn") and r.construction == "verb-active"
        for w in r.lemmas
    )


def _expletive(t: Table, tok: Token) -> bool:
    if tok.dep_ == "expl":
        return True
    head = tok.head
    if tok.dep_ in ("nsubj", "nsubjpass") and any(ch.dep_ in ("ccomp", "xcomp", "csubj") for ch in head.children):
        return head.lemma_ in ("be", "seem", "appear") or tok.dep_ == "nsubjpass"
    return False

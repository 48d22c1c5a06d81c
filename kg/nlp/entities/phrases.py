"""Noun phrases read once: the parts of a phrase that the group passes (states, members, descriptions) decide on.

"the 3,000 pro-government Malian army troops of the 4th Division loyal to X" has a determiner, a number,
a side ("pro-government"), a nationality ("Malian"), a head ("troops"), an owner ("of the 4th Division") and an
allegiance ("loyal to X"). :func:`read_np` finds them from the enhanced graph; the passes never walk the
parse themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from kg.nlp.entities.table import Cluster, Table, premodifiers
from kg.nlp.gazetteer import fold

_INDEFINITE = frozenset({"a", "an", "another", "any", "no", "every", "each"})


@dataclass
class NP:
    """The parts of a noun phrase around ``head``."""

    head: Token
    pre: list[Token]
    definite: bool
    indefinite: bool
    words: list[str]
    demonyms: list[Token] = field(default_factory=list)
    names: list[Token] = field(default_factory=list)  # premodifier tokens of a name ("Hamas" fighters)
    poss: Token | None = None  # "X's troops", "their troops"
    owner: Token | None = None  # "fighters of X", "advisers from X"
    owner_case: str = ""
    member_of: Token | None = None  # "forces loyal to X", "units belonging to X"
    ally_of: Token | None = None  # "militias allied with X"
    pro: Token | None = None  # the word after "pro-" ("pro-government", "pro-Mobutu")
    anti: Token | None = None

    @property
    def start(self) -> int:
        return self.pre[0].i if self.pre else self.head.i

    @property
    def bare(self) -> bool:
        """Nothing but function words before the head ("the rebels", "some soldiers")."""
        return all(x.pos_ in ("DET", "NUM") or x.like_num for x in self.pre)


def is_group_head(t: Table, tok: Token) -> bool:
    word = t.group_head_memo.get(tok.i)
    if word is None:  # what the parse says, read once per token (the passes ask for every token again)
        word = t.group_head_memo[tok.i] = _group_head_word(t, tok)
    return word and not (tok.pos_ == "PROPN" and tok.i in t.name_at)


def _group_head_word(t: Table, tok: Token) -> bool:
    if tok.pos_ not in ("NOUN", "PROPN") or tok.lower_ not in t.lex.group_heads:
        return False
    # "jet fighters", "drone units": machines
    return not any(c.dep_ in ("compound", "amod") and c.lower_ in t.lex.words("machine_words") for c in tok.lefts)


def read_np(t: Table, head: Token) -> NP:
    """The parts of the noun phrase headed by ``head``.

    The parse, the nationality words (all found by the names pass) and so the phrase are read once per head;
    which premodifiers are names is read on each call, as later passes find names ("Peshmerga forces").
    """
    base = t.np_memo.get(head.i)
    if base is None:
        base = t.np_memo[head.i] = _read_np(t, head)
    np = NP.__new__(NP)  # a copy of the phrase read once (dataclasses.replace costs more than reading it)
    np.__dict__.update(base.__dict__)
    np.names = [x for x in base.pre if x.i not in t.demonym_at and x.i in t.name_at]
    np.demonyms = list(base.demonyms)
    return np


def _read_np(t: Table, head: Token) -> NP:
    lex = t.lex
    g = t.graph
    pre = premodifiers(t, head)
    dets = [x.lower_ for x in pre if x.pos_ == "DET"] + [
        t.toks[a.dep].lower_ for a in g.deps(head.i, "det") if t.toks[a.dep].i < head.i
    ]
    words = [x.lower_ for x in pre if x.is_alpha] + [head.lower_]
    poss_arcs = [a for a in g.deps(head.i, "poss") if not a.why]
    poss = t.toks[poss_arcs[0].dep] if poss_arcs else None
    np = NP(
        head=head,
        pre=pre,
        definite="the" in dets or poss is not None or any(x.tag_ == "PRP$" for x in pre),
        indefinite=any(d in _INDEFINITE for d in dets),
        words=words,
        poss=poss,
    )
    for x in pre:
        if x.i in t.demonym_at:
            np.demonyms.append(x)
        elif x.i in t.name_at:
            np.names.append(x)
    for j, x in enumerate(pre):
        if x.lower_ in ("pro", "anti") and j + 2 < len(pre) and pre[j + 1].text == "-":
            if x.lower_ == "pro":
                np.pro = pre[j + 2]
            else:
                np.anti = pre[j + 2]
    for case in ("of", "from"):
        arcs = [a for a in g.deps(head.i, f"prep:{case}") if a.why in ("", "quantity")]
        if arcs and np.owner is None:
            np.owner, np.owner_case = t.toks[arcs[0].dep], case
    removed = head.dep_ == "dobj" and t.graph.lemmas[head.head.i] in lex.words("removal_verbs")
    if np.owner is None and head.lower_ in lex.words("member_nouns") and not removed:
        # (but "removed the mercenaries from X" takes them away from X: they need not be X's)
        # "working alongside 120 advisers from the X Guard": the parser hangs "from" on the verb above
        nxt = head.right_edge.i + 1
        if nxt < len(t.toks) and t.toks[nxt].lower_ == "from" and t.toks[nxt].head in head.ancestors:
            pobj = [c for c in t.toks[nxt].children if c.dep_ == "pobj"]
            if pobj:
                np.owner, np.owner_case = pobj[0], "from"
    conjuncts = head.conjuncts if np.owner is None else ()
    if conjuncts:
        # "the army, navy and police of X": an "of" phrase after the last conjunct belongs to each
        last = max(c.i for c in conjuncts)
        for c in sorted(conjuncts, key=lambda c: c.i):
            arcs = [a for a in g.deps(c.i, "prep:of") if not a.why and a.dep > last]
            if arcs:
                np.owner, np.owner_case = t.toks[arcs[0].dep], "of"
                break
    for a in g.deps(head.i, "amod", "acl"):
        adj = t.toks[a.dep]
        if adj.i < head.i:
            continue
        to = [t.toks[b.dep] for b in g.deps(adj.i, "prep:to", "prep:with", "prep:under") if not b.why]
        if not to:
            continue
        if adj.lower_ in lex.words("member_adjectives"):
            np.member_of = to[0]
        elif adj.lower_ in lex.words("ally_adjectives"):
            np.ally_of = to[0]
    if np.member_of is None:
        # "troops under the command of X", "forces commanded/led by X"
        for a in g.deps(head.i, "prep:under"):
            cmd = t.toks[a.dep]
            if cmd.lower_ in ("command", "control", "leadership", "orders"):
                of = [t.toks[b.dep] for b in g.deps(cmd.i, "prep:of")]
                if of:
                    np.member_of = of[0]
    return np


def owner_cluster(t: Table, tok: Token | None) -> Cluster | None:
    """The entity a possessor or "of" object names (a name, or anything resolved so far)."""
    if tok is None:
        return None
    c = t.at(tok.i)
    if c is None:
        for x in reversed(t.toks[tok.left_edge.i : tok.i]):  # a name inside the owner's own phrase
            c = t.name_cluster(x.i)
            if c is not None:
                break
    if c is None and tok.text[:1].isupper() and tok.is_alpha:
        # "pro-Mendoza militias" after "Alberto Mendoza": the one named entity the word is the name or surname of
        word = fold(tok.text)
        found = {
            x.uid: x
            for x in t.live()
            if x.kind == "name" and any(fold(n) == word or fold(n).split()[-1] == word for n in x.names)
        }
        if len(found) == 1:
            c = next(iter(found.values()))
    return c

"""Pass 3, states and their forces: who acts for a state.

- "British troops", "the Malian army", "US troops", "Chad's forces", "troops from Chad", "the army of
  Mali", "the Ethiopians": the state's armed forces, one group per state ("British forces"), tied to the state
  by a ``forcesOf`` link (never merged with it);
- "the Malian police", "Northland's navy": one of the state's other institutions, a group of its own
  ("Malian police"), tied to the state;
- "the Chadian government", "Malian officials", "Eritrean authorities": the state itself acting;
- "British and American officers": each coordinated nationality names its own forces;
- a nationality with a side word ("Malian rebels", "pro-Ethiopian militias") is no state's forces: the
  descriptions pass reads it.
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.nlp.entities.lexicon import State
from kg.nlp.entities.phrases import NP, is_group_head, owner_cluster, read_np
from kg.nlp.entities.table import Cluster, Table, content_text


def run(t: Table) -> None:
    for tok in t.tokens_in(t.lex.group_heads):  # (no other word is a group head)
        if tok.i in t.ref or not is_group_head(t, tok):
            continue
        if _modifies_group_head(t, tok):
            continue
        if tok.tag_ == "NN" and any(
            (c := t.name_cluster(a.dep)) is not None and c.type == "Person"
            for a in t.graph.deps(tok.i, "describes")
            if a.why == "appos"
        ):
            continue  # "a Chilean officer, X,": the person, not the state's forces (the descriptions pass)
        np = read_np(t, tok)
        st = _state_of(t, np)
        if st is None:
            continue
        target, kind = _acting_for(t, st, tok)
        _record(t, np, target, kind)
        _coordinated(t, np, st)
    _bare_demonyms(t)


def _modifies_group_head(t: Table, tok: Token) -> bool:
    """ "government troops": "government" is judged with the head it modifies."""
    head = tok.head
    return tok.dep_ in ("compound", "amod", "nmod") and head.i > tok.i and is_group_head(t, head)


def _state_of(t: Table, np: NP) -> State | None:
    """The state the phrase's own words name, unless a side word or "pro-/anti-" makes it a faction."""
    lex = t.lex
    if np.pro is not None or np.anti is not None:
        return None
    if any(lex.sides.get(w) == "insurgent" for w in np.words):
        return None  # "Malian rebels" are not Mali's forces
    head = np.head.lower_
    heads = lex.words_of("nationality_heads", "institution_heads", "official_words")
    if head not in heads:
        return None
    if np.names and np.demonyms and np.names[-1].i > np.demonyms[-1].i:
        return None  # "Iraqi Yazidi fighters": the group's own name, after the nationality, says whose they are
    if np.demonyms:
        return t.demonym_at[np.demonyms[-1].i]
    for x in reversed(np.names):
        c = t.name_cluster(x.i)
        if c is not None and c.kind == "state":
            return c.state
        if c is not None and c.kind == "forces" and head in lex.words("nationality_heads"):
            return c.state  # "Malian Army troops"
        break
    for tok in (np.poss, np.owner if np.owner_case in ("of", "from") else None):
        c = owner_cluster(t, tok)
        if c is not None and c.kind == "state" and c.state is not None:
            return c.state
        if c is not None and c.kind == "forces" and c.state is not None and tok is np.owner:
            return c.state  # "units of the Malian army"
    return None


def _acting_for(t: Table, st: State, head: Token) -> tuple[Cluster, str]:
    """Which entity a phrase with ``head`` stands for when it names state ``st``."""
    lex = t.lex
    low = head.lower_
    if low in lex.words("adviser_nouns"):
        sent = _sent_by(t, head)
        if sent is not None:
            return sent, "member"
        c = t.institution_cluster(st, "advisers" if low.startswith("advis") else "instructors")
        t.link(c, "forcesOf", t.state_cluster(st))
        return c, "nationality"
    police = any(x.lower_ in lex.words("police_modifiers") for x in head.lefts if x.dep_ in ("compound", "amod"))
    if low in lex.words("institution_heads") or police:
        canon = "gendarmerie" if low == "gendarmes" else low
        if police or low in ("policemen", "policeman"):
            canon = "police"
        c = t.institution_cluster(st, canon)
        t.link(c, "forcesOf", t.state_cluster(st))
        return c, "nationality"
    if low in lex.words("official_words") and low not in lex.words("nationality_heads"):
        return t.state_cluster(st), "nationality"
    if low == "army" and t.services_named(st):
        c = t.institution_cluster(st, "army")  # "the X Navy and Air Force ... the X Army": one service
        t.link(c, "forcesOf", t.state_cluster(st))
        return c, "nationality"
    c = t.forces_cluster(st)
    t.link(c, "forcesOf", t.state_cluster(st))
    return c, "nationality"


def _sent_by(t: Table, head: Token) -> Cluster | None:
    """The named body the text called advisers or instructors before ("advisers from the X Guard", "X
    instructors"): "Northlandic advisers" later are its men."""
    advisers = t.lex.words("adviser_nouns")
    lo = t.sent_of[head.i] - 6
    for x in reversed(t.toks[: head.i]):
        if t.sent_of[x.i] < lo:
            break
        if x.lower_ not in advisers:
            continue
        np = read_np(t, x)
        for tok in (np.owner if np.owner_case == "from" else None, np.names[-1] if np.names else None):
            c = owner_cluster(t, tok)
            if c is not None and c.kind == "name" and c.group_like:
                return c
    return None


def _record(t: Table, np: NP, target: Cluster, kind: str) -> None:
    start = np.start
    for x in np.pre:
        if x.tag_ == "PRP$" or x.pos_ == "DET" or x.like_num:
            continue
        t.ref.setdefault(x.i, target.uid)
    t.ref[np.head.i] = target.uid
    t.mention(target, start, np.head.i + 1, kind, map_tokens=False)
    alias = content_text(t, np.pre, np.head)
    if " " in alias and target.kind != "state":
        # never a bare "troops" (it would match every force); and "Xn officials" or "X's government" speak for
        # state X but are not its names
        target.aliases.add(alias)
    if np.owner is not None and np.owner_case in ("of", "from") and t.at(np.owner.i) is None:
        t.ref[np.owner.i] = target.uid
    for w in np.words:
        if t.lex.is_group_noun(w) or w in t.lex.sides:
            target.tie(w, np.head.i, t.lex.sides)


def _coordinated(t: Table, np: NP, st: State) -> None:
    """ "British and American officers": each coordinated nationality names its own forces."""
    for d in np.demonyms:
        for x in (d, *d.conjuncts):
            other = t.demonym_at.get(x.i)
            if other is None or other is st or x.i in t.ref:
                continue
            c, _kind = _acting_for(t, other, np.head)
            t.ref[x.i] = c.uid
            t.mention(c, x.i, x.i + 1, "nationality", map_tokens=False)
            c.aliases.add(f"{x.text} {np.head.text}")


def _bare_demonyms(t: Table) -> None:
    """ "the Ethiopians", "North Yemenis", "the Eritreans": a nationality used as a noun acts as its forces."""
    toks = t.toks
    for tok in [toks[i] for i in sorted(t.demonym_at)]:  # (this pass adds no nationality word)
        st = t.demonym_at.get(tok.i)
        if st is None or tok.i in t.ref or t.demonym_at.get(tok.i + 1) is st:
            continue  # judge the run "North Vietnamese" at its last token
        j = tok.i
        while j - 1 >= 0 and t.demonym_at.get(j - 1) is st:
            j -= 1
        adjectival = tok.dep_ in ("amod", "compound", "nmod") and tok.head.i > tok.i
        if adjectival or (tok.pos_ == "ADJ" and tok.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj", "conj")):
            continue
        if any(k in t.ref for k in range(j, tok.i + 1)):
            continue
        c = t.forces_cluster(st)
        t.link(c, "forcesOf", t.state_cluster(st))
        for k in range(j, tok.i + 1):
            t.ref[k] = c.uid
        t.mention(c, j, tok.i + 1, "nationality", map_tokens=False)
        c.aliases.add(t.surface(j, tok.i + 1))

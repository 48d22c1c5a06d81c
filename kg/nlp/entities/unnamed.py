"""Pass 8, unnamed actors and places: candidates named by their phrase.

"Armed men seized the port", "Kestrel instructors trained the police", "a narrow strip of land south of X",
"the column moved on Xanbo" (a name no model knows):
when a relation needs an argument that no name, description or pronoun resolved, the phrase itself names it.
This pass only prepares the candidates (one per noun-phrase head: a group of its own for people who act, a
place of its own for a part of a place); relation finding promotes a candidate to an entity when a statement
uses it (:meth:`kg.nlp.entities.EntityIndex.promote`), so a text's many unnamed phrases never clutter the graph.

The name is the phrase without its determiner, number or quantity word ("3,000 armed men" -> "armed men");
a place keeps what locates it ("narrow strip of land south of X", "the fort at Y", also where the parser hung
"at Y" on the event noun: "the seizure of the fort at Y"); a possessor stays ("Northland's naval
headquarters"). Generic names of a state's bodies ("police", "national army") are qualified by the state the
text is about, so one text's "police" is not another's.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from kg.nlp.entities.table import Table

_SKIP_DEPS = frozenset({"relcl", "acl", "appos", "punct", "cc", "conj", "advcl", "parataxis"})
_QUANTITY = frozenset(
    {"some", "many", "all", "most", "several", "few", "other", "more", "these", "those", "both", "each", "dozens",
     "hundreds", "thousands", "scores", "about", "around", "nearly", "almost", "over", "up", "to", "at", "least"}
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """An unnamed actor or place: its key, type, surface form and token span ``[start, end)``. A type ending in
    "?" is a guess from the word alone (an unknown name): it is promoted only where a statement wants that type."""

    key: str
    type: str
    alias: str
    start: int
    end: int
    more: tuple[str, ...] = ()


def run(t: Table) -> dict[int, Candidate]:
    out: dict[int, Candidate] = {}
    actors = t.lex.words("actor_nouns")
    parts = t.lex.words("place_part_nouns")
    last: dict[str, Candidate] = {}  # head word -> the latest place named with it ("the X compound")
    for i, st in sorted(t.demonym_at.items()):
        # "the Northlandic invasion of X": a nationality word no pass resolved may stand for its state, when a
        # statement wants it so
        if i not in t.ref and i not in t.backer_at and not t.in_dateline(i):
            out[i] = Candidate(t.state_key(st), "GPE", t.toks[i].text, i, i + 1)
    for tok in [x for x in t.toks if x.pos_ in ("NOUN", "PROPN")]:
        if tok.i in t.ref or tok.i in t.name_at or tok.pos_ not in ("NOUN", "PROPN") or t.in_dateline(tok.i):
            continue
        low = tok.lower_
        if tok.dep_ in ("compound", "amod") and tok.head.i > tok.i:
            continue
        if tok.tag_ in ("NNP", "NNPS") and _unknown_name(t, tok):
            cand = _proper(t, tok)
        elif low in actors:
            cand = _actor(t, tok)
        elif low in parts:
            cand = _place(t, tok)
            bare = [x for x in t.toks[tok.left_edge.i : tok.i] if x.lower_ != "the"]
            if not bare and low in last and tok.right_edge.i == tok.i:
                prev = last[low]  # "the compound" after "the UN compound": the same place
                cand = Candidate(prev.key, prev.type, t.surface(tok.i - 1, tok.i + 1), tok.i, tok.i + 1, prev.more)
            elif cand is not None:
                last[low] = cand
        else:
            continue
        if cand is not None:
            out[tok.i] = cand
    return out


def _unknown_name(t: Table, tok: Token) -> bool:
    """A capitalised word nothing resolved and the NER left alone: a name the models do not know ("moved on
    Xanbo", "the Zorgi took the town")."""
    if not (tok.is_alpha and tok.text[:1].isupper() and not tok.is_upper) or t.is_title(tok):
        return False
    if tok.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "LANGUAGE"):
        return False
    if tok.i in t.sent_starts or tok.lower_ in t.lower_words or tok.i in t.demonym_at or tok.i in t.backer_at:
        return False
    return not any(t.toks[k].i in t.name_at or t.toks[k].i in t.ref for k in range(tok.left_edge.i, tok.i))


def _proper(t: Table, head: Token) -> Candidate | None:
    """An unknown name, typed by the statement that uses it: a singular one only as a place ("advanced on
    Xanbo"), a plural one only as a group ("the Zorgis seized X")."""
    start = head.i
    while start > 0 and t.toks[start - 1].dep_ == "compound" and t.toks[start - 1].tag_ in ("NNP", "NNPS"):
        start -= 1
    alias = t.surface(start, head.i + 1)
    return Candidate(alias, "Group?" if head.tag_ == "NNPS" else "Place?", alias, start, head.i + 1)


#: Prepositions whose phrase locates a place named by a part noun ("a strip near X", "the fort at Y").
_LOCATING = frozenset(
    {"near", "in", "of", "around", "outside", "east", "west", "north", "south", "along", "on", "between", "at"}
)


def _time_phrase(prep: Token) -> bool:
    """ "the base at dawn", "the airport in May": a time, not a place."""
    return any(c.dep_ == "pobj" and c.ent_type_ in ("DATE", "TIME") for c in prep.children)


def _content_start(t: Table, head: Token) -> int:
    i = head.left_edge.i
    while i < head.i:
        x = t.toks[i]
        if x.pos_ in ("DET", "NUM", "PUNCT") or x.like_num or x.lower_ in _QUANTITY or x.tag_ == "PRP$":
            i += 1
            continue
        if x.dep_ in ("advmod", "quantmod", "nummod") and not x.is_alpha:
            i += 1
            continue
        break
    return i


def _actor(t: Table, head: Token) -> Candidate | None:
    start = _content_start(t, head)
    words = [x for x in t.toks[start : head.i + 1] if x.is_alpha or x.text == "-"]
    if not words or any(
        x.pos_ in ("VERB", "AUX", "ADV") and not _participle_adjective(t, x, head, start) for x in words
    ):
        return None  # "the latter favored alliance": a clause, not a name
    if len(words) == 1 and head.tag_ in ("NN", "NNP") and head.lower_ not in t.lex.words("standalone_actors"):
        return None  # a bare singular "group" or "force" names nothing on its own
    alias = t.surface(start, head.i + 1)
    key = alias
    generic = all(x.is_lower for x in words)
    st = t.main_state(head.i)
    if generic and st is not None and head.lower_ in t.lex.words_of("institution_heads", "force_heads"):
        key = f"{st.adjectives[0]} {alias}"  # "police" of a text about X is X's police
    return Candidate(key[:1].upper() + key[1:] if not generic else key, "Group", alias, start, head.i + 1)


def _participle_adjective(t: Table, x: Token, head: Token, start: int) -> bool:
    """ "masked gunmen", "heavily armed men": a participle that opens the phrase right before its noun, alone or
    after an adverb in "-ly", modifies the noun; after another word, or on a noun that heads a sentence with no
    verb, it is the verb the parser missed ("the latter favored alliance")."""
    if x.dep_ != "amod" or x.tag_ not in ("VBN", "VBG") or x.i != head.i - 1 or head.dep_ == "ROOT":
        return False
    return all(w.pos_ == "ADV" and w.lower_.endswith("ly") for w in t.toks[start : x.i])


def _place(t: Table, head: Token) -> Candidate | None:
    start = _content_start(t, head)
    poss = [c for c in head.children if c.dep_ == "poss" and c.tag_ != "PRP$"]
    if poss:
        start = min(start, poss[0].left_edge.i)
    end = head.i + 1
    for c in head.children:
        if c.i > head.i and c.dep_ == "prep" and c.lower_ in _LOCATING and not _time_phrase(c):
            skip = _SKIP_DEPS - ({"conj", "cc"} if c.lower_ == "between" else set())  # "between A and B"
            last = max(x.i for x in c.subtree if x.dep_ not in skip or x.i == c.i)
            sub = [x for x in c.subtree if x.dep_ in skip and x.i > c.i]
            if sub:
                last = min(last, min(x.i for x in sub) - 1)
            end = max(end, last + 1)
            if c.lower_ == "between" and end < len(t.toks) and t.toks[end].lower_ == "and":
                # "between A and B" where the parser hung "and B" elsewhere: B's phrase, to the next clause
                sent_end = t.sents[t.sent_of[head.i]].end
                k = end + 1
                while k < sent_end and t.toks[k].text not in (",", ";", ":") and not t.toks[k].tag_.startswith("VB"):
                    k += 1
                while k > end + 1 and not t.toks[k - 1].is_alpha:
                    k -= 1
                end = k
            break
    if end == head.i + 1 and end < len(t.toks):
        # "overran a strip of land near X", "the seizure of the airport at X": a locating phrase right after the
        # noun names it, wherever the parser hung it (on the verb, or on the noun an "of" phrase completes)
        nxt = t.toks[end]
        hosts = {head.head.i, head.head.head.i} if head.dep_ == "pobj" and head.head.lower_ == "of" else {head.head.i}
        if (
            nxt.dep_ == "prep"
            and nxt.lower_ in ("near", "around", "outside", "in", "at")
            and nxt.head.i in hosts
            and not _time_phrase(nxt)
        ):
            kept = [x.i for x in nxt.subtree if x.dep_ not in _SKIP_DEPS or x.i == nxt.i]
            stop = [x.i for x in nxt.subtree if x.dep_ in _SKIP_DEPS and x.i > nxt.i]
            end = min(stop) if stop else max(kept) + 1
    while end > head.i + 1 and not t.toks[end - 1].is_alpha:
        end -= 1
    alias = t.surface(start, end)
    if not any(x.is_alpha for x in t.toks[start:end]) or end - start < 2:
        return None  # a bare "the area" names no place
    short = t.surface(start, head.i + 1)
    more = (short,) if end > head.i + 1 and head.i > start else ()
    return Candidate(alias, "Place", alias, start, end, more)

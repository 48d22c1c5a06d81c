"""Pass 6, place descriptions: "the city", "the town of X", "X city", "the Malian capital", "the country",
"the peninsula", "the Valdian peninsula" refer to a place the text names.

- "X city", "X town" and "the town of X" are X; so is a place noun in apposition to X or X's predicate;
- "the capital": of the state a nationality adjective, an "of" phrase or a possessive names ("the Malian
  capital", "Mali's capital"), else a capital the text named before, else the capital of the state the text
  is about when the text names it anywhere (a report may say "the capital" before "the capital X"), else the
  dateline's city when that is a capital; "the provincial capital" is no state's capital;
- "the country" is the state the text is about;
- "the region", "the peninsula", "the province": the last place of that kind the text named (a place whose
  name ends in the word, else the latest region that is not a city or a country);
- "the city", "the town": the city the passage is about (mentioned most so far, then the nearest; the
  dateline's city only when the text names no other);
- "the Valdian peninsula", "the Tigrayan capital": an adjective made from a place the text names is that place.
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.nlp.entities.merging import place_of_adjective
from kg.nlp.entities.table import Cluster, Table
from kg.nlp.gazetteer import ascii_name, fold

_WINDOW = 3


def run(t: Table) -> None:
    lex = t.lex
    nouns = lex.city_nouns | lex.country_nouns | lex.words("region_heads")
    for tok in t.tokens_in(nouns):
        if tok.i in t.ref or tok.i in t.name_at or tok.pos_ not in ("NOUN", "PROPN") or tok.lower_ not in nouns:
            continue
        if not tok.is_lower:
            continue
        target = _resolve(t, tok)
        if target is None:
            continue
        mods = [x for x in tok.lefts if x.pos_ in ("ADJ", "PROPN", "NOUN") and x.i not in t.name_at]
        start = min([tok.i, *(x.i for x in mods)])
        for i in range(start, tok.i + 1):
            if i not in t.demonym_at:
                t.ref.setdefault(i, target.uid)
        t.ref[tok.i] = target.uid
        t.mention(target, start, tok.i + 1, "place", map_tokens=False)
        if any(x.i in t.demonym_at for x in mods) or any(_place_adjective(t, x) for x in mods):
            target.aliases.add(t.surface(start, tok.i + 1))


def _resolve(t: Table, head: Token) -> Cluster | None:
    lex = t.lex
    low = head.lower_
    g = t.graph
    # "X city", "X town": the place itself (whatever the NER made of X)
    prev = t.name_cluster(head.i - 1) if head.i > 0 else None
    if (
        prev is not None
        and low in lex.city_nouns
        and prev.kind == "name"
        and (prev.type in ("GPE", "Place") or any(t.geo_best(n) is not None for n in prev.names))
    ):
        if prev.forced_type is None:
            prev.votes["GPE"] += 3
            prev.strong = True
        return prev
    # "the capital X", "the city of X", "X, the main town", "the town, X"
    for a in g.deps(head.i, "prep:of", "describes"):
        if a.why not in ("", "appos", "copula", "appos-raise") or (a.rel == "prep:of" and low == "capital"):
            continue  # "the capital of X" is not X
        c = t.name_cluster(a.dep)
        if c is None and t.toks[a.dep].lower_ in lex.city_nouns and a.rel == "describes":
            # "the capital of Z, the town of X": the apposition's own "of" names it
            c = next((t.name_cluster(b.dep) for b in g.deps(a.dep, "prep:of") if t.name_cluster(b.dep)), None)
        if c is not None and c.place_like and c.kind != "state":
            return c
    for a in g.heads(head.i, "compound"):
        c = t.name_cluster(a.head)
        if c is not None and c.place_like and c.kind != "state":
            return c  # "the capital Bamako" parsed as a compound of the name
    dets = [x.lower_ for x in head.lefts if x.pos_ == "DET"]
    demonyms = [x for x in head.lefts if x.i in t.demonym_at]
    owner_state = _owner_state(t, head)
    headline = not dets and bool(demonyms) and low == "capital"
    if "the" not in dets and not headline and owner_state is None:
        return None
    derived = [c for x in head.lefts if (c := _place_adjective(t, x)) is not None]
    if derived:
        return derived[0]
    if low == "capital":
        if any(x.lower_ in lex.words("subnational_words") for x in head.lefts):
            return None  # "the provincial capital" is no state's capital
        st = t.demonym_at[demonyms[0].i] if demonyms else owner_state
        if st is not None:
            return _capital_cluster(t, st, create=True)
        if g.deps(head.i, "prep:of"):
            return None  # "the capital of Z" where Z is no state: only an apposition says which town
        return _plain_capital(t, head)
    if low in lex.country_nouns:
        st = t.main_state()
        return t.state_cluster(st) if st is not None and low != "state" else None
    if g.deps(head.i, "prep:of", "poss"):
        return None  # "the territory of X", "the city's X": the phrase says which, and it names nothing here
    if low in ("territory", "area", "areas", "zone", "territories"):
        return None  # too vague to point back at one named place ("regained the territory it had lost")
    if low in lex.words("region_heads") and low not in lex.city_nouns:
        return _region(t, head)
    return _city(t, head)


def _owner_state(t: Table, head: Token) -> object:
    for a in t.graph.deps(head.i, "poss", "prep:of"):
        c = t.at(a.dep)
        if c is not None and c.kind == "state":
            return c.state
    return None


def _place_adjective(t: Table, x: Token) -> Cluster | None:
    """ "Valdian" of "the Valdian peninsula": the place the text names whose adjective it is."""
    if x.i in t.name_at or x.i in t.demonym_at:
        return None
    return place_of_adjective(t, x.text)


def _capital_cluster(t: Table, st: object, create: bool) -> Cluster | None:
    code = getattr(st, "code", None)
    cap = t.gaz.capital(code) if code else None
    if cap is None:
        return None
    uid = t.by_key.get(fold(cap))
    if uid is not None:
        return t.get(uid)
    for c in t.live():
        if c.kind == "name" and c.place_like and any(fold(n) == fold(cap) for n in c.names):
            return c
    for c in t.live():
        if (
            c.kind == "name"
            and c.place_like
            and any((p := t.geo_best(n)) is not None and p.name == cap for n in c.names)
        ):
            return c
    if not create:
        return None
    place = t.gaz.best(cap, {code} if code else set())
    c = t.new("name")
    c.forced_type = "GPE"
    c.names[ascii_name(place.name) if place else cap] += 1
    t.by_key[fold(cap)] = c.uid
    return c


def _plain_capital(t: Table, head: Token) -> Cluster | None:
    """ "the capital" with nothing to say which: a capital named before, else the capital of the state the
    text is about when the text names it anywhere, else the dateline's city when that is a capital."""
    for _s, c in _places_before(t, head.i):
        if t.capital_of(c) is not None:
            return c
    st = t.main_state()
    if st is not None:
        cap = _capital_cluster(t, st, create=False)
        if cap is not None and cap.mentions:
            return cap
    filed = _dateline_city(t)
    return filed if filed is not None and t.capital_of(filed) is not None else None


def _places_before(t: Table, at: int) -> list[tuple[int, Cluster]]:
    lo = t.sent_of[at] - _WINDOW
    out: list[tuple[int, Cluster]] = []
    for s, _e, uid, _k in sorted(t.spans, key=lambda x: -x[0]):
        if s >= at or t.sent_of[s] < lo or t.in_dateline(s):
            continue
        c = t.get(uid)
        if c.kind == "name" and c.place_like:
            out.append((s, c))
    return out


def _dateline_city(t: Table) -> Cluster | None:
    if t.dateline is None:
        return None
    for x in t.toks:
        if x.idx >= t.dateline[1]:
            break
        if x.idx >= t.dateline[0] and x.i in t.name_at:
            c = t.name_cluster(x.i)
            if c is not None and c.kind == "name" and c.place_like:
                return c
    return None


def _settlement(t: Table, c: Cluster) -> bool:
    """A place named like a town (no "Province", "Plain", "Airport" ... as its last word, not a region)."""
    heads = t.lex.type_heads
    compass = t.lex.words("compass_words")
    return bool(c.names) and all(
        fold(n).split()[-1] not in heads and fold(n).split()[0] not in compass for n in c.names if fold(n)
    )


def _region(t: Table, head: Token) -> Cluster | None:
    low = head.lower_
    before = _places_before(t, head.i)
    for _s, c in before:
        if any(fold(n).split()[-1:] == [low] for n in c.names):
            return c  # "the province" after "Idlib Province"
    for _s, c in before:
        if (c.type == "Place" and not _settlement(t, c)) or (c.type == "Place" and c.votes["Place"] >= 3):
            return c
    return None


def _city(t: Table, head: Token) -> Cluster | None:
    low = head.lower_
    filed = _dateline_city(t)
    near = [
        c
        for _s, c in _places_before(t, head.i)
        if c is not filed and (c.type == "GPE" or (c.type == "Place" and _settlement(t, c))) and c.kind == "name"
    ]
    known = [c for c in near if any(t.geo_best(n) is not None for n in c.names)]
    pool = known or near
    if not pool:
        # further back: the city the text is about, when one was named more than any other
        counts: dict[int, int] = {}
        for s, _e, uid, _k in t.spans:
            c = t.get(uid)
            if s < head.i and c.kind == "name" and c.type == "GPE" and _settlement(t, c) and c is not filed:
                counts[c.uid] = counts.get(c.uid, 0) + 1
        ranked = sorted(counts.items(), key=lambda x: -x[1])
        if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return t.get(ranked[0][0])
        return (
            filed
            if filed is not None
            and not any(c.kind == "name" and c.type == "GPE" and c is not filed and c.mentions for c in t.live())
            else None
        )
    seen = {
        c.uid: (
            any(t.called.get(m[1] - 1) == low for m in c.mentions),
            sum(1 for m in c.mentions if m[0] < head.i and not t.speaks(m[1] - 1)),
        )
        for c in pool
    }
    return max(pool, key=lambda c: seen[c.uid])

"""The last step: canonical keys, and the :class:`EntityIndex` that relation finding reads.

Keys are deterministic and the same across documents wherever possible: GeoNames names for gazetteer places,
country names for states, "<adjective> forces" for a state's forces, "<adjective> police" for its other
institutions, "forces loyal to <person>" for a person's followers, "<country adjective> rebels" for a side the
text never names, and otherwise the name the text uses most (the longest spelling, never an acronym when a
full name is known). Entities the text names alike (:func:`same_name`: "X's Y" and "the X Y") are one entity,
and so are unnamed places or actors promoted under such names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.tokens import Span

from kg.model import Entity, GeoRef, Mention
from kg.nlp.entities.table import Cluster, Table
from kg.nlp.entities.unnamed import Candidate
from kg.nlp.gazetteer import ascii_name, fold


@dataclass(frozen=True)
class IndexedSpan:
    """A stretch of tokens ``[start, end)`` that refers to entity ``key``; ``kind`` says how (a name, a member
    noun, a pronoun ...; see ``kg.nlp.entities.table.KINDS``)."""

    start: int
    end: int
    key: str
    kind: str


@dataclass
class EntityIndex:
    """Entities of one document and the token -> entity-key map relation finding reads.

    ``entities`` maps each key to its :class:`kg.model.Entity`; ``token_entity`` maps a token index to the key
    of the entity that token refers to; ``spans`` lists every resolved mention with its kind, in document
    order; ``links`` ties entities that are not one of the four relations: (subject key, ``forcesOf`` /
    ``leads``, object key); ``candidates`` are unnamed actors and places a relation may promote.
    """

    entities: dict[str, Entity] = field(default_factory=dict)
    token_entity: dict[int, str] = field(default_factory=dict)
    spans: list[IndexedSpan] = field(default_factory=list)
    #: Keys whose type rests on strong evidence (a state, a title, a name's head word, the gazetteer): the
    #: roles relations give an entity may retype the others (see :meth:`retype`).
    firm: set[str] = field(default_factory=set)
    links: set[tuple[str, str, str]] = field(default_factory=set)
    candidates: dict[int, Candidate] = field(default_factory=dict)
    #: Keys of entities relation finding promoted from candidates (kept only if a relation uses them).
    promoted: set[str] = field(default_factory=set)
    #: (:func:`same_name` of a promoted entity's alias, its type) -> its key
    promoted_names: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Keys of the states among the entities: countries acting or named by their people, and the names the
    #: gazetteer knows as a country's ("an offensive in <country>" says nothing of where in it).
    states: set[str] = field(default_factory=set)
    doc_text: str = ""
    token_offsets: list[tuple[int, int]] = field(default_factory=list)

    def type_of(self, key: str) -> str:
        return self.entities[key].type

    def retype(self, key: str, new_type: str) -> bool:
        """Give ``key`` the type its roles in relations show ("captured X": X is a place); never a firm one."""
        ent = self.entities.get(key)
        if ent is None or key in self.firm or ent.type == new_type:
            return False
        self.entities[key] = replace(ent, type=new_type)
        return True

    def entity_at(self, token_i: int) -> str | None:
        return self.token_entity.get(token_i)

    def entity_for_span(self, span: Span) -> str | None:
        """The entity a span refers to: the one of its syntactic head, else of its first mapped token."""
        key = self.token_entity.get(span.root.i)
        if key is not None:
            return key
        for tok in span:
            key = self.token_entity.get(tok.i)
            if key is not None:
                return key
        return None

    def kind_at(self, token_i: int) -> str | None:
        """How the token refers to its entity (``name``, ``pronoun``, ...), or ``None``."""
        for s in self.spans:
            if s.start <= token_i < s.end:
                return s.kind
        return None

    def promote(self, token_i: int, agent: bool | None = None) -> str | None:
        """Make the unnamed candidate headed at ``token_i`` an entity (once); returns its key. A guessed type
        ("Place?") is promoted only where the statement wants that kind (``agent``)."""
        cand = self.candidates.get(token_i)
        if cand is None:
            return None
        if cand.type.endswith("?"):
            if agent is None or (cand.type == "Group?") != agent:
                return None
            cand = replace(cand, type=cand.type[:-1])
        key = cand.key
        for form in (cand.key, cand.alias, *cand.more):
            alike = self.promoted_names.get((same_name(form), cand.type)) if _comparable(form) else None
            if alike is not None:
                key = alike  # "Mali's army HQ" after "the Mali army HQ in Gao": the one place
                break
        if key in self.entities and key not in self.promoted:
            return key if self.entities[key].type == cand.type else None
        start, end = self.token_offsets[cand.start][0], self.token_offsets[cand.end - 1][1]
        mention = Mention(start, end, self.doc_text[start:end], 0)
        old = self.entities.get(key)
        aliases = tuple(sorted({cand.alias, key, *cand.more, *(old.aliases if old else ())}))
        mentions = tuple(sorted({mention, *(old.mentions if old else ())}))
        self.entities[key] = Entity(key=key, type=cand.type, aliases=aliases, mentions=mentions)
        self.promoted.add(key)
        for form in aliases:
            if _comparable(form):
                self.promoted_names.setdefault((same_name(form), cand.type), key)
        self.firm.add(key)
        for i in range(cand.start, cand.end):
            self.token_entity.setdefault(i, key)
        self.token_entity[token_i] = key
        self.spans.append(IndexedSpan(cand.start, cand.end, key, "phrase"))
        return key


def canonical(t: Table, c: Cluster, keys: dict[int, str]) -> str:
    if c.kind == "side":
        if c.fixed_key:
            return c.fixed_key
        st = c.state or t.main_state(c.first)  # the story's state where the side is first named
        noun = "rebels" if c.side == "insurgent" else "loyalist forces"
        return f"{st.adjectives[0]} {noun}" if st is not None else noun
    if c.kind == "followers":
        leader = next((keys.get(t.find(s)) for s, p, o in t.links if p == "leads" and t.find(o) == c.uid), None)
        return f"forces loyal to {leader}" if leader else "loyalist forces"
    if c.fixed_key:
        return c.fixed_key
    if c.kind == "state" and c.state is not None:
        return t.state_key(c.state)
    names = c.names
    if not names:
        forms = Counter(t.surface(s, e) for s, e, _k in c.mentions)
        return forms.most_common(1)[0][0] if forms else (sorted(c.aliases)[0] if c.aliases else f"entity {c.uid}")
    if c.type in ("GPE", "Place"):
        compass = t.lex.words("compass_words")
        regions = [n for n in names if n.split()[0].lower() in compass]
        if regions:  # "northern Mali": one key however the text capitalises it
            n = max(regions, key=lambda n: (names[n], n))
            return n[:1].upper() + n[1:]
        for n, _ in names.most_common():
            place = t.geo_best(n)
            if place is not None and (place.is_country or place.country in t.countries):
                return ascii_name(place.name)  # the gazetteer's spelling where the text's country says which
        if all(n.isupper() for n in names):
            n = names.most_common(1)[0][0]
            place = t.geo_best(n)
            return ascii_name(place.name) if place is not None else n.title()
        # a place the gazetteer does not know: the name the text uses most ("Valdia" over "the Valdian
        # peninsula"), then the longest
        return max(names, key=lambda n: (names[n], len(n.split()), n))
    folded: dict[str, Counter[str]] = {}
    for n, k in names.items():
        folded.setdefault(fold(n), Counter())[n] += k

    def score(item: tuple[str, Counter[str]]) -> tuple[int, int, int, str]:
        key, forms = item
        is_acro = all(f.isupper() for f in forms)
        return (0 if is_acro else 1, len(key.split()), sum(forms.values()), key)

    _best, forms = max(folded.items(), key=score)
    return max(forms, key=lambda f: (0 if f.isupper() and len(f) > 4 else 1, forms[f], f))


def georef(t: Table, c: Cluster) -> GeoRef | None:
    if c.kind != "name" or c.type not in ("GPE", "Place"):
        return None
    for n, _ in c.names.most_common():
        place = t.geo_best(n)
        if place is None or place.lat is None or place.long is None:
            continue
        return GeoRef(place.geonames_id, place.lat, place.long, place.country)
    return None


def _names_a_country(t: Table, c: Cluster) -> bool:
    if c.kind != "name" or not c.names or c.type != "GPE":
        return False
    place = t.geo_best(c.names.most_common(1)[0][0])
    return place is not None and place.is_country


def _drop_dateline(t: Table) -> None:
    """Mentions inside a dateline go: the place a report was filed from is no argument of anything."""
    if t.dateline is None:
        return
    a, b = t.dateline
    inside = {x.i for x in t.toks if a <= x.idx < b}  # (Table.in_dateline, for every token)
    if not inside:
        return
    for i in inside:
        t.ref.pop(i, None)
    t.spans = [sp for sp in t.spans if not (sp[0] in inside and sp[1] - 1 in inside)]
    for c in t.live():
        gone = {t.surface(s, e) for s, e, _k in c.mentions if s in inside and e - 1 in inside}
        if not gone:
            continue
        c.mentions = [m for m in c.mentions if not (m[0] in inside and m[1] - 1 in inside)]
        kept = {t.surface(s, e) for s, e, _k in c.mentions}
        for form in gone - kept:  # a dateline's "GOMA" is no alias to match later text against
            c.aliases.discard(form)
            if not c.mentions:
                c.names.pop(form, None)


_POSSESSIVE = re.compile(r"['\u2019]s\b|['\u2019]")
_NOT_WORD = re.compile(r"[^\w\s]")


def same_name(form: str) -> str:
    """A name as a reader compares two: lower case, no possessive "'s", no punctuation, no leading "the".

    >>> same_name("the Mali's Army H.Q.") == same_name("Mali army HQ")
    True
    """
    words = _NOT_WORD.sub("", _POSSESSIVE.sub("", form.lower())).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _comparable(form: str) -> bool:
    """A name two entities cannot share by chance: two words or more, one with a capital."""
    return " " in form.strip() and any(ch.isupper() for ch in form)


def merge_same_names(t: Table) -> None:
    """Entities the text names alike ("Mali's army HQ", later "the Mali army HQ") are one entity.

    Only names of two or more words with a capital are compared: "the town" or "government forces" name
    different things in one text; two entities of different types, or that may never be one
    (:meth:`Table.can_merge`), stay apart.
    """
    seen: dict[tuple[str, str], int] = {}
    for first in sorted(t.live(), key=lambda c: (c.first, c.uid)):
        c = t.get(first.uid)
        forms = sorted(f for f in {*c.aliases, *c.names} if _comparable(f))
        for form in forms:
            c = t.get(c.uid)
            k = (same_name(form), c.type)
            if not k[0]:
                continue
            uid = seen.setdefault(k, c.uid)
            other = t.get(uid)
            if other is not c and t.can_merge(other, c):
                c = t.merge(other, c)


def build(t: Table, candidates: dict[int, Candidate]) -> EntityIndex:
    _drop_dateline(t)
    merge_same_names(t)
    linked = {t.find(s) for s, _p, _o in t.links} | {t.find(o) for _s, _p, o in t.links}
    live = [c for c in t.live() if c.mentions or c.uid in linked]
    keys: dict[int, str] = {}
    taken: dict[str, Cluster] = {}
    # states and named entities first, so that followers can be keyed by their leader's key
    for c in sorted(live, key=lambda c: (c.kind == "followers", c.first, c.uid)):
        key = canonical(t, c, keys)
        other = taken.get(key)
        if other is not None and other is not c:
            if other.type == c.type and t.can_merge(other, c):
                t.merge(other, c)
                keys[c.uid] = key
                continue
            key = f"{key} ({c.type})" if f"{key} ({c.type})" not in taken else f"{key} ({c.uid})"
        taken[key] = c
        keys[c.uid] = key
    index = EntityIndex(doc_text=t.text, token_offsets=[(x.idx, x.idx + len(x.text)) for x in t.toks])
    neutral = t.lex.words("neutral_bare")
    members = t.lex.words("member_nouns")
    # one person of a group ("commander", "soldier", "spokesman"): no name of it (people in the plural stand for it)
    one_member = {w for w in members if w + "s" in members}
    one_member |= {w for w in t.lex.words("group_roles") if not w.endswith(("s", "ship"))} | {"official"}
    for key, c in taken.items():
        c = t.get(c.uid)
        if keys.get(c.uid) != key:
            continue
        # one Mention per token span, in the order of their start and end offsets (those of the tokens)
        mentions = [
            Mention(
                t.toks[s].idx,
                t.toks[e - 1].idx + len(t.toks[e - 1].text),
                t.text[t.toks[s].idx : t.toks[e - 1].idx + len(t.toks[e - 1].text)],
                t.sent_of[s],
            )
            for s, e in sorted({(s, e) for s, e, _k in c.mentions})
        ]
        aliases = {a for a in c.aliases if a.strip() and a.lower() not in neutral}
        if c.type != "Person":  # "the (X) commander" speaks for X, but is one person: no name of X
            aliases = {a for a in aliases if a.split()[-1].lower() not in one_member}
        aliases |= {n for n in c.names if n.strip()}
        aliases.add(key)
        geo = georef(t, c)
        index.entities[key] = Entity(
            key=key, type=c.type, aliases=tuple(sorted(aliases)), mentions=tuple(mentions), geo=geo
        )
        if c.forced_type or geo is not None or c.strong or c.ties or c.titled:
            index.firm.add(key)
        if c.kind == "state" or _names_a_country(t, c):
            index.states.add(key)
    final = {uid: keys[t.find(uid)] for uid in t.clusters if t.find(uid) in keys}
    for i, uid in sorted(t.ref.items()):
        if uid in final:
            index.token_entity[i] = final[uid]
    for i, uid in sorted(t.name_at.items()):
        if uid in final and not t.in_dateline(i):
            index.token_entity.setdefault(i, final[uid])
    for s, e, uid, kind in sorted(t.spans, key=lambda x: (x[0], x[1], x[3])):
        if uid in final:
            index.spans.append(IndexedSpan(s, e, final[uid], kind))
    for s, p, o in sorted(t.links):
        if s in final and o in final and final[s] != final[o]:
            index.links.add((final[s], p, final[o]))
    index.candidates = {i: c for i, c in candidates.items() if i not in index.token_entity}
    return index

"""The table the entity passes share: the document, the entities under construction, and which tokens refer
to which entity.

A pass reads the table and adds to it; it never keeps state of its own between documents. Entities under
construction are :class:`Cluster`\\ s; merging two is union-find (:meth:`Table.merge`), so a token's reference
(:meth:`Table.at`) always reaches the surviving cluster, and hard constraints (:meth:`Table.can_merge`) keep
apart what must never be one entity whatever a pass believes: two states, a state and its forces, a person and
a group, two organisations with different names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from kg.nlp.enhanced import DepGraph
from kg.nlp.entities.lexicon import EntityLexicon, State
from kg.nlp.gazetteer import Gazetteer, GeoPlace, ascii_name, fold
from kg.nlp.timex import dateline_span
from kg.nlp.tokens import Tok

if TYPE_CHECKING:
    from kg.nlp.entities.phrases import NP

#: How a mention refers to its entity (recorded for ``kg explain``).
KINDS = ("name", "member", "nationality", "description", "place", "apposition", "pronoun", "phrase")
#: What a cluster is: a named entity, a state, a state's armed forces or one of its institutions, the
#: followers of a person, an unnamed side of the conflict, a group named by its backer ("X-backed militias"),
#: or an actor or place the text names only by a phrase ("armed men").
CLUSTER_KINDS = ("name", "state", "forces", "institution", "followers", "side", "backed", "phrase")
_OPENING = 3  # sentences (headline, byline, lead) that set a story's country for all of it
_BIG_CITY = 100_000  # a city this large is a place even in a text that names no country
#: "GOMA, Democratic Republic of Congo - ", "KYIV - ", "BEIRUT, March 3 (Reuters) - ": where a report was filed,
#: at the start of a line in the opening; no entity is taken from it.
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\-]{2,}(?:[ \t]+[A-Z][A-Z.'\-]+)*(?:,[^\n\-\u2013\u2014]{0,60}?)?[ \t]+[-\u2013\u2014][ \t]", re.M
)
_DATELINE_WITHIN = 400


@dataclass
class Cluster:
    """One entity under construction."""

    uid: int
    kind: str = "name"
    names: Counter[str] = field(default_factory=Counter)
    aliases: set[str] = field(default_factory=set)
    votes: Counter[str] = field(default_factory=Counter)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    ties: dict[str, list[int]] = field(default_factory=dict)
    side: str | None = None
    state: State | None = None
    forced_type: str | None = None
    fixed_key: str | None = None
    strong: bool = False
    titled: bool = False
    provisional: bool = False
    first: int = 10**9

    def tie(self, word: str, at: int, sides: dict[str, str]) -> None:
        """``word`` referred to this entity at token ``at`` ("the rebels"): later uses of it may too."""
        self.ties.setdefault(word, []).append(at)
        if self.side is None and word in sides:
            self.side = sides[word]

    def tied_before(self, word: str, at: int) -> int:
        """Last token before ``at`` where ``word`` referred to this entity, or -1."""
        ats = self.ties.get(word)
        return max((i for i in ats if i < at), default=-1) if ats else -1

    @property
    def type(self) -> str:
        if self.forced_type:
            return self.forced_type
        best, score = "Group", 0
        votes = self.votes
        if not votes:
            return best
        for t in _TYPES:  # ties go to the earlier type
            v = votes.get(t, 0)  # (Counter's [] for a missing key is a Python call: read on every decision)
            if v > score:
                best, score = t, v
        return best

    @property
    def group_like(self) -> bool:
        """Whether "they", "the troops", "its fighters" can mean this entity."""
        return self.kind in ("forces", "institution", "followers", "side", "backed") or self.type == "Group"

    @property
    def place_like(self) -> bool:
        return self.type in ("GPE", "Place") and self.kind in ("name", "phrase", "state")


_TYPES = ("Person", "Group", "GPE", "Place")


def cap_word(text: str) -> bool:
    """Whether ``text`` starts with a capital, Latin script (``^[A-Z\\u00c0-\\u024f]``, compared by hand: this is
    read for every token of every document)."""
    c = text[:1]
    return "A" <= c <= "Z" or "\u00c0" <= c <= "\u024f"


@dataclass
class NameSpan:
    """A proper-name span found by the names pass, with its type votes."""

    start: int
    end: int
    text: str
    votes: Counter[str]
    label: str
    title: str = ""


class Table:
    """Shared state of the entity passes for one document."""

    def __init__(self, doc: Doc, graph: DepGraph, lex: EntityLexicon, gaz: Gazetteer) -> None:
        self.doc = doc
        self.graph = graph
        self.toks: list[Tok] = graph.toks
        self.text = graph.text
        self.lex = lex
        self.gaz = gaz
        self.sents = graph.sents
        #: whether each token is a capitalised word (read once: most name sources scan for them)
        self.caps: list[bool] = [
            x.is_alpha and ("A" <= x.text[0] <= "Z" or "\u00c0" <= x.text[0] <= "\u024f") for x in self.toks
        ]  # (cap_word, inlined: this is every token)
        self.sent_of: list[int] = [0] * len(self.toks)
        for si, s in enumerate(self.sents):
            self.sent_of[s.start : s.end] = [si] * (s.end - s.start)
        self.sent_starts = {s.start for s in self.sents}
        m = _DATELINE.search(self.text[:_DATELINE_WITHIN])
        self.dateline = (m.start(), m.end()) if m is not None else dateline_span(self.text)
        self.clusters: dict[int, Cluster] = {}
        self._parent: dict[int, int] = {}
        self.ref: dict[int, int] = {}  # token -> uid of the entity it refers to
        self.name_at: dict[int, int] = {}  # token of a proper name -> uid
        self._services: dict[str, bool] = {}
        self.spans: list[tuple[int, int, int, str]] = []  # start, end, uid, kind
        self.by_key: dict[str, int] = {}  # lookup keys (folded names, "state:..", "forces:..") -> uid
        self.names: list[NameSpan] = []
        self.countries: set[str] = set()  # ISO codes of states the text mentions
        self.country_mentions: Counter[str] = Counter()
        self.state_first: dict[str, int] = {}  # where the text first names each state
        self.demonym_at: dict[int, State] = {}  # nationality adjectives ("Malian")
        self.backer_at: dict[int, State] = {}  # "Iranian" of "Iranian-backed": no side of its own
        self.called: dict[int, str] = {}  # token of a name -> the place noun the text called it ("a town")
        self.links: set[tuple[int, str, int]] = set()
        self.follow: dict[int, int] = {}  # token -> token whose reference it shares ("their troops" -> "their")
        self._geo: dict[tuple[str, frozenset[str]], GeoPlace | None] = {}
        self._countries: frozenset[str] = frozenset()
        self._title: dict[int, bool] = {}
        self._next = 0
        self._live: list[Cluster] | None = None
        self._by_lower: dict[str, list[int]] | None = None
        self._tokens_in: dict[frozenset[str], list[Tok]] = {}
        #: what ``kg.nlp.entities.phrases`` read once per token: whether it may head a group phrase (but for its
        #: being a name), and its noun phrase (but for which premodifiers are names)
        self.group_head_memo: dict[int, bool] = {}
        self.np_memo: dict[int, NP] = {}
        starts = self.sent_starts
        # words the text capitalises inside a sentence: a sentence-initial "Houthi rebels" is named by "Houthi"
        self.mid_caps: set[str] = {t.lower_ for t in self.toks if t.i not in starts and t.text[:1].isupper()}
        self.lower_words: set[str] = {t.lower_ for t in self.toks if t.is_lower}
        #: whether each token is a word of a proper name: capitalised, tagged a proper noun, and not only
        #: capitalised because a sentence starts with it (read by most name sources)
        self.name_words: list[bool] = [
            caps
            and x.tag_ in ("NNP", "NNPS")
            and not (x.i in starts and x.lower_ in self.lower_words and not x.ent_type_)
            for caps, x in zip(self.caps, self.toks, strict=True)
        ]

    # ------------------------------------------------------------------------------------- clusters
    def new(self, kind: str = "name") -> Cluster:
        self._next += 1
        c = Cluster(uid=self._next, kind=kind)
        self.clusters[c.uid] = c
        self._parent[c.uid] = c.uid
        self._live = None
        return c

    def find(self, uid: int) -> int:
        root = uid
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[uid] != root:  # path compression
            self._parent[uid], uid = root, self._parent[uid]
        return root

    def get(self, uid: int) -> Cluster:
        return self.clusters[self.find(uid)]

    def live(self) -> list[Cluster]:
        """The clusters not merged into another, in order of creation."""
        if self._live is None:  # kept until the next new cluster or merge: the passes ask for it all the time
            # uids are handed out in increasing order, so ``clusters`` is in order of creation
            self._live = [c for uid, c in self.clusters.items() if self._parent[uid] == uid]
        return list(self._live)

    def can_merge(self, a: Cluster, b: Cluster) -> bool:
        """Hard constraints: what must never be one entity, whatever a pass believes."""
        a, b = self.get(a.uid), self.get(b.uid)
        if a is b:
            return True
        kinds = {a.kind, b.kind}
        if "state" in kinds and kinds != {"state"}:
            return False  # a state is never its forces, its police or a place in it
        if a.state is not None and b.state is not None and a.state is not b.state:
            return False
        if kinds & {"forces", "institution"} and (a.kind != b.kind or a.names.keys() != b.names.keys()):
            return a.kind == b.kind and a.state is b.state and not (a.names and b.names)
        for p, other in ((a, b), (b, a)):
            if p.type == "Person" and other.type in ("Group", "GPE") and _firm_person(p):
                return False  # a leader is not the movement named after him
        return True

    def merge(self, keep: Cluster, drop: Cluster) -> Cluster:
        """Make ``drop`` part of ``keep`` (both as they stand after earlier merges); returns the survivor."""
        keep, drop = self.get(keep.uid), self.get(drop.uid)
        if keep is drop:
            return keep
        keep.names.update(drop.names)
        keep.aliases |= drop.aliases
        keep.votes.update(drop.votes)
        keep.mentions.extend(drop.mentions)
        keep.first = min(keep.first, drop.first)
        for w, ats in drop.ties.items():
            keep.ties.setdefault(w, []).extend(ats)
        keep.side = keep.side or drop.side
        keep.state = keep.state or drop.state
        keep.forced_type = keep.forced_type or drop.forced_type
        keep.fixed_key = keep.fixed_key or drop.fixed_key
        keep.strong = keep.strong or drop.strong
        keep.titled = keep.titled or drop.titled
        keep.provisional = keep.provisional and drop.provisional
        if keep.kind == "name" and drop.kind != "name":
            keep.kind = drop.kind
        for k, v in self.by_key.items():
            if self.find(v) == drop.uid:
                self.by_key[k] = keep.uid
        self._parent[drop.uid] = keep.uid
        self._live = None
        return keep

    # ------------------------------------------------------------------------------------- mentions
    def mention(self, c: Cluster, start: int, end: int, kind: str, map_tokens: bool = True) -> None:
        """Record that tokens ``[start, end)`` refer to ``c``; ``map_tokens`` maps each token, else only the
        last (the head of the phrase: "the Malian capital" maps "capital", leaving "Malian" to its state)."""
        c = self.get(c.uid)
        c.mentions.append((start, end, kind))
        c.first = min(c.first, start)
        self.spans.append((start, end, c.uid, kind))
        for i in range(start, end) if map_tokens else (end - 1,):
            self.ref.setdefault(i, c.uid)

    def at(self, i: int) -> Cluster | None:
        """The entity token ``i`` refers to, if any."""
        uid = self.ref.get(i)
        if uid is None:
            uid = self.name_at.get(i)
        return None if uid is None else self.get(uid)

    def name_cluster(self, i: int) -> Cluster | None:
        uid = self.name_at.get(i)
        return None if uid is None else self.get(uid)

    def link(self, subject: Cluster, predicate: str, obj: Cluster) -> None:
        """A tie between two entities that is not one of the four relations ("X forcesOf Y")."""
        if self.find(subject.uid) != self.find(obj.uid):
            self.links.add((subject.uid, predicate, obj.uid))

    # -------------------------------------------------------------------------------------- helpers
    def tokens_in(self, words: frozenset[str]) -> list[Tok]:
        """The tokens whose lower-case form is one of ``words``, in text order: a pass that looks only at such
        tokens walks these rather than the whole text (the word lists are the lexicon's, fixed)."""
        found = self._tokens_in.get(words)
        if found is None:
            if self._by_lower is None:
                self._by_lower = {}
                for x in self.toks:
                    self._by_lower.setdefault(x.lower_, []).append(x.i)
            by_lower = self._by_lower
            if len(words) < len(by_lower):  # (whichever is smaller: the word list or the text's words)
                at = [i for w in words if w in by_lower for i in by_lower[w]]
            else:
                at = [i for w, ats in by_lower.items() if w in words for i in ats]
            at.sort()
            found = self._tokens_in[words] = [self.toks[i] for i in at]
        return found

    def title_case(self, i: int) -> bool:
        """Whether token ``i`` stands in a headline written in title case (most words capitalised), where
        capitals say nothing about names."""
        si = self.sent_of[i]
        if si not in self._title:
            sent = self.sents[si]
            words = [x for x in sent[1:] if x.is_alpha and len(x) > 3 and not x.ent_type_]
            caps = sum(1 for x in words if x.text[:1].isupper())
            self._title[si] = len(words) >= 3 and caps >= 0.8 * len(words)
        return self._title[si]

    def surface(self, start: int, end: int) -> str:
        """The text of tokens ``[start, end)``."""
        toks = self.toks
        if not 0 <= start < min(end, len(toks)):
            return "".join(t.text_with_ws for t in toks[start:end]).strip()
        # the document's text is its tokens' text_with_ws joined: slice it rather than join them again
        stop = toks[end].idx if end < len(toks) else len(self.text)
        return self.text[toks[start].idx : stop].strip()

    def in_dateline(self, i: int) -> bool:
        return self.dateline is not None and self.dateline[0] <= self.toks[i].idx < self.dateline[1]

    def is_title(self, tok: Token) -> bool:
        return tok.lower_.rstrip(".") in self.lex.words("titles")

    def geo_best(self, name: str) -> GeoPlace | None:
        """The gazetteer's likeliest place for ``name`` given the document's countries; never for stop words."""
        if len(self.countries) != len(self._countries):  # countries are only ever added
            self._countries = frozenset(self.countries)
        memo = (name, self._countries)  # the answer depends on nothing else: asked again and again, kept
        if memo not in self._geo:
            self._geo[memo] = self._geo_best(name)
        return self._geo[memo]

    def _geo_best(self, name: str) -> GeoPlace | None:
        key = fold(name)
        if key in self.lex.words("gazetteer_stopwords") or len(key) < 3:
            return None
        found = self.gaz.best(name, self.countries)
        if name.isupper() and len(name) <= 5:
            # an acronym is a place only under its own name ("ABC" may be listed as another name of some town)
            return found if found is not None and fold(found.name) == key else None
        return found

    def big_city(self, name: str, place: GeoPlace) -> bool:
        """A large city called by (a form of) its own name, not by one of its many alternate names."""
        a, b = fold(name), fold(place.name)
        return place.population >= _BIG_CITY and (a in b or b in a)

    def known_place(self, name: str) -> GeoPlace | None:
        """A gazetteer place for ``name`` that this text makes plausible: a country, a city in a country the
        text mentions, or a big city called by its own name."""
        place = self.geo_best(name)
        if place is None:
            return None
        if place.is_country or place.country in self.countries or self.big_city(name, place):
            return place
        return None

    def note_state(self, st: State, count: bool = True, at: int = 0) -> None:
        """A state the text names (by name, adjective or dateline) at token ``at``."""
        if st.code:
            self.countries.add(st.code)
        if count:
            self.country_mentions[st.names[0]] += 1
            self.state_first.setdefault(st.names[0], at)

    def state_cluster(self, st: State) -> Cluster:
        uid = self.by_key.get("state:" + st.names[0])
        if uid is not None:
            return self.get(uid)
        c = self.new("state")
        c.state = st
        c.forced_type = "GPE"
        c.strong = True
        self.by_key["state:" + st.names[0]] = c.uid
        return c

    def forces_cluster(self, st: State) -> Cluster:
        """The armed forces of a state, one group per state ("<adjective> forces"), tied to the state."""
        uid = self.by_key.get("forces:" + st.names[0])
        if uid is not None:
            return self.get(uid)
        c = self.new("forces")
        c.state = st
        c.forced_type = "Group"
        c.strong = True
        c.fixed_key = f"{st.adjectives[0]} forces"
        self.by_key["forces:" + st.names[0]] = c.uid
        self.note_state(st, count=False)
        return c

    def institution_cluster(self, st: State, head: str) -> Cluster:
        """One institution of a state other than its forces at large: "<adjective> police"."""
        key = f"institution:{st.names[0]}:{head}"
        uid = self.by_key.get(key)
        if uid is not None:
            return self.get(uid)
        c = self.new("institution")
        c.state = st
        c.forced_type = "Group"
        c.strong = True
        c.fixed_key = f"{st.adjectives[0]} {head}"
        self.by_key[key] = c.uid
        return c

    def state_key(self, st: State) -> str:
        """The key of a state's entity: the gazetteer's English name of the country, else the lexicon's."""
        if st.code:
            country = self.gaz.country(st.code)
            if country is not None:
                return ascii_name(country.name)
        return st.names[0]

    def phrase_group(self, text: str, side: str | None) -> Cluster:
        """The group a phrase names ("Druze militants", "Tigray forces", "the Royalist army"), one per phrase: a
        name of its own that the phrase is, keyed "phrase:<text>"."""
        key = "phrase:" + text.lower()
        uid = self.by_key.get(key)
        if uid is not None:
            return self.get(uid)
        c = self.new("name")
        c.forced_type = "Group"
        c.fixed_key = text
        c.names[text] += 1
        c.side = side
        c.strong = True
        self.by_key[key] = c.uid
        return c

    def services_named(self, st: State) -> bool:
        """Whether the text names an armed service of ``st`` besides its army ("the Northlandic Navy"): then
        "the Northlandic Army" is one service, not the armed forces at large."""
        if st.names[0] not in self._services:
            services = self.lex.words("service_words")
            found = False
            lasts = frozenset(w.split()[-1] for w in services)  # a service word ends with one of these
            for x in self.tokens_in(lasts):
                words = (x.lower_, f"{self.toks[x.i - 1].lower_} {x.lower_}" if x.i else x.lower_)
                if not any(w in services for w in words):
                    continue
                head = x.head if x.dep_ == "conj" else x  # "the Northlandic Navy and Air Force"
                before = (*self.toks[x.left_edge.i : x.i], *self.toks[head.left_edge.i : head.i])
                if any(self.demonym_at.get(y.i) is st or self.lex.state_by_adjective(y.text) is st for y in before):
                    found = True
                    break
            self._services[st.names[0]] = found
        return self._services[st.names[0]]

    def bare_side_before(self, side: str, at: int) -> bool:
        """Whether the text spoke of a side by a bare plural ("defected to rebels") before token ``at``: a name
        described later with that side's word ("the rebel X group") is one of them, and "the rebels" after it
        still means them all."""
        sides = self.lex.sides
        for x in self.toks[:at]:
            if (
                sides.get(x.lower_) == side
                and x.tag_ in ("NNS", "NNPS")
                and x.dep_ not in ("compound", "amod", "nmod")
                and x.i not in self.ref
                and not any(c.i in self.name_at for c in x.subtree)
            ):
                return True
        return False

    def main_state(self, at: int | None = None) -> State | None:
        """The state the text is about: named most (by name or adjective), each mention of a place the
        gazetteer puts in it counting too; ties go to the one named first. With ``at``, only states a reader
        takes for the story's there: named (or shown by a place) in its opening, or more than once before ``at``
        ("Government forces hold X ... Chinese officials urged both sides" is no Chinese army)."""
        if not self.country_mentions:
            return None
        votes = Counter(self.country_mentions)
        first = dict(self.state_first)
        for c in self.live():
            if c.kind != "name" or c.type not in ("GPE", "Place"):
                continue
            for n in c.names:
                place = self.known_place(n)
                st = self.lex.state_by_code(place.country) if place is not None and not place.is_country else None
                if st is not None:
                    votes[st.names[0]] += c.names[n]
                    first[st.names[0]] = min(first.get(st.names[0], c.first), c.first)
                    break
        if at is not None:
            # named in the opening, or named before ``at`` more than once (one later mention of a state, often an
            # outsider urging or sending help, does not make it the story's)
            opening = self.sents[min(_OPENING, len(self.sents)) - 1].end if self.sents else 0
            votes = Counter(
                {n: v for n, v in votes.items() if first.get(n, at) < opening or (first.get(n, at) < at and v > 1)}
            )
            if not votes:
                return None
        order = {n: i for i, n in enumerate(self.country_mentions)}
        best = min(votes, key=lambda n: (-votes[n], order.get(n, len(order))))
        return self.lex.state_by_name(best)

    def capital_of(self, c: Cluster) -> State | None:
        """The state whose capital ``c`` is, when the lexicon knows that state ("Moscow" -> Russia)."""
        if c.kind != "name" or c.type not in ("GPE", "Place"):
            return None
        for n in c.names:
            place = self.geo_best(n)
            if place is not None and not place.is_country and self.gaz.capital(place.country) == place.name:
                return self.lex.state_by_code(place.country)
        return None

    def speaks(self, i: int) -> bool:
        """Whether token ``i`` is the subject of a verb of saying ("Moscow said")."""
        t = self.toks[i]
        return t.dep_ == "nsubj" and self.graph.lemmas[t.head.i] in _SPEECH_VERBS

    def acts(self, c: Cluster) -> bool:
        """Whether the text shows ``c`` acting (a member noun tied to it, the subject of a verb other than one
        of saying, the agent of a passive): a source ("according to X", "X reported") is no antecedent."""
        if c.ties:
            return True
        for _s, e, _k in c.mentions:
            root = self.toks[e - 1]
            if root.dep_ == "nsubj" and self.graph.lemmas[root.head.i] not in _SPEECH_VERBS:
                return True
            if self.graph.heads(root.i, "agent"):
                return True
        return False


def _firm_person(c: Cluster) -> bool:
    """A person for sure: a title, a personal name of two words or more, or voted a person by strong evidence."""
    return c.titled or c.votes["Person"] >= 3 or any(len(n.split()) >= 2 for n in c.names)


_SPEECH_VERBS = frozenset(
    {"say", "tell", "announce", "stress", "add", "confirm", "claim", "insist", "deny", "report", "state"}
)


def _verb(t: Table, tok: Token) -> bool:
    """A participle the normalisation layer reads as a verb ("Y's men trained units": DepGraph._participle_verbs)."""
    return any(a.why == "participle" for a in t.graph.deps(tok.i, "obj"))


def premodifiers(t: Table, head: Token) -> list[Token]:
    """Tokens in front of ``head`` inside its noun phrase, stopping at a coordination, a comma or a spaced dash."""
    out: list[Token] = []
    i = head.i - 1
    lo = head.left_edge.i
    while i >= lo:
        tok = t.toks[i]
        ends = tok.dep_ == "cc" or tok.text in (",", ";", ":", "(", ")") or tok.pos_ in ("VERB", "AUX", "ADP")
        if ends and not (tok.pos_ == "VERB" and tok.tag_ == "VBN" and tok.dep_ == "amod" and not _verb(t, tok)):
            break  # but "the newly formed X" keeps its participle (not one the graph reads as a verb)
        if tok.is_punct and tok.whitespace_ and tok.text != "-":
            break
        if tok.is_punct and tok.text == "-" and (tok.whitespace_ or (i > 0 and t.toks[i - 1].whitespace_)):
            break  # "KYIV - Ukrainian forces": a spaced dash ends the phrase
        out.append(tok)
        i -= 1
    out.reverse()
    return out


_QUANTITY_WORDS = frozenset(
    {"some", "many", "all", "most", "several", "few", "same", "other", "more", "these", "those", "both", "each"}
)


def alias_text(t: Table, toks: list[Token], head: Token) -> str:
    """Alias for a description: its content words ("3,000 coalition troops" -> "coalition troops")."""
    content = [
        x
        for x in toks
        if (x.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") or x.tag_ == "POS" or x.text == "-")
        and not x.like_num
        and not (len(x.text) == 1 and x.is_lower)
        and x.lower_ not in _QUANTITY_WORDS
    ]
    while content and content[0].pos_ in ("ADJ", "VERB") and content[0].i != head.i and _descriptive(t, content[0]):
        content = content[1:]  # "jubilant", "rapid", "newly formed": not part of the name
    while content and content[0].text == "-":
        content = content[1:]
    if not content or content[-1].i != head.i:
        content.append(head)
    return "".join(x.text_with_ws for x in content).strip()


#: Parts of speech of the words that qualify a number ("at least", "more than", "nearly", "some", "up to").
_NUMBER_QUALIFIERS = frozenset({"ADV", "ADP", "ADJ", "DET", "PART", "SYM"})


def content_text(t: Table, toks: list[Token], head: Token) -> str:
    """The phrase from its first content word to its head: "the 3,000 embattled national troops" ->
    "embattled national troops" (no determiner, number, quantity word or possessive pronoun)."""
    words = [x for x in toks if x.i < head.i]
    first_num = next((k for k, x in enumerate(words) if x.like_num), None)
    if first_num is not None and all(x.pos_ in _NUMBER_QUALIFIERS for x in words[:first_num]):
        words = words[first_num:]  # "at least 5,000 rebels", "more than 300 troops": the number's own words
    while words and (
        words[0].pos_ in ("DET", "NUM", "PUNCT", "ADP", "SYM")  # (the dash of "2,000-3,000")
        or words[0].like_num
        or words[0].tag_ == "PRP$"
        or words[0].lower_ in _QUANTITY_WORDS
        or (len(words[0].text) == 1 and words[0].is_lower)
    ):
        words = words[1:]
    if not words:
        return head.text
    return t.surface(words[0].i, head.i + 1)


def _descriptive(t: Table, x: Token) -> bool:
    """An adjective that describes rather than names: lower case, not a side word, not a nationality."""
    if x.lower_ in t.lex.sides or x.i in t.demonym_at:
        return False
    if x.pos_ == "VERB":
        return True
    return x.is_lower or (x.i in t.sent_starts and x.ent_type_ not in ("NORP", "ORG", "GPE"))

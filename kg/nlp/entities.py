"""Entity mentions and their resolution within one document.

``resolve_entities(doc)`` returns an :class:`EntityIndex`: the document's entities and, for every token that
refers to one, the key of that entity. Relation finding (``kg.nlp.relations``) reads only this index, never
NER labels directly, so everything that refers to an entity is mapped here:

- **names**: NER spans (cleaned: no leading "the", no titles such as "Dr" or "General", split at commas),
  plus place names the NER missed that the GeoNames gazetteer knows in a country the text mentions;
- **short forms** ("Kerr" for "Alan Kerr", "Bandar" for "Bandar-e-Anzali") and **acronyms** ("M23" after
  "March 23 Movement (M23)", or initials of a name the text uses) join the full name;
- **members** stand for their group: "Hamas fighters", "forces of the X", "their troops";
- **nationalities**: "British troops", "the Soviets", "Syrian Army" become one group named
  "<adjective> forces" ("British forces"), with the surface forms as aliases;
- **descriptions** ("the opposition", "the alliance", "the rebels", "the regime", "the Islamist rulers",
  "government troops") resolve to the group the text tied that word to (a premodifier as in "the
  opposition X", a member noun, the head word of the name) or, failing that, to the group on the same side
  (insurgent or incumbent, see ``ontology/entities.toml``); an unnamed side gets an entity of its own named
  by its first mention ("rebel forces");
- **place descriptions** ("the city", "the town of X", "the Syrian capital", "the country") and
  appositions ("X, the last city held by Y") resolve to the place;
- **pronouns** (they/them/their, he/she/his, it/its) resolve to the nearest compatible antecedent ("the army
  said it ...": a reported clause's subject pronoun is its speaker; a landmark inside an apposition or the
  verb's own subject phrase is skipped);
- **backed groups**: "Kurdish-led forces", "US-backed militias" are one group named by the phrase; the backer's
  nationality names no side and says nothing of the text's country;
- **regions**: "the X district", "X province", "the X region", "X state" are a Place of their own, distinct from a
  city X; "X city" is the city; "the <city> suburb of X" is X;
- **groups named by a people, tribe or family**: "X rebels", "X fighters" and "the Xs" are one Group keyed by
  the name, never a Person and never prefixed by a country adjective ("Lebanese X fighters" is X); a
  sentence-initial X counts as a name when the text capitalises it elsewhere or never writes it in lower case;
- a **dateline** ("GOMA, ... -", "KYIV -", "KYIV (Reuters) -") names where a report was filed: no mention is
  taken from it, but its city (from the gazetteer when the NER missed it) is the story's city that a later
  "the capital" (or "the city", when no other city is named) means; a headline's "seize Yemeni capital" is the
  state's capital.

Types come from votes: the NER label, the gazetteer (a city the NER tagged ORG or PERSON is still a city),
place cues ("the Battle of X", "N miles north of X"), titles, and the last word of the name ("... Army").
Canonical keys are deterministic (GeoNames names for gazetteer places, country names for states,
"<adjective> forces" for nationalities), so the same entity gets one IRI across documents.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from kg.errors import KGError
from kg.model import Entity, GeoRef, Mention
from kg.nlp.gazetteer import Gazetteer, GeoPlace, ascii_name, fold, load_gazetteer
from kg.nlp.timex import dateline_span
from kg.resources import ontology_dir, read_toml

#: NER labels that can name an entity, and the type each one votes for.
NER_TYPES = {"PERSON": "Person", "ORG": "Group", "NORP": "Group", "GPE": "GPE", "LOC": "Place", "FAC": "Place"}
#: Mention kinds recorded in :attr:`EntityIndex.spans`.
KINDS = ("name", "member", "nationality", "description", "place", "apposition", "pronoun")

_SPEECH_VERBS = frozenset({"say", "tell", "announce", "stress", "add", "confirm", "claim", "insist", "deny"})
#: NER labels that make a capitalised sentence-initial adjective a proper word ("Islamist"), unlike a
#: misread one ("Triumphant" tagged PERSON).
_ADJ_NAME_LABELS = ("NORP", "ORG", "GPE")
_BIG_CITY = 100_000  # a city this large is a place even in a text that names no country
_WINDOW = 3  # sentences back that a description or pronoun looks for its antecedent
#: Function words that leave a phrase bare: "some soldiers" is as bare as "soldiers", "defence forces" is not.
_QUANTIFIERS = frozenset(
    {"the", "some", "many", "most", "several", "other", "more", "these", "those", "dozens", "hundreds"}
)
_CAP = re.compile(r"^[A-Z\u00c0-\u024f]")
#: "GOMA, Democratic Republic of Congo - ", "KYIV - ", "BEIRUT, March 3 (Reuters) - ": where a report was filed,
#: at the start of a line in the opening; no entity is taken from it.
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\-]{2,}(?:[ \t]+[A-Z][A-Z.'\-]+)*(?:,[^\n\-\u2013\u2014]{0,60}?)?[ \t]+[-\u2013\u2014][ \t]", re.M
)
_DATELINE_WITHIN = 400


# --------------------------------------------------------------------------------------------- lexicon
@dataclass(frozen=True)
class State:
    """A state: ISO code (``None`` for one that no longer exists), names and nationality adjectives."""

    code: str | None
    names: tuple[str, ...]
    adjectives: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class EntityLexicon:
    """``ontology/entities.toml``: the general words entity resolution uses."""

    group_nouns: frozenset[str]
    member_nouns: frozenset[str]
    sides: dict[str, str]
    neutral_bare: frozenset[str]
    titles: frozenset[str]
    type_heads: dict[str, str]
    skip_heads: frozenset[str]
    gazetteer_stopwords: frozenset[str]
    force_words: frozenset[str]
    compass_words: frozenset[str]
    state_force_words: frozenset[str]
    nationality_heads: frozenset[str]
    salient_nouns: frozenset[str]
    force_heads: frozenset[str]
    city_nouns: frozenset[str]
    country_nouns: frozenset[str]
    place_cues: tuple[tuple[str, ...], ...]
    distance_units: frozenset[str]
    region_heads: frozenset[str]
    government_words: frozenset[str]
    subnational_words: frozenset[str]
    soldier_words: frozenset[str]
    backing_participles: frozenset[str]
    plural_pronouns: frozenset[str]
    person_pronouns: frozenset[str]
    neuter_pronouns: frozenset[str]
    states: tuple[State, ...]

    def state_by_name(self, text: str) -> State | None:
        return _state_maps(self)[0].get(fold(text))

    def state_by_adjective(self, text: str) -> State | None:
        """The state of a nationality word: "British", "Iraqis", "the South Sudanese"."""
        _names, adjs = _state_maps(self)
        key = fold(text)
        key = key[4:] if key.startswith("the ") else key
        found = adjs.get(key)
        if found is None and key.endswith("s"):
            found = adjs.get(key[:-1])
        return found


@lru_cache(maxsize=8)
def _state_maps(lex: EntityLexicon) -> tuple[dict[str, State], dict[str, State]]:
    names: dict[str, State] = {}
    adjs: dict[str, State] = {}
    for st in lex.states:
        for n in st.names:
            names.setdefault(fold(n), st)
        for a in st.adjectives:
            adjs.setdefault(fold(a), st)
    return names, adjs


def _words(data: dict[str, object], name: str, where: str) -> frozenset[str]:
    value = data.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(x, str) and x.strip() for x in value):
        raise KGError(f"{where}: {name!r} must be a non-empty list of words")
    return frozenset(x.lower() for x in value)


def _table(data: dict[str, object], name: str, where: str) -> dict[str, object]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise KGError(f"{where}: [{name}] table missing")
    return value


def parse_entity_lexicon(data: dict[str, object], where: str) -> EntityLexicon:
    """Validate and build the lexicon; errors name the file, the entry and what is allowed."""
    sides: dict[str, str] = {}
    for side, words in _table(data, "sides", where).items():
        if side not in ("insurgent", "incumbent"):
            raise KGError(f"{where}: [sides] {side!r} is not one of insurgent, incumbent")
        for w in _words({side: words}, side, f"{where} [sides]"):
            sides[w] = side
    heads: dict[str, str] = {}
    for etype, words in _table(data, "type_heads", where).items():
        if etype not in ("Person", "Group", "GPE", "Place"):
            raise KGError(f"{where}: [type_heads] {etype!r} is not one of Person, Group, GPE, Place")
        for w in _words({etype: words}, etype, f"{where} [type_heads]"):
            heads[w] = etype
    places = _table(data, "place_nouns", where)
    pronouns = _table(data, "pronouns", where)
    states: list[State] = []
    raw_states = data.get("state")
    if not isinstance(raw_states, list) or not raw_states:
        raise KGError(f"{where}: no [[state]] tables found")
    for i, st in enumerate(raw_states):
        if not isinstance(st, dict):
            raise KGError(f"{where}: state #{i + 1} is not a table")
        code = st.get("code")
        if code is not None and (not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code)):
            raise KGError(f"{where}: state #{i + 1}: code must be a two-letter ISO code, got {code!r}")
        names = st.get("names")
        adjs = st.get("adjectives")
        for label, value in (("names", names), ("adjectives", adjs)):
            if not isinstance(value, list) or not value or not all(isinstance(x, str) for x in value):
                raise KGError(f"{where}: state #{i + 1}: {label} must be a non-empty list of strings")
        states.append(State(code, tuple(names or ()), tuple(adjs or ())))
    cues = tuple(tuple(c.split()) for c in _words(data, "place_cues_before", where))
    return EntityLexicon(
        group_nouns=_words(data, "group_nouns", where),
        member_nouns=_words(data, "member_nouns", where),
        sides=sides,
        neutral_bare=_words(data, "neutral_bare", where),
        titles=_words(data, "titles", where),
        type_heads=heads,
        skip_heads=_words(data, "skip_heads", where),
        gazetteer_stopwords=_words(data, "gazetteer_stopwords", where),
        force_words=_words(data, "force_words", where),
        compass_words=_words(data, "compass_words", where),
        state_force_words=_words(data, "state_force_words", where),
        nationality_heads=_words(data, "nationality_heads", where),
        salient_nouns=_words(data, "salient_nouns", where),
        force_heads=_words(data, "force_heads", where),
        city_nouns=_words(places, "city", f"{where} [place_nouns]"),
        country_nouns=_words(places, "country", f"{where} [place_nouns]"),
        place_cues=tuple(sorted(cues, key=lambda c: (-len(c), c))),
        distance_units=_words(data, "distance_units", where),
        region_heads=_words(data, "region_heads", where),
        government_words=_words(data, "government_words", where),
        subnational_words=_words(data, "subnational_words", where),
        soldier_words=_words(data, "soldier_words", where),
        backing_participles=_words(data, "backing_participles", where),
        plural_pronouns=_words(pronouns, "plural", f"{where} [pronouns]"),
        person_pronouns=_words(pronouns, "person", f"{where} [pronouns]"),
        neuter_pronouns=_words(pronouns, "neuter", f"{where} [pronouns]"),
        states=tuple(states),
    )


@lru_cache(maxsize=4)
def load_entity_lexicon(path: Path | None = None) -> EntityLexicon:
    """``ontology/entities.toml`` (or ``path``), parsed and validated once per process."""
    path = path or ontology_dir() / "entities.toml"
    return parse_entity_lexicon(read_toml(path, "entity lexicon"), str(path))


# ----------------------------------------------------------------------------------------------- index
@dataclass(frozen=True)
class IndexedSpan:
    """A stretch of tokens ``[start, end)`` that refers to entity ``key``; ``kind`` is one of :data:`KINDS`."""

    start: int
    end: int
    key: str
    kind: str


@dataclass
class EntityIndex:
    """Entities of one document and the token -> entity-key map relation finding reads.

    ``entities`` maps each key to its :class:`kg.model.Entity`; ``token_entity`` maps a token index to the key
    of the entity that token refers to (names, member nouns, descriptions, pronouns); ``spans`` lists every
    resolved mention with its kind, in document order (for ``kg explain``).
    """

    entities: dict[str, Entity] = field(default_factory=dict)
    token_entity: dict[int, str] = field(default_factory=dict)
    spans: list[IndexedSpan] = field(default_factory=list)
    #: Keys whose type rests on strong evidence (a state, a title, a name's head word, the gazetteer): the
    #: roles relations give an entity may retype the others (see :meth:`retype`).
    firm: set[str] = field(default_factory=set)

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


# -------------------------------------------------------------------------------------------- clusters
@dataclass
class _Cluster:
    """One entity under construction."""

    uid: int
    names: Counter[str] = field(default_factory=Counter)
    aliases: set[str] = field(default_factory=set)
    votes: Counter[str] = field(default_factory=Counter)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)  # token start, end, kind
    ties: dict[str, list[int]] = field(default_factory=dict)  # descriptive word -> tokens that used it
    side: str | None = None
    state: State | None = None
    nationality: bool = False
    unnamed: bool = False  # a side's group the text never names ("the rebels")
    backed: bool = False  # named by its backer ("X-backed militias"): its side is unknown unless its words say
    strong: bool = False  # some type evidence beyond an NER label (title, cue, gazetteer, head word)
    forced_type: str | None = None
    fixed_key: str | None = None
    first: int = 10**9

    def tie(self, word: str, at: int, lex: EntityLexicon) -> None:
        self.ties.setdefault(word, []).append(at)
        if self.side is None and word in lex.sides:
            self.side = lex.sides[word]

    def tied_before(self, word: str, at: int) -> int:
        """Last token before ``at`` where ``word`` referred to this entity, or -1."""
        return max((i for i in self.ties.get(word, ()) if i < at), default=-1)

    @property
    def type(self) -> str:
        if self.forced_type:
            return self.forced_type
        best, score = "Group", 0
        for t in ("Person", "Group", "GPE", "Place"):  # ties go to the earlier type
            if self.votes[t] > score:
                best, score = t, self.votes[t]
        return best


@dataclass
class _Name:
    """A proper-name span found in pass 1."""

    start: int
    end: int
    text: str
    votes: Counter[str]
    label: str
    title: str = ""


class _Resolver:
    def __init__(self, doc: Doc, lex: EntityLexicon, gaz: Gazetteer) -> None:
        self.doc = doc
        self.toks: list[Token] = list(doc)  # indexing a list is much cheaper than Doc.__getitem__
        self.lex = lex
        self.gaz = gaz
        self.sent_of: list[int] = [0] * len(doc)
        self.sents = list(doc.sents)
        for si, s in enumerate(self.sents):
            for t in s:
                self.sent_of[t.i] = si
        starts = {s.start for s in self.sents}
        self.dateline = dateline_span(doc.text)
        # words the text capitalises inside a sentence: a sentence-initial "Houthi rebels" is named by "Houthi" too
        self.mid_caps: set[str] = {t.lower_ for t in self.toks if t.i not in starts and t.text[:1].isupper()}
        # words the text also writes in lower case, or the lexicon knows: ordinary words, not names
        self.common_words: set[str] = {t.lower_ for t in self.toks if t.is_lower}
        self.common_words |= (
            lex.group_nouns | lex.member_nouns | set(lex.sides) | lex.neutral_bare | lex.titles | lex.force_words
        )
        self.common_words |= lex.compass_words | lex.state_force_words | lex.government_words | lex.subnational_words
        self.common_words |= lex.soldier_words | lex.skip_heads | lex.gazetteer_stopwords | set(lex.type_heads)
        self.clusters: list[_Cluster] = []
        self.by_name: dict[str, _Cluster] = {}
        self.token_cluster: dict[int, _Cluster] = {}
        self.spans: list[tuple[int, int, _Cluster, str]] = []
        self.countries: set[str] = set()
        self.demonym_at: dict[int, State] = {}
        self.backer_at: dict[int, State] = {}  # "Iranian" of "Iranian-backed militias": not a side of its own
        self.called: dict[int, str] = {}  # last token of a name -> the place noun the text called it ("a town")
        self.name_at: dict[int, _Cluster] = {}
        self.next_uid = 0
        self.alive: set[int] = set()  # uids of the clusters not merged away
        self.geo_memo: dict[tuple[str, frozenset[str]], GeoPlace | None] = {}
        self.country_mentions: Counter[str] = Counter()

    # ---------------------------------------------------------------------------------------- helpers
    def new_cluster(self) -> _Cluster:
        self.next_uid += 1
        c = _Cluster(uid=self.next_uid)
        self.clusters.append(c)
        self.alive.add(c.uid)
        return c

    def add_mention(self, c: _Cluster, start: int, end: int, kind: str, map_tokens: bool = True) -> None:
        c.mentions.append((start, end, kind))
        c.first = min(c.first, start)
        self.spans.append((start, end, c, kind))
        if map_tokens:
            for i in range(start, end):
                self.token_cluster.setdefault(i, c)

    def surface(self, start: int, end: int) -> str:
        """The text of tokens ``[start, end)`` (no Span object: this runs for every candidate name)."""
        return "".join(t.text_with_ws for t in self.toks[start:end]).strip()

    def geo_best(self, name: str) -> GeoPlace | None:
        """The gazetteer's likeliest place for ``name`` given the document's countries; never for stop words."""
        key = fold(name)
        if key in self.lex.gazetteer_stopwords or len(key) < 3:
            return None
        memo = (key, frozenset(self.countries))
        if memo not in self.geo_memo:
            self.geo_memo[memo] = self.gaz.best(name, self.countries)
        return self.geo_memo[memo]

    def big_city(self, name: str, place: GeoPlace) -> bool:
        """A large city called by (a form of) its own name, not by one of its many alternate names."""
        a, b = fold(name), fold(place.name)
        return place.population >= _BIG_CITY and (a in b or b in a)

    def is_title(self, tok: Token) -> bool:
        return tok.lower_.rstrip(".") in self.lex.titles

    def is_title_text(self, text: str) -> bool:
        """Whether ``text`` starts with a title ("Gen. X"): a person for sure."""
        return text.split()[0].lower().rstrip(".") in self.lex.titles

    def name_joint(self, i: int) -> bool:
        """Whether token ``i`` joins the parts of one name: the hyphen and particle of "Tahrir al-Sham"."""
        toks = self.toks
        x = toks[i]
        if i == 0 or i + 1 >= len(toks) or x.whitespace_:
            return False
        if x.text == "-":
            return not toks[i - 1].whitespace_
        return x.is_alpha and x.is_lower and len(x) <= 3 and toks[i + 1].text == "-"

    def backs(self, end: int) -> bool:
        """Whether a name ending before token ``end`` is the first part of "X-led", "X-backed", "X-trained"."""
        toks = self.toks
        return (
            end + 1 < len(toks)
            and toks[end].text == "-"
            and not toks[end - 1].whitespace_
            and not toks[end].whitespace_
            and toks[end + 1].lower_ in self.lex.backing_participles
        )

    # ----------------------------------------------------------------------------------- pass 1: names
    def clean_ner(self, ent: Span) -> list[tuple[int, int, str]]:
        """Cut an NER span into clean name spans: no leading article or title, split at commas/"and"/a spaced
        dash."""
        doc = self.doc
        start, end = ent.start, ent.end
        while end > start and (
            self.toks[end - 1].is_punct or self.toks[end - 1].is_space or self.toks[end - 1].tag_ == "POS"
        ):
            end -= 1
        while start < end and (
            self.toks[start].lower_ == "the" or self.toks[start].is_space or self.toks[start].is_punct
        ):
            start += 1
        title = ""
        if ent.label_ in ("PERSON", "ORG"):
            t0 = start
            while start < end - 1 and self.is_title(self.toks[start]):
                start += 1
            if start > t0:
                title = doc[t0:start].text
        pieces: list[tuple[int, int, str]] = []
        if any(self.toks[i].lower_ == "of" for i in range(start, end)):
            for k in range(end, start + 2, -1):
                if self.toks[k - 1].is_alpha and self.lex.state_by_name(self.surface(start, k)) is not None:
                    return [(start, k, title)]  # "Democratic Republic of the Congo": one name, "of" and all
        cur = start
        for i in range(start, end):
            t = self.toks[i]
            spaced_dash = t.text in ("-", "\u2013", "\u2014", "--") and (
                bool(t.whitespace_) or (i > 0 and bool(self.toks[i - 1].whitespace_))
            )  # "SANAA - Houthis": a dateline's dash between two names
            if t.text == "," or t.dep_ == "cc" or t.is_space or spaced_dash or (t.pos_ == "ADP" and t.is_lower):
                if i > cur:
                    pieces.append((cur, i, title))
                cur = i + 1
                if t.pos_ == "ADP":
                    break
        else:
            if end > cur:
                pieces.append((cur, end, title))
        # "TRIPOLI - Fighters ...": a lone group noun the NER capitalised at a sentence start names nothing
        lone = self.lex.group_nouns | self.lex.member_nouns
        return [p for p in pieces if p[1] - p[0] > 1 or self.toks[p[0]].lower_ not in lone]

    def name_ok(self, start: int, end: int, label: str) -> bool:
        doc = self.doc
        toks = doc[start:end]
        if not any(ch.isalpha() for ch in toks.text) or not _CAP.match(toks[0].text):
            return False
        if all(self.is_title(t) for t in toks):
            return False
        last = toks[-1].lower_
        if last in self.lex.skip_heads:
            return False
        if end - start == 1:
            t = toks[0]
            if label in ("PERSON", "ORG", "GPE", "LOC", "FAC") and t.tag_ not in ("NNP", "NNPS"):
                place = self.geo_best(t.text)  # "Homs" tagged as a plural noun is still a city
                if place is None or not (place.country in self.countries or self.big_city(t.text, place)):
                    return False
            if label == "ORG" and end < len(doc) and self.is_title(self.toks[end]):
                return False  # "Defence" of "Defence Secretary"
        return True

    def place_cue(self, start: int, end: int) -> int:
        """Votes for "place" from the words around a name: "the Battle of X", "N miles north of X", "in X"."""
        before = [t.lower_ for t in self.toks[max(0, start - 3) : start]]
        for cue in self.lex.place_cues:
            if tuple(before[-len(cue) :]) == cue:
                return 3
        after = [t.lower_ for t in self.toks[end : end + 6]]
        if len(after) >= 4 and after[0] == ",":
            rest = after[1:]
            if rest and rest[0] in ("about", "some", "around", "roughly", "nearly", "just"):
                rest = rest[1:]
            if (
                len(rest) >= 3
                and (rest[0][:1].isdigit() or self.toks[end + 1].like_num)
                and rest[1] in self.lex.distance_units
            ):
                return 3
        if before and before[-1] in ("in", "at", "into", "near", "towards", "toward", "outside"):
            return 1
        return 0

    def find_names(self) -> list[_Name]:
        doc = self.doc
        lex = self.lex
        found: list[_Name] = []
        for ent in doc.ents:
            if ent.label_ in ("EVENT", "WORK_OF_ART"):
                # "the Battle of X": X is a place
                ofs = [t.i for t in ent if t.lower_ == "of"]
                if ofs and ofs[0] + 1 < ent.end:
                    s, e = ofs[0] + 1, ent.end
                    while e > s and not self.toks[e - 1].is_alpha:
                        e -= 1
                    if e > s and _CAP.match(self.toks[s].text):
                        found.append(_Name(s, e, self.surface(s, e), Counter({"GPE": 3}), "GPE"))
                continue
            if ent.label_ not in NER_TYPES:
                continue
            for s, e, title in self.clean_ner(ent):
                if not self.name_ok(s, e, ent.label_):
                    continue
                label = ent.label_
                if label == "NORP" and e == ent.end:
                    # "Islamic State" where the NER took only "Islamic": proper nouns it left out finish the name
                    stop_ = e
                    while (
                        stop_ < len(doc)
                        and self.toks[stop_].tag_ in ("NNP", "NNPS")
                        and not self.toks[stop_].ent_type_
                        and _CAP.match(self.toks[stop_].text)
                        and self.toks[stop_].is_alpha
                    ):
                        stop_ += 1
                    demonym = lex.state_by_adjective(self.surface(s, e)) if stop_ > e else None
                    nxt = self.toks[stop_] if stop_ < len(doc) else None
                    if (
                        demonym is not None
                        and lex.state_by_name(self.surface(s, e)) is None
                        and nxt is not None
                        and nxt.is_lower
                        and (nxt.lower_ in lex.member_nouns or nxt.lower_ in lex.group_nouns)
                        and not any(
                            self.toks[k].lower_ in lex.group_nouns or self.toks[k].lower_ in lex.member_nouns
                            for k in range(e, stop_)
                        )
                    ):
                        # "Lebanese Druze fighters": a nationality before the group's own name, not part of it
                        self.country_mentions[demonym.names[0]] += 1
                        for i in range(s, e):
                            self.demonym_at[i] = demonym
                        if demonym.code:
                            self.countries.add(demonym.code)
                        found.append(_Name(e, stop_, self.surface(e, stop_), Counter({"Group": 2}), "ORG"))
                        continue
                    if stop_ > e:
                        found.append(_Name(s, stop_, self.surface(s, stop_), Counter({"Group": 2}), "ORG"))
                        continue
                text = self.surface(s, e)
                if ent.label_ == "NORP" or (ent.label_ in ("ORG", "GPE", "LOC", "PERSON") and e - s == 1):
                    st = lex.state_by_adjective(text)
                    if st is not None and lex.state_by_name(text) is None and self.backs(e):
                        for i in range(s, e):
                            self.backer_at[i] = st  # "Iranian-trained": says nothing of the text's country
                        continue
                    if st is not None and lex.state_by_name(text) is None:
                        self.country_mentions[st.names[0]] += 1
                        for i in range(s, e):
                            self.demonym_at[i] = st
                        if st.code:
                            self.countries.add(st.code)
                        continue
                if ent.label_ == "NORP" and self.toks[e - 1].tag_ not in ("NNP", "NNPS"):
                    continue  # "Islamic", "Sunni": a description, not a name
                votes: Counter[str] = Counter({NER_TYPES[ent.label_]: 1})
                if not title and s > 0 and self.is_title(self.toks[s - 1]) and ent.label_ in ("PERSON", "ORG"):
                    title = self.toks[s - 1].text
                if title:
                    votes["Person"] += 3
                found.append(_Name(s, e, text, votes, ent.label_, title))
                st = lex.state_by_name(text)
                if st is not None and not self.backs(e):
                    self.country_mentions[st.names[0]] += 1
                if st is not None and st.code:
                    self.countries.add(st.code)
                elif ent.label_ == "GPE":
                    g = self.gaz.lookup(text)
                    if g and g[0].is_country:
                        self.countries.add(g[0].country)
        # nationality adjectives the NER missed ("KYIV - Ukrainian forces ..."): the lexicon knows them
        in_name = {i for n in found for i in range(n.start, n.end)}
        for t in self.toks:
            i = t.i
            if i in in_name or i in self.demonym_at or i in self.backer_at or t.ent_type_ or not _CAP.match(t.text):
                continue
            if t.pos_ not in ("ADJ", "PROPN", "NOUN") or lex.state_by_name(t.text) is not None:
                continue
            st = lex.state_by_adjective(t.text)
            if st is None:
                continue
            if self.backs(i + 1):
                self.backer_at[i] = st
                continue
            self.demonym_at[i] = st
            self.country_mentions[st.names[0]] += 1
            if st.code:
                self.countries.add(st.code)
        # "northern Syria": a region of a country, a Place of its own
        for k, n in enumerate(found):
            compass = self.toks[n.start - 1] if n.start > 0 else None
            if (
                compass is not None
                and compass.lower_ in lex.compass_words
                and compass.is_lower
                and lex.state_by_name(n.text)
            ):
                region = f"{compass.text.capitalize()} {n.text}"
                found[k] = _Name(compass.i, n.end, region, Counter({"Place": 5}), "LOC")
        # "March 23 Movement (M23)": a capitalised phrase before a bracketed acronym is a name
        for t in self.toks:
            if t.text != "(" or t.i + 2 >= len(doc) or self.toks[t.i + 2].text != ")" or t.i == 0:
                continue
            acro = self.toks[t.i + 1].text
            if not (acro.isupper() or re.fullmatch(r"[A-Z][A-Za-z]*\d+[A-Za-z]*", acro)) or len(acro) > 8:
                continue
            j = t.i
            while j - 1 >= 0 and (
                (self.toks[j - 1].is_title or self.toks[j - 1].is_upper or self.toks[j - 1].like_num)
                or (self.toks[j - 1].lower_ in ("of", "the", "for", "and") and j < t.i)
                or self.name_joint(j - 1)
            ):
                j -= 1
            while j < t.i and (self.toks[j].lower_ in ("of", "the", "for", "and") or self.toks[j].like_num):
                j += 1
            for k in range(j + 1, t.i - 1):  # "Rebels of the X (Y)": the members are not part of the name
                if self.toks[k].lower_ == "of" and self.toks[k - 1].lower_ in lex.member_nouns:
                    j = k + 1
                    while j < t.i and self.toks[j].lower_ == "the":
                        j += 1
            if t.i - j < 2 or not self.toks[t.i - 1].is_title:
                continue
            if any(n.start < t.i and n.end > j and (n.start < j or n.end > t.i) for n in found):
                continue
            found = [n for n in found if not (n.start >= j and n.end <= t.i)]
            found.append(_Name(j, t.i, self.surface(j, t.i), Counter({"Group": 1}), "ORG"))
        # "Harakat-e Inqilab", "Jaish-e Adl": parts joined by a hyphen and a short particle are one name
        found.sort(key=lambda n: n.start)
        joined: list[_Name] = []
        for n in found:
            prev = joined[-1] if joined else None
            gap = doc[prev.end : n.start] if prev is not None else None
            if (
                prev is not None
                and gap is not None
                and 0 < len(gap) <= 2
                and gap[0].text == "-"
                and not self.toks[prev.end - 1].whitespace_
                and all(g.text == "-" or (g.is_alpha and g.is_lower and len(g) <= 3) for g in gap)
            ):
                joined[-1] = _Name(prev.start, n.end, self.surface(prev.start, n.end), prev.votes + n.votes, prev.label)
            else:
                joined.append(n)
        found = joined
        # "Ra's Tanura": a name with an inner "'s" that the NER splits (the first part never stands alone)
        texts = Counter(t.text for t in self.toks)
        before_pos = Counter(self.toks[t.i - 1].text for t in self.toks if t.tag_ == "POS" and t.i > 0)
        for t in self.toks:
            if t.tag_ != "POS" or t.i == 0 or t.i + 1 >= len(doc):
                continue
            a, b = self.toks[t.i - 1], self.toks[t.i + 1]
            if not (a.is_alpha and b.is_alpha and _CAP.match(a.text) and _CAP.match(b.text) and b.pos_ == "PROPN"):
                continue
            if texts[a.text] != before_pos[a.text]:
                continue
            nxt = self.toks[b.i + 1] if b.i + 1 < len(doc) else None
            if a.whitespace_ or (nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.is_lower):
                continue
            s_, e_ = a.i, b.i + 1
            parts = [n for n in found if n.start < e_ and n.end > s_]
            if not parts or any(n.start < s_ or n.end > e_ for n in parts):
                continue
            votes = Counter({"GPE": 1})
            for n in parts:
                found.remove(n)
            found.append(_Name(s_, e_, self.surface(s_, e_), votes, "GPE"))
        # gazetteer scan for places the NER missed or split ("Bandar-e-Anzali", "Hue")
        covered = {i for n in found for i in range(n.start, n.end)}
        i = 0
        while i < len(doc):
            t = self.toks[i]
            if not (t.is_alpha and _CAP.match(t.text)) or t.i in self.demonym_at:
                i += 1
                continue
            hit = None
            # the longest run of name-like tokens from here: capitalised words, hyphens, short particles
            stop = i + 1
            while stop < min(len(doc), i + 7):
                x = self.toks[stop]
                if not (
                    (x.is_alpha and _CAP.match(x.text)) or x.text in ("-", "'", "’") or (x.is_lower and len(x) <= 3)
                ):
                    break
                stop += 1
            for e in range(stop, i, -1):
                last = self.toks[e - 1]
                if not (last.is_alpha and _CAP.match(last.text)):
                    continue
                run = self.toks[i:e]
                if any(x.is_space for x in run):
                    continue
                if e - i == 1 and ((t.tag_ not in ("NNP", "NNPS") and t.i not in covered) or self.is_title(t)):
                    continue
                text = "".join(x.text_with_ws for x in run).strip()
                place = self.geo_best(text)
                if place is not None and (
                    place.is_country
                    or place.country in self.countries
                    or self.big_city(text, place)
                    or self.place_cue(i, e) > 0
                ):
                    hit = (e, place)
                    break
            if hit is None:
                i += 1
                continue
            e = hit[0]
            inside = [n for n in found if n.start >= i and n.end <= e]
            partial = [n for n in found if n.start < e and n.end > i and n not in inside]
            if partial:
                i += 1
                continue
            if inside and all(n.start == i and n.end == e for n in inside):
                for n in inside:
                    n.votes["GPE"] += 2
            else:
                for n in inside:
                    found.remove(n)
                found.append(_Name(i, e, self.surface(i, e), Counter({"GPE": 2}), "GPE"))
            covered.update(range(i, e))
            i = e
        found = self.region_names(found)
        for n in found:
            n.votes["GPE"] += self.place_cue(n.start, n.end)
            head = self.toks[n.end - 1].lower_
            if head in lex.type_heads and n.end - n.start > 1:
                n.votes[lex.type_heads[head]] += 5
            root = self.toks[n.end - 1]
            if (
                root.dep_ == "nsubj"
                and root.head.lemma_ in _SPEECH_VERBS
                and n.label == "PERSON"
                and n.votes["GPE"] < 2
            ):
                n.votes["Person"] += 2
        self.dateline_place(found)
        found.sort(key=lambda n: (n.start, n.end))
        return found

    def dateline_cluster(self, only_there: bool = False) -> _Cluster | None:
        """The name cluster of the dateline's place, if there is a dateline; with ``only_there``, only if the
        text mentions it nowhere else (a headline's "the Libyan capital" does)."""
        span = self.dateline
        first = next((t.i for t in self.toks if span is not None and t.idx >= span[0]), None)
        c = self.name_at.get(first) if first is not None else None
        lo, hi = span if span is not None else (0, 0)
        elsewhere = c is not None and any(not (lo <= self.toks[m[0]].idx < hi) for m in c.mentions)
        return None if only_there and elsewhere else c

    def dateline_city(self, capital: bool) -> _Cluster | None:
        """The city a dateline names, if the text names no other city (a state's capital, for "the capital")."""
        c = self.dateline_cluster()
        if c is None or c.uid not in self.alive or c.state is not None or (capital and not self.is_capital(c)):
            return None
        others = any(
            o is not c and o.type == "GPE" and o.state is None and o.uid in self.alive for o in self.name_at.values()
        )
        return None if others and not capital else c

    def dateline_place(self, found: list[_Name]) -> None:
        """ "BAMAKO (Reuters) -" where the NER saw no name: the gazetteer's city is still the story's city that
        "the capital" or "the city" may mean (the dateline itself gives no mention)."""
        span = self.dateline
        if span is None:
            return
        toks = [t for t in self.toks if span[0] <= t.idx < span[1]]
        place = []
        for t in toks:
            if not (t.is_alpha and _CAP.match(t.text)):
                break
            place.append(t)
        if not place or any(n.start <= place[0].i < n.end for n in found):
            return
        s, e = place[0].i, place[-1].i + 1
        text = self.surface(s, e)
        if self.geo_best(text) is None:
            return
        found.append(_Name(s, e, text, Counter({"GPE": 3}), "GPE"))

    def region_names(self, found: list[_Name]) -> list[_Name]:
        """ "the X district", "X province", "the X region": the name and its lower-case region noun are one
        Place, distinct from a city X, whatever the NER made of X (often ORG or PERSON, or nothing)."""
        toks = self.toks
        for h in toks:
            if h.lower_ not in self.lex.region_heads or not h.is_lower or h.pos_ != "NOUN" or h.i == 0:
                continue
            j = h.i
            while j - 1 >= 0:
                x = toks[j - 1]
                name_like = x.is_alpha and _CAP.match(x.text) and not self.is_title(x)
                inner = x.text == "-" and j - 2 >= 0 and not x.whitespace_ and _CAP.match(toks[j - 2].text)
                if not (name_like or inner) or x.i in self.demonym_at or x.i in self.backer_at:
                    break
                if x.is_sent_start and x.pos_ not in ("PROPN",) and x.ent_type_ == "":
                    break  # "Fighting district": a capital only because the sentence starts there
                j -= 1
            while j < h.i and not toks[j].is_alpha:
                j += 1
            if j == h.i or self.lex.state_by_name(self.surface(j, h.i)) is not None:
                continue  # "the Syria region" is rare; a state keeps its own entity
            of_obj = [g for ch in h.children if ch.dep_ == "prep" and ch.lower_ == "of" for g in ch.children]
            if (
                of_obj
                and of_obj[0].pos_ == "PROPN"
                and self.geo_best(self.surface(j, h.i))
                and not self.geo_best(of_obj[0].text)
            ):
                continue  # "the Aleppo suburb of X" is X (but "the X district of Aleppo" is the district)
            if any(n.start < j <= n.end - 1 < h.i or (n.start < h.i < n.end) for n in found):
                continue  # overlaps a name that starts earlier: leave it to the NER
            found = [n for n in found if not (n.start >= j and n.end <= h.i + 1)]
            found.append(_Name(j, h.i + 1, self.surface(j, h.i + 1), Counter({"Place": 6}), "LOC"))
        # "X, a township near ...", "the village of X": a proper noun the NER missed named as a settlement
        covered = {i for n in found for i in range(n.start, n.end)}
        for h in toks:
            if not (h.lower_ in self.lex.city_nouns or h.lower_ in self.lex.region_heads) or not h.is_lower:
                continue
            if h.pos_ != "NOUN":
                continue
            named = [h.head] if h.dep_ == "appos" and h.head.i < h.i else []
            named += [
                g
                for ch in h.children
                if ch.dep_ == "prep" and ch.lower_ == "of"
                for g in ch.children
                if g.dep_ == "pobj"
            ]
            for g in named:
                self.called.setdefault(g.i, h.lower_)
                if g.i in covered:
                    for n in found:  # "the suburb of X" with X tagged PERSON: still a place
                        if n.start <= g.i < n.end and n.label in ("PERSON", "ORG"):
                            n.votes["GPE"] += 3
                    continue
                if g.pos_ != "PROPN" or not _CAP.match(g.text) or g.i in self.demonym_at:
                    continue
                j = g.i
                while (
                    j - 1 >= 0 and toks[j - 1].pos_ == "PROPN" and _CAP.match(toks[j - 1].text) and j - 1 not in covered
                ):
                    j -= 1
                if self.is_title(toks[j]) or toks[j].is_sent_start:
                    continue
                found.append(_Name(j, g.i + 1, self.surface(j, g.i + 1), Counter({"GPE": 3}), "GPE"))
                covered.update(range(j, g.i + 1))
        found.sort(key=lambda n: (n.start, n.end))
        return found

    def forces_of(self, n: _Name) -> State | None:
        """The state whose armed forces a name like "Syrian Army" or "French Special Forces" names."""
        toks = self.doc[n.start : n.end]
        if len(toks) < 2 or toks[-1].lower_ not in self.lex.force_heads:
            return None
        for k in range(1, min(4, len(toks))):
            prefix = toks[:k].text
            st = self.lex.state_by_adjective(prefix) or self.lex.state_by_name(prefix)
            if st is not None and all(t.lower_ in self.lex.force_words for t in toks[k:]):
                return st
        return None

    def cluster_names(self, names: list[_Name]) -> None:
        lex = self.lex
        for n in names:
            forces = self.forces_of(n)
            if forces is not None:
                c = self.nationality_cluster(forces)
                c.aliases.add(n.text)
                self.add_mention(c, n.start, n.end, "nationality")
                for i in range(n.start, n.end):
                    self.name_at[i] = c
                continue
            st = lex.state_by_name(n.text)
            key = ("state:" + st.names[0]) if st is not None else fold(n.text)
            found_c = self.by_name.get(key)
            if found_c is None:
                c = self.new_cluster()
                self.by_name[key] = c
                if st is not None:
                    c.state = st
                    c.forced_type = "GPE"
            else:
                c = found_c
            c.names[n.text] += 1
            c.aliases.add(n.text)
            c.aliases.add(self.surface(n.start, n.end))
            if n.title:
                c.aliases.add(f"{n.title} {n.text}")
            if (
                n.end - n.start > 1
                and self.toks[n.end - 1].lower_ in lex.region_heads
                and self.toks[n.end - 1].is_lower
            ):
                bare = self.surface(n.start, n.end - 1)
                if self.geo_best(bare) is None and fold(bare) not in self.by_name:
                    c.aliases.add(bare)  # "the X district" is also just "X", unless a city X exists
            c.votes.update(n.votes)
            c.strong = c.strong or any(v >= 2 for v in n.votes.values())
            self.add_mention(c, n.start, n.end, "name")
            for i in range(n.start, n.end):
                self.name_at[i] = c
        self.propagate_names()
        self.merge_plurals()
        self.merge_short_forms()
        self.merge_acronyms()

    def backed_groups(self) -> None:
        """ "Kurdish-led forces", "US-backed militias", "the Saudi-led coalition": one group named by the whole
        phrase (the backer is not the group, and its nationality is no side of its own)."""
        lex = self.lex
        toks = self.toks
        for p in toks:
            if p.lower_ not in lex.backing_participles or p.i < 2 or toks[p.i - 1].text != "-":
                continue
            left = p.i - 2
            if toks[left].whitespace_ or toks[p.i - 1].whitespace_ or not _CAP.match(toks[left].text):
                continue
            j = left
            named = [sp for sp in self.spans if sp[3] == "name" and sp[0] <= left < sp[1]]
            if named:
                j = named[0][0]
            else:
                while (
                    j - 1 >= 0
                    and self.backer_at.get(j - 1) is not None
                    and self.backer_at.get(j - 1) is self.backer_at.get(left)
                ):
                    j -= 1
            k = p.i + 1
            while k < len(toks) and k - p.i <= 3 and toks[k].pos_ in ("ADJ", "PROPN", "NOUN"):
                if toks[k].lower_ in lex.group_nouns or toks[k].lower_ in lex.member_nouns:
                    break
                k += 1
            if k >= len(toks) or not (toks[k].lower_ in lex.group_nouns or toks[k].lower_ in lex.member_nouns):
                continue
            while k + 1 < len(toks) and (
                toks[k + 1].lower_ in lex.group_nouns or toks[k + 1].lower_ in lex.member_nouns
            ):
                k += 1  # "the Saudi-led coalition forces"
            if any(i in self.name_at for i in range(p.i, k + 1)):
                continue
            if any(t.lower_ in lex.government_words for t in toks[p.i + 1 : k + 1]):
                continue  # "Russian-backed government troops" are the government's, whoever backs them
            # the backer's own mention goes: these tokens name the backed group
            for sp in [sp for sp in self.spans if sp[3] == "name" and j <= sp[0] and sp[1] <= p.i]:
                self.spans.remove(sp)
                other = sp[2]
                other.mentions = [m for m in other.mentions if m != (sp[0], sp[1], sp[3])]
                other.names[self.surface(sp[0], sp[1])] -= 1
                other.names += Counter()  # drop zero counts
            text = self.surface(j, k + 1)
            key = fold(text)
            c = self.by_name.get(key)
            if c is None:
                c = self.new_cluster()
                c.forced_type = "Group"
                c.backed = True
                self.by_name[key] = c
            c.names[text] += 1
            c.aliases.add(text)
            c.strong = True
            c.mentions.append((j, k + 1, "name"))
            c.first = min(c.first, j)
            self.spans.append((j, k + 1, c, "name"))
            for i in range(j, k + 1):
                self.name_at[i] = c
                self.token_cluster[i] = c
            for t in toks[p.i + 1 : k + 1]:
                if t.lower_ in lex.group_nouns or t.lower_ in lex.member_nouns or t.lower_ in lex.sides:
                    c.tie(t.lower_, t.i, lex)

    def propagate_names(self) -> None:
        """A name the NER tagged once is the same name where it missed it ("ADF fighters" after "ADF")."""
        doc = self.doc
        by_first: dict[str, list[tuple[list[str], _Cluster]]] = {}
        for c in self.clusters:
            for n in c.names:
                words = n.split()
                if len(n) >= 3 and _CAP.match(n):
                    by_first.setdefault(words[0], []).append((words, c))
        i = 0
        while i < len(doc):
            cands = (
                by_first.get(self.toks[i].text)
                if i not in self.name_at and self.toks[i].i not in self.demonym_at
                else None
            )
            hit = None
            for words, c in sorted(cands or (), key=lambda x: -len(x[0])):
                j = i
                ok = True
                for w in words:
                    if j >= len(doc) or j in self.name_at:
                        ok = False
                        break
                    # names were split on whitespace; tokens may split further ("al-Masri")
                    text = ""
                    while j < len(doc) and len(text) < len(w):
                        text += self.toks[j].text
                        j += 1
                    if text != w:
                        ok = False
                        break
                if ok and (j >= len(doc) or not (self.toks[j].is_alpha and _CAP.match(self.toks[j].text))):
                    hit = (j, c)
                    break
            if hit is None:
                i += 1
                continue
            j, c = hit
            self.add_mention(c, i, j, "name")
            c.names[doc[i:j].text] += 1
            for k in range(i, j):
                self.name_at[k] = c
            i = j

    def merge_plurals(self) -> None:
        """ "Houthi rebels ... the Houthis": a name and its plural are one people or group, named by the plural."""
        for key, c in sorted(self.by_name.items()):
            if key.startswith(("state:", "nationality:")) or not key.endswith("s") or c.uid not in self.alive:
                continue
            single = self.by_name.get(key[:-1])
            if single is None or single is c or single.uid not in self.alive or single.state is not None:
                continue
            nouns = self.lex.member_nouns | self.lex.group_nouns
            modifies = any(  # "Tuareg rebels": the singular names fighters, so it is no person
                m[1] < len(self.toks) and self.toks[m[1]].is_lower and self.toks[m[1]].lower_ in nouns
                for m in single.mentions
            )
            if c.type == "Person" and single.type == "Person" and not c.ties and not single.ties and not modifies:
                continue  # "Adams" and "Adam" may be two people
            plural = max(c.names, key=lambda n: (c.names[n], n)) if c.names else None
            self.merge(c, single)
            c.votes["Group"] += 5
            c.strong = True
            if plural and c.forced_type is None:
                c.fixed_key = plural

    def merge(self, keep: _Cluster, drop: _Cluster) -> None:
        if keep is drop:
            return
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
        for k, v in list(self.by_name.items()):
            if v is drop:
                self.by_name[k] = keep
        for i, v in list(self.name_at.items()):
            if v is drop:
                self.name_at[i] = keep
        for i, v in list(self.token_cluster.items()):
            if v is drop:
                self.token_cluster[i] = keep
        self.spans = [(s, e, keep if c is drop else c, k) for s, e, c, k in self.spans]
        self.clusters = [c for c in self.clusters if c is not drop]
        self.alive.discard(drop.uid)

    def merge_short_forms(self) -> None:
        """ "Kerr" joins "Alan Kerr", "Bandar" joins "Bandar-e-Anzali", "the North" joins "North Korea" when
        exactly one full name in the text fits."""
        multi: list[tuple[list[str], _Cluster]] = []
        for c in self.clusters:
            for n in c.names:
                words = fold(n).split()
                if len(words) > 1:
                    multi.append((words, c))
        for key, c in list(self.by_name.items()):
            if c.uid not in self.alive or key.startswith("state:") or len(key.split()) != 1:
                continue
            persons = {m.uid: m for w, m in multi if m is not c and m.type == "Person" and key in (w[0], w[-1])}
            places = {
                m.uid: m
                for w, m in multi
                if m is not c and m.type in ("GPE", "Place") and w[0] == key and w[-1] not in self.lex.type_heads
            }
            if places and self.geo_best(key) is not None and self.geo_best(key).country in self.countries:  # type: ignore[union-attr]
                places = {}  # "Homs" is a city of its own, not short for "Homs Military Airport"
            groups = {
                m.uid: m
                for w, m in multi
                if m is not c and w[0] == key and self.lex.type_heads.get(w[-1]) == "Group" and m.state is None
            }
            nouns = self.lex.member_nouns | self.lex.group_nouns
            modifies = all(  # "Oromo fighters" after "the Oromo Liberation Front": members of that front
                m[1] < len(self.toks) and self.toks[m[1]].is_lower and self.toks[m[1]].lower_ in nouns
                for m in c.mentions
            )
            if len(groups) == 1 and not persons and c.mentions and modifies and c.state is None:
                self.merge(next(iter(groups.values())), c)
            elif len(persons) == 1:
                full = next(iter(persons.values()))
                self.merge(full, c)
                full.forced_type = "Person"
            elif len(places) == 1 and c.type != "Person":
                self.merge(next(iter(places.values())), c)
            elif not places and c.type in ("GPE", "Place"):
                # "the South" in a text that says "South Korean": the state the adjective names
                states = {n for n in self.country_mentions if fold(n).split()[0] == key and len(fold(n).split()) > 1}
                if len(states) == 1:
                    st = self.lex.state_by_name(next(iter(states)))
                    if st is not None:
                        self.merge(self.state_cluster(st), c)

    def merge_bracketed(self) -> None:
        """ "the Eastern Coalition (Popular Front)": a bracketed name right after a name is another name for it."""
        doc = self.doc
        for _s, e, c, kind in list(self.spans):
            if kind != "name" or e >= len(doc) or self.toks[e].text != "(" or c.uid not in self.alive:
                continue
            close = next((t.i for t in self.toks[e + 1 : e + 8] if t.text == ")"), None)
            if close is None or close - e < 3:
                continue
            inner = [self.name_at.get(i) for i in range(e + 1, close)]
            other = inner[0]
            if other is not None and all(x is other for x in inner) and other is not c:
                c.aliases |= set(other.names)
                self.merge(c, other)

    def merge_acronyms(self) -> None:
        """ "March 23 Movement (M23)": the bracketed acronym joins the name; so do initials of a name."""
        doc = self.doc
        for _s, e, c, kind in list(self.spans):
            if kind != "name" or e + 2 >= len(doc) or self.toks[e].text != "(" or self.toks[e + 2].text != ")":
                continue
            acro = self.toks[e + 1]
            if not acro.is_alpha and not re.fullmatch(r"[A-Z][A-Za-z]*\d+[A-Za-z]*", acro.text):
                continue
            if not (acro.is_upper or any(ch.isdigit() for ch in acro.text)) or len(acro.text) > 8:
                continue
            other = self.by_name.get(fold(acro.text))
            if other is None:
                other = c
                self.by_name[fold(acro.text)] = c
                self.add_mention(c, e + 1, e + 2, "name")
            c.aliases.add(acro.text)
            if c.forced_type is None and c.type in ("Person", "Place"):
                c.votes["Group"] += 6  # people have no bracketed acronyms; organisations do (and few places)
                c.strong = True
            self.merge(c, other)
        self.merge_bracketed()
        initials: dict[str, _Cluster] = {}
        for key, c in self.by_name.items():
            words = [w for w in key.removeprefix("state:").split() if w not in ("of", "the", "and", "for")]
            if len(words) >= 2:
                initials.setdefault("".join(w[0] for w in words), c)
        for key, c in list(self.by_name.items()):
            if c.uid not in self.alive or " " in key or not any(n.isupper() for n in c.names):
                continue
            full = initials.get(key)
            if full is not None and full is not c and full.uid in self.alive:
                self.merge(full, c)
        # "the ADF" after "Allied Democratic Forces", where the NER did not tag the initials
        for t in self.toks:
            if not (t.is_upper and t.is_alpha and 2 <= len(t) <= 6) or t.i in self.name_at or t.i in self.demonym_at:
                continue
            full = initials.get(t.lower_)
            if full is None or full.uid not in self.alive or full.type not in ("Group", "Person"):
                continue
            if full.first >= t.i and not full.ties:
                continue  # initials before the full name was used are someone else's
            self.add_mention(full, t.i, t.i + 1, "name")
            self.name_at[t.i] = full
            full.aliases.add(t.text)

    # ---------------------------------------------------------------------- pass 2: references in order
    def candidates_before(self, at: int, window: int | None) -> list[tuple[int, _Cluster, str]]:
        """(token, cluster, kind) of mentions before token ``at``, nearest first."""
        lo_sent = self.sent_of[at] - window if window is not None else -1
        sent_of = self.sent_of
        out = [(s, c, k) for s, _e, c, k in self.spans if s < at and sent_of[s] >= lo_sent]
        out.sort(key=lambda x: -x[0])
        return out

    def group_like(self, c: _Cluster) -> bool:
        return c.type == "Group" or c.nationality

    def nationality_cluster(self, st: State) -> _Cluster:
        key = "nationality:" + st.adjectives[0]
        c = self.by_name.get(key)
        if c is None:
            c = self.new_cluster()
            c.nationality = True
            c.state = st
            c.forced_type = "Group"
            c.fixed_key = f"{st.adjectives[0]} forces"
            self.by_name[key] = c
        if st.code:
            self.countries.add(st.code)
        return c

    def resolve_pronoun(self, tok: Token) -> _Cluster | None:
        low = tok.lower_
        lex = self.lex
        if low in lex.plural_pronouns:
            want = self.group_like
        elif low in lex.person_pronouns:

            def want(c: _Cluster) -> bool:
                return c.type == "Person"
        elif low in lex.neuter_pronouns:
            if self.expletive(tok):
                return None

            def want(c: _Cluster) -> bool:
                return c.type in ("Group", "GPE", "Place") and not c.nationality
        else:
            return None
        if tok.tag_ == "PRP$" or low.endswith(("self", "selves")):
            # "Ortiz ... formed his new party": a possessive or reflexive refers to its clause's subject
            v = tok.head
            while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
                v = v.head
            heads = [v, v.head] if v.dep_ == "conj" else [v]
            if v.dep_ == "ccomp" and v.head.lemma_ in _SPEECH_VERBS:
                heads.append(v.head)  # "the ministry said its units ...": the speaker's own units
            for h in heads:
                for subj in h.children:
                    if subj.dep_ not in ("nsubj", "nsubjpass") or tok in subj.subtree:
                        continue
                    c = self.token_cluster.get(subj.i) or self.name_at.get(subj.i)
                    if c is None or c.uid not in self.alive:
                        continue
                    # "the government ... its soldiers": a singular noun for a state's forces takes "its"
                    singular = low in lex.neuter_pronouns and c.nationality and subj.tag_ == "NN"
                    if want(c) or singular:
                        return c
        verb = tok.head
        main_subject = tok.dep_ in ("nsubj", "nsubjpass") and verb.dep_ == "ROOT"
        agentive = main_subject and low in lex.neuter_pronouns  # "It later lost the town": not a place
        neuter = low in lex.neuter_pronouns
        if tok.dep_ in ("nsubj", "nsubjpass") and verb.dep_ == "ccomp" and verb.head.lemma_ in _SPEECH_VERBS:
            # "The army said it had withdrawn": the speaker speaks of itself
            for sj in verb.head.children:
                if sj.dep_ != "nsubj":
                    continue
                c = self.token_cluster.get(sj.i) or self.name_at.get(sj.i)
                if (
                    c is not None
                    and c.uid in self.alive
                    and (want(c) or (neuter and c.nationality and sj.tag_ == "NN" and sj.lower_ in lex.group_nouns))
                ):
                    return c
        lo = self.sent_of[tok.i] - 2
        nearest: _Cluster | None = None
        for s, e, c, _k in sorted(self.spans, key=lambda x: -x[0]):
            if s >= tok.i or self.sent_of[s] < lo or (agentive and c.type == "Place"):
                continue
            root = self.toks[e - 1]
            forces_it = neuter and tok.dep_ not in ("dobj", "pobj") and c.nationality
            if not want(c) and not (forces_it and root.tag_ == "NN" and root.lower_ in lex.group_nouns):
                continue  # "the army ... it": a singular noun for a state's forces takes "it"
            if tok.dep_ in ("dobj", "pobj") and root.dep_.startswith("nsubj") and root.head.i == verb.i:
                continue  # "they advised them": not the same group
            if tok.dep_ in ("dobj", "pobj") and any(
                sj.dep_.startswith("nsubj") and sj.left_edge.i <= s and e - 1 <= sj.right_edge.i for sj in verb.children
            ):
                continue  # "X, supported by Y, pushed them back": neither X nor Y
            if self.inside_apposition(root, c, want):
                continue  # "X, a town west of Y, ... seized it": the apposition's Y is only a landmark
            if main_subject and root.dep_ in ("nsubj", "nsubjpass") and self.sent_of[s] < self.sent_of[tok.i]:
                return c  # a sentence's subject pronoun continues an earlier subject
            if nearest is None:
                nearest = c
                if not main_subject:
                    return c
        return nearest

    def inside_apposition(self, root: Token, c: _Cluster, want: object) -> bool:
        """Whether ``root`` sits inside an apposition to another mention that ``want`` accepts."""
        node = root
        for _ in range(6):
            if node.head.i == node.i:
                return False
            if node.dep_ == "appos":
                other = self.token_cluster.get(node.head.i) or self.name_at.get(node.head.i)
                return other is not None and other is not c and callable(want) and bool(want(other))
            node = node.head
        return False

    def expletive(self, tok: Token) -> bool:
        if tok.dep_ == "expl":
            return True
        head = tok.head
        if tok.dep_ in ("nsubj", "nsubjpass") and any(ch.dep_ in ("ccomp", "xcomp", "csubj") for ch in head.children):
            return head.lemma_ in ("be", "seem", "appear") or tok.dep_ == "nsubjpass"
        return False

    def np_premods(self, head: Token) -> list[Token]:
        """Tokens in front of ``head`` inside its noun phrase, stopping at a coordination or a comma."""
        out: list[Token] = []
        i = head.i - 1
        lo = head.left_edge.i
        while i >= lo:
            t = self.toks[i]
            if t.dep_ == "cc" or t.text in (",", ";", ":", "(", ")") or t.pos_ in ("VERB", "AUX", "ADP"):
                break
            if t.is_punct and t.whitespace_:
                break  # "KYIV - Ukrainian forces": a spaced dash ends the phrase
            out.append(t)
            i -= 1
        out.reverse()
        return out

    def alias_text(self, toks: list[Token], head: Token) -> str:
        """Alias for a description: its content words ("3,000 coalition troops" -> "coalition troops")."""
        content = [
            t
            for t in toks
            if (t.pos_ in ("NOUN", "PROPN", "ADJ") or t.tag_ == "POS" or t.text == "-")
            and not t.like_num
            and not (len(t.text) == 1 and t.is_lower)
            and t.lower_ not in ("some", "many", "all", "most", "several", "few", "same")
        ]
        while (
            content
            and content[0].pos_ == "ADJ"
            and content[0].lower_ not in self.lex.sides
            and content[0].i not in self.demonym_at
            and content[0].i != head.i
            and (content[0].is_lower or (content[0].is_sent_start and content[0].ent_type_ not in _ADJ_NAME_LABELS))
        ):
            content = content[1:]  # "jubilant", "rapid": not part of the name
        while content and content[0].text == "-":
            content = content[1:]  # "GOMA - Rebels": a dateline's dash
        if not content or content[-1].i != head.i:
            content.append(head)
        return "".join(t.text_with_ws for t in content).strip()

    def descriptive_target(self, words: list[str], side: str | None, at: int) -> _Cluster | None:
        """The group a description refers to: tied by a word, else the same side, else a salient group."""
        lex = self.lex
        best: tuple[int, int, _Cluster] | None = None
        lo_sent = self.sent_of[at] - _WINDOW
        for c in self.clusters:
            if not self.group_like(c) or c.first >= at:
                continue
            if side is not None and c.side is not None and c.side != side:
                continue  # "loyalist forces" never resolves to the rebels' side
            overlap = 0
            last = -1
            for w in words:
                used = c.tied_before(w, at)
                if used < 0 and w in lex.soldier_words and all(x == w or x in _QUANTIFIERS for x in words):
                    # "Congolese troops fled, and some soldiers defected": one word for the same men
                    used = max(c.tied_before(x, at) for x in lex.soldier_words)
                if used >= 0:
                    overlap += 1
                    last = max(last, used)
            if overlap == 0:
                continue
            specific = any(w not in lex.neutral_bare for w in words if c.tied_before(w, at) >= 0)
            if not specific and (self.sent_of[last] < lo_sent or (side is not None and c.side is None)):
                continue
            alias_words = {w for a in c.aliases for w in a.lower().split()}
            overlap += sum(1 for w in words if w in alias_words)
            cand = (overlap, last, c)
            if best is None or cand[:2] > best[:2]:
                best = cand
        if best is not None:
            return best[2]
        if side is None:
            return None
        excluded = self.governing_subjects(at)
        same = [
            c for c in self.clusters if self.group_like(c) and c.side == side and c.first < at and c.uid not in excluded
        ]
        if same:
            # the side's main group: most mentioned so far, then the latest
            def rank(c: _Cluster) -> tuple[int, int]:
                before = [s for s, _e, _k in c.mentions if s < at]
                return (len(before), max(before, default=-1))

            return max(same, key=rank)
        if any(w in lex.government_words for w in words):
            return None  # "government forces" are a state's, never the named group in focus
        return self.salient_group(at, side)

    def governing_subjects(self, at: int) -> set[int]:
        """uids of the entities that are subjects of the verbs above token ``at`` or coordinated with it:
        "they used its airport to strike guerrilla positions", "X and Druze militants" are not the same group."""
        out: set[int] = set()
        tok = self.toks[at]
        for conj in tok.conjuncts:
            c = self.token_cluster.get(conj.i) or self.name_at.get(conj.i)
            if c is not None:
                out.add(c.uid)
        for left in self.toks[tok.left_edge.i : at]:
            if left.dep_ == "conj" or (left.i in self.name_at and any(x.dep_ == "cc" for x in left.children)):
                c = self.name_at.get(left.i)
                if c is not None:
                    out.add(c.uid)
        node = tok
        for _ in range(12):
            if node.pos_ in ("VERB", "AUX"):
                for child in node.children:
                    if child.dep_ in ("nsubj", "nsubjpass") and child.i != at:
                        c = self.token_cluster.get(child.i) or self.name_at.get(child.i)
                        if c is not None:
                            out.add(c.uid)
            if node.head.i == node.i:
                break
            node = node.head
        return out

    def salient_group(self, at: int, side: str | None) -> _Cluster | None:
        """The named group mentioned most in the last sentences, not on the other ``side``, not a subject of
        the verbs the description depends on (their objects are someone else), and shown acting."""
        other = "incumbent" if side == "insurgent" else "insurgent" if side == "incumbent" else None
        subjects = self.governing_subjects(at)
        pool = [
            c
            for _s, c, _k in self.candidates_before(at, _WINDOW)
            if c.type == "Group"
            and not c.nationality
            and (other is None or c.side != other)
            and (c.names or c.fixed_key)
            and not (c.backed and c.side is None)
            and self.acts(c)
            and c.uid not in subjects
        ]
        if not pool:
            return None

        # salience: mentions so far in the whole text; between equals, the group the text named first
        def rank(c: _Cluster) -> tuple[int, int]:
            return (sum(1 for m in c.mentions if m[0] < at), -c.first)

        return max(pool, key=rank)

    def acts(self, c: _Cluster) -> bool:
        """Whether the text shows ``c`` as a group that acts (a member noun, or the subject of a verb other
        than one of saying): a source such as "according to X" or "X reported" is no antecedent for "the rebels"."""
        if c.ties:
            return True
        for _s, e, _k in c.mentions:
            root = self.toks[e - 1]
            if root.dep_ == "nsubj" and root.head.lemma_ not in _SPEECH_VERBS and root.head.pos_ == "VERB":
                return True
            if root.dep_ == "pobj" and root.head.dep_ == "agent":  # "rebels led by X"
                return True
        return False

    def handle_group_np(self, head: Token) -> None:
        lex = self.lex
        pre = self.np_premods(head)
        if any(
            t.lower_ in ("a", "an", "another", "any", "no", "every", "each")
            for t in self.toks[head.left_edge.i : head.i]
        ):
            return  # "a new government": not a reference to a group the text named
        words = [t.lower_ for t in pre if t.is_alpha] + [head.lower_]
        side: str | None = None
        target: _Cluster | None = None
        kind = "member"
        # "anti-X forces", "pro-X forces"
        for j, t in enumerate(pre):
            if t.lower_ in ("anti", "pro") and j + 1 < len(pre) and pre[j + 1].text == "-":
                after = pre[j + 2] if j + 2 < len(pre) else None
                if after is None or (after.i not in self.demonym_at and lex.state_by_adjective(after.text) is None):
                    side = lex.sides.get(t.lower_)  # "pro-government", "anti-X"; "pro-Russian" says no side
        insurgent = any(lex.sides.get(w) == "insurgent" for w in words)
        name_mods = [t for t in pre if t.i in self.name_at]
        poss = [t for t in pre if t.tag_ == "PRP$"]
        demonyms = [t for t in pre if t.i in self.demonym_at]
        if side is None and name_mods:
            c = self.name_at[name_mods[-1].i]
            if c.state is not None and c.forced_type == "GPE":
                if head.lower_ in lex.nationality_heads:  # "US troops", not "US officials"
                    target, kind = self.nationality_cluster(c.state), "nationality"
            elif c.type == "Group":
                target = c
            elif (
                c.type == "Person"
                and name_mods[-1].i + 1 < len(self.doc)
                and self.doc[name_mods[-1].i + 1].tag_ == "POS"
            ):
                target = c  # "Suharto's government": the person's rule
            elif (
                c.type in ("GPE", "Place")
                and c.forced_type is None
                and not c.strong
                and (head.lower_ in lex.member_nouns or head.lower_ in lex.sides)
                and not any(self.geo_best(n) for n in c.names)
            ):
                c.votes["Group"] += 4  # "X rebels", "the X rebellion": X is no place the gazetteer knows
                c.strong = True
                target = c
            elif (
                c.type == "Person"
                and c.forced_type is None
                and not c.strong
                and head.tag_ == "NNS"
                and head.lower_ in lex.member_nouns
                and all(" " not in a or not self.is_title_text(a) for a in c.aliases)
            ):
                c.votes["Group"] += 4  # "X fighters", "X militants": the NER's person is a group
                c.strong = True
                target = c
        elif (
            side is None and demonyms and not insurgent and head.lower_ in lex.nationality_heads
        ):  # "Syrian rebels" are not Syria's forces
            target, kind = self.nationality_cluster(self.demonym_at[demonyms[-1].i]), "nationality"
            coordinated = [
                x
                for ch in head.children
                if ch.dep_ in ("amod", "compound", "nmod") and ch.i < head.i and ch.i in self.demonym_at
                for x in (ch, *ch.conjuncts)
                if x.i in self.demonym_at and x.i not in self.token_cluster
            ]
            for d in coordinated:
                # "British and American officers": each coordinated nationality names its own forces
                if d.i != demonyms[-1].i:
                    other = self.nationality_cluster(self.demonym_at[d.i])
                    if other is not target:
                        self.token_cluster[d.i] = other
                        self.add_mention(other, d.i, d.i + 1, "nationality", map_tokens=False)
                        other.aliases.add(f"{d.text} {head.text}")
        elif side is None and poss:
            owner = self.token_cluster.get(poss[-1].i)
            state = self.capital_state(owner) if owner is not None else None
            if owner is not None and owner.state is not None and not owner.nationality:
                state = owner.state
            if state is not None and head.lower_ in lex.nationality_heads:
                # "its troops" of a state, or of its capital standing for its government
                target, kind = self.nationality_cluster(state), "nationality"
            else:
                target = owner if owner is not None and self.group_like(owner) else None  # "his party" is not him
        if (
            target is None
            and head.dep_ == "appos"
            and head.head.i in self.name_at
            and head.lower_ in lex.group_nouns
            and head.lower_ not in lex.member_nouns
            and any(ch.dep_ == "det" for ch in head.children)
        ):
            described = self.name_at[head.head.i]  # "X, the militant group that ...": the description is X
            if self.group_like(described) or (described.forced_type is None and described.type != "Person"):
                if described.forced_type is None and described.type != "Group":
                    described.votes["Group"] += 3
                target = described
        if target is None and side is None and not pre and head.i >= 3 and self.toks[head.i - 1].text == ")":
            # "X (Y) fighters": the bracketed acronym's group
            inner = self.name_at.get(head.i - 2) or self.token_cluster.get(head.i - 2)
            if inner is not None and self.group_like(inner) and self.toks[head.i - 3].text == "(":
                target = inner
        if target is None and side is None:
            of = [
                (ch.lower_, g)
                for ch in head.children
                if ch.dep_ == "prep" and ch.lower_ in ("of", "from")
                for g in ch.children
                if g.dep_ == "pobj"
            ]
            owner = self.name_at.get(of[0][1].i) if of else None
            if owner is not None and head.lower_ in lex.member_nouns and owner.forced_type is None and of[0][0] == "of":
                owner.votes["Group"] += 2  # "members of the X": X is a group
                owner.strong = True
            if owner is not None and self.group_like(owner):
                target = owner  # "fighters of/from the X"
            elif owner is not None and owner.state is not None and head.lower_ in lex.nationality_heads:
                target, kind = self.nationality_cluster(owner.state), "nationality"  # "troops from Chad"
        if target is None:
            kind = "description"
            if side is None:
                for w in words:
                    if w in lex.sides:
                        side = lex.sides[w]
            definite = any(t.lower_ == "the" or t.tag_ in ("PRP$", "POS") for t in pre)
            proper = [
                t
                for t in pre
                if _CAP.match(t.text)
                and (
                    not t.is_sent_start
                    or t.ent_type_ in _ADJ_NAME_LABELS
                    or (
                        t.tag_ in ("NNP", "NNPS")
                        and (
                            t.lower_ in self.mid_caps
                            or fold(t.text) + "s" in self.by_name
                            or (t.is_alpha and len(t) > 2 and t.lower_ not in self.common_words)
                        )
                        and t.lower_ not in lex.sides
                    )
                )
                and t.i not in self.name_at
                and t.i not in self.demonym_at
            ]
            # "Druze militants" (no article, a proper modifier) introduce a group; "the militants" refer back
            fresh = bool(proper) and not definite and side is not None
            plural_name = [
                c
                for t in proper
                for c in (self.by_name.get(fold(t.text) + "s"), self.by_name.get(fold(t.text)))
                if c is not None and c.uid in self.alive and c.state is None and not c.nationality
            ]
            if plural_name:
                target, fresh = plural_name[0], False  # "Anbari rebels" are the Anbaris the text names
                target.votes["Group"] += 3
                target.strong = True
                kind = "member"
            target = target if target is not None else None if fresh else self.descriptive_target(words, side, head.i)
            if target is None and side is None:
                target = self.name_from_premodifiers(pre)
                kind = "member" if target is not None else kind
            if (
                target is None
                and not proper
                and any(w in lex.government_words for w in words[:-1])
                and (head.lower_ in lex.nationality_heads)
            ):
                main = self.main_country()  # "government troops" of a text about one country: its forces
                if main is not None and main.state is not None and main.state.code:
                    target, kind = self.nationality_cluster(main.state), "nationality"
            if target is None and side is None and not proper and any(w in lex.state_force_words for w in words):
                main = self.main_country()  # "the security forces" of a text about one country
                if main is not None and main.state is not None and main.state.code:
                    target, kind = self.nationality_cluster(main.state), "nationality"
            plain = words[:1] == ["the"] and all(t.is_lower and t.pos_ == "ADJ" for t in pre[1:])
            if target is None and side is None and head.lower_ in lex.salient_nouns and plain:
                target = self.salient_group(head.i, None)  # "the group was advancing": the one in focus
            alias = self.alias_text(pre, head)
            lone = " " not in alias and alias.lower() in lex.neutral_bare and not self.country_mentions
            modifier = "modifier:" + fold(" ".join(t.text for t in proper)) if proper else ""
            if target is None and side is not None and modifier in self.by_name:
                target = self.by_name[modifier]  # "the CNDP rebellion ... CNDP rebels": one side named alike
            named_group = self.by_name.get(modifier[9:]) if modifier else None
            if (
                target is None
                and side is not None
                and named_group is not None
                and named_group.uid in self.alive
                and named_group.forced_type == "Group"
                and named_group.state is None
            ):
                target = named_group  # "Houthi fighters ... Houthi rebels": the group the modifier named before
            if target is None and side is not None and not lone:  # never a bare "government" node
                target = self.new_cluster()
                target.forced_type = "Group"
                target.side = side
                if modifier:
                    self.by_name[modifier] = target
                named = bool(proper) or any(t.i in self.demonym_at for t in pre)  # "Syrian rebels" name their side
                if " " not in alias and alias.lower() + "s" in lex.member_nouns:
                    alias = alias + "s"  # "rebel-held": the side is "rebels"
                first = pre[0] if pre else head
                lower_first = not named and alias[:1].isupper() and first.is_title
                target.fixed_key = alias[:1].lower() + alias[1:] if lower_first else alias
                target.unnamed = not named  # "Druze militants" is named by its modifier, "rebel forces" is not
                if fresh:
                    words = []  # its bare head word ("militants") is not tied to it: later ones go by side
        if target is None:
            return
        start = pre[0].i if pre else head.i
        for t in pre:
            if t.tag_ == "PRP$" or t.pos_ == "DET" or t.like_num:
                continue
            if t.i not in self.name_at:
                self.token_cluster.setdefault(t.i, target)
        self.token_cluster[head.i] = target
        self.add_mention(target, start, head.i + 1, kind, map_tokens=False)
        alias = self.alias_text(pre, head)
        one_word = " " not in alias
        if alias and not (one_word and (alias.lower() in lex.neutral_bare or kind == "member")):
            target.aliases.add(alias)  # never a bare "troops" or "party": those would match other entities
        for w in words:
            if w in lex.group_nouns or w in lex.member_nouns or w in lex.sides:
                target.tie(w, head.i, lex)

    def name_from_premodifiers(self, pre: list[Token]) -> _Cluster | None:
        """ "Peshmerga forces": proper nouns the NER missed in front of a group noun name that group."""
        toks: list[Token] = []
        for t in reversed(pre):
            if t.tag_ in ("NNP", "NNPS") and t.is_alpha and _CAP.match(t.text) and not self.is_title(t):
                if t.i in self.demonym_at or t.i in self.name_at or t.lower_ in self.lex.group_nouns:
                    break
                toks.insert(0, t)
            else:
                break
        if not toks:
            return None
        start, end = toks[0].i, toks[-1].i + 1
        after = self.toks[end] if end < len(self.toks) else None
        if after is not None and _CAP.match(after.text) and after.lower_ in self.lex.group_nouns:
            end += 1  # "Popular Front": the capitalised group noun is part of the name
        text = self.surface(start, end)
        key = fold(text)
        c = self.by_name.get(key)
        if c is None and not key.endswith("s"):
            # "Houthi fighters" after "the Houthis": the adjectival form names the group its plural names
            plural = self.by_name.get(key + "s") or self.by_name.get("modifier:" + key)  # or "Houthi rebels"
            if plural is None:
                # "X fighters" after "the X Front": the one group the text names X plus a group head word
                full = {
                    f.uid: f
                    for k, f in self.by_name.items()
                    if len(k.split()) >= 2
                    and k.split()[0] == key
                    and self.lex.type_heads.get(k.split()[-1]) == "Group"
                    and f.uid in self.alive
                    and f.state is None
                    and not f.nationality
                }
                plural = next(iter(full.values())) if len(full) == 1 else None
            if plural is not None and plural.uid in self.alive and plural.state is None:
                c = plural
                c.votes["Group"] += 5
        if c is None:
            c = self.new_cluster()
            c.forced_type = "Group"
            self.by_name[key] = c
        c.names[text] += 1
        c.aliases.add(text)
        self.add_mention(c, start, end, "name")
        for i in range(start, end):
            self.name_at[i] = c
        return c

    def handle_place_noun(self, head: Token) -> None:
        lex = self.lex
        doc = self.doc
        low = head.lower_
        prev = self.name_at.get(head.i - 1) if head.i > 0 else None
        if (
            prev is not None
            and head.is_lower
            and low in lex.city_nouns
            and prev.state is None
            and (prev.type in ("GPE", "Place") or any(self.geo_best(n) is not None for n in prev.names))
        ):
            # "X city", "X town": the place itself (whatever the NER made of X)
            if prev.forced_type is None:
                prev.votes["GPE"] += 3
                prev.strong = True
            self.token_cluster[head.i] = prev
            self.add_mention(prev, head.i, head.i + 1, "place", map_tokens=False)
            return
        dets = [ch for ch in head.children if ch.dep_ == "det"]
        headline = low == "capital" and not dets and any(t.i in self.demonym_at for t in head.lefts)
        if (not dets or dets[0].lower_ != "the") and not headline:  # a headline's "seize Yemeni capital" has none
            return
        target: _Cluster | None = None
        # "the town of X", "the city of X"
        for ch in head.children:
            if ch.dep_ == "prep" and ch.lower_ == "of":
                for g in ch.children:
                    if g.dep_ == "pobj" and g.i in self.name_at:
                        target = self.name_at[g.i]
        # "X, the main city in ..." / "the city, X"
        if target is None and head.dep_ == "appos" and head.head.i in self.name_at:
            target = self.name_at[head.head.i]
        if target is None:
            for ch in head.children:
                if ch.dep_ == "appos" and ch.i in self.name_at:
                    target = self.name_at[ch.i]
        if target is not None and target.type not in ("GPE", "Place"):
            return
        if target is None and low == "capital" and any(t.lower_ in lex.subnational_words for t in head.lefts):
            return  # "the provincial capital" is no state's capital
        if target is None:
            demonym = [t for t in head.lefts if t.i in self.demonym_at]
            if low == "capital" and demonym and demonym[0].i in self.demonym_at:
                st = self.demonym_at[demonym[0].i]
                cap = self.gaz.capital(st.code) if st.code else None
                if cap is None:
                    return
                target = self.by_name.get(fold(cap))
                if target is None:
                    place = self.gaz.best(cap, {st.code} if st.code else set())
                    target = self.new_cluster()
                    target.forced_type = "GPE"
                    target.names[ascii_name(place.name) if place else cap] += 1
                    self.by_name[fold(cap)] = target
            elif low in lex.country_nouns:
                target = self.main_country()
            else:
                filed = self.dateline_cluster(only_there=True)
                near = [
                    c
                    for _s, c, _k in self.candidates_before(head.i, _WINDOW)
                    if c is not filed  # where the report was filed is the story's city only failing all others
                    and (c.type == "GPE" or (c.type == "Place" and self.settlement_like(c)))
                    and c.state is None
                    and not c.nationality
                    and (low != "capital" or self.is_capital(c))
                ]
                known = [c for c in near if any(self.geo_best(n) is not None for n in c.names)]
                pool = known or near
                # the city the passage is about: most mentioned so far, then the nearest
                # ("X, a town near ..." first: the text called it so), a capital that "said" is its government
                seen = {
                    c.uid: (
                        any(self.called.get(m[1] - 1) == low for m in c.mentions),
                        sum(1 for m in c.mentions if m[0] < head.i and not self.speaks(m[1] - 1)),
                    )
                    for c in pool
                }
                target = max(pool, key=lambda c: seen[c.uid]) if pool else None
                if target is None and low in lex.city_nouns:
                    target = self.dateline_city(low == "capital")  # the story's city when no other is named
        if target is None:
            return
        mods = [t for t in head.lefts if t.pos_ in ("ADJ", "PROPN", "NOUN") and t.i not in self.name_at]
        start = min([head.i, *(t.i for t in mods)])
        for i in range(start, head.i + 1):
            self.token_cluster.setdefault(i, target)
        self.token_cluster[head.i] = target
        self.add_mention(target, start, head.i + 1, "place", map_tokens=False)
        if low == "capital" and mods and any(t.i in self.demonym_at for t in mods):
            target.aliases.add(doc[start : head.i + 1].text)

    def speaks(self, i: int) -> bool:
        """Whether token ``i`` is the subject of a verb of saying ("Moscow said")."""
        t = self.toks[i]
        return t.dep_ == "nsubj" and t.head.lemma_ in _SPEECH_VERBS

    def settlement_like(self, c: _Cluster) -> bool:
        """A place named like a town (no "Province", "Plain", "Airport" ... as its last word, not a region)."""
        return bool(c.names) and all(
            fold(n).split()[-1] not in self.lex.type_heads and fold(n).split()[0] not in self.lex.compass_words
            for n in c.names
        )

    def main_state_name(self) -> str | None:
        """The state the text is about: named most (by name or nationality adjective), each mention of a place
        the gazetteer puts in it counting too ("Iranian-trained militias" in a text on Syrian towns)."""
        if not self.country_mentions:
            return None
        votes = Counter(self.country_mentions)
        by_code = {st.code: st for st in self.lex.states if st.code}
        for c in self.clusters:
            if c.uid not in self.alive or c.state is not None or c.nationality or c.type not in ("GPE", "Place"):
                continue
            for n in c.names:
                place = self.geo_best(n)
                st = by_code.get(place.country) if place is not None and not place.is_country else None
                if (
                    st is not None
                    and place is not None
                    and (place.country in self.countries or self.big_city(n, place))
                ):
                    votes[st.names[0]] += c.names[n]
                    break
        order = {n: i for i, n in enumerate(self.country_mentions)}  # ties: the first named
        return min(votes, key=lambda n: (-votes[n], order.get(n, len(order))))

    def main_country(self) -> _Cluster | None:
        """The state the text mentions most (see :meth:`main_state_name`): what "the country" means."""
        name = self.main_state_name()
        st = self.lex.state_by_name(name) if name else None
        return None if st is None else self.state_cluster(st)

    def state_cluster(self, st: State) -> _Cluster:
        c = self.by_name.get("state:" + st.names[0])
        if c is None:
            c = self.new_cluster()
            c.state = st
            c.forced_type = "GPE"
            self.by_name["state:" + st.names[0]] = c
        return c

    def capital_state(self, c: _Cluster) -> State | None:
        """The state whose capital ``c`` is, when the lexicon knows that state ("Moscow" -> Russia)."""
        if c.type != "GPE" or c.state is not None or c.nationality:
            return None
        for n in c.names:
            place = self.geo_best(n)
            if place is not None and not place.is_country and self.gaz.capital(place.country) == place.name:
                return next((st for st in self.lex.states if st.code == place.country), None)
        return None

    def is_capital(self, c: _Cluster) -> bool:
        for n in c.names:
            place = self.geo_best(n)
            if place is not None and not place.is_country and self.gaz.capital(place.country) == place.name:
                return True
        return False

    def handle_apposition(self, head: Token) -> None:
        """ "Alan Kerr, Defence Secretary" / "X, the Y forces": the appositive refers to the name."""
        if head.i in self.token_cluster or head.head.i not in self.name_at:
            return
        c = self.name_at[head.head.i]
        self.token_cluster[head.i] = c
        self.add_mention(c, head.i, head.i + 1, "apposition", map_tokens=False)
        if head.lower_ in self.lex.group_nouns or head.lower_ in self.lex.member_nouns:
            c.tie(head.lower_, head.i, self.lex)

    def tie_name_words(self) -> None:
        """A name's own descriptive words and its premodifiers tie them to it: "the opposition X", "X Alliance"."""
        lex = self.lex
        for s, e, c, kind in list(self.spans):
            if kind != "name":
                continue
            head = self.toks[e - 1].lower_
            if head in lex.group_nouns or head in lex.member_nouns or head in lex.sides:
                c.tie(head, s, lex)  # "the alliance" after "Eastern Alliance"; not "forces" of a press service
            i = s - 1
            while i >= 0 and self.toks[i].is_lower and self.toks[i].is_alpha and i not in self.name_at:
                w = self.toks[i].lower_
                if w in lex.sides or w in lex.group_nouns:
                    c.tie(w, s, lex)
                    self.token_cluster.setdefault(i, c)
                    c.aliases.add(self.doc[i:e].text)
                    # "militias X and Y": both names are groups, whatever the NER said
                    for other in (c, *(self.name_at.get(x.i) for x in self.toks[e - 1].conjuncts)):
                        if other is not None and other.forced_type is None:
                            other.votes["Group"] += 3
                            other.strong = True
                    i -= 1
                    continue
                break
            # "his new movement and militia, Jaish-e Adl": the nouns the name is in apposition to
            root = self.toks[e - 1]
            if root.dep_ == "appos" and self.group_like(c):
                nouns = [root.head, *(x for x in root.head.conjuncts)]
                for n in nouns:
                    if n.lower_ in lex.group_nouns and n.i not in self.name_at:
                        c.tie(n.lower_, n.i, lex)
                        self.token_cluster.setdefault(n.i, c)
                        self.add_mention(c, n.i, n.i + 1, "apposition", map_tokens=False)

    def walk(self) -> None:
        lex = self.lex
        for tok in self.toks:
            if tok.i in self.name_at:
                continue
            low = tok.lower_
            if tok.pos_ == "PRON" or tok.tag_ in ("PRP", "PRP$"):
                c = self.resolve_pronoun(tok)
                if c is not None:
                    self.token_cluster[tok.i] = c
                    self.add_mention(c, tok.i, tok.i + 1, "pronoun", map_tokens=False)
                continue
            if tok.i in self.demonym_at:
                # "the Soviets", "South Koreans": a nationality used as a noun acts as its forces
                st = self.demonym_at[tok.i]
                if self.demonym_at.get(tok.i + 1) is st:
                    continue  # judge the run "North Vietnamese" at its last token
                j = tok.i
                while j - 1 >= 0 and self.demonym_at.get(j - 1) is st:
                    j -= 1
                adjectival = tok.dep_ in ("amod", "compound", "nmod") and tok.head.i > tok.i
                if adjectival or any(k in self.token_cluster for k in range(j, tok.i + 1)):
                    continue
                c = self.nationality_cluster(st)
                for k in range(j, tok.i + 1):
                    self.token_cluster[k] = c
                self.add_mention(c, j, tok.i + 1, "nationality", map_tokens=False)
                c.aliases.add(self.surface(j, tok.i + 1))
                continue
            if tok.pos_ not in ("NOUN", "PROPN"):
                continue
            if low in lex.city_nouns or low in lex.country_nouns:
                self.handle_place_noun(tok)
                continue
            if low in lex.group_nouns or low in lex.member_nouns:
                if tok.i in self.token_cluster:
                    continue  # a premodifier already tied to the name it modifies ("the opposition X")
                # a group noun that modifies a later group noun is handled with that head
                if (
                    tok.dep_ in ("compound", "amod")
                    and (tok.head.lower_ in lex.group_nouns or tok.head.lower_ in lex.member_nouns)
                    and tok.head.i > tok.i
                ):
                    continue
                self.handle_group_np(tok)
                continue
            if tok.dep_ == "appos":
                self.handle_apposition(tok)

    # ---------------------------------------------------------------------------------------- output
    def canonical(self, c: _Cluster) -> str:
        if c.fixed_key and c.unnamed:
            # "rebel forces" of one text are not those of another: qualify by the text's main country
            main = self.main_state_name()
            st = self.lex.state_by_name(main) if main else None
            if st is not None and not c.fixed_key.startswith(st.adjectives[0]):
                return f"{st.adjectives[0]} {c.fixed_key[0].lower()}{c.fixed_key[1:]}"
        if c.fixed_key:
            return c.fixed_key
        if c.state is not None and not c.nationality:
            if c.state.code:
                country = self.gaz.country(c.state.code)
                if country is not None:
                    return ascii_name(country.name)
            return c.state.names[0]
        names = c.names
        if not names:
            return sorted(c.aliases)[0] if c.aliases else f"entity {c.uid}"
        t = c.type
        if t in ("GPE", "Place"):
            for n, _ in names.most_common():
                place = self.geo_best(n)
                if place is not None and (place.is_country or place.country in self.countries):
                    return ascii_name(place.name)
            if all(n.isupper() for n in names):
                # only a dateline's capitals ("SANAA - ... the city"): the gazetteer's spelling, else title case
                n = names.most_common(1)[0][0]
                place = self.geo_best(n)
                return ascii_name(place.name) if place is not None else n.title()
        folded: dict[str, Counter[str]] = {}
        for n, k in names.items():
            folded.setdefault(fold(n), Counter())[n] += k

        def score(item: tuple[str, Counter[str]]) -> tuple[int, int, int, str]:
            key, forms = item
            is_acro = all(not f.islower() and f.isupper() for f in forms)
            return (0 if is_acro else 1, len(key.split()), sum(forms.values()), key)

        _best, forms = max(folded.items(), key=score)

        def form_score(f: str) -> tuple[int, int, str]:
            return (0 if f.isupper() and len(f) > 4 else 1, forms[f], f)

        return max(forms, key=form_score)

    def georef(self, c: _Cluster) -> GeoRef | None:
        if c.type not in ("GPE", "Place") or c.nationality or c.state is not None:
            return None
        for n, _ in c.names.most_common():
            place = self.geo_best(n)
            if place is None or place.lat is None or place.long is None:
                continue
            return GeoRef(place.geonames_id, place.lat, place.long, place.country)
        return None

    def drop_dateline(self) -> None:
        """Forget mentions inside a dateline: the place a report was filed from is no argument of anything."""
        m = _DATELINE.search(self.doc.text[:_DATELINE_WITHIN])
        span = (m.start(), m.end()) if m is not None else self.dateline  # "BEIRUT (Reuters) -"
        if span is None:
            return
        end = next((t.i for t in self.toks if t.idx >= span[1]), len(self.toks))
        start = next((t.i for t in self.toks if t.idx >= span[0]), end)
        inside = range(start, end)
        for i in inside:
            self.token_cluster.pop(i, None)
        self.spans = [sp for sp in self.spans if not (sp[0] in inside and sp[1] - 1 in inside)]
        for c in self.clusters:
            gone = {self.surface(mt[0], mt[1]) for mt in c.mentions if mt[0] in inside and mt[1] - 1 in inside}
            if not gone:
                continue
            c.mentions = [mt for mt in c.mentions if not (mt[0] in inside and mt[1] - 1 in inside)]
            kept = {self.surface(mt[0], mt[1]) for mt in c.mentions}
            for form in gone - kept:  # "GOMA" only in the dateline is no alias to match later text against
                c.aliases.discard(form)
                if not c.mentions:
                    c.names.pop(form, None)  # "the capital" bound to the dateline's city keeps that city's name

    def build(self) -> EntityIndex:
        names = self.find_names()
        self.cluster_names(names)
        self.backed_groups()
        self.tie_name_words()
        self.walk()
        self.merge_bracketed()
        self.drop_dateline()
        index = EntityIndex()
        keys: dict[int, str] = {}
        merged: dict[str, _Cluster] = {}
        for c in sorted(self.clusters, key=lambda c: c.first):
            if not c.mentions:
                continue
            key = self.canonical(c)
            if key in merged and merged[key] is not c:
                other = merged[key]
                if other.type == c.type:
                    self.merge(other, c)
                    keys[c.uid] = key
                    continue
                key = f"{key} ({c.type})"
            merged[key] = c
            keys[c.uid] = key
        final = {id(c): keys[c.uid] for c in self.clusters if c.uid in keys and c.mentions}
        doc = self.doc
        for c in self.clusters:
            if id(c) not in final:
                continue
            key = final[id(c)]
            mentions = sorted(
                {
                    Mention(
                        self.toks[s].idx,
                        self.toks[e - 1].idx + len(self.toks[e - 1].text),
                        doc[s:e].text,
                        self.sent_of[s],
                    )
                    for s, e, _k in c.mentions
                }
            )
            aliases = {a for a in c.aliases if a.strip() and a.lower() not in self.lex.neutral_bare}
            aliases.add(key)
            geo = self.georef(c)
            index.entities[key] = Entity(
                key=key, type=c.type, aliases=tuple(sorted(aliases)), mentions=tuple(mentions), geo=geo
            )
            if c.forced_type or geo is not None or c.strong or c.ties:  # "X fighters": X is a group
                index.firm.add(key)
        for i, c in sorted(self.token_cluster.items()):
            if id(c) in final:
                index.token_entity[i] = final[id(c)]
        for s, e, c, kind in sorted(self.spans, key=lambda x: (x[0], x[1])):
            if id(c) in final:
                index.spans.append(IndexedSpan(s, e, final[id(c)], kind))
        return index


def resolve_entities(doc: Doc, lexicon: EntityLexicon | None = None, gazetteer: Gazetteer | None = None) -> EntityIndex:
    """Resolve every reference to an entity in ``doc``; see the module docstring for what counts."""
    return _Resolver(doc, lexicon or load_entity_lexicon(), gazetteer or load_gazetteer()).build()

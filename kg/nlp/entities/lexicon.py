"""``ontology/entities.toml``: the general English words entity resolution uses, validated when loaded.

Every word list the passes read is declared in :data:`WORD_LISTS` with what it is for; the file must hold
exactly those lists (a list the code does not know, or one it needs and the file lacks, is an error that
names the file and the list), so a typo can never silently switch a pass off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.nlp.gazetteer import fold
from kg.resources import ontology_dir, read_toml

#: The word lists of the entity lexicon and what each is for (the file documents them with examples).
WORD_LISTS: dict[str, str] = {
    "group_nouns": "nouns heading a phrase that names an armed or political group",
    "member_nouns": "nouns for members of a group, who stand for it",
    "neutral_bare": "words that stand alone for a group only when the text tied them to one before",
    "soldier_words": "bare words for the rank and file of whichever force was just named",
    "irregular_words": "rank-and-file words that fit an insurgent group too ('the fighters'), unlike 'troops'",
    "institution_heads": "a state's institutions other than its armed forces at large (police, navy ...)",
    "removal_verbs": "verbs whose 'from X' is where their object is taken from, not whose it is",
    "place_object_verbs": "verbs whose direct object is a place ('entered X', 'captured X'): a vote for place",
    "ruler_words": "words for a group that rules: a group called so is what 'the regime' means",
    "adviser_nouns": "nouns for a state's advisers or instructors: a body of their own, or the one the text named so",
    "police_modifiers": "words before 'officers' or 'units' that make them the police ('law enforcement officers')",
    "service_words": "a state's armed services besides its army: naming one makes 'X army' one service",
    "skip_heads": "last words of names of events, not entities",
    "gazetteer_stopwords": "words never looked up in the gazetteer on their own",
    "force_words": "words that, after a state's name or adjective, name its armed forces",
    "force_heads": "last words of such a name",
    "nationality_heads": "heads that, after a nationality word, name that state's forces",
    "state_force_words": "words of a description that means the armed forces of the state in focus",
    "government_words": "words for a state's government",
    "official_words": "words for people who speak or act for a government",
    "subnational_words": "adjectives that make 'the capital' a province's capital",
    "compass_words": "compass words that make a region of a country",
    "salient_nouns": "singular group nouns that, definite and bare, mean the group in focus",
    "titles": "titles and honorifics before a person's name",
    "place_cues_before": "words before a name that show it is a place",
    "distance_units": "units of 'N miles north of X'",
    "region_heads": "lower-case nouns after a name that make a region or quarter of its own",
    "backing_participles": "participles after 'X-' that make 'X-backed militias' a group of its own",
    "member_adjectives": "adjectives and participles of 'forces loyal to X': the people are X's",
    "ally_adjectives": "adjectives of 'militias allied with X': the people are not X's",
    "follower_nouns": "nouns for the followers of a person ('X's loyalists'): a group tied to X",
    "group_roles": "roles an organisation or state has and a town has not: 'its leader' is no town's",
    "unit_nouns": "nouns that end the name of a military unit ('4th Guards Brigade')",
    "actor_nouns": "nouns for unnamed people who act ('armed men seized the port'): a group named by its phrase",
    "standalone_actors": "singular actor nouns that name a body on their own ('the police', 'the militia')",
    "place_part_nouns": "nouns for a part of a place ('a strip of land near X'): a place named by its phrase",
    "demonym_suffixes": "endings that turn a place name into its adjective ('Tigray' -> 'Tigrayan')",
    "role_nouns": "nouns for one person's role ('a top minister'): a person, never the state they serve",
    "descriptor_adjectives": "adjectives of faith or creed before a group's name that are not part of it",
    "machine_words": "words for machines that make a member noun something else ('jet fighters')",
    "collective_possessors": "collective nouns whose possessive sits inside an organisation's name",
}


@dataclass(frozen=True)
class State:
    """A state: ISO code (``None`` for one that no longer exists), names and nationality adjectives."""

    code: str | None
    names: tuple[str, ...]
    adjectives: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class EntityLexicon:
    """The validated lexicon. ``words(name)`` gives a word list of :data:`WORD_LISTS`."""

    lists: dict[str, frozenset[str]]
    sides: dict[str, str]
    type_heads: dict[str, str]
    city_nouns: frozenset[str]
    country_nouns: frozenset[str]
    plural_pronouns: frozenset[str]
    person_pronouns: frozenset[str]
    neuter_pronouns: frozenset[str]
    states: tuple[State, ...]
    place_cues: tuple[tuple[str, ...], ...] = ()
    _names: dict[str, State] = field(default_factory=dict)
    _adjectives: dict[str, State] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for st in self.states:
            for n in st.names:
                self._names.setdefault(fold(n), st)
            for a in st.adjectives:
                self._adjectives.setdefault(fold(a), st)

    @property
    def group_heads(self) -> frozenset[str]:
        """Words that head a phrase naming a group: group and member nouns, nationality and institution heads."""
        found: frozenset[str] | None = self.__dict__.get("_group_heads")
        if found is None:
            found = frozenset().union(
                *(self.lists[n] for n in ("group_nouns", "member_nouns", "nationality_heads", "institution_heads"))
            )
            object.__setattr__(self, "_group_heads", found)
        return found

    @property
    def place_cue_sets(self) -> tuple[tuple[int, frozenset[tuple[str, ...]]], ...]:
        """``place_cues`` by length, as sets: "is this one of the cues" is then a lookup per length."""
        found: tuple[tuple[int, frozenset[tuple[str, ...]]], ...] | None = self.__dict__.get("_place_cue_sets")
        if found is None:
            lengths = sorted({len(c) for c in self.place_cues})
            found = tuple((n, frozenset(c for c in self.place_cues if len(c) == n)) for n in lengths)
            object.__setattr__(self, "_place_cue_sets", found)
        return found

    def words_of(self, *names: str) -> frozenset[str]:
        """The union of word lists ``names`` (made once: passes ask for the same unions for every phrase)."""
        cache: dict[tuple[str, ...], frozenset[str]] = self.__dict__.setdefault("_unions", {})
        found = cache.get(names)
        if found is None:
            found = cache[names] = frozenset().union(*(self.words(n) for n in names))
        return found

    def side_words(self, side: str) -> frozenset[str]:
        """The words of ``sides`` that name ``side`` ("insurgent": "rebels", "insurgents", ...)."""
        cache: dict[str, frozenset[str]] = self.__dict__.setdefault("_side_words", {})
        found = cache.get(side)
        if found is None:
            found = cache[side] = frozenset(w for w, s in self.sides.items() if s == side)
        return found

    def words(self, name: str) -> frozenset[str]:
        try:
            return self.lists[name]
        except KeyError:
            raise KeyError(
                f"entity lexicon has no word list {name!r}; known: {', '.join(sorted(WORD_LISTS))}"
            ) from None

    def is_group_noun(self, word: str) -> bool:
        w = word.lower()
        return w in self.lists["group_nouns"] or w in self.lists["member_nouns"]

    def state_by_name(self, text: str) -> State | None:
        key = fold(text)
        return self._names.get(key[4:] if key.startswith("the ") else key)

    def state_by_adjective(self, text: str) -> State | None:
        """The state of a nationality word: "British", "Iraqis", "the Eritreans"."""
        key = fold(text)
        key = key[4:] if key.startswith("the ") else key
        found = self._adjectives.get(key)
        if found is None and key.endswith("s"):
            found = self._adjectives.get(key[:-1])
        return found

    def state_by_code(self, code: str) -> State | None:
        return next((st for st in self.states if st.code == code), None)


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
    tables = {"sides", "type_heads", "place_nouns", "pronouns", "state", "version"}
    unknown = sorted(k for k in data if k not in WORD_LISTS and k not in tables)
    if unknown:
        raise KGError(f"{where}: unknown list(s) {', '.join(unknown)}; known: {', '.join(sorted(WORD_LISTS))}")
    lists = {name: _words(data, name, where) for name in WORD_LISTS}
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
    cues = tuple(tuple(c.split()) for c in lists["place_cues_before"])
    return EntityLexicon(
        lists=lists,
        sides=sides,
        type_heads=heads,
        city_nouns=_words(places, "city", f"{where} [place_nouns]"),
        country_nouns=_words(places, "country", f"{where} [place_nouns]"),
        plural_pronouns=_words(pronouns, "plural", f"{where} [pronouns]"),
        person_pronouns=_words(pronouns, "person", f"{where} [pronouns]"),
        neuter_pronouns=_words(pronouns, "neuter", f"{where} [pronouns]"),
        states=tuple(states),
        place_cues=tuple(sorted(cues, key=lambda c: (-len(c), c))),
    )


@lru_cache(maxsize=4)
def load_entity_lexicon(path: Path | None = None) -> EntityLexicon:
    """``ontology/entities.toml`` (or ``path``), parsed and validated once per process."""
    path = path or ontology_dir() / "entities.toml"
    return parse_entity_lexicon(read_toml(path, "entity lexicon"), str(path))

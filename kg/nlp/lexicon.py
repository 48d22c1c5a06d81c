"""The relation lexicon (``ontology/lexicon.toml``), validated when loaded.

Rules (trigger words per construction), argument helpers and the cues that weigh a claim are data, so adding
a trigger word needs no code; this module checks the file and says exactly what is wrong and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.rdf.namespace import ENTITY_TYPES, MODALITIES, RELATIONS
from kg.resources import ontology_dir, read_toml

#: Construction kinds a rule may name (ontology/LEXICON.md describes each).
CONSTRUCTIONS = (
    "verb-active",
    "verb-passive",
    "verb-prep",
    "verb-prep-inverse",
    "verb-source",
    "light-verb",
    "noun",
    "hyphen-adjective",
    "verb-causative",
)
#: Fixed slot names of noun rules; ``prep:WORD`` is allowed too.
SLOTS = (
    "self",
    "poss",
    "compound",
    "amod",
    "head",
    "located",
    "clause-subject",
    "main-subject",
    "implicit",
    "purpose",
)
#: What a governing word does to the claim it governs, besides the kg modalities.
EFFECTS = (*tuple(m for m in MODALITIES if m != "Actual"), "negated", "reported", "actual")

_NEEDS_PREPS = ("verb-prep", "verb-prep-inverse", "verb-source", "light-verb")
_NEEDS_LEMMAS = ("verb-active", "verb-passive", "hyphen-adjective", "verb-causative", *_NEEDS_PREPS)


@dataclass(frozen=True)
class Rule:
    """One construction with its trigger words; ``id`` lands in every assertion it yields."""

    id: str
    relation: str
    construction: str
    lemmas: frozenset[str] = frozenset()
    confidence: float = 0.5
    preps: frozenset[str] = frozenset()
    nouns: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    subject: tuple[str, ...] = ()
    object: tuple[str, ...] = ()
    via: frozenset[str] = frozenset()
    object_allowed: bool = False
    object_required: bool = False
    passive_allowed: bool = False
    object_types: frozenset[str] = frozenset()
    subject_types: frozenset[str] = frozenset()
    through: frozenset[str] = frozenset()
    not_states: bool = False
    #: ``controls`` only: the statement is the END of the subject's hold ("X took the town from Y": Y's).
    ends: bool = False
    #: the verb's object loses the place ("X drove Y out of Z": Y's hold of Z ends).
    loser_object: bool = False
    #: the rule fires only when a phrase on the verb names one of these nouns ("ringed the city against an
    #: assault": a ring against an attack is a defence).
    adjunct_nouns: frozenset[str] = frozenset()
    reflexive: bool = False


@dataclass(frozen=True)
class Governor:
    """Words that govern a trigger ("tried to take", "an attempt to take") and their effect on the claim."""

    effect: str
    verbs: frozenset[str]
    nouns: frozenset[str]
    implies: str | None = None
    governs_objects: bool = True


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Rules, governors and word lists of one lexicon file (compared and hashed by identity)."""

    rules: tuple[Rule, ...]
    governors: tuple[Governor, ...] = ()
    arguments: dict[str, object] = field(default_factory=dict)
    modality: dict[str, frozenset[str]] = field(default_factory=dict)

    def words(self, section: str, key: str) -> frozenset[str]:
        """A word list from ``[arguments]`` or ``[modality]``; empty when absent."""
        if section == "modality":
            return self.modality.get(key, frozenset())
        value = self.arguments.get(key, [])
        return frozenset(value) if isinstance(value, list) else frozenset()

    def number(self, key: str, default: float) -> float:
        value = self.arguments.get(key, default)
        return float(value) if isinstance(value, int | float) else default


def _words(item: dict[str, object], key: str, where: str, required: bool = False) -> frozenset[str]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        raise KGError(f"{where}: {key} must be a list of non-empty strings")
    if required and not value:
        raise KGError(f"{where}: {key} must not be empty")
    return frozenset(x.lower() for x in value)


def _slots(item: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not value or not all(isinstance(x, str) for x in value):
        raise KGError(f"{where}: noun rules need {key} = [slot, ...] (slots: {', '.join(SLOTS)}, prep:WORD)")
    for slot in value:
        base = slot.rsplit(":", 1)[0] if slot.rsplit(":", 1)[-1] in ENTITY_TYPES else slot
        if base not in SLOTS and not (base.startswith("prep:") and len(base) > 5):
            raise KGError(f"{where}: slot {slot!r} is not one of {', '.join(SLOTS)}, prep:WORD (optionally SLOT:TYPE)")
    return tuple(value)


#: The keys a ``[[rule]]`` table may have: a misspelt option is an error, never silently ignored.
RULE_KEYS = frozenset(
    {
        "id", "relation", "construction", "lemmas", "confidence", "preps", "nouns", "particles", "subject",
        "object", "via", "object_allowed", "object_required", "passive_allowed", "object_types", "subject_types",
        "through", "object_not_state", "ends", "loser_object", "adjunct_nouns", "reflexive",
    }
)  # fmt: skip


def _rule(item: dict[str, object], i: int, where: str) -> Rule:
    rid = str(item.get("id", ""))
    at = f"{where}: rule {rid or '#' + str(i + 1)}"
    unknown = sorted(set(item) - RULE_KEYS)
    if unknown:
        raise KGError(f"{at}: unknown key {unknown[0]!r}; a rule has {', '.join(sorted(RULE_KEYS))}")
    relation = item.get("relation")
    if relation not in RELATIONS:
        raise KGError(f"{at}: relation {relation!r} is not one of {', '.join(RELATIONS)}")
    construction = item.get("construction")
    if construction not in CONSTRUCTIONS:
        raise KGError(f"{at}: construction {construction!r} is not one of {', '.join(CONSTRUCTIONS)}")
    conf = item.get("confidence", 0.5)
    if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 <= conf <= 1:
        raise KGError(f"{at}: confidence must be a number in [0, 1]")
    allowed = item.get("object_allowed", False)
    if not isinstance(allowed, bool):
        raise KGError(f"{at}: object_allowed must be true or false")
    required = item.get("object_required", False)
    if not isinstance(required, bool):
        raise KGError(f"{at}: object_required must be true or false")
    passive_allowed = item.get("passive_allowed", False)
    if not isinstance(passive_allowed, bool):
        raise KGError(f"{at}: passive_allowed must be true or false")
    types = item.get("object_types", [])
    if not isinstance(types, list) or any(t not in ENTITY_TYPES for t in types):
        raise KGError(f"{at}: object_types must list entity types among {', '.join(ENTITY_TYPES)}")
    stypes = item.get("subject_types", [])
    if not isinstance(stypes, list) or any(t not in ENTITY_TYPES for t in stypes):
        raise KGError(f"{at}: subject_types must list entity types among {', '.join(ENTITY_TYPES)}")
    subject: tuple[str, ...] = ()
    obj: tuple[str, ...] = ()
    if construction == "noun":
        subject, obj = _slots(item, "subject", at), _slots(item, "object", at)
    return Rule(
        id=rid,
        relation=str(relation),
        construction=str(construction),
        lemmas=_words(item, "lemmas", at, required=construction in _NEEDS_LEMMAS),
        confidence=float(conf),
        preps=_words(item, "preps", at, required=construction in _NEEDS_PREPS),
        nouns=_words(item, "nouns", at, required=construction in ("noun", "light-verb")),
        particles=_words(item, "particles", at),
        subject=subject,
        object=obj,
        via=_words(item, "via", at),
        object_allowed=allowed or required,
        object_required=required,
        passive_allowed=passive_allowed,
        object_types=frozenset(types),
        subject_types=frozenset(stypes),
        through=_words(item, "through", at),
        not_states=_flag(item, "object_not_state", at),
        ends=_flag(item, "ends", at),
        loser_object=_flag(item, "loser_object", at),
        adjunct_nouns=_words(item, "adjunct_nouns", at),
        reflexive=_flag(item, "reflexive", at),
    )


def _flag(item: dict[str, object], key: str, where: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise KGError(f"{where}: {key} must be true or false")
    return value


def _governor(item: dict[str, object], i: int, where: str) -> Governor:
    at = f"{where}: governor #{i + 1}"
    effect = item.get("effect")
    if effect not in EFFECTS:
        raise KGError(f"{at}: effect {effect!r} is not one of {', '.join(EFFECTS)}")
    implies = item.get("implies")
    if implies is not None and implies not in RELATIONS:
        raise KGError(f"{at}: implies {implies!r} is not one of {', '.join(RELATIONS)}")
    objects = item.get("governs_objects", True)
    if not isinstance(objects, bool):
        raise KGError(f"{at}: governs_objects must be true or false")
    return Governor(str(effect), _words(item, "verbs", at), _words(item, "nouns", at), implies, objects)


def parse_lexicon(data: dict[str, object], where: str) -> Lexicon:
    """Validate and build the lexicon; errors name the file, the rule and the valid choices."""
    raw = data.get("rule")
    if not isinstance(raw, list) or not raw:
        raise KGError(f"{where}: no [[rule]] tables found")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise KGError(f"{where}: rule #{i + 1} is not a table")
        rid = str(item.get("id", ""))
        if not rid or rid in seen:
            raise KGError(f"{where}: rule #{i + 1} needs a unique id (got {rid!r})")
        seen.add(rid)
        rules.append(_rule(item, i, where))
    govs = data.get("governor", [])
    if not isinstance(govs, list) or not all(isinstance(g, dict) for g in govs):
        raise KGError(f"{where}: [[governor]] entries must be tables")
    governors = tuple(_governor(g, i, where) for i, g in enumerate(govs))
    arguments = data.get("arguments", {})
    if not isinstance(arguments, dict):
        raise KGError(f"{where}: [arguments] must be a table")
    modality_raw = data.get("modality", {})
    if not isinstance(modality_raw, dict):
        raise KGError(f"{where}: [modality] must be a table")
    modality = {k: _words(modality_raw, k, f"{where}: [modality]") for k in modality_raw}
    return Lexicon(tuple(rules), governors, dict(arguments), modality)


@lru_cache(maxsize=4)
def load_lexicon(path: Path | None = None) -> Lexicon:
    """The lexicon at ``path`` (default: the packaged ``ontology/lexicon.toml``), parsed once per process."""
    path = path or ontology_dir() / "lexicon.toml"
    return parse_lexicon(read_toml(path, "relation lexicon"), str(path))

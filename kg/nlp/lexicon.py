"""The relation lexicon (``ontology/lexicon.toml``), validated when loaded."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.rdf.namespace import RELATIONS
from kg.resources import ontology_dir

CONSTRUCTIONS = ("verb-active", "verb-passive")


@dataclass(frozen=True)
class Rule:
    id: str
    relation: str
    construction: str
    lemmas: frozenset[str]
    confidence: float


def parse_lexicon(data: dict[str, object], where: str) -> tuple[Rule, ...]:
    """Validate and build the rules; errors name the file, the rule and the valid choices."""
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
        relation = item.get("relation")
        if relation not in RELATIONS:
            raise KGError(f"{where}: rule {rid}: relation {relation!r} is not one of {', '.join(RELATIONS)}")
        construction = item.get("construction")
        if construction not in CONSTRUCTIONS:
            raise KGError(f"{where}: rule {rid}: construction {construction!r} is not one of {', '.join(CONSTRUCTIONS)}")
        lemmas = item.get("lemmas")
        if not isinstance(lemmas, list) or not all(isinstance(x, str) for x in lemmas) or not lemmas:
            raise KGError(f"{where}: rule {rid}: lemmas must be a non-empty list of strings")
        conf = item.get("confidence", 0.5)
        if not isinstance(conf, int | float) or not 0 <= conf <= 1:
            raise KGError(f"{where}: rule {rid}: confidence must be a number in [0, 1]")
        rules.append(Rule(rid, str(relation), str(construction), frozenset(lemmas), float(conf)))
    return tuple(rules)


@lru_cache(maxsize=4)
def load_lexicon(path: Path | None = None) -> tuple[Rule, ...]:
    path = path or ontology_dir() / "lexicon.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KGError(f"{path}: not valid TOML: {exc}") from None
    return parse_lexicon(data, str(path))

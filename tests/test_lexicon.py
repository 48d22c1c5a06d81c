"""The relation lexicon is data: the shipped file validates, errors name the rule and the valid choices, and a
trigger word added to the data (no code) changes what is found."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kg.errors import KGError
from kg.nlp.entities import resolve_entities
from kg.nlp.lexicon import CONSTRUCTIONS, SLOTS, load_lexicon, parse_lexicon
from kg.nlp.relations import find_relations
from kg.rdf.namespace import RELATIONS

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "ontology" / "lexicon.toml"
DOC = ROOT / "ontology" / "LEXICON.md"


def _data() -> dict[str, Any]:
    return tomllib.loads(LEXICON.read_text(encoding="utf-8"))


def test_shipped_lexicon_loads_with_every_relation_and_unique_ids() -> None:
    lex = load_lexicon()
    assert {r.relation for r in lex.rules} == set(RELATIONS)
    ids = [r.id for r in lex.rules]
    assert len(ids) == len(set(ids))
    assert all(r.id.split(".")[0] == r.relation for r in lex.rules)


def test_every_rule_id_and_construction_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for rule in load_lexicon().rules:
        assert f"`{rule.id}`" in text, f"{rule.id} is not in ontology/LEXICON.md"
    for construction in CONSTRUCTIONS:
        assert f"`{construction}`" in text


def test_lexicon_holds_no_text_specific_names() -> None:
    """General English only: no capitalised word (a name) among the trigger words."""
    for rule in _data()["rule"]:
        for key in ("lemmas", "nouns", "preps", "particles"):
            for word in rule.get(key, []):
                assert re.fullmatch(r"[a-z][a-z\-]*", word), f"{rule['id']}: {word!r} is not a plain lower-case word"


def _one_rule(**changes: object) -> dict[str, object]:
    rule: dict[str, object] = {"id": "x.y", "relation": "controls", "construction": "verb-active", "lemmas": ["take"]}
    rule.update(changes)
    return {"rule": [rule]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"relation": "owns"}, "relation 'owns' is not one of controls, advancesOn, defectsTo, advises"),
        ({"construction": "verb-sideways"}, "construction 'verb-sideways' is not one of verb-active"),
        ({"lemmas": []}, "lemmas must not be empty"),
        ({"confidence": 1.5}, "confidence must be a number in [0, 1]"),
        ({"construction": "verb-prep"}, "preps must not be empty"),
        (
            {"construction": "noun", "nouns": ["capture"], "subject": ["poss"], "object": ["sideways"]},
            "slot 'sideways'",
        ),
        ({"construction": "noun", "nouns": ["capture"], "object": ["prep:of"]}, "noun rules need subject"),
        ({"object_allowed": "yes"}, "object_allowed must be true or false"),
        ({"object_required": 1}, "object_required must be true or false"),
        ({"passive_allowed": "no"}, "passive_allowed must be true or false"),
        ({"object_types": ["Town"]}, "object_types must list entity types among Person"),
        ({"subject_types": ["Town"]}, "subject_types must list entity types among Person"),
    ],
)
def test_errors_name_the_rule_and_the_choices(changes: dict[str, object], message: str) -> None:
    with pytest.raises(KGError) as err:
        parse_lexicon(_one_rule(**changes), "lex.toml")
    assert "lex.toml: rule x.y" in str(err.value) and message in str(err.value)


def test_duplicate_ids_and_bad_governors_are_refused() -> None:
    data = _one_rule()
    data["rule"] = [*data["rule"], *data["rule"]]  # type: ignore[misc]
    with pytest.raises(KGError, match="unique id"):
        parse_lexicon(data, "lex.toml")
    with pytest.raises(KGError, match="effect 'Maybe' is not one of"):
        parse_lexicon({**_one_rule(), "governor": [{"effect": "Maybe", "verbs": ["hope"]}]}, "lex.toml")


def test_slots_listed_in_the_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    for slot in SLOTS:
        assert f"`{slot}`" in text


def test_unreadable_or_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text("[[rule]\n", encoding="utf-8")
    with pytest.raises(KGError, match="not valid TOML"):
        load_lexicon(bad)
    with pytest.raises(KGError, match="cannot read"):
        load_lexicon(tmp_path / "missing.toml")


def test_a_new_trigger_word_needs_no_code(nlp: Any, tmp_path: Path) -> None:
    text = "Hezbollah annexed Benghazi."
    doc = nlp(text)
    index = resolve_entities(doc)
    data = LEXICON.read_text(encoding="utf-8")
    without = tmp_path / "without.toml"
    without.write_text(data.replace('"annex", ', ""), encoding="utf-8")
    assert not any(r.predicate == "controls" for r in find_relations(doc, index, lexicon=load_lexicon(without)))
    found = find_relations(doc, index, lexicon=load_lexicon(LEXICON))
    assert {(r.predicate, r.rule) for r in found} == {("controls", "controls.verb")}


def test_object_required_implies_allowed_and_argument_lists_are_words() -> None:
    rule = parse_lexicon(_one_rule(construction="verb-prep", preps=["of"], object_required=True), "x").rules[0]
    assert rule.object_required and rule.object_allowed
    lex = load_lexicon()
    for key in ("part_nouns", "place_heads", "allegiance_adjectives", "object_control_verbs"):
        words = lex.words("arguments", key)
        assert words and all(re.fullmatch(r"[a-z][a-z\-]*", w) for w in words), key

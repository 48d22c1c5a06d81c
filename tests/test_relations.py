"""Relations from short sentences written for these tests: every construction and every trap.

Each test runs the real model through ``kg.nlp.extract.extract`` and asserts exactly which statements come
out: (subject, relation, object) with whether the plain triple is asserted, and the modality/negation of the
others. Entities are named by a surface form (``_key``) so the tests do not depend on canonical-name choices.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import Document, Extraction
from kg.nlp.extract import extract
from kg.nlp.lexicon import load_lexicon
from kg.nlp.relations import Rejection, find_relations
from kg.rdf.mapping import extraction_lines

Stmt = tuple[str, str, str, str]


def _extract(nlp: Any, text: str) -> Extraction:
    return extract(nlp(text), Document(text, "test", hashlib.sha256(text.encode()).hexdigest()))


def _norm(s: str) -> str:
    s = s.lower().strip()
    return s[4:] if s.startswith("the ") else s


def _key(ext: Extraction, surface: str) -> str:
    """The key of the entity ``surface`` names (its key or one of its aliases)."""
    want = _norm(surface)
    for e in ext.entities:
        if _norm(e.key) == want or want in {_norm(a) for a in e.aliases}:
            return e.key
    raise AssertionError(f"no entity for {surface!r} in {[(e.key, e.aliases) for e in ext.entities]}")


def _status(negated: bool, modality: str) -> str:
    if not negated and modality == "Actual":
        return "asserted"
    return ("not " if negated else "") + modality


def statements(ext: Extraction) -> set[Stmt]:
    return {(r.subject, r.predicate, r.object, _status(r.negated, r.modality)) for r in ext.relations}


def check(nlp: Any, text: str, *expected: tuple[str, str, str, str]) -> Extraction:
    """``expected`` holds (subject surface, relation, object surface, status); nothing else may come out."""
    ext = _extract(nlp, text)
    want = {(_key(ext, s), p, _key(ext, o), st) for s, p, o, st in expected}
    assert statements(ext) == want, f"{text!r}: {sorted(statements(ext))} != {sorted(want)}"
    return ext


A = "asserted"

# ------------------------------------------------------------------ constructions


def test_active_verb_with_member_noun_subject(nlp: Any) -> None:
    check(nlp, "Hezbollah fighters are holding Qusayr.", ("Hezbollah", "controls", "Qusayr", A))


def test_passive_verb_with_time(nlp: Any) -> None:
    ext = check(nlp, "Baghdad was captured by the Americans in April 2003.", ("Americans", "controls", "Baghdad", A))
    (rel,) = ext.relations
    assert (rel.time, rel.time_text, rel.rule) == ("2003-04", "April 2003", "controls.passive")


def test_light_verb_took_control_of(nlp: Any) -> None:
    ext = check(nlp, "The Houthis took control of Aden in March 2015.", ("Houthis", "controls", "Aden", A))
    assert "controls.light-verb" in {r.rule for r in ext.relations}
    assert {r.time for r in ext.relations} == {"2015-03"}


@pytest.mark.parametrize("verb", ["captured", "grabbed", "acquired", "attained"])
def test_light_verb_other_verbs_of_taking_control(nlp: Any, verb: str) -> None:
    text = f"When the young colonel Idriss Kamougue {verb} control of Chad in May 1975, the assembly fled."
    ext = check(nlp, text, ("Idriss Kamougue", "controls", "Chad", A))
    assert {r.rule for r in ext.relations} == {"controls.light-verb"}


def test_a_numbers_qualifiers_are_not_part_of_an_alias(nlp: Any) -> None:
    ext = check(
        nlp,
        "At least 5,000 rebels surrounded Timbuktu and came within two miles of the city.",
        ("rebels", "advancesOn", "Timbuktu", A),
    )
    aliases = {a for e in ext.entities for a in e.aliases}
    assert not any(a.lower().startswith(("at ", "least")) or "5,000" in a for a in aliases), aliases


def test_closing_in_on(nlp: Any) -> None:
    check(nlp, "Al-Shabaab forces were closing in on Mogadishu.", ("Al-Shabaab", "advancesOn", "Mogadishu", A))


def test_an_advance_to_a_citys_gates(nlp: Any) -> None:
    check(nlp, "Boko Haram fighters pushed on to the gates of Maiduguri.", ("Boko Haram", "advancesOn", "Maiduguri", A))


def test_fell_to(nlp: Any) -> None:
    ext = check(nlp, "Aden fell to the Houthis in 2015.", ("Houthis", "controls", "Aden", A))
    assert [r.time for r in ext.relations] == ["2015"]


def test_nominal_capture_of_by(nlp: Any) -> None:
    check(nlp, "The capture of Benghazi by Hezbollah ended the siege.", ("Hezbollah", "controls", "Benghazi", A))


def test_nominal_possessive_capture_by(nlp: Any) -> None:
    check(nlp, "Benghazi's capture by Hezbollah was swift.", ("Hezbollah", "controls", "Benghazi", A))


def test_nominal_fall_of_to(nlp: Any) -> None:
    check(nlp, "The fall of Tripoli to Hezbollah shocked the region.", ("Hezbollah", "controls", "Tripoli", A))


def test_nominal_advance_on(nlp: Any) -> None:
    check(nlp, "Hamas's advance on Jerusalem stalled.", ("Hamas", "advancesOn", "Jerusalem", A))


def test_nominal_defections_to(nlp: Any) -> None:
    check(
        nlp,
        "Defections of Syrian soldiers to the Free Syrian Army grew.",
        ("Syrian soldiers", "defectsTo", "Free Syrian Army", A),
    )


def test_in_control_of(nlp: Any) -> None:
    check(nlp, "Al-Shabaab is in control of Mogadishu.", ("Al-Shabaab", "controls", "Mogadishu", A))


def test_hyphen_controlled_adjective(nlp: Any) -> None:
    ext = check(nlp, "Hezbollah-controlled Damascus was calm.", ("Hezbollah", "controls", "Damascus", A))
    assert [r.rule for r in ext.relations] == ["controls.held-adjective"]


def test_coordinated_subjects_and_objects(nlp: Any) -> None:
    check(
        nlp,
        "Hezbollah and the Syrian army attacked Aleppo and Damascus.",
        ("Hezbollah", "advancesOn", "Aleppo", A),
        ("Hezbollah", "advancesOn", "Damascus", A),
        ("Syrian army", "advancesOn", "Aleppo", A),
        ("Syrian army", "advancesOn", "Damascus", A),
    )


def test_relative_clause(nlp: Any) -> None:
    check(
        nlp,
        "Boko Haram, which captured Maiduguri in August, is still strong.",
        ("Boko Haram", "controls", "Maiduguri", A),
    )


def test_participial_clause_with_coordinated_objects(nlp: Any) -> None:
    check(
        nlp,
        "Hezbollah advanced west, taking the towns of Zawiya and Gharyan.",
        ("Hezbollah", "controls", "Zawiya", A),
        ("Hezbollah", "controls", "Gharyan", A),
    )


def test_switched_sides(nlp: Any) -> None:
    check(
        nlp,
        "Syrian soldiers switched sides to the Free Syrian Army.",
        ("Syrian soldiers", "defectsTo", "Free Syrian Army", A),
    )


def test_a_plural_verb_stranded_in_a_time_clause_takes_the_sentences_plural_noun(nlp: Any) -> None:
    """The parser reads "since the coup have joined Y" as a clause with "the coup" its subject; "have" says not."""
    check(
        nlp,
        "Malian officers who have left the army since the coup have joined the Free Soldiers.",
        ("Malian officers", "defectsTo", "Free Soldiers", A),
    )
    # a clause of time with its own, agreeing subject keeps it: the town fell, nobody joined anything
    check(nlp, "Malian officers who have left the army since the town fell are hiding in Kayes.")


def test_a_participle_read_as_an_adjective_but_given_a_subject_is_the_verb(nlp: Any) -> None:
    """The parser reads "trained members" as an adjective and its noun, yet gives "trained" the subject before it."""
    ext = check(
        nlp,
        "Colonel Keita's men trained fighters of the Malian army in desert tactics.",
        ("Keita", "advises", "Malian army", A),
    )
    aliases = {a for e in ext.entities for a in e.aliases}
    assert not any("trained" in a for a in aliases), aliases  # the verb is no part of a name


def test_advises_active_and_passive(nlp: Any) -> None:
    check(nlp, "The Wagner Group trained the Malian army.", ("Wagner Group", "advises", "Malian army", A))
    check(nlp, "The Malian army was trained by the Wagner Group.", ("Wagner Group", "advises", "Malian army", A))


# ------------------------------------------------------------------ traps: claims weighed


def test_negated(nlp: Any) -> None:
    check(nlp, "The Houthis did not capture Aden.", ("Houthis", "controls", "Aden", "not Actual"))


def test_negated_wish(nlp: Any) -> None:
    check(nlp, "Hezbollah did not want to advance into Tripoli.", ("Hezbollah", "advancesOn", "Tripoli", "not Planned"))


def test_hypothetical_attempt_asserts_nothing(nlp: Any) -> None:
    check(nlp, "Al-Shabaab may try to capture Mogadishu.", ("Al-Shabaab", "controls", "Mogadishu", "Planned"))


def test_attempt_is_an_advance_not_a_capture(nlp: Any) -> None:
    ext = check(
        nlp,
        "Al-Shabaab tried to capture Mogadishu in 2010.",
        ("Al-Shabaab", "controls", "Mogadishu", "Planned"),
        ("Al-Shabaab", "advancesOn", "Mogadishu", A),
    )
    assert {r.rule for r in ext.relations if r.asserted} == {"advancesOn.attempt"}


def test_threatened(nlp: Any) -> None:
    check(nlp, "The Houthis threatened to take Aden.", ("Houthis", "controls", "Aden", "Threatened"))


def test_urged_not_to(nlp: Any) -> None:
    check(nlp, "The president urged the Houthis not to seize Aden.", ("Houthis", "controls", "Aden", "not Urged"))


def test_planned(nlp: Any) -> None:
    check(nlp, "The Houthis are planning to attack Aden.", ("Houthis", "advancesOn", "Aden", "Planned"))


def test_conditional(nlp: Any) -> None:
    check(nlp, "If the Houthis take Aden, the war will spread.", ("Houthis", "controls", "Aden", "Hypothetical"))


def test_future(nlp: Any) -> None:
    check(nlp, "The Houthis will enter Aden.", ("Houthis", "advancesOn", "Aden", "Future"))


def test_feared_could(nlp: Any) -> None:
    check(
        nlp,
        "Officials fear that Al-Shabaab could seize Mogadishu.",
        ("Al-Shabaab", "controls", "Mogadishu", "Hypothetical"),
    )


def test_surrender_is_not_defection(nlp: Any) -> None:
    check(nlp, "Hundreds of Taliban fighters surrendered to the Afghan army.")


def test_retreat_is_not_advance(nlp: Any) -> None:
    check(nlp, "The Houthis retreated to Aden.")
    check(nlp, "Hezbollah fighters pushed back government troops to Benghazi.")


def test_reported_speech_keeps_the_speaker(nlp: Any) -> None:
    ext = check(nlp, "Hezbollah said its fighters had captured Qusayr.", ("Hezbollah", "controls", "Qusayr", A))
    assert {r.reported_by for r in ext.relations} == {"Hezbollah"}


def test_pronoun_subject(nlp: Any) -> None:
    ext = check(
        nlp,
        "Al-Shabaab regrouped in the south. They captured Mogadishu in 2006.",
        ("Al-Shabaab", "controls", "Mogadishu", A),
    )
    (rel,) = ext.relations
    assert rel.time == "2006"
    base = next(r.confidence for r in load_lexicon().rules if r.id == rel.rule)
    assert rel.confidence < base  # an argument reached through a pronoun weighs less


# ------------------------------------------------------------------ time and rejections


def test_day_takes_the_year_from_context(nlp: Any) -> None:
    ext = _extract(nlp, "Hezbollah took Tripoli in 2011. On 13 March, Hezbollah fighters captured Qusayr.")
    times = {(r.object, r.time) for r in ext.relations}
    assert (_key(ext, "Qusayr"), "2011-03-13") in times
    assert (_key(ext, "Tripoli"), "2011") in times


def test_weekday_resolves_against_the_dateline(nlp: Any) -> None:
    ext = _extract(nlp, "TRIPOLI, March 4, 2012 - Hezbollah fighters entered Benghazi on Friday.")
    assert ext.document.date == "2012-03-04"
    assert [(r.predicate, r.time, r.time_text) for r in ext.relations] == [("advancesOn", "2012-03-02", "on Friday")]


def test_rejections_say_why(nlp: Any) -> None:
    from kg.nlp.entities import resolve_entities

    doc = nlp("Aden fell to 40 per cent. The rebels captured the prisoners.")
    rejected: list[Rejection] = []
    find_relations(doc, resolve_entities(doc), rejected)
    assert rejected and all(j.reason and j.rule for j in rejected)


@pytest.mark.parametrize("text", ["The rebels captured the prisoners.", "The army crossed the river."])
def test_no_place_no_relation(nlp: Any, text: str) -> None:
    assert _extract(nlp, text).relations == ()


def test_nominal_siege_of_by(nlp: Any) -> None:
    check(nlp, "The siege of Homs by the Syrian army ended.", ("Syrian army", "advancesOn", "Homs", A))


def test_dateline_place_is_never_an_argument(nlp: Any) -> None:
    ext = _extract(nlp, "BAGHDAD, June 12, 2014 - Hezbollah fighters captured Qusayr on Thursday.")
    assert {(r.subject, r.object, r.time) for r in ext.relations} == {("Hezbollah", _key(ext, "Qusayr"), "2014-06-12")}


def test_appositive_still_held_by(nlp: Any) -> None:
    check(nlp, "Benghazi, the last city still held by Hezbollah, was quiet.", ("Hezbollah", "controls", "Benghazi", A))


def test_possessive_stronghold_of(nlp: Any) -> None:
    check(nlp, "Fighting raged in Hezbollah's stronghold of Benghazi.", ("Hezbollah", "controls", "Benghazi", A))


def test_hyphen_held_adjective(nlp: Any) -> None:
    ext = _extract(nlp, "Hezbollah-held Benghazi was bombarded for weeks.")
    assert {(r.predicate, r.object, r.rule) for r in ext.relations} == {
        ("controls", _key(ext, "Benghazi"), "controls.held-adjective")
    }


def test_pronoun_possessive_control_and_copula_negation(nlp: Any) -> None:
    """ "never in doubt" negates the doubt, not the control."""
    check(
        nlp,
        "Hezbollah regrouped. Its control of Benghazi was never in doubt.",
        ("Hezbollah", "controls", "Benghazi", A),
    )
    check(
        nlp, "The capture of Benghazi by Hezbollah never happened.", ("Hezbollah", "controls", "Benghazi", "not Actual")
    )


def test_objects_spelled_out_after_among_them(nlp: Any) -> None:
    check(
        nlp,
        "Hezbollah captured several towns, among them Zawiya and Gharyan.",
        ("Hezbollah", "controls", "Zawiya", A),
        ("Hezbollah", "controls", "Gharyan", A),
    )


def test_relative_clause_on_equipment_acts_for_its_owner(nlp: Any) -> None:
    ext = check(
        nlp,
        "Hezbollah advanced with 200 trucks and 40 tanks, which entered Benghazi on Friday.",
        ("Hezbollah", "advancesOn", "Benghazi", A),
    )
    base = next(r.confidence for r in load_lexicon().rules if r.id == "advancesOn.verb")
    assert all(r.confidence < base for r in ext.relations)  # an implicit subject weighs less


def test_headline_comma_names_two_agents(nlp: Any) -> None:
    ext = _extract(nlp, "Hezbollah, Syrian Army at Gates of Aleppo")
    assert {(r.subject, r.predicate, r.object) for r in ext.relations} >= {
        ("Hezbollah", "advancesOn", _key(ext, "Aleppo"))
    }


def test_part_of_a_country_is_not_the_country(nlp: Any) -> None:
    ext = _extract(nlp, "Hezbollah fighters captured northern Syria.")
    countries = {e.key for e in ext.entities if _norm(e.key) == "syria"}
    assert not {r.object for r in ext.relations} & countries  # a region entity may hold it, the country not


def test_subject_before_a_parenthetical_aside(nlp: Any) -> None:
    check(
        nlp,
        "The Wagner Group, believed to be paid by Moscow, has been training the Malian army.",
        ("Wagner Group", "advises", "Malian army", A),
    )


def test_an_aside_the_parser_made_the_main_clause_reports_nothing(nlp: Any) -> None:
    """ "X, said to be loyal to Y, is guarding Z": the real verb is the parser's complement of the aside; the aside
    gives it no subject of its own and reports nothing of it."""
    ext = check(
        nlp,
        "The Magar Brigade, said to be loyal to the king, is guarding Pokhara.",
        ("Magar Brigade", "controls", "Pokhara", A),
    )
    assert {r.reported_by for r in ext.relations} == {None}


def test_a_second_coordinated_relative_clause_has_the_same_antecedent(nlp: Any) -> None:
    check(
        nlp,
        "The Tharu Front, which recruited in the hills and which later trained the Magar militia, grew quickly.",
        ("Tharu Front", "advises", "Magar militia", A),
    )


_WORDS = [
    "the",
    "rebels",
    "army",
    "Aden",
    "Tripoli",
    "captured",
    "took",
    "control",
    "of",
    "fell",
    "to",
    "advance",
    "on",
    "not",
    "may",
    "tried",
    "to",
    ",",
    ".",
    "and",
    "which",
    "who",
    "their",
    "it",
    "they",
    "Hezbollah",
    "siege",
    "by",
    "stronghold",
    "-held",
    "2011",
    "March",
    "13",
    "on",
    "Friday",
    "said",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40))
def test_any_word_salad_gives_well_formed_relations(nlp: Any, words: list[str]) -> None:
    """Whatever the parser makes of a text, extraction does not fail and every relation points into the text."""
    text = " ".join(words)
    ext = _extract(nlp, text)
    keys = {e.key for e in ext.entities}
    for r in ext.relations:
        assert {r.subject, r.object} <= keys and r.subject != r.object
        assert text[r.evidence.start : r.evidence.end] == r.evidence.text
        assert 0 < r.confidence <= 1


def test_time_carried_from_the_previous_sentence_of_the_paragraph_only(nlp: Any) -> None:
    ext = _extract(nlp, "On 13 March 2011, Hezbollah fighters shelled Qusayr. Hezbollah fighters captured Qusayr.")
    assert {r.time for r in ext.relations} == {"2011-03-13"}
    ext = _extract(nlp, "Fighting began on 13 March 2011.\n\nHezbollah fighters captured Qusayr.")
    assert [r.time for r in ext.relations] == [None]


def test_held_by_on_a_noun_in_a_locative_phrase_is_not_the_clause_subject(nlp: Any) -> None:
    check(nlp, "Syria fought in a town held by the Houthis.")


@pytest.mark.parametrize(
    "text",
    [
        "The government condemned the capture of Aden.",
        "The UN warned against an attack on Aden.",
        "The army faced an assault on Uyuni in Bolivia.",  # the side attacked
    ],
)
def test_no_implicit_partner_from_onlookers(nlp: Any, text: str) -> None:
    check(nlp, text)


def test_implicit_partner_the_sentence_makes_plain(nlp: Any) -> None:
    ext = check(nlp, "Hezbollah's offensive began with the capture of Zawiya.", ("Hezbollah", "controls", "Zawiya", A))
    base = next(r.confidence for r in load_lexicon().rules if r.id == "controls.capture-noun")
    assert all(r.confidence < base for r in ext.relations)


def test_joining_is_defection_for_groups_not_states(nlp: Any) -> None:
    check(
        nlp,
        "Turkey joined the NATO coalition. Syrian soldiers joined the Free Syrian Army.",
        ("Syrian soldiers", "defectsTo", "Free Syrian Army", A),
    )


def test_according_to_keeps_the_speaker(nlp: Any) -> None:
    ext = check(
        nlp,
        "According to Hassan Nasrallah, Hezbollah fighters captured Aden.",
        ("Hezbollah", "controls", "Aden", A),
    )
    assert {r.reported_by for r in ext.relations} == {_key(ext, "Hassan Nasrallah")}


def test_type_rejections_name_the_entity_and_the_type_wanted(nlp: Any) -> None:
    from kg.nlp.entities import resolve_entities

    doc = nlp("Hezbollah fighters captured Hassan Nasrallah.")
    index = resolve_entities(doc)
    rejected: list[Rejection] = []
    assert find_relations(doc, index, rejected) == []
    person = next(k for k, e in index.entities.items() if e.type == "Person")
    assert [(j.rule, j.entity, j.wanted) for j in rejected] == [("controls.verb", person, "Place")]


# ------------------------------------------------------------------ round 2: constructions from other wars


@pytest.mark.parametrize(
    ("text", "agent", "place"),
    [
        ("Hezbollah fighters seized most of Qusayr.", "Hezbollah", "Qusayr"),
        ("The Houthis captured the eastern districts of Taiz.", "Houthis", "Taiz"),
        ("Houthi fighters seized portions of the town of Marib.", "Houthi", "Marib"),
        ("The Taliban overran half of Kunduz.", "Taliban", "Kunduz"),
    ],
)
def test_a_part_of_a_place_stands_for_the_place(nlp: Any, text: str, agent: str, place: str) -> None:
    check(nlp, text, (agent, "controls", place, A))


def test_a_citys_quarter_is_the_city_and_side_words_hold_it(nlp: Any) -> None:
    ext = check(
        nlp,
        "The Free Syrian Army held Aleppo's eastern districts. "
        "Government troops recaptured the last rebel-held districts of eastern Aleppo in December 2016.",
        ("Free Syrian Army", "controls", "Aleppo", A),
        ("Government troops", "controls", "Aleppo", A),
    )
    # "rebel-held": the rebels this text names, not a rebel group of its own
    assert {(r.subject, r.rule) for r in ext.relations if r.rule == "controls.held-adjective"} == {
        ("Free Syrian Army", "controls.held-adjective")
    }
    assert {r.rule for r in ext.relations} == {"controls.verb", "controls.held-adjective"}


def test_in_the_hands_of(nlp: Any) -> None:
    ext = check(
        nlp,
        "By nightfall the town of Baiji remained in the hands of the Hashed al-Shaabi militia.",
        ("Hashed al-Shaabi militia", "controls", "Baiji", A),
    )
    assert [r.rule for r in ext.relations] == ["controls.in-hands"]


def test_left_in_the_hands_of_takes_the_verbs_object(nlp: Any) -> None:
    check(nlp, "Government forces left Ramadi in the hands of ISIL.", ("ISIL", "controls", "Ramadi", A))


def test_no_longer_in_their_hands_is_negated(nlp: Any) -> None:
    ext = check(
        nlp,
        "Hezbollah fighters seized Qusayr. Qusayr is no longer in Hezbollah hands.",
        ("Hezbollah", "controls", "Qusayr", A),
        ("Hezbollah", "controls", "Qusayr", "not Actual"),
    )
    assert {(r.rule, r.asserted) for r in ext.relations} == {("controls.verb", True), ("controls.in-hands", False)}


def test_under_nationality_control(nlp: Any) -> None:
    check(
        nlp,
        "Russian forces entered Mariupol. By May, Mariupol was under Russian control.",
        ("Russian forces", "advancesOn", "Mariupol", A),
        ("Russian forces", "controls", "Mariupol", A),
    )


def test_participial_clause_takes_the_main_subject(nlp: Any) -> None:
    check(
        nlp,
        "Ukrainian forces pushed east, retaking the town of Izium on Saturday and reaching the border.",
        ("Ukrainian forces", "controls", "Izium", A),
    )


def test_coordinated_nationality_premodifiers_each_advise(nlp: Any) -> None:
    check(
        nlp,
        "British troops arrived in Kandahar in 2006. British and American officers have trained Afghan units.",
        ("British troops", "advises", "Afghan units", A),
        ("American officers", "advises", "Afghan units", A),
    )


def test_perfect_progressive_training(nlp: Any) -> None:
    check(
        nlp,
        "Iranian officers have been training Houthi fighters for months.",
        ("Iranian officers", "advises", "Houthi fighters", A),
    )


def test_pronoun_object(nlp: Any) -> None:
    ext = check(
        nlp,
        "Hezbollah fighters pushed toward Qusayr and seized it.",
        ("Hezbollah", "advancesOn", "Qusayr", A),
        ("Hezbollah", "controls", "Qusayr", A),
    )
    conf = {r.predicate: r.confidence for r in ext.relations}
    assert conf["controls"] < conf["advancesOn"] + 0.1  # the pronoun object costs confidence


@pytest.mark.parametrize(
    "text",
    [
        "On 4 May, Hezbollah's forces, advancing from the south, succeeded in retaking Qusayr.",
        "Hezbollah's forces managed to seize Qusayr.",
        "Hezbollah went on to capture Qusayr.",
    ],
)
def test_subject_climbs_to_the_governing_clause(nlp: Any, text: str) -> None:
    check(nlp, text, ("Hezbollah", "controls", "Qusayr", A))


def test_lost_to(nlp: Any) -> None:
    ext = check(nlp, "Hezbollah lost Qusayr to the Nusra Front.", ("Nusra Front", "controls", "Qusayr", A))
    assert [r.rule for r in ext.relations] == ["controls.lost-to"]


def test_drove_out_of_and_expelled_from(nlp: Any) -> None:
    # the one driven out held the place until then: a statement that ends its hold
    ext = check(
        nlp,
        "Iraqi forces drove ISIL fighters out of Ramadi in December 2015.",
        ("Iraqi forces", "controls", "Ramadi", A),
        ("ISIL", "controls", "Ramadi", A),
    )
    got = sorted((r.subject, r.rule, r.time, r.ends) for r in ext.relations)
    assert got == [
        ("ISIL", "controls.drive-out", "2015-12", True),
        ("Iraqi forces", "controls.drive-out", "2015-12", False),
    ]
    ext = check(
        nlp,
        "The Kurds expelled ISIL from Kobani.",
        ("Kurds", "controls", "Kobani", A),
        ("ISIL", "controls", "Kobani", A),
    )
    assert {r.subject: r.ends for r in ext.relations} == {"Kurds": False, "ISIL": True}


@pytest.mark.parametrize("text", ["The Taliban pushed out of Kunduz.", "The Taliban were pushed back to Kunduz."])
def test_withdrawal_is_neither_control_nor_advance(nlp: Any, text: str) -> None:
    check(nlp, text)


def test_one_statement_per_trigger(nlp: Any) -> None:
    ext = check(nlp, "Government troops closed in on Mullaitivu.", ("Government troops", "advancesOn", "Mullaitivu", A))
    assert [r.rule for r in ext.relations] == ["advancesOn.close-in"]


def test_weekday_against_the_dateline_and_a_date_inside_a_name(nlp: Any) -> None:
    ext = check(
        nlp,
        "GOMA, Nov. 20, 2012 - The March 23 Movement (M23) rebels seized Goma on Tuesday.",
        ("March 23 Movement", "controls", "Goma", A),
    )
    assert [(r.time, r.time_text) for r in ext.relations] == [("2012-11-20", "on Tuesday")]
    ext = check(nlp, "The March 23 Movement (M23) rebels seized Goma in 2012.", ("M23", "controls", "Goma", A))
    assert [r.time for r in ext.relations] == ["2012"]


def test_dateline_with_an_agency_is_no_argument(nlp: Any) -> None:
    check(
        nlp,
        "KINSHASA, Congo, June 3 (Reuters) - Fighters of the Allied Democratic Forces attacked Kinshasa.",
        ("Allied Democratic Forces", "advancesOn", "Kinshasa", A),
    )


@pytest.mark.parametrize(
    ("text", "relation", "rule"),
    [
        ("The Houthis laid siege to Taiz in 2015.", "advancesOn", "advancesOn.lay-siege"),
        ("Taliban fighters poured into Kunduz on Monday.", "advancesOn", "advancesOn.move-on"),
        ("The Taliban held on to Kunduz.", "controls", "controls.hold-on"),
        ("The Taliban regained Kunduz in June 2013.", "controls", "controls.verb"),
        ("Kunduz was overrun by the Taliban.", "controls", "controls.passive"),
    ],
)
def test_more_verb_forms(nlp: Any, text: str, relation: str, rule: str) -> None:
    ext = check(
        nlp,
        text,
        ("Taliban" if "Taliban" in text else "Houthis", relation, "Kunduz" if "Kunduz" in text else "Taiz", A),
    )
    assert [r.rule for r in ext.relations] == [rule]


def test_advisers_embedded_with_a_passive_form(nlp: Any) -> None:
    check(nlp, "Russian advisers are embedded with Syrian units.", ("Russian advisers", "advises", "Syrian units", A))


def test_helping_is_not_advising(nlp: Any) -> None:
    check(nlp, "Iranian military advisers are helping Hezbollah.")


def test_a_relative_clause_on_the_actor_keeps_its_time(nlp: Any) -> None:
    ext = check(
        nlp,
        "The Houthis, who seized Sanaa in 2014, advanced on Aden.",
        ("Houthis", "controls", "Sanaa", A),
        ("Houthis", "advancesOn", "Aden", A),
    )
    assert {r.object: r.time for r in ext.relations} == {"Sanaa": "2014", "Aden": None}


def test_sentence_initial_month_is_a_time(nlp: Any) -> None:
    ext = check(
        nlp, "The war began in 2016. In November, the Houthis entered Aden.", ("Houthis", "advancesOn", "Aden", A)
    )
    assert [(r.time, r.time_text) for r in ext.relations] == [("2016-11", "In November")]


def test_an_offensive_to_retake_is_an_advance_not_a_capture(nlp: Any) -> None:
    ext = check(
        nlp,
        "Iraqi forces launched an offensive to retake Mosul from ISIL.",
        ("Iraqi forces", "advancesOn", "Mosul", A),
        ("Iraqi forces", "controls", "Mosul", "Planned"),
        ("ISIL", "controls", "Mosul", "Planned"),
    )
    assert {r.rule for r in ext.relations if r.asserted} == {"advancesOn.attempt"}


def test_a_name_compounded_with_a_place_noun(nlp: Any) -> None:
    check(nlp, "The Taliban seized much of the Helmand province.", ("Taliban", "controls", "Helmand", A))


def test_a_name_the_ner_missed_is_known_from_elsewhere_in_the_text(nlp: Any) -> None:
    check(
        nlp,
        "ISIL fighters seized Mosul in June 2014. ISIL never captured Baghdad.",
        ("ISIL", "controls", "Mosul", A),
        ("ISIL", "controls", "Baghdad", "not Actual"),
    )


def test_accused_of_is_a_claim(nlp: Any) -> None:
    check(nlp, "The Nusra Front is suspected of having taken Idlib.", ("Nusra Front", "controls", "Idlib", "Claimed"))


@pytest.mark.parametrize(
    ("text", "relation", "rule"),
    [
        ("Aden came under attack from the Houthis.", "advancesOn", "advancesOn.under-attack"),
        ("Aden has been under siege by the Houthis since 2015.", "advancesOn", "advancesOn.under-attack"),
        ("The Houthi takeover of Aden shocked the region.", "controls", "controls.capture-noun"),
        ("The Houthis consolidated their hold on Aden.", "controls", "controls.light-verb"),
    ],
)
def test_houthi_forms(nlp: Any, text: str, relation: str, rule: str) -> None:
    ext = _extract(nlp, text)
    assert [(r.predicate, r.object, r.rule, r.asserted) for r in ext.relations] == [(relation, "Aden", rule, True)]
    assert _norm(ext.relations[0].subject).startswith("houthi")


def test_coordinated_passive_participles_share_the_agent(nlp: Any) -> None:
    check(
        nlp,
        "The Security Belt forces were trained and equipped by the United Arab Emirates.",
        ("United Arab Emirates", "advises", "Security Belt forces", A),
    )


def test_fighting_to_retake_is_an_attempt(nlp: Any) -> None:
    check(
        nlp,
        "Government forces are fighting to retake Ramadi.",
        ("Government forces", "controls", "Ramadi", "Planned"),
        ("Government forces", "advancesOn", "Ramadi", A),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Russia holds Ukraine responsible for the attack.",
        "The Taliban took part in talks in Doha.",
        "The Houthis took 200 prisoners in Marib.",
        "The rebels held talks with the government in Geneva.",
        "Kenya joined the African Union mission in Somalia.",
    ],
)
def test_light_uses_of_trigger_verbs_say_nothing(nlp: Any, text: str) -> None:
    assert [r for r in _extract(nlp, text).relations if r.asserted] == []


def test_forces_loyal_to_a_leader_are_his_followers_not_him(nlp: Any) -> None:
    """A leader is not his troops: "forces loyal to X" are a group of their own, the one X leads."""
    ext = check(
        nlp,
        "Forces loyal to Khalifa Haftar advanced on Tripoli on Sunday. Haftar's loyalists later entered Sirte.",
        ("forces loyal to Khalifa Haftar", "advancesOn", "Tripoli", A),
        ("forces loyal to Khalifa Haftar", "advancesOn", "Sirte", A),
    )
    followers = ext.entity("forces loyal to Khalifa Haftar")
    assert followers.type == "Group"
    assert {"Forces loyal to Khalifa Haftar", "Haftar's loyalists"} <= set(followers.aliases)
    assert ext.entity("Khalifa Haftar").type == "Person"


def test_who_sent_the_advisers_advises(nlp: Any) -> None:
    check(
        nlp,
        "Iran has sent military advisers to train Hezbollah fighters.",
        ("Iran", "advises", "Hezbollah", A),
    )


def test_passive_driven_out_by(nlp: Any) -> None:
    ext = check(
        nlp,
        "ISIL fighters were driven out of Ramadi, their last stronghold, by Iraqi forces.",
        ("ISIL", "controls", "Ramadi", A),
        ("Iraqi forces", "controls", "Ramadi", A),
    )
    assert {r.rule for r in ext.relations} == {"controls.stronghold", "controls.drive-out"}
    check(nlp, "The militants were expelled from Kobani by the Kurds.", ("Kurds", "controls", "Kobani", A))


@pytest.mark.parametrize(
    ("text", "adviser", "advised", "rule"),
    [
        ("Iran provided training to Houthi fighters.", "Iran", "Houthi fighters", "advises.give-training"),
        ("Houthi fighters received training from Hezbollah.", "Hezbollah", "Houthi fighters", "advises.training-noun"),
        ("Hezbollah sent advisers to the Houthis.", "Hezbollah", "Houthis", "advises.adviser-noun"),
        ("Hezbollah helped train the Houthis.", "Hezbollah", "Houthis", "advises.verb"),
        # the purpose clause the parser hangs on the verb says what the advisers are there to do
        (
            "Chile sent 200 advisers to assist the Bolivian police.",
            "Chile",
            "Bolivian police",
            "advises.adviser-noun",
        ),
        (
            "The general arrived in Puno with 80 instructors from the Chilean army to direct Bolivian militias.",
            "Chilean army",
            "Bolivian militias",
            "advises.adviser-noun",
        ),
    ],
)
def test_training_given_and_received(nlp: Any, text: str, adviser: str, advised: str, rule: str) -> None:
    ext = check(nlp, text, (adviser, "advises", advised, A))
    assert [r.rule for r in ext.relations] == [rule]


@pytest.mark.parametrize(
    ("text", "adviser", "advised"),
    [
        ("Chilean military advisers are working with the Bolivian army.", "Chilean advisers", "Bolivian army"),
        ("Chilean advisers serve alongside Bolivian troops.", "Chilean advisers", "Bolivian troops"),
        ("Chilean instructors have been assigned to the Bolivian police.", "Chilean instructors", "Bolivian police"),
    ],
)
def test_advisers_attached_to_someone_by_their_verb(nlp: Any, text: str, adviser: str, advised: str) -> None:
    check(nlp, text, (adviser, "advises", advised, A))


@pytest.mark.parametrize(
    "text",
    [
        "Chilean advisers clashed with Bolivian troops.",  # not a verb that attaches them
        "Chilean advisers arrived in Bolivia in May.",  # a verb that only places them
    ],
)
def test_advisers_verbs_that_do_not_attach_them(nlp: Any, text: str) -> None:
    check(nlp, text)


def test_a_list_the_parser_read_as_an_apposition_names_an_unnamed_last_agent_too(nlp: Any) -> None:
    check(
        nlp,
        "Maoist fighters, Tharu militias and student brigades captured Butwal.",
        ("Maoist fighters", "controls", "Butwal", A),
        ("Tharu militias", "controls", "Butwal", A),
        ("student brigades", "controls", "Butwal", A),
    )


def test_a_predicate_noun_without_an_entity_is_the_copulas_subject(nlp: Any) -> None:
    """ "X is the latest officer to join Y": the officer who joins is X."""
    check(
        nlp,
        "Pedro Rivas is the latest officer to join the Red Condors.",
        ("Pedro Rivas", "defectsTo", "Red Condors", A),
    )


def test_a_time_adjunct_is_neither_planned_nor_attempted_by_its_verb(nlp: Any) -> None:
    """ "After seizing X, they moved on Y": "move" governs an attempt ("moved to seize X"), not an adjunct."""
    check(
        nlp,
        "After seizing Uyuni, the Red Condors moved on Potosi.",
        ("Red Condors", "controls", "Uyuni", A),
        ("Red Condors", "advancesOn", "Potosi", A),
    )
    check(
        nlp,
        "The Red Condors may attack Potosi after seizing Uyuni.",
        ("Red Condors", "controls", "Uyuni", "Hypothetical"),
        ("Red Condors", "advancesOn", "Potosi", "Hypothetical"),
    )


def test_purpose_infinitive_after_an_object_belongs_to_the_subject(nlp: Any) -> None:
    check(
        nlp,
        "Colonel Riad al-Asaad deserted the Syrian army to join the Free Syrian Army.",
        ("Riad al-Asaad", "defectsTo", "Free Syrian Army", A),
    )
    check(
        nlp,
        "The Americans urged the Northern Alliance to take Kunduz.",
        ("Northern Alliance", "controls", "Kunduz", "Urged"),
    )


def test_relative_clause_misattached_to_a_place_acts_for_the_clause_subject(nlp: Any) -> None:
    ext = _extract(
        nlp, "General Giap was preparing an offensive in the western hills, which ended in the capture of Pleiku."
    )
    found = {(r.subject, r.predicate, r.object) for r in ext.relations if r.rule == "controls.capture-noun"}
    assert found == {(_key(ext, "Giap"), "controls", _key(ext, "Pleiku"))}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Taliban fighters approached Kabul from the south.", "advancesOn.reach"),
        ("Taliban columns were bearing down on Kabul.", "advancesOn.bear-down"),
        ("Taliban fighters fought their way into Kabul.", "advancesOn.way-into"),
        ("The Taliban were at the gates of Kabul on Sunday.", "advancesOn.at-gates"),
    ],
)
def test_more_advance_forms(nlp: Any, text: str, rule: str) -> None:
    ext = check(nlp, text, ("Taliban", "advancesOn", "Kabul", A))
    assert [r.rule for r in ext.relations] == [rule]


def test_we_in_a_quote_is_the_speakers_group(nlp: Any) -> None:
    ext = check(
        nlp,
        '"We have taken Goma," a spokesman for the March 23 Movement said on Tuesday.',
        ("March 23 Movement", "controls", "Goma", A),
    )
    assert ext.relations[0].confidence < 0.85  # the subject is implicit


def test_told_reporters_that_reports(nlp: Any) -> None:
    ext = check(
        nlp,
        "Hezbollah fighters entered Qusayr. A Hezbollah commander told reporters that Hezbollah had taken Qusayr.",
        ("Hezbollah", "advancesOn", "Qusayr", A),
        ("Hezbollah", "controls", "Qusayr", A),
    )
    assert {r.reported_by for r in ext.relations if r.predicate == "controls"} == {"Hezbollah"}


def test_a_pronoun_bound_to_a_city_does_not_act(nlp: Any) -> None:
    ext = _extract(nlp, "The rebels left Goma. The army said it had recaptured Goma.")
    assert not any(r.subject == _key(ext, "Goma") for r in ext.relations)


def test_an_unlabelled_second_verb_shares_the_subject(nlp: Any) -> None:
    check(
        nlp,
        "Hezbollah fighters captured Qusayr and nearby villages, then moved on Homs.",
        ("Hezbollah", "controls", "Qusayr", A),
        ("Hezbollah", "advancesOn", "Homs", A),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Having seized Mosul, ISIL fighters swept south toward Tikrit.",
        "ISIL fighters seized Mosul and swept south toward Tikrit.",
    ],
)
def test_participle_and_conjunct_share_the_subject(nlp: Any, text: str) -> None:
    check(nlp, text, ("ISIL", "controls", "Mosul", A), ("ISIL", "advancesOn", "Tikrit", A))


@pytest.mark.parametrize(
    "text",
    [
        "Ukrainian forces dug in on the outskirts of Kyiv.",
        "President Ghani made his way to Kabul.",
        "The rebels handed the prisoners to the Red Cross.",
        "The soldiers were driven to Kabul by bus.",
    ],
)
def test_new_forms_do_not_overreach(nlp: Any, text: str) -> None:
    assert [r for r in _extract(nlp, text).relations if r.asserted] == []


def test_lost_to_with_a_place(nlp: Any) -> None:
    check(nlp, "Syria lost the Golan Heights to Israel in 1967.", ("Israel", "controls", "Golan Heights", A))


@pytest.mark.parametrize(
    "text",
    [
        "The Houthis were unable to capture Marib.",
        "The Houthis pulled back without capturing Marib.",
        "Neither the Houthis nor Hezbollah captured Marib.",
    ],
)
def test_more_negations(nlp: Any, text: str) -> None:
    ext = _extract(nlp, text)
    assert ext.relations and all(r.negated and not r.asserted for r in ext.relations)
    assert {r.object for r in ext.relations} == {_key(ext, "Marib")}


def test_a_side_word_modifier_means_the_group_that_word_names(nlp: Any) -> None:
    ext = check(
        nlp,
        "The Free Syrian Army rebels held Homs. Government forces shelled the rebel stronghold of Homs.",
        ("Free Syrian Army", "controls", "Homs", A),
        ("Government forces", "advancesOn", "Homs", A),
    )
    assert "controls.stronghold" in {r.rule for r in ext.relations}


def test_irregular_past_the_model_does_not_lemmatise(nlp: Any) -> None:
    """The model leaves "retook" as its own lemma; the lexicon lists the form so the capture is not lost."""
    check(nlp, "Ethiopian troops retook Mekelle on Tuesday.", ("Ethiopian troops", "controls", "Mekelle", A))


def test_pressing_an_offensive_is_an_advance_not_urging(nlp: Any) -> None:
    check(nlp, "The Tigrayan rebels pressed their offensive on Dessie.", ("Tigrayan rebels", "advancesOn", "Dessie", A))


def test_relative_clause_with_reported_belief_and_coordinated_nouns(nlp: Any) -> None:
    """The relative pronoun is the antecedent; "believed to" is reported belief (asserted, no speaker); "from Y"
    after "arms and training" belongs to training too."""
    ext = check(
        nlp,
        "The Kachin rebels, who are believed to receive arms and training from China, attacked Myitkyina.",
        ("China", "advises", "Kachin rebels", A),
        ("Kachin rebels", "advancesOn", "Myitkyina", A),
    )
    assert all(r.reported_by is None for r in ext.relations)


def test_coordinated_verbs_share_the_subject_in_a_defection(nlp: Any) -> None:
    check(
        nlp,
        "Malian troops fled their posts. Several army battalions switched sides and joined the Tuareg rebels.",
        ("Malian troops", "defectsTo", "Tuareg rebels", A),
    )


def test_pressing_an_attack_takes_the_presser_as_attacker(nlp: Any) -> None:
    check(nlp, "Kurdish rebels pressed an attack on Kirkuk on Tuesday.", ("Kurdish rebels", "advancesOn", "Kirkuk", A))


def test_pressing_others_to_attack_is_still_urged(nlp: Any) -> None:
    ext = _extract(nlp, "The tribal elders pressed the Kurdish rebels to attack Kirkuk.")
    assert not any(r.asserted for r in ext.relations)


def test_government_units_that_switch_sides_are_the_states_forces(nlp: Any) -> None:
    """Coordinated verbs share the subject; "government battalions" are the state's forces, not its government."""
    check(
        nlp,
        "Chadian troops withdrew. Two government battalions switched sides and joined the FROLINAT rebels.",
        ("Chadian troops", "defectsTo", "FROLINAT", A),
    )


@pytest.mark.parametrize(
    ("text", "holder", "place"),
    [
        (
            "A ring of Northland tanks surrounded Lobo in anticipation of an assault from the rebels.",
            "Northland",
            "Lobo",
        ),
        ("Militia units ringed the port of Tembe against an expected attack.", "Militia units", "Tembe"),
        ("The militia fortified Kira ahead of an expected offensive.", "militia", "Kira"),
    ],
)
def test_a_ring_against_an_attack_is_a_defence(nlp: Any, text: str, holder: str, place: str) -> None:
    check(nlp, text, (holder, "controls", place, A))


@pytest.mark.parametrize(
    "text",
    ["Rebel units surrounded Lobo ahead of their assault.", "Rebel units surrounded Lobo on Monday."],
)
def test_a_ring_without_an_attack_to_stand_against_says_nothing(nlp: Any, text: str) -> None:
    assert not [r for r in _extract(nlp, text).relations if r.predicate == "controls"]


def test_an_offensive_in_a_country_names_no_place_to_advance_on(nlp: Any) -> None:
    """A country the gazetteer knows is a whole country even when nobody in the text acts for it."""
    check(nlp, "The army launched an offensive in Ecuador.")
    check(nlp, "The rebels began a campaign in Loja.", ("rebels", "advancesOn", "Loja", A))


def test_the_one_placed_in_charge_of_training_advises(nlp: Any) -> None:
    check(
        nlp,
        "Colonel Perez was placed in charge of training the Andean Guard.",
        ("Perez", "advises", "Andean Guard", A),
    )
    check(nlp, "Colonel Perez is responsible for arming the Andean Guard.")  # arming is no advice


def test_an_x_led_offensive_is_carried_out_by_x(nlp: Any) -> None:
    check(nlp, "An army-led offensive captured Ilo.", ("army", "controls", "Ilo", A))
    check(nlp, "A militia-led campaign pushed toward Ilo.", ("militia", "advancesOn", "Ilo", A))
    check(nlp, "A Chilean-backed offensive captured Ilo.")  # who backs it does not carry it out


def test_our_in_reported_speech_is_the_speakers_side(nlp: Any) -> None:
    """'"X remains in our hands," a spokesman for Y said': the owner of the trigger noun is the speaker's side."""
    check(
        nlp,
        '"Juliaca remains in our hands," a spokesman for the Andean Front said.',
        ("Andean Front", "controls", "Juliaca", A),
    )
    check(
        nlp,
        'The Andean Front is a rebel group. "Juliaca is under our control," the front\'s commander said.',
        ("Andean Front", "controls", "Juliaca", A),
    )
    check(nlp, '"Juliaca remains in our hands," he said.')  # a speaker with no side says nothing of one


def test_liberation_in_a_groups_name_is_no_capture(nlp: Any) -> None:
    check(
        nlp,
        "The Popular Front for the Liberation of Tacna advanced on Ilave.",
        ("Popular Front for the Liberation of Tacna", "advancesOn", "Ilave", A),
    )


def test_the_army_is_not_the_armed_group_named_after_one(nlp: Any) -> None:
    check(
        nlp,
        "The Tacna Liberation Army seized Ilave in May. In June the army retook the town.",
        ("Tacna Liberation Army", "controls", "Ilave", A),
        ("army", "controls", "Ilave", A),
    )


def test_a_town_the_ner_took_for_a_person_is_a_place_once_captured(nlp: Any) -> None:
    """One rejection retypes a one-word 'Person' that GeoNames knows as a town; a full name never."""
    check(nlp, "The army may have retaken Yunguyo.", ("army", "controls", "Yunguyo", "Hypothetical"))
    check(nlp, "The army captured Juan Soto near the border.")  # a person's full name stays a person


def test_a_name_the_text_places_is_a_place_after_one_rejection(nlp: Any) -> None:
    """A one-word 'Person' unknown to GeoNames is a place when the text places it: a distance and compass point
    from it, or "the town" a verb conjoined with a movement onto it takes; people are attacked and captured near
    towns, so neither an attack nor a capture with "the town" elsewhere retypes it."""
    check(nlp, "The militia moved on Valdora 40 km north of the border.", ("militia", "advancesOn", "Valdora", A))
    check(nlp, "Rebel troops moved on Valdora and surrounded the town.", ("rebels", "advancesOn", "Valdora", A))
    check(nlp, "The rebels captured Haddad near the town.")
    check(nlp, "The rebels attacked Haddad and then shelled the town.")


def test_who_seizes_power_in_a_country_controls_it(nlp: Any) -> None:
    check(nlp, "Colonel Assimi Goita seized power in Mali in 2020.", ("Assimi Goita", "controls", "Mali", A))
    check(
        nlp,
        "Colonel Doumbouya, the man who took power in Guinea, spoke on Monday.",
        ("Doumbouya", "controls", "Guinea", A),
    )
    check(nlp, "General Tchiani did not seize power in Niger.", ("Tchiani", "controls", "Niger", "not Actual"))
    check(nlp, "The rebels seized power plants in Aden.")  # plants, not power
    check(nlp, "The party holds the balance of power in Lusaka.")


def test_extending_control_to_a_place_controls_it(nlp: Any) -> None:
    check(nlp, "The militia extended its control to Rutshuru.", ("militia", "controls", "Rutshuru", A))
    check(nlp, "The deal restored control to the government of Kenya.")  # given back, to an agent


def test_mentorship_given_is_advice_instructions_are_not(nlp: Any) -> None:
    check(
        nlp,
        "British officers provided mentorship to the Kenyan army.",
        ("British officers", "advises", "Kenyan army", A),
    )
    check(nlp, "The colonel gave instructions to the Kenyan army.")  # orders


def test_an_event_carried_out_by_an_agent_is_the_agents(nlp: Any) -> None:
    """ "the attack on X was carried out (led, conducted) by Y" is Y's attack; negation and modals on that verb
    weigh it; a verb that judges or answers the attack, and a "by" phrase naming no one, say nothing of who."""
    check(nlp, "The attacks on Dessa were carried out by the militia.", ("militia", "advancesOn", "Dessa", A))
    check(nlp, "The assault on Dessa was led by the 5th Brigade.", ("5th Brigade", "advancesOn", "Dessa", A))
    check(
        nlp,
        "The offensive against Dessa, spearheaded by the 5th Brigade, stalled in March.",
        ("5th Brigade", "advancesOn", "Dessa", A),
    )
    check(nlp, "The capture of Dessa was carried out by the militia.", ("militia", "controls", "Dessa", A))
    check(
        nlp,
        "The training of the Malian army was conducted by French instructors.",
        ("French instructors", "advises", "Malian army", A),
    )
    check(
        nlp,
        "The attack on Dessa was not carried out by the militia.",
        ("militia", "advancesOn", "Dessa", "not Actual"),
    )
    check(
        nlp,
        "The attack on Dessa may have been carried out by the militia.",
        ("militia", "advancesOn", "Dessa", "Hypothetical"),
    )
    check(nlp, "The attack on Dessa was repelled by the army.")  # the defenders
    check(nlp, "The attack on Dessa was condemned by the United Nations.")
    check(nlp, "The raid on Dessa was conducted by several militia units.")


def test_a_partner_along_with_or_together_with_the_subject_does_what_it_does(nlp: Any) -> None:
    check(
        nlp,
        "The 5th Brigade, along with the 3rd Battalion, stormed Dessa.",
        ("5th Brigade", "advancesOn", "Dessa", A),
        ("3rd Battalion", "advancesOn", "Dessa", A),
    )
    check(
        nlp,
        "Colonel Rahim, together with Major Bello, defected to the Southern Front.",
        ("Rahim", "defectsTo", "Southern Front", A),
        ("Bello", "defectsTo", "Southern Front", A),
    )
    check(  # a thing, not a partner; an attitude, not company
        nlp,
        "The 5th Brigade, together with heavy artillery, stormed Dessa.",
        ("5th Brigade", "advancesOn", "Dessa", A),
    )
    check(
        nlp, "The 5th Brigade, angry with the 3rd Battalion, stormed Dessa.", ("5th Brigade", "advancesOn", "Dessa", A)
    )


def test_bombing_blockading_and_counteroffensives_are_attacks_on_a_place(nlp: Any) -> None:
    check(nlp, "Russian jets bombed Idlib.", ("Russian jets", "advancesOn", "Idlib", A))
    check(nlp, "The army blockaded Sirte.", ("army", "advancesOn", "Sirte", A))
    check(nlp, "The army launched a counteroffensive against Sirte.", ("army", "advancesOn", "Sirte", A))
    check(nlp, "Russia carried out airstrikes on Idlib.", ("Russia", "advancesOn", "Idlib", A))
    check(
        nlp,
        "The bombing of Idlib by Russian jets killed ten people.",
        ("Russian jets", "advancesOn", "Idlib", A),
    )
    check(nlp, "Turkey condemned the strike on Idlib.")  # an onlooker
    check(nlp, "The union called a general strike in Sirte.")  # a labour strike
    check(nlp, "The army struck a deal with Sirte's elders.")


def test_the_side_a_defector_left_is_an_entity_of_the_extraction(nlp: Any) -> None:
    """An unnamed side left ("the army") is kept like the defector: the graph's kg:sideLeft names it, and the
    mapping refuses (and kg build crashed on) a side left the extraction does not hold."""
    ext = check(
        nlp,
        "Major Bello defected from the army to the Southern Front.",
        ("Bello", "defectsTo", "Southern Front", A),
    )
    assert [r.side_left for r in ext.relations] == [_key(ext, "army")]
    assert extraction_lines(ext)


def test_deserting_one_side_for_another_is_a_defection_from_the_first(nlp: Any) -> None:
    ext = check(
        nlp,
        "Major Bello quit the army for the Southern Front.",
        ("Bello", "defectsTo", "Southern Front", A),
    )
    assert [r.side_left for r in ext.relations] == [_key(ext, "army")]  # an entity the extraction keeps
    check(
        nlp,
        "Major Bello did not desert the army for the Southern Front.",
        ("Bello", "defectsTo", "Southern Front", "not Actual"),
    )
    check(nlp, "Major Bello quit the army for civilian life.")
    check(nlp, "The militia abandoned the town for the hills.")
    check(nlp, "Washington abandoned the Kurds for Turkey.")  # a state's policy, not a defection
    check(nlp, "The rebels abandoned Dessa for the army to take.")


def test_a_name_after_then_is_the_next_item_of_a_list(nlp: Any) -> None:
    check(
        nlp,
        "The army shelled Dessa, then Kavala.",
        ("army", "advancesOn", "Dessa", A),
        ("army", "advancesOn", "Kavala", A),
    )
    check(  # "then" as "at that time": a description, not a second object
        nlp,
        "The militia captured Dessa, then the provincial capital.",
        ("militia", "controls", "Dessa", A),
    )


def test_freeing_or_administering_a_place_holds_it(nlp: Any) -> None:
    check(
        nlp,
        "The army freed Dessa from the rebels.",
        ("army", "controls", "Dessa", A),
        ("rebels", "controls", "Dessa", A),  # until then: the statement ends their hold
    )
    check(nlp, "The militia administers Sirte.", ("militia", "controls", "Sirte", A))
    check(nlp, "The rebels freed two hostages in Dessa.")
    check(nlp, "The ministry administers the vaccine in Sirte.")


def test_providing_someone_with_training_advises_them(nlp: Any) -> None:
    check(
        nlp,
        "Britain supplied the Kenyan army with weapons and training.",
        ("Britain", "advises", "Kenyan army", A),
    )
    check(
        nlp,
        "Britain refused to provide the Kenyan army with training.",
        ("Britain", "advises", "Kenyan army", "not Actual"),
    )
    check(nlp, "Britain supplied the Kenyan army with weapons.")
    check(nlp, "The Kenyan army provided Britain with a training ground.")


def test_schooling_or_drilling_a_force_trains_it(nlp: Any) -> None:
    check(nlp, "Colonel Dubois drilled the militia.", ("Dubois", "advises", "militia", A))
    check(
        nlp,
        "The Malian army was schooled by French instructors.",
        ("French instructors", "advises", "Malian army", A),
    )
    check(nlp, "The engineers drilled wells in Dessa.")


def test_tightening_the_noose_around_a_place_besieges_it(nlp: Any) -> None:
    check(nlp, "The 5th Brigade tightened the noose around Dessa.", ("5th Brigade", "advancesOn", "Dessa", A))
    check(nlp, "The government tightened the noose around the opposition.")  # no place


def test_an_approach_as_a_place_is_left_approaches_that_place(nlp: Any) -> None:
    check(nlp, "Residents fled Karsk as the rebels approached.", ("rebels", "advancesOn", "Karsk", A))
    check(nlp, "The rebels left Karsk as the army approached.", ("army", "advancesOn", "Karsk", A))
    check(  # the approach has its own object
        nlp,
        "Residents fled Karsk as the rebels approached Dessa.",
        ("rebels", "advancesOn", "Dessa", A),
    )
    check(nlp, "The army abandoned Karsk as winter approached.")  # no agent
    check(nlp, "Residents may flee Karsk if the rebels approach.")  # a condition, no time clause


def test_a_nationality_officer_as_adviser_is_that_states_forces(nlp: Any) -> None:
    check(
        nlp,
        "With a Chilean officer as his adviser, General Diaz marched on Cusco.",
        ("Chilean forces", "advises", "Diaz", A),
        ("Diaz", "advancesOn", "Cusco", A),
    )
    check(nlp, "A Chilean officer, Juan Soto, advised General Diaz.", ("Juan Soto", "advises", "Diaz", A))


def test_advisers_in_a_city_do_not_advise_the_city(nlp: Any) -> None:
    check(
        nlp,
        "Chilean advisers in Puno train the Andean Guard.",
        ("Chilean advisers", "advises", "Andean Guard", A),
    )


def test_allying_oneself_changes_sides_allying_does_not(nlp: Any) -> None:
    check(
        nlp,
        "Colonel Luis Diaz allied himself with the Southern Front.",
        ("Luis Diaz", "defectsTo", "Southern Front", A),
    )
    check(nlp, "Rebels persuaded Colonel Luis Diaz to align with the Southern Front.")
    check(nlp, "The Andean Front allied with the Southern Front.")

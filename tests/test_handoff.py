"""What extraction hands the analysis beyond the four relations: ends of holds, the side a defector left,
intervals, statements about the report's present, and the links between entities (issue 11's model).

Sentences are invented (towns of Chile and Peru, invented groups); each case says what a reader takes from it.
"""

from __future__ import annotations

import pytest

from kg.model import Extraction, Relation


def find(e: Extraction, subject: str, predicate: str, obj: str) -> list[Relation]:
    return [r for r in e.relations if (r.subject, r.predicate, r.object) == (subject, predicate, obj)]


@pytest.mark.parametrize(
    ("text", "loser", "winner", "place"),
    [
        ("Peruvian troops drove the Atacama Front out of Arica on May 3.", "Atacama Front", "Peruvian forces", "Arica"),
        ("The Atacama Front expelled Peruvian troops from Arica.", "Peruvian forces", "Atacama Front", "Arica"),
        ("The Atacama Front took Arica from Peruvian troops on May 3.", "Peruvian forces", None, "Arica"),
    ],
)
def test_a_capture_from_someone_ends_their_hold(
    extracted, text: str, loser: str, winner: str | None, place: str
) -> None:  # type: ignore[no-untyped-def]
    e = extracted(text)
    ended = find(e, loser, "controls", place)
    assert ended and all(r.ends for r in ended), e.relations
    if winner is not None:
        assert [r.ends for r in find(e, winner, "controls", place)] == [False]


def test_a_place_still_held_by_someone_when_taken_is_the_end_of_their_hold(extracted) -> None:  # type: ignore[no-untyped-def]
    e = extracted("The Atacama Front has taken Arica, the last port still held by Peruvian troops.")
    assert [r.ends for r in find(e, "Atacama Front", "controls", "Arica")] == [False]
    assert [r.ends for r in find(e, "Peruvian forces", "controls", "Arica")] == [True]


@pytest.mark.parametrize(
    ("text", "defector", "joined", "left"),
    [
        (
            "Colonel Rosa Vidal defected from the Atacama Front to the Peruvian army.",
            "Rosa Vidal",
            "Peruvian forces",
            "Atacama Front",
        ),
        (
            "Rosa Vidal, a commander of the Atacama Front, defected to the Peruvian army.",
            "Rosa Vidal",
            "Peruvian forces",
            "Atacama Front",
        ),
    ],
)
def test_a_defection_names_the_side_left(extracted, text: str, defector: str, joined: str, left: str) -> None:  # type: ignore[no-untyped-def]
    e = extracted(text)
    assert [r.side_left for r in find(e, defector, "defectsTo", joined)] == [left]


def test_the_defectors_old_group_is_a_membership_link(extracted) -> None:  # type: ignore[no-untyped-def]
    e = extracted("Rosa Vidal, a commander of the Atacama Front, defected to the Peruvian army.")
    links = {(lk.subject, lk.predicate, lk.object) for lk in e.links}
    assert ("Rosa Vidal", "memberOf", "Atacama Front") in links
    assert ("Peruvian forces", "forcesOf", "Peru") in links  # the state from its adjective alone
    for lk in e.links:  # each with the sentence that says it, at its place in the text
        assert e.document.text[lk.evidence.start : lk.evidence.end] == lk.evidence.text


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("The Atacama Front held Arica from 1998 until 2004.", "1998", "2004"),
        ("The Atacama Front has controlled Arica since June 2010.", "2010-06", None),
        ("The Atacama Front controlled Arica until 1996.", None, "1996"),
    ],
)
def test_an_interval_the_clause_gives(extracted, text: str, start: str | None, end: str | None) -> None:  # type: ignore[no-untyped-def]
    [r] = find(extracted(text), "Atacama Front", "controls", "Arica")
    assert (r.time_start, r.time_end) == (start, end)


def test_a_statement_about_the_reports_present_takes_no_date_of_the_sentence(extracted) -> None:  # type: ignore[no-untyped-def]
    e = extracted(
        "ARICA, May 20, 2013 - Peruvian troops drove the Atacama Front out of Arica on May 18 and now hold the city."
    )
    times = sorted((r.evidence.trigger, r.time) for r in find(e, "Peruvian forces", "controls", "Arica"))
    assert times == [("drove", "2013-05-18"), ("hold", None)]  # the mapping dates "now hold" by the report


def test_a_dateline_is_a_sentence_of_its_own(extracted) -> None:  # type: ignore[no-untyped-def]
    # the parser would otherwise take the dateline's town for the subject and run the date into the name
    e = extracted("ARICA, Jan. 9, 2014 - The Atacama Front retook Arica on Wednesday after heavy fighting.")
    assert [r.time for r in find(e, "Atacama Front", "controls", "Arica")] == ["2014-01-08"]


def test_a_day_without_a_year_takes_the_year_of_that_months_dates(extracted) -> None:  # type: ignore[no-untyped-def]
    # a flashback to another year between the story's dates does not move the story there
    e = extracted(
        "The siege of Arica began on 19 August 2011. The truce of 22 June 2005 had long failed. "
        "On 24 August, the Atacama Front entered Arica."
    )
    assert [r.time for r in find(e, "Atacama Front", "advancesOn", "Arica")] == ["2011-08-24"]


def test_a_statement_takes_the_narrative_time_of_its_paragraph(extracted) -> None:  # type: ignore[no-untyped-def]
    e = extracted(
        "The uprising in Arica began in March 2003. The government asked its allies for help. After a week the "
        "Atacama Front seized Arica.\n\nThe Atacama Front later held Tacna."
    )
    assert [r.time for r in find(e, "Atacama Front", "controls", "Arica")] == ["2003-03"]
    assert [r.time for r in find(e, "Atacama Front", "controls", "Tacna")] == [None]  # a new paragraph: no carry

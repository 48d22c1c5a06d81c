"""Time normalisation: ISO forms, year and month carried from context, relative dates against the document date."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.nlp.timex import _DATES, _PATTERNS, TimeIndex, _finditer, _scan, dateline_span, document_date, normalise, scan


@pytest.mark.parametrize(
    ("text", "kwargs", "iso"),
    [
        ("1992", {}, "1992"),
        ("in March 2011", {}, "2011-03"),
        ("2 March 2011", {}, "2011-03-02"),
        ("March 2, 2011", {}, "2011-03-02"),
        ("Nov. 13, 2001", {}, "2001-11-13"),
        ("Nov. 13", {"year": 2001}, "2001-11-13"),
        ("on 13 March", {"year": 2011}, "2011-03-13"),
        ("in March", {"year": 2011}, "2011-03"),
        ("mid-March", {"year": 2011}, "2011-03"),
        ("the 1980s", {}, "1980s"),
        ("on Friday", {"anchor": "2001-11-13"}, "2001-11-09"),
        ("yesterday", {"anchor": "2001-11-13"}, "2001-11-12"),
        ("on the 25th", {"year": 1975, "month": 3}, "1975-03-25"),
    ],
)
def test_normalise(text: str, kwargs: dict[str, int | str], iso: str) -> None:
    assert normalise(text, **kwargs) == iso  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["on 13 March", "in March", "on Friday", "yesterday"])
def test_unanchored_gives_none(text: str) -> None:
    assert normalise(text) is None


def test_invalid_day_is_not_a_date() -> None:
    assert normalise("31 February 2011") is None


def test_modal_may_is_not_a_month() -> None:
    assert TimeIndex("The rebels may take the town.").items == ()


def test_dateline_is_the_document_date() -> None:
    assert document_date("SANAA, March 4, 2015 \u2013 Fighters entered the city on Friday.") == "2015-03-04"
    assert document_date("Fighters entered the city.") is None


def test_year_carried_from_nearest_earlier_year() -> None:
    text = "The war began in 1998. On 13 March, the town fell. In 2003 it was over. On 2 May the army left."
    values = {t.text: t.value for t in TimeIndex(text).items}
    assert values["13 March"] == "1998-03-13"
    assert values["2 May"] == "2003-05-02"


def test_bounds_and_citations_do_not_move_the_year() -> None:
    text = "In 1975 the memo said the south could hold until 1976. On 10 March the offensive began (see 1980)."
    values = {t.text: t.value for t in TimeIndex(text).items}
    assert values["10 March"] == "1975-03-10"


def test_relative_days_against_the_document_date_and_previous_day() -> None:
    idx = TimeIndex(
        "CITY, Nov. 13, 2001 - Fighters left yesterday. On March 19, 1992 he mutinied; the next day he won."
    )
    values = {t.text: t.value for t in idx.items}
    assert values["yesterday"] == "2001-11-12"
    assert values["the next day"] == "1992-03-20"
    assert "Nov. 13, 2001" not in values  # the dateline dates the report, not the events


def test_nearest_picks_the_closest_expression_inside_the_span() -> None:
    text = "In 1990 A. In 1992 B happened."
    idx = TimeIndex(text)
    found = idx.nearest(0, len(text), text.index("B"))
    assert found is not None and found.value == "1992"


def test_dateline_span() -> None:
    assert dateline_span("BAGHDAD, June 12, 2014 - Fighters entered.") == (0, len("BAGHDAD, June 12, 2014 -"))
    head = "Rebels at the gates\n\nBy A Writer\n\n"
    assert dateline_span(head + "SANAA, Yemen, March 4, 2015 \u2013 x") == (len(head), len(head) + 29)
    assert dateline_span("Fighters entered Aden on June 12, 2014 - a turning point.") is None


def test_narrative_day_and_year_given_later() -> None:
    text = "On 9 June the town fell. That same night the army left. On 10 June 2014 it was over."
    values = {t.text: t.value for t in TimeIndex(text).items}
    assert values["9 June"] == "2014-06-09"  # no earlier year: the first year the text names
    assert values["That same night"] == "2014-06-09"


def test_parenthetical_references_are_not_event_times() -> None:
    text = "In 1998 the army attacked the city (see the Battle of the City (1997-98))."
    idx = TimeIndex(text)
    found = idx.nearest(0, len(text), text.index("attacked"))
    assert found is not None and found.value == "1998"


def test_year_before_a_comma_is_a_year_but_thousands_are_not() -> None:
    values = [t.value for t in TimeIndex("In 1975, they left. It cost 1,975 dollars.").items]
    assert values == ["1975"]


def test_dateline_with_an_agency_and_no_year() -> None:
    text = "GOMA, Congo, Nov. 20 (Reuters) - Rebels entered the city on Tuesday."
    assert dateline_span(text) == (0, len("GOMA, Congo, Nov. 20 (Reuters) -"))
    assert document_date(text) is None  # no year: weekdays stay unresolved
    assert [t.text for t in TimeIndex(text).items] == ["on Tuesday"]


def test_weekday_is_the_latest_such_day_on_or_before_the_document_date() -> None:
    text = "GOMA, Nov. 20, 2012 - Rebels seized the city on Tuesday and the airport on Sunday."
    values = {t.text: t.value for t in TimeIndex(text).items}
    assert values == {"on Tuesday": "2012-11-20", "on Sunday": "2012-11-18"}


def test_a_date_inside_a_name_is_no_time() -> None:
    text = "The March 23 Movement took the town. On 13 March 2012 it left."
    assert [t.text for t in TimeIndex(text).items] == ["13 March 2012"]
    # spans the entity index marks as names are skipped too, and carry no month forward
    named = "Members of 6 April Youth marched. In 2011 they left."
    idx = TimeIndex(named, exclude=[(named.index("6 April"), named.index(" marched"))])
    assert [t.text for t in idx.items] == ["2011"]


def test_capitalised_prepositions_open_times() -> None:
    values = {
        t.text: t.value for t in TimeIndex("In 2016 it began. In November the army came. By June, it left.").items
    }
    assert values == {"2016": "2016", "In November": "2016-11", "By June": "2016-06"}


def test_days_and_weeks_later_count_from_the_last_day_named() -> None:
    text = "Troops crossed on June 25, 1950, and took the city three days later. Two weeks later they left."
    values = {t.text: t.value for t in TimeIndex(text).items}
    assert values["three days later"] == "1950-06-28"
    assert values["Two weeks later"] == "1950-07-12"
    assert TimeIndex("Two days later they left.").items[0].value is None


def test_since_a_year_does_not_move_the_narrative_year() -> None:
    text = "ALEPPO, Syria, Dec. 13, 2016 - Rebels had held the east since 2012. In November, the army attacked."
    values = {t.text: t.value for t in TimeIndex(text).items}
    assert values == {"2012": "2012", "In November": "2016-11"}


def test_undated_dateline_span() -> None:
    """Wire datelines often give only the place (and the agency): they still name where a report was filed."""
    assert dateline_span("TRIPOLI - Militiamen entered the port.") == (0, len("TRIPOLI -"))
    assert dateline_span("MISRATA, Libya - Militiamen entered.") == (0, len("MISRATA, Libya -"))
    assert dateline_span("BENGHAZI (AFP) \u2014 Militiamen entered.") == (0, len("BENGHAZI (AFP) \u2014"))
    assert dateline_span("Sirte, Libya (AP) - Militiamen entered.") == (0, len("Sirte, Libya (AP) -"))
    assert dateline_span("Militia leaders - and their allies - entered Sirte.") is None


#: Pieces of text that make every kind of time expression, and overlaps between them.
_PIECES = st.sampled_from(
    [
        "3", "13th", "2", "May", "Nov.", "March", "Sept.", "June", ",", " ", "  ", "\n", "of", "in", "on", "the",
        "1998", "2011", "1990s", "Monday", "yesterday", "that day", "two", "days", "later", "-", "PUNO", "(AP)",
        "The", "Movement", "early", "by", "Lima", "23",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25))
def test_dates_alone_are_found_as_in_the_full_scan(pieces: list[str]) -> None:
    """A document's opening is scanned for dated patterns alone (they claim their characters first): its dateline
    and date are what the full scan gives."""
    text = " ".join(pieces)
    full = [(k, m.span()) for k, m in scan(text) if k in [kind for kind, _ in _PATTERNS[:_DATES]]]
    assert [(k, m.span()) for k, m in _scan(text, _DATES)] == full


#: Near misses for the fast scan: digits and month names run into words, other scripts' digits, thousands.
_NEAR = st.sampled_from(
    [
        "x2011", "a1", "\u0663", "1,200", "2.5", "Mayday", "Janet", "Decree", "Augusta", "Mar.", "Sep", "3rd", "on the",
        "Tuesday", "last", "since", "20th", "1980s", "10", "weeks", "before", "-", "\t",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, _NEAR), max_size=30), st.sampled_from(["", " "]))
def test_fast_scan_finds_what_finditer_finds(pieces: list[str], sep: str) -> None:
    """Patterns tried only where a digit run or a month's name starts (or skipped when the text lacks what they
    need) give ``finditer``'s matches, each pattern on its own."""
    text = sep.join(pieces)
    for kind, pattern in _PATTERNS:
        want = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in _finditer(kind, pattern, text)] == want, kind

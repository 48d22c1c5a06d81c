"""Time expressions: found in the text, normalised to ISO forms, relative ones resolved.

``1992`` -> ``1992`` (xsd:gYear), ``March 2011`` -> ``2011-03`` (xsd:gYearMonth), ``2 March 2011`` /
``March 2, 2011`` -> ``2011-03-02`` (xsd:date). A day or month without a year ("on 13 March", "in March")
takes the nearest earlier explicit year in the document, or the document date's year; weekdays and
"yesterday"/"today" resolve against the document date (a dateline such as "WASHINGTON, Nov. 13, 2001 –"
or a full date in the first lines). Works on plain text offsets, so it needs no NER.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

MONTHS: dict[str, int] = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MON = (
    r"(?P<mon>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|March|Mar\.|April|Apr\.|May|June|Jun\.|July|Jul\.|August|Aug\.|"
    r"September|Sept?\.|October|Oct\.|November|Nov\.|December|Dec\.)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[0-9]\d\d|20\d\d)"
#: Patterns, most specific first; each match claims its characters so shorter ones do not re-match.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dmy", re.compile(rf"\b{_DAY}\s+{_MON}\s*,?\s+{_YEAR}\b")),
    ("mdy", re.compile(rf"\b{_MON}\s+{_DAY},?\s+{_YEAR}\b")),
    ("my", re.compile(rf"\b{_MON},?\s+(?:of\s+)?{_YEAR}\b")),
    ("dm", re.compile(rf"\b{_DAY}\s+{_MON}(?![a-z])")),
    ("md", re.compile(rf"\b{_MON}\s+{_DAY}\b(?!,?\s*\d)")),
    ("decade", re.compile(r"\b(?P<year>1[0-9]\d0|20\d0)s\b")),
    ("year", re.compile(rf"(?<![\d,.])\b{_YEAR}\b(?!\d|,\d)")),
    (
        "m",
        re.compile(
            r"(?:\b(?i:in|by|since|until|till|during|from|to|of|early|late|mid|end of|beginning of)[\s-]+)"
            rf"{_MON}(?![a-z])"
        ),
    ),
    (
        "the-nth",
        re.compile(r"\b(?i:on)\s+the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b(?=\s*(?:[,.;:)\u2014\u2013-]|and\b|or\b|$))"),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?i:on|last|this|since|by)\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
    ),
    (
        "rel",
        re.compile(
            r"\b(?P<rel>yesterday|today|tonight|last night|this morning|the next day|the following day"
            r"|the day before|the previous day|(?:later )?that (?:same )?(?:day|night|evening|morning)"
            r"|the same (?:day|night))\b",
            re.I,
        ),
    ),
    (
        "later",
        re.compile(
            r"\b(?P<n>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<unit>days?|weeks?)\s+"
            r"(?P<dir>later|earlier|afterwards?|before)\b",
            re.I,
        ),
    ),
)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_NUMBERS |= {"nine": 9, "ten": 10}
#: "the March 23 Movement", "the 6 April Youth": a day and month between "the" and a capitalised word name something.
_IN_NAME_BEFORE = re.compile(r"\b[Tt]he\s+$")
_IN_NAME_AFTER = re.compile(r"\s+[A-Z][a-z]")
_DATELINE_SPAN = 400
_DATELINE_DASH = re.compile(r"(?:\s*\([^()\n]{1,30}\))?\s*[-\u2013\u2014]")
_DATELINE_PLACE = re.compile(r"\s*[A-Z][^\n,]{0,40}(?:,\s*[A-Z][^\n,]{0,30})?,\s*")
#: A dateline without a date at the start of a line: "BEIRUT -", "SANAA, Yemen -", "ADEN (Reuters) -", or a
#: title-case place when an agency in brackets follows it ("Goma, Congo (AP) -").
_UNDATED_DATELINE = re.compile(
    r"^[ \t]*(?:[A-Z][A-Z.'\-]{2,}(?:[ \t]+[A-Z][A-Z.'\-]+)*(?:,[ \t]*[A-Z][^\n,()\-\u2013\u2014]{0,40})?"
    r"(?:[ \t]*\([^()\n]{1,30}\))?"
    r"|[A-Z][\w.']+(?:[ \t]+[A-Z][\w.']+){0,3}(?:,[ \t]*[A-Z][^\n,()\-\u2013\u2014]{0,40})?[ \t]*\([^()\n]{1,30}\))"
    r"[ \t]*[-\u2013\u2014](?=[ \t])",
    re.M,
)
#: A year after these words is a bound ("until 1976"), not the time the narrative has reached.
_BOUND = re.compile(r"\b(?:until|till|through|before|by|since)\s+(?:at\s+least\s+)?$", re.I)


@dataclass(frozen=True, order=True)
class Timex:
    """One time expression: ``text == doc_text[start:end]``; ``value`` is ISO (or ``None`` if unresolved)."""

    start: int
    end: int
    text: str
    value: str | None
    explicit_year: bool = False
    parenthetical: bool = False


def _month(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def normalise(text: str, year: int | None = None, month: int | None = None, anchor: str | None = None) -> str | None:
    """ISO form of one time expression; ``year``/``month`` fill in what it leaves out, ``anchor`` (an ISO
    date) resolves weekdays and "yesterday". ``None`` when it cannot be pinned down.

    >>> normalise("2 March 2011"), normalise("Nov. 13", year=2001), normalise("in March", year=2011)
    ('2011-03-02', '2001-11-13', '2011-03')
    """
    found = scan(text)
    if not found:
        return None
    kind, m = found[0]
    return _value(kind, m, year, month, anchor)


def _value(kind: str, m: re.Match[str], year: int | None, month: int | None, anchor: str | None) -> str | None:
    g = m.groupdict()
    if kind in ("dmy", "mdy"):
        return _iso(int(g["year"]), _month(g["mon"]), int(g["day"]))
    if kind == "my":
        return _iso(int(g["year"]), _month(g["mon"]))
    if kind == "year":
        return _iso(int(g["year"]))
    if kind == "decade":
        return f"{g['year']}s"
    if kind in ("dm", "md"):
        return _iso(year, _month(g["mon"]), int(g["day"])) if year else None
    if kind == "m":
        return _iso(year, _month(g["mon"])) if year else None
    if kind == "the-nth":
        return _iso(year, month, int(g["day"])) if year and month else None
    if anchor is None:
        return None
    try:
        base = date.fromisoformat(anchor)
    except ValueError:
        return None
    if kind == "weekday":
        back = (base.weekday() - WEEKDAYS.index(g["wd"].lower())) % 7
        return (base - timedelta(days=back)).isoformat()
    if kind == "later":
        n = int(g["n"]) if g["n"].isdigit() else _NUMBERS[g["n"].lower()]
        days = n * (7 if g["unit"].lower().startswith("week") else 1)
        sign = -1 if g["dir"].lower() in ("earlier", "before") else 1
        return (base + timedelta(days=sign * days)).isoformat()
    rel = g["rel"].lower()
    if rel.startswith(("that ", "later that ", "the same ")):
        return base.isoformat()
    if rel in ("yesterday", "the day before", "the previous day"):
        return (base - timedelta(days=1)).isoformat()
    if rel in ("the next day", "the following day"):
        return (base + timedelta(days=1)).isoformat()
    return base.isoformat()


def scan(text: str) -> list[tuple[str, re.Match[str]]]:
    """Every time expression in ``text``, left to right, without overlaps (the more specific form wins).
    (A fresh list; the same text is scanned once: a document's opening is read for its date, its dateline and
    its times.)"""
    return list(_scan(text))


#: How many of :data:`_PATTERNS` find dates with a month (full dates, month and year, day and month). They come
#: first, so no other pattern claims characters before them: their matches are the same whether the others are
#: looked for or not, and a document's opening, read only for its dateline and date, is scanned with these alone.
_DATES = 5


@lru_cache(maxsize=64)  # a batch's openings (read by the parse, then again by extraction) and its whole texts
def _scan(text: str, patterns: int = len(_PATTERNS)) -> tuple[tuple[str, re.Match[str]], ...]:
    taken: list[tuple[int, int]] = []
    found: list[tuple[str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS[:patterns]:
        for m in _finditer(kind, pattern, text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            in_name = _IN_NAME_BEFORE.search(text, max(0, s - 5), s) and _IN_NAME_AFTER.match(text, e)
            if kind in ("dm", "md") and in_name:
                continue  # "the March 23 Movement": a date that is part of a name
            taken.append((s, e))
            found.append((kind, m))
    found.sort(key=lambda km: km[1].start())
    return tuple(found)


#: Where a match of a pattern can start, for the patterns that start with a digit or a month's name: a regular
#: expression that opens with ``\b`` gets no fast scan from Python's ``re`` (it tries every position), while these
#: do, and the pattern is then tried only where they point. A match of one of the others needs what
#: :data:`_NEEDS` finds somewhere in the text.
_DIGITS = re.compile(r"\d+")  # a match at a word boundary starts where a run of digits does
_MONTHS = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")  # how every name in _MON begins
_STARTS = {"dmy": _DIGITS, "dm": _DIGITS, "decade": _DIGITS, "year": _DIGITS, "mdy": _MONTHS, "my": _MONTHS}
_STARTS["md"] = _MONTHS
_NEEDS = {
    "m": _MONTHS,
    "weekday": re.compile(r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"),
    "the-nth": re.compile(r"\d(?:st|nd|rd|th)"),
}


def _finditer(kind: str, pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, made faster for some patterns (see :data:`_STARTS`): the same matches."""
    needs = _NEEDS.get(kind)
    if needs is not None and needs.search(text) is None:
        return
    starts = _STARTS.get(kind)
    if starts is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for c in starts.finditer(text):
        at = c.start()
        if at < end:
            continue  # inside the last match: finditer goes on from its end
        m = pattern.match(text, at)  # (the characters before ``at`` still count for \b and look-behinds)
        if m is not None:
            yield m
            end = m.end()


def document_date(text: str) -> str | None:
    """The date a document was written: a dateline ("WASHINGTON, Nov. 13, 2001 –") or the first full date in
    the first lines. ``None`` when the opening gives none."""
    head = text[:_DATELINE_SPAN]
    for kind, m in _scan(head, _DATES):
        if kind in ("dmy", "mdy"):
            return _value(kind, m, None, None, None)
    return None


def dateline_span(text: str) -> tuple[int, int] | None:
    """Where a dateline ("BAGHDAD, June 12, 2014 -", or undated "BAGHDAD (Reuters) -", at the start of a line in
    the opening) stands, or ``None``.
    Its place name says where the report was filed, so relation finding never takes it for an argument."""
    for kind, m in _scan(text[:_DATELINE_SPAN], _DATES):
        if kind not in ("dmy", "mdy", "dm", "md"):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        dash = _DATELINE_DASH.match(text, m.end())
        if dash and _DATELINE_PLACE.fullmatch(text[line_start : m.start()]):
            return line_start, dash.end()
        if kind in ("dmy", "mdy"):
            break
    undated = _UNDATED_DATELINE.search(text[:_DATELINE_SPAN])
    return (undated.start(), undated.end()) if undated else None


def _first_year(found: list[tuple[str, re.Match[str]]]) -> int | None:
    """The first explicit year a text names, for days it gives before any year ("on 9 June ... 10 June 2014")."""
    for kind, m in found:
        if kind in ("dmy", "mdy", "my", "year"):
            return int(m.group("year"))
    return None


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of the sorted, disjoint ``spans``."""
    i = bisect_right(spans, (start, 1 << 62)) - 1
    return any(0 <= j < len(spans) and spans[j][0] < end and start < spans[j][1] for j in (i, i + 1))


class TimeIndex:
    """All time expressions of one document, resolved with the year and month carried from context."""

    def __init__(self, text: str, doc_date: str | None = None, exclude: Iterable[tuple[int, int]] = ()) -> None:
        """``exclude`` lists character spans that are names, not times ("the March 23 Movement"): expressions
        overlapping them are skipped and carry no year or month forward."""
        self.doc_date = doc_date if doc_date is not None else document_date(text)
        spans = sorted(exclude)
        found = [(k, m) for k, m in scan(text) if not _overlaps(spans, m.start(), m.end())]
        anchor_year = int(self.doc_date[:4]) if self.doc_date else _first_year(found)
        items: list[Timex] = []
        year: int | None = None
        month: int | None = None
        last_day: str | None = None
        month_year: dict[int, int] = {}  # month -> year of the latest explicit date in that month
        for kind, m in found:
            g = m.groupdict()
            if m.start() < _DATELINE_SPAN and _DATELINE_DASH.match(text, m.end()):
                continue  # "CITY, Nov. 13, 2001 -": the date of writing, not of what is reported
            y = year or anchor_year
            if kind in ("dm", "md", "m") and _month(g["mon"]) in month_year:
                # "from 19 August 1944 ... (a flashback to 22 June 1940) ... on 24 August": the year of the
                # story's own dates in that month, not of the last year named
                y = month_year[_month(g["mon"])]
            narrative = m.group(0).lower().startswith(("the ", "that ", "later that "))
            anchor = last_day if (kind == "rel" and narrative) or kind == "later" else self.doc_date
            value = _value(kind, m, y, month, anchor)
            explicit = kind in ("dmy", "mdy", "my", "year")
            before = text[max(0, m.start() - 20) : m.start()]
            if explicit and not _BOUND.search(before) and not before.endswith("("):
                year = int(g["year"])
            if kind in ("dmy", "mdy", "my"):
                month_year[_month(g["mon"])] = int(g["year"])
            if g.get("mon"):
                month = _month(g["mon"])
            if value and len(value) == 10:
                last_day = value
            window = text[max(0, m.start() - 80) : m.start()]
            aside = window.count("(") > window.count(")")  # "(see Battle of X (1997-98))": a reference
            items.append(Timex(m.start(), m.end(), m.group(0), value, explicit, aside))
        self.items = tuple(items)
        self._starts = [t.start for t in self.items]

    def within(self, start: int, end: int) -> list[Timex]:
        """Expressions lying inside the character span ``[start, end)``."""
        i = bisect_right(self._starts, start - 1)
        out: list[Timex] = []
        while i < len(self.items) and self.items[i].start < end:
            if self.items[i].end <= end:
                out.append(self.items[i])
            i += 1
        return out

    def nearest(self, start: int, end: int, at: int) -> Timex | None:
        """The resolved expression inside ``[start, end)`` closest to character ``at``."""
        inside = [t for t in self.within(start, end) if t.value is not None and not t.parenthetical]
        if not inside:
            return None
        return min(inside, key=lambda t: (min(abs(t.start - at), abs(t.end - at)), t.start))

"""The typed hand-off between NLP and RDF.

Frozen dataclasses holding character offsets and ontology term names, never spaCy objects, so the
mapping stage (``kg.rdf.mapping``) and the tests can build graphs without loading a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.rdf.namespace import AGENT_TYPES, ENTITY_TYPES, LINKS, MODALITIES, PLACE_TYPES, RELATIONS, TIME_SOURCES

#: The time values the hand-off carries: a year, year-month or date (ISO), or a decade ("1980s").
_TIME = re.compile(r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|\d{3}0s)$")


def _check_time(name: str, value: str | None) -> None:
    if value is not None and not _TIME.match(value):
        raise ValueError(
            f"{name} {value!r} is not a year, year-month, date or decade (1992, 1992-04, 1992-04-28, 1990s)"
        )


def is_calendar_date(value: str) -> bool:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` naming a real year, month or day (no 13th month, no 30 February).

    >>> [is_calendar_date(v) for v in ("2001", "2001-12", "2000-02-29", "2001-02-29", "2001-13", "2001-1")]
    [True, True, True, False, False, False]
    """
    import datetime

    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if m is None:
        return False
    try:
        datetime.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return False
    return int(m[1]) > 0


def period_start(value: str) -> str:
    """The first day a time value can mean, as a string that sorts with ISO dates (``1980s`` -> ``1980``).

    >>> period_start("1980s"), period_start("1996-05")
    ('1980', '1996-05')
    """
    return value[:4] if value.endswith("s") else value


def period_end(value: str) -> str:
    """The last day a time value can mean, as a string that sorts after every ISO date inside it.

    ``"1996"`` ends after every day of 1996, so an interval from ``1996-05`` to ``1996`` is not backwards.

    >>> period_end("1996"), period_end("1996-05"), period_end("1996-05-02"), period_end("1980s")
    ('1996-99-99', '1996-05-99', '1996-05-02', '1989-99-99')
    """
    if value.endswith("s"):
        value = value[:3] + "9"
    return value + "-99-99"[: 10 - len(value)] if len(value) < 10 else value


@dataclass(frozen=True, order=True)
class Mention:
    """One surface form of an entity in a document: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str
    sentence: int = 0


@dataclass(frozen=True)
class GeoRef:
    """A GeoNames match for a place: id and WGS84 coordinates."""

    geonames_id: int
    lat: float
    long: float
    country: str = ""


@dataclass(frozen=True)
class Entity:
    """An entity resolved within one document. ``key`` is its canonical name; the mapper mints the IRI."""

    key: str
    type: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    geo: GeoRef | None = None

    def __post_init__(self) -> None:
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"entity {self.key!r}: type {self.type!r} is not one of {', '.join(ENTITY_TYPES)}")
        if not self.key.strip():
            raise ValueError("entity key must not be blank")

    @property
    def is_agent(self) -> bool:
        return self.type in AGENT_TYPES

    @property
    def is_place(self) -> bool:
        return self.type in PLACE_TYPES


@dataclass(frozen=True)
class Evidence:
    """Where a statement stands: the sentence span ``[start, end)`` and its exact text."""

    start: int
    end: int
    text: str
    sentence: int
    trigger: str = ""


@dataclass(frozen=True)
class Relation:
    """One extracted statement. ``subject``/``object`` are entity keys of the same ``Extraction``."""

    subject: str
    predicate: str
    object: str
    evidence: Evidence
    rule: str
    confidence: float = 0.5
    negated: bool = False
    modality: str = "Actual"
    time: str | None = None
    time_text: str | None = None
    reported_by: str | None = None
    subject_text: str = ""
    object_text: str = ""
    #: How ``time`` was found: ``"clause"`` (the statement's own clause or narrative) or ``"document"`` (the
    #: document's date, for a statement about the document's present). ``None``: ``"clause"`` when ``time``
    #: is set; with no time the mapping falls back to the document date and records ``"document"``.
    time_source: str | None = None
    #: The interval the text gives, either end open: "from 1992 until 1996" -> 1992, 1996; "since June" ->
    #: start only; "until 1996" -> end only (the subject held it until then).
    time_start: str | None = None
    time_end: str | None = None
    #: ``controls`` only: the statement gives the END of the subject's control, at its time (clause, else the
    #: document date): "X took the town from Y on D" -> ``Relation(Y, controls, town, time=D, ends=True)``.
    ends: bool = False
    #: ``defectsTo`` only: the entity key of the side the subject left, when the text names it
    #: ("defected from Y to Z" -> ``side_left="Y"``).
    side_left: str | None = None

    def __post_init__(self) -> None:
        if self.predicate not in RELATIONS:
            raise ValueError(f"relation predicate {self.predicate!r} is not one of {', '.join(RELATIONS)}")
        if self.modality not in MODALITIES:
            raise ValueError(f"modality {self.modality!r} is not one of {', '.join(MODALITIES)}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside [0, 1]")
        if self.time_source is not None and self.time_source not in TIME_SOURCES:
            raise ValueError(f"time source {self.time_source!r} is not one of {', '.join(TIME_SOURCES)}")
        for name in ("time", "time_start", "time_end"):
            _check_time(name, getattr(self, name))
        if self.time_start and self.time_end and period_end(self.time_end) < period_start(self.time_start):
            raise ValueError(f"interval {self.time_start} .. {self.time_end} ends before it starts")
        if self.ends and self.predicate != "controls":
            raise ValueError(f"only a controls statement can end a control, not {self.predicate}")
        if self.side_left is not None and self.predicate != "defectsTo":
            raise ValueError(f"only a defectsTo statement has a side left, not {self.predicate}")
        if self.side_left is not None and self.side_left in (self.subject, self.object):
            raise ValueError(f"side left {self.side_left!r} must differ from the defector and the side joined")

    @property
    def asserted(self) -> bool:
        """Positive and factual: the plain triple goes into the graph."""
        return not self.negated and self.modality == "Actual"


@dataclass(frozen=True)
class Link:
    """Whose side an agent is on, as the text says: ``subject`` acts for ``object`` (entity keys).

    ``memberOf``: a person or unit belonging to or serving a group, government or state ("Russian officials",
    "a commander of the militia"); ``forcesOf``: a state's or group's armed forces ("Russian forces" -> Russia);
    ``leads``: a person leading a group or state. Always a positive, factual statement with its evidence.
    """

    subject: str
    predicate: str
    object: str
    evidence: Evidence
    rule: str = "link"
    confidence: float = 0.5

    def __post_init__(self) -> None:
        if self.predicate not in LINKS:
            raise ValueError(f"link predicate {self.predicate!r} is not one of {', '.join(LINKS)}")
        if self.subject == self.object:
            raise ValueError(f"link {self.subject!r} {self.predicate} itself")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside [0, 1]")


@dataclass(frozen=True)
class Document:
    """A source text. ``sha256`` of the UTF-8 text identifies it."""

    text: str
    source: str
    sha256: str
    title: str = ""
    date: str | None = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document."""

    document: Document
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = field(default_factory=tuple)
    links: tuple[Link, ...] = ()

    def entity(self, key: str) -> Entity:
        for e in self.entities:
            if e.key == key:
                return e
        raise KeyError(key)

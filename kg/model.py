"""The typed hand-off between NLP and RDF.

Frozen dataclasses holding character offsets and ontology term names, never spaCy objects, so the
mapping stage (``kg.rdf.mapping``) and the tests can build graphs without loading a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.rdf.namespace import AGENT_TYPES, ENTITY_TYPES, MODALITIES, PLACE_TYPES, RELATIONS


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

    def __post_init__(self) -> None:
        if self.predicate not in RELATIONS:
            raise ValueError(f"relation predicate {self.predicate!r} is not one of {', '.join(RELATIONS)}")
        if self.modality not in MODALITIES:
            raise ValueError(f"modality {self.modality!r} is not one of {', '.join(MODALITIES)}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside [0, 1]")

    @property
    def asserted(self) -> bool:
        """Positive and factual: the plain triple goes into the graph."""
        return not self.negated and self.modality == "Actual"


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

    def entity(self, key: str) -> Entity:
        for e in self.entities:
            if e.key == key:
                return e
        raise KeyError(key)

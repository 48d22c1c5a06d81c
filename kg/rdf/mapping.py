"""Extraction -> RDF. The only module that mints IRIs.

Entities get ``<base>entity/<Slug>`` from their canonical name, so the same name is one node across
documents and runs; documents get ``<base>doc/<sha256 prefix>``; assertions get a hash of
(subject, predicate, object, document, offsets). Every extracted statement becomes a ``kg:Assertion``;
the plain triple ``s kg:p o`` is added only for positive, factual ones. Side links (``kg:memberOf``,
``kg:forcesOf``, ``kg:leads``) are statements too: a plain triple and an assertion with their evidence.

Time is decided here, once, so every reader (analysis, the ``timeline`` query, the report) agrees: an
assertion's ``kg:time`` is the time of its clause, else its document's date, and ``kg:timeSource`` says
which (``kg:ClauseTime``/``kg:DocumentTime``). Intervals the text gives are ``kg:timeStart``/``kg:timeEnd``;
a statement that ends a control ("took the town from Y") has its time as ``kg:timeEnd``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.model import Document, Entity, Extraction, Link, Relation
from kg.rdf.namespace import (
    ASSERTION,
    BASE,
    DOC,
    ENTITY,
    ENTITY_TYPES,
    GEO,
    GEONAMES,
    KG,
    LINKS,
    MODALITIES,
    ONTOLOGY_IRI,
    RELATIONS,
    TIME_SOURCES,
    class_term,
    link_term,
    relation_term,
    time_source_term,
)

_IRI_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_TIME_FORMS = (
    (re.compile(r"^-?\d{4}$"), XSD.gYear),
    (re.compile(r"^-?\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^-?\d{4}-\d{2}-\d{2}$"), XSD.date),
)


def slug(name: str) -> str:
    """A readable, IRI-safe local name for ``name``: ASCII-folded words joined by ``_``.

    >>> slug("Bandar-e-Anzali")
    'Bandar-e-Anzali'
    >>> slug("Nguyễn Văn Thiệu")
    'Nguyen_Van_Thieu'
    >>> slug("Ra's Ghumays")
    'Ras_Ghumays'
    """
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.replace("'", "").replace("\u2019", "")
    words = re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", folded)
    local = "_".join(words)
    if not local or not local[0].isalpha():
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        local = f"e_{local}_{digest}" if local else f"e_{digest}"
    return local


def _checked(iri: str) -> URIRef:
    local = iri.rsplit("/", 1)[-1]
    if not _IRI_SAFE.match(local):
        raise ValueError(f"refusing to mint invalid IRI {iri!r}")
    return URIRef(iri)


@lru_cache(maxsize=65536)
def entity_iri(name: str) -> URIRef:
    """The IRI of the entity keyed ``name`` (made once per name: every statement about it asks again)."""
    return _checked(str(ENTITY) + slug(name))


def document_iri(sha256: str) -> URIRef:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"document hash must be 64 lower-case hex digits, got {sha256!r}")
    return _checked(str(DOC) + "d" + sha256[:20])


def assertion_iri(rel: Relation | Link, doc_sha: str) -> URIRef:
    key = "|".join(
        (rel.subject, rel.predicate, rel.object, doc_sha, str(rel.evidence.start), str(rel.evidence.end), rel.rule)
    )
    return _checked(str(ASSERTION) + "a" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24])


def time_literal(value: str) -> Literal:
    """``1992`` -> xsd:gYear, ``2011-03`` -> xsd:gYearMonth, ``2011-03-02`` -> xsd:date, else a plain string."""
    for pattern, dtype in _TIME_FORMS:
        if pattern.match(value):
            return Literal(value, datatype=dtype)
    return Literal(value)


def decimal(value: float, places: int) -> Literal:
    """An ``xsd:decimal`` rounded to ``places``, in canonical form (no trailing zeros), as a store keeps it.

    Oxigraph stores decimals as numbers and writes them back canonically, so writing the canonical form
    here makes a graph read back from a store give the same bytes as the build that wrote it.

    >>> str(decimal(0.8, 2)), str(decimal(1.0, 2)), str(decimal(-34.5, 5))
    ('0.8', '1', '-34.5')
    """
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return Literal(text, datatype=XSD.decimal)


# ---------------------------------------------------------------------------------------------- N-Triples terms
# The mapping writes each term as canonical N-Triples bytes, exactly as Oxigraph writes it (a test holds the two
# equal): making an rdflib term, then an Oxigraph term, per triple cost twelve microseconds a triple, most of the
# mapping's time. Values that rdflib normalises (times, decimals) still go through rdflib, once per value.


def _ref(iri: str) -> bytes:
    return b"<" + iri.encode() + b">"


#: Oxigraph's string escapes: the named ones, ``\\uXXXX`` for the other control characters and the two
#: non-characters U+FFFE and U+FFFF, nothing else.
_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


def _string(value: str) -> bytes:
    """A plain (``xsd:string``) literal."""
    return b'"' + value.translate(_ESCAPES).encode() + b'"'


def _literal(lit: Literal) -> bytes:
    """An rdflib literal as N-Triples bytes (its lexical form as rdflib normalised it)."""
    if lit.datatype is None or str(lit.datatype) == str(XSD.string):
        return _string(str(lit))
    return _string(str(lit)) + b"^^" + _ref(lit.datatype)


@lru_cache(maxsize=4096)
def _time(value: str) -> bytes:
    return _literal(time_literal(value))


@lru_cache(maxsize=65536)
def _decimal(value: float, places: int) -> bytes:
    return _literal(decimal(value, places))


@lru_cache(maxsize=65536)
def _entity(name: str) -> bytes:
    return _ref(entity_iri(name))


@lru_cache(maxsize=65536)
def _geonames(geonames_id: int) -> bytes:
    import pyoxigraph as ox

    iri = f"{GEONAMES}{geonames_id}/"
    ox.NamedNode(iri)  # checked as the store will check it (raises ValueError)
    return _ref(iri)


_INTEGER = b"^^" + _ref(XSD.integer)
_TRUE, _FALSE = _literal(Literal(True)), _literal(Literal(False))
_TYPE, _LABEL, _ALT_LABEL = _ref(RDF.type), _ref(RDFS.label), _ref(SKOS.altLabel)
_SUBJECT, _PREDICATE, _OBJECT = _ref(RDF.subject), _ref(RDF.predicate), _ref(RDF.object)
_SAME_AS, _LAT, _LONG = _ref(OWL.sameAs), _ref(GEO.lat), _ref(GEO.long)
_TITLE, _DERIVED_FROM = _ref(DCTERMS.title), _ref(PROV.wasDerivedFrom)
#: kg's own terms, through the closed namespace (a name it does not declare fails here, at import)
_K: dict[str, bytes] = {
    name: _ref(getattr(KG, name))
    for name in (
        "Document", "sha256", "sourcePath", "wordCount", "documentDate", "mentionedIn", "Assertion", "evidence",
        "charStart", "charEnd", "sentenceIndex", "trigger", "rule", "confidence", "subjectText", "objectText",
        "polarity", "modality", "asserted", "time", "timeSource", "timeStart", "timeEnd", "endsControl", "timeText",
        "reportedBy", "sideLeft", "Negative", "Positive", "Actual",
    )
}  # fmt: skip
_CLASSES = {t: _ref(class_term(t)) for t in ENTITY_TYPES}
_PREDICATES = {r: _ref(relation_term(r)) for r in RELATIONS} | {link: _ref(link_term(link)) for link in LINKS}
_MODALITIES = {m: _ref(KG._NS + m) for m in MODALITIES}
_TIME_SOURCES = {s: _ref(time_source_term(s)) for s in TIME_SOURCES}

TermTriple = tuple[bytes, bytes, bytes]


def _integer(value: int) -> bytes:
    return b'"%d"' % value + _INTEGER


def document_triples(doc: Document) -> Iterator[TermTriple]:
    d = _ref(document_iri(doc.sha256))
    yield d, _TYPE, _K["Document"]
    yield d, _K["sha256"], _string(doc.sha256)
    yield d, _K["sourcePath"], _string(doc.source)
    yield d, _K["wordCount"], _integer(doc.word_count)
    if doc.title:
        yield d, _TITLE, _string(doc.title)
    if doc.date:
        yield d, _K["documentDate"], _time(doc.date)


def entity_triples(ent: Entity, d: bytes) -> Iterator[TermTriple]:
    """An entity's triples in the document ``d`` (its N-Triples IRI)."""
    e = _entity(ent.key)
    yield e, _TYPE, _CLASSES[ent.type]
    yield e, _LABEL, _string(ent.key)
    for alias in sorted(set(ent.aliases) - {ent.key}):
        yield e, _ALT_LABEL, _string(alias)
    yield e, _K["mentionedIn"], d
    if ent.geo is not None:
        yield e, _SAME_AS, _geonames(ent.geo.geonames_id)
        yield e, _LAT, _decimal(ent.geo.lat, 5)
        yield e, _LONG, _decimal(ent.geo.long, 5)


def trimmed_span(text: str, start: int, end: int) -> tuple[str, int, int]:
    """An evidence span without the whitespace around it, offsets moved so they still cut out exactly the text.

    Sentences often end in the paragraph break after them; stored, that puts blank lines in CSV cells.

    >>> trimmed_span(" Rebels took the port.\\n\\n", 10, 34)
    ('Rebels took the port.', 11, 32)
    """
    stripped = text.strip()
    if not stripped:
        return text, start, end
    lead = len(text) - len(text.lstrip())
    return stripped, start + lead, start + lead + len(stripped)


def statement_time(rel: Relation, doc: Document) -> tuple[str, str] | None:
    """``(time, source)`` of a statement: its clause's time, else its document's date; ``None`` without either.

    >>> from kg.model import Evidence
    >>> ev = Evidence(0, 4, "Text", 0)
    >>> doc = Document("Text", "t.txt", "0" * 64, date="2014-06-12")
    >>> statement_time(Relation("A", "controls", "X", ev, "r", time="1992"), doc)
    ('1992', 'clause')
    >>> statement_time(Relation("A", "controls", "X", ev, "r"), doc)
    ('2014-06-12', 'document')
    """
    if rel.time:
        return rel.time, rel.time_source or "clause"
    if doc.date:
        return doc.date, "document"
    return None


def _statement_triples(a: bytes, rel: Relation | Link, d: bytes) -> Iterator[TermTriple]:
    """What every assertion has, relation or link: what it says, where it stands, which rule found it."""
    evidence, char_start, char_end = trimmed_span(rel.evidence.text, rel.evidence.start, rel.evidence.end)
    k = _K
    yield a, _TYPE, k["Assertion"]
    yield a, _SUBJECT, _entity(rel.subject)
    yield a, _PREDICATE, _PREDICATES[rel.predicate]
    yield a, _OBJECT, _entity(rel.object)
    yield a, _DERIVED_FROM, d
    yield a, k["evidence"], _string(evidence)
    yield a, k["charStart"], _integer(char_start)
    yield a, k["charEnd"], _integer(char_end)
    yield a, k["sentenceIndex"], _integer(rel.evidence.sentence)
    if rel.evidence.trigger:
        yield a, k["trigger"], _string(rel.evidence.trigger)
    yield a, k["rule"], _string(rel.rule)
    yield a, k["confidence"], _decimal(rel.confidence, 2)


def relation_triples(rel: Relation, doc: Document, d: bytes) -> Iterator[TermTriple]:
    """A statement's triples in the document ``d`` (its N-Triples IRI)."""
    a = _ref(assertion_iri(rel, doc.sha256))
    k = _K
    if rel.asserted:
        yield _entity(rel.subject), _PREDICATES[rel.predicate], _entity(rel.object)
    yield from _statement_triples(a, rel, d)
    if rel.subject_text:
        yield a, k["subjectText"], _string(rel.subject_text)
    if rel.object_text:
        yield a, k["objectText"], _string(rel.object_text)
    yield a, k["polarity"], k["Negative"] if rel.negated else k["Positive"]
    yield a, k["modality"], _MODALITIES[rel.modality]
    yield a, k["asserted"], _TRUE if rel.asserted else _FALSE
    when = statement_time(rel, doc)
    if when is not None:
        yield a, k["time"], _time(when[0])
        yield a, k["timeSource"], _TIME_SOURCES[when[1]]
    if rel.time_start:
        yield a, k["timeStart"], _time(rel.time_start)
    end = rel.time_end or (when[0] if rel.ends and when is not None else None)
    if end:
        yield a, k["timeEnd"], _time(end)
    if rel.ends:
        yield a, k["endsControl"], _TRUE
    if rel.time_text:
        yield a, k["timeText"], _string(rel.time_text)
    if rel.reported_by:
        yield a, k["reportedBy"], _entity(rel.reported_by)
    if rel.side_left:
        yield a, k["sideLeft"], _entity(rel.side_left)


def link_triples(link: Link, doc: Document, d: bytes) -> Iterator[TermTriple]:
    """A side link: the plain triple and its assertion (always positive and factual)."""
    a = _ref(assertion_iri(link, doc.sha256))
    yield _entity(link.subject), _PREDICATES[link.predicate], _entity(link.object)
    yield from _statement_triples(a, link, d)
    yield a, _K["polarity"], _K["Positive"]
    yield a, _K["modality"], _K["Actual"]
    yield a, _K["asserted"], _TRUE


def extraction_triples(ext: Extraction) -> Iterator[TermTriple]:
    """Every triple one document's extraction contributes, its terms as N-Triples bytes."""
    doc = ext.document
    d = _ref(document_iri(doc.sha256))
    yield from document_triples(doc)
    for ent in ext.entities:
        yield from entity_triples(ent, d)
    keys = {e.key for e in ext.entities}
    statements: tuple[Relation | Link, ...] = (*ext.relations, *ext.links)
    for stmt in statements:
        ev = stmt.evidence
        if doc.text[ev.start : ev.end] != ev.text:
            raise ValueError(f"evidence of {stmt.rule} does not match the document text at {ev.start}:{ev.end}")
        if isinstance(stmt, Link):
            missing = {stmt.subject, stmt.object} - keys
            if missing:
                raise ValueError(f"link {stmt.rule} names entities the extraction does not hold: {sorted(missing)}")
            yield from link_triples(stmt, doc, d)
        else:
            if stmt.side_left is not None and stmt.side_left not in keys:
                raise ValueError(f"side left {stmt.side_left!r} of {stmt.rule} is no entity of the extraction")
            yield from relation_triples(stmt, doc, d)


def add_extraction(graph: Graph, ext: Extraction) -> int:
    """Add one extraction to ``graph`` (the triples :func:`extraction_lines` writes); returns the number offered."""
    lines = [b" ".join(t) + b" .\n" for t in extraction_triples(ext)]
    graph.parse(data=b"".join(lines).decode("utf-8"), format="nt")
    return len(lines)


def add_extractions(graph: Graph, exts: Iterable[Extraction]) -> None:
    for ext in exts:
        add_extraction(graph, ext)


def extraction_lines(ext: Extraction) -> list[bytes]:
    """One document's statements as N-Quads lines in its own named graph (the document's IRI), unsorted.

    This is what a worker sends back: a few kilobytes of bytes, merged by :func:`kg.rdf.dataset.merge`.
    """
    tail = b" " + _ref(document_iri(ext.document.sha256)) + b" .\n"
    return [b" ".join(t) + tail for t in extraction_triples(ext)]


def dataset_iri(name: str) -> URIRef:
    """The IRI a VoID/DCAT description gives a built dataset (``<base>dataset/<slug of its file name>``)."""
    return _checked(str(BASE) + "dataset/" + slug(name))


#: The named graph ``kg push`` keeps the union of all documents' graphs in (readers of a server use it as
#: their default graph); the ontology goes into a graph named by the ontology's IRI.
UNION_GRAPH = URIRef(BASE + "graph/union")
ONTOLOGY_GRAPH = URIRef(ONTOLOGY_IRI)

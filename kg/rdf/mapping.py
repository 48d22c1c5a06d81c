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
    GEO,
    GEONAMES,
    KG,
    ONTOLOGY_IRI,
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

Triple = tuple[URIRef, URIRef, URIRef | Literal]


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


def document_triples(doc: Document) -> Iterator[Triple]:
    d = document_iri(doc.sha256)
    yield d, RDF.type, KG.Document
    yield d, KG.sha256, Literal(doc.sha256)
    yield d, KG.sourcePath, Literal(doc.source)
    yield d, KG.wordCount, Literal(doc.word_count, datatype=XSD.integer)
    if doc.title:
        yield d, DCTERMS.title, Literal(doc.title)
    if doc.date:
        yield d, KG.documentDate, time_literal(doc.date)


def entity_triples(ent: Entity, doc: Document) -> Iterator[Triple]:
    e = entity_iri(ent.key)
    yield e, RDF.type, class_term(ent.type)
    yield e, RDFS.label, Literal(ent.key)
    for alias in sorted(set(ent.aliases) - {ent.key}):
        yield e, SKOS.altLabel, Literal(alias)
    yield e, KG.mentionedIn, document_iri(doc.sha256)
    if ent.geo is not None:
        yield e, OWL.sameAs, URIRef(f"{GEONAMES}{ent.geo.geonames_id}/")
        yield e, GEO.lat, decimal(ent.geo.lat, 5)
        yield e, GEO.long, decimal(ent.geo.long, 5)


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


def _statement_triples(a: URIRef, rel: Relation | Link, doc: Document) -> Iterator[Triple]:
    """What every assertion has, relation or link: what it says, where it stands, which rule found it."""
    p = relation_term(rel.predicate) if isinstance(rel, Relation) else link_term(rel.predicate)
    evidence, char_start, char_end = trimmed_span(rel.evidence.text, rel.evidence.start, rel.evidence.end)
    yield a, RDF.type, KG.Assertion
    yield a, RDF.subject, entity_iri(rel.subject)
    yield a, RDF.predicate, p
    yield a, RDF.object, entity_iri(rel.object)
    yield a, PROV.wasDerivedFrom, document_iri(doc.sha256)
    yield a, KG.evidence, Literal(evidence)
    yield a, KG.charStart, Literal(char_start, datatype=XSD.integer)
    yield a, KG.charEnd, Literal(char_end, datatype=XSD.integer)
    yield a, KG.sentenceIndex, Literal(rel.evidence.sentence, datatype=XSD.integer)
    if rel.evidence.trigger:
        yield a, KG.trigger, Literal(rel.evidence.trigger)
    yield a, KG.rule, Literal(rel.rule)
    yield a, KG.confidence, decimal(rel.confidence, 2)


def relation_triples(rel: Relation, doc: Document) -> Iterator[Triple]:
    s, p, o = entity_iri(rel.subject), relation_term(rel.predicate), entity_iri(rel.object)
    a = assertion_iri(rel, doc.sha256)
    if rel.asserted:
        yield s, p, o
    yield from _statement_triples(a, rel, doc)
    if rel.subject_text:
        yield a, KG.subjectText, Literal(rel.subject_text)
    if rel.object_text:
        yield a, KG.objectText, Literal(rel.object_text)
    yield a, KG.polarity, KG.Negative if rel.negated else KG.Positive
    yield a, KG.modality, URIRef(KG._NS + rel.modality)
    yield a, KG.asserted, Literal(rel.asserted)
    when = statement_time(rel, doc)
    if when is not None:
        yield a, KG.time, time_literal(when[0])
        yield a, KG.timeSource, time_source_term(when[1])
    if rel.time_start:
        yield a, KG.timeStart, time_literal(rel.time_start)
    end = rel.time_end or (when[0] if rel.ends and when is not None else None)
    if end:
        yield a, KG.timeEnd, time_literal(end)
    if rel.ends:
        yield a, KG.endsControl, Literal(True)
    if rel.time_text:
        yield a, KG.timeText, Literal(rel.time_text)
    if rel.reported_by:
        yield a, KG.reportedBy, entity_iri(rel.reported_by)
    if rel.side_left:
        yield a, KG.sideLeft, entity_iri(rel.side_left)


def link_triples(link: Link, doc: Document) -> Iterator[Triple]:
    """A side link: the plain triple and its assertion (always positive and factual)."""
    a = assertion_iri(link, doc.sha256)
    yield entity_iri(link.subject), link_term(link.predicate), entity_iri(link.object)
    yield from _statement_triples(a, link, doc)
    yield a, KG.polarity, KG.Positive
    yield a, KG.modality, KG.Actual
    yield a, KG.asserted, Literal(True)


def extraction_triples(ext: Extraction) -> Iterator[Triple]:
    """Every triple one document's extraction contributes."""
    yield from document_triples(ext.document)
    for ent in ext.entities:
        yield from entity_triples(ent, ext.document)
    keys = {e.key for e in ext.entities}
    statements: tuple[Relation | Link, ...] = (*ext.relations, *ext.links)
    for stmt in statements:
        ev = stmt.evidence
        if ext.document.text[ev.start : ev.end] != ev.text:
            raise ValueError(f"evidence of {stmt.rule} does not match the document text at {ev.start}:{ev.end}")
        if isinstance(stmt, Link):
            missing = {stmt.subject, stmt.object} - keys
            if missing:
                raise ValueError(f"link {stmt.rule} names entities the extraction does not hold: {sorted(missing)}")
            yield from link_triples(stmt, ext.document)
        else:
            if stmt.side_left is not None and stmt.side_left not in keys:
                raise ValueError(f"side left {stmt.side_left!r} of {stmt.rule} is no entity of the extraction")
            yield from relation_triples(stmt, ext.document)


def add_extraction(graph: Graph, ext: Extraction) -> int:
    """Add one extraction to ``graph``; returns the number of triples offered."""
    triples = list(extraction_triples(ext))
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return len(triples)


def add_extractions(graph: Graph, exts: Iterable[Extraction]) -> None:
    for ext in exts:
        add_extraction(graph, ext)


def extraction_lines(ext: Extraction) -> list[bytes]:
    """One document's statements as N-Quads lines in its own named graph (the document's IRI), unsorted.

    This is what a worker sends back: a few kilobytes of bytes, merged by :func:`kg.rdf.dataset.merge`.
    """
    import pyoxigraph as ox

    from kg.rdf.dataset import ox_term, quad_lines

    g = ox.NamedNode(str(document_iri(ext.document.sha256)))
    return quad_lines(ox.Quad(ox_term(s), ox_term(p), ox_term(o), g) for s, p, o in extraction_triples(ext))


def dataset_iri(name: str) -> URIRef:
    """The IRI a VoID/DCAT description gives a built dataset (``<base>dataset/<slug of its file name>``)."""
    return _checked(str(BASE) + "dataset/" + slug(name))


#: The named graph ``kg push`` keeps the union of all documents' graphs in (readers of a server use it as
#: their default graph); the ontology goes into a graph named by the ontology's IRI.
UNION_GRAPH = URIRef(BASE + "graph/union")
ONTOLOGY_GRAPH = URIRef(ONTOLOGY_IRI)

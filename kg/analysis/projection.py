"""The one NetworkX projection of a kg RDF graph that every analysis reads: :func:`project`, :func:`project_file`.

Nodes are entities, edges the four relations (asserted statements only), each edge carrying its statements
(:class:`Statement`: time, how the time was obtained, interval, document, evidence, the side a defector left).
The side links (``kg:memberOf``, ``kg:forcesOf``, ``kg:leads``) are kept apart in ``G.graph["links"]``: they
say who is on whose side, they are not relations the measures should count. :func:`as_of` restricts a
projection to what was stated about times on or before a date.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from kg.analysis.common import gc_paused, local, to_float
from kg.errors import KGError
from kg.model import is_calendar_date, period_end, period_start
from kg.rdf.guard import check_graph_file, parse_error
from kg.rdf.namespace import ENTITY_TYPES, GEO, KG, LINKS, RELATIONS, TIME_SOURCES
from kg.rdf.store import INPUT_FORMATS, format_for, load_graph, ox_store

__all__ = ["Statement", "as_of", "check_date", "project", "project_file"]

log = logging.getLogger(__name__)

_TIME = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
#: When an entity has several kg types, the one a report shows (GPE is both agent and place).
_TYPE_PREFERENCE = ("GPE", "Person", "Group", "Place")

_XSD_BOOLEAN = str(XSD.boolean)
_TYPE, _SUBJECT, _PREDICATE, _OBJECT = str(RDF.type), str(RDF.subject), str(RDF.predicate), str(RDF.object)
_LABEL, _LAT, _LONG = str(RDFS.label), str(GEO.lat), str(GEO.long)
_ALIAS_PREDICATES = (str(SKOS.altLabel), str(SKOS.prefLabel))
_FROM = str(PROV.wasDerivedFrom)
_ASSERTED, _CONFIDENCE, _WHEN, _EVIDENCE = str(KG.asserted), str(KG.confidence), str(KG.time), str(KG.evidence)
_SOURCE, _START, _END, _ENDS = str(KG.timeSource), str(KG.timeStart), str(KG.timeEnd), str(KG.endsControl)
_LEFT, _DOC_DATE = str(KG.sideLeft), str(KG.documentDate)
_DOCUMENT, _ASSERTION = str(KG.Document), str(KG.Assertion)
_RELATION_IRIS = {str(KG[r]): r for r in RELATIONS}
_LINK_IRIS = {str(KG[r]): r for r in LINKS}
_TYPE_IRIS = {str(KG[t]): t for t in ENTITY_TYPES}
_SOURCE_IRIS = {str(KG[t]): name for name, t in TIME_SOURCES.items()}
#: The predicates the projection reads (objects as lexical values); ``kg:asserted`` and ``kg:endsControl`` are
#: read apart, as truth values, because their datatype decides them. Everything else in the graph is skipped.
_READ = (
    _TYPE,
    _LABEL,
    _LAT,
    _LONG,
    *_RELATION_IRIS,
    *_LINK_IRIS,
    _SUBJECT,
    _PREDICATE,
    _OBJECT,
    _FROM,
    _CONFIDENCE,
    _WHEN,
    _SOURCE,
    _START,
    _END,
    _LEFT,
    _DOC_DATE,
    _EVIDENCE,
)
_READ_PATHS = (*_READ, *_ALIAS_PREDICATES)
_TRUTHS = (_ASSERTED, _ENDS)

#: predicate IRI -> [(subject, object)] as lexical values: what a reader hands the projection.
Pairs = dict[str, list[tuple[str, str]]]
#: predicate IRI (kg:asserted, kg:endsControl) -> [(node, True/False for an xsd:boolean, None for any other value)]
Truths = dict[str, list[tuple[str, bool | None]]]


class Statement(NamedTuple):
    """One asserted statement behind an edge, as the graph records it.

    ``when`` places it in time the way the ``timeline`` query does: the start of the interval the text
    gives, else its end, else ``kg:time`` (the clause's time, else the document date), else the document's
    ``kg:documentDate``; ``None`` when nothing dates it. ``change`` is ``"until"`` when the statement ends the
    subject's hold (``kg:endsControl``) or gives only its end, else ``"holds"``.
    """

    when: str | None
    change: str
    time: str | None
    source: str | None
    start: str | None
    end: str | None
    document: str
    document_date: str | None
    evidence: str
    confidence: float | None
    left: str | None
    assertion: str

    def sort_key(self) -> tuple[bool, str, bool, str, str]:
        """Undated last, then by time, ends before holds, then evidence and document (the query's order)."""
        return (self.when is None, self.when or "", self.change != "until", self.evidence, self.document)


def _truth(value: str, datatype: str | None) -> bool | None:
    """A boolean's value as SPARQL sees it: only an ``xsd:boolean`` is true or false."""
    if datatype != _XSD_BOOLEAN:
        return None
    return True if value in ("true", "1") else False if value in ("false", "0") else None


def _ox_truth(term: Any) -> bool | None:
    return _truth(term.value, term.datatype.value) if isinstance(term, ox.Literal) else None


def _read_store(store: ox.Store, predicates: Iterable[str]) -> tuple[Pairs, Truths]:
    """The default graph's triples of ``predicates``, one single-pattern query each; the joins run in Python.

    A one-pattern SELECT is an index scan; on an on-disk store it decodes terms a quarter faster than
    ``quads_for_pattern`` (in memory they are even).
    """

    def scan(p: str) -> ox.QuerySolutions:
        solutions = store.query(f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }}")
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions

    pairs: Pairs = {p: [(row[0].value, row[1].value) for row in scan(p)] for p in predicates}
    truths: Truths = {p: [(row[0].value, _ox_truth(row[1])) for row in scan(p)] for p in _TRUTHS}
    return pairs, truths


def _read_rdflib(graph: Graph, predicates: Iterable[str]) -> tuple[Pairs, Truths]:
    """The same from any rdflib graph (one not backed by Oxigraph)."""
    pairs: Pairs = {p: [(str(s), str(o)) for s, _, o in graph.triples((None, URIRef(p), None))] for p in predicates}
    truths: Truths = {
        p: [
            (str(s), _truth(str(o), str(o.datatype)) if isinstance(o, Literal) else None)
            for s, _, o in graph.triples((None, URIRef(p), None))
        ]
        for p in _TRUTHS
    }
    return pairs, truths


def _read_file(path: Path, fmt: ox.RdfFormat, predicates: Iterable[str]) -> tuple[Pairs, Truths]:
    """The same, streamed from an RDF file: one pass, nothing indexed, only the wanted triples kept.

    Loading 6.3 million triples into a store costs twice the parse (it builds six indexes); the projection
    reads about a third of them once, so it keeps those and lets the rest go by. Named graphs (TriG,
    N-Quads) are read as their union, as :func:`kg.rdf.store.load_graph` does; a triple repeated in
    several graphs counts once, because the projection only ever counts distinct things.
    """
    pairs: Pairs = {p: [] for p in predicates}
    truths: Truths = {p: [] for p in _TRUTHS}
    bucket_of, truth_of = pairs.get, truths.get
    names: set[str] = set()
    default = False
    dataset = fmt.supports_datasets
    check_graph_file(path, fmt)
    try:
        for q in ox.parse(path=path, format=fmt):
            if dataset:
                g = q.graph_name
                if isinstance(g, ox.DefaultGraph):
                    default = True
                else:
                    names.add(g.value)
            p = q.predicate.value
            bucket = bucket_of(p)
            if bucket is not None:
                bucket.append((q.subject.value, q.object.value))
            else:
                flags = truth_of(p)
                if flags is not None:
                    flags.append((q.subject.value, _ox_truth(q.object)))
    except (SyntaxError, MemoryError) as exc:
        raise parse_error(exc, path, fmt) from None
    if names and not default:
        log.warning(
            "%s keeps its data in %d named graph(s), none in the default graph: reading their union", path, len(names)
        )
    return pairs, truths


def stream_pairs(path: Path, predicates: Iterable[str]) -> tuple[Pairs, Truths]:
    """(subject, object) value pairs of ``predicates`` (and the truth-valued predicates) streamed from an RDF
    file, with the union of its named graphs: what :func:`project_file` and ``kg viz`` read files with."""
    return _read_file(path, format_for(path, INPUT_FORMATS), predicates)


def _least(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """key -> its smallest value (sorting descending lets ``dict`` keep the smallest: C speed, deterministic)."""
    return dict(sorted(pairs, reverse=True))


def _single(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """key -> its value, for a property with one value per key: a plain dict (C speed), else :func:`_least`."""
    single = dict(pairs)
    return single if len(single) == len(pairs) else _least(pairs)


def project(graph: Graph, paths: bool = False) -> nx.MultiDiGraph:
    """The NetworkX view of a kg RDF graph: the one projection every analysis uses.

    Nodes are entities keyed by IRI string: everything typed ``kg:Person``, ``kg:Group``, ``kg:GPE`` or
    ``kg:Place``, plus any other end of a relation or side link. Node attributes:

    - ``label``: ``rdfs:label`` (the smallest if several; else the IRI's local name),
    - ``type``: the kg class name (``GPE`` before ``Person``, ``Group``, ``Place`` if several; ``""`` if none),
    - ``lat``, ``long``: WGS84 floats or ``None``,
    - ``aliases``: sorted ``skos:altLabel``/``skos:prefLabel`` values (only with ``paths=True``).

    Edges are the four relations, one per (subject, relation, object), keyed by the relation name, for
    asserted statements only: a plain triple ``s kg:controls o``, or an assertion node with
    ``kg:asserted true``. Negated, hypothetical, urged or planned statements are never edges. Edge
    attributes:

    - ``relation``: the relation name (also the key),
    - ``assertions``: number of asserted assertion nodes behind the edge (0 for a bare triple),
    - ``documents``: number of distinct documents those come from,
    - ``times``: sorted ``kg:time`` values in ISO form (``1992``, ``2001-11``, ``2001-11-13``),
    - ``confidence``: the highest ``kg:confidence`` (``None`` without assertions),
    - ``statements``: the asserted statements, one :class:`Statement` each, in time order,
    - ``evidence`` (only with ``paths=True``): the evidence sentence of the most confident assertion
      (``""`` without one).

    Graph attributes: ``documents`` and ``assertions`` (counts in the RDF graph), ``unasserted``
    (assertion nodes left out because they are not asserted), ``latest_document_date`` (the greatest
    ``kg:documentDate``, or ``None``), ``links``: the side links as sorted ``(subject, link, object)``
    triples, and ``as_of``: ``None`` (see :func:`as_of`).

    The graph's default graph is read (a kg store keeps the union of its documents' graphs there), and only
    the predicates named above, each with one index scan of the Oxigraph store (or ``Graph.triples`` for
    other rdflib graphs); the joins run in Python.
    :func:`project_file` makes the same projection straight from a file, without building a store.

    Examples
    --------
    >>> from kg.rdf.store import parse_bytes
    >>> ttl = b'''@prefix kg: <https://w3id.org/kg-news/ontology#> .
    ... @prefix ent: <https://w3id.org/kg-news/entity/> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... ent:A a kg:Group ; rdfs:label "Alpha" ; kg:controls ent:X .
    ... ent:X a kg:Place ; rdfs:label "Xville" .'''
    >>> G = project(parse_bytes(ttl))
    >>> sorted(G.nodes[n]["label"] for n in G)
    ['Alpha', 'Xville']
    >>> [(G.nodes[u]["label"], k, G.nodes[v]["label"]) for u, v, k in G.edges(keys=True)]
    [('Alpha', 'controls', 'Xville')]
    """
    predicates = _READ_PATHS if paths else _READ
    try:
        store = ox_store(graph)
    except TypeError:
        store = None
    with gc_paused():
        return _project(*(_read_rdflib(graph, predicates) if store is None else _read_store(store, predicates)), paths)


def project_file(path: Path | str, paths: bool = False) -> nx.MultiDiGraph:
    """:func:`project` of the graph in an RDF file, streamed; a ``DIR.oxigraph`` store is read in place.

    Same nodes, edges and attributes as ``project(load_graph(path))``, in a third of the time on large
    files: the projection needs a third of the triples once, so nothing is loaded into a store. Errors
    (missing file, unknown suffix, bad syntax) are the ``KGError`` s of :func:`kg.rdf.store.load_graph`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "g.nt").write_text(
    ...         "<https://w3id.org/kg-news/entity/A> <https://w3id.org/kg-news/ontology#advises> "
    ...         "<https://w3id.org/kg-news/entity/B> .\\n")
    ...     G = project_file(Path(tmp) / "g.nt")
    >>> [(G.nodes[u]["label"], k, G.nodes[v]["label"]) for u, v, k in G.edges(keys=True)]
    [('A', 'advises', 'B')]
    """
    path = Path(path)
    if not path.is_file():
        return project(load_graph(path), paths)  # a store, or the error load_graph gives for a missing path
    fmt = format_for(path, INPUT_FORMATS)
    predicates = _READ_PATHS if paths else _READ
    with gc_paused():
        read = _scan_file(path, predicates) if fmt == ox.RdfFormat.N_TRIPLES else None
        return _project(*(read or _read_file(path, fmt, predicates)), paths)


def _scan_file(path: Path, predicates: Iterable[str]) -> tuple[Pairs, Truths] | None:
    """:func:`_read_file` of a line-shaped N-Triples file through :func:`kg.rdf.ntscan.scan` (strict: every
    term kept is checked as Oxigraph's parser checks it), without an Oxigraph term per line: a quarter of
    the time on the 100k-entity bench file. ``None`` when the file is not line-shaped or a kept term is
    wrong: the caller streams it through Oxigraph, which reads it the same way or words the error."""
    from kg.rdf.ntscan import scan

    check_graph_file(path, ox.RdfFormat.N_TRIPLES)
    found = scan(path, [*predicates, *_TRUTHS], typed=_TRUTHS, strict=True)
    if found is None:
        return None
    truths: Truths = {}
    for p in _TRUTHS:
        subjects, values = found.pairs.pop(p)
        truths[p] = list(zip(subjects, map(_truth, values, found.datatypes[p]), strict=True))
    pairs: Pairs = {p: list(zip(*found.pairs.pop(p), strict=True)) for p in list(found.pairs)}
    return pairs, truths


def _project(pairs: Pairs, truths: Truths, paths: bool) -> nx.MultiDiGraph:
    """The projection documented in :func:`project`, from the triples a reader found."""
    types: dict[str, set[str]] = defaultdict(set)
    documents: set[str] = set()
    assertion_nodes: set[str] = set()
    for s, o in pairs[_TYPE]:
        t = _TYPE_IRIS.get(o)
        if t is not None:
            types[s].add(t)
        elif o == _DOCUMENT:
            documents.add(s)
        elif o == _ASSERTION:
            assertion_nodes.add(s)
    labels, lats, longs = _least(pairs[_LABEL]), _least(pairs[_LAT]), _least(pairs[_LONG])
    aliases: dict[str, set[str]] = defaultdict(set)
    for p in _ALIAS_PREDICATES if paths else ():
        for e, alt in pairs[p]:
            aliases[e].add(alt)
    doc_dates = _least(pairs[_DOC_DATE])

    # (s, relation, o) -> [assertions, documents, times, confidence, (-confidence, evidence), statements]
    edges: dict[tuple[str, str, str], list[Any]] = {}
    for p, rel in _RELATION_IRIS.items():
        for s, o in pairs[p]:
            edges[s, rel, o] = [0, set(), set(), None, None, []]
    links: set[tuple[str, str, str]] = {(s, rel, o) for p, rel in _LINK_IRIS.items() for s, o in pairs[p]}
    # An assertion has one subject, predicate, object, document, confidence, time and evidence (the shapes say
    # so); a repeated triple (named graphs read as their union) is the same value, and a graph that breaks the
    # rule still projects deterministically: the least value is kept.
    subjects, predicates, objects = _single(pairs[_SUBJECT]), _single(pairs[_PREDICATE]), _single(pairs[_OBJECT])
    sources, confidences, whens = _single(pairs[_FROM]), _single(pairs[_CONFIDENCE]), _single(pairs[_WHEN])
    sentences = _single(pairs[_EVIDENCE])
    time_sources, starts, ends = _least(pairs[_SOURCE]), _least(pairs[_START]), _least(pairs[_END])
    lefts = _least(pairs[_LEFT])
    ending = {a for a, t in truths[_ENDS] if t}
    relation_of, link_of = _RELATION_IRIS.get, _LINK_IRIS.get
    source_of, doc_date_of, time_match = _SOURCE_IRIS.get, doc_dates.get, _TIME.match
    new_statement = tuple.__new__
    for a in {a for a, t in truths[_ASSERTED] if t}:
        pred, subj, obj = predicates.get(a), subjects.get(a), objects.get(a)
        if pred is None or subj is None or obj is None:
            continue
        relation = relation_of(pred)
        if relation is None:
            link_name = link_of(pred)
            if link_name is not None:
                links.add((subj, link_name, obj))
            continue
        c = to_float(confidences.get(a))
        doc = sources.get(a, "")
        time = whens.get(a)
        said = sentences.get(a, "")
        doc_date = doc_date_of(doc)
        start, end = starts.get(a), ends.get(a)
        statement = new_statement(  # tuple.__new__: a third of the cost of the NamedTuple's own constructor
            Statement,
            (
                start or end or time or doc_date,
                "until" if a in ending or (end is not None and start is None) else "holds",
                time,
                source_of(time_sources.get(a, ""), "clause" if time else None),
                start,
                end,
                doc,
                doc_date,
                said,
                c,
                lefts.get(a),
                a,
            ),
        )
        data = edges.get((subj, relation, obj))
        if data is None:
            data = edges[subj, relation, obj] = [0, set(), set(), None, None, []]
        data[0] += 1
        if doc:
            data[1].add(doc)
        if time is not None and time_match(time):
            data[2].add(time)
        if c is not None and (data[3] is None or c > data[3]):
            data[3] = c
        if paths and said:
            # The most confident sentence wins; ties go to the alphabetically first, for determinism.
            best = (-(c or 0.0), said)
            if data[4] is None or best < data[4]:
                data[4] = best
        data[5].append(statement)

    G = nx.MultiDiGraph()
    ends_of = {k[0] for k in edges} | {k[2] for k in edges} | {x for s, _, o in links for x in (s, o)}
    no_types: set[str] = set()
    # The graph's dicts are filled directly, as add_nodes_from/add_edge fill them (same dicts, same order):
    # their per-call checks cost 3 s on the 100k-entity bench graph, and every node exists before its edges.
    node, succ, pred = G._node, G._succ, G._pred
    order = sorted(types.keys() | ends_of)
    for iri in order:
        node[iri] = {
            "label": labels.get(iri) or local(iri),
            "type": next((t for t in _TYPE_PREFERENCE if t in types.get(iri, no_types)), ""),
            "lat": to_float(lats.get(iri)),
            "long": to_float(longs.get(iri)),
            "aliases": tuple(sorted(aliases.get(iri, ()))),
        }
        succ[iri] = {}
        pred[iri] = {}
    sort_key = Statement.sort_key
    # edges in (subject, relation, object) order, each sorted as one integer: comparing IRIs that share a long
    # prefix as strings took a second on the bench graph
    rank = {iri: i for i, iri in enumerate(order)}
    rel_rank = {r: i for i, r in enumerate(sorted(RELATIONS))}
    width, n_rel = len(order), len(rel_rank)
    ranked = sorted(edges.items(), key=lambda e: (rank[e[0][0]] * n_rel + rel_rank[e[0][1]]) * width + rank[e[0][2]])
    for (s, rel, o), data in ranked:
        edge_attrs: dict[str, Any] = {
            "relation": rel,
            "assertions": data[0],
            "documents": len(data[1]),
            "times": tuple(sorted(data[2])),
            "confidence": data[3],
            "statements": tuple(sorted(data[5], key=sort_key)) if len(data[5]) > 1 else tuple(data[5]),
        }
        if paths:
            edge_attrs["evidence"] = data[4][1] if data[4] else ""
        keys = succ[s].get(o)
        if keys is None:
            succ[s][o] = pred[o][s] = {rel: edge_attrs}
        else:
            keys[rel] = edge_attrs
    G.graph["documents"], G.graph["assertions"] = len(documents), len(assertion_nodes)
    G.graph["unasserted"] = len({a for a, t in truths[_ASSERTED] if t is False})
    G.graph["latest_document_date"] = max(doc_dates.values(), key=period_end, default=None)
    G.graph["links"] = tuple(sorted(links))
    G.graph["as_of"] = None
    return G


_DATE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")


def check_date(value: str) -> str:
    """``value`` if it is a year, year-month or date (``2014``, ``2014-06``, ``2014-06-12``), else ``KGError``.

    >>> check_date("2014-06")
    '2014-06'
    """
    if not _DATE.match(value) or not is_calendar_date(value):
        raise KGError(f"--as-of {value!r} is not a date: give YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2014-06-12)")
    return value


def on_or_before(when: str | None, date: str) -> bool:
    """Whether a statement placed at ``when`` can have happened by the end of ``date`` (undated: no).

    >>> on_or_before("2014", "2014-01-05"), on_or_before("2014-06", "2014"), on_or_before("2015", "2014-12")
    (True, True, False)
    """
    return when is not None and period_start(when) <= period_end(date)


def as_of(G: nx.MultiDiGraph, date: str) -> nx.MultiDiGraph:
    """The projection as it stood at the end of ``date``: only statements placed on or before it.

    A statement counts when its ``when`` (see :class:`Statement`) began by the end of ``date``; undated
    statements and bare triples (no statement behind them) cannot be placed, so they are left out, and an
    edge left with no statement goes. Side links are kept (they are not dated). ``G.graph["as_of"]`` is set
    to ``date``, so the analysis knows which ends of intervals have passed.

    Examples
    --------
    >>> def said(year, doc):
    ...     return Statement(year, "holds", year, "clause", None, None, doc, None, "", None, None, "s" + doc)
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "x", key="controls", assertions=2, documents=2, times=("1992", "2001"),
    ...            statements=(said("1992", "d1"), said("2001", "d2")))
    'controls'
    >>> H = as_of(G, "1995")
    >>> H["a"]["x"]["controls"]["times"], H["a"]["x"]["controls"]["assertions"], H.graph["as_of"]
    (('1992',), 1, '1995')
    """
    check_date(date)
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.graph["as_of"] = date
    H.add_nodes_from(G.nodes(data=True))
    for u, v, k, d in G.edges(keys=True, data=True):
        kept = tuple(s for s in d.get("statements", ()) if on_or_before(s.when, date))
        if not kept:
            continue
        times = tuple(sorted({s.time for s in kept if s.time and _TIME.match(s.time)}))
        confidences = [s.confidence for s in kept if s.confidence is not None]
        H.add_edge(
            u,
            v,
            k,
            **{
                **d,
                "assertions": len(kept),
                "documents": len({s.document for s in kept if s.document}),
                "times": times,
                "confidence": max(confidences, default=None),
                "statements": kept,
            },
        )
    return H

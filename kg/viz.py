"""Draw a kg graph as one self-contained, offline, safe HTML page with PyVis (vis-network).

The page is often the first thing anyone sees of a graph, so it has to open anywhere (no network: the
vis-network script and stylesheet PyVis ships are inlined), tell the story at a glance (colour and shape by
entity type, size by centrality, edges coloured and labelled by relation, width by support, a legend) and
let people dig to the evidence (tooltips, and a side panel listing every evidence sentence with its
document and time). Text comes from news documents, so nothing from the graph ever reaches the page as
markup: the data travels as JSON in a non-executable ``<script type="application/json">`` block with
``<``, ``>`` and ``&`` escaped, the page builds DOM with ``textContent`` only, vis-network renders string
tooltips as text, and a Content-Security-Policy allows only the page's own scripts (by hash), no remote
loads at all.

PyVis builds the network model (``pyvis.network.Network``: nodes, edges, options); we do not use its HTML
template because it loads Bootstrap from a CDN and inserts the heading and node ids unescaped.

Input is only RDF (see ``kg.rdf.mapping`` for the shape), read from the Oxigraph store behind the graph:
entities and plain triples with SPARQL, the assertions' provenance with one pattern scan per property
(four times faster than one query with ten OPTIONALs on large graphs).
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.errors import KGError
from kg.geo import BORDER, LAND, SEA, Frame, basemap, frame_for
from kg.model import is_calendar_date
from kg.rdf.namespace import ENTITY_TYPES, GEONAMES, KG, RELATIONS
from kg.rdf.store import atomic_write, ox_store

#: Fill colour and vis-network shape per entity type (shapes with the label underneath, so size shows).
TYPE_STYLE: dict[str, tuple[str, str]] = {
    "Person": ("#e377c2", "dot"),
    "Group": ("#1f77b4", "diamond"),
    "GPE": ("#2ca02c", "square"),
    "Place": ("#bcbd22", "triangle"),
    "": ("#9e9e9e", "dot"),  # an endpoint the graph gives no (known) type
}
#: Edge colour per relation.
RELATION_COLOR: dict[str, str] = {
    "controls": "#d62728",
    "advancesOn": "#ff7f0e",
    "defectsTo": "#9467bd",
    "advises": "#17becf",
}
DEFAULT_MAX_NODES = 150
#: Past a few hundred edges a force layout is a hairball; keep the best-supported ones.
DEFAULT_MAX_EDGES = 400
#: Left-out entities the page lists by name, and draws when asked (the most central first, then the unrelated).
LEFT_OUT_LISTED = 1000
LEFT_OUT_DRAWN = 300
#: Evidence sentences shown in an edge's hover tooltip (the side panel shows them all).
TOOLTIP_EVIDENCE = 3
_GEONAMES_URL = re.compile(r"^https://sws\.geonames\.org/\d+/?$")
_TIME = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")

_PREFIXES = f"""
PREFIX kg: <{KG._NS}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
_RELATION_TERMS = tuple(getattr(KG, r) for r in RELATIONS)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_ASSERTION = ox.NamedNode(str(KG.Assertion))
_RELATION_VALUES = " ".join(f"kg:{r}" for r in RELATIONS)
_TYPE_VALUES = " ".join(f"kg:{t}" for t in ENTITY_TYPES)

_Q_ENTITIES = (
    _PREFIXES
    + f"""
SELECT ?e ?type ?label ?same ?lat ?long WHERE {{
  VALUES ?type {{ {_TYPE_VALUES} }}
  ?e a ?type .
  OPTIONAL {{ ?e rdfs:label ?label }}
  OPTIONAL {{ ?e owl:sameAs ?same FILTER(STRSTARTS(STR(?same), "{GEONAMES}")) }}
  OPTIONAL {{ ?e geo:lat ?lat }}
  OPTIONAL {{ ?e geo:long ?long }}
}}"""
)
_Q_ALIASES = _PREFIXES + "SELECT ?e ?alt WHERE { ?e skos:altLabel ?alt }"
_Q_TRIPLES = _PREFIXES + f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_RELATION_VALUES} }} ?s ?p ?o . FILTER(isIRI(?o)) }}"


@dataclass(frozen=True)
class VizOptions:
    """What to draw. Empty ``relations``/``types`` mean all of them."""

    relations: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    min_support: int = 1
    focus: str | None = None
    depth: int = 1
    since: str | None = None
    until: str | None = None
    max_nodes: int = DEFAULT_MAX_NODES
    max_edges: int = DEFAULT_MAX_EDGES
    show_claims: bool = False
    geo: bool = False
    title: str | None = None

    def __post_init__(self) -> None:
        for r in self.relations:
            if r not in RELATIONS:
                raise KGError(f"unknown relation {r!r}; valid relations: {', '.join(RELATIONS)}")
        for t in self.types:
            if t not in ENTITY_TYPES:
                raise KGError(f"unknown entity type {t!r}; valid types: {', '.join(ENTITY_TYPES)}")
        if self.min_support < 1:
            raise KGError("--min-support must be 1 or more")
        if self.depth < 0:
            raise KGError("--depth must be 0 or more")
        if self.max_nodes < 1:
            raise KGError("--max-nodes must be 1 or more")
        if self.max_edges < 1:
            raise KGError("--max-edges must be 1 or more")
        for name, value in (("--since", self.since), ("--until", self.until)):
            if value is not None and not (_TIME.fullmatch(value) and is_calendar_date(value)):
                raise KGError(f"{name} {value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
        if self.since and self.until and time_bounds(self.since)[0] > time_bounds(self.until)[1]:
            raise KGError(f"--since {self.since} is after --until {self.until}")


@dataclass(frozen=True)
class Entity:
    """A node: an IRI with its type name ('' when the graph gives none), label, aliases and coordinates."""

    iri: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    geonames: str | None = None
    lat: float | None = None
    long: float | None = None


@dataclass(frozen=True)
class Evidence:
    """One assertion behind an edge: the sentence, where it comes from, when, and how it was said."""

    text: str
    document: str
    time: str | None
    time_text: str | None
    polarity: str
    modality: str
    confidence: float | None
    trigger: str | None
    start: int = 0

    def order(self) -> tuple[float, str, int, str]:
        """Most confident first, then in reading order: what a tooltip shows when it can show only a few."""
        return (-(self.confidence or 0.0), self.document, self.start, self.text)


@dataclass
class Edge:
    """A drawn edge: one relation between two entities; ``claim`` edges are negated or not factual."""

    subject: str
    predicate: str
    object: str
    claim: bool
    evidence: list[Evidence] = field(default_factory=list)
    #: Plain triple with no assertion node (a graph not written by kg): still one piece of support.
    bare: bool = False

    @property
    def support(self) -> int:
        return max(1, len(self.evidence)) if self.bare else len(self.evidence)

    @property
    def id(self) -> str:
        kind = "claim" if self.claim else "fact"
        key = f"{self.subject}|{self.predicate}|{self.object}|{kind}"
        return "e" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class View:
    """The selected subgraph, ready to draw, and what the page should say about how it was selected."""

    entities: dict[str, Entity]
    edges: list[Edge]
    centrality: dict[str, float]
    documents: int
    notes: list[str] = field(default_factory=list)
    #: Entities not drawn although no filter asked to leave them out: iri -> why ("no relation", or the cap).
    left_out: dict[str, str] = field(default_factory=dict)
    #: Their entities (the page draws the first LEFT_OUT_DRAWN on request) and the relations the caps cut
    #: among what can be drawn.
    left_out_entities: dict[str, Entity] = field(default_factory=dict)
    left_out_edges: list[Edge] = field(default_factory=list)


# ---------------------------------------------------------------- reading the graph


def _v(sol: ox.QuerySolution, name: str) -> str | None:
    term = sol[name]
    return None if term is None else str(term.value)


@functools.lru_cache(maxsize=4096)
def _local(iri: str) -> str:
    """The name after the last ``#`` or ``/``: ``kg#controls`` -> ``controls``."""
    tail = iri.rstrip("/")
    return tail[max(tail.rfind("#"), tail.rfind("/")) + 1 :] or iri


def read_entities(store: ox.Store) -> dict[str, Entity]:
    """Every typed entity; an IRI with several types keeps the first in ``ENTITY_TYPES`` order."""
    rows: dict[str, list[ox.QuerySolution]] = defaultdict(list)
    for sol in store.query(_Q_ENTITIES):  # type: ignore[union-attr]
        rows[str(sol["e"].value)].append(sol)
    aliases: dict[str, set[str]] = defaultdict(set)
    for sol in store.query(_Q_ALIASES):  # type: ignore[union-attr]
        aliases[str(sol["e"].value)].add(str(sol["alt"].value))
    out: dict[str, Entity] = {}
    for iri, sols in rows.items():
        types = {_local(str(s["type"].value)) for s in sols}
        typ = next(t for t in ENTITY_TYPES if t in types)
        labels = sorted({v for s in sols if (v := _v(s, "label"))})
        label = labels[0] if labels else _local(iri).replace("_", " ")
        same = sorted({v for s in sols if (v := _v(s, "same")) and _GEONAMES_URL.match(v)})
        lat, long = _coordinates(sols)
        alts = tuple(sorted(aliases.get(iri, set()) - {label}))
        out[iri] = Entity(iri, typ, label, alts, same[0] if same else None, lat, long)
    return out


def _coordinates(sols: list[ox.QuerySolution]) -> tuple[float | None, float | None]:
    """The first valid (lat, long) pair, in a fixed order so a doubly-placed entity always lands the same."""
    for s in sorted(sols, key=lambda s: (str(s["lat"]), str(s["long"]))):
        try:
            lat, long = float(_v(s, "lat") or "nan"), float(_v(s, "long") or "nan")
        except ValueError:
            continue
        if -90 <= lat <= 90 and -180 <= long <= 180:
            return lat, long
    return None, None


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _column(store: ox.Store, prop: URIRef) -> dict[str, str]:
    """``subject -> value`` for one property (the smallest value if several), straight from the store.

    One pattern scan per property instead of one SPARQL query with ten OPTIONALs: 50,000 assertions
    take ~1 s this way against ~4 s through the query engine.
    """
    out: dict[str, str] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(str(prop)), None, ox.DefaultGraph()):
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            continue  # RDF-star quoted triples: not something kg writes or draws
        s, v = q.subject.value, q.object.value
        if s not in out or v < out[s]:
            out[s] = v
    return out


def _truths(store: ox.Store, prop: URIRef) -> dict[str, bool | None]:
    """``subject -> value`` of a boolean property as SPARQL reads it (only an ``xsd:boolean`` is true or false;
    anything else is ``None``), the smallest value if several: what the file readers decide too."""
    from kg.analysis.projection import _ox_truth

    out: dict[str, tuple[str, bool | None]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(str(prop)), None, ox.DefaultGraph()):
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            continue
        s, v = q.subject.value, q.object.value
        if s not in out or v < out[s][0]:
            out[s] = (v, _ox_truth(q.object))
    return {s: truth for s, (_v, truth) in out.items()}


def read_edges(store: ox.Store) -> list[Edge]:
    """All candidate edges: plain triples (facts) with their asserted evidence, and claim groups.

    A fact edge exists exactly when the plain triple does (kg writes it only for positive, factual
    statements); non-asserted assertions (negated, hypothetical, urged, ...) become claim edges.
    """
    facts: dict[tuple[str, str, str], Edge] = {}
    for sol in store.query(_Q_TRIPLES):  # type: ignore[union-attr]
        key = (str(sol["s"].value), _local(str(sol["p"].value)), str(sol["o"].value))
        facts[key] = Edge(*key, claim=False, bare=True)
    claims: dict[tuple[str, str, str], Edge] = {}
    col = functools.partial(_column, store)
    subj, pred, obj = col(RDF.subject), col(RDF.predicate), col(RDF.object)
    asserted_col, polarity_col, modality_col = _truths(store, KG.asserted), col(KG.polarity), col(KG.modality)
    evidence_col, conf_col, trigger_col = col(KG.evidence), col(KG.confidence), col(KG.trigger)
    time_col, time_text_col, doc_col = col(KG.time), col(KG.timeText), col(PROV.wasDerivedFrom)
    title_col, source_col, date_col = col(DCTERMS.title), col(KG.sourcePath), col(KG.documentDate)
    start_col = col(KG.charStart)
    kinds = {str(k) for k in _RELATION_TERMS}
    typed = {q.subject for q in store.quads_for_pattern(None, _RDF_TYPE, _ASSERTION, ox.DefaultGraph())}
    for a in sorted(t.value for t in typed if not isinstance(t, ox.Triple)):
        if a not in subj or a not in obj or pred.get(a) not in kinds:
            continue
        key = (subj[a], _local(pred[a]), obj[a])
        polarity = _local(polarity_col.get(a, "Positive"))
        modality = _local(modality_col.get(a, "Actual"))
        truth = asserted_col.get(a)  # kg always writes kg:asserted; without a boolean, polarity and modality decide
        asserted = truth if truth is not None else polarity == "Positive" and modality == "Actual"
        try:
            conf: float | None = float(conf_col.get(a, ""))
        except ValueError:
            conf = None
        doc = doc_col.get(a)
        ev = Evidence(
            text=evidence_col.get(a, ""),
            document=(doc and (title_col.get(doc) or source_col.get(doc))) or doc or "unknown document",
            time=time_col.get(a) or (date_col.get(doc) if doc else None),
            time_text=time_text_col.get(a),
            polarity=polarity,
            modality=modality,
            confidence=conf,
            trigger=trigger_col.get(a),
            start=_int(start_col.get(a)),
        )
        if asserted and key in facts:
            facts[key].evidence.append(ev)
        elif not asserted:
            claims.setdefault(key, Edge(*key, claim=True)).evidence.append(ev)
    for e in facts.values():
        e.bare = not e.evidence
    for e in (*facts.values(), *claims.values()):
        e.evidence.sort(key=Evidence.order)
    return sorted([*facts.values(), *claims.values()], key=lambda e: (e.subject, e.predicate, e.object, e.claim))


def document_count(store: ox.Store) -> int:
    q = _PREFIXES + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }"
    for sol in store.query(q):  # type: ignore[union-attr]
        return int(str(sol["n"].value))
    return 0


# ---------------------------------------------------------------- selecting what to draw


def time_bounds(value: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The first and last day a date of any precision covers, as comparable tuples.

    >>> time_bounds("2001")
    ((2001, 1, 1), (2001, 12, 31))
    >>> time_bounds("2001-11-13")
    ((2001, 11, 13), (2001, 11, 13))
    """
    m = _TIME.match(value)
    if not m:
        raise ValueError(f"not a date: {value!r}")
    year = int(m.group(1))
    month, day = m.group(2), m.group(3)
    start = (year, int(month or 1), int(day or 1))
    end = (year, int(month or 12), int(day or 31))
    return start, end


def _in_period(ev: Evidence, since: str | None, until: str | None) -> bool:
    """Does the statement's time overlap [since, until]? Undated statements never do."""
    if ev.time is None or not _TIME.match(ev.time):
        return False
    start, end = time_bounds(ev.time)
    if since and end < time_bounds(since)[0]:
        return False
    return not (until and start > time_bounds(until)[1])


def find_entity(entities: Mapping[str, Entity], name: str) -> str:
    """The IRI ``name`` refers to: a full IRI, a local name, a label or an alias (case-insensitive)."""
    if name in entities:
        return name
    wanted = name.casefold().replace("_", " ").strip()
    for rank in (
        lambda e: e.label.casefold() == wanted,
        lambda e: _local(e.iri).casefold().replace("_", " ") == wanted,
        lambda e: wanted in (a.casefold() for a in e.aliases),
    ):
        hits = sorted(iri for iri, e in entities.items() if rank(e))
        if len(hits) == 1:
            return hits[0]
        if hits:
            names = ", ".join(f"{entities[h].label} ({entities[h].type})" for h in hits)
            raise KGError(f"--focus {name!r} is ambiguous: it names {names}; pass the entity's IRI")
    labels = sorted({e.label for e in entities.values()})
    close = difflib.get_close_matches(name, labels, n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'kg query' can list the entities"
    raise KGError(f"--focus {name!r} matches no entity in the graph{hint}")


def weighted_degree(entities: Iterable[str], edges: Iterable[Edge]) -> dict[str, float]:
    """Centrality for sizing and capping: degree weighted by support, normalised to [0, 1].

    Weighted degree (rather than PageRank) because relations point from agents to places: PageRank would
    rank every captured town above the armies that took it.
    """
    deg: dict[str, float] = dict.fromkeys(entities, 0.0)
    get = deg.get
    for e in edges:  # a plain sum: networkx's MultiGraph.degree costs 20x more on large graphs
        w = max(1, len(e.evidence)) if e.bare else len(e.evidence)  # Edge.support, without the call
        s, o = e.subject, e.object
        deg[s] = get(s, 0.0) + w
        deg[o] = get(o, 0.0) + w
    top = max(deg.values(), default=0.0) or 1.0
    return {n: d / top for n, d in deg.items()}


def _strongest(edges: list[Edge], n: int) -> list[Edge]:
    """The ``n`` best-supported edges, but first each node's own best edge, so no kept node is left bare."""
    order = sorted(edges, key=lambda e: (-e.support, e.claim, e.subject, e.predicate, e.object))
    chosen: dict[str, Edge] = {}
    covered: set[str] = set()
    for e in order:
        if len(chosen) < n and not {e.subject, e.object} <= covered:
            chosen[e.id] = e
            covered |= {e.subject, e.object}
    for e in order:
        if len(chosen) >= n:
            break
        chosen.setdefault(e.id, e)
    return [e for e in edges if e.id in chosen]


def select(entities: Mapping[str, Entity], edges: list[Edge], options: VizOptions, documents: int = 0) -> View:
    """Apply the filters, in this order: relation, claims, period, support, type, focus; then the cap.

    The order of ``edges`` is kept in the view's edge lists and decides nothing else (sums of whole
    supports, sorts by full keys), so a caller may pass them unsorted and sort the few drawn ones."""
    notes: list[str] = []
    period = options.since is not None or options.until is not None
    kept = edges
    if options.relations:
        kept = [e for e in kept if e.predicate in options.relations]
    if not options.show_claims:
        kept = [e for e in kept if not e.claim]
    pool = kept if not options.relations else None  # what the entities with no relation are found from
    undated = 0
    if period:
        inside: dict[str | None, bool] = {}  # per time: large graphs share few
        dated: list[Edge] = []
        for e in kept:
            evidence = []
            for ev in e.evidence:
                hit = inside.get(ev.time)
                if hit is None:
                    hit = inside[ev.time] = _in_period(ev, options.since, options.until)
                if hit:
                    evidence.append(ev)
                if ev.time is None:
                    undated += 1
            if evidence:
                dated.append(Edge(e.subject, e.predicate, e.object, e.claim, evidence))
        kept = dated
    if options.min_support > 1:
        kept = [e for e in kept if e.support >= options.min_support]
    else:  # support >= 1: some evidence, or a plain triple
        kept = [e for e in kept if e.evidence or e.bare]
    unchanged = pool is not None and not period and len(kept) == len(pool)  # nothing lost support: kept is pool
    ents = dict(entities)
    ends = {e.subject for e in kept} | {e.object for e in kept}
    for iri in sorted(ends - ents.keys()):  # endpoints the graph gives no type: draw them grey, not lose the edge
        ents[iri] = Entity(iri, "", _local(iri).replace("_", " "))
    nodes = ends
    if options.types:
        kept = [e for e in kept if ents[e.subject].type in options.types and ents[e.object].type in options.types]
        nodes = {e.subject for e in kept} | {e.object for e in kept}
    focus: str | None = None
    if options.focus:
        focus = find_entity(ents, options.focus)
        g = nx.Graph()
        g.add_node(focus)
        g.add_edges_from((e.subject, e.object) for e in kept)
        nodes = set(nx.single_source_shortest_path_length(g, focus, cutoff=options.depth))
        kept = [e for e in kept if e.subject in nodes and e.object in nodes]
        notes.append(f"within {options.depth} step{'s' if options.depth != 1 else ''} of {ents[focus].label}")
    centrality = weighted_degree(sorted(nodes), kept)
    left_out: dict[str, str] = {}
    before_caps = list(kept)
    if len(nodes) > options.max_nodes:
        # by (n != focus, -centrality, label, n): stable sorts from the last key to the first, C-speed keys
        ranked = sorted(nodes)
        labels = {n: ents[n].label for n in ranked}
        ranked.sort(key=labels.__getitem__)
        ranked.sort(key=centrality.__getitem__, reverse=True)  # reverse keeps ties in order: as -centrality
        if focus is not None:
            ranked.sort(key=lambda n: n != focus)
        total = len(nodes)
        nodes = set(ranked[: options.max_nodes])
        left_out.update(dict.fromkeys(ranked[options.max_nodes :], f"cut by --max-nodes {options.max_nodes}"))
        kept = [e for e in kept if e.subject in nodes and e.object in nodes]
        notes.append(f"showing the {len(nodes)} most central of {total} entities (weighted degree); use filters")
    if len(kept) > options.max_edges:
        total = len(kept)
        kept = _strongest(kept, options.max_edges)
        before = nodes
        nodes = {n for e in kept for n in (e.subject, e.object)} | ({focus} if focus else set())
        left_out.update(dict.fromkeys(sorted(before - nodes), f"cut by --max-edges {options.max_edges}"))
        notes.append(f"showing the {len(kept)} best-supported of {total} relations")
    if not focus:  # entities no relation (of those asked for) touches: say so rather than drop them silently
        if pool is None:
            pool = edges if options.show_claims else [e for e in edges if not e.claim]
        related = ends if unchanged else {e.subject for e in pool} | {e.object for e in pool}
        lonely = [
            iri
            for iri, ent in entities.items()
            if iri not in related and (not options.types or ent.type in options.types)
        ]
        left_out.update(dict.fromkeys(sorted(lonely), "no relation"))
        if lonely:
            n = len(lonely)
            notes.append(f"{n} entit{'y' if n == 1 else 'ies'} with no relation not drawn, listed at the side")
    drawable = nodes | set(list(left_out)[:LEFT_OUT_DRAWN])
    kept_ids = {e.id for e in kept}
    cut_edges = [e for e in before_caps if e.subject in drawable and e.object in drawable and e.id not in kept_ids]
    if options.relations:
        notes.append("relations: " + ", ".join(options.relations))
    if options.types:
        notes.append("types: " + ", ".join(options.types))
    if options.min_support > 1:
        notes.append(f"support at least {options.min_support}")
    if period:
        notes.append(f"period {options.since or '…'} to {options.until or '…'}")
        if undated:
            notes.append(f"{undated} undated statement{'s' if undated != 1 else ''} left out")
    if options.show_claims:
        drawn = any(e.claim for e in kept)
        notes.append(
            "dashed: negated or not factual (claims)" if drawn else "no claims (negated or not factual) to show"
        )
    return View(
        {n: ents[n] for n in sorted(nodes)},
        kept,
        {n: centrality[n] for n in sorted(nodes)},
        documents,
        notes,
        left_out,
        {n: ents[n] for n in left_out},
        cut_edges,
    )


def load_view(graph: Graph, options: VizOptions) -> View:
    """Read ``graph`` and select what ``options`` ask for."""
    store = ox_store(graph)
    return select(read_entities(store), read_edges(store), options, document_count(store))


#: What the page needs from a file, predicate by predicate (everything else streams past unread).
_S = {
    "type": str(RDF.type),
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "alt": "http://www.w3.org/2004/02/skos/core#altLabel",
    "same": "http://www.w3.org/2002/07/owl#sameAs",
    "lat": "http://www.w3.org/2003/01/geo/wgs84_pos#lat",
    "long": "http://www.w3.org/2003/01/geo/wgs84_pos#long",
    "subject": str(RDF.subject),
    "predicate": str(RDF.predicate),
    "object": str(RDF.object),
    "polarity": str(KG.polarity),
    "modality": str(KG.modality),
    "evidence": str(KG.evidence),
    "confidence": str(KG.confidence),
    "trigger": str(KG.trigger),
    "time": str(KG.time),
    "timeText": str(KG.timeText),
    "doc": str(PROV.wasDerivedFrom),
    "title": str(DCTERMS.title),
    "source": str(KG.sourcePath),
    "date": str(KG.documentDate),
    "start": str(KG.charStart),
}


def _smallest(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """subject -> its smallest value (as ``_column`` keeps it); one value per subject is the fast, usual case."""
    one = dict(pairs)
    if len(one) == len(pairs):
        return one
    return dict(sorted(pairs, reverse=True))


def _grouped(subjects: Iterable[str], values: Iterable[str]) -> dict[str, list[str]]:
    """subject -> its values, in file order."""
    out: dict[str, list[str]] = {}
    for s, v in zip(subjects, values, strict=True):
        group = out.get(s)
        if group is None:
            out[s] = [v]
        else:
            group.append(v)
    return out


def _entities_from(
    col: Mapping[str, tuple[Sequence[str], Sequence[str]]],
) -> tuple[dict[str, Entity], set[str], set[str]]:
    """Entities (as :func:`read_entities` gives them), assertion nodes and documents, from the (subjects,
    object values) of the ``_S`` predicates."""
    subjects, classes = col["type"]
    by_class = _grouped(classes, subjects)  # class -> its members
    types: dict[str, str] = {}
    for t in reversed(ENTITY_TYPES):  # an IRI of several types keeps the first in ENTITY_TYPES order
        types.update(dict.fromkeys(by_class.get(str(getattr(KG, t)), ()), t))
    assertions = set(by_class.get(str(KG.Assertion), ()))
    documents = set(by_class.get(str(KG.Document), ()))
    del by_class
    return _typed_entities(types, col), assertions, documents


def _typed_entities(
    types: Mapping[str, str], col: Mapping[str, tuple[Sequence[str], Sequence[str]]]
) -> dict[str, Entity]:
    """The entities of ``types`` (IRI -> type name) with their labels, aliases, GeoNames link and coordinates
    from the (subjects, object values) of the ``_S`` predicates."""
    labels = _smallest_of(*col["label"])  # of every subject: only entities' are looked up
    aliases = _grouped(*col["alt"])
    same: dict[str, str] = {}
    for s, o in zip(*col["same"], strict=True):
        if _GEONAMES_URL.match(o) and (s not in same or o < same[s]):
            same[s] = o
    lats, longs = _grouped(*col["lat"]), _grouped(*col["long"])
    entities: dict[str, Entity] = {}
    for iri in sorted(types):
        label = labels.get(iri)
        if label is None:
            label = _local(iri).replace("_", " ")
        alts = aliases.get(iri)
        lat, long = _first_valid(lats[iri], longs[iri]) if iri in lats and iri in longs else (None, None)
        entities[iri] = Entity(
            iri, types[iri], label, tuple(sorted(set(alts) - {label})) if alts else (), same.get(iri), lat, long
        )
    return entities


def load_view_file(path: Path, options: VizOptions) -> View:
    """:func:`load_view` of an RDF file, streamed: only the predicates the page uses are kept, as strings, and
    no store is built (a 100,000-entity file took 43 s and 3 GB loaded into a store first). Named graphs
    are read as their union. Gives the same view as ``load_view(load_graph(path), options)``.

    Plain-shaped N-Triples (what kg writes) is read faster still, by :func:`_load_view_indexed`."""
    from kg.analysis.common import gc_paused

    with gc_paused():  # millions of strings and small objects, no cycles: collecting along the way costs seconds
        return _load_view_file(path, options)


def _load_view_file(path: Path, options: VizOptions) -> View:
    from kg.analysis.projection import stream_pairs
    from kg.rdf.formats import INPUT_FORMATS, format_for

    if format_for(path, INPUT_FORMATS) == ox.RdfFormat.N_TRIPLES:
        view = _load_view_indexed(path, options)
        if view is not None:
            return view
    relation_iris = {str(t): _local(str(t)) for t in _RELATION_TERMS}
    pairs, truths = stream_pairs(path, [*_S.values(), *relation_iris])
    col = {name: pairs[iri] for name, iri in _S.items()}
    entities, assertions, documents = _entities_from(
        {k: ([s for s, _ in col[k]], [o for _, o in col[k]]) for k in ("type", "label", "alt", "same", "lat", "long")}
    )

    facts: dict[tuple[str, str, str], Edge] = {}
    for iri, name in relation_iris.items():
        for s, o in pairs[iri]:
            facts[(s, name, o)] = Edge(s, name, o, claim=False, bare=True)
    subj, pred, obj = (_smallest(col[k]) for k in ("subject", "predicate", "object"))
    asserted_col = dict(truths[str(KG.asserted)])
    cols = {k: _smallest(col[k]) for k in (*_DETAILS, "title", "source", "date")}
    claims: dict[tuple[str, str, str], Edge] = {}
    for a in sorted(assertions):
        rel = relation_iris.get(pred.get(a, ""))
        if rel is None or a not in subj or a not in obj:
            continue
        key = (subj[a], rel, obj[a])
        ev = _evidence(a, cols)
        truth = asserted_col.get(a)
        asserted = truth if truth is not None else ev.polarity == "Positive" and ev.modality == "Actual"
        if asserted and key in facts:
            facts[key].evidence.append(ev)
        elif not asserted:
            claims.setdefault(key, Edge(*key, claim=True)).evidence.append(ev)
    for e in facts.values():
        e.bare = not e.evidence
    for e in (*facts.values(), *claims.values()):
        e.evidence.sort(key=Evidence.order)
    edges = sorted([*facts.values(), *claims.values()], key=lambda e: (e.subject, e.predicate, e.object, e.claim))
    return select(entities, edges, options, len(documents))


#: What the indexed reader reads for every line: it decides which edges exist and how strong they are. The
#: rest of ``_S`` (``_DETAILS``) is read back only for the statements the page shows.
_SKELETON = ("type", "label", "alt", "same", "lat", "long", "subject", "predicate", "object", "title", "source", "date")
_DETAILS = ("polarity", "modality", "evidence", "confidence", "trigger", "time", "timeText", "doc", "start")


def _evidence(a: str, cols: Mapping[str, Mapping[str, str]]) -> Evidence:
    """Assertion ``a``'s evidence from its columns (``_DETAILS`` by assertion, title/source/date by document)."""
    doc = cols["doc"].get(a)
    try:
        conf: float | None = float(cols["confidence"].get(a, ""))
    except ValueError:
        conf = None
    return Evidence(
        text=cols["evidence"].get(a, ""),
        document=(doc and (cols["title"].get(doc) or cols["source"].get(doc))) or doc or "unknown document",
        time=cols["time"].get(a) or (cols["date"].get(doc) if doc else None),
        time_text=cols["timeText"].get(a),
        polarity=_local(cols["polarity"].get(a, "Positive")),
        modality=_local(cols["modality"].get(a, "Actual")),
        confidence=conf,
        trigger=cols["trigger"].get(a),
        start=_int(cols["start"].get(a)),
    )


def _smallest_of(subjects: Sequence[str], values: Sequence[str]) -> dict[str, str]:
    """:func:`_smallest` of two parallel lists."""
    one = dict(zip(subjects, values, strict=True))
    return one if len(one) == len(subjects) else dict(sorted(zip(subjects, values, strict=True), reverse=True))


def _load_view_indexed(path: Path, options: VizOptions) -> View | None:
    """:func:`load_view_file` of a plain-shaped N-Triples file through :mod:`kg.rdf.ntscan`, in two steps:
    the skeleton of every statement (which edges, how many assertions, their times when a period is
    asked) picks what is drawn, then evidence is read for the drawn statements only. ``None`` when the
    file is not plain-shaped, or a term the page would show is not valid RDF: the caller then streams
    it through Oxigraph (the same view, or Oxigraph's error). 6.9M lines: ~7 s instead of ~38 s."""
    from kg.rdf import ntscan
    from kg.rdf.guard import check_graph_file

    check_graph_file(path, ox.RdfFormat.N_TRIPLES)
    period = options.since is not None or options.until is not None
    relation_iris = {str(t): _local(str(t)) for t in _RELATION_TERMS}
    asserted_iri = str(KG.asserted)
    if not period:  # the usual case: the skeleton as term ids, joined in numpy
        found = ntscan.scan(
            path,
            [_S[k] for k in _SKELETON if k not in _CODED],
            [_S[k] for k in _DETAILS],
            coded=[*(_S[k] for k in _CODED), *relation_iris, asserted_iri],
        )
        if found is None:
            return None
        try:
            view = _coded_view(found, options, relation_iris)
        except ntscan.NotSimple:
            return None
        if view is not None:
            return view
    # a period (each assertion's time decides), or a graph kg would not write: the skeleton as strings
    skeleton = [*_SKELETON, *(("time", "doc") if period else ())]
    found = ntscan.scan(
        path,
        [*(_S[k] for k in skeleton), *relation_iris, asserted_iri],
        [_S[k] for k in _DETAILS if k not in skeleton],
        typed=[asserted_iri],
    )
    if found is None:
        return None
    try:
        return _indexed_view(found, options, skeleton, relation_iris)
    except ntscan.NotSimple:
        return None


def _distinct(values: Any) -> Any:
    """The distinct values of an integer array, sorted (``np.unique`` hashes instead: 25x slower here)."""
    import numpy as np

    ordered = np.sort(values)
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(ordered) else ordered


#: Skeleton predicates the coded reader reads as term ids (see :func:`_coded_view`).
_CODED = ("type", "subject", "predicate", "object")


def _coded_view(found: Any, options: VizOptions, relation_iris: dict[str, str]) -> View | None:
    """:func:`_indexed_view` of a scan whose skeleton came as term ids: which assertion states what, and
    how many assertions stand behind each edge, are joins and counts over integer arrays, and strings are
    made for entities and drawn statements only (the same view, ~4 s less on the 100,000-entity bench
    graph). ``None`` for a graph kg would not write -- a node with two subjects, predicates, objects or
    ``kg:asserted`` values, an assertion without ``kg:asserted``, a literal where an entity belongs: the
    caller then reads it as strings, whose rules for those cases this does not repeat."""
    import numpy as np

    from kg.rdf.ntscan import check_iri, check_plain

    names: list[str] = found.names
    codes = found.codes
    n = len(names)
    literal = np.zeros(n + 1, bool)  # by id; [-1]: no term
    literal[found.literals] = True

    def column(p: str) -> Any:
        """value id per subject id (-1: none; the last slot stands for 'no subject'), or None if one has two."""
        subjects, objects = codes[p]
        out = np.full(n + 1, -1, np.int64)
        if len(subjects) and np.bincount(subjects).max() > 1:
            return None
        out[subjects] = objects
        return out

    known: dict[str, int] = found.ids_of(
        [*(str(getattr(KG, t)) for t in (*ENTITY_TYPES, "Assertion", "Document")), *relation_iris]
    )

    def id_of(iri: str) -> int:
        return known.get(iri, -2)  # -2 matches no id

    def iris(ids: Any) -> list[str]:
        return [names[i][1:-1] for i in ids.tolist()]

    type_s, type_o = codes[_S["type"]]
    if literal[type_o].any() or literal[codes[_S["predicate"]][1]].any():
        return None  # a class or relation spelled as a literal (the string reader compares values)
    types: dict[str, str] = {}
    for t in reversed(ENTITY_TYPES):  # an IRI of several types keeps the first in ENTITY_TYPES order
        types.update(dict.fromkeys(iris(type_s[type_o == id_of(str(getattr(KG, t)))]), t))
    assertions = _distinct(type_s[type_o == id_of(str(KG.Assertion))])
    documents = len(_distinct(type_s[type_o == id_of(str(KG.Document))]))
    del type_s, type_o
    pairs: dict[str, tuple[list[str], list[str]]] = found.pairs
    entities = _typed_entities(types, {k: pairs.pop(_S[k]) for k in ("label", "alt", "same", "lat", "long")})
    del types
    subj, pred, obj, truth_of = (column(p) for p in (_S["subject"], _S["predicate"], _S["object"], str(KG.asserted)))
    if subj is None or pred is None or obj is None or truth_of is None:
        return None
    from kg.analysis.projection import _truth
    from kg.rdf.ntscan import term_value

    truth = np.full(n + 1, -1, np.int8)  # by id of a kg:asserted value: 1 true, 0 false, -1 neither
    for i in _distinct(truth_of[truth_of >= 0]).tolist():
        value = _truth(*term_value(names[i])) if literal[i] else None
        truth[i] = -1 if value is None else int(value)
    relation_names = list(relation_iris.values())
    rel = np.full(n + 1, -1, np.int64)  # by id: the relation's index
    for r, iri in enumerate(relation_iris):
        if (i := known.get(iri)) is not None:
            rel[i] = r
    a_rel = rel[pred[assertions]]
    stated = (subj[assertions] >= 0) & (obj[assertions] >= 0) & (a_rel >= 0)
    a_ids = assertions[stated]
    a_s, a_o, a_rel, a_truth = subj[a_ids], obj[a_ids], a_rel[stated], truth[truth_of[a_ids]]
    if (a_truth < 0).any() or literal[a_s].any() or literal[a_o].any():
        return None  # no kg:asserted to decide it, or a literal as an entity
    n_rel = len(relation_iris)

    def key(s: Any, r: Any, o: Any) -> Any:
        return (s * n_rel + r) * n + o

    fact_keys = []
    for r, iri in enumerate(relation_iris):
        s_ids, o_ids = codes[iri]
        if literal[o_ids].any():
            return None
        fact_keys.append(_distinct(key(s_ids, r, o_ids)))  # a triple written twice is one
    facts = np.concatenate(fact_keys)
    a_keys = key(a_s, a_rel, a_o)
    told, told_n = np.unique(a_keys[a_truth == 1], return_counts=True)
    fact_support = np.zeros(len(facts), np.int64)
    at = np.searchsorted(told, facts)
    hit = at < len(told)
    hit[hit] = told[at[hit]] == facts[hit]
    fact_support[hit] = told_n[at[hit]]
    claims, claim_support = np.unique(a_keys[a_truth == 0], return_counts=True)
    # the edges, with one shared stand-in per assertion (select() counts them; evidence is read for the drawn)
    every = np.concatenate([facts, claims])
    ends = _distinct(np.concatenate([every // n // n_rel, every % n]))
    iri_of = np.empty(n, object)
    iri_of[ends] = iris(ends)
    stand_in = [Evidence("", "", None, None, "", "", None, None)]
    lists = [stand_in * c for c in range(int(max(fact_support.max(initial=0), claim_support.max(initial=0))) + 1)]

    # one list per support, shared: select() only counts them, and drawn edges get lists of their own; the keys
    # code (subject, relation, object) as one integer, and a fact with no support is a bare triple
    edges: list[Edge] = []
    for keys, support, claim in ((facts, fact_support, False), (claims, claim_support, True)):
        edges += [
            Edge(s, relation_names[r], o, claim, lists[c], not claim and c == 0)
            for s, r, o, c in zip(
                iri_of[keys // n // n_rel].tolist(),
                (keys // n % n_rel).tolist(),
                iri_of[keys % n].tolist(),
                support.tolist(),
                strict=True,
            )
        ]
    del ends, iri_of, facts, claims, fact_support, claim_support, told, told_n
    view = select(entities, edges, options, documents)  # the edges unsorted: see select()
    drawn = [*view.edges, *view.left_out_edges]  # the same objects: their keys by position
    position = {id(e): i for i, e in enumerate(edges)}
    wanted = every[[position[id(e)] for e in drawn]] * 2 + np.array([e.claim for e in drawn], np.int64)
    del edges, position, every
    for group in (view.edges, view.left_out_edges):
        group.sort(key=lambda e: (e.subject, e.predicate, e.object, e.claim))
    drawn = [*view.edges, *view.left_out_edges]
    # the assertions behind the drawn edges: their key and kind (claim: 1) against every assertion's
    mine = np.isin(a_keys * 2 + (a_truth == 0), wanted)
    behind: dict[tuple[str, str, str, bool], list[str]] = {}
    for a, k, claim in zip(iris(a_ids[mine]), a_keys[mine].tolist(), (a_truth[mine] == 0).tolist(), strict=True):
        s_id, o_id = k // n // n_rel, k % n
        edge_key = (names[s_id][1:-1], relation_names[k // n % n_rel], names[o_id][1:-1], claim)
        behind.setdefault(edge_key, []).append(a)
    shown = [(e, behind.get((e.subject, e.predicate, e.object, e.claim), [])) for e in drawn]
    cols: dict[str, Mapping[str, str]] = {k: _smallest_of(*pairs.pop(_S[k])) for k in ("title", "source", "date")}
    return _with_evidence(found, view, shown, cols, check_iri, check_plain)


def _indexed_view(found: Any, options: VizOptions, skeleton: list[str], relation_iris: dict[str, str]) -> View:
    from kg.analysis.projection import _truth
    from kg.rdf.ntscan import check_iri, check_plain

    pairs: dict[str, tuple[list[str], list[str]]] = found.pairs
    entities, assertions, documents = _entities_from(
        {k: pairs.pop(_S[k]) for k in ("type", "label", "alt", "same", "lat", "long")}
    )
    cols: dict[str, Mapping[str, str]] = {k: _smallest_of(*pairs.pop(_S[k])) for k in skeleton if _S[k] in pairs}
    subj, pred, obj = cols.pop("subject"), cols.pop("predicate"), cols.pop("object")
    asserted_iri = str(KG.asserted)
    subjects, values = pairs.pop(asserted_iri)
    asserted_col = dict(zip(subjects, map(_truth, values, found.datatypes.pop(asserted_iri)), strict=True))
    del subjects, values
    # one column per property over the assertion nodes, joined by dict lookups at C speed; in any order:
    # select() only counts them, and the lists of assertions behind the drawn edges are sorted when read
    ids = list(assertions)
    truths: list[bool | None] = list(map(asserted_col.get, ids))
    del asserted_col, assertions
    undecided = [a for a, t in zip(ids, truths, strict=True) if t is None]
    if undecided:  # kg always writes kg:asserted; without it polarity and modality decide
        mood = found.details(undecided)
        polarity_col = {a: min(v) for a, v in mood.get(_S["polarity"], {}).items()}
        modality_col = {a: min(v) for a, v in mood.get(_S["modality"], {}).items()}
        decided = {
            a: _local(polarity_col.get(a, "Positive")) == "Positive"
            and _local(modality_col.get(a, "Actual")) == "Actual"
            for a in undecided
        }
        truths = [decided[a] if t is None else t for a, t in zip(ids, truths, strict=True)]
    relation_of: dict[str | None, str] = dict(relation_iris.items())  # no rdf:predicate (None): no relation
    rels = list(map(relation_of.get, map(pred.get, ids)))
    # each assertion's (subject, relation, object, claim), None when it is no statement of a relation
    keys = [
        None if r is None or s is None or o is None else (s, r, o, not t)
        for s, r, o, t in zip(map(subj.get, ids), rels, map(obj.get, ids), truths, strict=True)
    ]
    del subj, pred, obj, truths, rels
    period = options.since is not None or options.until is not None
    # select() needs of each assertion only that it is there and (for a period) its time: edges get one
    # shared stand-in per time, real evidence is read for the drawn edges only
    stand_in: dict[str | None, Evidence] = {None: Evidence("", "", None, None, "", "", None, None)}
    when_of: dict[str, str | None] = {}
    behind: dict[tuple[str, str, str, bool], list[str]] = {}  # key -> its assertions (all of them for a period)
    support: Counter[tuple[str, str, str, bool]] = Counter()
    if period:
        time_col, doc_col, date_col = cols.get("time", {}), cols.get("doc", {}), cols["date"]
        for a, key in zip(ids, keys, strict=True):
            if key is not None:
                behind.setdefault(key, []).append(a)
                doc = doc_col.get(a)
                when = when_of[a] = time_col.get(a) or (date_col.get(doc) if doc else None)
                if when not in stand_in:
                    stand_in[when] = Evidence("", "", when, None, "", "", None, None)
    else:
        support.update(keys)  # type: ignore[arg-type]  # counted at C speed; the Nones go next
        del support[None]

    def stand_ins(key: tuple[str, str, str, bool]) -> list[Evidence]:
        if period:
            return [stand_in[when_of[a]] for a in behind.get(key, ())]
        return [stand_in[None]] * support[key]

    edges: list[Edge] = []
    for iri, name in relation_iris.items():
        for s, o in dict.fromkeys(zip(*pairs.pop(iri), strict=True)):  # a triple written twice is one
            evidence = stand_ins((s, name, o, False))
            edges.append(Edge(s, name, o, False, evidence, not evidence))
    claims = [key for key in (behind if period else support) if key[3]]
    edges += [Edge(s, r, o, True, stand_ins((s, r, o, True))) for s, r, o, _ in claims]
    del claims
    view = select(entities, edges, options, len(documents))  # the edges unsorted: see select()
    del edges
    support.clear()
    for drawn in (view.edges, view.left_out_edges):
        drawn.sort(key=lambda e: (e.subject, e.predicate, e.object, e.claim))
    if not period:  # the assertions behind the drawn edges
        wanted = {(e.subject, e.predicate, e.object, e.claim) for e in [*view.edges, *view.left_out_edges]}
        for a, key in zip(ids, keys, strict=True):
            if key in wanted and key is not None:
                behind.setdefault(key, []).append(a)
    del ids, keys
    shown: list[tuple[Edge, list[str]]] = []
    for e in [*view.edges, *view.left_out_edges]:
        group = behind.get((e.subject, e.predicate, e.object, e.claim), [])
        if period:  # the ones select() kept
            group = [a for a in group if _in_period(stand_in[when_of[a]], options.since, options.until)]
        shown.append((e, group))
    behind.clear()
    return _with_evidence(found, view, shown, cols, check_iri, check_plain)


def _with_evidence(
    found: Any,
    view: View,
    shown: list[tuple[Edge, list[str]]],
    cols: dict[str, Mapping[str, str]],
    check_iri: Any,
    check_plain: Any,
) -> View:
    """``view`` with the evidence of each drawn edge (its assertions in ``shown``) read back from the file,
    and the terms the page shows checked (they were cut from the file unchecked: a bad one raises
    ``NotSimple``, and the caller takes the slow path, which words the error)."""
    details = found.details(a for _, group in shown for a in group)
    for k in _DETAILS:
        if k not in cols:
            cols[k] = {a: min(v) for a, v in details.get(_S[k], {}).items()}
    for e, group in shown:
        e.evidence = sorted((_evidence(a, cols) for a in sorted(group)), key=Evidence.order)
        for ev in e.evidence:
            check_plain(ev.document)
    # the terms the page shows were cut from the file unchecked: check them (a bad one: the slow path's error)
    for ent in (*view.entities.values(), *view.left_out_entities.values()):
        check_iri(ent.iri)
        check_plain(ent.label)
        for alias in ent.aliases:
            check_plain(alias)
        if ent.geonames:
            check_iri(ent.geonames)
    return view


def _first_valid(lats: list[str], longs: list[str]) -> tuple[float | None, float | None]:
    for lat_text, long_text in sorted((a, b) for a in lats for b in longs):
        try:
            lat, long = float(lat_text), float(long_text)
        except ValueError:
            continue
        if -90 <= lat <= 90 and -180 <= long <= 180:
            return lat, long
    return None, None


# ---------------------------------------------------------------- the PyVis network


def _node_tooltip(ent: Entity) -> str:
    lines = [ent.label, ent.type or "untyped"]
    if ent.aliases:
        lines.append("also: " + ", ".join(ent.aliases))
    if ent.geonames:
        lines.append(f"GeoNames: {ent.geonames}")
    if ent.lat is not None and ent.long is not None:
        lines.append(f"{ent.lat:.4f}, {ent.long:.4f}")
    return "\n".join(lines)


def _evidence_line(ev: Evidence) -> str:
    how = [] if ev.polarity == "Positive" else [ev.polarity.lower()]
    if ev.modality != "Actual":
        how.append(ev.modality.lower())
    when = ev.time_text or ev.time
    meta = " · ".join(x for x in (ev.document, when, ", ".join(how)) if x)
    return f"“{ev.text}”\n  — {meta}"


def _edge_tooltip(e: Edge, ents: Mapping[str, Entity]) -> str:
    kind = " (claim: negated or not factual)" if e.claim else ""
    n = e.support
    head = f"{ents[e.subject].label} {e.predicate} {ents[e.object].label}{kind}\n{n} source{'s' if n != 1 else ''}"
    lines = [head, *(_evidence_line(ev) for ev in e.evidence[:TOOLTIP_EVIDENCE])]
    if len(e.evidence) > TOOLTIP_EVIDENCE:
        lines.append(f"… {len(e.evidence) - TOOLTIP_EVIDENCE} more: click the edge")
    return "\n".join(lines)


#: The map behind ``--geo``: its size in network units, centred on the origin as vis-network draws.
GEO_WIDTH, GEO_HEIGHT = 1000, 700


def _geo_frame(ents: Mapping[str, Entity]) -> Frame | None:
    """The part of the world the places with coordinates span (see :func:`kg.geo.frame_for`)."""
    return frame_for(
        ((e.lat, e.long) for e in ents.values() if e.lat is not None and e.long is not None), GEO_WIDTH, GEO_HEIGHT
    )


def _geo_positions(ents: Mapping[str, Entity], frame: Frame | None = None) -> dict[str, tuple[float, float]]:
    """Network positions for places with coordinates: the frame's projection, centred on the origin (the
    frame around ``ents`` unless given: the page frames what it draws, and pins what it left out the same way)."""
    frame = frame or _geo_frame(ents)
    if frame is None:
        return {}
    out: dict[str, tuple[float, float]] = {}
    for iri, e in ents.items():
        if e.lat is not None and e.long is not None:
            x, y = frame.project(e.lat, e.long)
            out[iri] = (round(x - GEO_WIDTH / 2, 1), round(y - GEO_HEIGHT / 2, 1))
    return out


def _basemap_data(frame: Frame) -> dict[str, Any]:
    """Country outlines for the page's canvas, in network units (the same shift as the pinned places)."""
    shift_x, shift_y = GEO_WIDTH / 2, GEO_HEIGHT / 2
    return {
        "bounds": [-shift_x, -shift_y, GEO_WIDTH, GEO_HEIGHT],
        "sea": SEA,
        "land": LAND,
        "border": BORDER,
        "countries": [
            {
                "name": c.name,
                "rings": [[[round(x - shift_x, 1), round(y - shift_y, 1)] for x, y in ring] for ring in c.rings],
            }
            for c in basemap(frame)
        ],
    }


def vis_options(geo: bool) -> dict[str, Any]:
    """vis-network options: physics that stabilises (then the page switches it off), fixed seed."""
    return {
        "layout": {"randomSeed": 7, "improvedLayout": not geo},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 140, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 600, "updateInterval": 50, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "keyboard": {"enabled": True, "bindToWindow": False}},
        "nodes": {"font": {"size": 15, "strokeWidth": 3, "strokeColor": "#ffffff"}, "borderWidth": 1},
        "edges": {
            "font": {"size": 11, "align": "middle", "strokeWidth": 3, "strokeColor": "#ffffff"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.7}},
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.2},
        },
    }


def _all_entities(view: View) -> dict[str, Entity]:
    """What the page can draw: the view's entities, then the first LEFT_OUT_DRAWN left out."""
    extra = {iri: view.left_out_entities[iri] for iri in list(view.left_out)[:LEFT_OUT_DRAWN]}
    return {**view.entities, **extra}


def build_network(view: View, options: VizOptions) -> Any:
    """The PyVis ``Network`` for ``view``, left-out entities and cut relations included (the page draws
    them on request); typed ``Any``: pyvis has no type hints."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    everyone = _all_entities(view)
    pins = _geo_positions(everyone, _geo_frame(view.entities)) if options.geo else {}
    for iri, ent in everyone.items():
        color, shape = TYPE_STYLE.get(ent.type, TYPE_STYLE[""])
        extra: dict[str, Any] = {}
        if iri in pins:
            x, y = pins[iri]
            extra = {"x": x, "y": y, "fixed": {"x": True, "y": True}}
        net.add_node(
            iri,
            label=ent.label,
            shape=shape,
            color=color,
            size=round(12 + 26 * math.sqrt(view.centrality.get(iri, 0.0)), 1),
            title=_node_tooltip(ent),
            **extra,
        )
    pairs: dict[frozenset[str], int] = defaultdict(int)
    for e in [*view.edges, *view.left_out_edges]:
        pair = frozenset((e.subject, e.object))
        k = pairs[pair]
        pairs[pair] += 1
        net.add_edge(
            e.subject,
            e.object,
            id=e.id,
            label=e.predicate,
            title=_edge_tooltip(e, everyone),
            color=dict.fromkeys(("color", "highlight", "hover"), RELATION_COLOR[e.predicate]),
            width=round(1.5 + 1.5 * math.log2(max(1, e.support)), 2),
            dashes=e.claim,
            smooth={"enabled": True, "type": "curvedCW", "roundness": round(0.1 + 0.15 * k, 2)},
        )
    net.options = vis_options(options.geo)
    return net


# ---------------------------------------------------------------- the page


def _details(view: View) -> dict[str, Any]:
    """What the side panel shows on click: everything a tooltip shortens (left-out entities included)."""
    everyone = _all_entities(view)
    nodes = {
        iri: {
            "label": e.label,
            "type": e.type or "untyped",
            "iri": iri,
            "aliases": list(e.aliases),
            "geonames": e.geonames if e.geonames and _GEONAMES_URL.match(e.geonames) else None,
            "coordinates": None if e.lat is None or e.long is None else [e.lat, e.long],
            "centrality": round(view.centrality.get(iri, 0.0), 3),
            "left_out": view.left_out.get(iri),
        }
        for iri, e in everyone.items()
    }
    edges = {
        e.id: {
            "subject": everyone[e.subject].label,
            "predicate": e.predicate,
            "object": everyone[e.object].label,
            "claim": e.claim,
            "support": e.support,
            "evidence": [
                {
                    "text": ev.text,
                    "document": ev.document,
                    "time": ev.time_text or ev.time,
                    "polarity": ev.polarity,
                    "modality": ev.modality,
                    "confidence": ev.confidence,
                    "trigger": ev.trigger,
                }
                for ev in e.evidence
            ],
        }
        for e in [*view.edges, *view.left_out_edges]
    }
    return {"nodes": nodes, "edges": edges}


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or JS line separators.

    >>> script_json({"x": "</script><b>&"})
    '{"x": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


@functools.lru_cache(maxsize=4)
def _vis_asset(name: str) -> str:
    """A vis-network file as PyVis ships it (so the page needs no CDN)."""
    return resources.files("pyvis").joinpath("lib", "vis-9.1.2", name).read_text(encoding="utf-8")


def _legend(view: View) -> dict[str, Any]:
    """What the legend lists: the entity types and relations drawn, and whether claims are."""
    types = sorted({e.type for e in _all_entities(view).values()}, key=lambda t: (t == "", t))
    return {
        "types": [{"name": t or "untyped", "colour": TYPE_STYLE[t][0], "shape": TYPE_STYLE[t][1]} for t in types],
        "relations": [
            {"name": r, "colour": RELATION_COLOR[r]}
            for r in RELATIONS
            if any(e.predicate == r for e in [*view.edges, *view.left_out_edges])
        ],
        "claims": any(e.claim for e in view.edges),
    }


def view_counts(view: View) -> dict[str, int]:
    """What is drawn, counted (``kg viz --summary json``)."""
    facts = sum(1 for e in view.edges if not e.claim)
    return {
        "entities": len(view.entities),
        "relations": facts,
        "claims": len(view.edges) - facts,
        "documents": view.documents,
        "left_out": len(view.left_out),
    }


def view_data(view: View) -> dict[str, Any]:
    """What the page draws, as JSON-ready data (``kg viz --format json``): entities, relations, evidence."""
    details = _details(view)
    return {
        **view_counts(view),
        "notes": list(view.notes),
        "entities": [details["nodes"][iri] for iri in view.entities],
        "relations": [{**details["edges"][e.id], "subject_iri": e.subject, "object_iri": e.object} for e in view.edges],
        "left_out": [{"iri": iri, "label": _all_label(view, iri), "reason": why} for iri, why in view.left_out.items()],
    }


def summary_line(view: View) -> str:
    """One line for the top of the page (and the CLI): what is drawn."""
    facts = sum(1 for e in view.edges if not e.claim)
    claims = len(view.edges) - facts
    n = len(view.entities)
    text = f"{n} entit{'y' if n == 1 else 'ies'}, {facts} relation{'' if facts == 1 else 's'}"
    if claims:
        text += f" and {claims} claim{'' if claims == 1 else 's'}"
    d = view.documents
    return text + f" from {d} document{'' if d == 1 else 's'}"


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(view: View, options: VizOptions, title: str = "kg graph") -> str:
    """The complete page, through the ``viz.html.j2`` template (autoescaped): strings from the graph are
    escaped there or travel as JSON in a data block; the two scripts (vis-network, ``viz.js``) are allowed
    by hash, nothing else runs or loads."""
    net = build_network(view, options)
    nodes, edges, _, _, _, vis_json = net.get_network_data()
    shown_edges = {e.id for e in view.edges}
    frame = _geo_frame(view.entities) if options.geo else None
    payload = {
        "nodes": [n for n in nodes if n["id"] in view.entities],
        "edges": [e for e in edges if e["id"] in shown_edges],
        "hidden": {
            "nodes": [n for n in nodes if n["id"] not in view.entities],
            "edges": [e for e in edges if e["id"] not in shown_edges],
        },
        "options": json.loads(vis_json),
        "details": _details(view),
        "basemap": _basemap_data(frame) if frame is not None else None,
    }
    env = _environment()
    app_js = env.get_template("viz.js").render()
    vis_js, vis_css = _vis_asset("vis-network.min.js"), _vis_asset("vis-network.css")
    css = env.get_template("viz.css").render()
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}; "
        # vis-network styles its own elements inline, so styles cannot be limited to hashes
        "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    notes = list(view.notes)
    if not view.edges:
        notes.insert(0, "no relations match; loosen the filters")
    if options.geo:
        pinned = len(_geo_positions(view.entities, frame))
        notes.append(f"{pinned} place{'s' if pinned != 1 else ''} pinned at coordinates")
        if frame is not None:
            notes.append("borders and coastlines: Natural Earth")
    left_out = [
        {"iri": iri, "label": _all_label(view, iri), "reason": why}
        for iri, why in list(view.left_out.items())[:LEFT_OUT_LISTED]
    ]
    page: str = env.get_template("viz.html.j2").render(
        title=title,
        csp=csp,
        summary=summary_line(view),
        notes=" · ".join(notes),
        legend=_legend(view),
        left_out=left_out,
        left_out_total=len(view.left_out),
        left_out_drawn=min(len(view.left_out), LEFT_OUT_DRAWN),
        data=script_json(payload),
        vis_js=vis_js,
        vis_css=vis_css,
        css=css,
        app_js=app_js,
    )
    return page


def _all_label(view: View, iri: str) -> str:
    ent = view.left_out_entities.get(iri)
    return ent.label if ent is not None else _local(iri).replace("_", " ")


def write_html(graph: Graph, out: Path, options: VizOptions | None = None) -> View:
    """Select, draw and write the page for ``graph`` to ``out`` (UTF-8, atomically); returns what was drawn."""
    options = options or VizOptions()
    view = load_view(graph, options)
    title = options.title or "kg knowledge graph"
    atomic_write(Path(out), render_html(view, options, title).encode("utf-8"))
    return view

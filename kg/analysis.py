"""Structural analysis of a kg graph with NetworkX: who holds what, who is gaining, who is central.

Everything here reads one projection of the RDF graph, made by :func:`project` (from a graph) or
:func:`project_file` (streamed from a file, as ``kg analyze`` does) and documented there, so every
measure agrees on what a node and an edge are. The sections of ``kg analyze`` are free
functions over that projection (:func:`control_map`, :func:`fronts`, :func:`defection_flows`,
:func:`advisory_network`, :func:`centrality`, :func:`blocs`, :func:`summary`), each returning plain,
JSON-ready data; :func:`report` runs them all and :func:`render` prints the result as a text table,
Markdown or JSON. :func:`find_entity` and :func:`shortest_connection` answer ``kg analyze path A B``.

Output is deterministic: rows are sorted on (score, label, IRI), floats are rounded, and the
algorithms that sample or shuffle (betweenness, Louvain) run with a fixed seed on integer node ids,
so neither dict order nor Python's string hashing can change a result.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import gc
import itertools
import json
import logging
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from kg.errors import KGError
from kg.rdf.namespace import ENTITY, ENTITY_TYPES, GEO, KG, RELATIONS
from kg.rdf.store import INPUT_FORMATS, format_for, load_graph, ox_store

log = logging.getLogger(__name__)

__all__ = [
    "FORMATS",
    "advisory_network",
    "betweenness",
    "blocs",
    "centrality",
    "control_map",
    "defection_flows",
    "find_entity",
    "fronts",
    "pagerank",
    "project",
    "project_file",
    "render",
    "render_path",
    "report",
    "shortest_connection",
    "summary",
]

#: Output formats of :func:`render`.
FORMATS: tuple[str, ...] = ("table", "json", "markdown")
#: Graphs with at most this many nodes get exact betweenness; larger ones a fixed-seed sample of sources.
BETWEENNESS_EXACT_MAX = 2000
#: Sampled betweenness visits about this many node+edge slots in total (k = budget / (n + m), at least 32).
BETWEENNESS_BUDGET = 20_000_000
#: Louvain stops when a level gains less modularity than this: on a 40,000-agent tie graph the last level
#: networkx's default (1e-7) adds gains 0.0006 and costs a quarter of the time.
LOUVAIN_THRESHOLD = 1e-3
#: Decimals kept for scores in reports, so the same graph always prints the same digits.
DIGITS = 6

_TIME = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
#: When an entity has several kg types, the one a report shows (GPE is both agent and place).
_TYPE_PREFERENCE = ("GPE", "Person", "Group", "Place")

_XSD_BOOLEAN = str(XSD.boolean)
_TYPE, _SUBJECT, _PREDICATE, _OBJECT = str(RDF.type), str(RDF.subject), str(RDF.predicate), str(RDF.object)
_LABEL, _LAT, _LONG = str(RDFS.label), str(GEO.lat), str(GEO.long)
_ALIAS_PREDICATES = (str(SKOS.altLabel), str(SKOS.prefLabel))
_FROM = str(PROV.wasDerivedFrom)
_ASSERTED, _CONFIDENCE, _WHEN, _EVIDENCE = str(KG.asserted), str(KG.confidence), str(KG.time), str(KG.evidence)
_DOCUMENT, _ASSERTION = str(KG.Document), str(KG.Assertion)
_RELATION_IRIS = {str(KG[r]): r for r in RELATIONS}
_TYPE_IRIS = {str(KG[t]): t for t in ENTITY_TYPES}
#: The predicates the projection reads (objects as lexical values); ``kg:asserted`` is read apart, as a truth
#: value, because its datatype decides it. Everything else in the graph (most of its triples) is skipped.
_READ = (_TYPE, _LABEL, _LAT, _LONG, *_RELATION_IRIS, _SUBJECT, _PREDICATE, _OBJECT, _FROM, _CONFIDENCE, _WHEN)
_READ_PATHS = (*_READ, *_ALIAS_PREDICATES, _EVIDENCE)

Row = dict[str, Any]
T = TypeVar("T")
#: predicate IRI -> [(subject, object)] as lexical values: what a reader hands the projection.
Pairs = dict[str, list[tuple[str, str]]]
#: [(assertion node, True/False for an xsd:boolean kg:asserted, None for any other value)]
Truths = list[tuple[str, bool | None]]


# --------------------------------------------------------------------------------------------- projection


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small containers are made.

    The projection and the report allocate tuples, lists, sets and dicts by the million and free them
    only at the end; every such allocation burst makes CPython re-scan all live objects again and
    again (5 of the 11 CPU seconds of projecting 300,000 relations). None of them forms a cycle, so
    nothing is lost by collecting once, afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _truth(value: str, datatype: str | None) -> bool | None:
    """``kg:asserted``'s value as SPARQL sees it: only an ``xsd:boolean`` is true or false."""
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
    truths = [(row[0].value, _ox_truth(row[1])) for row in scan(_ASSERTED)]
    return pairs, truths


def _read_rdflib(graph: Graph, predicates: Iterable[str]) -> tuple[Pairs, Truths]:
    """The same from any rdflib graph (one not backed by Oxigraph)."""
    pairs: Pairs = {p: [(str(s), str(o)) for s, _, o in graph.triples((None, URIRef(p), None))] for p in predicates}
    truths = [
        (str(s), _truth(str(o), str(o.datatype)) if isinstance(o, Literal) else None)
        for s, _, o in graph.triples((None, URIRef(_ASSERTED), None))
    ]
    return pairs, truths


def _read_file(path: Path, fmt: ox.RdfFormat, predicates: Iterable[str]) -> tuple[Pairs, Truths]:
    """The same, streamed from an RDF file: one pass, nothing indexed, only the wanted triples kept.

    Loading 6.3 million triples into a store costs twice the parse (it builds six indexes); the projection
    reads about a third of them once, so it keeps those and lets the rest go by. Named graphs (TriG,
    N-Quads) are read as their union, as :func:`kg.rdf.store.load_graph` does; a triple repeated in
    several graphs counts once, because the projection only ever counts distinct things.
    """
    pairs: Pairs = {p: [] for p in predicates}
    truths: Truths = []
    bucket_of = pairs.get
    names: set[str] = set()
    default = False
    dataset = fmt.supports_datasets
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
            elif p == _ASSERTED:
                truths.append((q.subject.value, _ox_truth(q.object)))
    except SyntaxError as exc:
        raise KGError(f"{path} is not valid {fmt.name}: {exc}") from None
    if names and not default:
        log.warning(
            "%s keeps its data in %d named graph(s), none in the default graph: reading their union", path, len(names)
        )
    return pairs, truths


def _least(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """key -> its smallest value (sorting descending lets ``dict`` keep the smallest: C speed, deterministic)."""
    return dict(sorted(pairs, reverse=True))


def _values(pairs: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """key -> its distinct values, sorted (one value per key is the usual case, and the fast one)."""
    single: dict[str, tuple[str, ...]] = {key: (value,) for key, value in pairs}
    if len(single) == len(pairs):
        return single
    many: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        many[key].add(value)
    return {key: tuple(sorted(values)) for key, values in many.items()}


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


def _float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def project(graph: Graph, paths: bool = False) -> nx.MultiDiGraph:
    """The NetworkX view of a kg RDF graph: the one projection every analysis uses.

    Nodes are entities keyed by IRI string: everything typed ``kg:Person``, ``kg:Group``, ``kg:GPE`` or
    ``kg:Place``, plus any other end of a relation. Node attributes:

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
    - ``evidence`` (only with ``paths=True``): the evidence sentence of the most confident assertion
      (``""`` without one).

    ``paths=True`` adds what :func:`find_entity` and :func:`shortest_connection` use (aliases and
    evidence); the report needs neither, and on 300,000 relations they cost seconds.

    Graph attributes: ``documents`` and ``assertions`` (counts in the RDF graph) and ``unasserted``
    (assertion nodes left out because they are not asserted).

    The graph's default graph is read (a kg store keeps the union of its documents' graphs there), and only
    the predicates named above, each with one index scan of
    the Oxigraph store (or ``Graph.triples`` for other rdflib graphs); the joins run in Python.
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
    with _gc_paused():
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
    with _gc_paused():
        return _project(*_read_file(path, format_for(path, INPUT_FORMATS), _READ_PATHS if paths else _READ), paths)


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

    # (s, relation, o) -> [assertions, documents, times, confidence, (-confidence, evidence)]
    edges: dict[tuple[str, str, str], list[Any]] = {}
    for p, rel in _RELATION_IRIS.items():
        for s, o in pairs[p]:
            edges[s, rel, o] = [0, set(), set(), None, None]
    subjects, predicates, objects = _values(pairs[_SUBJECT]), _values(pairs[_PREDICATE]), _values(pairs[_OBJECT])
    sources, confidences, whens = _values(pairs[_FROM]), _values(pairs[_CONFIDENCE]), _values(pairs[_WHEN])
    sentences = _values(pairs[_EVIDENCE]) if paths else {}
    relation_of, nothing = _RELATION_IRIS.get, ()
    for a in {a for a, t in truths if t}:
        rels = [r for r in map(relation_of, predicates.get(a, nothing)) if r is not None]
        if not rels:
            continue
        c: float | None = None
        for value in confidences.get(a, nothing):
            x = _float(value)
            if x is not None and (c is None or x > c):
                c = x
        docs = sources.get(a, nothing)
        times = [w for w in whens.get(a, nothing) if _TIME.match(w)]
        # The most confident sentence wins; ties go to the alphabetically first, for determinism.
        best = min(((-(c or 0.0), ev) for ev in sentences.get(a, nothing)), default=None)
        for rel in rels:
            for s in subjects.get(a, nothing):
                for o in objects.get(a, nothing):
                    data = edges.get((s, rel, o))
                    if data is None:
                        data = edges[s, rel, o] = [0, set(), set(), None, None]
                    data[0] += 1
                    data[1].update(docs)
                    data[2].update(times)
                    if c is not None and (data[3] is None or c > data[3]):
                        data[3] = c
                    if best is not None and (data[4] is None or best < data[4]):
                        data[4] = best

    G = nx.MultiDiGraph()
    ends = {k[0] for k in edges} | {k[2] for k in edges}
    no_types: set[str] = set()
    G.add_nodes_from(
        (
            iri,
            {
                "label": labels.get(iri) or _local(iri),
                "type": next((t for t in _TYPE_PREFERENCE if t in types.get(iri, no_types)), ""),
                "lat": _float(lats.get(iri)),
                "long": _float(longs.get(iri)),
                "aliases": tuple(sorted(aliases.get(iri, ()))),
            },
        )
        for iri in sorted(types.keys() | ends)
    )
    add_edge = G.add_edge  # one call per edge: add_edges_from looks up every pair's key dict through views
    for (s, rel, o), data in sorted(edges.items()):
        edge_attrs: dict[str, Any] = {
            "relation": rel,
            "assertions": data[0],
            "documents": len(data[1]),
            "times": tuple(sorted(data[2])),
            "confidence": data[3],
        }
        if paths:
            edge_attrs["evidence"] = data[4][1] if data[4] else ""
        add_edge(s, o, rel, **edge_attrs)
    G.graph["documents"], G.graph["assertions"] = len(documents), len(assertion_nodes)
    G.graph["unasserted"] = len({a for a, t in truths if t is False})
    return G


# --------------------------------------------------------------------------------------------- helpers


def _support(data: Mapping[str, Any]) -> int:
    """Weight of an edge: its assertions, and at least 1 (a bare triple is still one statement)."""
    return max(int(data.get("assertions", 0)), 1)


def _label(G: nx.MultiDiGraph, n: str) -> str:
    return str(G.nodes[n].get("label", n))


def _keys(G: nx.MultiDiGraph) -> dict[str, tuple[str, str]]:
    """Every node's sort key: (label folded to lower case, IRI), so ties between labels still sort one way."""
    return {n: (str(d.get("label", n)).casefold(), n) for n, d in G.nodes(data=True)}


def _by_relation(G: nx.MultiDiGraph) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """relation -> its edges as (subject, object, data), in one pass (edge views iterate plain dicts: fast)."""
    out: dict[str, list[tuple[str, str, dict[str, Any]]]] = {r: [] for r in RELATIONS}
    for u, v, k, d in G.edges(keys=True, data=True):
        out.setdefault(str(k), []).append((u, v, d))
    return out


#: Set by :func:`report` while it runs, so its sections share one pass of :func:`_keys` and :func:`_by_relation`.
_SHARED: contextvars.ContextVar[tuple[nx.MultiDiGraph, dict[str, tuple[str, str]], dict[str, list[Any]]] | None] = (
    contextvars.ContextVar("kg_analysis_shared", default=None)
)


def _prepared(
    G: nx.MultiDiGraph,
) -> tuple[dict[str, tuple[str, str]], dict[str, list[tuple[str, str, dict[str, Any]]]]]:
    """Sort keys and edges by relation of ``G``: computed here, or shared from the running :func:`report`."""
    shared = _SHARED.get()
    if shared is not None and shared[0] is G:
        return shared[1], shared[2]
    return _keys(G), _by_relation(G)


def _ref(G: nx.MultiDiGraph, n: str) -> Row:
    return {"iri": n, "label": _label(G, n), "type": G.nodes[n].get("type", "")}


def _link(G: nx.MultiDiGraph, n: str, d: Mapping[str, Any]) -> Row:
    return {
        **_ref(G, n),
        "assertions": int(d.get("assertions", 0)),
        "documents": int(d.get("documents", 0)),
        "times": list(d.get("times", ())),
    }


def _cut(items: list[T], limit: int | None) -> tuple[list[T], int]:
    """The first ``limit`` items (all if ``limit`` is None or 0) and how many were left out."""
    if not limit or len(items) <= limit:
        return items, 0
    return items[:limit], len(items) - limit


def _simple(G: nx.MultiDiGraph) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Nodes in IRI order and the directed edges, parallel ones merged, as index arrays with summed support."""
    nodes = sorted(G)
    index = {n: i for i, n in enumerate(nodes)}
    src: list[int] = []
    dst: list[int] = []
    weight: list[int] = []
    merged: dict[tuple[int, int], int] = defaultdict(int)
    for edges in _prepared(G)[1].values():
        for u, v, d in edges:
            merged[index[u], index[v]] += _support(d)
    for (a, b), w in sorted(merged.items()):
        src.append(a)
        dst.append(b)
        weight.append(w)
    return nodes, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), np.array(weight, dtype=np.float64)


# --------------------------------------------------------------------------------------------- measures


def pagerank(
    n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, alpha: float = 0.85, tol: float = 1e-10
) -> np.ndarray:
    """PageRank of a weighted digraph given as edge arrays over nodes ``0..n-1`` (power iteration, numpy).

    The same definition as ``networkx.pagerank``: a walker follows out-edges in proportion to their
    weight with probability ``alpha`` and jumps to a uniform random node otherwise; a node without
    out-edges sends its whole rank to the uniform jump. Written with numpy so it needs no SciPy and runs
    a 300,000-edge graph in well under a second.

    Examples
    --------
    >>> import numpy as np
    >>> pr = pagerank(3, np.array([0, 1]), np.array([2, 2]), np.array([1.0, 1.0]))
    >>> [round(float(x), 4) for x in pr]
    [0.2128, 0.2128, 0.5745]
    >>> round(float(pr.sum()), 6)
    1.0
    """
    if n == 0:
        return np.zeros(0)
    out = np.bincount(src, weights=weight, minlength=n)
    dangling = out == 0
    share = np.divide(weight, out[src], out=np.zeros_like(weight), where=out[src] > 0)
    x = np.full(n, 1.0 / n)
    for _ in range(1000):
        nxt = alpha * np.bincount(dst, weights=x[src] * share, minlength=n)
        nxt += (alpha * x[dangling].sum() + 1.0 - alpha) / n
        if np.abs(nxt - x).sum() < n * tol:
            return nxt
        x = nxt
    return x


def betweenness(n: int, src: np.ndarray, dst: np.ndarray, sources: Iterable[int] | None = None) -> np.ndarray:
    """Normalised betweenness of an undirected, unweighted graph (Brandes' algorithm, vectorised per BFS level).

    ``src``/``dst`` list each edge once (direction is ignored, duplicates are merged). With ``sources``
    the sum runs over those BFS roots only and is scaled by ``n / len(sources)``: the sampling estimate
    ``networkx.betweenness_centrality(G, k=...)`` uses. Without it the result equals
    ``networkx.betweenness_centrality(G)``.

    Examples
    --------
    >>> import numpy as np
    >>> [round(float(b), 3) for b in betweenness(4, np.array([0, 1, 2]), np.array([1, 2, 3]))]
    [0.0, 0.667, 0.667, 0.0]
    """
    bc = np.zeros(n)
    if n < 3 or len(src) == 0:
        return bc
    a = np.concatenate([src, dst]).astype(np.int64)
    b = np.concatenate([dst, src]).astype(np.int64)
    keep = a != b
    pairs = np.unique(a[keep] * n + b[keep])  # both directions, loops and duplicates dropped, sorted by head
    heads, tails = pairs // n, pairs % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(heads, minlength=n), out=indptr[1:])
    roots = list(range(n)) if sources is None else list(sources)
    for s in roots:
        dist = np.full(n, -1, dtype=np.int64)
        sigma = np.zeros(n)
        dist[s], sigma[s] = 0, 1.0
        frontier = np.array([s], dtype=np.int64)
        levels: list[tuple[np.ndarray, np.ndarray]] = []
        depth = 0
        while frontier.size:
            starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
            total = int(counts.sum())
            if total == 0:
                break
            offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
            u, v = np.repeat(frontier, counts), tails[offsets]
            dist[v[dist[v] == -1]] = depth + 1
            new = np.flatnonzero(dist == depth + 1)
            down = dist[v] == depth + 1
            u, v = u[down], v[down]
            np.add.at(sigma, v, sigma[u])
            levels.append((u, v))
            frontier = new
            depth += 1
        delta = np.zeros(n)
        for u, v in reversed(levels):
            np.add.at(delta, u, sigma[u] / sigma[v] * (1.0 + delta[v]))
        delta[s] = 0.0
        bc += delta
    scale = 1.0 / ((n - 1) * (n - 2))
    if sources is not None and roots:
        scale *= n / len(roots)
    return bc * scale


# --------------------------------------------------------------------------------------------- sections


def summary(G: nx.MultiDiGraph) -> Row:
    """Counts by entity type and relation, connected components and density.

    Components are weak (direction ignored). Density is that of the simple directed graph
    (``None`` when there are fewer than two entities).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", label="A", type="Group"); G.add_node("x", label="X", type="Place")
    >>> G.add_edge("a", "x", key="controls", relation="controls", assertions=2, documents=1, times=())
    'controls'
    >>> s = summary(G)
    >>> s["entities"], s["relations"]["controls"], s["components"], s["density"]
    (2, {'edges': 1, 'assertions': 2}, 1, 0.5)
    """
    n = G.number_of_nodes()
    by_type = Counter(str(d.get("type") or "untyped") for _, d in G.nodes(data=True))
    rels: dict[str, Row] = {r: {"edges": 0, "assertions": 0} for r in RELATIONS}
    pairs: set[tuple[str, str]] = set()
    for k, edges in _prepared(G)[1].items():
        row = rels.setdefault(k, {"edges": 0, "assertions": 0})
        row["edges"] += len(edges)
        row["assertions"] += sum(int(d.get("assertions", 0)) for _, _, d in edges)
        pairs.update((u, v) for u, v, _ in edges)
    ends = {x for pair in pairs for x in pair}
    comps = [len(c) for c in nx.weakly_connected_components(G)] if n else []
    return {
        "entities": n,
        "by_type": {t: by_type[t] for t in sorted(by_type)},
        "relations": rels,
        "edges": G.number_of_edges(),
        "documents": int(G.graph.get("documents", 0)),
        "assertions": int(G.graph.get("assertions", 0)),
        "unasserted": int(G.graph.get("unasserted", 0)),
        "components": len(comps),
        "largest_component": max(comps) if comps else None,
        "isolated": n - len(ends),
        "density": round(len(pairs) / (n * (n - 1)), DIGITS) if n >= 2 else None,
    }


def _by_object(
    edges: Iterable[tuple[str, str, dict[str, Any]]], keys: Mapping[str, tuple[str, str]]
) -> dict[str, list[Any]]:
    """object -> [(subject, data)], subjects best supported first."""
    out: dict[str, list[Any]] = defaultdict(list)
    for u, v, d in edges:
        out[v].append((u, d))
    for links in out.values():
        links.sort(key=lambda x: (-_support(x[1]), keys[x[0]]))
    return out


def control_map(G: nx.MultiDiGraph, limit: int | None = None) -> Row:
    """Each place with its controllers, the latest controller by time, contested places and changes of hands.

    A place is *contested* when more than one agent is said to control it. The *latest* controller is the
    one whose latest ``kg:time`` is greatest; places without times have none. *Changes of hands* list, for
    places with dated control by two or more agents, the dated controllers in time order, merged where the
    same agent follows itself. Places are listed contested first, then by support.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("a", "Group"), ("b", "Group"), ("x", "Place")): G.add_node(n, label=n.upper(), type=t)
    >>> _ = G.add_edge("a", "x", key="controls", assertions=1, documents=1, times=("1992",))
    >>> _ = G.add_edge("b", "x", key="controls", assertions=1, documents=1, times=("1996",))
    >>> c = control_map(G)
    >>> c["contested"], c["places"][0]["latest"]["label"], [s["label"] for s in c["changes"][0]["sequence"]]
    (['X'], 'B', ['A', 'B'])
    """
    keys, edges = _prepared(G)
    held = _by_object(edges["controls"], keys)
    order = sorted(held, key=lambda p: (-len(held[p]), -sum(_support(d) for _, d in held[p]), keys[p]))
    places: list[Row] = []
    for place in _cut(order, limit)[0]:
        ctrl = held[place]
        dated = [(max(d["times"]), keys[u], u) for u, d in ctrl if d.get("times")]
        latest = max(dated, default=None)
        places.append(
            {
                "place": _ref(G, place),
                "controllers": [_link(G, u, d) for u, d in _cut(ctrl, limit)[0]],
                "controllers_more": _cut(ctrl, limit)[1],
                "latest": {**_ref(G, latest[2]), "time": latest[0]} if latest else None,
                "contested": len(ctrl) > 1,
            }
        )
    changes: list[tuple[tuple[Any, ...], str, list[tuple[str, str]]]] = []
    for place in order:
        ctrl = held[place]
        if sum(1 for _, d in ctrl if d.get("times")) < 2:
            continue
        seq: list[tuple[str, str]] = []
        for t, _, u in sorted((t, keys[u], u) for u, d in ctrl for t in d.get("times", ())):
            if not seq or seq[-1][1] != u:
                seq.append((t, u))
        if len({u for _, u in seq}) > 1:
            changes.append(((-len(seq), keys[place]), place, seq))
    changes.sort(key=lambda c: c[0])
    contested = [_label(G, p) for p in order if len(held[p]) > 1]
    return {
        "places": places,
        "places_more": max(0, len(order) - len(places)),
        "contested": _cut(contested, limit)[0],
        "contested_count": len(contested),
        "changes": [
            {"place": _ref(G, p), "sequence": [{**_ref(G, u), "time": t} for t, u in seq]}
            for _, p, seq in _cut(changes, limit)[0]
        ],
        "changes_more": _cut(changes, limit)[1],
    }


def fronts(G: nx.MultiDiGraph, limit: int | None = None) -> Row:
    """Places under advance, by whom, and who holds them: a front is an advance on a place others hold.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n in "abx": G.add_node(n, label=n.upper(), type="Place" if n == "x" else "Group")
    >>> _ = G.add_edge("a", "x", key="advancesOn", assertions=2, documents=1, times=())
    >>> _ = G.add_edge("b", "x", key="controls", assertions=1, documents=1, times=())
    >>> f = fronts(G)["places"][0]
    >>> f["place"]["label"], [a["label"] for a in f["advancing"]], [h["label"] for h in f["held_by"]], f["front"]
    ('X', ['A'], ['B'], True)
    """
    keys, edges = _prepared(G)
    attacked = _by_object(edges["advancesOn"], keys)
    held = _by_object(edges["controls"], keys)

    def holders(place: str) -> list[str]:
        return sorted((h for h, _ in held.get(place, ())), key=keys.__getitem__)

    def is_front(place: str) -> bool:
        attackers = {u for u, _ in attacked[place]}
        return any(h not in attackers for h, _ in held.get(place, ()))

    order = sorted(attacked, key=lambda p: (-len(attacked[p]), -sum(_support(d) for _, d in attacked[p]), keys[p]))
    shown, more = _cut(order, limit)
    rows = [
        {
            "place": _ref(G, p),
            "advancing": [_link(G, u, d) for u, d in _cut(attacked[p], limit)[0]],
            "advancing_more": _cut(attacked[p], limit)[1],
            "held_by": [_ref(G, u) for u in _cut(holders(p), limit)[0]],
            "held_by_more": _cut(holders(p), limit)[1],
            "front": is_front(p),
        }
        for p in shown
    ]
    return {"places": rows, "places_more": more, "fronts": sum(1 for p in order if is_front(p))}


def defection_flows(G: nx.MultiDiGraph, limit: int | None = None) -> Row:
    """Defections from one agent to another with their support, and each agent's net gain or loss.

    Net = support of defections to the agent minus support of defections from it.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n in "ab": G.add_node(n, label=n.upper(), type="Group")
    >>> _ = G.add_edge("a", "b", key="defectsTo", assertions=3, documents=2, times=())
    >>> d = defection_flows(G)
    >>> [(f["from"]["label"], f["to"]["label"], f["assertions"]) for f in d["flows"]]
    [('A', 'B', 3)]
    >>> [(r["label"], r["net"]) for r in d["net"]]
    [('B', 3), ('A', -3)]
    """
    keys, edges = _prepared(G)
    flows = sorted(edges["defectsTo"], key=lambda e: (-_support(e[2]), keys[e[0]], keys[e[1]]))
    gained: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for u, v, d in flows:
        gained[v] += _support(d)
        lost[u] += _support(d)
    agents = sorted(gained.keys() | lost.keys(), key=lambda a: (-(gained[a] - lost[a]), keys[a]))
    shown, more = _cut(flows, limit)
    net_shown, net_more = _cut(agents, limit)
    return {
        "flows": [
            {
                "from": _ref(G, u),
                "to": _ref(G, v),
                "assertions": int(d.get("assertions", 0)),
                "documents": int(d.get("documents", 0)),
                "times": list(d.get("times", ())),
            }
            for u, v, d in shown
        ],
        "flows_more": more,
        "net": [{**_ref(G, a), "gained": gained[a], "lost": lost[a], "net": gained[a] - lost[a]} for a in net_shown],
        "net_more": net_more,
    }


def advisory_network(G: nx.MultiDiGraph, limit: int | None = None) -> Row:
    """Who advises whom, and the outside patrons: advisers that neither control nor advance on any place.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n in "abx": G.add_node(n, label=n.upper(), type="Place" if n == "x" else "Group")
    >>> _ = G.add_edge("a", "b", key="advises", assertions=1, documents=1, times=())
    >>> _ = G.add_edge("b", "x", key="controls", assertions=1, documents=1, times=())
    >>> a = advisory_network(G)
    >>> [(r["adviser"]["label"], r["advised"]["label"]) for r in a["links"]], [p["label"] for p in a["patrons"]]
    ([('A', 'B')], ['A'])
    """
    keys, edges = _prepared(G)
    links = sorted(edges["advises"], key=lambda e: (-_support(e[2]), keys[e[0]], keys[e[1]]))
    clients: dict[str, list[str]] = defaultdict(list)
    for u, v, _ in links:
        clients[u].append(v)
    fighting = {u for u, _, _ in edges["controls"]} | {u for u, _, _ in edges["advancesOn"]}
    patrons = sorted((a for a in clients if a not in fighting), key=lambda a: (-len(clients[a]), keys[a]))
    shown, more = _cut(links, limit)
    patrons_shown, patrons_more = _cut(patrons, limit)
    return {
        "links": [
            {
                "adviser": _ref(G, u),
                "advised": _ref(G, v),
                "assertions": int(d.get("assertions", 0)),
                "documents": int(d.get("documents", 0)),
                "times": list(d.get("times", ())),
            }
            for u, v, d in shown
        ],
        "links_more": more,
        "patrons": [
            {
                **_ref(G, a),
                "clients": [_ref(G, c) for c in _cut(sorted(clients[a], key=keys.__getitem__), limit)[0]],
                "clients_more": _cut(clients[a], limit)[1],
            }
            for a in patrons_shown
        ],
        "patrons_more": patrons_more,
    }


def centrality(G: nx.MultiDiGraph, limit: int | None = None, seed: int = 0) -> Row:
    """PageRank, betweenness and degree by relation; the top entities by PageRank and by betweenness.

    PageRank runs with direction ignored and parallel edges merged and weighted by support: most edges
    run from agents to places, so a directed walk would rank only places and recipients, never the
    agents acting on them. Betweenness also ignores direction, and weights (brokers connect, whatever
    the relation); it is exact up to ``BETWEENNESS_EXACT_MAX`` nodes, above that estimated from ``k``
    sources drawn with ``seed``. Degree is given as [out, in] per relation.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n in "abc": G.add_node(n, label=n.upper(), type="Group")
    >>> _ = G.add_edge("a", "b", key="advises", assertions=1, documents=1, times=())
    >>> _ = G.add_edge("c", "b", key="advises", assertions=1, documents=1, times=())
    >>> c = centrality(G)
    >>> c["by_pagerank"][0]["label"], c["by_pagerank"][0]["betweenness"], c["by_pagerank"][0]["degree"]["advises"]
    ('B', 1.0, [0, 2])
    """
    nodes, src, dst, w = _simple(G)
    n = len(nodes)
    if n == 0:
        return {"by_pagerank": [], "by_betweenness": [], "betweenness": None, "more": 0}
    pr = np.round(pagerank(n, np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])), DIGITS)
    if n <= BETWEENNESS_EXACT_MAX:
        bt, method = betweenness(n, src, dst), {"method": "exact", "sources": n, "seed": None}
    else:
        k = min(n, max(32, BETWEENNESS_BUDGET // (n + len(src))))
        roots = sorted(random.Random(seed).sample(range(n), k))
        bt, method = betweenness(n, src, dst, roots), {"method": "sampled", "sources": k, "seed": seed}
    bt = np.round(bt, DIGITS)
    keys, _ = _prepared(G)

    def row(i: int) -> Row:
        v = nodes[i]
        degree = {r: [0, 0] for r in RELATIONS}
        for keyed in G.succ[v].values():
            for k in keyed:
                if k in degree:
                    degree[k][0] += 1
        for keyed in G.pred[v].values():
            for k in keyed:
                if k in degree:
                    degree[k][1] += 1
        return {**_ref(G, v), "pagerank": float(pr[i]), "betweenness": float(bt[i]), "degree": degree}

    by_pr = sorted(range(n), key=lambda i: (-pr[i], keys[nodes[i]]))
    by_bt = sorted((i for i in range(n) if bt[i] > 0), key=lambda i: (-bt[i], keys[nodes[i]]))
    shown, more = _cut(by_pr, limit)
    return {
        "by_pagerank": [row(i) for i in shown],
        "by_betweenness": [row(i) for i in _cut(by_bt, limit)[0]],
        "betweenness": method,
        "more": more,
    }


def blocs(G: nx.MultiDiGraph, limit: int | None = None, seed: int = 0) -> Row:
    """Blocs of agents: Louvain communities (fixed seed) of the graph of ties between agents.

    Agents are tied by ``advises`` (either way) and by a *person* defecting to an agent, who then
    belongs with it; a group whose members defect is not tied to the side they leave for, and sharing
    a place is rivalry, not a tie. Each bloc of two or more agents lists its members (most tied
    first), the ties inside it by relation, and the places its members control.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n in "abcd": G.add_node(n, label=n.upper(), type="Group")
    >>> _ = G.add_edge("a", "b", key="advises", assertions=1, documents=1, times=())
    >>> _ = G.add_edge("c", "d", key="advises", assertions=1, documents=1, times=())
    >>> [[m["label"] for m in b["members"]] for b in blocs(G)["blocs"]]
    [['A', 'B'], ['C', 'D']]
    """
    method = {"method": "louvain", "seed": seed}
    keys, edges = _prepared(G)
    ties = [(u, v, "advises", _support(d)) for u, v, d in edges["advises"] if u != v]
    ties += [
        (u, v, "defectsTo", _support(d))
        for u, v, d in edges["defectsTo"]
        if u != v and G.nodes[u].get("type") == "Person"
    ]
    members = sorted({x for u, v, _, _ in ties for x in (u, v)})
    if not members:
        return {"blocs": [], "more": 0, "method": method}
    index = {m: i for i, m in enumerate(members)}
    T = nx.Graph()
    T.add_nodes_from(range(len(members)))
    for u, v, _, w in sorted(ties):
        a, b = index[u], index[v]
        if T.has_edge(a, b):
            T[a][b]["weight"] += w
        else:
            T.add_edge(a, b, weight=w)
    found = nx.community.louvain_communities(T, weight="weight", seed=seed, threshold=LOUVAIN_THRESHOLD)
    communities = [c for c in found if len(c) > 1]
    strength = dict(T.degree(weight="weight"))
    ordered = [sorted(c, key=lambda i: (-strength[i], keys[members[i]])) for c in communities]
    ordered.sort(key=lambda c: (-len(c), keys[members[c[0]]]))
    shown, more = _cut(ordered, limit)
    bloc_of = {i: b for b, comm in enumerate(shown) for i in comm}
    relations: list[Counter[str]] = [Counter() for _ in shown]
    for u, v, k, _ in ties:
        home = bloc_of.get(index[u])
        if home is not None and home == bloc_of.get(index[v]):
            relations[home][k] += 1
    territories: list[set[str]] = [set() for _ in shown]
    for u, v, _ in edges["controls"]:
        i = index.get(u)
        if i is not None and i in bloc_of:
            territories[bloc_of[i]].add(v)
    rows = []
    for b, comm in enumerate(shown):
        group = [members[i] for i in comm]
        territory = territories[b]
        rows.append(
            {
                "size": len(group),
                "members": [_ref(G, m) for m in _cut(group, limit)[0]],
                "members_more": _cut(group, limit)[1],
                "ties": {r: relations[b][r] for r in sorted(relations[b])},
                "controls": [_ref(G, v) for v in _cut(sorted(territory, key=keys.__getitem__), limit)[0]],
                "controls_more": _cut(list(territory), limit)[1],
            }
        )
    return {"blocs": rows, "more": more, "method": method}


#: Report sections in order: name -> function(G, limit, seed).
SECTIONS: dict[str, Callable[[nx.MultiDiGraph, int | None, int], Row]] = {
    "summary": lambda G, limit, seed: summary(G),
    "control": lambda G, limit, seed: control_map(G, limit),
    "fronts": lambda G, limit, seed: fronts(G, limit),
    "defections": lambda G, limit, seed: defection_flows(G, limit),
    "advisory": lambda G, limit, seed: advisory_network(G, limit),
    "centrality": lambda G, limit, seed: centrality(G, limit, seed),
    "blocs": lambda G, limit, seed: blocs(G, limit, seed),
}


def report(
    G: nx.MultiDiGraph, limit: int | None = 25, seed: int = 0, timings: dict[str, tuple[float, float]] | None = None
) -> Row:
    """Every section of ``kg analyze`` for the projection ``G``, as one JSON-ready dict.

    ``limit`` caps the rows of each list (``None`` or 0: all); ``timings``, when given, receives the
    (wall, CPU) seconds each section took (and ``index``: the sort keys and edge lists the sections
    share).

    Examples
    --------
    >>> r = report(nx.MultiDiGraph())
    >>> list(r)
    ['summary', 'control', 'fronts', 'defections', 'advisory', 'centrality', 'blocs']
    >>> r["summary"]["entities"], r["summary"]["density"], r["centrality"]["betweenness"]
    (0, None, None)
    """
    out: Row = {}
    with _gc_paused():
        wall, cpu = time.perf_counter(), time.process_time()
        token = _SHARED.set((G, _keys(G), _by_relation(G)))
        if timings is not None:
            timings["index"] = (time.perf_counter() - wall, time.process_time() - cpu)
        try:
            for name, fn in SECTIONS.items():
                wall, cpu = time.perf_counter(), time.process_time()
                out[name] = fn(G, limit, seed)
                elapsed = (time.perf_counter() - wall, time.process_time() - cpu)
                if timings is not None:
                    timings[name] = elapsed
                log.info("analyze: %s took %.2f s (%.2f s CPU)", name, *elapsed)
        finally:
            _SHARED.reset(token)
    return out


# --------------------------------------------------------------------------------------------- path


def find_entity(G: nx.MultiDiGraph, name: str) -> str:
    """The IRI of the entity ``name`` names: an IRI, ``ent:Local``, a label or an alias (case-insensitive).

    Raises ``KGError`` when nothing or more than one entity matches, listing close or competing names.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://w3id.org/kg-news/entity/Sanaa", label="Sanaa", aliases=("the capital",))
    >>> find_entity(G, "sanaa"), find_entity(G, "The Capital") == find_entity(G, "ent:Sanaa")
    ('https://w3id.org/kg-news/entity/Sanaa', True)
    """
    if name in G:
        return name
    if name.startswith("ent:") and str(ENTITY) + name[4:] in G:
        return str(ENTITY) + name[4:]
    key = name.strip().casefold()
    for field in ("label", "aliases"):
        hits = sorted(
            v
            for v, d in G.nodes(data=True)
            if (key == str(d.get("label", "")).casefold() if field == "label" else key in _folded(d.get("aliases")))
        )
        if len(hits) == 1:
            return str(hits[0])
        if hits:
            raise KGError(
                f"{name!r} names {len(hits)} entities: "
                + ", ".join(f"{_label(G, h)} <{h}>" for h in hits[:10])
                + "; pass the IRI instead"
            )
    labels = sorted({str(d.get("label", "")) for _, d in G.nodes(data=True)})
    close = difflib.get_close_matches(name, labels, n=5, cutoff=0.6)
    hint = f"; close matches: {', '.join(close)}" if close else "; list entities with 'kg query' or the report"
    raise KGError(f"no entity is named {name!r} (label, alias or IRI){hint}")


def _folded(aliases: Iterable[str] | None) -> set[str]:
    return {a.casefold() for a in aliases or ()}


def shortest_connection(G: nx.MultiDiGraph, source: str, target: str) -> list[Row]:
    """The shortest chain of relations linking two entities (direction ignored), each hop with its evidence.

    Each hop names the relation as stated (``subject relation object``), so a hop may run against the
    walk's direction. Where two entities are linked several ways, the best supported relation is shown.
    Raises ``KGError`` when the two are not connected.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n in "abx": G.add_node(n, label=n.upper(), type="Group")
    >>> _ = G.add_edge("a", "x", key="controls", assertions=1, documents=1, times=(), evidence="A holds X.")
    >>> _ = G.add_edge("b", "x", key="advancesOn", assertions=1, documents=1, times=(), evidence="B nears X.")
    >>> [(h["subject"]["label"], h["relation"], h["object"]["label"], h["evidence"]) for h in
    ...  shortest_connection(G, "a", "b")]
    [('A', 'controls', 'X', 'A holds X.'), ('B', 'advancesOn', 'X', 'B nears X.')]
    """
    if source == target:
        return []
    U = nx.Graph()
    U.add_nodes_from(sorted(G))
    U.add_edges_from(sorted((u, v) for u, v in G.edges() if u != v))
    try:
        walk = nx.shortest_path(U, source, target)
    except nx.NetworkXNoPath:
        raise KGError(
            f"{_label(G, source)} and {_label(G, target)} are not connected by any asserted relation"
        ) from None
    hops: list[Row] = []
    for a, b in itertools.pairwise(walk):
        options = [(a, b, k, d) for k, d in (G.get_edge_data(a, b) or {}).items()]
        options += [(b, a, k, d) for k, d in (G.get_edge_data(b, a) or {}).items()]
        s, o, rel, d = min(
            options,
            key=lambda e: (
                -_support(e[3]),
                -(e[3].get("confidence") or 0.0),
                RELATIONS.index(e[2]) if e[2] in RELATIONS else 9,
                e[0],
            ),
        )
        hops.append(
            {
                "subject": _ref(G, s),
                "relation": rel,
                "object": _ref(G, o),
                "assertions": int(d.get("assertions", 0)),
                "documents": int(d.get("documents", 0)),
                "times": list(d.get("times", ())),
                "evidence": str(d.get("evidence", "")),
            }
        )
    return hops


# --------------------------------------------------------------------------------------------- rendering


def _na(value: Any) -> str:
    if value is None:
        return "N/A"
    if isinstance(value, float):
        return f"{value:.{DIGITS}f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)


def _names(refs: Iterable[Row], more: int = 0) -> str:
    text = ", ".join(r["label"] for r in refs) or "-"
    return f"{text} … +{more} more" if more else text


def _with_support(r: Row) -> str:
    times = f", {'/'.join(r['times'])}" if r.get("times") else ""
    return f"{r['label']} ({r['assertions']}{times})"


Table = tuple[str, list[str], list[list[str]], int]


def _tables(rep: Row) -> list[tuple[str, str, list[Table]]]:
    """The report as sections of (title, note, tables); each table is (caption, header, rows, rows left out)."""
    s = rep["summary"]
    summary_rows = [
        ["entities", str(s["entities"])],
        *[[f"  {t}", str(c)] for t, c in s["by_type"].items()],
        ["relations (edges / assertions)", f"{s['edges']} / {sum(r['assertions'] for r in s['relations'].values())}"],
        *[[f"  {r}", f"{c['edges']} / {c['assertions']}"] for r, c in s["relations"].items()],
        ["statements not asserted (left out)", str(s["unasserted"])],
        ["documents", str(s["documents"])],
        ["components (weak)", str(s["components"]) if s["entities"] else "N/A"],
        ["largest component", _na(s["largest_component"])],
        ["isolated entities", str(s["isolated"]) if s["entities"] else "N/A"],
        ["density", _na(s["density"])],
    ]
    c = rep["control"]
    control_rows = [
        [
            r["place"]["label"],
            "; ".join(_with_support(x) for x in r["controllers"])
            + (f" … +{r['controllers_more']} more" if r["controllers_more"] else ""),
            f"{r['latest']['label']} ({r['latest']['time']})" if r["latest"] else "N/A",
            "yes" if r["contested"] else "no",
        ]
        for r in c["places"]
    ]
    change_rows = [
        [r["place"]["label"], " → ".join(f"{x['label']} ({x['time']})" for x in r["sequence"])] for r in c["changes"]
    ]
    f = rep["fronts"]
    front_rows = [
        [
            r["place"]["label"],
            "; ".join(_with_support(x) for x in r["advancing"])
            + (f" … +{r['advancing_more']} more" if r["advancing_more"] else ""),
            _names(r["held_by"], r["held_by_more"]),
            "yes" if r["front"] else "no",
        ]
        for r in f["places"]
    ]
    d = rep["defections"]
    flow_rows = [
        [r["from"]["label"], r["to"]["label"], str(r["assertions"]), str(r["documents"]), "/".join(r["times"]) or "-"]
        for r in d["flows"]
    ]
    net_rows = [[r["label"], str(r["gained"]), str(r["lost"]), f"{r['net']:+d}"] for r in d["net"]]
    a = rep["advisory"]
    advice_rows = [
        [r["adviser"]["label"], r["advised"]["label"], str(r["assertions"]), str(r["documents"])] for r in a["links"]
    ]
    patron_rows = [[r["label"], _names(r["clients"], r["clients_more"])] for r in a["patrons"]]
    ce = rep["centrality"]

    def degrees(r: Row) -> list[str]:
        return [f"{o}/{i}" for o, i in (r["degree"][rel] for rel in RELATIONS)]

    pr_rows = [
        [r["label"], r["type"] or "-", _na(r["pagerank"]), _na(r["betweenness"]), *degrees(r)]
        for r in ce["by_pagerank"]
    ]
    bt_rows = [[r["label"], r["type"] or "-", _na(r["betweenness"])] for r in ce["by_betweenness"]]
    method = ce["betweenness"]
    bt_note = (
        "N/A (no entities)"
        if method is None
        else "exact"
        if method["method"] == "exact"
        else f"estimated from {method['sources']} sampled sources (seed {method['seed']})"
    )
    b = rep["blocs"]
    bloc_rows = [
        [
            str(i + 1),
            str(r["size"]),
            _names(r["members"], r["members_more"]),
            ", ".join(f"{k} {v}" for k, v in r["ties"].items()),
            _names(r["controls"], r["controls_more"]),
        ]
        for i, r in enumerate(b["blocs"])
    ]
    contested = ", ".join(c["contested"]) or "none"
    if c["contested_count"] > len(c["contested"]):
        contested += f" … and {c['contested_count'] - len(c['contested'])} more"
    return [
        ("Summary", "", [("", ["measure", "value"], summary_rows, 0)]),
        (
            "Control map",
            f"Contested places: {contested}. Controllers with (assertions, times); 'latest dated' is the controller "
            "with the latest time, where times exist.",
            [
                ("", ["place", "controlled by", "latest dated", "contested"], control_rows, c["places_more"]),
                ("Changes of hands", ["place", "dated controllers in time order"], change_rows, c["changes_more"]),
            ],
        ),
        (
            "Fronts",
            f"Fronts (advances on a place someone else holds): {f['fronts']}.",
            [("", ["place", "advancing (assertions, times)", "held by", "front"], front_rows, f["places_more"])],
        ),
        (
            "Defection flows",
            "",
            [
                ("", ["from", "to", "assertions", "documents", "times"], flow_rows, d["flows_more"]),
                ("Net gain or loss", ["agent", "gained", "lost", "net"], net_rows, d["net_more"]),
            ],
        ),
        (
            "Advisory network",
            "Outside patrons advise others but neither control nor advance on any place.",
            [
                ("", ["adviser", "advised", "assertions", "documents"], advice_rows, a["links_more"]),
                ("Outside patrons", ["patron", "advises"], patron_rows, a["patrons_more"]),
            ],
        ),
        (
            "Centrality",
            f"PageRank over support-weighted relations, direction ignored; betweenness {bt_note}; "
            "degree as out/in per relation.",
            [
                ("By PageRank", ["entity", "type", "PageRank", "betweenness", *RELATIONS], pr_rows, ce["more"]),
                ("Brokers (by betweenness)", ["entity", "type", "betweenness"], bt_rows, 0),
            ],
        ),
        (
            "Blocs",
            f"Louvain communities (seed {b['method']['seed']}) of agents tied by advice or a person's defection.",
            [("", ["bloc", "size", "members", "ties", "controls"], bloc_rows, b["more"])],
        ),
    ]


def _text_table(header: list[str], rows: list[list[str]], width: int | None) -> list[str]:
    from kg.tables import render_table

    return render_table(header, rows, width=width).splitlines()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rep: Row, fmt: str = "table", width: int | None = None) -> str:
    """The report as text: ``table`` (plain text, cells wrapped to ``width``: see :func:`kg.tables.render_table`),
    ``markdown`` or ``json``.

    Examples
    --------
    >>> text = render(report(nx.MultiDiGraph()), "markdown")
    >>> text.splitlines()[0], "N/A" in text
    ('# kg analysis', True)
    """
    if fmt == "json":
        return json.dumps(rep, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    md = fmt == "markdown"
    out: list[str] = ["# kg analysis" if md else "kg analysis", ""]
    for title, note, tables in _tables(rep):
        out += [f"## {title}" if md else f"== {title}", ""]
        if note:
            out += [note, ""]
        for caption, header, rows, more in tables:
            if caption:
                out += [f"### {caption}" if md else f"-- {caption}", ""]
            if not rows:
                out += ["N/A (none in this graph)", ""]
                continue
            if md:
                out.append("| " + " | ".join(header) + " |")
                out.append("|" + "|".join("---" for _ in header) + "|")
                out += ["| " + " | ".join(_md_cell(x) for x in r) + " |" for r in rows]
            else:
                out += _text_table(header, rows, width)
            if more:
                out.append(f"… and {more} more (raise --limit, or --limit 0 for all)")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render_path(G: nx.MultiDiGraph, source: str, target: str, hops: list[Row], fmt: str = "table") -> str:
    """A connection found by :func:`shortest_connection` as text, Markdown or JSON.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("a", label="A"); G.add_node("b", label="B")
    >>> hop = {"subject": {"label": "A"}, "relation": "advises", "object": {"label": "B"}, "evidence": "A helps B."}
    >>> print(render_path(G, "a", "b", [hop]), end="")
    A → B: 1 hop
    1. A advises B
       "A helps B."
    """
    if fmt == "json":
        data = {"source": _ref(G, source), "target": _ref(G, target), "hops": hops}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    head = f"{_label(G, source)} → {_label(G, target)}: {len(hops)} hop{'' if len(hops) == 1 else 's'}"
    lines = [f"# {head}" if fmt == "markdown" else head]
    if fmt == "markdown":
        lines.append("")
    for i, h in enumerate(hops, 1):
        lines.append(f"{i}. {h['subject']['label']} {h['relation']} {h['object']['label']}")
        ev = h.get("evidence") or "(no evidence sentence in the graph)"
        lines.append(f"   > {ev}" if fmt == "markdown" else f'   "{ev}"')
    return "\n".join(lines) + "\n"

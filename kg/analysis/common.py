"""What every analysis module shares: row helpers, sort keys, cuts, and the index :func:`kg.analysis.report` shares.

Nothing here answers a question; the question modules (``control``, ``fronts``, ``defections``, ``advice``,
``centrality``, ``blocs``, ``summary``) import from here so they agree on labels, ordering and support.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import networkx as nx

from kg.memory import gc_paused as gc_paused
from kg.rdf.namespace import RELATIONS

Row = dict[str, Any]
T = TypeVar("T")
#: Decimals kept for scores in reports, so the same graph always prints the same digits.
DIGITS = 6
#: The predicates of the relation edges, by name.
Edges = dict[str, list[tuple[str, str, dict[str, Any]]]]


def local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


def to_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def support(data: Mapping[str, Any]) -> int:
    """Weight of an edge: its assertions, and at least 1 (a bare triple is still one statement)."""
    return max(int(data.get("assertions", 0)), 1)


def label(G: nx.MultiDiGraph, n: str) -> str:
    return str(G.nodes[n].get("label", n)) if n in G else n


def keys_of(G: nx.MultiDiGraph) -> dict[str, tuple[str, str]]:
    """Every node's sort key: (label folded to lower case, IRI), so ties between labels still sort one way."""
    return {n: (str(d.get("label", n)).casefold(), n) for n, d in G.nodes(data=True)}


def by_relation(G: nx.MultiDiGraph) -> Edges:
    """relation -> its edges as (subject, object, data), in one pass (edge views iterate plain dicts: fast)."""
    out: Edges = {r: [] for r in RELATIONS}
    for u, v, k, d in G.edges(keys=True, data=True):
        out.setdefault(str(k), []).append((u, v, d))
    return out


#: Set by :func:`kg.analysis.report` while it runs, so its sections share one index and cache (sides, control).
SHARED: contextvars.ContextVar[tuple[nx.MultiDiGraph, dict[str, tuple[str, str]], Edges, dict[str, Any]] | None] = (
    contextvars.ContextVar("kg_analysis_shared", default=None)
)


@contextlib.contextmanager
def shared(G: nx.MultiDiGraph) -> Iterator[None]:
    """Run several sections over ``G`` with one index and cache, as :func:`kg.analysis.report` does for its own
    (``kg report`` calls the report, the control map, fronts and timelines on one projection)."""
    current = SHARED.get()
    if current is not None and current[0] is G:
        yield
        return
    token = SHARED.set((G, keys_of(G), by_relation(G), {}))
    try:
        yield
    finally:
        SHARED.reset(token)


def prepared(G: nx.MultiDiGraph) -> tuple[dict[str, tuple[str, str]], Edges]:
    """Sort keys and edges by relation of ``G``: computed here, or shared from the running report."""
    shared = SHARED.get()
    if shared is not None and shared[0] is G:
        return shared[1], shared[2]
    return keys_of(G), by_relation(G)


def cache(G: nx.MultiDiGraph) -> dict[str, Any] | None:
    """The running report's cache for ``G`` (sections computed once, e.g. sides and holders), else ``None``."""
    shared = SHARED.get()
    return shared[3] if shared is not None and shared[0] is G else None


def ref(G: nx.MultiDiGraph, n: str) -> Row:
    node = G.nodes[n] if n in G else {}
    return {"iri": n, "label": str(node.get("label", n)), "type": node.get("type", "")}


def link(G: nx.MultiDiGraph, n: str, d: Mapping[str, Any]) -> Row:
    return {
        **ref(G, n),
        "assertions": int(d.get("assertions", 0)),
        "documents": int(d.get("documents", 0)),
        "times": list(d.get("times", ())),
    }


def cut(items: list[T], limit: int | None) -> tuple[list[T], int]:
    """The first ``limit`` items (all if ``limit`` is None or 0) and how many were left out."""
    if not limit or len(items) <= limit:
        return items, 0
    return items[:limit], len(items) - limit


def by_object(
    edges: Iterable[tuple[str, str, dict[str, Any]]], keys: Mapping[str, tuple[str, str]]
) -> dict[str, list[Any]]:
    """object -> [(subject, data)], subjects best supported first."""
    out: dict[str, list[Any]] = defaultdict(list)
    for u, v, d in edges:
        out[v].append((u, d))
    for links in out.values():
        links.sort(key=lambda x: (-support(x[1]), keys[x[0]]))
    return out

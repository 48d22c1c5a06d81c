"""How two entities connect: find an entity by name, the shortest chain of relations, each hop with its evidence."""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Iterable

import networkx as nx

from kg.analysis.common import Row, label, ref, support
from kg.errors import KGError
from kg.rdf.namespace import ENTITY, RELATIONS

__all__ = ["find_entity", "render_path", "shortest_connection"]

#: Output formats of :func:`render_path` (and of the report).
FORMATS: tuple[str, ...] = ("table", "json", "markdown")


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
                + ", ".join(f"{label(G, h)} <{h}>" for h in hits[:10])
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
        raise KGError(f"{label(G, source)} and {label(G, target)} are not connected by any asserted relation") from None
    hops: list[Row] = []
    for a, b in itertools.pairwise(walk):
        options = [(a, b, k, d) for k, d in (G.get_edge_data(a, b) or {}).items()]
        options += [(b, a, k, d) for k, d in (G.get_edge_data(b, a) or {}).items()]
        s, o, rel, d = min(
            options,
            key=lambda e: (
                -support(e[3]),
                -(e[3].get("confidence") or 0.0),
                RELATIONS.index(e[2]) if e[2] in RELATIONS else 9,
                e[0],
            ),
        )
        hops.append(
            {
                "subject": ref(G, s),
                "relation": rel,
                "object": ref(G, o),
                "assertions": int(d.get("assertions", 0)),
                "documents": int(d.get("documents", 0)),
                "times": list(d.get("times", ())),
                "evidence": str(d.get("evidence", "")),
            }
        )
    return hops


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
        data = {"source": ref(G, source), "target": ref(G, target), "hops": hops}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    head = f"{label(G, source)} → {label(G, target)}: {len(hops)} hop{'' if len(hops) == 1 else 's'}"
    lines = [f"# {head}" if fmt == "markdown" else head]
    if fmt == "markdown":
        lines.append("")
    for i, h in enumerate(hops, 1):
        lines.append(f"{i}. {h['subject']['label']} {h['relation']} {h['object']['label']}")
        ev = h.get("evidence") or "(no evidence sentence in the graph)"
        lines.append(f"   > {ev}" if fmt == "markdown" else f'   "{ev}"')
    return "\n".join(lines) + "\n"

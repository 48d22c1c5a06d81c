"""The size and shape of the graph: entities by type, relations, side links, components, density."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from kg.analysis.common import DIGITS, Row, prepared
from kg.analysis.sides import sides
from kg.rdf.namespace import LINKS, RELATIONS

__all__ = ["summary"]


def summary(G: nx.MultiDiGraph) -> Row:
    """Counts by entity type, relation and side link, connected components and density.

    Components are weak (direction ignored) over the relations. Density is that of the simple directed
    graph of relations (``None`` when there are fewer than two entities). ``sides`` counts the agents that
    name a side other agents are on (through side links or a person's defection).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", label="A", type="Group"); G.add_node("x", label="X", type="Place")
    >>> G.add_edge("a", "x", key="controls", relation="controls", assertions=2, documents=1, times=())
    'controls'
    >>> s = summary(G)
    >>> s["entities"], s["relations"]["controls"], s["components"], s["density"], s["links"]["forcesOf"]
    (2, {'edges': 1, 'assertions': 2}, 1, 0.5, 0)
    """
    n = G.number_of_nodes()
    by_type = Counter(str(d.get("type") or "untyped") for _, d in G.nodes(data=True))
    rels: dict[str, Row] = {r: {"edges": 0, "assertions": 0} for r in RELATIONS}
    pairs: set[tuple[str, str]] = set()
    for k, edges in prepared(G)[1].items():
        row = rels.setdefault(k, {"edges": 0, "assertions": 0})
        row["edges"] += len(edges)
        row["assertions"] += sum(int(d.get("assertions", 0)) for _, _, d in edges)
        pairs.update((u, v) for u, v, _ in edges)
    ends = {x for pair in pairs for x in pair}
    links = Counter(rel for _, rel, _ in G.graph.get("links", ()))
    table = sides(G)
    side_count = len({side for agent, side in table.items() if agent != side})
    comps = [len(c) for c in nx.weakly_connected_components(G)] if n else []
    as_of = G.graph.get("as_of")
    return {
        "entities": n,
        "by_type": {t: by_type[t] for t in sorted(by_type)},
        "relations": rels,
        "edges": G.number_of_edges(),
        "links": {r: links[r] for r in LINKS},
        "sides": side_count,
        "documents": int(G.graph.get("documents", 0)),
        "assertions": int(G.graph.get("assertions", 0)),
        "unasserted": int(G.graph.get("unasserted", 0)),
        "components": len(comps),
        "largest_component": max(comps) if comps else None,
        "isolated": n - len(ends),
        "density": round(len(pairs) / (n * (n - 1)), DIGITS) if n >= 2 else None,
        "as_of": as_of,
        "latest_document_date": G.graph.get("latest_document_date"),
    }

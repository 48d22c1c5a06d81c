"""Who advises whom, and the outside patrons: sides that advise others but hold and attack nothing themselves."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from kg.analysis.common import Row, cut, prepared, ref, support
from kg.analysis.sides import sides

__all__ = ["advisory_network"]


def advisory_network(G: nx.MultiDiGraph, limit: int | None = None) -> Row:
    """Who advises whom, and the outside patrons: advisers whose side neither controls nor advances on any place.

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
    keys, edges = prepared(G)
    table = sides(G)
    links = sorted(edges.get("advises", ()), key=lambda e: (-support(e[2]), keys[e[0]], keys[e[1]]))
    clients: dict[str, list[str]] = defaultdict(list)
    for u, v, _ in links:
        clients[u].append(v)
    fighting = {table.get(u, u) for u, _, _ in edges.get("controls", ())}
    fighting |= {table.get(u, u) for u, _, _ in edges.get("advancesOn", ())}
    patrons = sorted((a for a in clients if table.get(a, a) not in fighting), key=lambda a: (-len(clients[a]), keys[a]))
    shown, more = cut(links, limit)
    patrons_shown, patrons_more = cut(patrons, limit)
    return {
        "links": [
            {
                "adviser": {**ref(G, u), "side": ref(G, table.get(u, u))},
                "advised": {**ref(G, v), "side": ref(G, table.get(v, v))},
                "assertions": int(d.get("assertions", 0)),
                "documents": int(d.get("documents", 0)),
                "times": list(d.get("times", ())),
            }
            for u, v, d in shown
        ],
        "links_more": more,
        "patrons": [
            {
                **ref(G, a),
                "clients": [ref(G, c) for c in cut(sorted(clients[a], key=keys.__getitem__), limit)[0]],
                "clients_more": cut(clients[a], limit)[1],
            }
            for a in patrons_shown
        ],
        "patrons_more": patrons_more,
    }

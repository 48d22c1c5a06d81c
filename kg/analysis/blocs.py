"""Blocs: which sides stand together, as Louvain communities of the ties between sides.

Sides (:mod:`kg.analysis.sides`) are tied by advice (either way); a person who defected is already on the
side they joined, and a group whose members defect is not tied to the side they leave for. Sharing a
place is rivalry, not a tie. Each bloc lists its sides, the ties inside it, and the places its sides hold.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from kg.analysis.common import Row, cut, prepared, ref, support
from kg.analysis.control import holders_of
from kg.analysis.sides import sides

__all__ = ["LOUVAIN_THRESHOLD", "blocs"]

#: Louvain stops when a level gains less modularity than this: on a 40,000-agent tie graph the last level
#: networkx's default (1e-7) adds gains 0.0006 and costs a quarter of the time.
LOUVAIN_THRESHOLD = 1e-3


def blocs(G: nx.MultiDiGraph, limit: int | None = None, seed: int = 0) -> Row:
    """Blocs of sides: Louvain communities (fixed seed) of the graph of ties between sides.

    Sides are tied by ``advises`` (either way, weighted by support). Each bloc of two or more sides lists
    its sides (most tied first, each with the agents of the graph on that side), the ties inside it by
    relation, and the places its sides hold (on the graph's date, see :mod:`kg.analysis.control`).

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
    keys, edges = prepared(G)
    table = sides(G)
    ties = [
        (table.get(u, u), table.get(v, v), "advises", support(d))
        for u, v, d in edges.get("advises", ())
        if table.get(u, u) != table.get(v, v)
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
    shown, more = cut(ordered, limit)
    bloc_of = {i: b for b, comm in enumerate(shown) for i in comm}
    relations: list[Counter[str]] = [Counter() for _ in shown]
    for u, v, k, _ in ties:
        home = bloc_of.get(index[u])
        if home is not None and home == bloc_of.get(index[v]):
            relations[home][k] += 1
    territories: list[set[str]] = [set() for _ in shown]
    for place, held in holders_of(G).items():
        for side in held:
            i = index.get(side)
            if i is not None and i in bloc_of:
                territories[bloc_of[i]].add(place)
    agents_of: dict[str, list[str]] = {}
    for agent, side in table.items():
        if agent != side and side in index:
            agents_of.setdefault(side, []).append(agent)
    rows = []
    for b, comm in enumerate(shown):
        group = [members[i] for i in comm]
        territory = territories[b]
        rows.append(
            {
                "size": len(group),
                "members": [
                    {**ref(G, m), "agents": [ref(G, a) for a in sorted(agents_of.get(m, ()), key=keys.__getitem__)]}
                    for m in cut(group, limit)[0]
                ],
                "members_more": cut(group, limit)[1],
                "ties": {r: relations[b][r] for r in sorted(relations[b])},
                "controls": [ref(G, v) for v in cut(sorted(territory, key=keys.__getitem__), limit)[0]],
                "controls_more": cut(list(territory), limit)[1],
            }
        )
    return {"blocs": rows, "more": more, "method": method}

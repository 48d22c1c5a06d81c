"""Who is losing people to whom: defection flows between sides, and each side's net gain or loss.

A defection moves a defector from the side it left to the side it joined. The side left is the one the
text names (``kg:sideLeft``: "defected from Y to Z"), else the defector's own side by its links (a
minister ``kg:memberOf`` a government; a group whose members defect is its own side); the side joined is
the object's side. The defecting person is never counted as the loser: when nothing says which side a
person left, the flow has no ``from`` and no side is charged the loss.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from kg.analysis.common import Row, cut, label, prepared, ref
from kg.analysis.projection import Statement
from kg.analysis.sides import home_side, sides

__all__ = ["defection_flows"]


def defection_flows(G: nx.MultiDiGraph, limit: int | None = None) -> Row:
    """Defections from one side to another with their defectors and support, and each side's net gain or loss.

    Net = statements of defection to the side minus statements of defection from it.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("a", "Group"), ("b", "Group"), ("p", "Person")): G.add_node(n, label=n.upper(), type=t)
    >>> _ = G.add_edge("a", "b", key="defectsTo", assertions=3, documents=2, times=())
    >>> G.graph["links"] = (("p", "memberOf", "a"),)
    >>> _ = G.add_edge("p", "b", key="defectsTo", assertions=1, documents=1, times=())
    >>> d = defection_flows(G)
    >>> [(f["from"]["label"], f["to"]["label"], f["assertions"]) for f in d["flows"]]
    [('A', 'B', 4)]
    >>> [x["label"] for x in d["flows"][0]["defectors"]]
    ['A', 'P']
    >>> [(r["label"], r["net"]) for r in d["net"]]
    [('B', 4), ('A', -4)]
    """
    keys, edges = prepared(G)
    table = sides(G)

    def key(n: str | None) -> tuple[Any, ...]:
        return (n is None, keys.get(n, (n, n)) if n is not None else ("", ""))

    # (from side or None, to side) -> [statements, documents, times, defectors, documents of hand-made edges]
    flows: dict[tuple[str | None, str], list[Any]] = {}
    for u, v, d in edges.get("defectsTo", ()):
        to = table.get(v, v)
        home = home_side(G, u, table)
        statements: tuple[Statement, ...] = tuple(d.get("statements") or ())
        named: list[tuple[str | None, Statement | None]] = [(s.left, s) for s in statements]
        if not named:  # a bare or hand-made edge: its support, from the defector's own side
            named = [(None, None)] * max(int(d.get("assertions", 0)), 1)
        for left, s in named:
            source = table.get(left, left) if left is not None else home
            if source == to:
                source = None  # leaving for one's own side says nothing about whom was left
            row = flows.setdefault((source, to), [0, set(), set(), set(), 0])
            row[0] += 1
            if s is not None:
                if s.document:
                    row[1].add(s.document)
                if s.time:
                    row[2].add(s.time)
            else:
                row[2].update(d.get("times", ()))
            row[3].add(u)
        if not statements:
            flows[home if home != to else None, to][4] += int(d.get("documents", 0))
    gained: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for (source, to), row in flows.items():
        gained[to] += row[0]
        if source is not None:
            lost[source] += row[0]
    order = sorted(flows, key=lambda f: (-flows[f][0], key(f[0]), key(f[1])))
    agents = sorted(gained.keys() | lost.keys(), key=lambda a: (-(gained[a] - lost[a]), keys.get(a, (a, a))))
    shown, more = cut(order, limit)
    net_shown, net_more = cut(agents, limit)
    return {
        "flows": [
            {
                "from": ref(G, f[0]) if f[0] is not None else None,
                "to": ref(G, f[1]),
                "defectors": [
                    ref(G, x) for x in cut(sorted(flows[f][3], key=lambda a: (label(G, a).casefold(), a)), limit)[0]
                ],
                "assertions": flows[f][0],
                "documents": len(flows[f][1]) + flows[f][4],
                "times": sorted(flows[f][2]),
            }
            for f in shown
        ],
        "flows_more": more,
        "net": [{**ref(G, a), "gained": gained[a], "lost": lost[a], "net": gained[a] - lost[a]} for a in net_shown],
        "net_more": net_more,
    }

"""Where the fighting is: places under advance, by which side, against which holder.

A *front* is a place some side advances on while another side holds it (or while nobody is known to hold
it any more): the advancing side is compared with the holders' sides on the same date
(:func:`kg.analysis.control.holders_of`), so a state's forces advancing on a town the state holds is no
front. Only advances made since the holder took the place count (an attack beaten off years before the
current holder arrived is no front today); undated advances always count.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from kg.analysis.common import Row, cut, label, link, prepared, ref, support
from kg.analysis.control import _advances, _date, _entries, _state
from kg.analysis.sides import sides

__all__ = ["fronts"]


def fronts(G: nx.MultiDiGraph, limit: int | None = None) -> Row:
    """Places under advance, by whom, and who holds them: a front is an advance on a place another side holds.

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
    keys, edges = prepared(G)
    table = sides(G)
    date = _date(G, None)
    entries, advances = _entries(G), _advances(G)
    attacked: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for u, v, d in edges.get("advancesOn", ()):
        attacked[v].append((u, d))
    rows_of: dict[str, Row] = {}
    verdict: dict[str, bool] = {}
    for place, by in attacked.items():
        state = _state(entries.get(place, []), advances.get(place, []), date)
        holder_sides = set(state.holders)
        since = min(
            ((run[0].statement.when is None, run[0].statement.when or "") for run in state.holders.values()),
            default=None,
        )
        current = {
            table.get(u, u)
            for u, d in by
            for s in (d.get("statements") or ())
            if since is None or s.when is None or (False, s.when) >= since
        } | {table.get(u, u) for u, d in by if not d.get("statements")}
        verdict[place] = bool(current) and (not holder_sides or any(a != h for a in current for h in holder_sides))
        rows_of[place] = {"state": state, "by": by}
    order = sorted(attacked, key=lambda p: (-len(attacked[p]), -sum(support(d) for _, d in attacked[p]), keys[p]))
    shown, more = cut(order, limit)
    rows = []
    for p in shown:
        by = sorted(attacked[p], key=lambda x: (-support(x[1]), keys[x[0]]))
        state = rows_of[p]["state"]
        held = sorted(state.holders, key=lambda s: keys.get(s, (s, s)))
        holders_agents = sorted(
            {e.agent for run in state.holders.values() for e in run}, key=lambda a: (label(G, a).casefold(), a)
        )
        rows.append(
            {
                "place": ref(G, p),
                "advancing": [{**link(G, u, d), "side": ref(G, table.get(u, u))} for u, d in cut(by, limit)[0]],
                "advancing_more": cut(by, limit)[1],
                "held_by": [ref(G, s) for s in cut(held, limit)[0]],
                "held_by_more": cut(held, limit)[1],
                "holding_agents": [ref(G, a) for a in cut(holders_agents, limit)[0]],
                "front": verdict[p],
            }
        )
    return {"as_of": date, "places": rows, "places_more": more, "fronts": sum(1 for p in order if verdict[p])}

"""Per place, what happened when: dated control and advances in time order (for the report's timeline).

A free function over the same projection as :mod:`kg.analysis` (:func:`kg.analysis.project`), returning
JSON-ready rows like the other sections. It lives apart only until the analysis package (issue 11) takes
it in; it reads nothing but the projection's edges and their ``times``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

#: The relations a place's timeline shows, in the order they sort when they share a time.
EVENT_RELATIONS = ("controls", "advancesOn")

Row = dict[str, Any]


def _ref(G: nx.MultiDiGraph, n: str) -> Row:
    d = G.nodes[n]
    return {"iri": n, "label": str(d.get("label", n)), "type": d.get("type", "")}


def place_timelines(G: nx.MultiDiGraph, limit: int | None = None) -> list[Row]:
    """Each place that is held or advanced on: its dated events in time order, and its undated ones.

    An event is one time of one edge (an agent ``controls`` or ``advancesOn`` the place): ``time`` (ISO,
    any precision), ``relation``, ``agent`` (iri, label, type), ``assertions``. Events sort by time, then
    relation (control first), then agent label. Places with dated events come first, by their first
    time, then the undated ones, by label; ``limit`` keeps the first ``limit`` places.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("a", "Group"), ("b", "Group"), ("x", "GPE")): G.add_node(n, label=n.upper(), type=t)
    >>> _ = G.add_edge("a", "x", key="controls", assertions=1, times=("1990",))
    >>> _ = G.add_edge("b", "x", key="controls", assertions=2, times=("1996-09",))
    >>> _ = G.add_edge("b", "x", key="advancesOn", assertions=1, times=("1996-08",))
    >>> [(e["time"], e["relation"], e["agent"]["label"]) for e in place_timelines(G)[0]["events"]]
    [('1990', 'controls', 'A'), ('1996-08', 'advancesOn', 'B'), ('1996-09', 'controls', 'B')]
    """
    places: dict[str, Row] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        if k not in EVENT_RELATIONS:
            continue
        row = places.setdefault(v, {"place": _ref(G, v), "events": [], "undated": []})
        agent = _ref(G, u)
        n = int(d.get("assertions", 0))
        times = tuple(d.get("times", ()))
        if not times:
            row["undated"].append({"relation": k, "agent": agent, "assertions": n})
        for t in times:
            row["events"].append({"time": t, "relation": k, "agent": agent, "assertions": n})
    for row in places.values():
        row["events"].sort(
            key=lambda e: (e["time"], EVENT_RELATIONS.index(e["relation"]), e["agent"]["label"].casefold())
        )
        row["undated"].sort(key=lambda e: (EVENT_RELATIONS.index(e["relation"]), e["agent"]["label"].casefold()))
    order = sorted(
        places.values(),
        key=lambda r: (
            not r["events"],
            r["events"][0]["time"] if r["events"] else "",
            r["place"]["label"].casefold(),
            r["place"]["iri"],
        ),
    )
    return order[:limit] if limit else order

"""What happened to a place, in time order: every statement of control and of advance, with sides and evidence.

:func:`place_timelines` is the report's timeline (``kg report``): for each place held or advanced on, its
control statements as :func:`kg.analysis.control.control_history` gives them (the ``timeline`` query's
order and rules; read once for all places) merged with the advances on it, each with the agent's side,
the evidence sentence and its document. Who *holds* the place when is the business of
:func:`kg.analysis.control.who_holds`; this only lists what was said, so a reader can see the story and
check each step.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from kg.analysis.common import Row, prepared, ref
from kg.analysis.control import _entries, _entry_row, _statements
from kg.analysis.sides import sides

__all__ = ["place_timelines"]

#: Sort order of statements at the same time: an end of control, a hold, then an advance.
_ORDER = {"until": 0, "holds": 1, "advances": 2}


def _key(e: Row) -> tuple[Any, ...]:
    return (e["when"] is None, e["when"] or "", _ORDER[e["change"]], e["agent"]["label"].casefold(), e["evidence"])


def place_timelines(G: nx.MultiDiGraph, limit: int | None = None) -> list[Row]:
    """Each place that is held or advanced on, with ``events``: its statements in time order (undated last).

    An event has ``when`` (ISO, any precision, or ``None``), ``relation`` (``controls`` or ``advancesOn``),
    ``change`` (``holds``, ``until`` -- the statement ends a hold -- or ``advances``), ``agent`` and ``side``
    (iri, label, type), ``history`` (a control statement about the past, see
    :func:`kg.analysis.control.is_history`), ``evidence``, ``document`` (IRI), ``time_source`` and
    ``confidence``. Places come in order of their first dated event, then by label (undated ones last);
    ``limit`` keeps the first ``limit`` places.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("a", "Group"), ("b", "Group"), ("x", "GPE")): G.add_node(n, label=n.upper(), type=t)
    >>> _ = G.add_edge("a", "x", key="controls", assertions=1, times=("1990",))
    >>> _ = G.add_edge("b", "x", key="controls", assertions=2, times=("1996-09",))
    >>> _ = G.add_edge("b", "x", key="advancesOn", assertions=1, times=("1996-08",))
    >>> [(e["when"], e["change"], e["agent"]["label"]) for e in place_timelines(G)[0]["events"]]
    [('1990', 'holds', 'A'), ('1996-08', 'advances', 'B'), ('1996-09', 'holds', 'B')]
    """
    _, edges = prepared(G)
    table = sides(G)
    events: dict[str, list[Row]] = defaultdict(list)
    history = _entries(G)  # every place's control history, once (control_history per place redoes it all)
    for place in sorted(history):
        for row in (_entry_row(G, e) for e in history[place]):
            events[place].append(
                {
                    "when": row["when"],
                    "relation": "controls",
                    "change": row["change"],
                    "agent": row["agent"],
                    "side": row["side"],
                    "history": row["history"],
                    "evidence": row["evidence"],
                    "document": row["document"],
                    "time_source": row["time_source"],
                    "confidence": None,
                }
            )
    for u, place, d in edges.get("advancesOn", ()):
        for s in _statements(d):
            events[place].append(
                {
                    "when": s.when,
                    "relation": "advancesOn",
                    "change": "advances",
                    "agent": ref(G, u),
                    "side": ref(G, table.get(u, u)),
                    "history": False,
                    "evidence": s.evidence,
                    "document": s.document,
                    "time_source": s.source,
                    "confidence": s.confidence,
                }
            )
    rows: list[Row] = []
    for place, found in events.items():
        found.sort(key=_key)
        rows.append({"place": ref(G, place), "events": found})
    rows.sort(
        key=lambda r: (
            r["events"][0]["when"] is None,
            r["events"][0]["when"] or "",
            r["place"]["label"].casefold(),
            r["place"]["iri"],
        )
    )
    return rows[:limit] if limit else rows

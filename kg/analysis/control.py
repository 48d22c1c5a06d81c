"""Who holds a place on a date, and how it changed hands: the control map.

Start here for "who holds X on date D": :func:`who_holds` answers it for one place, :func:`control_map`
for every place (the report's section), :func:`control_history` lists the statements behind it.

Every asserted ``kg:controls`` statement about a place is an entry of its history, in the order of the
``timeline`` query: by ``when`` (see :class:`kg.analysis.projection.Statement`: the interval's start,
else its end, else the statement's time -- its clause's, else its document's date), undated last, ends
before holds at the same time, then by agent label, evidence and document. Reading the history up to the
date asked (every statement when no date is given):

1. **Sides, not names.** An entry's holder is its agent's side (:mod:`kg.analysis.sides`): a state's
   forces holding one town and the state another do not contest anything.
2. **A later hold ends an earlier one.** When another side is said to hold the place later, the earlier
   holder has lost it; two sides said to hold it at the same time are both holders (disputed).
3. **Ends.** A statement that ends a hold ("X took the town from Y" ends Y's) or an interval's end
   ("until 1996") ends that side's hold then.
4. **History is not the present.** A statement whose own clause dates it more than a year before its
   document's date ("the fall of the city in 1992", in a 2001 report) tells the past: it is in the
   history, and holds for dates before that document, but it makes nobody the present holder once
   the document's date is reached.
5. **Nobody advances on what they hold.** When the holding side is said to advance on the place later
   than it was said to hold it, it has lost it in between.

The holders left at the end are the place's holders on that date; when none is left, ``last_held`` says
who held it last and why that ended (``ended``, ``history``, ``advancing``). A place is *contested* when
two or more sides are said to hold it (at any time up to the date).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

import networkx as nx

from kg.analysis.common import Row, cache, cut, label, prepared, ref, support
from kg.analysis.projection import Statement, check_date, on_or_before
from kg.analysis.sides import side_ref, sides
from kg.model import period_end

__all__ = ["control_history", "control_map", "holders_of", "who_holds"]


class Entry(NamedTuple):
    """One control statement of a place's history, with its agent and the agent's side."""

    key: tuple[Any, ...]
    agent: str
    side: str
    statement: Statement
    history: bool


def _statements(d: dict[str, Any]) -> tuple[Statement, ...]:
    """An edge's statements; a hand-made edge with only ``times`` (or nothing) gets one per time (or one undated)."""
    found = d.get("statements")
    if found:
        return tuple(found)
    c = d.get("confidence")
    times = d.get("times") or ()
    if times:
        return tuple(Statement(t, "holds", t, "clause", None, None, "", None, "", c, None, "") for t in times)
    return (Statement(None, "holds", None, None, None, None, "", None, "", c, None, ""),)


def _minus_year(date: str) -> str:
    return f"{int(date[:4]) - 1:04d}{date[4:]}"


def is_history(s: Statement) -> bool:
    """A point in time its own clause gives, more than a year before its (dated) document: the past.

    >>> s = Statement("1992", "holds", "1992", "clause", None, None, "d", "2001-11-13", "", None, None, "a")
    >>> is_history(s), is_history(s._replace(document_date="1993-03-01")), is_history(s._replace(source="document"))
    (True, False, False)
    """
    return (
        s.change == "holds"
        and s.source == "clause"
        and s.time is not None
        and s.start is None
        and s.end is None
        and s.document_date is not None
        and period_end(s.time) < _minus_year(s.document_date)
    )


def _entries(G: nx.MultiDiGraph) -> dict[str, list[Entry]]:
    """place -> its history (every control statement), in the ``timeline`` query's order."""
    shared = cache(G)
    if shared is not None and "control" in shared:
        found: dict[str, list[Entry]] = shared["control"]
        return found
    _, edges = prepared(G)
    table = sides(G)
    out: dict[str, list[Entry]] = defaultdict(list)
    labels = {n: str(d.get("label", n)) for n, d in G.nodes(data=True)}
    for u, place, d in edges.get("controls", ()):
        side = table.get(u, u)
        name = labels.get(u, u)
        for s in _statements(d):
            key = (s.when is None, s.when or "", s.change != "until", name, s.evidence, s.document, u)
            out[place].append(Entry(key, u, side, s, is_history(s)))
    for entries in out.values():
        entries.sort(key=lambda e: e.key)
    result = dict(out)
    if shared is not None:
        shared["control"] = result
    return result


def _advances(G: nx.MultiDiGraph) -> dict[str, list[tuple[tuple[bool, str], str]]]:
    """place -> [(when as (undated, time), advancing side)] for every advance statement."""
    shared = cache(G)
    if shared is not None and "advances" in shared:
        found: dict[str, list[tuple[tuple[bool, str], str]]] = shared["advances"]
        return found
    _, edges = prepared(G)
    table = sides(G)
    out: dict[str, list[tuple[tuple[bool, str], str]]] = defaultdict(list)
    for u, place, d in edges.get("advancesOn", ()):
        side = table.get(u, u)
        for s in _statements(d):
            out[place].append(((s.when is None, s.when or ""), side))
    result = dict(out)
    if shared is not None:
        shared["advances"] = result
    return result


class State(NamedTuple):
    """A place on a date: its holders (side -> the entries of its current run), and the last one if none."""

    holders: dict[str, list[Entry]]
    last: tuple[str, list[Entry], str] | None


def _state(entries: list[Entry], advances: list[tuple[tuple[bool, str], str]], date: str | None) -> State:
    """Read a place's history up to ``date`` (all of it when ``None``) by the rules of the module docstring."""
    ops: list[tuple[tuple[bool, str], int, int, Entry | None, str]] = []
    for i, e in enumerate(entries):
        s = e.statement
        if date is not None and not on_or_before(s.when, date):
            continue
        when = (s.when is None, s.when or "")
        ops.append((when, 0 if s.change == "until" else 1, i, e, e.side))
        if s.change == "holds" and s.end is not None and (date is None or on_or_before(s.end, date)):
            ops.append(((False, s.end), 0, i, e, e.side))
    for when, side in advances:
        if date is None or (not when[0] and on_or_before(when[1], date)):
            ops.append((when, 2, 0, None, side))
    ops.sort(key=lambda op: op[:3])
    holders: dict[str, list[Entry]] = {}
    held_at: tuple[bool, str] | None = None
    last: tuple[str, list[Entry], str] | None = None
    for when, kind, _, entry, side in ops:
        if kind == 1:
            assert entry is not None
            if entry.history and (date is None or (entry.statement.document_date or "") <= period_end(date)):
                if holders or last is None or last[0] != side or last[2] != "history":
                    last = (side, [entry], "history")
                else:
                    last[1].append(entry)
                holders, held_at = {}, when
                continue
            if held_at != when:  # a later hold ends every earlier one, except the same side's own run
                holders = {side: holders[side]} if side in holders else {}
                held_at = when
            holders.setdefault(side, []).append(entry)
            last = None
        elif side in holders:
            run = holders[side]
            if kind == 2 and not when > (run[-1].statement.when is None, run[-1].statement.when or ""):
                continue  # an advance at the same time as the hold does not end it
            del holders[side]
            if not holders:
                last = (side, run, "ended" if kind == 0 else "advancing")
    return State(holders, last)


def _date(G: nx.MultiDiGraph, date: str | None) -> str | None:
    if date is not None:
        return check_date(date)
    value = G.graph.get("as_of")
    return str(value) if value else None


def _holder_rows(G: nx.MultiDiGraph, state: State) -> list[Row]:
    rows = []
    for side, run in sorted(state.holders.items(), key=lambda x: (x[1][0].key, x[0])):
        first = run[0].statement
        agents = sorted({e.agent for e in run}, key=lambda a: (label(G, a).casefold(), a))
        rows.append(
            {
                **side_ref(G, side, agents),
                "since": first.when,
                "time_source": first.source,
                "statements": len(run),
                "evidence": first.evidence,
                "document": first.document,
            }
        )
    return rows


def _last_row(G: nx.MultiDiGraph, state: State) -> Row | None:
    if state.last is None:
        return None
    side, run, why = state.last
    s = run[-1].statement
    agents = sorted({e.agent for e in run}, key=lambda a: (label(G, a).casefold(), a))
    return {**side_ref(G, side, agents), "when": s.when, "why": why, "evidence": s.evidence, "document": s.document}


def _entry_row(G: nx.MultiDiGraph, e: Entry) -> Row:
    s = e.statement
    return {
        "when": s.when,
        "change": s.change,
        "agent": ref(G, e.agent),
        "side": ref(G, e.side),
        "time": s.time,
        "time_source": s.source,
        "start": s.start,
        "end": s.end,
        "history": e.history,
        "evidence": s.evidence,
        "document": s.document,
    }


def control_history(G: nx.MultiDiGraph, place: str) -> list[Row]:
    """Every control statement about ``place`` in time order: the rows of the ``timeline`` query, with sides.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("a", "Group"), ("b", "Group"), ("x", "Place")): G.add_node(n, label=n.upper(), type=t)
    >>> _ = G.add_edge("b", "x", key="controls", assertions=1, documents=1, times=("1996",))
    >>> _ = G.add_edge("a", "x", key="controls", assertions=1, documents=1, times=("1992",))
    >>> [(r["when"], r["agent"]["label"]) for r in control_history(G, "x")]
    [('1992', 'A'), ('1996', 'B')]
    """
    return [_entry_row(G, e) for e in _entries(G).get(place, [])]


def _sequence(G: nx.MultiDiGraph, entries: list[Entry], date: str | None) -> list[Row]:
    """Holders in time order: consecutive statements of one side merged into one period."""
    periods: list[dict[str, Any]] = []
    for e in entries:
        s = e.statement
        if date is not None and not on_or_before(s.when, date):
            continue
        last = periods[-1] if periods else None
        if last is not None and last["iri"] == e.side and not last["ended"] and last["history"] == e.history:
            last["_agents"].add(e.agent)
            last["until"] = s.end or s.when
            last["ended"] = s.change == "until" or s.end is not None
            last["statements"] += 1
            continue
        periods.append(
            {
                **ref(G, e.side),
                "_agents": {e.agent},
                "time": s.start or (s.when if s.change == "holds" else None),
                "until": s.end or s.when,
                "ended": s.change == "until" or s.end is not None,
                "history": e.history,
                "statements": 1,
                "evidence": s.evidence,
                "document": s.document,
                "time_source": s.source,
            }
        )
    for p in periods:
        agents = p.pop("_agents")
        p["agents"] = [ref(G, a) for a in sorted(agents, key=lambda a: (label(G, a).casefold(), a))]
    return periods


def who_holds(G: nx.MultiDiGraph, place: str, date: str | None = None) -> Row:
    """Who holds ``place`` at the end of ``date`` (default: the latest the graph knows), and its history.

    Returns the place, the date asked, ``holders`` (sides, each with the agents that hold for it, since
    when, and the evidence of the change that made it the holder), ``last_held`` when nobody holds it any
    more, and ``sequence``: the holders in time order, each with its dates and evidence.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("a", "Group"), ("b", "Group"), ("x", "Place")): G.add_node(n, label=n.upper(), type=t)
    >>> _ = G.add_edge("a", "x", key="controls", assertions=2, documents=2, times=("2013-01", "2014-03"))
    >>> _ = G.add_edge("b", "x", key="controls", assertions=1, documents=1, times=("2013-06",))
    >>> [h["label"] for h in who_holds(G, "x")["holders"]], [h["label"] for h in who_holds(G, "x", "2013")["holders"]]
    (['A'], ['B'])
    >>> [(p["label"], p["time"]) for p in who_holds(G, "x")["sequence"]]
    [('A', '2013-01'), ('B', '2013-06'), ('A', '2014-03')]
    """
    date = _date(G, date)
    entries = _entries(G).get(place, [])
    state = _state(entries, _advances(G).get(place, []), date)
    return {
        "place": ref(G, place),
        "as_of": date,
        "holders": _holder_rows(G, state),
        "last_held": _last_row(G, state),
        "sequence": _sequence(G, entries, date),
    }


def holders_of(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """place -> the sides holding it on the graph's date (``G.graph["as_of"]``, or the latest): for fronts, blocs."""
    shared = cache(G)
    if shared is not None and "holders" in shared:
        found: dict[str, list[str]] = shared["holders"]
        return found
    date = _date(G, None)
    advances = _advances(G)
    out = {p: sorted(_state(es, advances.get(p, []), date).holders) for p, es in _entries(G).items()}
    if shared is not None:
        shared["holders"] = out
    return out


def control_map(G: nx.MultiDiGraph, limit: int | None = None, as_of: str | None = None) -> Row:
    """Each place with its holders on a date, everyone said to control it, and how it changed hands.

    ``as_of`` (default: ``G.graph["as_of"]``, else every statement, i.e. the latest the graph knows) is the
    date read up to; the rules are in the module docstring. Per place: ``holders`` (sides on that date, with
    their agents, since when and the evidence), ``last_held`` (when nobody holds it any more), ``latest``
    (the first holder's agent and since when, or ``None``), ``controllers`` (every agent said to control it,
    with support), ``sides`` and ``contested`` (two or more sides), and ``sequence`` (holders in time order
    with dates and evidence). ``changes`` lists the places whose sequence has two or more sides. Places are
    listed contested first, then by support.

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
    date = _date(G, as_of)
    keys, edges = prepared(G)
    table = sides(G)
    entries = _entries(G)
    advances = _advances(G)
    held: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for u, v, d in edges.get("controls", ()):
        if date is None or any(on_or_before(s.when, date) for s in _statements(d)):
            held[v].append((u, d))
    side_sets = {
        p: sorted({table.get(u, u) for u, _ in ctrl}, key=lambda s: keys.get(s, (s, s))) for p, ctrl in held.items()
    }
    order = sorted(
        held, key=lambda p: (-len(side_sets[p]), -len(held[p]), -sum(support(d) for _, d in held[p]), keys[p])
    )
    places: list[Row] = []
    shown, more = cut(order, limit)
    for place in shown:
        ctrl = sorted(held[place], key=lambda x: (-support(x[1]), keys[x[0]]))
        state = _state(entries.get(place, []), advances.get(place, []), date)
        holder_rows = _holder_rows(G, state)
        sequence = _sequence(G, entries.get(place, []), date)
        first = holder_rows[0] if holder_rows else None
        places.append(
            {
                "place": ref(G, place),
                "holders": holder_rows,
                "last_held": _last_row(G, state),
                "latest": (
                    {
                        **first["agents"][0],
                        "time": first["since"],
                        "side": {k: first[k] for k in ("iri", "label", "type")},
                    }
                    if first
                    else None
                ),
                "controllers": [
                    {**ref(G, u), **_support_row(d), "side": ref(G, table.get(u, u))} for u, d in cut(ctrl, limit)[0]
                ],
                "controllers_more": cut(ctrl, limit)[1],
                "sides": [ref(G, s) for s in side_sets[place]],
                "contested": len(side_sets[place]) > 1,
                "sequence": cut(sequence, limit)[0],
                "sequence_more": cut(sequence, limit)[1],
            }
        )
    changes: list[tuple[tuple[Any, ...], str, list[Row]]] = []
    for place in order:
        if len(side_sets[place]) < 2:
            continue
        sequence = _sequence(G, entries.get(place, []), date)
        if len({p["iri"] for p in sequence}) > 1:
            changes.append(((-len(sequence), keys[place]), place, sequence))
    changes.sort(key=lambda c: c[0])
    contested = [label(G, p) for p in order if len(side_sets[p]) > 1]
    return {
        "as_of": date,
        "latest_document_date": G.graph.get("latest_document_date"),
        "places": places,
        "places_more": more,
        "contested": cut(contested, limit)[0],
        "contested_count": len(contested),
        "changes": [
            {"place": ref(G, p), "sequence": cut(seq, limit)[0], "sequence_more": cut(seq, limit)[1]}
            for _, p, seq in cut(changes, limit)[0]
        ],
        "changes_more": cut(changes, limit)[1],
    }


def _support_row(d: dict[str, Any]) -> Row:
    return {
        "assertions": int(d.get("assertions", 0)),
        "documents": int(d.get("documents", 0)),
        "times": list(d.get("times", ())),
    }

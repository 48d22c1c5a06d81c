"""``kg analyze``'s report: every section for one projection (:func:`report`), printed as text, Markdown or JSON
(:func:`render`).

Output is deterministic: rows are sorted on (score, label, IRI), floats are rounded, and the algorithms
that sample or shuffle (betweenness, Louvain) run with a fixed seed on integer node ids, so neither dict
order nor Python's string hashing can change a result.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from kg.analysis.advice import advisory_network
from kg.analysis.blocs import blocs
from kg.analysis.centrality import centrality
from kg.analysis.common import DIGITS, SHARED, Row, by_relation, gc_paused, keys_of
from kg.analysis.control import control_map
from kg.analysis.defections import defection_flows
from kg.analysis.fronts import fronts
from kg.analysis.paths import FORMATS
from kg.analysis.projection import as_of as restrict
from kg.analysis.summary import summary
from kg.errors import KGError
from kg.rdf.namespace import RELATIONS

__all__ = ["SECTIONS", "render", "report"]

log = logging.getLogger(__name__)

#: Report sections in order: name -> function(G, limit, seed).
SECTIONS: dict[str, Callable[[nx.MultiDiGraph, int | None, int], Row]] = {
    "summary": lambda G, limit, seed: summary(G),
    "control": lambda G, limit, seed: control_map(G, limit),
    "fronts": lambda G, limit, seed: fronts(G, limit),
    "defections": lambda G, limit, seed: defection_flows(G, limit),
    "advisory": lambda G, limit, seed: advisory_network(G, limit),
    "centrality": lambda G, limit, seed: centrality(G, limit, seed),
    "blocs": lambda G, limit, seed: blocs(G, limit, seed),
}


def report(
    G: nx.MultiDiGraph,
    limit: int | None = 25,
    seed: int = 0,
    timings: dict[str, tuple[float, float]] | None = None,
    as_of: str | None = None,
) -> Row:
    """Every section of ``kg analyze`` for the projection ``G``, as one JSON-ready dict.

    ``as_of`` (a date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) reads the graph as it stood at the end of
    that date (:func:`kg.analysis.projection.as_of`); by default every statement counts, i.e. the latest
    state the graph knows (the summary gives the latest document date). ``limit`` caps the rows of each
    list (``None`` or 0: all); ``timings``, when given, receives the (wall, CPU) seconds each section took
    (and ``index``: the sort keys and edge lists the sections share).

    Examples
    --------
    >>> r = report(nx.MultiDiGraph())
    >>> list(r)
    ['summary', 'control', 'fronts', 'defections', 'advisory', 'centrality', 'blocs']
    >>> r["summary"]["entities"], r["summary"]["density"], r["centrality"]["betweenness"]
    (0, None, None)
    """
    out: Row = {}
    with gc_paused():
        wall, cpu = time.perf_counter(), time.process_time()
        if as_of is not None:
            G = restrict(G, as_of)
        token = SHARED.set((G, keys_of(G), by_relation(G), {}))
        if timings is not None:
            timings["index"] = (time.perf_counter() - wall, time.process_time() - cpu)
        try:
            for name, fn in SECTIONS.items():
                wall, cpu = time.perf_counter(), time.process_time()
                out[name] = fn(G, limit, seed)
                elapsed = (time.perf_counter() - wall, time.process_time() - cpu)
                if timings is not None:
                    timings[name] = elapsed
                log.info("analyze: %s took %.2f s (%.2f s CPU)", name, *elapsed)
        finally:
            SHARED.reset(token)
    return out


# --------------------------------------------------------------------------------------------- rendering


def _na(value: Any) -> str:
    if value is None:
        return "N/A"
    if isinstance(value, float):
        return f"{value:.{DIGITS}f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)


def _names(refs: Iterable[Row], more: int = 0) -> str:
    text = ", ".join(r["label"] for r in refs) or "-"
    return f"{text} … +{more} more" if more else text


def _with_support(r: Row) -> str:
    times = f", {'/'.join(r['times'])}" if r.get("times") else ""
    return f"{r['label']} ({r['assertions']}{times})"


def _side(r: Row) -> str:
    """A side with the agents acting for it, when they are not just the side itself: 'Russia (Russian forces)'."""
    others = [a["label"] for a in r.get("agents", ()) if a["iri"] != r["iri"]]
    return f"{r['label']} ({', '.join(others)})" if others else r["label"]


def _holders(r: Row) -> str:
    if r["holders"]:
        text = "; ".join(f"{_side(h)} since {h['since']}" if h["since"] else _side(h) for h in r["holders"])
        return text + (" (disputed)" if len(r["holders"]) > 1 else "")
    last = r["last_held"]
    if last:
        why = {"ended": "ended", "history": "history", "advancing": "it advanced on it later"}[last["why"]]
        return f"nobody known (last: {_side(last)}, {last['when'] or 'undated'}: {why})"
    return "nobody known"


def _period(p: Row) -> str:
    when = p["time"] or ""
    if p["ended"]:
        if when and p["until"] and p["until"] != when:
            when = f"{when}–{p['until']}"
        elif not when:
            when = f"until {p['until']}" if p["until"] else "undated, ended"
    text = f"{_side(p)} ({when or 'undated'}"
    return text + (", history)" if p["history"] else ")")


Table = tuple[str, list[str], list[list[str]], int]


def _tables(rep: Row) -> list[tuple[str, str, list[Table]]]:
    """The report as sections of (title, note, tables); each table is (caption, header, rows, rows left out)."""
    s = rep["summary"]
    summary_rows = [
        ["entities", str(s["entities"])],
        *[[f"  {t}", str(c)] for t, c in s["by_type"].items()],
        ["relations (edges / assertions)", f"{s['edges']} / {sum(r['assertions'] for r in s['relations'].values())}"],
        *[[f"  {r}", f"{c['edges']} / {c['assertions']}"] for r, c in s["relations"].items()],
        ["side links", str(sum(s["links"].values()))],
        *[[f"  {r}", str(c)] for r, c in s["links"].items()],
        ["sides with more than one agent", str(s["sides"])],
        ["statements not asserted (left out)", str(s["unasserted"])],
        ["documents", str(s["documents"])],
        ["latest document date", _na(s["latest_document_date"])],
        ["components (weak)", str(s["components"]) if s["entities"] else "N/A"],
        ["largest component", _na(s["largest_component"])],
        ["isolated entities", str(s["isolated"]) if s["entities"] else "N/A"],
        ["density", _na(s["density"])],
    ]
    c = rep["control"]
    as_of = f"as of {c['as_of']}" if c["as_of"] else "as of the latest statements"
    if not c["as_of"] and c["latest_document_date"]:
        as_of += f" (latest document date {c['latest_document_date']})"
    control_rows = [
        [
            r["place"]["label"],
            _holders(r),
            "; ".join(_with_support(x) for x in r["controllers"])
            + (f" … +{r['controllers_more']} more" if r["controllers_more"] else ""),
            "yes" if r["contested"] else "no",
        ]
        for r in c["places"]
    ]
    change_rows = [
        [r["place"]["label"], " → ".join(_period(p) for p in r["sequence"]) + (" …" if r["sequence_more"] else "")]
        for r in c["changes"]
    ]
    evidence_rows = [
        [r["place"]["label"], p["time"] or p["until"] or "undated", _side(p), p["evidence"] or "-"]
        for r in c["changes"]
        for p in r["sequence"]
    ]
    f = rep["fronts"]
    front_rows = [
        [
            r["place"]["label"],
            "; ".join(_with_support(x) for x in r["advancing"])
            + (f" … +{r['advancing_more']} more" if r["advancing_more"] else ""),
            _names(r["held_by"], r["held_by_more"]) if r["held_by"] else "nobody known",
            "yes" if r["front"] else "no",
        ]
        for r in f["places"]
    ]
    d = rep["defections"]
    flow_rows = [
        [
            r["from"]["label"] if r["from"] else "(side not stated)",
            r["to"]["label"],
            _names(r["defectors"]),
            str(r["assertions"]),
            str(r["documents"]),
            "/".join(r["times"]) or "-",
        ]
        for r in d["flows"]
    ]
    net_rows = [[r["label"], str(r["gained"]), str(r["lost"]), f"{r['net']:+d}"] for r in d["net"]]
    a = rep["advisory"]
    advice_rows = [
        [r["adviser"]["label"], r["advised"]["label"], str(r["assertions"]), str(r["documents"])] for r in a["links"]
    ]
    patron_rows = [[r["label"], _names(r["clients"], r["clients_more"])] for r in a["patrons"]]
    ce = rep["centrality"]

    def degrees(r: Row) -> list[str]:
        return [f"{o}/{i}" for o, i in (r["degree"][rel] for rel in RELATIONS)]

    pr_rows = [
        [r["label"], r["type"] or "-", _na(r["pagerank"]), _na(r["betweenness"]), *degrees(r)]
        for r in ce["by_pagerank"]
    ]
    bt_rows = [[r["label"], r["type"] or "-", _na(r["betweenness"])] for r in ce["by_betweenness"]]
    method = ce["betweenness"]
    bt_note = (
        "N/A (no entities)"
        if method is None
        else "exact"
        if method["method"] == "exact"
        else f"estimated from {method['sources']} sampled sources (seed {method['seed']})"
    )
    b = rep["blocs"]
    bloc_rows = [
        [
            str(i + 1),
            str(r["size"]),
            _names(r["members"], r["members_more"]),
            ", ".join(f"{k} {v}" for k, v in r["ties"].items()),
            _names(r["controls"], r["controls_more"]),
        ]
        for i, r in enumerate(b["blocs"])
    ]
    contested = ", ".join(c["contested"]) or "none"
    if c["contested_count"] > len(c["contested"]):
        contested += f" … and {c['contested_count'] - len(c['contested'])} more"
    return [
        ("Summary", "", [("", ["measure", "value"], summary_rows, 0)]),
        (
            "Control map",
            f"Who holds each place, {as_of}: sides (a state with its forces and officials, a person with the group "
            f"they serve) and since when. Contested places (held by two or more sides): {contested}. Controllers "
            "with (assertions, times). A fact dated years before its report is history, not the present holder.",
            [
                ("", ["place", "held by", "said to control", "contested"], control_rows, c["places_more"]),
                ("Changes of hands", ["place", "holders in time order"], change_rows, c["changes_more"]),
                ("Evidence for each change", ["place", "when", "holder", "evidence"], evidence_rows, 0),
            ],
        ),
        (
            "Fronts",
            f"Fronts (a side advances on a place another side holds, or nobody is known to): {f['fronts']}.",
            [("", ["place", "advancing (assertions, times)", "held by", "front"], front_rows, f["places_more"])],
        ),
        (
            "Defection flows",
            "From the side left (named by the text, else the defector's own side) to the side joined.",
            [
                ("", ["from", "to", "defectors", "assertions", "documents", "times"], flow_rows, d["flows_more"]),
                ("Net gain or loss", ["side", "gained", "lost", "net"], net_rows, d["net_more"]),
            ],
        ),
        (
            "Advisory network",
            "Outside patrons advise others but their side neither controls nor advances on any place.",
            [
                ("", ["adviser", "advised", "assertions", "documents"], advice_rows, a["links_more"]),
                ("Outside patrons", ["patron", "advises"], patron_rows, a["patrons_more"]),
            ],
        ),
        (
            "Centrality",
            f"PageRank over support-weighted relations, direction ignored; betweenness {bt_note}; "
            "degree as out/in per relation.",
            [
                ("By PageRank", ["entity", "type", "PageRank", "betweenness", *RELATIONS], pr_rows, ce["more"]),
                ("Brokers (by betweenness)", ["entity", "type", "betweenness"], bt_rows, 0),
            ],
        ),
        (
            "Blocs",
            f"Louvain communities (seed {b['method']['seed']}) of sides tied by advice.",
            [("", ["bloc", "size", "sides", "ties", "holds"], bloc_rows, b["more"])],
        ),
    ]


def _text_table(header: list[str], rows: list[list[str]], width: int | None) -> list[str]:
    from kg.tables import render_table

    return render_table(header, rows, width=width).splitlines()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rep: Row, fmt: str = "table", width: int | None = None) -> str:
    """The report as text: ``table`` (plain text, cells wrapped to ``width``: see :func:`kg.tables.render_table`),
    ``markdown`` or ``json``.

    Examples
    --------
    >>> text = render(report(nx.MultiDiGraph()), "markdown")
    >>> text.splitlines()[0], "N/A" in text
    ('# kg analysis', True)
    """
    if fmt == "json":
        return json.dumps(rep, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    md = fmt == "markdown"
    out: list[str] = ["# kg analysis" if md else "kg analysis", ""]
    for title, note, tables in _tables(rep):
        out += [f"## {title}" if md else f"== {title}", ""]
        if note:
            out += [note, ""]
        for caption, header, rows, more in tables:
            if caption:
                out += [f"### {caption}" if md else f"-- {caption}", ""]
            if not rows:
                out += ["N/A (none in this graph)", ""]
                continue
            if md:
                out.append("| " + " | ".join(header) + " |")
                out.append("|" + "|".join("---" for _ in header) + "|")
                out += ["| " + " | ".join(_md_cell(x) for x in r) + " |" for r in rows]
            else:
                out += _text_table(header, rows, width)
            if more:
                out.append(f"… and {more} more (raise --limit, or --limit 0 for all)")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"

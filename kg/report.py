"""``kg report``: one offline HTML page to look at -- who holds what on a map, what happened when, who is
connected to whom, and the tables of ``kg analyze`` -- with the evidence one click away.

Everything the page says about control comes from :mod:`kg.analysis` (the control map with its holders,
sides and changes of hands, the fronts and the per-place timelines are its functions' results; nothing
here decides who holds a place), and every sentence from the statements behind the projection's edges.
The page is drawn in Python as SVG
(map, timeline, network) and HTML, through a Jinja2 template with autoescaping, so it needs no script at
all: its Content-Security-Policy allows none, loads nothing (``default-src 'none'``) and admits only its
own stylesheet, by hash. Text from documents reaches the page only as escaped text.

The map draws country borders and coastlines from Natural Earth (:mod:`kg.geo`), each place at its
coordinates coloured by the side holding it on the graph's latest date (wedges when several sides hold it
at once, grey when none does), advances as arrows from the advancing side's nearest place it holds
(dashed when it holds none).

:func:`report_data` gathers everything as JSON-ready data (``kg report --format json``);
:func:`render_html` draws it; :func:`write_report` does both and writes the page atomically.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from rdflib import Graph

from kg import analysis
from kg.geo import BORDER, LAND, SEA, Frame, basemap, frame_for
from kg.rdf.namespace import RELATIONS
from kg.viz import RELATION_COLOR, TYPE_STYLE

Row = dict[str, Any]

#: Side colours, in order of how many places a side holds (Tableau 10 without its grey).
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
#: A place nobody is said to hold.
NO_HOLDER = "#9e9e9e"
#: Sides past the palette share one dark colour (the place's card names them): reusing a colour would say two
#: sides are one.
OTHER_SIDE = "#4d4d4d"
#: An advance whose side holds nothing nearer than this (km) gets a short dashed arrow, not one across the map.
ARROW_MAX_KM = 1000.0
#: Places this close (km, in a chain) share a map; farther groups get maps of their own.
THEATRE_KM = 1500.0
MAP_WIDTH, MAP_HEIGHT = 960, 620
NETWORK_WIDTH, NETWORK_HEIGHT = 960, 640
#: Entities drawn in the network figure (the most central); the page says how many it left out.
NETWORK_MAX = 80
#: Places in the timeline figure (the places list below it has all).
TIMELINE_MAX = 40


@dataclass(frozen=True)
class ReportOptions:
    """What the page shows: ``limit`` rows per analysis table (0: all), ``seed`` for the layouts."""

    title: str = "kg report"
    limit: int = 25
    seed: int = 0


# ---------------------------------------------------------------- gathering


def _document_names(graph: Graph, G: nx.MultiDiGraph) -> dict[str, str]:
    """document IRI -> what a reader knows it by (title and file), for every document behind a statement."""
    import pyoxigraph as ox

    from kg.query import display_names

    docs = {s.document for _, _, d in G.edges(data=True) for s in d.get("statements", ()) if s.document}
    return display_names(graph, [ox.NamedNode(iri) for iri in sorted(docs)])


def _source(s: Any, names: Mapping[str, str]) -> Row:
    """One statement as the page shows it: the sentence, its document, when, how sure."""
    return {
        "text": s.evidence,
        "document": names.get(s.document, s.document),
        "time": s.when,
        "time_source": s.source,
        "confidence": s.confidence,
    }


def _side(agent: Mapping[str, Any]) -> Row:
    """The side an agent is on, as the analysis gives it (the agent itself when it gives none)."""
    side = agent.get("side") or agent
    return {"iri": side["iri"], "label": side["label"]}


def _coords(G: nx.MultiDiGraph, iri: str) -> tuple[float, float] | None:
    d = G.nodes[iri] if iri in G else {}
    lat, long = d.get("lat"), d.get("long")
    return None if lat is None or long is None else (float(lat), float(long))


def report_data(graph: Graph, options: ReportOptions | None = None) -> Row:
    """Everything the page shows, as JSON-ready data (``kg report --format json``).

    Holders, sides, changes of hands and fronts are the analysis' (:func:`kg.analysis.control_map`,
    :func:`kg.analysis.fronts`, :func:`kg.analysis.place_timelines`), computed on the graph's latest date;
    the sentences are the statements behind each edge of the projection.
    """
    options = options or ReportOptions()
    G = analysis.project(graph)
    with analysis.shared(G):
        rep = analysis.report(G, limit=options.limit or None, seed=options.seed)
        control = analysis.control_map(G)
        fronts = analysis.fronts(G)
        timelines = {t["place"]["iri"]: t["events"] for t in analysis.place_timelines(G)}
        side_of = analysis.sides(G)
    names = _document_names(graph, G)
    evidence = {
        (u, str(k), v): [_source(s, names) for s in d.get("statements", ())]
        for u, v, k, d in G.edges(keys=True, data=True)
    }

    def named(row: Row | None) -> Row | None:
        if row is None:
            return None
        return {**row, "document": names.get(row.get("document") or "", row.get("document"))}

    places: dict[str, Row] = {}

    def place(ref: Mapping[str, Any]) -> Row:
        iri = ref["iri"]
        if iri not in places:
            at = _coords(G, iri)
            places[iri] = {
                "iri": iri,
                "label": ref["label"],
                "type": ref.get("type", ""),
                "lat": at[0] if at else None,
                "long": at[1] if at else None,
                "holders": [],
                "last_held": None,
                "controllers": [],
                "contested": False,
                "advancing": [],
                "front": False,
                "sequence": [],
                "events": [],
            }
        return places[iri]

    for row in control["places"]:
        p = place(row["place"])
        p["holders"] = [named(h) for h in row["holders"]]
        p["last_held"] = named(row["last_held"])
        p["controllers"] = [{**c, "side": _side(c)} for c in row["controllers"]]
        p["contested"] = bool(row["contested"])
        p["sequence"] = [named(x) for x in row["sequence"]]
    for row in fronts["places"]:
        p = place(row["place"])
        p["advancing"] = [{**a, "side": _side(a)} for a in row["advancing"]]
        p["front"] = bool(row["front"])
    for iri, found in timelines.items():
        p = place({"iri": iri, "label": G.nodes[iri].get("label", iri), "type": G.nodes[iri].get("type", "")})
        p["events"] = [{**e, "document": names.get(e["document"], e["document"])} for e in found]
    defections: dict[str, list[tuple[str, list[Row]]]] = defaultdict(list)
    for (u, r, v), found in sorted(evidence.items()):
        if r == "defectsTo":
            defections[u].append((side_of.get(v, v), found))
    for flow in rep["defections"]["flows"]:  # a flow joins sides: its sources are its defectors' statements
        to = flow["to"]["iri"]
        flow["sources"] = [
            src for d in flow["defectors"] for side, found in defections[d["iri"]] if side == to for src in found
        ]
    ordered = sorted(places.values(), key=lambda p: (p["label"].casefold(), p["iri"]))
    sides = _side_colours(ordered)
    for p in ordered:
        p["colour"] = sides[p["holders"][0]["iri"]]["colour"] if len(p["holders"]) == 1 else NO_HOLDER
    isolated = sorted((str(d.get("label", n)) for n, d in G.nodes(data=True) if G.degree(n) == 0), key=str.casefold)
    return {
        "title": options.title,
        "as_of": control["as_of"] or control.get("latest_document_date"),
        "summary": rep["summary"],
        "analysis": rep,
        "places": ordered,
        "sides": list(sides.values()),
        "isolated": isolated,
        "network": network_figure(G, options.seed),
        "evidence": [
            {"subject": s, "relation": r, "object": o, "statements": evs} for (s, r, o), evs in sorted(evidence.items())
        ],
    }


def _side_colours(places: Sequence[Row]) -> dict[str, Row]:
    """side IRI -> {iri, label, colour, places}: sides holding more places get the first colours."""
    held: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    for p in places:
        for who in [*p["holders"], *(c["side"] for c in p["controllers"]), *(a["side"] for a in p["advancing"])]:
            labels[who["iri"]] = who["label"]
            held[who["iri"]] += 0
        for e in p["events"]:
            labels[e["side"]["iri"]] = e["side"]["label"]
            held[e["side"]["iri"]] += 0
        for h in p["holders"]:
            held[h["iri"]] += 1
    order = sorted(held, key=lambda s: (-held[s], labels[s].casefold(), s))
    return {
        s: {"iri": s, "label": labels[s], "colour": PALETTE[i] if i < len(PALETTE) else OTHER_SIDE, "places": held[s]}
        for i, s in enumerate(order)
    }


# ---------------------------------------------------------------- drawing: map


def _anchor(prefix: str, iri: str) -> str:
    """A stable, safe HTML id for an IRI."""
    return prefix + "-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:12]


def _wedges(x: float, y: float, r: float, colours: Sequence[str]) -> list[Row]:
    """A circle cut into equal pie slices, one per colour (a place several sides hold)."""
    out = []
    n = len(colours)
    for i, colour in enumerate(colours):
        a0, a1 = 2 * math.pi * i / n - math.pi / 2, 2 * math.pi * (i + 1) / n - math.pi / 2
        x0, y0 = x + r * math.cos(a0), y + r * math.sin(a0)
        x1, y1 = x + r * math.cos(a1), y + r * math.sin(a1)
        large = 1 if a1 - a0 > math.pi else 0
        d = f"M{x:.1f} {y:.1f} L{x0:.1f} {y0:.1f} A{r:g} {r:g} 0 {large} 1 {x1:.1f} {y1:.1f} Z"
        out.append({"d": d, "colour": colour})
    return out


def _shorten(x0: float, y0: float, x1: float, y1: float, by: float) -> tuple[float, float]:
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    return round(x1 - (x1 - x0) * by / length, 1), round(y1 - (y1 - y0) * by / length, 1)


def theatres(places: Sequence[Row], km: float = THEATRE_KM) -> list[list[Row]]:
    """Places with coordinates in groups a map each: places within ``km`` of one another (a chain of them)
    share a map, so a corpus about several wars gets a map per war instead of one of the whole world.
    Largest group first.

    >>> ps = [{"label": n, "lat": la, "long": lo} for n, la, lo in (("A", 34.5, 69.2), ("B", 31.6, 65.7),
    ...       ("C", 37.5, 127.0))]
    >>> [[p["label"] for p in t] for t in theatres(ps)]
    [['A', 'B'], ['C']]
    """
    located = [p for p in places if p["lat"] is not None]
    group = list(range(len(located)))

    def find(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    # compare only places in neighbouring grid cells (a cell spans ``km`` north-south; east-west as many
    # cells as ``km`` covers at the row's highest latitude), not every pair: 4,000 places take milliseconds
    deg = km / 111.2
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(located):
        cells[int((p["lat"] + 90) // deg), int((p["long"] + 180) // deg)].append(i)
    columns = int(360 // deg) + 1
    for (row, col), members in sorted(cells.items()):
        top = min(90.0, max(abs(-90 + (row + k) * deg) for k in (-1, 0, 1, 2)))
        reach = min(columns, math.ceil(1 / max(math.cos(math.radians(top)), 1e-3)) + 1)
        for dr in (-1, 0, 1):
            for dc in range(-reach, reach + 1):
                for j in cells.get((row + dr, (col + dc) % columns), ()):
                    for i in members:
                        if i < j and find(i) != find(j):
                            a, b = located[i], located[j]
                            if km_between(a["lat"], a["long"], b["lat"], b["long"]) <= km:
                                group[find(i)] = find(j)
    out: dict[int, list[Row]] = defaultdict(list)
    for i, p in enumerate(located):
        out[find(i)].append(p)
    return sorted(out.values(), key=lambda t: (-len(t), t[0]["label"].casefold()))


def map_figures(data: Row) -> list[Row]:
    """One map per theatre (see :func:`theatres`), each titled by its busiest places when there are several."""
    groups = theatres(data["places"])
    figures = []
    for i, group in enumerate(groups):
        figure = map_figure(data, group)
        if figure is None:
            continue
        busiest = sorted(group, key=lambda p: (-len(p["events"]), p["label"].casefold()))[:4]
        figure["id"] = "map-svg" if i == 0 else f"map-svg-{i + 1}"
        figure["title"] = ", ".join(p["label"] for p in busiest) if len(groups) > 1 else ""
        figures.append(figure)
    return figures


def map_figure(
    data: Row, located: Sequence[Row] | None = None, width: int = MAP_WIDTH, height: int = MAP_HEIGHT
) -> Row | None:
    """A map as drawing instructions: frame, countries, places (dots or wedges), arrows, labels (all places
    with coordinates, or those of ``located``)."""
    located = [p for p in (data["places"] if located is None else located) if p["lat"] is not None]
    frame = frame_for(((p["lat"], p["long"]) for p in located), width, height)
    if frame is None:
        return None
    sides = {s["iri"]: s["colour"] for s in data["sides"]}
    dots: list[Row] = []
    taken: list[tuple[float, float, float, float]] = []
    for p in located:
        x, y = frame.project(p["lat"], p["long"])
        r = 7.0 if p["holders"] or p["controllers"] else 5.0
        colours = [sides[h["iri"]] for h in p["holders"]]
        dots.append(
            {
                "x": x,
                "y": y,
                "r": r,
                "colour": p["colour"],
                "wedges": _wedges(x, y, r, colours) if len(colours) > 1 else [],
                "label": p["label"],
                "anchor": _anchor("place", p["iri"]),
                "iri": p["iri"],
                "title": _place_title(p),
            }
        )
        taken.append((x - r, y - r, x + r, y + r))
    arrows = _arrows(located, frame, sides)
    labels = _labels(dots, taken, frame)
    countries = basemap(frame)
    return {
        "scale": _scale_bar(frame),
        "frame": frame,
        "countries": countries,
        "dots": dots,
        "arrows": arrows,
        "labels": labels,
        "country_names": [c for c in countries if c.label_at is not None],
    }


def _scale_bar(frame: Frame) -> Row | None:
    """A round distance (km) about 120 px long at the frame's middle latitude."""
    mid = math.radians((frame.north + frame.south) / 2)
    km_per_px = 111.32 * math.cos(mid) / frame.kx
    if km_per_px <= 0:
        return None
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if km / km_per_px >= 90:
            return {"km": km, "px": round(km / km_per_px, 1)}
    return None


def holding_text(p: Row) -> str:
    """Who holds a place, in words: 'held by X since D', 'disputed by X and Y', 'last held by X (...)'."""
    holders = p["holders"]
    if len(holders) == 1:
        h = holders[0]
        return f"held by {h['label']}" + (f" since {h['since']}" if h.get("since") else "")
    if holders:
        return "disputed: held by " + " and ".join(h["label"] for h in holders) + " at the same time"
    last = p.get("last_held")
    if last:
        why = {"ended": "that hold ended", "history": "said of the past", "advancing": "it advanced on it since"}
        return f"nobody holds it now; last held by {last['label']} ({why.get(last['why'], last['why'])})"
    return "no one is said to hold it"


def _place_title(p: Row) -> str:
    adv = ("advanced on by " + ", ".join(a["label"] for a in p["advancing"])) if p["advancing"] else ""
    return " · ".join(x for x in (p["label"], holding_text(p), adv) if x)


def _arrows(located: list[Row], frame: Frame, sides: Mapping[str, str]) -> list[Row]:
    """An arrow per (advancing side, place): from the side's nearest place it holds, else a short dashed one."""
    held_by_side: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    for p in located:
        for h in p["holders"]:
            held_by_side[h["iri"]].append((*frame.project(p["lat"], p["long"]), p["lat"], p["long"]))
    out: list[Row] = []
    for p in located:
        tx, ty = frame.project(p["lat"], p["long"])
        seen: set[str] = set()
        for k, a in enumerate(p["advancing"]):
            side = a["side"]["iri"]
            if side in seen:
                continue
            seen.add(side)
            bases = [
                b
                for b in held_by_side.get(side, [])
                if (b[0], b[1]) != (tx, ty) and km_between(b[2], b[3], p["lat"], p["long"]) <= ARROW_MAX_KM
            ]
            if bases:
                bx, by, _, _ = min(bases, key=lambda b: (math.hypot(b[0] - tx, b[1] - ty), b))
                dashed = False
            else:  # where it came from is not in the graph: a short arrow from the north-west
                angle = math.radians(225 + 25 * k)
                bx, by = round(tx + 55 * math.cos(angle), 1), round(ty + 55 * math.sin(angle), 1)
                dashed = True
            x1, y1 = _shorten(bx, by, tx, ty, 11)
            out.append(
                {
                    "x0": bx,
                    "y0": by,
                    "x1": x1,
                    "y1": y1,
                    "colour": sides[side],
                    "dashed": dashed,
                    "title": f"{a['label']} advances on {p['label']}",
                }
            )
    return out


def km_between(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in km (haversine).

    >>> round(km_between(0.0, 0.0, 0.0, 1.0))
    111
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _labels(dots: list[Row], taken: list[tuple[float, float, float, float]], frame: Frame) -> list[Row]:
    """Place names beside their dots where they fit (right, left, above, below), never over one another."""
    out: list[Row] = []
    boxes = list(taken)
    for d in sorted(dots, key=lambda d: (-d["r"], d["label"].casefold(), d["iri"])):
        w = 7.0 * len(d["label"]) + 4
        x, y, r = d["x"], d["y"], d["r"]
        for lx, ly, anchor in (
            (x + r + 3, y + 4, "start"),
            (x - r - 3, y + 4, "end"),
            (x, y - r - 4, "middle"),
            (x, y + r + 13, "middle"),
        ):
            left = lx if anchor == "start" else lx - w if anchor == "end" else lx - w / 2
            box = (left, ly - 11, left + w, ly + 3)
            inside = box[0] >= 0 and box[2] <= frame.width and box[1] >= 0 and box[3] <= frame.height
            if inside and not any(_overlap(box, b) for b in boxes):
                boxes.append(box)
                out.append({"x": round(lx, 1), "y": round(ly, 1), "anchor": anchor, "text": d["label"]})
                break
    return out


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# ---------------------------------------------------------------- drawing: timeline


def timeline_figure(data: Row, max_places: int = TIMELINE_MAX) -> Row | None:
    """The timeline: a row per place, a column per distinct time (in order, not to scale).

    Bars are the analysis' holders in time order (its ``sequence``), each in its side's colour from the
    change that made it the holder until the next change or the end of its hold; holds said of the past
    are paler. Advances are triangles; statements with no date sit in a last column.
    """
    rows = [p for p in data["places"] if p["events"]]
    rows.sort(key=lambda p: (p["events"][0]["when"] is None, p["events"][0]["when"] or "", p["label"].casefold()))
    more = max(0, len(rows) - max_places)
    rows = rows[:max_places]
    if not rows:
        return None
    times = sorted(
        {e["when"] for p in rows for e in p["events"] if e["when"]}
        | {t for p in rows for x in p["sequence"] for t in (x.get("time"), x.get("until")) if t}
    )
    undated = any(e["when"] is None for p in rows for e in p["events"])
    columns = [*times, *(["undated"] if undated else [])]
    col_w, row_h, left, top = 92, 30, 190, 46
    width, height = left + col_w * len(columns) + 10, top + row_h * len(rows) + 8
    col = {t: i for i, t in enumerate(columns)}
    sides = {s["iri"]: s["colour"] for s in data["sides"]}

    def cx(c: float) -> float:
        return left + c * col_w + col_w / 2

    marks: list[Row] = []
    bars: list[Row] = []
    for r, p in enumerate(rows):
        y = top + r * row_h
        href = "#" + _anchor("place", p["iri"])
        periods = [x for x in p["sequence"] if x.get("time") or x.get("until")]
        for i, x in enumerate(periods):
            start = col[x["time"]] if x.get("time") else col[x["until"]] - 0.45
            if x["ended"] or x["history"]:
                end = col[x["until"]] if x.get("until") else start + 0.45
            elif i + 1 < len(periods):
                nxt = periods[i + 1]
                end = col[nxt["time"]] if nxt.get("time") else col[nxt["until"]]
            else:
                held = any(h["iri"] == x["iri"] for h in p["holders"])
                end = len(times) - 1 + 0.45 if held else (col[x["until"]] if x.get("until") else start) + 0.25
            bars.append(
                {
                    "x": round(cx(start), 1),
                    "y": y + 6,
                    "w": round(max((end - start) * col_w, 14), 1),
                    "h": row_h - 12,
                    "colour": sides.get(x["iri"], NO_HOLDER),
                    "opacity": 0.45 if x["history"] else 1.0,
                    "title": f"{p['label']}: held by {x['label']}"
                    + (f" from {x['time']}" if x.get("time") else "")
                    + (f" until {x['until']}" if x["ended"] and x.get("until") else "")
                    + (" (said of the past)" if x["history"] else ""),
                    "time": x.get("time") or x.get("until"),
                    "place": p["iri"],
                    "href": href,
                }
            )
        cells: dict[int, list[Row]] = defaultdict(list)
        for e in p["events"]:
            if e["when"] is None or e["change"] == "advances":
                cells[col[e["when"] or "undated"]].append(e)
        for c, items in sorted(cells.items()):
            for k, e in enumerate(items):
                when = e["when"] or "undated"
                marks.append(
                    {
                        "kind": "advancesOn" if e["change"] == "advances" else "controls",
                        "x": round(cx(c) + 15 * (k - (len(items) - 1) / 2), 1),
                        "y": y + row_h / 2,
                        "colour": sides.get(e["side"]["iri"], NO_HOLDER),
                        "title": f"{p['label']}: {e['agent']['label']} "
                        + ("advances on it" if e["change"] == "advances" else "holds it")
                        + f" ({when})",
                        "href": href,
                    }
                )
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "col_w": col_w,
        "row_h": row_h,
        "columns": [{"x": cx(i), "text": c} for i, c in enumerate(columns)],
        "rows": [
            {"y": top + r * row_h + row_h / 2 + 4, "label": p["label"], "href": "#" + _anchor("place", p["iri"])}
            for r, p in enumerate(rows)
        ],
        "bars": bars,
        "marks": marks,
        "more": more,
    }


# ---------------------------------------------------------------- drawing: network


def _pagerank(G: nx.MultiDiGraph) -> dict[str, float]:
    """PageRank as the centrality section defines it (direction ignored, parallel edges merged and weighted by
    their statements), for every entity: the report's table shows only the top, the figure sizes them all.
    (Calling the whole centrality section again would compute betweenness a second time, the costly part.)"""
    import numpy as np

    nodes = sorted(G)
    index = {n: i for i, n in enumerate(nodes)}
    merged: dict[tuple[int, int], int] = defaultdict(int)
    for u, v, d in G.edges(data=True):
        merged[index[u], index[v]] += max(int(d.get("assertions", 0)), 1)
    pairs = sorted(merged.items())
    src = np.array([a for (a, _), _ in pairs], dtype=np.int64)
    dst = np.array([b for (_, b), _ in pairs], dtype=np.int64)
    w = np.array([x for _, x in pairs], dtype=np.float64)
    pr = analysis.pagerank(len(nodes), np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w]))
    return {n: round(float(pr[i]), 6) for i, n in enumerate(nodes)}


def network_figure(G: nx.MultiDiGraph, seed: int = 0, max_nodes: int = NETWORK_MAX) -> Row | None:
    """The relations between entities as a drawing: a seeded spring layout, node size by PageRank, colour by
    type, edges coloured by relation; the most central ``max_nodes`` entities."""
    linked = [n for n in G if G.degree(n) > 0]
    if not linked:
        return None
    rank = _pagerank(G)
    chosen = sorted(linked, key=lambda n: (-rank.get(n, 0.0), str(G.nodes[n].get("label", n)).casefold(), n))
    more = max(0, len(chosen) - max_nodes)
    keep = set(chosen[:max_nodes])
    U = nx.Graph()
    U.add_nodes_from(sorted(keep))
    U.add_edges_from(sorted((u, v) for u, v in G.edges() if u in keep and v in keep and u != v))
    pos = nx.spring_layout(U, seed=seed, k=1.6 / math.sqrt(max(len(U), 1)), iterations=200)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    pad, right = 40, 150  # room on the right for the labels, which go right of their node

    def at(n: str) -> tuple[float, float]:
        x, y = pos[n]
        sx = (x - min(xs)) / ((max(xs) - min(xs)) or 1)
        sy = (y - min(ys)) / ((max(ys) - min(ys)) or 1)
        return round(pad + sx * (NETWORK_WIDTH - pad - right), 1), round(pad + sy * (NETWORK_HEIGHT - 2 * pad), 1)

    top = max(rank.values(), default=1.0) or 1.0
    nodes = []
    for n in sorted(keep):
        x, y = at(n)
        d = G.nodes[n]
        colour, _shape = TYPE_STYLE.get(str(d.get("type", "")), TYPE_STYLE[""])
        nodes.append(
            {
                "x": x,
                "y": y,
                "r": round(5 + 14 * math.sqrt(rank.get(n, 0.0) / top), 1),
                "colour": colour,
                "label": str(d.get("label", n)),
                "title": f"{d.get('label', n)} ({d.get('type') or 'untyped'})",
                "iri": n,
            }
        )
    radius = {n["iri"]: n["r"] for n in nodes}
    edges = []
    pairs: dict[frozenset[str], int] = defaultdict(int)
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if u not in keep or v not in keep or u == v:
            continue
        (x0, y0), (x1, y1) = at(u), at(v)
        bend = pairs[frozenset((u, v))]
        pairs[frozenset((u, v))] += 1
        ex, ey = _shorten(x0, y0, x1, y1, radius[v] + 4)
        mx, my = (x0 + ex) / 2, (y0 + ey) / 2
        nx_, ny_ = -(ey - y0), ex - x0
        norm = math.hypot(nx_, ny_) or 1.0
        off = 18 * bend
        cx, cy = round(mx + nx_ / norm * off, 1), round(my + ny_ / norm * off, 1)
        edges.append(
            {
                "d": f"M{x0:g} {y0:g} Q{cx:g} {cy:g} {ex:g} {ey:g}",
                "colour": RELATION_COLOR.get(str(k), "#555555"),
                "relation": str(k),
                "width": round(1.2 + math.log2(max(1, int(d.get("assertions", 0)) or 1)), 1),
                "title": f"{G.nodes[u].get('label', u)} {k} {G.nodes[v].get('label', v)}",
            }
        )
    return {"width": NETWORK_WIDTH, "height": NETWORK_HEIGHT, "nodes": nodes, "edges": edges, "more": more}


# ---------------------------------------------------------------- the page


_TEMPLATE = "report.html.j2"


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["anchor"] = _anchor
    env.globals["holding"] = holding_text
    env.globals["RELATIONS"] = RELATIONS
    env.globals["RELATION_COLOR"] = RELATION_COLOR
    env.globals["TYPE_STYLE"] = TYPE_STYLE
    env.globals["COLOURS"] = {"sea": SEA, "land": LAND, "border": BORDER, "none": NO_HOLDER, "other": OTHER_SIDE}
    return env


def _css_hash(css: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"


def render_html(data: Row) -> str:
    """The page for ``data`` (from :func:`report_data`): every string escaped by the template."""
    env = _environment()
    css = env.get_template("report.css").render()
    evidence = {(e["subject"], e["relation"], e["object"]): e["statements"] for e in data["evidence"]}
    page = env.get_template(_TEMPLATE).render(
        data=data,
        css=css,
        csp=(
            "default-src 'none'; script-src 'none'; "
            f"style-src {_css_hash(css)}; img-src 'none'; connect-src 'none'; "
            "base-uri 'none'; form-action 'none'"
        ),
        maps=map_figures(data),
        timeline=timeline_figure(data),
        network=data["network"],
        evidence=lambda s, r, o: evidence.get((s, r, o), []),
        a=data["analysis"],
    )
    return re.sub(r"[ \t]+\n", "\n", page)


def summary_text(data: Row) -> str:
    """One line for the CLI: what the page shows."""
    places = data["places"]
    on_map = sum(1 for p in places if p["lat"] is not None)
    held = sum(1 for p in places if p["holders"])
    events = sum(len(p["events"]) for p in places)
    s = data["summary"]
    return (
        f"{len(places)} places ({on_map} on the map, {held} held), {events} events, "
        f"{s['entities']} entities, {s['edges']} relations from {s['documents']} "
        f"document{'' if s['documents'] == 1 else 's'}"
    )


def summary_data(data: Row) -> Row:
    places = data["places"]
    return {
        "places": len(places),
        "on_map": sum(1 for p in places if p["lat"] is not None),
        "held": sum(1 for p in places if p["holders"]),
        "events": sum(len(p["events"]) for p in places),
        "sides": len(data["sides"]),
        "entities": data["summary"]["entities"],
        "relations": data["summary"]["edges"],
        "documents": data["summary"]["documents"],
        "isolated": len(data["isolated"]),
    }

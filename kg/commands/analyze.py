"""``kg analyze``: the structural report of a graph, and ``kg analyze path A B``: how two entities connect."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from kg.commands import (
    add_command,
    add_endpoint_option,
    add_force,
    add_graph_option,
    check_output,
    emit_summary,
    is_stdout,
    write_output,
)
from kg.errors import KGError

DEFAULT_GRAPH = Path("out/graph.ttl")
FORMATS = ("table", "json", "markdown")
log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "analyze",
        help="report who holds what, fronts, defections, advisers, centrality, blocs; or a path between two entities",
        description="Without arguments: a report of the graph in sections (summary, control map, fronts, defection "
        "flows, advisory network, centrality, blocs). With 'path A B': the shortest chain of relations between two "
        "entities (label, alias or IRI), each hop with its evidence sentence. Only asserted relations count. "
        "--as-of DATE reads the graph as it stood at the end of DATE: who held each place then, from the dated "
        "changes of hands.",
        examples=(
            "kg analyze -g out/graph.ttl",
            "kg analyze -g out/graph.ttl --format markdown -o out/report.md",
            "kg analyze -g out/graph.ttl --as-of 2014-06-12",
            "kg analyze path 'Northern Alliance' Kandahar -g out/graph.ttl",
            "kg analyze -f json | jq .control.contested",
        ),
        formats=FORMATS,
    )
    p.add_argument(
        "what",
        nargs="*",
        metavar="path A B",
        help="give 'path A B' for the connection between entities A and B; nothing for the full report",
    )
    add_graph_option(p, DEFAULT_GRAPH)
    add_endpoint_option(p)
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of stdout (- is stdout)")
    p.add_argument(
        "--limit", type=int, default=25, metavar="N", help="rows per list in the report (default 25; 0 for all)"
    )
    p.add_argument(
        "--width",
        type=int,
        metavar="COLUMNS",
        help="wrap table cells to this many columns (default: the terminal's width; 0: no wrapping)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for sampled betweenness and Louvain (default 0)")
    add_force(p)
    p.add_argument(
        "--as-of",
        metavar="DATE",
        help="the state at the end of DATE (YYYY, YYYY-MM or YYYY-MM-DD): only statements dated by then count "
        "(default: every statement, i.e. the latest state; the report names the latest document date)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg import analysis

    what: list[str] = args.what
    if what and what[0] != "path":
        raise KGError(f"unknown analysis {what[0]!r}: run 'kg analyze' for the report or 'kg analyze path A B'")
    if what and len(what) != 3:
        raise KGError(
            "'kg analyze path' needs two entities: kg analyze path A B (label, alias or IRI; quote names with spaces)"
        )
    if args.limit < 0:
        raise KGError("--limit must be 0 (all rows) or more")
    check_output(args, args.output, "report", [args.graph])
    if args.as_of is not None:
        analysis.check_date(args.as_of)
    wall, cpu = time.perf_counter(), time.process_time()
    if args.endpoint:
        from kg.remote import endpoint_graph

        G = analysis.project(endpoint_graph(args.endpoint), paths=bool(what))
    else:
        G = analysis.project_file(args.graph, paths=bool(what))
    log.info(
        "analyze: read and projected %s (%d nodes, %d edges) in %.2f s (%.2f s CPU)",
        args.graph,
        len(G),
        G.number_of_edges(),
        time.perf_counter() - wall,
        time.process_time() - cpu,
    )
    if what:
        if args.as_of is not None:
            G = analysis.as_of(G, args.as_of)
        source, target = analysis.find_entity(G, what[1]), analysis.find_entity(G, what[2])
        text = analysis.render_path(G, source, target, analysis.shortest_connection(G, source, target), args.format)
    else:
        rep = analysis.report(G, limit=args.limit or None, seed=args.seed, as_of=args.as_of)
        text = analysis.render(rep, args.format, width=args.width)
    if args.output and not is_stdout(args.output):
        write_output(args.output, text.encode("utf-8"))
        emit_summary(args, f"wrote {args.output}", {"output": args.output})
    else:
        sys.stdout.write(text)
    return 0

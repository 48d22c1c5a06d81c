"""``kg report -g GRAPH -o OUT.html``: the analyst's page -- map, timeline, network, tables, sources."""

from __future__ import annotations

import argparse
import json
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
DEFAULT_OUT = Path("out/report.html")
FORMATS = ("html", "json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "report",
        help="write one offline HTML page: map of control, timeline, network, analysis tables, sources",
        description="Write one self-contained page (no network, no scripts) to look at a graph: a map of who "
        "holds what (places at their coordinates over country borders and coastlines, coloured by the current "
        "holder's side, advances as arrows), a timeline of changes of hands and advances per place, the network "
        "of relations, and the tables of 'kg analyze', each row's sentences one click away. --format json "
        "writes the same content as data.",
        examples=(
            "kg report -g out/graph.ttl -o out/report.html",
            "kg report --title 'Northern front, November' -o november.html",
            "kg report --endpoint http://127.0.0.1:7878/query -o report.html",
            "kg report -f json -o - | jq '.places[] | {label, holder: .holder.label}'",
        ),
        formats=FORMATS,
        default_format=None,
        format_help="html (the page) or json (its content); default: from OUT's suffix, html for -o -",
        summary=True,
    )
    add_graph_option(p, DEFAULT_GRAPH)
    add_endpoint_option(p)
    p.add_argument(
        "-o",
        "--output",
        default=str(DEFAULT_OUT),
        help=f"page (.html) or data (.json) to write, - for stdout (default {DEFAULT_OUT})",
    )
    p.add_argument("--title", help="page title (default: 'Report: ' and the graph's file name)")
    p.add_argument("--limit", type=int, default=25, metavar="N", help="rows per analysis table (default 25; 0 for all)")
    p.add_argument("--seed", type=int, default=0, help="seed for the network layout and sampled measures (default 0)")
    add_force(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.commands.viz import output_format
    from kg.rdf.store import load_graph
    from kg.report import ReportOptions, render_html, report_data, summary_data, summary_text

    out: str = args.output
    fmt = output_format(out, args.format)
    if args.limit < 0:
        raise KGError("--limit must be 0 (all rows) or more")
    check_output(args, out, "page" if fmt == "html" else "report", [args.graph])
    options = ReportOptions(title=args.title or f"Report: {args.graph.name}", limit=args.limit, seed=args.seed)
    if args.endpoint:
        from kg.remote import fetch_graph

        graph = fetch_graph(args.endpoint)
    else:
        graph = load_graph(args.graph)
    data = report_data(graph, options)
    if fmt == "json":
        write_output(out, (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    else:
        write_output(out, render_html(data).encode("utf-8"))
    where = "stdout" if is_stdout(out) else out
    emit_summary(args, f"{summary_text(data)} -> {where}", {**summary_data(data), "output": where}, output=out)
    return 0

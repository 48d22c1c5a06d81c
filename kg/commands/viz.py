"""``kg viz -g GRAPH -o OUT.html [filters]``: an interactive, offline HTML page of the graph."""

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
from kg.rdf.namespace import ENTITY_TYPES, RELATIONS

DEFAULT_GRAPH = Path("out/graph.ttl")
DEFAULT_OUT = Path("out/graph.html")
#: Kept here, not imported from kg.viz, so building the parser does not import pyvis and networkx
#: (tests/test_viz.py checks they equal kg.viz's defaults).
DEFAULT_MAX_NODES = 150
DEFAULT_MAX_EDGES = 400
FORMATS = ("html", "json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "viz",
        help="draw the graph as an interactive HTML page (offline, PyVis)",
        description="Write one self-contained HTML page (no network needed): colour and shape by entity type, "
        "size by centrality, edges by relation with width by support; hover for tooltips, click for the "
        "evidence. Negated or hypothetical statements are hidden unless --show-claims. --since/--until use "
        "each statement's time, else its document's date, and leave undated statements out. --format json "
        "writes what the page would draw (entities, relations, evidence, what was left out) as data.",
        examples=(
            "kg viz -g out/graph.ttl -o out/graph.html",
            "kg viz --focus Kabul --depth 2 --show-claims -o kabul.html",
            "kg viz --geo --since 2001-11 -o november.html",
            "kg viz -f json -o - | jq '.relations | length'",
        ),
        formats=FORMATS,
        default_format=None,
        format_help="html (the page) or json (its data); default: from OUT's suffix, html for -o -",
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
    p.add_argument("--relation", action="append", choices=RELATIONS, default=[], help="only this relation (repeatable)")
    p.add_argument(
        "--type",
        action="append",
        choices=ENTITY_TYPES,
        default=[],
        dest="types",
        help="only entities of this type, and relations between them (repeatable)",
    )
    p.add_argument("--min-support", type=int, default=1, metavar="N", help="only relations with N or more sources")
    p.add_argument("--focus", metavar="ENTITY", help="only the neighbourhood of ENTITY (label, alias or IRI)")
    p.add_argument("--depth", type=int, default=1, metavar="N", help="steps around --focus (default 1)")
    p.add_argument("--since", metavar="DATE", help="only statements dated on or after DATE (YYYY[-MM[-DD]])")
    p.add_argument("--until", metavar="DATE", help="only statements dated on or before DATE (YYYY[-MM[-DD]])")
    p.add_argument(
        "--max-nodes",
        type=int,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"keep the N most central entities (default {DEFAULT_MAX_NODES}); the page says when it cut",
    )
    p.add_argument(
        "--max-edges",
        type=int,
        default=DEFAULT_MAX_EDGES,
        metavar="N",
        help=f"keep the N best-supported relations (default {DEFAULT_MAX_EDGES}); the page says when it cut",
    )
    p.add_argument("--show-claims", action="store_true", help="also draw negated/hypothetical statements, dashed")
    p.add_argument("--geo", action="store_true", help="pin places with coordinates on a map-like layout")
    p.add_argument("--title", help="page title (default: 'Knowledge graph: ' and the graph's file name)")
    add_force(p)
    p.set_defaults(func=run)


def output_format(out: str, fmt: str | None) -> str:
    """``html`` or ``json``: as given, else from the output's suffix; a mismatch is a usage error."""
    suffix = Path(out).suffix.lower()
    implied = None if out == "-" else "json" if suffix == ".json" else "html" if suffix in (".html", ".htm") else ""
    if implied == "":
        raise KGError(f"output {out} must end in .html or .htm (the page) or .json (its data), or be - for stdout")
    if fmt and implied and fmt != implied:
        raise KGError(f"--format {fmt} but the output {out} is named for {implied}: rename it or drop --format")
    return fmt or implied or "html"


def run(args: argparse.Namespace) -> int:
    from kg.rdf.store import load_graph
    from kg.viz import VizOptions, load_view, render_html, summary_line, view_counts, view_data

    out: str = args.output
    fmt = output_format(out, args.format)
    if args.depth != 1 and not args.focus:
        raise KGError("--depth needs --focus ENTITY")
    check_output(args, out, "page" if fmt == "html" else "report", [args.graph])
    options = VizOptions(
        relations=tuple(dict.fromkeys(args.relation)),
        types=tuple(dict.fromkeys(args.types)),
        min_support=args.min_support,
        focus=args.focus,
        depth=args.depth,
        since=args.since,
        until=args.until,
        max_nodes=args.max_nodes,
        max_edges=args.max_edges,
        show_claims=args.show_claims,
        geo=args.geo,
        title=args.title or f"Knowledge graph: {args.graph.name}",
    )
    if args.endpoint:
        from kg.remote import fetch_graph

        view = load_view(fetch_graph(args.endpoint), options)
    elif args.graph.is_file():
        from kg.viz import load_view_file

        view = load_view_file(args.graph, options)
    else:
        view = load_view(load_graph(args.graph), options)
    if fmt == "json":
        data = view_data(view)
        write_output(out, (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    else:
        write_output(out, render_html(view, options, options.title or "kg knowledge graph").encode("utf-8"))
    notes = f" ({'; '.join(view.notes)})" if view.notes else ""
    where = "stdout" if is_stdout(out) else out
    emit_summary(
        args,
        f"{summary_line(view)}{notes} -> {where}",
        {**view_counts(view), "notes": view.notes, "output": where},
        output=out,
    )
    return 0

"""``kg query NAME|FILE.rq|'SPARQL' -g GRAPH [--param k=v]... [--format ...]``: answer a question with SPARQL."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg.commands import add_command, add_endpoint_option, add_graph_option, seconds, use_color, write_stdout
from kg.errors import KGError

DEFAULT_GRAPH = Path("out/graph.ttl")


#: Kept here, not imported from kg.query, so 'kg --help' need not import rdflib and pyoxigraph (a test checks
#: they equal kg.query's).
FORMATS = ("table", "csv", "tsv", "json", "ttl")
DEFAULT_TIMEOUT = 30.0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "query",
        help="run a named SPARQL query, a .rq file or query text",
        description="Run a SPARQL query over a graph: a name from 'kg queries', a .rq file, or the query text. "
        "Parameters are bound as RDF terms (a label is looked up, case-insensitively, among rdfs:label and "
        "skos:altLabel). SERVICE, FROM and updates are refused. The kg prefixes (kg: ent: doc: stmt: rdf: rdfs: "
        "owl: xsd: skos: prov: dcterms: geo:) are predeclared.",
        examples=(
            "kg query who-controls -g out/graph.ttl --param place=Kabul",
            "kg query evidence --param predicate=kg:advancesOn -f csv > evidence.csv",
            "kg query evidence --param object=Kabul --width 100     # whole sentences, wrapped",
            "kg query documents --iris --width 0 | grep doc:",
            "kg query 'SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 5' -f json",
        ),
        formats=FORMATS,
        format_help="output: table (default), csv/tsv/json (W3C SPARQL results), ttl (CONSTRUCT/DESCRIBE)",
    )
    query_arg = p.add_argument(
        "query", metavar="NAME|FILE.rq|SPARQL", help="named query, query file, query text, or - (stdin)"
    )
    query_arg.completer = query_names  # type: ignore[attr-defined]
    add_graph_option(p, DEFAULT_GRAPH)
    add_endpoint_option(p)
    p.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help='bind ?NAME: a label (looked up), <IRI>, prefixed name (kg:controls), number, date, or "text"; repeatable',
    )
    p.add_argument(
        "--iris",
        action="store_true",
        help="in the table, show IRIs (prefixed) and every column, instead of entities by label and documents "
        "by title and file (csv, tsv and json always carry IRIs, as W3C results do)",
    )
    p.add_argument(
        "--width",
        type=int,
        metavar="COLUMNS",
        help="wrap the table to this many columns (default: the terminal's width; 0: no wrapping, one line per row)",
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a query that runs longer (default {DEFAULT_TIMEOUT:g}; 0 = no limit)",
    )
    p.set_defaults(func=run)


def query_names(**_: object) -> list[str]:
    """The catalogue's names, for tab completion (read from the folder: no RDF library needed)."""
    from kg.resources import queries_dir

    return sorted(p.stem for p in queries_dir().glob("*.rq"))


def parse_params(items: list[str]) -> dict[str, str]:
    """``["place=Sanaa", ...]`` as a dict; a malformed or repeated item is a usage error."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise KGError(f"--param {item!r}: write NAME=VALUE, e.g. --param place=Sanaa")
        name = name.strip().lstrip("?$")
        if name in out:
            raise KGError(f"--param {name} given twice")
        out[name] = value
    return out


def run(args: argparse.Namespace) -> int:
    from kg.query import QueryTimeout, bind_params, check, resolve
    from kg.query import run as run_query
    from kg.remote import open_graph

    if args.width is not None and args.width < 0:
        raise KGError("--width must be 0 (no wrapping) or more columns")
    query = resolve(args.query)
    check(query.text)  # refuse unsafe or malformed queries before the graph is even opened
    given = parse_params(args.param)
    graph = open_graph(args)
    bindings = bind_params(graph, query, given)
    try:
        data = run_query(
            graph,
            query,
            bindings,
            fmt=args.format,
            timeout=args.timeout or None,
            width=args.width,
            labels=not args.iris,
            color=use_color(args, sys.stdout),
        )
    except QueryTimeout as exc:
        # The engine cannot be interrupted: leave now, not when it finishes (it may hold gigabytes by then).
        print(f"kg query: error: {exc}", file=sys.stderr, flush=True)
        os._exit(1)
    write_stdout(data)
    return 0

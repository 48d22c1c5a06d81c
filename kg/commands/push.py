"""``kg push -g GRAPH --to URL``: per-document graphs into a triple store (SPARQL 1.1 Graph Store Protocol)."""

from __future__ import annotations

import argparse
import json
import sys

from kg.commands import add_command, add_graph_option, emit_summary, seconds

FORMATS = ("text", "json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "push",
        help="write a graph's per-document graphs into a triple store over the Graph Store Protocol",
        description="PUT each document's named graph of GRAPH (a .nq/.trig file or a .oxigraph store; a flat "
        "Turtle file has only the union) to the server's Graph Store endpoint, so pushing again replaces it; also "
        "the union of all of them (graph <https://w3id.org/kg-news/graph/union>, which 'kg query --endpoint' "
        "uses as its default graph) and the ontology (graph <https://w3id.org/kg-news/ontology>). Credentials "
        "come from KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or ~/.netrc, never from the URL.",
        examples=(
            "kg push -g news.nq --to http://127.0.0.1:7878/store",
            "KG_ENDPOINT_USER=me KG_ENDPOINT_PASSWORD=... kg push -g news.oxigraph --to https://host/sparql-graph-crud",
            "kg push -g news.trig --to http://127.0.0.1:3030/ds/data -f json",
        ),
        formats=FORMATS,
        format_help="how to report what was pushed: text (default, stderr) or json (stdout)",
        summary=True,
    )
    add_graph_option(p)
    p.add_argument("--to", metavar="URL", help="the server's Graph Store endpoint (required), e.g. .../store")
    p.add_argument(
        "--timeout", type=seconds, default=30.0, metavar="SECONDS", help="give up on a request after this (default 30)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.errors import KGError
    from kg.rdf.store import load_dataset
    from kg.remote import push

    if not args.to:
        raise KGError("name the server with --to URL (its Graph Store endpoint, e.g. http://127.0.0.1:7878/store)")
    if args.timeout <= 0:
        raise KGError("--timeout must be more than 0 seconds")
    counts = push(load_dataset(args.graph), args.to, args.timeout)
    if args.format == "json":
        sys.stdout.write(json.dumps({**counts, "to": args.to}) + "\n")
    text = (
        f"{counts['graphs']} document graph(s), the union ({counts['triples']} triples) and the ontology -> {args.to}"
    )
    emit_summary(args, text, {**counts, "to": args.to})
    return 0

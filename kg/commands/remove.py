"""``kg remove DOC... --from GRAPH``: drop documents, and everything only they asserted, from a graph."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg.commands import add_command, emit_summary

FORMATS = ("text", "json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "remove",
        help="remove documents (and what only they asserted) from a .nq, .trig or .oxigraph graph",
        description="Drop each document's named graph from GRAPH: its entities' labels, types and aliases as it "
        "saw them, its assertions and plain triples. What other documents also assert stays. Name a document by "
        "the path it was built from, its file name, or its IRI (doc:d... or the full IRI). GRAPH is rewritten "
        "atomically, with its VoID description.",
        examples=(
            "kg remove corpus/2001-11-13.txt --from news.nq",
            "kg remove doc:d607dc60af368724e5571 --from news.oxigraph",
            "kg remove old.txt --from news.trig -f json",
        ),
        formats=FORMATS,
        format_help="how to list the documents removed: text (default, stderr) or json (stdout)",
        summary=True,
    )
    p.add_argument("documents", nargs="+", metavar="DOC", help="document: source path, file name or IRI")
    p.add_argument("--from", dest="graph", type=Path, metavar="GRAPH", help="the .nq/.trig/.oxigraph graph (required)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.incremental import describe, description_path, keeps_graphs, remove_documents
    from kg.rdf.store import load_dataset, write_dataset

    if args.graph is None:
        from kg.errors import KGError

        raise KGError("name the graph to remove documents from: --from GRAPH (a .nq, .trig or .oxigraph graph)")
    graph: Path = args.graph
    keeps_graphs(graph)
    lines, stats, removed = remove_documents(load_dataset(graph), args.documents)
    write_dataset(lines, graph)
    from kg.commands import write_output

    write_output(description_path(graph), describe(lines, graph, stats))
    if args.format == "json":
        sys.stdout.write(json.dumps({"removed": removed, "graph": str(graph)}) + "\n")
    elif not args.quiet:
        for g in removed:
            print(f"kg remove: removed {g}", file=sys.stderr)
    emit_summary(args, f"{stats.summary()} -> {graph}", {**stats.as_dict(), "output": str(graph)})
    return 0

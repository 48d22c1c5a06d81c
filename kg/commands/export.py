"""``kg export -g GRAPH -o OUT``: a graph in the form another tool loads."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.commands import add_command, add_force, add_graph_option, check_output, emit_summary

#: Kept equal to kg.export.FORMATS by a test; listed here so building the parser imports nothing heavy.
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "neo4j")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "export",
        help="write a graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD, GraphML, GEXF or Neo4j CSV",
        description="Write GRAPH (an RDF file or store) in another form. The format follows OUT's suffix: .ttl .nt "
        ".jsonld (the union of the documents' graphs), .nq .trig (one named graph per document), .graphml .gexf "
        "(the NetworkX projection kg analyze uses, for Gephi and yEd), or a folder for CSV that "
        "'neo4j-admin database import full' reads. Output is deterministic; -o - streams to stdout.",
        examples=(
            "kg export -g out/graph.ttl -o out/graph.jsonld",
            "kg export -g news.nq -o news.gexf",
            "kg export -g news.oxigraph -o neo4j-import/ -f neo4j",
            "kg export -g big.nt -o - -f ttl | head",
        ),
        formats=FORMATS,
        default_format=None,
        format_help="export format (default: from OUT's suffix; neo4j for a folder)",
        summary=True,
    )
    add_graph_option(p)
    p.add_argument("-o", "--output", help="file to write (or a folder for neo4j), or - for stdout (required)")
    add_force(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.errors import KGError
    from kg.export import export

    if not args.output:
        raise KGError("give the file to write with -o OUT (its suffix picks the format), e.g. -o graph.jsonld")
    out = Path(args.output)
    if args.output == "-" and args.format is None:
        raise KGError("-o - needs --format (ttl, nt, nq, trig, jsonld, graphml or gexf)")
    if args.output == "-" and args.format == "neo4j":
        raise KGError("Neo4j CSV is two files: give a folder with -o, not -")
    if args.format != "neo4j":  # a folder of CSV files: written file by file
        check_output(args, args.output, "graph", [args.graph])
    kind = export(args.graph, out, args.format)
    where = "stdout" if args.output == "-" else str(out)
    emit_summary(args, f"wrote {kind} -> {where}", {"format": kind, "output": where}, output=args.output)
    return 0

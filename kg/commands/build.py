"""``kg build INPUT... -o OUT``: texts to an RDF graph."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.commands import add_command, add_min_confidence, emit_summary, is_stdout, write_output
from kg.errors import KGError

DEFAULT_OUT = Path("out/graph.ttl")
#: ``--format`` names: the output suffixes kg writes, without the dot (kept equal to kg.rdf.store.FORMATS by a
#: test; listed here so building the parser does not import pyoxigraph).
FORMATS = ("ttl", "nt", "jsonld", "trig")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "build",
        help="build an RDF graph from news texts",
        description="Read texts (files, folders of *.txt/*.md, or - for stdin), extract entities and relations, "
        "write one RDF graph. The format follows OUT's suffix (.ttl .nt .jsonld .trig, or a .oxigraph folder) "
        "or --format; -o - writes the graph to stdout (Turtle unless --format says otherwise).",
        examples=(
            "kg build seeds -o out/graph.ttl",
            "kg build corpus/ -o big.oxigraph --jobs 2",
            "kg build seeds -o - --format nt | wc -l",
            "cat article.txt | kg build - -o - -q",
            "kg build seeds -o out/graph.ttl --summary json",
        ),
        formats=FORMATS,
        default_format=None,
        format_help="RDF format of the output (default: from OUT's suffix; Turtle for -o -)",
        summary=True,
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="text file, folder, or - for stdin")
    p.add_argument(
        "-o", "--output", default=str(DEFAULT_OUT), help=f"output graph, or - for stdout (default {DEFAULT_OUT})"
    )
    p.add_argument("-j", "--jobs", type=int, default=1, help="parallel spaCy processes (default 1)")
    add_min_confidence(p, "leave out relations whose confidence is below X (0..1, default 0: keep all)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from kg.build import build_graph
    from kg.inputs import expand, read_all
    from kg.rdf.store import FORMATS as SUFFIXES
    from kg.rdf.store import STORE_SUFFIX, format_for, serialize, write_graph

    out = args.output
    fmt = None
    if args.format is not None:
        fmt = SUFFIXES["." + args.format]
        if not is_stdout(out) and Path(out).suffix.lower() != "." + args.format:
            raise KGError(
                f"--format {args.format} but the output {out} ends in {Path(out).suffix or 'no suffix'}: "
                f"name the file *.{args.format}, or drop --format to follow the suffix"
            )
    elif is_stdout(out):
        fmt = SUFFIXES[".ttl"]
    elif Path(out).suffix.lower() != STORE_SUFFIX:
        fmt = format_for(Path(out), SUFFIXES)  # fail on a bad suffix before any parsing
    if args.jobs < 1:
        raise KGError("--jobs must be 1 or more")
    sources = expand(args.inputs)
    errors: list[str] = []
    bar = tqdm(
        total=len(sources),
        unit="doc",
        file=sys.stderr,
        disable=args.no_progress or args.quiet or len(sources) < 2 or not sys.stderr.isatty(),
    )
    graph, stats = build_graph(
        read_all(sources, errors),
        jobs=args.jobs,
        on_document=lambda _: bar.update(),
        min_confidence=args.min_confidence,
    )
    bar.close()
    for msg in errors:
        print(f"kg build: skipped {msg}", file=sys.stderr)
    if stats.documents == 0:
        raise KGError("nothing to build: no input could be read (see the messages above)")
    if is_stdout(out) or Path(out).suffix.lower() != STORE_SUFFIX:
        assert fmt is not None
        write_output(out, serialize(graph, fmt))
    else:
        write_graph(graph, Path(out))
    where = "stdout" if is_stdout(out) else str(out)
    emit_summary(
        args, f"{stats.summary()} -> {where}", {**stats.as_dict(), "output": where, "skipped": errors}, output=out
    )
    return 0

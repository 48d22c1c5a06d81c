"""``kg build INPUT... -o OUT``: texts to an RDF graph."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.commands import add_min_confidence
from kg.errors import KGError

DEFAULT_OUT = Path("out/graph.ttl")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "build",
        help="build an RDF graph from news texts",
        description="Read texts (files, folders of *.txt/*.md, or - for stdin), extract entities and relations, "
        "write one RDF graph. The format follows OUT's suffix: .ttl .nt .jsonld .trig, or a .oxigraph folder.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="text file, folder, or - for stdin")
    p.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT, help=f"output graph (default {DEFAULT_OUT})")
    p.add_argument("-j", "--jobs", type=int, default=1, help="parallel spaCy processes (default 1)")
    add_min_confidence(p, "leave out relations whose confidence is below X (0..1, default 0: keep all)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from kg.build import build_graph
    from kg.inputs import expand, read_all
    from kg.rdf.store import FORMATS, STORE_SUFFIX, format_for, write_graph

    out: Path = args.output
    if out.suffix.lower() != STORE_SUFFIX:
        format_for(out, FORMATS)  # fail on a bad suffix before any parsing
    if args.jobs < 1:
        raise KGError("--jobs must be 1 or more")
    sources = expand(args.inputs)
    errors: list[str] = []
    bar = tqdm(
        total=len(sources),
        unit="doc",
        file=sys.stderr,
        disable=args.no_progress or len(sources) < 2 or not sys.stderr.isatty(),
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
    write_graph(graph, out)
    print(f"kg build: {stats.summary()} -> {out}", file=sys.stderr)
    return 0

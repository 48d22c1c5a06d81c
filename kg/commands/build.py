"""``kg build INPUT... -o OUT``: texts to an RDF graph."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.commands import add_command, add_force, add_min_confidence, check_output, emit_summary, is_stdout, write_output
from kg.errors import KGError

if TYPE_CHECKING:
    from kg.build import DocResult
    from kg.model import Document

DEFAULT_OUT = Path("out/graph.ttl")
#: ``--format`` names: the output suffixes kg writes, without the dot (kept equal to kg.rdf.store.FORMATS by a
#: test; listed here so building the parser does not import pyoxigraph).
FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "build",
        help="build an RDF graph from news texts",
        description="Read texts (files, folders of *.txt/*.md, or - for stdin), extract entities and relations, "
        "write one RDF dataset: a named graph per document. The format follows OUT's suffix (.ttl .nt .jsonld "
        "flatten the graphs into their union; .trig .nq and a .oxigraph folder keep them) or --format; -o - writes "
        "the graph to stdout (Turtle unless --format says otherwise). --into GRAPH adds documents to an existing "
        ".nq/.trig/.oxigraph graph: unchanged texts are skipped, a changed file replaces its document's graph. "
        "A VoID/DCAT description (NAME.void.ttl) is written beside every graph file or store.",
        examples=(
            "kg build seeds -o out/graph.ttl",
            "kg build corpus/ -o big.oxigraph --jobs 2",
            "kg build today/ --into news.nq",
            "kg build corpus/ -o big.nq --workers 2",
            "kg build corpus/ -o big.nq --scheduler tcp://10.0.0.5:8786",
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
    p.add_argument(
        "--into",
        metavar="GRAPH",
        help="add the documents to this .nq, .trig or .oxigraph graph (created when missing) instead of -o",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "-j", "--jobs", type=int, default=1, help="worker processes: each parses, extracts and maps (default 1)"
    )
    where.add_argument("--workers", type=int, metavar="N", help="run on a local Dask cluster of N worker processes")
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT)"
    )
    add_min_confidence(p, "leave out relations whose confidence is below X (0..1, default 0: keep all)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_force(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from tqdm import tqdm

    from kg.build import build_dataset
    from kg.incremental import add_documents, describe, description_path, keeps_graphs
    from kg.inputs import expand, read_all
    from kg.rdf.store import FORMATS as SUFFIXES
    from kg.rdf.store import STORE_SUFFIX, dataset_bytes, format_for, load_dataset, write_dataset

    into = Path(args.into) if args.into else None
    out = str(into) if into is not None else args.output
    fmt = None
    if into is not None:
        if args.output != str(DEFAULT_OUT):
            raise KGError("give either -o OUT (a new graph) or --into GRAPH (add to one), not both")
        keeps_graphs(into)
    elif args.format is not None:
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
    if args.workers is not None and args.workers < 1:
        raise KGError("--workers must be 1 or more")
    existing = load_dataset(into) if into is not None and into.exists() else []
    notes: list[str] = []
    sources = expand(args.inputs, notes)
    # every output problem is found before the NLP starts (--into adds to its graph: not an input here)
    kind = "graph" if is_stdout(out) or Path(out).suffix.lower() != STORE_SUFFIX else "store"
    inputs = [*(i for i in args.inputs if i != "-"), *(s.path for s in sources if s.path)]
    check_output(args, out, kind, inputs)
    if not is_stdout(out):
        check_output(args, description_path(Path(out)), "graph", inputs)
    errors: list[str] = []
    bar = tqdm(
        total=len(sources),
        unit="doc",
        file=sys.stderr,
        disable=args.no_progress or args.quiet or len(sources) < 2 or not sys.stderr.isatty(),
    )
    with ExitStack() as stack:
        remote = None
        if args.workers is not None or args.scheduler:
            from kg.distributed import client_for, dask_results

            client = client_for(args.workers, args.scheduler, stack)

            def remote(docs: list[Document]) -> Iterable[DocResult]:
                return dask_results(docs, client, args.min_confidence)

        docs = read_all(sources, errors, notes)
        if into is not None:
            lines, stats = add_documents(
                existing, docs, args.jobs, args.min_confidence, on_document=lambda _: bar.update(), results=remote
            )
        else:
            todo = list(docs) if remote is not None else docs
            lines, stats = build_dataset(
                todo,
                jobs=args.jobs,
                on_document=lambda _: bar.update(),
                min_confidence=args.min_confidence,
                results=remote(todo) if remote is not None else None,
            )
    bar.close()
    for msg in errors:
        print(f"kg build: skipped {msg}", file=sys.stderr)
    for msg in notes:
        print(f"kg build: warning: {msg}", file=sys.stderr)
    if stats.documents == 0 and not existing:
        raise KGError("nothing to build: no input could be read (see the messages above)")
    if into is not None:
        write_dataset(lines, into, force=args.force)
    elif is_stdout(out) or Path(out).suffix.lower() != STORE_SUFFIX:
        assert fmt is not None
        write_output(out, dataset_bytes(lines, fmt))
    else:
        write_dataset(lines, Path(out), force=args.force)
    where = "stdout" if is_stdout(out) else str(out)
    if not is_stdout(out):
        write_output(description_path(Path(out)), describe(lines, Path(out), stats))
    emit_summary(
        args,
        f"{stats.summary()} -> {where}",
        {**stats.as_dict(), "output": where, "skipped": errors, "warnings": notes},
        output=out,
    )
    return 0

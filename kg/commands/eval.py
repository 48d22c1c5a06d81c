"""``kg eval GOLD_DIR...``: build each ``NAME.txt`` alone and score it against ``NAME.gold.json``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.commands import add_command, add_force, add_min_confidence, check_output, is_stdout, write_output
from kg.errors import KGError

FORMATS = ("table", "json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "eval",
        help="score extraction against gold files",
        description="For each GOLD_DIR/NAME.gold.json, build NAME.txt (beside it) alone and score the graph "
        "against the gold file: per-text and micro-averaged precision, recall and F1, missed and wrong triples "
        "(with why), fragmentation, and time, type and evidence accuracy; and entity quality: alias and entity "
        "recall, merges (a graph entity carrying aliases of two gold entities) and splits (a gold entity on two "
        "graph entities), for graph entities in relations and for all of them, with the labels and aliases "
        "behind each. The rules are those of the annotation guide (ANNOTATION.md), written out in "
        "kg/evaluate.py. The table's last line is "
        '"micro P=0.xxx R=0.xxx F1=0.xxx fragmentation=1.xx".',
        examples=(
            "kg eval seeds tests/data/dev",
            "kg eval tests/data/dev -o eval.json      # the report as JSON; stdout gets the summary line",
            "kg eval seeds -f json | jq .micro.F1",
            "kg eval tests/data/dev --graphs built/   # score graphs built elsewhere",
        ),
        formats=FORMATS,
        default_format=None,
        format_help="report format: table or json (default table; json when -o ends in .json)",
    )
    p.add_argument(
        "gold_dirs",
        type=Path,
        nargs="+",
        metavar="GOLD_DIR",
        help="folder of NAME.txt + NAME.gold.json files (several folders are scored together, micro-averaged)",
    )
    p.add_argument(
        "--graphs",
        type=Path,
        metavar="DIR",
        help="score prebuilt graphs DIR/NAME.ttl instead of building (a missing graph scores as empty)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="REPORT",
        help="write the report to REPORT (json when it ends in .json and --format is not given); "
        "stdout then gets only the summary line",
    )
    p.add_argument(
        "--keep-graphs",
        type=Path,
        metavar="DIR",
        help="also write each built graph to DIR/NAME.ttl (for other scorers)",
    )
    add_min_confidence(p, "build as 'kg build --min-confidence X' does (default 0: keep all)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_force(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.evaluate import GOLD_SUFFIX, build_and_score, format_json, format_table, gold_files, score_graphs

    to_file = args.output is not None and not is_stdout(args.output)
    fmt: str = args.format or ("json" if to_file and Path(args.output).suffix.lower() == ".json" else "table")
    if args.graphs is not None and args.keep_graphs is not None:
        raise KGError("--keep-graphs writes graphs that eval builds; with --graphs nothing is built, drop one")
    paths = gold_files(*args.gold_dirs)
    # every output problem is found before anything is built; no output may replace an input
    names = [p.name.removesuffix(GOLD_SUFFIX) for p in paths]
    inputs: list[Path] = [*paths, *(p.with_name(n + ".txt") for p, n in zip(paths, names, strict=True))]
    if args.graphs is not None and args.graphs.is_dir():
        inputs.extend(sorted(args.graphs.iterdir()))
    check_output(args, args.output, "report", inputs)
    if args.keep_graphs is not None:
        for name in names:
            check_output(args, args.keep_graphs / f"{name}.ttl", "graph", inputs)
    if args.graphs is not None:
        report = score_graphs(paths, args.graphs)
    else:
        from tqdm import tqdm

        bar = tqdm(
            paths,
            unit="text",
            file=sys.stderr,
            disable=args.no_progress or args.quiet or len(paths) < 2 or not sys.stderr.isatty(),
        )
        report = build_and_score(paths, min_confidence=args.min_confidence, keep=args.keep_graphs, progress=bar)
        bar.close()
    text = format_json(report) if fmt == "json" else format_table(report)
    if to_file:
        write_output(args.output, text.encode("utf-8"))
        print(report.summary_line())
    else:
        sys.stdout.write(text)
    return 0

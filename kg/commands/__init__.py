"""One module per ``kg`` sub-command, each with ``register(subparsers)`` and a ``run(args) -> int``.

The conventions every command shares live here once, so a new command gets them by registering through
:func:`add_command` (and ``tests/test_cli_meta.py`` checks that every registered command did):

- global options anywhere on the line: ``-v``/``--verbose``, ``-q``/``--quiet``, ``--no-color`` (and the
  ``NO_COLOR`` environment variable);
- ``-f``/``--format`` for the command's output, with the valid choices in ``--help``;
- ``--help`` ends with worked examples;
- ``-o -`` streams to stdout (:func:`write_output`); files are written atomically;
- a summary of what was done, as a line on stderr or as JSON (``--summary json``, :func:`emit_summary`):
  JSON goes to stdout unless stdout carries the output itself.

Options several commands share (``--min-confidence``) are also defined here, so they read and validate the
same everywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: The value of ``-o`` that means standard output.
STDOUT = "-"
SUMMARY_FORMATS = ("text", "json")


class Parser(argparse.ArgumentParser):
    """argparse with kg's exit code for usage errors (1, not 2) and worked examples at the end of ``--help``."""

    def __init__(self, *args: Any, examples: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.examples = tuple(examples)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")

    def format_help(self) -> str:
        text = super().format_help()
        if self.examples:
            text += "\nexamples:\n" + "".join(f"  {e}\n" for e in self.examples)
        return text


def add_global_options(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``-v``, ``-q``, ``--no-color``: on the top parser with defaults, on each sub-command without.

    A sub-command's defaults would overwrite what was given before the sub-command (``kg -v build``), so
    there they only set the value when given (``argparse.SUPPRESS``); the top parser holds the defaults.
    """
    kw: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr", **kw)
    p.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing on stderr but errors (no summary, no progress)", **kw
    )
    p.add_argument("--no-color", action="store_true", help="no colours in the output (also when NO_COLOR is set)", **kw)


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    description: str,
    examples: Sequence[str],
    formats: Sequence[str] | None = None,
    default_format: str | None = "",
    format_help: str = "",
    summary: bool = False,
) -> argparse.ArgumentParser:
    """A sub-command parser with kg's conventions; the command then adds its own arguments.

    ``formats``: the choices of ``-f/--format``; the first is the default unless ``default_format`` says
    otherwise (``None`` when the command infers the format, e.g. from the output's suffix).
    ``summary``: the command reports what it did (files written, counts): adds ``--summary text|json``.
    """
    p = sub.add_parser(name, help=help, description=description, examples=examples)
    add_global_options(p)
    if formats:
        default = formats[0] if default_format == "" else default_format
        what = format_help or f"output format (default {default})"
        p.add_argument("-f", "--format", choices=tuple(formats), default=default, help=what)
    if summary:
        p.add_argument(
            "--summary",
            choices=SUMMARY_FORMATS,
            default="text",
            help="how to report what was done: a line on stderr (text, default) or a JSON object "
            "(on stdout, or on stderr when the output itself goes to stdout)",
        )
    return p


def use_color(args: argparse.Namespace, stream: Any) -> bool:
    """Colour only on a terminal, and never with ``--no-color`` or ``NO_COLOR`` set (https://no-color.org)."""
    if getattr(args, "no_color", False) or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def is_stdout(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDOUT


def write_output(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, or stream it to stdout when ``path`` is ``-``."""
    if is_stdout(path):
        write_stdout(data)
        return
    from kg.rdf.store import atomic_write

    atomic_write(Path(path), data)


def write_stdout(data: bytes) -> None:
    """Write ``data`` to stdout whole, or raise ``OSError`` (a full disk under ``> file``, say).

    A large ``sys.stdout.buffer.write`` on a full disk returned the bytes it managed and raised nothing, so
    the output was cut short with exit 0; ``os.write`` in a loop reports the failure.
    """
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a file (a test's capture, a program embedding kg): its own write
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    sys.stdout.buffer.flush()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def emit_summary(args: argparse.Namespace, text: str, data: Mapping[str, Any], *, output: Any = None) -> None:
    """Report what a command did: ``kg CMD: text`` on stderr, or ``data`` as one JSON object.

    JSON (``--summary json``) is asked for explicitly, so it is printed even with ``-q``; it goes to stdout
    unless the command's ``output`` is stdout (``-o -``), then to stderr.
    """
    if getattr(args, "summary", "text") == "json":
        stream = sys.stderr if is_stdout(output) else sys.stdout
        stream.write(json.dumps(dict(data), ensure_ascii=False, sort_keys=True) + "\n")
        stream.flush()
        return
    if not getattr(args, "quiet", False):
        print(f"kg {args.command}: {text}", file=sys.stderr)


def confidence(value: str) -> float:
    """argparse type for a confidence threshold in [0, 1]."""
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number; give a confidence between 0 and 1") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is outside 0..1; give a confidence between 0 and 1")
    return x


def add_min_confidence(p: argparse.ArgumentParser, what: str) -> None:
    """``--min-confidence X``: relations below X are left out."""
    p.add_argument("--min-confidence", type=confidence, default=0.0, metavar="X", help=what)


def add_graph_option(p: argparse.ArgumentParser, default: Path = Path("out/graph.ttl")) -> None:
    """``-g/--graph GRAPH``: the RDF file or store a reading command works on."""
    p.add_argument(
        "-g",
        "--graph",
        type=Path,
        default=default,
        help=f"RDF file (format from its suffix) or DIR.oxigraph store (default {default})",
    )


def add_endpoint_option(p: argparse.ArgumentParser) -> None:
    """``--endpoint URL``: read from a SPARQL 1.1 endpoint instead of ``-g GRAPH``."""
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="read from this SPARQL 1.1 endpoint instead of -g (credentials from KG_ENDPOINT_USER/"
        "KG_ENDPOINT_PASSWORD or ~/.netrc, never the URL)",
    )


def add_force(p: argparse.ArgumentParser) -> None:
    """``--force``: replace an output kg would otherwise refuse to replace (see :mod:`kg.outputs`)."""
    p.add_argument(
        "--force",
        action="store_true",
        help="replace the output even when kg did not write it (a folder without kg's store marker, a file where "
        "a store goes, a graph under a report); an output that is one of the inputs is never replaced",
    )


def check_output(args: argparse.Namespace, out: Path | str | None, kind: str, inputs: Sequence[Path | str]) -> None:
    """Before any work: refuse an output that would destroy what kg did not write (stdout needs no check)."""
    if out is None or is_stdout(out):
        return
    from kg.outputs import check_output as check

    check(Path(out), kind, [Path(i) for i in inputs], force=getattr(args, "force", False))


def seconds(value: str) -> float:
    """argparse type for a time limit: a finite number of seconds, 0 or more (``inf`` and ``nan`` are refused:
    0 already means no limit, and a wait of ``inf`` seconds overflows the clock)."""
    import math
    import threading

    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(x) or x < 0:
        raise argparse.ArgumentTypeError(f"{value} is not a number of seconds 0 or more (0 means no limit)")
    if x > threading.TIMEOUT_MAX:
        raise argparse.ArgumentTypeError(f"{value} seconds is longer than this system can wait; give 0 for no limit")
    return x

"""The ``kg`` command line: a thin shell over the library.

Each sub-command lives in ``kg/commands/<name>.py`` with ``register(subparsers)``; this module parses
arguments, calls the command, and turns errors into messages and exit codes:
0 success, 1 bad input or usage (the message says what to do), 2 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence

from kg import __version__
from kg.errors import KGError

#: Sub-command modules, in the order ``kg --help`` lists them.
COMMANDS: tuple[str, ...] = ("build", "query", "queries", "analyze", "viz", "eval", "explain")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def version_text() -> str:
    from kg.nlp.pipeline import model_info

    info = model_info()
    model = f"{info[0]} {info[1]}" if info else "no spaCy model installed"
    return f"kg {__version__} (spaCy model: {model})"


class _VersionAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        print(version_text())
        parser.exit(0)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kg", description="Build, query, analyse and draw knowledge graphs from conflict news.")
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show version and spaCy model, then exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"kg.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kg.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="kg: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 1
    try:
        return int(args.func(args) or 0)
    except KGError as exc:
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        print(f"kg {args.command}: internal error, please report it with this trace:", file=sys.stderr)
        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""The ``kg`` command line: a thin shell over the library.

Each sub-command lives in ``kg/commands/<name>.py`` with ``register(subparsers)``, built with
:func:`kg.commands.add_command` so it shares the conventions (global options anywhere, ``-f/--format``,
examples in ``--help``, JSON summaries); this module parses arguments, calls the command, and turns errors
into messages and exit codes: 0 success, 1 bad input or usage (the message says what to do), 2 internal error.
Shell completion (bash, zsh, fish) is argcomplete's: ``kg --completion SHELL`` prints the script to source.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from kg import __version__
from kg.commands import Parser, add_global_options, use_color
from kg.errors import KGError

#: The order ``kg --help`` lists commands in; any other module in ``kg/commands/`` follows, alphabetically.
ORDER: tuple[str, ...] = ("build", "query", "queries", "analyze", "report", "viz", "export", "push", "remove", "eval")


def _discover() -> tuple[str, ...]:
    """Every sub-command module in ``kg/commands/`` (each with ``register``), so a new command needs no list."""
    import pkgutil

    import kg.commands

    found = {m.name for m in pkgutil.iter_modules(kg.commands.__path__) if not m.name.startswith("_")}
    return tuple(n for n in ORDER if n in found) + tuple(sorted(found - set(ORDER)))


#: Sub-command modules, in the order ``kg --help`` lists them.
COMMANDS: tuple[str, ...] = _discover()
#: Shells ``kg --completion`` writes a completion script for.
SHELLS = ("bash", "zsh", "fish")


def version_text() -> str:
    from kg.nlp.pipeline import model_info

    info = model_info()
    model = f"{info[0]} {info[1]}" if info else "no spaCy model installed"
    return f"kg {__version__} (spaCy model: {model})"


class _VersionAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        print(version_text())
        parser.exit(0)


class _CompletionAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: object, values: object, *_: object) -> None:
        from argcomplete.shell_integration import shellcode

        sys.stdout.write(shellcode(["kg"], shell=str(values)))
        parser.exit(0)


def make_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="kg",
        description="Build, query, analyse and draw knowledge graphs from conflict news. "
        "Global options (-v, -q, --no-color) go anywhere on the line; 'kg COMMAND --help' shows examples.",
        examples=(
            "kg build seeds -o out/graph.ttl",
            "kg query who-controls --param place=Kabul",
            "kg report -o out/report.html",
            'eval "$(kg --completion bash)"     # tab completion (also zsh, fish)',
        ),
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show version and spaCy model, then exit")
    parser.add_argument(
        "--completion",
        action=_CompletionAction,
        choices=SHELLS,
        metavar="SHELL",
        help=f"print the tab-completion script for SHELL ({', '.join(SHELLS)}) and exit; "
        'e.g. eval "$(kg --completion bash)" in ~/.bashrc, or '
        "kg --completion fish > ~/.config/fish/completions/kg.fish",
    )
    add_global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"kg.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions: answer and exit
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    if args.verbose and args.quiet:
        parser.error("-v (more on stderr) and -q (less on stderr) contradict each other: give one")
    level = logging.INFO if args.verbose else logging.ERROR if args.quiet else logging.WARNING
    logging.basicConfig(format="kg: %(message)s")
    logging.getLogger("kg").setLevel(level)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 1
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, where a failure is caught, not at exit
        return code
    except KGError as exc:
        error = "\033[1;31merror\033[0m" if use_color(args, sys.stderr) else "error"
        print(f"kg {args.command}: {error}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our stdout went away (| head): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not complain either
        return 0
    except OSError as exc:
        if exc.errno not in USER_ERRNOS:
            return _internal(args)
        from kg.outputs import os_error

        where = exc.filename or (
            "standard output" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO) else "a file"
        )
        print(f"kg {args.command}: error: {os_error(exc, where)}", file=sys.stderr)
        _quiet_stdout()
        return 1
    except Exception:
        return _internal(args)


#: What a user can cause and fix: full disks, read-only or forbidden places, names too long.
USER_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG, errno.ENOTDIR,
     errno.EISDIR, errno.ELOOP, errno.EIO}
)  # fmt: skip


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of what could not be written stays quiet."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):  # not a real file (a test's capture): nothing to quieten
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _internal(args: argparse.Namespace) -> int:
    print(f"kg {args.command}: internal error, please report it with this trace:", file=sys.stderr)
    traceback.print_exc()
    return 2


if __name__ == "__main__":
    sys.exit(main())

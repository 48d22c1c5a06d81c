"""One module per ``kg`` sub-command, each with ``register(subparsers)`` and a ``run(args) -> int``.

Options several commands share are defined here once, so they read and validate the same everywhere.
"""

from __future__ import annotations

import argparse


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

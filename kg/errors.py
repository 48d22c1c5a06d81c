"""Errors a user can act on: each message says what went wrong and what to do."""

from __future__ import annotations


class KGError(Exception):
    """Bad input or usage: the CLI prints the message and exits 1."""


class InputError(KGError):
    """An input file that cannot be read as text."""

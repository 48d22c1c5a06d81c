"""Where the data files live: ``ontology/`` and ``queries/`` in a checkout, or inside the installed wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from kg.errors import KGError

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg data folder {name!r} not found next to the package; reinstall kg")


def ontology_dir() -> Path:
    return _find("ontology")


def queries_dir() -> Path:
    return _find("queries")


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML data file (lexicons), with an error that names the file and what it is when it cannot be used."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KGError(f"{path}: the {what} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise KGError(f"{path}: cannot read the {what}: {exc.strerror}") from None

"""Reading input texts: files, folders (``*.txt``, ``*.md``) and ``-`` for stdin.

Each bad input gets a one-line message naming it and saying what to do; the caller decides whether the
run can go on without it.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.model import Document

TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Source:
    """Where a text comes from: a path, or ``-`` for standard input."""

    name: str
    path: Path | None


def expand(inputs: list[str]) -> list[Source]:
    """Files as given, folders expanded to their ``*.txt``/``*.md`` files (sorted, recursive)."""
    sources: list[Source] = []
    for item in inputs:
        if item == "-":
            sources.append(Source("<stdin>", None))
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not found:
                raise InputError(f"{path}: folder holds no {' or '.join(TEXT_SUFFIXES)} files; pass text files")
            sources.extend(Source(str(p), p) for p in found)
        elif path.exists():
            sources.append(Source(str(path), path))
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    return sources


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM is dropped); binary or undecodable data raises ``InputError``."""
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file (it holds NUL bytes); pass plain UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte {exc.start}); convert it, e.g. 'iconv -f latin1 -t utf-8 {name}'"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name}: is empty; pass a file with text in it")
    return text


def title_of(text: str) -> str:
    """The first line when it reads like a headline (short, no closing full stop)."""
    first = text.strip().split("\n", 1)[0].strip()
    if 0 < len(first) <= 120 and not first.endswith((".", '"', "\u201d")) and "\n" in text.strip():
        return first
    return ""


def read(source: Source) -> Document:
    """The ``Document`` for one source."""
    if source.path is None:
        data = sys.stdin.buffer.read()
    else:
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            raise InputError(f"{source.name}: cannot be read ({exc.strerror}); check its permissions") from None
    text = decode(data, source.name)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(text=text, source=source.name, sha256=sha, title=title_of(text))


def read_all(sources: list[Source], errors: list[str]) -> Iterator[Document]:
    """Documents for every readable source; messages for the others go to ``errors``."""
    for source in sources:
        try:
            yield read(source)
        except InputError as exc:
            errors.append(str(exc))

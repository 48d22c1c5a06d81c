"""Reading input texts: files, folders (``*.txt``, ``*.md``) and ``-`` for stdin.

Each bad input gets a one-line message naming it and saying what to do; the caller decides whether the
run can go on without it (a batch builds whatever it can read). A document's text is the file's own text:
UTF-8, or UTF-16/UTF-32 with a byte-order mark, the mark dropped and nothing else changed (CRLF line ends
stay, so offsets in the graph index the file as it is; :mod:`kg.pieces` normalises what the NLP reads).
Empty files are read (a document with no statements, and a warning); the same file given twice, or two
files with the same text, are read once and reported.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.model import Document

TEXT_SUFFIXES = (".txt", ".md")
#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


@dataclass(frozen=True)
class Source:
    """Where a text comes from: a path, or ``-`` for standard input. ``name`` is printable UTF-8 always."""

    name: str
    path: Path | None


def display_name(path: Path | str) -> str:
    """A path as text that can be printed and stored in the graph: bytes of a file name that are not
    UTF-8 are written as ``\\xNN`` (the same name always gives the same text).

    >>> display_name(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _key(path: Path) -> tuple[int, int] | str:
    """What makes two paths the same file: device and inode, else the resolved path."""
    try:
        st = path.stat()
    except OSError:
        return os.path.realpath(path)
    return st.st_dev, st.st_ino


def expand(inputs: list[str], notes: list[str] | None = None) -> list[Source]:
    """Files as given, folders expanded to their ``*.txt``/``*.md`` files (sorted, recursive).

    A file reached twice (given twice, or also inside a given folder, or through a link) is kept once,
    with a line in ``notes`` when given.
    """
    sources: list[Source] = []
    seen: dict[tuple[int, int] | str, str] = {}

    def add(path: Path) -> None:
        key = _key(path)
        name = display_name(path)
        if key in seen:
            if notes is not None:
                note = "was given twice" if seen[key] == name else f"is the same file as {seen[key]}"
                notes.append(f"{name} {note}; read once")
            return
        seen[key] = name
        sources.append(Source(name, path))

    for item in inputs:
        if item == "-":
            sources.append(Source("<stdin>", None))
            continue
        path = Path(item)
        shown = display_name(path)
        try:
            if path.is_dir():
                found = sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file())
                if not found:
                    raise InputError(f"{shown}: folder holds no {' or '.join(TEXT_SUFFIXES)} files; pass text files")
                for p in found:
                    add(p)
            elif path.exists():
                add(path)
            else:
                raise InputError(f"{shown}: no such file or folder; check the path")
        except OSError as exc:
            raise InputError(f"{shown}: cannot be read ({exc.strerror}); check its permissions") from None
    return sources


def decode(data: bytes, name: str) -> str:
    """The text of a file: UTF-8, or UTF-16/UTF-32 with a byte-order mark (the mark is dropped, nothing else
    changes); binary or undecodable data raises ``InputError``. An empty text is returned as it is."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: not valid {label} (byte {exc.start + len(bom)}); re-save it as UTF-8"
                ) from None
            break
    else:
        if b"\x00" in data:
            raise InputError(
                f"{name}: looks like a binary file (it holds NUL bytes); pass plain UTF-8 text "
                "(UTF-16 and UTF-32 need a byte-order mark)"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: not valid UTF-8 (byte {exc.start}); convert it, e.g. 'iconv -f latin1 -t utf-8 {name}'"
            ) from None
    if "\x00" in text:
        raise InputError(f"{name}: holds NUL characters, so it is not a text; pass plain text")
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


def read_all(sources: list[Source], errors: list[str], notes: list[str] | None = None) -> Iterator[Document]:
    """Documents for every readable source; messages for the others go to ``errors``.

    ``notes`` gets a warning for each empty (or whitespace-only) document, which is built all the same (a
    document with no statements), and for each text that is the same as one read before (built once).
    """
    texts: dict[str, str] = {}
    for source in sources:
        try:
            doc = read(source)
        except InputError as exc:
            errors.append(str(exc))
            continue
        if doc.sha256 in texts:
            if notes is not None:
                notes.append(f"{doc.source} has the same text as {texts[doc.sha256]}; built once")
            continue
        texts[doc.sha256] = doc.source
        if not doc.text.strip() and notes is not None:
            notes.append(f"{doc.source} is empty; it is in the graph as a document with no statements")
        yield doc

"""The few predicates a reader needs from a large N-Triples file, found without a Python object per line.

``kg viz`` on a 6.9-million-line file needs about a third of the lines, and most of its time went into
Oxigraph building term objects for every line it then dropped (38 s CPU). Splitting each line in Python is
no better (7.6 s just to see the predicates). Here numpy indexes a block of the file at a time: newlines and
``>`` give each line's subject, predicate and object spans, the predicate is matched by its length and last
eight bytes and then checked byte for byte, and the subjects and objects of the wanted lines are cut out in
one masked copy and split into strings by ``str.split`` (C speed, one string per term kept).

Only files whose every line has the plain shape ``<s> <p> o .`` (single spaces, ``\\n`` line ends, IRI
subjects) take this path; :func:`scan` returns ``None`` for anything else (blank-node subjects, comments,
tabs, ``\\r``, escapes in a subject), and callers read the file through Oxigraph as before, which also words
the error for a file that is not N-Triples at all. Objects kept are decoded strictly (UTF-8, N-Triples
escapes); a term outside the wanted lines is not looked at, so a wrong term there goes unnoticed: callers
check the terms they show (:func:`check_iri`, :func:`check_plain`). Lines of the *keyed* predicates are
not decoded at all: their offsets and a key of their subject are kept, and :meth:`Scan.details` reads the
lines of given subjects only (through Oxigraph's parser, which checks them), so evidence texts of
statements that are never shown cost nothing.

Lines of *coded* predicates give integer term ids instead of strings (``kg viz``'s skeleton: which
assertion states what, 1.7M lines on the bench graph, joined and counted in numpy). Within a block the
terms are grouped by a hash of their bytes and every term is compared byte for byte with its group's first
(a collision only costs speed); the distinct ones become strings, numbered through one dictionary in file
order, so one term is one id across blocks and runs.

A *strict* scan (``kg analyze``, which shows every value it reads) checks every term it keeps as Oxigraph's
parser would: subject and object IRIs through ``NamedNode``, plain literals for a bare quote or ``\\r``, and
any other object term parsed by Oxigraph itself; a wrong one makes :func:`scan` return ``None``.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox

#: Bytes indexed at a time. Small enough that a block and its index arrays stay in the CPU's cache while
#: numpy gathers bytes at each line's positions: 2 MB scans the bench graph in 4.1 s CPU, 16 MB in 6.1 s.
CHUNK = 2 << 20
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_NL, _SP, _LT, _GT, _QUOTE, _DOT, _BACKSLASH = 10, 32, 60, 62, 34, 46, 92
_LITERAL = re.compile(
    r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)"'
    r"(?:@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|\^\^<([^>]*)>)?"
)
_IRI = re.compile(r"<((?:[^\x00-\x20<>\"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_BAD_IRI_CHAR = re.compile(r"[\x00-\x20<>\"{}|^`\\]")

Index = npt.NDArray[np.int64]


class NotSimple(Exception):
    """The file (or a term a caller needs from it) is not plain-shaped N-Triples: read it the usual way."""


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        if code is not None:
            value = int(code, 16)
            if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise NotSimple(f"bad code point {code}")
            return chr(value)
        return _ECHAR[m.group(3)]

    return _ESCAPE.sub(one, text)


def term_value(raw: str) -> tuple[str, str | None]:
    """(value, datatype) of an N-Triples object term; the datatype is ``None`` for an IRI.

    >>> term_value('"4"^^<http://www.w3.org/2001/XMLSchema#integer>')
    ('4', 'http://www.w3.org/2001/XMLSchema#integer')
    >>> term_value('"a \\\\"b\\\\""@en')
    ('a "b"', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString')
    """
    if raw.startswith('"') and raw.endswith(">") and "\\" not in raw:  # a typed literal without escapes
        end = raw.find('"', 1)
        if raw.startswith("^^<", end + 1):
            value, datatype = raw[1:end], raw[end + 4 : -1]
            if ">" not in datatype and "\r" not in value and "\n" not in value:
                return value, datatype  # what _parsed_term finds, at a fifth of its cost
    return _parsed_term(raw)


def _parsed_term(raw: str) -> tuple[str, str | None]:
    """:func:`term_value` by the N-Triples grammar's regular expressions."""
    if raw.startswith("<"):
        m = _IRI.fullmatch(raw)
        if m is None:
            raise NotSimple(f"bad IRI {raw[:80]}")
        return _unescape(m.group(1)), None
    m = _LITERAL.fullmatch(raw)
    if m is None:
        raise NotSimple(f"bad term {raw[:80]}")
    datatype = _LANG_STRING if m.group(2) else _unescape(m.group(3)) if m.group(3) is not None else _XSD_STRING
    return _unescape(m.group(1)), datatype


def check_iri(value: str) -> None:
    """Raise :class:`NotSimple` unless ``value`` is an absolute IRI Oxigraph accepts."""
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise NotSimple(str(exc)) from None


def check_plain(value: str) -> None:
    """Raise :class:`NotSimple` when a literal kept without unescaping held a character its quotes forbid."""
    if '"' in value or "\r" in value:
        raise NotSimple("bad literal")


def _take(items: list[str], rows: Index) -> list[str]:
    if len(rows) == 0:
        return []
    if len(rows) == 1:
        return [items[int(rows[0])]]
    return list(itemgetter(*rows.tolist())(items))


#: Spans up to this many words are cut by gathering rows of bytes (:func:`_rows`); a block with a longer one
#: is masked whole.
_WIDE = 32
#: Bytes after each block that :func:`_words` and :func:`_rows` may read (their values are never used).
_PAD = 8 * _WIDE + 8


def _chunks(path: Path, buffers: int = 1) -> Iterator[tuple[int, npt.NDArray[np.uint8], bool, bool]]:
    """(offset, block, whether it holds a backslash, whether it holds a NUL byte) covering the file, each
    block whole lines ending in ``\\n`` (one is added after a last line without it) followed by ``_PAD``
    bytes of slack. Blocks take turns in ``buffers`` buffers (reused, not allocated afresh: fresh memory
    costs a page fault per 4 kB), so each is valid until ``buffers - 1`` more blocks have been asked for."""
    ring = [bytearray(CHUNK + _PAD) for _ in range(buffers)]
    carry = b""
    offset = turn = 0
    with path.open("rb", buffering=0) as fh:
        while True:
            if len(ring[turn]) < 2 * len(carry) + _PAD:  # a line longer than a block: a larger block
                ring[turn] = bytearray(2 * len(carry) + _PAD)
            buf = ring[turn]
            buf[: len(carry)] = carry
            n = fh.readinto(memoryview(buf)[len(carry) : len(buf) - _PAD])
            end = len(carry) + (n or 0)
            if not n:
                if carry:
                    last = bytearray(carry) + b"\n" + bytes(_PAD)
                    yield offset, np.frombuffer(last, np.uint8), b"\\" in carry, b"\0" in carry
                return
            cut = buf.rfind(b"\n", 0, end) + 1
            carry = bytes(buf[cut:end])
            if cut:
                block = np.frombuffer(buf, np.uint8, count=cut + _PAD)
                yield offset, block, buf.find(b"\\", 0, cut) >= 0, buf.find(b"\0", 0, cut) >= 0
                offset += cut
                turn = (turn + 1) % buffers  # a buffer whose bytes all went to carry is read into again


def _key(tail: npt.NDArray[np.uint64], length: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    return tail ^ (length.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def _word_values(spelled: bytes) -> list[int]:
    """The eight-byte words of ``spelled`` at 0, 8, 16, ... before its last eight bytes (the key has those)."""
    return [int.from_bytes(spelled[k : k + 8], "little") for k in range(0, len(spelled) - 8, 8)]


def _words(a: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """``w[i]`` = the eight bytes from ``a[i]`` on, as one little-endian integer (a view, no copy): one
    gather reads eight bytes where indexing ``a`` reads one."""
    return np.ndarray((len(a) - 7,), "<u8", a, 0, (1,))


def _subject_key(subject: bytes) -> int:
    """The key :meth:`Scan.details` finds a subject's lines by (0 for subjects under eight bytes: always read)."""
    if len(subject) < 8:
        return 0
    tail = int.from_bytes(subject[-8:], "little")
    return tail ^ ((len(subject) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)


#: Lines :meth:`Scan.details` reads back that lie within this many bytes of each other are read at once.
_RUN = 64 << 10


def _line_at(fd: int, offset: int) -> bytes:
    """The line at ``offset`` (up to the end of the file when no newline ends it)."""
    size = 4096
    while True:
        data = os.pread(fd, size, offset)
        end = data.find(b"\n")
        if end >= 0 or len(data) < size:
            return data if end < 0 else data[: end + 1]
        size *= 4


@dataclass
class Scan:
    """What :func:`scan` found: ``pairs[p]`` = (subjects, object values) of each wanted predicate ``p``,
    ``datatypes[p]`` their objects' datatypes (``None`` for an IRI) for the predicates asked with types,
    and ``codes[p]`` = (subject ids, object ids) of each *coded* predicate: ``names[i]`` is term ``i`` as
    it is spelled in N-Triples (``<iri>`` with the IRI unescaped, a literal as written), the same term
    always the same id (exactly: ids are given to strings, see :func:`_coded`)."""

    path: Path
    pairs: dict[str, tuple[list[str], list[str]]]
    datatypes: dict[str, list[str | None]]
    keyed: tuple[str, ...] = ()
    codes: dict[str, tuple[Index, Index]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    #: the ids of the literals among the coded terms
    literals: list[int] = field(default_factory=list)
    # a term's hash -> its id (checked, see _hashed_ids), in two sorted arrays: a large one and a small one
    # new hashes are inserted into (merged into the large one now and then)
    _hash_keys: list[npt.NDArray[np.uint64]] = field(default_factory=lambda: [np.zeros(0, np.uint64)] * 2)
    _hash_ids: list[Index] = field(default_factory=lambda: [np.zeros(0, np.int64)] * 2)
    _unhashed: int = 0  # terms numbered without their hash (met as strings, or colliding)
    _indexed: int = 0  # how many of ``names`` ``index`` holds (it is brought up to date when needed)
    _words: npt.NDArray[np.uint64] = field(default_factory=lambda: np.zeros((0, 1), np.uint64))  # by id
    _lengths: Index = field(default_factory=lambda: np.zeros(0, np.int64))  # by id; -1: words not kept
    _code_parts: dict[str, list[tuple[Index, Index]]] = field(default_factory=dict)
    _terms: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    _offsets: list[Index] = field(default_factory=list)
    _keys: list[npt.NDArray[np.uint64]] = field(default_factory=list)

    def iri_id(self, iri: str) -> int | None:
        """The id of IRI ``iri`` among the coded terms (``None``: no coded line holds it)."""
        return self._exact().get(f"<{iri}>")

    def ids_of(self, iris: Iterable[str]) -> dict[str, int]:
        """IRI -> id of those of ``iris`` among the coded terms: one pass over the terms, where
        :meth:`iri_id`'s first call builds a dictionary of them all."""
        wanted = {f"<{iri}>" for iri in iris}
        return {name[1:-1]: i for i, name in enumerate(self.names) if name in wanted}

    def _exact(self) -> dict[str, int]:
        """``index`` with every term numbered so far (kept up to date only once something asks)."""
        if self._indexed < len(self.names):
            self.index.update(zip(self.names[self._indexed :], range(self._indexed, len(self.names)), strict=True))
            self._indexed = len(self.names)
        return self.index

    def details(self, subjects: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """predicate -> subject -> object values, of the keyed predicates, for ``subjects`` only.

        Only lines whose subject key matches are read back (a few kilobytes for a drawn page); Oxigraph
        parses them, so a wrong term among them raises :class:`NotSimple` rather than being shown."""
        wanted = set(subjects)
        out: dict[str, dict[str, list[str]]] = {p: {} for p in self.keyed}
        if not wanted or not self._offsets:
            return out
        keys = np.array(sorted({_subject_key(s.encode("utf-8")) for s in wanted}), np.uint64)
        offsets = np.concatenate(self._offsets)
        all_keys = np.concatenate(self._keys)
        at = np.searchsorted(keys, all_keys)  # keys is sorted: half the time of np.isin on millions of lines
        at[at == len(keys)] = 0
        hit = (keys[at] == all_keys) | (all_keys == 0)
        lines: list[bytes] = []
        offsets_hit = np.sort(offsets[hit]).tolist()
        with self.path.open("rb", buffering=0) as fh:
            fd = fh.fileno()
            i = 0
            while i < len(offsets_hit):  # lines close together (a statement's details are) in one read
                start, j = offsets_hit[i], i + 1
                while j < len(offsets_hit) and offsets_hit[j] - start < _RUN:
                    j += 1
                data = os.pread(fd, offsets_hit[j - 1] - start + 4096, start)
                for off in offsets_hit[i:j]:
                    end = data.find(b"\n", off - start)
                    lines.append(data[off - start : end + 1] if end >= 0 else _line_at(fd, off))
                i = j
        try:
            triples = ox.parse(b"\n".join(line.rstrip(b"\n") for line in lines) + b"\n", ox.RdfFormat.N_TRIPLES)
            for t in triples:
                p, s = t.predicate.value, t.subject
                if isinstance(s, ox.NamedNode) and s.value in wanted and p in out:
                    out[p].setdefault(s.value, []).append(t.object.value)
        except SyntaxError as exc:
            raise NotSimple(str(exc)) from None
        return out


@dataclass(frozen=True)
class _Patterns:
    """The predicates :func:`scan` looks for, spelled ``<iri>``, with the keys and words it matches them by."""

    spelled: list[bytes]
    keys: list[np.uint64]
    words: list[npt.NDArray[np.uint64]]
    n_wanted: int
    typed: frozenset[int]
    coded: frozenset[int] = frozenset()


@dataclass
class _Terms:
    """A block's distinct coded terms: ``strings``, or (hashed) their ``hashes``, ``words`` and ``lengths``,
    decoded only when new to the scan; then ``extra`` strings (objects parsed one by one)."""

    strings: list[str] | None = None
    hashes: npt.NDArray[np.uint64] | None = None
    words: npt.NDArray[np.uint64] | None = None
    lengths: Index | None = None
    extra: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.strings if self.strings is not None else self.lengths) + len(self.extra)  # type: ignore[arg-type]


@dataclass
class _Part:
    """What one block holds: group -> (subjects, objects, datatypes or None), and the keyed lines."""

    groups: dict[int, tuple[list[str], list[str], list[str | None] | None]]
    offsets: Index | None = None
    keys: npt.NDArray[np.uint64] | None = None
    #: coded lines: the distinct terms, each line's subject and object as indices into them, its group, and
    #: which terms are literals
    coded: tuple[_Terms, Index, Index, npt.NDArray[np.int16], Index] | None = None


#: Threads scanning blocks at once (numpy's index and gathers release the GIL). ``None``: two when the
#: machine has a core to spare (1-minute load below the cores less one half), else one -- on a busy machine
#: a second thread only adds switching (bench graph at load 6.5: 0.3 s more CPU, no sooner done).
THREADS: int | None = None


def _threads() -> int:
    if THREADS is not None:
        return THREADS
    cores = os.cpu_count() or 1
    return 2 if cores >= 2 and os.getloadavg()[0] < cores - 0.5 else 1


def scan(
    path: Path,
    predicates: Iterable[str],
    keyed: Iterable[str] = (),
    typed: Iterable[str] = (),
    strict: bool = False,
    coded: Iterable[str] = (),
) -> Scan | None:
    """The (subject, object value) pairs of ``predicates`` in N-Triples file ``path``, and an index of the
    lines of ``keyed`` predicates (read back by :meth:`Scan.details`); ``None`` when the file is not
    plain-shaped (see the module), or with ``strict`` when a term kept is not valid. Predicates in ``typed``
    also get their objects' datatypes. Lines of ``coded`` predicates give term ids instead of strings
    (``Scan.codes``): joins over them run in numpy, and a term repeated on many lines is one string."""
    plain_wanted = list(dict.fromkeys(predicates))
    coded_list = [p for p in dict.fromkeys(coded) if p not in plain_wanted]
    if coded_list and strict:
        raise ValueError("a strict scan gives strings only")
    wanted = [*plain_wanted, *coded_list]
    keyed_list = [p for p in dict.fromkeys(keyed) if p not in wanted]
    typed_set = set(typed)
    every = [*wanted, *keyed_list]
    if any(len(p) < 8 or _BAD_IRI_CHAR.search(p) for p in every):
        raise ValueError("predicates must be plain IRIs of 8 characters or more")
    spelled = [b"<" + p.encode("utf-8") + b">" for p in every]
    patterns = _Patterns(
        spelled,
        [_key(np.frombuffer(p[-8:], "<u8"), np.array([len(p)], np.int64))[0] for p in spelled],
        [np.array(_word_values(p), np.uint64) for p in spelled],
        len(wanted),
        frozenset(g for g, p in enumerate(wanted) if p in typed_set and p not in coded_list),
        frozenset(range(len(plain_wanted), len(wanted))),
    )
    result = Scan(
        path,
        {p: ([], []) for p in plain_wanted},
        {p: [] for p in plain_wanted if p in typed_set},
        tuple(keyed_list),
        _code_parts={p: [] for p in coded_list},
    )
    try:
        seen: set[str] | None = set() if strict else None  # a strict scan's IRIs checked so far
        for part in _parts(path, patterns, result._terms, _threads(), seen):
            if not _merge(result, wanted, part):
                return None
    except (UnicodeDecodeError, NotSimple):
        return None
    empty = np.zeros(0, np.int64)
    for p, got in result._code_parts.items():
        result.codes[p] = (
            np.concatenate([s for s, _ in got]) if got else empty,
            np.concatenate([o for _, o in got]) if got else empty,
        )
    result._code_parts.clear()
    return result


def _parts(
    path: Path,
    patterns: _Patterns,
    terms: dict[str, tuple[str, str | None]],
    threads: int,
    seen: set[str] | None = None,
) -> Iterator[_Part | None]:
    """:func:`_scan_block` of each block, in file order; with several threads, blocks are scanned in
    parallel, a few ahead at most (so memory stays a few blocks)."""
    if threads == 1:
        for offset, a, escapes, nul in _chunks(path):
            yield _scan_block(a, offset, escapes, nul, patterns, terms, seen)
        return
    pool = ThreadPoolExecutor(threads)
    pending: deque[Future[_Part | None]] = deque()
    try:
        for offset, a, escapes, nul in _chunks(path, 2 * threads + 2):
            pending.append(pool.submit(_scan_block, a, offset, escapes, nul, patterns, terms, seen))
            if len(pending) > 2 * threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def _merge(result: Scan, wanted: list[str], part: _Part | None) -> bool:
    if part is None:
        return False
    for g, (subs, objs, types) in part.groups.items():
        p = wanted[g]
        subjects, objects = result.pairs[p]
        subjects += subs
        objects += objs
        if types is not None:
            result.datatypes[p] += types
    if part.offsets is not None and part.keys is not None:
        result._offsets.append(part.offsets)
        result._keys.append(part.keys)
    if part.coded is not None:
        _merge_coded(result, wanted, *part.coded)
    return True


def _merge_coded(
    result: Scan,
    wanted: list[str],
    terms: _Terms,
    subjects: Index,
    objects: Index,
    groups: npt.NDArray[np.int16],
    literals: Index,
) -> None:
    """Ids for a block's distinct coded terms (new ones numbered in file order, so ids are the same every
    run), and its coded lines' ids appended to their predicates'. A literal is checked when first met."""
    known = len(result.names)
    ids = np.concatenate(
        [
            _hashed_ids(result, terms) if terms.strings is None else _string_ids(result, terms.strings),
            _string_ids(result, terms.extra),
        ]
    )
    if len(literals):
        new = np.sort(ids[literals])  # np.unique hashes: slower on small arrays
        new = new[(new >= known) & np.concatenate([[True], new[1:] != new[:-1]])]
        for literal in _take(result.names, new):
            term_value(literal)  # a wrong literal: NotSimple, as for a line read as strings
        result.literals += new.tolist()
    sub_ids, obj_ids = ids[subjects], ids[objects]
    for g in np.flatnonzero(np.bincount(groups)).tolist():
        rows = np.flatnonzero(groups == g)
        result._code_parts[wanted[g]].append((sub_ids[rows], obj_ids[rows]))


def _new_ids(result: Scan, terms: list[str]) -> Index:
    """Number ``terms`` (distinct, none numbered yet) after the others; their words are kept by the caller
    (:func:`_hashed_ids`), else ``-1`` stands for 'not kept'."""
    start = len(result.names)
    result.names += terms
    if len(result.names) > len(result._lengths):  # room for twice as many
        grown = np.zeros((2 * len(result.names) + 1024, result._words.shape[1]), np.uint64)
        grown[:start] = result._words[:start]
        result._words = grown
        result._lengths = np.concatenate([result._lengths, np.full(len(grown) - len(result._lengths), -1, np.int64)])
    return np.arange(start, start + len(terms))


def _string_ids(result: Scan, strings: list[str]) -> Index:
    """The ids of terms given as strings (looked up exactly)."""
    if not strings:
        return np.zeros(0, np.int64)
    index = result._exact()
    ids = np.fromiter(map(index.get, strings, repeat(-1)), np.int64, len(strings))
    for n in np.flatnonzero(ids < 0).tolist():
        got = index.get(strings[n])  # listed twice (a block's terms after a hash collision there)
        if got is None:
            got = int(_new_ids(result, [strings[n]])[0])
            result._unhashed += 1
            result._exact()
        ids[n] = got
    return ids


def _find_hashes(result: Scan, hashes: npt.NDArray[np.uint64]) -> Index:
    """The ids kept for ``hashes`` (sorted, distinct), -1 where none is: sorted queries into sorted arrays
    (a dict of 420k integer keys took ten times as long)."""
    ids = np.full(len(hashes), -1, np.int64)
    for keys, values in zip(result._hash_keys, result._hash_ids, strict=True):
        if len(keys):
            at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
            hit = keys[at] == hashes
            ids[hit] = values[at[hit]]
    return ids


def _keep_hashes(result: Scan, hashes: npt.NDArray[np.uint64], ids: Index) -> None:
    """Keep ``hashes`` (sorted, distinct, none kept yet) for ``ids``."""
    keys, values = result._hash_keys[1], result._hash_ids[1]
    at = np.searchsorted(keys, hashes)
    keys, values = np.insert(keys, at, hashes), np.insert(values, at, ids)
    if len(keys) > 1 << 16:  # into the large one: a merge now and then, not per block
        big_keys, big_values = result._hash_keys[0], result._hash_ids[0]
        at = np.searchsorted(big_keys, keys)
        result._hash_keys[0], result._hash_ids[0] = np.insert(big_keys, at, keys), np.insert(big_values, at, values)
        keys, values = keys[:0], values[:0]
    result._hash_keys[1], result._hash_ids[1] = keys, values


def _hashed_ids(result: Scan, terms: _Terms) -> Index:
    """The ids of a block's hashed terms: looked up by hash, and each found one's words and length
    compared with those kept for the id (a collision across blocks, or an id first met as a string, is
    looked up exactly, by its string); only terms not met before are decoded."""
    hashes, words, lengths = terms.hashes, terms.words, terms.lengths
    assert hashes is not None and words is not None and lengths is not None
    ids = _find_hashes(result, hashes)
    absent = ids < 0
    if words.shape[1] > result._words.shape[1]:  # wider terms than any before: wider rows
        wider = np.zeros((len(result._words), words.shape[1]), np.uint64)
        wider[:, : result._words.shape[1]] = result._words
        result._words = wider
    hit = np.flatnonzero(~absent)
    same = (result._words[ids[hit], : words.shape[1]] == words[hit]).all(1) & (
        result._lengths[ids[hit]] == lengths[hit]
    )
    ids[hit[~same]] = -1
    missing = np.flatnonzero(ids < 0)
    if len(missing):
        rows = words[missing].view(np.uint8).copy()
        rows[np.arange(len(missing)), lengths[missing]] = _NL
        strings = rows.tobytes().translate(None, b"\0").decode("utf-8").split("\n")[:-1]
        if result._unhashed or not absent[missing].all():  # a term may be numbered, under another hash or none
            index = result._exact()
            got = np.fromiter(map(index.get, strings, repeat(-1)), np.int64, len(strings))
        else:  # every numbered term is kept under its hash: an absent hash is a new term
            got = np.full(len(strings), -1, np.int64)
        new = np.flatnonzero(got < 0)  # distinct: so are a block's hashed terms
        if len(new):
            got[new] = fresh = _new_ids(result, _take(strings, new))
            result._words[fresh, : words.shape[1]] = words[missing[new]]
            result._lengths[fresh] = lengths[missing[new]]
            result._unhashed += int((~absent[missing[new]]).sum())  # colliding: not kept under their hash
        for n in np.flatnonzero(result._lengths[got] < 0).tolist():  # first met as a string: keep its words now
            result._words[got[n], : words.shape[1]] = words[missing[n]]
            result._lengths[got[n]] = lengths[missing[n]]
        ids[missing] = got
        keep = absent[missing]
        _keep_hashes(result, hashes[missing[keep]], got[keep])
    return ids


def _rows(a: npt.NDArray[np.uint8], lo: Index, hi: Index) -> tuple[npt.NDArray[np.uint8], Index]:
    """Each span ``a[lo[i]:hi[i]]`` as a row of a byte matrix (one contiguous copy per row), the bytes after
    it zeroed, and its length; the width is a whole number of words with room for one byte after the
    longest. ``a`` must have ``_PAD`` bytes of slack and no span may be longer than ``_WIDE`` words."""
    length = hi - lo
    width = (int(length.max()) // 8 + 1) * 8
    window = np.lib.stride_tricks.as_strided(a, (len(a) - width + 1, width), (1, 1), writeable=False)
    rows = window[lo]
    rows *= np.arange(width) < length[:, None]
    return rows, length


def _cut(a: npt.NDArray[np.uint8], lo: Index, hi: Index) -> list[str]:
    """The UTF-8 strings ``a[lo[i]:hi[i]]`` (spans in order, none touching the next), cut out of the block
    in one masked copy; the byte after each span is overwritten with a newline."""
    bounds = np.empty(2 * len(lo) + 2, np.int64)
    bounds[0], bounds[-1] = 0, len(a)
    bounds[1:-1:2], bounds[2:-1:2] = lo, hi + 1
    keep = np.zeros(len(bounds) - 1, bool)
    keep[1::2] = True
    a[hi] = _NL
    text: str = a[np.repeat(keep, np.diff(bounds))].tobytes().decode("utf-8")
    return text.split("\n")[:-1]


def _hash_rows(rows: npt.NDArray[np.uint8], length: Index) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each row (its bytes and length); only a grouping hint, :func:`_coded` checks it."""
    words = rows.view("<u8")
    h = length.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for j in range(words.shape[1]):  # a term's own words only: the same hash in a block of wider terms
        mixed = (h ^ words[:, j]) * np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(31)
        h = np.where(length > 8 * j, mixed, h)
    return h


def _coded(padded: npt.NDArray[np.uint8], lo: Index, hi: Index, nul: bool) -> tuple[_Terms, Index]:
    """The distinct terms among the spans ``padded[lo[i]:hi[i]]`` and each span's index into them.

    Spans are grouped by a hash of their bytes, and every span is then compared byte for byte with the
    first of its group: a collision (or a block with a NUL byte, or a span longer than ``_WIDE`` words)
    makes each span its own string, so equal ids always mean equal bytes."""
    n = len(lo)
    length = hi - lo
    if n and not nul and int(length.max()) < 8 * _WIDE:
        rows, length = _rows(padded, lo, hi)
        hashes = _hash_rows(rows, length)
        _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        words = rows.view("<u8")
        if (words == words[first][inverse]).all() and (length == length[first][inverse]).all():
            return _Terms(hashes=hashes[first], words=words[first], lengths=length[first]), inverse
    spans = [bytes(padded[i:j]).decode("utf-8") for i, j in zip(lo.tolist(), hi.tolist(), strict=True)]
    return _Terms(strings=spans), np.arange(n)


def _coded_lines(
    a: npt.NDArray[np.uint8],
    padded: npt.NDArray[np.uint8],
    c: Index,
    starts: Index,
    se: Index,
    pe: Index,
    nl: Index,
    gt: Index,
    gid: npt.NDArray[np.int16],
    escaped: npt.NDArray[np.bool_],
    nul: bool,
) -> tuple[_Terms, Index, Index, npt.NDArray[np.int16], Index]:
    """Lines ``c`` of a block as (distinct terms, subject and object indices into them, group, indices of
    the literals among the terms -- a term may be listed more than once): terms
    spelled as in N-Triples, except an object IRI with escapes or an unusual shape, which is parsed and
    spelled ``<value>`` (a wrong one raises :class:`NotSimple`)."""
    ob, oe = pe[c] + 2, nl[c] - 3
    first = a[ob]
    if not ((first == _LT) | (first == _QUOTE)).all():  # a blank node or worse
        raise NotSimple("object is no IRI or literal")
    odd = (first == _LT) & (escaped[c] | (a[oe] != _GT))
    iri = np.flatnonzero(first == _LT)
    j = np.minimum(np.searchsorted(gt, ob[iri]), len(gt) - 1)
    odd[iri[gt[j] != oe[iri]]] = True  # another '>' inside
    plain = np.flatnonzero(~odd)
    lo = np.concatenate([starts[c], ob[plain]])
    hi = np.concatenate([se[c] + 1, oe[plain] + 1])
    terms, inverse = _coded(padded, lo, hi, nul)
    m = len(c)
    objects = np.empty(m, np.int64)
    objects[plain] = inverse[m:]
    if len(plain) < m:
        at = np.flatnonzero(odd)
        objects[at] = np.arange(len(terms), len(terms) + len(at))
        for i in at.tolist():
            value, datatype = term_value(bytes(a[ob[i] : oe[i] + 1]).decode("utf-8"))
            if datatype is not None:
                raise NotSimple("not an IRI")
            terms.extra.append(f"<{value}>")
    return terms, inverse[:m], objects, gid[c], objects[first == _QUOTE]


def _scan_block(
    a: npt.NDArray[np.uint8],
    offset: int,
    escapes: bool,
    nul: bool,
    patterns: _Patterns,
    terms: dict[str, tuple[str, str | None]],
    seen: set[str] | None = None,
) -> _Part | None:
    """The wanted lines of one block (``_PAD`` bytes of slack after it; ``None``: a line is not
    plain-shaped); ``terms`` caches parsed objects; with ``seen`` (a strict scan: the IRIs checked so far)
    every term kept is checked."""
    n_wanted = patterns.n_wanted
    part = _Part({})
    padded, words = a, _words(a)  # over the slack too
    a = a[: len(a) - _PAD]
    if len(a) < 8:  # no line of the plain shape is this short
        return None
    nl = np.flatnonzero(a == _NL)
    if len(nl) == 0:
        return part
    starts = np.empty_like(nl)
    starts[0] = 0
    starts[1:] = nl[:-1] + 1
    gt = np.flatnonzero(a == _GT)
    if len(gt) < 2:
        return None
    i = np.searchsorted(gt, starts)
    i = np.minimum(i, len(gt) - 2)
    se, pe = gt[i], gt[i + 1]  # each line's subject and predicate end ('>')
    # the plain shape, for every line: <s> <p> o .\n
    ok = (
        (a[starts] == _LT)
        & (se > starts)
        & (pe + 5 <= nl)
        & (a[np.minimum(se + 1, len(a) - 1)] == _SP)
        & (a[np.minimum(se + 2, len(a) - 1)] == _LT)
        & (a[pe + 1] == _SP)
        & (a[nl - 1] == _DOT)
        & (a[nl - 2] == _SP)
    )
    if not ok.all():
        return None
    plen = pe - se - 1  # the predicate with its brackets: from se + 2 to pe
    tails = _key(words[np.maximum(pe - 7, 0)], plen)
    gid = np.full(len(nl), -1, np.int16)
    for g, (p, k, pw) in enumerate(zip(patterns.spelled, patterns.keys, patterns.words, strict=True)):
        rows = np.flatnonzero(tails == k)
        if len(rows) == 0:
            continue
        rows = rows[plen[rows] == len(p)]
        at = se[rows] + 2  # the predicate's '<'; its last eight bytes matched by the key, the rest word by word
        same = np.ones(len(rows), bool)
        for j, value in enumerate(pw.tolist()):
            same &= words[at + 8 * j] == value
        gid[rows[same]] = g
    escaped = np.zeros(len(nl), bool)
    if escapes:  # most files have none
        backslashes = np.flatnonzero(a == _BACKSLASH)
        line_of = np.searchsorted(nl, backslashes)
        escaped[line_of] = True
        if (backslashes < pe[line_of] + 2).any():  # an escape in a subject or predicate: its value is not its bytes
            return None
    keyed = np.flatnonzero(gid >= n_wanted)
    if len(keyed):
        sub_len = se[keyed] - starts[keyed] - 1
        keys = _key(words[np.maximum(se[keyed] - 8, 0)], sub_len)
        keys[sub_len < 8] = 0
        part.offsets, part.keys = starts[keyed] + offset, keys
    if patterns.coded:
        c = np.flatnonzero(gid >= min(patterns.coded))
        c = c[gid[c] < n_wanted]
        if len(c):
            part.coded = _coded_lines(a, padded, c, starts, se, pe, nl, gt, gid, escaped, nul)
        w = np.flatnonzero((gid >= 0) & (gid < min(patterns.coded)))
    else:
        w = np.flatnonzero((gid >= 0) & (gid < n_wanted))
    if len(w) == 0:
        return part
    ob, oe = pe[w] + 2, nl[w] - 3  # object's first and last byte
    first, last = a[ob], a[oe]
    plain = ~escaped[w] & (oe > ob) & (((first == _LT) & (last == _GT)) | ((first == _QUOTE) & (last == _QUOTE)))
    if plain.any():  # an IRI object holds no other '>'
        iri = plain & (first == _LT)
        j = np.searchsorted(gt, ob[iri])
        plain[np.flatnonzero(iri)[gt[j] != oe[iri]]] = False
    lo, hi = np.empty(2 * len(w), np.int64), np.empty(2 * len(w), np.int64)
    lo[0::2], hi[0::2] = starts[w] + 1, se[w]
    lo[1::2], hi[1::2] = np.where(plain, ob + 1, ob), np.where(plain, oe, oe + 1)
    parts = _cut(a, lo, hi)
    subjects, objects = parts[0::2], parts[1::2]
    datatypes: dict[int, str | None] = {}
    if seen is not None:
        _check_kept(subjects, objects, plain, first, seen)
    rest = np.flatnonzero(~plain)
    if len(rest):  # typed, language-tagged or escaped: parsed once per spelling (booleans, datatypes repeat)
        at = rest.tolist()
        raws = _take(objects, rest)
        got = list(map(terms.get, raws))
        missing = [n for n, term in enumerate(got) if term is None]
        if seen is not None:  # strict: Oxigraph's parser reads them, a few thousand at a time
            fresh = list(dict.fromkeys(raws[n] for n in missing))
            parsed = dict(zip(fresh, _parse_objects(fresh), strict=True))
        for n in missing:
            got[n] = term = parsed[raws[n]] if seen is not None else term_value(raws[n])
            if len(terms) < 100_000:
                terms[raws[n]] = term
        values, types = zip(*got, strict=True)
        for r, value in zip(at, values, strict=True):
            objects[r] = value
        datatypes = dict(zip(at, types, strict=True))
    is_iri = (first == _LT).tolist()
    groups = gid[w]
    for g in np.flatnonzero(np.bincount(groups)).tolist():  # np.unique hashes: slower on small arrays
        rows = np.flatnonzero(groups == g)
        types = None
        if g in patterns.typed:
            types = [datatypes[r] if r in datatypes else None if is_iri[r] else _XSD_STRING for r in rows.tolist()]
        part.groups[g] = (_take(subjects, rows), _take(objects, rows), types)
    return part


def _check_kept(
    subjects: list[str], objects: list[str], plain: npt.NDArray[np.bool_], first: npt.NDArray[np.uint8], seen: set[str]
) -> None:
    """A strict scan's check of the terms kept as they are: each new IRI through ``NamedNode`` (what
    Oxigraph's parser checks them with), plain literals for a bare quote or carriage return."""
    literals = "".join(_take(objects, np.flatnonzero(plain & (first == _QUOTE))))
    if '"' in literals or "\r" in literals:
        raise NotSimple("bad literal")
    new = set(subjects)
    new.update(_take(objects, np.flatnonzero(plain & (first == _LT))))
    new -= seen
    for iri in new:
        check_iri(iri)
    seen |= new


def _parse_objects(raws: list[str]) -> list[tuple[str, str | None]]:
    """(value, datatype) of object terms as Oxigraph's N-Triples parser reads them (``None`` for an IRI);
    a term it refuses, or a blank node, raises :class:`NotSimple`."""
    if not raws:
        return []
    text = "".join(f"<x:s> <x:p> {raw} .\n" for raw in raws)
    try:
        found = [t.object for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as exc:
        raise NotSimple(str(exc)) from None
    if len(found) != len(raws):
        raise NotSimple("not one term per line")
    out: list[tuple[str, str | None]] = []
    for term in found:
        if isinstance(term, ox.Literal):
            out.append((term.value, term.datatype.value))
        elif isinstance(term, ox.NamedNode):
            out.append((term.value, None))
        else:
            raise NotSimple("blank node")
    return out

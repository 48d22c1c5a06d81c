"""Datasets as sorted N-Quads lines: the one form every build path produces and every writer reads.

A document's statements live in a named graph (its ``doc:`` IRI). Each document is mapped on its own, in
whatever process parsed it, into N-Quads lines (:func:`extraction_lines`); a build, ``--jobs N``, a Dask
cluster and ten incremental steps all end in :func:`merge`: the lines sorted as bytes, duplicates dropped.
Sorting bytes is cheap (no Python objects per term) and gives one canonical order, so the same documents
always give the same bytes however they were split.

Writers flatten for Turtle, N-Triples and JSON-LD (:func:`flatten`: drop the graph name, sort, drop
duplicates) and keep the graphs for TriG and N-Quads. :func:`turtle` writes Turtle straight from sorted
N-Triples lines, the way a person would lay it out (one block per subject, ``rdf:type`` and labels first,
kg's prefixes), at about the speed of Oxigraph's own writer.

Lines are canonical N-Quads as Oxigraph writes them: ``<s> <p> o <g> .\\n`` (or ``<s> <p> o .\\n`` in the
default graph). kg mints no blank nodes; files from elsewhere that have them keep their labels.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, compress, repeat
from operator import ne
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import KGError
from kg.memory import gc_paused as gc_paused
from kg.rdf.namespace import PREFIXES

Lines = list[bytes]

_XSD = str(XSD)
_XSD_STRING = _XSD + "string"
_RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: Predicates written first in a subject's block, in this order; the rest follow in IRI order.
_FIRST = (
    _RDF_TYPE,
    b"<http://www.w3.org/2000/01/rdf-schema#label>",
    b"<http://www.w3.org/2004/02/skos/core#altLabel>",
    b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject>",
    b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate>",
    b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#object>",
)
_RANK = {p: bytes([i]) for i, p in enumerate(_FIRST)}
_RANK_INT = {p: i for i, p in enumerate(_FIRST)}
_LAST_INT = len(_FIRST)
#: A local name written as ``prefix:local`` (no escapes needed); anything else is written as ``<IRI>``.
_LOCAL = re.compile(rb"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_BARE = {
    b"<" + (_XSD + "integer").encode() + b">": re.compile(rb"^[+-]?[0-9]+$"),
    b"<" + (_XSD + "decimal").encode() + b">": re.compile(rb"^[+-]?[0-9]*\.[0-9]+$"),
    b"<" + (_XSD + "double").encode() + b">": re.compile(rb"^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+$"),
    b"<" + (_XSD + "boolean").encode() + b">": re.compile(rb"^(?:true|false)$"),
}


# ---------------------------------------------------------------------------------------------- lines


_NAMED: dict[str, ox.NamedNode] = {}


def _named(iri: str) -> ox.NamedNode:
    node = _NAMED.get(iri)
    if node is None:
        node = ox.NamedNode(iri)
        if len(_NAMED) < 100_000:  # predicates, classes, datatypes and entities repeat across a batch
            _NAMED[iri] = node
    return node


def ox_term(term: Any) -> Any:
    """An rdflib term as the equal Oxigraph term (a plain literal is an ``xsd:string``, as RDF 1.1 says)."""
    cls = type(term)
    if cls is URIRef:
        return _named(term)
    if cls is Literal:
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=_named(term.datatype or _XSD_STRING))
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        return ox_term(Literal(str(term), lang=term.language, datatype=term.datatype))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def quad_lines(quads: Iterable[ox.Quad]) -> Lines:
    """Quads as canonical N-Quads lines (unsorted)."""
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return data.splitlines(keepends=True) if data else []


def merge(*parts: Iterable[bytes]) -> Lines:
    """N-Quads lines from any number of parts, sorted as bytes, duplicates dropped: the canonical dataset.

    >>> merge([b"<b> <p> <o> .\\n", b"<a> <p> <o> .\\n"], [b"<b> <p> <o> .\\n"])
    [b'<a> <p> <o> .\\n', b'<b> <p> <o> .\\n']
    """
    lines: Lines = []
    for part in parts:
        lines.extend(part)
    lines.sort()
    return _unique_sorted(lines)


def _unique_sorted(lines: Lines) -> Lines:
    if len(lines) < 2:
        return lines
    out = [lines[0]]
    append = out.append
    last = lines[0]
    for line in lines:
        if line != last:
            append(line)
            last = line
    return out


def split_graph(line: bytes) -> tuple[bytes, bytes]:
    """(the triple's line, the graph name) of an N-Quads line; the graph name is ``b""`` in the default graph.

    The graph name is the last term before `` .``: a term with no space and no ``"`` in it (a literal's last
    piece always holds a ``"``), with three terms before it (else it is the object).

    >>> split_graph(b'<s> <p> "a b" <g> .\\n')
    (b'<s> <p> "a b" .\\n', b'<g>')
    >>> split_graph(b'<s> <p> "a <x>" .\\n')
    (b'<s> <p> "a <x>" .\\n', b'')
    >>> split_graph(b'<s> <p> <o> .\\n')
    (b'<s> <p> <o> .\\n', b'')
    """
    body = line[:-3] if line[-3:] == b" .\n" else line.rstrip()[:-1].rstrip()
    head, _, last = body.rpartition(b" ")
    if last[:1] in _GRAPH_START and b'"' not in last and head.count(b" ") >= 2:
        return head + b" .\n", last
    return body + b" .\n", b""


_GRAPH_START = (b"<", b"_")


def _literal_end(text: bytes, start: int) -> int:
    """Index just past the literal starting at ``text[start] == '"'`` (with its language tag or datatype)."""
    i = start + 1
    while True:
        j = text.find(b'"', i)
        if j < 0:
            return len(text)
        k = j - 1
        while text[k] == 0x5C:  # a backslash: count them; an even run leaves the quote unescaped
            k -= 1
        if (j - 1 - k) % 2 == 0:
            break
        i = j + 1
    end = j + 1
    if text[end : end + 3] == b"^^<":
        end = text.index(b">", end) + 1
    elif text[end : end + 1] == b"@":
        space = text.find(b" ", end)
        end = len(text) if space < 0 else space
    return end


def flatten(lines: Iterable[bytes], names: set[bytes] | None = None) -> Lines:
    """The union of all graphs as sorted, duplicate-free N-Triples lines; the graph names met are added to
    ``names`` when given (``b""`` for the default graph), which saves a caller a second pass."""
    out: Lines = []
    append = out.append
    seen: set[bytes] = set() if names is None else names
    for line in lines:
        head, _, last = line[:-3].rpartition(b" ")
        if last[:1] in _GRAPH_START and b'"' not in last and head.count(b" ") >= 2:
            append(head + b" .\n")
            seen.add(last)
        elif line[-3:] == b" .\n":
            append(line)
            seen.add(b"")
        else:
            triple, graph = split_graph(line)
            append(triple)
            seen.add(graph)
    return merge(out)


def graphs(lines: Iterable[bytes]) -> dict[bytes, Lines]:
    """N-Triples lines per graph name (``b""`` for the default graph), in sorted order of graph name."""
    out: dict[bytes, Lines] = {}
    for line in lines:
        triple, g = split_graph(line)
        out.setdefault(g, []).append(triple)
    return {g: out[g] for g in sorted(out)}


def with_graph(triple_lines: Iterable[bytes], graph: bytes) -> Iterator[bytes]:
    """N-Triples lines moved into ``graph`` (an ``<IRI>``), as N-Quads lines."""
    for line in triple_lines:
        yield line[:-3] + b" " + graph + b" .\n"


def parse_lines(data: bytes | Path, fmt: ox.RdfFormat, name: str = "input") -> Lines:
    """Any RDF (file or bytes) as canonical N-Quads lines (sorted, no duplicates); bad syntax is a ``KGError``,
    and so is a file :func:`kg.rdf.guard.check_graph_file` refuses."""
    from kg.rdf.guard import check_graph_file, parse_error

    if isinstance(data, Path):
        check_graph_file(data, fmt)
    try:
        parsed = ox.parse(path=data, format=fmt) if isinstance(data, Path) else ox.parse(data, format=fmt)
        return merge(quad_lines(parsed))
    except (SyntaxError, MemoryError) as exc:
        raise parse_error(exc, name, fmt) from None


def store_lines(store: ox.Store) -> Lines:
    """Every quad of an Oxigraph store as canonical N-Quads lines (sorted, no duplicates)."""
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    return merge(data.splitlines(keepends=True) if data else [])


# ---------------------------------------------------------------------------------------------- Turtle


def _prefix_table(prefixes: dict[str, str]) -> list[tuple[bytes, bytes]]:
    # longest namespace first, so a namespace inside another never steals its IRIs
    return sorted(((ns.encode(), p.encode()) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))


class _Terms:
    """Turtle spellings of N-Triples terms, cached (IRIs and datatypes repeat by the million)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.table = _prefix_table(prefixes)
        #: when every namespace ends in '/' or '#' (kg's all do), the one that can fit an IRI is the IRI up to
        #: its last '/' or '#' (a local name has neither): one dict lookup instead of trying each namespace
        self.namespaces = {ns: p for ns, p in self.table} if all(ns[-1:] in b"/#" for ns, _ in self.table) else None
        self.iris: dict[bytes, bytes] = {}
        #: predicates: ``rdf:type`` is ``a`` there (and only there)
        self.predicates: dict[bytes, bytes] = {_RDF_TYPE: b"a"}

    def predicate(self, term: bytes) -> bytes:
        out = self.predicates.get(term)
        if out is None:
            out = self.predicates[term] = self.iri(term)
        return out

    def iri(self, term: bytes) -> bytes:
        """``<IRI>`` as ``prefix:local`` when a prefix fits and the local name needs no escape."""
        hit = self.iris.get(term)
        if hit is not None:
            return hit
        iri = term[1:-1]
        out = term
        if self.namespaces is not None:
            cut = max(iri.rfind(b"/"), iri.rfind(b"#")) + 1
            p = self.namespaces.get(iri[:cut])
            local = iri[cut:]
            if p is not None and _LOCAL.match(local):
                out = p + b":" + local
        else:
            for ns, p in self.table:
                if iri.startswith(ns):
                    local = iri[len(ns) :]
                    if _LOCAL.match(local):
                        out = p + b":" + local
                        break
        if len(self.iris) < 1_000_000:
            self.iris[term] = out
        return out

    def obj(self, term: bytes) -> bytes:
        if term[:1] == b"<":
            return self.iri(term)
        if term[:1] != b'"' or not term.endswith(b">"):
            return term  # a plain string, a language-tagged one, or a blank node: as N-Triples has it
        cut = term.rfind(b'"^^<')
        value, dtype = term[1:cut], term[cut + 3 :]
        bare = _BARE.get(dtype)
        if bare is not None and bare.match(value):
            return value
        return term[: cut + 3] + self.iri(dtype)


_LOCAL_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"


def _spelled(terms: _Terms, items: list[bytes], tail: bytes) -> list[bytes]:
    """Each of ``items`` (sorted, distinct terms) as Turtle spells it, followed by ``tail``.

    Only IRIs and typed literals (both end in ``>``) are spelled otherwise than in N-Triples. Sorted IRIs of
    one namespace sit together: when every local name after it is one ``prefix:local`` can hold, the whole
    run is respelled by two ``replace`` calls on its joined text instead of a regex per IRI. The rest go
    through :meth:`_Terms.obj` one at a time (same bytes).
    """
    n = len(items)
    out = list(items)
    done = np.zeros(n, bool)
    for ns, p in (terms.namespaces or {}).items():
        start = b"<" + ns
        lo = bisect_left(items, start)
        hi = bisect_left(items, start[:-1] + bytes([start[-1] + 1]), lo)
        if lo == hi:
            continue
        # 'p:local>' per IRI ('<' is in no IRI, '>' ends each; a prefix name holds no ':')
        spelled = b"\n" + b"\n".join(items[lo:hi]).replace(start, p + b":")
        if (
            spelled.translate(None, _LOCAL_CHARS + b":>\n")
            or spelled.count(b":") != hi - lo
            or spelled.count(b">") != hi - lo
            or b":." in spelled
            or b":-" in spelled
            or b":>" in spelled
            or b".>" in spelled
        ):
            continue  # some local name needs the <IRI> form: one at a time
        out[lo:hi] = spelled.replace(b">", tail).split(b"\n")[1:]
        done[lo:hi] = True
    obj = terms.obj
    ends = np.fromiter(map(bytes.endswith, items, repeat(b">")), bool, n)
    for i in np.flatnonzero(ends & ~done).tolist():
        out[i] = obj(items[i]) + tail
    if tail:
        for i in np.flatnonzero(~ends & ~done).tolist():
            out[i] += tail
    return out


def _blocks(nt_lines: Iterable[bytes]) -> Iterator[tuple[bytes, list[tuple[bytes, bytes]]]]:
    """(subject, [(predicate, object)]) per subject of sorted N-Triples lines, predicates in kg's order.

    Sorted lines already give each subject's predicates in IRI order; only the few written first
    (``rdf:type``, labels, the reification triple) are pulled ahead.
    """
    subject = b""
    first: list[tuple[bytes, bytes, bytes]] = []
    rest: list[tuple[bytes, bytes]] = []
    rank = _RANK.get
    for line in nt_lines:
        s, p, o = line.split(b" ", 2)
        if s != subject:
            if first or rest:
                yield subject, _ordered(first, rest)
            subject, first, rest = s, [], []
        r = rank(p)
        if r is None:
            rest.append((p, o[:-3]))
        else:
            first.append((r, p, o[:-3]))
    if first or rest:
        yield subject, _ordered(first, rest)


def _ordered(first: list[tuple[bytes, bytes, bytes]], rest: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    if not first:
        return rest
    first.sort()
    return [(p, o) for _, p, o in first] + rest


def _prefix_head(prefixes: dict[str, str], keyword: bytes = b"@prefix") -> bytes:
    return b"".join(keyword + f" {p}: <{ns}> .\n".encode() for p, ns in prefixes.items()) + b"\n"


class Table(NamedTuple):
    """Sorted, duplicate-free N-Triples lines as columns, one entry per triple (N-Quads: ``objects`` holds the
    object and the graph name)."""

    subjects: Sequence[bytes]
    predicates: Sequence[bytes]
    objects: Sequence[bytes]
    #: True where a subject's block starts (the subject differs from the line before)
    starts: list[bool]
    #: the distinct objects (the checker and the Turtle writer both need them)
    distinct_objects: set[bytes]


def sorted_bodies(data: bytes) -> Lines | None:
    """The lines of N-Triples or N-Quads ``data`` without their `` .\\n`` ending, sorted as bytes, duplicates
    dropped; ``None`` unless every line ends in `` .\\n`` (so no comment, blank line or ``\\r``).

    Sorting the bodies gives the order of the whole lines: no canonical term goes on after another with
    a space. Every step is one C-level pass over the list (no Python code runs per line).

    >>> sorted_bodies(b"<b> <p> <o> .\\n<a> <p> <o> .\\n<b> <p> <o> .\\n")
    [b'<a> <p> <o>', b'<b> <p> <o>']
    >>> sorted_bodies(b"# a comment\\n<a> <p> <o> .\\n") is None
    True
    """
    bodies = data.split(b" .\n")
    if bodies.pop() or len(bodies) != data.count(b"\n") or b"\r" in data:
        return None
    bodies.sort()
    return list(compress(bodies, map(ne, bodies, chain((None,), bodies))))


def table(bodies: Lines) -> Table | None:
    """Sorted line bodies (:func:`sorted_bodies`) split at their first two spaces, or ``None`` when a line has
    fewer than three pieces (not a canonical line)."""
    if not bodies:
        return Table((), (), (), [], set())
    try:  # a line of fewer pieces makes the transposition short by a column
        subjects, predicates, objects = zip(*map(bytes.split, bodies, repeat(b" "), repeat(2)), strict=False)
    except ValueError:
        return None
    return Table(subjects, predicates, objects, list(map(ne, subjects, chain((None,), subjects))), set(objects))


def canonical_terms(rows: Table, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bool:
    """Do the rows hold valid RDF spelled exactly as Oxigraph writes it?

    Oxigraph reads and writes back each *distinct* term once (a small document of one triple per term)
    instead of the whole file: the lines are valid and canonical exactly when every term is, the subjects
    are IRIs or blank nodes and the predicates IRIs. For N-Quads the object and the graph name are checked
    together, as the rest of a line. (:func:`_canonical_sorted` does the same for the export's columns.)
    """
    terms = set(compress(rows.subjects, rows.starts))
    if any(s[:1] not in _GRAPH_START for s in terms):
        return False
    predicates = set(rows.predicates)
    if any(p[:1] != b"<" for p in predicates):
        return False
    terms |= predicates
    terms |= rows.distinct_objects
    if not terms:
        return True
    if any(t[:2] == b"<<" for t in terms):
        return False  # RDF 1.2 triple terms: nothing kg writes; the parser's path deals with them
    doc = b"<x:s> <x:p> " + b" .\n<x:s> <x:p> ".join(terms) + b" .\n"
    try:
        return ox.serialize(ox.parse(doc, format=fmt), format=fmt) == doc
    except SyntaxError:
        return False


def _canonical_sorted(
    subjects: Sequence[bytes], predicates: Sequence[bytes], objects: Sequence[bytes], fmt: ox.RdfFormat
) -> bool:
    """Are these distinct terms of a line-based file (each list sorted) valid RDF spelled exactly as Oxigraph
    writes them?

    Oxigraph reads and writes back each *distinct* term once instead of the whole file: the lines are valid
    and canonical exactly when every term is in its place. A small document holds them as
    ``subject predicate object`` lines (padded with ``<x:s>``, ``<x:p>``, ``<x:o>``), so a subject is only
    accepted as a subject (an IRI or a blank node), a predicate as an IRI. A graph repeats its terms a lot
    (1.15 million triples of a kg graph have 190,000 distinct terms), so this costs a tenth of parsing
    the file.
    """
    for terms in (subjects, predicates, objects):
        i = bisect_left(terms, b"<<")
        if i < len(terms) and terms[i][:2] == b"<<":
            return False  # RDF 1.2 triple terms: nothing kg writes; the parser's path deals with them
    n = max(len(subjects), len(predicates), len(objects))
    if not n:
        return True
    lines = zip(
        chain(subjects, repeat(b"<x:s>", n - len(subjects))),
        chain(predicates, repeat(b"<x:p>", n - len(predicates))),
        chain(objects, repeat(b"<x:o>", n - len(objects))),
        strict=True,
    )
    doc = b" .\n".join(map(b" ".join, lines)) + b" .\n"
    try:
        return ox.serialize(ox.parse(doc, format=fmt), format=fmt) == doc
    except SyntaxError:
        return False


_Ids = npt.NDArray[np.int64]
_NL, _SP, _DOT = 10, 32, 46
#: rows are sorted on one integer key while (subjects x predicates x objects) stays below this
_ONE_KEY = 1 << 62
#: bytes of N-Triples cut into terms at a time: a block, its copy and its terms stay in the processor's
#: cache while they are numbered, and their memory is reused by the next block (the whole 174 MB bench file
#: at once took a fifth longer, much of it the kernel handing out fresh pages)
_BLOCK = 512 << 10
#: pieces joined at a time (same reason)
_JOIN = 1 << 16


def _term_ends(a: npt.NDArray[np.uint8]) -> tuple[_Ids, _Ids, int] | None:
    """The spaces after each line's subject and predicate in a block of whole N-Triples lines, and the number
    of lines; ``None`` unless every line is ``S P O .\\n`` with single spaces after the subject and the
    predicate (which hold none), as canonical lines are.

    numpy finds the blanks (bytes up to the space: spaces, newlines, any control byte) and takes each line's
    first two, which must be spaces. A control byte anywhere else (a tab in a literal) is left to the term
    check, which refuses it (canonical lines escape them).
    """
    blanks = np.flatnonzero(a <= _SP)
    kind = a[blanks]
    at_nl = np.flatnonzero(kind == _NL)  # where each line's newline is among the blanks
    nl = blanks[at_nl]
    first = np.empty_like(at_nl)  # each line's first blank
    first[0] = 0
    first[1:] = at_nl[:-1] + 1
    second = np.minimum(first + 1, len(blanks) - 1)
    if not ((kind[first] == _SP) & (kind[second] == _SP)).all():
        return None  # a line with fewer than two spaces, or a tab or '\\r' before its object
    starts = np.empty_like(nl)
    starts[0] = 0
    starts[1:] = nl[:-1] + 1
    se, pe = blanks[first], blanks[second]
    if not ((se > starts) & (pe > se + 1) & (pe < nl - 3) & (a[nl - 1] == _DOT) & (a[nl - 2] == _SP)).all():
        return None
    return se, pe, len(nl)


class _Numbering:
    """Numbers the values of a column, block by block: each row gets the row where its value first appears
    (one dict pass), and :meth:`ranks` turns those into ranks among the distinct values sorted as bytes
    (only the distinct values are sorted in Python; numpy maps the rows)."""

    def __init__(self) -> None:
        self.seen: dict[bytes, int] = {}
        self.firsts: list[_Ids] = []

    def add(self, column: list[bytes], row: int, runs: bool = False) -> None:
        """Number ``column``, whose first entry is row ``row``; with ``runs`` (subjects, which come in runs of
        lines) only the first entry of each run of equal values goes through the dict."""
        n = len(column)
        if runs and n > 1:
            head = np.ones(n, bool)
            head[1:] = np.fromiter(map(ne, column[1:], column), bool, n - 1)
            heads = np.flatnonzero(head)
            values = compress(column, head.tolist())
            firsts = np.fromiter(map(self.seen.setdefault, values, (heads + row).tolist()), np.int64, len(heads))
            self.firsts.append(firsts[np.cumsum(head) - 1])
        else:
            self.firsts.append(np.fromiter(map(self.seen.setdefault, column, range(row, row + n)), np.int64, n))

    def ranks(self, n: int) -> tuple[_Ids, list[bytes]]:
        """Each of the ``n`` rows' rank, and the distinct values in sorted order."""
        distinct = list(self.seen)
        where = np.fromiter(self.seen.values(), np.int64, len(distinct))
        order = sorted(range(len(distinct)), key=distinct.__getitem__)
        rank = np.empty(n, np.int64)
        rank[where[order]] = np.arange(len(distinct))
        return rank[np.concatenate(self.firsts)], [distinct[i] for i in order]


def _numbered(buf: bytearray) -> tuple[tuple[_Ids, list[bytes]], ...] | None:
    """(ranks, distinct values) of the subjects, predicates and objects of the N-Triples lines in ``buf``
    (each object still followed by `` .``); ``None`` unless every line is shaped ``S P O .`` (:func:`_term_ends`).

    Block by block, numpy turns the space after each subject and predicate into a newline in ``buf`` (which
    is changed), so that one ``split`` of the block cuts every term at C speed; the terms are numbered and
    dropped before the next block.
    """
    if not buf or buf[-1] != _NL:
        return None
    whole = np.frombuffer(buf, np.uint8)
    columns = _Numbering(), _Numbering(), _Numbering()
    lo = rows = 0
    size = len(buf)
    with memoryview(buf) as view:
        while lo < size:
            hi = buf.rfind(b"\n", lo, lo + _BLOCK) + 1 if size - lo > _BLOCK else size
            if hi <= lo:  # a line longer than a block
                hi = buf.find(b"\n", lo) + 1
            block = whole[lo:hi]
            ends = _term_ends(block)
            if ends is None:
                return None
            se, pe, n = ends
            block[se] = _NL
            block[pe] = _NL
            parts = bytes(view[lo:hi]).split(b"\n")
            columns[0].add(parts[0 : 3 * n : 3], rows, runs=True)
            columns[1].add(parts[1 : 3 * n : 3], rows)
            columns[2].add(parts[2 : 3 * n : 3], rows)
            rows += n
            lo = hi
    return tuple(column.ranks(rows) for column in columns)


def nt_turtle(buf: bytearray, prefixes: dict[str, str] = PREFIXES, check: ox.RdfFormat | None = None) -> bytes | None:
    """N-Triples lines (any order, repeats allowed) in ``buf`` (which is changed) as :func:`turtle` writes
    them; ``None`` when a line is not shaped ``S P O .`` or, with ``check``, when a term is not valid RDF
    spelled as Oxigraph writes it. ``kg export`` of an N-Triples file goes this way."""
    body = _nt_statements(buf, _Terms(prefixes), b"", check)
    return None if body is None else _prefix_head(prefixes) + body


def _nt_statements(buf: bytearray, terms: _Terms, indent: bytes, check: ox.RdfFormat | None) -> bytes | None:
    """The Turtle statements of N-Triples lines (any order, repeats allowed) in ``buf`` (which is changed),
    one block per subject; ``None`` when a line is not shaped ``S P O .`` or, with ``check``, when a term is
    not valid RDF spelled as Oxigraph writes it (:func:`_canonical`).

    No Python code runs per triple (a per-line writer cost 2-3 us a triple, more than Oxigraph's whole parse
    and serialise). The terms are cut at C speed (:func:`_numbered`) and numbered by their rank among the
    distinct terms of their column; numpy then sorts the rows on one integer key (subject, predicate in
    kg's order -- ``rdf:type``, labels and the reification triple first, the rest in IRI order -- object),
    drops repeated rows, and lays out the output as numbers into a small table of pieces: the spelled
    subjects and objects, each predicate after `` ;`` or at a block's start, `` , ``, the block separator.
    Python runs once per distinct term, and one ``join`` writes the bytes. The order is that of the lines
    sorted as bytes (no canonical term goes on after another with a space), so the output is the same
    whatever order the lines came in.
    """
    if not buf:
        return b""
    rows = _nt_rows(buf, check, kg_order=True)
    return None if rows is None else _layout(*rows, terms, indent)


def nt_sorted(buf: bytearray, check: ox.RdfFormat | None = None) -> bytes | None:
    """N-Triples lines (any order, repeats allowed) in ``buf`` (which is changed) sorted as bytes, repeats
    dropped, as :func:`merge` would give them; ``None`` as for :func:`nt_turtle`. ``kg export`` of an
    N-Triples file to N-Triples or N-Quads goes this way."""
    if not buf:
        return b""
    rows = _nt_rows(buf, check, kg_order=False)
    if rows is None:
        return None
    sid, pid, oid, subjects, predicates, objects = rows
    pieces = [s + b" " for s in subjects]
    pieces += [p + b" " for p in predicates]
    pieces += [o + b" .\n" for o in objects]
    tokens = np.empty(3 * len(sid), np.int64)
    tokens[0::3] = sid
    tokens[1::3] = pid + len(subjects)
    tokens[2::3] = oid + (len(subjects) + len(predicates))
    return _joined(pieces, tokens)


def _nt_rows(
    buf: bytearray, check: ox.RdfFormat | None, kg_order: bool
) -> tuple[_Ids, _Ids, _Ids, list[bytes], list[bytes], list[bytes]] | None:
    """The distinct rows of the N-Triples lines in ``buf`` as ranks (subject, predicate, object), sorted, and
    the distinct subjects, predicates and objects they number; with ``kg_order`` the predicates go in kg's
    Turtle order (``rdf:type``, labels and the reification triple first, the rest in IRI order)."""
    numbered = _numbered(buf)
    if numbered is None:
        return None
    (sid, subjects), (pid, predicates), (oid, objects) = numbered
    del numbered
    objects = [o[:-2] for o in objects]  # the ' .' each object kept
    if check is not None and not _canonical_sorted(subjects, predicates, objects, check):
        return None
    n_s, n_p, n_o = len(subjects), len(predicates), len(objects)
    if kg_order:  # the first predicates by their rank, the rest in IRI order (already sorted)
        order = sorted(range(n_p), key=lambda i: _RANK_INT.get(predicates[i], _LAST_INT))
        position = np.empty(n_p, np.int64)
        position[order] = np.arange(n_p)
        predicates = [predicates[i] for i in order]
        pid = position[pid]
    if n_s * n_p * n_o < _ONE_KEY:
        key = (sid * n_p + pid) * n_o + oid
        key.sort()
        keep = np.ones(len(key), bool)
        np.not_equal(key[1:], key[:-1], out=keep[1:])
        key = key[keep]
        oid = key % n_o
        key //= n_o
        pid = key % n_p
        sid = key // n_p
    else:  # more distinct terms than one integer key holds
        rows = np.lexsort((oid, pid, sid))
        sid, pid, oid = sid[rows], pid[rows], oid[rows]
        keep = np.ones(len(rows), bool)
        keep[1:] = (sid[1:] != sid[:-1]) | (pid[1:] != pid[:-1]) | (oid[1:] != oid[:-1])
        sid, pid, oid = sid[keep], pid[keep], oid[keep]
    return sid, pid, oid, subjects, predicates, objects


def _joined(pieces: list[bytes], tokens: _Ids) -> bytes:
    """``pieces[t]`` for each of ``tokens``, joined (a group of pieces at a time, see :data:`_JOIN`)."""
    table = np.array(pieces, dtype=object)
    return b"".join([b"".join(table[tokens[i : i + _JOIN]].tolist()) for i in range(0, len(tokens), _JOIN)])


def _layout(
    sid: npt.NDArray[np.int64],
    pid: npt.NDArray[np.int64],
    oid: npt.NDArray[np.int64],
    subjects: list[bytes],
    predicates: list[bytes],
    objects: list[bytes],
    terms: _Terms,
    indent: bytes,
) -> bytes:
    """Sorted, distinct rows (as ranks) written as Turtle statements: each row is the piece before its
    object (the subject and predicate at a block's start, `` ;`` and the predicate for a new predicate,
    `` , `` for a repeated one) and the object, all as numbers into one table of pieces."""
    m = len(sid)
    if not m:
        return b""
    spelled = [terms.predicate(p) for p in predicates]
    pieces = _spelled(terms, objects, b"")
    base_s = len(pieces)
    pieces += _spelled(terms, subjects, b" ")
    base_first = len(pieces)
    pieces += [p + b" " for p in spelled]
    base_next = len(pieces)
    pieces += [b" ;\n\t" + indent + p + b" " for p in spelled]
    comma, between, end = len(pieces), len(pieces) + 1, len(pieces) + 2
    pieces += [b" , ", b" .\n\n" + indent, b" .\n", indent]
    start = np.ones(m, bool)
    np.not_equal(sid[1:], sid[:-1], out=start[1:])
    repeated = np.zeros(m, bool)
    np.equal(pid[1:], pid[:-1], out=repeated[1:])
    repeated &= ~start
    width = np.where(start, 4, 2)  # a block's first row: separator, subject, predicate, object
    at = np.cumsum(width) - width
    tokens = np.empty(int(at[-1] + width[-1]) + 1, np.int64)
    tokens[at + width - 1] = oid
    inner = ~start
    tokens[at[inner]] = np.where(repeated[inner], comma, base_next + pid[inner])
    heads = at[start]
    tokens[heads] = between
    tokens[heads + 1] = base_s + sid[start]
    tokens[heads + 2] = base_first + pid[start]
    tokens[0] = end + 1  # the first block has no separator before it, just the indent
    tokens[-1] = end
    return _joined(pieces, tokens)


#: up to this many lines, :func:`_turtle_body` writes line by line: numpy's fixed cost per call (~0.25 ms)
#: outweighs its gain (~2 us a line by line, ~1.7-2.2 numpy) below ~3000 lines, and TriG writes one small
#: graph per document
_SMALL = 2000


def _turtle_body(nt_lines: Sequence[bytes], terms: _Terms, indent: bytes = b"") -> bytes:
    """The Turtle statements of canonical N-Triples lines (any order), one block per subject."""
    if len(nt_lines) <= _SMALL:
        return _few_statements(nt_lines, terms, indent)
    with gc_paused():
        out = _nt_statements(bytearray(b"".join(nt_lines)), terms, indent, None)
    if out is None:
        raise ValueError("not canonical N-Triples lines")
    return out


def _few_statements(nt_lines: Sequence[bytes], terms: _Terms, indent: bytes) -> bytes:
    """:func:`_nt_statements`'s output for a few canonical lines, one line at a time (same bytes)."""
    obj, predicate = terms.obj, terms.predicate
    sep = b" ;\n\t" + indent
    blocks = []
    for s, pairs in _blocks(sorted(set(nt_lines))):
        parts = [indent, obj(s) if s[:1] == b"<" else s]
        last = None
        for p, o in pairs:
            parts.append(b" , " if p == last else (sep if last is not None else b" ") + predicate(p) + b" ")
            parts.append(obj(o) if o[-1:] == b">" else o)
            last = p
        blocks.append(b"".join(parts))
    return b" .\n\n".join(blocks) + b" .\n" if blocks else b""


def turtle(nt_lines: Sequence[bytes], prefixes: dict[str, str] = PREFIXES) -> bytes:
    """Sorted N-Triples lines as Turtle a person would write: kg's prefixes, a block per subject (a blank
    line between), ``a``/labels first, repeated predicates as ``,`` lists, numbers and booleans bare."""
    terms = _Terms(prefixes)
    return _prefix_head(prefixes) + _turtle_body(nt_lines, terms)


def trig(nq_lines: Iterable[bytes], prefixes: dict[str, str] = PREFIXES) -> bytes:
    """N-Quads lines as TriG: the default graph's triples first, then one ``GRAPH { }`` block per named graph."""
    terms = _Terms(prefixes)
    out = [_prefix_head(prefixes)]
    for g, triples in graphs(nq_lines).items():
        if not g:
            out.append(_turtle_body(triples, terms))
            out.append(b"\n")
            continue
        out.append((terms.iri(g) if g[:1] == b"<" else g) + b" {\n")
        out.append(_turtle_body(triples, terms, b"\t"))
        out.append(b"}\n\n")
    data = b"".join(out)
    return data[:-1] if data.endswith(b"\n\n") else data


# ---------------------------------------------------------------------------------------------- JSON-LD


def context() -> dict[str, Any]:
    """The published JSON-LD ``@context`` (``ontology/context.jsonld``)."""
    from kg.resources import ontology_dir

    path = ontology_dir() / "context.jsonld"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KGError(f"{path}: cannot read the JSON-LD context ({exc}); reinstall kg") from None
    return data


def jsonld(nt_lines: Sequence[bytes]) -> bytes:
    """Sorted N-Triples lines as compacted JSON-LD: the published ``@context`` inline, one node per subject.

    Keys and IRIs are the context's prefixed names; strings are plain JSON strings, other literals
    ``{"@value", "@type"}``. Deterministic: subjects, keys and values in the order of the sorted lines.
    """
    ctx = context()
    prefixes = {k: v for k, v in ctx["@context"].items() if isinstance(v, str) and v.endswith(("/", "#"))}
    terms = _Terms(prefixes)

    def name(term: bytes) -> str:
        if term[:1] != b"<":
            return term.decode()  # a blank node label, as JSON-LD writes them too
        spelled = terms.iri(term)
        return (spelled[1:-1] if spelled[:1] == b"<" else spelled).decode()

    nodes = []
    for s, pairs in _blocks(nt_lines):
        node: dict[str, Any] = {"@id": name(s)}
        for p, o in pairs:
            if p == _RDF_TYPE:
                node.setdefault("@type", []).append(name(o))
                continue
            node.setdefault(name(p), []).append(_json_value(o, name))
        nodes.append({k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in node.items()})
    doc = {"@context": ctx["@context"], "@graph": nodes}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _json_value(o: bytes, name: Any) -> Any:
    if o[:1] != b'"':
        return {"@id": name(o)}
    close = o.rfind(b'"')
    value = json.loads(_nt_string_to_json(o[: close + 1]), strict=False)
    rest = o[close + 1 :]
    if rest.startswith(b"@"):
        return {"@value": value, "@language": rest[1:].decode()}
    if rest.startswith(b"^^"):
        return {"@value": value, "@type": name(rest[2:])}
    return value


#: One escape of an N-Triples string, read left to right so an escaped backslash is never the start of another.
_NT_ESCAPE = re.compile(r"\\(?:U([0-9A-Fa-f]{8})|(.))", re.S)


def _json_escape(m: re.Match[str]) -> str:
    if m.group(1) is not None:  # JSON has no \U: the character itself, as JSON writes it
        return json.dumps(chr(int(m.group(1), 16)))[1:-1]
    return "'" if m.group(2) == "'" else m.group(0)  # JSON has no \' either; the other escapes are JSON's own


def _nt_string_to_json(quoted: bytes) -> str:
    """An N-Triples string literal (quotes included) as a JSON string: same escapes, save \\U and \\'."""
    text = quoted.decode("utf-8")
    return _NT_ESCAPE.sub(_json_escape, text) if "\\" in text else text


def literal_value(term: bytes) -> str:
    """The lexical value of an N-Triples literal (``"a\\nb"@en`` -> ``a`` newline ``b``).

    >>> literal_value(b'"a \\\\"b\\\\""^^<http://www.w3.org/2001/XMLSchema#string>')
    'a "b"'
    """
    close = term.rfind(b'"')
    value: str = json.loads(_nt_string_to_json(term[: close + 1]), strict=False)
    return value

"""Graph files from anywhere, read without blowing up: checks that run before a parser sees the file.

Oxigraph's parsers are fast and strict, and three things still get past them: an RDF/XML file whose DTD
declares nested entities ("billion laughs": 1 KB that expands to gigabytes, which the parser allocates and
the process dies of), a JSON-LD file nested thousands of levels deep (the JSON-LD parser recurses until the
stack overflows and the process segfaults), and RDF/XML nested tens of thousands of elements deep (the parser
slows down with the square of the depth). :func:`check_graph_file` finds each of these with a streaming scan
in bounded memory (:data:`CHUNK` bytes at a time) and refuses the file with a message; binary junk is refused
from its first block. :func:`parse_error` turns what the parsers raise (syntax errors, a token over their
16 MiB buffer) into one short line naming the file.

Entities are not refused outright: ontologies often declare ``<!ENTITY owl "http://...#">`` to shorten IRIs.
What is refused is an expansion larger than :data:`MAX_EXPANSION` (counted, never performed), entities
defined by other files or the network (``SYSTEM``/``PUBLIC``), and parameter entities.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers import expat

import pyoxigraph as ox

from kg.errors import KGError

#: Bytes read at a time by the scans.
CHUNK = 1 << 20
#: Most characters that declared XML entities may add to a file when expanded (all references together).
MAX_EXPANSION = 16 * 10**6
#: Deepest element nesting accepted in RDF/XML, and object/array nesting in JSON-LD (real files stay under 50).
MAX_DEPTH = 1000
#: Longest text node accepted in RDF/XML (the other parsers stop at a 16 MiB token on their own).
MAX_TEXT = 16 << 20
#: Longest parser message kept (a message can quote megabytes of the offending input).
MAX_MESSAGE = 300


def _refuse(path: Path | str, why: str) -> KGError:
    return KGError(f"{path}: {why}; kg refuses to read it")


def parse_error(exc: BaseException, name: Path | str, fmt: ox.RdfFormat) -> KGError:
    """One line for what a parser raised about ``name``: a syntax error or a token over its buffer."""
    text = " ".join(str(exc).split())
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "…"
    if isinstance(exc, MemoryError):
        return KGError(f"{name} is not valid {fmt.name}: {text} (a single token this long is no RDF)")
    return KGError(f"{name} is not valid {fmt.name}: {text}")


def check_graph_file(path: Path, fmt: ox.RdfFormat) -> None:
    """Refuse ``path`` before parsing when it is binary junk, or would make the ``fmt`` parser blow up."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError as exc:
        raise KGError(f"cannot read {path}: {exc.strerror}; check the path and its permissions") from None
    _check_text(path, head, fmt)
    if fmt == ox.RdfFormat.RDF_XML:
        check_xml(path)
    elif fmt == ox.RdfFormat.JSON_LD:
        check_json_depth(path)


def _check_text(path: Path, head: bytes, fmt: ox.RdfFormat) -> None:
    if b"\x00" in head:
        raise KGError(f"{path} is not valid {fmt.name}: it holds NUL bytes (binary data, not RDF text)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the block
            raise KGError(
                f"{path} is not valid {fmt.name}: byte {exc.start} is not UTF-8 (binary data, not RDF text)"
            ) from None


# ---------------------------------------------------------------------------------------------- RDF/XML


class _Stop(Exception):
    pass


def check_xml(path: Path) -> None:
    """RDF/XML: refuse entity declarations that could expand past :data:`MAX_EXPANSION`, external and
    parameter entities, nesting past :data:`MAX_DEPTH` and text nodes past :data:`MAX_TEXT`."""
    entities, body = _declared_entities(path)
    if entities:
        _check_expansion(path, entities, body)
    _check_shape(path)


def _declared_entities(path: Path) -> tuple[dict[str, str], int]:
    """The general entities the DTD declares, and the byte offset of the root element (where the document's
    own references start); read up to the root element only, nothing is expanded."""
    entities: dict[str, str] = {}
    problem: list[str] = []
    body = [0]

    def declared(name: str, is_parameter: int, value: str | None, base: object, system: str | None, *_: object) -> None:
        if is_parameter:
            problem.append(f"it declares a parameter entity %{name};")
        elif value is None:
            problem.append(f"its entity &{name}; comes from {system or 'another file'} (external entities)")
        else:
            entities[name] = value
        if problem:
            raise _Stop

    def root(*_: object) -> None:
        body[0] = parser.CurrentByteIndex
        raise _Stop

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = declared
    parser.StartElementHandler = root
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        raise KGError(f"{path} is not valid RDF_XML: {expat.errors.messages[exc.code]} at line {exc.lineno}") from None
    if problem:
        raise _refuse(path, problem[0])
    return entities, body[0]


def _check_expansion(path: Path, entities: dict[str, str], body: int) -> None:
    """Count (never perform) what the declared entities would add: each one's expanded size times its uses
    in the document (from byte ``body`` on: references inside the DTD are counted in the sizes)."""
    sizes: dict[str, int] = {}
    refs = re.compile(r"&([A-Za-z_:][\w.\-:]*);")

    def size(name: str, trail: tuple[str, ...]) -> int:
        if name in sizes:
            return sizes[name]
        if name in trail:
            raise _refuse(path, f"its entity &{name}; refers to itself")
        value = entities[name]
        total = len(value)  # exact, as a number: nothing is expanded
        for m in refs.finditer(value):
            inner = m.group(1)
            if inner in entities:
                total += size(inner, (*trail, name)) - len(m.group(0))
        sizes[name] = total
        return total

    for name in entities:
        size(name, ())
    uses = dict.fromkeys(entities, 0)
    pattern = re.compile(rb"&(" + rb"|".join(re.escape(n.encode()) for n in entities) + rb");")
    tail = b""
    with path.open("rb") as fh:
        fh.seek(body)
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            last = 0
            for m in pattern.finditer(data):
                uses[m.group(1).decode()] += 1
                last = m.end()
            keep = max(last, len(data) - 256)  # a reference cut by the block boundary is counted next time
            tail = data[keep:]
    expansion = sum(uses[n] * sizes[n] for n in entities)
    if expansion > MAX_EXPANSION:
        worst = max(entities, key=lambda n: uses[n] * sizes[n])
        raise _refuse(
            path,
            f"its DTD entities would expand to {_size(expansion)} of text (&{worst}; alone "
            f"{_size(uses[worst] * sizes[worst])}), over the {MAX_EXPANSION // 10**6} MB kg allows",
        )


def _size(n: int) -> str:
    """``n`` characters for a person: ``3.0 GB``; astronomic counts as a power of ten.

    >>> _size(3 * 10**9), _size(10**40)
    ('3.0 GB', '1e+40 characters')
    """
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}" if n < 10**15 else f"{float(n):.0e} characters"
    return f"{n} characters"


def _check_shape(path: Path) -> None:
    """One streaming pass: element depth and text node size (declared entities are left unexpanded)."""
    depth = 0
    text = 0
    why: list[str] = []

    def start(*_: object) -> None:
        nonlocal depth, text
        depth += 1
        text = 0
        if depth > MAX_DEPTH:
            why.append(f"its elements are nested more than {MAX_DEPTH} deep")
            raise _Stop

    def end(*_: object) -> None:
        nonlocal depth, text
        depth -= 1
        text = 0

    def chars(data: str) -> None:
        nonlocal text
        text += len(data)
        if text > MAX_TEXT:
            why.append(f"it holds a text node over {MAX_TEXT >> 20} MiB")
            raise _Stop

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.DefaultHandler = lambda _: None  # entity references in text stay references: nothing is expanded
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        raise _refuse(path, why[0]) from None
    except expat.ExpatError as exc:
        raise KGError(f"{path} is not valid RDF_XML: {expat.errors.messages[exc.code]} at line {exc.lineno}") from None


# ---------------------------------------------------------------------------------------------- JSON-LD

_JSON_SPECIAL = re.compile(rb'[\[\]{}"]')


def check_json_depth(path: Path) -> None:
    r"""JSON-LD: refuse objects and arrays nested more than :data:`MAX_DEPTH` deep (brackets in strings skipped).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "x.jsonld"
    ...     _ = p.write_text('{"a": "[[[\\\\", "b": ' + "[" * 2000 + "]" * 2000 + "}")
    ...     check_json_depth(p)
    Traceback (most recent call last):
    kg.errors.KGError: ...: its JSON is nested more than 1000 deep; kg refuses to read it
    """
    depth = 0
    in_string = False
    carry = 0  # backslashes that ended the previous block, inside a string
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            for m in _JSON_SPECIAL.finditer(chunk):
                c, i = m.group(), m.start()
                if in_string:
                    if c == b'"' and _backslashes(chunk, i, carry) % 2 == 0:
                        in_string = False
                elif c == b'"':
                    in_string = True
                elif c in (b"{", b"["):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _refuse(path, f"its JSON is nested more than {MAX_DEPTH} deep")
                else:
                    depth -= 1
            carry = _backslashes(chunk, len(chunk), carry) if in_string else 0


def _backslashes(chunk: bytes, i: int, carry: int) -> int:
    """How many backslashes stand right before ``chunk[i]`` (``carry`` more if they reach the block start)."""
    n = 0
    while n < i and chunk[i - n - 1] == 0x5C:
        n += 1
    return n + carry if n == i else n

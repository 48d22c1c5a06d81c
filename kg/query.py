"""SPARQL over kg graphs: the named-query catalogue, parameters bound as RDF terms, safety, two engines, output.

The flow is ``resolve`` (a catalogue name, a ``.rq`` file or query text) -> ``check`` (parse with rdflib's
SPARQL parser and refuse ``SERVICE``, ``FROM``/``FROM NAMED`` and updates before anything touches the network
or the disk: Oxigraph would really call a ``SERVICE``, rdflib would really fetch a ``FROM``) -> ``bind``
(``--param k=v`` becomes an RDF term: typed values as written, other text through a case-insensitive label
lookup, itself a bound query) -> ``execute``/``run`` in a worker thread with a deadline.

Two engines give the same answers: Oxigraph (the default, for graphs from :func:`kg.rdf.store.load_graph`),
and rdflib's own SPARQL engine for any other ``rdflib.Graph`` (kept as a cross-check). Parameters follow
Oxigraph's substitution semantics (SPARQL SEP-0007): a bound variable must appear in the ``SELECT`` clause;
rdflib's ``initBindings`` agrees with it on every catalogue query (a conformance test checks).
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

from kg.errors import KGError
from kg.model import is_calendar_date
from kg.rdf.namespace import KG, PREFIXES
from kg.resources import queries_dir
from kg.tables import render_table

__all__ = [
    "FORMATS",
    "NamedQuery",
    "Param",
    "QueryTimeout",
    "Result",
    "bind_params",
    "catalogue",
    "check",
    "execute",
    "parse_value",
    "render",
    "resolve",
    "run",
]

#: Output formats of ``kg query``.
FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "ttl")
DEFAULT_TIMEOUT = 30.0
_XSD_STRING = str(XSD.string)
_T = TypeVar("_T")


class QueryTimeout(KGError):
    """The query ran past its deadline and was stopped."""


# ---------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Param:
    """A query parameter from a ``# param: ?name — meaning (default)`` header line."""

    name: str
    meaning: str
    default: str = ""

    @property
    def required(self) -> bool:
        return self.default.strip().lower() == "required"


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with the metadata of its header comment."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    path: Path | None = None
    #: True for the ``queries/`` catalogue, whose headers list every parameter a query takes.
    catalogued: bool = False

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|--|-|:)?\s*(?P<meaning>.*?)(?:\s*\((?P<default>[^()]*)\))?$"
)


def parse_header(text: str) -> tuple[str, str, tuple[Param, ...]]:
    """Title, description and parameters from the leading ``#`` comment lines of a query."""
    title, description, params = "", "", []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        else:
            pm = _PARAM.match(value)
            if pm is None:
                raise KGError(f"bad '# param:' line {line!r}: write '# param: ?name — meaning (default)'")
            params.append(Param(pm["name"], pm["meaning"], (pm["default"] or "").strip()))
    return title, description, tuple(params)


def load_query(path: Path, name: str | None = None, *, catalogued: bool = False) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KGError(f"cannot read query file {path}: {exc}") from None
    title, description, params = parse_header(text)
    return NamedQuery(name or path.stem, text, title, description, params, path, catalogued)


def catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """The named queries: one per ``queries/*.rq`` file, by file stem, sorted by name."""
    folder = directory or queries_dir()
    return {p.stem: load_query(p, catalogued=True) for p in sorted(folder.glob("*.rq"))}


def resolve(spec: str, directory: Path | None = None) -> NamedQuery:
    """A catalogue name, a path to a ``.rq`` file, ``-`` for standard input, or the text of a query."""
    names = catalogue(directory)
    if spec in names:
        return names[spec]
    if spec == "-":  # the query text on standard input
        text = sys.stdin.read()
        title, description, params = parse_header(text)
        return NamedQuery("<stdin>", text, title, description, params)
    path = Path(spec)
    if spec.endswith(".rq") or ("\n" not in spec and _is_file(path)):
        if not path.is_file():
            raise KGError(f"query file {spec} does not exist")
        return load_query(path)
    if re.search(r"[\s{]", spec.strip()):
        title, description, params = parse_header(spec)
        return NamedQuery("<inline>", spec, title, description, params)
    close = difflib.get_close_matches(spec, list(names), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise KGError(
        f"no named query {spec!r}; {hint}named queries: {', '.join(names)} "
        "(or pass a .rq file or the SPARQL text itself; 'kg queries' lists them)"
    )


def _is_file(path: Path) -> bool:
    """``path.is_file()``, false for text no file can be named (too long, a NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------- safety


@dataclass(frozen=True)
class Checked:
    """What the parser found out about a query that passed the safety check."""

    kind: str  # SELECT, ASK, CONSTRUCT or DESCRIBE


_KINDS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


def _walk(node: Any, seen: set[str]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        seen.add(node.name)
        for value in node.values():
            _walk(value, seen)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            _walk(value, seen)


def _position(text: str, lineno: int, col: int) -> str:
    lines = text.splitlines() or [""]
    line = lines[min(max(lineno, 1), len(lines)) - 1]
    return f"line {lineno}, column {col}:\n  {line}\n  {' ' * max(col - 1, 0)}^"


#: Deepest nesting of ``{}``, ``()`` and ``[]`` a query may have. Hand-written queries stay under 20; the
#: parser needs stack in proportion (kg gives it a thread of its own), and Oxigraph overflows its stack
#: (SIGSEGV) past a few thousand nested groups.
MAX_NESTING = 200
_PARSE_STACK = 64 << 20
_NESTING_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*|[{}()\[\]]"
)


def nesting(text: str) -> int:
    """How deep ``{}``, ``()`` and ``[]`` nest in a query, outside strings, IRIs and comments.

    >>> nesting('SELECT * WHERE { ?s ?p "{{{" FILTER (?p != <http://x/(>) }  # }}}')
    2
    """
    depth = deepest = 0
    for m in _NESTING_TOKENS.finditer(text):
        c = m.group()
        if c in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "})]":
            depth -= 1
    return deepest


def _with_deep_stack(fn: Callable[[], _T], depth: int) -> _T:
    """``fn()`` in a thread with a large stack and recursion limit: pyparsing recurses some 30 Python frames
    per nesting level, past the default limit at 35 levels."""
    if depth < 20:
        return fn()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    limit = sys.getrecursionlimit()
    size = threading.stack_size()
    sys.setrecursionlimit(max(limit, 100 * depth + 5000))
    try:
        threading.stack_size(_PARSE_STACK)
        worker = threading.Thread(target=target, name="kg-sparql-parse")
        worker.start()
        threading.stack_size(size)
        worker.join()
    finally:
        sys.setrecursionlimit(limit)
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=64)
def check(text: str) -> Checked:
    """Parse ``text`` and refuse anything that could reach the network or the disk, before any I/O.

    Refused: updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, …), ``SERVICE`` anywhere (also inside
    ``EXISTS`` or sub-queries, also spelled with ``\\u`` escapes), ``FROM``/``FROM NAMED`` (queries run
    over the loaded graph only), and nesting deeper than :data:`MAX_NESTING`. A malformed query is
    reported with line and column.
    """
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise KGError(
            f"the query nests groups, brackets or parentheses {depth} deep; kg reads queries up to {MAX_NESTING} "
            "deep: flatten it"
        )
    return _with_deep_stack(lambda: _check(text), depth)


def _check(text: str) -> Checked:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(text)
    except ParseBaseException as exc:
        try:
            parser.parseUpdate(text)
        except Exception:
            pass
        else:
            raise KGError(
                "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, …) are refused: kg query is read-only"
            ) from None
        raise KGError(f"malformed SPARQL at {_position(text, exc.lineno, exc.col)}\n{exc.msg}") from None
    except Exception as exc:
        raise KGError(f"malformed SPARQL: {exc}") from None
    seen: set[str] = set()
    _walk(tree, seen)
    if "ServiceGraphPattern" in seen:
        raise KGError("SERVICE is refused: kg query never calls other endpoints; query the loaded graph only")
    body = tree[1]
    if "DatasetClause" in seen:
        raise KGError("FROM and FROM NAMED are refused: kg query reads only the graph given with -g; drop the clause")
    return Checked(_KINDS[body.name])


# ---------------------------------------------------------------------------------------------- parameters

_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w\-]*)?:(?P<local>[^\s<>\"{}|^`\\]*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_DOUBLE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^-?\d{4}-\d{2}$")
_QUOTED = re.compile(r'^"(?P<text>.*)"(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(?P<dt>\S+))?$', re.DOTALL)


def parse_value(value: str) -> Node | None:
    """A typed parameter value as an RDF term, or ``None`` when it is text to look up as a label.

    ``<iri>``, ``kg:controls`` (a known prefix), ``42``, ``0.5``, ``1e3``, ``true``, ``2001-11-13``,
    ``2001-11``, ``"text"``, ``"text"@en``, ``"1992"^^xsd:gYear``.

    >>> parse_value("<https://example.org/x>")
    rdflib.term.URIRef('https://example.org/x')
    >>> parse_value("0.5").datatype == XSD.decimal
    True
    >>> parse_value("Marib province") is None
    True
    """
    v = value.strip()
    if v.startswith("<") and v.endswith(">") and len(v) > 2:
        return _iri(v[1:-1], value)
    m = _QUOTED.match(v)
    if m:
        dt = m["dt"]
        if dt is not None:
            term = parse_value(dt)
            if not isinstance(term, URIRef):
                raise KGError(f"datatype of {value!r} must be an <IRI> or a prefixed name like xsd:date")
            return _typed(m["text"], term, value)
        return Literal(m["text"], lang=m["lang"])
    m = _PREFIXED.match(v)
    if m and (m["prefix"] or "") in PREFIXES:
        return _iri(PREFIXES[m["prefix"] or ""] + m["local"], value)
    if v in ("true", "false"):
        return Literal(v, datatype=XSD.boolean)
    for pattern, dtype in (
        (_INTEGER, XSD.integer),
        (_DECIMAL, XSD.decimal),
        (_DOUBLE, XSD.double),
        (_DATE, XSD.date),
        (_YEAR_MONTH, XSD.gYearMonth),
    ):
        if pattern.match(v):
            if dtype in (XSD.date, XSD.gYearMonth) and not is_calendar_date(v.lstrip("-")):
                raise KGError(f"{value!r} is not a date: no such month or day; write YYYY-MM-DD (e.g. 2001-11-13)")
            return Literal(v, datatype=dtype)
    return None


_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _iri(text: str, given: str) -> URIRef:
    """``text`` as an IRI, or a :class:`KGError` saying what is wrong with it (a space, a missing scheme)."""
    bad = _IRI_BAD.search(text)
    if bad:
        what = "a space" if bad.group() == " " else f"the character {bad.group()!r}"
        raise KGError(f"{given!r} is not a valid IRI: it holds {what}; percent-encode it (%20 for a space)")
    if not _SCHEME.match(text):
        raise KGError(f"{given!r} is not a valid IRI: it has no scheme; write it whole, e.g. <https://example.org/x>")
    return URIRef(text)


def _typed(text: str, datatype: URIRef, given: str) -> Literal:
    """A typed literal, or a :class:`KGError` when ``text`` is not a value of ``datatype`` (rdflib would log a
    traceback and go on with an ill-typed literal that matches nothing)."""
    import logging

    log = logging.getLogger("rdflib.term")
    disabled, log.disabled = log.disabled, True
    try:
        literal = Literal(text, datatype=datatype)
    finally:
        log.disabled = disabled
    invalid = bool(getattr(literal, "ill_typed", False))
    plain = {XSD.date: _DATE, XSD.gYearMonth: _YEAR_MONTH}.get(datatype)  # rdflib checks no month of gYearMonth
    if plain is not None and plain.match(text) and not is_calendar_date(text.lstrip("-")):
        invalid = True
    if invalid:
        name = datatype.split("#")[-1]
        raise KGError(f"{given!r}: {text!r} is not a valid xsd:{name}; give a value of that type")
    return literal


_LOOKUP = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?rank ?needle WHERE {
  { ?entity rdfs:label ?label . BIND (0 AS ?rank) } UNION { ?entity skos:altLabel ?label . BIND (1 AS ?rank) }
  FILTER (LCASE(STR(?label)) = ?needle)
}
ORDER BY ?rank ?entity
"""
_EXACT = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?rank ?needle WHERE {
  { ?entity rdfs:label ?needle . BIND (0 AS ?rank) } UNION { ?entity skos:altLabel ?needle . BIND (1 AS ?rank) }
}
ORDER BY ?rank ?entity
"""
_ALL_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?label WHERE { { ?e rdfs:label ?label } UNION { ?e skos:altLabel ?label } }
"""


def lookup_label(graph: Graph, text: str) -> URIRef:
    """The entity whose ``rdfs:label`` (preferred) or ``skos:altLabel`` is ``text``, ignoring case, spacing
    and a leading "the"; a label exactly as written wins over one that differs in case.

    An unknown label raises :class:`KGError` naming close labels; one naming several entities lists them.
    """
    exact = " ".join(text.split())
    hits = execute(graph, _EXACT, {"needle": Literal(exact)}, checked=Checked("SELECT")).rows
    wanted = exact.lower()
    if not hits:  # no label as written: compare ignoring case (a scan of every label)
        hits = execute(graph, _LOOKUP, {"needle": Literal(wanted)}, checked=Checked("SELECT")).rows
    if not hits and wanted.startswith("the "):  # "the alliance" names what "alliance" names
        hits = execute(graph, _LOOKUP, {"needle": Literal(wanted[4:])}, checked=Checked("SELECT")).rows
    if hits:
        best = min(r[1].value for r in hits)
        found = sorted({r[0].value for r in hits if r[1].value == best})
        if len(found) > 1:
            raise KGError(
                f"{text!r} names {len(found)} entities: {', '.join('<' + f + '>' for f in found[:10])}; "
                "pass the one you mean as <IRI>"
            )
        return URIRef(found[0])
    term = _ontology_term(text)
    if term is not None:
        return term
    labels = [r[0].value for r in execute(graph, _ALL_LABELS, {}, checked=Checked("SELECT")).rows]
    by_lower: dict[str, str] = {}
    for label in sorted(labels):
        by_lower.setdefault(label.lower(), label)
    close = [by_lower[c] for c in difflib.get_close_matches(text.lower(), list(by_lower), n=5, cutoff=0.6)]
    hint = f"close labels: {', '.join(close)}" if close else "no label is close; 'kg query entities' lists them"
    raise KGError(f"no entity is labelled {text!r} in the graph; {hint}")


def _ontology_term(text: str) -> URIRef | None:
    """A kg ontology term by local name, ignoring case (``person`` -> ``kg:Person``, ``urged`` -> ``kg:Urged``)."""
    names = {n.lower(): n for n in KG.__annotations__}
    name = names.get(text.strip().lower())
    return URIRef(str(getattr(KG, name))) if name else None


def bind_params(graph: Graph, query: NamedQuery, given: Mapping[str, str]) -> dict[str, Node]:
    """``--param`` values (and header defaults) as RDF terms for the query's variables.

    A catalogue query accepts only the parameters its header declares; a query file or text with ``# param:``
    lines accepts those, and one without any accepts any variable it SELECTs.
    """
    declared = {p.name: p for p in query.params}
    out: dict[str, Node] = {}
    for raw_name, value in given.items():
        name = raw_name.lstrip("?$")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise KGError(f"bad parameter name {raw_name!r}: use the variable name, e.g. --param place=Sanaa")
        if name not in declared and (declared or query.catalogued):
            valid = f"its parameters: {', '.join(declared)}" if declared else "it takes none"
            raise KGError(f"query {query.name} has no parameter {name!r}; {valid}")
        term = parse_value(value)
        out[name] = term if term is not None else lookup_label(graph, value)
    for p in query.params:
        if p.name in out:
            continue
        if p.required:
            raise KGError(f"query {query.name} needs --param {p.name}=… ({p.meaning})")
        default = parse_value(p.default) if p.default else None
        if default is not None:
            out[p.name] = default
    return out


# ---------------------------------------------------------------------------------------------- results


@dataclass
class Result:
    """A materialised query result: rows of Oxigraph terms (``None`` when unbound), a boolean, or triples."""

    kind: str
    variables: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def _to_ox(term: Node | None) -> Any:
    """An rdflib term as the equivalent Oxigraph term (plain literals become xsd:string, as RDF 1.1 says)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or _XSD_STRING)))
    raise TypeError(f"unexpected term {term!r}")


def _is_oxigraph(graph: Graph) -> bool:
    from oxrdflib import OxigraphStore

    return isinstance(graph.store, OxigraphStore)


def _ox_substitutions(bindings: Mapping[str, Node]) -> dict[ox.Variable, Any]:
    return {ox.Variable(k): _to_ox(v) for k, v in bindings.items()}


def _ox_query(graph: Graph, text: str, bindings: Mapping[str, Node]) -> Any:
    from kg.rdf.store import ox_store

    try:
        return ox_store(graph).query(text, prefixes=dict(PREFIXES), substitutions=_ox_substitutions(bindings))
    except SyntaxError as exc:
        raise KGError(f"malformed SPARQL: {exc}") from None
    except RuntimeError as exc:
        msg = str(exc)
        if "projection" in msg:
            raise KGError(
                f"{msg}: a parameter must be a variable the query SELECTs (kg binds parameters as RDF terms, "
                "SPARQL SEP-0007); add it to the SELECT clause"
            ) from None
        raise


def _in_worker(work: Callable[[threading.Event], _T], timeout: float | None) -> _T:
    """Run ``work`` in a daemon thread and give up after ``timeout`` seconds.

    Oxigraph and rdflib have no way to interrupt a query, so on timeout the thread is told to stop (it checks
    between result rows) and is abandoned; a blocking operator (ORDER BY, GROUP BY over a huge product) can
    keep a core busy until it ends or the process exits, which is what ``kg query`` does right away.
    """
    if timeout is None or timeout <= 0:
        return work(threading.Event())
    cancel = threading.Event()
    done = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work(cancel)
        except BaseException as exc:
            # Free the frames' locals here: Oxigraph result iterators must be dropped on the thread that made them.
            link: BaseException | None = exc
            while link is not None:
                traceback.clear_frames(link.__traceback__)
                link = link.__cause__ or link.__context__
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="kg-query", daemon=True).start()
    if not done.wait(timeout):
        cancel.set()
        raise QueryTimeout(
            f"query stopped after the {timeout:g} s timeout; narrow it (bind a --param, add a LIMIT or a FILTER) "
            "or allow more time with --timeout SECONDS (0 = no limit)"
        )
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


class _Cancelled(Exception):
    pass


def _rows(
    solutions: Iterable[Any], width: int, cancel: threading.Event, convert: Callable[[Any], Any]
) -> list[tuple[Any, ...]]:
    rows = []
    for i, solution in enumerate(solutions):
        if not i & 1023 and cancel.is_set():
            raise _Cancelled
        rows.append(tuple(convert(solution[j]) for j in range(width)))
    return rows


def execute(
    graph: Graph,
    query: str | NamedQuery,
    bindings: Mapping[str, Node] | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    checked: Checked | None = None,
) -> Result:
    """Check and evaluate a query, with parameters bound as RDF terms; the rows are Oxigraph terms.

    Oxigraph evaluates it when ``graph`` is Oxigraph-backed (``kg.rdf.store``), rdflib's engine otherwise.
    """
    text = query.text if isinstance(query, NamedQuery) else query
    info = checked or check(text)
    binds = dict(bindings or {})
    if _is_oxigraph(graph):

        def work(cancel: threading.Event) -> Result:
            raw = _ox_query(graph, text, binds)
            if isinstance(raw, ox.QueryBoolean):
                return Result("ASK", boolean=bool(raw))
            if isinstance(raw, ox.QueryTriples):
                return Result(info.kind, triples=list(raw))
            names = tuple(v.value for v in raw.variables)
            return Result("SELECT", names, _rows(raw, len(names), cancel, lambda t: t))

    else:

        def work(cancel: threading.Event) -> Result:
            init: dict[str, Identifier] = {k: v for k, v in binds.items() if isinstance(v, Identifier)}
            res = graph.query(text, initNs=PREFIXES, initBindings=init)
            if res.type == "ASK":
                return Result("ASK", boolean=bool(res.askAnswer))
            if res.type in ("CONSTRUCT", "DESCRIBE"):
                assert res.graph is not None
                return Result(info.kind, triples=[ox.Triple(*(_to_ox(t) for t in spo)) for spo in res.graph])
            names = tuple(str(v) for v in res.vars or ())
            sols = ([row.get(Variable(n)) for n in names] for row in res.bindings)
            return Result("SELECT", names, _rows(sols, len(names), cancel, _to_ox))

    try:
        return _in_worker(work, timeout)
    except _Cancelled:  # pragma: no cover - only after a timeout, which already raised
        raise QueryTimeout("query stopped") from None


# ---------------------------------------------------------------------------------------------- output

_RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}


def run(
    graph: Graph,
    query: str | NamedQuery,
    bindings: Mapping[str, Node] | None = None,
    *,
    fmt: str = "table",
    timeout: float | None = DEFAULT_TIMEOUT,
    width: int | None = None,
    labels: bool = True,
    color: bool = False,
) -> bytes:
    """What ``kg query`` prints: the result of ``query`` in ``fmt`` (see :data:`FORMATS`).

    SELECT and ASK give W3C SPARQL 1.1 results (JSON, CSV, TSV, written by Oxigraph) or a table;
    CONSTRUCT and DESCRIBE give Turtle whatever the format. The table shows entities and documents by
    name (``labels``, see :func:`format_table`) and wraps to ``width``; the W3C formats keep IRIs.
    """
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    text = query.text if isinstance(query, NamedQuery) else query
    info = check(text)
    binds = dict(bindings or {})
    graph_query = info.kind in ("CONSTRUCT", "DESCRIBE")
    if fmt == "ttl" and not graph_query:
        raise KGError(
            f"--format ttl is for CONSTRUCT and DESCRIBE queries; this is {info.kind}: use table, csv, tsv or json"
        )
    if graph_query and fmt in _RESULT_FORMATS:
        raise KGError(f"a {info.kind} query gives a graph, written as Turtle: use --format ttl (or table)")
    if graph_query or fmt == "table" or not _is_oxigraph(graph):
        result = execute(graph, text, binds, timeout=timeout, checked=info)
        if result.kind in ("SELECT", "ASK") and fmt in _RESULT_FORMATS:
            return _serialize_results(result, fmt)
        names = None
        if labels and result.kind == "SELECT":
            names = display_names(graph, (t for row in result.rows for t in row))
        return render(result, fmt, width=width, names=names, color=color)

    def work(_: threading.Event) -> bytes:
        raw = _ox_query(graph, text, binds)
        data = raw.serialize(format=_RESULT_FORMATS[fmt])
        assert data is not None
        return bytes(data)

    return _in_worker(work, timeout)


def _serialize_results(result: Result, fmt: str) -> bytes:
    """W3C results for a materialised result (rdflib engine), through an Oxigraph store round trip of the rows."""
    import json

    if result.kind == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}).encode()
        return ("true\n" if result.boolean else "false\n").encode()
    # Re-encode the rows as SPARQL JSON, then let Oxigraph write the requested W3C format from it.
    bindings = [
        {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None} for row in result.rows
    ]
    data = json.dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}).encode()
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    out = parsed.serialize(format=_RESULT_FORMATS[fmt])
    assert out is not None
    return bytes(out)


def _json_term(t: Any) -> dict[str, str]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    d = {"type": "literal", "value": t.value}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype.value != _XSD_STRING:
        d["datatype"] = t.datatype.value
    return d


def _short(term: Any) -> str:
    """A term as a person reads it: prefixed IRIs, bare literal values, empty when unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and re.fullmatch(r"[\w\-]*", iri[len(ns) :]):
                return f"{prefix}:{iri[len(ns) :]}"
        return f"<{iri}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = str(term.value)
    return f"{text}@{term.language}" if term.language else text


def display_names(graph: Graph, terms: Iterable[Any]) -> dict[str, str]:
    """What a person reads for each IRI among ``terms``: an entity's label, a document's title and file.

    Entities (anything with ``rdfs:label``) read as their label (the smallest, if several); documents as
    ``title (source file)``, or the file alone. IRIs with neither are left out (they print as prefixed IRIs).
    Looked up per IRI in the store's indexes (named graphs included), never by building SPARQL text.
    """
    iris = sorted({t.value for t in terms if isinstance(t, ox.NamedNode)})
    props = (_LABEL, _TITLE, _SOURCE)
    found: dict[str, dict[str, str]] = {}
    if _is_oxigraph(graph):
        from kg.rdf.store import ox_store

        store = ox_store(graph)
        for iri in iris:
            node = ox.NamedNode(iri)
            for prop in props:
                for q in store.quads_for_pattern(node, ox.NamedNode(prop), None, None):
                    if isinstance(q.object, ox.Triple):
                        continue
                    value = q.object.value
                    best = found.setdefault(iri, {})
                    if prop not in best or value < best[prop]:
                        best[prop] = value
    else:
        for iri in iris:
            for prop in props:
                values = sorted(str(o) for o in graph.objects(URIRef(iri), URIRef(prop)))
                if values:
                    found.setdefault(iri, {})[prop] = values[0]
    names: dict[str, str] = {}
    for iri, d in found.items():
        if _LABEL in d:
            names[iri] = d[_LABEL]
        elif _TITLE in d and _SOURCE in d:
            names[iri] = f"{d[_TITLE]} ({d[_SOURCE]})"
        else:
            names[iri] = d.get(_TITLE) or d[_SOURCE]
    return names


_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_TITLE = "http://purl.org/dc/terms/title"
_SOURCE = str(KG.sourcePath)


def _cell(term: Any, names: Mapping[str, str] | None) -> str:
    if names is not None and isinstance(term, ox.NamedNode) and term.value in names:
        return names[term.value]
    return " ".join(_short(term).split())  # evidence across lines, runs of spaces: one line of words


def format_table(
    variables: Sequence[str],
    rows: Sequence[Sequence[Any]],
    width: int | None = None,
    *,
    names: Mapping[str, str] | None = None,
    color: bool = False,
) -> str:
    """A plain-text table fitting ``width`` columns (the terminal's by default, 0: no limit); cells wrap.

    With ``names`` (from :func:`display_names`), IRIs print as the names people read, and a ``?xLabel``
    column next to ``?x`` is dropped (``?x`` already shows the label); without, IRIs print prefixed.
    """
    if not variables:
        return f"({len(rows)} rows)\n"
    keep = [
        i
        for i, v in enumerate(variables)
        if names is None or not (v.endswith("Label") and v[: -len("Label")] in variables)
    ]
    cells = [[_cell(row[i], names) for i in keep] for row in rows]
    text = render_table([variables[i] for i in keep], cells, width=width, color=color)
    return text + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def turtle(triples: Iterable[ox.Triple]) -> bytes:
    """Triples as Turtle the way ``kg build`` writes it: kg's prefixes in kg's order, triples in canonical order."""
    from kg.rdf import dataset as ds

    return ds.turtle(ds.merge(ds.quad_lines(ox.Quad(t.subject, t.predicate, t.object) for t in triples)))


def render(
    result: Result,
    fmt: str = "table",
    *,
    width: int | None = None,
    names: Mapping[str, str] | None = None,
    color: bool = False,
) -> bytes:
    """A materialised result as bytes: a table (SELECT, ASK) or Turtle (CONSTRUCT, DESCRIBE)."""
    if result.kind == "ASK":
        if fmt in _RESULT_FORMATS:
            return _serialize_results(result, fmt)
        return ("yes\n" if result.boolean else "no\n").encode()
    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        return turtle(result.triples)
    if fmt in _RESULT_FORMATS:
        return _serialize_results(result, fmt)
    return format_table(result.variables, result.rows, width, names=names, color=color).encode()


def csv_rows(data: bytes) -> list[list[str]]:
    """Parse W3C CSV results (for tests and scripts)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))

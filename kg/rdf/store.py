"""Graphs in the Oxigraph store under rdflib's API, and strict, deterministic, atomic serialisation.

``DESIGN.md`` measured rdflib's memory store 10-300x slower than Oxigraph for parsing, writing and
SPARQL; so every graph here is ``rdflib.Graph(store="Oxigraph")`` and parsing/writing go through
pyoxigraph. Writing sorts the triples first (subject, then ``rdf:type``/labels first, then the rest),
which makes the same graph always give the same bytes, and lets Oxigraph's Turtle writer group
each subject's triples the way a person would write them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import KGError
from kg.rdf.namespace import PREFIXES

#: Output formats by file suffix.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".trig": ox.RdfFormat.TRIG,
}
#: Input formats by suffix (a superset: anything Oxigraph parses).
INPUT_FORMATS: dict[str, ox.RdfFormat] = {
    **FORMATS,
    ".turtle": ox.RdfFormat.TURTLE,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}
STORE_SUFFIX = ".oxigraph"

_FIRST_PREDICATES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "0",
    "http://www.w3.org/2000/01/rdf-schema#label": "1",
    "http://www.w3.org/2004/02/skos/core#altLabel": "2",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject": "2a",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate": "2b",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#object": "2c",
}


def new_graph(store: ox.Store | None = None) -> Graph:
    """An empty rdflib ``Graph`` backed by Oxigraph (in memory unless ``store`` is given), prefixes bound."""
    graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def ox_store(graph: Graph) -> ox.Store:
    """The pyoxigraph store behind an rdflib graph made by :func:`new_graph` (for fast bulk paths)."""
    store = graph.store
    if not isinstance(store, OxigraphStore):
        raise TypeError("graph is not backed by Oxigraph; make it with kg.rdf.store.new_graph()")
    return store._inner


def _triples(graph: Graph) -> Iterator[ox.Triple]:
    for quad in ox_store(graph).quads_for_pattern(None, None, None, None):
        yield ox.Triple(quad.subject, quad.predicate, quad.object)


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    p = t.predicate.value
    return (str(t.subject), _FIRST_PREDICATES.get(p, "3") + p, str(t.object))


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """All triples in canonical order (no blank nodes are minted by kg, so this order is stable)."""
    return sorted(set(_triples(graph)), key=_sort_key)


def format_for(path: Path, table: dict[str, ox.RdfFormat] = FORMATS) -> ox.RdfFormat:
    fmt = table.get(path.suffix.lower())
    if fmt is None:
        raise KGError(
            f"cannot tell the RDF format of {path}: use one of the suffixes {', '.join(sorted(table))}"
            + (f" or a {STORE_SUFFIX} folder" if table is INPUT_FORMATS else "")
        )
    return fmt


def serialize(graph: Graph, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> bytes:
    """The graph as bytes in ``fmt``, deterministic."""
    triples = sorted_triples(graph)
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD) else None
    if fmt == ox.RdfFormat.TRIG:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        data = ox.serialize(quads, format=fmt, prefixes=prefixes)
    else:
        data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        # Oxigraph writes the prefix lines in an order of its own; fix it to ours.
        # and leave a blank line between subjects, as people write Turtle (literals never hold raw newlines:
        # Oxigraph escapes them, so a line starting in column 0 always starts a new subject).
        lines = [line for line in data.splitlines(keepends=True) if not line.startswith(b"@prefix ")]
        body = b"".join((b"\n" + line) if i and not line[:1].isspace() else line for i, line in enumerate(lines))
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()).encode()
        data = head + b"\n" + body
    return data


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: a failure leaves any old file untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600; give the file the mode a plain open() would (readable by a web server, say)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_graph(graph: Graph, path: Path) -> None:
    """Write ``graph`` to ``path``: a file in the format its suffix names, or an on-disk Oxigraph store."""
    path = Path(path)
    if path.suffix.lower() == STORE_SUFFIX:
        _write_store(graph, path)
        return
    atomic_write(path, serialize(graph, format_for(path)))


def _write_store(graph: Graph, path: Path) -> None:
    import shutil

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        store = ox.Store(str(tmp))
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in _triples(graph))
        store.flush()
        store.optimize()
        del store
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_graph(path: Path | str) -> Graph:
    """Read an RDF file (format from suffix) or an on-disk ``.oxigraph`` store into an Oxigraph-backed graph."""
    path = Path(path)
    if not path.exists():
        raise KGError(f"graph {path} does not exist: build one with 'kg build INPUT -o {path}'")
    if path.is_dir():
        if path.suffix.lower() != STORE_SUFFIX:
            raise KGError(f"{path} is a folder but not a {STORE_SUFFIX} store; pass an RDF file or a store")
        return new_graph(ox.Store.read_only(str(path)))
    fmt = format_for(path, INPUT_FORMATS)
    graph = new_graph()
    try:
        with path.open("rb") as fh:
            ox_store(graph).bulk_load(fh, format=fmt)
    except SyntaxError as exc:
        raise KGError(f"{path} is not valid {fmt.name}: {exc}") from None
    return graph


def parse_bytes(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> Graph:
    """Parse serialised RDF into a fresh graph (used by round-trip checks)."""
    graph = new_graph()
    ox_store(graph).bulk_load(data, format=fmt)
    return graph

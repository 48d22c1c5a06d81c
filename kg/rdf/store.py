"""Graphs in the Oxigraph store under rdflib's API, and strict, deterministic, atomic serialisation.

``DESIGN.md`` measured rdflib's memory store 10-300x slower than Oxigraph for parsing, writing and
SPARQL; so every graph here is ``rdflib.Graph(store="Oxigraph")`` and parsing goes through pyoxigraph.
Writing goes through :mod:`kg.rdf.dataset`: N-Quads lines sorted as bytes (one canonical order, no
Python objects per term), flattened for Turtle, N-Triples and JSON-LD, kept in their named graphs for
TriG, N-Quads and stores. Readers take the union of all graphs: a file's named graphs are read into one
graph, and a kg store keeps the union in its default graph beside the per-document graphs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import KGError
from kg.outputs import STORE_SUFFIX as STORE_SUFFIX
from kg.outputs import atomic_write as atomic_write
from kg.outputs import replace_dir
from kg.rdf import dataset as ds
from kg.rdf.formats import FORMATS as FORMATS
from kg.rdf.formats import INPUT_FORMATS as INPUT_FORMATS
from kg.rdf.formats import format_for as format_for
from kg.rdf.guard import check_graph_file, parse_error
from kg.rdf.namespace import PREFIXES

log = logging.getLogger(__name__)


def new_graph(store: ox.Store | None = None) -> Graph:
    """An empty rdflib ``Graph`` backed by Oxigraph (in memory unless ``store`` is given), prefixes bound."""
    from oxrdflib import (
        OxigraphStore,
    )  # (here: importing it pulls in rdflib's SPARQL engine, which kg build never needs)

    graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def ox_store(graph: Graph) -> ox.Store:
    """The pyoxigraph store behind an rdflib graph made by :func:`new_graph` (for fast bulk paths)."""
    store = graph.store
    from oxrdflib import OxigraphStore

    if not isinstance(store, OxigraphStore):
        raise TypeError("graph is not backed by Oxigraph; make it with kg.rdf.store.new_graph()")
    return store._inner


def serialize(graph: Graph, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> bytes:
    """The graph as bytes in ``fmt``, deterministic."""
    return dataset_bytes(ds.store_lines(ox_store(graph)), fmt)


def dataset_bytes(lines: ds.Lines, fmt: ox.RdfFormat, *, flat: bool = False) -> bytes:
    """Sorted N-Quads lines in ``fmt``: TriG and N-Quads keep the named graphs, the others hold their union.

    ``flat``: the lines are known to hold no graph names (they came from a triples format): no flattening.
    """
    if fmt == ox.RdfFormat.N_QUADS:
        return b"".join(lines)
    if fmt == ox.RdfFormat.TRIG:
        return ds.trig(lines)
    triples = lines if flat else ds.flatten(lines)
    if fmt == ox.RdfFormat.N_TRIPLES:
        return b"".join(triples)
    if fmt == ox.RdfFormat.TURTLE:
        return ds.turtle(triples)
    if fmt == ox.RdfFormat.JSON_LD:
        return ds.jsonld(triples)
    raise KGError(f"kg does not write {fmt.name}; use one of the suffixes {', '.join(sorted(FORMATS))}")


def write_graph(graph: Graph, path: Path, *, force: bool = False) -> None:
    """Write ``graph`` to ``path``: a file in the format its suffix names, or an on-disk Oxigraph store."""
    write_dataset(ds.store_lines(ox_store(graph)), path, force=force)


def write_dataset(lines: ds.Lines, path: Path, *, force: bool = False) -> None:
    """Write a dataset (sorted N-Quads lines) to ``path``: a file in the format its suffix names (Turtle,
    N-Triples and JSON-LD hold the union of the graphs), or an on-disk Oxigraph store.

    Both are replaced atomically and durably (:mod:`kg.outputs`); an existing folder is replaced only when kg
    wrote it (it holds kg's store marker), unless ``force``.
    """
    path = Path(path)
    if path.suffix.lower() == STORE_SUFFIX:
        replace_dir(path, lambda tmp: _fill_store(lines, tmp), force=force)
        return
    atomic_write(path, dataset_bytes(lines, format_for(path)))


def _fill_store(lines: ds.Lines, folder: Path) -> None:
    """A new store in ``folder``: the named graphs as they are, and their union in the default graph (so any
    SPARQL reader sees the merged graph)."""
    store = ox.Store(str(folder))
    if lines:
        store.bulk_load(b"".join(lines), format=ox.RdfFormat.N_QUADS)
        store.bulk_load(b"".join(ds.flatten(lines)), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()
    del store


def load_dataset(path: Path | str) -> ds.Lines:
    """A file or store as a dataset: sorted N-Quads lines with their graphs (a kg store's default graph,
    the union of its named graphs, is not repeated; default-graph triples no named graph holds are kept)."""
    path = Path(path)
    _check_exists(path)
    if path.is_dir():
        return _without_union(ds.store_lines(read_store(path)))
    return ds.parse_lines(path, format_for(path, INPUT_FORMATS), str(path))


def _without_union(lines: ds.Lines) -> ds.Lines:
    named: ds.Lines = []
    default: ds.Lines = []
    for line in lines:
        triple, g = ds.split_graph(line)
        (named if g else default).append(line if g else triple)
    if not named:
        return default
    covered = set(ds.flatten(named))
    return ds.merge(named, (t for t in default if t not in covered))


def read_store(path: Path) -> ox.Store:
    """An on-disk store opened read-only; an empty, corrupt or foreign folder is a :class:`KGError`."""
    build = f"build one with 'kg build INPUT -o {path}'"
    try:
        empty = not any(path.iterdir())
    except OSError as exc:
        raise KGError(f"cannot read the store {path}: {exc.strerror}; check its permissions") from None
    if empty:
        raise KGError(f"{path} is an empty folder, not an Oxigraph store; {build}")
    try:
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise KGError(f"{path} is not a readable Oxigraph store ({reason}); rebuild it: {build}") from None


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise KGError(f"graph {path} does not exist: build one with 'kg build INPUT -o {path}'")
    if path.is_dir() and path.suffix.lower() != STORE_SUFFIX:
        raise KGError(f"{path} is a folder but not a {STORE_SUFFIX} store; pass an RDF file or a store")


def load_graph(path: Path | str) -> Graph:
    """Read an RDF file (format from suffix) or an on-disk ``.oxigraph`` store into an Oxigraph-backed graph.

    A TriG or N-Quads file is read as the union of its graphs (saying so when it has no default graph);
    a store written by kg holds that union in its default graph.
    """
    path = Path(path)
    _check_exists(path)
    if path.is_dir():
        store = read_store(path)
        empty_default = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
        if empty_default and next(iter(store.named_graphs()), None) is not None:
            # a store another tool filled with named graphs only: read their union into memory
            lines = ds.store_lines(store)
            note_named_graphs(path, lines)
            graph = new_graph()
            ox_store(graph).bulk_load(b"".join(ds.flatten(lines)), format=ox.RdfFormat.N_TRIPLES)
            return graph
        return new_graph(store)
    fmt = format_for(path, INPUT_FORMATS)
    graph = new_graph()
    if fmt.supports_datasets:
        lines = ds.parse_lines(path, fmt, str(path))
        note_named_graphs(path, lines)
        flat = ds.flatten(lines)
        if flat:
            ox_store(graph).bulk_load(b"".join(flat), format=ox.RdfFormat.N_TRIPLES)
        return graph
    check_graph_file(path, fmt)
    try:
        # by path: through a Python file object Oxigraph reads small blocks (20 s to refuse 200 MB of junk)
        ox_store(graph).bulk_load(path=str(path), format=fmt)
    except (SyntaxError, MemoryError) as exc:
        raise parse_error(exc, path, fmt) from None
    return graph


def note_named_graphs(path: Path, lines: ds.Lines) -> None:
    """Say (once, on stderr) that a file keeps its data only in named graphs and that kg reads their union."""
    names = {ds.split_graph(line)[1] for line in lines}
    if names and b"" not in names:
        log.warning(
            "%s keeps its data in %d named graph(s), none in the default graph: reading their union", path, len(names)
        )


def parse_bytes(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> Graph:
    """Parse serialised RDF into a fresh graph (used by round-trip checks)."""
    graph = new_graph()
    ox_store(graph).bulk_load(data, format=fmt)
    return graph

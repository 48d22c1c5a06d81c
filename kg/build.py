"""The main job: texts -> spaCy -> extraction -> each document's named graph -> one dataset.

:func:`document_lines` is the per-document function: a document's extraction becomes its named graph as
N-Quads lines. Whoever parsed the document runs it, so ``--jobs N`` workers (:func:`process_batch` in a
process pool), Dask workers (:mod:`kg.distributed`) and incremental builds (:mod:`kg.incremental`) all do
the same thing, and :func:`kg.rdf.dataset.merge` (lines sorted as bytes, duplicates dropped) makes their
results byte-identical whatever the split. Entities are keyed by canonical name, so nothing needs
coordinating between documents.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial

from rdflib import Graph

from kg.memory import gc_paused
from kg.model import Document, Extraction
from kg.pieces import Piece
from kg.rdf.dataset import Lines, flatten, merge, split_graph
from kg.rdf.namespace import RELATIONS, relation_term

#: Documents per batch handed to spaCy (and to each worker).
BATCH_SIZE = 16
#: Characters per batch handed to spaCy: a batch of long texts' pieces is cut short here, which bounds memory.
BATCH_CHARS = 100_000


@dataclass
class BuildStats:
    documents: int = 0
    entities: int = 0
    assertions: int = 0
    held_back: int = 0
    asserted: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    #: for ``--into``: documents added, replaced (content changed), unchanged (skipped), removed
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0

    def summary(self) -> str:
        rels = ", ".join(f"{k} {v}" for k, v in sorted(self.asserted.items())) or "none"
        text = (
            f"{self.documents} document(s), {self.entities} entities, {sum(self.asserted.values())} relations "
            f"({rels}), {self.assertions} assertions ({self.held_back} not asserted) in {self.seconds:.1f} s"
        )
        if self.added or self.replaced or self.unchanged or self.removed:
            text += (
                f"; {self.added} added, {self.replaced} replaced, {self.unchanged} unchanged, {self.removed} removed"
            )
        return text

    def as_dict(self) -> dict[str, object]:
        """The same as JSON-ready data (``kg build --summary json``)."""
        return {
            "documents": self.documents,
            "entities": self.entities,
            "relations": sum(self.asserted.values()),
            "by_relation": dict(sorted(self.asserted.items())),
            "assertions": self.assertions,
            "not_asserted": self.held_back,
            "seconds": round(self.seconds, 3),
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


@dataclass(frozen=True)
class DocResult:
    """What one document contributes: its named graph as N-Quads lines (picklable, a few kB)."""

    source: str
    sha256: str
    lines: Lines


def document_lines(ext: Extraction, min_confidence: float = 0.0) -> DocResult:
    """RDF mapping and serialisation of one document's extraction: its named graph as N-Quads lines.

    Relations whose confidence is below ``min_confidence`` are left out entirely (no assertion either).
    """
    from kg.rdf.mapping import extraction_lines

    if min_confidence > 0:
        ext = replace(ext, relations=tuple(r for r in ext.relations if r.confidence >= min_confidence))
    with gc_paused():  # terms and lines by the thousand, no cycles among them
        return DocResult(ext.document.source, ext.document.sha256, extraction_lines(ext))


def extract_documents(docs: Iterable[Document], batch_size: int = BATCH_SIZE) -> Iterator[Extraction]:
    """Parse and extract each document in this process, streaming; the model is loaded once there is one.

    A long text goes through spaCy in pieces (:mod:`kg.pieces`): each parsed piece is extracted at once and
    the pieces' extractions are merged, so time and memory grow linearly with the text. spaCy gets batches of
    at most ``batch_size`` pieces and about :data:`BATCH_CHARS` characters.
    """
    from kg.pieces import Assembler, pieces

    it = iter(docs)
    first = next(it, None)
    if first is None:
        return
    from kg.nlp.pipeline import load_nlp

    nlp = load_nlp()
    batch: list[tuple[str, tuple[Assembler, Piece, bool]]] = []
    size = 0

    def run(batch: list[tuple[str, tuple[Assembler, Piece, bool]]]) -> Iterator[Extraction]:
        with gc_paused():  # a batch's parse and extraction are one allocation burst; collect after it
            done = []
            for parsed, (assembler, piece, last) in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)):
                assembler.add(piece, parsed)
                if last:
                    done.append(assembler.result())
        yield from done

    for document in itertools.chain([first], it):
        parts = pieces(document.text)
        assembler = Assembler(document, parts[0])
        for i, piece in enumerate(parts):
            batch.append((piece.text, (assembler, piece, i == len(parts) - 1)))
            size += len(piece.text)
            if len(batch) >= batch_size or size >= BATCH_CHARS:
                yield from run(batch)
                batch, size = [], 0
    if batch:
        yield from run(batch)


def process_batch(docs: list[Document], min_confidence: float = 0.0) -> list[DocResult]:
    """Parse and extract a batch of documents and run :func:`document_lines` on each: the unit of work of every
    worker. The model is loaded once per process (``load_nlp`` caches it)."""
    return [document_lines(ext, min_confidence) for ext in extract_documents(docs)]


def batches(docs: Iterable[Document], size: int = BATCH_SIZE) -> Iterator[list[Document]]:
    it = iter(docs)
    while batch := list(itertools.islice(it, size)):
        yield batch


def document_results(docs: Iterable[Document], jobs: int = 1, min_confidence: float = 0.0) -> Iterator[DocResult]:
    """Every document's result, streaming. With ``jobs > 1`` whole batches run in worker processes
    (parse, extraction, mapping and serialisation); results come back in any order, the merge sorts."""
    it = iter(docs)
    first = next(it, None)
    if first is None:
        return
    stream = itertools.chain([first], it)
    if jobs <= 1:
        for ext in extract_documents(stream):
            yield document_lines(ext, min_confidence)
        return
    from kg.nlp.pipeline import load_nlp

    load_nlp()  # once, here: the forked workers inherit the loaded model (as spaCy's own n_process does)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        work = partial(process_batch, min_confidence=min_confidence)
        for results in pool.imap_unordered(work, batches(stream)):
            yield from results


def build_dataset(
    docs: Iterable[Document],
    jobs: int = 1,
    on_document: Callable[[DocResult], None] | None = None,
    min_confidence: float = 0.0,
    results: Iterable[DocResult] | None = None,
) -> tuple[Lines, BuildStats]:
    """The dataset of ``docs`` (sorted N-Quads lines, one named graph per document) and its statistics.

    ``results`` replaces the local workers with results made elsewhere (a Dask cluster).
    """
    start = time.perf_counter()
    parts: list[Lines] = []
    source = results if results is not None else document_results(docs, jobs, min_confidence)
    for res in source:
        parts.append(res.lines)
        if on_document is not None:
            on_document(res)
    lines = merge(*parts)
    stats = dataset_stats(lines)
    stats.seconds = time.perf_counter() - start
    return lines, stats


_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_KG = b"<https://w3id.org/kg-news/ontology#"
_ENTITY_CLASSES = {_KG + t + b">" for t in (b"Person", b"Group", b"GPE", b"Place")}
_DOCUMENT, _ASSERTION = _KG + b"Document>", _KG + b"Assertion>"
_ASSERTED = _KG + b"asserted>"
_RELATIONS = {f"<{relation_term(r)}>".encode(): r for r in RELATIONS}


def dataset_stats(lines: Lines, flat: Lines | None = None) -> BuildStats:
    """Honest counts of a dataset's union: distinct documents, entities, assertions, asserted relations.

    Counted by distinct keys over the lines as they are (a triple in two graphs is one triple of the union)
    instead of flattening the whole dataset first: only the lines that count are looked at twice, and the
    objects that matter here (classes, entities, booleans) hold no space. An object that could (a literal
    where a relation wants an entity, from a file kg did not write) is cut out as a literal.
    """
    stats = BuildStats()
    entities: set[bytes] = set()
    documents: set[bytes] = set()
    assertions: set[bytes] = set()
    held_back: set[tuple[bytes, bytes]] = set()
    relations: dict[str, set[tuple[bytes, bytes]]] = {name: set() for name in RELATIONS}
    for line in flat if flat is not None else lines:
        s, p, rest = line.split(b" ", 2)
        if p == _TYPE:
            o = rest.split(b" ", 1)[0]
            if o in _ENTITY_CLASSES:
                entities.add(s)
            elif o == _DOCUMENT:
                documents.add(s)
            elif o == _ASSERTION:
                assertions.add(s)
        elif p == _ASSERTED:
            if rest.startswith(b'"false"'):
                held_back.add((s, _object(line, rest)))
        else:
            rel = _RELATIONS.get(p)
            if rel is not None:
                relations[rel].add((s, _object(line, rest)))
    stats.entities = len(entities)
    stats.documents = len(documents)
    stats.assertions = len(assertions)
    stats.held_back = len(held_back)
    for name in RELATIONS:
        stats.asserted[name] = len(relations[name])
    return stats


def _object(line: bytes, rest: bytes) -> bytes:
    """The object of an N-Quads line whose subject and predicate were split off as ``rest``."""
    if rest[:1] != b'"':
        return rest.split(b" ", 1)[0]  # an IRI or a blank node: no space inside
    triple = split_graph(line)[0]  # a literal may hold spaces (and look like a graph name)
    return triple.split(b" ", 2)[2][:-3]


def build_graph(
    docs: Iterable[Document],
    jobs: int = 1,
    graph: Graph | None = None,
    on_document: Callable[[DocResult], None] | None = None,
    min_confidence: float = 0.0,
) -> tuple[Graph, BuildStats]:
    """Build (or extend) an rdflib graph (the union of the documents' graphs) from documents."""
    import pyoxigraph as ox

    from kg.rdf.store import new_graph, ox_store

    lines, stats = build_dataset(docs, jobs=jobs, on_document=on_document, min_confidence=min_confidence)
    graph = new_graph() if graph is None else graph
    data = b"".join(flatten(lines))
    if data:
        ox_store(graph).bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return graph, stats

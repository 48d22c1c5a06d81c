"""The main job: texts -> spaCy -> extraction -> one RDF graph.

Documents stream through ``nlp.pipe``; each parsed ``Doc`` is turned into an ``Extraction`` and added to
the graph straight away, so memory holds the graph, not every parsed document.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from rdflib import Graph

from kg.model import Document, Extraction
from kg.nlp.extract import extract
from kg.nlp.pipeline import load_nlp
from kg.rdf.mapping import add_extraction
from kg.rdf.namespace import RELATIONS, relation_term
from kg.rdf.store import new_graph


@dataclass
class BuildStats:
    documents: int = 0
    entities: int = 0
    assertions: int = 0
    held_back: int = 0
    asserted: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        rels = ", ".join(f"{k} {v}" for k, v in sorted(self.asserted.items())) or "none"
        return (
            f"{self.documents} document(s), {self.entities} entities, {sum(self.asserted.values())} relations "
            f"({rels}), {self.assertions} assertions ({self.held_back} not asserted) in {self.seconds:.1f} s"
        )

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
        }


def extract_documents(docs: Iterable[Document], jobs: int = 1, batch_size: int = 16) -> Iterator[Extraction]:
    """Parse and extract each document, streaming. The model is loaded only once there is a document."""
    it = iter(docs)
    first = next(it, None)
    if first is None:
        return
    nlp = load_nlp()
    stream = ((d.text, d) for d in itertools.chain([first], it))
    for parsed, document in nlp.pipe(stream, as_tuples=True, n_process=jobs, batch_size=batch_size):
        yield extract(parsed, document)


def build_graph(
    docs: Iterable[Document],
    jobs: int = 1,
    graph: Graph | None = None,
    on_document: Callable[[Extraction], None] | None = None,
    min_confidence: float = 0.0,
) -> tuple[Graph, BuildStats]:
    """Build (or extend) a graph from documents; returns the graph and what went into it.

    Relations whose confidence is below ``min_confidence`` are left out entirely (no assertion either).
    """
    graph = new_graph() if graph is None else graph
    stats = BuildStats()
    start = time.perf_counter()
    entity_keys: set[str] = set()
    for ext in extract_documents(docs, jobs=jobs):
        if min_confidence > 0:
            ext = replace(ext, relations=tuple(r for r in ext.relations if r.confidence >= min_confidence))
        add_extraction(graph, ext)
        stats.documents += 1
        entity_keys.update(e.key for e in ext.entities)
        stats.assertions += len(ext.relations)
        stats.held_back += sum(1 for r in ext.relations if not r.asserted)
        if on_document is not None:
            on_document(ext)
    stats.entities = len(entity_keys)
    for name in RELATIONS:
        stats.asserted[name] = sum(1 for _ in graph.triples((None, relation_term(name), None)))
    stats.seconds = time.perf_counter() - start
    return graph, stats

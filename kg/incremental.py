"""Growing a dataset: add documents, replace changed ones, remove them; and the VoID/DCAT description.

A dataset is sorted N-Quads lines with one named graph per document (:mod:`kg.rdf.dataset`), the graph
named by the document's IRI, which comes from its content hash. So a document already present (same
text) is skipped without parsing; a file whose text changed gets a new graph and its old graph (found
by ``kg:sourcePath``) is dropped; removing a document drops its graph and with it everything only that
document asserted. Because documents are independent and the merge is a sort, adding documents one by
one gives the same bytes as building them together.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.build import BuildStats, DocResult, build_dataset, dataset_stats
from kg.errors import KGError
from kg.model import Document
from kg.outputs import STORE_SUFFIX
from kg.rdf import dataset as ds
from kg.rdf.formats import FORMATS, format_for

_KG = "https://w3id.org/kg-news/ontology#"
_SOURCE = f"<{_KG}sourcePath>".encode()
_SHA = f"<{_KG}sha256>".encode()
_DOC_NS = b"<https://w3id.org/kg-news/doc/"


@dataclass(frozen=True)
class DocumentInfo:
    """A document graph of a dataset: its graph name, content hash and source paths."""

    graph: bytes
    sha256: str
    sources: tuple[str, ...]


def documents(lines: Iterable[bytes]) -> dict[bytes, DocumentInfo]:
    """The documents of a dataset, by graph name: read from each document's own triples in its graph."""
    sha: dict[bytes, str] = {}
    sources: dict[bytes, set[str]] = {}
    for line in lines:
        if not line.startswith(_DOC_NS):
            continue
        triple, g = ds.split_graph(line)
        s, p, o = triple.split(b" ", 2)
        if s != g:
            continue
        if p == _SHA:
            sha[g] = ds.literal_value(o[:-3])
        elif p == _SOURCE:
            sources.setdefault(g, set()).add(ds.literal_value(o[:-3]))
    return {
        g: DocumentInfo(g, sha.get(g, ""), tuple(sorted(sources.get(g, ()))))
        for g in sorted(sha.keys() | sources.keys())
    }


def keeps_graphs(path: Path) -> None:
    """Refuse a target that cannot hold per-document graphs (Turtle, N-Triples and JSON-LD hold the union)."""
    if path.suffix.lower() == STORE_SUFFIX:
        return
    fmt = format_for(path, FORMATS)
    if not fmt.supports_datasets:
        raise KGError(
            f"{path} holds no per-document graphs ({fmt.name} keeps only their union), so documents cannot be "
            f"replaced or removed in it: use a .nq, .trig or {STORE_SUFFIX} graph (kg build ... -o GRAPH.nq)"
        )


def add_documents(
    existing: ds.Lines,
    docs: Iterable[Document],
    jobs: int = 1,
    min_confidence: float = 0.0,
    on_document: Callable[[DocResult], None] | None = None,
    results: Callable[[list[Document]], Iterable[DocResult]] | None = None,
) -> tuple[ds.Lines, BuildStats]:
    """``existing`` with ``docs`` added: unchanged documents skipped (not even parsed), a file whose text
    changed replaces its old graph. ``results`` runs the documents elsewhere (a Dask cluster)."""
    import time

    from kg.rdf.mapping import document_iri

    start = time.perf_counter()
    known = documents(existing)
    by_source: dict[str, list[bytes]] = {}
    for info in known.values():
        for source in info.sources:
            by_source.setdefault(source, []).append(info.graph)
    todo: list[Document] = []
    seen: set[bytes] = set()
    unchanged = 0
    for doc in docs:
        g = f"<{document_iri(doc.sha256)}>".encode()
        if g in known or g in seen:
            unchanged += 1
            continue
        seen.add(g)
        todo.append(doc)
    new_sources = {d.source for d in todo}
    # an old graph goes when every file it came from now has new text
    replaced = {
        g for d in todo for g in by_source.get(d.source, ()) if g not in seen and set(known[g].sources) <= new_sources
    }
    if todo:
        run = results(todo) if results is not None else None
        new, _ = build_dataset(todo, jobs=jobs, on_document=on_document, min_confidence=min_confidence, results=run)
    else:
        new = []
    kept = drop_graphs(existing, replaced) if replaced else existing
    lines = ds.merge(kept, new)
    stats = dataset_stats(lines)
    stats.added = len(todo) - len(replaced)
    stats.replaced = len(replaced)
    stats.unchanged = unchanged
    stats.seconds = time.perf_counter() - start
    return lines, stats


def drop_graphs(lines: ds.Lines, names: set[bytes]) -> ds.Lines:
    """``lines`` without the quads of the graphs ``names``."""
    return [line for line in lines if ds.split_graph(line)[1] not in names]


def remove_documents(existing: ds.Lines, which: list[str]) -> tuple[ds.Lines, BuildStats, list[str]]:
    """``existing`` without the documents ``which`` names (a source path as given to ``kg build``, a file
    name, a ``doc:`` name or a full IRI); returns the lines, stats and the graphs removed."""
    known = documents(existing)
    drop: set[bytes] = set()
    for spec in which:
        hits = _find(known, spec)
        if not hits:
            listed = ", ".join(s for info in list(known.values())[:8] for s in info.sources[:1]) or "none"
            raise KGError(
                f"no document {spec!r} in the graph: name it by the path it was built from, its file name or its "
                f"IRI (documents: {listed}{', ...' if len(known) > 8 else ''})"
            )
        drop |= hits
    lines = drop_graphs(existing, drop)
    stats = dataset_stats(lines)
    stats.removed = len(drop)
    return lines, stats, sorted(g.decode() for g in drop)


def _find(known: dict[bytes, DocumentInfo], spec: str) -> set[bytes]:
    iri = spec.strip("<>")
    if iri.startswith("doc:"):
        iri = "https://w3id.org/kg-news/doc/" + iri[4:]
    direct = f"<{iri}>".encode()
    if direct in known:
        return {direct}
    hits = {g for g, info in known.items() if spec in info.sources}
    if not hits:
        name = Path(spec).name
        hits = {g for g, info in known.items() if any(Path(s).name == name for s in info.sources)}
    return hits


# ---------------------------------------------------------------------------------------------- VoID


def description_path(out: Path) -> Path:
    """Where the VoID/DCAT description of a build goes: beside it, ``NAME.void.ttl``."""
    return out.with_name(out.name[: -len(out.suffix)] + ".void.ttl" if out.suffix else out.name + ".void.ttl")


def describe(lines: ds.Lines, out: Path, stats: BuildStats | None = None) -> bytes:
    """A VoID/DCAT description of a dataset as Turtle: counts per class and property, documents, entities,
    triples, the build date (``SOURCE_DATE_EPOCH`` when set, for reproducible builds) and kg's version."""
    from kg import __version__
    from kg.nlp.pipeline import model_info
    from kg.rdf.mapping import dataset_iri
    from kg.rdf.namespace import ONTOLOGY_IRI, PREFIXES

    names: set[bytes] = set()
    flat = ds.flatten(lines, names)
    stats = stats or dataset_stats(lines, flat)
    classes: dict[bytes, int] = {}
    properties: dict[bytes, int] = {}
    subjects: set[bytes] = set()
    for line in flat:
        s, p, o = line.split(b" ", 2)
        subjects.add(s)
        properties[p] = properties.get(p, 0) + 1
        if p == b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>":
            classes[o[:-3]] = classes.get(o[:-3], 0) + 1
    graph_names = names - {b""}
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date() if epoch and epoch.isdigit() else None
    ) or datetime.date.today()
    info = model_info()
    d = f"<{dataset_iri(out.name)}>"
    void, dcat, dct, xsd = (
        "http://rdfs.org/ns/void#",
        "http://www.w3.org/ns/dcat#",
        "http://purl.org/dc/terms/",
        "http://www.w3.org/2001/XMLSchema#",
    )

    def lit(value: object, dtype: str = "integer") -> str:
        return f'"{value}"^^<{xsd}{dtype}>'

    rows = [
        f"{d} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{void}Dataset> .",
        f"{d} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{dcat}Dataset> .",
        f'{d} <{dct}title> "{_escape(out.name)}" .',
        f"{d} <{dct}created> {lit(when.isoformat(), 'date')} .",
        f'{d} <{dct}creator> "kg {__version__}" .',
        f"{d} <{void}vocabulary> <{ONTOLOGY_IRI}> .",
        f"{d} <{void}triples> {lit(len(flat))} .",
        f"{d} <{void}entities> {lit(stats.entities)} .",
        f"{d} <{void}documents> {lit(stats.documents)} .",
        f"{d} <{void}distinctSubjects> {lit(len(subjects))} .",
        f"{d} <{void}classes> {lit(len(classes))} .",
        f"{d} <{void}properties> {lit(len(properties))} .",
    ]
    if info:
        rows.append(f'{d} <{dct}source> "spaCy model {_escape(info[0])} {_escape(info[1])}" .')
    if graph_names:
        rows.append(f'{d} <{dct}description> "{len(graph_names)} named graphs, one per document" .')
    base = str(dataset_iri(out.name))
    for i, (cls, n) in enumerate(sorted(classes.items())):
        part = f"<{base}/class/{i}>"
        rows += [f"{d} <{void}classPartition> {part} .", f"{part} <{void}class> {cls.decode()} ."]
        rows.append(f"{part} <{void}entities> {lit(n)} .")
    for i, (prop, n) in enumerate(sorted(properties.items())):
        part = f"<{base}/property/{i}>"
        rows += [f"{d} <{void}propertyPartition> {part} .", f"{part} <{void}property> {prop.decode()} ."]
        rows.append(f"{part} <{void}triples> {lit(n)} .")
    nt = sorted((row + "\n").encode("utf-8") for row in rows)
    prefixes = {"void": void, "dcat": dcat, **PREFIXES}
    return ds.turtle(nt, prefixes)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")

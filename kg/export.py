"""Exports people load elsewhere: RDF in every kg format, GraphML and GEXF (Gephi), Neo4j import CSV.

RDF goes through :mod:`kg.rdf.dataset` (deterministic, at about Oxigraph's speed). The property-graph forms
come from the one NetworkX projection of :mod:`kg.analysis` (so they agree with ``kg analyze``), with its
attributes typed for the target: numbers stay numbers, lists become ``;``-joined text (the array delimiter
``neo4j-admin`` uses), and a missing value (a place without coordinates, an edge without an assertion's
confidence) is left out rather than written as ``None``, which GraphML, GEXF and Gephi cannot read.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.errors import KGError

#: Export formats by suffix (a folder, given with a trailing ``/`` or ``--format neo4j``, gets Neo4j CSV).
RDF_SUFFIXES = (".ttl", ".nt", ".nq", ".trig", ".jsonld")
GRAPH_SUFFIXES = (".graphml", ".gexf")
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "neo4j")


def format_of(out: Path, given: str | None) -> str:
    """The export format: ``given``, else from ``out``'s suffix, else Neo4j CSV for a folder."""
    if given is not None:
        return given
    suffix = out.suffix.lower()
    if suffix in (*RDF_SUFFIXES, *GRAPH_SUFFIXES):
        return suffix[1:]
    if not suffix or out.is_dir() or str(out).endswith("/"):
        return "neo4j"
    raise KGError(
        f"cannot tell the export format of {out}: use one of the suffixes "
        f"{', '.join((*RDF_SUFFIXES, *GRAPH_SUFFIXES))}, or a folder for Neo4j CSV (or --format)"
    )


def property_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The projection with attributes GraphML and GEXF can type: no ``None``, lists as ``;``-joined text."""
    H = nx.MultiDiGraph()
    for n, data in G.nodes(data=True):
        H.add_node(n, **_typed(data))
    for u, v, k, data in G.edges(keys=True, data=True):
        # an edge's statements (time, evidence, document of each) are provenance, not a property to type
        H.add_edge(u, v, key=k, **_typed({key: value for key, value in data.items() if key != "statements"}))
    return H


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            out[key] = ";".join(str(x) for x in value)
        elif isinstance(value, bool | int | float | str):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def graphml(G: nx.MultiDiGraph) -> bytes:
    """The projection as GraphML (typed ``<key>`` declarations), as networkx writes it."""
    buf = io.BytesIO()
    nx.write_graphml(property_graph(G), buf, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buf.getvalue()


def gexf(G: nx.MultiDiGraph) -> bytes:
    """The projection as GEXF 1.2draft, the format Gephi opens: node labels, typed attributes, edge ids."""
    H = property_graph(G)
    for i, (_, _, data) in enumerate(H.edges(data=True)):
        data["id"] = str(i)
    buf = io.BytesIO()
    nx.write_gexf(H, buf, encoding="utf-8", prettyprint=True, version="1.2draft")
    data = buf.getvalue()
    # networkx writes today's date (so the same graph gave other bytes tomorrow) and a graph 'name' attribute
    # the GEXF 1.2draft schema does not allow: drop both.
    data = re.sub(rb'<meta lastmodifieddate="[^"]*">', b"<meta>", data, count=1)
    return re.sub(rb'(<graph [^>]*?) name="[^"]*"', rb"\1", data, count=1)


def neo4j_csv(G: nx.MultiDiGraph) -> dict[str, bytes]:
    """CSV files for ``neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv``.

    Nodes carry the label ``Entity`` and their kg type (``Entity;GPE``); relationships are typed by the
    relation name. Header fields declare Neo4j types (``:ID``, ``float``, ``int``, ``string[]``).
    """
    nodes = io.StringIO(newline="")
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(["iri:ID", "name", "type", "lat:float", "long:float", "aliases:string[]", ":LABEL"])
    for n, d in G.nodes(data=True):
        labels = "Entity" + (f";{d['type']}" if d.get("type") else "")
        row = [n, d.get("label", ""), d.get("type", ""), _num(d.get("lat")), _num(d.get("long"))]
        w.writerow([*row, _list(d.get("aliases")), labels])
    rels = io.StringIO(newline="")
    w = csv.writer(rels, lineterminator="\n")
    w.writerow(
        [":START_ID", ":END_ID", ":TYPE", "assertions:int", "documents:int", "confidence:float", "times:string[]"]
    )
    for u, v, k, d in G.edges(keys=True, data=True):
        w.writerow(
            [u, v, k, d.get("assertions", 0), d.get("documents", 0), _num(d.get("confidence")), _list(d.get("times"))]
        )
    return {"nodes.csv": nodes.getvalue().encode("utf-8"), "relationships.csv": rels.getvalue().encode("utf-8")}


def _num(value: Any) -> str:
    return "" if value is None else repr(float(value))


def _list(value: Any) -> str:
    return ";".join(str(x) for x in value) if value else ""


def export(graph: Path, out: Path, fmt: str | None = None) -> str:
    """Write ``graph`` (a file or store) to ``out`` in ``fmt`` (from the suffix when ``None``); returns the format."""
    from kg.commands import write_output
    from kg.rdf.store import FORMATS as RDF_FORMATS
    from kg.rdf.store import INPUT_FORMATS, dataset_bytes, format_for, load_dataset

    kind = format_of(out, fmt)
    if kind in ("graphml", "gexf", "neo4j"):
        from kg.analysis import project_file

        G = project_file(graph, paths=True)
        if kind == "neo4j":
            if out.exists() and not out.is_dir():
                raise KGError(f"{out} is a file; Neo4j CSV goes into a folder: give a folder name")
            for name, data in neo4j_csv(G).items():
                write_output(out / name, data)
        else:
            write_output(out, graphml(G) if kind == "graphml" else gexf(G))
        return kind
    target = RDF_FORMATS["." + kind]
    source = format_for(graph, INPUT_FORMATS) if graph.is_file() else None
    fast = None
    if source in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        fast = convert_lines(graph, source, target)
    if fast is None:
        lines = load_dataset(graph)
        fast = dataset_bytes(lines, target, flat=source is not None and not source.supports_datasets)
    write_output(out, fast)
    return kind


def convert_lines(path: Path, source: ox.RdfFormat, target: ox.RdfFormat) -> bytes | None:
    """A line-based file (N-Triples, N-Quads) in ``target`` straight from its lines, or ``None`` when the file
    is not valid canonical RDF (the caller then goes through Oxigraph's parser, which also words any error).

    Oxigraph checks each distinct term once. N-Triples to Turtle, N-Triples or N-Quads goes through
    :func:`kg.rdf.dataset.nt_turtle` / :func:`kg.rdf.dataset.nt_sorted` (terms numbered, rows sorted by
    numpy); the rest sorts the lines as bytes (:func:`kg.rdf.dataset.canonical_terms` checks them). Nothing
    is built per triple in Python, and nothing runs in a second process.
    """
    from kg.rdf import dataset as ds
    from kg.rdf.namespace import PREFIXES
    from kg.rdf.store import dataset_bytes

    flat = source == ox.RdfFormat.N_TRIPLES
    by_rows = flat and target in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
    try:
        if by_rows:
            with path.open("rb") as fh:
                buf = bytearray(path.stat().st_size)
                if fh.readinto(buf) != len(buf) or fh.read(1):
                    return None  # changed while read: the parser's path
        else:
            data = path.read_bytes()
    except OSError:
        return None  # the parser's path says what is wrong with the file
    with ds.gc_paused():
        if by_rows:
            if not buf:
                return None  # empty: the parser's path
            if target == ox.RdfFormat.TURTLE:
                return ds.nt_turtle(buf, PREFIXES, check=source)
            return ds.nt_sorted(buf, check=source)  # the default graph's lines are N-Quads as they are
        bodies = ds.sorted_bodies(data)
        del data
        if not bodies:
            return None  # not line-shaped (or empty): the parser's path
        rows = ds.table(bodies)
        if rows is None or not ds.canonical_terms(rows, source):
            return None
        del rows
        if target == ox.RdfFormat.N_QUADS:
            return b" .\n".join(bodies) + b" .\n"
        lines = [body + b" .\n" for body in bodies]
        del bodies
        return dataset_bytes(lines, target, flat=flat)

"""RDF formats by file suffix, apart from the store so that commands that only write N-Quads lines (``kg build``)
need not import rdflib's SPARQL engine and oxrdflib to check a suffix."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.outputs import STORE_SUFFIX

#: Output formats by file suffix.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}
#: Input formats by suffix (a superset: anything Oxigraph parses).
INPUT_FORMATS: dict[str, ox.RdfFormat] = {
    **FORMATS,
    ".turtle": ox.RdfFormat.TURTLE,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}


def format_for(path: Path, table: dict[str, ox.RdfFormat] = FORMATS) -> ox.RdfFormat:
    fmt = table.get(path.suffix.lower())
    if fmt is None:
        raise KGError(
            f"cannot tell the RDF format of {path}: use one of the suffixes {', '.join(sorted(table))}"
            + (f" or a {STORE_SUFFIX} folder" if table is INPUT_FORMATS else "")
        )
    return fmt

"""Graph files and stores: atomic writes, clear errors on bad graph files, on-disk Oxigraph stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS, Literal, URIRef

from kg.errors import KGError
from kg.rdf.store import atomic_write, load_graph, new_graph, write_graph


def _graph():  # type: ignore[no-untyped-def]
    g = new_graph()
    g.add((URIRef("https://example.org/a"), RDFS.label, Literal("a")))
    return g


def test_failed_write_leaves_earlier_file_untouched(tmp_path: Path) -> None:
    out = tmp_path / "g.ttl"
    out.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write(out, "not bytes")  # type: ignore[arg-type]
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]  # no temp file left behind


def test_unknown_suffix_is_refused_with_valid_choices(tmp_path: Path) -> None:
    with pytest.raises(KGError, match=r"\.jsonld, \.nq, \.nt, \.trig, \.ttl"):
        write_graph(_graph(), tmp_path / "g.xyz")


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".jsonld", ".trig", ".nq", ".oxigraph"])
def test_write_then_load_gives_the_same_triples(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"g{suffix}"
    write_graph(_graph(), out)
    again = load_graph(out)
    assert {(s, p, str(o)) for s, p, o in again} == {(URIRef("https://example.org/a"), RDFS.label, "a")}


def test_store_can_be_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "g.oxigraph"
    write_graph(_graph(), out)
    write_graph(_graph(), out)
    assert len(load_graph(out)) == 1


def test_missing_graph_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(KGError, match="kg build"):
        load_graph(tmp_path / "nope.ttl")


def test_broken_graph_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(KGError, match=r"bad\.ttl is not valid Turtle: .*line 1"):
        load_graph(bad)


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    import os

    out = tmp_path / "g.ttl"
    write_graph(_graph(), out)
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask

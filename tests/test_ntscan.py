"""kg.rdf.ntscan reads the wanted lines of plain N-Triples exactly as Oxigraph's parser does, or declines."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.rdf import ntscan

ROOT = Path(__file__).resolve().parent.parent
EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

LINES = [
    f'<{EX}a> <{EX}name> "plain words, a > and a < too" .',
    f'<{EX}a> <{EX}name> "quoted \\"inner\\" and a back\\\\slash\\n" .',
    f'<{EX}b> <{EX}name> "caf\\u00E9 \\U0001F600 ünïcode"@fr-CA .',
    f'<{EX}b> <{EX}count> "7"^^<{XSD}integer> .',
    f"<{EX}c> <{EX}link> <{EX}b> .",
    f"<{EX}c> <{EX}link> <{EX}path/caf\\u00E9> .",
    f'<{EX}c> <{EX}flag> "true"^^<{XSD}boolean> .',
    f'<{EX}c> <{EX}flag> "true" .',
    f'<{EX}d> <{EX}other> "a line nobody asks for" .',
    # predicates as long as a wanted one and ending in the same eight bytes: told apart by the bytes before
    f'<{EX}d> <htxp://example.org/name> "not a name" .',
    f'<{EX}d> <http://example.0rg/name> "not a name either" .',
    f'<{EX}d> <{EX}note> "a note read back by subject" .',
    f'<{EX}e> <{EX}note> "another note" .',
]


def _write(tmp_path: Path, lines: list[str], end: str = "\n") -> Path:
    path = tmp_path / "g.nt"
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def _oxigraph_pairs(path: Path, predicate: str) -> list[tuple[str, str]]:
    return [
        (t.subject.value, t.object.value)  # type: ignore[union-attr]
        for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES)
        if t.predicate.value == predicate
    ]


@pytest.mark.parametrize("chunk", [ntscan.CHUNK, 64, 97])  # small blocks: lines cross them, some are longer
@pytest.mark.parametrize("end", ["\n", ""])
@pytest.mark.parametrize("threads", [1, 3])  # blocks scanned in parallel come back in file order
def test_pairs_and_details_are_what_oxigraph_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, end: str, threads: int
) -> None:
    monkeypatch.setattr(ntscan, "CHUNK", chunk)
    monkeypatch.setattr(ntscan, "THREADS", threads)
    path = _write(tmp_path, LINES, end)
    wanted = [f"{EX}name", f"{EX}count", f"{EX}link", f"{EX}flag"]
    found = ntscan.scan(path, wanted, keyed=[f"{EX}note"], typed=[f"{EX}flag"])
    assert found is not None
    for p in wanted:
        subjects, values = found.pairs[p]
        assert list(zip(subjects, values, strict=True)) == _oxigraph_pairs(path, p), p
    assert found.datatypes[f"{EX}flag"] == [f"{XSD}boolean", f"{XSD}string"]
    assert found.details([f"{EX}d"]) == {f"{EX}note": {f"{EX}d": ["a note read back by subject"]}}
    assert found.details([]) == {f"{EX}note": {}}


def test_a_generated_kg_graph_reads_like_oxigraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("gen_graph", ROOT / "bench" / "gen_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path / "gen.nt"
    path.write_bytes(ox.serialize(list(module.generate(60, 150, seed=3)), format=ox.RdfFormat.N_TRIPLES) or b"")
    monkeypatch.setattr(ntscan, "CHUNK", 4096)
    predicates = sorted({t.predicate.value for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES)})
    found = ntscan.scan(path, predicates)
    assert found is not None
    for p in predicates:
        assert list(zip(*found.pairs[p], strict=True)) == _oxigraph_pairs(path, p), p


@pytest.mark.parametrize(
    "line",
    [
        f'# a comment\n<{EX}a> <{EX}name> "x" .',
        f'_:b0 <{EX}name> "blank-node subject" .',
        f'<{EX}a>\t<{EX}name> "tab" .',
        f'<{EX}a>  <{EX}name> "two spaces" .',
        f'<{EX}a> <{EX}name> "crlf" .\r',
        f'<{EX}a> <{EX}na\\u006De> "escape in a predicate" .',
        "",
        "not rdf at all",
    ],
)
def test_other_shapes_are_declined(tmp_path: Path, line: str) -> None:
    path = _write(tmp_path, [LINES[0], line, LINES[4]])
    assert ntscan.scan(path, [f"{EX}name"]) is None


def test_a_bad_term_among_the_wanted_lines_is_declined(tmp_path: Path) -> None:
    path = _write(tmp_path, [LINES[0], f'<{EX}a> <{EX}count> "1"^^<{XSD}integer .'])
    assert ntscan.scan(path, [f"{EX}count"]) is None
    # and one nobody asks for is not looked at
    assert ntscan.scan(path, [f"{EX}name"]) is not None


def test_details_check_what_they_read(tmp_path: Path) -> None:
    path = _write(tmp_path, [LINES[0], f'<{EX}d> <{EX}note> "unterminated .'])
    found = ntscan.scan(path, [f"{EX}name"], keyed=[f"{EX}note"])
    assert found is not None
    with pytest.raises(ntscan.NotSimple):
        found.details([f"{EX}d"])


def test_details_read_lines_far_apart_long_and_last(tmp_path: Path) -> None:
    """Lines close together are read back in one go; a line longer than that read, lines far apart and
    a last line without a newline still come back whole."""
    filler = [f'<{EX}f{i}> <{EX}other> "{"padding " * 40}" .' for i in range(400)]  # ~140 kB apart
    lines = [
        f'<{EX}a> <{EX}note> "first" .',
        f'<{EX}b> <{EX}note> "near the first" .',
        f'<{EX}a> <{EX}note> "{"a long note " * 1000}" .',
        *filler,
        f'<{EX}c> <{EX}note> "far away" .',
        *filler,
        f'<{EX}a> <{EX}note> "last, no newline" .',
    ]
    path = _write(tmp_path, lines, end="")
    found = ntscan.scan(path, [f"{EX}name"], keyed=[f"{EX}note"])
    assert found is not None
    expected: dict[str, list[str]] = {}
    for s, o in _oxigraph_pairs(path, f"{EX}note"):
        expected.setdefault(s, []).append(o)
    assert found.details([f"{EX}a", f"{EX}b", f"{EX}c"]) == {f"{EX}note": expected}


def _spelled(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> tuple[str, str | None]:
    """A term as a coded scan's name reads back: (IRI, None) or (literal value, datatype)."""
    if isinstance(term, ox.NamedNode):
        return term.value, None
    assert isinstance(term, ox.Literal)
    return term.value, term.datatype.value


def _coded_pairs(found: ntscan.Scan, predicate: str) -> list[tuple[str, tuple[str, str | None]]]:
    subjects, objects = found.codes[predicate]
    out = []
    for s, o in zip(subjects.tolist(), objects.tolist(), strict=True):
        subject, term = found.names[s], found.names[o]
        assert subject.startswith("<") and subject.endswith(">")
        out.append((subject[1:-1], (term[1:-1], None) if term.startswith("<") else ntscan.term_value(term)))
    return out


CODED_LINES = [
    *LINES,
    # the same IRI spelled with an escape is the same term; a long IRI, a long literal, a NUL in a literal
    f"<{EX}c> <{EX}link> <{EX}b> .",
    f"<{EX}c> <{EX}link> <{EX}\\u0062> .",
    f"<{EX}b> <{EX}link> <{EX}c> .",
    f"<{EX}{'long/' * 80}> <{EX}link> <{EX}c> .",
    f'<{EX}c> <{EX}flag> "{"a long literal " * 30}" .',
    f'<{EX}b> <{EX}flag> "nul \x00 inside"@en .',
]


@pytest.mark.parametrize("chunk", [ntscan.CHUNK, 64, 333])
@pytest.mark.parametrize("threads", [1, 3])
def test_coded_lines_are_what_oxigraph_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, threads: int
) -> None:
    """Ids, not strings, for coded predicates: the same term is always the same id, whatever block it is
    met in, and a name spells what Oxigraph reads; the other predicates read as before."""
    monkeypatch.setattr(ntscan, "CHUNK", chunk)
    monkeypatch.setattr(ntscan, "THREADS", threads)
    path = _write(tmp_path, CODED_LINES)
    found = ntscan.scan(path, [f"{EX}name"], coded=[f"{EX}link", f"{EX}flag", f"{EX}count"])
    assert found is not None
    for p in (f"{EX}link", f"{EX}flag", f"{EX}count"):
        expected = [(s, _spelled(o)) for s, o in ((t.subject.value, t.object) for t in _oxigraph_triples(path, p))]
        assert _coded_pairs(found, p) == expected, p
    assert len(found.names) == len(set(found.names))
    b_ids = {int(o) for o in found.codes[f"{EX}link"][1]} & {found.index[f"<{EX}b>"]}
    assert b_ids == {found.index[f"<{EX}b>"]}  # <b> and <\u0062> are one id
    assert list(zip(*found.pairs[f"{EX}name"], strict=True)) == _oxigraph_pairs(path, f"{EX}name")


def _oxigraph_triples(path: Path, predicate: str) -> list[ox.Triple]:
    return [t for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES) if t.predicate.value == predicate]


@pytest.mark.parametrize("chunk", [ntscan.CHUNK, 64, 333])
@pytest.mark.parametrize("weak", ["one hash", "hash of the length"])
def test_colliding_hashes_still_give_one_id_per_term(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, weak: str
) -> None:
    """With spans hashed alike (within a block and across blocks), the byte checks split them again: no two
    terms share an id, and no term has two."""

    def weak_hash(rows: object, length: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
        return (length if weak == "hash of the length" else np.zeros_like(length)).astype(np.uint64)

    monkeypatch.setattr(ntscan, "_hash_rows", weak_hash)
    monkeypatch.setattr(ntscan, "CHUNK", chunk)
    path = _write(tmp_path, CODED_LINES)
    found = ntscan.scan(path, [], coded=[f"{EX}link"])
    assert found is not None
    expected = [
        (s, _spelled(o)) for s, o in ((t.subject.value, t.object) for t in _oxigraph_triples(path, f"{EX}link"))
    ]
    assert _coded_pairs(found, f"{EX}link") == expected
    assert len(found.names) == len(set(found.names))


@pytest.mark.parametrize("obj", ["_:b1", f"<{EX}a b>x", '"open'])
def test_a_coded_object_that_is_no_term_is_declined(tmp_path: Path, obj: str) -> None:
    path = _write(tmp_path, [LINES[4], f"<{EX}c> <{EX}link> {obj} ."])
    assert ntscan.scan(path, [], coded=[f"{EX}link"]) is None


@given(st.text(alphabet='"^<>\\\\\r\nab#:/ é', max_size=30))
def test_typed_literals_read_fast_as_the_grammar_reads_them(text: str) -> None:
    """term_value's shortcut for typed literals gives what the grammar's expressions give, or leaves the
    term to them."""
    for raw in (text, f'"{text}"^^<{text}>', f'"{text}"^^<http://x/{text}', f'"{text}"'):
        try:
            expected: tuple[str, str | None] | None = ntscan._parsed_term(raw)
        except ntscan.NotSimple:
            expected = None
        try:
            got: tuple[str, str | None] | None = ntscan.term_value(raw)
        except ntscan.NotSimple:
            got = None
        assert got == expected, raw

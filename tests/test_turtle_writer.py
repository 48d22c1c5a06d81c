"""The column-wise Turtle writer and the term checker behind the fast export path.

``kg.rdf.dataset`` writes Turtle from whole columns of sorted N-Triples lines (no Python code per triple)
and checks a line-based file by its distinct terms. Both are easy to get subtly wrong, so they are held
against a plain per-line reference here (the writer kg used before, kept only as the test's oracle) on
random graphs that mix everything a block can hold: several types and labels, repeated predicates, blank
nodes, typed literals that are and are not bare numbers, strings holding ``<``, quotes and escapes, and IRIs
that do and do not fit a prefix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import main
from kg.rdf import dataset as ds
from kg.rdf.namespace import PREFIXES

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
KG = PREFIXES["kg"]
ENT = PREFIXES["ent"]

# ---------------------------------------------------------------------------------------------- the oracle

_LOCAL = re.compile(rb"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_FIRST = (
    b"<" + RDF.encode() + b"type>",
    b"<http://www.w3.org/2000/01/rdf-schema#label>",
    b"<http://www.w3.org/2004/02/skos/core#altLabel>",
    b"<" + RDF.encode() + b"subject>",
    b"<" + RDF.encode() + b"predicate>",
    b"<" + RDF.encode() + b"object>",
)
_BARE = {
    b"<" + (XSD + "integer").encode() + b">": re.compile(rb"^[+-]?[0-9]+$"),
    b"<" + (XSD + "decimal").encode() + b">": re.compile(rb"^[+-]?[0-9]*\.[0-9]+$"),
    b"<" + (XSD + "double").encode() + b">": re.compile(rb"^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+$"),
    b"<" + (XSD + "boolean").encode() + b">": re.compile(rb"^(?:true|false)$"),
}


def _iri(term: bytes) -> bytes:
    """Try every prefix, longest namespace first."""
    table = sorted(((ns.encode(), p.encode()) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))
    for ns, p in table:
        if term[1:-1].startswith(ns) and _LOCAL.match(term[1 + len(ns) : -1]):
            return p + b":" + term[1 + len(ns) : -1]
    return term


def _obj(term: bytes) -> bytes:
    if term[:1] == b"<":
        return _iri(term)
    if term[:1] != b'"' or not term.endswith(b">"):
        return term
    cut = term.rfind(b'"^^<')
    value, dtype = term[1:cut], term[cut + 3 :]
    bare = _BARE.get(dtype)
    return value if bare is not None and bare.match(value) else term[: cut + 3] + _iri(dtype)


def reference_statements(lines: list[bytes]) -> bytes:
    """kg's Turtle layout, one line at a time: a block per subject, the first predicates in their order."""
    blocks: dict[bytes, list[tuple[bytes, bytes]]] = {}
    for line in sorted(set(lines)):
        s, p, o = line[:-3].split(b" ", 2)
        blocks.setdefault(s, []).append((p, o))
    out = []
    for s, pairs in blocks.items():
        pairs.sort(key=lambda po: (_FIRST.index(po[0]) if po[0] in _FIRST else len(_FIRST), po[0], po[1]))
        text = (_iri(s) if s[:1] == b"<" else s) + b" "
        last = b""
        for k, (p, o) in enumerate(pairs):
            if p == last:
                text += b" , "
            else:
                text += (b" ;\n\t" if k else b"") + (b"a" if p == _FIRST[0] else _iri(p)) + b" "
            text += _obj(o)
            last = p
        out.append(text + b" .\n")
    return b"\n".join(out)


# ---------------------------------------------------------------------------------------------- graphs

_subjects = st.sampled_from(
    [ox.NamedNode(ENT + n) for n in ("Alder", "Birch_Hill", "c.d", "e-", "f.", "Ünter", "g/h")]
    + [ox.NamedNode("http://elsewhere.example/x#y"), ox.BlankNode("b1"), ox.BlankNode("b10")]
)
_predicates = st.sampled_from(
    [ox.NamedNode(p[1:-1].decode()) for p in _FIRST]
    + [ox.NamedNode(KG + n) for n in ("controls", "confidence", "evidence")]
    + [ox.NamedNode("http://purl.org/dc/terms/title"), ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")]
)
_text = st.text(alphabet=st.sampled_from('ab <>"\\\n\t.^@é#:'), max_size=8)
_objects = st.one_of(
    _subjects,
    st.builds(ox.Literal, _text),
    st.builds(lambda t, lang: ox.Literal(t, language=lang), _text, st.sampled_from(["en", "fr-be"])),
    st.builds(
        lambda v, d: ox.Literal(v, datatype=ox.NamedNode(XSD + d)),
        st.sampled_from(["1", "-2", "0.8", ".5", "1e3", "true", "x", "1.", ""]),
        st.sampled_from(["integer", "decimal", "double", "boolean", "date", "gYear"]),
    ),
    st.sampled_from([ox.NamedNode(KG + "Place"), ox.NamedNode(KG + "Group"), ox.NamedNode(RDF + "type")]),
)
_triples = st.lists(st.builds(ox.Triple, _subjects, _predicates, _objects), max_size=40)


def _read(turtle: bytes) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}


def _lines(triples: list[ox.Triple]) -> list[bytes]:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return data.splitlines(keepends=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_triples)
def test_the_column_writer_writes_what_the_per_line_reference_writes(triples: list[ox.Triple]) -> None:
    lines = _lines(triples)
    data = ds.turtle(ds.merge(lines))
    head = b"".join(f"@prefix {p}: <{ns}> .\n".encode() for p, ns in PREFIXES.items()) + b"\n"
    assert data == head + reference_statements(lines)
    # and it is Turtle holding exactly those triples
    assert _read(data) == set(triples)


@settings(max_examples=100, deadline=None)
@given(_triples)
def test_canonical_lines_pass_the_term_check_in_any_order_and_repetition(triples: list[ox.Triple]) -> None:
    lines = _lines(triples)
    bodies = ds.sorted_bodies(b"".join(lines + lines[::-1]))
    assert bodies is not None
    rows = ds.table(bodies)
    assert rows is not None and ds.canonical_terms(rows)
    assert [b + b" .\n" for b in bodies] == ds.merge(lines)


@pytest.mark.parametrize(
    "data",
    [
        b"# a comment .\n",
        b"<http://e/s> <http://e/p> <http://e/o> .\n\n",
        b"<http://e/s>\t<http://e/p> <http://e/o> .\n",
        b"<http://e/s>  <http://e/p> <http://e/o> .\n",
        b'<http://e/s> <http://e/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n',
        b'<http://e/s> <http://e/p> "\\u0041" .\n',
        b'<http://e/s> <http://e/p> "x"@EN .\n',
        b"<http://e/s> <http://e/p> <http://e/o\\u0041> .\n",
        b"<s> <http://e/p> <http://e/o> .\n",
        b"<http://e/s> <http://e/p> <http://e/a b> .\n",
        b'<http://e/s> <http://e/p> "open .\n',
        b"<http://e/s> <http://e/p> <http://e/o> . <http://e/s> <http://e/p> <http://e/o2> .\n",
        b'"lit" <http://e/p> <http://e/o> .\n',
        b"<http://e/s> _:p <http://e/o> .\n",
        b"<http://e/s> <http://e/p> <http://e/o> .\r\n",
        b"<http://e/s> <http://e/p> <http://e/o>.\n",
        b"\xff\xfe <http://e/p> <http://e/o> .\n",
    ],
)
def test_anything_but_canonical_valid_lines_fails_the_term_check(data: bytes) -> None:
    """Comments, blank lines, other spacing, escapes or spellings Oxigraph writes otherwise, bad IRIs, bad
    syntax: each sends the file through Oxigraph's parser (which canonicalises it or words the error)."""
    bodies = ds.sorted_bodies(data)
    rows = None if bodies is None else ds.table(bodies)
    assert rows is None or not ds.canonical_terms(rows)


def test_export_of_a_graph_with_tricky_strings_matches_the_parser_path(tmp_path: Path) -> None:
    """A literal holding an IRI, ' .', '^^<' and a predicate's spelling stays a literal through the fast path,
    and the fast path's Turtle is the same bytes as the parser path's."""
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    tricky = f'x <{rdf_type}> "y" .  ^^<{XSD}integer> @en _:b'
    triples = [
        ox.Triple(ox.NamedNode(ENT + "A"), ox.NamedNode(KG + "evidence"), ox.Literal(tricky)),
        ox.Triple(ox.NamedNode(ENT + "A"), ox.NamedNode(rdf_type), ox.NamedNode(KG + "Group")),
        ox.Triple(ox.NamedNode(ENT + "A"), ox.NamedNode(KG + "controls"), ox.NamedNode(ENT + "B")),
    ]
    src = tmp_path / "g.nt"
    src.write_bytes(ox.serialize(triples[::-1], format=ox.RdfFormat.N_TRIPLES) or b"")
    odd = tmp_path / "odd.nt"  # the same graph spelled otherwise: Oxigraph's parser path
    odd.write_bytes(b"# comment\n" + src.read_bytes())
    for name in ("g", "odd"):
        assert main(["export", "-g", str(tmp_path / f"{name}.nt"), "-o", str(tmp_path / f"{name}.ttl"), "-q"]) == 0
    fast = (tmp_path / "g.ttl").read_bytes()
    assert fast == (tmp_path / "odd.ttl").read_bytes()
    assert _read(fast) == set(triples)
    assert b"ent:A a kg:Group ;\n\tkg:controls ent:B ;\n\tkg:evidence " in fast


# ---------------------------------------------------------------------------------------------- the export path

_HEAD = b"".join(f"@prefix {p}: <{ns}> .\n".encode() for p, ns in PREFIXES.items()) + b"\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_triples, st.randoms(use_true_random=False))
def test_the_export_writers_read_a_file_in_any_order_and_repetition(triples: list[ox.Triple], rnd: Any) -> None:
    """``kg export`` numbers the terms and sorts rows with numpy: lines in any order, some twice, give the
    reference layout, and the term check passes canonical lines."""
    lines = _lines(triples)
    shuffled = lines + lines[: len(lines) // 2]
    rnd.shuffle(shuffled)
    data = ds.nt_turtle(bytearray(b"".join(shuffled)), check=ox.RdfFormat.N_TRIPLES)
    assert data == _HEAD + reference_statements(lines)
    # and to N-Triples: the lines sorted as bytes, repeats dropped
    assert ds.nt_sorted(bytearray(b"".join(shuffled)), check=ox.RdfFormat.N_TRIPLES) == b"".join(ds.merge(lines))


def test_trig_blocks_are_indented_inside_their_graph() -> None:
    a, b = f"<{ENT}A>".encode(), f"<{ENT}B>".encode()
    lines = [
        a + b" <" + KG.encode() + b"controls> " + b + b" <http://e/g> .\n",
        a + b" <" + RDF.encode() + b"type> <" + KG.encode() + b"Group> <http://e/g> .\n",
        b + b' <http://www.w3.org/2000/01/rdf-schema#label> "b" <http://e/g> .\n',
    ]
    data = ds.trig(ds.merge(lines))
    assert data.endswith(
        b'<http://e/g> {\n\tent:A a kg:Group ;\n\t\tkg:controls ent:B .\n\n\tent:B rdfs:label "b" .\n}\n'
    )
    assert {(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.TRIG)} == {
        (t.subject, t.predicate, t.object) for t in ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS)
    }


@pytest.mark.parametrize(
    "data",
    [
        b"# a comment .\n",
        b"\n<http://e/s> <http://e/p> <http://e/o> .\n",
        b"<http://e/s> <http://e/p> <http://e/o> .\n\n",
        b"<http://e/s> <http://e/p> <http://e/o> .",
        b"<http://e/s>\t<http://e/p> <http://e/o> .\n",
        b"<http://e/s>  <http://e/p> <http://e/o> .\n",
        b"<http://e/s> <http://e/p>  <http://e/o> .\n",
        b"<http://e/s> <http://e/p> .\n",
        b"<http://e/s> .\n",
        b"a b c .\n",
        b'<http://e/s> <http://e/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n',
        b'<http://e/s> <http://e/p> "\\u0041" .\n',
        b'<http://e/s> <http://e/p> "a\tb" .\n',
        b'<http://e/s> <http://e/p> "a\x01b" .\n',
        b'<http://e/s> <http://e/p> "x"@EN .\n',
        b"<http://e/s> <http://e/p> <http://e/o\\u0041> .\n",
        b"<s> <http://e/p> <http://e/o> .\n",
        b"<http://e/s> <http://e/p> <http://e/a b> .\n",
        b'<http://e/s> <http://e/p> "open .\n',
        b"<http://e/s> <http://e/p> <http://e/o> . <http://e/s> <http://e/p> <http://e/o2> .\n",
        b'"lit" <http://e/p> <http://e/o> .\n',
        b"<http://e/s> _:p <http://e/o> .\n",
        b"<http://e/s> <http://e/p> <http://e/o> .\r\n",
        b"<http://e/s> <http://e/p> <http://e/o>.\n",
        b"<http://e/s> <http://e/p> <http://e/o> .\n<http://e/s> <http://e/p> <http://e/o>.\n",
        b"\xff\xfe <http://e/p> <http://e/o> .\n",
        b"<<http://e/s> <http://e/p> <http://e/o>> <http://e/p> <http://e/o> .\n",
    ],
)
def test_anything_but_canonical_valid_lines_leaves_the_export_writer(data: bytes) -> None:
    """Each of these goes through Oxigraph's parser instead (which canonicalises it or words the error)."""
    assert ds.nt_turtle(bytearray(data), check=ox.RdfFormat.N_TRIPLES) is None
    assert ds.nt_sorted(bytearray(data), check=ox.RdfFormat.N_TRIPLES) is None


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_triples)
def test_rows_sorted_by_three_keys_give_the_same_turtle(triples: list[ox.Triple]) -> None:
    """A graph with more distinct terms than one 62-bit key can number is sorted on three keys instead."""
    data = b"".join(_lines(triples) * 2)
    one_key = ds.nt_turtle(bytearray(data))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ds, "_ONE_KEY", 0)
        assert ds.nt_turtle(bytearray(data)) == one_key


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_triples, st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=7))
def test_blocks_of_any_size_give_the_same_turtle(triples: list[ox.Triple], block: int, join: int) -> None:
    """The file is cut into terms block by block and the output joined piece group by piece group: any block
    (down to less than a line) and group size gives the same bytes, repeats across blocks included."""
    data = b"".join(_lines(triples) * 2)
    whole = ds.nt_turtle(bytearray(data))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ds, "_BLOCK", block)
        mp.setattr(ds, "_JOIN", join)
        assert ds.nt_turtle(bytearray(data)) == whole


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_triples, st.booleans())
def test_few_lines_are_written_line_by_line_with_the_same_bytes(triples: list[ox.Triple], twice: bool) -> None:
    """Small graphs (TriG has one per document) skip numpy's fixed cost: both writers give the same bytes,
    repeated lines included, and both match the reference layout."""
    lines = _lines(triples) * (2 if twice else 1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ds, "_SMALL", 1 << 30)
        few = ds.turtle(lines)
        mp.setattr(ds, "_SMALL", -1)
        assert ds.turtle(lines) == few == _HEAD + reference_statements(lines)

"""Property-based fuzzing of what reads untrusted input: the text reader, the graph readers, the query guard.

Each property says what a user may rely on whatever the bytes: a message (``KGError``) or a result, never
another exception, and offsets that always cut the file's own text. Each test is bounded (a fixed number of
examples, no deadline per example) so the suite stays fast; ``KG_FUZZ_EXAMPLES`` raises the count for a
longer hunt.
"""

from __future__ import annotations

import itertools
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError, KGError
from kg.inputs import decode
from kg.pieces import _FORMAT, normalise, pieces, spans

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Text with what makes offsets hard: CR/LF, combining marks, format characters, astral characters, Hangul.
_HARD = st.sampled_from(
    ["\r\n", "\r", "\n", "\n\n", " ", "e\u0301", "\u0301", "\u200b", "\u00ad", "\ufeff", "\u202e", "\U0001f600",
     "\u1100\u1161\u11a8", "\u0b47\u0b3e", "Ka", "bul", ".", ". ", "!", "\t"]
)  # fmt: skip
TEXTS = st.lists(st.one_of(_HARD, st.text(max_size=8)), max_size=60).map("".join)


# ---------------------------------------------------------------------------------------------- text reader


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_decode_to_text_or_a_message(data: bytes) -> None:
    try:
        text = decode(data, "x.txt")
    except InputError as exc:
        assert "x.txt" in str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(text, str) and "\x00" not in text


@FUZZ
@given(TEXTS)
def test_normalised_offsets_cut_the_files_own_text(text: str) -> None:
    clean, starts, ends = normalise(text)
    assert "\r" not in clean and not _FORMAT.search(clean)
    if starts is None or ends is None:
        assert clean == text
        return
    assert len(starts) == len(ends) == len(clean)
    assert list(starts) == sorted(starts) and list(ends) == sorted(ends)
    for i, ch in enumerate(clean):
        source = text[starts[i] : ends[i]]
        assert starts[i] < ends[i]
        if ch == "\n" and source in ("\r", "\r\n"):
            continue
        # the characters a clean character came from normalise to text holding it
        assert ch in unicodedata.normalize("NFC", _FORMAT.sub("", source)), (ch, source)


@FUZZ
@given(TEXTS, st.integers(min_value=4, max_value=40))
def test_pieces_cover_the_text_in_order_within_the_limit(text: str, limit: int) -> None:
    cuts = spans(text, limit)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    for (_, b), (a, _) in itertools.pairwise(cuts):
        assert a == b
    assert all(b - a <= limit + 1 for a, b in cuts)  # +1: a CRLF is never cut in two
    for piece in pieces(text, limit):
        a, b = piece.file_span(0, len(piece.text))
        assert piece.start <= a <= b <= piece.end


# ---------------------------------------------------------------------------------------------- graph readers

_TOKENS = st.sampled_from(
    ["<http://e/a>", "<http://e/p>", '"x"', "_:b", " ", ".", ";", ",", "[", "]", "(", ")", "{", "}", "@prefix",
     "e:", "PREFIX", "\n", '"""', "^^", "@en", "<", ">", "&lol;", "<!DOCTYPE r [<!ENTITY lol \"x\">]>",
     "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", "</rdf:RDF>", "<rdf:Description>",
     "</rdf:Description>", '{"@id":', '"@context"', ":", '"http://e/p"', "[", "]", "\\", "\x00", "\udcff"]
)  # fmt: skip
GRAPH_TEXTS = st.lists(st.one_of(_TOKENS, st.text(max_size=6)), max_size=40).map("".join)


@FUZZ
@given(GRAPH_TEXTS, st.sampled_from([".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".n3"]), st.booleans())
def test_any_graph_file_loads_or_gives_a_message(tmp_path: Path, text: str, suffix: str, as_bytes: bool) -> None:
    from kg.analysis import project_file
    from kg.rdf.store import load_graph

    path = tmp_path / f"g{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if not as_bytes else text.encode("utf-8", "replace"))
    for read in (load_graph, project_file):
        try:
            read(path)
        except KGError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 1000


# ---------------------------------------------------------------------------------------------- query guard

_SPARQL = st.sampled_from(
    ["SELECT", "*", "?s", "?p", "?o", "WHERE", "{", "}", "(", ")", ".", "FILTER", "OPTIONAL", "UNION", "SERVICE",
     "<http://e/>", "FROM", "NAMED", "GRAPH", "INSERT", "DATA", "DELETE", "LOAD", "CLEAR", "ASK", "CONSTRUCT",
     "DESCRIBE", "LIMIT", "1", '"x"', "'{'", "#}", "\n", "kg:controls", "BIND", "AS", "VALUES", "EXISTS", " "]
)  # fmt: skip
QUERIES = st.lists(_SPARQL, max_size=30).map(" ".join)


@FUZZ
@given(QUERIES)
def test_any_query_text_is_checked_or_refused_with_a_message(text: str) -> None:
    from kg.query import Checked, _check

    try:
        result = _check(text)
    except KGError as exc:
        assert str(exc)
    else:
        assert isinstance(result, Checked)
        assert "SERVICE" not in text.split() or "{" not in text  # a SERVICE pattern never passes


UPDATES = st.sampled_from(
    ["INSERT DATA { <http://e/a> <http://e/p> 1 }", "LOAD <http://e/x>", "CLEAR ALL", "DELETE WHERE { ?s ?p ?o }",
     "DROP GRAPH <http://e/g>"]
)  # fmt: skip


@FUZZ
@given(UPDATES, st.sampled_from(["", " ", "\n"]))
def test_updates_are_always_refused(update: str, pad: str) -> None:
    from kg.query import check

    with pytest.raises(KGError, match="refused"):
        check(pad + update + pad)


@FUZZ
@given(st.integers(min_value=0, max_value=400), st.sampled_from(["{ ", "( ", "[ "]))
def test_nesting_is_counted_the_way_the_guard_refuses(depth: int, opener: str) -> None:
    from kg.query import MAX_NESTING, nesting

    closer = {"{ ": "} ", "( ": ") ", "[ ": "] "}[opener]
    text = "SELECT * WHERE { " + opener * depth + "?s ?p ?o" + closer * depth + "}"
    assert nesting(text) == depth + 1
    assert nesting(text) > MAX_NESTING or depth + 1 <= MAX_NESTING

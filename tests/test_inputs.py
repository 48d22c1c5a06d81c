"""Reading inputs: each bad input gets a one-line message naming it and saying what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.inputs import Source, decode, expand, read, title_of


def test_folders_expand_to_text_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "skip.json").write_text("{}")
    assert [s.name for s in expand([str(tmp_path)])] == [str(tmp_path / "a.md"), str(tmp_path / "b.txt")]


def test_dash_means_stdin() -> None:
    assert expand(["-"]) == [Source("<stdin>", None)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x00\x00", "binary"),
        (b"caf\xe9 au lait", "not valid UTF-8"),
    ],
)
def test_bad_bytes_get_an_actionable_message(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        decode(data, "x.txt")
    assert "x.txt" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_path_is_named() -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        expand(["nope.txt"])


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder holds no"):
        expand([str(tmp_path)])


def test_the_bom_is_dropped_and_crlf_kept(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbfHeadline\r\n\r\nBody text.\r\n")
    doc = read(Source(str(p), p))
    assert doc.text == "Headline\r\n\r\nBody text.\r\n"  # offsets in the graph index the file's own text
    assert doc.title == "Headline"
    assert len(doc.sha256) == 64


def test_title_only_for_headline_like_first_lines() -> None:
    assert title_of("Rebels take town\n\nThe rebels took the town.") == "Rebels take town"
    assert title_of("The rebels took the town. Then they left.") == ""


# ---------------------------------------------------------------------------------------------- issue 10
# Each case below failed on kg before issue 10: a run aborted, a message was wrong, or the graph was quietly wrong.

SENTENCE = "Rebels of the Free Varnia Front captured the town of Oskbridge on Monday."


def _triples(path: Path):  # type: ignore[no-untyped-def]
    from kg.rdf.store import load_graph

    return load_graph(path)


def _evidence_spans(path: Path) -> list[tuple[int, int, str]]:
    from kg.rdf.namespace import KG

    g = _triples(path)
    return sorted(
        (int(g.value(a, KG.charStart)), int(g.value(a, KG.charEnd)), str(g.value(a, KG.evidence)))  # type: ignore[arg-type]
        for a in g.subjects(KG.evidence, None)
    )


def _labels(path: Path) -> list[str]:
    from rdflib import RDFS

    return sorted(str(o) for o in _triples(path).objects(None, RDFS.label))


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
    ],
)
def test_utf16_and_utf32_with_a_bom_are_read(codec: str, bom: bytes) -> None:
    text = "Headline\n\nThe Free Varnia Front held Oskbridge. Café owners fled.\n"
    assert decode(bom + text.encode(codec), "x.txt") == text


def test_utf16_without_a_bom_is_called_binary_with_a_hint() -> None:
    with pytest.raises(InputError, match="need a byte-order mark"):
        decode("plain words".encode("utf-16-le"), "x.txt")


def test_empty_and_blank_documents_build_a_valid_graph_with_a_warning(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    from kg.rdf.namespace import KG

    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b"  \n\t\r\n")
    out = tmp_path / "g.ttl"
    code, _, err = kg_main("build", str(tmp_path), "-o", str(out))
    assert code == 0, err
    assert "warning" in err and "empty.txt is empty" in err and "blank.md is empty" in err
    g = _triples(out)
    assert len(set(g.subjects(None, KG.Document))) == 2
    assert sorted(int(o) for o in g.objects(None, KG.wordCount)) == [0, 0]


def test_the_same_file_twice_is_read_once_and_reported(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    a = tmp_path / "a.txt"
    a.write_text(SENTENCE + "\n", encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text(SENTENCE + "\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(a)
    code, _, err = kg_main("build", str(a), str(a), str(link), str(copy), "-o", str(tmp_path / "g.ttl"))
    assert code == 0
    assert "a.txt was given twice; read once" in err
    assert "link.txt is the same file as" in err
    assert "copy.txt has the same text as" in err
    assert "1 document(s)" in err


def test_a_file_name_that_is_not_utf8_builds_with_the_others(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    from kg.rdf.namespace import KG

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(SENTENCE + "\n", encoding="utf-8")
    (folder / "other.txt").write_text("The Kelmar Brigade advanced on Dunmoor.\n", encoding="utf-8")
    out = tmp_path / "g.ttl"
    code, _, err = kg_main("build", str(folder), "-o", str(out))
    assert code == 0, err
    paths = sorted(str(o).rsplit("/", 1)[-1] for o in _triples(out).objects(None, KG.sourcePath))
    assert paths == ["caf\\xe9.txt", "other.txt"]


def test_crlf_offsets_index_the_files_own_text(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "crlf.txt"
    p.write_bytes(
        b"Fighting in the north\r\n\r\nTwo towns fell.\r\n"
        + SENTENCE.encode()
        + b"\r\nLater the Free Varnia Front held Oskbridge.\r\n"
    )
    out = tmp_path / "g.ttl"
    assert kg_main("build", str(p), "-o", str(out))[0] == 0
    text = p.read_bytes().decode("utf-8")
    spans = _evidence_spans(out)
    assert spans
    for start, end, evidence in spans:
        assert text[start:end] == evidence


def test_a_zero_width_space_or_decomposed_accent_makes_no_second_entity(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "zw.txt"
    p.write_text(
        "Rebels of the Free Var\u200bnia Front captured Oskbridge on Monday. "
        "The Free Varnia Front later lost Oskbridge.\n\n"
        "Troops loyal to Jose\u0301 Marquez advanced on Dunmoor. Jos\u00e9 Marquez said Dunmoor would fall.\n",
        encoding="utf-8",
    )
    out = tmp_path / "g.ttl"
    assert kg_main("build", str(p), "-o", str(out))[0] == 0
    labels = _labels(out)
    assert labels.count("Free Varnia Front") == 1
    assert not any("\u200b" in label for label in labels)
    # one person (and the group loyal to him, named after him), both spelt with the composed accent
    assert sorted(label for label in labels if "Marquez" in label) == [
        "Jos\u00e9 Marquez",
        "forces loyal to Jos\u00e9 Marquez",
    ]
    text = p.read_text(encoding="utf-8")
    for start, end, evidence in _evidence_spans(out):
        assert text[start:end] == evidence  # the evidence keeps the file's own characters


def test_a_text_over_a_million_characters_builds_with_the_others(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.txt"
    tail = "Rebels of the Kelmar Brigade captured the town of Dunmoor on Friday."
    big.write_text(SENTENCE + "\n\n" + " " * 1_000_000 + "\n\n" + tail + "\n", encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text("The Free Varnia Front held Oskbridge.\n", encoding="utf-8")
    out = tmp_path / "g.ttl"
    code, _, err = kg_main("build", str(big), str(small), "-o", str(out))
    assert code == 0, err
    assert "2 document(s)" in err
    text = big.read_text(encoding="utf-8")
    spans = _evidence_spans(out)
    assert any(evidence == tail and start > 1_000_000 for start, _, evidence in spans)
    for start, end, evidence in spans:
        if start > 100:
            assert text[start:end] == evidence


def test_the_nlp_never_reads_more_than_a_piece_at_once(nlp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Linear time and memory come from reading long texts in pieces; the figures are in bench/bench_scale.py."""
    from kg.build import extract_documents
    from kg.model import Document
    from kg.pieces import PIECE_CHARS

    seen: list[int] = []
    real_pipe = nlp.pipe

    def pipe(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        items = list(texts)
        seen.extend(len(t[0] if isinstance(t, tuple) else t) for t in items)
        return real_pipe(items, *args, **kwargs)

    monkeypatch.setattr(nlp, "pipe", pipe)
    paragraph = "The Free Varnia Front captured Oskbridge. The Kelmar Brigade held Dunmoor.\n\n"
    text = paragraph * (3 * PIECE_CHARS // len(paragraph))
    (ext,) = extract_documents([Document(text, "long.txt", "0" * 64)])
    assert len(seen) >= 3 and max(seen) <= PIECE_CHARS
    assert {e.key for e in ext.entities} >= {"Free Varnia Front", "Oskbridge"}
    for rel in ext.relations:
        assert text[rel.evidence.start : rel.evidence.end] == rel.evidence.text


def test_a_gazetteer_cache_of_the_wrong_shape_is_rebuilt(tmp_path: Path, kg_cli) -> None:  # type: ignore[no-untyped-def]
    import marshal

    env_dir = tmp_path / "cache"
    env_dir.mkdir()
    os.environ["KG_CACHE_DIR"] = str(env_dir)
    try:
        from kg.nlp.gazetteer import _cache_path

        cache = _cache_path()
        cache.write_bytes(marshal.dumps([1, 2, 3]))
        text = tmp_path / "a.txt"
        text.write_text(SENTENCE + "\n", encoding="utf-8")
        proc = kg_cli("build", str(text), "-o", str(tmp_path / "g.ttl"))
    finally:
        del os.environ["KG_CACHE_DIR"]
    assert proc.returncode == 0, proc.stderr
    assert marshal.loads(cache.read_bytes()) != [1, 2, 3]


def test_the_format_character_class_is_unicodes() -> None:
    import sys
    import unicodedata

    from kg.pieces import _FORMAT

    categories = [unicodedata.category(chr(c)) for c in range(sys.maxunicode + 1)]
    matched = {c for c in range(sys.maxunicode + 1) if _FORMAT.match(chr(c))}
    assert {c for c, cat in enumerate(categories) if cat == "Cf"} <= matched
    assert {categories[c] for c in matched} <= {"Cf", "Cn"}  # Cn: format characters of a newer Unicode

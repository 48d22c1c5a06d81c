"""Reading inputs: each bad input gets a one-line message naming it and saying what to do."""

from __future__ import annotations

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
        (b"", "is empty"),
        (b"  \n\t", "is empty"),
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


def test_bom_and_crlf_are_normalised(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbfHeadline\r\n\r\nBody text.\r\n")
    doc = read(Source(str(p), p))
    assert doc.text == "Headline\n\nBody text.\n"
    assert doc.title == "Headline"
    assert len(doc.sha256) == 64


def test_title_only_for_headline_like_first_lines() -> None:
    assert title_of("Rebels take town\n\nThe rebels took the town.") == "Rebels take town"
    assert title_of("The rebels took the town. Then they left.") == ""

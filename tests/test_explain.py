"""``kg explain FILE``: per sentence, mentions, relations with rule and confidence, rejections with reasons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.cli import main
from kg.commands.explain import explain_document, render_text

TEXT = (
    "The Houthis took control of Aden in March 2015. Al-Shabaab did not capture Mogadishu.\n\n"
    "The rebels captured the prisoners."
)


@pytest.fixture(scope="module")
def result(nlp: Any) -> dict[str, Any]:
    return explain_document(TEXT, "t.txt")


def test_sentences_mentions_relations(result: dict[str, Any]) -> None:
    first, second, third = result["sentences"]
    assert {m["entity"] for m in first["mentions"]} == {"Houthis", "Aden"}
    (rel,) = first["relations"]
    assert (rel["subject"], rel["predicate"], rel["object"], rel["rule"], rel["asserted"], rel["time"]) == (
        "Houthis",
        "controls",
        "Aden",
        "controls.light-verb",
        True,
        "2015-03",
    )
    assert 0 < rel["confidence"] <= 1
    (neg,) = second["relations"]
    assert neg["negated"] and not neg["asserted"]
    assert third["relations"] == [] and third["rejected"]
    assert "no entity for the object" in third["rejected"][0]["reason"]


def test_text_view_marks_asserted_held_back_and_rejected(result: dict[str, Any]) -> None:
    out = render_text(result)
    assert "+ Houthis controls Aden  [controls.light-verb, confidence 0.85" in out
    assert "NOT asserted: negated" in out
    assert 'x controls.verb at "captured": no entity for the object' in out
    assert out.splitlines()[-1].startswith("3 sentences (3 shown), 2 statements (1 asserted)")


def test_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.txt"
    f.write_text(TEXT, encoding="utf-8")
    assert main(["explain", str(f)]) == 0
    assert "[0] The Houthis took control of Aden" in capsys.readouterr().out
    assert main(["explain", str(f), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == str(f) and len(data["sentences"]) == 3


def test_cli_errors_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(tmp_path / "missing.txt")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["explain", str(tmp_path)]) == 1
    assert "kg explain takes one text file" in capsys.readouterr().err


def test_explain_shows_what_build_extracts(nlp: Any) -> None:
    import hashlib

    from kg.model import Document
    from kg.nlp.extract import extract

    text = '"Hezbollah fighters have captured Qusayr," said Hassan Nasrallah. Al-Shabaab did not capture Mogadishu.'
    ext = extract(nlp(text), Document(text, "t", hashlib.sha256(text.encode()).hexdigest()))
    shown = explain_document(text)
    got = {
        (r["subject"], r["predicate"], r["object"], r["rule"], r["asserted"])
        for s in shown["sentences"]
        for r in s["relations"]
    }
    assert got == {(r.subject, r.predicate, r.object, r.rule, r.asserted) for r in ext.relations}

"""The spaCy pipeline kg loads: which model, and our paragraph-break component."""

from __future__ import annotations

from kg.cli import version_text
from kg.nlp.pipeline import PARAGRAPH_COMPONENT, model_info


def test_model_is_named_in_version() -> None:
    info = model_info()
    assert info is not None
    assert info[0] in version_text() and info[1] in version_text()


def test_blank_line_ends_a_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    assert PARAGRAPH_COMPONENT in nlp.pipe_names
    doc = nlp('Rebels near the capital\n\nGovernment troops said "we will hold"\n\nThe army withdrew on Monday.')
    sentences = [s.text.strip() for s in doc.sents]
    assert sentences == [
        "Rebels near the capital",
        'Government troops said "we will hold"',
        "The army withdrew on Monday.",
    ]


def test_single_line_break_does_not_split(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("The rebels captured the\ntown on Monday.")
    assert len(list(doc.sents)) == 1

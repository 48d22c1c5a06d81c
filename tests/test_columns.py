"""The column-wise attribute ruler and lemmatizer give the shipped components' results, token by token."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, LOWER, MORPH, ORTH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.columns import ColumnLemmatizer, ColumnRuler, indexed, speed_up
from kg.nlp.pipeline import PARAGRAPH_COMPONENT, model_info

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [ORTH, LOWER, TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE, SENT_START]

#: Sentences written for the ruler's rarer patterns: contractions it lemmatises across two tokens, pronoun case by
#: dependency, auxiliaries and main-verb "have"/"do", subordinating "if", pronoun determiners, expletive "there",
#: "gets"/"got", and whitespace tokens (the ruler retags them and gives them a dependency).
WRITTEN = [
    "Y all gonna let's c'm on to Cusco.\n\nI ain't leaving Arequipa, and ya all know it.",
    "The garrison got ta hold the bridge at Tumbes, but it did not.",
    "I told them, and they told me: it was you who held Puno. You saw it; I saw you.",
    "The militia has had the valley since May.  It does what it did before, if the army lets it.",
    "There is a road to Juliaca, and there were patrols on it. That was all those men had.",
    "The brigade gets supplies by river; last year it got them by air.\n\n\n  The end.",
    "BUT the colonel, who had defected, did have doubts.  \t Whatever happens, he has gone over to them.",
]


@pytest.fixture(scope="module")
def stock() -> Language:
    """The model as shipped, with kg's own paragraph component, so only the two rule components differ."""
    info = model_info()
    assert info is not None
    nlp: Language = importlib.import_module(info[0]).load()
    nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    return nlp


def differences(stock: Language, nlp: Language, texts: list[str]) -> list[str]:
    out = []
    for want, got in zip(stock.pipe(texts), nlp.pipe(texts), strict=True):
        if not np.array_equal(want.to_array(COLUMNS), got.to_array(COLUMNS)):
            for a, b in zip(want, got, strict=True):
                old = (a.tag_, a.pos_, str(a.morph), a.lemma_, a.dep_)
                new = (b.tag_, b.pos_, str(b.morph), b.lemma_, b.dep_)
                if old != new:
                    out.append(f"{a.text!r} in {want.text[:60]!r}: shipped {old}, kg {new}")
                    break
    return out


def test_kg_runs_both_rule_components_by_column(nlp: Language) -> None:
    assert isinstance(nlp.get_pipe("attribute_ruler"), ColumnRuler)
    assert isinstance(nlp.get_pipe("lemmatizer"), ColumnLemmatizer)


def test_written_sentences_get_the_shipped_tags_lemmas_and_morphology(stock: Language, nlp: Language) -> None:
    assert differences(stock, nlp, WRITTEN) == []
    doc = nlp(WRITTEN[0])
    lemmas = [t.lemma_ for t in doc]
    assert lemmas[:8] == ["you", "all", "go", "to", "let", "us", "come", "on"]  # the two-token patterns applied
    assert [t.lemma_ for t in doc if t.lower_ == "ai"] == ["be"]
    assert "Case=Acc" in str(doc[-2].morph) and doc[-2].dep_ == "dobj"  # "know it": case from the dependency


def test_every_text_we_ship_and_the_training_texts_match(stock: Language, nlp: Language) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "data").rglob("*.txt"))]
    train = ROOT.parent / "shared" / "corpus" / "train"
    texts += [p.read_text(encoding="utf-8") for p in sorted(train.glob("*.txt"))]
    assert len(texts) >= 8
    assert differences(stock, nlp, texts) == []


WORDS = st.sampled_from(
    [
        "I",
        "you",
        "it",
        "they",
        "there",
        "that",
        "those",
        "the",
        "a",
        "rebels",
        "army",
        "Lima",
        "Piura",
        "held",
        "took",
        "ai",
        "n't",
        "gon",
        "na",
        "got",
        "ta",
        "let",
        "'s",
        "c'm",
        "on",
        "y'",
        "all",
        "do",
        "did",
        "have",
        "has",
        "had",
        "is",
        "was",
        "were",
        "'re",
        "but",
        "if",
        ",",
        ".",
        ";",
        "gets",
        "to",
        "of",
        "by",
        "\n",
        "\n\n",
        "   ",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=30))
def test_any_word_sequence_gets_the_shipped_results(stock: Language, nlp: Language, words: list[str]) -> None:
    assert differences(stock, nlp, [" ".join(words)]) == []


def test_a_ruler_pattern_it_cannot_read_keeps_the_shipped_component(stock: Language) -> None:
    info = model_info()
    assert info is not None
    other: Language = importlib.import_module(info[0]).load()
    extra: dict[str, Any] = {"patterns": [[{"SHAPE": "Xxxxx", "TAG": "NNP"}]], "attrs": {"LEMMA": "place"}}
    other.get_pipe("attribute_ruler").add_patterns([extra])
    assert speed_up(other) == ["lemmatizer"]
    assert not isinstance(other.get_pipe("attribute_ruler"), ColumnRuler)
    assert speed_up(other) == []  # and a second call changes nothing
    assert other("The rebels left Piura.")[3].lemma_ == "place"


def _ruler_pipeline(attrs: list[dict[str, Any]]) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns(attrs)
    return nlp


#: Patterns that overlap, point at a token by a negative index, and set every attribute the ruler may write by
#: column: a later pattern overwrites what an earlier one set on the same token, as spaCy's loop does.
OVERLAPPING: list[dict[str, Any]] = [
    {"patterns": [[{"LOWER": "the"}]], "attrs": {"TAG": "DT", "POS": "DET", "MORPH": "Definite=Def"}},
    {"patterns": [[{"LOWER": "the"}, {"LOWER": "town"}]], "attrs": {"TAG": "NN", "LEMMA": "burgh"}, "index": -1},
    {"patterns": [[{"LOWER": "town"}]], "attrs": {"TAG": "NNX", "POS": "NOUN", "MORPH": "Number=Sing"}},
    {"patterns": [[{"LOWER": "the"}, {"LOWER": "town"}]], "attrs": {"DEP": "det", "POS": "PRON"}, "index": 0},
]


def test_ruler_writes_by_column_what_spacys_loop_writes() -> None:
    stock, fast = _ruler_pipeline(OVERLAPPING), _ruler_pipeline(OVERLAPPING)
    assert speed_up(fast) == ["attribute_ruler"]
    texts = ["The town and the port.", "the town the town town the", "No match here.", ""]
    for want, got in zip(stock.pipe(texts), fast.pipe(texts), strict=True):
        assert np.array_equal(want.to_array(COLUMNS), got.to_array(COLUMNS))
        assert [str(t.morph) for t in want] == [str(t.morph) for t in got]
    doc = fast("the town")
    assert [(t.tag_, t.pos_, t.lemma_, t.dep_, str(t.morph)) for t in doc] == [
        ("DT", "PRON", "", "det", "Definite=Def"),
        ("NNX", "NOUN", "burgh", "", "Number=Sing"),
    ]


def test_ruler_index_outside_the_match_is_spacys_error() -> None:
    bad: list[dict[str, Any]] = [{"patterns": [[{"LOWER": "the"}]], "attrs": {"TAG": "DT"}, "index": 2}]
    stock, fast = _ruler_pipeline(bad), _ruler_pipeline(bad)
    assert speed_up(fast) == ["attribute_ruler"]
    with pytest.raises(ValueError) as want:
        stock("the town")
    with pytest.raises(ValueError) as got:
        fast("the town")
    assert str(got.value) == str(want.value)


def test_a_ruler_that_sets_a_lexical_attribute_keeps_spacys_loop() -> None:
    """NORM (or a flag) is set on the vocabulary's lexeme too: only spaCy's own loop does that."""
    nlp = _ruler_pipeline([{"patterns": [[{"LOWER": "the"}]], "attrs": {"NORM": "teh"}}])
    assert speed_up(nlp) == []
    assert nlp("the town")[0].norm_ == "teh"


#: Inflected and uninflected forms for the lemmatizer's rules and exceptions, with made-up words (out of its index).
LEMMA_WORDS = st.sampled_from(
    [
        "rebels",
        "armies",
        "held",
        "took",
        "advancing",
        "advanced",
        "wolves",
        "cities",
        "better",
        "best",
        "worse",
        "seized",
        "fighters",
        "geese",
        "ran",
        "children",
        "quickly",
        "bigger",
        "flies",
        "was",
        "men",
        "Quitos",
        "zarbled",
        "glimpses",
        "snorfing",
        "ox",
        "oxen",
        "dying",
        "lying",
        "stopped",
        "radii",
        "analyses",
        "'s",
        "3rd",
    ]
)
LEMMA_POS = st.sampled_from(["NOUN", "VERB", "ADJ", "ADV", "PROPN", "AUX", "PRON", "NUM", "X"])
LEMMA_MORPH = st.sampled_from(
    [
        "",
        "Number=Plur",
        "Number=Sing",
        "Tense=Past|VerbForm=Fin",
        "Tense=Past|VerbForm=Part",
        "VerbForm=Ger",
        "Aspect=Prog|Tense=Pres|VerbForm=Part",
        "Degree=Cmp",
        "Degree=Sup",
        "Degree=Pos",
        "VerbForm=Inf",
    ]
)


@settings(max_examples=200, deadline=None)
@given(LEMMA_WORDS, LEMMA_POS, LEMMA_MORPH)
def test_lemma_index_as_sets_gives_spacys_forms(stock: Language, word: str, pos: str, morph: str) -> None:
    lemmatizer = stock.get_pipe("lemmatizer")
    shipped = lemmatizer.lookups
    token = Doc(stock.vocab, words=[word], pos=[pos], morphs=[morph])[0]
    lemmatizer.cache.clear()
    want = lemmatizer.rule_lemmatize(token)
    lemmatizer.cache.clear()
    try:
        lemmatizer.lookups = indexed(shipped)
        got = lemmatizer.rule_lemmatize(token)
    finally:
        lemmatizer.lookups = shipped
    assert got == want


def test_the_lemmatizer_keeps_the_shipped_tables(nlp: Language) -> None:
    """The sets are only lent to spaCy's rules while new tokens are lemmatised: the model still saves as shipped."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    shipped = lemmatizer.lookups
    assert [t.lemma_ for t in nlp("The wolves were seizing the bridges.")][1:5] == ["wolf", "be", "seize", "the"]
    assert lemmatizer.lookups is shipped
    assert isinstance(shipped.get_table("lemma_index").get("noun"), list)
    assert lemmatizer.to_bytes()

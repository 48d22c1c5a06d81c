"""``kg.nlp.tokens``: a ``Tok`` answers every attribute it caches as spaCy's own ``Token`` does.

The extraction passes read only ``Tok`` objects, so a column read wrongly (a string hash, a flag, a head offset, an
edge) would change what they find without any error. Each test compares with spaCy itself on the same ``Doc``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.nlp.tokens import Tok, _edges, doc_text, sentences, tokens

ROOT = Path(__file__).resolve().parent.parent
BLANK = spacy.blank("en")

#: Every attribute of spaCy's ``Token`` the passes read, cached or not.
ATTRS = (
    "i", "idx", "text", "text_with_ws", "whitespace_", "lower_", "lemma_", "tag_", "pos_", "dep_", "ent_type_",
    "ent_iob_", "is_alpha", "is_lower", "is_upper", "is_title", "is_punct", "is_space", "like_num",
)  # fmt: skip
#: Attributes that give tokens, and those that give sequences of tokens.
LINKS = ("head", "left_edge", "right_edge")
WALKS = ("children", "lefts", "rights", "subtree", "ancestors", "conjuncts")

#: Sentences written for these tests: a relative clause, coordination, an apposition, numbers, a headline,
#: blank lines and double spaces (whitespace tokens), non-ASCII and a named entity or two.
WRITTEN = [
    "Militias from Tarija, which had crossed the river, besieged and took Yacuiba and the port.\n\n"
    "On 3 May 2019 the 4th Brigade, with the 9th Battalion, stormed the town of Villamontes  again.",
    "ORURO HOLDS\n\nRebels seize Potosí  as 1,200 troops withdraw; about thirty of them defected, officials said.",
    "The army, said to be loyal to the council, is guarding the bridge at Camiri -- and the road south.",
]


def _texts() -> list[str]:
    texts = list(WRITTEN)
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    train = ROOT.parent / "shared" / "corpus" / "train"
    texts += [p.read_text(encoding="utf-8") for p in sorted(train.glob("*.txt"))]
    return texts


def _same(tok: Token, want: Token) -> list[str]:
    """What ``tok`` (a ``Tok``) answers differently from spaCy's ``want``."""
    values = [(a, getattr(tok, a), getattr(want, a)) for a in ATTRS]
    out = [a for a, got, spacys in values if got != spacys or type(got) is not type(spacys)]
    out += [a for a in LINKS if getattr(tok, a).i != getattr(want, a).i or type(getattr(tok, a)) is not Tok]
    out += [a for a in WALKS if [t.i for t in getattr(tok, a)] != [t.i for t in getattr(want, a)]]
    return out


def test_every_cached_attribute_is_spacys(nlp: Language) -> None:
    texts = _texts()
    assert len(texts) >= 4
    for doc in nlp.pipe(texts):
        toks = tokens(doc)
        assert len(toks) == len(doc)
        for tok, want in zip(toks, doc, strict=True):
            assert _same(tok, want) == [], f"{want.text!r} at {want.i} in {doc.text[:60]!r}"
            assert tok == want and hash(tok) == hash(want)  # accepted wherever spaCy's token is
        assert doc_text(doc) == doc.text
        assert [(s.start, s.end, s.text, s.root.i) for s in sentences(doc, toks, doc.text)] == [
            (s.start, s.end, s.text, s.root.i) for s in doc.sents
        ]


def test_a_doc_of_another_vocabulary_reads_its_own_strings(nlp: Language) -> None:
    """The string cache is shared by every document: a word first seen in another vocabulary is read right."""
    tokens(nlp("Troops entered Uyuni."))
    blank = BLANK
    doc = blank("Zxqvw patrols entered Uyuni and Qxzvy.")
    assert [t.text for t in tokens(doc)] == [t.text for t in doc]
    assert [t.lower_ for t in tokens(doc)] == [t.lower_ for t in doc]
    assert tokens(blank("")) == []
    assert doc_text(blank("")) == "" and doc_text(blank(" \n\tx  y ")) == " \n\tx  y "


@st.composite
def trees(draw: st.DrawFn) -> list[int]:
    """Heads of a random forest over up to 30 tokens: projective or not, one sentence or several."""
    n = draw(st.integers(1, 30))
    order = draw(st.permutations(range(n)))
    heads = list(range(n))
    for k, node in enumerate(order):
        if k and draw(st.integers(0, 9)):  # most nodes hang on an earlier node of the order; a few are roots
            heads[node] = order[draw(st.integers(0, k - 1))]
    return heads


@settings(max_examples=300, deadline=None)
@given(trees())
def test_edges_are_spacys_for_any_tree(heads: list[int]) -> None:
    """spaCy's edges of a non-projective parse are not always its subtree's ends: they are what its repeated
    sweeps leave, and ``_edges`` must leave the same."""
    n = len(heads)
    doc = Doc(BLANK.vocab, words=[f"w{i}" for i in range(n)], heads=heads, deps=["dep"] * n)
    left, right = _edges(heads)
    assert left == [t.left_edge.i for t in doc]
    assert right == [t.right_edge.i for t in doc]


def test_edges_of_a_crossing_parse() -> None:
    """A parse whose arcs cross, where spaCy sweeps more than once and stops before the edges are the subtrees'
    ends (token 3's subtree reaches token 8; its right edge stays at 7)."""
    heads = [7, 4, 6, 3, 6, 7, 3, 4, 0]
    doc = Doc(BLANK.vocab, words=[f"w{i}" for i in range(len(heads))], heads=heads, deps=["dep"] * len(heads))
    left, right = _edges(heads)
    assert (left, right) == ([t.left_edge.i for t in doc], [t.right_edge.i for t in doc])
    assert right[3] == 7 and max(t.i for t in doc[3].subtree) == 8


@pytest.mark.parametrize("text", WRITTEN)
def test_a_tok_reads_as_spacys_token(nlp: Language, text: str) -> None:
    doc = nlp(text)
    for tok, want in zip(tokens(doc), doc, strict=True):
        assert _same(tok, want) == []

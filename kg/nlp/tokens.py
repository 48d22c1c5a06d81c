"""spaCy tokens with their attributes read once.

Every attribute of a spaCy :class:`~spacy.tokens.Token` is computed on access (``tok.text`` looks the string up
again, ``tok.head`` makes a new ``Token``), about ten times the cost of reading a Python attribute; the
extraction passes read each token's attributes hundreds of times. :func:`tokens` gives one :class:`Tok` per
token of a ``Doc`` -- a real ``Token`` (equal to and hashed like spaCy's own, accepted wherever one is) whose
attributes were read once into the instance, and whose ``head``, ``children``, ``subtree``... are the same
``Tok`` objects. Only the attributes the passes read most are cached; any other (``sent``, ``doc``, ``nbor()``,
``is_punct``...) is spaCy's, read from the same token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

import numpy as np
from spacy.attrs import (
    DEP,
    ENT_TYPE,
    HEAD,
    IDX,
    IS_ALPHA,
    IS_LOWER,
    IS_UPPER,
    LEMMA,
    LIKE_NUM,
    LOWER,
    ORTH,
    POS,
    SPACY,
    TAG,
)  # fmt: skip
from spacy.strings import StringStore
from spacy.tokens import Doc, Token


class Tok(Token):
    """A token whose attributes are plain instance values (see the module docstring)."""

    # Plain class attributes shadow Token's computed properties, so the instance's own values are read.
    # (Attributes the passes seldom read -- is_punct, is_space, is_title, whitespace_, ent_iob_ -- stay spaCy's
    # own: they cost less to read from the C token now and then than to copy for every token.)
    i = idx = 0
    text = text_with_ws = lower_ = lemma_ = tag_ = pos_ = dep_ = ent_type_ = ""
    is_alpha = is_lower = is_upper = like_num = False
    head: Tok = None  # type: ignore[assignment]
    _all: list[Tok]  # every token of the Doc (instance values only)
    _kids: list[int]  # the children's indices
    left_edge: Tok = None  # type: ignore[assignment]
    right_edge: Tok = None  # type: ignore[assignment]

    @property
    def children(self) -> Iterator[Tok]:
        all_, kids = self.__dict__["_all"], self.__dict__["_kids"]
        return (all_[k] for k in kids)

    @property
    def lefts(self) -> Iterator[Tok]:
        all_, i = self.__dict__["_all"], self.i
        return (all_[k] for k in self.__dict__["_kids"] if k < i)

    @property
    def rights(self) -> Iterator[Tok]:
        all_, i = self.__dict__["_all"], self.i
        return (all_[k] for k in self.__dict__["_kids"] if k > i)

    @property
    def subtree(self) -> Iterator[Tok]:
        for word in self.lefts:  # as spaCy walks it: a non-projective parse leaves gaps between the edges
            yield from word.subtree
        yield self
        for word in self.rights:
            yield from word.subtree

    @property
    def ancestors(self) -> Iterator[Tok]:
        node = self
        while node.head is not node:
            node = node.head
            yield node

    @property
    def conjuncts(self) -> tuple[Token]:  # spaCy types it so; it holds Toks
        start = self
        while start.head is not start and start.dep_ == "conj":
            start = start.head
        all_ = self._all
        out = [start.i]
        for w in out:  # breadth first over right-hand conjuncts, as spaCy orders them (by index: no generators)
            out += [k for k in all_[w]._kids if k > w and all_[k].dep_ == "conj"]
        return tuple(all_[w] for w in out if w != self.i)  # type: ignore[return-value]

    def is_ancestor(self, descendant: Token) -> bool:
        return self.left_edge.i <= descendant.i <= self.right_edge.i and descendant.i != self.i


#: The columns :func:`tokens` reads, in this order (it slices them by position).
_STRINGS = (ORTH, LOWER, LEMMA, TAG, POS, DEP, ENT_TYPE)
_FLAGS = (IS_ALPHA, IS_LOWER, IS_UPPER, LIKE_NUM)
_COLUMNS = [*_STRINGS, *_FLAGS, HEAD, IDX, SPACY]


class _Names(dict[int, str]):
    """String hash -> string, shared by every document: looked up in a ``StringStore`` once per string. (A hash
    names the same string in every store, and a store keeps every string it has seen, as this does.)"""

    strings: StringStore

    def __missing__(self, key: int) -> str:
        name = self[key] = self.strings[key]
        return name


_NAMES = _Names()


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined from two columns (spaCy's ``Doc.text`` makes a ``Token`` per token to join them)."""
    _NAMES.strings = doc.vocab.strings
    names = _NAMES
    return "".join([names[o] + " " if s else names[o] for o, s in doc.to_array([ORTH, SPACY]).tolist()])


def tokens(doc: Doc) -> list[Tok]:
    """One :class:`Tok` per token of ``doc``, linked to each other (read in one pass over ``Doc.to_array``)."""
    n = len(doc)
    vocab = doc.vocab
    toks = [Tok(vocab, doc, i) for i in range(n)]
    if not n:
        return toks
    # Column by column, not token by token: each column is one list comprehension over plain ints.
    cols = doc.to_array(_COLUMNS)  # uint64; HEAD is a signed offset
    _NAMES.strings = vocab.strings
    get = _NAMES.__getitem__
    text, lower, lemma, tag, pos, dep, ent = (list(map(get, col)) for col in cols[:, :7].T.tolist())
    flags = cols[:, 7:11].astype(bool).T.tolist()
    heads = (cols[:, 11].view(np.int64) + np.arange(n)).tolist()
    idx, spacy = cols[:, 12:].T.tolist()
    kids: list[list[int]] = [[] for _ in toks]
    for i, h in enumerate(heads):
        if h != i:
            kids[h].append(i)
    left, right = _edges(heads)
    # A fresh dict per token, assigned whole (cheaper than updating the empty one the instance starts with); at
    # most 21 keys, so it stays a small object for Python's allocator (a larger one costs a third more to make).
    for i, t, tx, sp, lo, le, tg, ps, dp, et, al, lw, up, ln, ix, h, le_, ri_ in zip(
        range(n), toks, text, spacy, lower, lemma, tag, pos, dep, ent, *flags, idx, heads, left, right, strict=True
    ):
        t.__dict__ = {
            "i": i,
            "idx": ix,
            "text": tx,
            "text_with_ws": tx + " " if sp else tx,
            "lower_": lo,
            "lemma_": le,
            "tag_": tg,
            "pos_": ps,
            "dep_": dp,
            "ent_type_": et,
            "is_alpha": al,
            "is_lower": lw,
            "is_upper": up,
            "like_num": ln,
            "head": toks[h],
            "left_edge": toks[le_],
            "right_edge": toks[ri_],
            "_all": toks,
            "_kids": kids[i],
        }
    return toks


def _edges(heads: list[int]) -> tuple[list[int], list[int]]:
    """Each token's left and right edge as spaCy sets them (``set_children_from_heads`` in ``doc.pyx``), from
    the heads alone: ``Token.left_edge`` makes two ``Token`` objects per call.

    spaCy's edges are not always the subtree's ends in a non-projective parse: it sweeps forward and back until
    every head lies within the sentences the edges give (at most 12 sweeps), and so does this.
    """
    n = len(heads)
    left, right = list(range(n)), list(range(n))
    order = list(enumerate(heads))
    back = order[::-1]
    for _ in range(12):
        for i, h in order:
            if left[i] < left[h]:
                left[h] = left[i]
            if right[i] > right[h]:
                right[h] = right[i]
        for i, h in back:
            if right[i] > right[h]:
                right[h] = right[i]
            if left[i] < left[h]:
                left[h] = left[i]
        if _heads_within_sentences(heads, {left[i] for i, h in order if h == i}):
            break
    return left, right


def _heads_within_sentences(heads: list[int], starts: set[int]) -> bool:
    """spaCy's ``_set_lr_kids_and_edges`` test: every head lies in its token's sentence (``starts`` are the roots'
    left edges; as there, a sentence's last token is checked with the next sentence)."""
    n = len(heads)
    first = 0
    for i in range(n):
        if (i > 0 and i in starts) or i == n - 1:
            for j in range(first, i):
                if not first <= heads[j] <= i:
                    return False
            first = i
    return True


class Sent:
    """A sentence over :class:`Tok` tokens: what the passes read of spaCy's sentence ``Span`` (``start``, ``end``,
    ``start_char``, ``end_char``, ``text``, ``root``, iteration and indexing), without making spaCy tokens."""

    __slots__ = ("_toks", "end", "end_char", "start", "start_char", "text")

    def __init__(self, toks: list[Tok], start: int, end: int, text: str) -> None:
        self._toks = toks
        self.start, self.end = start, end
        self.start_char = toks[start].idx
        self.end_char = toks[end - 1].idx + len(toks[end - 1].text)
        self.text = text[self.start_char : self.end_char]

    def __iter__(self) -> Iterator[Tok]:
        return iter(self._toks[self.start : self.end])

    def __len__(self) -> int:
        return self.end - self.start

    @overload
    def __getitem__(self, i: int) -> Tok: ...
    @overload
    def __getitem__(self, i: slice) -> list[Tok]: ...
    def __getitem__(self, i: int | slice) -> Tok | list[Tok]:
        return self._toks[self.start : self.end][i]

    @property
    def root(self) -> Tok:
        for t in self:
            if t.head is t or not self.start <= t.head.i < self.end:
                return t
        return self._toks[self.start]


def sentences(doc: Doc, toks: list[Tok], text: str) -> list[Sent]:
    """The sentences of ``doc`` as :class:`Sent` objects over ``toks``."""
    return [Sent(toks, s.start, s.end, text) for s in doc.sents]

"""spaCy tokens with their attributes read once.

Every attribute of a spaCy :class:`~spacy.tokens.Token` is computed on access (``tok.text`` looks the string up
again, ``tok.head`` makes a new ``Token``), about ten times the cost of reading a Python attribute; the
extraction passes read each token's attributes hundreds of times. :func:`tokens` gives one :class:`Tok` per
token of a ``Doc`` -- a real ``Token`` (equal to and hashed like spaCy's own, accepted wherever one is) whose
attributes were read once into the instance, and whose ``head``, ``children``, ``subtree``... are the same
``Tok`` objects. Only these attributes are cached; any other (``sent``, ``doc``, ``nbor()``) is spaCy's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from spacy.attrs import (
    DEP,
    ENT_IOB,
    ENT_TYPE,
    HEAD,
    IDX,
    IS_ALPHA,
    IS_LOWER,
    IS_PUNCT,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LIKE_NUM,
    LOWER,
    ORTH,
    POS,
    SPACY,
    TAG,
)  # fmt: skip
from spacy.tokens import Doc, Token


class Tok(Token):
    """A token whose attributes are plain instance values (see the module docstring)."""

    # Plain class attributes shadow Token's computed properties, so the instance's own values are read.
    i = idx = 0
    text = text_with_ws = whitespace_ = lower_ = lemma_ = tag_ = pos_ = dep_ = ent_type_ = ent_iob_ = ""
    is_alpha = is_lower = is_upper = is_title = is_punct = is_space = like_num = False
    head: Tok = None  # type: ignore[assignment]
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
        out = [start]
        for word in out:  # breadth first over right-hand conjuncts, as spaCy orders them
            out.extend(c for c in word.rights if c.dep_ == "conj")
        return tuple(w for w in out if w is not self)  # type: ignore[return-value]

    def is_ancestor(self, descendant: Token) -> bool:
        return self.left_edge.i <= descendant.i <= self.right_edge.i and descendant.i != self.i


#: The columns :func:`tokens` reads, in this order (it indexes them by position).
_STRINGS = (ORTH, LOWER, LEMMA, TAG, POS, DEP, ENT_TYPE)
_FLAGS = (IS_ALPHA, IS_LOWER, IS_UPPER, IS_TITLE, IS_PUNCT, IS_SPACE, LIKE_NUM)
_IOB = ("", "I", "O", "B")


def tokens(doc: Doc) -> list[Tok]:
    """One :class:`Tok` per token of ``doc``, linked to each other (read in one pass over ``Doc.to_array``)."""
    n = len(doc)
    vocab = doc.vocab
    toks = [Tok(vocab, doc, i) for i in range(n)]
    if not n:
        return toks
    strings = vocab.strings
    cache: dict[int, str] = {}
    # uint64 columns; HEAD is a signed offset, so read them as int64 (and turn string hashes back to unsigned)
    cols = doc.to_array([*_STRINGS, *_FLAGS, HEAD, IDX, SPACY, ENT_IOB]).astype("int64").tolist()
    for row in cols:
        for h in row[:7]:
            if h not in cache:
                cache[h] = strings[h if h >= 0 else h + (1 << 64)]
    heads = [i + row[14] for i, row in enumerate(cols)]
    kids: list[list[int]] = [[] for _ in toks]
    for i, h in enumerate(heads):
        if h != i:
            kids[h].append(i)
    edges = [(b.left_edge.i, b.right_edge.i) for b in doc]
    for i, (t, row) in enumerate(zip(toks, cols, strict=True)):
        text, ws = cache[row[0]], " " if row[16] else ""
        t.__dict__.update(
            {
                "i": i,
                "idx": row[15],
                "text": text,
                "text_with_ws": text + ws,
                "whitespace_": ws,
                "lower_": cache[row[1]],
                "lemma_": cache[row[2]],
                "tag_": cache[row[3]],
                "pos_": cache[row[4]],
                "dep_": cache[row[5]],
                "ent_type_": cache[row[6]],
                "is_alpha": row[7] != 0,
                "is_lower": row[8] != 0,
                "is_upper": row[9] != 0,
                "is_title": row[10] != 0,
                "is_punct": row[11] != 0,
                "is_space": row[12] != 0,
                "like_num": row[13] != 0,
                "ent_iob_": _IOB[row[17]],
                "head": toks[heads[i]],
                "left_edge": toks[edges[i][0]],
                "right_edge": toks[edges[i][1]],
                "_all": toks,
                "_kids": kids[i],
            }
        )
    return toks


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

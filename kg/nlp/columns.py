"""spaCy's attribute ruler and rule lemmatizer, run over token columns: same tables, same results, less Python.

In ``en_core_web_sm`` the two rule components cost about a third of the parse: the ruler's matcher runs a Python
predicate per token for each of its ~180 patterns and then makes a ``Span`` and a ``Token`` per match (nearly every
token) to set its attributes, and the lemmatizer makes a ``Token`` and sets ``lemma_`` for every token. Both answers
are functions of a few token attributes, so they are looked up once per distinct combination and written back by
column. :func:`speed_up` swaps the components' classes only when every pattern uses the keys, operators and
attributes handled here; otherwise the model runs as shipped. ``tests/test_columns.py`` holds the results equal to
the stock components' token by token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, cast

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.lookups import Lookups, Table
from spacy.pipeline import AttributeRuler
from spacy.pipeline.lemmatizer import Lemmatizer
from spacy.tokens import Doc

#: A token as the ruler's patterns see it: LOWER, TAG and DEP strings and IS_SPACE.
Key = tuple[str, str, str, bool]
Test = Callable[[Key], bool]
Match = tuple[int, int, int, int]

_FIELDS = {"LOWER": 0, "TAG": 1, "DEP": 2, "IS_SPACE": 3}


class Unsupported(ValueError):
    """A pattern uses a key or operator this module does not read: the stock component stays."""


def _value_test(field: int, value: Any) -> Test:
    if isinstance(value, dict):
        if len(value) != 1:
            raise Unsupported(f"several operators in one attribute: {value!r}")
        ((op, arg),) = value.items()
        if op == "IN" and isinstance(arg, list):
            members = frozenset(arg)
            return lambda k: k[field] in members
        if op == "NOT_IN" and isinstance(arg, list):
            members = frozenset(arg)
            return lambda k: k[field] not in members
        if op == "REGEX" and isinstance(arg, str) and field != 3:
            search = re.compile(arg).search
            return lambda k: search(cast(str, k[field])) is not None  # as the matcher's regex predicate: search()
        raise Unsupported(f"operator {op!r}")
    if field == 3 and isinstance(value, bool):
        return lambda k: k[3] is value
    if field != 3 and isinstance(value, str):
        return lambda k: k[field] == value
    raise Unsupported(f"value {value!r}")


def _token_test(spec: dict[str, Any]) -> Test:
    tests = []
    for name, value in spec.items():
        if name not in _FIELDS:
            raise Unsupported(f"pattern key {name!r}")
        tests.append(_value_test(_FIELDS[name], value))
    return lambda k: all(t(k) for t in tests)


class ColumnMatcher:
    """The ruler's matches, as ``AttributeRuler.match`` returns them, from one lookup per distinct token."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.strings = ruler.vocab.strings
        self.single: list[tuple[int, int]] = []  # (key number, match id) of each one-token pattern
        self.longer: list[tuple[int, int, tuple[Test, ...]]] = []  # (key number, match id, tests)
        # a new token is tested only against the patterns that can match it: those that name its LOWER or TAG,
        # and the few that name neither (the cold path matters: every new word of a text is a new token).
        # An entry is (longer?, index in self.single or self.longer, test of the pattern's first token).
        self.by_lower: dict[str, list[tuple[bool, int, Test]]] = {}
        self.by_tag: dict[str, list[tuple[bool, int, Test]]] = {}
        self.anywhere: list[tuple[bool, int, Test]] = []
        for number in range(len(ruler.attrs)):
            key = str(number)
            match_id = self.strings[key]
            for pattern in ruler.matcher.get(key)[1]:
                if not pattern:
                    raise Unsupported("an empty pattern")
                tests = tuple(_token_test(spec) for spec in pattern)
                if len(tests) == 1:
                    entry = (False, len(self.single), tests[0])
                    self.single.append((number, match_id))
                else:
                    entry = (True, len(self.longer), tests[0])
                    self.longer.append((number, match_id, tests))
                first = pattern[0]
                if isinstance(first.get("LOWER"), str):
                    self.by_lower.setdefault(first["LOWER"], []).append(entry)
                elif isinstance(first.get("TAG"), str):
                    self.by_tag.setdefault(first["TAG"], []).append(entry)
                else:
                    self.anywhere.append(entry)
        #: per distinct (LOWER, TAG, DEP, IS_SPACE) hashes: its one-token matches, and the longer patterns it starts
        self.hits: dict[tuple[int, ...], tuple[tuple[tuple[int, int], ...], tuple[int, ...]]] = {}
        self.text: dict[int, str] = {0: ""}

    def _key(self, row: tuple[int, ...]) -> Key:
        text = self.text
        out = []
        for h in row[:3]:
            s = text.get(h)
            if s is None:
                s = text[h] = self.strings[h]
            out.append(s)
        return out[0], out[1], out[2], bool(row[3])

    def _hits(self, row: tuple[int, ...]) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
        key = self._key(row)
        entries = self.by_lower.get(key[0], []) + self.by_tag.get(key[1], []) + self.anywhere
        passed = sorted((longer, index) for longer, index, test in entries if test(key))
        single = tuple(self.single[i] for longer, i in passed if not longer)
        starts = tuple(i for longer, i in passed if longer)
        got = self.hits[row] = (single, starts)
        return got

    def __call__(self, doc: Doc) -> list[Match]:
        rows = list(map(tuple, doc.to_array([LOWER, TAG, DEP, IS_SPACE]).tolist()))
        found: list[Match] = []
        hits = self.hits
        starts: list[tuple[int, int]] = []
        for i, row in enumerate(rows):
            got = hits.get(row) or self._hits(row)
            for number, match_id in got[0]:
                found.append((number, match_id, i, i + 1))
            for p in got[1]:
                starts.append((p, i))
        for p, i in starts:
            number, match_id, tests = self.longer[p]
            end = i + len(tests)
            if end <= len(rows) and all(test(self._key(rows[i + j])) for j, test in enumerate(tests) if j):
                found.append((number, match_id, i, end))
        found.sort()
        return found


#: Token attributes the ruler may set for :meth:`ColumnRuler.set_annotations` to write them by column: spaCy sets
#: them on the token only (a lexical one, such as NORM or a flag, it sets on the vocabulary's lexeme too).
_TOKEN_ATTRS = frozenset({LEMMA, POS, TAG, DEP, MORPH})


class ColumnRuler(AttributeRuler):
    """The model's attribute ruler with :class:`ColumnMatcher` finding its matches, and their values written back
    by column (spaCy makes a ``Span`` and a ``Token`` per match and sets the attributes one by one)."""

    column_matcher: ColumnMatcher

    def match(self, doc: Doc) -> list[Match]:
        return self.column_matcher(doc)

    def set_annotations(self, doc: Doc, matches: list[Match]) -> None:
        if not matches:
            return
        # as spaCy's loop: matches in order, a later one overwriting what an earlier one set on the same token
        writes: dict[int, dict[int, int]] = {}
        indices, attrs = self.indices, self.attrs
        for number, _match_id, start, end in matches:
            index = indices[number]
            at = index if index >= 0 else index + end - start
            if not 0 <= at < end - start:
                super().set_annotations(doc, matches)  # type: ignore[no-untyped-call]  # spaCy's own error
                return
            for attr, value in attrs[number].items():
                writes.setdefault(attr, {})[start + at] = value
        names: list[int | str] = sorted(writes)
        cols = doc.to_array(names)
        for col, attr in enumerate(sorted(writes)):
            rows = writes[attr]
            cols[list(rows), col] = list(rows.values())
        doc.from_array(names, cast(Any, cols))


class ColumnLemmatizer(Lemmatizer):
    """The model's rule lemmatizer answering from its own cache by column, calling it only for new tokens.

    A new token is lemmatised by spaCy's own rules over :func:`indexed` lookups: its lemma index per part of speech
    is a list (57k nouns), and each candidate form is looked up in it (``form in index``), about 90 µs a token.
    """

    lemma_ids: dict[tuple[int, int, int], int]
    #: (the model's lookups, the same with the lemma index as sets), made on the first new token
    indexed_lookups: tuple[Lookups, Lookups] | None

    def __call__(self, doc: Doc) -> Doc:
        if not self._validated:
            return super().__call__(doc)
        cols = doc.to_array([ORTH, POS, MORPH, LEMMA])
        todo = np.flatnonzero(cols[:, 3] == 0) if not self.overwrite else np.arange(len(doc))
        if not len(todo):
            return doc
        ids = self.lemma_ids
        add = self.vocab.strings.add
        lemmas = cols[:, 3].copy()
        shipped = self.lookups
        try:
            for i, orth, pos, morph in zip(todo.tolist(), *cols[todo, :3].T.tolist(), strict=True):
                key = (orth, pos, morph)
                lemma = ids.get(key)
                if lemma is None:
                    if self.lookups is shipped:
                        self.lookups = self._indexed(shipped)
                    lemma = ids[key] = add(self.lemmatize(doc[i])[0])
                lemmas[i] = lemma
        finally:
            self.lookups = shipped  # what the model saves or reloads stays the shipped tables
        doc.from_array([LEMMA], cast(Any, lemmas.reshape(-1, 1)))
        return doc

    def _indexed(self, shipped: Lookups) -> Lookups:
        pair = getattr(self, "indexed_lookups", None)
        if pair is None or pair[0] is not shipped:
            pair = self.indexed_lookups = (shipped, indexed(shipped))
        return pair[1]


def indexed(lookups: Lookups) -> Lookups:
    """``lookups`` with each part of speech's ``lemma_index`` word list as a frozenset; other tables shared.

    spaCy's rule lemmatizer only tests the index for truth and membership, which a set answers the same.
    """
    out = Lookups()
    for name in lookups.tables:
        table = lookups.get_table(name)
        if name == "lemma_index":
            table = Table(name, {key: frozenset(words) for key, words in table.items()})
        out.set_table(name, table)
    return out


def speed_up(nlp: Language, names: Iterable[str] = ("attribute_ruler", "lemmatizer")) -> list[str]:
    """Give the model's attribute ruler and rule lemmatizer their column-wise classes; returns the names changed.

    A component of another class or mode, or a ruler pattern this module cannot read, is left as shipped.
    """
    changed = []
    for name in names:
        if name not in nlp.pipe_names:
            continue
        pipe = nlp.get_pipe(name)
        if type(pipe) is AttributeRuler:
            try:
                matcher = ColumnMatcher(pipe)
            except Unsupported:
                continue
            if any(set(attrs) - _TOKEN_ATTRS for attrs in pipe.attrs):
                continue  # an attribute that is not the token's alone: spaCy's loop sets it
            pipe.__class__ = ColumnRuler
            cast(ColumnRuler, pipe).column_matcher = matcher
            changed.append(name)
        elif isinstance(pipe, Lemmatizer) and not isinstance(pipe, ColumnLemmatizer) and pipe.mode == "rule":
            pipe.__class__ = type(f"Column{type(pipe).__name__}", (ColumnLemmatizer, type(pipe)), {})
            cast(ColumnLemmatizer, pipe).lemma_ids = {}
            cast(ColumnLemmatizer, pipe).indexed_lookups = None
            changed.append(name)
    return changed

"""Long texts in pieces, and the text the NLP sees, with offsets that stay true to the file.

Two things stand between a file's text and spaCy:

- **Pieces.** spaCy refuses texts over ``nlp.max_length`` (a million characters), its memory grows with the
  text, and entity resolution compares mentions with one another, so one long text costs more than the same
  text in parts. A text longer than :data:`PIECE_CHARS` is cut into pieces at paragraph breaks (a paragraph
  that is itself too long at sentence ends, then at spaces, then anywhere), each parsed and extracted on its
  own; :func:`merge` joins the pieces' extractions in a fixed way, so build time and memory grow linearly
  with the text. News articles are shorter than a piece and are read whole.
- **Normalisation.** The NLP reads each piece as NFC, with format characters (zero-width spaces and joiners,
  soft hyphens, byte-order marks, direction marks: Unicode category Cf) removed and line ends made ``\\n``,
  so a name written with an invisible character is the same entity as the name without it. Every offset the
  NLP gives is mapped back to the file's own text (:class:`Piece`), so ``kg:charStart``/``kg:charEnd`` cut
  the evidence out of the file as it is, CRLF line ends and all.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kg.model import Document, Entity, Evidence, Extraction, Link, Mention, Relation
from kg.rdf.namespace import AGENT_TYPES, PLACE_TYPES

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: Longest text read whole; longer ones are cut into pieces of at most this many characters.
PIECE_CHARS = 20_000

#: Unicode format characters (category Cf, Unicode 14/15), removed from the text the NLP reads.
#: ``tests/test_inputs.py`` checks this class against ``unicodedata`` of the running Python.
FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_FORMAT = re.compile(f"[{FORMAT_CHARS}]")
#: What the fast path cannot copy as it is: line ends with CR, and any non-ASCII run (with the character
#: before it, which a combining mark may compose with).
_SPECIAL = re.compile(r"\r\n?|[^\x00-\x7f]+")
_PARAGRAPH_BREAK = re.compile(r"\r?\n(?:[ \t\f\v]*\r?\n)+")
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u2019\u201d)\]]*\s")
_SPACE = re.compile(r"\s")


# ---------------------------------------------------------------------------------------------- normalising


@dataclass(frozen=True)
class Piece:
    """One piece of a document: ``file_text[start:end]``, and ``text``, what the NLP reads of it.

    ``starts[i]``/``ends[i]`` are where the file characters that became ``text[i]`` start and end, relative
    to ``start``; ``None`` when ``text`` is the file's characters as they are.
    """

    start: int
    end: int
    text: str
    starts: array[int] | None = None
    ends: array[int] | None = None

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        """The file offsets of the NLP's span ``text[start:end]``."""
        if self.starts is None or self.ends is None:
            return self.start + start, self.start + end
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else self.end - self.start
            return self.start + at, self.start + at
        return self.start + self.starts[start], self.start + self.ends[end - 1]


def normalise(text: str) -> tuple[str, array[int] | None, array[int] | None]:
    """``text`` as the NLP reads it (NFC, no format characters, ``\\n`` line ends) and its offset maps.

    The maps give, for each character of the result, where its source characters start and end in ``text``;
    both are ``None`` when nothing changed (the common case, checked without copying).

    >>> normalise("Ka\\u200bbul\\r\\nnow")[0]
    'Kabul\\nnow'
    >>> clean, starts, ends = normalise("Cafe\\u0301 X")
    >>> clean, starts[3], ends[3]
    ('Café X', 3, 5)
    >>> normalise("plain text")[1] is None
    True
    """
    if "\r" not in text and (text.isascii() or (not _FORMAT.search(text) and unicodedata.is_normalized("NFC", text))):
        return text, None, None
    out: list[str] = []
    starts: array[int] = array("q")
    ends: array[int] = array("q")
    pos = 0

    def copy(a: int, b: int) -> None:
        if b > a:
            out.append(text[a:b])
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))

    for m in _SPECIAL.finditer(text):
        a, b = m.span()
        if text[a] == "\r":
            copy(pos, a)
            out.append("\n")
            starts.append(a)
            ends.append(b)
            pos = b
            continue
        if a > pos and not text[a - 1].isspace():
            a -= 1  # the base character a combining mark may compose with
        copy(pos, a)
        _word(text, a, b, out, starts, ends)
        pos = b
    copy(pos, len(text))
    return "".join(out), starts, ends


def _word(text: str, a: int, b: int, out: list[str], starts: array[int], ends: array[int]) -> None:
    """NFC of ``text[a:b]`` without format characters, mapped cluster by cluster (base + combining marks)."""
    kept = [(i, c) for i, c in enumerate(text[a:b], a) if not _FORMAT.match(c)]
    clusters: list[list[tuple[int, str]]] = []
    for i, c in kept:
        if clusters and (unicodedata.combining(c) or "\u1160" <= c <= "\u11ff"):
            clusters[-1].append((i, c))
        else:
            clusters.append([(i, c)])
    pieces = [unicodedata.normalize("NFC", "".join(c for _, c in cl)) for cl in clusters]
    whole = unicodedata.normalize("NFC", "".join(c for _, c in kept))
    if "".join(pieces) != whole:  # a composition across clusters (rare scripts): map the run as one
        clusters, pieces = [kept], [whole]
    for cl, norm in zip(clusters, pieces, strict=True):
        if not cl:
            continue
        if len(norm) == len(cl):
            for (i, _), ch in zip(cl, norm, strict=True):
                out.append(ch)
                starts.append(i)
                ends.append(i + 1)
        else:
            for ch in norm:
                out.append(ch)
                starts.append(cl[0][0])
                ends.append(cl[-1][0] + 1)


# ---------------------------------------------------------------------------------------------- splitting


def _cut(text: str, start: int, limit: int) -> int:
    """Where the piece starting at ``start`` ends: after the last blank line within ``limit`` characters, else
    after the last sentence end, else after the last space, else at ``limit`` (a single enormous word)."""
    end = start + limit
    for pattern in (_PARAGRAPH_BREAK, _SENTENCE_END, _SPACE):
        last = None
        for last in pattern.finditer(text, start, end):  # noqa: B007 - the last match is wanted
            pass
        if last is not None and last.end() > start:
            return last.end()
    return end


def spans(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """Where to cut ``text`` into pieces of at most ``limit`` characters: at paragraph breaks when there are,
    else at sentence ends, else at spaces. One pass, each window searched once: linear in the text.

    >>> spans("a" * 5 + "\\n\\n" + "b" * 5, limit=8)
    [(0, 7), (7, 12)]
    >>> spans("One. Two. Three.", limit=10)
    [(0, 10), (10, 16)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start, limit)
        if text[end - 1] == "\r" and text[end : end + 1] == "\n":
            end += 1  # a CRLF stays whole
        out.append((start, end))
        start = end
    out.append((start, len(text)))
    return out


def pieces(text: str, limit: int = PIECE_CHARS) -> list[Piece]:
    """The pieces of a document's text, each with what the NLP reads of it (an empty text is one empty piece)."""
    out = []
    for a, b in spans(text, limit):
        clean, starts, ends = normalise(text[a:b])
        out.append(Piece(a, b, clean, starts, ends))
    return out


# ---------------------------------------------------------------------------------------------- merging


def to_file(ext: Extraction, piece: Piece, document: Document, sentence_offset: int) -> Extraction:
    """A piece's extraction with offsets and sentence numbers in the file's terms, texts cut from the file."""
    text = document.text

    def mention(m: Mention) -> Mention:
        a, b = piece.file_span(m.start, m.end)
        return Mention(a, b, text[a:b], m.sentence + sentence_offset)

    def evidence(ev: Evidence) -> Evidence:
        a, b = piece.file_span(ev.start, ev.end)
        return replace(ev, start=a, end=b, text=text[a:b], sentence=ev.sentence + sentence_offset)

    return Extraction(
        document=document,
        entities=tuple(replace(e, mentions=tuple(mention(m) for m in e.mentions)) for e in ext.entities),
        relations=tuple(replace(r, evidence=evidence(r.evidence)) for r in ext.relations),
        links=tuple(replace(lk, evidence=evidence(lk.evidence)) for lk in ext.links),
    )


def _merged_type(types: Sequence[tuple[str, int]]) -> str:
    """One type for an entity the pieces typed differently, valid for every role a piece gave it.

    A place type and an agent-only type (or a GPE) give GPE, which is both; otherwise the type with the most
    mentions, the earlier piece winning a tie.
    """
    kinds = {t for t, _ in types}
    if len(kinds) == 1:
        return types[0][0]
    if "GPE" in kinds or (kinds & set(PLACE_TYPES) and kinds & (set(AGENT_TYPES) - set(PLACE_TYPES))):
        return "GPE"
    votes: dict[str, int] = {}
    for t, n in types:
        votes[t] = votes.get(t, 0) + n
    return max(votes, key=lambda t: (votes[t], -next(i for i, (u, _) in enumerate(types) if u == t)))


def merge(document: Document, parts: Iterable[Extraction]) -> Extraction:
    """The pieces' extractions (already in file terms, in file order) as one document's extraction.

    Entities with the same key are one entity: aliases and mentions joined in order, the first GeoNames
    match kept, the type as :func:`_merged_type` says. Relations and links are kept as they are (their
    evidence offsets differ). Same pieces, same result.
    """
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    by_key: dict[str, list[Entity]] = {}
    for part in parts:
        for e in part.entities:
            by_key.setdefault(e.key, []).append(e)
    entities = []
    for key in sorted(by_key):
        group = by_key[key]
        first = group[0]
        entities.append(
            Entity(
                key=key,
                type=_merged_type([(e.type, len(e.mentions)) for e in group]),
                aliases=tuple(dict.fromkeys(a for e in group for a in e.aliases)),
                mentions=tuple(m for e in group for m in e.mentions),
                geo=next((e.geo for e in group if e.geo is not None), first.geo),
            )
        )
    relations: list[Relation] = [r for part in parts for r in part.relations]
    links: list[Link] = [lk for part in parts for lk in part.links]
    return Extraction(document=document, entities=tuple(entities), relations=tuple(relations), links=tuple(links))


class Assembler:
    """One document's extraction, put together piece by piece as spaCy parses them.

    Each parsed piece is extracted at once and only its (small) extraction is kept, so a long text never
    holds more than one batch of parsed pieces in memory.
    """

    def __init__(self, document: Document, first: Piece | None) -> None:
        from kg.nlp.timex import document_date

        date = document.date or (document_date(first.text) if first is not None else None)
        self.document = replace(document, date=date)
        self.parts: list[Extraction] = []
        self.sentences = 0

    def add(self, piece: Piece, parsed: Doc) -> None:
        """Extract one parsed piece (the spaCy ``Doc`` of ``piece.text``)."""
        from kg.nlp.extract import extract

        if not piece.text.strip():
            return
        ext = extract(parsed, replace(self.document, text=piece.text))
        self.parts.append(to_file(ext, piece, self.document, self.sentences))
        self.sentences += sum(1 for _ in parsed.sents)

    def result(self) -> Extraction:
        if not self.parts:
            return Extraction(document=self.document)
        return merge(self.document, self.parts)

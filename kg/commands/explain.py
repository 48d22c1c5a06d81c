"""``kg explain FILE``: sentence by sentence, what extraction saw and decided.

For each sentence: the mentions and the entity each resolved to, the relations found (rule, confidence,
trigger, modality, time, speaker) and the candidates the rules matched but rejected, with the reason.
Analysts audit the graph with it; developers debug rules with it. ``explain_document`` is the library
function; ``render_text`` and ``--format json`` are two views of its result.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kg.commands import add_command
from kg.errors import KGError

FORMATS = ("text", "json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub,
        "explain",
        help="show, sentence by sentence, the mentions, relations and rejected candidates of one text",
        description="Parse one text the way kg build does and print, for every sentence, the entity mentions "
        "and what they resolved to, the relations found with their rule and confidence, and the candidates "
        "that were rejected with the reason (negated or hedged claims are shown as not asserted).",
        examples=(
            "kg explain seeds/kabul-2001-11.txt",
            "kg explain article.txt --all | less",
            "kg explain article.txt -f json | jq '.sentences[].relations[]'",
        ),
        formats=FORMATS,
    )
    p.add_argument("file", metavar="FILE", help="a text file (.txt, .md), or - for stdin")
    p.add_argument("--all", action="store_true", help="also list sentences with nothing to report")
    p.set_defaults(func=run)


def explain_document(text: str, source: str = "<text>", doc_date: str | None = None) -> dict[str, Any]:
    """Everything extraction decides about ``text``, per sentence, as plain data (JSON-ready).

    ``doc_date``: the document's date when ``text`` is a later piece of it (else found in ``text``).
    """
    import hashlib

    from kg.model import Document
    from kg.nlp.extract import analyse
    from kg.nlp.extract import links as entity_links
    from kg.nlp.pipeline import load_nlp

    doc = load_nlp()(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    result = analyse(doc, Document(text, source, digest, date=doc_date))
    index, relations, rejected = result.index, result.relations, result.rejected
    kept = sorted({k for r in relations for k in (r.subject, r.object)} | set(index.entities))
    links = entity_links(doc, index, kept)
    doc_date = result.document.date
    sentences: list[dict[str, Any]] = []
    for i, sent in enumerate(doc.sents):
        mentions: list[dict[str, Any]] = []
        tok_i = sent.start
        while tok_i < sent.end:
            key = index.entity_at(tok_i)
            if key is None:
                tok_i += 1
                continue
            end = tok_i + 1
            while end < sent.end and index.entity_at(end) == key:
                end += 1
            span = doc[tok_i:end]
            mentions.append(
                {
                    "text": span.text,
                    "start": span.start_char,
                    "end": span.end_char,
                    "entity": key,
                    "type": index.type_of(key),
                    "pronoun": all(t.pos_ == "PRON" or t.is_punct for t in span),
                }
            )
            tok_i = end
        rels = [
            {
                "subject": r.subject,
                "predicate": r.predicate,
                "object": r.object,
                "rule": r.rule,
                "confidence": r.confidence,
                "trigger": r.evidence.trigger,
                "asserted": r.asserted,
                "negated": r.negated,
                "modality": r.modality,
                "time": r.time,
                "time_text": r.time_text,
                "reported_by": r.reported_by,
                "time_start": r.time_start,
                "time_end": r.time_end,
                "ends": r.ends,
                "side_left": r.side_left,
                "subject_text": r.subject_text,
                "object_text": r.object_text,
                "enhanced": [result.graph.describe(a) for a in result.trace.get(id(r), ())],
            }
            for r in sorted(relations, key=lambda r: (r.evidence.start, r.subject, r.predicate, r.object, r.rule))
            if r.evidence.sentence == i
        ]
        rejs = [
            {
                "rule": j.rule,
                "trigger": j.trigger,
                "start": j.start,
                "reason": j.reason,
                "entity": j.entity,
                "wanted": j.wanted,
            }
            for j in sorted(rejected, key=lambda j: (j.start, j.rule, j.reason))
            if j.sentence == i
        ]
        sent_links = [
            {"subject": lk.subject, "predicate": lk.predicate, "object": lk.object}
            for lk in links
            if lk.evidence.sentence == i
        ]
        sentences.append(
            {
                "index": i,
                "start": sent.start_char,
                "end": sent.end_char,
                "text": sent.text,
                "mentions": mentions,
                "relations": rels,
                "links": sent_links,
                "rejected": list({(r["rule"], r["reason"], r["start"]): r for r in rejs}.values()),
            }
        )
    return {"source": source, "document_date": doc_date, "sentences": sentences}


def explain_file_text(text: str, source: str) -> dict[str, Any]:
    """:func:`explain_document` of a file's text as ``kg build`` reads it: normalised for the NLP, a long text in
    pieces (:mod:`kg.pieces`), every offset and sentence number given in the file's own terms."""
    from kg.pieces import pieces

    sentences: list[dict[str, Any]] = []
    date: str | None = None
    for i, piece in enumerate(pieces(text)):
        if not piece.text.strip():
            continue
        part = explain_document(piece.text, source, date)
        if i == 0:
            date = part["document_date"]
        for sent in part["sentences"]:
            sent["index"] += len(sentences)
            sent["start"], sent["end"] = piece.file_span(sent["start"], sent["end"])
            sent["text"] = text[sent["start"] : sent["end"]]
            for m in sent["mentions"]:
                m["start"], m["end"] = piece.file_span(m["start"], m["end"])
            for r in sent["rejected"]:
                r["start"] = piece.file_span(r["start"], r["start"])[0]
        sentences.extend(part["sentences"])
    return {"source": source, "document_date": date, "sentences": sentences}


def _claim(rel: dict[str, Any]) -> str:
    if rel["asserted"]:
        return "asserted"
    parts = (["negated"] if rel["negated"] else []) + ([rel["modality"]] if rel["modality"] != "Actual" else [])
    return "NOT asserted: " + ", ".join(parts)


def render_text(result: dict[str, Any], show_all: bool = False) -> str:
    """A readable report: one block per sentence, ``+`` asserted, ``-`` not asserted, ``~`` a link between
    entities (forcesOf, memberOf, leads), ``x`` rejected."""
    lines = [f"{result['source']}" + (f" (document date {result['document_date']})" if result["document_date"] else "")]
    shown = 0
    for s in result["sentences"]:
        if not show_all and not (s["mentions"] or s["relations"] or s["rejected"] or s.get("links")):
            continue
        shown += 1
        text = " ".join(s["text"].split())
        lines.append("")
        lines.append(f"[{s['index']}] {text}")
        if s["mentions"]:
            ms = "; ".join(
                f'"{m["text"]}" -> {m["entity"]} ({m["type"]}{", pronoun" if m["pronoun"] else ""})'
                for m in s["mentions"]
            )
            lines.append(f"    mentions: {ms}")
        for r in s["relations"]:
            mark = "+" if r["asserted"] else "-"
            extra = []
            if r["time"] or r["time_text"]:
                extra.append(f'time {r["time"] or "?"} ("{r["time_text"]}")')
            if r.get("time_start") or r.get("time_end"):
                extra.append(f"from {r.get('time_start') or '?'} to {r.get('time_end') or '?'}")
            if r.get("ends"):
                extra.append("END of this hold")
            if r.get("side_left"):
                extra.append(f"leaving {r['side_left']}")
            if r["reported_by"]:
                extra.append(f"reported by {r['reported_by']}")
            if r["enhanced"]:
                extra.append("via " + ", ".join(r["enhanced"]))
            lines.append(
                f"    {mark} {r['subject']} {r['predicate']} {r['object']}  [{r['rule']}, confidence "
                f'{r["confidence"]:.2f}, trigger "{r["trigger"]}", {_claim(r)}]'
                + ("  " + "; ".join(extra) if extra else "")
            )
        for lk in s.get("links", ()):
            lines.append(f"    ~ {lk['subject']} {lk['predicate']} {lk['object']}")
        for j in s["rejected"]:
            lines.append(f'    x {j["rule"]} at "{j["trigger"]}": {j["reason"]}')
    n_rel = sum(len(s["relations"]) for s in result["sentences"])
    n_ass = sum(1 for s in result["sentences"] for r in s["relations"] if r["asserted"])
    n_rej = sum(len(s["rejected"]) for s in result["sentences"])
    lines.append("")
    lines.append(
        f"{len(result['sentences'])} sentences ({shown} shown), {n_rel} statements ({n_ass} asserted), {n_rej} rejected"
    )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kg.inputs import Source, read

    if args.file == "-":
        source = Source("<stdin>", None)
    else:
        path = Path(args.file)
        if path.is_dir():
            raise KGError(f"{path}: is a folder; kg explain takes one text file (use kg build for folders)")
        if not path.exists():
            raise KGError(f"{path}: no such file; pass a text file (.txt or .md) or - for stdin")
        source = Source(str(path), path)
    document = read(source)
    result = explain_file_text(document.text, document.source)
    if args.format == "json":
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result, show_all=args.all))
    return 0

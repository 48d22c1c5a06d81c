"""A deterministic generator of graphs shaped like the ones ``kg build`` writes, at any size.

Benchmarks and scale tests need realistic graphs far larger than the seed texts: typed, labelled entities with
aliases (some places with GeoNames coordinates), documents with hashes and dates, and statements that each have
a ``kg:Assertion`` node with all its provenance (evidence, offsets, rule, confidence, polarity, modality, time),
plus the plain triple for positive factual ones. Endpoints follow a skewed (Zipf-like) distribution so there
are hubs and contested places, as in real news. Same arguments, same triples, in the same order.

As ``kg build`` does, every statement has a time: its clause's (three in ten) or its document's date, with
``kg:timeSource``; some controls give an interval or end a hold (``kg:timeStart``/``kg:timeEnd``,
``kg:endsControl``), some defections name the side left (``kg:sideLeft``), and one agent in ten has a side
link (``kg:forcesOf``/``kg:memberOf``/``kg:leads``) with its own assertion. Those extras come from a second
random stream, so the entities and relations are the ones version 1 made. :data:`VERSION` names the shape
(caches key on it).

    >>> triples = list(generate(20, 10, seed=1))
    >>> len(triples) == len(list(generate(20, 10, seed=1)))
    True

``generate(100_000 // 6, 50_000, seed)`` gives about a million triples.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

import pyoxigraph as ox

#: The shape of the generated graphs; caches of generated files include it in their names.
VERSION = 2

KG = "https://w3id.org/kg-news/ontology#"
ENT = "https://w3id.org/kg-news/entity/"
DOC = "https://w3id.org/kg-news/doc/"
STMT = "https://w3id.org/kg-news/assertion/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"

_TYPES = ("Person", "Group", "GPE", "Place")
_TYPE_WEIGHTS = (0.25, 0.20, 0.25, 0.30)
#: (relation, share, object is a place)
_RELATIONS = (
    ("controls", 0.40, True),
    ("advancesOn", 0.30, True),
    ("defectsTo", 0.15, False),
    ("advises", 0.15, False),
)
_MODALITIES = ("Hypothetical", "Planned", "Urged", "Threatened", "Feared", "Future", "Questioned", "Claimed")
_SYLLABLES = ("ka", "ra", "mo", "shi", "dan", "bel", "tor", "vi", "lun", "az", "em", "qu", "sar", "nik", "ol", "ben")
_TRIGGERS = {
    "controls": ("held", "captured", "took", "controls"),
    "advancesOn": ("advanced on", "pushed towards", "attacked", "closed in on"),
    "defectsTo": ("defected to", "switched sides to", "went over to"),
    "advises": ("advised", "trained", "mentored"),
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _name(rng: random.Random) -> str:
    words = [
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() for _ in range(rng.randint(1, 2))
    ]
    return " ".join(words)


def _skewed(rng: random.Random, pool: list[int]) -> int:
    """An index from ``pool`` with a heavy head: a few hubs, a long tail."""
    return pool[min(len(pool) - 1, int(len(pool) * rng.random() ** 3))]


def generate(n_entities: int, n_relations: int, seed: int = 0) -> Iterator[ox.Triple]:
    """Triples of a kg-shaped graph with ``n_entities`` entities and ``n_relations`` statements.

    About 6 triples per entity and 19 per statement; one document per 20 statements (at least one).
    """
    if n_entities < 2:
        raise ValueError("n_entities must be at least 2 (an agent and a place)")
    rng = random.Random(seed)
    extra = random.Random(seed * 7919 + 1)  # the version 2 extras, apart so version 1's draws stay as they were
    T = {
        t: _n(KG + t)
        for t in (
            *_TYPES,
            "Document",
            "Assertion",
            "Positive",
            "Negative",
            "Actual",
            *_MODALITIES,
            "ClauseTime",
            "DocumentTime",
        )
    }
    P = {
        name: _n(iri)
        for name, iri in {
            "type": RDF + "type",
            "label": RDFS + "label",
            "alt": SKOS + "altLabel",
            "subject": RDF + "subject",
            "predicate": RDF + "predicate",
            "object": RDF + "object",
            "derived": PROV + "wasDerivedFrom",
            "sameAs": OWL + "sameAs",
            "lat": GEO + "lat",
            "long": GEO + "long",
            "title": DCT + "title",
            **{
                k: KG + k
                for k in (
                    "mentionedIn",
                    "sha256",
                    "sourcePath",
                    "wordCount",
                    "documentDate",
                    "evidence",
                    "charStart",
                    "charEnd",
                    "sentenceIndex",
                    "trigger",
                    "subjectText",
                    "objectText",
                    "rule",
                    "confidence",
                    "polarity",
                    "modality",
                    "asserted",
                    "time",
                    "timeText",
                    "reportedBy",
                    "timeSource",
                    "timeStart",
                    "timeEnd",
                    "endsControl",
                    "sideLeft",
                    "controls",
                    "advancesOn",
                    "defectsTo",
                    "advises",
                    "forcesOf",
                    "memberOf",
                    "leads",
                )
            },
        }.items()
    }
    integer, decimal, boolean = _n(XSD + "integer"), _n(XSD + "decimal"), _n(XSD + "boolean")
    g_year, date = _n(XSD + "gYear"), _n(XSD + "date")

    n_docs = max(1, n_relations // 20)
    docs = []
    doc_dates: list[str] = []
    for d in range(n_docs):
        sha = hashlib.sha256(f"{seed}/{d}".encode()).hexdigest()
        doc = _n(f"{DOC}d{sha[:20]}")
        docs.append(doc)
        year = 1950 + rng.randrange(70)
        yield ox.Triple(doc, P["type"], T["Document"])
        yield ox.Triple(doc, P["sha256"], ox.Literal(sha))
        yield ox.Triple(doc, P["sourcePath"], ox.Literal(f"corpus/{year}/article-{d:06d}.txt"))
        yield ox.Triple(doc, P["wordCount"], ox.Literal(str(rng.randint(200, 3000)), datatype=integer))
        yield ox.Triple(doc, P["title"], ox.Literal(f"Report {d} on {_name(rng)}"))
        doc_dates.append(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        yield ox.Triple(doc, P["documentDate"], ox.Literal(doc_dates[-1], datatype=date))

    kinds = rng.choices(_TYPES, weights=_TYPE_WEIGHTS, k=n_entities)
    kinds[0], kinds[1] = "Group", "Place"  # at least one agent and one place, whatever the draw
    names: list[str] = []
    ents: list[ox.NamedNode] = []
    for i, kind in enumerate(kinds):
        name = f"{_name(rng)} {i}"
        names.append(name)
        e = _n(ENT + name.replace(" ", "_"))
        ents.append(e)
        yield ox.Triple(e, P["type"], T[kind])
        yield ox.Triple(e, P["label"], ox.Literal(name))
        for k in range(rng.choice((0, 1, 1, 2, 3))):
            yield ox.Triple(e, P["alt"], ox.Literal(f"{name.split()[0]} {('forces', 'side', 'city', 'camp')[k]}"))
        for doc in sorted({rng.choice(docs) for _ in range(rng.randint(1, 3))}, key=str):
            yield ox.Triple(e, P["mentionedIn"], doc)
        if kind in ("GPE", "Place") and rng.random() < 0.5:
            yield ox.Triple(e, P["sameAs"], _n(f"https://sws.geonames.org/{1_000_000 + i}/"))
            yield ox.Triple(e, P["lat"], ox.Literal(f"{rng.uniform(-60, 70):.5f}", datatype=decimal))
            yield ox.Triple(e, P["long"], ox.Literal(f"{rng.uniform(-180, 180):.5f}", datatype=decimal))

    agents = [i for i, k in enumerate(kinds) if k != "Place"]
    places = [i for i, k in enumerate(kinds) if k in ("GPE", "Place")]
    rel_names = [r for r, _, _ in _RELATIONS]
    rel_weights = [w for _, w, _ in _RELATIONS]
    to_place = {r: p for r, _, p in _RELATIONS}
    for r in range(n_relations):
        rel = rng.choices(rel_names, weights=rel_weights)[0]
        s = _skewed(rng, agents)
        o = _skewed(rng, places if to_place[rel] else agents)
        if o == s:
            o = (places if to_place[rel] else agents)[0]
        doc = docs[r % n_docs]
        trigger = rng.choice(_TRIGGERS[rel])
        sentence = f"{names[s]} {trigger} {names[o]}."
        start = rng.randrange(5000)
        negated = rng.random() < 0.05
        modality = "Actual" if rng.random() < 0.9 else rng.choice(_MODALITIES)
        asserted = not negated and modality == "Actual"
        a = _n(f"{STMT}a{hashlib.sha256(f'{seed}/{r}'.encode()).hexdigest()[:24]}")
        subj, pred, obj = ents[s], P[rel], ents[o]
        if asserted:
            yield ox.Triple(subj, pred, obj)
        yield ox.Triple(a, P["type"], T["Assertion"])
        yield ox.Triple(a, P["subject"], subj)
        yield ox.Triple(a, P["predicate"], pred)
        yield ox.Triple(a, P["object"], obj)
        yield ox.Triple(a, P["derived"], doc)
        yield ox.Triple(a, P["evidence"], ox.Literal(sentence))
        yield ox.Triple(a, P["charStart"], ox.Literal(str(start), datatype=integer))
        yield ox.Triple(a, P["charEnd"], ox.Literal(str(start + len(sentence)), datatype=integer))
        yield ox.Triple(a, P["sentenceIndex"], ox.Literal(str(rng.randrange(60)), datatype=integer))
        yield ox.Triple(a, P["trigger"], ox.Literal(trigger))
        yield ox.Triple(a, P["subjectText"], ox.Literal(names[s]))
        yield ox.Triple(a, P["objectText"], ox.Literal(names[o]))
        yield ox.Triple(a, P["rule"], ox.Literal(f"{rel}.{trigger.split()[0]}"))
        yield ox.Triple(
            a, P["confidence"], ox.Literal(f"{rng.choice((0.5, 0.6, 0.7, 0.8, 0.9)):.2f}", datatype=decimal)
        )
        yield ox.Triple(a, P["polarity"], T["Negative"] if negated else T["Positive"])
        yield ox.Triple(a, P["modality"], T[modality])
        yield ox.Triple(a, P["asserted"], ox.Literal("true" if asserted else "false", datatype=boolean))
        if rng.random() < 0.3:
            when = str(1950 + rng.randrange(70))
            yield ox.Triple(a, P["time"], ox.Literal(when, datatype=g_year))
            yield ox.Triple(a, P["timeText"], ox.Literal(f"in {when}"))
            yield ox.Triple(a, P["timeSource"], T["ClauseTime"])
        else:
            when = doc_dates[r % n_docs]
            yield ox.Triple(a, P["time"], ox.Literal(when, datatype=date))
            yield ox.Triple(a, P["timeSource"], T["DocumentTime"])
        if rel == "controls":
            roll = extra.random()
            if roll < 0.05:  # "X took it from Y": the end of a hold
                yield ox.Triple(a, P["endsControl"], ox.Literal("true", datatype=boolean))
                yield ox.Triple(a, P["timeEnd"], ox.Literal(when, datatype=g_year if len(when) == 4 else date))
            elif roll < 0.10:  # "has held it since ..."
                yield ox.Triple(a, P["timeStart"], ox.Literal(str(int(when[:4]) - 3), datatype=g_year))
        elif rel == "defectsTo" and extra.random() < 0.3:
            left = _skewed(extra, agents)
            if left not in (s, o):
                yield ox.Triple(a, P["sideLeft"], ents[left])
        if rng.random() < 0.1:
            yield ox.Triple(a, P["reportedBy"], ents[_skewed(rng, agents)])
    links = ("forcesOf", "memberOf", "memberOf", "leads")
    for i in range(len(agents) // 10):
        s = agents[extra.randrange(len(agents))]
        o = _skewed(extra, agents)
        rel = links[extra.randrange(len(links))]
        if s == o or (rel == "leads" and kinds[s] != "Person"):
            continue
        doc = docs[extra.randrange(n_docs)]
        sentence = f"{names[s]} ({rel} {names[o]})."
        start = extra.randrange(5000)
        a = _n(f"{STMT}l{hashlib.sha256(f'{seed}/link/{i}'.encode()).hexdigest()[:24]}")
        yield ox.Triple(ents[s], P[rel], ents[o])
        yield ox.Triple(a, P["type"], T["Assertion"])
        yield ox.Triple(a, P["subject"], ents[s])
        yield ox.Triple(a, P["predicate"], P[rel])
        yield ox.Triple(a, P["object"], ents[o])
        yield ox.Triple(a, P["derived"], doc)
        yield ox.Triple(a, P["evidence"], ox.Literal(sentence))
        yield ox.Triple(a, P["charStart"], ox.Literal(str(start), datatype=integer))
        yield ox.Triple(a, P["charEnd"], ox.Literal(str(start + len(sentence)), datatype=integer))
        yield ox.Triple(a, P["rule"], ox.Literal(f"link.{rel}"))
        yield ox.Triple(a, P["confidence"], ox.Literal("0.70", datatype=decimal))
        yield ox.Triple(a, P["polarity"], T["Positive"])
        yield ox.Triple(a, P["modality"], T["Actual"])
        yield ox.Triple(a, P["asserted"], ox.Literal("true", datatype=boolean))


def write_store(path: str, n_entities: int, n_relations: int, seed: int = 0) -> int:
    """Write a generated graph into a new on-disk Oxigraph store at ``path``; returns the triple count."""
    store = ox.Store(path)
    store.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in generate(n_entities, n_relations, seed)
    )
    store.flush()
    store.optimize()
    count = len(store)
    del store
    return count

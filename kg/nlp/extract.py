"""spaCy ``Doc`` -> ``Extraction``: the normalisation layer (``enhanced``), entity resolution (``entities``),
then relation finding (``relations``).

The roles relations give an entity are evidence for its type: when a rule rejected a candidate only because
an entity had the wrong type ("rebels captured X" with X tagged as an organisation), and nothing firm stands
behind that type, the entity is retyped and the relations are found again.

:func:`analyse` returns everything decided on the way (``kg explain`` prints it); :func:`extract` keeps what
the graph needs: the entities that are named or take part in a statement, and the statements.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from kg.memory import gc_paused
from kg.model import Document, Evidence, Extraction, Link, Relation
from kg.nlp.enhanced import Arc, DepGraph
from kg.nlp.entities import EntityIndex, resolve_entities
from kg.nlp.gazetteer import load_gazetteer
from kg.nlp.lexicon import load_lexicon
from kg.nlp.relations import Rejection, find_relations, name_spans
from kg.nlp.timex import TimeIndex, document_date


@dataclass
class Analysis:
    """What extraction decided about one document: the enhanced graph, the entity index, the statements with
    the enhanced arcs each rests on, and the candidates that were rejected (with why)."""

    document: Document
    graph: DepGraph
    index: EntityIndex
    relations: list[Relation]
    rejected: list[Rejection] = field(default_factory=list)
    trace: dict[int, tuple[Arc, ...]] = field(default_factory=dict)


def retype_by_roles(
    index: EntityIndex, rejected: list[Rejection], relations: list[Relation], doc: Doc | None = None
) -> list[str]:
    """Retype entities whose weak type cost a relation; returns the keys retyped.

    A Group wanted as a place becomes a GPE (a town the NER called an organisation); a Person needs two such
    rejections (people are captured too), or one when the gazetteer knows a place of that name ("took Menaka")
    or the text itself places the name (:func:`placed_in_text`: "X, 40 km north of Y", "moved on X and
    surrounded the town"); a Place wanted as an agent becomes a Group. An entity that is the subject of a
    found relation keeps its type.
    """
    wanted: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rejected:
        if r.entity and r.wanted:
            wanted[r.entity][r.wanted] += 1
    acting = {rel.subject for rel in relations}
    changed: list[str] = []
    for key, votes in sorted(wanted.items()):
        if key not in index.entities or key in index.firm:
            continue
        etype = index.type_of(key)
        new: str | None = None
        person_place = etype == "Person" and (
            votes["Place"] >= 2
            or _gazetteer_place(key)
            or (doc is not None and placed_in_text(doc, index, key, [r for r in rejected if r.entity == key]))
        )
        if votes["Place"] and key not in acting and (etype == "Group" or person_place):
            new = "GPE"
        elif votes["Agent"] and etype == "Place" and not votes["Place"]:
            new = "Group"
        if new is not None and index.retype(key, new):
            changed.append(key)
    return changed


def _gazetteer_place(name: str) -> bool:
    """Whether GeoNames knows a town of this name, in any country (a one-word name the NER took for a person)."""
    return " " not in name and any(not p.is_country for p in load_gazetteer().lookup(name))


def placed_in_text(doc: Doc, index: EntityIndex, key: str, rejected: list[Rejection]) -> bool:
    """Whether the text itself says a one-word name is a place, in a way it never says of a person.

    A compass point on it or with it as the point of reference ("X, 40 km north of Y", "30 miles south of X"), or
    a bare "the town" (``settlement_nouns``) that a verb conjoined with a rejected movement takes as its object
    ("moved on X and surrounded the town": the town is where the force went). Prepositions are not enough
    ("confidence in X", "sat near X"), and neither is "the town" elsewhere ("captured X near the town" may be a
    man taken near a town).
    """
    if " " in key:
        return False
    lex = load_lexicon()
    compass = lex.words("arguments", "compass_words")
    names = {i for i, k in index.token_entity.items() if k == key}
    for i in names:
        tok = doc[i]
        if tok.head.i in names and tok.head.i != i:
            continue  # a token inside the name
        if any(c.lower_ in compass and any(g.lower_ == "of" for g in c.children) for c in tok.children):
            return True
        if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lower_ in compass:
            return True
    return any(_advance_reaches_town(doc, r, names, lex.words("arguments", "settlement_nouns")) for r in rejected)


def _advance_reaches_town(doc: Doc, r: Rejection, names: set[int], towns: frozenset[str]) -> bool:
    """Whether a movement rejected for its object goes on, in a conjoined verb, to "the town" ("moved on X and
    surrounded the town")."""
    if r.rule not in load_lexicon().words("arguments", "motion_rules"):
        return False  # "attacked X and shelled the town": people are attacked, never moved on
    trigger = next((t for t in doc if t.idx == r.start), None)
    if trigger is None or not any(t.i in names for t in trigger.subtree):
        return False
    for verb in trigger.conjuncts:
        for obj in verb.children:
            if (
                obj.dep_ == "dobj"
                and obj.lower_ in towns
                and [c.lower_ for c in obj.children] == ["the"]
                and not any(t.i in names for t in verb.subtree)
            ):
                return True
    return False


def analyse(doc: Doc, document: Document) -> Analysis:
    """Entities and relations of one parsed document, with everything decided on the way."""
    graph = DepGraph(doc)
    document = document if document.date else replace(document, date=document_date(graph.text))
    index = resolve_entities(doc, graph=graph)
    # the document's date, not one found in this text: a piece of a long text (kg.pieces) has no dateline
    times = TimeIndex(graph.text, document.date, name_spans(doc, index, graph.toks))
    rejected: list[Rejection] = []
    trace: dict[int, tuple[Arc, ...]] = {}
    relations = find_relations(doc, index, rejected=rejected, times=times, graph=graph, trace=trace)
    if retype_by_roles(index, rejected, relations, doc):
        rejected, trace = [], {}
        relations = find_relations(doc, index, rejected=rejected, times=times, graph=graph, trace=trace)
    return Analysis(document, graph, index, relations, rejected, trace)


def extract(doc: Doc, document: Document) -> Extraction:
    """Entities and relations of one parsed document."""
    with gc_paused():  # an allocation burst: collecting once afterwards saves a seventh of the time
        return _extract(doc, document)


def _extract(doc: Doc, document: Document) -> Extraction:
    a = analyse(doc, document)
    index, relations = a.index, a.relations
    # the side a defector left and the speaker a claim is reported by are entities the graph names too
    used = {r.subject for r in relations} | {r.object for r in relations}
    used |= {k for r in relations for k in (r.side_left, r.reported_by) if k is not None}
    missing = used - index.entities.keys()
    if missing:
        raise ValueError(f"relations name entities the index does not hold: {sorted(missing)}")
    linked = {s for s, _p, o in index.links if s in used or o in used} | {
        o for s, _p, o in index.links if s in used or o in used
    }
    keep = [
        k for k, e in index.entities.items() if k in used or k in linked or (e.mentions and k not in index.promoted)
    ]
    entities = tuple(index.entities[k] for k in sorted(keep))
    return Extraction(document=a.document, entities=entities, relations=tuple(relations), links=links(doc, index, keep))


def links(doc: Doc, index: EntityIndex, keep: list[str]) -> tuple[Link, ...]:
    """The entity layer's ties ("Northland forces" forcesOf Northland, a commander memberOf his group, a leader
    leads his followers) between entities the extraction keeps, each with the first sentence that mentions
    its subject (else its object) as evidence."""
    kept = set(keep)
    sents = list(doc.sents)  # (links are few: spaCy's own sentences will do)
    out: list[Link] = []
    for s, p, o in sorted(index.links):
        if s not in kept or o not in kept or s == o:
            continue
        mentions = index.entities[s].mentions or index.entities[o].mentions
        if not mentions:
            continue
        first = min(mentions, key=lambda m: m.start)
        sent = next((x for x in sents if x.start_char <= first.start < x.end_char), sents[0])
        n = sents.index(sent)
        out.append(Link(s, p, o, Evidence(sent.start_char, sent.end_char, sent.text, n), rule=f"entities.{p}"))
    return tuple(out)

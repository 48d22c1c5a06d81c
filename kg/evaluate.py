"""Scoring graphs against gold files (the gold format and rules of the annotation guide, ``ANNOTATION.md``).

How a graph is scored, rule for rule as the reference scorer ``shared/tools/score.py`` does it (a test
checks that ``kg eval`` and that script print the same figures whenever the script is present; the
project does not need it at run time):

1. Relation triples: every triple whose predicate's local name is ``controls``, ``advancesOn``,
   ``defectsTo`` or ``advises`` (any namespace) and whose object is not a literal. Held-back statements
   (``kg:asserted false``) have no such triple, so they never count.
2. A graph node matches a gold entity when one of its labels (``rdfs:label``, ``skos:prefLabel``,
   ``skos:altLabel``, ``schema:name``, ``foaf:name``), normalised by :func:`norm`, equals a normalised
   alias (or the canonical name) of that entity; a node without a matching label is tried by its IRI's
   local name (``_`` read as space). A node matching several gold entities stands for the first name in
   sort order.
3. Each triple is rewritten with gold names for matched nodes (``<IRI>`` for unmatched ones) and the
   rewritten triples are de-duplicated. Precision = correct / rewritten triples, recall = gold triples
   found / gold triples, F1 their harmonic mean; gold relations marked ``"optional": true`` (and not also
   listed as required) are left out of both, and so are graph triples that match them. Micro-averaging
   sums the counts over texts before dividing.
4. Fragmentation: graph nodes in relation triples per gold entity they match (1.0 is perfect).

Scored apart, only on matched items (they never change P/R/F1):

- **time accuracy**: over the gold relations that the graph found (true positives) and whose gold entry
  has ``"time"``: the fraction for which some *supporting assertion* has ``kg:time`` whose lexical form
  equals the gold time, or ``kg:timeText`` equal to it after normalisation (so ``"the 1980s"`` matches
  ``"1980s"``). A supporting assertion is a ``kg:Assertion`` whose ``rdf:subject``/``rdf:predicate``/
  ``rdf:object`` rewrite (same matching as triples) to that gold relation and whose ``kg:asserted`` is
  not ``false``.
- **time compatible**: as time accuracy, also counting a graph time that agrees at the coarser
  precision (``1998-08-08`` for gold ``1998``, ``1985`` for ``1980s``): see :func:`time_compatible`.
- **type accuracy**: over every (graph entity, gold entity) match, where graph entities are the nodes
  with a kg entity type or in a relation triple: correct when the node's set of entity types
  (``rdf:type`` local names among Person, Group, GPE, Place) is exactly ``{gold type}``. GPE counts as
  GPE only, Place as Place only: a country typed Place, or a city typed GPE, is a type error.
- **evidence overlap**: over true positives whose gold has ``"evidence"``: the fraction for which some
  supporting assertion's ``kg:evidence`` contains the gold evidence string (whitespace runs collapsed
  on both sides).

Entity quality, scored apart from relations (it never changes P/R/F1). It uses the *match set* of a graph
node: every gold entity one of whose normalised aliases equals one of the node's normalised labels (or,
when none of its labels does, its IRI's local name, as in rule 2). The relation scorer rewrites a node to
the first name of that set in sort order, which hides a node that stands for two gold entities; here the
whole set counts. Each figure is given for two populations of graph entities:

- **in relations**: nodes that are the subject or object of a relation triple (rule 1), the entities
  the relation score rests on;
- **all**: those, plus every node with a label or a kg entity type (entities found in the text but in
  no relation; a kg graph labels nothing else).

The figures:

- **alias recall**: of the gold aliases, normalised by :func:`norm` and de-duplicated per gold entity
  (the canonical name counts as one of them), those that some graph entity of the population carries as
  a label (or as its IRI name, under the rule-2 fallback) while its match set holds that gold entity.
  An alias that two gold entities share counts once for each. The denominator is every gold alias for
  both populations, so "in relations" is never above "all". **Entity recall**: of the gold entities,
  those in the match set of at least one graph entity of the population.
- **merges**: graph entities whose match set holds two or more gold entities, each listed with the
  labels that matched each gold entity. An alias the gold lists for two entities makes a merge of any
  node that carries it (no gold file in the corpora does so).
- **splits**: gold entities in the match sets of two or more graph entities, listed with those nodes
  and their matching labels. A split counts "in relations" when two of its nodes are in relation
  triples. When no node in relations is a merge, this is fragmentation spelt out: the extra nodes in
  relations over the splits in relations add up to ``frag_nodes - frag_ents``.
- **missed aliases**, for reading: per gold entity, the aliases no graph entity carries, and those
  carried only by graph entities in no relation (marked when the gold entity is in no gold relation
  either, which is then right).

Micro figures sum the counts over texts before dividing (merges and splits are counts, summed likewise).
Labels in merge and split listings are shown normalised, as they matched.

Everything reads the graph through RDF only (an ``rdflib.Graph``, e.g. from ``kg.rdf.store.load_graph``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import KGError
from kg.rdf.namespace import ENTITY, ENTITY_TYPES, KG, RELATIONS

#: Predicates whose objects are an entity's names (the reference scorer's list).
LABEL_PREDICATES: tuple[str, ...] = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://schema.org/name",
    "https://schema.org/name",
    "http://xmlns.com/foaf/0.1/name",
)
GOLD_SUFFIX = ".gold.json"

#: A relation with entity names (gold names when matched, ``<IRI>`` otherwise): (subject, predicate, object).
Triple = tuple[str, str, str]


def norm(s: str) -> str:
    """Normalise a name for matching: lower case, possessive 's and punctuation dropped, hyphens to spaces,
    spaces collapsed, a leading "the" dropped.

    >>> norm("The Front's")
    'front'
    >>> norm("Anti-Assad  forces")
    'anti assad forces'
    >>> norm("Ra\u2019s Ghumays")
    'ra ghumays'
    """
    s = s.lower().replace("\u2019", "'")
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[^\w\s-]", " ", s)
    s = s.replace("-", " ")
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"^the ", "", s)
    return s


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``/`` or ``#``.

    >>> local_name("https://w3id.org/kg-news/ontology#controls")
    'controls'
    """
    return re.split(r"[#/]", str(iri))[-1]


# --------------------------------------------------------------------------------------------------- gold


@dataclass(frozen=True)
class GoldEntity:
    """An entity of a gold file: canonical name, type, and the surface forms that name it."""

    name: str
    type: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class GoldRelation:
    """One gold relation; ``optional`` ones are neither rewarded nor penalised."""

    subject: str
    predicate: str
    object: str
    evidence: str = ""
    time: str | None = None
    optional: bool = False

    @property
    def triple(self) -> Triple:
        return (self.subject, self.predicate, self.object)


@dataclass(frozen=True)
class Gold:
    """A parsed gold file (format: ``ANNOTATION.md`` "Gold file format")."""

    name: str
    entities: Mapping[str, GoldEntity]
    relations: tuple[GoldRelation, ...]

    @property
    def required(self) -> frozenset[Triple]:
        """Gold triples that count for recall and precision."""
        return frozenset(r.triple for r in self.relations if not r.optional)

    @property
    def optional(self) -> frozenset[Triple]:
        """Triples listed only as optional (a triple listed both ways counts as required, as in score.py)."""
        return frozenset(r.triple for r in self.relations if r.optional) - self.required

    def alias_index(self) -> dict[str, set[str]]:
        """Normalised alias -> gold entity names it may stand for."""
        index: dict[str, set[str]] = {}
        for ent in self.entities.values():
            for alias in (*ent.aliases, ent.name):
                index.setdefault(norm(alias), set()).add(ent.name)
        return index


def _need(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise KGError(f"{where}: {what}; see ANNOTATION.md 'Gold file format'")


def parse_gold(data: Any, name: str, where: str = "") -> Gold:
    """A ``Gold`` from the decoded JSON of a gold file; ``KGError`` naming ``where`` when keys are missing.

    Parameters
    ----------
    data : Any
        The decoded JSON.
    name : str
        The text's name (the file name without ``.gold.json``).
    where : str
        How to name the file in error messages (defaults to ``name``).
    """
    where = where or name
    _need(isinstance(data, dict), where, "must be a JSON object")
    ents = data.get("entities")
    _need(isinstance(ents, dict), where, 'needs "entities": an object of canonical name -> {type, aliases}')
    entities: dict[str, GoldEntity] = {}
    for ename, ent in ents.items():
        _need(isinstance(ent, dict), where, f"entity {ename!r} must be an object")
        aliases = ent.get("aliases")
        _need(
            isinstance(aliases, list) and all(isinstance(a, str) for a in aliases),
            where,
            f'entity {ename!r} needs "aliases": a list of strings',
        )
        etype = ent.get("type")
        _need(etype in ENTITY_TYPES, where, f'entity {ename!r} needs "type", one of {", ".join(ENTITY_TYPES)}')
        entities[ename] = GoldEntity(ename, str(etype), tuple(aliases))
    rels = data.get("relations")
    _need(isinstance(rels, list), where, 'needs "relations": a list of {subject, predicate, object}')
    relations: list[GoldRelation] = []
    for i, rel in enumerate(rels):
        _need(isinstance(rel, dict), where, f"relation {i} must be an object")
        for key in ("subject", "predicate", "object"):
            _need(isinstance(rel.get(key), str), where, f'relation {i} needs "{key}" (a string)')
        time = rel.get("time")
        relations.append(
            GoldRelation(
                rel["subject"],
                rel["predicate"],
                rel["object"],
                evidence=str(rel.get("evidence") or ""),
                time=None if time is None else str(time),
                optional=bool(rel.get("optional", False)),
            )
        )
    return Gold(name, entities, tuple(relations))


def load_gold(path: Path) -> Gold:
    """Read ``NAME.gold.json``.

    Parameters
    ----------
    path : Path
        The gold file; the text's name is the file name without ``.gold.json``.

    Raises
    ------
    KGError
        Naming the file, when it is unreadable, not JSON, or lacks a key the format requires.
    """
    name = path.name.removesuffix(GOLD_SUFFIX)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KGError(f"{path}: cannot be read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise KGError(f"{path}: not valid JSON ({exc}); fix the gold file") from None
    return parse_gold(data, name, str(path))


def gold_files(*gold_dirs: Path) -> list[Path]:
    """The ``*.gold.json`` files of one or more folders, sorted by folder then name.

    ``KGError`` when a folder is missing or holds none, or when two folders hold the same text name
    (reports and ``--graphs`` find texts by name).
    """
    found: list[Path] = []
    seen: dict[str, Path] = {}
    for gold_dir in gold_dirs:
        if not gold_dir.is_dir():
            raise KGError(f"{gold_dir}: no such folder; pass a folder of NAME.txt + NAME{GOLD_SUFFIX} files")
        here = sorted(gold_dir.glob("*" + GOLD_SUFFIX))
        if not here:
            raise KGError(f"{gold_dir}: holds no *{GOLD_SUFFIX} files; pass a folder of NAME.txt + NAME{GOLD_SUFFIX}")
        for path in here:
            name = path.name.removesuffix(GOLD_SUFFIX)
            if name in seen:
                raise KGError(f"{path} and {seen[name]} have the same name; rename one so every text has its own")
            seen[name] = path
        found.extend(here)
    return found


# -------------------------------------------------------------------------------------------------- graph


@dataclass(frozen=True)
class GraphAssertion:
    """What scoring needs of one ``kg:Assertion`` node."""

    subject: Node
    predicate: str
    object: Node
    asserted: bool = True
    times: tuple[str, ...] = ()
    time_texts: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    negated: bool = False
    modality: str = "Actual"

    @property
    def status(self) -> str:
        """How the graph holds the statement back, for reports: ``negated``, a modality, or ``asserted``."""
        if self.asserted:
            return "asserted"
        return "negated" if self.negated else self.modality


@dataclass(frozen=True)
class GraphFacts:
    """The parts of a graph scoring reads: relation triples, labels, entity types, assertions."""

    triples: frozenset[tuple[Node, str, Node]]
    labels: Mapping[Node, frozenset[str]]
    types: Mapping[Node, frozenset[str]]
    assertions: tuple[GraphAssertion, ...] = ()


_LABEL_SET = frozenset(LABEL_PREDICATES)
_KG = str(KG._NS)


def graph_facts(graph: Graph) -> GraphFacts:
    """Read what scoring needs from an RDF graph, in one pass over its triples.

    Parameters
    ----------
    graph : rdflib.Graph
        Any RDF graph; kg's own shape gives assertions, other graphs may carry only labelled triples.

    Returns
    -------
    GraphFacts
        Relation triples (predicate's local name one of the four relations, object not a literal, any
        namespace, as the reference scorer reads them), normalised labels, kg entity types, assertions.
    """
    triples: set[tuple[Node, str, Node]] = set()
    labels: dict[Node, set[str]] = {}
    types: dict[Node, set[str]] = {}
    parts: dict[Node, dict[str, list[Node]]] = {}
    for s, p, o in graph:
        ps = str(p)
        if ps in _LABEL_SET:
            labels.setdefault(s, set()).add(norm(str(o)))
        name = local_name(ps)
        if isinstance(p, URIRef) and name in RELATIONS and not isinstance(o, Literal):
            triples.add((s, name, o))
        if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(_KG) and local_name(o) in ENTITY_TYPES:
            types.setdefault(s, set()).add(local_name(o))
        if p in (RDF.subject, RDF.predicate, RDF.object) or ps.startswith(_KG):
            parts.setdefault(s, {}).setdefault(ps, []).append(o)
    assertions: list[GraphAssertion] = []
    for props in parts.values():
        subj, pred, obj = (props.get(str(t)) for t in (RDF.subject, RDF.predicate, RDF.object))
        if not (subj and pred and obj):
            continue
        asserted = all(not (isinstance(v, Literal) and v.toPython() is False) for v in props.get(str(KG.asserted), []))
        assertions.append(
            GraphAssertion(
                subj[0],
                local_name(str(pred[0])),
                obj[0],
                asserted=asserted,
                times=tuple(sorted(str(v) for v in props.get(str(KG.time), []))),
                time_texts=tuple(sorted(str(v) for v in props.get(str(KG.timeText), []))),
                evidence=tuple(sorted(str(v) for v in props.get(str(KG.evidence), []))),
                rules=tuple(sorted(str(v) for v in props.get(str(KG.rule), []))),
                negated=KG.Negative in props.get(str(KG.polarity), []),
                modality=local_name(str(props.get(str(KG.modality), [KG.Actual])[0])),
            )
        )
    assertions.sort(key=lambda a: (str(a.subject), a.predicate, str(a.object), a.times, a.evidence))
    return GraphFacts(
        frozenset(triples),
        {k: frozenset(v) for k, v in labels.items()},
        {k: frozenset(v) for k, v in types.items()},
        tuple(assertions),
    )


# ------------------------------------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class TypeMismatch:
    """A matched entity whose graph type differs from the gold type."""

    node: str
    graph_types: tuple[str, ...]
    gold: str
    gold_type: str


@dataclass(frozen=True)
class TimeMismatch:
    """A found gold relation whose time the graph does not give right."""

    triple: Triple
    gold_time: str
    graph_times: tuple[str, ...]
    #: Some graph time agrees with the gold time at the coarser of the two precisions (see :func:`time_compatible`).
    compatible: bool = False


@dataclass(frozen=True)
class EntityCounts:
    """Entity-quality counts over one population of graph entities (see the module docstring)."""

    alias_found: int = 0
    alias_total: int = 0
    entity_found: int = 0
    entity_total: int = 0
    merges: int = 0
    splits: int = 0

    @property
    def alias_recall(self) -> float | None:
        return _ratio(self.alias_found, self.alias_total)

    @property
    def entity_recall(self) -> float | None:
        return _ratio(self.entity_found, self.entity_total)

    def __add__(self, other: EntityCounts) -> EntityCounts:
        return EntityCounts(*(a + b for a, b in zip(self._counts(), other._counts(), strict=True)))

    def _counts(self) -> tuple[int, ...]:
        return (self.alias_found, self.alias_total, self.entity_found, self.entity_total, self.merges, self.splits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alias_found": self.alias_found,
            "alias_total": self.alias_total,
            "alias_recall": self.alias_recall,
            "entity_found": self.entity_found,
            "entity_total": self.entity_total,
            "entity_recall": self.entity_recall,
            "merges": self.merges,
            "splits": self.splits,
        }


@dataclass(frozen=True)
class NodeMatch:
    """A graph entity and the normalised labels by which it matches one gold entity."""

    node: str
    labels: tuple[str, ...]
    in_relations: bool


@dataclass(frozen=True)
class Merge:
    """A graph entity whose labels match aliases of two or more gold entities."""

    node: str
    #: (gold entity, the node's normalised labels that are aliases of it), by gold name.
    gold: tuple[tuple[str, tuple[str, ...]], ...]
    in_relations: bool


@dataclass(frozen=True)
class Split:
    """A gold entity matched by two or more graph entities."""

    gold: str
    nodes: tuple[NodeMatch, ...]

    @property
    def in_relations(self) -> bool:
        """Whether two or more of the nodes are in relation triples."""
        return sum(n.in_relations for n in self.nodes) >= 2


@dataclass(frozen=True)
class AliasMiss:
    """The aliases of one gold entity (as the gold spells them) that the graph entities do not carry."""

    gold: str
    #: Carried by no graph entity.
    missed: tuple[str, ...]
    #: Carried only by graph entities in no relation triple.
    outside_relations: tuple[str, ...]
    #: Whether the gold entity takes part in a gold relation (if not, being in no graph relation is right).
    in_gold_relations: bool = True


@dataclass(frozen=True)
class EntityScore:
    """Entity quality of one text's graph: counts in relations and over all entities, and the items behind them."""

    in_relations: EntityCounts = EntityCounts()
    all_entities: EntityCounts = EntityCounts()
    merges: tuple[Merge, ...] = ()
    splits: tuple[Split, ...] = ()
    alias_misses: tuple[AliasMiss, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "in_relations": self.in_relations.to_dict(),
            "all": self.all_entities.to_dict(),
            "merges": [
                {"node": m.node, "in_relations": m.in_relations, "gold": {g: list(labels) for g, labels in m.gold}}
                for m in self.merges
            ],
            "splits": [
                {
                    "gold": sp.gold,
                    "in_relations": sp.in_relations,
                    "nodes": [
                        {"node": n.node, "labels": list(n.labels), "in_relations": n.in_relations} for n in sp.nodes
                    ],
                }
                for sp in self.splits
            ],
            "missed_aliases": [
                {
                    "gold": a.gold,
                    "missed": list(a.missed),
                    "outside_relations": list(a.outside_relations),
                    "in_gold_relations": a.in_gold_relations,
                }
                for a in self.alias_misses
            ],
        }


@dataclass(frozen=True)
class TextScore:
    """The score of one text's graph against its gold file."""

    name: str
    tp: int
    sys: int
    gold: int
    missed: tuple[Triple, ...] = ()
    wrong: tuple[Triple, ...] = ()
    frag_nodes: int = 0
    frag_ents: int = 0
    time_correct: int = 0
    time_total: int = 0
    time_compatible: int = 0
    type_correct: int = 0
    type_total: int = 0
    evidence_found: int = 0
    evidence_total: int = 0
    type_errors: tuple[TypeMismatch, ...] = ()
    time_errors: tuple[TimeMismatch, ...] = ()
    has_graph: bool = True
    found: tuple[Triple, ...] = ()
    #: Why each ``missed`` triple was missed (same order): held back, an entity without a node, or no statement.
    missed_why: tuple[str, ...] = ()
    #: The rules of the asserted statements behind each ``wrong`` triple (same order).
    wrong_rules: tuple[tuple[str, ...], ...] = ()
    entities: EntityScore = EntityScore()

    @property
    def precision(self) -> float:
        return prf(self.tp, self.sys, self.gold)[0]

    @property
    def recall(self) -> float:
        return prf(self.tp, self.sys, self.gold)[1]

    @property
    def f1(self) -> float:
        return prf(self.tp, self.sys, self.gold)[2]


def prf(tp: int, sys_n: int, gold_n: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts; 0.0 where a denominator is 0.

    >>> prf(3, 4, 6)
    (0.75, 0.5, 0.6)
    """
    p = tp / sys_n if sys_n else 0.0
    r = tp / gold_n if gold_n else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def time_compatible(gold: str, got: str) -> bool:
    """Whether two times agree at the coarser of their precisions: equal, or one a ``YYYY[-MM]`` prefix of the
    other, or a year inside a decade written ``NNN0s``.

    >>> [time_compatible("1998", x) for x in ("1998-08-08", "1998", "1997", "19980")]
    [True, True, False, False]
    >>> time_compatible("1980s", "1985-03"), time_compatible("1990", "1990s"), time_compatible("1980s", "1990")
    (True, True, False)
    """
    if gold == got:
        return True
    for decade, other in ((gold, got), (got, gold)):
        m = re.fullmatch(r"(\d{3})0s", decade)
        if m:
            return re.match(r"\d{4}(-|$)", other) is not None and other.startswith(m.group(1))
    short, long_ = sorted((gold, got), key=len)
    return long_.startswith(short + "-")


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _collapse(s: str) -> str:
    return " ".join(s.split())


def _node_name(node: Node) -> str:
    return f"<{node}>"


def _short(node: str) -> str:
    """``<https://w3id.org/kg-news/entity/X>`` -> ``ent:X`` for reading; other nodes unchanged."""
    prefix = f"<{ENTITY}"
    return "ent:" + node[len(prefix) : -1] if node.startswith(prefix) else node


def score_graph(gold: Gold, facts: GraphFacts, has_graph: bool = True) -> TextScore:
    """Score one graph against one gold file.

    Parameters
    ----------
    gold : Gold
        The gold relations and entities of the text.
    facts : GraphFacts
        What :func:`graph_facts` read from the text's graph.
    has_graph : bool
        ``False`` when no graph exists (scored as empty, reported as such).

    Returns
    -------
    TextScore
        Counts for P/R/F1 (as ``score.py``), missed and wrong triples, fragmentation, and time, type and
        evidence accuracy on matched items.
    """
    alias = gold.alias_index()
    cache: dict[Node, str | None] = {}

    def match(node: Node) -> str | None:
        if node not in cache:
            found = {g for name in _matched_names(node, facts, alias) for g in alias[name]}
            cache[node] = min(found) if found else None
        return cache[node]

    frag: dict[str, set[Node]] = {}
    rewritten: set[Triple] = set()
    for s, p, o in facts.triples:
        ms, mo = match(s), match(o)
        for node, m in ((s, ms), (o, mo)):
            if m:
                frag.setdefault(m, set()).add(node)
        rewritten.add((ms or _node_name(s), p, mo or _node_name(o)))
    req, opt = gold.required, gold.optional
    counted = {t for t in rewritten if t not in opt}
    tp = counted & req

    # Assertions by the triple they rewrite to: asserted ones support it, the others are held back.
    support: dict[Triple, list[GraphAssertion]] = {}
    held: dict[Triple, list[GraphAssertion]] = {}
    for a in facts.assertions:
        ms, mo = match(a.subject), match(a.object)
        key = (ms or _node_name(a.subject), a.predicate, mo or _node_name(a.object))
        (support if a.asserted else held).setdefault(key, []).append(a)
    named = {m for node in facts.labels if (m := match(node)) is not None}
    named |= {m for s, _, o in facts.triples for n in (s, o) if (m := match(n)) is not None}

    def why_missed(t: Triple) -> str:
        if t in held:
            return "held back: " + ", ".join(sorted({a.status for a in held[t]}))
        lost = [
            f"no node for {role} {name!r}" for role, name in (("subject", t[0]), ("object", t[2])) if name not in named
        ]
        return "; ".join(lost) or "entities found, no statement"

    time_correct = time_total = n_compatible = ev_found = ev_total = 0
    time_errors: list[TimeMismatch] = []
    seen: set[Triple] = set()
    for rel in gold.relations:
        t = rel.triple
        if t not in tp or t in seen:
            continue
        seen.add(t)
        sup = support.get(t, [])
        if rel.time is not None:
            time_total += 1
            want = norm(rel.time)
            if any(rel.time in a.times or want in {norm(x) for x in a.time_texts} for a in sup):
                time_correct += 1
                n_compatible += 1
            else:
                given = sorted({x for a in sup for x in a.times} | {x for a in sup for x in a.time_texts})
                near = any(time_compatible(rel.time, x) for a in sup for x in a.times)
                n_compatible += near
                time_errors.append(TimeMismatch(t, rel.time, tuple(given), near))
        if rel.evidence:
            ev_total += 1
            want_ev = _collapse(rel.evidence)
            if any(want_ev in _collapse(e) for a in sup for e in a.evidence):
                ev_found += 1

    # Type accuracy over every matched typed (or related) node.
    candidates = set(facts.types) | {n for s, _, o in facts.triples for n in (s, o)}
    type_correct = type_total = 0
    type_errors: list[TypeMismatch] = []
    for node in sorted(candidates, key=str):
        m = match(node)
        if m is None:
            continue
        type_total += 1
        got = facts.types.get(node, frozenset())
        want_type = gold.entities[m].type
        if got == {want_type}:
            type_correct += 1
        else:
            type_errors.append(TypeMismatch(_node_name(node), tuple(sorted(got)), m, want_type))

    missed = tuple(sorted(req - tp))
    wrong = tuple(sorted(counted - req))
    return TextScore(
        name=gold.name,
        tp=len(tp),
        sys=len(counted),
        gold=len(req),
        missed=missed,
        wrong=wrong,
        frag_nodes=sum(len(v) for v in frag.values()),
        frag_ents=len(frag),
        time_correct=time_correct,
        time_total=time_total,
        time_compatible=n_compatible,
        type_correct=type_correct,
        type_total=type_total,
        evidence_found=ev_found,
        evidence_total=ev_total,
        type_errors=tuple(type_errors),
        time_errors=tuple(time_errors),
        has_graph=has_graph,
        found=tuple(sorted(tp)),
        missed_why=tuple(why_missed(t) for t in missed),
        wrong_rules=tuple(tuple(sorted({r for a in support.get(t, []) for r in a.rules})) for t in wrong),
        entities=score_entities(gold, facts),
    )


def _matched_names(node: Node, facts: GraphFacts, alias: Mapping[str, set[str]]) -> frozenset[str]:
    """The node's normalised labels that are gold aliases; when there are none, its IRI's local name if that
    is one (rule 2 of the module docstring)."""
    names = frozenset(lab for lab in facts.labels.get(node, ()) if lab in alias)
    if names:
        return names
    fallback = norm(local_name(str(node)).replace("_", " "))
    return frozenset((fallback,)) if fallback in alias else frozenset()


def score_entities(gold: Gold, facts: GraphFacts) -> EntityScore:
    """Entity quality of a graph against a gold file: alias and entity recall, merges, splits, missed aliases.

    Parameters
    ----------
    gold : Gold
        The gold entities and their aliases.
    facts : GraphFacts
        What :func:`graph_facts` read from the text's graph.

    Returns
    -------
    EntityScore
        Counts for graph entities in relation triples and for all graph entities, and the merges, splits
        and missed aliases behind them (definitions in the module docstring).

    Examples
    --------
    One node carries the names of two gold entities, and a third gold entity is named by two nodes:

    >>> g = parse_gold({"entities": {
    ...     "Ann Lee": {"type": "Person", "aliases": ["Ann Lee", "Lee"]},
    ...     "Lee Front": {"type": "Group", "aliases": ["Lee Front"]},
    ...     "Oakport": {"type": "Place", "aliases": ["Oakport", "the harbour town"]}}, "relations": []}, "t")
    >>> a, p1, p2 = (URIRef(f"urn:x:{n}") for n in ("a", "p1", "p2"))
    >>> labels = {a: frozenset({"lee", "lee front"}), p1: frozenset({"oakport"}), p2: frozenset({"harbour town"})}
    >>> s = score_entities(g, GraphFacts(frozenset({(a, "controls", p1)}), labels, {}))
    >>> s.all_entities
    EntityCounts(alias_found=4, alias_total=5, entity_found=3, entity_total=3, merges=1, splits=1)
    >>> s.merges[0].gold
    (('Ann Lee', ('lee',)), ('Lee Front', ('lee front',)))
    >>> [(n.node, n.in_relations) for n in s.splits[0].nodes]
    [('<urn:x:p1>', True), ('<urn:x:p2>', False)]
    >>> s.in_relations.splits, s.alias_misses[0].missed
    (0, ('Ann Lee',))
    """
    alias = gold.alias_index()
    related = {n for s, _, o in facts.triples for n in (s, o)}
    population = sorted(set(facts.labels) | set(facts.types) | related, key=str)
    # gold entity -> node -> the node's names that are aliases of that gold entity
    by_gold: dict[str, dict[Node, tuple[str, ...]]] = {}
    merged: list[Node] = []
    merges: list[Merge] = []
    for node in population:
        per_gold: dict[str, list[str]] = {}
        for name in sorted(_matched_names(node, facts, alias)):
            for g in alias[name]:
                per_gold.setdefault(g, []).append(name)
        for g, names in per_gold.items():
            by_gold.setdefault(g, {})[node] = tuple(names)
        if len(per_gold) > 1:
            merged.append(node)
            merges.append(
                Merge(_node_name(node), tuple((g, tuple(n)) for g, n in sorted(per_gold.items())), node in related)
            )
    splits = tuple(
        Split(g, tuple(NodeMatch(_node_name(n), names, n in related) for n, names in nodes.items()))
        for g, nodes in sorted(by_gold.items())
        if len(nodes) > 1
    )

    def carried(in_population: Callable[[Node], bool]) -> set[str]:
        return {name for nodes in by_gold.values() for n, names in nodes.items() if in_population(n) for name in names}

    def counts(in_population: Callable[[Node], bool]) -> EntityCounts:
        carries = carried(in_population)
        return EntityCounts(
            alias_found=sum(len(_aliases(e).keys() & carries) for e in gold.entities.values()),
            alias_total=sum(len(_aliases(e)) for e in gold.entities.values()),
            entity_found=sum(any(map(in_population, by_gold.get(e, {}))) for e in gold.entities),
            entity_total=len(gold.entities),
            merges=sum(map(in_population, merged)),
            splits=sum(sum(map(in_population, nodes)) > 1 for nodes in by_gold.values()),
        )

    anywhere, in_relations = carried(lambda _: True), carried(related.__contains__)
    in_gold = {name for r in gold.relations for name in (r.subject, r.object)}
    misses: list[AliasMiss] = []
    for e in sorted(gold.entities.values(), key=lambda e: e.name):
        spelt = _aliases(e)
        missed = tuple(spelt[a] for a in spelt if a not in anywhere)
        outside = tuple(spelt[a] for a in spelt if a in anywhere and a not in in_relations)
        if missed or outside:
            misses.append(AliasMiss(e.name, missed, outside, e.name in in_gold))
    return EntityScore(
        in_relations=counts(related.__contains__),
        all_entities=counts(lambda _: True),
        merges=tuple(merges),
        splits=splits,
        alias_misses=tuple(misses),
    )


def _aliases(ent: GoldEntity) -> dict[str, str]:
    """A gold entity's normalised aliases (canonical name included), each with its first spelling in the gold."""
    out: dict[str, str] = {}
    for a in (ent.name, *ent.aliases):
        out.setdefault(norm(a), a)
    return out


@dataclass(frozen=True)
class Report:
    """Scores of several texts and their micro-averages (counts summed over texts, then divided)."""

    texts: tuple[TextScore, ...] = field(default_factory=tuple)

    def _sum(self, attr: str) -> int:
        return sum(int(getattr(t, attr)) for t in self.texts)

    @property
    def micro(self) -> tuple[float, float, float]:
        """Micro-averaged (precision, recall, F1)."""
        return prf(self._sum("tp"), self._sum("sys"), self._sum("gold"))

    @property
    def fragmentation(self) -> float:
        """Graph entities per matched gold entity over all texts (1.0 is perfect; 0.0 when nothing matched)."""
        ents = self._sum("frag_ents")
        return self._sum("frag_nodes") / ents if ents else 0.0

    @property
    def time_accuracy(self) -> float | None:
        return _ratio(self._sum("time_correct"), self._sum("time_total"))

    @property
    def time_compatible(self) -> float | None:
        """Like :attr:`time_accuracy`, also counting times that agree at the coarser precision."""
        return _ratio(self._sum("time_compatible"), self._sum("time_total"))

    @property
    def type_accuracy(self) -> float | None:
        return _ratio(self._sum("type_correct"), self._sum("type_total"))

    @property
    def evidence_overlap(self) -> float | None:
        return _ratio(self._sum("evidence_found"), self._sum("evidence_total"))

    def entity_counts(self, in_relations: bool = True) -> EntityCounts:
        """Entity counts summed over texts: of graph entities in relation triples, or of all graph entities."""
        total = EntityCounts()
        for t in self.texts:
            total += t.entities.in_relations if in_relations else t.entities.all_entities
        return total

    def entity_line(self) -> str:
        """The entity summary line (the line before :meth:`summary_line` in the table)."""
        return "entities " + _entity_figures(self.entity_counts(True), self.entity_counts(False), micro=True)

    def by_relation(self) -> dict[str, tuple[int, int, int]]:
        """(true positives, system triples, gold triples) per relation, summed over texts."""
        out: dict[str, tuple[int, int, int]] = {}
        for rel in RELATIONS:
            tp = sum(1 for t in self.texts for x in t.found if x[1] == rel)
            wrong = sum(1 for t in self.texts for x in t.wrong if x[1] == rel)
            missed = sum(1 for t in self.texts for x in t.missed if x[1] == rel)
            out[rel] = (tp, tp + wrong, tp + missed)
        return out

    def summary_line(self) -> str:
        """The last line of every report: ``micro P=0.xxx R=0.xxx F1=0.xxx fragmentation=1.xx``."""
        p, r, f = self.micro
        return f"micro P={p:.3f} R={r:.3f} F1={f:.3f} fragmentation={self.fragmentation:.2f}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; per-text entries carry score.py's keys plus the extra measures."""
        texts: dict[str, Any] = {}
        for t in self.texts:
            p, r, f = prf(t.tp, t.sys, t.gold)
            texts[t.name] = {
                "P": p,
                "R": r,
                "F1": f,
                "tp": t.tp,
                "sys": t.sys,
                "gold": t.gold,
                "found": [list(x) for x in t.found],
                "missed": [list(x) for x in t.missed],
                "wrong": [list(x) for x in t.wrong],
                "missed_why": list(t.missed_why),
                "wrong_rules": [list(r) for r in t.wrong_rules],
                "frag_nodes": t.frag_nodes,
                "frag_ents": t.frag_ents,
                "time": {"correct": t.time_correct, "compatible": t.time_compatible, "total": t.time_total},
                "type": {"correct": t.type_correct, "total": t.type_total},
                "evidence": {"found": t.evidence_found, "total": t.evidence_total},
                "type_errors": [
                    {"node": e.node, "graph_types": list(e.graph_types), "gold": e.gold, "gold_type": e.gold_type}
                    for e in t.type_errors
                ],
                "time_errors": [
                    {
                        "triple": list(e.triple),
                        "gold_time": e.gold_time,
                        "graph_times": list(e.graph_times),
                        "compatible": e.compatible,
                    }
                    for e in t.time_errors
                ],
                "has_graph": t.has_graph,
                "entities": t.entities.to_dict(),
            }
        p, r, f = self.micro
        return {
            "texts": texts,
            "micro": {
                "P": p,
                "R": r,
                "F1": f,
                "fragmentation": self.fragmentation,
                "time_accuracy": self.time_accuracy,
                "time_compatible": self.time_compatible,
                "type_accuracy": self.type_accuracy,
                "evidence_overlap": self.evidence_overlap,
                "entities": {
                    "in_relations": self.entity_counts(True).to_dict(),
                    "all": self.entity_counts(False).to_dict(),
                },
                "by_relation": {
                    rel: dict(zip(("tp", "sys", "gold"), counts, strict=True))
                    for rel, counts in self.by_relation().items()
                },
            },
        }


def _frac(num: int, den: int) -> str:
    return f"{num}/{den}" if den else "-"


def _entity_figures(related: EntityCounts, every: EntityCounts, micro: bool = False) -> str:
    """``in relations: ... | all: ...`` for a text's line (counts) or the micro line (recalls and counts)."""

    def one(c: EntityCounts) -> str:
        if micro:
            ar = "-" if c.alias_recall is None else f"{c.alias_recall:.3f}"
            er = "-" if c.entity_recall is None else f"{c.entity_recall:.3f}"
            return (
                f"alias recall={ar} ({c.alias_found}/{c.alias_total}) entity recall={er}"
                f" ({c.entity_found}/{c.entity_total}) merges={c.merges} splits={c.splits}"
            )
        return (
            f"aliases={c.alias_found}/{c.alias_total} entities={c.entity_found}/{c.entity_total}"
            f" merges={c.merges} splits={c.splits}"
        )

    return f"in relations: {one(related)} | all: {one(every)}"


def _entity_details(e: EntityScore) -> list[str]:
    """Detail lines for a text's merges, splits and missed aliases (labels shown normalised, as matched)."""

    def quoted(xs: Iterable[str]) -> str:
        return ", ".join(repr(x) for x in xs)

    def outside(in_relations: bool) -> str:
        return "" if in_relations else " [in no relation]"

    lines = [
        f"    merge  {_short(m.node)} carries "
        + " + ".join(f"{g} ({quoted(labels)})" for g, labels in m.gold)
        + outside(m.in_relations)
        for m in e.merges
    ]
    lines.extend(
        f"    split  {sp.gold} over "
        + ", ".join(f"{_short(n.node)} ({quoted(n.labels)}){outside(n.in_relations)}" for n in sp.nodes)
        for sp in e.splits
    )
    for a in e.alias_misses:
        parts = ([f"missed {quoted(a.missed)}"] if a.missed else []) + (
            [f"in no relation {quoted(a.outside_relations)}"] if a.outside_relations else []
        )
        lines.append(
            f"    alias  {a.gold}: " + "; ".join(parts) + ("" if a.in_gold_relations else "  [no gold relation]")
        )
    return lines


def format_table(report: Report) -> str:
    """The human report: a line per text, its entity figures, its missed / wrong triples, type / time errors,
    merges, splits and missed aliases; then the micro-averages, the entity line, and last
    :meth:`Report.summary_line`."""
    lines: list[str] = []
    for t in report.texts:
        frag = f"{t.frag_nodes / t.frag_ents:.2f}" if t.frag_ents else "-"
        lines.append(
            f"{t.name:40s} P={t.precision:.2f} R={t.recall:.2f} F1={t.f1:.2f}  tp={t.tp} sys={t.sys} gold={t.gold}"
            f"  frag={frag} time={_frac(t.time_correct, t.time_total)}"
            f" type={_frac(t.type_correct, t.type_total)} evidence={_frac(t.evidence_found, t.evidence_total)}"
            + ("" if t.has_graph else "  (no graph)")
        )
        lines.append("    entities " + _entity_figures(t.entities.in_relations, t.entities.all_entities))
        lines.extend(f"    missed {x}  [{why}]" for x, why in zip(t.missed, t.missed_why, strict=True))
        for x, rules in zip(t.wrong, t.wrong_rules, strict=True):
            lines.append(f"    wrong  {x}" + (f"  [rule {', '.join(rules)}]" if rules else ""))
        for te in t.time_errors:
            near = " (compatible)" if te.compatible else ""
            lines.append(
                f"    time   {te.triple}: gold {te.gold_time}, graph {', '.join(te.graph_times) or 'none'}{near}"
            )
        for ye in t.type_errors:
            got = "/".join(ye.graph_types) or "untyped"
            lines.append(f"    type   {_short(ye.node)} is {got}, gold {ye.gold_type}")
        lines.extend(_entity_details(t.entities))

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    for rel, (tp, sys_n, gold_n) in report.by_relation().items():
        p, r, f = prf(tp, sys_n, gold_n)
        lines.append(f"{rel:<12} P={p:.3f} R={r:.3f} F1={f:.3f}  tp={tp} sys={sys_n} gold={gold_n}")
    lines.append(
        f"time accuracy={pct(report.time_accuracy)} ({_frac(report._sum('time_correct'), report._sum('time_total'))};"
        f" compatible {_frac(report._sum('time_compatible'), report._sum('time_total'))})"
        f"  type accuracy={pct(report.type_accuracy)}"
        f" ({_frac(report._sum('type_correct'), report._sum('type_total'))})"
        f"  evidence overlap={pct(report.evidence_overlap)}"
        f" ({_frac(report._sum('evidence_found'), report._sum('evidence_total'))})"
    )
    lines.append(report.entity_line())
    lines.append(report.summary_line())
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> str:
    """The report as JSON (one object, sorted keys, no trailing summary line)."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n"


# ------------------------------------------------------------------------------------------------ drivers

#: Suffixes tried, in order, for a prebuilt graph NAME.<suffix> in ``--graphs DIR``.
GRAPH_SUFFIXES: tuple[str, ...] = (".ttl", ".nt", ".jsonld", ".trig", ".oxigraph")


def find_graph(graph_dir: Path, name: str) -> Path | None:
    """The prebuilt graph for text ``name`` in ``graph_dir`` (``NAME.ttl`` first), or ``None``."""
    for suffix in GRAPH_SUFFIXES:
        path = graph_dir / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def score_graphs(gold_paths: Sequence[Path], graph_dir: Path) -> Report:
    """Score prebuilt graphs against gold files.

    Parameters
    ----------
    gold_paths : Sequence[Path]
        ``NAME.gold.json`` files.
    graph_dir : Path
        Folder holding ``NAME.ttl`` (or ``NAME`` with another RDF suffix, see :data:`GRAPH_SUFFIXES`).

    Returns
    -------
    Report
        One score per gold file; a missing graph scores as an empty one and is marked, as the reference
        scorer does.
    """
    from kg.rdf.store import load_graph

    if not graph_dir.is_dir():
        raise KGError(f"{graph_dir}: no such folder; pass the folder holding NAME.ttl graphs")
    scores: list[TextScore] = []
    for path in gold_paths:
        gold = load_gold(path)
        found = find_graph(graph_dir, gold.name)
        if found is None:
            scores.append(score_graph(gold, GraphFacts(frozenset(), {}, {}), has_graph=False))
        else:
            scores.append(score_graph(gold, graph_facts(load_graph(found))))
    return Report(tuple(scores))


def text_for(gold_path: Path) -> Path:
    """The ``NAME.txt`` beside ``NAME.gold.json``; ``KGError`` when it is missing."""
    text = gold_path.with_name(gold_path.name.removesuffix(GOLD_SUFFIX) + ".txt")
    if not text.is_file():
        raise KGError(f"{gold_path}: no {text.name} beside it to build; add the text or score graphs with --graphs")
    return text


def build_and_score(
    gold_paths: Sequence[Path],
    min_confidence: float = 0.0,
    keep: Path | None = None,
    progress: Iterable[Path] | None = None,
) -> Report:
    """Build each gold file's ``NAME.txt`` alone and score the graph.

    Parameters
    ----------
    gold_paths : Sequence[Path]
        ``NAME.gold.json`` files, each with ``NAME.txt`` beside it.
    min_confidence : float
        Passed to :func:`kg.build.build_graph`.
    keep : Path or None
        When given, each built graph is also written to ``keep/NAME.ttl`` (to score with other tools).
    progress : Iterable[Path] or None
        An iterable over ``gold_paths`` to drive instead (e.g. a progress bar).
    """
    from kg.build import build_graph
    from kg.inputs import Source, read
    from kg.rdf.store import write_graph

    golds = [(load_gold(p), text_for(p)) for p in gold_paths]  # fail on any bad gold before building
    by_path = {p: g for p, g in zip(gold_paths, golds, strict=True)}
    scores: list[TextScore] = []
    for path in progress if progress is not None else gold_paths:
        gold, text = by_path[path]
        graph, _ = build_graph([read(Source(str(text), text))], min_confidence=min_confidence)
        if keep is not None:
            write_graph(graph, keep / f"{gold.name}.ttl")
        scores.append(score_graph(gold, graph_facts(graph)))
    return Report(tuple(scores))

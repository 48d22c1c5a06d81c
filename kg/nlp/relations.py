"""Relations from the lexicon (``ontology/lexicon.toml``) over the enhanced graph (``kg.nlp.enhanced``).

``find_relations(doc, index)`` reads the entity index (``kg.nlp.entities``) for arguments and returns
``Relation``\\ s with evidence, rule id, confidence, polarity/modality (``kg.nlp.modality``), speaker and time
(``kg.nlp.timex``). Each construction kind of the lexicon is one matcher here, and every matcher reads the same
normalised graph: a subject shared by conjoined verbs, a relative pronoun's antecedent, a controlled subject or
a passive agent the parser hung low are arcs of that graph, so each construction is written once for every
relation. Triggers are matched by base form whatever the tagger's part of speech when the frame fits ("retook"
tagged as a noun but with an object is a verb).

An argument is the entity the index gives its token; failing that, what the phrase stands for: the city of
"the gates of X", the place of "most of X" or "a part of X", the actor behind "an operation" ("launched an
operation to retake X"), a name in apposition, and finally an unnamed actor or place named by its phrase
(``EntityIndex.promote``). Pass ``rejected=[]`` to learn which candidates were dropped and why, and
``trace={}`` to learn which enhanced arcs each statement rests on (``kg explain`` shows both).

A capture that is only under way or intended ("launched an operation to retake X", "are helping troops retake
X") is an advance on X, with control of X left planned.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from spacy.tokens import Doc, Token

from kg.model import Evidence, Relation, period_end, period_start
from kg.nlp.enhanced import Arc, DepGraph
from kg.nlp.entities import EntityIndex, load_entity_lexicon
from kg.nlp.lexicon import Lexicon, Rule, load_lexicon
from kg.nlp.modality import Weight, weigh
from kg.nlp.timex import TimeIndex, Timex, dateline_span
from kg.nlp.tokens import Sent
from kg.rdf.namespace import AGENT_TYPES, ENTITY_TYPES, PLACE_TYPES

#: Prepositions that open or close the interval a statement gives ("from 1998", "since May", "until 2004").
_INTERVAL_START = frozenset({"from", "since"})
_INTERVAL_END = frozenset({"until", "till", "through", "to", "thru"})
#: How many sentences back, within a paragraph, a statement with no time of its own takes the narrative's.
_NARRATIVE_SENTENCES = 3

_VERBAL = ("VERB", "AUX")
_NOMINAL = ("NOUN", "PROPN")
#: Dependents that are clauses of their own: their times belong to their own events.
_OWN_CLAUSES = frozenset({"relcl", "ccomp", "parataxis"})
#: Particles that turn a movement verb into a withdrawal ("pushed back to", "pulled out to").
_RETREAT_PARTICLES = frozenset({"back", "away", "off", "out"})
#: Governor effects whose verb's subject speaks or looks on rather than acts ("urged", "feared", "reported").
_OBSERVING = frozenset({"reported", "Feared", "Claimed", "Urged", "Questioned"})
_RELATIVES = frozenset({"who", "which", "that", "whom"})


@dataclass(frozen=True)
class Rejection:
    """A candidate the rules matched but did not keep, with the reason (for ``kg explain``). For a wrong argument
    type, ``entity`` and ``wanted`` ("Agent" or "Place") say which entity the rule would have needed retyped:
    evidence entity typing can use ("captured X" says X is a place)."""

    sentence: int
    start: int
    trigger: str
    rule: str
    reason: str
    entity: str | None = None
    wanted: str | None = None


@dataclass(frozen=True)
class _Arg:
    key: str
    token: Token
    implicit: bool = False
    via: tuple[Arc, ...] = field(default=(), compare=False)

    @property
    def pronoun(self) -> bool:
        return self.token.pos_ == "PRON"

    def through(self, arcs: Iterable[Arc]) -> _Arg:
        return _Arg(self.key, self.token, self.implicit, (*self.via, *(a for a in arcs if a.why)))


@dataclass(frozen=True)
class _Tables:
    """What the finder reads of a lexicon besides its rules' fields: word sets and rules by trigger word."""

    through_nouns: frozenset[str]
    parts: frozenset[str]
    place_heads: frozenset[str]
    containers: frozenset[str]
    event_nouns: frozenset[str]
    achievements: frozenset[str]
    attachment_verbs: frozenset[str]
    present: frozenset[str]
    sequels: frozenset[str]
    expected: frozenset[str]
    elaborations: tuple[tuple[str, ...], ...]
    region_words: frozenset[str]
    light_nouns: frozenset[str]
    observers: frozenset[str]
    actual_governors: frozenset[str]
    verb_rules: dict[str, list[Rule]]
    noun_rules: dict[str, list[Rule]]
    adj_rules: dict[str, list[Rule]]
    #: confidence_pronoun, confidence_implicit, distant_tokens, confidence_distant
    confidence_numbers: tuple[float, float, float, float]
    #: every word some rule is triggered by (as its base form)
    triggers: frozenset[str]


#: Tables per lexicon, made once: every document asked the lexicon for the same sets again (a tenth of the
#: relation passes). A lexicon is compared and hashed by identity, and dropped here when nothing else holds it.
_TABLES: weakref.WeakKeyDictionary[Lexicon, _Tables] = weakref.WeakKeyDictionary()


def _tables(lex: Lexicon) -> _Tables:
    found = _TABLES.get(lex)
    if found is not None:
        return found
    verb_rules: dict[str, list[Rule]] = defaultdict(list)
    noun_rules: dict[str, list[Rule]] = defaultdict(list)
    adj_rules: dict[str, list[Rule]] = defaultdict(list)
    for rule in lex.rules:
        if rule.construction == "noun":
            for w in rule.nouns:
                noun_rules[w].append(rule)
        elif rule.construction == "hyphen-adjective":
            for w in rule.lemmas:
                adj_rules[w].append(rule)
        else:
            for w in rule.lemmas:
                verb_rules[w].append(rule)
    words = partial(lex.words, "arguments")
    found = _TABLES[lex] = _Tables(
        through_nouns=words("through_nouns"),
        parts=words("part_nouns"),
        place_heads=words("place_heads"),
        containers=words("container_preps"),
        event_nouns=words("event_nouns"),
        achievements=words("achievement_verbs"),
        attachment_verbs=words("attachment_verbs"),
        present=words("present_adverbs"),
        sequels=words("sequel_modifiers"),
        expected=words("expected_modifiers"),
        elaborations=tuple(tuple(cue.split()) for cue in sorted(words("elaboration_cues"), key=lambda c: (-len(c), c))),
        region_words=words("region_modifiers"),
        light_nouns=frozenset(n for r in lex.rules if r.construction == "light-verb" for n in r.nouns),
        observers=words("observer_verbs")
        | frozenset(w for g in lex.governors if g.effect in _OBSERVING and g.governs_objects for w in g.verbs),
        actual_governors=frozenset(w for g in lex.governors if g.effect == "actual" for w in g.verbs),
        # plain dicts: a shared defaultdict would grow a key for every word looked up with []
        verb_rules=dict(verb_rules),
        noun_rules=dict(noun_rules),
        adj_rules=dict(adj_rules),
        confidence_numbers=(
            lex.number("confidence_pronoun", 0.1),
            lex.number("confidence_implicit", 0.15),
            lex.number("distant_tokens", 12),
            lex.number("confidence_distant", 0.1),
        ),
        triggers=frozenset(verb_rules) | frozenset(noun_rules) | frozenset(adj_rules),
    )
    return found


class _Finder:
    """Matches every rule of the lexicon in one parsed document."""

    def __init__(self, doc: Doc, graph: DepGraph, index: EntityIndex, lex: Lexicon, times: TimeIndex | None) -> None:
        self.doc = doc
        self.g = graph
        self.toks = graph.toks
        self.index = index
        self.lex = lex
        self.text = graph.text
        self.times = times if times is not None else TimeIndex(self.text, exclude=name_spans(doc, index, self.toks))
        self.dateline = dateline_span(self.text)
        self.elex = load_entity_lexicon()
        self.nationals = self._national_entities()
        self.names: dict[str, str] | None = None
        self.side_mentions: defaultdict[str, list[tuple[int, str]]] | None = None
        self.clause_heads: dict[int, list[Token]] = {}
        self.sents = graph.sents
        self.sent_of: list[int] = [0] * len(doc)
        for i, sent in enumerate(self.sents):
            self.sent_of[sent.start : sent.end] = [i] * (sent.end - sent.start)
        t = _tables(lex)
        self.through_nouns, self.parts, self.place_heads = t.through_nouns, t.parts, t.place_heads
        self.containers, self.event_nouns, self.achievements = t.containers, t.event_nouns, t.achievements
        self.attachment_verbs, self.present, self.sequels = t.attachment_verbs, t.present, t.sequels
        self.expected, self.elaborations, self.region_words = t.expected, t.elaborations, t.region_words
        self.light_nouns, self.observers, self.actual_governors = t.light_nouns, t.observers, t.actual_governors
        self.verb_rules, self.noun_rules, self.adj_rules = t.verb_rules, t.noun_rules, t.adj_rules
        self.confidence_numbers, self.triggers = t.confidence_numbers, t.triggers
        # what a trigger's rules all ask again: whether the verb is passive, its particles, the statement's weight
        self._passive: dict[int, bool] = {}
        self._particles: dict[int, set[str]] = {}
        self._weights: dict[int, Weight] = {}
        self.relations: list[Relation] = []
        self.rejected: list[Rejection] = []
        self.trace: dict[int, tuple[Arc, ...]] = {}
        self.trigger_at: dict[int, int] = {}  # statement number -> its trigger token

    # ------------------------------------------------------------------ driving
    def run(self) -> list[Relation]:
        verb_rules, noun_rules, adj_rules, toks = self.verb_rules, self.noun_rules, self.adj_rules, self.toks
        triggers = self.triggers
        for tok, base in zip(toks, self.g.lemmas, strict=True):
            if base not in triggers and tok.lower_ not in noun_rules:
                continue  # most words trigger no rule (the tests below would all fail)
            if base in verb_rules and self._verbal(tok):
                for rule in verb_rules[base]:
                    self._verb(rule, tok)
            # the rules first: the frame tests below are pure, and most words trigger nothing
            nouns = noun_rules.get(base, ()) or noun_rules.get(tok.lower_, ())
            if nouns and (
                (tok.pos_ in _NOMINAL and not self._headline_verb(tok)) or (tok.pos_ == "VERB" and self._nominal(tok))
            ):
                for rule in nouns:
                    self._noun(rule, tok)
            if base in adj_rules and tok.i >= 2 and toks[tok.i - 1].text == "-":
                for rule in adj_rules[base]:
                    self._hyphen(rule, tok)
        self._captured_holders()
        # one statement per trigger: "closed in on X" matches two rules; the more confident one stays
        best: dict[tuple[str, str, str, int, str], tuple[int, Relation]] = {}
        for n, rel in enumerate(self.relations):
            k = (rel.subject, rel.predicate, rel.object, rel.evidence.start, rel.evidence.trigger)
            if k not in best or rel.confidence > best[k][1].confidence:
                best[k] = (n, rel)
        kept = sorted(best.values(), key=lambda x: x[0])
        self.trace = {id(rel): self.trace.get(n, ()) for n, rel in kept}
        return [rel for _n, rel in kept]

    def _captured_holders(self) -> None:
        """ "X took Y, the last town still held by Z": in a sentence that reports a capture of a place, a holder
        named in a description of that place held it until the capture (its hold ends there)."""
        captures = [
            r
            for n, r in enumerate(self.relations)
            if r.predicate == "controls"
            and not r.ends
            and not r.negated
            and r.modality == "Actual"
            and self.g.lemmas[self.trigger_at[n]] in self.achievements
        ]
        for n, r in enumerate(self.relations):
            if r.predicate != "controls" or r.ends or r.negated:
                continue
            if self.g.lemmas[self.trigger_at[n]] in self.achievements or not any(
                a.why in ("reduced-relative", "relative") for a in self.trace.get(n, ())
            ):
                continue
            for c in captures:
                if c.object == r.object and c.subject != r.subject and c.evidence.start == r.evidence.start:
                    self.relations[n] = replace(r, ends=True, time=c.time, time_text=c.time_text)
                    break

    def _verbal(self, tok: Token) -> bool:
        """A verb, or a word the tagger took for something else that the parser gave a verb's frame."""
        if tok.pos_ in _VERBAL:
            return True
        if tok.pos_ not in ("NOUN", "PROPN", "ADJ"):
            return False
        if any(a.why in ("headline", "shared-subject", "gerund") for a in self.g.deps(tok.i, "nsubj", "obj")):
            return True  # "Rebels seize X" in a headline; "supporting and training X" with a gerund
        deps = {c.dep_ for c in tok.children}
        return bool(deps & {"nsubjpass", "auxpass", "agent", "aux"}) or ("dobj" in deps and "nsubj" in deps)

    def _headline_verb(self, tok: Token) -> bool:
        return any(a.why == "headline" for a in self.g.deps(tok.i, "nsubj"))

    def _nominal(self, tok: Token) -> bool:
        """A gerund or participle the tagger took for a verb but that heads a noun phrase ("the shelling of X")."""
        return any(c.dep_ == "det" for c in tok.children) and bool(self.g.deps(tok.i, "prep:of"))

    # ------------------------------------------------------------------ arguments
    def _sent(self, tok: Token) -> Sent:
        return self.sents[self.sent_of[tok.i]]

    def _in_dateline(self, tok: Token) -> bool:
        return self.dateline is not None and self.dateline[0] <= tok.idx < self.dateline[1]

    def _entity(self, tok: Token) -> str | None:
        if self._in_dateline(tok):
            return None
        key = self.index.entity_at(tok.i)
        if key is None and (tok.pos_ == "PROPN" or (tok.is_upper and len(tok.text) > 1)):
            key = self._by_name(tok)
        if key is None and tok.dep_ in ("amod", "compound", "nmod") and tok.lower_ in self.elex.sides:
            key = self._side_word(tok)
        if key is None and self.nationals and tok.dep_ in ("amod", "compound", "nmod", "npadvmod"):
            # "in Russian hands", "under Turkish control", "Russian-held": a nationality word stands for that
            # state's forces (or the state) when the text names them elsewhere
            state = self.elex.state_by_adjective(tok.text)
            if state is not None and tok.text[:1].isupper():
                key = self.nationals.get(state.names[0])
        return key

    def _side_word(self, tok: Token) -> str | None:
        """A side word used as a modifier ("the rebel stronghold of X") means the group the same word names
        elsewhere in the text ("the rebels"): the nearest such mention before it, else after it."""
        if self.side_mentions is None:
            self.side_mentions = defaultdict(list)
            for i, key in sorted(self.index.token_entity.items()):
                t = self.toks[i]
                if t.lower_ in self.elex.sides and self.index.type_of(key) == "Group":
                    self.side_mentions[t.lemma_.lower()].append((i, key))
        seen = self.side_mentions.get(tok.lemma_.lower(), [])
        before = [key for i, key in seen if i < tok.i]
        if before:
            return before[-1]
        return seen[0][1] if seen else None

    def _by_name(self, tok: Token) -> str | None:
        """A name the NER missed here but the index knows from elsewhere: the run of proper nouns around the
        token, spelled as an alias."""
        if self.names is None:
            self.names = {}
            ambiguous: set[str] = set()
            for key, ent in self.index.entities.items():
                for form in {key, *ent.aliases}:
                    if not form[:1].isupper():
                        continue
                    if self.names.get(form, key) != key:
                        ambiguous.add(form)
                    self.names[form] = key
            for form in ambiguous:
                del self.names[form]
        sent = self._sent(tok)
        start = end = tok.i
        while start > sent.start and self.toks[start - 1].pos_ == "PROPN":
            start -= 1
        while end + 1 < sent.end and self.toks[end + 1].pos_ == "PROPN":
            end += 1
        if any(self.index.entity_at(i) is not None for i in range(start, end + 1)):
            return None
        return self.names.get(self.doc[start : end + 1].text)

    def _national_entities(self) -> dict[str, str]:
        """State name -> the entity standing for that state's side: its "<nationality> forces", else the state."""
        out: dict[str, str] = {}
        for key, ent in sorted(self.index.entities.items()):
            if ent.type not in AGENT_TYPES or not ent.mentions:
                continue
            forces = key.lower().endswith(" forces")
            state = self.elex.state_by_adjective(key[:-7]) if forces else self.elex.state_by_name(key)
            if state is not None and (forces or state.names[0] not in out):
                out[state.names[0]] = key
        return out

    def _args(self, arcs: list[Arc], agent: bool, depth: int = 0) -> list[_Arg]:
        """The entities the dependents of ``arcs`` name (best arcs first, duplicates dropped). A lower-ranked
        alternative arc counts only when the better ones named nothing that can play the role ("After taking X,
        the city was surrounded by Y": the city cannot have taken X, so Y did)."""
        by_rank: dict[int, list[_Arg]] = {}
        for a in arcs:
            by_rank.setdefault(a.rank, []).extend(x.through([a]) for x in self._np(self.toks[a.dep], agent, depth))
        chosen: list[_Arg] = []
        for rank in sorted(by_rank):
            found = by_rank[rank]
            if any(self._fits(x, agent) for x in found):
                chosen = found
                break
            if found and not chosen:
                chosen = found
        seen: set[str] = set()
        return [x for x in chosen if not (x.key in seen or seen.add(x.key))]  # type: ignore[func-returns-value]

    def _fits(self, arg: _Arg, agent: bool) -> bool:
        etype = self.index.type_of(arg.key)
        if not agent:
            return etype in PLACE_TYPES or etype in AGENT_TYPES
        return etype in AGENT_TYPES and not (arg.token.pos_ in ("PRON", "NOUN") and self._is_city(arg.key))

    def _np(self, tok: Token, agent: bool, depth: int = 0) -> list[_Arg]:
        """Entities a noun phrase headed by ``tok`` names."""
        if depth > 4 or (tok.lower_ in _RELATIVES and tok.tag_ in ("WP", "WDT", "WP$")):
            return []  # a relative pronoun's antecedent has arcs of its own in the enhanced graph
        key = self._entity(tok)
        if key is not None and agent and self._in_dateline(tok.head) and tok.dep_ == "appos":
            key = None  # words the parser tied to a dateline's place are not that place
        if key is not None:
            if not agent and self._part_of(tok, key):
                return []  # "the north of Mali" is not Mali
            out = [_Arg(key, tok)]
            if agent:
                # "Hezbollah, Malian Army at the gates of X" (a headline's comma): another agent in apposition
                for a in [*self.g.deps(tok.i, "appos"), *self.g.heads(tok.i, "appos")]:
                    other = a.dep if a.head == tok.i else a.head
                    k = self._entity(self.toks[other])
                    if k is None and a.why == "conj" and a.head == tok.i:
                        # "A fighters, B militias and student brigades": the parser's apposition is a list
                        k = self.index.promote(other, True)
                    if k is not None and k != key and self.index.type_of(k) in AGENT_TYPES:
                        out.append(_Arg(k, self.toks[other], False, (a,)))
                # "troops of the 5th Brigade and the police": members of each coordinated owner
                for a in self.g.deps(tok.i, "prep:of", "prep:from"):
                    owner = self.toks[a.dep]
                    if self._entity(owner) != key:
                        continue
                    for m in owner.conjuncts:
                        k = self._entity(m)
                        if k is not None and k not in {x.key for x in out} and self.index.type_of(k) in AGENT_TYPES:
                            out.append(_Arg(k, m, False, (a,)))
                # "ADF and Druze militants": coordinated premodifiers name a group each
                for c in tok.children:
                    if c.dep_ in ("nmod", "compound", "amod") and any(g.dep_ in ("cc", "conj") for g in c.children):
                        for m in (c, *c.conjuncts):  # (Toks)
                            k = self._entity(m)
                            if k is not None and k not in {a.key for a in out}:
                                out.append(_Arg(k, m))
            return out
        g = self.g
        low = g.lemmas[tok.i]
        if low in self.through_nouns or tok.lower_ in self.through_nouns:
            found = self._args(g.deps(tok.i, "prep:of"), agent, depth + 1)
            if found:
                return found
        if not agent and (low in self.parts or tok.lower_ in self.parts):
            # "the last districts of X", "most of the region", "an area in X", "the city's eastern suburbs"
            for rels in (("prep:of",), ("poss",), ("prep:in", "prep:within", "prep:on", "prep:along", "prep:at")):
                found = self._args(g.deps(tok.i, *rels), agent, depth + 1)
                if found:
                    return found
        if agent and (low in self.event_nouns or tok.lower_ in self.event_nouns):
            found = self._event_agent(tok, depth)
            if found:
                return found
        found = self._args(g.deps(tok.i, "appos"), agent, depth + 1)
        if found:
            return found
        # "X is the latest officer to join Y", "X was the first town the militia took": a predicate noun with no
        # entity of its own is the copula's subject
        found = self._args([a for a in g.deps(tok.i, "describes") if a.why == "copula"], agent, depth + 1)
        if found:
            return found
        if (
            agent
            and low not in self.elex.words("role_nouns")
            and not self.elex.is_group_noun(low)
            and (low not in self.elex.words("actor_nouns"))
        ):
            # "Houthi columns", "Ethiopian warplanes", "Hamas's tanks": what an agent owns acts for it (but "a
            # Malian minister" is a person, not Mali)
            for a in g.deps(tok.i, "compound", "poss", "amod"):
                k = self._entity(self.toks[a.dep])
                if k is not None and a.dep < tok.i:
                    return [_Arg(k, self.toks[a.dep], False, (a,))]
        if not agent and low in self.place_heads:
            # "the Donbas region", "the Hanano district": the name compounded with a place noun
            for a in g.deps(tok.i, "compound"):
                if a.dep < tok.i:
                    k = self._entity(self.toks[a.dep])
                    if k is not None:
                        return [_Arg(k, self.toks[a.dep])]
        arcs = []
        for a in g.deps(tok.i, *(f"prep:{c}" for c in self.containers)):
            if a.dep < tok.i:
                continue
            if g.case_of(a) == "of" and tok.tag_ == "NNS" and len(self.toks[a.dep].conjuncts) == 0 and not agent:
                continue  # "the cities of the north" lie in the region; "the towns of A and B" name them
            arcs.append(a)
        found = self._args(arcs, agent, depth + 1)
        if found:
            return found
        key = self.index.promote(tok.i, agent)
        if key is not None and (self.index.type_of(key) in AGENT_TYPES) == agent:
            return [_Arg(key, tok)]
        return []

    def _event_agent(self, noun: Token, depth: int) -> list[_Arg]:
        """Who carries out what an event noun names: "X's offensive", "an operation by X", "an X-led offensive",
        "X launched an operation (to retake Y)"."""
        g = self.g
        for a in g.deps(noun.i, "poss", "prep:by", "compound", "amod"):
            mod = self.toks[a.dep]
            if g.lemmas[mod.i] == "lead" and mod.tag_ == "VBN":  # "an army-led offensive": who leads it
                mod = next((c for c in mod.lefts if c.dep_ in ("npadvmod", "compound", "nmod", "amod")), mod)
            found = self._np(mod, True, depth + 1)
            if found:
                return [x.through([a]) for x in found]
        for a in g.heads(noun.i, "obj"):
            found = self._args(g.subjects(a.head), True)
            if found:
                return [_Arg(x.key, x.token, True, x.via) for x in found]
        return []

    def _part_of(self, tok: Token, key: str) -> bool:
        """Whether a region word the entity does not include narrows the place to a part of it. A city's
        quarters are still the city ("eastern Kassala" is held as Kassala is), a country's regions are not."""
        if self._is_city(key):
            return False
        return any(
            c.dep_ in ("amod", "compound") and c.lower_ in self.region_words and self._entity(c) != key
            for c in tok.children
        )

    def _is_city(self, key: str) -> bool:
        """A gazetteer city (countries carry no coordinates of their own)."""
        ent = self.index.entities.get(key)
        geo = ent.geo if ent is not None else None
        return geo is not None and (geo.lat, geo.long) != (0.0, 0.0)

    def _subjects(self, verb: Token) -> list[_Arg]:
        """Who does what ``verb`` says: its (enhanced) subjects, best first. A relative clause the parser hung on
        a thing or a place ("advanced with 40 tanks, which entered X"; "an offensive in X, which led to Y") acts
        for the subject of the clause that thing is part of."""
        arcs = self.g.deps(verb.i, "nsubj", "nsubj:x")
        found = self._args(arcs, True)
        agents = [a for a in found if self.index.type_of(a.key) in AGENT_TYPES]
        relative = [a for a in arcs if a.why == "relative"]
        if agents or not relative:
            return found
        for a in relative:
            ante = self.toks[a.dep]
            host = self._governing_verb(ante) if ante.dep_ in ("pobj", "conj", "dobj", "appos") else None
            if host is not None and host.i != verb.i:
                more = self._args(self.g.deps(host.i, "nsubj", "nsubj:x"), True)
                if more:
                    return [_Arg(x.key, x.token, True, (*x.via, a)) for x in more]
        return found

    def _governing_verb(self, noun: Token) -> Token | None:
        cur = noun
        for _ in range(5):
            if cur.head is cur:
                return None
            cur = cur.head
            if cur.pos_ in _VERBAL:
                return cur
        return None

    def _slot(self, slot: str, noun: Token, agent: bool) -> list[_Arg]:
        g = self.g
        if slot.rsplit(":", 1)[-1] in ENTITY_TYPES:
            base, etype = slot.rsplit(":", 1)  # "poss:Person": a possessive that names a person
            found = [a for a in self._slot(base, noun, agent) if self.index.type_of(a.key) == etype]
            # a GPE slot wants a state that acts ("advisers in X" advise X): a gazetteer city is only where they are
            return [a for a in found if not (etype == "GPE" and self._is_city(a.key))]
        if slot == "self":
            # "U.S. advisers", "advisers from X": the people the role noun names stand for their group
            key = self.index.entity_at(noun.i)
            return [_Arg(key, noun)] if key is not None else []
        if slot == "purpose":
            # "advisers to train X", "instructors sent to guide X": the object of the noun's purpose clause
            clauses = [a.dep for a in g.deps(noun.i, "acl", "relcl")]
            clauses += [a.head for a in g.heads(noun.i, "nsubj:x") if a.why in ("control", "quantity")]
            clauses += self._purpose_after(noun)
            return self._args([b for c in clauses for b in g.deps(c, "obj")], agent)
        if slot in ("poss", "compound", "amod"):
            for a in g.deps(noun.i, slot):
                tok = self.toks[a.dep]
                k = None if slot == "poss" else self._entity(tok) or self.index.promote(tok.i, agent)
                found = self._np(tok, agent) if slot == "poss" else ([_Arg(k, tok)] if k else [])
                if found and slot == "poss" and tok.tag_ == "PRP$":
                    # "X with Y launched its offensive": "its" is the clause's subject, and so are its partners
                    clause = self._slot("implicit", noun, agent)
                    if any(c.key == found[0].key for c in clause):
                        return [x.through([a]) for x in found] + [c for c in clause if c.key != found[0].key]
                if found:
                    return [x.through([a]) for x in found]
            return []
        if slot.startswith("prep:"):
            arcs = g.deps(noun.i, slot)
            if not arcs:
                first = noun
                while first.dep_ == "conj" and first.head is not first:
                    first = first.head
                if first is not noun:
                    # "weapons and training from X": a phrase after the last conjunct the parser hung on the first
                    arcs = [a for a in g.deps(first.i, slot) if a.dep > noun.i]
            if not arcs and slot != "prep:of":
                # "followed the fall of X in 1992 to Y", "X has been under siege by Y": hung on the verb
                host = self._host_verb(noun)
                if host is not None:
                    arcs = [a for a in g.deps(host.i, slot) if a.dep > noun.right_edge.i]
            if not arcs and slot != "prep:of" and self._attached(noun):
                # "Chilean advisers are working with X": people a role noun names are attached to the one the
                # verb's phrase names
                arcs = [a for a in g.deps(noun.head.i, slot) if a.dep > noun.head.i]
            return self._args(arcs, agent)
        if slot in ("head", "located"):
            whys = ("appos", "copula", "as", "under", "at", "in") if slot == "head" else ("in", "into", "within")
            arcs = [a for a in g.deps(noun.i, "describes") if a.why in whys]
            return self._args(arcs, agent)
        verb = self._governing_verb(noun)
        if verb is None:
            return []
        if slot == "clause-subject":
            return self._subjects(verb)
        if slot == "main-subject":
            top = verb
            while top.dep_ in ("xcomp", "conj", "advcl") and top.head is not top:
                top = top.head
            return self._subjects(top)
        # implicit: the governing clause's subject, or an agent named inside that subject's phrase; not when that
        # subject only looks on ("the government condemned the capture of X")
        if noun.dep_ in ("nsubj", "nsubjpass") or g.lemmas[verb.i] in self.observers:
            return []
        found = self._subjects(verb)
        if not found:
            subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj:
                found = [_Arg(k, t) for t in subj[0].subtree if (k := self._entity(t)) is not None][:1]
        return [_Arg(a.key, a.token, True, a.via) for a in found]

    def _purpose_after(self, noun: Token) -> list[int]:
        """ "sent 200 advisers to assist X", "arrived with advisers to direct X": the parser hangs the purpose
        clause on the verb, but it says what the people the noun names (its object, or the object of "with" or
        "alongside" on it) are there to do. A clause whose verb triggers a rule itself ("sent advisers to train
        X") is that rule's."""
        first = noun
        while first.dep_ == "conj" and first.head is not first:
            first = first.head
        if first.dep_ == "dobj":
            verb = first.head
        elif first.dep_ == "pobj" and first.head.lower_ in ("with", "alongside") and first.head.dep_ == "prep":
            verb = first.head.head
        else:
            return []
        if verb.pos_ not in _VERBAL:
            return []
        return [
            c.i
            for c in verb.children
            if c.dep_ in ("advcl", "xcomp")
            and c.i > noun.i
            and any(x.dep_ == "aux" and x.lower_ == "to" for x in c.children)
            and self.g.lemmas[c.i] not in self.verb_rules
        ]

    def _attached(self, noun: Token) -> bool:
        """Whether ``noun`` names people (it resolves to an entity) and is the subject of a verb that attaches
        them to someone (``attachment_verbs``: "are working with", "were assigned to", "serve alongside")."""
        if noun.dep_ not in ("nsubj", "nsubjpass") or self.index.entity_at(noun.i) is None:
            return False
        return self.g.lemmas[noun.head.i] in self.attachment_verbs

    def _host_verb(self, noun: Token) -> Token | None:
        first = noun
        while first.dep_ == "conj" and first.head is not first:
            first = first.head
        if first.dep_ == "dobj":
            host = first.head
        elif first.dep_ == "pobj":
            host = first.head.head
        else:
            return None
        return host if host.pos_ in _VERBAL else None

    # ------------------------------------------------------------------ constructions
    def _verb(self, rule: Rule, verb: Token) -> None:
        g = self.g
        kind = rule.construction
        passive = self._passive.get(verb.i)  # (the same for every rule the verb triggers)
        if passive is None:
            main = any(a.why == "main-verb" for a in g.deps(verb.i, "nsubj"))  # "militias advanced on X"
            passive = g.passive(verb.i) or (verb.dep_ == "acl" and verb.tag_ == "VBN" and not main)
            self._passive[verb.i] = passive
        agent_obj = rule.relation in ("defectsTo", "advises")
        if kind == "verb-passive":
            if not passive:
                return
            agents = g.deps(verb.i, "agent")
            if not agents:
                return
            objs = self._args(g.deps(verb.i, "nsubj:pass"), agent_obj)
            self._emit(rule, verb, self._args(agents, True), objs, "the passive subject")
            return
        if passive and kind == "verb-prep" and rule.object_required and self._particles_ok(rule, verb):
            # "the militants were driven out of X by Y": the one who drove them takes X
            agents = g.deps(verb.i, "agent")
            pobjs = self._prep_arcs(verb, rule.preps)
            if not agents:  # "driven out of X, their last stronghold, by Y": the parser hangs "by Y" on X
                agents = [b for p in pobjs for x in self.toks[p.dep].subtree for b in g.deps(x.i, "prep:by")]
            if agents and pobjs:
                self._emit(rule, verb, self._args(agents, True), self._args(pobjs, False), "the prepositional object")
            return
        if passive and not rule.passive_allowed:
            return
        if rule.adjunct_nouns and not self._adjunct(verb, rule.adjunct_nouns):
            return
        if rule.reflexive and not any(
            c.dep_ == "dobj" and c.lower_.endswith(("self", "selves")) for c in verb.children
        ):
            return  # "allied himself with Y" changes sides; "allied with Y", "persuaded X to align with Y" need not
        if kind == "verb-active":
            if rule.relation in ("controls", "advancesOn") and not self._particles_ok(rule, verb):
                return
            objs_arcs = g.deps(verb.i, "obj")
            if not objs_arcs:
                # a name the parser took for an adverb right after the verb ("attacked Goma")
                objs_arcs = [
                    Arc(verb.i, "obj", c.i)
                    for c in verb.children
                    if c.dep_ in ("advmod", "npadvmod") and c.i == verb.i + 1 and self._entity(c) is not None
                ]
            objs_arcs = [a for a in objs_arcs if g.lemmas[a.dep] not in self.light_nouns]
            if not objs_arcs:
                return  # "took control of X" is the light-verb rule's
            objs = self._args(objs_arcs, agent_obj)
            for a in objs_arcs:
                if not a.why:
                    objs += [
                        x for x in self._elaboration(self.toks[a.dep], agent_obj) if x.key not in {o.key for o in objs}
                    ]
            self._emit(rule, verb, self._subjects(verb), objs, "the object")
        elif kind == "verb-prep":
            if not self._particles_ok(rule, verb):
                return
            has_obj = bool(g.deps(verb.i, "obj"))
            if (has_obj and not rule.object_allowed) or (rule.object_required and not has_obj):
                return  # "pushed the rebels to X" moves someone else; "pushed out of X" without an object is a retreat
            pobjs = self._prep_arcs(verb, rule.preps, on_object=rule.object_allowed)
            if rule.through:  # "passed to the side of X": only through these nouns
                pobjs = [a for a in pobjs if g.lemmas[a.dep] in rule.through or self.toks[a.dep].lower_ in rule.through]
            if not pobjs:
                return
            subjects = self._subjects(verb) if not passive else self._args(g.deps(verb.i, "nsubj:pass"), True)
            self._emit(rule, verb, subjects, self._args(pobjs, agent_obj), "the prepositional object")
        elif kind == "verb-prep-inverse":
            pobjs = self._prep_arcs(verb, rule.preps)
            if not pobjs:
                return
            places = self._args(g.deps(verb.i, "nsubj", "nsubj:x", "nsubj:pass"), False)
            self._emit(rule, verb, self._args(pobjs, True), places, "the subject")
        elif kind == "verb-source":
            source_objs = g.deps(verb.i, "obj")
            pobjs = self._prep_arcs(verb, rule.preps)
            if not source_objs or not pobjs:
                return
            self._emit(rule, verb, self._args(pobjs, True), self._args(source_objs, agent_obj), "the object")
        elif kind == "verb-causative":
            # "the colonel rallied two battalions", "won over the garrison": the object does it, toward the subject
            if not self._particles_ok(rule, verb):
                return
            moved = g.deps(verb.i, "obj")
            if moved:
                self._emit(rule, verb, self._args(moved, True), self._subjects(verb), "the subject")
        elif kind == "light-verb":
            for d in g.deps(verb.i, "obj"):
                noun = self.toks[d.dep]
                if g.lemmas[noun.i] not in rule.nouns and noun.lower_ not in rule.nouns:
                    continue
                pobjs = self._prep_arcs(noun, rule.preps) or self._prep_arcs(verb, rule.preps)
                if not pobjs and d.why == "quantity":  # "provided much of the training for X"
                    pobjs = [
                        b
                        for q in g.deps(verb.i, "obj")
                        if not q.why
                        for b in self._prep_arcs(self.toks[q.dep], rule.preps)
                    ]
                if not pobjs:
                    pobjs = [a for a in g.deps(verb.i, "prep:in") if a.why == "where"]  # "where X took control"
                if pobjs:
                    self._emit(rule, verb, self._subjects(verb), self._args(pobjs, agent_obj), "the object")
                elif agent_obj:
                    # "X is backed by A, which provided training": the one the relative clause's antecedent backs
                    self._emit(rule, verb, self._subjects(verb), self._backed_party(verb), "the recipient")
            if rule.relation == "advises" and "to" in rule.preps:
                recipients = self._recipients(verb, rule)
                if recipients:
                    self._emit(rule, verb, self._subjects(verb), self._args(recipients, True), "the recipient")

    def _recipients(self, verb: Token, rule: Rule) -> list[Arc]:
        """The recipient of a trigger noun given in the other English order: "provided Y with training" is the
        verb's object. (The dative "gave Y training" the parser reads as a compound, "Y training", which may as
        well be the training of Y by someone else: left alone.)"""
        g = self.g

        def trigger(i: int) -> bool:
            return g.lemmas[i] in rule.nouns or self.toks[i].lower_ in rule.nouns

        if any(trigger(a.dep) for a in g.deps(verb.i, "prep:with")):
            return [a for a in g.deps(verb.i, "obj") if not trigger(a.dep)]
        return []

    def _backed_party(self, verb: Token) -> list[_Arg]:
        """For a relative clause on the agent of a passive ("X is supported by A, which ..."): X."""
        out: list[_Arg] = []
        for a in self.g.deps(verb.i, "nsubj"):
            if a.why != "relative":
                continue
            for b in self.g.heads(a.dep, "agent"):
                out += [x.through([a, b]) for x in self._args(self.g.deps(b.head, "nsubj:pass"), True)]
        return out

    def _prep_arcs(self, head: Token, preps: frozenset[str], on_object: bool = False) -> list[Arc]:
        """Arcs of the prepositions ``preps`` on ``head`` or on its particles ("went over to X"), and "from X to
        Y" where the parser hung "to Y" on "from X"; with ``on_object``, also on the verb's object ("recommended
        caution to X")."""
        g = self.g

        def fits(a: Arc) -> bool:
            case = g.case_of(a)
            return case in preps or case.split(" ")[-1] in preps  # "out of" for "of" after "drove them out"

        arcs = [a for a in g.deps(head.i, "prep:*") if fits(a)]
        for a in g.deps(head.i, "prep:from", "prt"):
            arcs += [b for b in g.deps(a.dep, "prep:*") if fits(b)]
        for c in head.children:
            if self._particle(c):
                arcs += [b for b in g.deps(c.i, "prep:*") if fits(b)]
        if on_object:
            arcs += [b for a in g.deps(head.i, "obj") for b in g.deps(a.dep, "prep:*") if fits(b)]
        return arcs

    def _elaboration(self, noun: Token, agent: bool) -> list[_Arg]:
        """A list that spells out a plural object: "took three towns: A, B and C", "towns, among them A and B"."""
        sent_end = self._sent(noun).end
        after = noun.right_edge.i + 1
        words = [t.lower_ for t in self.toks[after : min(sent_end, after + 3)]]
        for cue in self.elaborations:
            n = len(cue)
            if words[:n] == list(cue) or (words[1 : n + 1] == list(cue) and words[:1] == [","]):
                start = after + n + (words[:1] == [","])
                if start < sent_end:
                    head = self.toks[start]
                    while head.dep_ in ("compound", "amod", "det") and head.head.i > head.i:
                        head = head.head
                    return self._with_conjuncts(head, agent)
        for i in range(after, min(sent_end - 1, noun.right_edge.i + 9)):
            tok = self.toks[i]
            if tok.text in ("\u2014", "\u2013", ":", "--") or (tok.text == "-" and self.toks[i - 1].whitespace_):
                nxt = self.toks[i + 1]
                if nxt.dep_ in ("dep", "appos", "conj", "npadvmod", "attr", "dobj", "ROOT"):
                    return self._with_conjuncts(nxt, agent)
                return []
        # "crucial cities in X, A and B": names in apposition to a plural object (the parser may hang them on X)
        if noun.tag_ == "NNS":
            out: list[_Arg] = []
            for a in self.g.deps(noun.i, "appos"):
                out += self._with_conjuncts(self.toks[a.dep], agent)
            if not out and self.g.lemmas[noun.i] in self.elex.city_nouns | self.elex.words("region_heads"):
                out = self._list_after(noun, agent)
            return out
        return []

    def _list_after(self, noun: Token, agent: bool) -> list[_Arg]:
        """ "took two towns in the north, A and B": a comma, then names conjoined with the locating phrase's
        object, spell out the plural."""
        verb = noun.head
        for p in (c for c in verb.children if c.dep_ == "prep" and c.i > noun.i):
            for obj in (c for c in p.children if c.dep_ == "pobj"):
                listed = [c for c in obj.conjuncts if c.i > obj.i]
                if not listed or self.toks[listed[0].i - 1].text != ",":
                    continue
                out = [a for c in listed for a in self._np(c, agent) if self.index.kind_at(c.i) == "name"]
                for a in out:
                    if not agent and self.index.type_of(a.key) not in PLACE_TYPES:
                        self.index.retype(a.key, "GPE")  # listed as "towns": places, whatever the NER said
                if out:
                    return out
        return []

    def _with_conjuncts(self, head: Token, agent: bool) -> list[_Arg]:
        out: list[_Arg] = []
        for h in (head, *head.conjuncts):
            out += self._np(h, agent)
        return out

    @staticmethod
    def _particle(tok: Token) -> bool:
        """A particle the parser took for a preposition: "out" of "drove them out of X", "over" of "over to"."""
        return (
            tok.dep_ == "prep"
            and any(g.dep_ == "prep" for g in tok.children)
            and not any(g.dep_ == "pobj" for g in tok.children)
        )

    def _adjunct(self, verb: Token, nouns: frozenset[str]) -> bool:
        """Whether a phrase on ``verb`` names one of ``nouns`` as something it stands against: "against an
        attack", "in anticipation of an assault from Y", "ahead of an expected offensive" (but "ahead of their
        own assault" is the attackers' ring: the noun must be someone else's or expected)."""
        g = self.g
        for a in g.deps(verb.i, "prep:*"):
            todo = [a.dep]
            for _ in range(2):
                for i in todo:
                    if g.lemmas[i] not in nouns:
                        continue
                    tok = self.toks[i]
                    expected = any(c.lower_ in self.expected for c in tok.children if c.dep_ in ("amod", "compound"))
                    others = bool(g.deps(i, "prep:from", "prep:by"))
                    if g.case_of(a) == "against" or expected or others:
                        return True
                todo = [b.dep for i in todo for b in g.deps(i, "prep:of")]
        return False

    def _particles_ok(self, rule: Rule, verb: Token) -> bool:
        prts = self._particles.get(verb.i)  # (the same for every rule the verb triggers)
        if prts is None:
            prts = {c.lower_ for c in verb.children if c.dep_ in ("prt", "advmod", "npadvmod") or self._particle(c)}
            prts |= {self.g.case_of(a).split(" ")[0] for a in self.g.deps(verb.i, "prep:*") if " " in self.g.case_of(a)}
            self._particles[verb.i] = prts
        if rule.particles:
            return bool(prts & rule.particles)
        return not (rule.relation == "advancesOn" and prts & _RETREAT_PARTICLES)

    def _noun(self, rule: Rule, noun: Token) -> None:
        if rule.via and not (noun.dep_ == "pobj" and noun.head.lower_ in rule.via):
            return
        agent_obj = rule.relation in ("defectsTo", "advises")
        want_obj = AGENT_TYPES if agent_obj else PLACE_TYPES
        # slots are tried in order; one that names an entity of the wrong kind is passed over ("a stronghold of
        # X" where X is a group: X holds, the place is what the phrase describes), unless no slot fits
        objs = self._fill(rule.object, noun, agent_obj, want_obj, set())
        if not objs:
            return  # a bare "the advance", "the capture": nothing to say, nothing to reject
        own = self._entity(noun) if "self" not in rule.subject else None  # "the alliance's advance" is not its own
        subjs = self._fill(rule.subject, noun, True, AGENT_TYPES, {own, *(o.key for o in objs)})
        self._emit(rule, noun, subjs, objs, "the object")

    def _fill(
        self, slots: tuple[str, ...], noun: Token, agent: bool, want: frozenset[str], exclude: set[str | None]
    ) -> list[_Arg]:
        first: list[_Arg] = []
        for slot in slots:
            found = [a for a in self._slot(slot, noun, agent) if a.key not in exclude]
            fitting = [a for a in found if self.index.type_of(a.key) in want]
            if fitting:
                return fitting
            if found and not first:
                first = found
        return first

    def _hyphen(self, rule: Rule, adj: Token) -> None:
        key = self._entity(self.toks[adj.i - 2])
        if key is None:
            return
        target = adj.head if adj.dep_ in ("amod", "compound", "nmod") else None
        if target is None:
            return
        objs = self._np(target, False) or self._args(self.g.deps(target.i, "describes"), False)
        self._emit(rule, adj, [_Arg(key, self.toks[adj.i - 2])], objs, "the modified noun")

    # ------------------------------------------------------------------ output
    def _reject(
        self, trigger: Token, rule: Rule, reason: str, entity: str | None = None, wanted: str | None = None
    ) -> None:
        self.rejected.append(
            Rejection(self.sent_of[trigger.i], trigger.idx, trigger.text, rule.id, reason, entity, wanted)
        )

    def _check(self, arg: _Arg, want: frozenset[str] | tuple[str, ...], role: str) -> str | None:
        etype = self.index.type_of(arg.key)
        if etype not in want:
            need = "an Agent (Person, Group, GPE)" if want == AGENT_TYPES else "a Place (Place, GPE)"
            return f"{role} {arg.key!r} is a {etype}, not {need}"
        return None

    def _emit(self, rule: Rule, trigger: Token, subjs: list[_Arg], objs: list[_Arg], obj_role: str) -> None:
        if not objs:
            self._reject(trigger, rule, f"no entity for {obj_role}{self._pronoun_note(trigger)}")
            return
        weight = self._weights.get(trigger.i)
        if weight is None:
            weight = self._weights[trigger.i] = weigh(trigger, self.lex, self._sent(trigger))
        if not subjs:
            subjs = self._speaker_as_we(trigger, weight)
        if not subjs and rule.construction == "noun":
            subjs = self._same_actor(trigger, objs)
        if not subjs:
            self._reject(trigger, rule, f"no entity for the subject{self._pronoun_note(trigger)}")
            return
        want_obj = PLACE_TYPES if rule.relation in ("controls", "advancesOn") else AGENT_TYPES
        for s in subjs:
            if s.token.pos_ in ("PRON", "NOUN") and self._is_city(s.key):
                # "The army said it had recaptured X": a pronoun or common noun bound to a city does not act
                self._reject(trigger, rule, f"subject {s.token.text!r} resolved to the city {s.key!r}")
                continue
            bad = self._check(s, AGENT_TYPES, "subject")
            stype = self.index.type_of(s.key)
            if not bad and rule.subject_types and stype not in rule.subject_types:
                bad = f"subject {s.key!r} is a {stype}; {rule.id} takes only {', '.join(sorted(rule.subject_types))}"
            if bad:
                self._reject(trigger, rule, bad, s.key, "Agent" if stype not in AGENT_TYPES else None)
                continue
            for o in objs:
                if o.key == s.key:
                    self._reject(trigger, rule, f"subject and object are the same entity {s.key!r}")
                    continue
                bad = self._check(o, want_obj, "object")
                otype = self.index.type_of(o.key)
                if not bad and rule.not_states and o.key in self.index.states:
                    bad = f"object {o.key!r} is a whole country; {rule.id} takes a region or town"
                if not bad and rule.object_types and otype not in rule.object_types:
                    bad = f"object {o.key!r} is a {otype}; {rule.id} takes only {', '.join(sorted(rule.object_types))}"
                if bad:
                    wrong_kind = otype not in want_obj
                    wanted = ("Place" if want_obj == PLACE_TYPES else "Agent") if wrong_kind else None
                    self._reject(trigger, rule, bad, o.key, wanted)
                    continue
                self._add(rule, trigger, s, o, weight)

    def _same_actor(self, trigger: Token, objs: list[_Arg]) -> list[_Arg]:
        """ "the regime retook the city, and the subsequent bombardment of X ...": an event noun with no agent of
        its own that the text marks as what followed, about a place a clause before it in the sentence says
        someone acted on, is that actor's."""
        first = trigger
        while first.dep_ == "conj" and first.head is not first:
            first = first.head
        if not any(c.dep_ in ("amod", "advmod") and c.lower_ in self.sequels for c in first.children):
            return []  # only "the subsequent/ensuing X": a bare "the siege of X" after "Y seized X" may be anyone's
        keys = {o.key for o in objs}
        sent_start = self._sent(trigger).start
        for n in range(len(self.relations) - 1, -1, -1):
            r, at = self.relations[n], self.trigger_at.get(n, -1)
            if sent_start <= at < trigger.i and r.object in keys and r.asserted and r.predicate != "defectsTo":
                return [_Arg(r.subject, self.toks[at], implicit=True)]
        return []

    def _speaker_as_we(self, trigger: Token, weight: Weight) -> list[_Arg]:
        """'"We have taken X," a Y spokesman said', '"X remains in our hands," its spokesman said': a first-person
        plural subject (or owner of the trigger noun) in reported speech is the speaker's side."""
        subj = [c for c in trigger.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subj and trigger.pos_ == "NOUN":
            subj = [c for c in trigger.children if c.dep_ == "poss"]
        if not subj or subj[0].lower_ not in ("we", "us", "our"):
            return []
        speaker = weight.speaker
        if speaker is None and trigger.pos_ == "NOUN":
            verb = trigger  # "in our hands": the speaker of the clause the phrase is an adjunct of
            while verb.pos_ not in ("VERB", "AUX") and verb.head is not verb:
                verb = verb.head
            speaker = weigh(verb, self.lex, self._sent(trigger)).speaker if verb is not trigger else None
        if speaker is None:
            return []
        for t in self.toks[speaker].subtree:
            key = self._entity(t)
            if key is not None and self.index.type_of(key) in ("Group", "GPE") and not self._is_city(key):
                return [_Arg(key, subj[0], implicit=True)]
        return []

    def _pronoun_note(self, trigger: Token) -> str:
        prons = [
            t.text
            for t in self._sent(trigger)
            if t.pos_ == "PRON"
            and t.dep_ in ("nsubj", "dobj", "pobj", "poss")
            and t.head == trigger
            and self._entity(t) is None
        ]
        return f" (pronoun {prons[0]!r} has no antecedent)" if prons else ""

    def _confidence(self, base: float, trigger: Token, *args: _Arg) -> float:
        conf = base
        pronoun, implicit, distant_tokens, distant = self.confidence_numbers
        for a in args:
            if a.pronoun:
                conf -= pronoun
            if a.implicit:
                conf -= implicit
            if abs(a.token.i - trigger.i) > distant_tokens:
                conf -= distant
        return round(min(1.0, max(0.05, conf)), 2)

    def _under_way(self, rule: Rule, trigger: Token) -> bool:
        """A capture only intended or in progress: "launched an operation to retake X" (a purpose clause),
        "are helping troops retake X", "are retaking X" (progressive). Holding is no capture."""
        if rule.relation != "controls" or self.g.lemmas[trigger.i] not in self.achievements:
            return False
        cur = trigger
        for _ in range(3):
            to = any(c.dep_ == "aux" and c.lower_ == "to" for c in cur.children)
            if cur.dep_ in ("advcl", "acl", "relcl") and to and self.g.lemmas[cur.head.i] not in self.actual_governors:
                return True  # a purpose clause: "(launched an operation) to retake X"
            if cur.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_ == "be" for c in cur.children):
                return True  # "are retaking X", "are helping troops retake X"
            if cur.dep_ in ("xcomp", "ccomp", "conj") and cur.head is not cur:
                cur = cur.head
                continue
            break
        return False

    def _add(self, rule: Rule, trigger: Token, s: _Arg, o: _Arg, weight: Weight) -> None:
        sent = self._sent(trigger)
        ev = Evidence(sent.start_char, sent.end_char, sent.text, self.sent_of[sent.start], trigger.text)
        timex = self._time(trigger, o.token)
        reported = None
        if weight.speaker is not None:
            found = self._np(self.toks[weight.speaker], True)
            if found and self.index.type_of(found[0].key) in AGENT_TYPES:
                reported = found[0].key
        conf = self._confidence(rule.confidence, trigger, s, o)
        modality, implies = weight.modality, weight.implies
        actor = rule.construction not in ("verb-source", "verb-prep-inverse")
        if actor and not weight.negated and modality == "Actual" and self._under_way(rule, trigger):
            modality, implies = "Planned", "advancesOn"
        side_left = self._side_left(trigger, s.key, o.key, rule) if rule.relation == "defectsTo" else None
        start, end = self._interval(trigger) if not self._present(trigger) else (None, None)
        rel = Relation(
            s.key,
            rule.relation,
            o.key,
            ev,
            rule.id,
            conf,
            negated=weight.negated,
            modality=modality,
            time=timex[0],
            time_text=timex[1],
            reported_by=reported,
            subject_text=self._mention_text(s.token),
            object_text=self._mention_text(o.token),
            ends=rule.ends and rule.relation == "controls",
            side_left=side_left,
            time_start=start,
            time_end=end,
        )
        self.trace[len(self.relations)] = (*s.via, *o.via)
        self.trigger_at[len(self.relations)] = trigger.i
        self.relations.append(rel)
        if rule.loser_object and rule.relation == "controls":
            # "X drove Y out of Z": Y's hold of Z ends there
            for a in self.g.deps(trigger.i, "obj"):
                for loser in self._np(self.toks[a.dep], True):
                    if loser.key in (s.key, o.key) or self.index.type_of(loser.key) not in AGENT_TYPES:
                        continue
                    self.trace[len(self.relations)] = (*loser.via, *o.via)
                    self.trigger_at[len(self.relations)] = trigger.i
                    self.relations.append(
                        replace(
                            rel,
                            subject=loser.key,
                            confidence=round(conf * 0.9, 2),
                            subject_text=self._mention_text(loser.token),
                            ends=True,
                        )
                    )
        # the attempt shows the actor's advance; "retake X from Y" names Y as the holder, not an actor
        if actor and implies and implies != rule.relation and o.key != s.key:
            if implies in ("controls", "advancesOn") and self.index.type_of(o.key) not in PLACE_TYPES:
                return
            self.trace[len(self.relations)] = (*s.via, *o.via)
            self.trigger_at[len(self.relations)] = trigger.i
            self.relations.append(
                Relation(
                    s.key,
                    implies,
                    o.key,
                    ev,
                    f"{implies}.attempt",
                    round(conf * 0.9, 2),
                    negated=weight.negated and modality != weight.modality,
                    time=timex[0],
                    time_text=timex[1],
                    reported_by=reported,
                    subject_text=self._mention_text(s.token),
                    object_text=self._mention_text(o.token),
                )
            )

    def _interval(self, trigger: Token) -> tuple[str | None, str | None]:
        """ "held X from 1998 until 2004", "has held X since June 2010", "held X until 1996": the interval the
        clause gives, either end open."""
        found: dict[str, str] = {}
        preps = [c for c in trigger.children if c.dep_ == "prep"]
        preps += [g for p in preps for c in p.children if c.dep_ == "pobj" for g in c.children if g.dep_ == "prep"]
        for p in preps:
            end_of = "start" if p.lower_ in _INTERVAL_START else "end" if p.lower_ in _INTERVAL_END else None
            objs = [c for c in p.children if c.dep_ == "pobj"]
            if end_of is None or not objs or end_of in found:
                continue
            obj = objs[0]
            t = self.times.nearest(obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge.text), obj.idx)
            if t is not None and t.value is not None:
                found[end_of] = t.value
        start, end = found.get("start"), found.get("end")
        if start and end and period_end(end) < period_start(start):
            return None, None
        return start, end

    def _side_left(self, trigger: Token, subject: str, joined: str, rule: Rule) -> str | None:
        """The side a defector left: "defected from Y to Z", "turned away from Y", "deserted Y for Z" (the object
        of a rule that requires one), else the group the text says the defector served ("X, a commander of Y,
        defected to Z")."""
        rels = ("prep:from", "prep:away from", "prep:out of", *(("obj",) if rule.object_required else ()))
        for a in self.g.deps(trigger.i, *rels):
            for arg in self._np(self.toks[a.dep], True):
                if arg.key not in (subject, joined) and self.index.type_of(arg.key) in AGENT_TYPES:
                    return arg.key
        served = sorted(o for s, p, o in self.index.links if s == subject and p in ("memberOf", "forcesOf"))
        served = [o for o in served if o != joined]
        return served[0] if len(served) == 1 else None

    def _mention_text(self, tok: Token) -> str:
        key = self._entity(tok)
        if key is None:
            return tok.text
        start, end = tok.i, tok.i
        sent = self._sent(tok)
        while start > sent.start and self._entity(self.toks[start - 1]) == key:
            start -= 1
        while end + 1 < sent.end and self._entity(self.toks[end + 1]) == key:
            end += 1
        return self.text[self.toks[start].idx : self.toks[end].idx + len(self.toks[end].text)]  # (a Span's text)

    # ------------------------------------------------------------------ time
    def _clauses(self, sent_i: int) -> list[Token]:
        """Tokens heading relative, reported or parenthetical clauses in sentence ``sent_i`` (cached)."""
        found = self.clause_heads.get(sent_i)
        if found is None:
            sent = self.sents[sent_i]
            found = [t for t in self.toks[sent.start : sent.end] if t.dep_ in _OWN_CLAUSES]
            self.clause_heads[sent_i] = found
        return found

    def _describes_event(self, head: Token, trigger: Token) -> bool:
        """Whether a relative clause on ``head`` tells of the trigger's event or place ("an offensive in X, which
        began on 10 March") rather than of an actor ("the Houthis, who took Y in 2014, ...")."""
        if head is trigger:
            return True
        if not (trigger.left_edge.i <= head.i <= trigger.right_edge.i) or head.dep_ in ("nsubj", "nsubjpass"):
            return False
        key = self._entity(head)
        return key is None or self.index.type_of(key) not in AGENT_TYPES or self.index.type_of(key) == "GPE"

    def _present(self, trigger: Token) -> bool:
        """ "X now controls Y", "Y is currently held by X": a present-tense statement about the report's present."""
        aux = [c for c in trigger.children if c.dep_ in ("aux", "auxpass")]
        past = any(v.tag_ == "VBD" or v.lower_ in ("would", "had") for v in aux) or trigger.tag_ == "VBD"
        if past or (trigger.tag_ == "VBN" and not aux) or trigger.pos_ not in ("VERB", "AUX"):
            return False
        return any(c.dep_ == "advmod" and c.lower_ in self.present for c in trigger.children)

    def _time(self, trigger: Token, obj: Token | None = None) -> tuple[str | None, str | None]:
        """The time expression nearest the trigger in the smallest clause around it that has one; one inside
        the object's own phrase comes first ("A on the 25th and B on the 28th")."""
        sent = self._sent(trigger)
        if self._present(trigger):
            return None, None  # "... and now control the town": the report's present, whatever else is dated
        if obj is not None and not (obj.left_edge.i <= trigger.i <= obj.right_edge.i):
            own = [c for c in obj.children if c.dep_ == "prep"]
            for p in own:
                found = self.times.nearest(p.left_edge.idx, p.right_edge.idx + len(p.right_edge.text), obj.idx)
                if found is not None:
                    return found.value, found.text
        at = trigger.idx
        # relative, reported and parenthetical clauses that do not hold the trigger keep their times to
        # themselves; participles share the narrative time
        skip = [
            (t.left_edge.idx, t.right_edge.idx + len(t.right_edge.text))
            for t in self._clauses(self.sent_of[trigger.i])
            if not (t.left_edge.i <= trigger.i <= t.right_edge.i)
            and not (t.dep_ == "relcl" and self._describes_event(t.head, trigger))
        ]

        def nearest(left: Token, right: Token) -> Timex | None:
            inside = [
                t
                for t in self.times.within(left.idx, right.idx + len(right.text))
                if t.value is not None and not t.parenthetical and not any(a <= t.start < b for a, b in skip)
            ]
            return min(inside, key=lambda t: (min(abs(t.start - at), abs(t.end - at)), t.start)) if inside else None

        cur = trigger
        for _ in range(8):
            found = nearest(cur.left_edge, cur.right_edge)
            if found is not None:
                return found.value, found.text
            if cur.head is cur:
                break
            cur = cur.head
        found = nearest(self.toks[sent.start], self.toks[sent.end - 1])
        prev_end = sent.start
        for _ in range(_NARRATIVE_SENTENCES):
            # the narrative time of the sentences just before, in the same paragraph ("In March 1979 ... . The
            # regime appealed for help. After the insurgents seized the city ..."); never across a paragraph break
            if found is not None or prev_end <= 0:
                break
            prev = self._sent(self.toks[prev_end - 1])
            if "\n\n" in self.text[prev.start_char : sent.start_char]:
                break
            found = self.times.nearest(prev.start_char, prev.end_char, prev.end_char)
            prev_end = prev.start
        return (found.value, found.text) if found else (None, None)


def name_spans(doc: Doc, index: EntityIndex, toks: Sequence[Token] | None = None) -> list[tuple[int, int]]:
    """Character spans of the entity names in ``doc``: a date inside one ("the March 23 Movement") is no time.
    ``toks``: the document's tokens already read (``DepGraph.toks``), else spaCy makes each one again."""
    at = doc if toks is None else toks
    return [
        (at[s.start].idx, at[s.end - 1].idx + len(at[s.end - 1].text))
        for s in index.spans
        if s.kind in ("name", "member", "nationality") and s.end > s.start
    ]


def find_relations(
    doc: Doc,
    index: EntityIndex,
    rejected: list[Rejection] | None = None,
    times: TimeIndex | None = None,
    lexicon: Lexicon | None = None,
    graph: DepGraph | None = None,
    trace: dict[int, tuple[Arc, ...]] | None = None,
) -> list[Relation]:
    """Every relation the lexicon's rules find in ``doc``; rejected candidates go to ``rejected`` and the
    enhanced arcs each statement rests on to ``trace`` (keyed by ``id(relation)``) when given."""
    finder = _Finder(doc, graph or DepGraph(doc), index, lexicon or load_lexicon(), times)
    relations = finder.run()
    if rejected is not None:
        rejected.extend(finder.rejected)
    if trace is not None:
        trace.update(finder.trace)
    return relations

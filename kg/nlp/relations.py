"""Relations from the lexicon (``ontology/lexicon.toml``) over the dependency parse.

``find_relations(doc, index)`` reads only the entity index of ``kg.nlp.entities`` for arguments and returns
``Relation``s with evidence, rule id, confidence, polarity/modality (``kg.nlp.modality``), speaker and time
(``kg.nlp.timex``). Each construction kind of the lexicon is one matcher here; the trigger words, prepositions
and argument slots are data. Pass ``rejected=[]`` to learn which candidates were dropped and why (``kg explain``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.model import Evidence, Relation
from kg.nlp.entities import EntityIndex, load_entity_lexicon
from kg.nlp.lexicon import Lexicon, Rule, load_lexicon
from kg.nlp.modality import Weight, weigh
from kg.nlp.timex import TimeIndex, Timex, dateline_span
from kg.rdf.namespace import AGENT_TYPES, PLACE_TYPES

_VERBAL = ("VERB", "AUX")
_NOMINAL = ("NOUN", "PROPN")
_MAX_CLIMB = 5
#: Dependents that are clauses of their own: their times belong to their own events.
_OWN_CLAUSES = frozenset({"relcl", "ccomp", "parataxis"})
#: Particles that turn a movement verb into a withdrawal ("pushed back to", "pulled out to").
_RETREAT_PARTICLES = frozenset({"back", "away", "off", "out"})
#: Governor effects whose verb's subject speaks or looks on rather than acts ("urged", "feared", "reported").
_OBSERVING = frozenset({"reported", "Feared", "Claimed", "Urged", "Questioned"})


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

    @property
    def pronoun(self) -> bool:
        return self.token.pos_ == "PRON"


class _Finder:
    """Matches every rule of the lexicon in one parsed document."""

    def __init__(self, doc: Doc, index: EntityIndex, lex: Lexicon, times: TimeIndex | None) -> None:
        self.doc = doc
        self.index = index
        self.lex = lex
        # Doc.text rebuilds the whole text from its tokens on every call: read it once
        self.text = doc.text
        self.times = times if times is not None else TimeIndex(self.text, exclude=name_spans(doc, index))
        self.dateline = dateline_span(self.text)
        self.elex = load_entity_lexicon()
        self.nationals = self._national_entities()
        self.names: dict[str, str] | None = None
        self.side_mentions: defaultdict[str, list[tuple[int, str]]] | None = None
        self.clause_heads: dict[int, list[Token]] = {}
        # Token.sent scans the document on every call: look sentences up in a table instead
        self.sents: list[Span] = list(doc.sents)
        self.sent_of: list[int] = [0] * len(doc)
        for i, sent in enumerate(self.sents):
            self.sent_of[sent.start : sent.end] = [i] * (sent.end - sent.start)
        self.through = lex.words("arguments", "through_nouns")
        self.parts = lex.words("arguments", "part_nouns")
        self.place_heads = lex.words("arguments", "place_heads")
        self.dispatch = lex.words("arguments", "dispatch_verbs")
        self.allegiance = lex.words("arguments", "allegiance_adjectives")
        self.containers = lex.words("arguments", "container_preps")
        self.relatives = lex.words("arguments", "relative_pronouns")
        self.descriptive = lex.words("arguments", "descriptive_preps")
        self.elaborations = tuple(
            tuple(cue.split()) for cue in sorted(lex.words("arguments", "elaboration_cues"), key=lambda c: (-len(c), c))
        )
        self.region_words = lex.words("arguments", "region_modifiers")
        self.light_nouns = frozenset(n for r in lex.rules if r.construction == "light-verb" for n in r.nouns)
        self.observers = lex.words("arguments", "observer_verbs") | frozenset(
            w for g in lex.governors if g.effect in _OBSERVING and g.governs_objects for w in g.verbs
        )  # "pressed an attack on X": a governor that leaves its object noun alone does not just look on
        self.governor_nouns = frozenset(w for g in lex.governors for w in g.nouns)
        # verbs whose object does what the infinitive says ("urged X to take"); elsewhere ("deserted the army to
        # join Y") the subject does
        self.object_control = frozenset(w for g in lex.governors for w in g.verbs) | lex.words(
            "arguments", "object_control_verbs"
        )
        self.verb_rules: dict[str, list[Rule]] = defaultdict(list)
        self.noun_rules: dict[str, list[Rule]] = defaultdict(list)
        self.adj_rules: dict[str, list[Rule]] = defaultdict(list)
        for rule in lex.rules:
            if rule.construction == "noun":
                for w in rule.nouns:
                    self.noun_rules[w].append(rule)
            elif rule.construction == "hyphen-adjective":
                for w in rule.lemmas:
                    self.adj_rules[w].append(rule)
            else:
                for w in rule.lemmas:
                    self.verb_rules[w].append(rule)
        self.relations: list[Relation] = []
        self.rejected: list[Rejection] = []

    # ------------------------------------------------------------------ driving
    def run(self) -> list[Relation]:
        for tok in self.doc:
            lemma = tok.lemma_.lower()
            if tok.pos_ in _VERBAL or (lemma in self.verb_rules and self._passive_noun(tok)):
                for rule in self.verb_rules.get(lemma, ()):
                    self._verb(rule, tok)
            if tok.pos_ in _NOMINAL:
                for rule in self.noun_rules.get(lemma, ()) or self.noun_rules.get(tok.lower_, ()):
                    self._noun(rule, tok)
            if tok.i >= 2 and self.doc[tok.i - 1].text == "-" and lemma in self.adj_rules:
                for rule in self.adj_rules[lemma]:
                    self._hyphen(rule, tok)
        # one statement per trigger: "closed in on X" matches two rules; the more confident one stays
        best: dict[tuple[str, str, str, int, str], Relation] = {}
        for rel in self.relations:
            k = (rel.subject, rel.predicate, rel.object, rel.evidence.start, rel.evidence.trigger)
            if k not in best or rel.confidence > best[k].confidence:
                best[k] = rel
        return list(best.values())

    @staticmethod
    def _passive_noun(tok: Token) -> bool:
        """A participle the tagger took for a noun but the parser built a passive around ("X was overrun by Y")."""
        deps = {c.dep_ for c in tok.children}
        return "agent" in deps and bool(deps & {"nsubjpass", "auxpass"})

    # ------------------------------------------------------------------ arguments
    def _sent(self, tok: Token) -> Span:
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
                t = self.doc[i]
                if t.lower_ in self.elex.sides and self.index.type_of(key) == "Group":
                    self.side_mentions[t.lemma_.lower()].append((i, key))
        seen = self.side_mentions.get(tok.lemma_.lower(), [])
        before = [key for i, key in seen if i < tok.i]
        if before:
            return before[-1]
        return seen[0][1] if seen else None

    def _by_name(self, tok: Token) -> str | None:
        """A name the NER missed in this sentence but the index knows from elsewhere ("ADF fighters seized X.
        ADF never captured Y."): the run of proper nouns around the token, spelled as an alias."""
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
        while start > sent.start and self.doc[start - 1].pos_ == "PROPN":
            start -= 1
        while end + 1 < sent.end and self.doc[end + 1].pos_ == "PROPN":
            end += 1
        span = self.doc[start : end + 1]
        if any(self.index.entity_at(t.i) is not None for t in span):
            return None  # part of a name the index resolved otherwise
        return self.names.get(span.text)  # the whole run: "State" of an unknown "Islamic State" is not a state

    def _national_entities(self) -> dict[str, str]:
        """State name -> the entity standing for that state's side: its "<nationality> forces", else the state."""
        out: dict[str, str] = {}
        for key, ent in sorted(self.index.entities.items()):
            if ent.type not in AGENT_TYPES:
                continue
            forces = key.lower().endswith(" forces")
            state = self.elex.state_by_adjective(key[:-7]) if forces else self.elex.state_by_name(key)
            if state is not None and (forces or state.names[0] not in out):
                out[state.names[0]] = key
        return out

    def _np(self, tok: Token, agent: bool, depth: int = 0) -> list[_Arg]:
        """Entities a noun phrase headed by ``tok`` names, coordinated ones included."""
        out: list[_Arg] = []
        for head in (tok, *(c for c in tok.conjuncts if c.i > tok.i)):
            out.extend(self._head(head, agent, depth))
        seen: set[str] = set()
        return [a for a in out if not (a.key in seen or seen.add(a.key))]  # type: ignore[func-returns-value]

    def _head(self, h: Token, agent: bool, depth: int) -> list[_Arg]:
        if depth > 4:
            return []
        if h.lower_ in self.relatives and h.head.dep_ == "relcl":
            found = self._np(h.head.head, agent, depth + 1)
            ante = h.head.head
            if agent and all(self.index.type_of(a.key) not in AGENT_TYPES for a in found):
                found = []  # "an offensive in X, which led to the capture of Y": the clause is not about X
            if not found and agent and ante.dep_ in ("pobj", "conj"):
                # "X numbered 9,000 troops with 280 tanks, who captured ...": the parser attaches the clause to
                # the nearest noun; the one who acts is the subject of the clause that noun is part of
                verb = self._governing_verb(ante)
                if verb is not None:
                    found = [_Arg(a.key, a.token, implicit=True) for a in self._subjects(verb, depth + 1)]
            return found
        key = self._entity(h)
        if key is not None and agent and h.dep_ == "appos" and self._in_dateline(h.head):
            # words the parser tied to a dateline's place ("KINSHASA, ... - Fighters of X attacked") are not that
            # place: look inside the phrase instead
            key = None
        if key is not None and not agent and self._part_of(h, key):
            return []  # "northern Syria" is not Syria
        if key is not None:
            out = [_Arg(key, h)]
            if agent:
                # "A, B at the gates of X" (a headline's comma): a name in apposition that is another agent
                peers = [c for c in h.children if c.dep_ == "appos"] + ([h.head] if h.dep_ == "appos" else [])
                for c in peers:
                    k = self._entity(c)
                    if k is not None and k != key and self.index.type_of(k) in AGENT_TYPES:
                        out.append(_Arg(k, c))
                # "ADF and Druze militants", "British and American officers": coordinated premodifiers name a
                # group each
                for c in h.children:
                    if c.dep_ in ("nmod", "compound", "amod") and any(g.dep_ in ("cc", "conj") for g in c.children):
                        for m in (c, *c.conjuncts):
                            k = self._entity(m)
                            if k is not None and k != key and k not in {a.key for a in out}:
                                out.append(_Arg(k, m))
            return out
        low = h.lemma_.lower()
        if low in self.through or h.lower_ in self.through:
            for p in self._preps(h, ("of",)):
                return self._np(p, agent, depth + 1)
        if not agent and (low in self.parts or h.lower_ in self.parts):
            # "the last districts of X", "most of the region", "the city's eastern suburbs": a part of a place
            for p in self._preps(h, ("of",)):
                found = self._np(p, agent, depth + 1)
                if found:
                    return found
            for c in h.children:
                if c.dep_ == "poss":
                    found = self._np(c, agent, depth + 1)
                    if found:
                        return found
        if agent:
            # "forces loyal to X", "militias allied with X"
            for c in h.children:
                if c.dep_ == "amod" and c.lower_ in self.allegiance:
                    for p in self._preps(c, ("to", "with")):
                        found = self._np(p, agent, depth + 1)
                        if found:
                            return found
            for c in h.children:
                if c.dep_ in ("compound", "poss", "nmod", "amod"):
                    k = self._entity(c) or self._flat_entity(c)
                    if k is not None:
                        return [_Arg(k, c)]
        for c in h.children:
            if c.dep_ == "appos":
                found = self._np(c, agent, depth + 1)
                if found:
                    return found
        if not agent and low in self.place_heads:
            # "the Donbas region", "the Hanano district": the name compounded with a place noun
            for c in h.children:
                if c.dep_ in ("compound", "nmod") and c.i < h.i:
                    k = self._entity(c)
                    if k is not None:
                        return [_Arg(k, c)]
        for p in self._preps(h, tuple(self.containers)):
            if p.head.lower_ == "of" and h.tag_ == "NNS" and not list(p.conjuncts) and not agent:
                # "the cities of the north" lie in the region; "the towns of A and B" name them
                continue
            found = self._np(p, agent, depth + 1)
            if found:
                return found
        return []

    def _part_of(self, tok: Token, key: str) -> bool:
        """Whether a region word the entity does not include narrows the place to a part of it. A city's
        quarters are still the city ("eastern Aleppo" is held as Aleppo is), a country's regions are not."""
        if self._is_city(key):
            return False
        return any(
            c.dep_ in ("amod", "compound") and c.lower_ in self.region_words and self._entity(c) != key
            for c in tok.children
        )

    def _is_city(self, key: str) -> bool:
        """A gazetteer city (countries carry no coordinates of their own)."""
        geo = self.index.entities[key].geo
        return geo is not None and (geo.lat, geo.long) != (0.0, 0.0)

    def _flat_entity(self, tok: Token) -> str | None:
        for c in tok.children:
            if c.dep_ == "compound":
                k = self._entity(c)
                if k is not None:
                    return k
        return None

    @staticmethod
    def _preps(tok: Token, words: Iterable[str]) -> list[Token]:
        """Objects of the prepositions ``words`` hanging on ``tok``."""
        wanted = set(words)
        return [
            g
            for c in tok.children
            if c.dep_ in ("prep", "agent", "dative") and c.lower_ in wanted
            for g in c.children
            if g.dep_ == "pobj"
        ]

    def _subjects(self, verb: Token, depth: int = 0, passive_ok: bool = False) -> list[_Arg]:
        """The subject of a clause, climbing to the clause it shares its subject with (conjuncts, participles,
        "succeeded in retaking", "urged X to take", relative and infinitival clauses)."""
        deps = ("nsubj", "nsubjpass") if passive_ok else ("nsubj",)
        subj = sorted((c for c in verb.children if c.dep_ in deps), key=lambda c: abs(c.i - verb.i))
        for candidate in subj:  # a misparse may give two subjects; the nearest that names an entity wins
            found = self._np(candidate, True)
            if found:
                return found
        if subj:
            return []
        if verb.dep_ == "ROOT" or verb.tag_ in ("VBD", "VBZ", "VBP"):
            # "On 13 March, Y's forces, advancing from X, succeeded in ...": the parser may take a fronted subject
            # for a second object of the opening preposition; a name set off by a comma just before the verb's
            # own clause is the subject
            for p in (c for c in verb.children if c.dep_ == "prep" and c.i < verb.i):
                for g in (g for g in p.children if g.dep_ == "pobj" and g.i > p.i + 1):
                    if self.doc[g.left_edge.i - 1].text == ",":
                        found = self._np(g, True)
                        if found:
                            return found
        # "The troops, believed to be X, have been liaising": the parser gives the subject to the aside
        for aside in (c for c in verb.children if c.dep_ in ("parataxis", "advcl") and c.i < verb.i):
            for candidate in (g for g in aside.children if g.dep_ == "nsubj" and g.i < aside.i):
                found = self._np(candidate, True)
                if found:
                    return found
        if depth >= _MAX_CLIMB or verb.head is verb:
            return []
        head, dep = verb.head, verb.dep_
        if dep == "conj" or (dep == "dep" and head.pos_ in _VERBAL and verb.pos_ == "VERB"):
            # "captured X and villages, then moved on Y": the parser may leave the second verb unlabelled
            return self._subjects(head, depth + 1, True)
        if dep in ("xcomp", "advcl") and head.lemma_.lower() in self.dispatch and head.pos_ in _VERBAL:
            # "Turkey sent advisers to train X": the sender acts through the people sent
            found = self._subjects(head, depth + 1, True)
            if found:
                return found
        if dep == "xcomp":
            obj = [c for c in head.children if c.dep_ == "dobj"]
            if obj and head.pos_ in _VERBAL and head.lemma_.lower() in self.object_control:
                # "urged the rebels to take X", "allowed Y to enter X": the object acts
                return self._np(obj[0], True)
            return self._subjects(head, depth + 1, True) if head.pos_ in (*_VERBAL, "ADJ") else []
        if dep == "advcl":
            return self._subjects(head, depth + 1, True)
        if dep == "acomp" and head.pos_ in _VERBAL:  # "were unable to capture X"
            return self._subjects(head, depth + 1, True)
        if dep == "pcomp" and head.dep_ == "prep":
            attach = head.head
            if attach.pos_ in _VERBAL:
                return self._subjects(attach, depth + 1, True)
            return self._noun_agent(attach)
        if dep in ("acl", "relcl") and head.pos_ in _NOMINAL:
            if head.lemma_.lower() in self.governor_nouns:
                return self._noun_agent(head)
            return self._referent(head, True)
        return []

    def _noun_agent(self, noun: Token) -> list[_Arg]:
        """Who does what a noun names: "an attempt by X", "X's attempt"."""
        for c in noun.children:
            if c.dep_ == "poss":
                return self._np(c, True)
        for p in self._preps(noun, ("by", "of")):
            return self._np(p, True)
        if noun.dep_ == "dobj" and noun.head.pos_ in _VERBAL:
            # "Iraqi forces launched an offensive to retake X": who launched it
            return self._subjects(noun.head, 0, True)
        return []

    def _referent(self, noun: Token, agent: bool) -> list[_Arg]:
        """What a descriptive noun phrase stands for: itself, the name it is in apposition to, the subject of
        "X was a Y", the clause subject of "as a Y, X ...", or what "under"/"at" phrases hang on."""
        own = self._np(noun, agent)
        if own:
            return own
        if noun.dep_ == "appos":
            return self._np(noun.head, agent)
        if noun.dep_ in ("attr", "acomp") and noun.head.pos_ in _VERBAL:
            return self._subjects(noun.head, 0, True)
        if noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.lower_ in self.descriptive:
            attach = noun.head.head
            if attach.pos_ in _VERBAL:
                return self._subjects(attach, 0, True)
            if attach.pos_ in _NOMINAL:
                found = self._referent(attach, agent) if attach is not noun else []
                if found:
                    return found
                for p in self._preps(attach, ("in",)):
                    return self._np(p, agent)
        return []

    def _governing_verb(self, noun: Token) -> Token | None:
        cur = noun
        for _ in range(_MAX_CLIMB):
            if cur.head is cur:
                return None
            cur = cur.head
            if cur.pos_ in _VERBAL:
                return cur
        return None

    def _slot(self, slot: str, noun: Token, agent: bool) -> list[_Arg]:
        if slot in ("poss", "compound", "amod"):
            for c in noun.children:
                if c.dep_ == slot or (slot == "compound" and c.dep_ == "nmod"):
                    found = self._np(c, agent) if slot == "poss" else ([_Arg(k, c)] if (k := self._entity(c)) else [])
                    if found:
                        return found
            return []
        if slot.startswith("prep:"):
            out: list[_Arg] = []
            pobjs = self._preps(noun, (slot[5:],))
            if not pobjs and slot != "prep:of":
                # "the capture of X by Y": the parser may hang "by Y" on X
                pobjs = [g for p in self._preps(noun, ("of",)) for g in self._preps(p, (slot[5:],))]
            first = noun
            while first.dep_ == "conj" and first.head is not first:
                first = first.head
            if not pobjs and first is not noun:
                # "weapons and training from X": a phrase after the last conjunct the parser hung on the first
                pobjs = [g for g in self._preps(first, (slot[5:],)) if g.i > noun.i]
            noun_ = first
            host = noun_.head if noun_.dep_ == "dobj" else noun_.head.head if noun_.dep_ == "pobj" else None
            if not pobjs and host is not None and host.pos_ in _VERBAL and (slot != "prep:of" or noun.dep_ == "dobj"):
                # "followed the fall of X in 1992 to Y", "X has been under siege by Y": the parser hangs the
                # phrase on the verb
                pobjs = [p for p in self._preps(host, (slot[5:],)) if p.i > noun.right_edge.i]
            for p in pobjs:
                out.extend(self._np(p, agent))
            return out
        if slot == "head":
            return self._referent_of_phrase(noun, agent)
        if slot == "located":
            return self._located(noun, agent)
        verb = self._governing_verb(noun)
        if verb is None:
            return []
        if slot == "clause-subject":
            return self._subjects(verb, 0, True)
        if slot == "main-subject":
            top = verb
            while top.dep_ in ("xcomp", "conj", "advcl") and top.head is not top:
                top = top.head
            return self._subjects(top, 0, True)
        # implicit: the governing clause's subject, or an agent named inside that subject's phrase; not when that
        # subject only looks on ("the government condemned the capture of X", "the UN warned against an attack")
        if noun.dep_ in ("nsubj", "nsubjpass") or verb.lemma_.lower() in self.observers:
            return []
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        found = self._subjects(verb, 0, True)
        if not found and subj:
            found = [_Arg(k, t) for t in subj[0].subtree if (k := self._entity(t)) is not None][:1]
        return [_Arg(a.key, a.token, implicit=True) for a in found]

    def _located(self, noun: Token, agent: bool) -> list[_Arg]:
        """The ``located`` slot: what a phrase such as "in the hands of Y" puts somewhere: the object of the verb
        it hangs on ("left X in rebel hands"), else that verb's subject ("X remained in Y's hands", "X fell into
        the hands of Y"), or the noun it hangs on ("the town, in rebel hands, ...")."""
        if noun.dep_ != "pobj" or noun.head.dep_ != "prep":
            return []
        attach = noun.head.head
        if attach.pos_ in _VERBAL:
            for d in (c for c in attach.children if c.dep_ == "dobj" and c.i < noun.i):
                found = self._np(d, agent)
                if found:
                    return found
            return self._subjects(attach, 0, True)
        if attach.pos_ in _NOMINAL:
            return self._referent(attach, agent)
        return []

    def _referent_of_phrase(self, noun: Token, agent: bool) -> list[_Arg]:
        """The ``head`` slot: what the phrase the noun heads describes (not the noun's own modifiers)."""
        if noun.dep_ == "appos":
            return self._np(noun.head, agent)
        if noun.dep_ in ("attr", "acomp") and noun.head.pos_ in _VERBAL:
            return self._subjects(noun.head, 0, True)
        if noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.lower_ in self.descriptive:
            attach = noun.head.head
            if attach.pos_ in _VERBAL:
                found = self._subjects(attach, 0, True)
                # "... a state in X under the rule of Y": the phrase may also belong to the place just before it
                before = self.doc[noun.head.i - 1] if noun.head.i > self._sent(noun).start else None
                k = self._entity(before) if before is not None and before.pos_ == "PROPN" and not agent else None
                if (
                    k is not None
                    and before is not None
                    and self.index.type_of(k) in PLACE_TYPES
                    and not self._part_of(before, k)
                    and k not in {a.key for a in found}
                ):
                    found = [*found, _Arg(k, before)]
                return found
            if attach.pos_ in _NOMINAL:
                # "a proto-state in X under the rule of Y": the nearest place named on the phrase comes first
                found = self._np(attach, agent) or [a for p in self._preps(attach, ("in",)) for a in self._np(p, agent)]
                found = found or self._referent(attach, agent)
                if found:
                    return found
        for c in noun.children:
            if c.dep_ == "appos":
                return self._np(c, agent)
        key = self._entity(noun)
        return [_Arg(key, noun)] if key else []

    # ------------------------------------------------------------------ constructions
    def _verb(self, rule: Rule, verb: Token) -> None:
        kind = rule.construction
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        want_agent_obj = rule.relation in ("defectsTo", "advises")
        if kind == "verb-passive":
            if not passive and verb.dep_ != "acl":
                return
            agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if not agents:
                # "were trained and equipped by X": coordinated participles share the agent
                agents = [
                    g
                    for v in verb.conjuncts
                    if v.i > verb.i
                    for c in v.children
                    if c.dep_ == "agent"
                    for g in c.children
                    if g.dep_ == "pobj"
                ]
            if not agents:
                return
            objs_tok = [c for c in verb.children if c.dep_ == "nsubjpass"]
            if objs_tok:
                objs = self._np(objs_tok[0], want_agent_obj)
            elif verb.dep_ == "acl":
                objs = self._referent(verb.head, want_agent_obj)
            else:
                objs = self._subjects(verb, 0, True)
            self._emit(rule, verb, self._np(agents[0], True), objs, "the passive subject")
            return
        if passive and kind == "verb-prep" and rule.object_required and self._particles_ok(rule, verb):
            # "the militants were driven out of X by Y": the one who drove them takes X
            agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            holders = [verb, *(c for c in verb.children if c.dep_ in ("prt", "advmod") or self._particle(c))]
            pobjs = [p for h in holders for p in self._preps(h, rule.preps)]
            if not agents:  # "driven out of X, their last stronghold, by Y": the parser hangs "by Y" on X
                agents = [
                    g for p in pobjs for t in p.subtree if t.lower_ == "by" for g in t.children if g.dep_ == "pobj"
                ]
            if agents and pobjs:
                objs = [a for p in pobjs for a in self._np(p, False)]
                self._emit(rule, verb, self._np(agents[0], True), objs, "the prepositional object")
            return
        if passive and not rule.passive_allowed:
            return
        if kind == "verb-active":
            if rule.relation in ("controls", "advancesOn") and not self._particles_ok(rule, verb):
                return
            dobj = [c for c in verb.children if c.dep_ == "dobj"]
            if not dobj:
                # a name the parser took for an adverb right after the verb ("attacked Goma")
                dobj = [
                    c
                    for c in verb.children
                    if c.dep_ in ("advmod", "npadvmod") and c.i == verb.i + 1 and self._entity(c) is not None
                ]
            if not dobj or dobj[0].lemma_.lower() in self.light_nouns:
                return  # "took control of X" is the light-verb rule's
            objs = self._np(dobj[0], want_agent_obj) + self._elaboration(dobj[0], want_agent_obj)
            self._emit(rule, verb, self._subjects(verb), objs, "the object")
        elif kind == "verb-prep":
            if not self._particles_ok(rule, verb):
                return
            has_obj = any(c.dep_ == "dobj" for c in verb.children)
            if (has_obj and not rule.object_allowed) or (rule.object_required and not has_obj):
                return  # "pushed the rebels to X" moves someone else; "pushed out of X" without an object is a retreat
            holders = [verb, *(c for c in verb.children if c.dep_ in ("prt", "advmod") or self._particle(c))]
            # "advancing from X to Y": the parser may hang "to Y" on "from" or on X
            froms = [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"]
            holders += froms + [g for f in froms for g in f.children if g.dep_ == "pobj"]
            if rule.object_allowed:  # "recommended caution to X"
                holders += [c for c in verb.children if c.dep_ == "dobj"]
            pobjs = [p for h in holders for p in self._preps(h, rule.preps)]
            if not pobjs:
                return
            objs = [a for p in pobjs for a in self._np(p, want_agent_obj)]
            self._emit(rule, verb, self._subjects(verb, 0, passive), objs, "the prepositional object")
        elif kind == "verb-prep-inverse":
            pobjs = self._preps(verb, rule.preps)
            if not pobjs:
                return
            self._emit(rule, verb, self._np(pobjs[0], True), self._subjects(verb, 0, True), "the subject")
        elif kind == "verb-source":
            dobj = [c for c in verb.children if c.dep_ == "dobj"]
            pobjs = self._preps(verb, rule.preps)
            if not dobj or not pobjs:
                return
            self._emit(rule, verb, self._np(pobjs[0], True), self._np(dobj[0], want_agent_obj), "the object")
        elif kind == "light-verb":
            for d in (c for c in verb.children if c.dep_ == "dobj"):
                if d.lemma_.lower() not in rule.nouns and d.lower_ not in rule.nouns:
                    continue
                pobjs = self._preps(d, rule.preps) or self._preps(verb, rule.preps)
                if not pobjs:
                    continue
                objs = [a for p in pobjs for a in self._np(p, want_agent_obj)]
                self._emit(rule, verb, self._subjects(verb), objs, "the object")

    def _elaboration(self, noun: Token, agent: bool) -> list[_Arg]:
        """A list after a dash or colon that spells out a plural object: "took three towns: A, B and C"."""
        sent_end = self._sent(noun).end
        after = noun.right_edge.i + 1
        # ", among them A, B and C" / ", including A and B": the parser often hangs the names elsewhere
        words = [t.lower_ for t in self.doc[after : min(sent_end, after + 3)]]
        for cue in self.elaborations:
            n = len(cue)
            if words[:n] == list(cue) or (words[1 : n + 1] == list(cue) and words[0] == ","):
                start = after + n + (words[0] == ",")
                if start < sent_end:
                    head = self.doc[start]
                    while head.dep_ in ("compound", "amod", "det") and head.head.i > head.i:
                        head = head.head
                    return self._np(head, agent)
        for i in range(after, min(sent_end - 1, noun.right_edge.i + 9)):
            tok = self.doc[i]
            if tok.text in ("\u2014", "\u2013", ":", "--") or (tok.text == "-" and self.doc[i - 1].whitespace_):
                nxt = self.doc[i + 1]
                if nxt.dep_ in ("dep", "appos", "conj", "npadvmod", "attr", "dobj", "ROOT"):
                    return self._np(nxt, agent)
                return []
        return []

    @staticmethod
    def _particle(tok: Token) -> bool:
        """A particle the parser took for a preposition: "out" of "drove them out of X", "over" of "over to"."""
        return (
            tok.dep_ == "prep"
            and any(g.dep_ == "prep" for g in tok.children)
            and not any(g.dep_ == "pobj" for g in tok.children)
        )

    def _particles_ok(self, rule: Rule, verb: Token) -> bool:
        prts = {c.lower_ for c in verb.children if c.dep_ == "prt" or self._particle(c)}
        if rule.particles:
            return bool(prts & rule.particles)
        return not (rule.relation == "advancesOn" and prts & _RETREAT_PARTICLES)

    def _noun(self, rule: Rule, noun: Token) -> None:
        if rule.via and not (noun.dep_ == "pobj" and noun.head.lower_ in rule.via):
            return
        agent_obj = rule.relation in ("defectsTo", "advises")
        objs: list[_Arg] = []
        for slot in rule.object:
            objs = self._slot(slot, noun, agent_obj)
            if objs:
                break
        if not objs:
            return  # a bare "the advance", "the capture": nothing to say, nothing to reject
        subjs: list[_Arg] = []
        own = self._entity(noun)
        for slot in rule.subject:
            subjs = [a for a in self._slot(slot, noun, True) if a.key not in {o.key for o in objs} and a.key != own]
            if subjs:
                break
        self._emit(rule, noun, subjs, objs, "the object")

    def _hyphen(self, rule: Rule, adj: Token) -> None:
        key = self._entity(self.doc[adj.i - 2])
        if key is None:
            return
        target = adj.head if adj.dep_ in ("amod", "compound", "nmod") else None
        if target is None:
            return
        objs = self._referent(target, False)
        self._emit(rule, adj, [_Arg(key, self.doc[adj.i - 2])], objs, "the modified noun")

    # ------------------------------------------------------------------ output
    def _reject(
        self, trigger: Token, rule: Rule, reason: str, entity: str | None = None, wanted: str | None = None
    ) -> None:
        sent = self._sent(trigger)
        self.rejected.append(
            Rejection(self.sent_of[sent.start], trigger.idx, trigger.text, rule.id, reason, entity, wanted)
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
        weight = weigh(trigger, self.lex, self._sent(trigger))
        if not subjs:
            subjs = self._speaker_as_we(trigger, weight)
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
                if not bad and rule.object_types and otype not in rule.object_types:
                    bad = f"object {o.key!r} is a {otype}; {rule.id} takes only {', '.join(sorted(rule.object_types))}"
                if bad:
                    wrong_kind = otype not in want_obj
                    wanted = ("Place" if want_obj == PLACE_TYPES else "Agent") if wrong_kind else None
                    self._reject(trigger, rule, bad, o.key, wanted)
                    continue
                self._add(rule, trigger, s, o, weight)

    def _speaker_as_we(self, trigger: Token, weight: Weight) -> list[_Arg]:
        """'"We have taken X," a Y spokesman said': a first-person plural subject in reported speech is the
        speaker's side."""
        subj = [c for c in trigger.children if c.dep_ in ("nsubj", "nsubjpass")]
        if weight.speaker is None or not subj or subj[0].lower_ not in ("we", "us"):
            return []
        # the group the speaker speaks for: named in the speaker's phrase ("an M23 spokesman"), or the speaker
        for t in self.doc[weight.speaker].subtree:
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
        for a in args:
            if a.pronoun:
                conf -= self.lex.number("confidence_pronoun", 0.1)
            if a.implicit:
                conf -= self.lex.number("confidence_implicit", 0.15)
            if abs(a.token.i - trigger.i) > self.lex.number("distant_tokens", 12):
                conf -= self.lex.number("confidence_distant", 0.1)
        return round(min(1.0, max(0.05, conf)), 2)

    def _add(self, rule: Rule, trigger: Token, s: _Arg, o: _Arg, weight: Weight) -> None:
        sent = self._sent(trigger)
        ev = Evidence(sent.start_char, sent.end_char, sent.text, self.sent_of[sent.start], trigger.text)
        timex = self._time(trigger, o.token)
        reported = None
        if weight.speaker is not None:
            found = self._np(self.doc[weight.speaker], True)
            if found and self.index.type_of(found[0].key) in AGENT_TYPES:
                reported = found[0].key
        conf = self._confidence(rule.confidence, trigger, s, o)
        self.relations.append(
            Relation(
                s.key,
                rule.relation,
                o.key,
                ev,
                rule.id,
                conf,
                negated=weight.negated,
                modality=weight.modality,
                time=timex[0],
                time_text=timex[1],
                reported_by=reported,
                subject_text=self._mention_text(s.token),
                object_text=self._mention_text(o.token),
            )
        )
        # the attempt shows the actor's advance; "retake X from Y" names Y as the holder, not an actor
        actor = rule.construction not in ("verb-source", "verb-prep-inverse")
        if actor and weight.implies and weight.implies != rule.relation and o.key != s.key:
            if weight.implies in ("controls", "advancesOn") and self.index.type_of(o.key) not in PLACE_TYPES:
                return
            self.relations.append(
                Relation(
                    s.key,
                    weight.implies,
                    o.key,
                    ev,
                    f"{weight.implies}.attempt",
                    round(conf * 0.9, 2),
                    time=timex[0],
                    time_text=timex[1],
                    reported_by=reported,
                    subject_text=self._mention_text(s.token),
                    object_text=self._mention_text(o.token),
                )
            )

    def _mention_text(self, tok: Token) -> str:
        key = self._entity(tok)
        if key is None:
            return tok.text
        start, end = tok.i, tok.i
        sent = self._sent(tok)
        while start > sent.start and self._entity(self.doc[start - 1]) == key:
            start -= 1
        while end + 1 < sent.end and self._entity(self.doc[end + 1]) == key:
            end += 1
        return self.doc[start : end + 1].text

    def _clauses(self, sent_i: int) -> list[Token]:
        """Tokens heading relative, reported or parenthetical clauses in sentence ``sent_i`` (cached)."""
        found = self.clause_heads.get(sent_i)
        if found is None:
            sent = self.sents[sent_i]
            found = [t for t in (self.doc[i] for i in range(sent.start, sent.end)) if t.dep_ in _OWN_CLAUSES]
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

    def _time(self, trigger: Token, obj: Token | None = None) -> tuple[str | None, str | None]:
        """The time expression nearest the trigger in the smallest clause around it that has one; one inside
        the object's own phrase comes first ("A on the 25th and B on the 28th")."""
        sent = self._sent(trigger)
        if obj is not None and not (obj.left_edge.i <= trigger.i <= obj.right_edge.i):
            own = [c for c in obj.children if c.dep_ == "prep"]
            for p in own:
                found = self.times.nearest(p.left_edge.idx, p.right_edge.idx + len(p.right_edge.text), obj.idx)
                if found is not None:
                    return found.value, found.text
        at = trigger.idx
        # relative, reported and parenthetical clauses that do not hold the trigger ("the Houthis, who took Y in
        # 2014, advanced on X") keep their times to themselves; participles share the narrative time
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
        found = nearest(self.doc[sent.start], self.doc[sent.end - 1])
        if found is None and sent.start > 0:
            # the narrative time of the sentence just before, in the same paragraph ("On 13 March, ... .
            # Reportedly, the rebels re-entered the town"); never across a paragraph break
            prev = self._sent(self.doc[sent.start - 1])
            if "\n\n" not in self.text[prev.start_char : sent.start_char]:
                found = self.times.nearest(prev.start_char, prev.end_char, prev.end_char)
        return (found.value, found.text) if found else (None, None)


def name_spans(doc: Doc, index: EntityIndex) -> list[tuple[int, int]]:
    """Character spans of the entity names in ``doc``: a date inside one ("the March 23 Movement") is no time."""
    return [
        (doc[s.start].idx, doc[s.end - 1].idx + len(doc[s.end - 1].text))
        for s in index.spans
        if s.kind in ("name", "member", "nationality") and s.end > s.start
    ]


def find_relations(
    doc: Doc,
    index: EntityIndex,
    rejected: list[Rejection] | None = None,
    times: TimeIndex | None = None,
    lexicon: Lexicon | None = None,
) -> list[Relation]:
    """Every relation the lexicon's rules find in ``doc``; rejected candidates go to ``rejected`` when given."""
    finder = _Finder(doc, index, lexicon or load_lexicon(), times)
    relations = finder.run()
    if rejected is not None:
        rejected.extend(finder.rejected)
    return relations

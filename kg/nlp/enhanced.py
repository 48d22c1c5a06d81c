"""The normalisation layer: one graph of grammatical relations over the parse, in the spirit of enhanced
dependencies (Schuster & Manning 2016, "Enhanced English Universal Dependencies"; CoreNLP's enhanced++).

spaCy's parse says who does what only for the simplest clauses. In "Rebels, who had crossed the river,
besieged and took the town and the port" the parser gives "took" no subject, "besieged" no object, the
relative clause no subject of its own and "the port" no verb. Every relation rule would have to rediscover
that. Instead, :class:`DepGraph` adds the missing arcs once, and relation rules (``kg.nlp.relations``) and
entity passes (``kg.nlp.entities``) read only this graph:

- labels are normalised (``obj``, ``nsubj:pass``, ``agent`` for the "by" phrase of a passive, ``prep:<word>``
  for a prepositional phrase, with two-word prepositions such as ``prep:out of`` joined);
- **conjuncts** share what their first conjunct has: "A, B and C captured X" gives each a subject arc;
  "captured X and Y" an object arc to each; a verb conjunct without a subject takes its neighbour's
  ("besieged X and took Y"), one without an object takes the next one's ("besieged and took X");
- **relative pronouns** stand for their antecedent, every conjunct of it ("A, B and C, who went over to
  Y"), also in a second relative clause coordinated with the first ("X, which ... and which trained Y");
  "where" places its clause at the antecedent; "whose" is the antecedent's possessive;
- **reduced relatives** ("the town, captured by Y", "troops advancing on X") and **controlled subjects**
  ("X tried to take Y", "urged X to take Y", "advisers to train Y", "After taking X, Y was ...") get
  their subject, and so does a **duty's** gerund ("X was placed in charge of training Y");
- **quantities** ("one of the X", "hundreds of X", "a handful of X") stand for what they count;
- **descriptions** ("X is a stronghold of Y", "X, a stronghold of Y", "as a base for Y, X ...",
  "X ... under the rule of Y", "Y at the gates of X", "the RSF, in control of X") get a ``describes`` arc to
  what they describe;
- a plural verb stranded in a time clause ("officers who left X since the coup have joined Y") takes the
  plural noun heading the sentence as its subject;
- a participle the parser read as an adjective but gave a subject ("Y's men trained units of Z") is a verb
  with the noun it was hung on as its object;
- a phrase hung on an adverb ("moved west towards X") is the verb's; a subject's "with" partner ("the 4th
  Brigade, with the 9th Battalion, stormed X") is a subject too;
- a "by" phrase the parser hung on the wrong word ("the capture of X by Y") and an apposition hung on the
  object of "of" ("the capital of Z, the town of X") are raised to where they belong.

Each added arc says why it was added (:attr:`Arc.why`), so ``kg explain`` can show the enhanced arcs a
statement rests on. The graph holds token indices, never spaCy objects beyond the ``Doc`` it was built from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from spacy.tokens import Doc, Token

from kg.nlp.tokens import Sent, Tok, sentences, tokens
from kg.resources import ontology_dir

#: Relations that point at a noun phrase: these are shared among conjuncts of that noun phrase.
NOMINAL = frozenset({"nsubj", "nsubj:pass", "nsubj:x", "obj", "iobj", "agent", "poss", "compound", "amod", "attr"})
#: Subject relations, active and passive and controlled.
SUBJECTS = ("nsubj", "nsubj:pass", "nsubj:x")
_VERBAL = ("VERB", "AUX")
_RELATIVES = frozenset({"who", "which", "that", "whom"})
#: Conjunctions of time the parser may open a clause with that is really a phrase ("since the coup").
_TIME_MARKS = frozenset({"since", "after", "before", "until", "till"})
#: Words that give someone a duty, done by the gerund after them: "in charge of training Y", "responsible for
#: arming Y", "the task of guarding Y".
_DUTIES = frozenset({"charge", "responsible", "responsibility", "task", "job", "mission", "duty"})
#: Named-entity labels of things "who" never refers to.
_NOT_PERSONAL = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
#: Quantity words that stand for what they count ("one of the X", "hundreds of X").
_QUANTITIES = frozenset(
    {
        "one", "two", "three", "four", "five", "some", "many", "most", "all", "several", "few", "both", "each",
        "none", "any", "much", "hundreds", "thousands", "dozens", "scores", "tens", "millions", "handful", "number",
        "dozen", "hundred", "thousand", "majority", "minority", "bulk", "rest", "remainder", "remnants",
        "remnant", "contingent", "batch", "team", "group", "unit", "detachment", "squad", "band", "cadre",
        "core", "host", "couple", "pair", "lot", "plenty", "series", "wave", "string", "spate", "round",
    }
)  # fmt: skip
#: Verbs whose object does what their infinitive says ("urged X to take Y"); after others the subject does.
_OBJECT_CONTROL = frozenset(
    {
        "urge", "ask", "order", "tell", "instruct", "command", "encourage", "persuade", "convince", "force",
        "compel", "oblige", "allow", "permit", "enable", "help", "assist", "lead", "get", "cause", "induce",
        "invite", "authorise", "authorize", "train", "equip", "arm", "push",
        "pressure", "press", "call", "need", "want", "expect", "leave",
    }
)  # fmt: skip
#: Verbs that say who did an event a noun names: "the attack on X was carried out (led, launched) by Y" is Y's
#: attack. Not verbs that judge or answer it ("condemned by", "repelled by") nor "claimed by" (a claim).
PERFORMING = frozenset(
    {
        "carry", "conduct", "launch", "lead", "mount", "stage", "spearhead", "execute", "perform", "undertake",
        "orchestrate", "mastermind",
    }
)  # fmt: skip
#: Words before "with" that keep it comitative ("together with", "along with").
_COMITATIVE = frozenset({"together", "along"})
#: Adverbs after which a name is the next of a list: "took A, then B".
_SEQUENCE = frozenset({"then", "later", "next"})
#: Verbs of leaving a place, and the conjunctions of a clause that times the leaving: "fled X as Y approached".
_LEAVING = frozenset({"flee", "leave", "abandon", "evacuate", "desert", "quit"})
_WHEN = frozenset({"as", "when", "while"})
#: Determiners that name no one in particular: "was led by several units" says how many, not whose.
_VAGUE = frozenset({"many", "several", "various", "numerous", "different", "multiple", "some", "other"})
#: Prepositions whose phrase describes the clause's subject or the noun it hangs on ("as a base for Y",
#: "under the rule of Y", "at the gates of X", "in control of X", "in the hands of Y").
_DESCRIBING = frozenset({"as", "under", "at", "in", "into", "within"})
_TIMES = frozenset({"DATE", "TIME"})


class Arc(NamedTuple):
    """A grammatical relation ``head --rel--> dep`` between token indices. ``why`` is empty for an arc the
    parser gave and names the enhancement otherwise. ``rank`` orders alternatives of one enhancement
    (0 first): a dangling participle's subject may be its clause's subject or, failing that, the agent.
    (A named tuple: graphs make thousands of them, and a frozen dataclass is slower to make.)"""

    head: int
    rel: str
    dep: int
    why: str = ""
    rank: int = 0


@lru_cache(maxsize=1)
def _bases() -> frozenset[str]:
    return frozenset(irregular_forms().values())


@lru_cache(maxsize=1)
def irregular_forms() -> dict[str, str]:
    """Irregular past forms of English verbs -> base form (``ontology/irregular_verbs.txt``).

    The tagger's lemmatiser leaves some of them alone ("retook" stays "retook"); relation triggers are
    matched by base form whatever the tagger made of the word.
    """
    out: dict[str, str] = {}
    path = ontology_dir() / "irregular_verbs.txt"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) < 3:
            raise ValueError(f"{path}:{n}: expected 'base past participle', got {line!r}")
        base = parts[0]
        for form in parts[1:]:
            for f in form.split("/"):
                out.setdefault(f, base)
    return out


_PREFIXES = ("re-", "re", "over", "under", "out", "with", "fore", "mis", "un")


def base_form(tok: Token) -> str:
    """The dictionary form of a word, with irregular verb forms the lemmatiser missed ("retook" -> "retake")."""
    return _base_form(tok.lemma_, tok.lower_)


@lru_cache(maxsize=65536)
def _base_form(lemma_: str, low: str) -> str:
    lemma = lemma_.lower()
    if lemma != low or low in _bases():
        return lemma  # "lay siege": a base form stays itself, whatever past form it also is
    forms = irregular_forms()
    if low in forms:
        return forms[low]
    for p in _PREFIXES:
        if low.startswith(p) and low[len(p) :] in forms:
            return p + forms[low[len(p) :]]
    return lemma


def ing_base(word: str) -> str:
    """The verb a word in "-ing" comes from, for one the tagger took for a noun ("training" -> "train",
    "advising" -> "advise", "running" -> "run")."""
    low = word.lower()
    if not low.endswith("ing") or len(low) < 6:
        return low
    stem = low[:-3]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]  # "running", "shelling" stays "shell"
    if stem[-1] in "vcz" or (stem[-1] in "sg" and stem[-2] in "aeiou" and stem[-3:-2] not in ("", "e")):
        return stem + "e"  # "advising", "forcing", "seizing", "raging"
    return stem


class DepGraph:
    """Normalised and enhanced grammatical relations of one ``Doc`` (see the module docstring)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.toks: list[Tok] = tokens(doc)  # spaCy's tokens with their attributes read once (kg.nlp.tokens)
        # Doc.text joins spaCy's tokens again on each call: joined once, here, from the tokens read already
        self.text = "".join([t.text_with_ws for t in self.toks])
        self.sents: list[Sent] = sentences(doc, self.toks, self.text)
        n = len(self.toks)
        self.lemmas: list[str] = [_base_form(t.lemma_, t.lower_) for t in self.toks]
        self._out: list[list[Arc]] = [[] for _ in range(n)]
        self._in: list[list[Arc]] = [[] for _ in range(n)]
        self._seen: set[tuple[int, str, int]] = set()
        # deps() answers per head, dropped when an arc is added out of that head (only that head's answers change)
        self._memo: list[dict[tuple[str, ...], list[Arc]] | None] = [None] * n
        self._firsts: dict[int, int] = {}  # token -> first token of its subtree (see _first)
        # the parse as plain lists: spaCy makes a new Token object on every .head/.children/.conjuncts
        self.head_of: list[int] = [t.head.i for t in self.toks]
        self._conj: list[list[int]] = [[] for _ in range(n)]
        self._passive_kid = [False] * n  # has a passive auxiliary or subject among its children (for passive())
        for t in self.toks:
            if t.head.i != t.i:
                if t.dep_ == "conj":
                    self._conj[t.head.i].append(t.i)
                elif t.dep_ in ("auxpass", "nsubjpass"):
                    self._passive_kid[t.head.i] = True
        self._basic()
        self._sequences()
        self._adverb_phrases()
        self._comitatives()
        self._headline_verbs()
        self._participle_verbs()
        self._stranded_verbs()
        self._quantities()
        self._relatives()
        self._reduced_relatives()
        self._asides()
        self._control()
        self._duties()
        self._shared_subjects()
        self._gerunds()
        self._conjuncts()
        self._quantities()  # once more, for the arcs the steps above added to a quantity word
        self._raise_by()
        self._performed_by()
        self._approach_on_flight()
        self._raise_appositions()
        self._descriptions()

    # ------------------------------------------------------------------------------------------ access
    def add(self, head: int, rel: str, dep: int, why: str = "", rank: int = 0) -> bool:
        """Add an arc unless the same (head, rel, dep) is already there; returns whether it was added."""
        key = (head, rel, dep)
        if head == dep or key in self._seen:
            return False
        self._seen.add(key)
        arc = _new_arc(Arc, (head, rel, dep, why, rank))  # (Arc(...) goes through a Python-level __new__)
        self._out[head].append(arc)
        self._in[dep].append(arc)
        self._memo[head] = None
        return True

    def deps(self, head: int, *rels: str) -> list[Arc]:
        """Arcs out of ``head`` with one of ``rels`` (``"prep:*"`` matches any preposition), best first.
        (A fresh list: callers may keep or change it.)"""
        out = self._out[head]
        if not out:
            return []  # (a leaf: nothing to remember)
        memo = self._memo[head]
        if memo is None:
            memo = self._memo[head] = {}
        else:
            found = memo.get(rels)
            if found is not None:
                return found[:]
        if not rels:
            arcs = list(out)
        elif _wildcard(rels):
            arcs = [a for a in out if _matches(a.rel, rels)]
        else:
            arcs = [a for a in out if a.rel in rels]
        if len(arcs) > 1:
            arcs.sort(key=lambda a: (a.rank, a.why != "", abs(a.dep - head), a.dep))
        memo[rels] = arcs
        return arcs[:]

    def conjuncts(self, i: int) -> list[int]:
        """Token indices coordinated with token ``i``, in ``Token.conjuncts``' order (read off the parse lists)."""
        start, head_of, conj = i, self.head_of, self._conj
        while head_of[start] != start and self.toks[start].dep_ == "conj":
            start = head_of[start]
        out = [start]
        for w in out:  # breadth first over right-hand conjuncts
            out += [c for c in conj[w] if c > w]
        return [w for w in out if w != i]

    def heads(self, dep: int, *rels: str) -> list[Arc]:
        """Arcs into ``dep`` with one of ``rels``."""
        return [a for a in self._in[dep] if not rels or _matches(a.rel, rels)]

    def arcs(self) -> Iterator[Arc]:
        for arcs in self._out:
            yield from arcs

    def _all_arcs(self) -> list[Arc]:
        """``list(self.arcs())``, made faster: the steps that add arcs while reading them all read a copy."""
        return [a for arcs in self._out for a in arcs]

    def subjects(self, head: int) -> list[Arc]:
        """Who does what ``head`` says: active or controlled subjects, else a passive's agent."""
        found = self.deps(head, "nsubj", "nsubj:x")
        return found if found else self.deps(head, "agent")

    def passive(self, head: int) -> bool:
        """Whether ``head`` is a passive verb: it has a passive subject or auxiliary, or a "by" agent."""
        if self._passive_kid[head]:
            return True
        return bool(self.deps(head, "nsubj:pass")) and self.toks[head].tag_ == "VBN"

    def case_of(self, arc: Arc) -> str:
        return arc.rel[5:] if arc.rel.startswith("prep:") else ""

    # ----------------------------------------------------------------------------------------- basic
    def _basic(self) -> None:
        add = self.add  # (bound once: one add per token of the document)
        for tok in self.toks:
            head = tok.head
            if head is tok:  # a Tok's head is the very Tok object of the head index (kg.nlp.tokens)
                continue
            dep = tok.dep_
            if dep in ("prep", "agent", "dative") and tok.pos_ in ("ADP", "SCONJ", "PART", "ADV"):
                continue  # the phrase's object gets the arc, below
            if dep == "pobj" or dep == "pcomp":
                p = head
                if p.dep_ not in ("prep", "agent", "dative") or p.head.i == p.i:
                    continue
                case = p.lower_
                gov = p.head
                if p.dep_ == "prep" and gov.dep_ == "prep" and gov.pos_ in ("ADP", "ADV") and not _has_object(gov):
                    # "out of X", "away from X", "ahead of X": one two-word preposition
                    case = f"{gov.lower_} {case}"
                    if gov.head.i == gov.i:
                        continue
                    gov = gov.head
                rel = "agent" if p.dep_ == "agent" else f"prep:{case}"
                if gov.dep_ == "prep" and _has_object(gov) and gov.head.i != gov.i:
                    gov = gov.head  # "from X to Y": "to Y" belongs with "from X", to the verb
                add(gov.i, rel, tok.i)
                continue
            add(head.i, _BASIC.get(dep, dep), tok.i)

    def _sequences(self) -> None:
        """ "captured A, then B": a name the parser hung on a name as an apposition after ", then" (later, next)
        is the next item of a list, not a description of the first."""
        for b in self.toks:
            if b.dep_ != "appos" or b.pos_ != "PROPN" or b.head.pos_ != "PROPN" or b.head.i > b.i:
                continue
            a = b.head
            words = [t.lower_ for t in self.toks[a.i + 1 : b.left_edge.i]]
            if len(words) == 2 and words[0] == "," and words[1] in _SEQUENCE:
                self._conj[a.i].append(b.i)

    def _adverb_phrases(self) -> None:
        """ "moved west towards X", "pushed deeper into Y": the parser hangs the phrase on the adverb, but it
        says where the verb's action goes."""
        for adv in self.toks:
            verb = adv.head
            if adv.dep_ not in ("advmod", "npadvmod") or adv.pos_ not in ("ADV", "NOUN") or verb.pos_ not in _VERBAL:
                continue
            for arc in list(self._out[adv.i]):
                if arc.rel.startswith("prep:") and not arc.why:
                    self.add(verb.i, arc.rel, arc.dep, "adverb")

    def _comitatives(self) -> None:
        """ "The 4th Brigade, with the 9th Battalion, stormed X", "A, together with B, defected", "A, along with
        B, ...": a subject's "with" partner (set off by commas or right after it) does what the subject does."""
        rels = ("prep:with", "prep:along with", "prep:together with")
        for arc in self._all_arcs():
            if arc.rel not in ("nsubj", "nsubj:pass") or arc.why:
                continue
            subj = self.toks[arc.dep]
            if subj.pos_ != "PROPN":
                continue
            found = self.deps(subj.i, *rels)
            if subj.i + 1 < len(self.toks) and self.toks[subj.i + 1].text == ",":
                found = found + self.deps(subj.i + 1, *rels)  # the parser hangs "along with" on the comma
            for w in found:
                partner = self.toks[w.dep]
                prep = self.toks[partner.head.i]
                between = self.toks[subj.i + 1 : prep.i]
                right_after = prep.i > subj.i and all(t.text == "," or t.lower_ in _COMITATIVE for t in between)
                if partner.pos_ == "PROPN" and right_after and partner.i < arc.head:
                    self.add(arc.head, arc.rel, partner.i, "with")

    # --------------------------------------------------------------------------------------- headlines
    def _headline_verbs(self) -> None:
        """ "Rebels seize X", "Army retakes Y": a headline has no finite verb for the parser, which reads its verb
        as a plural noun ("captures") heading the whole line. In a line with no verb, a word in "-s" between a
        name before it and a name after it is the verb: the one before is its subject, the one after its object."""
        for sent in self.sents:
            toks = self.toks[sent.start : sent.end]
            if any(x.pos_ in ("VERB", "AUX") for x in toks) or len(toks) > 16:
                continue
            for x in toks:
                if x.tag_ not in ("NNS", "VBZ") or not x.lower_.endswith("s") or x.lemma_.lower() == x.lower_:
                    continue
                before = [c for c in x.children if c.i < x.i and c.dep_ in ("compound", "nmod", "amod", "nsubj")]
                after = [c for c in x.children if c.i > x.i and c.dep_ in ("appos", "compound", "dobj", "npadvmod")]
                if not before or not after:
                    continue
                subj = max(before, key=lambda c: c.i)
                self.add(x.i, "nsubj", subj.i, "headline")
                self.add(x.i, "obj", min(after, key=lambda c: c.i).i, "headline")

    def _participle_verbs(self) -> None:
        """ "Y's men trained units of Z": the parser can read the verb as an adjective of the noun after it
        ("trained members", the noun heading the sentence) and still give it the subject before it. A participle
        with a subject of its own is a verb; the noun it was hung on is its object."""
        for x in self.toks:
            if x.dep_ != "amod" or x.tag_ not in ("VBD", "VBN") or x.head.i <= x.i:
                continue
            if any(c.dep_ == "nsubj" and c.i < x.i for c in x.children):
                self.add(x.i, "obj", x.head.i, "participle")

    def _stranded_verbs(self) -> None:
        """ "Officers who have left the army since the coup have joined Y": the parser reads "since the coup
        have joined Y" as a clause of its own, "the coup" its subject, and leaves the sentence headed by its first
        noun. A plural verb form ("have", "are") cannot have a singular noun as its subject: the plural noun
        heading the sentence is the subject."""
        for x in self.toks:
            if x.dep_ != "advcl" or x.pos_ not in _VERBAL:
                continue
            kids = list(x.children)
            if not any(c.dep_ == "mark" and c.lower_ in _TIME_MARKS for c in kids):
                continue
            subjects = [c for c in kids if c.dep_ == "nsubj"]
            plural_form = x.tag_ == "VBP" or any(c.dep_ == "aux" and c.tag_ == "VBP" for c in kids)
            if len(subjects) != 1 or subjects[0].tag_ != "NN" or not plural_form:
                continue
            root = x
            while root.head is not root:
                root = root.head
            if root.tag_ in ("NNS", "NNPS") and root.i < subjects[0].i:
                self.add(x.i, "nsubj", root.i, "stranded")

    # -------------------------------------------------------------------------------------- quantities
    def _quantities(self) -> None:
        """ "one of the X", "hundreds of X", "a handful of the X": the quantity stands for X."""
        for tok in self.toks:
            low = tok.lower_
            if not (low in _QUANTITIES or tok.like_num) or tok.pos_ not in ("NOUN", "NUM", "PRON", "DET", "ADJ"):
                continue
            of = [a.dep for a in self.deps(tok.i, "prep:of") if self.toks[a.dep].pos_ in ("NOUN", "PROPN", "PRON")]
            if not of:
                continue
            for arc in list(self._in[tok.i]):
                if arc.rel in NOMINAL or arc.rel.startswith("prep:") or arc.rel in ("appos", "describes"):
                    for x in of:
                        self.add(arc.head, arc.rel, x, "quantity")
            for arc in list(self._out[tok.i]):  # "a dozen instructors from X": they are from X
                if (arc.rel.startswith("prep:") and arc.rel != "prep:of") or arc.rel in ("acl", "relcl"):
                    for x in of:
                        self.add(x, arc.rel, arc.dep, "quantity")

    # ------------------------------------------------------------------------------------- relatives
    def _antecedents(self, clause: Token) -> list[int]:
        """The noun(s) a relative clause is about: the noun it hangs on and, for a clause set off by a comma
        ("A, B and C, who ..."), every conjunct of that noun. "who" is never a date or a number ("the X Army,
        set up on 3 May, who ..."): then the noun above it."""
        noun = clause.head
        personal = any(w.lower_ in ("who", "whom") for w in clause.lefts)
        if personal and noun.ent_type_ in _NOT_PERSONAL:
            # the nearest noun before the date's phrase that heads a phrase of its own
            for k in range(noun.left_edge.i - 1, -1, -1):
                x = self.toks[k]
                head_noun = x.pos_ in ("NOUN", "PROPN") and x.dep_ not in ("compound", "amod")
                if head_noun and x.ent_type_ not in _NOT_PERSONAL:
                    return [k]
            return []
        found = [noun.i]
        first = clause.left_edge.i
        if first > 0 and self.toks[first - 1].text == ",":
            found += [c.i for c in noun.conjuncts]
        return sorted(set(found))

    def _relative_clause(self, clause: Token) -> Token | None:
        """The relative clause ``clause`` is, or continues: "the front, which recruited in the hills and which
        later trained X" -- a second clause with a relative word of its own, coordinated with the first, is
        about the same antecedent."""
        if clause.dep_ in ("relcl", "acl"):
            return clause if clause.head.i != clause.i else None
        if clause.dep_ != "conj" or clause.pos_ not in _VERBAL or not self._opens_relative(clause):
            return None
        up = clause.head
        for _ in range(4):
            if up.dep_ == "relcl" and up.head.i != up.i:
                return up
            if up.dep_ != "conj" or up.head.i == up.i:
                return None
            up = up.head
        return None

    def _opens_relative(self, clause: Token) -> bool:
        """Whether a relative word opens ``clause`` ("which", "in which", "whose", "where")."""
        for w in clause.subtree:
            if w.i >= clause.i:
                return False
            if w.lower_ in _RELATIVES or w.lower_ in ("whose", "where", "wherein"):
                return True
        return False

    def _relatives(self) -> None:
        for clause in self.toks:
            if clause.dep_ not in ("relcl", "acl", "conj"):
                continue  # (what _relative_clause rejects first, without a call per token)
            rel = self._relative_clause(clause)
            if rel is None:
                continue
            ante = self._antecedents(rel)
            for w in clause.subtree:
                if w.i >= clause.i:
                    break  # the relative word opens the clause
                low = w.lower_
                if low in _RELATIVES and w.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "attr"):
                    arcs = [a for a in self._in[w.i] if a.why == ""]
                    for arc in arcs:
                        for a in ante:
                            self.add(arc.head, arc.rel, a, "relative")
                    for a in ante:
                        self.add(a, "ref", w.i, "relative")
                elif low == "whose" and w.dep_ == "poss":
                    for a in ante:
                        self.add(w.head.i, "poss", a, "relative")
                elif low in ("where", "wherein") and w.dep_ == "advmod":
                    for a in ante:
                        self.add(w.head.i, "prep:in", a, "where")

    def _reduced_relatives(self) -> None:
        """ "the town, captured by Y in May" -> captured nsubj:pass town; "troops advancing on X" -> advancing
        nsubj troops. A relative clause that lost its pronoun to the parser counts too."""
        for clause in self.toks:
            if clause.dep_ not in ("acl", "relcl") or clause.pos_ not in _VERBAL or clause.head.i == clause.i:
                continue
            if self._opens_relative(clause):
                continue  # "the base from which the rebels struck": not a clause that lost its pronoun
            ante = self._antecedents(clause)
            own_subject = any(a.why == "" for a in self.deps(clause.i, *SUBJECTS))
            if clause.dep_ == "relcl" and own_subject and not self.deps(clause.i, "obj"):
                transitive = not any(c.dep_ in ("prt", "ccomp", "xcomp", "dative") for c in clause.children)
                if transitive and clause.i > clause.head.i:
                    for a in ante:  # "the villages the army captured": the antecedent is the missing object
                        self.add(clause.i, "obj", a, "relative")
                continue
            if self.deps(clause.i, *SUBJECTS, "agent") and own_subject:
                continue
            if clause.tag_ == "VBN" and clause.dep_ == "acl" and self._main_verb(clause):
                for a in ante:  # "Northland-backed militias advanced on X": the parser's participle is the verb
                    self.add(clause.i, "nsubj", a, "main-verb")
                continue
            perfect = any(c.dep_ == "aux" and c.lemma_ == "have" for c in clause.children)
            if clause.tag_ == "VBN" and not perfect:
                for a in ante:
                    self.add(clause.i, "nsubj:pass", a, "reduced-relative")
            elif clause.tag_ == "VBN":
                for a in ante:  # "the rest of the forces having run away": active, perfect
                    self.add(clause.i, "nsubj", a, "reduced-relative")
            elif clause.tag_ == "VBG":
                for a in ante:
                    self.add(clause.i, "nsubj", a, "reduced-relative")
            elif any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children):
                for a in ante:  # "advisers to train Y", "an operation to retake X"
                    self.add(clause.i, "nsubj:x", a, "control")
            elif clause.dep_ == "relcl" and not self.deps(clause.i, "obj"):
                for a in ante:  # "the town the rebels took": the antecedent is the missing object
                    self.add(clause.i, "obj", a, "relative")

    def _main_verb(self, part: Token) -> bool:
        """Whether a participle the parser hung on a noun is the sentence's main verb: no other verb heads the
        sentence ("Rebels advanced on X"), or it is coordinated with a finite verb ("besieged and took X")."""
        if any(c.dep_ == "conj" and c.tag_ in ("VBD", "VBZ", "VBP") for c in part.children):
            return True
        if any(c.dep_ in ("auxpass", "agent") or (c.dep_ == "prep" and c.lower_ == "by") for c in part.children):
            return False
        root = part.sent.root
        return root.pos_ not in _VERBAL and part.head.dep_ in ("ROOT", "nsubj") and part.head.i < part.i

    # --------------------------------------------------------------------------------------- control
    def _control(self) -> None:
        """Subjects of infinitives and participles without one of their own."""
        for c in self.toks:
            if c.pos_ not in _VERBAL or c.head.i == c.i:
                continue
            dep = c.dep_
            head = c.head
            if dep == "pcomp" and head.dep_ == "prep" and head.head.pos_ in _VERBAL:
                gov = head.head  # "after seizing X, ...", "by capturing X"
            elif dep in ("xcomp", "advcl", "ccomp") and head.pos_ in (*_VERBAL, "ADJ"):
                gov = head
            else:
                continue
            if self.deps(c.i, *SUBJECTS):
                continue
            if dep == "ccomp" and not any(x.dep_ == "aux" and x.lower_ == "to" for x in c.children):
                # "residents said fighters from X were at Y": the parser took the clause's subject for the
                # object of "said"
                for a in self.deps(gov.i, "obj"):
                    if a.dep < c.i and not a.why:
                        self.add(c.i, "nsubj", a.dep, "clause-subject")
                continue
            objs = self.deps(gov.i, "obj") if dep in ("xcomp", "ccomp") else []
            if objs and self.lemmas[gov.i] in _OBJECT_CONTROL:
                for a in objs:
                    self.add(c.i, "nsubj:x", a.dep, "control")
                continue
            subj = self.deps(gov.i, "nsubj", "nsubj:pass", "nsubj:x")
            up = gov
            for _ in range(3):  # "were unable to capture X": the subject of the clause "unable" completes
                if subj or up.dep_ not in ("acomp", "xcomp", "conj") or up.head.i == up.i:
                    break
                up = up.head
                subj = self.deps(up.i, "nsubj", "nsubj:pass", "nsubj:x")
            for a in subj:
                self.add(c.i, "nsubj:x", a.dep, "control")
            if dep in ("advcl", "pcomp") and any(a.rel == "nsubj:pass" for a in subj):
                # "After taking X, the city was surrounded by Y": a dangling participle may belong to the agent
                for a in self.deps(gov.i, "agent"):
                    self.add(c.i, "nsubj:x", a.dep, "dangling", rank=1)
            if not subj and head.dep_ in ("acl", "relcl"):
                for a in self.deps(gov.i, *SUBJECTS):
                    self.add(c.i, "nsubj:x", a.dep, "control")

    def _duties(self) -> None:
        """ "X was placed in charge of training Y", "put X in charge of training Y", "X is responsible for arming
        Y", "X took charge of training Y": the one given the duty does what the gerund says."""
        for c in self.toks:
            prep = c.head
            if c.dep_ != "pcomp" or c.pos_ != "VERB" or prep.dep_ != "prep" or self.deps(c.i, *SUBJECTS):
                continue
            duty = prep.head
            if duty.lower_ not in _DUTIES:
                continue
            if duty.dep_ == "pobj" and duty.head.dep_ == "prep":
                gov, placed = duty.head.head, True  # "placed / put X / is in charge of"
            elif duty.dep_ in ("dobj", "attr", "acomp", "oprd"):
                gov, placed = duty.head, False  # "took charge of", "is responsible for", "was given the task of"
            else:
                continue
            if gov.pos_ not in _VERBAL:
                continue
            objs = self.deps(gov.i, "obj") if placed else []
            doers = objs or self.deps(gov.i, "nsubj", "nsubj:pass", "nsubj:x")
            for a in doers:
                self.add(c.i, "nsubj:x", a.dep, "duty")

    def _asides(self) -> None:
        """ "The unit, thought to be X, has been patrolling": the parser gives the subject to the aside before
        the verb; it is the verb's. "On 13 March, X's forces, advancing from Y, succeeded in ...": the parser may
        take a fronted subject for a second object of the opening preposition."""
        for v in self.toks:
            if v.pos_ not in _VERBAL or self.deps(v.i, *SUBJECTS):
                continue
            if v.dep_ == "ROOT" or v.tag_ in ("VBD", "VBZ", "VBP"):
                for a in self.deps(v.i, "prep:*"):
                    x = self.toks[a.dep]
                    objs = [c.i for c in x.head.children if c.dep_ == "pobj"] if x.dep_ == "pobj" else []
                    later = x.dep_ == "conj" or (len(objs) > 1 and min(objs) != x.i)
                    if a.dep < v.i and x.left_edge.i > 0 and self.toks[x.left_edge.i - 1].text == "," and later:
                        self.add(v.i, "nsubj", a.dep, "fronted")
            for aside in v.children:
                if aside.dep_ not in ("parataxis", "advcl") or aside.i > v.i:
                    continue
                for a in self.deps(aside.i, "nsubj", "nsubj:pass"):
                    if a.dep < aside.i and not a.why:
                        self.add(v.i, "nsubj", a.dep, "aside")
            if v.dep_ == "ccomp" and is_aside(v.head, v):
                # "The unit, said to be loyal to X, is guarding Y": the parser made the aside the main clause
                # and the real verb its complement
                for a in self.deps(v.head.i, "nsubj", "nsubj:pass"):
                    if a.dep < v.head.i and not a.why:
                        self.add(v.i, "nsubj", a.dep, "aside")

    # -------------------------------------------------------------------------------------- conjuncts
    def _shared_subjects(self) -> None:
        """Verb conjuncts share a subject ("besieged X and took Y") and a last object ("besieged and took X")."""
        for v2 in self.toks:
            gerund = v2.tag_ in ("NN", "VBG") and v2.lower_.endswith("ing") and v2.dep_ == "conj"
            if (v2.pos_ not in _VERBAL and not gerund) or v2.head.i == v2.i:
                continue
            v1 = v2.head
            if not (v2.dep_ == "conj" or (v2.dep_ == "dep" and v1.pos_ in _VERBAL)) or v1.pos_ not in _VERBAL:
                continue
            if not self.deps(v2.i, *SUBJECTS):
                passive = any(c.dep_ == "auxpass" for c in v2.children)
                for a in self.deps(v1.i, *SUBJECTS):
                    rel = "nsubj:pass" if passive else "nsubj" if a.rel == "nsubj:pass" and v2.tag_ != "VBN" else a.rel
                    why = "relative" if a.why == "relative" else "shared-subject"  # still a relative's antecedent
                    self.add(v2.i, rel, a.dep, why)
                if not passive:
                    for a in self.deps(v1.i, "agent"):
                        if v2.tag_ == "VBN" and self.passive(v1.i):
                            self.add(v2.i, "agent", a.dep, "shared-subject")
            if self.passive(v2.i) and self.passive(v1.i) and not self.deps(v1.i, "agent"):
                for a in self.deps(v2.i, "agent"):  # "were trained and equipped by X"
                    self.add(v1.i, "agent", a.dep, "shared-agent")
            between = self.toks[v1.i + 1 : v2.i]
            if (
                v1.i < v2.i
                and not self.deps(v1.i, "obj")
                and all(t.dep_ in ("cc", "punct", "advmod", "prt") for t in between)
            ):
                for a in self.deps(v2.i, "obj"):
                    self.add(v1.i, "obj", a.dep, "shared-object")

    def _gerunds(self) -> None:
        """ "supporting and training forces": the parser reads the second verb as a modifier of the object
        ("training forces") conjoined with the first verb; it is a verb conjoined with the first, sharing its
        subject and taking the noun as its object."""
        for n in self.toks:
            v1 = n.head
            if n.dep_ != "conj" or n.pos_ != "NOUN" or v1.pos_ != "VERB" or v1.tag_ != "VBG":
                continue
            ing = [c for c in n.children if c.dep_ in ("compound", "amod") and c.lower_.endswith("ing") and c.i < n.i]
            if not ing or not any(x.dep_ == "cc" for x in self.toks[v1.i + 1 : ing[0].i]):
                continue
            v2 = ing[0]
            self.lemmas[v2.i] = ing_base(v2.text)
            self.add(v2.i, "obj", n.i, "gerund")
            self.add(v1.i, "obj", n.i, "gerund")
            for a in self.deps(v1.i, *SUBJECTS):
                self.add(v2.i, a.rel, a.dep, "shared-subject")
        # "were arming and drilling militias of X, Y said": the same, where the parser made the noun the
        # subject of a later verb
        toks = self.toks
        for v1 in toks[: max(0, len(toks) - 3)]:
            if v1.tag_ != "VBG" or v1.pos_ != "VERB" or self.deps(v1.i, "obj"):
                continue
            cc, v2, n = toks[v1.i + 1], toks[v1.i + 2], toks[v1.i + 3]
            if cc.lower_ not in ("and", "or") or not v2.lower_.endswith("ing") or v2.head.i != n.i:
                continue
            if v2.dep_ not in ("compound", "amod") or n.pos_ not in ("NOUN", "PROPN"):
                continue
            self.lemmas[v2.i] = ing_base(v2.text)
            self.add(v2.i, "obj", n.i, "gerund")
            self.add(v1.i, "obj", n.i, "gerund")
            for a in self.deps(v1.i, *SUBJECTS):
                self.add(v2.i, a.rel, a.dep, "shared-subject")

    def _conjuncts(self) -> None:
        """Each conjunct of a noun phrase stands where the first one does ("captured X, Y and Z")."""
        toks, conj = self.toks, self._conj
        for arcs in list(self._out):
            for arc in list(arcs):
                dep = toks[arc.dep]
                if not conj[arc.dep] and dep.dep_ != "conj":
                    continue  # no conjuncts (most arcs): the cheapest test first
                if not (arc.rel in NOMINAL or arc.rel.startswith("prep:") or arc.rel in ("appos",)):
                    continue
                if dep.pos_ in _VERBAL:
                    continue
                for ci in self.conjuncts(arc.dep):
                    c = self.toks[ci]
                    if c.i == arc.head or c.pos_ in _VERBAL:
                        continue
                    if c.pos_ == "ADV":  # "A and later B": the conjunct is the noun after the adverb
                        for g in c.children:
                            if g.dep_ in ("dep", "npadvmod", "appos", "pobj") and g.pos_ in ("NOUN", "PROPN"):
                                self.add(arc.head, arc.rel, g.i, "conj", arc.rank)
                        continue
                    self.add(arc.head, arc.rel, c.i, "conj", arc.rank)

    # ------------------------------------------------------------------------------------------ raises
    def _raise_by(self) -> None:
        """ "the capture of X by Y": a "by" phrase the parser hung on X belongs to the noun that X completes."""
        out = self._out
        for noun in self.toks:
            if noun.pos_ not in ("NOUN", "PROPN"):
                continue
            arcs = out[noun.i]
            if not arcs:
                continue
            rels = {a.rel for a in arcs}
            if "prep:of" not in rels or "prep:by" in rels or "agent" in rels:
                continue
            for of in self.deps(noun.i, "prep:of"):
                for by in self.deps(of.dep, "prep:by"):
                    self.add(noun.i, "prep:by", by.dep, "by-raise")

    def _performed_by(self) -> None:
        """ "the attack on X was carried out by Y", "the offensive, spearheaded by Y": the agent of a verb that
        says who did an event (``PERFORMING``; "carry" only with "out") is the "by" phrase of the event noun;
        "by several units" names no one."""
        for verb in self.toks:
            lemma = self.lemmas[verb.i]
            if lemma not in PERFORMING or verb.tag_ != "VBN":
                continue
            if lemma == "carry" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children):
                continue
            agents = self.deps(verb.i, "agent")
            for subj in self.deps(verb.i, "nsubj:pass"):
                if self.toks[subj.dep].pos_ != "NOUN" or self.deps(subj.dep, "prep:by", "agent"):
                    continue
                for a in agents:
                    if not any(c.lower_ in _VAGUE for c in self.toks[a.dep].children):
                        self.add(subj.dep, "prep:by", a.dep, "performed-by")

    def _approach_on_flight(self) -> None:
        """ "Residents fled X as the rebels approached": an approach with no object of its own, in a time clause
        on a verb of leaving a place (``_LEAVING``), approaches the place left."""
        for verb in self.toks:
            if self.lemmas[verb.i] != "approach" or verb.dep_ != "advcl" or verb.pos_ not in _VERBAL:
                continue
            if self.deps(verb.i, "obj") or not any(c.dep_ == "mark" and c.lower_ in _WHEN for c in verb.children):
                continue
            left = verb.head
            if self.lemmas[left.i] not in _LEAVING:
                continue
            for a in self.deps(left.i, "obj"):
                self.add(verb.i, "obj", a.dep, "place-left")

    def _raise_appositions(self) -> None:
        """ "the capital of Z, the town of X": an apposition the parser hung on Z describes the capital."""
        for arc in self._all_arcs():
            if arc.rel != "appos" or arc.why:
                continue
            z, app = self.toks[arc.head], self.toks[arc.dep]
            definite_of = app.pos_ == "NOUN" and bool(self.deps(app.i, "prep:of"))
            if z.pos_ != "PROPN" or not (definite_of or app.pos_ == "PROPN"):
                continue  # "the capital of Z, a region in ...": an indefinite apposition describes Z
            for up in self.heads(z.i, "prep:of"):
                outer = self.toks[up.head]
                if outer.pos_ == "NOUN" and outer.i < z.i:
                    self.add(outer.i, "appos", app.i, "appos-raise")

    # ------------------------------------------------------------------------------------ descriptions
    def _descriptions(self) -> None:
        for arc in self._all_arcs():
            if arc.rel == "appos":
                self.add(arc.dep, "describes", arc.head, "appos")
                self.add(arc.head, "describes", arc.dep, "appos")
            elif arc.rel == "attr":
                for s in self.deps(arc.head, *SUBJECTS):
                    self.add(arc.dep, "describes", s.dep, "copula")
            elif arc.rel.startswith("prep:") and arc.rel[5:] in _DESCRIBING and arc.why != "where":
                gov = self.toks[arc.head]
                if self.toks[arc.dep].pos_ not in ("NOUN", "PROPN") or self.toks[arc.dep].ent_type_ in _TIMES:
                    continue  # "in May": a describing phrase is a noun phrase ("in rebel hands", "at the gates of X")
                before = self._set_off(arc)
                if before is not None:
                    # "the loss of the province to the rebels, by then in control of X": a phrase set off by a comma
                    # describes the noun phrase just before it, whatever the parser hung it on
                    self.add(arc.dep, "describes", before, arc.rel[5:])
                    continue
                if gov.pos_ in _VERBAL:
                    objs = [a for a in self.deps(gov.i, "obj") if a.dep < arc.dep]
                    targets = objs or self.deps(gov.i, *SUBJECTS)
                    for t in targets:  # "left X in rebel hands", "X remained under the rule of Y"
                        self.add(arc.dep, "describes", t.dep, arc.rel[5:])
                    prep = self._first(arc.dep) - 1
                    if prep > 0 and self.toks[prep - 1].pos_ == "PROPN" and arc.rel[5:] == "under":
                        # "a proto-state in X under the rule of Y": the phrase may belong to the place before it
                        self.add(arc.dep, "describes", prep - 1, "under")
                elif gov.pos_ in ("NOUN", "PROPN", "PRON"):
                    self.add(arc.dep, "describes", gov.i, arc.rel[5:])

    def _set_off(self, arc: Arc) -> int | None:
        """The head of the noun phrase right before a prepositional phrase that a comma sets off, if any."""
        prep = self._first(arc.dep) - 1
        while prep >= 0 and self.toks[prep].dep_ in ("prep", "advmod") and self.toks[prep].pos_ in ("ADP", "ADV"):
            prep -= 1
        if prep < 1 or self.toks[prep].text != ",":
            return None
        noun = self.toks[prep - 1]
        if noun.pos_ not in ("NOUN", "PROPN"):
            return None
        while noun.dep_ in ("compound", "amod") and noun.head.i > noun.i:
            noun = noun.head
        return noun.i if noun.i != arc.head else None

    def _first(self, i: int) -> int:
        """The first token of token ``i``'s subtree, ``min(x.i for x in toks[i].subtree)``, remembered: the
        descriptions ask for the same phrases' starts again and again."""
        first = self._firsts.get(i)
        if first is None:
            first = min([i, *(self._first(k) for k in self.toks[i]._kids)])
            self._firsts[i] = first
        return first

    # -------------------------------------------------------------------------------------- display
    def describe(self, arc: Arc) -> str:
        """ "took -nsubj-> brigades (shared-subject)": an arc as ``kg explain`` prints it."""
        h, d = self.toks[arc.head], self.toks[arc.dep]
        why = f" ({arc.why})" if arc.why else ""
        return f"{h.text} -{arc.rel}-> {d.text}{why}"


_BASIC = {
    "dobj": "obj",
    "nsubjpass": "nsubj:pass",
    "csubj": "csubj",
    "nmod": "compound",
    "attr": "attr",
    "oprd": "attr",
}


def is_aside(aside: Token, verb: Token) -> bool:
    """Whether ``aside`` is a participle set off by commas between a subject and ``verb``, its complement in the
    parse ("X, thought to be Y, has ..."): a comma before it, one before ``verb``, an infinitive of its own. It
    then says nothing of ``verb``: neither its subject nor, for modality, a report of it."""
    if aside.tag_ not in ("VBN", "VBD") or verb.i < aside.i + 3 or aside.i < 2:
        return False
    doc = aside.doc
    if doc[aside.i - 1].text != "," or doc[verb.left_edge.i - 1].text != ",":
        return False
    infinitives = (c for c in aside.children if c.dep_ == "xcomp")
    return any(any(x.dep_ == "aux" and x.lower_ == "to" for x in c.children) for c in infinitives)


_new_arc = tuple.__new__
_WILDCARD: dict[tuple[str, ...], bool] = {}


def _wildcard(rels: tuple[str, ...]) -> bool:
    """Whether one of ``rels`` ends in ``*`` (remembered per tuple: callers ask with a few fixed tuples)."""
    wild = _WILDCARD.get(rels)
    if wild is None:
        wild = _WILDCARD[rels] = any(r.endswith("*") for r in rels)
    return wild


def _matches(rel: str, rels: Iterable[str]) -> bool:
    return any(r == rel or (r.endswith("*") and rel.startswith(r[:-1])) for r in rels)


def _has_object(p: Token) -> bool:
    return any(c.dep_ in ("pobj", "pcomp") for c in p.children)

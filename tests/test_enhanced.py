"""The normalisation layer (``kg.nlp.enhanced``) on sentences written for these tests.

Each case names one arc a relation rule or an entity pass reads: ``head -rel-> dep`` and the enhancement that
added it (``Arc.why``; empty for an arc the parser gave, relabelled). The sentences are invented, about places
none of the corpora is about, so a passing case says the mechanism is general, not fitted to a text.
"""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.enhanced import Arc, DepGraph, base_form, irregular_forms


def _tok(doc: Doc, word: str) -> int:
    """Index of the token ``word`` ("word#2" for its second occurrence)."""
    text, _, nth = word.partition("#")
    hits = [t.i for t in doc if t.text == text]
    n = int(nth or 1)
    assert len(hits) >= n, f"{text!r} occurs {len(hits)} time(s) in {doc.text!r}"
    return hits[n - 1]


def _arcs(g: DepGraph, head: str, rel: str, dep: str) -> list[Arc]:
    h, d = _tok(g.doc, head), _tok(g.doc, dep)
    return [a for a in g.deps(h, rel) if a.dep == d]


def _show(g: DepGraph) -> str:
    return "\n".join(g.describe(a) for a in g.arcs())


@pytest.fixture(scope="module")
def graph(nlp: Language):  # type: ignore[no-untyped-def]
    """``graph(text)`` -> the DepGraph of ``text``, parsed once per text in this module."""
    cache: dict[str, DepGraph] = {}

    def make(text: str) -> DepGraph:
        if text not in cache:
            cache[text] = DepGraph(nlp(text))
        return cache[text]

    return make


# (text, head, rel, dep, why): the arc must be in the graph, added by that enhancement ("" = the parser's own).
ARCS = [
    # ---------------------------------------------------------------- label normalisation
    ("Government troops were driven out of Arequipa by the guerrillas.", "driven", "nsubj:pass", "troops", ""),
    ("Government troops were driven out of Arequipa by the guerrillas.", "driven", "prep:out of", "Arequipa", ""),
    ("Government troops were driven out of Arequipa by the guerrillas.", "driven", "agent", "guerrillas", ""),
    ("The militia moved from Pokhara to Butwal in June.", "moved", "prep:from", "Pokhara", ""),
    ("The militia moved from Pokhara to Butwal in June.", "moved", "prep:to", "Butwal", ""),
    ("The rebels captured Tansen, Gorkha and Bandipur in May.", "captured", "obj", "Tansen", ""),
    # ---------------------------------------------------------------- conjuncts share
    ("The rebels captured Tansen, Gorkha and Bandipur in May.", "captured", "obj", "Gorkha", "conj"),
    ("The rebels captured Tansen, Gorkha and Bandipur in May.", "captured", "obj", "Bandipur", "conj"),
    (
        "After a week, the army, the police and the Maoists, coming from Tansen, entered Butwal.",
        "entered",
        "nsubj",
        "police",
        "conj",
    ),
    (
        "After a week, the army, the police and the Maoists, coming from Tansen, entered Butwal.",
        "entered",
        "nsubj",
        "Maoists",
        "conj",
    ),
    ("Peruvian and Bolivian officers trained the militia in Puno.", "officers", "amod", "Bolivian", "conj"),
    # "A and later B": the later conjunct takes the same preposition
    ("The airport fell to the Maoists and later the army.", "fell", "prep:to", "army", "conj"),
    # ---------------------------------------------------------------- verb conjuncts
    ("The guerrillas besieged Tansen and took Gorkha.", "took", "nsubj", "guerrillas", "shared-subject"),
    ("The guerrillas surrounded and shelled Gorkha.", "surrounded", "obj", "Gorkha", "shared-object"),
    ("The guerrillas surrounded and shelled Gorkha.", "shelled", "nsubj", "guerrillas", "shared-subject"),
    ("Peru is arming and training village militias.", "arming", "obj", "militias", "shared-object"),
    ("Peru is arming and training village militias.", "training", "nsubj", "Peru", "shared-subject"),
    ("The militia was trained and equipped by Chilean instructors.", "trained", "agent", "instructors", "shared-agent"),
    (
        "The militia was trained and equipped by Chilean instructors.",
        "equipped",
        "nsubj:pass",
        "militia",
        "shared-subject",
    ),
    ("The Maoists began besieging and shelling towns.", "shelling", "nsubj:x", "Maoists", "shared-subject"),
    ("The Maoists began besieging and shelling towns.", "besieging", "obj", "towns", "shared-object"),
    # ---------------------------------------------------------------- relative pronouns
    (
        "Tharu militias, Maoist cadres and student brigades, who all opposed the king, marched on Pokhara.",
        "opposed",
        "nsubj",
        "militias",
        "relative",
    ),
    (
        "Tharu militias, Maoist cadres and student brigades, who all opposed the king, marched on Pokhara.",
        "opposed",
        "nsubj",
        "cadres",
        "relative",
    ),
    (
        "Tharu militias, Maoist cadres and student brigades, who all opposed the king, marched on Pokhara.",
        "opposed",
        "nsubj",
        "brigades",
        "relative",
    ),
    (
        "Tharu militias, Maoist cadres and student brigades, who all opposed the king, marched on Pokhara.",
        "militias",
        "ref",
        "who",
        "relative",
    ),
    ("The Maoists, who had held Gorkha for a year, abandoned it.", "held", "nsubj", "Maoists", "relative"),
    # a second relative clause coordinated with the first is about the same antecedent
    (
        "The Tharu Front, which recruited in the hills and which later trained the Magar militia, grew quickly.",
        "trained",
        "nsubj",
        "Front",
        "relative",
    ),
    ("The army recaptured Bandipur, which the rebels had held since June.", "held", "obj", "Bandipur", "relative"),
    ("The army recaptured Bandipur, which the rebels had held since June.", "Bandipur", "ref", "which", "relative"),
    (
        "The garrison, whose commander had fled, surrendered Tansen to the rebels.",
        "commander",
        "poss",
        "garrison",
        "relative",
    ),
    (
        "The militia advanced to the port of Beira, where the navy regained control.",
        "regained",
        "prep:in",
        "Beira",
        "where",
    ),
    # ---------------------------------------------------------------- reduced relatives
    ("Bandipur, captured by the Maoists in May, was quiet.", "captured", "nsubj:pass", "Bandipur", "reduced-relative"),
    ("Maoist columns advancing on Pokhara were bombed.", "advancing", "nsubj", "columns", "reduced-relative"),
    (
        "Units belonging to the Andean Liberation Front entered Puno, Peru.",
        "belonging",
        "nsubj",
        "Units",
        "reduced-relative",
    ),
    (
        "After a week, the army, the police and the Maoists, coming from Tansen, entered Butwal.",
        "coming",
        "nsubj",
        "Maoists",
        "reduced-relative",
    ),
    # ---------------------------------------------------------------- controlled subjects
    ("The rebels tried to take Pokhara.", "take", "nsubj:x", "rebels", "control"),
    # a duty done by the gerund after it: the one given the duty (passive subject, object of "put", subject)
    ("Colonel Rai was placed in charge of training the militia.", "training", "nsubj:x", "Rai", "duty"),
    ("The king put Colonel Rai in charge of training the militia.", "training", "nsubj:x", "Rai", "duty"),
    ("Colonel Rai took charge of training the militia.", "training", "nsubj:x", "Rai", "duty"),
    ("Colonel Rai was given the task of training the militia.", "training", "nsubj:x", "Rai", "duty"),
    ("The king urged the army to retake Gorkha.", "retake", "nsubj:x", "army", "control"),
    ("The royal troops were unable to capture Tansen.", "capture", "nsubj:x", "troops", "control"),
    ("After taking Tansen, the Maoists marched on Pokhara.", "taking", "nsubj:x", "Maoists", "control"),
    ("Chile sent advisers to train the Bolivian police.", "train", "nsubj:x", "Chile", "control"),
    (
        "On 4 June, the Maoist forces, advancing from Tansen, succeeded in reaching Pokhara.",
        "reaching",
        "nsubj:x",
        "forces",
        "control",
    ),
    # ---------------------------------------------------------------- asides
    # the parser made the aside the main clause and the real verb its complement
    ("The Magar Brigade, said to be loyal to the king, is guarding Pokhara.", "guarding", "nsubj", "Brigade", "aside"),
    # ---------------------------------------------------------------- fronted subject
    (
        "On 2 May, in Gorkha, the Maoist forces, advancing from Tansen, captured Butwal.",
        "captured",
        "nsubj",
        "forces",
        "fronted",
    ),
    # ---------------------------------------------------------------- quantities
    ("One of the Maoist brigades entered Tansen.", "entered", "nsubj", "brigades", "quantity"),
    ("Hundreds of Tharu fighters crossed into Chitwan.", "crossed", "nsubj", "fighters", "quantity"),
    ("Some of the Maoist fighters crossed into India.", "crossed", "nsubj", "fighters", "quantity"),
    ("A handful of instructors from Chile trained the Bolivian police.", "trained", "nsubj", "instructors", "quantity"),
    ("A group of instructors from Chile trained the Bolivian police.", "instructors", "prep:from", "Chile", "quantity"),
    # ---------------------------------------------------------------- raised apposition
    ("The rebels reached the capital of Nepal, the city of Kathmandu.", "capital", "appos", "city", "appos-raise"),
    # ---------------------------------------------------------------- describes
    ("Butwal is a stronghold of the Maoists.", "stronghold", "describes", "Butwal", "copula"),
    ("Butwal, a stronghold of the Maoists, was shelled.", "stronghold", "describes", "Butwal", "appos"),
    ("Butwal remained under the rule of the Maoists.", "rule", "describes", "Butwal", "under"),
    ("The Maoists were at the gates of Butwal.", "gates", "describes", "Maoists", "at"),
    ("As a base for the Maoists, Butwal mattered.", "base", "describes", "Butwal", "as"),
    ("The Maoists, by then in control of Butwal, marched north.", "control", "describes", "Maoists", "in"),
    ("The militia left Butwal in Maoist hands.", "hands", "describes", "Butwal", "in"),
]


@pytest.mark.parametrize(("text", "head", "rel", "dep", "why"), ARCS)
def test_enhancement_adds_the_arc(graph, text: str, head: str, rel: str, dep: str, why: str) -> None:  # type: ignore[no-untyped-def]
    g = graph(text)
    found = _arcs(g, head, rel, dep)
    assert found, f"no {head} -{rel}-> {dep} in {text!r}:\n{_show(g)}"
    assert why in {a.why for a in found}, f"{head} -{rel}-> {dep} added by {[a.why for a in found]}, not {why!r}"


# (text, head, rel, dep): arcs that must NOT be there -- what the enhancement must not over-apply.
NO_ARCS = [
    # object control: the object, not the subject, does what the infinitive says
    ("The king urged the army to retake Gorkha.", "retake", "nsubj:x", "king"),
    # "put X in charge of": X has the duty, not the one who put him there
    ("The king put Colonel Rai in charge of training the militia.", "training", "nsubj:x", "king"),
    # a passive conjunct does not take an active subject as its active subject
    ("The militia was trained and equipped by Chilean instructors.", "equipped", "nsubj", "militia"),
    # a time phrase is no description of anything
    ("The Maoists entered Butwal in May.", "May", "describes", "Maoists"),
    ("The Maoists entered Butwal in May.", "May", "describes", "Butwal"),
    # "where" places the clause; it does not describe the place
    ("The militia advanced to the port of Beira, where the navy regained control.", "Beira", "describes", "navy"),
    # a clause opened by "from which" has its relative word: the antecedent is where, not what, it struck
    ("The Maoists abandoned the base from which they had attacked.", "attacked", "obj", "base"),
    # a reduced relative on a place is passive: the place is captured, it captures nothing
    ("Bandipur, captured by the Maoists in May, was quiet.", "captured", "nsubj", "Bandipur"),
]


@pytest.mark.parametrize(("text", "head", "rel", "dep"), NO_ARCS)
def test_enhancement_does_not_overreach(graph, text: str, head: str, rel: str, dep: str) -> None:  # type: ignore[no-untyped-def]
    g = graph(text)
    assert not _arcs(g, head, rel, dep), f"unexpected {head} -{rel}-> {dep} in {text!r}:\n{_show(g)}"


def test_dangling_participle_offers_the_agent_second(graph) -> None:  # type: ignore[no-untyped-def]
    """ "After taking X, the town was surrounded by Y": the clause's subject cannot act; the agent may."""
    g = graph("After taking Tansen, the town of Butwal was surrounded by the Maoists.")
    taking = _tok(g.doc, "taking")
    subjects = g.deps(taking, "nsubj:x")
    assert [(g.toks[a.dep].text, a.why, a.rank) for a in subjects] == [
        ("town", "control", 0),
        ("Maoists", "dangling", 1),
    ]


def test_subjects_fall_back_to_the_passive_agent(graph) -> None:  # type: ignore[no-untyped-def]
    g = graph("Government troops were driven out of Arequipa by the guerrillas.")
    driven = _tok(g.doc, "driven")
    assert g.passive(driven)
    assert [g.toks[a.dep].text for a in g.subjects(driven)] == ["guerrillas"]
    g = graph("The rebels tried to take Pokhara.")
    take = _tok(g.doc, "take")
    assert not g.passive(take)
    assert [g.toks[a.dep].text for a in g.subjects(take)] == ["rebels"]


def test_prep_wildcard_and_case(graph) -> None:  # type: ignore[no-untyped-def]
    g = graph("The militia moved from Pokhara to Butwal in June.")
    moved = _tok(g.doc, "moved")
    preps = g.deps(moved, "prep:*")
    assert sorted(g.case_of(a) for a in preps) == ["from", "in", "to"]
    assert all(a.rel.startswith("prep:") for a in preps)


def test_describe_prints_the_enhancement(graph) -> None:  # type: ignore[no-untyped-def]
    """``kg explain`` shows an enhanced arc with the enhancement that added it, a parser arc without."""
    g = graph("The guerrillas besieged Tansen and took Gorkha.")
    lines = set(_show(g).splitlines())
    assert "took -nsubj-> guerrillas (shared-subject)" in lines
    assert "besieged -nsubj-> guerrillas" in lines


def test_add_refuses_duplicates_and_self_loops(graph) -> None:  # type: ignore[no-untyped-def]
    g = graph("The rebels tried to take Pokhara.")
    take, rebels = _tok(g.doc, "take"), _tok(g.doc, "rebels")
    assert not g.add(take, "nsubj:x", rebels, "control")  # already there
    assert not g.add(take, "obj", take, "test")


def test_deps_answers_again_after_an_arc_is_added(nlp: Language) -> None:
    """``deps`` remembers its answers per head: adding an arc out of one head changes that head's answers, at once,
    and no other head's."""
    g = DepGraph(nlp("The militia moved from Pokhara to Butwal and took Tansen in June."))
    moved, took, tansen = _tok(g.doc, "moved"), _tok(g.doc, "took"), _tok(g.doc, "Tansen")
    before_moved, before_took = g.deps(moved, "prep:*"), g.deps(took)
    assert g.add(moved, "prep:towards", tansen, "test")
    assert g.deps(moved, "prep:*") == sorted(
        [*before_moved, Arc(moved, "prep:towards", tansen, "test")],
        key=lambda a: (a.rank, a.why != "", abs(a.dep - moved), a.dep),
    )
    assert g.deps(took) == before_took
    found = g.deps(took)
    found.clear()  # a fresh list each time: a caller may change it
    assert g.deps(took) == before_took


def test_subtree_starts_are_the_subtrees_first_tokens(nlp: Language) -> None:
    text = (
        "Tharu militias, Maoist cadres and student brigades, who all opposed the king, marched on Pokhara, a town "
        "in the hills under the rule of the council. The army, said to be loyal to it, is guarding the bridge."
    )
    g = DepGraph(nlp(text))
    assert [g._first(t.i) for t in g.toks] == [min(x.i for x in t.subtree) for t in g.toks]


def test_the_graph_text_is_the_docs(nlp: Language) -> None:
    text = "  Rebels took Butwal.\n\nThe army  withdrew to Tansen. "
    assert DepGraph(nlp(text)).text == nlp(text).text == text


def test_enhancement_is_deterministic(nlp: Language) -> None:
    text = "Tharu militias, Maoist cadres and student brigades, who all opposed the king, marched on Pokhara."
    first = [(a.head, a.rel, a.dep, a.why, a.rank) for a in DepGraph(nlp(text)).arcs()]
    second = [(a.head, a.rel, a.dep, a.why, a.rank) for a in DepGraph(nlp(text)).arcs()]
    assert first == second


# ------------------------------------------------------------------------------------------ base forms
@pytest.mark.parametrize(
    ("text", "word", "base"),
    [
        ("The army recaptured Bandipur in June.", "recaptured", "recapture"),
        ("Royal troops overran the border post.", "overran", "overrun"),
        ("The guerrillas besieged Tansen and took Gorkha.", "took", "take"),
        ("The rebels withdrew from Tansen.", "withdrew", "withdraw"),
        ("Royal troops outran the Maoist column.", "outran", "outrun"),
    ],
)
def test_base_form(nlp: Language, text: str, word: str, base: str) -> None:
    doc = nlp(text)
    assert base_form(doc[_tok(doc, word)]) == base


def test_base_form_of_a_past_form_the_lemmatiser_left_alone(nlp: Language) -> None:
    """ "retook" tagged as a noun keeps its own lemma; the irregular-verb list gives "retake"."""
    doc = nlp("The Nepal Army retook Tansen from the Maoists.")
    tok = doc[_tok(doc, "retook")]
    assert tok.lemma_.lower() == "retook"  # the premise: the lemmatiser did not help
    assert base_form(tok) == "retake"


def test_irregular_forms_map_past_and_participle_to_the_base() -> None:
    forms = irregular_forms()
    assert forms["took"] == forms["taken"] == "take"
    assert forms["fled"] == "flee"
    assert forms["held"] == "hold"

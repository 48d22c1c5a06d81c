"""The entity passes (``kg.nlp.entities``), one group of cases per pass, on sentences written for these tests.

Each case asserts what relation finding and the graph rely on: which entity a word stands for, the entity's
type, and the links between entities (a state's forces, a leader's followers). The sentences are invented, about
places none of the corpora is about (Peru, Bolivia, Chile, Nepal), so a passing case says the mechanism is
general. What a pass's docstring promises but the code does not yet do is listed in the team notes, not here.
"""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from kg.model import Extraction
from kg.nlp.entities import EntityIndex, resolve_entities

Resolved = tuple[Doc, EntityIndex]


@pytest.fixture(scope="module")
def resolved(nlp: Language):  # type: ignore[no-untyped-def]
    """``resolved(text)`` -> (doc, entity index), computed once per text in this module."""
    cache: dict[str, Resolved] = {}

    def make(text: str) -> Resolved:
        if text not in cache:
            doc = nlp(text)
            cache[text] = (doc, resolve_entities(doc))
        return cache[text]

    return make


def key_of(doc: Doc, index: EntityIndex, word: str) -> str | None:
    """The entity key of the token ``word`` ("word#2" for its second occurrence)."""
    text, _, nth = word.partition("#")
    hits = [t.i for t in doc if t.text == text]
    n = int(nth or 1)
    assert len(hits) >= n, f"{text!r} occurs {len(hits)} time(s) in {doc.text!r}"
    return index.entity_at(hits[n - 1])


def triples(ext: Extraction) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in ext.relations if not r.negated and r.modality == "Actual"}


# (text, word, key): the word stands for the entity with that key.
RESOLVES = [
    # ------------------------------------------------------------------------------ 1. names
    # a group's name running on through "for the ... of ..." after the word for its kind
    ("The Front for the Liberation of Tarapaca took Ilave.", "Tarapaca", "Front for the Liberation of Tarapaca"),
    (
        "The Popular Front for the Liberation of Tacna advanced on Ilave.",
        "Popular",
        "Popular Front for the Liberation of Tacna",
    ),
    ("The Movement for Democracy and Justice seized Ilave.", "Justice", "Movement for Democracy and Justice"),
    # numbered units, a comma-joined parent unit included
    ("The 3rd Battalion, 14th Rifles crossed the river near Tansen.", "Battalion", "3rd Battalion, 14th Rifles"),
    ("The 3rd Battalion, 14th Rifles crossed the river near Tansen.", "Rifles", "3rd Battalion, 14th Rifles"),
    ("The 7th Mountain Brigade entered Gorkha on Monday.", "Brigade", "7th Mountain Brigade"),
    ("The 7th Mountain Brigade entered Gorkha on Monday.", "7th", "7th Mountain Brigade"),
    # a region named with its kind ("X Oblast"), not a city X
    ("Militants seized the administrative centre of Lapland Oblast.", "Lapland", "Lapland Oblast"),
    ("Militants seized the administrative centre of Lapland Oblast.", "Oblast", "Lapland Oblast"),
    # hyphen-joined names the NER cannot see
    ("Fighters of Jund-al-Haqq attacked the convoy near Arequipa, Peru.", "Jund", "Jund-al-Haqq"),
    ("Fighters of Jund-al-Haqq attacked the convoy near Arequipa, Peru.", "Haqq", "Jund-al-Haqq"),
    # a bracketed acronym joins its name, also where it is used alone later
    (
        "The Andean Liberation Front (ALF) seized Puno, Peru. ALF fighters later withdrew.",
        "ALF",
        "Andean Liberation Front",
    ),
    (
        "The Andean Liberation Front (ALF) seized Puno, Peru. ALF fighters later withdrew.",
        "ALF#2",
        "Andean Liberation Front",
    ),
    # a compass word and a country make a region
    ("Rebels control much of northern Peru.", "northern", "Northern Peru"),
    ("Rebels control much of northern Peru.", "Peru", "Northern Peru"),
    # "the X district of Y": a place of its own, not Y
    ("Shelling hit the Miraflores district of Lima on Sunday.", "Miraflores", "Miraflores district"),
    ("Shelling hit the Miraflores district of Lima on Sunday.", "Lima", "Lima"),
    # a capitalised organisation name with "of" is one name
    (
        "The Andean Liberation Front held Puno, Peru. The Liberation Army of Chile crossed the border.",
        "Chile",
        "Liberation Army of Chile",
    ),
    # ------------------------------------------------------------------------------ 3. states
    ("Peruvian troops entered Puno on Sunday.", "troops", "Peruvian forces"),
    ("Chile's forces crossed the border. Troops from Bolivia followed.", "forces", "Chilean forces"),
    ("Chile's forces crossed the border. Troops from Bolivia followed.", "Troops", "Bolivian forces"),
    ("The Bolivians shelled Puno on Monday.", "Bolivians", "Bolivian forces"),
    # coordinated nationalities: one state's forces each
    ("Peruvian and Bolivian officers trained the militia in Puno.", "Peruvian", "Peruvian forces"),
    ("Peruvian and Bolivian officers trained the militia in Puno.", "Bolivian", "Bolivian forces"),
    # officials speak for the state; "the army" is the forces of the state the text is about
    ("Bolivian officials said the army had left Oruro.", "officials", "Bolivia"),
    ("Bolivian officials said the army had left Oruro.", "army", "Bolivian forces"),
    # a state's police and navy are institutions of their own, not its armed forces at large
    ("The Bolivian police arrested students in Sucre.", "police", "Bolivian police"),
    ("The Chilean navy shelled Arica.", "navy", "Chilean navy"),
    ("Chile's navy blockaded Callao, Peru.", "navy", "Chilean navy"),
    # a text that names the navy makes "the X Army" one service
    ("The Chilean Navy shelled the coast while the Chilean Army crossed into Peru.", "Army", "Chilean army"),
    ("The Chilean Navy shelled the coast while the Chilean Army crossed into Peru.", "Navy", "Chilean Navy"),
    # advisers with no body named before are a group of their own, tied to their state
    (
        "Chilean advisers trained the Bolivian army in Oruro. The advisers left in May.",
        "advisers#2",
        "Chilean advisers",
    ),
    ("Nepal's police arrested Maoist cadres. The police said they had fled from Gorkha.", "police", "Nepali police"),
    # a navy named makes "the X army" one service, both tied to the state
    (
        "The Peruvian navy and air force bombed rebel positions. The Peruvian army then entered Puno.",
        "army",
        "Peruvian army",
    ),
    (
        "The Peruvian navy and air force bombed rebel positions. The Peruvian army then entered Puno.",
        "navy",
        "Peruvian navy",
    ),
    # "the Nepal Army": a state's name followed by force words is its forces
    ("The Nepal Army retook Tansen from the Maoists.", "Army", "Nepali forces"),
    # ------------------------------------------------------------------------------ 4. members
    ("Units belonging to the Andean Liberation Front entered Puno, Peru.", "Units", "Andean Liberation Front"),
    (
        "Andean Liberation Front fighters entered Puno, Peru. The fighters then burned the market.",
        "fighters",
        "Andean Liberation Front",
    ),
    (
        "Andean Liberation Front fighters entered Puno, Peru. The fighters then burned the market.",
        "fighters#2",
        "Andean Liberation Front",
    ),
    ("Fighters of Jund-al-Haqq attacked the convoy near Arequipa, Peru.", "Fighters", "Jund-al-Haqq"),
    ("One of the Maoist brigades entered Tansen.", "brigades", "Maoist"),
    # advisers are the body that sent them, also when named by their nationality later
    (
        "Advisers from the Peruvian Republican Guard trained the militia. Later the Peruvian advisers left.",
        "Advisers",
        "Peruvian Republican Guard",
    ),
    (
        "Advisers from the Peruvian Republican Guard trained the militia. Later the Peruvian advisers left.",
        "advisers",
        "Peruvian Republican Guard",
    ),
    # a backer's adjective names one group with the whole phrase
    ("Chilean-backed militias advanced on Tacna, Peru.", "militias", "Chilean-backed militias"),
    ("Chilean-backed militias advanced on Tacna, Peru.", "Chilean", "Chilean-backed militias"),
    # a person's followers are a group of their own
    (
        "Alberto Mendoza's loyalists seized the radio station in Oruro, Bolivia.",
        "loyalists",
        "forces loyal to Alberto Mendoza",
    ),
    ("Alberto Mendoza's loyalists seized the radio station in Oruro, Bolivia.", "Mendoza", "Alberto Mendoza"),
    ("Forces loyal to Alberto Mendoza held Oruro, Bolivia.", "Forces", "forces loyal to Alberto Mendoza"),
    # ------------------------------------------------------------------------------ 5. descriptions
    # a state named once, after the opening, is not the story's: its army is not the bare "government forces"
    (
        "Rebels push on\n\nThe rebels took two villages on Monday. Government forces still hold the town of "
        "Tarma, but the rebels are close. Chilean officials urged both sides to stop fighting.",
        "Government",
        "government forces",
    ),
    # a side is named for the story's state where it is first met, not for a backer named late
    (
        "Rebels take border town\n\nRebels took the town of Ilave on Monday. They held it for a week. Residents "
        "fled to the hills. Officials later accused Bolivia of arming the rebels.",
        "They",
        "rebels",
    ),
    # a story filed from a large city is about that city's country first: its army is the bare "army"
    (
        "LIMA, May 3, 2019 (Reuters) - The army retook the town of Ilave, officials said.\n\n"
        "The United States offered help, and American advisers arrived in Puno.",
        "army",
        "Peruvian forces",
    ),
    # a side's plural is a member noun like "rebels": "the dissidents" are the dissident group named before
    (
        "Dissident guerrillas of the Andean Front took Ilave. Forty police officers later joined the dissidents.",
        "dissidents",
        "Andean Front",
    ),
    # ... but "troops" after rebel columns are someone else's
    (
        "Rebel columns reached the outskirts of Ilave, Peru. The troops there were digging trenches.",
        "troops",
        None,
    ),
    # a bare plural without "the" brings in new people: it never means a named group no one called so
    ("The Andean Union met in Tacna on Sunday.\n\nRebels entered Ilave on Monday.", "Rebels", "rebels"),
    # the rank and file of the force just named, whatever word named them
    ("Insurgents seized the town of Ilave, Peru. The fighters then took the port.", "fighters", "Peruvian rebels"),
    (
        "The Andean Liberation Front seized Puno, Peru, in March. The rebels later lost the town.",
        "rebels",
        "Andean Liberation Front",
    ),
    (
        "The Andean Liberation Front took Juliaca, Peru. The group then moved on Puno.",
        "group",
        "Andean Liberation Front",
    ),
    ("The Red Condors is a rebel group. The rebels held Potosi, Bolivia.", "rebels", "Red Condors"),
    ("The Red Condors is a rebel group. The rebels held Potosi, Bolivia.", "group", "Red Condors"),
    (
        "The opposition Andean Liberation Front said the opposition would not leave Puno, Peru.",
        "opposition#2",
        "Andean Liberation Front",
    ),
    ("A coalition of factions called the Altiplano Union captured Oruro, Bolivia.", "coalition", "Altiplano Union"),
    # "the regime": the state, unless a named group was called the rulers before
    ("In Bolivia, the regime sent troops to Oruro.", "regime", "Bolivia"),
    (
        "Students in Potosi feared the Condor Front's rulers. Later the regime jailed dozens of them.",
        "rulers",
        "Condor Front",
    ),
    (
        "Students in Potosi feared the Condor Front's rulers. Later the regime jailed dozens of them.",
        "regime",
        "Condor Front",
    ),
    # a side the text never names is one group per side and country
    ("Rebels reached the outskirts of the capital. Peru's government said Lima was calm.", "Rebels", "Peruvian rebels"),
    ("Rebels reached the outskirts of the capital. Peru's government said Lima was calm.", "government", "Peru"),
    ("The guerrillas took Puno city from the Peruvian army.", "guerrillas", "Peruvian rebels"),
    # ------------------------------------------------------------------------------ 6. places
    # "the capital" before the text names the city
    (
        "Rebels shelled the capital on Monday. By Friday they were fighting in Lima, the Peruvian capital.",
        "capital",
        "Lima",
    ),
    (
        "Rebels shelled the capital on Monday. By Friday they were fighting in Lima, the Peruvian capital.",
        "capital#2",
        "Lima",
    ),
    ("Rebels reached the outskirts of the capital. Peru's government said Lima was calm.", "capital", "Lima"),
    ("The militia seized the town of Juliaca in Peru. The town was then shelled.", "town", "Juliaca"),
    ("The militia seized the town of Juliaca in Peru. The town was then shelled.", "town#2", "Juliaca"),
    ("The guerrillas took Puno city from the Peruvian army.", "city", "Puno"),
    ("The Andean Liberation Front seized Juliaca, a town north of Puno, and held it for a week.", "town", "Juliaca"),
    ("The Andean Liberation Front seized Puno, Peru, in March. The rebels later lost the town.", "town", "Puno"),
    # ------------------------------------------------------------------------------ 7. pronouns
    # a town has no leader or spokesman: "its leader" is the group's
    ("The Andean Front holds the town of Ilave, where its leader, Jorge Quispe, is based.", "its", "Andean Front"),
    # what one seizes is territory, never a state named as a government that speaks
    ("Peru's army retook the town of Ilave, the government said, a month after rebels seized it.", "it", "Ilave"),
    ("Carlos Huanca led the militia into Oruro, Bolivia. He said his men would stay.", "He", "Carlos Huanca"),
    ("Carlos Huanca led the militia into Oruro, Bolivia. He said his men would stay.", "his", "Carlos Huanca"),
    ("The Andean Liberation Front captured Puno, Peru. It later lost the town.", "It", "Andean Liberation Front"),
    (
        "Andean Liberation Front fighters reached Puno, Peru. They had crossed from Bolivia.",
        "They",
        "Andean Liberation Front",
    ),
    # a landmark in an apposition is skipped: "it" is the town seized, not the one that locates it
    ("The Andean Liberation Front seized Juliaca, a town north of Puno, and held it for a week.", "it", "Juliaca"),
    (
        "Rebels shelled the capital on Monday. By Friday they were fighting in Lima, the Peruvian capital.",
        "they",
        "Peruvian rebels",
    ),
]


@pytest.mark.parametrize(("text", "word", "key"), RESOLVES)
def test_word_resolves_to(resolved, text: str, word: str, key: str) -> None:  # type: ignore[no-untyped-def]
    doc, index = resolved(text)
    got = key_of(doc, index, word)
    assert got == key, f"{word!r} in {text!r} -> {got!r}, want {key!r}; entities {sorted(index.entities)}"


# (text, key, type): the entity has that type.
TYPES = [
    ("The 3rd Battalion, 14th Rifles crossed the river near Tansen.", "3rd Battalion, 14th Rifles", "Group"),
    ("The 7th Mountain Brigade entered Gorkha on Monday.", "7th Mountain Brigade", "Group"),
    ("Militants seized the administrative centre of Lapland Oblast.", "Lapland Oblast", "Place"),
    ("Fighters of Jund-al-Haqq attacked the convoy near Arequipa, Peru.", "Jund-al-Haqq", "Group"),
    ("Rebels control much of northern Peru.", "Northern Peru", "Place"),
    ("Shelling hit the Miraflores district of Lima on Sunday.", "Miraflores district", "Place"),
    ("The Sierra Council said the Sierra Front had taken Huancayo, Peru.", "Sierra Council", "Group"),
    ("Peruvian troops entered Puno on Sunday.", "Peru", "GPE"),
    ("Peruvian troops entered Puno on Sunday.", "Peruvian forces", "Group"),
    ("The Bolivian police arrested students in Sucre.", "Bolivian police", "Group"),
    ("Alberto Mendoza's loyalists seized the radio station in Oruro, Bolivia.", "Alberto Mendoza", "Person"),
    (
        "Alberto Mendoza's loyalists seized the radio station in Oruro, Bolivia.",
        "forces loyal to Alberto Mendoza",
        "Group",
    ),
    ("Carlos Huanca founded the Huanca Movement in 2019. Huanca later left Bolivia.", "Carlos Huanca", "Person"),
    ("Carlos Huanca founded the Huanca Movement in 2019. Huanca later left Bolivia.", "Huanca Movement", "Group"),
    ("The Red Condors is a rebel group. The rebels held Potosi, Bolivia.", "Red Condors", "Group"),
    ("Rebels advanced on the Bolivian capital.", "Sucre", "GPE"),
]


@pytest.mark.parametrize(("text", "key", "etype"), TYPES)
def test_entity_type(resolved, text: str, key: str, etype: str) -> None:  # type: ignore[no-untyped-def]
    _doc, index = resolved(text)
    assert key in index.entities, f"no {key!r} in {sorted(index.entities)}"
    assert index.type_of(key) == etype


# (text, link): the index ties the two entities (forcesOf: a state's forces or institution; leads: a
# person and their followers).
LINKS = [
    ("Peruvian troops entered Puno on Sunday.", ("Peruvian forces", "forcesOf", "Peru")),
    ("Chile's forces crossed the border. Troops from Bolivia followed.", ("Chilean forces", "forcesOf", "Chile")),
    ("Chile's forces crossed the border. Troops from Bolivia followed.", ("Bolivian forces", "forcesOf", "Bolivia")),
    ("The Bolivian police arrested students in Sucre.", ("Bolivian police", "forcesOf", "Bolivia")),
    ("The Chilean navy shelled Arica.", ("Chilean navy", "forcesOf", "Chile")),
    (
        "The Chilean Navy shelled the coast while the Chilean Army crossed into Peru.",
        ("Chilean army", "forcesOf", "Chile"),
    ),
    ("The Bolivians shelled Puno on Monday.", ("Bolivian forces", "forcesOf", "Bolivia")),
    (
        "Chilean advisers trained the Bolivian army in Oruro. The advisers left in May.",
        ("Chilean advisers", "forcesOf", "Chile"),
    ),
    (
        "The Peruvian navy and air force bombed rebel positions. The Peruvian army then entered Puno.",
        ("Peruvian navy", "forcesOf", "Peru"),
    ),
    (
        "The Peruvian navy and air force bombed rebel positions. The Peruvian army then entered Puno.",
        ("Peruvian army", "forcesOf", "Peru"),
    ),
    (
        "Alberto Mendoza's loyalists seized the radio station in Oruro, Bolivia.",
        ("Alberto Mendoza", "leads", "forces loyal to Alberto Mendoza"),
    ),
    (
        "Forces loyal to Alberto Mendoza held Oruro, Bolivia.",
        ("Alberto Mendoza", "leads", "forces loyal to Alberto Mendoza"),
    ),
]


@pytest.mark.parametrize(("text", "link"), LINKS)
def test_link(resolved, text: str, link: tuple[str, str, str]) -> None:  # type: ignore[no-untyped-def]
    _doc, index = resolved(text)
    assert link in index.links, f"{link} not in {sorted(index.links)}"


# (text, word_a, word_b): the two words stand for two different entities (both resolved).
APART = [
    # merging: two organisations sharing a head noun, or a word, stay two
    ("The Andean Liberation Front and the Andean Patriotic Front fought over Puno, Peru.", "Liberation", "Patriotic"),
    ("The Sierra Council said the Sierra Front had taken Huancayo, Peru.", "Council", "Front"),
    ("The Andean Liberation Front held Puno, Peru. The Liberation Army of Chile crossed the border.", "Front", "Army"),
    # a person and the movement named after him never merge
    ("Carlos Huanca founded the Huanca Movement in 2019. Huanca later left Bolivia.", "Carlos", "Movement"),
    # a state's forces are not the state, its police not its army
    ("Peruvian troops entered Puno on Sunday.", "troops", "Puno"),
    ("The Chilean Navy shelled the coast while the Chilean Army crossed into Peru.", "Navy", "Army"),
    ("The guerrillas took Puno city from the Peruvian army.", "guerrillas", "army"),
    # followers are not their leader
    ("Alberto Mendoza's loyalists seized the radio station in Oruro, Bolivia.", "loyalists", "Mendoza"),
    # a backer is not the group it backs
    ("Chilean-backed militias advanced on Tacna, Peru.", "militias", "Peru"),
    # a nationality with a side word is no state's forces
    ("Peruvian rebels held Puno.", "rebels", "Puno"),
]


@pytest.mark.parametrize(("text", "a", "b"), APART)
def test_two_entities_stay_apart(resolved, text: str, a: str, b: str) -> None:  # type: ignore[no-untyped-def]
    doc, index = resolved(text)
    ka, kb = key_of(doc, index, a), key_of(doc, index, b)
    assert ka is not None and kb is not None, f"{a!r} -> {ka!r}, {b!r} -> {kb!r}"
    assert ka != kb, f"{a!r} and {b!r} both -> {ka!r}"


def test_nationality_with_a_side_word_is_not_the_states_forces(resolved) -> None:  # type: ignore[no-untyped-def]
    doc, index = resolved("Peruvian rebels held Puno.")
    assert key_of(doc, index, "rebels") == "Peruvian rebels"
    assert "Peruvian forces" not in index.entities
    assert not any(p == "forcesOf" for _s, p, _o in index.links)


def test_the_backers_state_is_no_mention(resolved) -> None:  # type: ignore[no-untyped-def]
    """ "Chilean-backed militias" says nothing of Chile's own forces."""
    _doc, index = resolved("Chilean-backed militias advanced on Tacna, Peru.")
    assert "Chilean forces" not in index.entities and "Chile" not in index.entities


def test_allies_are_a_group_of_their_own(resolved, extracted) -> None:  # type: ignore[no-untyped-def]
    """ "Militias allied with X" are not X: the phrase names a group of its own when it acts."""
    text = "Militias allied with the Andean Liberation Front shelled Puno, Peru."
    doc, index = resolved(text)
    assert key_of(doc, index, "Militias") != "Andean Liberation Front"
    acting = {s for s, p, o in triples(extracted(text)) if p == "advancesOn" and o == "Puno"}
    assert acting and "Andean Liberation Front" not in acting
    assert all(extracted(text).entity(s).type == "Group" for s in acting)


def test_expletive_it_stays_unresolved(resolved) -> None:  # type: ignore[no-untyped-def]
    doc, index = resolved("It remains uncertain if the Andean Liberation Front still holds Puno, Peru.")
    assert key_of(doc, index, "It") is None


def test_acronym_and_members_are_aliases_of_the_name(resolved) -> None:  # type: ignore[no-untyped-def]
    _doc, index = resolved("The Andean Liberation Front (ALF) seized Puno, Peru. ALF fighters later withdrew.")
    assert {"ALF", "Andean Liberation Front"} <= set(index.entities["Andean Liberation Front"].aliases)
    assert "ALF" not in index.entities


def test_capital_named_by_a_nationality_comes_from_the_gazetteer(resolved) -> None:  # type: ignore[no-untyped-def]
    doc, index = resolved("Rebels advanced on the Bolivian capital.")
    key = key_of(doc, index, "capital")
    assert key == "Sucre"
    geo = index.entities[key].geo
    assert geo is not None and geo.country == "BO"
    assert "Bolivian capital" in index.entities[key].aliases


# ------------------------------------------------------------------------------ 8. unnamed actors
# (text, subject, predicate, object): an actor or place named only by its phrase takes part in a statement.
UNNAMED = [
    ("Armed men seized the port of Callao, Peru, on Tuesday.", "Armed men", "controls", "Callao"),
    ("About 300 armed men seized the harbour in Matarani, Peru.", "armed men", "controls", "harbour in Matarani"),
    ("Masked gunmen stormed the prison in Oruro, Bolivia.", "Masked gunmen", "advancesOn", "prison in Oruro"),
    # "at" locates a place too, also where the parser hung it on the event noun the "of" phrase completes
    ("Masked gunmen stormed the fort at Oruro, Bolivia.", "Masked gunmen", "advancesOn", "fort at Oruro"),
    (
        "The seizure of the airport at Oruro by masked gunmen ended the strike.",
        "masked gunmen",
        "controls",
        "airport at Oruro",
    ),
]


@pytest.mark.parametrize(("text", "subj", "pred", "obj"), UNNAMED)
def test_unnamed_actor_in_a_relation_is_promoted(extracted, text: str, subj: str, pred: str, obj: str) -> None:  # type: ignore[no-untyped-def]
    ext = extracted(text)
    assert (subj, pred, obj) in triples(ext), sorted(triples(ext))
    assert ext.entity(subj).type == "Group"
    if obj != "Callao":
        assert ext.entity(obj).type == "Place"


def test_unnamed_actor_without_a_relation_is_not_kept(extracted) -> None:  # type: ignore[no-untyped-def]
    ext = extracted("Armed men were seen near Oruro, Bolivia.")
    assert not ext.relations
    assert all("men" not in e.key for e in ext.entities)


# ------------------------------------------------------------------------------ relations on the resolved entities
# (text, statement): the resolved entities carry the statement a reader takes from the sentence.
STATEMENTS = [
    ("Peruvian troops entered Puno on Sunday.", ("Peruvian forces", "advancesOn", "Puno")),
    ("Forces loyal to Alberto Mendoza held Oruro, Bolivia.", ("forces loyal to Alberto Mendoza", "controls", "Oruro")),
    (
        "Units belonging to the Andean Liberation Front entered Puno, Peru.",
        ("Andean Liberation Front", "advancesOn", "Puno"),
    ),
    (
        "Advisers from the Peruvian Republican Guard trained the militia. Later the Peruvian advisers left.",
        ("Peruvian Republican Guard", "advises", "militia"),
    ),
    (
        "A coalition of factions called the Altiplano Union captured Oruro, Bolivia.",
        ("Altiplano Union", "controls", "Oruro"),
    ),
    ("The Red Condors is a rebel group. The rebels held Potosi, Bolivia.", ("Red Condors", "controls", "Potosi")),
    ("The guerrillas took Puno city from the Peruvian army.", ("Peruvian rebels", "controls", "Puno")),
    ("Rebels advanced on the Bolivian capital.", ("Bolivian rebels", "advancesOn", "Sucre")),
    ("Rebels control much of northern Peru.", ("Peruvian rebels", "controls", "Northern Peru")),
    ("Peruvian and Bolivian officers trained the militia in Puno.", ("Peruvian forces", "advises", "militia")),
    ("Peruvian and Bolivian officers trained the militia in Puno.", ("Bolivian forces", "advises", "militia")),
    ("Militants seized the administrative centre of Lapland Oblast.", ("rebels", "controls", "Lapland Oblast")),
]


@pytest.mark.parametrize(("text", "stmt"), STATEMENTS)
def test_statement_on_resolved_entities(extracted, text: str, stmt: tuple[str, str, str]) -> None:  # type: ignore[no-untyped-def]
    ext = extracted(text)
    assert stmt in triples(ext), sorted(triples(ext))


# Sentences a review found failing, each now read through the general mechanism it revealed.
FIXED_STATEMENTS = [
    # a lower-case verb is never part of a name the NER ran over it
    ("The Condor Front ruled Potosi for a decade.", ("Condor Front", "controls", "Potosi")),
    ("A militia known as the Red Condors held Potosi, Bolivia.", ("Red Condors", "controls", "Potosi")),
    # one-word names the NER took for people, listed with a place, are places
    ("The rebels captured Tansen, Gorkha and Bandipur in May.", ("rebels", "controls", "Gorkha")),
    ("The rebels captured Tansen, Gorkha and Bandipur in May.", ("rebels", "controls", "Bandipur")),
    # a participle the parser hung on the subject is the main verb
    ("Chilean-backed militias advanced on Tacna, Peru.", ("Chilean-backed militias", "advancesOn", "Tacna")),
    ("Rebels, who had crossed the river, besieged and took the town of Lobo.", ("rebels", "advancesOn", "Lobo")),
    # a relative clause without its pronoun: the antecedent is the missing object
    ("The Maoists lost Lobo, the town the royal army captured in June.", ("royal army", "controls", "Lobo")),
    # members of coordinated owners
    (
        "Troops of the 5th Andean Brigade and the Peruvian police retook Juliaca.",
        ("Peruvian police", "controls", "Juliaca"),
    ),
    # "pro-X", "<men> loyal to X": X's followers, X a person named before
    (
        "Alberto Mendoza fled to Chile in May. Pro-Mendoza militias then attacked Oruro, Bolivia.",
        ("forces loyal to Alberto Mendoza", "advancesOn", "Oruro"),
    ),
    (
        "Armed men loyal to Alberto Mendoza stormed Oruro, Bolivia.",
        ("forces loyal to Alberto Mendoza", "advancesOn", "Oruro"),
    ),
    # the object of "entered" is a place, whatever the NER guessed
    ("The Andean Liberation Front entered Puno.", ("Andean Liberation Front", "advancesOn", "Puno")),
]


@pytest.mark.parametrize(("text", "stmt"), FIXED_STATEMENTS)
def test_reviewed_sentence_gives_its_statement(extracted, text: str, stmt: tuple[str, str, str]) -> None:  # type: ignore[no-untyped-def]
    ext = extracted(text)
    assert stmt in triples(ext), sorted(triples(ext))


FIXED_RESOLVES = [
    # a short name beside a person and a movement named after him is the person
    ("Carlos Huanca founded the Huanca Movement in 2019. Huanca said he would return.", "Huanca#3", "Carlos Huanca"),
    # a country after a town only locates it: "its" is the group's
    (
        "The Andean Liberation Front entered Puno, Peru. Its commanders said they would hold it.",
        "Its",
        "Andean Liberation Front",
    ),
    ("The Andean Liberation Front entered Puno, Peru. Its commanders said they would hold it.", "it", "Puno"),
    (
        "The Andean Liberation Front entered Puno. Its commanders said they would hold it.",
        "they",
        "Andean Liberation Front",
    ),
    # a name joined by a hyphen and a particle is one name, also when the NER took only its last part
    ("The Jaish-e Qahar militia shelled Arequipa in Peru.", "Jaish", "Jaish-e Qahar"),
    ("The Jaish-e Qahar militia shelled Arequipa in Peru.", "militia", "Jaish-e Qahar"),
    # an object is never its own verb's subject, also inside "dozens of them"
    ("Students in Potosi feared the Condor Front's rulers. Later the regime jailed dozens of them.", "them", None),
    # "the rebel X group" after rebels were spoken of: the bare word still means them all
    (
        "Hundreds of soldiers defected to rebels in Puno. The rebel Andean Front group said so. The rebels "
        "then took Juliaca.",
        "rebels#2",
        "rebels",
    ),
]


@pytest.mark.parametrize(("text", "word", "key"), FIXED_RESOLVES)
def test_reviewed_word_resolves_to(resolved, text: str, word: str, key: str | None) -> None:  # type: ignore[no-untyped-def]
    doc, index = resolved(text)
    assert key_of(doc, index, word) == key


def test_reviewed_names_carry_no_stray_words(resolved) -> None:  # type: ignore[no-untyped-def]
    _doc, index = resolved("Refugees fled to Tansen and later Pokhara. The Condor Front ruled Potosi.")
    aliases = {a for e in index.entities.values() for a in e.aliases}
    assert not any(a.startswith(("later ", "retook ")) or " ruled " in a for a in aliases), sorted(aliases)


def test_table_surface_is_the_tokens_text(nlp: Language) -> None:
    """``Table.surface`` slices the document's text: the same string as its tokens' text joined and stripped,
    also across line breaks, double spaces and at the ends of the text."""
    from kg.nlp.enhanced import DepGraph
    from kg.nlp.entities import load_entity_lexicon
    from kg.nlp.entities.table import Table
    from kg.nlp.gazetteer import load_gazetteer

    doc = nlp("LIMA -  Troops of the  Andean Front\n\nentered Puno.\n Rebels fled.  ")
    t = Table(doc, DepGraph(doc), load_entity_lexicon(), load_gazetteer())
    n = len(doc)
    for s in range(-1, n + 1):
        for e in range(s, n + 2):
            assert t.surface(s, e) == "".join(x.text_with_ws for x in doc[s:e]).strip(), (s, e)


def test_table_place_lookups_follow_the_countries_named_so_far(nlp: Language) -> None:
    """``Table.geo_best`` keeps its answers per set of countries: naming another country changes the answer as
    it would for a gazetteer asked afresh."""
    from kg.nlp.enhanced import DepGraph
    from kg.nlp.entities import load_entity_lexicon
    from kg.nlp.entities.table import Table
    from kg.nlp.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    doc = nlp("Fighting reached Santa Cruz.")
    t = Table(doc, DepGraph(doc), load_entity_lexicon(), gaz)
    answers = []
    for code in ("", "PH", "BO"):
        if code:
            t.countries.add(code)
        answers.append(t.geo_best("Santa Cruz"))
        assert answers[-1] == gaz.best("Santa Cruz", set(t.countries))
    assert len({p.country for p in answers if p is not None}) >= 2  # the countries did change the answer


def test_what_the_passes_read_once_matches_a_fresh_reading(nlp: Language) -> None:
    """The table keeps what does not change while the passes run (a token's noun phrase, whether it can head a
    group, which tokens are words of names, the tokens of a word list, the live entities); each kept answer equals
    one read afresh at the end."""
    from dataclasses import replace

    from kg.nlp.enhanced import DepGraph
    from kg.nlp.entities import descriptions, load_entity_lexicon, members, merging, names, states
    from kg.nlp.entities.phrases import _group_head_word, _read_np, is_group_head, read_np
    from kg.nlp.entities.table import Table
    from kg.nlp.gazetteer import load_gazetteer

    texts = (
        "Bolivian troops and Peshmerga fighters loyal to Rosa Quispe entered Oruro. The Andean Front's "
        "militiamen said the army of Chile had fled. Later the rebels and their commanders, members of the "
        "Condor Brigade, shelled the Bolivian police in Potosi. The government said the fighters would be tried.",
        "Later, Uru Chipaya fighters attacked the town.",  # a name only the members pass finds
    )
    renamed = 0
    for text in texts:
        doc = nlp(text)
        t = Table(doc, DepGraph(doc), load_entity_lexicon(), load_gazetteer())
        names.run(t)
        merging.run(t)
        kept = {x.i: read_np(t, x) for x in t.toks}  # read before the passes that add names
        states.run(t)
        members.run(t)
        descriptions.run(t)
        renamed += sum(kept[x.i].names != read_np(t, x).names for x in t.toks)
        for x in t.toks:
            fresh = _read_np(t, x)
            assert read_np(t, x) == fresh, x.text
            assert replace(kept[x.i], names=fresh.names) == fresh, x.text
            assert is_group_head(t, x) == (_group_head_word(t, x) and not (x.pos_ == "PROPN" and x.i in t.name_at))
        assert t.name_words == [
            x.is_alpha
            and x.text[0].isupper()
            and x.tag_ in ("NNP", "NNPS")
            and not (x.i in t.sent_starts and x.lower_ in t.lower_words and not x.ent_type_)
            for x in t.toks
        ]
        words = t.lex.group_heads
        assert t.tokens_in(words) == [x for x in t.toks if x.lower_ in words] != []
        assert [c.uid for c in t.live()] == [u for u in sorted(t.clusters) if t.find(u) == u]
    assert renamed > 0  # the case that a phrase read once must still see

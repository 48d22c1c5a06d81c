"""Who holds what, when, and on whose side: the analysis reads time and sides the way a reader of the news does.

Every graph here is built from Extractions made by hand (the NLP hand-off, ``kg.model``) through the real
mapping, so these tests fix what the analysis does with what the text says, whatever the extractor finds
today. Sentences and places are invented.
"""

from __future__ import annotations

import hashlib
from typing import Any

import networkx as nx
import pytest

from kg import analysis
from kg.model import Document, Entity, Evidence, Extraction, Link, Relation
from kg.rdf.mapping import add_extraction, entity_iri
from kg.rdf.store import new_graph

ENTITIES: dict[str, str] = {
    "Norland": "GPE",
    "Norland forces": "Group",
    "Norland officials": "Group",
    "Red Hand": "Group",
    "Blue Militia": "Group",
    "Ada Marr": "Person",
    "Eastbridge": "GPE",
    "Westbridge": "GPE",
    "Hollow Ford": "GPE",
}


class Doc:
    """A document built sentence by sentence; each statement's evidence is its sentence."""

    def __init__(self, date: str | None, name: str) -> None:
        self.date, self.name = date, name
        self.sentences: list[str] = []
        self.relations: list[tuple[int, dict[str, Any]]] = []
        self.links: list[tuple[int, str, str, str]] = []

    def say(self, sentence: str, *relations: dict[str, Any], links: tuple[tuple[str, str, str], ...] = ()) -> Doc:
        n = len(self.sentences)
        self.sentences.append(sentence)
        self.relations += [(n, r) for r in relations]
        self.links += [(n, *link) for link in links]
        return self

    def extraction(self) -> Extraction:
        text = " ".join(self.sentences)
        starts = [sum(len(s) + 1 for s in self.sentences[:i]) for i in range(len(self.sentences))]

        def evidence(i: int) -> Evidence:
            return Evidence(starts[i], starts[i] + len(self.sentences[i]), self.sentences[i], i)

        doc = Document(text, self.name, hashlib.sha256(text.encode()).hexdigest(), date=self.date)
        relations = tuple(
            Relation(r["s"], r["p"], r["o"], evidence(i), r.get("rule", "test"), 0.8, **r.get("with", {}))
            for i, r in self.relations
        )
        links = tuple(Link(s, p, o, evidence(i)) for i, s, p, o in self.links)
        used = {x for r in relations for x in (r.subject, r.object, r.side_left) if x} | {
            x for link in links for x in (link.subject, link.object)
        }
        entities = tuple(Entity(k, ENTITIES[k]) for k in sorted(used))
        return Extraction(doc, entities, relations, links)


def rel(s: str, p: str, o: str, **extra: Any) -> dict[str, Any]:
    return {"s": s, "p": p, "o": o, "with": extra}


def project(*docs: Doc) -> nx.MultiDiGraph:
    graph = new_graph()
    for d in docs:
        add_extraction(graph, d.extraction())
    return analysis.project(graph, paths=True)


def iri(name: str) -> str:
    return str(entity_iri(name))


def holders(G: nx.MultiDiGraph, place: str, date: str | None = None) -> list[str]:
    return [h["label"] for h in analysis.who_holds(G, iri(place), date)["holders"]]


def sequence(G: nx.MultiDiGraph, place: str, date: str | None = None) -> list[tuple[str, str | None]]:
    return [(p["label"], p["time"] or p["until"]) for p in analysis.who_holds(G, iri(place), date)["sequence"]]


# ------------------------------------------------------------------ a city taken, lost and retaken


def three_reports(dated_clauses: bool) -> tuple[Doc, ...]:
    """Eastbridge: the Red Hand takes it, the Blue Militia takes it, the Red Hand retakes it."""

    def t(value: str) -> dict[str, str]:
        return {"time": value} if dated_clauses else {}

    return (
        Doc("2013-03-02", "first.txt").say(
            "Red Hand fighters seized Eastbridge on Friday." if dated_clauses else "Red Hand fighters hold Eastbridge.",
            rel("Red Hand", "controls", "Eastbridge", **t("2013-03-01")),
        ),
        Doc("2013-07-20", "second.txt").say(
            "The Blue Militia drove the Red Hand out of Eastbridge on 18 July."
            if dated_clauses
            else "The Blue Militia now holds Eastbridge.",
            rel("Blue Militia", "controls", "Eastbridge", **t("2013-07-18")),
            *([rel("Red Hand", "controls", "Eastbridge", ends=True, **t("2013-07-18"))] if dated_clauses else []),
        ),
        Doc("2014-01-09", "third.txt").say(
            "Red Hand fighters retook Eastbridge on 8 January."
            if dated_clauses
            else "Red Hand fighters retook Eastbridge.",
            rel("Red Hand", "controls", "Eastbridge", **t("2014-01-08")),
        ),
    )


@pytest.mark.parametrize("dated_clauses", [True, False], ids=["clause-dates", "document-dates"])
def test_a_city_taken_lost_and_retaken_has_three_holders_in_order(dated_clauses: bool) -> None:
    G = project(*three_reports(dated_clauses))
    seq = sequence(G, "Eastbridge")
    assert [name for name, _ in seq] == ["Red Hand", "Blue Militia", "Red Hand"]
    if dated_clauses:
        assert [when for _, when in seq] == ["2013-03-01", "2013-07-18", "2014-01-08"]
    else:  # undated sentences take their document's date
        assert [when for _, when in seq] == ["2013-03-02", "2013-07-20", "2014-01-09"]
    assert holders(G, "Eastbridge") == ["Red Hand"]
    control = analysis.control_map(G)
    (row,) = control["places"]
    assert row["contested"] and row["latest"]["label"] == "Red Hand"
    assert [p["label"] for p in control["changes"][0]["sequence"]] == ["Red Hand", "Blue Militia", "Red Hand"]


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2013-02", []), ("2013-05-01", ["Red Hand"]), ("2013-07", ["Blue Militia"]), ("2013", ["Blue Militia"])],
)
def test_who_holds_a_city_on_a_date(date: str, expected: list[str]) -> None:
    G = project(*three_reports(dated_clauses=True))
    assert holders(G, "Eastbridge", date) == expected
    report = analysis.report(G, limit=None, as_of=date)
    places = {r["place"]["label"]: [h["label"] for h in r["holders"]] for r in report["control"]["places"]}
    assert places.get("Eastbridge", []) == expected


def test_a_capture_from_a_holder_dates_the_end_of_its_hold_not_a_new_hold() -> None:
    """ "X took the town from Y on D": Y held it until D, X from D -- never Y again on the same day."""
    G = project(
        Doc("2015-05-02", "a.txt").say(
            "The Red Hand has held Hollow Ford since 2012.",
            rel("Red Hand", "controls", "Hollow Ford", time_start="2012"),
        ),
        Doc("2015-06-02", "b.txt").say(
            "The Blue Militia took Hollow Ford from the Red Hand on 31 May.",
            rel("Blue Militia", "controls", "Hollow Ford", time="2015-05-31"),
            rel("Red Hand", "controls", "Hollow Ford", time="2015-05-31", ends=True),
        ),
    )
    seq = analysis.who_holds(G, iri("Hollow Ford"))["sequence"]
    assert [(p["label"], p["time"], p["until"], p["ended"]) for p in seq] == [
        ("Red Hand", "2012", "2015-05-31", True),
        ("Blue Militia", "2015-05-31", "2015-05-31", False),
    ]
    assert holders(G, "Hollow Ford") == ["Blue Militia"]
    assert holders(G, "Hollow Ford", "2015-05-30") == ["Red Hand"]


def test_an_interval_that_ended_leaves_nobody_known_after_it() -> None:
    G = project(
        Doc("2016-01-01", "a.txt").say(
            "The Red Hand held Hollow Ford from 2009 until 2011.",
            rel("Red Hand", "controls", "Hollow Ford", time_start="2009", time_end="2011"),
        )
    )
    assert holders(G, "Hollow Ford", "2010") == ["Red Hand"]
    found = analysis.who_holds(G, iri("Hollow Ford"))
    assert found["holders"] == [] and found["last_held"]["why"] == "ended"


# ------------------------------------------------------------------ the past is not the present


def test_a_fact_years_before_its_report_is_history_not_the_present_holder() -> None:
    G = project(
        Doc("2001-11-13", "report.txt").say(
            "Nobody wants a repeat of the fall of Westbridge to the Red Hand in 1992.",
            rel("Red Hand", "controls", "Westbridge", time="1992"),
        )
    )
    found = analysis.who_holds(G, iri("Westbridge"))
    assert found["holders"] == []
    assert found["last_held"]["label"] == "Red Hand" and found["last_held"]["why"] == "history"
    assert found["sequence"][0]["history"]
    assert holders(G, "Westbridge", "1995") == ["Red Hand"]  # before the report, it is the last word


def test_a_holder_advancing_later_on_its_own_town_has_lost_it() -> None:
    """Nobody advances on what they hold: the capital is a front again, and the 1992 fall is history."""
    G = project(
        Doc(None, "undated.txt")
        .say("The Red Hand took Westbridge in 1992.", rel("Red Hand", "controls", "Westbridge", time="1992"))
        .say("Red Hand fighters reached the gates of Westbridge.", rel("Red Hand", "advancesOn", "Westbridge"))
    )
    found = analysis.who_holds(G, iri("Westbridge"))
    assert found["holders"] == [] and found["last_held"]["why"] == "advancing"
    (front,) = analysis.fronts(G)["places"]
    assert front["front"] and front["held_by"] == []


def test_the_side_the_article_says_holds_the_capital_holds_the_front() -> None:
    G = project(
        Doc(None, "undated.txt")
        .say("The Red Hand took Westbridge in 1992.", rel("Red Hand", "controls", "Westbridge", time="1992"))
        .say("Blue Militia tanks ring Westbridge.", rel("Blue Militia", "controls", "Westbridge"))
        .say("Red Hand fighters reached the gates of Westbridge.", rel("Red Hand", "advancesOn", "Westbridge"))
    )
    assert holders(G, "Westbridge") == ["Blue Militia"]
    (front,) = analysis.fronts(G)["places"]
    assert front["front"] and [h["label"] for h in front["held_by"]] == ["Blue Militia"]


# ------------------------------------------------------------------ sides


def norland() -> Doc:
    return (
        Doc("2014-03-03", "norland.txt")
        .say(
            "Norland forces hold Eastbridge.",
            rel("Norland forces", "controls", "Eastbridge"),
            links=(("Norland forces", "forcesOf", "Norland"),),
        )
        .say("Norland holds Westbridge.", rel("Norland", "controls", "Westbridge"))
        .say(
            "Norland officials said they control Westbridge too.",
            rel("Norland officials", "controls", "Westbridge"),
            links=(("Norland officials", "memberOf", "Norland"),),
        )
        .say("Norland forces advanced on Westbridge's outskirts.", rel("Norland forces", "advancesOn", "Westbridge"))
        .say("The Red Hand attacked Westbridge.", rel("Red Hand", "advancesOn", "Westbridge"))
    )


def test_a_state_and_its_forces_holding_neighbouring_towns_are_one_side_not_contested() -> None:
    G = project(norland())
    assert analysis.sides(G)[iri("Norland forces")] == iri("Norland")
    control = analysis.control_map(G)
    assert control["contested"] == []
    rows = {r["place"]["label"]: r for r in control["places"]}
    assert [h["label"] for h in rows["Eastbridge"]["holders"]] == ["Norland"]
    assert [h["label"] for h in rows["Westbridge"]["holders"]] == ["Norland"]
    assert {a["label"] for a in rows["Westbridge"]["holders"][0]["agents"]} == {"Norland", "Norland officials"}


def test_fronts_compare_the_advancing_side_with_the_holders_side() -> None:
    west = {r["place"]["label"]: r for r in analysis.fronts(project(norland()))["places"]}["Westbridge"]
    assert west["front"]  # the Red Hand attacks what Norland holds
    assert [h["label"] for h in west["held_by"]] == ["Norland"]
    only_own = project(
        Doc("2014-03-03", "n.txt")
        .say("Norland holds Westbridge.", rel("Norland", "controls", "Westbridge"))
        .say(
            "Norland forces advanced on Westbridge's outskirts.",
            rel("Norland forces", "advancesOn", "Westbridge"),
            links=(("Norland forces", "forcesOf", "Norland"),),
        )
    )
    (row,) = analysis.fronts(only_own)["places"]
    assert not row["front"]  # its own forces, on its own town
    assert [a["side"]["label"] for a in row["advancing"]] == ["Norland"]


# ------------------------------------------------------------------ defections


def test_a_person_defecting_from_a_named_group_counts_as_that_groups_loss() -> None:
    G = project(
        Doc("2016-02-02", "d.txt").say(
            "Ada Marr defected from the Red Hand to the Blue Militia.",
            rel("Ada Marr", "defectsTo", "Blue Militia", side_left="Red Hand"),
        )
    )
    d = analysis.defection_flows(G)
    (flow,) = d["flows"]
    assert (flow["from"]["label"], flow["to"]["label"]) == ("Red Hand", "Blue Militia")
    assert [x["label"] for x in flow["defectors"]] == ["Ada Marr"]
    net = {r["label"]: r["net"] for r in d["net"]}
    assert net == {"Blue Militia": 1, "Red Hand": -1}  # the person is not the loser


def test_without_a_named_side_left_a_person_leaves_the_group_they_served() -> None:
    G = project(
        Doc("2016-02-02", "d.txt")
        .say("Ada Marr, a Red Hand commander, spoke.", links=(("Ada Marr", "memberOf", "Red Hand"),))
        .say("Ada Marr defected to the Blue Militia.", rel("Ada Marr", "defectsTo", "Blue Militia"))
    )
    (flow,) = analysis.defection_flows(G)["flows"]
    assert (flow["from"]["label"], flow["to"]["label"]) == ("Red Hand", "Blue Militia")
    assert analysis.sides(G)[iri("Ada Marr")] == iri("Blue Militia")  # now on the side she joined


def test_a_person_whose_side_nothing_names_charges_no_side_with_the_loss() -> None:
    G = project(
        Doc("2016-02-02", "d.txt").say(
            "Ada Marr defected to the Blue Militia.", rel("Ada Marr", "defectsTo", "Blue Militia")
        )
    )
    d = analysis.defection_flows(G)
    assert d["flows"][0]["from"] is None
    assert {r["label"]: r["net"] for r in d["net"]} == {"Blue Militia": 1}


def test_a_state_losing_units_loses_them_to_the_side_they_join() -> None:
    G = project(
        Doc("2016-02-02", "d.txt").say(
            "Norland forces switched sides and joined the Red Hand.",
            rel("Norland forces", "defectsTo", "Red Hand"),
            links=(("Norland forces", "forcesOf", "Norland"),),
        )
    )
    (flow,) = analysis.defection_flows(G)["flows"]
    assert (flow["from"]["label"], flow["to"]["label"]) == ("Norland", "Red Hand")


# ------------------------------------------------------------------ the report


def test_report_names_its_date_and_shows_evidence_for_each_change() -> None:
    G = project(*three_reports(dated_clauses=True))
    rep = analysis.report(G, limit=None)
    assert rep["control"]["as_of"] is None and rep["control"]["latest_document_date"] == "2014-01-09"
    text = analysis.render(rep, "table", width=0)
    assert "latest document date 2014-01-09" in text
    assert "Red Hand (2013-03-01–2013-07-18) → Blue Militia (2013-07-18) → Red Hand (2014-01-08)" in text
    assert "The Blue Militia drove the Red Hand out of Eastbridge on 18 July." in text
    assert "as of 2013-07" in analysis.render(analysis.report(G, as_of="2013-07"), "markdown")

"""The true story over time, end to end: texts we wrote, through the real model, to who holds what and whose loss.

Each story is a handful of short dated reports (invented events in real places; no corpus text). The
extraction must give what a reader takes from them (the NLP side, issue 9) and the analysis must tell the
story from that (issue 11): three holders of a city in the right order, the same when the sentences carry
no date of their own, a state and its forces holding neighbouring towns as one side, and a defector's old
group charged with the loss.
"""

from __future__ import annotations

import hashlib
from typing import Any

import networkx as nx
import pytest

from kg import analysis
from kg.model import Document

TAKEN_LOST_RETAKEN = {
    "gao-1.txt": "GAO, March 2, 2013 - Fighters of the Sahel Freedom Front seized the city of Gao on Friday, "
    "residents said.\n",
    "gao-2.txt": "GAO, July 20, 2013 - Malian troops drove the Sahel Freedom Front out of Gao on July 18 and now "
    "control the city, the army said.\n",
    "gao-3.txt": "GAO, Jan. 9, 2014 - The Sahel Freedom Front retook Gao on Wednesday after heavy fighting with "
    "Malian troops.\n",
}
UNDATED_SENTENCES = {
    "gao-a.txt": "GAO, March 2, 2013 - Fighters of the Sahel Freedom Front hold the city of Gao, residents said.\n",
    "gao-b.txt": "GAO, July 20, 2013 - Malian troops now control Gao, the army said.\n",
    "gao-c.txt": "GAO, Jan. 9, 2014 - The Sahel Freedom Front has retaken Gao after heavy fighting with Malian "
    "troops.\n",
}
STATE_AND_FORCES = {
    "konna.txt": "BAMAKO, May 5, 2013 - Malian troops hold Konna and Sevare, two neighbouring towns on the Niger "
    "river. The Malian government said it controls Sevare and Konna.\n",
}
DEFECTIONS = {
    "named.txt": "TIMBUKTU, June 3, 2013 - Colonel Ibrahim Tall defected from the Sahel Freedom Front to the "
    "Malian army on Sunday, officials said.\n",
}
DEFECTION_BY_MEMBERSHIP = {
    "member.txt": "TIMBUKTU, June 3, 2013 - Ibrahim Tall, a commander of the Sahel Freedom Front, defected to the "
    "Malian army on Sunday, officials said.\n",
}


def build(nlp: Any, texts: dict[str, str]) -> nx.MultiDiGraph:
    from kg.build import build_graph

    docs = [Document(t, name, hashlib.sha256(t.encode()).hexdigest()) for name, t in texts.items()]
    graph, _ = build_graph(docs)
    return analysis.project(graph, paths=True)


def side(G: nx.MultiDiGraph, name: str) -> str:
    return analysis.side_of(G, analysis.find_entity(G, name))


def holders_in_order(G: nx.MultiDiGraph, place: str) -> tuple[list[str], list[str | None], list[str]]:
    found = analysis.who_holds(G, analysis.find_entity(G, place))
    seq = found["sequence"]
    return [p["iri"] for p in seq], [p["time"] for p in seq], [h["iri"] for h in found["holders"]]


def test_a_city_taken_lost_and_retaken_over_three_dated_reports(nlp: Any) -> None:
    G = build(nlp, TAKEN_LOST_RETAKEN)
    front, army = side(G, "Sahel Freedom Front"), side(G, "Malian troops")
    order, times, now = holders_in_order(G, "Gao")
    assert order == [front, army, front]
    assert times == ["2013-03-01", "2013-07-18", "2014-01-08"]  # Friday, July 18, Wednesday
    assert now == [front]


def test_the_same_story_told_without_dates_in_the_sentences(nlp: Any) -> None:
    G = build(nlp, UNDATED_SENTENCES)
    front, army = side(G, "Sahel Freedom Front"), side(G, "Malian troops")
    order, times, now = holders_in_order(G, "Gao")
    assert order == [front, army, front]
    assert times == ["2013-03-02", "2013-07-20", "2014-01-09"]  # each report's date
    assert now == [front]


def test_a_state_and_its_forces_holding_neighbouring_towns_are_not_contested(nlp: Any) -> None:
    G = build(nlp, STATE_AND_FORCES)
    mali = side(G, "Malian troops")
    assert side(G, "Mali") == mali  # "the Malian government" is the state itself acting
    control = analysis.control_map(G)
    assert control["contested"] == []
    held = {r["place"]["label"]: [h["iri"] for h in r["holders"]] for r in control["places"]}
    assert held == {"Konna": [mali], "Sevare": [mali]}


@pytest.mark.parametrize("texts", [DEFECTIONS, DEFECTION_BY_MEMBERSHIP], ids=["side-named", "member-of"])
def test_a_person_defecting_from_a_named_group_is_that_groups_loss(nlp: Any, texts: dict[str, str]) -> None:
    G = build(nlp, texts)
    d = analysis.defection_flows(G)
    (flow,) = d["flows"]
    assert flow["from"] is not None and flow["from"]["iri"] == side(G, "Sahel Freedom Front")
    assert flow["to"]["iri"] == side(G, "Malian army")
    assert [x["label"] for x in flow["defectors"]] == ["Ibrahim Tall"]
    net = {r["iri"]: r["net"] for r in d["net"]}
    assert net[side(G, "Sahel Freedom Front")] == -1 and net[side(G, "Malian army")] == 1

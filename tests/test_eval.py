"""``kg eval`` and ``kg.evaluate``: scoring as ANNOTATION.md defines, agreeing with the reference scorer.

Unit tests use tiny hand-made graphs and gold dicts (no model). One session-wide build of the seed and dev
texts checks ``kg eval`` against ``shared/tools/score.py`` when that script sits beside the checkout.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from kg.cli import main as kg_main
from kg.errors import KGError
from kg.evaluate import (
    AliasMiss,
    EntityCounts,
    Gold,
    Merge,
    Report,
    format_json,
    format_table,
    gold_files,
    graph_facts,
    load_gold,
    norm,
    parse_gold,
    score_graph,
    score_graphs,
)
from kg.model import Document, Entity, Evidence, Extraction, Relation
from kg.rdf.mapping import add_extraction
from kg.rdf.namespace import ENTITY, KG
from kg.rdf.store import new_graph, write_graph

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED_DIR = DATA / "seed"
DEV = DATA / "dev"
SCORE_PY = ROOT.parent / "shared" / "tools" / "score.py"
TRAIN = ROOT.parent / "shared" / "corpus" / "train"
SUMMARY = re.compile(r"^micro P=\d\.\d{3} R=\d\.\d{3} F1=\d\.\d{3} fragmentation=\d+\.\d{2}$")

# ------------------------------------------------------------------------------------------------ helpers

GOLD: dict[str, Any] = {
    "text": "t.txt",
    "entities": {
        "Red Army": {"type": "Group", "aliases": ["Red Army", "the reds", "red forces"]},
        "Blue Party": {"type": "Group", "aliases": ["Blue Party", "blues"]},
        "Port Vale": {"type": "GPE", "aliases": ["Port Vale", "the port"]},
        "Hilltown": {"type": "Place", "aliases": ["Hilltown"]},
    },
    "relations": [
        {"subject": "Red Army", "predicate": "controls", "object": "Port Vale", "time": "1999", "evidence": "took"},
        {"subject": "Red Army", "predicate": "advancesOn", "object": "Hilltown"},
        {"subject": "Blue Party", "predicate": "defectsTo", "object": "Red Army", "optional": True},
    ],
}


def gold(data: dict[str, Any] | None = None, name: str = "t") -> Gold:
    return parse_gold(data if data is not None else GOLD, name)


def ent(local: str) -> URIRef:
    return ENTITY[local]


def graph_of(
    labels: dict[str, list[str]],
    triples: list[tuple[str, str, str]],
    types: dict[str, str] | None = None,
) -> Graph:
    """A graph with entity nodes ``ent:<local>`` carrying labels (first rdfs:label, rest skos:altLabel)."""
    g = new_graph()
    for local, names in labels.items():
        for i, name in enumerate(names):
            g.add((ent(local), RDFS.label if i == 0 else SKOS.altLabel, Literal(name)))
    for local, t in (types or {}).items():
        g.add((ent(local), RDF.type, KG[t]))
    for s, p, o in triples:
        g.add((ent(s), KG[p], ent(o)))
    return g


def score(g: Graph, data: dict[str, Any] | None = None) -> Any:
    return score_graph(gold(data), graph_facts(g))


def extraction_graph(text: str, entities: list[Entity], relations: list[Relation]) -> Graph:
    """A graph made through kg's own mapping, exactly the shape ``kg build`` writes."""
    doc = Document(text=text, source="t.txt", sha256=hashlib.sha256(text.encode()).hexdigest())
    g = new_graph()
    add_extraction(g, Extraction(doc, tuple(entities), tuple(relations)))
    return g


def whole(text: str) -> Evidence:
    return Evidence(0, len(text), text, 0, "")


# ------------------------------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("The Taliban", "taliban"),
        ("the Taliban's", "taliban"),
        ("Taliban\u2019s fighters", "taliban fighters"),
        ("Anti-Gaddafi forces", "anti gaddafi forces"),
        ("U.S.  special   forces", "u s special forces"),
        ("Other forces", "other forces"),  # only a leading word "the" is dropped
        ("Theodore", "theodore"),
        ("  Ra's Lanuf ", "ra lanuf"),
    ],
)
def test_norm_matches_the_annotation_rules(raw: str, want: str) -> None:
    assert norm(raw) == want


def test_labels_match_after_normalisation_possessive_article_and_hyphen() -> None:
    g = graph_of(
        {"A": ["The Red-Army's"], "P": ["port vale"], "H": ["HILLTOWN"]},
        [("A", "controls", "P"), ("A", "advancesOn", "H")],
    )
    s = score(g)
    assert (s.tp, s.sys, s.gold) == (2, 2, 2)


# --------------------------------------------------------------------------------------------- P/R/F1


def test_perfect_graph_scores_one() -> None:
    g = graph_of(
        {"A": ["Red Army"], "P": ["Port Vale"], "H": ["Hilltown"]}, [("A", "controls", "P"), ("A", "advancesOn", "H")]
    )
    s = score(g)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert s.missed == () and s.wrong == ()
    assert (s.frag_nodes, s.frag_ents) == (3, 3)


def test_wrong_and_missed_triples_are_listed_and_unmatched_nodes_keep_their_iri() -> None:
    g = graph_of(
        {"A": ["Red Army"], "P": ["Port Vale"], "X": ["Nowhere"]},
        [("A", "controls", "P"), ("A", "controls", "X"), ("A", "advises", "P")],
    )
    s = score(g)
    assert (s.tp, s.sys, s.gold) == (1, 3, 2)
    assert s.missed == (("Red Army", "advancesOn", "Hilltown"),)
    assert s.wrong == (("Red Army", "advises", "Port Vale"), ("Red Army", "controls", f"<{ent('X')}>"))
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == 0.5
    assert s.f1 == pytest.approx(0.4)


def test_optional_gold_is_neither_reward_nor_penalty() -> None:
    g = graph_of(
        {"A": ["Red Army"], "B": ["blues"], "P": ["Port Vale"]}, [("B", "defectsTo", "A"), ("A", "controls", "P")]
    )
    s = score(g)
    assert (s.tp, s.sys, s.gold) == (1, 1, 2)
    assert s.wrong == ()


def test_a_triple_listed_required_and_optional_counts_as_required() -> None:
    data = json.loads(json.dumps(GOLD))
    data["relations"].append({"subject": "Red Army", "predicate": "controls", "object": "Port Vale", "optional": True})
    g = graph_of({"A": ["Red Army"], "P": ["Port Vale"]}, [("A", "controls", "P")])
    s = score(g, data)
    assert (s.tp, s.sys, s.gold) == (1, 1, 2)


def test_rewritten_duplicates_count_once_and_fragmentation_counts_extra_nodes() -> None:
    # Two graph nodes for one gold entity: the same rewritten triple twice is one system triple.
    g = graph_of(
        {"A1": ["Red Army"], "A2": ["red forces"], "P": ["the port"]},
        [("A1", "controls", "P"), ("A2", "controls", "P")],
    )
    s = score(g)
    assert (s.tp, s.sys) == (1, 1)
    assert (s.frag_nodes, s.frag_ents) == (3, 2)
    assert Report((s,)).fragmentation == 1.5


def test_entities_match_through_alt_labels_and_through_the_iri_when_unlabelled() -> None:
    g = graph_of({"A": ["Commander Smith", "the reds"]}, [("A", "controls", "Port_Vale")])
    s = score(g)
    assert s.tp == 1


def test_a_node_naming_two_gold_entities_stands_for_the_first_name_in_sort_order() -> None:
    g = graph_of({"A": ["Red Army", "Blue Party"], "P": ["Port Vale"]}, [("A", "controls", "P")])
    s = score(g)  # "Blue Party" < "Red Army": rewritten to Blue Party, which is wrong
    assert (s.tp, s.wrong) == (0, (("Blue Party", "controls", "Port Vale"),))


def test_only_plain_relation_triples_count_not_held_back_assertions() -> None:
    text = "The reds did not take the port."
    g = extraction_graph(
        text,
        [Entity("Red Army", "Group", ("reds",)), Entity("Port Vale", "GPE", ("port",))],
        [Relation("Red Army", "controls", "Port Vale", whole(text), "r", negated=True)],
    )
    s = score(g)
    assert (s.tp, s.sys) == (0, 0)


def test_relation_predicates_count_in_any_namespace() -> None:
    ex = Namespace("http://example.org/vocab/")
    g = graph_of({"A": ["Red Army"], "P": ["Port Vale"]}, [])
    g.add((ent("A"), ex.controls, ent("P")))
    g.add((ent("A"), ex.controls, Literal("Port Vale")))  # literal objects are not relations
    s = score(g)
    assert (s.tp, s.sys) == (1, 1)


def test_micro_average_sums_counts_over_texts() -> None:
    one = score(graph_of({"A": ["Red Army"], "P": ["Port Vale"]}, [("A", "controls", "P")]))  # P=1 R=.5
    two = score(
        graph_of({"A": ["Red Army"], "X": ["Elsewhere"], "Y": ["Y"]}, [("A", "controls", "X"), ("A", "controls", "Y")])
    )
    report = Report((one, two))
    p, r, f = report.micro
    assert p == pytest.approx(1 / 3) and r == pytest.approx(1 / 4)
    assert f == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    assert report.summary_line() == "micro P=0.333 R=0.250 F1=0.286 fragmentation=1.00"


def test_empty_graph_and_empty_report() -> None:
    s = score(Graph())
    assert (s.tp, s.sys, s.gold, s.f1) == (0, 0, 2, 0.0)
    assert Report(()).summary_line() == "micro P=0.000 R=0.000 F1=0.000 fragmentation=0.00"


# ------------------------------------------------------------------------------- time, type, evidence


def _timed(time: str | None, time_text: str | None, negated: bool = False, extra: bool = False) -> Graph:
    text = "In 1999 the reds took   Port Vale and advanced on Hilltown."
    rels = [
        Relation(
            "Red Army", "controls", "Port Vale", whole(text), "r1", time=time, time_text=time_text, negated=negated
        ),
        Relation("Red Army", "advancesOn", "Hilltown", whole(text), "r2"),
    ]
    if extra:  # a second, asserted statement of the same triple with the right time
        rels.append(Relation("Red Army", "controls", "Port Vale", whole(text), "r3", time="1999"))
    return extraction_graph(
        text,
        [
            Entity("Red Army", "Group", ("reds",)),
            Entity("Port Vale", "GPE", ()),
            Entity("Hilltown", "Place", ()),
        ],
        rels,
    )


@pytest.mark.parametrize(
    ("time", "time_text", "right"),
    [("1999", "in 1999", True), (None, "1999", True), ("2000", "in 2000", False), (None, None, False)],
)
def test_time_accuracy_compares_assertion_time_with_gold_time(
    time: str | None, time_text: str | None, right: bool
) -> None:
    s = score(_timed(time, time_text))
    assert s.tp == 2
    assert (s.time_correct, s.time_total) == (int(right), 1)  # the advancesOn gold relation has no time
    assert len(s.time_errors) == int(not right)


def test_a_more_precise_time_is_compatible_but_not_exact() -> None:
    s = score(_timed("1999-05-01", "1 May 1999"))
    assert (s.time_correct, s.time_compatible, s.time_total) == (0, 1, 1)
    assert s.time_errors[0].compatible
    assert "gold 1999, graph 1 May 1999, 1999-05-01 (compatible)" in format_table(Report((s,)))
    far = score(_timed("2000-05-01", None))
    assert (far.time_correct, far.time_compatible) == (0, 0)


def test_any_supporting_asserted_statement_with_the_right_time_counts() -> None:
    s = score(_timed("2000", None, extra=True))
    assert (s.time_correct, s.time_total) == (1, 1)


def test_time_of_a_held_back_statement_does_not_count() -> None:
    g = _timed("1999", None, negated=True)
    g.add((ent("Red_Army"), KG.controls, ent("Port_Vale")))  # asserted elsewhere, without a time
    s = score(g)
    assert s.tp == 2
    assert (s.time_correct, s.time_total) == (0, 1)


def test_evidence_overlap_collapses_whitespace() -> None:
    data = json.loads(json.dumps(GOLD))
    data["relations"][0]["evidence"] = "the reds took Port Vale"
    data["relations"][1]["evidence"] = "not in the sentence"
    s = score(_timed("1999", None), data)
    assert (s.evidence_found, s.evidence_total) == (1, 2)


def test_type_accuracy_wants_exactly_the_gold_type() -> None:
    g = graph_of(
        {"A": ["Red Army"], "P": ["Port Vale"], "H": ["Hilltown"], "B": ["Blue Party"]},
        [("A", "controls", "P"), ("A", "advancesOn", "H")],
        types={"A": "Group", "P": "Place", "H": "Place"},  # Port Vale is GPE in gold: a Place is wrong
    )
    g.add((ent("B"), RDF.type, KG.Group))
    g.add((ent("B"), RDF.type, KG.Person))  # two types: wrong, though one of them is right
    s = score(g)
    assert (s.type_correct, s.type_total) == (2, 4)
    assert {(e.gold, e.gold_type, e.graph_types) for e in s.type_errors} == {
        ("Port Vale", "GPE", ("Place",)),
        ("Blue Party", "Group", ("Group", "Person")),
    }


def test_extra_measures_never_change_precision_and_recall() -> None:
    a = score(_timed("1999", None))
    b = score(_timed(None, None))
    assert (a.tp, a.sys, a.gold) == (b.tp, b.sys, b.gold)


def test_missed_triples_say_why() -> None:
    s = score(_timed("1999", None, negated=True))  # the controls statement is there, held back as negated
    assert dict(zip(s.missed, s.missed_why, strict=True)) == {
        ("Red Army", "controls", "Port Vale"): "held back: negated"
    }
    g = graph_of({"A": ["Red Army"], "P": ["Port Vale"]}, [("A", "advises", "P")])
    why = dict(zip(score(g).missed, score(g).missed_why, strict=True))
    assert why == {
        ("Red Army", "advancesOn", "Hilltown"): "no node for object 'Hilltown'",
        ("Red Army", "controls", "Port Vale"): "entities found, no statement",
    }


def test_wrong_triples_name_the_rules_that_made_them() -> None:
    text = "The reds advised the port."
    g = extraction_graph(
        text,
        [Entity("Red Army", "Group", ("reds",)), Entity("Port Vale", "GPE", ("port",))],
        [
            Relation("Red Army", "advises", "Port Vale", whole(text), "advises.verb"),
            Relation("Red Army", "advises", "Port Vale", Evidence(4, 8, "reds", 0), "advises.noun"),
        ],
    )
    s = score(g)
    assert s.wrong == (("Red Army", "advises", "Port Vale"),)
    assert s.wrong_rules == (("advises.noun", "advises.verb"),)


def test_per_relation_counts_add_up_to_the_micro_counts() -> None:
    one = score(graph_of({"A": ["Red Army"], "P": ["Port Vale"]}, [("A", "controls", "P"), ("A", "advises", "P")]))
    report = Report((one, one))
    by = report.by_relation()
    assert by["controls"] == (2, 2, 2) and by["advancesOn"] == (0, 0, 2) and by["advises"] == (0, 2, 0)
    assert tuple(map(sum, zip(*by.values(), strict=True))) == (2, 4, 4)
    assert "controls     P=1.000 R=1.000 F1=1.000  tp=2 sys=2 gold=2" in format_table(report)


# ----------------------------------------------------------------------------------------- gold files


def test_gold_files_errors_name_the_folder(tmp_path: Path) -> None:
    with pytest.raises(KGError, match="no such folder"):
        gold_files(tmp_path / "missing")
    with pytest.raises(KGError, match=r"no \*\.gold\.json"):
        gold_files(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"relations": []}', '"entities"'),
        ('{"entities": {"A": {"type": "Group"}}, "relations": []}', '"aliases"'),
        ('{"entities": {"A": {"type": "City", "aliases": ["A"]}}, "relations": []}', '"type"'),
        ('{"entities": {}}', '"relations"'),
        ('{"entities": {}, "relations": [{"subject": "A", "object": "B"}]}', '"predicate"'),
    ],
)
def test_bad_gold_file_raises_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.gold.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KGError, match=re.escape(message)) as info:
        load_gold(path)
    assert str(path) in str(info.value)


def test_missing_prebuilt_graph_scores_as_empty(tmp_path: Path) -> None:
    (tmp_path / "t.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    graphs = tmp_path / "graphs"
    graphs.mkdir()
    report = score_graphs(gold_files(tmp_path), graphs)
    (s,) = report.texts
    assert not s.has_graph and (s.tp, s.sys, s.gold) == (0, 0, 2)
    assert "(no graph)" in format_table(report)


# ------------------------------------------------------------------------------------------------- CLI


def run_kg(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = kg_main(list(argv))
        except SystemExit as exc:  # argparse exits on usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_cli_scores_prebuilt_graphs_and_ends_with_the_summary_line(tmp_path: Path) -> None:
    (tmp_path / "t.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    g = graph_of(
        {"A": ["Red Army"], "P": ["Port Vale"], "X": ["Elsewhere"]}, [("A", "controls", "P"), ("A", "controls", "X")]
    )
    write_graph(g, tmp_path / "g" / "t.ttl")
    code, out, _ = run_kg("eval", str(tmp_path), "--graphs", str(tmp_path / "g"))
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "micro P=0.500 R=0.500 F1=0.500 fragmentation=1.00"
    assert lines[0].startswith("t ") and "P=0.50 R=0.50 F1=0.50" in lines[0]
    assert "    missed ('Red Army', 'advancesOn', 'Hilltown')  [no node for object 'Hilltown']" in lines
    assert f"    wrong  ('Red Army', 'controls', '<{ent('X')}>')" in lines
    code, out, _ = run_kg("eval", str(tmp_path), "--graphs", str(tmp_path / "g"), "--format", "json")
    data = json.loads(out)
    assert data["micro"]["F1"] == 0.5 and data["texts"]["t"]["tp"] == 1


def test_cli_writes_the_report_to_a_file(tmp_path: Path) -> None:
    (tmp_path / "t.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    (tmp_path / "g").mkdir()
    code, out, _ = run_kg("eval", str(tmp_path), "--graphs", str(tmp_path / "g"), "-o", str(tmp_path / "r.json"))
    assert code == 0 and SUMMARY.match(out.strip())
    assert json.loads((tmp_path / "r.json").read_text())["micro"]["R"] == 0.0


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no such folder"),
        ("empty", "holds no *.gold.json"),
        ("badjson", "x.gold.json: not valid JSON"),
        ("notext", "no x.txt beside it"),
    ],
)
def test_cli_errors_exit_1_with_a_message(tmp_path: Path, setup: str, message: str) -> None:
    folder = tmp_path / "gold"
    if setup != "missing":
        folder.mkdir()
    if setup == "badjson":
        (folder / "x.gold.json").write_text("{", encoding="utf-8")
        (folder / "x.txt").write_text("Some text.", encoding="utf-8")
    if setup == "notext":
        (folder / "x.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    code, out, err = run_kg("eval", str(folder))
    assert code == 1 and out == ""
    assert message in err and err.startswith("kg eval: error:")


def test_cli_scores_several_gold_folders_together(tmp_path: Path) -> None:
    for folder, triples in (("a", [("A", "controls", "P")]), ("b", [("A", "advancesOn", "H"), ("A", "advises", "P")])):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{folder}.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
        g = graph_of({"A": ["Red Army"], "P": ["Port Vale"], "H": ["Hilltown"]}, triples)
        write_graph(g, tmp_path / "g" / f"{folder}.ttl")
    code, out, _ = run_kg("eval", str(tmp_path / "a"), str(tmp_path / "b"), "--graphs", str(tmp_path / "g"))
    assert code == 0
    assert out.splitlines()[-1] == "micro P=0.667 R=0.500 F1=0.571 fragmentation=1.00"  # tp 2, sys 3, gold 4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--graphs", "g", "--keep-graphs", "k"], "drop one"),
        (["--min-confidence", "2"], "between 0 and 1"),
        (["--format", "xml"], "invalid choice: 'xml' (choose from"),
    ],
)
def test_cli_usage_errors_exit_1(tmp_path: Path, extra: list[str], message: str) -> None:
    (tmp_path / "t.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    code, _, err = run_kg("eval", str(tmp_path), *extra)
    assert code == 1 and message in err


def test_the_same_text_name_in_two_folders_is_an_error(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "t.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    with pytest.raises(KGError, match="have the same name"):
        gold_files(tmp_path / "a", tmp_path / "b")


@pytest.mark.model
def test_cli_builds_a_text_and_ends_with_the_summary_line(nlp: Any, tmp_path: Path) -> None:
    text = (
        "Rebel forces of the Red Army captured Port Vale on Monday after a week of fighting.\n"
        "Their commanders said they would advance on Hilltown next.\n"
    )
    (tmp_path / "story.txt").write_text(text, encoding="utf-8")
    (tmp_path / "story.gold.json").write_text(json.dumps({**GOLD, "text": "story.txt"}), encoding="utf-8")
    code, out, _ = run_kg("eval", str(tmp_path), "--no-progress", "--keep-graphs", str(tmp_path / "kept"))
    assert code == 0
    assert SUMMARY.match(out.splitlines()[-1])
    assert out.splitlines()[0].startswith("story ")
    assert (tmp_path / "kept" / "story.ttl").is_file()


# ------------------------------------------------------------------------ agreement with the reference


@pytest.fixture(scope="module")
def corpus_eval(nlp: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The seed and dev texts with their gold files in one folder, built once by ``kg eval --keep-graphs``."""
    folder = tmp_path_factory.mktemp("corpus")
    for src in (*DEV.glob("*.txt"), *DEV.glob("*.gold.json"), *SEED_DIR.glob("*.txt"), *SEED_DIR.glob("*.gold.json")):
        shutil.copy(src, folder / src.name)
    graphs = tmp_path_factory.mktemp("graphs")
    code, out, err = run_kg("eval", str(folder), "--no-progress", "--keep-graphs", str(graphs))
    assert code == 0, err
    return folder, graphs, out


@pytest.mark.model
def test_every_corpus_text_is_scored_and_prebuilt_graphs_score_the_same(corpus_eval: tuple[Path, Path, str]) -> None:
    folder, graphs, out = corpus_eval
    names = sorted(p.name.removesuffix(".gold.json") for p in folder.glob("*.gold.json"))
    assert len(names) == 7
    assert [line.split()[0] for line in out.splitlines() if not line.startswith(" ")][: len(names)] == names
    assert SUMMARY.match(out.splitlines()[-1])
    code, again, _ = run_kg("eval", str(folder), "--graphs", str(graphs))
    assert code == 0 and again == out


@pytest.mark.model
def test_kg_eval_agrees_with_the_reference_scorer(corpus_eval: tuple[Path, Path, str]) -> None:
    if not SCORE_PY.is_file():
        pytest.skip(f"{SCORE_PY} is absent (it sits beside the checkout on dev machines and in CI)")
    folder, graphs, out = corpus_eval
    ref = subprocess.run(
        [sys.executable, str(SCORE_PY), str(folder), str(graphs)], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == ref.splitlines()[-1]
    ref_json = subprocess.run(
        [sys.executable, str(SCORE_PY), str(folder), str(graphs), "--json"], capture_output=True, text=True, check=True
    ).stdout
    want = json.loads(ref_json.splitlines()[0])["texts"]
    code, mine_out, _ = run_kg("eval", str(folder), "--graphs", str(graphs), "--format", "json")
    mine = json.loads(mine_out)["texts"]
    assert code == 0 and sorted(mine) == sorted(want)
    keys = ("tp", "sys", "gold", "missed", "wrong", "frag_nodes", "frag_ents")
    for name, ref_text in want.items():
        assert {k: mine[name][k] for k in keys} == {k: ref_text[k] for k in keys}, name


def test_the_curated_seed_graph_scores_perfectly_on_every_measure(curated_graph: Graph) -> None:
    s = score_graph(load_gold(SEED_DIR / "kabul-2001-11.gold.json"), graph_facts(curated_graph))
    assert (s.precision, s.recall, s.frag_nodes) == (1.0, 1.0, s.frag_ents)
    assert s.time_correct == s.time_total > 0
    assert s.type_correct == s.type_total > 0
    assert s.evidence_found == s.evidence_total > 0


def test_tricky_graphs_score_as_the_reference_scorer_scores_them(tmp_path: Path) -> None:
    """Ambiguous labels, optional gold, fragments, IRI fallback, foreign namespaces, held-back claims."""
    if not SCORE_PY.is_file():
        pytest.skip(f"{SCORE_PY} is absent (it sits beside the checkout on dev machines and in CI)")
    ex = Namespace("http://example.org/vocab/")
    foreign = graph_of({"A": ["The Red-Army's"], "P": ["port vale"]}, [])
    foreign.add((ent("A"), ex.advancesOn, ent("Hilltown")))
    foreign.add((ent("A"), ex.controls, ent("P")))
    cases = {
        "ambiguous": graph_of({"A": ["Red Army", "Blue Party"], "P": ["Port Vale"]}, [("A", "controls", "P")]),
        "optional": graph_of({"A": ["Red Army"], "B": ["blues"], "P": ["the port"]}, [("B", "defectsTo", "A")]),
        "fragments": graph_of(
            {"A1": ["Red Army"], "A2": ["red forces"], "P": ["Port Vale"], "X": ["Elsewhere"]},
            [("A1", "controls", "P"), ("A2", "controls", "P"), ("A2", "advancesOn", "X")],
        ),
        "fallback": graph_of({"A": ["Someone", "the reds"]}, [("A", "controls", "Port_Vale")]),
        "foreign": foreign,
        "claims": _timed("1999", None, negated=True),
    }
    for name, g in cases.items():
        (tmp_path / f"{name}.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
        write_graph(g, tmp_path / "g" / f"{name}.ttl")
    (tmp_path / "nograph.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    ref = subprocess.run(
        [sys.executable, str(SCORE_PY), str(tmp_path), str(tmp_path / "g"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    code, out, _ = run_kg("eval", str(tmp_path), "--graphs", str(tmp_path / "g"), "--format", "json")
    mine = json.loads(out)["texts"]
    want = json.loads(ref[0])["texts"]
    assert code == 0 and sorted(mine) == sorted(want) == sorted([*cases, "nograph"])
    keys = ("tp", "sys", "gold", "missed", "wrong", "frag_nodes", "frag_ents")
    for name, ref_text in want.items():
        assert {k: mine[name][k] for k in keys} == {k: ref_text[k] for k in keys}, name
    _, table, _ = run_kg("eval", str(tmp_path), "--graphs", str(tmp_path / "g"))
    assert table.splitlines()[-1] == ref[-1]


# Random gold files and graphs: names drawn from a small pool with case, article, possessive and hyphen
# variants, so labels collide, fragment and miss in every way the rules distinguish.
_BASES = ["Red Army", "Blue-Party", "Port Vale", "Hilltown", "river city", "The Hills", "Oak"]


@st.composite
def _variant(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from(_BASES))
    form = draw(st.sampled_from(["", "the ", "The "])) + draw(st.sampled_from([base, base.upper(), base.lower()]))
    return form + draw(st.sampled_from(["", "'s", "\u2019s", ".", "-"]))


@st.composite
def _case(draw: st.DrawFn) -> tuple[dict[str, Any], list[tuple[int, list[str]]], list[tuple[int, str, int]]]:
    names = draw(st.lists(st.sampled_from(_BASES), min_size=1, max_size=5, unique=True))
    entities = {
        n: {
            "type": draw(st.sampled_from(["Person", "Group", "GPE", "Place"])),
            "aliases": draw(st.lists(_variant(), max_size=3)),
        }
        for n in names
    }
    rels = [
        {"subject": s, "predicate": p, "object": o, "optional": draw(st.booleans())}
        for s, p, o in draw(
            st.lists(st.tuples(st.sampled_from(names), st.sampled_from(RELS), st.sampled_from(names)), max_size=6)
        )
    ]
    nodes = draw(st.lists(st.lists(_variant(), max_size=2), min_size=1, max_size=6))
    n = len(nodes)
    triples = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(RELS), st.integers(0, n - 1)), max_size=8))
    return {"entities": entities, "relations": rels}, list(enumerate(nodes)), triples


RELS = ["controls", "advancesOn", "defectsTo", "advises"]


def _reference_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("reference_score", SCORE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SCORE_PY.is_file(), reason=f"{SCORE_PY} is absent")
@settings(max_examples=150, deadline=None)
@given(_case())
def test_random_cases_score_as_the_reference_scores_them(
    case: tuple[dict[str, Any], list[tuple[int, list[str]]], list[tuple[int, str, int]]],
) -> None:
    ref = _reference_module()
    data, nodes, triples = case
    node_names = {i: (f"N{i}" if i % 2 else _BASES[i % len(_BASES)].replace(" ", "_")) for i, _ in nodes}
    g = graph_of(
        {node_names[i]: labels for i, labels in nodes}, [(node_names[s], p, node_names[o]) for s, p, o in triples]
    )
    mine = score_graph(parse_gold(data, "t"), graph_facts(g))
    ref_labels = {ent(node_names[i]): {ref.norm(x) for x in labels} for i, labels in nodes if labels}
    ref_triples = {(ent(node_names[s]), p, ent(node_names[o])) for s, p, o in triples}
    want = ref.score_one(data, ref_triples, ref_labels)
    got = {"tp": mine.tp, "sys": mine.sys, "gold": mine.gold, "missed": list(mine.missed), "wrong": list(mine.wrong)}
    got |= {"frag_nodes": mine.frag_nodes, "frag_ents": mine.frag_ents}
    assert got == want


# ------------------------------------------------------------------------------------------ entity quality

# Gold for the entity measures: a person and the brigade named after him (the merge to catch), a town named
# three ways (the split to catch), and a group that takes part in no gold relation.
ENT_GOLD: dict[str, Any] = {
    "entities": {
        "Tova Marsh": {"type": "Person", "aliases": ["Tova Marsh", "Marsh", "the commander"]},
        "Marsh Brigade": {"type": "Group", "aliases": ["Marsh Brigade", "the brigade", "Marsh's Brigade"]},
        "Quillon": {"type": "GPE", "aliases": ["Quillon", "the river port", "Quillon city"]},
        "Fernwick": {"type": "Place", "aliases": ["Fernwick"]},
        "Delta League": {"type": "Group", "aliases": ["Delta League", "the league"]},
    },
    "relations": [
        {"subject": "Marsh Brigade", "predicate": "controls", "object": "Quillon"},
        {"subject": "Marsh Brigade", "predicate": "advancesOn", "object": "Fernwick"},
        {"subject": "Tova Marsh", "predicate": "advises", "object": "Marsh Brigade"},
    ],
}


def _ent_graph() -> Graph:
    return graph_of(
        {
            "M": ["Marsh Brigade", "Marsh"],  # the brigade's node also carries the commander's surname
            "Q1": ["Quillon"],
            "Q2": ["the river port"],
            "Q3": ["Quillon City"],  # in no relation
            "F": ["Fernwick"],
            "X": ["Nowhere"],
            "D": ["The League"],  # in no relation
        },
        [("M", "controls", "Q1"), ("M", "controls", "Q2"), ("M", "advancesOn", "F"), ("M", "controls", "X")],
        types={"Q3": "GPE", "D": "Group"},
    )


def test_entity_counts_in_relations_and_over_all_entities() -> None:
    e = score(_ent_graph(), ENT_GOLD).entities
    # 11 aliases once normalised: "Marsh's Brigade" is "Marsh Brigade", "the brigade" is "brigade".
    assert e.in_relations == EntityCounts(
        alias_found=5, alias_total=11, entity_found=4, entity_total=5, merges=1, splits=1
    )
    assert e.all_entities == EntityCounts(
        alias_found=7, alias_total=11, entity_found=5, entity_total=5, merges=1, splits=1
    )
    assert (e.in_relations.alias_recall, e.all_entities.entity_recall) == (5 / 11, 1.0)


def test_a_merge_lists_the_labels_that_matched_each_gold_entity_though_the_relation_score_hides_it() -> None:
    s = score(_ent_graph(), ENT_GOLD)
    assert s.tp == 2  # the node counts as "Marsh Brigade" (first in sort order): the triples come out right
    assert s.entities.merges == (
        Merge(f"<{ent('M')}>", (("Marsh Brigade", ("marsh brigade",)), ("Tova Marsh", ("marsh",))), True),
    )


def test_a_split_lists_every_node_of_the_gold_entity_and_which_are_in_relations() -> None:
    (split,) = score(_ent_graph(), ENT_GOLD).entities.splits
    assert split.gold == "Quillon" and split.in_relations
    assert [(n.node, n.labels, n.in_relations) for n in split.nodes] == [
        (f"<{ent('Q1')}>", ("quillon",), True),
        (f"<{ent('Q2')}>", ("river port",), True),
        (f"<{ent('Q3')}>", ("quillon city",), False),
    ]


def test_a_split_with_one_node_in_relations_counts_only_over_all_entities() -> None:
    g = graph_of({"F": ["Fernwick"], "F2": ["fernwick"], "Q": ["Quillon"]}, [("Q", "advancesOn", "F")])
    e = score(g, ENT_GOLD).entities
    assert (e.in_relations.splits, e.all_entities.splits) == (0, 1)
    assert not e.splits[0].in_relations


def test_missed_aliases_are_given_as_the_gold_spells_them() -> None:
    e = score(_ent_graph(), ENT_GOLD).entities
    assert e.alias_misses == (
        AliasMiss("Delta League", ("Delta League",), ("the league",), in_gold_relations=False),
        AliasMiss("Marsh Brigade", ("the brigade",), ()),
        AliasMiss("Quillon", (), ("Quillon city",)),
        AliasMiss("Tova Marsh", ("Tova Marsh", "the commander"), ()),
    )


def test_an_unlabelled_node_carries_its_iri_name_as_the_relation_scorer_reads_it() -> None:
    # F has a label that names nothing in the gold: its IRI's local name is tried instead.
    g = graph_of({"F": ["somewhere"], "Marsh_Brigade": []}, [("Marsh_Brigade", "advancesOn", "Fernwick")])
    g.add((ent("Fernwick"), RDFS.label, Literal("a hamlet")))
    e = score(g, ENT_GOLD).entities
    assert e.in_relations.alias_found == 2 and e.in_relations.entity_found == 2
    assert ("Fernwick" not in {a.gold for a in e.alias_misses}) and e.merges == () and e.splits == ()


def test_an_alias_the_gold_gives_two_entities_makes_a_merge_of_its_node() -> None:
    data = json.loads(json.dumps(ENT_GOLD))
    data["entities"]["Delta League"]["aliases"].append("the brigade")
    g = graph_of({"B": ["the Brigade"]}, [])
    (merge,) = score(g, data).entities.merges
    assert merge.gold == (("Delta League", ("brigade",)), ("Marsh Brigade", ("brigade",)))
    assert not merge.in_relations


def test_an_empty_graph_finds_no_entity() -> None:
    e = score(Graph(), ENT_GOLD).entities
    assert e.all_entities == e.in_relations == EntityCounts(0, 11, 0, 5, 0, 0)
    assert len(e.alias_misses) == 5 and e.alias_misses[-1].missed == ("Tova Marsh", "Marsh", "the commander")


def test_the_table_prints_entity_figures_per_text_and_before_the_summary_line() -> None:
    s = score(_ent_graph(), ENT_GOLD)
    lines = format_table(Report((s, s))).splitlines()
    assert lines[1] == (
        "    entities in relations: aliases=5/11 entities=4/5 merges=1 splits=1"
        " | all: aliases=7/11 entities=5/5 merges=1 splits=1"
    )
    for line in (
        "    merge  ent:M carries Marsh Brigade ('marsh brigade') + Tova Marsh ('marsh')",
        "    split  Quillon over ent:Q1 ('quillon'), ent:Q2 ('river port'), ent:Q3 ('quillon city') [in no relation]",
        "    alias  Delta League: missed 'Delta League'; in no relation 'the league'  [no gold relation]",
        "    alias  Quillon: in no relation 'Quillon city'",
        "    alias  Tova Marsh: missed 'Tova Marsh', 'the commander'",
    ):
        assert lines.count(line) == 2, line
    assert lines[-2] == (
        "entities in relations: alias recall=0.455 (10/22) entity recall=0.800 (8/10) merges=2 splits=2"
        " | all: alias recall=0.636 (14/22) entity recall=1.000 (10/10) merges=2 splits=2"
    )
    assert SUMMARY.match(lines[-1])
    assert Report(()).entity_line() == (
        "entities in relations: alias recall=- (0/0) entity recall=- (0/0) merges=0 splits=0"
        " | all: alias recall=- (0/0) entity recall=- (0/0) merges=0 splits=0"
    )


def _check_entity_figures(report: dict[str, Any]) -> None:
    """Per-text entity counts add up to the micro ones, and the listed merges and splits are what is counted."""
    for key in ("in_relations", "all"):
        micro = report["micro"]["entities"][key]
        for count in ("alias_found", "alias_total", "entity_found", "entity_total", "merges", "splits"):
            assert micro[count] == sum(t["entities"][key][count] for t in report["texts"].values()), (key, count)
        for ratio, num, den in (
            ("alias_recall", "alias_found", "alias_total"),
            ("entity_recall", "entity_found", "entity_total"),
        ):
            assert micro[ratio] == (micro[num] / micro[den] if micro[den] else None)
    for name, t in report["texts"].items():
        e = t["entities"]
        assert e["all"]["merges"] == len(e["merges"]), name
        assert e["in_relations"]["merges"] == sum(m["in_relations"] for m in e["merges"]), name
        assert e["all"]["splits"] == len(e["splits"]), name
        assert e["in_relations"]["splits"] == sum(sp["in_relations"] for sp in e["splits"]), name
        assert all(len(m["gold"]) > 1 for m in e["merges"]) and all(len(sp["nodes"]) > 1 for sp in e["splits"])
        for small, big in (("alias_found", "alias_total"), ("entity_found", "entity_total")):
            assert e["in_relations"][small] <= e["all"][small] <= e["all"][big] == e["in_relations"][big], name
        missed = sum(len(a["missed"]) for a in e["missed_aliases"])
        assert e["all"]["alias_found"] == e["all"]["alias_total"] - missed, name
        assert e["in_relations"]["alias_found"] == e["all"]["alias_found"] - sum(
            len(a["outside_relations"]) for a in e["missed_aliases"]
        ), name
        if e["in_relations"]["merges"] == 0:  # then splits in relations spell out fragmentation
            extra = sum(sum(n["in_relations"] for n in sp["nodes"]) - 1 for sp in e["splits"] if sp["in_relations"])
            assert extra == t["frag_nodes"] - t["frag_ents"], name


def test_cli_json_carries_the_entity_figures(tmp_path: Path) -> None:
    for folder, g in (("a", _ent_graph()), ("b", graph_of({"F": ["Fernwick"], "F2": ["fernwick"]}, []))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{folder}.gold.json").write_text(json.dumps(ENT_GOLD), encoding="utf-8")
        write_graph(g, tmp_path / "g" / f"{folder}.ttl")
    code, out, _ = run_kg(
        "eval", str(tmp_path / "a"), str(tmp_path / "b"), "--graphs", str(tmp_path / "g"), "--format", "json"
    )
    data = json.loads(out)
    assert code == 0
    _check_entity_figures(data)
    assert data["micro"]["entities"]["all"] == {
        "alias_found": 8,
        "alias_total": 22,
        "alias_recall": 8 / 22,
        "entity_found": 6,
        "entity_total": 10,
        "entity_recall": 0.6,
        "merges": 1,
        "splits": 2,
    }
    a = data["texts"]["a"]["entities"]
    assert a["merges"] == [
        {
            "node": str(f"<{ent('M')}>"),
            "in_relations": True,
            "gold": {"Marsh Brigade": ["marsh brigade"], "Tova Marsh": ["marsh"]},
        }
    ]
    assert a["splits"][0]["gold"] == "Quillon" and len(a["splits"][0]["nodes"]) == 3
    assert {"gold": "Quillon", "missed": [], "outside_relations": ["Quillon city"], "in_gold_relations": True} in a[
        "missed_aliases"
    ]


@pytest.mark.model
def test_entity_figures_of_the_seed_and_dev_texts_add_up(corpus_eval: tuple[Path, Path, str]) -> None:
    folder, graphs, out = corpus_eval
    assert re.match(r"^entities in relations: alias recall=\d\.\d{3} \(\d+/\d+\) ", out.splitlines()[-2])
    assert sum(line.startswith("    entities in relations: ") for line in out.splitlines()) == 7
    code, js, _ = run_kg("eval", str(folder), "--graphs", str(graphs), "--format", "json")
    assert code == 0
    _check_entity_figures(json.loads(js))


@pytest.mark.model
def test_entity_figures_of_the_train_texts_add_up(nlp: Any) -> None:
    if not TRAIN.is_dir():
        pytest.skip(f"{TRAIN} is absent (it sits beside the checkout on dev machines and in CI)")
    code, js, err = run_kg("eval", str(TRAIN), "--no-progress", "--format", "json")
    assert code == 0, err
    data = json.loads(js)
    assert len(data["texts"]) == len(list(TRAIN.glob("*.gold.json")))
    _check_entity_figures(data)


@settings(max_examples=150, deadline=None)
@given(_case())
def test_random_cases_keep_the_entity_figures_consistent(
    case: tuple[dict[str, Any], list[tuple[int, list[str]]], list[tuple[int, str, int]]],
) -> None:
    data, nodes, triples = case
    node_names = {i: (f"N{i}" if i % 2 else _BASES[i % len(_BASES)].replace(" ", "_")) for i, _ in nodes}
    g = graph_of(
        {node_names[i]: labels for i, labels in nodes}, [(node_names[s], p, node_names[o]) for s, p, o in triples]
    )
    s = score_graph(parse_gold(data, "t"), graph_facts(g))
    report = json.loads(format_json(Report((s,))))
    _check_entity_figures(report)

"""``kg viz``: the page shows exactly the graph's relations, filters do what they say, and in a real
headless Chromium it loads offline with no errors, counts right, and runs nothing a news text smuggles in."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.cli import main
from kg.errors import KGError
from kg.model import Document, Entity, Evidence, Extraction, GeoRef, Relation
from kg.rdf.mapping import add_extraction
from kg.rdf.namespace import RELATIONS
from kg.rdf.store import new_graph, ox_store
from kg.viz import VizOptions, load_view, render_html, script_json, write_html

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tests" / "data" / "seed-curated.ttl"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>window.__pwned=1</script>"
PREFIX = "PREFIX kg: <https://w3id.org/kg-news/ontology#>\n"


def _count(graph: Any, where: str) -> int:
    """An independent SPARQL count, so the tests do not trust the code under test to count."""
    q = PREFIX + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    return int(next(iter(ox_store(graph).query(q)))["n"].value)  # type: ignore[index, arg-type]


RELATION_VALUES = "VALUES ?p { " + " ".join(f"kg:{r}" for r in RELATIONS) + " }"
FACTS = f"{RELATION_VALUES} ?s ?p ?o"
FACT_NODES = f"SELECT DISTINCT ?n WHERE {{ {RELATION_VALUES} {{ ?n ?p ?o }} UNION {{ ?s ?p ?n }} }}"


# ---------------------------------------------------------------- graphs built by hand


def _doc(text: str, title: str = "", source: str = "hand.txt") -> Document:
    return Document(text, source, hashlib.sha256(text.encode("utf-8")).hexdigest(), title=title)


def _rel(doc: Document, subj: str, pred: str, obj: str, sentence: str, **kw: Any) -> Relation:
    start = doc.text.index(sentence)
    return Relation(subj, pred, obj, Evidence(start, start + len(sentence), sentence, 0), "test.hand", 0.8, **kw)


def malicious_graph() -> Any:
    """Every string a document controls carries a payload: labels, aliases, evidence, title, source, time text."""
    s1 = f"The {IMG} brigade seized {SCRIPT} town."
    s2 = f"Rebels of {SCRIPT} advanced on \"quoted\" & 'single' \u2028 places."
    doc = _doc(f"{s1} {s2}", title=f"Title {SCRIPT} {IMG}", source=f"src/{IMG}.txt")
    ents = (
        Entity(IMG, "Group", aliases=(IMG, SCRIPT + " alias")),
        Entity(SCRIPT, "GPE", aliases=(SCRIPT, "\"quoted\" & 'single'"), geo=GeoRef(1, 34.5, 69.2)),
    )
    rels = (
        _rel(doc, IMG, "controls", SCRIPT, s1, time_text=IMG),
        _rel(doc, SCRIPT, "advancesOn", IMG, s2, modality="Hypothetical"),
    )
    graph = new_graph()
    add_extraction(graph, Extraction(doc, ents, rels))
    return graph


def timeline_graph() -> Any:
    """Four dated statements and one undated, across two documents, for --since/--until and --min-support."""
    sents = [
        "Alpha Front took Harbor City in 1990.",
        "Alpha Front held Harbor City in March 1995.",
        "Beta Union advanced on Hill Town on 2 May 2003.",
        "Gamma Bloc advised Beta Union in 2010.",
        "Gamma Bloc controls Lake Port.",
    ]
    doc = _doc(" ".join(sents[:3]), title="First")
    doc2 = _doc(" ".join(sents[3:]), title="Second")
    ents1 = (
        Entity("Alpha Front", "Group"),
        Entity("Harbor City", "GPE", geo=GeoRef(2, 10.0, 20.0)),
        Entity("Beta Union", "Group"),
        Entity("Hill Town", "Place", geo=GeoRef(3, 12.0, 24.0)),
    )
    ents2 = (Entity("Gamma Bloc", "Group"), Entity("Beta Union", "Group"), Entity("Lake Port", "Place"))
    graph = new_graph()
    add_extraction(
        graph,
        Extraction(
            doc,
            ents1,
            (
                _rel(doc, "Alpha Front", "controls", "Harbor City", sents[0], time="1990"),
                _rel(doc, "Alpha Front", "controls", "Harbor City", sents[1], time="1995-03"),
                _rel(doc, "Beta Union", "advancesOn", "Hill Town", sents[2], time="2003-05-02"),
            ),
        ),
    )
    add_extraction(
        graph,
        Extraction(
            doc2,
            ents2,
            (
                _rel(doc2, "Gamma Bloc", "advises", "Beta Union", sents[3], time="2010"),
                _rel(doc2, "Gamma Bloc", "controls", "Lake Port", sents[4]),
            ),
        ),
    )
    return graph


def _labels(view: Any) -> set[str]:
    return {e.label for e in view.entities.values()}


# ---------------------------------------------------------------- selection (no browser)


def test_default_view_is_exactly_the_asserted_relations(curated_graph: Any) -> None:
    view = load_view(curated_graph, VizOptions())
    assert len(view.edges) == _count(curated_graph, FACTS)
    assert len(view.entities) == _count(curated_graph, FACT_NODES)
    assert not any(e.claim for e in view.edges)
    # every fact edge carries the evidence of its assertions
    assert sum(e.support for e in view.edges) == _count(curated_graph, "?a a kg:Assertion ; kg:asserted true")


def test_claims_hidden_by_default_drawn_dashed_on_request(curated_graph: Any) -> None:
    claims = _count(curated_graph, "?a a kg:Assertion ; kg:asserted false")
    assert claims > 0
    view = load_view(curated_graph, VizOptions(show_claims=True))
    dashed = [e for e in view.edges if e.claim]
    assert sum(e.support for e in dashed) == claims
    page = render_html(view, VizOptions(show_claims=True))
    assert page.count('"dashes": true') == len(dashed)
    assert "claim: negated or not factual" in page  # the legend explains dashes
    assert "no claims" in load_view(timeline_graph(), VizOptions(show_claims=True)).notes[-1]


def test_relation_and_type_filters(curated_graph: Any) -> None:
    view = load_view(curated_graph, VizOptions(relations=("advancesOn",)))
    assert view.edges and {e.predicate for e in view.edges} == {"advancesOn"}
    assert len(view.edges) == _count(curated_graph, "?s kg:advancesOn ?o")
    view = load_view(curated_graph, VizOptions(types=("Group", "GPE")))
    assert view.edges and {e.type for e in view.entities.values()} <= {"Group", "GPE"}
    assert "types: Group, GPE" in view.notes


def test_focus_depth_and_unknown_focus(curated_graph: Any) -> None:
    zero = load_view(curated_graph, VizOptions(focus="kabul", depth=0))
    assert _labels(zero) == {"Kabul"} and not zero.edges
    one = load_view(curated_graph, VizOptions(focus="Afghan capital", depth=1))  # an alias works too
    assert "Kabul" in _labels(one) and len(one.entities) > 1
    kabul = next(i for i, e in one.entities.items() if e.label == "Kabul")
    neighbours = {n for e in one.edges if kabul in (e.subject, e.object) for n in (e.subject, e.object)}
    assert set(one.entities) == neighbours  # the ego graph: Kabul, its neighbours, the edges among them
    two = load_view(curated_graph, VizOptions(focus="Kabul", depth=2))
    assert len(two.entities) > len(one.entities)
    with pytest.raises(KGError, match="did you mean Kabul"):
        load_view(curated_graph, VizOptions(focus="Kabol"))


TYPED = "SELECT DISTINCT ?n WHERE { VALUES ?t { kg:Person kg:Group kg:GPE kg:Place } ?n a ?t }"


def test_entities_with_no_relation_are_listed_not_dropped(curated_graph: Any) -> None:
    view = load_view(curated_graph, VizOptions())
    typed = {str(r["n"].value) for r in ox_store(curated_graph).query(PREFIX + TYPED)}  # type: ignore[union-attr]
    related = {str(r["n"].value) for r in ox_store(curated_graph).query(PREFIX + FACT_NODES)}  # type: ignore[union-attr]
    assert typed - related, "the curated graph has entities with no relation"
    assert set(view.left_out) == typed - related and set(view.left_out.values()) == {"no relation"}
    assert not set(view.left_out) & set(view.entities)
    n = len(typed - related)
    assert f"{n} entities with no relation not drawn" in " ".join(view.notes)
    page = render_html(view, VizOptions())
    listed = re.search(r'<section id="left-out">(.*?)</section>', page, re.S)
    assert listed and listed.group(1).count("<li ") == n and 'id="show-left-out"' in listed.group(1)
    assert json.loads(_data(page))["hidden"]["nodes"] and len(json.loads(_data(page))["hidden"]["nodes"]) == n
    # a focus is a choice: nothing outside it is "left out"
    assert load_view(curated_graph, VizOptions(focus="Kabul")).left_out == {}


def _data(page: str) -> str:
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert found
    return found.group(1)


def test_cap_keeps_most_central_and_says_so(curated_graph: Any) -> None:
    full = load_view(curated_graph, VizOptions())
    capped = load_view(curated_graph, VizOptions(max_nodes=3))
    assert len(capped.entities) == 3
    top = sorted(full.centrality, key=lambda n: -full.centrality[n])[:3]
    assert set(capped.entities) == set(top)
    assert any(f"3 most central of {len(full.entities)}" in n for n in capped.notes)
    assert f"3 most central of {len(full.entities)}" in render_html(capped, VizOptions(max_nodes=3))
    cut = {iri for iri, why in capped.left_out.items() if why == "cut by --max-nodes 3"}
    assert cut == set(full.entities) - set(capped.entities)
    assert capped.left_out_edges and all(e.subject in cut or e.object in cut for e in capped.left_out_edges)
    assert {e.id for e in capped.left_out_edges} | {e.id for e in capped.edges} == {e.id for e in full.edges}


def test_edge_cap_keeps_best_supported_and_every_node_an_edge() -> None:
    graph = timeline_graph()
    view = load_view(graph, VizOptions(max_edges=2))
    assert len(view.edges) == 2 and view.edges[0].support == 2  # Alpha Front controls Harbor City, twice
    assert "showing the 2 best-supported of 4 relations" in view.notes
    # with room for 3 of 4, each entity first gets its best edge; the one left bare goes, too
    three = load_view(graph, VizOptions(max_edges=3))
    assert {(e.predicate, three.entities[e.object].label) for e in three.edges} == {
        ("controls", "Harbor City"),
        ("advancesOn", "Hill Town"),
        ("advises", "Beta Union"),
    }
    assert _labels(three) == {"Alpha Front", "Harbor City", "Beta Union", "Hill Town", "Gamma Bloc"}


def test_period_and_support_filters() -> None:
    graph = timeline_graph()
    all_edges = load_view(graph, VizOptions())
    assert len(all_edges.edges) == 4 and all_edges.documents == 2
    view = load_view(graph, VizOptions(since="1995", until="2003-05"))
    assert {(e.predicate, e.support) for e in view.edges} == {("controls", 1), ("advancesOn", 1)}
    assert "1 undated statement left out" in view.notes
    assert {e.predicate for e in load_view(graph, VizOptions(since="2004")).edges} == {"advises"}
    assert not load_view(graph, VizOptions(until="1989-12-31")).edges
    strong = load_view(graph, VizOptions(min_support=2))
    assert [(e.predicate, e.support) for e in strong.edges] == [("controls", 2)]
    assert [ev.time for ev in strong.edges[0].evidence] == ["1990", "1995-03"]  # equally sure: reading order


def test_bad_options_say_what_to_do() -> None:
    for kw, msg in (
        ({"since": "last year"}, "YYYY"),
        ({"since": "2005", "until": "2001"}, "after"),
        ({"min_support": 0}, "1 or more"),
        ({"relations": ("owns",)}, "valid relations: controls"),
        ({"types": ("City",)}, "valid types: Person"),
    ):
        with pytest.raises(KGError, match=msg):
            VizOptions(**kw)


def test_geo_pins_places_by_coordinates() -> None:
    graph = timeline_graph()
    page = render_html(load_view(graph, VizOptions(geo=True)), VizOptions(geo=True))
    nodes = _page_nodes(page)
    harbor, hill = nodes["Harbor City"], nodes["Hill Town"]
    assert harbor["fixed"] == {"x": True, "y": True} and hill["fixed"] == {"x": True, "y": True}
    assert hill["x"] > harbor["x"]  # further east
    assert hill["y"] < harbor["y"]  # further north is up
    assert "x" not in nodes["Alpha Front"] and "x" not in nodes["Lake Port"]  # agents and unplaced places float
    assert "2 places pinned at coordinates" in page


def _page_nodes(page: str) -> dict[str, dict[str, Any]]:
    data = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert data
    return {n["label"]: n for n in json.loads(data.group(1))["nodes"]}


# ---------------------------------------------------------------- the page as a file


def test_page_is_offline_deterministic_utf8_with_csp(curated_graph: Any, tmp_path: Path) -> None:
    out = tmp_path / "g.html"
    write_html(curated_graph, out)
    first = out.read_bytes()
    write_html(curated_graph, out)
    assert out.read_bytes() == first
    page = first.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert found
    csp = html.unescape(found.group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-eval" not in csp
    # nothing is loaded from anywhere: no src/href attributes pointing outside, vis-network inline
    assert not re.search(r"""<(script|link|img|iframe)[^>]*\s(src|href)\s*=""", page, re.I)
    assert "vis.Network" in page and len(page) > 400_000
    assert not list(tmp_path.glob(".*.tmp"))  # atomic: no temporary left behind


def test_strings_from_documents_never_reach_the_markup(tmp_path: Path) -> None:
    graph = malicious_graph()
    page = render_html(load_view(graph, VizOptions(show_claims=True)), VizOptions(show_claims=True), title=SCRIPT)
    tags = _start_tags(page)
    assert tags.count("script") == 3  # the JSON data block, vis-network, the page's own script
    assert not {"img", "iframe", "object", "embed", "svg"} & set(
        _start_tags(page.split("<body>")[1].split("<aside>")[0])
    )
    assert IMG not in page and SCRIPT not in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # the title, escaped


def _start_tags(page: str) -> list[str]:
    """Start tags as a browser's tokenizer sees them (script and style contents are raw text)."""
    from html.parser import HTMLParser

    tags: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            tags.append(tag)

    Collect().feed(page)
    return tags


@given(st.text())
def test_script_json_round_trips_any_text_and_cannot_close_the_script(text: str) -> None:
    encoded = script_json({"label": text})
    assert json.loads(encoded) == {"label": text}
    assert not set(encoded) & {"<", ">", "&", "\u2028", "\u2029"}


def test_cli_writes_the_page_and_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "graph.html"
    assert main(["viz", "-g", str(CURATED), "-o", str(out), "--show-claims", "--title", "Seed"]) == 0
    assert out.exists() and "<title>Seed</title>" in out.read_text(encoding="utf-8")
    assert "kg viz:" in capsys.readouterr().err
    assert main(["viz", "-g", str(CURATED), "-o", str(out)]) == 0
    assert "<title>Knowledge graph: seed-curated.ttl</title>" in out.read_text(encoding="utf-8")
    assert main(["viz", "-g", str(CURATED), "-o", str(tmp_path / "g.png")]) == 1
    assert ".html" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:  # argparse rejects it with the valid choices
        main(["viz", "-g", str(CURATED), "-o", str(out), "--relation", "owns"])
    assert exit_info.value.code == 1
    assert "choose from 'controls'" in capsys.readouterr().err
    assert main(["viz", "-g", str(CURATED), "-o", str(out), "--focus", "Nowhere Land"]) == 1
    assert "matches no entity" in capsys.readouterr().err


# ---------------------------------------------------------------- in a real browser


def _require_chromium() -> str:
    """Like conftest's require_tool: skip naming the Debian package, or fail when KG_REQUIRE_TOOLS is set."""
    path = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if path is None:
        msg = "chromium not found: install the Debian package chromium (apt-get install)"
        if os.environ.get("KG_REQUIRE_TOOLS"):
            pytest.fail(msg + " [KG_REQUIRE_TOOLS is set]")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium (fresh profile) for this module's page tests."""
    path = _require_chromium()
    try:
        from playwright import sync_api
    except ImportError:  # the Python driver comes with 'make test' (requirements.lock)
        msg = "playwright is not installed: run 'make test', which installs requirements.lock"
        if os.environ.get("KG_REQUIRE_TOOLS"):
            pytest.fail(msg + " [KG_REQUIRE_TOOLS is set]")
        pytest.skip(msg)
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=path,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        yield ctx
        ctx.close()


class Visit:
    """A page opened from a file, recording console errors, dialogs and every non-local request."""

    def __init__(self, ctx: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.remote: list[str] = []
        self.page = ctx.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        # poll from here: wait_for_function evals its predicate in the page, which the page's CSP forbids
        for _ in range(300):
            if self.page.evaluate("!!(window.kg && window.kg.ready)"):
                break
            self.page.wait_for_timeout(100)
        else:
            pytest.fail("the page never finished laying out the graph (window.kg.ready)")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def eval(self, js: str) -> Any:
        return self.page.evaluate(js)


def _decode(png: bytes) -> list[list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) with zlib alone: rows of RGB pixels."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos : pos + 4]), png[pos + 4 : pos + 8]
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, bpp = zlib.decompress(idat), width * channels, channels
    prev, rows = bytearray(stride), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([bytes(line[i : i + 3]) for i in range(0, stride, channels)])
        prev = line
    return rows


def _distinct_colours(png: bytes) -> int:
    return len({px for row in _decode(png) for px in row})


def _share(png: bytes, colour: str, within: int = 0) -> float:
    """The fraction of pixels of ``colour`` (#rrggbb), each channel off by at most ``within`` (anti-aliasing)."""
    want = bytes.fromhex(colour[1:])
    rows = _decode(png)
    if not within:
        return sum(row.count(want) for row in rows) / (len(rows) * len(rows[0]))
    near = sum(1 for row in rows for px in row if all(abs(a - b) <= within for a, b in zip(px, want, strict=True)))
    return near / (len(rows) * len(rows[0]))


@pytest.mark.tool
def test_seed_page_in_chromium(browser: Any, curated_graph: Any, tmp_path: Path) -> None:
    out = tmp_path / "seed.html"
    write_html(curated_graph, out, VizOptions(title="Seed article (curated)"))
    visit = Visit(browser, out)
    assert visit.errors == [] and visit.remote == [] and visit.dialogs == []
    assert visit.eval("kg.nodes.length") == _count(curated_graph, FACT_NODES)
    assert visit.eval("kg.edges.length") == _count(curated_graph, FACTS)
    # settled, then stopped: nothing moves any more
    before = visit.eval("kg.network.getPositions()")
    visit.page.wait_for_timeout(500)
    assert visit.eval("kg.network.getPositions()") == before
    assert visit.eval("kg.network.physics.physicsEnabled") is False
    # clicking a node shows its details, built from the graph
    pos = visit.eval(
        "(() => { const id = kg.nodes.get({filter: n => n.label === 'Kabul'})[0].id;"
        " return kg.network.canvasToDOM(kg.network.getPositions([id])[id]); })()"
    )
    box = visit.page.locator("#graph").bounding_box()
    visit.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    assert visit.page.locator("#details h2").first.text_content() == "Kabul"
    assert "sws.geonames.org" in (visit.page.locator("#details a").first.get_attribute("href") or "")
    visit.page.wait_for_timeout(500)  # the mouse rests on Kabul: let its tooltip show in the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    shot = visit.page.screenshot(path=str(ARTIFACTS / "viz-seed.png"), full_page=True)
    assert _distinct_colours(shot) > 20
    blank = browser.new_page()  # the measure itself: an empty page has one colour
    blank.set_content("<html><body></body></html>")
    assert _distinct_colours(blank.screenshot()) == 1
    blank.close()
    # the search box finds an entity by part of its name and shows it
    visit.page.fill("#find", "talib")
    visit.page.press("#find", "Enter")
    assert visit.page.locator("#details h2").first.text_content() == "Taliban"
    assert visit.eval("kg.network.getSelectedNodes().map(id => kg.nodes.get(id).label)") == ["Taliban"]
    assert visit.errors == [] and visit.remote == []
    visit.page.close()


@pytest.mark.tool
def test_claims_and_geo_in_chromium(browser: Any, curated_graph: Any, tmp_path: Path) -> None:
    out = tmp_path / "claims.html"
    options = VizOptions(show_claims=True, geo=True)
    write_html(curated_graph, out, options)
    visit = Visit(browser, out)
    assert visit.errors == [] and visit.remote == []
    dashed = visit.eval("kg.edges.get({filter: e => e.dashes === true}).length")
    assert dashed == len(
        {(e.subject, e.predicate, e.object) for e in load_view(curated_graph, options).edges if e.claim}
    )
    # pinned places stay where their coordinates put them
    pinned = visit.eval(  # vis-network reports positions rounded to whole pixels
        "kg.nodes.get({filter: n => n.fixed}).map(n => [n.x, n.y, kg.network.getPositions([n.id])[n.id]])"
    )
    assert pinned and all(abs(x - p["x"]) <= 1 and abs(y - p["y"]) <= 1 for x, y, p in pinned)
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "viz-seed-geo-claims.png"))
    visit.page.close()


@pytest.mark.tool
def test_geo_draws_borders_under_the_places_in_chromium(browser: Any, curated_graph: Any, tmp_path: Path) -> None:
    """Land fills the map in its colour, and the country outlines are drawn where the data puts them."""
    from kg.geo import BORDER, LAND

    out = tmp_path / "geo.html"
    write_html(curated_graph, out, VizOptions(geo=True))
    basemap = json.loads(_data(out.read_text(encoding="utf-8")))["basemap"]
    assert {c["name"] for c in basemap["countries"]} >= {"Afghanistan", "Pakistan"}
    visit = Visit(browser, out)
    assert visit.errors == [] and visit.remote == []
    ring_points = [p for c in basemap["countries"] for ring in c["rings"] for p in ring[::7]]
    spots = visit.eval(
        f"(() => {{ const pts = {json.dumps(ring_points)}; const nodes = Object.values(kg.network.getPositions())"
        ".map(p => kg.network.canvasToDOM(p));"
        " return pts.map(p => kg.network.canvasToDOM({x: p[0], y: p[1]}))"
        ".filter(d => nodes.every(n => Math.hypot(n.x - d.x, n.y - d.y) > 45)); })()"
    )
    shot = visit.page.locator("#graph").screenshot(path=str(ARTIFACTS / "viz-geo.png"))
    rows = _decode(shot)
    assert sum(row.count(bytes.fromhex(LAND[1:])) for row in rows) / (len(rows) * len(rows[0])) > 0.2
    border = bytes.fromhex(BORDER[1:])

    def outlined(x: float, y: float) -> bool:  # a pixel near the outline's colour within a pixel of the point
        return any(
            all(abs(a - b) <= 40 for a, b in zip(rows[j][i], border, strict=True))
            for j in range(int(y) - 1, int(y) + 2)
            for i in range(int(x) - 1, int(x) + 2)
            if 0 <= j < len(rows) and 0 <= i < len(rows[0])
        )

    inside = [d for d in spots if 2 <= d["x"] < len(rows[0]) - 2 and 2 <= d["y"] < len(rows) - 2]
    assert len(inside) > 40, "enough outline points on screen to judge"
    hits = sum(1 for d in inside if outlined(d["x"], d["y"]))
    assert hits / len(inside) > 0.8, f"{hits} of {len(inside)} outline points drawn"
    visit.page.close()


@pytest.mark.tool
def test_left_out_entities_shown_and_hidden_on_request_in_chromium(
    browser: Any, curated_graph: Any, tmp_path: Path
) -> None:
    out = tmp_path / "left.html"
    view = write_html(curated_graph, out, VizOptions(max_nodes=5))
    visit = Visit(browser, out)
    page = visit.page
    assert page.locator("#left-out li").count() == len(view.left_out)
    assert visit.eval("kg.nodes.length") == 5
    page.check("#show-left-out")
    page.wait_for_timeout(200)
    for _ in range(300):
        if visit.eval("kg.ready"):
            break
        page.wait_for_timeout(100)
    assert visit.eval("kg.nodes.length") == 5 + len(view.left_out)
    assert visit.eval("kg.edges.length") == len(view.edges) + len(view.left_out_edges)
    lonely = next(iri for iri, why in view.left_out.items() if why == "no relation")
    assert visit.eval(f"kg.nodes.get({json.dumps(lonely)}) !== null")
    page.uncheck("#show-left-out")
    page.wait_for_timeout(200)
    assert visit.eval("kg.nodes.length") == 5 and visit.eval("kg.edges.length") == len(view.edges)
    assert visit.errors == [] and visit.remote == []
    page.close()


@pytest.mark.tool
def test_malicious_labels_execute_nothing_in_chromium(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "evil.html"
    write_html(malicious_graph(), out, VizOptions(show_claims=True, title=f"{SCRIPT}{IMG}"))
    visit = Visit(browser, out)
    assert visit.eval("kg.nodes.length") == 2 and visit.eval("kg.edges.length") == 2
    # labels arrive as the very text of the document, not as markup
    assert sorted(visit.eval("kg.nodes.map(n => n.label)")) == sorted([IMG, SCRIPT])
    assert visit.page.title() == f"{SCRIPT}{IMG}"
    # hover and click every node and edge: tooltips and the details panel show the payloads, as text
    box = visit.page.locator("#graph").bounding_box()
    points = visit.eval(
        "(() => { const pos = kg.network.getPositions(); const out = [];"
        " for (const id in pos) out.push(kg.network.canvasToDOM(pos[id]));"
        " kg.edges.forEach(e => { const a = pos[e.from], b = pos[e.to];"
        "   out.push(kg.network.canvasToDOM({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2})); });"
        " return out; })()"
    )
    seen = ""
    for p in points:
        visit.page.mouse.move(box["x"] + p["x"], box["y"] + p["y"])
        visit.page.wait_for_timeout(400)
        seen += visit.eval("(document.querySelector('.vis-tooltip') || {}).innerText || ''")
        visit.page.mouse.click(box["x"] + p["x"], box["y"] + p["y"])
        seen += visit.eval("document.querySelector('#details').innerText")
    for text in (f"The {IMG} brigade seized {SCRIPT} town.", f"Title {SCRIPT} {IMG}", f"also: {SCRIPT} alias"):
        assert text in seen
    assert visit.eval("document.querySelector('#details').querySelectorAll('*').length") > 0
    assert visit.eval("typeof window.__pwned") == "undefined"
    assert visit.dialogs == []
    assert visit.eval("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert visit.eval("document.scripts.length") == 3
    assert visit.errors == [] and visit.remote == []
    # and were escaping ever to fail, the CSP still refuses an injected inline script and any remote load
    visit.eval(
        "(() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1';"
        " document.body.appendChild(s); const i = document.createElement('img');"
        " i.src = 'https://example.org/x.png'; document.body.appendChild(i); })()"
    )
    visit.page.wait_for_timeout(300)
    assert visit.eval("typeof window.__pwned") == "undefined"
    assert any("Content Security Policy" in e for e in visit.errors)
    assert visit.remote == []  # refused by the page itself, before any request left it
    visit.page.close()


@pytest.mark.tool
@pytest.mark.model
def test_built_seed_graph_and_an_empty_selection_in_chromium(browser: Any, seed_build: Any, tmp_path: Path) -> None:
    """What 'make run' draws: the seed as the real extractor builds it; and a page whose filters leave nothing."""
    graph, _, _ = seed_build
    out = tmp_path / "built.html"
    write_html(graph, out)
    visit = Visit(browser, out)
    assert visit.eval("kg.nodes.length") == _count(graph, FACT_NODES)
    assert visit.eval("kg.edges.length") == _count(graph, FACTS)
    assert visit.errors == [] and visit.remote == []
    visit.page.close()
    write_html(graph, out, VizOptions(since="2999"))
    visit = Visit(browser, out)
    assert visit.eval("kg.nodes.length") == 0
    assert "no relations match" in (visit.page.locator(".notes").text_content() or "")
    assert visit.errors == [] and visit.remote == []
    visit.page.close()


def test_cli_defaults_equal_library_defaults() -> None:
    from kg import viz
    from kg.commands import viz as command

    assert (command.DEFAULT_MAX_NODES, command.DEFAULT_MAX_EDGES) == (viz.DEFAULT_MAX_NODES, viz.DEFAULT_MAX_EDGES)

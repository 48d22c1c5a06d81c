"""``kg report``: the page shows what the analysis says (holders, changes of hands, advances, sources), is
offline and script-free, escapes every string a document controls, and -- in a real headless Chromium --
sends no request and draws a map with borders, coastline and places in their sides' colours, and a timeline.

The test graph is made by hand (our own sentences about invented towns) with real coordinates around the
Gulf of Aden, so the map has land, sea and several borders."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import analysis
from kg.cli import main
from kg.geo import basemap, frame_for
from kg.model import Document, Entity, Evidence, Extraction, GeoRef, Relation
from kg.rdf.mapping import add_extraction
from kg.rdf.store import new_graph, write_graph
from kg.report import (
    BORDER,
    LAND,
    NO_HOLDER,
    PALETTE,
    SEA,
    ReportOptions,
    map_figure,
    render_html,
    report_data,
)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>window.__pwned=1</script>"

PORT = ("Port Alder", 11.59, 43.15)
DUNES = ("Dune Wells", 9.56, 44.06)
FORD = ("Stone Ford", 10.44, 45.01)
MESA = ("Red Mesa", 12.78, 45.03)
COAST, HIGH, LAKE = "Coastal Front", "Highland Union", "Lakeland Republic"


def _doc(text: str, title: str, date: str | None) -> Document:
    return Document(
        text, f"{title.lower().replace(' ', '-')}.txt", hashlib.sha256(text.encode()).hexdigest(), title, date
    )


def _rel(doc: Document, s: str, p: str, o: str, sentence: str, **kw: Any) -> Relation:
    start = doc.text.index(sentence)
    return Relation(s, p, o, Evidence(start, start + len(sentence), sentence, 0), "test.hand", 0.8, **kw)


def _place(spec: tuple[str, float, float], n: int) -> Entity:
    return Entity(spec[0], "GPE", geo=GeoRef(n, spec[1], spec[2]))


def story_graph() -> Any:
    """Port Alder taken, lost and retaken over three dated reports; two sides claiming Red Mesa undated;
    advances on Dune Wells and Stone Ford; an adviser; an entity with no relation."""
    s1 = ["The Coastal Front seized Port Alder on 2 March 2015.", "Highland Union fighters advanced on Dune Wells."]
    s2 = ["Highland Union forces took Port Alder back in June.", "The Highland Union holds Dune Wells."]
    s3 = [
        "The Coastal Front retook Port Alder after a long siege.",
        "Coastal Front units pushed toward Stone Ford.",
        "Officers from the Lakeland Republic trained the Coastal Front.",
        "Traders in Amber Hills closed their shops.",
    ]
    s4 = ["The Coastal Front and the Highland Union both say they hold Red Mesa."]
    d1 = _doc(" ".join(s1) + "\n\n", "First report", "2015-03-02")
    d2 = _doc(" ".join(s2), "Second report", "2015-06-10")
    d3 = _doc(" ".join(s3), "Third report", "2016-01-20")
    d4 = _doc(" ".join(s4), "Undated note", None)
    coast, high, lake = Entity(COAST, "Group"), Entity(HIGH, "Group"), Entity(LAKE, "GPE")
    port, dunes, ford, mesa = _place(PORT, 1), _place(DUNES, 2), _place(FORD, 3), _place(MESA, 4)
    graph = new_graph()
    for ext in (
        Extraction(
            d1,
            (coast, high, port, dunes),
            (
                _rel(d1, COAST, "controls", PORT[0], s1[0], time="2015-03-02", time_text="on 2 March 2015"),
                _rel(d1, HIGH, "advancesOn", DUNES[0], s1[1]),
            ),
        ),
        Extraction(
            d2,
            (coast, high, port, dunes),
            (
                _rel(d2, HIGH, "controls", PORT[0], s2[0], time="2015-06", time_text="in June"),
                _rel(d2, HIGH, "controls", DUNES[0], s2[1]),
            ),
        ),
        Extraction(
            d3,
            (coast, port, ford, lake, Entity("Amber Hills", "Place")),
            (
                _rel(d3, COAST, "controls", PORT[0], s3[0]),
                _rel(d3, COAST, "advancesOn", FORD[0], s3[1]),
                _rel(d3, LAKE, "advises", COAST, s3[2]),
            ),
        ),
        Extraction(
            d4,
            (coast, high, mesa),
            (_rel(d4, COAST, "controls", MESA[0], s4[0]), _rel(d4, HIGH, "controls", MESA[0], s4[0])),
        ),
    ):
        add_extraction(graph, ext)
    return graph


def malicious_graph() -> Any:
    """Every string a document controls carries a payload: names, evidence, title, source, time text."""
    sentence = f"The {IMG} brigade seized {SCRIPT} town in 1999."
    doc = Document(sentence, f"src/{IMG}.txt", hashlib.sha256(sentence.encode()).hexdigest(), f"T {SCRIPT}", "1999")
    ents = (Entity(IMG, "Group"), Entity(SCRIPT, "GPE", geo=GeoRef(9, 11.5, 43.1)))
    graph = new_graph()
    add_extraction(graph, Extraction(doc, ents, (_rel(doc, IMG, "controls", SCRIPT, sentence, time_text=IMG),)))
    return graph


@pytest.fixture(scope="module")
def story() -> Any:
    return story_graph()


@pytest.fixture(scope="module")
def data(story: Any) -> dict[str, Any]:
    return report_data(story, ReportOptions(title="Gulf story"))


def _by_label(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["label"]: p for p in data["places"]}


# ---------------------------------------------------------------- the content (no browser)


def test_holders_and_changes_are_the_analysis_results(story: Any, data: dict[str, Any]) -> None:
    control = analysis.control_map(analysis.project(story))
    places = _by_label(data)
    for row in control["places"]:
        p = places[row["place"]["label"]]
        assert [h["iri"] for h in p["holders"]] == [h["iri"] for h in row["holders"]]
        assert [x["iri"] for x in p["sequence"]] == [x["iri"] for x in row["sequence"]]
    port = places[PORT[0]]
    assert [(h["label"], h["since"]) for h in port["holders"]] == [(COAST, "2016-01-20")]
    assert [x["label"] for x in port["sequence"]] == [COAST, HIGH, COAST]
    assert [h["label"] for h in places[DUNES[0]]["holders"]] == [HIGH]
    assert {h["label"] for h in places[MESA[0]]["holders"]} == {COAST, HIGH}  # both, at once: disputed
    assert places[FORD[0]]["holders"] == [] and [a["label"] for a in places[FORD[0]]["advancing"]] == [COAST]
    assert data["analysis"]["control"]["changes"][0]["place"]["label"] == PORT[0]


def test_timeline_events_in_time_order_with_their_own_sentences(data: dict[str, Any]) -> None:
    port = _by_label(data)[PORT[0]]
    assert [(e["when"], e["change"], e["agent"]["label"]) for e in port["events"]] == [
        ("2015-03-02", "holds", COAST),
        ("2015-06", "holds", HIGH),
        ("2016-01-20", "holds", COAST),  # the document's date: the sentence gives none
    ]
    last = port["events"][2]
    assert last["evidence"] == "The Coastal Front retook Port Alder after a long siege."
    assert last["time_source"] == "document" and last["document"] == "Third report (third-report.txt)"
    mesa = _by_label(data)[MESA[0]]
    assert {(e["when"], e["agent"]["label"]) for e in mesa["events"]} == {(None, COAST), (None, HIGH)}
    dunes = _by_label(data)[DUNES[0]]
    assert [(e["when"], e["change"]) for e in dunes["events"]] == [("2015-03-02", "advances"), ("2015-06-10", "holds")]


def test_place_timelines_orders_places_by_first_event() -> None:
    G = analysis.project(story_graph())
    order = [t["place"]["label"] for t in analysis.place_timelines(G)]
    assert order == [DUNES[0], PORT[0], FORD[0], MESA[0]]  # same first day: by name; undated Red Mesa last


def test_sides_get_colours_by_places_held_and_places_the_holders_colour(data: dict[str, Any]) -> None:
    sides = {s["label"]: s["colour"] for s in data["sides"]}
    assert sides == {COAST: PALETTE[0], HIGH: PALETTE[1]}
    places = _by_label(data)
    assert places[PORT[0]]["colour"] == sides[COAST] and places[DUNES[0]]["colour"] == sides[HIGH]
    assert places[FORD[0]]["colour"] == NO_HOLDER == places[MESA[0]]["colour"]
    assert data["isolated"] == ["Amber Hills"]


def test_map_draws_borders_places_wedges_and_arrows(data: dict[str, Any]) -> None:
    figure = map_figure(data)
    assert figure is not None
    names = {c.name for c in figure["countries"]}
    assert {"Djibouti", "Yemen", "Ethiopia"} <= names
    dots = {d["label"]: d for d in figure["dots"]}
    assert len(dots[MESA[0]]["wedges"]) == 2  # held by two sides, no date tells who last
    assert not dots[PORT[0]]["wedges"] and dots[PORT[0]]["colour"] == PALETTE[0]
    assert "held by Coastal Front since 2016-01-20" in dots[PORT[0]]["title"]
    arrows = {a["title"]: a for a in figure["arrows"]}
    assert set(arrows) == {f"{COAST} advances on {FORD[0]}", f"{HIGH} advances on {DUNES[0]}"}
    # each from the nearest other place its side holds: Port Alder; Red Mesa (which it disputes)
    for title, origin in ((f"{COAST} advances on {FORD[0]}", PORT[0]), (f"{HIGH} advances on {DUNES[0]}", MESA[0])):
        a = arrows[title]
        assert not a["dashed"] and (a["x0"], a["y0"]) == (dots[origin]["x"], dots[origin]["y"])
    # a side that holds no other place: a short dashed arrow, origin unknown
    alone = copy.deepcopy(data)
    mesa = next(p for p in alone["places"] if p["label"] == MESA[0])
    mesa["holders"] = [h for h in mesa["holders"] if h["label"] != HIGH]
    redrawn = map_figure(alone)
    assert redrawn is not None
    assert {a["title"]: a["dashed"] for a in redrawn["arrows"]}[f"{HIGH} advances on {DUNES[0]}"] is True
    assert {lab["text"] for lab in figure["labels"]} == {PORT[0], DUNES[0], FORD[0], MESA[0]}


def test_frame_keeps_proportions_and_contains_the_places() -> None:
    frame = frame_for([(p[1], p[2]) for p in (PORT, DUNES, FORD, MESA)], 960, 620)
    assert frame is not None
    assert all(frame.contains(p[1], p[2]) for p in (PORT, DUNES, FORD, MESA))
    import math

    km_x = (frame.east - frame.west) * 111.32 * math.cos(math.radians((frame.north + frame.south) / 2))
    km_y = (frame.north - frame.south) * 110.57
    assert km_x / km_y == pytest.approx(960 / 620, rel=0.02)
    assert basemap(frame) is basemap(frame)  # cached: the page and its tests read the shapefile once


# ---------------------------------------------------------------- the page as a file


def test_page_is_offline_script_free_and_deterministic(story: Any, data: dict[str, Any], tmp_path: Path) -> None:
    page = render_html(data)
    assert page == render_html(report_data(story, ReportOptions(title="Gulf story")))
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp and "default-src &#39;none&#39;" in csp.group(1) and "script-src &#39;none&#39;" in csp.group(1)
    assert "<script" not in page and "unsafe-inline" not in page
    assert not re.search(r"""<(script|link|img|iframe|object|embed)\b""", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page), "only links within the page"
    for text in (
        "The Coastal Front retook Port Alder after a long siege.",
        "Officers from the Lakeland Republic trained the Coastal Front.",
        "Amber Hills",
    ):
        assert text in page
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    import base64

    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"sha256-{digest}" in csp.group(1), "the stylesheet is allowed by its hash, nothing else"


def test_strings_from_documents_never_reach_the_markup() -> None:
    graph = malicious_graph()
    page = render_html(report_data(graph, ReportOptions(title=SCRIPT)))
    assert IMG not in page and SCRIPT not in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_cli_writes_page_and_json_and_checks_its_output(
    story: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = tmp_path / "story.ttl"
    write_graph(story, g)
    out = tmp_path / "r" / "report.html"
    assert main(["report", "-g", str(g), "-o", str(out)]) == 0
    assert "<title>Report: story.ttl</title>" in out.read_text(encoding="utf-8")
    assert "4 places (4 on the map, 3 held)" in capsys.readouterr().err
    assert main(["report", "-g", str(g), "-o", "-", "-f", "json", "--summary", "json"]) == 0
    captured = capsys.readouterr()
    content = json.loads(captured.out)
    assert {p["label"] for p in content["places"]} == {PORT[0], DUNES[0], FORD[0], MESA[0]}
    assert json.loads(captured.err) | {"output": "stdout"} == json.loads(captured.err)
    assert json.loads(captured.err)["places"] == 4
    assert main(["report", "-g", str(g), "-o", str(tmp_path / "r.png")]) == 1
    assert ".html" in capsys.readouterr().err
    assert main(["report", "-g", str(tmp_path / "none.ttl"), "-o", str(out)]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_graph_without_places_or_relations_still_gives_a_page() -> None:
    graph = new_graph()
    text = "Nothing happened."
    add_extraction(graph, Extraction(Document(text, "n.txt", hashlib.sha256(text.encode()).hexdigest()), (), ()))
    page = render_html(report_data(graph))
    assert "no map" in page and "No place is held or advanced on" in page and '<svg id="map-svg"' not in page


# ---------------------------------------------------------------- in a real browser


def _require_chromium() -> str:
    path = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if path is None:
        msg = "chromium not found: install the Debian package chromium (apt-get install)"
        if os.environ.get("KG_REQUIRE_TOOLS"):
            pytest.fail(msg + " [KG_REQUIRE_TOOLS is set]")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = _require_chromium()
    try:
        from playwright import sync_api
    except ImportError:
        msg = "playwright is not installed: run 'make test', which installs requirements.lock"
        if os.environ.get("KG_REQUIRE_TOOLS"):
            pytest.fail(msg + " [KG_REQUIRE_TOOLS is set]")
        pytest.skip(msg)
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=path,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
            viewport={"width": 1280, "height": 900},
        )
        yield ctx
        ctx.close()


class Visit:
    """A page opened from a file, recording console errors, dialogs and every request that is not the file."""

    def __init__(self, ctx: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.remote: list[str] = []
        self.page = ctx.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()


def decode_png(png: bytes) -> tuple[int, int, Callable[[int, int], tuple[int, int, int]]]:
    """Width, height and a pixel reader for an 8-bit RGB/RGBA PNG (what Chromium writes), with zlib alone."""
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
    raw, stride = zlib.decompress(idat), width * channels
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
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
        rows.append(line)
        prev = line

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        line = rows[y]
        return line[x * channels], line[x * channels + 1], line[x * channels + 2]

    return width, height, pixel


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.tool
def test_story_page_in_chromium_map_and_timeline(
    browser: Any, story: Any, data: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "story.html"
    out.write_text(render_html(data), encoding="utf-8")
    visit = Visit(browser, out)
    page = visit.page
    assert visit.errors == [] and visit.remote == [] and visit.dialogs == []
    assert page.evaluate("document.scripts.length") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-story.png"), full_page=True)

    # the map: sea, land, borders and every place in its side's colour, where its coordinates put it
    svg = page.locator("#map-svg")
    shot = svg.screenshot(path=str(ARTIFACTS / "report-story-map.png"))
    width, height, pixel = decode_png(shot)
    figure = map_figure(data)
    assert figure is not None
    frame = figure["frame"]
    scale = width / frame.width
    assert abs(height / scale - frame.height) < 2

    def at(lat: float, long: float) -> tuple[int, int, int]:
        x, y = frame.project(lat, long)
        return pixel(int(x * scale), int(y * scale))

    assert at(11.9, 44.6) == _rgb(SEA)  # the Gulf of Aden
    assert at(9.2, 43.2) == _rgb(LAND)  # inland, in the hills
    border = sum(1 for y in range(0, height, 2) for x in range(0, width, 2) if pixel(x, y) == _rgb(BORDER))
    assert border > 150, f"only {border} sampled pixels of border colour"
    for place, colour in ((PORT, PALETTE[0]), (DUNES, PALETTE[1]), (FORD, NO_HOLDER)):
        assert at(place[1], place[2]) == _rgb(colour), place[0]
    x, y = frame.project(MESA[1], MESA[2])  # wedges: both sides' colours around the centre
    left, right = pixel(int((x - 3) * scale), int(y * scale)), pixel(int((x + 3) * scale), int(y * scale))
    assert {left, right} == {_rgb(PALETTE[0]), _rgb(PALETTE[1])}

    # the timeline: Port Alder's bars change colour with its holders
    tl = page.locator("#timeline-svg")
    _, _, tpixel = decode_png(tl.screenshot(path=str(ARTIFACTS / "report-story-timeline.png")))
    box = tl.bounding_box()  # after the screenshot scrolled it into view, like the bars below
    for when, colour in (("2015-03-02", PALETTE[0]), ("2015-06", PALETTE[1]), ("2016-01-20", PALETTE[0])):
        bar = page.locator(f'#timeline-svg rect[data-time="{when}"][data-place$="Port_Alder"]').bounding_box()
        cx, cy = bar["x"] - box["x"] + min(bar["width"], 20) / 2, bar["y"] - box["y"] + bar["height"] / 2
        assert tpixel(int(cx), int(cy)) == _rgb(colour), when

    # one click on a place: its card, with the sentences
    dot = page.locator('#map-svg a[data-place$="Port_Alder"]')
    dot.click()
    assert page.evaluate("location.hash").startswith("#place-")
    card = page.locator("article.place:target")
    assert card.locator("h3").text_content().strip() == PORT[0]
    assert "Held by Coastal Front since 2016-01-20." in card.inner_text()
    card.locator("summary").last.click()
    assert card.locator("blockquote").last.is_visible()
    assert visit.errors == [] and visit.remote == []
    page.close()


@pytest.mark.tool
def test_malicious_strings_execute_nothing_in_chromium(browser: Any, tmp_path: Path) -> None:
    graph = malicious_graph()
    out = tmp_path / "evil.html"
    out.write_text(render_html(report_data(graph, ReportOptions(title=SCRIPT + IMG))), encoding="utf-8")
    visit = Visit(browser, out)
    page = visit.page
    assert page.title() == SCRIPT + IMG
    for details in page.locator("details").all():
        details.locator("summary").click()
    text = page.inner_text("body")
    assert f"The {IMG} brigade seized {SCRIPT} town in 1999." in text and IMG in text
    assert page.evaluate("typeof window.__pwned") == "undefined" and visit.dialogs == []
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed, script').length") == 0
    assert visit.errors == [] and visit.remote == []
    page.close()


@pytest.mark.tool
@pytest.mark.model
def test_seed_report_in_chromium(browser: Any, seed_build: Any, tmp_path: Path) -> None:
    """What 'make run' writes: the seed article as the real extractor builds it."""
    graph, _, path = seed_build
    out = tmp_path / "seed.html"
    assert main(["report", "-g", str(path), "-o", str(out), "-q"]) == 0
    visit = Visit(browser, out)
    placed = [p for p in report_data(graph)["places"] if p["lat"] is not None]
    assert placed and visit.page.locator("#map-svg a[data-place]").count() == len(placed)
    assert visit.page.locator("#map-svg .countries path").count() >= 3
    assert visit.page.locator("#timeline-svg").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "report-seed.png"), full_page=True)
    assert visit.errors == [] and visit.remote == []
    visit.page.close()


def test_network_sizes_use_the_centrality_sections_pagerank(story: Any) -> None:
    from kg.report import _pagerank

    G = analysis.project(story)
    section = {r["iri"]: r["pagerank"] for r in analysis.centrality(G, None)["by_pagerank"]}
    assert _pagerank(G) == section


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-89.0, 89.0), st.floats(-180.0, 179.999)),
        min_size=1,
        max_size=40,
    )
)
def test_theatres_group_exactly_the_places_a_chain_of_short_hops_links(points: list[tuple[float, float]]) -> None:
    """The grid is only a shortcut: the groups are those of comparing every pair (poles, date line included)."""
    from kg.report import THEATRE_KM, km_between, theatres

    places = [{"label": f"p{i}", "lat": lat, "long": long} for i, (lat, long) in enumerate(points)]
    parent = list(range(len(places)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(places):
        for j, b in enumerate(places):
            if i < j and km_between(a["lat"], a["long"], b["lat"], b["long"]) <= THEATRE_KM:
                parent[find(i)] = find(j)
    brute = {frozenset(p["label"] for k, p in enumerate(places) if find(k) == find(i)) for i in range(len(places))}
    assert {frozenset(p["label"] for p in t) for t in theatres(places)} == brute

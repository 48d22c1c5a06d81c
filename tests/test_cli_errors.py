"""Every failure a user can cause, on every command: exit 1 and one line naming the file or option, no traceback.

The table below is the CLI sweep of issue 10: bad inputs, outputs and options for each command. Each case
runs the real ``kg`` main function (in this process, so the model loads once) and greps its stderr: no
traceback, the message on the last line, the thing to fix named in it. Cases that need a process of their
own (memory limits, kills, full disks) live in test_graph_inputs.py and test_outputs.py, which check the
same of their stderr. ``tests/conftest.py`` also fails any test, anywhere in the suite, in which an in-process
``kg`` run printed an internal-error traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tests" / "data" / "seed-curated.ttl"
SEED = ROOT / "seeds" / "kabul-2001-11.txt"
DEV = ROOT / "tests" / "data" / "dev"


def _files(tmp: Path) -> None:
    """What the cases refer to: a text, a graph, junk, folders of several kinds."""
    (tmp / "a.txt").write_text("Rebels of the Free Varnia Front captured the town of Oskbridge on Monday.\n")
    (tmp / "g.ttl").write_bytes(CURATED.read_bytes())
    (tmp / "binary.txt").write_bytes(b"\x00\x01\x02")
    (tmp / "latin1.txt").write_bytes(b"caf\xe9 au lait")
    (tmp / "bad.ttl").write_text("<a> <b> .\n")
    (tmp / "folder").mkdir()
    (tmp / "folder" / "notes.md").write_text("my notes\n")
    (tmp / "emptydir").mkdir()
    (tmp / "plain").write_text("a file\n")
    (tmp / "store.oxigraph").mkdir()
    (tmp / "file.oxigraph").write_text("not a store\n")
    (tmp / "folder.html").mkdir()
    (tmp / "query.rq").write_text("SELECT * WHERE { ?s ?p }\n")
    (tmp / "gold").mkdir()
    (tmp / "gold" / "x.gold.json").write_text("{ not json")


#: (args, what the last stderr line must hold). ``{t}`` is the test's folder, ``{g}`` a good graph.
CASES: list[tuple[tuple[str, ...], str]] = [
    # build: inputs
    (("build", "{t}/missing.txt", "-o", "{t}/o.ttl"), "missing.txt: no such file"),
    (("build", "{t}/emptydir", "-o", "{t}/o.ttl"), "holds no .txt or .md files"),
    (("build", "{t}/binary.txt", "-o", "{t}/o.ttl"), "nothing to build"),
    (("build", "{t}/latin1.txt", "-o", "{t}/o.ttl"), "nothing to build"),
    # build: outputs and options
    (("build", "{t}/a.txt", "-o", "{t}/o.xyz"), "cannot tell the RDF format"),
    (("build", "{t}/a.txt", "-o", "{t}/folder"), "cannot tell the RDF format"),
    (("build", "{t}/a.txt", "-o", "{t}/folder.ttl/x.ttl", "--jobs", "0"), "--jobs must be 1 or more"),
    (("build", "{t}/a.txt", "-o", "{t}/plain/g.ttl"), "is a file, not a folder"),
    (("build", "{t}/folder", "-o", "{t}/folder"), "cannot tell the RDF format"),
    (("build", "{t}/a.txt", "-o", "{t}/store.oxigraph"), "kg did not write"),
    (("build", "{t}/a.txt", "-o", "{t}/file.oxigraph"), "is a file, not a kg store folder"),
    (("build", "{t}/a.txt", "-o", "{t}/o.ttl", "--format", "nt"), "--format nt but the output"),
    (("build", "{t}/a.txt", "-o", "{t}/o.ttl", "--min-confidence", "2"), "outside 0..1"),
    # query
    (("query", "no-such-query", "-g", "{g}"), "no named query"),
    (("query", "{t}/query.rq", "-g", "{g}"), "malformed SPARQL"),
    (("query", "{t}/missing.rq", "-g", "{g}"), "does not exist"),
    (("query", "INSERT DATA { <http://e/a> <http://e/b> 1 }", "-g", "{g}"), "updates"),
    (("query", "SELECT * WHERE { SERVICE <http://e/> { ?s ?p ?o } }", "-g", "{g}"), "SERVICE is refused"),
    (("query", "SELECT * FROM <http://e/> WHERE { ?s ?p ?o }", "-g", "{g}"), "FROM and FROM NAMED are refused"),
    (("query", "who-controls", "-g", "{t}/missing.ttl", "--param", "place=Kabul"), "does not exist"),
    (("query", "who-controls", "-g", "{t}/bad.ttl", "--param", "place=Kabul"), "bad.ttl is not valid Turtle"),
    (("query", "who-controls", "-g", "{t}/a.txt", "--param", "place=Kabul"), "cannot tell the RDF format"),
    (("query", "who-controls", "-g", "{t}/folder", "--param", "place=Kabul"), "not a .oxigraph store"),
    (("query", "who-controls", "-g", "{t}/store.oxigraph", "--param", "place=Kabul"), "empty folder"),
    (("query", "who-controls", "-g", "{g}", "--param", "nope=1"), "has no parameter 'nope'"),
    (("query", "who-controls", "-g", "{g}", "--param", "place"), "write NAME=VALUE"),
    (("query", "who-controls", "-g", "{g}", "--param", "place=Atlantis"), "no entity is labelled 'Atlantis'"),
    (("query", "who-controls", "-g", "{g}", "--param", "place=<http://a b>"), "not a valid IRI"),
    (("query", "who-controls", "-g", "{g}", "--param", "place=2001-02-30"), "is not a date"),
    (("query", "who-controls", "-g", "{g}", "--param", 'place="x"^^xsd:date'), "not a valid xsd:date"),
    (("query", "entities", "-g", "{g}", "--timeout=inf"), "--timeout"),
    (("query", "entities", "-g", "{g}", "--timeout=nan"), "--timeout"),
    (("query", "entities", "-g", "{g}", "--format", "ttl"), "--format ttl is for CONSTRUCT"),
    # queries
    (("queries", "no-such-query"), "no-such-query"),
    # analyze
    (("analyze", "sideways", "-g", "{g}"), "unknown analysis"),
    (("analyze", "path", "Kabul", "-g", "{g}"), "needs two entities"),
    (("analyze", "path", "Kabul", "Atlantis", "-g", "{g}"), "Atlantis"),
    (("analyze", "-g", "{g}", "--limit", "-1"), "--limit must be 0"),
    (("analyze", "-g", "{g}", "-o", "{g}"), "also an input"),
    (("analyze", "-g", "{g}", "-o", "{t}/bad.ttl"), "RDF graph"),
    (("analyze", "-g", "{g}", "-o", "{t}/folder"), "is a folder"),
    (("analyze", "-g", "{g}", "--as-of", "2001-02-30"), "not a date"),
    (("analyze", "-g", "{t}/missing.ttl"), "does not exist"),
    # viz
    (("viz", "-g", "{g}", "-o", "{t}/page.png"), "must end in .html"),
    (("viz", "-g", "{g}", "-o", "{t}/p.html", "--depth", "2"), "--depth needs --focus"),
    (("viz", "-g", "{g}", "-o", "{t}/p.html", "--since", "2001-13-45"), "not a date"),
    (("viz", "-g", "{g}", "-o", "{t}/p.html", "--since", "2002", "--until", "2001"), "is after --until"),
    (("viz", "-g", "{g}", "-o", "{t}/p.html", "--focus", "Atlantis"), "Atlantis"),
    (("viz", "-g", "{g}", "-o", "{t}/p.html", "--max-nodes", "0"), "--max-nodes must be 1"),
    (("viz", "-g", "{t}/bad.ttl", "-o", "{t}/p.html"), "bad.ttl is not valid Turtle"),
    # report
    (("report", "-g", "{g}", "-o", "{t}/r.png"), "must end in"),
    (("report", "-g", "{g}", "-o", "{g}"), "must end in"),
    (("report", "-g", "{g}", "-o", "{t}/folder.html"), "is a folder"),
    (("report", "-g", "{t}/missing.ttl", "-o", "{t}/r.html"), "does not exist"),
    # export
    (("export", "-g", "{g}"), "-o OUT"),
    (("export", "-g", "{g}", "-o", "{g}"), "also an input"),
    (("export", "-g", "{t}/bad.ttl", "-o", "{t}/x.nt"), "bad.ttl is not valid Turtle"),
    # eval
    (("eval", "{t}/missing"), "no such folder"),
    (("eval", "{t}/emptydir"), "holds no"),
    (("eval", "{t}/gold"), "x.gold.json"),
    (("eval", str(DEV), "-o", str(DEV / "brega-2011.txt")), "input"),
    (("eval", str(ROOT / "seeds"), "--graphs", "{t}/missing"), "no such folder"),
    # explain
    (("explain", "{t}/missing.txt"), "no such file"),
    (("explain", "{t}/folder"), "is a folder"),
    (("explain", "{t}/binary.txt"), "binary"),
    # remove and push
    (("remove", "x.txt", "--from", "{t}/missing.nq"), "missing.nq"),
    (("push", "-g", "{g}"), "--to URL"),
    (("push", "-g", "{g}", "--to", "http://127.0.0.1:9/store", "--timeout=nan"), "--timeout"),
]  # fmt: skip


def _ids() -> list[str]:
    return [f"{i:02d}-{' '.join(a[:2])}".replace("{t}/", "").replace("{g}", "g") for i, (a, _) in enumerate(CASES)]


@pytest.mark.parametrize(("args", "expected"), CASES, ids=_ids())
def test_a_user_caused_failure_is_one_line_and_exit_1(
    args: tuple[str, ...], expected: str, tmp_path: Path, kg_main: Callable[..., tuple[int, str, str]]
) -> None:
    _files(tmp_path)
    argv = [a.replace("{t}", str(tmp_path)).replace("{g}", str(tmp_path / "g.ttl")) for a in args]
    code, _, err = kg_main(*argv)
    assert code == 1, err
    # one "kg CMD: error: ..." line (a malformed query adds the line it is on, with a caret under the spot)
    (message,) = [line for line in err.splitlines() if line.startswith(f"kg {argv[0]}: error: ")]
    assert expected in err, err
    assert len(message) < 600


def test_no_case_leaves_output_behind(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    _files(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for args, _ in CASES[:14]:  # the build cases: none may create a graph or leave a temp file
        kg_main(*[a.replace("{t}", str(tmp_path)).replace("{g}", str(tmp_path / "g.ttl")) for a in args])
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_stdout_on_a_full_disk_is_a_message(tmpfs, kg_cli) -> None:  # type: ignore[no-untyped-def]
    fs = tmpfs.make("4k")
    with (fs / "out.ttl").open("wb") as fh:
        import subprocess
        import sys

        proc = subprocess.run(
            [sys.executable, "-m", "kg.cli", "query", "SELECT * WHERE { ?s ?p ?o }", "-g", str(CURATED), "-f", "csv"],
            stdout=fh,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    err = proc.stderr.decode()
    assert "Traceback" not in err
    assert proc.returncode == 1 and "no space left" in err

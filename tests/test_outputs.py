"""Outputs and faults: kg replaces only what it wrote, atomically and durably, and says why when it cannot.

Every case here is a way users lost data or met a traceback (issue 10): a store folder that was really the
input notes, a report written over its own graph, a kill between deleting the old store and renaming the
new one, leftovers of killed runs, full disks, read-only folders, outputs that are folders or links.
Kills are real ``SIGKILL``s of a real ``kg`` process at each stage of a write; full disks and read-only
folders are small tmpfs mounts (and, where mounting is not allowed, a fault-injecting double).
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import RDFS, Literal, URIRef

from kg.errors import KGError
from kg.rdf.store import load_graph, new_graph, serialize, write_graph

# kg.outputs is imported inside the tests that use it, so that each test of this module also runs (and fails
# for its own reason) against a kg from before it existed.
STORE_MARKER = ".kg-store"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "kabul-2001-11.txt"
OLD_TTL = b'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n<https://example.org/old> rdfs:label "old" .\n'


def _graph(label: str = "new", n: int = 1):  # type: ignore[no-untyped-def]
    g = new_graph()
    for i in range(n):
        g.add((URIRef(f"https://example.org/{label}/{i}"), RDFS.label, Literal(f"{label} {i}")))
    return g


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: a store compared byte for byte."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _text(tmp_path: Path, name: str = "a.txt") -> Path:
    p = tmp_path / name
    p.write_text("Rebels of the Free Varnia Front captured the town of Oskbridge on Monday.\n", encoding="utf-8")
    return p


# ---------------------------------------------------------------------------------------------- kg wrote it


def test_a_store_named_like_its_input_folder_is_never_deleted(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.oxigraph"
    notes.mkdir()
    (notes / "a.txt").write_text("The Free Varnia Front captured Oskbridge.\n", encoding="utf-8")
    before = _tree(notes)
    code, _, err = kg_main("build", str(notes), "-o", str(notes))
    assert code == 1
    assert "input" in err and str(notes) in err
    assert _tree(notes) == before
    code, _, err = kg_main("build", str(notes), "-o", str(notes), "--force")  # not even when forced
    assert code == 1 and _tree(notes) == before


def test_a_folder_kg_did_not_write_is_refused_and_force_replaces_it(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    text = _text(tmp_path)
    out = tmp_path / "mine.oxigraph"
    out.mkdir()
    (out / "diary.md").write_text("my own notes\n", encoding="utf-8")
    code, _, err = kg_main("build", str(text), "-o", str(out))
    assert code == 1 and "--force" in err and STORE_MARKER in err
    assert (out / "diary.md").read_text(encoding="utf-8") == "my own notes\n"
    code, _, _ = kg_main("build", str(text), "-o", str(out), "--force")
    assert code == 0
    assert (out / STORE_MARKER).is_file() and not (out / "diary.md").exists()
    assert len(load_graph(out)) > 0


def test_a_store_kg_wrote_is_replaced_and_keeps_its_marker(tmp_path: Path) -> None:
    out = tmp_path / "g.oxigraph"
    write_graph(_graph("a"), out)
    assert (out / STORE_MARKER).is_file()
    write_graph(_graph("b", 2), out)
    assert {str(o) for o in load_graph(out).objects()} == {"b 0", "b 1"}
    assert _leftovers(out) == []


def test_a_file_where_a_store_goes_is_refused(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "g.oxigraph"
    out.write_bytes(b"not a store")
    code, _, err = kg_main("build", str(_text(tmp_path)), "-o", str(out))
    assert code == 1 and "is a file" in err and "--force" in err
    assert out.read_bytes() == b"not a store"


def test_an_output_that_is_a_folder_is_refused(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "g.ttl"
    out.mkdir()
    code, _, err = kg_main("build", str(_text(tmp_path)), "-o", str(out))
    assert code == 1 and "is a folder" in err
    code, _, err = kg_main("analyze", "-g", str(ROOT / "tests" / "data" / "seed-curated.ttl"), "-o", str(out))
    assert code == 1 and "is a folder" in err


def test_a_symlinked_store_is_replaced_where_it_points(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    real = tmp_path / "real.oxigraph"
    write_graph(_graph("old"), real)
    link = tmp_path / "link.oxigraph"
    link.symlink_to(real)
    code, _, _ = kg_main("build", str(_text(tmp_path)), "-o", str(link))
    assert code == 0
    assert link.is_symlink() and (real / STORE_MARKER).is_file()
    assert "old 0" not in {str(o) for o in load_graph(link).objects()}


def test_a_report_never_replaces_its_own_graph(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    graph = tmp_path / "g.ttl"
    graph.write_bytes((ROOT / "tests" / "data" / "seed-curated.ttl").read_bytes())
    before = graph.read_bytes()
    code, _, err = kg_main("analyze", "-g", str(graph), "-o", str(graph))
    assert code == 1 and "input" in err
    code, _, err = kg_main("analyze", "-g", str(graph), "-o", str(graph), "--force")
    assert code == 1
    assert graph.read_bytes() == before


def test_a_report_over_another_graph_needs_force(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other.ttl"
    other.write_bytes(OLD_TTL)
    curated = str(ROOT / "tests" / "data" / "seed-curated.ttl")
    code, _, err = kg_main("analyze", "-g", curated, "-o", str(other))
    assert code == 1 and "RDF graph" in err and "--force" in err
    assert other.read_bytes() == OLD_TTL
    code, _, _ = kg_main("analyze", "-g", curated, "-o", str(other), "--force")
    assert code == 0 and other.read_bytes() != OLD_TTL


def test_eval_never_writes_over_its_input_texts(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    gold = tmp_path / "gold"
    gold.mkdir()
    for name in ("brega-2011.txt", "brega-2011.gold.json"):
        (gold / name).write_bytes((ROOT / "tests" / "data" / "dev" / name).read_bytes())
    before = _tree(gold)
    for target in ("brega-2011.txt", "brega-2011.gold.json"):
        code, _, err = kg_main("eval", str(gold), "-o", str(gold / target))
        assert code == 1 and "input" in err
    assert _tree(gold) == before


def test_viz_never_writes_over_its_graph(tmp_path: Path, kg_main) -> None:  # type: ignore[no-untyped-def]
    graph = tmp_path / "g.ttl"
    graph.write_bytes((ROOT / "tests" / "data" / "seed-curated.ttl").read_bytes())
    page = tmp_path / "g.html"
    page.symlink_to(graph)
    code, _, err = kg_main("viz", "-g", str(graph), "-o", str(page))
    assert code == 1 and "input" in err
    assert graph.read_bytes() == (ROOT / "tests" / "data" / "seed-curated.ttl").read_bytes()


def test_output_problems_are_found_before_the_nlp_starts(tmp_path: Path, kg_main, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kg.build

    def no_nlp(*_: object, **__: object) -> None:
        raise AssertionError("the NLP started before the output was checked")

    monkeypatch.setattr(kg.build, "extract_documents", no_nlp)
    text = _text(tmp_path)
    folder = tmp_path / "g.ttl"
    folder.mkdir()
    plain = tmp_path / "plain"
    plain.write_text("a file\n")
    for out, message in (
        (folder, "is a folder"),
        (plain / "g.ttl", "is a file, not a folder"),
    ):
        code, _, err = kg_main("build", str(text), "-o", str(out))
        assert code == 1 and message in err, err
    named_like_a_graph = _text(tmp_path, "notes.ttl")  # a text file is read whatever its suffix
    code, _, err = kg_main("build", str(named_like_a_graph), "-o", str(named_like_a_graph))
    assert code == 1 and "input" in err, err


# ---------------------------------------------------------------------------------------------- atomic, durable


def test_files_are_fsynced_before_and_after_the_rename(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        events.append(("replace", str(dst)))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "g.ttl"
    write_graph(_graph(), out)
    kinds = [e[0] for e in events]
    assert "replace" in kinds
    at = kinds.index("replace")
    assert any(k == "fsync" and ".tmp" in p for k, p in events[:at]), events  # the data, before the rename
    assert ("fsync", str(tmp_path)) in events[at:], events  # the folder entry, after it


def test_leftovers_of_killed_writers_are_removed_but_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "g.ttl"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale_file = tmp_path / f".g.ttl.{dead_pid}.abcd1234.tmp"
    stale_file.write_bytes(b"partial")
    stale_dir = tmp_path / f".g.ttl.{dead_pid}.efgh5678.tmp"
    stale_dir.mkdir()
    (stale_dir / "x").write_bytes(b"partial")
    legacy = tmp_path / ".g.ttl.zyxw9876.tmp"  # written by kg before temp names carried the pid
    legacy.write_bytes(b"partial")
    old = time.time() - 2 * 3600
    os.utime(legacy, (old, old))
    live = tmp_path / f".g.ttl.{os.getpid()}.live0000.tmp"  # a writer still at work
    live.write_bytes(b"in progress")
    unrelated = tmp_path / ".other.ttl.1.abcd1234.tmp"
    unrelated.write_bytes(b"not ours")
    write_graph(_graph(), out)
    assert not stale_file.exists() and not stale_dir.exists() and not legacy.exists()
    assert live.exists() and unrelated.exists()


# ---------------------------------------------------------------------------------------------- kills

_KILLER = r"""
import os, signal, sys
from pathlib import Path

import kg.outputs as outputs
import kg.rdf.store as store

stage, out, new = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])


def die(*_a, **_k):
    os.kill(os.getpid(), signal.SIGKILL)


if stage == "file-before-fsync":
    os.fsync = die
elif stage == "file-before-rename":
    os.replace = die
elif stage == "file-before-folder-fsync":
    outputs.fsync_dir = die
elif stage == "store-filling":
    import pyoxigraph as ox

    def fill(lines, folder):
        s = ox.Store(str(folder))
        s.bulk_load(lines[0], format=ox.RdfFormat.N_QUADS)
        s.flush()
        die()

    store._fill_store = fill
elif stage == "store-before-swap":
    outputs.exchange = die
elif stage == "store-after-swap":
    outputs._remove = die
elif stage == "store-between-renames":
    outputs.exchange = lambda a, b: False
    real = os.replace
    calls = []

    def replace(a, b):
        calls.append(a)
        if len(calls) == 2:
            die()
        real(a, b)

    os.replace = replace
elif stage == "build-nlp":
    import kg.nlp.extract

    kg.nlp.extract.extract = die
    from kg.cli import main

    sys.exit(main(["build", str(new), "-o", str(out)]))
graph = store.load_graph(new)
store.write_graph(graph, out)
"""

FILE_STAGES = ["file-before-fsync", "file-before-rename", "file-before-folder-fsync"]
STORE_STAGES = ["store-filling", "store-before-swap", "store-after-swap"]


def _kill_at(stage: str, out: Path, new: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, stage, str(out), str(new)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, f"{stage}: not killed (exit {proc.returncode}): {proc.stderr!r}"


@pytest.mark.parametrize("stage", FILE_STAGES)
def test_a_kill_while_writing_a_file_keeps_the_old_file(tmp_path: Path, stage: str) -> None:
    out = tmp_path / "g.ttl"
    out.write_bytes(OLD_TTL)
    new = tmp_path / "new.nt"
    new.write_bytes(serialize(_graph("new", 50), outputs_format()))
    _kill_at(stage, out, new)
    if stage == "file-before-folder-fsync":  # the rename happened: the new file, whole
        assert out.read_bytes() == serialize(_graph("new", 50))
    else:
        assert out.read_bytes() == OLD_TTL
    write_graph(_graph("next"), out)  # the next run cleans up after the killed one
    assert _leftovers(out) == []
    assert out.read_bytes() == serialize(_graph("next"))


def outputs_format():  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    return ox.RdfFormat.N_TRIPLES


@pytest.mark.parametrize("stage", [*STORE_STAGES, "store-between-renames"])
def test_a_kill_while_replacing_a_store_keeps_a_whole_store(tmp_path: Path, stage: str) -> None:
    out = tmp_path / "g.oxigraph"
    write_graph(_graph("old", 3), out)
    before = _tree(out)
    new = tmp_path / "new.nt"
    new.write_bytes(serialize(_graph("new", 50), outputs_format()))
    _kill_at(stage, out, new)
    if stage == "store-after-swap":  # swapped in one step: the new store, whole
        assert {str(o) for o in load_graph(out).objects()} == {f"new {i}" for i in range(50)}
    elif stage == "store-between-renames":  # the old store waits beside, whole, for the next run to restore
        assert not out.exists()
        (aside,) = [p for p in tmp_path.iterdir() if p.name.endswith(".old")]
        assert _tree(aside) == before
    else:
        assert _tree(out) == before  # byte for byte, before anything opens it
    write_graph(_graph("next", 2), out)
    assert _leftovers(out) == []
    assert {str(o) for o in load_graph(out).objects()} == {"next 0", "next 1"}


def test_the_next_run_puts_back_a_store_a_killed_swap_left_aside(tmp_path: Path) -> None:
    out = tmp_path / "g.oxigraph"
    write_graph(_graph("old", 3), out)
    before = _tree(out)
    new = tmp_path / "new.nt"
    new.write_bytes(serialize(_graph("new", 5), outputs_format()))
    _kill_at("store-between-renames", out, new)
    from kg.outputs import clean_stale

    clean_stale(out)
    assert _tree(out) == before
    assert _leftovers(out) == []


def test_a_kill_during_the_nlp_keeps_the_old_graph(tmp_path: Path) -> None:
    out = tmp_path / "g.ttl"
    out.write_bytes(OLD_TTL)
    _kill_at("build-nlp", out, _text(tmp_path))
    assert out.read_bytes() == OLD_TTL
    assert _leftovers(out) == []


# ---------------------------------------------------------------------------------------------- full, read-only


def test_a_full_disk_is_a_message_and_the_old_graph_stays(tmpfs, kg_main) -> None:  # type: ignore[no-untyped-def]
    fs = tmpfs.make("8k")
    out = fs / "graph.ttl"
    out.write_bytes(OLD_TTL)
    code, _, err = kg_main("build", str(SEED), "-o", str(out))
    assert code == 1
    assert "no space left" in err and str(out) in err
    assert out.read_bytes() == OLD_TTL
    assert _leftovers(out) == []


def test_a_full_disk_while_writing_a_store_keeps_the_old_store(tmpfs) -> None:  # type: ignore[no-untyped-def]
    fs = tmpfs.make("1m")
    out = fs / "g.oxigraph"
    write_graph(_graph("old", 3), out)
    before = _tree(out)
    with pytest.raises(KGError, match="no space left"):
        write_graph(_graph("new", 20_000), out)
    assert _tree(out) == before
    assert _leftovers(out) == []


def test_a_read_only_folder_is_a_message_before_the_nlp(tmpfs, kg_main, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kg.build

    fs = tmpfs.make("64k")
    out = fs / "graph.ttl"
    out.write_bytes(OLD_TTL)
    tmpfs.read_only(fs)

    def no_nlp(*_: object, **__: object) -> None:
        raise AssertionError("the NLP started before the output was checked")

    monkeypatch.setattr(kg.build, "extract_documents", no_nlp)
    code, _, err = kg_main("build", str(SEED), "-o", str(out))
    assert code == 1 and "read-only" in err and str(out) in err
    code, _, err = kg_main("build", str(SEED), "-o", str(fs / "new.oxigraph"))
    assert code == 1 and "read-only" in err
    code, _, err = kg_main("analyze", "-g", str(ROOT / "tests" / "data" / "seed-curated.ttl"), "-o", str(fs / "r.md"))
    assert code == 1 and "read-only" in err
    assert out.read_bytes() == OLD_TTL


# Where no tmpfs can be mounted, the same failures come from a double of the file system calls.


def test_full_disk_double_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kg.outputs as outputs
    from kg.outputs import atomic_write

    out = tmp_path / "g.ttl"
    out.write_bytes(OLD_TTL)
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):  # type: ignore[no-untyped-def]
            self.fh = fh

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(KGError, match=r"no space left on the device; free some space"):
        atomic_write(out, b"new data")
    monkeypatch.undo()
    assert out.read_bytes() == OLD_TTL
    assert _leftovers(out) == []


def test_read_only_double_is_a_message(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kg.outputs as outputs
    from kg.outputs import atomic_write, check_output, replace_dir

    def read_only(*_: object, **__: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(outputs.tempfile, "mkstemp", read_only)
    monkeypatch.setattr(outputs.tempfile, "mkdtemp", read_only)
    with pytest.raises(KGError, match="read-only; write elsewhere"):
        check_output(tmp_path / "g.ttl", "graph")
    with pytest.raises(KGError, match="read-only"):
        atomic_write(tmp_path / "g.ttl", b"x")
    with pytest.raises(KGError, match="read-only"):
        replace_dir(tmp_path / "g.oxigraph", lambda _: None)

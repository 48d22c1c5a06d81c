"""Shared fixtures: the spaCy model is loaded once per run; system tools skip (or fail under CI) when missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "seeds" / "kabul-2001-11.txt"
SEED_GOLD = ROOT / "seeds" / "kabul-2001-11.gold.json"
DEV = DATA / "dev"
#: A hand-checked graph of the seed article's gold relations (see tests/data/make_curated.py).
CURATED = DATA / "seed-curated.ttl"

TOOL_PACKAGES = {"rapper": "raptor2-utils", "serdi": "serdi", "chromium": "chromium"}


def require_tool(name: str) -> str:
    """Path of a system tool; skips with the Debian package to install, or fails when KG_REQUIRE_TOOLS is set."""
    path = shutil.which(name)
    if path is None:
        msg = f"{name} not found: install the Debian package {TOOL_PACKAGES.get(name, name)} (apt-get install)"
        if os.environ.get("KG_REQUIRE_TOOLS"):
            pytest.fail(msg + " [KG_REQUIRE_TOOLS is set]")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from kg.nlp.pipeline import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def extracted(nlp):  # type: ignore[no-untyped-def]
    """``extracted(text)`` -> the Extraction ``kg build`` keeps for ``text`` (each text parsed once per run)."""
    import hashlib

    from kg.model import Document
    from kg.nlp.extract import extract

    cache = {}

    def make(text: str):  # type: ignore[no-untyped-def]
        if text not in cache:
            doc = Document(text, "test", hashlib.sha256(text.encode()).hexdigest())
            cache[text] = extract(nlp(text), doc)
        return cache[text]

    return make


@pytest.fixture(scope="session")
def seed_build(nlp, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The seed article built once per run with the real model: (graph, turtle bytes, path)."""
    from kg.build import build_graph
    from kg.inputs import Source, read
    from kg.rdf.store import serialize

    doc = read(Source(str(SEED.relative_to(ROOT)), SEED))
    graph, _ = build_graph([doc])
    data = serialize(graph)
    path = tmp_path_factory.mktemp("seed") / "kabul-2001-11.ttl"
    path.write_bytes(data)
    return graph, data, path


@pytest.fixture(scope="session")
def curated_graph():  # type: ignore[no-untyped-def]
    from kg.rdf.store import load_graph

    return load_graph(CURATED)


#: What Python prints for an uncaught exception; no CLI case a user can cause may show it.
TRACEBACK = "Traceback (most recent call last)"


def run_kg(*args: str, cwd: Path | None = None, stdin: bytes | None = None, timeout: float = 600):  # type: ignore[no-untyped-def]
    """Run ``kg ARGS`` in a fresh process; asserts that stderr holds no traceback and the exit is 0 or 1."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert TRACEBACK not in err, f"kg {' '.join(args)} printed a traceback:\n{err}"
    assert proc.returncode in (0, 1), f"kg {' '.join(args)} exited {proc.returncode}:\n{err}"
    return proc


@pytest.fixture
def kg_cli():  # type: ignore[no-untyped-def]
    """``kg_cli(*args)`` -> CompletedProcess of ``kg ARGS`` in a subprocess, checked for tracebacks (see run_kg)."""
    return run_kg


@pytest.fixture
def kg_main(capsys):  # type: ignore[no-untyped-def]
    """``kg_main(*args)`` -> (exit code, stdout, stderr) of ``kg.cli.main`` in this process, checked for tracebacks.

    In-process runs share the session's spaCy model, so they cost no model load.
    """
    from kg.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        assert TRACEBACK not in err, f"kg {' '.join(args)} printed a traceback:\n{err}"
        assert code in (0, 1), f"kg {' '.join(args)} exited {code}:\n{err}"
        return code, out, err

    return run


class Tmpfs:
    """Small tmpfs mounts for one test: ``make(size)`` mounts one, ``read_only(point)`` remounts it read-only."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.mounted: list[Path] = []

    def make(self, size: str) -> Path:
        import subprocess

        point = self.base / f"fs{len(self.mounted)}"
        point.mkdir()
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)], capture_output=True
        )
        if proc.returncode != 0:
            msg = f"cannot mount a tmpfs here ({proc.stderr.decode().strip()}); needs root"
            if os.environ.get("KG_REQUIRE_TOOLS"):
                pytest.fail(msg + " [KG_REQUIRE_TOOLS is set]")
            pytest.skip(msg)
        self.mounted.append(point)
        return point

    def read_only(self, point: Path) -> None:
        import subprocess

        subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True, capture_output=True)

    def unmount_all(self) -> None:
        import subprocess

        for point in reversed(self.mounted):
            subprocess.run(["umount", "-l", str(point)], capture_output=True)


@pytest.fixture
def tmpfs(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Mount small tmpfs file systems (see :class:`Tmpfs`), unmounted after the test.

    Full disks and read-only folders need a real file system: root writes through any permission bits.
    Skips (fails under KG_REQUIRE_TOOLS) where mounting is not allowed; the fault-injecting doubles in
    tests/test_outputs.py cover the same code paths there.
    """
    fs = Tmpfs(tmp_path)
    yield fs
    fs.unmount_all()


@pytest.fixture(autouse=True)
def _no_internal_error(monkeypatch):  # type: ignore[no-untyped-def]
    """Fail any test in which an in-process ``kg`` run printed an internal-error traceback (exit 2): whatever
    a test feeds the CLI, a user could too, and a user must get a message (issue 10)."""
    import kg.cli

    seen: list[str] = []
    real = getattr(kg.cli, "_internal", None)
    if real is None:  # a kg from before this check (the issue-10 before/after runs)
        yield
        return

    def spy(args):  # type: ignore[no-untyped-def]
        import traceback

        seen.append(traceback.format_exc())
        return real(args)

    monkeypatch.setattr(kg.cli, "_internal", spy)
    yield
    if seen:
        pytest.fail("kg printed an internal-error traceback:\n" + seen[0])

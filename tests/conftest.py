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

"""Meta-tests over the command line (sqlite-utils style): every command and option is documented,
and the wheel carries the data files an installed kg needs."""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kg.cli import COMMANDS, make_parser

ROOT = Path(__file__).resolve().parent.parent


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_registered_command_is_known() -> None:
    assert set(_subparsers()) <= set(COMMANDS)
    assert "build" in _subparsers()


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_command_has_description_and_option_help(name: str) -> None:
    sub = _subparsers()[name]
    assert sub.description, f"kg {name} has no description"
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        assert action.help, f"kg {name}: {action.option_strings or action.dest} has no help text"


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"kg {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_wheel_ships_ontology_and_queries(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("kg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("kg/_data/ontology/kg.ttl", "kg/_data/ontology/shapes.ttl", "kg/_data/ontology/lexicon.toml"):
        assert needed in names
    assert any(n.startswith("kg/_data/queries/") and n.endswith(".rq") for n in names) or not list(
        (ROOT / "queries").glob("*.rq")
    )
    # unpacked outside the checkout, the package finds its data there
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = "from kg.resources import ontology_dir; print(ontology_dir())"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(unpacked)}
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(unpacked / "kg" / "_data" / "ontology")

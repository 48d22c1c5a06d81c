"""Meta-tests over the command line (sqlite-utils style): every registered command follows the shared
conventions (documented options, examples in --help, -f/--format, global -v/-q/--no-color anywhere, a JSON
form of its output or summary, exit 1 on usage errors), shell completion works, and the wheel carries the
data files an installed kg needs. The checks iterate over whatever commands are registered, so a new command
is held to them without touching this file."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kg.cli import COMMANDS, main, make_parser

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


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


def _option(sub: argparse.ArgumentParser, flag: str) -> argparse.Action | None:
    return next((a for a in sub._actions if flag in a.option_strings), None)


def _placeholders(sub: argparse.ArgumentParser) -> list[str]:
    """Just enough positional arguments for the parser to accept the line."""
    out: list[str] = []
    for a in sub._actions:
        if not a.option_strings and not isinstance(a, argparse._SubParsersAction):
            out += [] if a.nargs in ("?", "*") else ["x"] * (a.nargs if isinstance(a.nargs, int) else 1)
    return out


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_command_help_ends_with_examples_of_itself(name: str) -> None:
    text = _subparsers()[name].format_help()
    assert "\nexamples:\n" in text, f"kg {name} --help has no examples"
    examples = text.split("\nexamples:\n", 1)[1].splitlines()
    assert examples and all(e.strip() for e in examples)
    assert any(f"kg {name}" in e for e in examples), f"kg {name}: no example runs kg {name}"


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_command_has_format_with_short_flag_and_a_json_form(name: str) -> None:
    sub = _subparsers()[name]
    fmt = _option(sub, "--format")
    assert fmt is not None and "-f" in fmt.option_strings, f"kg {name} has no -f/--format"
    assert fmt.choices, f"kg {name} --format lists no choices"
    summary = _option(sub, "--summary")
    json_output = "json" in fmt.choices or (summary is not None and "json" in (summary.choices or ()))
    assert json_output, f"kg {name}: neither --format json nor --summary json"


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_global_options_go_anywhere_on_the_line(name: str) -> None:
    parser = make_parser()
    rest = _placeholders(_subparsers()[name])
    after = parser.parse_args([name, *rest, "-q", "--no-color"])
    assert after.quiet and after.no_color and not after.verbose
    before = parser.parse_args(["-v", "--no-color", name, *rest])
    assert before.verbose and before.no_color and not before.quiet
    both = parser.parse_args(["--quiet", name, *rest])
    assert both.quiet  # given before the command, not overwritten by the command's own defaults


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_usage_errors_exit_1_naming_the_option(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, *_placeholders(_subparsers()[name]), "--format", "no-such-format"])
    assert exit_info.value.code == 1
    assert "--format" in capsys.readouterr().err


def test_verbose_and_quiet_together_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["-v", "queries", "-q"])
    assert exit_info.value.code == 1
    assert "contradict" in capsys.readouterr().err


def test_commands_are_discovered_from_the_package() -> None:
    modules = {p.stem for p in (ROOT / "kg" / "commands").glob("*.py") if not p.stem.startswith("_")}
    assert set(COMMANDS) == modules


def _complete(line: str) -> list[str]:
    """What bash offers for ``line`` after sourcing ``kg --completion bash`` (a real bash, the real kg)."""
    script = (
        "source <(kg --completion bash)\n"
        f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=({line})\n"
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
        '_python_argcomplete kg "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [w.strip() for w in proc.stdout.splitlines() if w.strip()]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion_offers_commands_options_and_query_names() -> None:
    assert {"query", "queries"} <= set(_complete("kg que"))
    assert _complete("kg query who-con") == ["who-controls"]
    assert "--summary" in _complete("kg build x --su")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--completion", shell])
    assert exit_info.value.code == 0
    script = capsys.readouterr().out
    assert "kg" in script and "_ARGCOMPLETE" in script
    exe = shutil.which(shell)
    if exe is not None:  # the shell itself checks the syntax where it is installed
        check = subprocess.run([exe, "-n"], input=script, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_json_summary_goes_to_stdout_unless_stdout_carries_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = ROOT / "tests" / "data" / "seed-curated.ttl"
    out = tmp_path / "g.html"
    assert main(["viz", "-g", str(graph), "-o", str(out), "--summary", "json", "-q"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["output"] == str(out) and summary["entities"] > 0 and captured.err == ""
    assert main(["viz", "-g", str(graph), "-o", "-", "-f", "json", "--summary", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["relations"]  # the data itself on stdout
    assert json.loads(captured.err)["output"] == "stdout"


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

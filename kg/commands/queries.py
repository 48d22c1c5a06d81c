"""``kg queries [NAME]``: the named-query catalogue, or one query in full."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kg.commands import add_command, use_color

FORMATS = ("table", "json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from kg.commands.query import query_names

    p = add_command(
        sub,
        "queries",
        help="list the named SPARQL queries",
        description="List the named queries 'kg query NAME' runs, with their parameters; with NAME, show one "
        "query's description, parameters and SPARQL text.",
        examples=("kg queries", "kg queries who-controls", "kg queries -f json | jq -r '.[].name'"),
        formats=FORMATS,
    )
    name = p.add_argument("name", nargs="?", help="show this query in full")
    name.completer = query_names  # type: ignore[attr-defined]
    p.set_defaults(func=run)


def as_data(name: str | None = None) -> Any:
    """The catalogue (or one query) as JSON-ready data: name, title, description, parameters, file, text."""
    from kg.query import catalogue, resolve

    def one(q: Any, full: bool) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "params": [
                {"name": p.name, "meaning": p.meaning, "default": p.default, "required": p.required} for p in q.params
            ],
        }
        if full:
            row["file"] = str(q.path) if q.path is not None else None
            row["text"] = q.text
        return row

    if name:
        return one(resolve(name), True)
    return [one(q, False) for q in catalogue().values()]


def describe(name: str) -> str:
    """One query's title, description, parameters and text."""
    from kg.query import resolve

    q = resolve(name)
    lines = [f"{q.name}: {q.title}", "", q.description, ""]
    if q.params:
        lines.append("parameters:")
        for p in q.params:
            default = f" ({p.default})" if p.default else ""
            lines.append(f"  --param {p.name}=…  {p.meaning}{default}")
        lines.append("")
    if q.path is not None:
        lines.append(f"file: {q.path}")
    lines += ["", q.text.rstrip()]
    return "\n".join(lines) + "\n"


def listing(width: int | None = None, color: bool = False) -> str:
    """The catalogue as a table: name, title, parameters (required ones marked with ``!``)."""
    from kg.query import catalogue
    from kg.tables import render_table

    rows = [
        [q.name, q.title, " ".join(f"{p.name}{'!' if p.required else ''}" for p in q.params) or "-"]
        for q in catalogue().values()
    ]
    out = render_table(["NAME", "TITLE", "PARAMETERS"], rows, width=width, color=color)
    return (
        out + f"\n({len(rows)} queries; 'kg queries NAME' shows one, 'kg query NAME -g GRAPH' runs it; ! = required)\n"
    )


def run(args: argparse.Namespace) -> int:
    if args.format == "json":
        print(json.dumps(as_data(args.name), ensure_ascii=False, indent=2))
    else:
        print(describe(args.name) if args.name else listing(color=use_color(args, sys.stdout)), end="")
    return 0

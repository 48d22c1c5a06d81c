"""``kg queries [NAME]``: the named-query catalogue, or one query in full."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "queries",
        help="list the named SPARQL queries",
        description="List the named queries 'kg query NAME' runs, with their parameters; with NAME, show one "
        "query's description, parameters and SPARQL text.",
    )
    p.add_argument("name", nargs="?", help="show this query in full")
    p.set_defaults(func=run)


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


def listing() -> str:
    """The catalogue as an aligned table: name, title, parameters (required ones marked with ``!``)."""
    from kg.query import catalogue

    rows = [
        (q.name, q.title, " ".join(f"{p.name}{'!' if p.required else ''}" for p in q.params) or "-")
        for q in catalogue().values()
    ]
    header = ("NAME", "TITLE", "PARAMETERS")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]
    out = [f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}".rstrip() for r in [header, *rows]]
    out.append(f"({len(rows)} queries; 'kg queries NAME' shows one, 'kg query NAME -g GRAPH' runs it; ! = required)")
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    print(describe(args.name) if args.name else listing(), end="")
    return 0

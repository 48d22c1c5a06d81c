"""Plain-text tables for terminals, drawn by ``rich``: cells wrap to fit the width, nothing is ever cut.

One renderer for every table kg prints (``kg query``, ``kg queries``, ``kg analyze``), so they look alike and
honour the same options: ``width`` (``None``: the terminal's, 0: no limit, one line per row) and ``color``
(bold headers; only when the caller has checked it writes to a terminal and colour is not switched off).
Text from graphs goes in as ``rich.text.Text``, never as markup, so ``[bold]`` in a label prints as written.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

#: Width when the output is not a terminal and ``COLUMNS`` is not set.
FALLBACK_WIDTH = 160
#: Past this many rows a table is not read row by row: skip the second pass that adds blank lines between
#: wrapped rows.
_SPACED_ROWS_MAX = 2000


def terminal_width() -> int:
    """The terminal's width in columns (``COLUMNS`` first), or :data:`FALLBACK_WIDTH`."""
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


def render_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    color: bool = False,
) -> str:
    """``rows`` under ``header`` as text that fits ``width`` columns; long cells wrap at spaces (or fold).

    Columns that fit their share keep their natural width and the wide ones share the rest in proportion
    to their length, so a sentence gets more room than a file name. When even that cannot fit (many
    columns, a narrow terminal), each row is printed as a record instead: one ``name  value`` line per
    column, values wrapped. When some row wraps onto several lines, rows are separated by a blank line so
    each reads as one. Trailing spaces are removed, so the same table always gives the same bytes.

    Examples
    --------
    >>> print(render_table(["place", "note"], [["Harbor City", "taken in a week of fighting in the hills"]], width=30))
    place         note
    ──────────────────────────────
    Harbor City   taken in a week
                  of fighting in
                  the hills
    >>> print(render_table(["a"], [["x" * 12]], width=8))  # a long word folds, it is not cut
    a
    ────────
    xxxxxxxx
    xxxx
    >>> print(render_table(["place", "holder", "since", "evidence"], [["Harbor City", "Alpha", "1990",
    ...       "Alpha Front took Harbor City."]], width=24))
    ── 1 ───────────────────
    place     Harbor City
    holder    Alpha
    since     1990
    evidence  Alpha Front
              took Harbor
              City.
    """
    limit = terminal_width() if width is None else width
    if not header:
        return ""
    widths = None if limit <= 0 else column_widths(header, rows, limit)
    if limit > 0 and widths is None:
        return _records(header, rows, limit, color)
    text = _render(header, rows, widths, color, spaced=False)
    lines_per_row = (text.count("\n") - 1) / max(len(rows), 1)
    if rows and lines_per_row > 1 and len(rows) <= _SPACED_ROWS_MAX:
        text = _render(header, rows, widths, color, spaced=True)
    return text


#: Columns between two cells (padding, rule, padding).
_GAP = 3
#: A column narrower than this (or its header) is too narrow to read: print records instead.
_MIN_COLUMN = 10


def column_widths(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """Widths that fit ``width`` in all: narrow columns at their natural width, wide ones sharing the rest
    in proportion to their natural width; ``None`` when the columns cannot each get a readable width.

    >>> column_widths(["a", "sentence"], [["xy", "w " * 40]], 40)
    [2, 35]
    >>> column_widths(["a"] * 12, [["some text"] * 12], 40) is None
    True
    """
    natural = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    budget = width - _GAP * (len(header) - 1)
    if len(header) == 1:
        return [max(1, min(natural[0], width))]
    floor = [min(n, max(len(h), _MIN_COLUMN)) for n, h in zip(natural, header, strict=True)]
    if sum(floor) > budget:
        return None
    widths: list[int | None] = [None] * len(header)
    left, open_ = budget, set(range(len(header)))
    while open_:
        fair = left / len(open_)
        small = [i for i in sorted(open_) if natural[i] <= fair]
        if not small:
            break
        for i in small:
            widths[i] = natural[i]
            left -= natural[i]
            open_.discard(i)
    if open_:
        total = sum(natural[i] for i in open_)
        for i in sorted(open_):
            widths[i] = max(floor[i], left * natural[i] // total)
        while sum(w or 0 for w in widths) > budget:  # the floors took more than their share: take it back
            widest = max(open_, key=lambda i: (widths[i] or 0) - floor[i])
            widths[widest] = (widths[widest] or 0) - 1
    return [w or 0 for w in widths]


def _console(width: int, color: bool) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )


def _finish(console: Console) -> str:
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in out.splitlines()).rstrip("\n")


def _render(
    header: Sequence[str], rows: Sequence[Sequence[str]], widths: list[int] | None, color: bool, spaced: bool
) -> str:
    if widths is None:  # no limit: every cell on one line
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    console = _console(sum(widths) + _GAP * (len(widths) - 1), color)
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        show_lines=spaced,
        header_style="bold" if color else "",
        expand=False,
    )
    for name, w in zip(header, widths, strict=True):
        table.add_column(Text(name), overflow="fold", width=w)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    return _finish(console)


def _records(header: Sequence[str], rows: Sequence[Sequence[str]], width: int, color: bool) -> str:
    """Each row as a block of ``name  value`` lines under a numbered rule (psql's expanded display)."""
    console = _console(width, color)
    key = max(len(h) for h in header)
    for n, row in enumerate(rows, 1):
        console.print(Text(f"── {n} " + "─" * max(0, width - len(str(n)) - 4)))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=key, style="bold" if color else "", no_wrap=True)
        grid.add_column(overflow="fold", width=max(1, width - key - 2))
        for name, cell in zip(header, row, strict=True):
            grid.add_row(Text(name), Text(cell))
        console.print(grid)
    return _finish(console)

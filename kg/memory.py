"""Pausing Python's cyclic garbage collector around allocation bursts.

Building a graph, projecting one for the analysis or extracting a document makes objects by the hundred
thousand and frees them together; every such burst makes CPython re-scan all live objects again and again.
The collector runs once the burst is over instead (what cycles a burst leaves, such as a document's tokens that
point at each other, are collected then).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for the ``with`` block (nested uses keep it paused until the outermost ends)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

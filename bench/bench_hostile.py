"""Hostile graph files given to -g: how long kg takes to refuse them, and the peak memory it needs doing so.

Issue 10's bar: the billion-laughs file and a 1 GB junk file given to -g end with a message within a stated
memory bound, no kill, no abort. Each case runs ``kg query entities -g FILE`` in its own process (``os.wait4``
gives its peak RSS) next to the same command on the small curated seed graph, the baseline measured in the
same run: the difference is what refusing the file cost. The junk files are written to a temporary folder
(about 3 GB of disk for a moment: a sparse gigabyte of zeros costs nothing, the random and text gigabytes do).

Run:  make bench BENCH=hostile      (KG_BENCH_JUNK_MB sets the junk size, default 1024)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tests" / "data" / "seed-curated.ttl"


def _laughs(levels: int = 9) -> str:
    decls = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n ' + "\n ".join(decls) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        f' <rdf:Description rdf:about="http://example.org/a"><ex:p>&lol{levels};</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


def _run(path: Path) -> tuple[int, float, float, str]:
    """(exit code, wall seconds, peak RSS MB, last stderr line) of ``kg query entities -g path``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "query", "entities", "-g", str(path), "-f", "csv"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    lines = err.strip().splitlines()
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def _fill(path: Path, size: int, block: bytes) -> None:
    with path.open("wb") as fh:
        for _ in range(size // len(block)):
            fh.write(block)


def main() -> None:
    mb = int(os.environ.get("KG_BENCH_JUNK_MB", "1024"))
    size = mb << 20
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: list[tuple[str, Path]] = [("seed graph (baseline)", CURATED)]
        laughs = folder / "laughs.rdf"
        laughs.write_text(_laughs(10), encoding="utf-8")
        cases.append((f"billion laughs ({laughs.stat().st_size} bytes RDF/XML, 30 GB expanded)", laughs))
        sparse = folder / "zeros.ttl"
        with sparse.open("wb") as fh:
            fh.truncate(size)
        cases.append((f"{mb} MB of zeros (.ttl)", sparse))
        noise = folder / "random.jsonld"
        _fill(noise, size, os.urandom(1 << 20))
        cases.append((f"{mb} MB of random bytes (.jsonld)", noise))
        letters = folder / "letters.ttl"
        _fill(letters, size, b"a" * (1 << 20))
        cases.append((f"{mb} MB of one letter, no newline (.ttl)", letters))
        text_node = folder / "letters.rdf"
        with text_node.open("wb") as fh:
            fh.write(b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">')
        with text_node.open("ab") as fh:
            for _ in range(mb):
                fh.write(b"a" * (1 << 20))
        cases.append((f"{mb} MB text node in RDF/XML (.rdf)", text_node))
        print(f"load average at start {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores, shared)")
        print(f"  {'file':<52} {'exit':>4} {'seconds':>8} {'peak MB':>8} {'over baseline':>13}  message")
        base = None
        worst = 0.0
        for label, path in cases:
            code, wall, rss, message = _run(path)
            base = rss if base is None else base
            worst = max(worst, rss)
            print(f"  {label:<52} {code:>4} {wall:8.1f} {rss:8.0f} {rss - base:13.0f}  {message[:110]}")
        print(f"every hostile file refused with exit 1 within {worst:.0f} MB peak RSS (baseline {base:.0f} MB)")


if __name__ == "__main__":
    main()

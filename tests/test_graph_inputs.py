"""Hostile and broken graphs given to -g: each ends with a one-line message, in bounded memory, never a crash.

Cases from issue 10: an RDF/XML "billion laughs" (1 KB that expanded to gigabytes until the kernel killed kg),
JSON-LD nested deep enough to overflow the parser's stack (a segfault), RDF/XML nested deep enough to take
minutes, gigabytes of junk, a token longer than the parsers' buffer, empty and corrupt store folders. Every
case runs the real CLI in a process limited to :data:`ADDRESS_SPACE` bytes of address space: a reader that
tried to expand or load the junk would die, not print a message.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tests" / "data" / "seed-curated.ttl"
#: The memory bound the README states for reading any graph file: 1 GiB of address space.
ADDRESS_SPACE = 1 << 30
READERS = [
    ("query", "entities", "-g"),
    ("analyze", "-g"),
    ("viz", "-o", "{tmp}/page.html", "-g"),
]


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        preexec_fn=_limited,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _read(tmp_path: Path, path: Path, reader: tuple[str, ...] = READERS[0]) -> str:
    """Run a reading command on ``path``; returns its one-line message (exit 1 checked)."""
    args = [a.format(tmp=tmp_path) for a in reader]
    proc = _kg(*args, str(path))
    assert proc.returncode == 1, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 400, proc.stderr[:2000]
    return lines[0]


def _laughs(levels: int = 9) -> str:
    decls = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n ' + "\n ".join(decls) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        f' <rdf:Description rdf:about="http://example.org/a"><ex:p>&lol{levels};</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


@pytest.mark.parametrize(
    ("reader", "suffix"), [(READERS[0], ".rdf"), (READERS[0], ".owl"), (READERS[1], ".xml"), (READERS[2], ".rdf")]
)
def test_billion_laughs_is_refused_in_bounded_memory(tmp_path: Path, reader: tuple[str, ...], suffix: str) -> None:
    bomb = tmp_path / f"laughs{suffix}"
    bomb.write_text(_laughs(), encoding="utf-8")
    assert bomb.stat().st_size < 1300
    message = _read(tmp_path, bomb, reader)
    assert "laughs" in message and "entities would expand to 3.0 GB" in message


def test_a_quadratic_blowup_of_one_large_entity_is_refused(tmp_path: Path) -> None:
    big = "x" * 10_000
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY big "{big}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        f' <rdf:Description rdf:about="http://example.org/a"><ex:p>{"&big;" * 2000}</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )
    path = tmp_path / "quad.rdf"
    path.write_text(doc, encoding="utf-8")
    assert "would expand" in _read(tmp_path, path)


@pytest.mark.parametrize(
    ("decl", "why"),
    [
        ('<!ENTITY secret SYSTEM "file:///etc/passwd">', "external entities"),
        ('<!ENTITY % p "x">', "parameter entity"),
        ('<!ENTITY a "&b;"> <!ENTITY b "&a;">', "refers to itself"),
    ],
)
def test_external_parameter_and_recursive_entities_are_refused(tmp_path: Path, decl: str, why: str) -> None:
    name = decl.split()[1] if "%" not in decl else "a"
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ {decl} ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        f' <rdf:Description rdf:about="http://example.org/a"><ex:p>&{name};</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )
    path = tmp_path / "ent.rdf"
    path.write_text(doc, encoding="utf-8")
    assert why in _read(tmp_path, path)


def test_an_ontology_that_abbreviates_iris_with_entities_still_loads(tmp_path: Path) -> None:
    doc = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY ex "https://w3id.org/kg-news/entity/">\n'
        ' <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#">\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="&rdfs;">\n'
        ' <rdf:Description rdf:about="&ex;Oskbridge"><rdfs:label>Oskbridge &amp; around</rdfs:label>'
        "</rdf:Description>\n</rdf:RDF>\n"
    )
    path = tmp_path / "onto.rdf"
    path.write_text(doc, encoding="utf-8")
    proc = _kg("query", "SELECT ?l WHERE { ?s rdfs:label ?l }", "-g", str(path), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert "Oskbridge & around" in proc.stdout


@pytest.mark.parametrize("reader", READERS, ids=[r[0] for r in READERS])
def test_json_ld_nested_past_the_parsers_stack_is_refused(tmp_path: Path, reader: tuple[str, ...]) -> None:
    n = 20_000  # pyoxigraph's JSON-LD parser overflowed the stack (SIGSEGV) from about 5,000 levels
    path = tmp_path / "deep.jsonld"
    path.write_text(
        '{"@id": "http://example.org/a", "http://example.org/p": '
        + '{"http://example.org/p": ' * n
        + "1"
        + "}" * (n + 1)
    )
    assert "nested more than" in _read(tmp_path, path, reader)


def test_rdf_xml_nested_thousands_deep_is_refused(tmp_path: Path) -> None:
    n = 5_000  # parsing time grows with the square of the depth: minutes at 200,000
    rdf = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
    body = "<rdf:Description>" + "<ex:p><rdf:Description>" * n + "</rdf:Description></ex:p>" * n
    path = tmp_path / "deep.rdf"
    path.write_text(rdf + body + "</rdf:Description></rdf:RDF>")
    assert "nested more than" in _read(tmp_path, path)


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf"])
def test_a_gigabyte_of_junk_is_a_message(tmp_path: Path, suffix: str) -> None:
    junk = tmp_path / f"junk{suffix}"
    with junk.open("wb") as fh:  # a sparse gigabyte: zeros on disk cost nothing
        fh.truncate(1 << 30)
    assert "binary data" in _read(tmp_path, junk)
    noise = tmp_path / f"noise{suffix}"
    noise.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(1 << 16)) * 64)
    assert "not valid" in _read(tmp_path, noise)


@pytest.mark.parametrize(
    ("suffix", "prefix"),
    [(".ttl", b""), (".ttl", b'<http://e/a> <http://e/p> "'), (".jsonld", b'{"@id": "'), (".rdf", b"")],
)
def test_a_token_longer_than_the_parsers_buffer_is_one_short_line(tmp_path: Path, suffix: str, prefix: bytes) -> None:
    if suffix == ".rdf":
        prefix = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    path = tmp_path / f"long{suffix}"
    path.write_bytes(prefix + b"a" * (40 << 20))
    message = _read(tmp_path, path)
    assert str(path) in message


def test_an_empty_store_folder_is_a_message(tmp_path: Path) -> None:
    store = tmp_path / "g.oxigraph"
    store.mkdir()
    assert "empty folder" in _read(tmp_path, store)
    assert "empty folder" in _read(tmp_path, store, READERS[1])


def test_a_corrupt_store_is_a_message(tmp_path: Path) -> None:
    store = tmp_path / "g.oxigraph"
    store.mkdir()
    (store / "CURRENT").write_text("garbage\n")
    (store / "IDENTITY").write_text("x\n")
    assert "not a readable Oxigraph store" in _read(tmp_path, store)


def test_a_folder_that_is_no_store_is_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    assert "not a .oxigraph store" in _read(tmp_path, folder)


def test_a_good_graph_still_reads_under_the_same_limit(tmp_path: Path) -> None:
    proc = _kg("query", "entities", "-g", str(CURATED), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert "Northern Alliance" in proc.stdout

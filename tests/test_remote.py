"""``kg push`` and ``--endpoint`` against a real Oxigraph server started here (PyPI ``oxigraph``), and against
tiny real HTTP servers that are down, slow, fail with 500 or want credentials: each gives a clear message."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from kg.cli import main
from kg.query import catalogue, check, csv_rows

TEXTS = {
    "a.txt": "Rebel fighters captured the town of Vellmar on 3 March 2004.\n\nThe army later retook Vellmar.",
    "b.txt": "Government troops advanced on Dorrisk in May 2006. The Northern Front controlled Dorrisk.",
    "c.txt": "The Coastal Brigade defected to the Northern Front in 2007.\n\nForeign officers advised the brigade.",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not os.path.exists(found):
        msg = "oxigraph server not installed: pip install oxigraph (make setup does this)"
        if os.environ.get("KG_REQUIRE_TOOLS"):
            pytest.fail(msg)
        pytest.skip(msg)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on a free 127.0.0.1 port, stopped afterwards."""
    port = _free_port()
    data = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen(
        [_oxigraph_binary(), "serve", "--location", str(data / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the oxigraph server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def built(nlp, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("texts")
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = folder / "g.nq"
    assert main(["build", str(folder), "-o", str(out), "-q"]) == 0
    return out


def _params(graph: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    assert main(["query", "entities", "-g", str(graph), "-f", "csv"]) == 0
    table = csv_rows(capsys.readouterr().out.encode())
    place = next(r[2] for r in table[1:] if r[0].endswith(("GPE", "Place")))
    agent = next(r[2] for r in table[1:] if r[0].endswith(("Group", "Person")))
    return {
        "who-controls": ["--param", f"place={place}"],
        "timeline": ["--param", f"place={place}"],
        "controlled-by": ["--param", f"agent={agent}"],
        "profile": ["--param", f"entity={place}"],
    }


def test_push_then_query_endpoint_gives_the_rows_of_the_file(  # type: ignore[no-untyped-def]
    server: str, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["push", "-g", str(built), "--to", server + "/store", "-f", "json", "-q"]) == 0
    assert '"graphs": 3' in capsys.readouterr().out
    assert main(["push", "-g", str(built), "--to", server + "/store", "-q"]) == 0  # again: replaces, no doubles
    needs = _params(built, capsys)
    compared = 0
    for name, query in catalogue().items():
        extra = needs.get(name, [])
        if any(p.required for p in query.params) and not extra:
            continue
        fmt = "ttl" if check(query.text).kind in ("CONSTRUCT", "DESCRIBE") else "csv"
        assert main(["query", name, "-g", str(built), "-f", fmt, *extra]) == 0, name
        local = capsys.readouterr().out
        assert main(["query", name, "--endpoint", server + "/query", "-f", fmt, *extra]) == 0, name
        remote = capsys.readouterr().out
        assert remote == local, name
        compared += 1
    assert compared == len(catalogue())
    assert main(["analyze", "-g", str(built), "-f", "json"]) == 0
    local = capsys.readouterr().out
    assert main(["analyze", "--endpoint", server + "/query", "-f", "json"]) == 0
    assert capsys.readouterr().out == local


def test_viz_reads_an_endpoint(server: str, built: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert main(["push", "-g", str(built), "--to", server + "/store", "-q"]) == 0
    for name, source in (("remote", ["--endpoint", server + "/query"]), ("local", ["-g", str(built)])):
        assert main(["viz", *source, "-o", str(tmp_path / f"{name}.json"), "--title", "t", "-q"]) == 0
    remote = (tmp_path / "remote.json").read_bytes()
    assert remote == (tmp_path / "local.json").read_bytes() and b"Vellmar" in remote


def test_report_reads_an_endpoint(server: str, built: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert main(["push", "-g", str(built), "--to", server + "/store", "-q"]) == 0
    for name, source in (("remote", ["--endpoint", server + "/query"]), ("local", ["-g", str(built)])):
        assert main(["report", *source, "-o", str(tmp_path / f"{name}.html"), "--title", "t", "-q"]) == 0
    remote = (tmp_path / "remote.html").read_bytes()
    assert remote == (tmp_path / "local.html").read_bytes() and b'id="map-svg"' in remote


class _Handler(http.server.BaseHTTPRequestHandler):
    mode = "500"
    seen_auth: ClassVar[list[str]] = []

    def _answer(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up (the slow case)
            self._reply()

    def _reply(self) -> None:
        self.seen_auth.append(self.headers.get("Authorization", ""))
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "auth" and not self.headers.get("Authorization"):
            self.send_response(401)
            self.end_headers()
            return
        if self.mode == "auth":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head": {}, "boolean": false}')
            return
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"database is locked\n")

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("H", (_Handler,), {"seen_auth": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_server_failures_are_messages(  # type: ignore[no-untyped-def]
    built: Path, fake: tuple[str, type[_Handler]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = fake
    handler.mode = "500"
    assert "answered HTTP 500" in _error(capsys, ["push", "-g", str(built), "--to", url + "/store"])
    assert "database is locked" in _error(capsys, ["query", "entities", "--endpoint", url + "/query"])
    handler.mode = "slow"
    err = _error(capsys, ["query", "entities", "--endpoint", url + "/query", "--timeout", "1"])
    assert "did not answer within 1 s" in err or "timeout" in err
    err = _error(capsys, ["push", "-g", str(built), "--to", url + "/store", "--timeout", "1"])
    assert "did not answer within 1 s" in err
    down = f"http://127.0.0.1:{_free_port()}"
    assert "cannot reach" in _error(capsys, ["push", "-g", str(built), "--to", down + "/store"])
    assert "cannot reach" in _error(capsys, ["analyze", "--endpoint", down + "/query"])
    assert "credentials in the URL are refused" in _error(capsys, ["query", "entities", "--endpoint", "http://u:p@h/q"])


def test_credentials_come_from_environment_or_netrc(  # type: ignore[no-untyped-def]
    built: Path, fake: tuple[str, type[_Handler]], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch
) -> None:
    url, handler = fake
    handler.mode = "auth"
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    assert "needs credentials" in _error(capsys, ["query", "entities", "--endpoint", url + "/query"])
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login analyst password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    main(["query", "ASK { ?s ?p ?o }", "--endpoint", url + "/query"])
    assert handler.seen_auth[-1] == "Basic YW5hbHlzdDpzM2NyZXQ="  # analyst:s3cret
    monkeypatch.setenv("KG_ENDPOINT_USER", "envuser")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "pw")
    main(["query", "ASK { ?s ?p ?o }", "--endpoint", url + "/query"])
    assert handler.seen_auth[-1] == "Basic ZW52dXNlcjpwdw=="  # envuser:pw

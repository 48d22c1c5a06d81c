"""Building on more than one process: ``--jobs N`` and a real two-worker Dask ``LocalCluster`` give the same
bytes as one process, also when a worker is killed mid-run (Dask reruns its tasks; the merge drops repeats)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from kg.build import build_dataset
from kg.cli import main
from kg.model import Document

SENTENCES = (
    "Rebel fighters captured the town of {place} in {year}.",
    "Government troops advanced on {place} after the rebels withdrew.",
    "The {side} Front controlled {place} for two months in {year}.",
    "Foreign officers advised the {side} Front during the siege of {place}.",
)
PLACES = ("Vellmar", "Dorrisk", "Ossin", "Kaltberg", "Mirrow", "Tansk", "Orlova", "Bessin")
SIDES = ("Northern", "Coastal", "Eastern", "Highland")


def _documents(n: int) -> list[Document]:
    import hashlib

    docs = []
    for i in range(n):
        text = " ".join(
            s.format(place=PLACES[(i + j) % len(PLACES)], side=SIDES[(i + j) % len(SIDES)], year=1990 + i)
            for j, s in enumerate(SENTENCES)
        )
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        docs.append(Document(text=text, source=f"report-{i:02d}.txt", sha256=sha))
    return docs


def test_jobs_two_gives_the_bytes_of_one_process(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    for d in _documents(20):
        (folder / d.source).write_text(d.text, encoding="utf-8")
    one, two = tmp_path / "one.nq", tmp_path / "two.nq"
    assert main(["build", str(folder), "-o", str(one), "-q"]) == 0
    assert main(["build", str(folder), "-o", str(two), "-q", "--jobs", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()


def test_two_worker_dask_cluster_survives_a_killed_worker(nlp) -> None:  # type: ignore[no-untyped-def]
    from contextlib import ExitStack

    from kg.distributed import client_for, dask_results

    docs = _documents(24)
    expected, _ = build_dataset(docs)
    with ExitStack() as stack:
        client = client_for(workers=2, stack=stack)
        workers = sorted(client.scheduler_info()["workers"])
        assert len(workers) == 2
        received = []
        killed = False
        for result in dask_results(docs, client, batch_size=2):
            received.append(result)
            if not killed:
                # the worker process dies at once (the call loses its connection, as it should); its nanny
                # starts a new one and Dask reruns the tasks it held
                with contextlib.suppress(Exception):
                    client.run(os._exit, 1, workers=[workers[0]])
                killed = True
        assert killed and len(received) >= len(docs)  # every document came back, some maybe twice
        assert workers[0] not in client.scheduler_info()["workers"]  # the first worker really died mid-run
    lines, stats = build_dataset([], results=received)
    assert lines == expected
    assert stats.documents == len(docs)


def test_unreachable_scheduler_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Rebel fighters captured the town of Vellmar.", encoding="utf-8")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    import kg.distributed

    old = kg.distributed.CONNECT_TIMEOUT
    kg.distributed.CONNECT_TIMEOUT = 3
    try:
        code = main(["build", str(src), "-o", str(tmp_path / "g.nq"), "--scheduler", f"tcp://127.0.0.1:{port}"])
    finally:
        kg.distributed.CONNECT_TIMEOUT = old
    assert code == 1
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err

"""Beyond one machine: document batches mapped over a Dask cluster.

Each task is :func:`kg.build.process_batch`: a worker parses a batch of documents and returns each
document's named graph as N-Quads lines; the client merges them (:func:`kg.rdf.dataset.merge`), so the
result equals the single-process build byte for byte. A task whose worker dies is run again by Dask
elsewhere; the merge drops anything seen twice, so nothing is lost or duplicated. Entities are keyed by
canonical name, so workers never need to talk to each other.

``--workers N`` starts a local cluster of N single-threaded worker processes; ``--scheduler ADDRESS``
uses a running one (``dask scheduler`` on one machine, ``dask worker ADDRESS`` on each of the others,
every worker with kg and its model installed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

from kg.build import BATCH_SIZE, DocResult, batches, process_batch
from kg.errors import KGError
from kg.model import Document

log = logging.getLogger(__name__)

#: How long to wait for a scheduler to answer before saying it cannot be reached.
CONNECT_TIMEOUT = 20


def client_for(workers: int | None = None, scheduler: str | None = None, stack: ExitStack | None = None) -> Any:
    """A ``dask.distributed.Client``: to the scheduler at ``scheduler``, or to a new local cluster of ``workers``
    single-threaded processes. Closed with ``stack`` when given."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a dependency
        raise KGError("Dask is not installed: pip install 'dask[distributed]' (make setup does this)") from None
    own = stack if stack is not None else ExitStack()
    _quiet_dask()
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise KGError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc.__class__.__name__}): start one with "
                "'dask scheduler' and workers with 'dask worker ADDRESS', or use --workers N for a local cluster"
            ) from None
        except ValueError as exc:
            raise KGError(
                f"--scheduler {scheduler!r} is not a scheduler address ({exc}); e.g. tcp://HOST:8786"
            ) from None
        own.callback(client.close)
        return client
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: several people build on one machine
        silence_logs=logging.ERROR,
    )
    own.callback(cluster.close)
    client = Client(cluster)  # type: ignore[no-untyped-call]
    own.callback(client.close)
    return client


def _quiet_dask() -> None:
    """Dask logs every worker start and stop at INFO; kg shows them only with -v."""
    if logging.getLogger().isEnabledFor(logging.INFO):
        return
    for name in ("distributed", *(n for n in logging.root.manager.loggerDict if n.startswith("distributed."))):
        logging.getLogger(name).setLevel(logging.ERROR)


def dask_results(
    docs: list[Document],
    client: Any,
    min_confidence: float = 0.0,
    batch_size: int = BATCH_SIZE,
) -> Iterator[DocResult]:
    """Every document's result, computed on the cluster behind ``client``, in the order batches finish."""
    from dask.distributed import as_completed

    work = list(batches(docs, batch_size))
    if not work:
        return
    futures = client.map(process_batch, work, min_confidence=min_confidence, pure=False)
    try:
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield from future.result()
    finally:
        client.cancel(futures)

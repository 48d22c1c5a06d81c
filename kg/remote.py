"""SPARQL servers: push per-document graphs (Graph Store Protocol) and read from any SPARQL 1.1 endpoint.

``kg push`` PUTs each document's named graph (so pushing again replaces it), the union of all of them into
:data:`kg.rdf.mapping.UNION_GRAPH`, and the ontology into a graph named by its IRI. Readers
(``--endpoint URL``) send kg's queries through rdflib's ``SPARQLStore`` (parameters bound with
``initBindings``, after the same safety check as local graphs), and use the union graph as the default
graph when the server has it (``default-graph-uri``): a server's own "union default graph" repeats a
triple once per graph it is in, which would change every count.

Credentials come from ``KG_ENDPOINT_USER``/``KG_ENDPOINT_PASSWORD`` or a netrc entry for the host
(``~/.netrc`` or ``$NETRC``), never from the command line: a URL with ``user:password@`` is refused.
Every failure of the server (down, slow, an HTTP error) is a :class:`~kg.errors.KGError` naming the URL.
"""

from __future__ import annotations

import base64
import io
import netrc
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result

from kg.errors import KGError
from kg.rdf import dataset as ds

DEFAULT_TIMEOUT = 30.0
USER_ENV, PASSWORD_ENV = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"


def check_url(url: str, option: str) -> urllib.parse.SplitResult:
    """An http(s) URL without credentials in it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KGError(f"{option} {url!r} is not an http(s) URL; e.g. {option} http://127.0.0.1:7878/query")
    if parts.username or parts.password:
        raise KGError(
            f"{option}: credentials in the URL are refused (they end up in shell history and process lists); "
            f"set {USER_ENV} and {PASSWORD_ENV}, or put the host in ~/.netrc"
        )
    return parts


def credentials(url: str) -> tuple[str, str] | None:
    """(user, password) for ``url``'s host: from the environment, else from a netrc file; ``None`` if neither."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user:
        return user, password or ""
    host = urllib.parse.urlsplit(url).hostname or ""
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise KGError(f"cannot read the netrc file {path}: {exc}") from None
    if entry is None:
        return None
    login, _, secret = entry
    return login, secret or ""


def request(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> tuple[bytes, str]:
    """One HTTP request with kg's errors; returns (body, content type)."""
    hdrs = dict(headers or {})
    auth = credentials(url)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        hdrs["Authorization"] = f"Basic {token}"
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    where = url.split("?", 1)[0]
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.read(), res.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        body = exc.read()[:300].decode("utf-8", "replace").strip().splitlines()
        detail = f": {body[0]}" if body else ""
        if exc.code in (401, 403):
            raise KGError(
                f"{where} answered {exc.code} {exc.reason}: it needs credentials kg may use; set {USER_ENV} and "
                f"{PASSWORD_ENV}, or add the host to ~/.netrc"
            ) from None
        raise KGError(f"{where} answered HTTP {exc.code} {exc.reason}{detail}") from None
    except TimeoutError:
        raise KGError(
            f"{where} did not answer within {timeout:g} s; check the server, or allow more time with --timeout"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise KGError(
                f"{where} did not answer within {timeout:g} s; check the server, or allow more time with --timeout"
            ) from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise KGError(f"cannot reach {where} ({text}): is the server running, and is the URL right?") from None
    except (ConnectionError, OSError) as exc:
        raise KGError(f"cannot reach {where} ({exc.__class__.__name__}: {exc}): is the server running?") from None


# ---------------------------------------------------------------------------------------------- push


def put_graph(store_url: str, graph: str, body: bytes, content_type: str, timeout: float | None) -> None:
    """PUT one graph through the SPARQL 1.1 Graph Store HTTP Protocol (replacing what the server had)."""
    sep = "&" if "?" in store_url else "?"
    url = store_url + sep + urllib.parse.urlencode({"graph": graph})
    request(url, method="PUT", data=body, headers={"Content-Type": content_type}, timeout=timeout)


def push(lines: ds.Lines, store_url: str, timeout: float | None = DEFAULT_TIMEOUT) -> dict[str, int]:
    """PUT every document graph of ``lines``, their union and the ontology to ``store_url``; returns counts."""
    from kg.rdf.mapping import ONTOLOGY_GRAPH, UNION_GRAPH
    from kg.resources import ontology_dir

    check_url(store_url, "--to")
    documents = 0
    for name, triples in ds.graphs(lines).items():
        if not name:
            continue  # default-graph triples are in the union below
        put_graph(store_url, name.decode()[1:-1], b"".join(sorted(triples)), "application/n-triples", timeout)
        documents += 1
    union = ds.flatten(lines)
    put_graph(store_url, str(UNION_GRAPH), b"".join(union), "application/n-triples", timeout)
    ontology = (ontology_dir() / "kg.ttl").read_bytes()
    put_graph(store_url, str(ONTOLOGY_GRAPH), ontology, "text/turtle", timeout)
    return {"graphs": documents, "triples": len(union)}


# ---------------------------------------------------------------------------------------------- reading


class EndpointStore(SPARQLStore):
    """rdflib's ``SPARQLStore`` (it binds ``initBindings`` as a ``VALUES`` block) over kg's HTTP client:
    timeouts, credentials, errors that name the endpoint, and kg's union graph as the default graph."""

    def __init__(self, url: str, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        check_url(url, "--endpoint")
        super().__init__(query_endpoint=url, returnFormat="json")
        self.kg_url = url
        self.kg_timeout = timeout
        self.kg_default_graph: str | None = None
        self._probe()

    def _probe(self) -> None:
        from kg.rdf.mapping import UNION_GRAPH

        body, _ = self._send(f"ASK {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}", None, "application/sparql-results+json")
        if b"true" in body:
            self.kg_default_graph = str(UNION_GRAPH)

    def _send(self, query: str, default_graph: str | None, accept: str) -> tuple[bytes, str]:
        params = {"default-graph-uri": default_graph} if default_graph else {}
        url = self.kg_url + (("&" if "?" in self.kg_url else "?") + urllib.parse.urlencode(params) if params else "")
        return request(
            url,
            method="POST",
            data=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
            timeout=self.kg_timeout,
        )

    def _query(self, query: str, default_graph: str | None = None, named_graph: str | None = None) -> Result:
        from kg.query import check

        kind = check(query).kind
        if kind in ("CONSTRUCT", "DESCRIBE"):
            body, ctype = self._send(query, self.kg_default_graph, "application/n-triples, text/turtle;q=0.9")
            g = Graph()
            g.parse(data=body, format="turtle" if "turtle" in ctype else "nt")
            result = Result(kind)
            result.graph = g
            return result
        body, ctype = self._send(query, self.kg_default_graph, "application/sparql-results+json")
        try:
            return Result.parse(io.BytesIO(body), content_type="application/sparql-results+json")
        except Exception as exc:
            raise KGError(
                f"{self.kg_url} answered something that is not SPARQL JSON results ({ctype}): {exc}"
            ) from None


def endpoint_graph(url: str, timeout: float | None = DEFAULT_TIMEOUT) -> Graph:
    """An rdflib ``Graph`` whose queries run on the SPARQL endpoint at ``url``."""
    from kg.rdf.namespace import PREFIXES

    graph = Graph(store=EndpointStore(url, timeout))
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def fetch_graph(url: str, timeout: float | None = DEFAULT_TIMEOUT) -> Graph:
    """Everything the endpoint's (union) default graph holds, copied into a local Oxigraph-backed graph."""
    import pyoxigraph as ox

    from kg.rdf.store import new_graph, ox_store

    store = EndpointStore(url, timeout)
    body, ctype = store._send(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", store.kg_default_graph, "application/n-triples"
    )
    graph = new_graph()
    fmt = ox.RdfFormat.TURTLE if "turtle" in ctype else ox.RdfFormat.N_TRIPLES
    try:
        ox_store(graph).bulk_load(body, format=fmt)
    except SyntaxError as exc:
        raise KGError(f"{url} answered a graph kg cannot parse: {exc}") from None
    return graph


def open_graph(args: Any) -> Graph:
    """The graph a reading command works on: ``--endpoint URL`` or ``-g GRAPH``."""
    from kg.rdf.store import load_graph

    endpoint = getattr(args, "endpoint", None)
    if endpoint:
        return endpoint_graph(endpoint, getattr(args, "timeout", None) or DEFAULT_TIMEOUT)
    return load_graph(args.graph)

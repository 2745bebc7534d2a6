"""The read-only SPARQL 1.1 endpoint: pyoxigraph in memory, loaded from the store, over HTTP.

``govplat sparql serve`` loads the configured store into an in-memory pyoxigraph store (the
RDF view of :mod:`graph.rdf`, named graphs per source included) and serves, on one port:

==========================  ======================================================================
``/sparql``                 SPARQL 1.1 Protocol: GET ``?query=``, POST form (``query=``) or direct
                            ``application/sparql-query`` body; ``default-graph-uri`` /
                            ``named-graph-uri``; SELECT/ASK as SPARQL JSON, XML, CSV or TSV,
                            CONSTRUCT/DESCRIBE as Turtle, JSON-LD or N-Triples (Accept header, or
                            ``format=``); without a query, the service description
``/id/<id>``                the entity's page: HTML for people, Turtle / JSON-LD / N-Triples for
                            machines (content negotiation); 404 for unknown ids
``/.well-known/void``       VoID description of the dataset
``/context.jsonld``         the JSON-LD context of the exports
``/ontology``               ontology.ttl
``POST /refresh``           reload from the store (queries in flight finish on the old data)
==========================  ======================================================================

The default graph is the RDF view (as ``govplat export``); each source's named graph holds what
that source supports, and ``<https://w3id.org/govplat/ontology>`` holds ontology.ttl.

Read only: SPARQL Update gets 403 and federated ``SERVICE`` 400. Every query has a timeout and
a row cap, and results stream as they are made. ``serve`` runs queries in worker processes
(graph/rdf_pool.py) that each load the data: past its timeout a query gets 503 and its worker
is killed and replaced, so a runaway query never keeps a core busy and the server stays up.
(An :class:`Endpoint` without worker processes, as the CLI's one-off ``sparql query`` uses,
runs queries in threads and can only abandon a query past its timeout.)
The server is the standard library's ThreadingHTTPServer (one thread per connection, a listen
backlog for bursts); the store file is opened only while loading, so ingest is never blocked.
"""
from __future__ import annotations

import io
import json
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from graph.errors import GovplatError, StoreBusyError
from graph.rdf_results import FORMAT_ALIASES, GRAPH_MEDIA, RESULT_MEDIA, RESULT_WRITERS, negotiate
from graph.rdf_terms import PREFIXES, from_ox

__all__ = ["Dataset", "Endpoint", "Limits", "load_dataset", "serve", "make_server", "check_query",
           "QueryRefused", "DEFAULT_PORT", "run_query"]

DEFAULT_PORT = 3030
ONTOLOGY_GRAPH = "https://w3id.org/govplat/ontology"
_CHUNK = 1 << 15
_MAX_BODY = 1 << 20


class QueryRefused(GovplatError):
    """A request the endpoint will not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


# ---------------------------------------------------------------------------- the data
@dataclass
class Dataset:
    store: ox.Store
    quads: int
    loaded_at: float
    seconds: float
    relations_mode: str
    named_graphs: bool
    path: str | None = None  # the N-Quads file it was loaded from (worker processes load it too)
    _cache: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def discard(self) -> None:
        """Forget the spool file (its folder is removed)."""
        if self.path:
            import shutil
            from pathlib import Path

            shutil.rmtree(Path(self.path).parent, ignore_errors=True)
            self.path = None

    def cached(self, key: str, make: Callable):
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]


class _ChunkReader(io.RawIOBase):
    """A binary file over an iterator of byte chunks, so pyoxigraph parses while we produce."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buf:
            try:
                self._buf = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _nquads_chunks(entities, relations, mode: str, named_graphs: bool, counter: list) -> Iterator[bytes]:
    from graph.rdf import groups
    from graph.rdf_write import NQuadsWriter

    chunks: list[bytes] = []

    class _Sink:
        def write(self, data: bytes) -> None:
            chunks.append(data)

    w = NQuadsWriter(_Sink())
    for g, s, pos in groups(entities, relations, mode=mode, named_graphs=named_graphs):
        w.group(g, s, pos)
        if chunks:
            yield from chunks
            chunks.clear()
    w.finish()
    yield from chunks
    counter.append(w.count)


def dataset_from_records(entities, relations, *, relations_mode: str = "reified",
                         named_graphs: bool = True, spool: bool = False) -> Dataset:
    """Load records (e.g. ``Store.dump()``) into a fresh in-memory pyoxigraph store.

    With ``spool`` the N-Quads are written to a temporary file first (worker processes load
    the same file); otherwise they stream straight into the store.
    """
    from graph.ontology import ONTOLOGY_PATH

    t0 = time.perf_counter()
    store = ox.Store()
    counter: list[int] = []  # statements written (kept for callers that want it)
    chunks = _nquads_chunks(entities, relations, relations_mode, named_graphs, counter)
    path = None
    if spool:
        import tempfile
        from pathlib import Path

        path = str(Path(tempfile.mkdtemp(prefix="govplat-sparql-")) / "data.nq")
        with open(path, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    else:
        reader = io.BufferedReader(_ChunkReader(chunks), buffer_size=1 << 16)
        store.bulk_load(reader, format=ox.RdfFormat.N_QUADS)
    # The ontology rides along in its own named graph, for queries over classes and properties.
    store.load(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    return Dataset(store, len(store), time.time(), time.perf_counter() - t0, relations_mode, named_graphs, path)


def load_dataset(*, relations_mode: str = "reified", named_graphs: bool = True, open_store=None,
                 spool: bool = False) -> Dataset:
    """Open the configured store read-only, load it, close it again."""
    if open_store is None:
        from graph.stores import open_store
    with open_store(read_only=True) as store:
        entities, relations = store.dump()
        return dataset_from_records(entities, relations, relations_mode=relations_mode, named_graphs=named_graphs,
                                    spool=spool)


# ---------------------------------------------------------------------------- query checks
_COMMENT_OR_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*', re.S)
_PROLOGUE = re.compile(r"^\s*(?:(?:BASE\s+\S+|PREFIX\s+\S*:\s*\S+)\s*)*", re.I)
_UPDATE = re.compile(r"^(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b(?!\s*:)", re.I)


def check_query(text: str) -> None:
    """Refuse what a read-only, self-contained endpoint must not run (before parsing)."""
    if not text or not text.strip():
        raise QueryRefused("empty query", 400)
    bare = _COMMENT_OR_STRING.sub(lambda m: "<>" if m.group(0).startswith("<") else " ", text)
    body = _PROLOGUE.sub("", bare)
    if _UPDATE.match(body.lstrip()):
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted", 403)
    if _SERVICE.search(bare):
        raise QueryRefused("federated queries (SERVICE) are not allowed on this endpoint", 400)


# ---------------------------------------------------------------------------- running queries
@dataclass
class Limits:
    timeout: float = 30.0      # seconds per query
    max_rows: int = 10000      # rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per result
    workers: int = 4           # queries evaluated at once


class _Job:
    """Messages from a worker to the request thread: head, data..., end | error."""

    def __init__(self):
        self.q: queue.Queue = queue.Queue(maxsize=64)
        self.cancelled = threading.Event()

    def put(self, msg) -> bool:
        while not self.cancelled.is_set():
            try:
                self.q.put(msg, timeout=0.25)
                return True
            except queue.Full:
                continue
        return False


class _JobOutput:
    """A binary sink for the RDF writers: the first write sends the head."""

    def __init__(self, job: _Job, media_type: str):
        self.job, self.media_type, self.started = job, media_type, False

    def write(self, data: bytes) -> None:
        if self.job.cancelled.is_set():
            raise _Cancelled()
        if not self.started:
            self.job.put(("head", self.media_type, {}))
            self.started = True
        self.job.put(("data", bytes(data)))


class _Cancelled(Exception):
    pass


def _graph_writer_format(accept: str | None, fmt: str | None) -> str:
    if fmt:
        if fmt in ("ttl", "jsonld", "nt"):
            return fmt
        raise QueryRefused(f"format {fmt!r} is for SELECT/ASK results; a graph result comes as ttl, jsonld or nt", 406)
    chosen = negotiate(accept, GRAPH_MEDIA, "ttl")
    return chosen or "ttl"


def _result_format(accept: str | None, fmt: str | None) -> str:
    if fmt:
        if fmt in RESULT_WRITERS:
            return fmt
        raise QueryRefused(f"format {fmt!r} is for graph results; SELECT/ASK results come as json, xml, csv or tsv",
                           406)
    return negotiate(accept, RESULT_MEDIA, "json") or "json"


_GRAPH_MEDIA_TYPE = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json",
                     "nt": "application/n-triples"}


def evaluate(job, store: ox.Store, text: str, accept, fmt, default_graphs, named_graphs, max_rows: int) -> None:
    """Run one query on ``store`` and send its result to ``job`` as messages (in a thread of
    this process, or in a worker process: see graph/rdf_pool.py)."""
    if job.cancelled.is_set():
        return  # timed out while waiting for a worker
    try:
        kwargs = {"prefixes": PREFIXES}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(u) for u in default_graphs]
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(u) for u in named_graphs]
        result = store.query(text, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            writer = RESULT_WRITERS[_result_format(accept, fmt)]
            job.put(("head", writer.media_type, {}))
            job.put(("data", writer.boolean(bool(result)).encode()))
            job.put(("end", False))
        elif isinstance(result, ox.QuerySolutions):
            _solutions(job, result, _result_format(accept, fmt), max_rows)
        else:
            _triples(job, result, _graph_writer_format(accept, fmt), max_rows)
    except _Cancelled:
        return
    except QueryRefused as exc:
        job.put(("error", exc.status, str(exc)))
    except SyntaxError as exc:
        job.put(("error", 400, f"SPARQL syntax error: {exc}"))
    except (OSError, ValueError, RuntimeError) as exc:
        job.put(("error", 500 if not isinstance(exc, ValueError) else 400, f"query failed: {exc}"))
    except Exception as exc:  # noqa: BLE001 - a worker must always answer its request
        job.put(("error", 500, f"query failed: {type(exc).__name__}: {exc}"))


def _solutions(job, solutions, fmt: str, cap: int) -> None:
    variables = [v.value for v in solutions.variables]
    writer = RESULT_WRITERS[fmt](variables)
    parts, size, rows, truncated, started = [writer.head()], 0, 0, False, False
    width = range(len(variables))
    for solution in solutions:
        if job.cancelled.is_set():
            return
        if rows >= cap:
            truncated = True
            break
        text = writer.row([None if solution[i] is None else from_ox(solution[i]) for i in width])
        parts.append(text)
        size += len(text)
        rows += 1
        if size >= _CHUNK:
            if not started:
                job.put(("head", writer.media_type, {}))
                started = True
            job.put(("data", "".join(parts).encode("utf-8")))
            parts, size = [], 0
    parts.append(writer.tail(truncated, cap))
    if not started:
        job.put(("head", writer.media_type, {"X-Govplat-Truncated": "true" if truncated else "false",
                                             "X-Govplat-Rows": str(rows)}))
    job.put(("data", "".join(parts).encode("utf-8")))
    job.put(("end", truncated))


def _triples(job, triples, fmt: str, cap: int) -> None:
    from graph.rdf_write import writer_for

    out = _JobOutput(job, _GRAPH_MEDIA_TYPE[fmt])
    writer = writer_for(fmt, out)
    writer.start()
    n, truncated = 0, False
    subject, pos = None, []
    for t in triples:
        if job.cancelled.is_set():
            return
        if n >= cap:
            truncated = True
            break
        s = from_ox(t.subject)
        if s != subject and pos:
            writer.group(None, subject, pos)
            pos = []
        subject = s
        pos.append((from_ox(t.predicate), from_ox(t.object)))
        n += 1
    if pos:
        writer.group(None, subject, pos)
    writer.finish()
    if not out.started:
        job.put(("head", out.media_type, {}))
    job.put(("end", truncated))


def _normal_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    f = fmt.lower()
    for table in (FORMAT_ALIASES, RESULT_MEDIA, GRAPH_MEDIA):
        if f in table:
            return table[f]
    raise QueryRefused(f"unknown format {fmt!r}; use json, xml, csv, tsv (SELECT/ASK) or ttl, jsonld, "
                       "nt (CONSTRUCT/DESCRIBE)", 400)


class Endpoint:
    """The query engine behind the HTTP server (usable without it, e.g. by the dashboard).

    With ``processes`` > 0 queries run in that many worker processes (graph/rdf_pool.py), each
    with its own copy of the data, so a query past its timeout is really stopped: its worker
    is killed and replaced. With 0 they run in threads of this process and a query past its
    timeout is abandoned (it stops at its next row; a blocking step runs on in the background).
    """

    def __init__(self, loader: Callable[[], Dataset], limits: Limits | None = None, *, processes: int = 0):
        self.loader = loader
        self.limits = limits or Limits()
        self.processes = processes
        self._refresh_lock = threading.Lock()
        # In-thread mode: daemon threads (an abandoned query never keeps the process from exiting),
        # at most `workers` evaluating at once.
        self._slots = threading.BoundedSemaphore(max(self.limits.workers, 1))
        self.dataset = loader()
        self.workers = self._start_workers(self.dataset)

    def _start_workers(self, ds: Dataset):
        if not self.processes:
            return None
        from graph.rdf_pool import ProcessPool

        if ds.path is None:
            raise GovplatError("worker processes need a dataset loaded through a file (load_dataset(spool=True))")
        return ProcessPool(ds.path, self.processes)

    def refresh(self) -> Dataset:
        """Reload from the store; queries already running finish on the data they started with."""
        with self._refresh_lock:
            ds = self.loader()
            try:
                workers = self._start_workers(ds)
            except Exception:
                ds.discard()  # keep serving the data we have
                raise
            old_ds, old_workers = self.dataset, self.workers
            self.dataset, self.workers = ds, workers
            if old_workers is not None:
                old_workers.retire()
            old_ds.discard()
            return ds

    def close(self) -> None:
        if self.workers is not None:
            self.workers.retire()
        self.dataset.discard()

    # --------------------------------------------------------------------- jobs
    def submit(self, text: str, *, accept: str | None = None, fmt: str | None = None,
               default_graphs: list[str] | None = None, named_graphs: list[str] | None = None) -> _Job:
        check_query(text)
        fmt = _normal_format(fmt)
        job = _Job()
        args = (text, accept, fmt, default_graphs or [], named_graphs or [], self.limits.max_rows)
        if self.workers is not None:
            self.workers.submit(job, args, time.monotonic() + self.limits.timeout)
        else:
            threading.Thread(target=self._in_thread, args=(job, self.dataset.store, args), daemon=True,
                             name="govplat-sparql-query").start()
        return job

    def _in_thread(self, job: _Job, store: ox.Store, args: tuple) -> None:
        with self._slots:
            evaluate(job, store, *args)

    # --------------------------------------------------------------------- synchronous use
    def select(self, text: str, timeout: float | None = None) -> list[dict]:
        """Run a SELECT and return rows as {variable: term} (terms of graph.rdf_terms)."""
        job = self.submit(text, fmt="json")
        body = _collect(job, timeout or self.limits.timeout)
        doc = json.loads(body)
        return [{k: _term_of_json(v) for k, v in b.items()} for b in doc["results"]["bindings"]]

    def run(self, text: str, *, fmt: str | None = None, accept: str | None = None,
            timeout: float | None = None) -> bytes:
        """Run any query and return the serialised result (raises QueryRefused on errors)."""
        return _collect(self.submit(text, fmt=fmt, accept=accept), timeout or self.limits.timeout)


def _term_of_json(v: dict):
    from graph.rdf_terms import XSD, BNode, IRI, Lit

    if v["type"] == "uri":
        return IRI(v["value"])
    if v["type"] == "bnode":
        return BNode(v["value"])
    if "xml:lang" in v:
        return Lit(v["value"], "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", v["xml:lang"])
    return Lit(v["value"], v.get("datatype", XSD + "string"))


def _collect(job: _Job, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    parts = []
    while True:
        remaining = deadline - time.monotonic()
        try:
            msg = job.q.get(timeout=max(remaining, 0.001))
        except queue.Empty:
            job.cancelled.set()
            raise QueryRefused(f"query stopped after its timeout of {timeout:g} s", 503) from None
        if msg[0] == "error":
            raise QueryRefused(msg[2], msg[1])
        if msg[0] == "data":
            parts.append(msg[1])
        elif msg[0] == "end":
            return b"".join(parts)


def run_query(text: str, *, fmt: str | None = None, limits: Limits | None = None,
              relations_mode: str = "reified") -> bytes:
    """Load the store and run one query in process (``govplat sparql query``)."""
    ep = Endpoint(lambda: load_dataset(relations_mode=relations_mode), limits)
    try:
        return ep.run(text, fmt=fmt)
    finally:
        ep.close()


# ---------------------------------------------------------------------------- HTTP
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # bursts of clients connect at once; the default backlog is 5

    def __init__(self, addr, handler, endpoint: Endpoint, *, quiet: bool = True):
        self.endpoint = endpoint
        self.quiet = quiet
        super().__init__(addr, handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "govplat-sparql/0.1"
    server: _Server

    def log_message(self, fmt, *args) -> None:  # noqa: D401 - stdlib name
        if not self.server.quiet:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    # --------------------------------------------------------------------- plumbing
    def _send(self, status: int, body: bytes | str, content_type: str = "text/plain; charset=utf-8",
              headers: dict | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status: int, message: str, headers: dict | None = None) -> None:
        self._send(status, message.rstrip() + "\n", headers=headers)

    def _params(self) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        return unquote(parts.path), parse_qs(parts.query, keep_blank_values=True)

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                raise QueryRefused("send the request body with a Content-Length", 411)
            return b""
        n = int(length)
        if n > _MAX_BODY:
            raise QueryRefused(f"request body larger than {_MAX_BODY} bytes", 413)
        return self.rfile.read(n)

    # --------------------------------------------------------------------- methods
    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._not_allowed()

    def do_DELETE(self) -> None:
        self._not_allowed()

    def do_PATCH(self) -> None:
        self._not_allowed()

    def _not_allowed(self) -> None:
        self._body_discard()
        self._error(405, "this endpoint is read-only: use GET or POST", {"Allow": "GET, POST, HEAD, OPTIONS"})

    def _body_discard(self) -> None:
        try:
            n = int(self.headers.get("Content-Length") or 0)
            if 0 < n <= _MAX_BODY:
                self.rfile.read(n)
        except ValueError:
            pass

    def _dispatch(self, method: str) -> None:
        from graph import rdf_pages

        path, params = self._params()
        try:
            if path in ("/sparql", "/sparql/"):
                return self._sparql(method, params)
            if path == "/refresh":
                if method != "POST":
                    return self._error(405, "refresh with POST /refresh", {"Allow": "POST"})
                self._body_discard()
                return self._refresh()
            if method == "POST":
                self._body_discard()
                return self._error(405, f"POST is accepted at /sparql and /refresh, not {path}",
                                   {"Allow": "GET, HEAD"})
            page = rdf_pages.route(self.server.endpoint, path, params, self.headers.get("Accept"),
                                   self.server.base_url)
            if page is None:
                return self._error(404, f"nothing at {path}")
            status, content_type, body, headers = page
            self._send(status, body, content_type, headers)
        except QueryRefused as exc:
            self._error(exc.status, str(exc))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - answer, log, and keep serving
            sys.stderr.write(f"govplat sparql: {method} {self.path}: {type(exc).__name__}: {exc}\n")
            try:
                self._error(500, f"internal error: {type(exc).__name__}")
            except OSError:
                self.close_connection = True

    def _refresh(self) -> None:
        try:
            ds = self.server.endpoint.refresh()
        except StoreBusyError as exc:
            return self._error(503, f"cannot refresh now: {exc}")
        except Exception as exc:  # noqa: BLE001 - the old data keeps being served
            return self._error(500, f"refresh failed, still serving the data loaded before: {exc}")
        self._send(200, json.dumps({"quads": ds.quads, "seconds": round(ds.seconds, 3),
                                    "loaded_at": ds.loaded_at}) + "\n", "application/json")

    def _sparql(self, method: str, params: dict[str, list[str]]) -> None:
        from graph import rdf_pages

        if method == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._body()
            if ctype == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                for k, v in form.items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-query":
                if "query" in params:
                    raise QueryRefused("a direct POST carries the query in its body, not also in ?query=", 400)
                params["query"] = [body.decode("utf-8", "replace")]
            elif ctype == "application/sparql-update":
                raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted", 403)
            else:
                raise QueryRefused("POST a query as application/x-www-form-urlencoded (query=...) or as "
                                   "application/sparql-query", 415)
        if "update" in params:
            raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted", 403)
        if "query" not in params:
            status, content_type, page, headers = rdf_pages.service_description(
                self.server.endpoint, self.headers.get("Accept"), self.server.base_url, params)
            return self._send(status, page, content_type, headers)
        queries = params["query"]
        if len(queries) != 1:
            raise QueryRefused("give exactly one query parameter", 400)
        fmt = (params.get("format") or params.get("output") or [None])[0]
        job = self.server.endpoint.submit(queries[0], accept=self.headers.get("Accept"), fmt=fmt,
                                          default_graphs=params.get("default-graph-uri"),
                                          named_graphs=params.get("named-graph-uri"))
        self._stream(job)

    def _stream(self, job: _Job) -> None:
        limits = self.server.endpoint.limits
        deadline = time.monotonic() + limits.timeout
        chunked = self.request_version != "HTTP/1.0"
        started = False
        try:
            while True:
                try:
                    msg = job.q.get(timeout=max(deadline - time.monotonic(), 0.001))
                except queue.Empty:
                    job.cancelled.set()
                    if not started:
                        return self._error(503, f"query stopped after its timeout of {limits.timeout:g} s; "
                                                "narrow it or add a LIMIT", {"Retry-After": "1"})
                    self.close_connection = True  # cut the stream: the client sees it is incomplete
                    return
                kind = msg[0]
                if kind == "error":
                    if not started:
                        return self._error(msg[1], msg[2])
                    self.close_connection = True  # too late for a status: cut the stream, it is incomplete
                    return
                if kind == "head":
                    self.send_response(200)
                    self.send_header("Content-Type", msg[1])
                    self.send_header("Access-Control-Allow-Origin", "*")
                    self.send_header("Vary", "Accept")
                    for k, v in msg[2].items():
                        self.send_header(k, v)
                    if chunked:
                        self.send_header("Transfer-Encoding", "chunked")
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    started = True
                elif kind == "data":
                    if self.command == "HEAD" or not msg[1]:
                        continue
                    if chunked:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(msg[1]), msg[1]))
                    else:
                        self.wfile.write(msg[1])
                elif kind == "end":
                    if chunked and self.command != "HEAD":
                        self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return
        except (BrokenPipeError, ConnectionResetError):
            job.cancelled.set()
            self.close_connection = True


def make_server(endpoint: Endpoint, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *,
                quiet: bool = True) -> _Server:
    return _Server((host, port), Handler, endpoint, quiet=quiet)


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, limits: Limits | None = None,
          relations_mode: str = "reified", named_graphs: bool = True, quiet: bool = True, processes: int = 2,
          announce: Callable[[str], None] = print) -> None:
    """Load the store, bind, announce the endpoint's URL, serve until interrupted."""
    endpoint = Endpoint(lambda: load_dataset(relations_mode=relations_mode, named_graphs=named_graphs,
                                             spool=processes > 0), limits, processes=processes)
    server = make_server(endpoint, host, port, quiet=quiet)
    ds = endpoint.dataset
    announce(f"SPARQL endpoint: {server.base_url}/sparql  ({ds.quads} statements loaded in {ds.seconds:.1f} s; "
             f"entities at {server.base_url}/id/<id>)")
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        endpoint.close()

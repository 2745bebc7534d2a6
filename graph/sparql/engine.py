"""The read-only SPARQL 1.1 engine: pyoxigraph in memory, loaded from the store.

``govplat sparql serve`` (graph/sparql/http.py serves it over HTTP) loads the configured store
into an in-memory pyoxigraph store (the RDF view of :mod:`graph.rdf.view`, named graphs per source
included) and runs queries on it. The default graph is the RDF view (as ``govplat export``);
each source's named graph holds what that source supports, and
``<https://w3id.org/govplat/ontology>`` holds ontology.ttl.

Read only and self-contained, decided twice:

* from the parsed query (rdflib's SPARQL 1.1 parser and algebra, :func:`check_query`): an
  update is refused (403), a ``SERVICE`` anywhere in the algebra is refused (400);
* by the operating system: queries are evaluated only on threads or in worker processes that
  have no network (:mod:`graph.sparql.no_network`, a seccomp filter), so pyoxigraph cannot reach any
  address even for a spelling of ``SERVICE`` a parser does not read as rdflib does. FROM / FROM
  NAMED name graphs of the loaded data only; nothing is ever fetched.

Every query has a timeout and a row cap, and results stream as they are made. ``serve`` runs
queries in worker processes (graph/sparql/pool.py) that each load the data: past its timeout a
query gets 503 and its worker is killed and replaced, so a runaway query never keeps a core
busy. The CLI's one-off ``sparql query`` and the dashboard's console run users' queries in such a
worker too, so its memory cap holds and a query crashing the engine ends only the worker. (An
:class:`graph.sparql.endpoint.Endpoint` without worker processes, for tests, runs queries in threads
and can only abandon a query past its timeout.) The store file
is opened only while loading, so ingest is never blocked.
"""
from __future__ import annotations

import io
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from graph.errors import GovplatError
from graph.rdf.results import FORMAT_ALIASES, GRAPH_MEDIA, RESULT_MEDIA, RESULT_WRITERS, negotiate
from graph.rdf.terms import PREFIXES, from_ox
from graph.rdf.view import ONTOLOGY_GRAPH

__all__ = ["Dataset", "Job", "Limits", "load_dataset", "check_query", "evaluate", "query_form", "QueryRefused",
           "RefreshRunning"]

_CHUNK = 1 << 15


class QueryRefused(GovplatError):
    """A request the endpoint will not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


class RefreshRunning(GovplatError):
    """A reload was asked for while another one runs."""


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
    from graph.rdf.view import groups
    from graph.rdf.write import NQuadsWriter

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

        sweep_spools()
        folder = Path(tempfile.mkdtemp(prefix=_SPOOL_PREFIX))
        path = str(folder / "data.nq")
        try:
            (folder / "owner").write_text(str(os.getpid()), encoding="utf-8")
            with open(path, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
        except BaseException:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            raise
    else:
        reader = io.BufferedReader(_ChunkReader(chunks), buffer_size=1 << 16)
        store.bulk_load(reader, format=ox.RdfFormat.N_QUADS)
    # The ontology rides along in its own named graph, for queries over classes and properties.
    store.load(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    return Dataset(store, len(store), time.time(), time.perf_counter() - t0, relations_mode, named_graphs, path)


_SPOOL_PREFIX = "govplat-sparql-"


def sweep_spools(*, mine: bool = False) -> None:
    """Remove the spool folders of processes that no longer run (a killed server cannot clean
    up) and, with ``mine``, this process's own (a server's last step: a signal may have ended
    its load after a folder was made and before a :class:`Dataset` held it)."""
    import shutil
    import tempfile
    from pathlib import Path

    for folder in Path(tempfile.gettempdir()).glob(_SPOOL_PREFIX + "*"):
        try:
            pid = int((folder / "owner").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being made right now, or not ours to judge
        if mine and pid == os.getpid():
            shutil.rmtree(folder, ignore_errors=True)
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # alive, another user's


def load_dataset(*, relations_mode: str = "reified", named_graphs: bool = True, open_store=None,
                 spool: bool = False) -> Dataset:
    """Open the configured store read-only for a dump (its pages through the small buffer pool,
    GOVPLAT_DUMP_BUFFER_POOL_MB), load it, close it again."""
    if open_store is None:
        from graph.stores import open_store
    with open_store(read_only=True, dump=True) as store:
        entities, relations = store.dump()
        return dataset_from_records(entities, relations, relations_mode=relations_mode, named_graphs=named_graphs,
                                    spool=spool)


# ---------------------------------------------------------------------------- query checks
_REFUSED_UPDATE = "this endpoint is read-only: SPARQL Update is not accepted"
_REFUSED_SERVICE = ("federated queries (SERVICE) are not allowed on this endpoint: it answers from its own "
                    "data only")


def _algebra_names(node, out: set) -> set:
    """The names of every algebra (or parse tree) node under ``node``."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, CompValue):
            out.add(x.name)
            stack.extend(x.values())
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple, ParseResults)):
            stack.extend(x)
    return out


def check_query(text: str) -> str | None:
    """Refuse, from the parsed query, what a read-only, self-contained endpoint must not run:
    updates (403) and federation (``SERVICE``, 400). Returns the query form (SELECT, ASK,
    CONSTRUCT or DESCRIBE), or None when rdflib's SPARQL 1.1 parser cannot read the text
    (RDF-star syntax, or a syntax error): pyoxigraph then decides, on a thread or in a process
    that has no network (graph/sparql/no_network.py), so a ``SERVICE`` this parser did not see still
    reaches nothing."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not text or not text.strip():
        raise QueryRefused("empty query", 400)
    try:
        parsed = parseQuery(text)
    except Exception:  # noqa: BLE001 - pyparsing's errors, RecursionError on deep nesting
        try:
            parseUpdate(text)
        except Exception:  # noqa: BLE001
            return None
        raise QueryRefused(_REFUSED_UPDATE, 403) from None
    try:
        names = _algebra_names(translateQuery(parsed, initNs=PREFIXES).algebra, set())
    except Exception:  # noqa: BLE001 - rdflib cannot build the algebra (e.g. an unknown prefix): the tree
        names = _algebra_names(parsed, set())
    if "ServiceGraphPattern" in names:
        raise QueryRefused(_REFUSED_SERVICE, 400)
    for form in ("SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"):
        if form in names:
            return form.removesuffix("Query").upper()
    return None


def _refusal(text: str) -> tuple[int, str] | None:
    """(status, message) when :func:`check_query` refuses ``text``; cached for queries of up to
    8 KiB, as queries repeat (larger ones are read each time, so the cache stays small)."""
    return _refusal_cached(text) if len(text) <= 8192 else _refusal_of(text)


def _refusal_of(text: str) -> tuple[int, str] | None:
    """(status, message) when :func:`check_query` refuses ``text``.

    rdflib's parser takes about 0.1 s for a page of SPARQL, so it reads only a query that can
    hold ``SERVICE`` at all: one whose text, with SPARQL's ``\\u`` escapes expanded, contains
    the word in any case. (This only spares the parser: it refuses nothing by itself, and what
    decides that no query reaches the network is the filter the evaluating thread runs under.)
    An update the engine's query parser rejects is named as such by :func:`refused_update`."""
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        plain = expandUnicodeEscapes(text)
    except Exception:  # noqa: BLE001 - a malformed escape: let the parser judge the whole text
        plain = "service"
    if "service" not in plain.casefold():
        return None
    try:
        check_query(text)
    except QueryRefused as exc:
        return exc.status, str(exc)
    return None


_refusal_cached = lru_cache(maxsize=512)(_refusal_of)


def refused_update(text: str) -> bool:
    """Whether ``text`` parses as a SPARQL Update (asked when the query parser rejected it)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - pyparsing's errors, RecursionError on deep nesting
        return False
    return True


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, or '' when it cannot tell (a refused query included)."""
    try:
        return check_query(text) or ""
    except QueryRefused:
        return ""


# ---------------------------------------------------------------------------- running queries
@dataclass
class Limits:
    """Per-endpoint limits; by default GOVPLAT_QUERY_TIMEOUT and GOVPLAT_ROW_CAP (graph/settings.py)."""
    timeout: float = field(default_factory=lambda: _settings().query_timeout)  # seconds per query
    max_rows: int = field(default_factory=lambda: _settings().row_cap)  # rows or triples per result
    workers: int = 4  # queries evaluated at once (threads, without worker processes)


def _settings():
    from graph.settings import settings

    return settings()


class Job:
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

    def __init__(self, job: Job, media_type: str):
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


def evaluate(job, store: ox.Store, text: str, accept, fmt, default_graphs, named_graphs, max_rows: int,
             base_iri: str | None = None) -> None:
    """Check and run one query on ``store`` and send its result to ``job`` as messages (on a
    thread of this process, or in a worker process: see graph/sparql/pool.py). The caller's
    thread must have no network (:func:`graph.sparql.no_network.deny`).

    A protocol dataset (``default-graph-uri`` / ``named-graph-uri``) replaces the query's FROM
    and FROM NAMED; named graphs alone leave the default graph empty (SPARQL 1.1 Protocol 2.1.4).
    Relative IRIs resolve against ``base_iri`` (the service's own URL)."""
    from graph.sparql import no_network

    if job.cancelled.is_set():
        return  # timed out while waiting for a worker
    try:
        if not no_network.denied():
            raise QueryRefused("internal error: a query may only run where the network is denied", 500)
        refusal = _refusal(text)
        if refusal:
            raise QueryRefused(refusal[1], refusal[0])
        kwargs = {"prefixes": PREFIXES, "base_iri": base_iri}
        if default_graphs or named_graphs:
            kwargs["default_graph"] = [ox.NamedNode(u) for u in default_graphs]
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
        if refused_update(text):
            job.put(("error", 403, _REFUSED_UPDATE))
        else:
            job.put(("error", 400, f"SPARQL syntax error: {exc}"))
    except PermissionError:
        # The engine tried to open a socket (a SERVICE the parser did not see): the kernel said no.
        job.put(("error", 400, _REFUSED_SERVICE))
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
    from graph.rdf.write import writer_for

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


def normal_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    f = fmt.lower()
    for table in (FORMAT_ALIASES, RESULT_MEDIA, GRAPH_MEDIA):
        if f in table:
            return table[f]
    raise QueryRefused(f"unknown format {fmt!r}; use json, xml, csv, tsv (SELECT/ASK) or ttl, jsonld, "
                       "nt (CONSTRUCT/DESCRIBE)", 400)

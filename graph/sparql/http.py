"""The SPARQL endpoint over HTTP: a Starlette app served by uvicorn, on one port.

==========================  ======================================================================
``/sparql``                 SPARQL 1.1 Protocol: GET ``?query=``, POST form (``query=``) or direct
                            ``application/sparql-query`` body (UTF-8; another ``charset`` is 415);
                            ``default-graph-uri`` / ``named-graph-uri``; SELECT/ASK as SPARQL JSON,
                            XML, CSV or TSV, CONSTRUCT/DESCRIBE as Turtle, JSON-LD or N-Triples
                            (Accept header, or ``format=``); without a query, the service description
``/id/<id>``                the entity's page: HTML for people, Turtle / JSON-LD / N-Triples for
                            machines (content negotiation); 404 for unknown ids, 400 for ids no IRI
                            can hold
``/.well-known/void``       VoID description of the dataset
``/context.jsonld``         the JSON-LD context of the exports
``/ontology``               ontology.ttl
``POST /refresh``           reload from the store, one reload at a time (queries in flight finish
                            on the old data); needs the server's refresh token (``govplat sparql
                            refresh`` reads it from a file only the user can read)
==========================  ======================================================================

Read only: SPARQL Update gets 403, federated ``SERVICE`` 400 (see :mod:`graph.sparql.engine`), a
query past its timeout 503. uvicorn enforces the connection limits from graph/settings.py
(request line and header size, open connections, keep-alive); only the body size is ours,
because uvicorn has no setting for it. Cross-origin pages may read answers only from the origins
in ``GOVPLAT_SPARQL_CORS_ORIGINS`` (none by default), never with credentials; bound to a
loopback address, the server answers only requests addressed to a loopback host name, so a web
page cannot reach it through a rebound DNS name.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import queue
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from graph.errors import GovplatError, StoreBusyError
from graph.settings import Settings, settings
from graph.sparql.engine import Limits, QueryRefused, RefreshRunning, load_dataset, sweep_spools
from graph.sparql.endpoint import Endpoint

__all__ = ["DEFAULT_PORT", "Server", "make_app", "serve", "refresh_token_path", "refresh_token_for"]

DEFAULT_PORT = 3030
_READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
_LOOPBACK_NAMES = ["127.0.0.1", "localhost"]
# What graph/sparql/pages.py serves (everything else is 404).
_PAGES = ["/", "/id/{local:path}", "/.well-known/void", "/void", "/context.jsonld", "/ontology", "/ontology.ttl"]


def _text(status: int, message: str, headers: dict | None = None) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status, headers=headers)


class _StreamCut(Exception):
    """A result failed or timed out after its head was sent: the connection is cut, so the
    client sees an incomplete body rather than a complete-looking wrong one."""


class _OneLineForCuts(logging.Filter):
    """uvicorn logs an app's exception with its traceback; a cut stream is expected: one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, _StreamCut):
            record.msg, record.args, record.exc_info = "govplat sparql: result stream cut: %s", (exc,), None
        return True


logging.getLogger("uvicorn.error").addFilter(_OneLineForCuts())


async def _next_message(job, deadline: float):
    """The job's next message, or None past the deadline (polled: no thread waits on it)."""
    delay = 0.001
    while True:
        try:
            return job.q.get_nowait()
        except queue.Empty:
            pass
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.02)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    too_big = f"request body larger than GOVPLAT_SPARQL_MAX_BODY = {limit} bytes"
    if declared is not None and int(declared) > limit:  # (uvicorn has refused a malformed length already)
        raise QueryRefused(too_big, 413)
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise QueryRefused(too_big, 413)
        parts.append(chunk)
    return b"".join(parts)


def _decode(body: bytes, charset: str | None) -> str:
    """The body as text. The protocol carries queries in UTF-8: another declared charset is
    refused (415) rather than guessed at, and bytes that are not UTF-8 are a 400."""
    import codecs

    name = (charset or "utf-8").strip().strip('"')
    try:
        utf8 = codecs.lookup(name).name == "utf-8"
    except LookupError:
        utf8 = False
    if not utf8:
        raise QueryRefused(f"the request body is declared as charset={name}: SPARQL requests are sent in UTF-8 "
                           "(SPARQL 1.1 Protocol)", 415)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryRefused(f"the request body is not valid UTF-8: {exc.reason} at byte {exc.start}", 400) from None


def _content_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type") or ""
    media, _, rest = raw.partition(";")
    charset = None
    for param in rest.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value
    return media.strip().lower(), charset


class _App:
    def __init__(self, endpoint: Endpoint, base_url: Callable[[], str], cfg: Settings, refresh_token: str):
        self.endpoint = endpoint
        self.base_url = base_url
        self.cfg = cfg
        self.refresh_token = refresh_token

    # --------------------------------------------------------------------- /sparql
    async def sparql(self, request: Request) -> Response:
        from graph.sparql import pages

        try:
            params = parse_qs(request.url.query, keep_blank_values=True)
            if request.method == "POST":
                media, charset = _content_type(request)
                if media == "application/sparql-update":
                    raise QueryRefused(_READ_ONLY, 403)
                if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
                    raise QueryRefused("POST a query as application/x-www-form-urlencoded (query=...) or as "
                                       "application/sparql-query", 415)
                text = _decode(await _body(request, self.cfg.sparql_max_body), charset)
                if media == "application/x-www-form-urlencoded":
                    for k, v in parse_qs(text, keep_blank_values=True).items():
                        params.setdefault(k, []).extend(v)
                else:
                    if "query" in params:
                        raise QueryRefused("a direct POST carries the query in its body, not also in ?query=", 400)
                    params["query"] = [text]
            if "update" in params:
                raise QueryRefused(_READ_ONLY, 403)
            if "query" not in params:
                status, ctype, page, headers = await run_in_threadpool(
                    pages.service_description, self.endpoint, request.headers.get("accept"), self.base_url(),
                    params)
                return Response(page, status, headers=headers, media_type=ctype)
            if len(params["query"]) != 1:
                raise QueryRefused("give exactly one query parameter", 400)
            fmt = (params.get("format") or params.get("output") or [None])[0]
            job = self.endpoint.submit(params["query"][0], accept=request.headers.get("accept"), fmt=fmt,
                                       default_graphs=params.get("default-graph-uri"),
                                       named_graphs=params.get("named-graph-uri"),
                                       base_iri=self.base_url() + "/sparql")
        except QueryRefused as exc:
            return _text(exc.status, str(exc))
        return await self._stream(job, request.method == "HEAD")

    async def _stream(self, job, head_only: bool) -> Response:
        timeout = self.endpoint.limits.timeout
        deadline = time.monotonic() + timeout
        msg = await _next_message(job, deadline)
        if msg is None:
            job.cancelled.set()
            return _text(503, f"query stopped after its timeout of {timeout:g} s (GOVPLAT_QUERY_TIMEOUT); "
                              "narrow it or add a LIMIT", {"Retry-After": "1"})
        if msg[0] == "error":
            return _text(msg[1], msg[2])
        _, media_type, extra = msg

        async def body():
            ended = False
            try:
                while True:
                    m = await _next_message(job, deadline)
                    if m is None:
                        raise _StreamCut(f"query stopped after its timeout of {timeout:g} s")
                    if m[0] == "error":
                        raise _StreamCut(m[2])
                    if m[0] == "end":
                        ended = True
                        return
                    if m[1] and not head_only:
                        yield m[1]
            finally:
                if not ended:
                    job.cancelled.set()  # the client left, or the stream was cut: stop the query

        return StreamingResponse(body(), 200, headers={"Vary": "Accept", **extra}, media_type=media_type)

    # --------------------------------------------------------------------- /refresh
    async def refresh(self, request: Request) -> Response:
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.refresh_token.encode()):
            return _text(401, "POST /refresh needs the server's refresh token (Authorization: Bearer ...): run "
                              "`govplat sparql refresh`, which reads it, or set GOVPLAT_SPARQL_REFRESH_TOKEN",
                         {"WWW-Authenticate": "Bearer"})
        try:
            ds = await run_in_threadpool(self.endpoint.refresh)
        except RefreshRunning as exc:
            return _text(409, str(exc))
        except StoreBusyError as exc:
            return _text(503, f"cannot refresh now: {exc}")
        except Exception as exc:  # noqa: BLE001 - the old data keeps being served
            return _text(500, f"refresh failed, still serving the data loaded before: {exc}")
        return Response(json.dumps({"quads": ds.quads, "seconds": round(ds.seconds, 3),
                                    "loaded_at": ds.loaded_at}) + "\n", 200, media_type="application/json")

    # --------------------------------------------------------------------- pages
    async def page(self, request: Request) -> Response:
        from graph.sparql import pages

        path = request.url.path
        params = parse_qs(request.url.query, keep_blank_values=True)
        page = await run_in_threadpool(pages.route, self.endpoint, path, params, request.headers.get("accept"),
                                       self.base_url())
        if page is None:
            return _text(404, f"nothing at {path}")
        status, ctype, body, headers = page
        return Response(body, status, headers=headers, media_type=ctype)


def make_app(endpoint: Endpoint, base_url: Callable[[], str], *, cfg: Settings | None = None,
             refresh_token: str, loopback_only: bool = False) -> Starlette:
    """The ASGI app. ``base_url`` gives the server's own URL (for descriptions and as the base
    IRI of queries)."""
    cfg = cfg or settings()
    app = _App(endpoint, base_url, cfg, refresh_token)
    routes = [Route("/sparql", app.sparql, methods=["GET", "POST"]),
              Route("/sparql/", app.sparql, methods=["GET", "POST"]),
              Route("/refresh", app.refresh, methods=["POST"]),
              *(Route(path, app.page, methods=["GET"]) for path in _PAGES)]
    middleware = []
    if loopback_only:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=_LOOPBACK_NAMES))
    if cfg.sparql_cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cfg.sparql_cors_origins),
                                     allow_methods=["GET", "POST", "HEAD"], allow_headers=["Content-Type", "Accept"],
                                     allow_credentials=False, max_age=3600))
    return Starlette(routes=routes, middleware=middleware)


# ---------------------------------------------------------------------------- the refresh token
def refresh_token_path(port: int, cfg: Settings | None = None) -> Path:
    """Where a server on ``port`` keeps its refresh token (readable by its user only)."""
    return (cfg or settings()).home / "sparql" / f"refresh-token-{port}"


def refresh_token_for(url: str) -> str | None:
    """The refresh token of the server at ``url``: GOVPLAT_SPARQL_REFRESH_TOKEN, or its token file."""
    cfg = settings()
    if cfg.sparql_refresh_token:
        return cfg.sparql_refresh_token
    port = urlsplit(url).port or 80
    try:
        return refresh_token_path(port, cfg).read_text(encoding="utf-8").strip()
    except OSError:
        return None


# ---------------------------------------------------------------------------- the server
class Server:
    """uvicorn serving :func:`make_app` on ``host:port`` (port 0: any free one), with its limits
    from graph/settings.py. ``start()`` serves in a background thread until :meth:`stop` (signals
    are the caller's: :func:`serve` handles them)."""

    def __init__(self, endpoint: Endpoint, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *,
                 quiet: bool = True, cfg: Settings | None = None):
        import uvicorn

        self.endpoint = endpoint
        self.cfg = cfg or settings()
        self.refresh_token = self.cfg.sparql_refresh_token or secrets.token_urlsafe(32)
        loopback = host in ("127.0.0.1", "localhost")
        self.app = make_app(endpoint, lambda: self.base_url, cfg=self.cfg, refresh_token=self.refresh_token,
                            loopback_only=loopback)
        self.config = uvicorn.Config(
            self.app, host=host, port=port, http="h11", ws="none", lifespan="off", proxy_headers=False,
            server_header=False, access_log=not quiet, log_level="warning" if quiet else "info",
            limit_concurrency=self.cfg.sparql_max_connections, timeout_keep_alive=self.cfg.sparql_keep_alive,
            h11_max_incomplete_event_size=self.cfg.sparql_max_header, backlog=2048, timeout_graceful_shutdown=5)
        self.socket = self.config.bind_socket()
        self.socket.listen(self.config.backlog)  # connections wait in the backlog until uvicorn runs
        self.server = uvicorn.Server(self.config)
        self._thread: threading.Thread | None = None
        self._token_file: Path | None = None

    @property
    def base_url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self.socket.getsockname()[1]

    def write_token(self) -> None:
        """Write the refresh token where `govplat sparql refresh` finds it (once)."""
        if self.cfg.sparql_refresh_token or self._token_file is not None:
            return  # the operator gave it, or it is written
        path = refresh_token_path(self.port, self.cfg)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.refresh_token + "\n")
        os.chmod(path, 0o600)
        self._token_file = path

    def run(self) -> None:
        try:
            self.write_token()
            self.server.run(sockets=[self.socket])
        finally:
            self.close()

    def close(self) -> None:
        """Remove the token file and close the listening socket (the endpoint is the caller's)."""
        if self._token_file is not None:
            self._token_file.unlink(missing_ok=True)
            self._token_file = None
        self.socket.close()

    def start(self, timeout: float = 30) -> Server:
        self._thread = threading.Thread(target=self.run, name="govplat-sparql-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise GovplatError(f"the SPARQL server did not start on {self.base_url}")
            time.sleep(0.02)
        return self

    def serving(self) -> bool:
        """True while :meth:`start`'s thread serves."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, limits: Limits | None = None,
          relations_mode: str = "reified", named_graphs: bool = True, quiet: bool = True, processes: int = 2,
          announce: Callable[[str], None] = print) -> None:
    """Load the store, bind, announce the endpoint's URL, serve until SIGINT or SIGTERM; then
    stop the workers and remove the spooled data and the refresh token (see :class:`_Stop`)."""
    stop = _Stop()
    server = endpoint = None
    try:
        endpoint = Endpoint(lambda: load_dataset(relations_mode=relations_mode, named_graphs=named_graphs,
                                                 spool=processes > 0), limits, processes=processes)
        server = Server(endpoint, host, port, quiet=quiet)
        stop.serving(server.server)  # from here on a signal asks uvicorn to stop: nothing is raised
        if stop.signum is not None:
            return  # the signal came during the load, and its SystemExit was lost on the way
        server.write_token()
        ds = endpoint.dataset
        announce(f"SPARQL endpoint: {server.base_url}/sparql  ({ds.quads} statements loaded in {ds.seconds:.1f} s; "
                 f"entities at {server.base_url}/id/<id>)")
        server.start()  # uvicorn in a thread of its own, which leaves the signals to this one
        while stop.signum is None and server.serving():
            time.sleep(0.05)
    finally:
        try:
            if server is not None:
                server.stop()
                server.close()
            if endpoint is not None:
                endpoint.close()
            sweep_spools(mine=True)
        finally:
            stop.restore()


class _Stop:
    """How ``govplat sparql serve`` ends on SIGTERM or SIGINT, whenever it comes.

    While the store loads, the first signal raises SystemExit in the main thread, so the load
    stops at once and every ``finally`` on the way cleans up; later signals raise nothing, so
    they never cut that cleanup short. Python drops an exception raised where it cannot
    propagate (a ``__del__``, such as ladybug's ``QueryResult.__del__`` while the dump's
    results are collected; a weakref callback): it reports it to ``sys.unraisablehook``, where
    the signal is delivered again. Once uvicorn is set up (:meth:`serving`) a signal only asks
    it to stop (a second one: at once, without waiting for requests in flight); the main
    thread, which watches :attr:`signum`, then stops the server and the workers and removes the
    spooled data and the token. uvicorn serves in a thread of its own, so its own signal
    handling (which records a signal and raises it again after serving) is never involved.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.signum: int | None = None
        self._uvicorn = None
        self._raised = False
        self._restored = False
        self._handlers = {sig: signal.signal(sig, self._on_signal) for sig in self.SIGNALS}
        self._unraisablehook = sys.unraisablehook
        sys.unraisablehook = self._on_unraisable

    def serving(self, uvicorn_server) -> None:
        self._uvicorn = uvicorn_server
        if self.signum is not None:
            uvicorn_server.should_exit = True

    def restore(self) -> None:
        self._restored = True
        for sig, handler in self._handlers.items():
            signal.signal(sig, handler)
        sys.unraisablehook = self._unraisablehook

    def _on_signal(self, signum, frame) -> None:
        again = self.signum is not None
        self.signum = self.signum or signum
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
            self._uvicorn.force_exit = self._uvicorn.force_exit or again
        elif not self._raised:
            self._raised = True
            raise SystemExit(0)

    def _again(self) -> None:
        if self._uvicorn is None and not self._restored:
            signal.pthread_kill(threading.main_thread().ident, self.signum)

    def _on_unraisable(self, unraisable) -> None:
        if unraisable.exc_type is SystemExit and self._raised and self._uvicorn is None:
            self._raised = False  # it was dropped: nothing is unwinding the load, so raise it again
            again = threading.Timer(0.01, self._again)
            again.daemon = True
            again.start()
            return
        self._unraisablehook(unraisable)

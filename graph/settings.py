"""Configuration from the environment, read in one place.

GOVPLAT_HOME      where the embedded store and caches live (default: the user's data dir)
GOVPLAT_STORE     embedded (default) or neo4j
NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE   for GOVPLAT_STORE=neo4j
GOVPLAT_QUERY_TIMEOUT   seconds a user query may run (default 30)
GOVPLAT_ROW_CAP         rows a user query may return (default 10000)
GOVPLAT_QUERY_MAX_CHARS characters of a user's Cypher query, read before any parser sees it (default 20000;
                        the longest named query has 1,413): parse time and stack grow with the text
GOVPLAT_QUERY_MAX_NESTING brackets nested in a user's Cypher query on the embedded store, counted on the
                        tokens before any parser reads it (default 100)
GOVPLAT_BATCH_SIZE      records per write transaction during ingest (default 10000)
GOVPLAT_QUERY_MEMORY_MB memory a read may take: on the embedded store the growth of the process while
                        the engine runs it; on Neo4j db.memory.transaction.max, set on the server (default 1024)
GOVPLAT_BUFFER_POOL_MB  the Ladybug buffer pool of read-only opens, a ceiling on what a read may reserve;
                        0 (default) is Ladybug's own, 80% of RAM: path queries reserve far more than they
                        use (all_paths on the bundled cases needs more than 8192 and uses 0.4 GB)
GOVPLAT_READ_WAIT       seconds a reader waits for a running write (ingest) to finish (default 30)
GOVPLAT_WRITE_WAIT      seconds a writer waits for running reads to finish (default 60)
GOVPLAT_DUMP_PAGE_ROWS  rows the embedded store reads per query when it dumps the graph (exports, the SPARQL
                        endpoint's load): an export holds one page, not the graph (default 20000)
GOVPLAT_DUMP_BUFFER_POOL_MB  the Ladybug buffer pool of a dump (exports, the SPARQL endpoint's load), which
                        caches the pages it scans and holds the page being read: a dump's memory is about
                        Ladybug's fixed ~260 MB plus this (default 64; 0 is Ladybug's own, 80% of RAM); too small
                        for a page of GOVPLAT_DUMP_PAGE_ROWS and the dump stops naming both

The SPARQL endpoint's HTTP limits (``govplat sparql serve``; uvicorn enforces all but the body):
GOVPLAT_SPARQL_MAX_BODY         bytes of a request body, e.g. a POSTed query (default 1048576)
GOVPLAT_SPARQL_MAX_HEADER       bytes of a request line plus headers (default 65536)
GOVPLAT_SPARQL_MAX_CONNECTIONS  open connections; past it new requests get 503 (default 1024)
GOVPLAT_SPARQL_KEEP_ALIVE       seconds an idle kept-alive connection stays open (default 5)
GOVPLAT_SPARQL_CORS_ORIGINS     web origins whose pages may read answers, comma-separated, or *
                                (default: none; never with credentials)
GOVPLAT_SPARQL_REFRESH_TOKEN    the token POST /refresh needs (default: a random one per server,
                                written to a file only the user can read, for `govplat sparql refresh`)

Input limits (imports and ingest; each error names the limit it hit):
GOVPLAT_IMPORT_MAX_BYTES     bytes of one RDF file `govplat import` reads (default 256 MiB)
GOVPLAT_IMPORT_MAX_TRIPLES   triples/quads one import reads (default 2,000,000)
GOVPLAT_MAX_LITERAL_CHARS    characters in one RDF literal or one ingested text value (default 1,000,000)
GOVPLAT_INPUT_MAX_BYTES      bytes of one source file ingest reads (CSV, JSON, YAML, text; default 256 MiB)
GOVPLAT_INPUT_MAX_DEPTH      nesting depth of one JSON/YAML source file (default 100)
GOVPLAT_INPUT_MAX_NODES      lists and mappings in one JSON/YAML file, YAML aliases expanded (default 10,000,000)
GOVPLAT_MESSAGE_ITEMS        items an error or report lists before it gives counts (default 20)
GOVPLAT_URL_MAX_IDS          ids per list a dashboard link's drawing state is read with (expanded, hidden,
                             pinned nodes; default 500): more are left out with a notice naming this limit
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from graph.errors import GovplatError

__all__ = ["Settings", "settings"]


@dataclass(frozen=True)
class Settings:
    home: Path
    store: str
    neo4j_uri: str
    neo4j_user: str
    neo4j_password: str
    neo4j_database: str
    query_timeout: float
    row_cap: int
    batch_size: int
    query_memory_mb: int = 1024
    buffer_pool_mb: int = 0
    read_wait: float = 30.0
    write_wait: float = 60.0
    dump_page_rows: int = 20_000
    dump_buffer_pool_mb: int = 64
    sparql_max_body: int = 1 << 20
    sparql_max_header: int = 64 << 10
    sparql_max_connections: int = 1024
    sparql_keep_alive: int = 5
    sparql_cors_origins: tuple[str, ...] = ()
    sparql_refresh_token: str = ""
    import_max_bytes: int = 256 * 1024 * 1024
    import_max_triples: int = 2_000_000
    max_literal_chars: int = 1_000_000
    input_max_bytes: int = 256 * 1024 * 1024
    input_max_depth: int = 100
    input_max_nodes: int = 10_000_000
    message_items: int = 20
    url_max_ids: int = 500
    query_max_chars: int = 20_000
    query_max_nesting: int = 100

    @property
    def embedded_path(self) -> Path:
        return self.home / "graph.lbdb"


def settings() -> Settings:
    env = os.environ
    store = env.get("GOVPLAT_STORE", "embedded").strip().lower()
    if store not in {"embedded", "neo4j"}:
        raise GovplatError(f"GOVPLAT_STORE={store!r}: use 'embedded' or 'neo4j'")
    try:
        timeout = float(env.get("GOVPLAT_QUERY_TIMEOUT", "30"))
        row_cap = int(env.get("GOVPLAT_ROW_CAP", "10000"))
        batch_size = max(1, int(env.get("GOVPLAT_BATCH_SIZE", "10000")))
        query_memory_mb = max(64, int(env.get("GOVPLAT_QUERY_MEMORY_MB", "1024")))
        buffer_pool_mb = max(0, int(env.get("GOVPLAT_BUFFER_POOL_MB", "0")))
        read_wait = float(env.get("GOVPLAT_READ_WAIT", "30"))
        write_wait = float(env.get("GOVPLAT_WRITE_WAIT", "60"))
        dump_page_rows = max(1000, int(env.get("GOVPLAT_DUMP_PAGE_ROWS", "20000")))
        dump_buffer_pool_mb = max(0, int(env.get("GOVPLAT_DUMP_BUFFER_POOL_MB", "64")))
    except ValueError as exc:
        raise GovplatError("GOVPLAT_QUERY_TIMEOUT, GOVPLAT_ROW_CAP, GOVPLAT_BATCH_SIZE, GOVPLAT_QUERY_MEMORY_MB, "
                           f"GOVPLAT_BUFFER_POOL_MB, GOVPLAT_READ_WAIT, GOVPLAT_WRITE_WAIT, GOVPLAT_DUMP_PAGE_ROWS and GOVPLAT_DUMP_BUFFER_POOL_MB must be numbers: {exc}") from None
    http = {}
    for name, var in (("sparql_max_body", "GOVPLAT_SPARQL_MAX_BODY"), ("sparql_max_header", "GOVPLAT_SPARQL_MAX_HEADER"),
                      ("sparql_max_connections", "GOVPLAT_SPARQL_MAX_CONNECTIONS"),
                      ("sparql_keep_alive", "GOVPLAT_SPARQL_KEEP_ALIVE")):
        if env.get(var):
            try:
                http[name] = int(env[var])
            except ValueError:
                raise GovplatError(f"{var}={env[var]!r}: give a whole number") from None
            if http[name] < 1:
                raise GovplatError(f"{var}={env[var]!r}: give a number of at least 1")
    origins = tuple(o.strip().rstrip("/") for o in env.get("GOVPLAT_SPARQL_CORS_ORIGINS", "").split(",") if o.strip())
    return Settings(
        home=Path(env.get("GOVPLAT_HOME") or user_data_dir("govplat")).expanduser(),
        store=store,
        neo4j_uri=env.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
        neo4j_user=env.get("NEO4J_USER", "neo4j"),
        neo4j_password=env.get("NEO4J_PASSWORD", ""),
        neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
        query_timeout=timeout,
        row_cap=row_cap,
        batch_size=batch_size,
        query_memory_mb=query_memory_mb,
        buffer_pool_mb=buffer_pool_mb,
        read_wait=read_wait,
        write_wait=write_wait,
        dump_page_rows=dump_page_rows,
        dump_buffer_pool_mb=dump_buffer_pool_mb,
        sparql_cors_origins=origins,
        sparql_refresh_token=env.get("GOVPLAT_SPARQL_REFRESH_TOKEN", ""),
        **http,
        **_input_limits(env),
    )


_INPUT_LIMITS = {"import_max_bytes": "GOVPLAT_IMPORT_MAX_BYTES", "import_max_triples": "GOVPLAT_IMPORT_MAX_TRIPLES",
                 "max_literal_chars": "GOVPLAT_MAX_LITERAL_CHARS", "input_max_bytes": "GOVPLAT_INPUT_MAX_BYTES",
                 "input_max_depth": "GOVPLAT_INPUT_MAX_DEPTH", "input_max_nodes": "GOVPLAT_INPUT_MAX_NODES",
                 "message_items": "GOVPLAT_MESSAGE_ITEMS", "url_max_ids": "GOVPLAT_URL_MAX_IDS",
                 "query_max_chars": "GOVPLAT_QUERY_MAX_CHARS", "query_max_nesting": "GOVPLAT_QUERY_MAX_NESTING"}


def _input_limits(env) -> dict:
    out = {}
    for name, var in _INPUT_LIMITS.items():
        if env.get(var):
            try:
                out[name] = max(1, int(env[var]))
            except ValueError:
                raise GovplatError(f"{var} must be a whole number, got {env[var]!r}") from None
    return out


# Fixed bounds and thresholds of the write and check paths (not read from the environment; kept
# here with the limits above so every bound of memory, rows and batches is found in one place).

# A user query that ignores its interrupt (one engine call building a huge value) may grow the
# process to this many times GOVPLAT_QUERY_MEMORY_MB before the watchdog ends it (graph/stores/memory.py).
QUERY_MEMORY_HARD_FACTOR = 4
# The bulk path CREATEs (UNWIND) a table's new rows when there are fewer than this, and COPYs
# them otherwise: a COPY has a fixed cost of tens of milliseconds (graph/stores/bulk.py).
COPY_MIN_ROWS = 500
# Records the neo4j-import writer holds before it writes them: 1M relations took the same time
# with 2,000 as with 50,000, and an export's peak memory was ~130 MB lower (graph/neo4j_import.py).
NEO4J_IMPORT_ROWS_PER_WRITE = 2000
# Values per class the SHACL fast path remembers as checked; cleared when it grows past this,
# which bounds its memory on a long ingest (graph/validate.py).
SHAPE_CHECK_MEMO_MAX = 200_000
# Relations an ingest batch holds per entity of the batch size before it is written early: a
# source emitting many relations per entity writes sooner (ingest/context.py).
RELATIONS_PER_BATCH = 4

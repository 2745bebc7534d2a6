"""The embedded default store: Ladybug, in-process, one database file under GOVPLAT_HOME.

The schema is generated from ontology.ttl: one node table per concrete class (its datatype
properties plus id, uri, sources) and one relationship table per relationship type with
every concrete FROM/TO pair its domain and range allow.

Concurrency: one writer or several readers at a time (graph/stores/lock.py). Read commands
open the file read-only, so the dashboard and ``govplat query`` run together; while a writer
(``govplat ingest``) is open they wait with a message, up to GOVPLAT_READ_WAIT, and never see
half of a write. A read on a read-only open stops with an error naming GOVPLAT_QUERY_MEMORY_MB
when the process grows past it (graph/stores/memory.py), or GOVPLAT_BUFFER_POOL_MB when it would
reserve more than the buffer pool.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
import warnings
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ladybug

from graph.errors import QueryError, ReadOnlyViolation, StoreBusyError, StoreError, StoreOutdatedError
from graph.cypher.guard import check_ladybug_plan
from graph.cypher.landlock import run_without_files
from graph.model import Entity, Node, Path as GPath, Rel, Relation
from graph.settings import settings
from graph.stores.base import Existing, Result, Store, Writes
from graph.stores.ladybug_rows import calibrate, rows as _rows
from graph.stores.lock import StoreLock, say
from graph.stores.memory import MemoryWatch, over_memory

__all__ = ["EmbeddedStore"]

_TYPES = {"string": "STRING", "date": "DATE", "int": "INT64", "float": "DOUBLE", "bool": "BOOLEAN"}
_META = "GovplatMeta"

# Ladybug stops with an internal assertion on a $parameter inside a list predicate or
# comprehension (all(n IN nodes(p) WHERE n.validFrom <= $d)); the same query runs when the
# value is bound by WITH first.
_PARAMETER_IN_LIST_PREDICATE = "parsed_parameter_expression.h"


def _failed(msg: str) -> str:
    if _PARAMETER_IN_LIST_PREDICATE in msg:
        return ("query failed: the embedded store cannot read a $parameter inside all() / any() / none() / "
                "single() or a list comprehension; bind it first, as in "
                "`WITH $day AS day MATCH p = ... WHERE all(n IN nodes(p) WHERE n.validFrom <= day)`")
    return f"query failed: {msg}"


def _dump_columns(var: str, props: list) -> str:
    """The RETURN list of a dump page."""
    return ", ".join(f"{var}.`{p.name}` AS `{p.name}`" for p in props)


def version_file(path: Path) -> Path:
    """Where the store at ``path`` keeps its data version (a new stamp after every write)."""
    return Path(path).with_name(Path(path).name + ".version")


def read_version(path: Path) -> str | None:
    """The data version of the store at ``path`` without opening it; None before any write."""
    try:
        return version_file(path).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


class EmbeddedStore(Store):
    engine = "ladybug"

    def __init__(self, path: Path, *, read_only: bool = False, dump: bool = False) -> None:
        super().__init__()
        cfg = settings()
        self.path = Path(path)
        self.read_only = read_only
        self.memory_mb = cfg.query_memory_mb if read_only else 0
        self._user = threading.local()  # .query: a user's query runs on this thread (run_user)
        self.pool_mb = (cfg.dump_buffer_pool_mb if dump else cfg.buffer_pool_mb) if read_only else 0
        self.pool_setting = "GOVPLAT_DUMP_BUFFER_POOL_MB" if dump else "GOVPLAT_BUFFER_POOL_MB"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if read_only and not self.path.exists():
            # Nothing ingested yet: create the empty schema once so readers see zero counts.
            EmbeddedStore(self.path).close()
        self._db = self._conn = None
        self._lock = StoreLock(self.path, write=not read_only, wait=cfg.write_wait if not read_only else cfg.read_wait)
        self._lock.acquire()
        try:
            if read_only and self._lock.interrupted:
                say(f"the last write to {self.path} did not finish ({self._lock.interrupted}); you see every "
                    "batch it committed. Run `govplat ingest` again to complete it.")
            try:
                self._db = self._open(read_only)
            except StoreError as exc:
                if not (read_only and "recovery is pending" in str(exc)):
                    raise
                # A writer was killed while checkpointing: a read-write open finishes the job.
                say(f"finishing the checkpoint an interrupted write left in {self.path}")
                self._lock.release(clean=False)
                EmbeddedStore(self.path).close()
                self._lock.acquire()
                self._db = self._open(read_only)
            self._conn = ladybug.Connection(self._db)
            calibrate(self._conn)
            self._table_names: dict[int, str] | None = None
            self._ensure_schema()
        except BaseException:
            self.close()
            raise

    def _open(self, read_only: bool):
        deadline = time.monotonic() + 5.0
        while True:
            try:
                # A reader replays what a killed writer committed and skips its torn last record.
                return ladybug.Database(str(self.path), read_only=read_only,
                                        buffer_pool_size=self.pool_mb * 2**20,
                                        throw_on_wal_replay_failure=not read_only)
            except RuntimeError as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(f"cannot open the embedded store at {self.path}: {exc}") from exc
                if time.monotonic() > deadline:
                    raise StoreBusyError(
                        f"the embedded store at {self.path} is in use by another process "
                        f"({'a writer' if read_only else 'the dashboard or another govplat command'}). "
                        "Stop it and try again, or point GOVPLAT_HOME elsewhere."
                    ) from exc
                time.sleep(0.25)

    # ------------------------------------------------------------------ schema
    def schema_ddl(self) -> list[str]:
        ddl = []
        for cls in self.onto.concrete_classes():
            cols = []
            for p in self.onto.properties_of(cls):
                typ = _TYPES[p.kind] + ("[]" if p.multi else "")
                cols.append(f"`{p.name}` {typ}")
            ddl.append(f"CREATE NODE TABLE IF NOT EXISTS `{cls}`({', '.join(cols)}, PRIMARY KEY(`id`))")
        rel_cols = ", ".join(
            f"`{p.name}` {_TYPES[p.kind]}{'[]' if p.multi else ''}" for p in self.onto.relation_properties())
        for rtype in sorted(self.onto.relations):
            pairs = ", ".join(f"FROM `{s}` TO `{d}`" for s, d in self.onto.endpoint_pairs(rtype))
            ddl.append(f"CREATE REL TABLE IF NOT EXISTS `{rtype}`({pairs}, {rel_cols})")
        return ddl

    def _ensure_schema(self) -> None:
        ddl = self.schema_ddl()
        digest = hashlib.sha256("\n".join(ddl).encode()).hexdigest()[:16]
        tables = {row[1] for row in self._conn.execute("CALL show_tables() RETURN *").get_all()}
        if _META in tables:
            stored = self._conn.execute(f"MATCH (m:{_META}) RETURN m.schema").get_all()
            if stored and stored[0][0] != digest:
                raise StoreOutdatedError(
                    f"the embedded store at {self.path} was built with another version of ontology.ttl; "
                    "run `govplat wipe --yes` and ingest again")
            return
        if self.read_only:
            raise StoreError(f"the embedded store at {self.path} has no govplat schema")
        for stmt in ddl:
            self._conn.execute(stmt)
        self._conn.execute(f"CREATE NODE TABLE IF NOT EXISTS {_META}(key STRING, schema STRING, PRIMARY KEY(key))")
        self._conn.execute(f"CREATE (:{_META} {{key: 'schema', schema: $s}})", {"s": digest})

    # ------------------------------------------------------------------ writing
    def _existing(self, ids: list[str], full: set[str]) -> dict[str, Existing]:
        # UNWIND + {id: i} is a primary-key lookup; `WHERE n.id IN $ids` would scan the table.
        out: dict[str, Existing] = {}
        for cls in self.onto.concrete_classes():
            multi = [p.name for p in self.onto.properties_of(cls) if p.multi]
            cols = ", ".join(f"n.`{m}` AS `{m}`" for m in multi)
            res = self._conn.execute(
                f"UNWIND $ids AS i MATCH (n:`{cls}` {{id: i}}) RETURN n.id AS id, {cols}", {"ids": ids})
            for row in res.get_all():
                out[row[0]] = Existing(cls, dict(zip(multi, row[1:])))
        return out

    def _existing_relation_sources(self, rtype, groups):
        # One class on each end, both ends by primary key, then the edge between them: a
        # multi-label pattern or a single path pattern makes Ladybug scan a hub's edges.
        out = {}
        for (s, d), pairs in groups.items():
            res = self._conn.execute(
                f"UNWIND $rows AS r MATCH (a:`{s}` {{id: r.f}}) MATCH (b:`{d}` {{id: r.t}}) "
                f"MATCH (a)-[e:`{rtype}`]->(b) RETURN a.id, b.id, e.sources",
                {"rows": [{"f": f, "t": t} for f, t in pairs]})
            out.update({(a, b): src for a, b, src in res.get_all()})
        return out

    @contextmanager
    def transaction(self):
        """One write transaction: committed at the end of the block, rolled back on an error."""
        if self.read_only:
            raise StoreError("this store was opened read-only")
        self._conn.execute("BEGIN TRANSACTION")
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException:
            try:
                self._conn.execute("ROLLBACK")
            except RuntimeError:
                pass
            raise
        self._bump_version()

    def set_valid_time(self, rows_by_class: dict[str, list[dict]]) -> None:
        import pyarrow as pa

        with self.transaction() as conn:
            for cls, rows in rows_by_class.items():
                ids = pa.array([r["id"] for r in rows], pa.string())
                for prop in ("validFrom", "validTo"):
                    # An Arrow table, which LOAD FROM reads column-wise (a date or NULL per row):
                    # about 5x faster than UNWIND over row maps.
                    table = pa.table({"id": ids, "d": pa.array([r[prop] for r in rows], pa.date32())})
                    conn.execute(f"LOAD FROM $rows MATCH (n:`{cls}` {{id: id}}) SET n.`{prop}` = d", {"rows": table})

    @property
    def _version_file(self) -> Path:
        return version_file(self.path)

    def _bump_version(self) -> None:
        """Every committed write gets a new data version (graph.stores.base.Store.data_version)."""
        tmp = self._version_file.with_name(self._version_file.name + ".tmp")
        tmp.write_text(f"{time.time_ns()}-{os.getpid()}\n", encoding="utf-8")
        tmp.replace(self._version_file)

    def data_version(self) -> str | None:
        return read_version(self.path)

    def _write(self, writes: Writes) -> None:
        with self.transaction():
            self._write_rows(writes)

    def _write_rows(self, writes: Writes) -> None:
        """The statements of one batch, inside the caller's transaction."""
        for cls, rows in writes.entities.items():
            new = [r for r in rows if r["id"] in writes.new_entities]
            old = [r for r in rows if r["id"] not in writes.new_entities]
            if new:
                self._create_entities(cls, new)
            if old:
                self._merge_entities(cls, old)
        for (rtype, s, d), rows in writes.relations.items():
            new = [r for r in rows if (r["f"], rtype, r["t"]) in writes.new_relations]
            old = [r for r in rows if (r["f"], rtype, r["t"]) not in writes.new_relations]
            if new:
                self._write_relations(rtype, s, d, new, "CREATE")
            if old:
                self._write_relations(rtype, s, d, old, "MERGE")

    @staticmethod
    def _present(rows: list[dict], names: list[str]) -> list[str]:
        # A column that is null in every row has no type Ladybug can infer: leave it out.
        return [n for n in names if any(r.get(n) is not None for r in rows)]

    def _create_entities(self, cls: str, rows: list[dict]) -> None:
        present = ["id", *self._present(rows, [p.name for p in self.onto.properties_of(cls) if p.name != "id"])]
        rows = [{k: r.get(k) for k in present} for r in rows]
        fields = ", ".join(f"`{k}`: r.`{k}`" for k in present)
        self._conn.execute(f"UNWIND $rows AS r CREATE (n:`{cls}` {{{fields}}})", {"rows": rows})

    def _merge_entities(self, cls: str, rows: list[dict]) -> None:
        props = [p for p in self.onto.properties_of(cls) if p.name != "id"]
        present = set(self._present(rows, [p.name for p in props]))
        props = [p for p in props if p.name in present]
        rows = [{k: v for k, v in r.items() if k == "id" or k in present} for r in rows]
        sets = ", ".join(
            f"n.`{p.name}` = r.`{p.name}`" if p.multi or p.name == "uri"
            else f"n.`{p.name}` = coalesce(r.`{p.name}`, n.`{p.name}`)" for p in props)
        self._conn.execute(f"UNWIND $rows AS r MERGE (n:`{cls}` {{id: r.id}}) SET {sets}", {"rows": rows})

    def _write_relations(self, rtype: str, s: str, d: str, rows: list[dict], verb: str) -> None:
        present = self._present(rows, [p.name for p in self.onto.relation_properties()])
        rows = [{k: v for k, v in r.items() if k in ("f", "t") or k in present} for r in rows]
        match = f"UNWIND $rows AS r MATCH (a:`{s}` {{id: r.f}}) MATCH (b:`{d}` {{id: r.t}}) "
        if verb == "CREATE":
            fields = ", ".join(f"`{p}`: r.`{p}`" for p in present)
            self._conn.execute(match + f"CREATE (a)-[e:`{rtype}` {{{fields}}}]->(b)", {"rows": rows})
        else:
            sets = ", ".join(
                f"e.`{p}` = r.`{p}`" if p == "sources" else f"e.`{p}` = coalesce(r.`{p}`, e.`{p}`)"
                for p in present)
            self._conn.execute(match + f"MERGE (a)-[e:`{rtype}`]->(b) SET {sets}", {"rows": rows})

    # ------------------------------------------------------------------ reading
    def run_user(self, *args, **kwargs):
        # A user's query runs with the memory watchdog process (graph/stores/memory.py), per thread.
        self._user.query = True
        try:
            return super().run_user(*args, **kwargs)
        finally:
            self._user.query = False

    def _check_read_only(self, cypher, params, timeout) -> None:
        # One prepared EXPLAIN: Ladybug parses (one statement only), binds and plans; nothing runs.
        # Binding LOAD FROM opens the named file, so it happens where no file can be opened.
        def plan() -> tuple[str, str]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                prepared = self._conn.prepare("EXPLAIN\n" + cypher)
            if not prepared.is_success():
                return "", prepared.get_error_message()
            res = self._execute(prepared, params, timeout, watch=False)
            return "\n".join(str(row[0]) for row in _rows(res)), ""

        # Binding folds constant expressions (a huge lpad() or range() is built here, before any plan):
        # the memory watch runs beside it, in this thread, which may read /proc.
        with MemoryWatch(self._conn, self.memory_mb, hard=True) if self.memory_mb else nullcontext() as memory:
            text, msg = run_without_files(plan)
        # bad_alloc: an allocation past the address space of the console's worker (graph/stores/query_worker.py)
        if getattr(memory, "tripped", False) or "bad_alloc" in msg:
            raise over_memory(self.memory_mb)
        if msg:
            if "multiple statements" in msg:
                raise ReadOnlyViolation("refused: one statement at a time")
            if "read-only" in msg:
                raise ReadOnlyViolation(f"refused: this console only reads the graph ({msg})")
            if "Permission denied" in msg:  # the planning thread may open no file
                raise ReadOnlyViolation(f"refused: this console only reads the graph, no files ({msg})")
            raise QueryError(_failed(msg))
        check_ladybug_plan(text)

    def _execute(self, query, params, timeout, *, watch: bool = True):
        if timeout:
            self._conn.set_query_timeout(int(timeout * 1000))
        hard = getattr(self._user, "query", False)
        memory = MemoryWatch(self._conn, self.memory_mb, hard=hard) if watch and self.memory_mb else nullcontext()
        over = over_memory(self.memory_mb)
        try:
            with memory:
                res = self._conn.execute(query, params or {})
            if getattr(memory, "tripped", False):  # over the limit, though the engine finished it anyway
                raise over
            return res
        except RuntimeError as exc:
            msg = str(exc)
            if getattr(memory, "tripped", False) or "bad_alloc" in msg:  # bad_alloc: see _check_read_only
                raise over from exc
            if "buffer pool is full" in msg.lower():
                pool = f"{self.pool_mb} MB" if self.pool_mb else "Ladybug's default, 80% of RAM"
                raise QueryError(f"query stopped: it needs more than the buffer pool (GOVPLAT_BUFFER_POOL_MB: {pool}) "
                                 "holds; narrow it (LIMIT, fewer MATCH parts)") from exc
            if "interrupted" in msg.lower() or "timeout" in msg.lower():
                raise QueryError(f"query stopped after its timeout of {timeout} s (GOVPLAT_QUERY_TIMEOUT)") from exc
            raise QueryError(_failed(msg)) from exc
        finally:
            if timeout:
                self._conn.set_query_timeout(0)

    def run(self, cypher, params=None, *, read_only=True, timeout=None, max_rows=None) -> Result:
        res = self._execute(cypher, params, timeout)
        columns = res.get_column_names()
        rows, truncated = [], False
        for row in _rows(res):
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append(dict(zip(columns, (self._convert(v) for v in row))))
        return Result(columns, rows, truncated)

    def _table_name(self, table: int) -> str:
        if self._table_names is None:
            self._table_names = {r[0]: r[1] for r in self._conn.execute("CALL show_tables() RETURN *").get_all()}
        return self._table_names[table]

    def _id_of(self, internal: dict) -> str:
        name = self._table_name(internal["table"])
        rows = self._conn.execute(
            f"MATCH (n:`{name}`) WHERE offset(id(n)) = $o RETURN n.id", {"o": internal["offset"]}).get_all()
        return rows[0][0] if rows else "?"

    def _node(self, v: dict) -> Node:
        # An empty list is no value (as a missing property): the same Node whatever stored it.
        props = {k: val for k, val in v.items()
                 if not k.startswith("_") and val is not None and val != [] and k not in ("id", "uri")}
        return Node(v["id"], v["_LABEL"], props)

    def _rel(self, v: dict, ids: dict) -> Rel:
        src = ids.get((v["_SRC"]["table"], v["_SRC"]["offset"])) or self._id_of(v["_SRC"])
        dst = ids.get((v["_DST"]["table"], v["_DST"]["offset"])) or self._id_of(v["_DST"])
        props = {k: val for k, val in v.items() if not k.startswith("_") and val is not None}
        return Rel(v["_LABEL"], src, dst, props)

    def _convert(self, v: Any) -> Any:
        if isinstance(v, dict):
            if "_NODES" in v and "_RELS" in v:
                ids = {(n["_ID"]["table"], n["_ID"]["offset"]): n["id"] for n in v["_NODES"]}
                return GPath(tuple(self._node(n) for n in v["_NODES"]), tuple(self._rel(r, ids) for r in v["_RELS"]))
            if "_SRC" in v and "_DST" in v:
                return self._rel(v, {})
            if "_LABEL" in v and "id" in v:
                return self._node(v)
            return {k: self._convert(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self._convert(x) for x in v]
        if isinstance(v, Decimal):  # Ladybug's sum() over integers; Neo4j returns an int
            return int(v) if v == v.to_integral_value() else float(v)
        return v

    def dump(self) -> tuple[Iterator[Entity], Iterator[Relation]]:
        # Ladybug holds a query's whole result until it is read: one query per class or type would
        # hold the graph. Instead pages of about GOVPLAT_DUMP_PAGE_ROWS rows, by ranges of storage
        # offsets, unsorted (an ORDER BY would sort each page in the buffer pool): one thread per
        # page reads it in storage order, so the same store always dumps in the same order. Each
        # page runs on a connection of its own, closed after it: a connection keeps the memory of
        # what its queries scanned until it is closed, so a dump holds one page and the buffer pool
        # (GOVPLAT_DUMP_BUFFER_POOL_MB), not the graph.
        # Ladybug filters on offsets after it scans (no range scan), so a page costs a scan of its
        # table: relationships are paged by ranges of their SOURCE nodes' offsets, which scan the
        # source table and follow only the page's links (paged by the relationships' own offsets,
        # each page followed every link of the table: 3x the CPU at 10M relations). Sources are cut
        # into ranges of about a page of links by counting links per range, and a hub with more
        # links than a page is read in pages of its links by their own offsets.
        page_rows = settings().dump_page_rows

        def failed(exc: RuntimeError) -> StoreError:
            pool = f"{self.pool_mb} MB" if self.pool_mb else "Ladybug's default, 80% of RAM"
            return StoreError(f"reading the embedded store at {self.path} failed: {exc} (the buffer pool is "
                              f"{self.pool_setting}={pool}; GOVPLAT_DUMP_PAGE_ROWS={page_rows} rows per read)")

        def page(query: str, params: dict) -> Iterator[list]:
            conn = ladybug.Connection(self._db, num_threads=1)
            try:
                try:
                    res = conn.execute(query, params)
                except RuntimeError as exc:
                    raise failed(exc) from exc
                yield from _rows(res)
            finally:
                conn.close()

        def entities():
            for cls in self.onto.concrete_classes():
                props = [p.name for p in self.onto.properties_of(cls)]
                cols = _dump_columns("n", self.onto.properties_of(cls))
                n, top = next(page(f"MATCH (n:`{cls}`) RETURN count(n), max(offset(id(n)))", {}))
                if not n:
                    continue
                step = max(1, (top + 1) * page_rows // n)
                for lo in range(0, top + 1, step):
                    for row in page(f"MATCH (n:`{cls}`) WHERE offset(id(n)) >= $lo AND offset(id(n)) < $hi "
                                    f"RETURN {cols}", {"lo": lo, "hi": lo + step}):
                        rec = dict(zip(props, row))
                        yield Entity(rec.pop("id"), cls, {k: v for k, v in rec.items()
                                                          if k not in ("sources", "uri") and v not in (None, [])},
                                     rec.get("sources") or [])

        def spans(links: str, lo: int, hi: int, n: int) -> Iterator[dict]:
            """Pages of the ``n`` links of the sources at offsets [lo, hi): {lo, hi} of sources, or
            {lo, hi, elo, ehi} of one hub's links by their own offsets."""
            if hi - lo == 1:
                first, last = next(page(f"{links} WHERE offset(id(a)) = $lo "
                                        "RETURN min(offset(id(e))), max(offset(id(e)))", {"lo": lo}))
                step = max(1, (last - first + 1) * page_rows // n)
                for elo in range(first, last + 1, step):
                    yield {"lo": lo, "hi": hi, "elo": elo, "ehi": elo + step}
                return
            step = max(1, (hi - lo) * page_rows // n)   # about a page per bucket if spread evenly
            buckets = page(f"{links} WHERE offset(id(a)) >= $lo AND offset(id(a)) < $hi "
                           "RETURN (offset(id(a)) - $lo) / $step AS k, count(e) ORDER BY k",
                           {"lo": lo, "hi": hi, "step": step})
            start, held = lo, 0
            for k, count in list(buckets):
                b_lo, b_hi = lo + k * step, min(hi, lo + (k + 1) * step)
                if held and held + count > page_rows:   # close the page before this bucket
                    yield {"lo": start, "hi": b_lo}
                    start, held = b_lo, 0
                if count > 2 * page_rows:               # a bucket of hubs: cut it finer
                    yield from spans(links, b_lo, b_hi, count)
                    start = b_hi
                else:
                    held += count
            if held:
                yield {"lo": start, "hi": hi}

        def relations():
            rel_props = [p.name for p in self.onto.relation_properties()]
            cols = _dump_columns("e", self.onto.relation_properties())
            for rtype in sorted(self.onto.relations):
                for src in sorted({s for s, _ in self.onto.endpoint_pairs(rtype)}):
                    links = f"MATCH (a:`{src}`)-[e:`{rtype}`]->()"
                    n, top = next(page(f"{links} RETURN count(e), max(offset(id(a)))", {}))
                    if not n:
                        continue
                    for span in spans(links, 0, top + 1, n):
                        hub = " AND offset(id(e)) >= $elo AND offset(id(e)) < $ehi" if "elo" in span else ""
                        # the hint keeps the plan that starts from the page's sources
                        for row in page(f"MATCH (a:`{src}`)-[e:`{rtype}`]->(b) WHERE offset(id(a)) >= $lo "
                                        f"AND offset(id(a)) < $hi{hub} HINT (a JOIN e) JOIN b "
                                        f"RETURN a.id, b.id, {cols}", span):
                            rec = dict(zip(rel_props, row[2:]))
                            yield Relation(rtype, row[0], row[1], {k: v for k, v in rec.items()
                                                                   if k != "sources" and v is not None},
                                           rec.get("sources") or [])

        return entities(), relations()

    def _count_entities(self) -> dict[str, int]:
        return {cls: self._conn.execute(f"MATCH (n:`{cls}`) RETURN count(n)").get_all()[0][0]
                for cls in self.onto.concrete_classes()}

    def _count_relations(self) -> dict[str, int]:
        return {rtype: self._conn.execute(f"MATCH ()-[e:`{rtype}`]->() RETURN count(e)").get_all()[0][0]
                for rtype in self.onto.relations}

    def wipe(self) -> None:
        if self.read_only:
            raise StoreError("this store was opened read-only")
        for rtype in self.onto.relations:
            self._conn.execute(f"MATCH ()-[e:`{rtype}`]->() DELETE e")
        for cls in self.onto.concrete_classes():
            self._conn.execute(f"MATCH (n:`{cls}`) DELETE n")
        self._bump_version()

    def close(self) -> None:
        conn, db = getattr(self, "_conn", None), getattr(self, "_db", None)
        if conn is not None:
            conn.close()
        if db is not None:
            db.close()
        self._conn = self._db = None
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.release()
            self._lock = None


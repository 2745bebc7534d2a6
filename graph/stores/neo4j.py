"""The Neo4j store, through the official driver (Bolt).

Every node carries its class and all the class's ontology superclasses as labels (so
``(n:GovernmentBody)`` and ``(n:Entity)`` work as analysts expect); ``id`` is unique on
``:Entity``. Writes are batched ``UNWIND $rows ... MERGE`` inside managed write transactions,
which the driver retries on transient errors; a batch is one transaction, so a crash leaves
either the whole batch or none of it. User queries run in READ sessions with a timeout.

Cluster and Aura ready: any URI the driver takes works (``bolt://``, ``bolt+s://``,
``neo4j://``, ``neo4j+s://``...). With a ``neo4j`` scheme the driver routes: every write
(schema, batches, wipe) is a managed write transaction and goes to the database's leader,
every read (lookups before a write, user queries, dumps, counts) runs with READ access and
goes to a reader. All sessions share the driver's bookmark manager, so a read on a
secondary sees every batch written before it (causal consistency). Every session names
``database`` (NEO4J_DATABASE).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import neo4j
from neo4j import GraphDatabase, Query, RoutingControl
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable

from graph.errors import QueryError, ReadOnlyViolation, StoreError, StoreUnavailableError
from graph.cypher.guard import check_neo4j_plan
from graph.model import Entity, Node, Path, Rel, Relation
from graph.stores.base import Existing, Result, Store, Writes

__all__ = ["Neo4jStore"]


class Neo4jStore(Store):
    engine = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j") -> None:
        super().__init__()
        self.uri, self.database = uri, database
        try:
            self._driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=10,
                                                max_transaction_retry_time=30,
                                                notifications_min_severity="OFF")
            self._driver.verify_connectivity()
        except AuthError as exc:
            raise StoreUnavailableError(f"Neo4j at {uri} refused the credentials for user {user!r} "
                                        "(check NEO4J_USER / NEO4J_PASSWORD)") from exc
        except (ServiceUnavailable, OSError, ValueError, Neo4jError) as exc:
            raise StoreUnavailableError(f"cannot reach Neo4j at {uri}: {exc} "
                                        "(is the server running? check NEO4J_URI)") from exc
        try:
            self._ensure_schema()
        except Neo4jError as exc:
            self.close()
            if "DatabaseNotFound" in (exc.code or ""):
                raise StoreUnavailableError(f"Neo4j at {uri} has no database {database!r} "
                                            "(check NEO4J_DATABASE)") from exc
            raise StoreError(f"Neo4j at {uri} refused to create govplat's constraints: {exc.message}") from exc
        except ServiceUnavailable as exc:
            self.close()
            raise StoreUnavailableError(f"cannot reach Neo4j at {uri}: {exc}") from exc

    def _session(self, read: bool = False):
        return self._driver.session(database=self.database,
                                    default_access_mode=neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS,
                                    bookmark_manager=self._driver.execute_query_bookmark_manager)

    def _ensure_schema(self) -> None:
        stmts = ["CREATE CONSTRAINT govplat_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
                 "CREATE INDEX govplat_entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)"]
        for cls in self.onto.concrete_classes():
            stmts.append(f"CREATE INDEX govplat_{cls.lower()}_id IF NOT EXISTS FOR (n:`{cls}`) ON (n.id)")
        for stmt in stmts:
            try:
                self._driver.execute_query(stmt, database_=self.database, routing_=RoutingControl.WRITE)
            except ClientError as exc:  # another client created it between our checks
                if "EquivalentSchemaRuleAlreadyExists" not in (exc.code or ""):
                    raise

    def labels(self, cls: str) -> list[str]:
        return [cls, *self.onto.ancestors(cls)]

    # ------------------------------------------------------------------ writing
    def _existing(self, ids: list[str], full: set[str]) -> dict[str, Existing]:
        multi_names = sorted({p.name for c in self.onto.concrete_classes()
                              for p in self.onto.properties_of(c) if p.multi})
        out = {}
        with self._session(read=True) as s:
            res = s.run("UNWIND $ids AS i MATCH (n:Entity {id: i}) RETURN n.id AS id, labels(n) AS labels, "
                        "CASE WHEN n.id IN $full THEN n {" + ", ".join(f".`{m}`" for m in multi_names)
                        + "} END AS multi", ids=ids, full=sorted(full))
            for rec in res:
                cls = self.onto.most_specific(rec["labels"])
                stored = rec["multi"] or {}
                out[rec["id"]] = Existing(cls, {p.name: stored.get(p.name)
                                                for p in self.onto.properties_of(cls) if p.multi})
        return out

    def _existing_relation_sources(self, rtype, groups):
        # Both ends by index, then Expand(Into) inside the subquery: Neo4j walks the side with
        # fewer relationships, so a hub (a big platform, a country) is never scanned.
        with self._session(read=True) as s:
            res = s.run(f"UNWIND $rows AS r MATCH (a:Entity {{id: r.f}}) MATCH (b:Entity {{id: r.t}}) "
                        f"CALL (a, b) {{ MATCH (a)-[e:`{rtype}`]->(b) RETURN e }} "
                        "RETURN a.id AS a, b.id AS b, e.sources AS sources",
                        rows=[{"f": f, "t": t} for pairs in groups.values() for f, t in pairs])
            return {(r["a"], r["b"]): r["sources"] for r in res}

    def _write(self, writes: Writes) -> None:
        # Entities are merged on id. A row's nulls are left out of its map, so `+=` keeps what is
        # stored where the record is silent (sources and multi-valued props come already unioned
        # with what is stored).
        def props_of(row: dict, skip: tuple[str, ...]) -> dict:
            return {k: v for k, v in row.items() if v is not None and k not in skip}

        def work(tx):
            for cls, rows in writes.entities.items():
                # :Entity comes from the MERGE; setting it again would make Neo4j plan an Eager.
                labels = ":".join(f"`{l}`" for l in self.labels(cls) if l != "Entity")
                tx.run(f"UNWIND $rows AS r MERGE (n:Entity {{id: r.id}}) SET n:{labels} SET n += r.props",
                       rows=[{"id": r["id"], "props": props_of(r, ("id",))} for r in rows]).consume()
            # A relation with an end that was not stored when this batch looked it up cannot exist
            # yet (barring another writer storing the same entity in between): CREATE it; the
            # others are merged (MERGE locks both ends). Narrower than writes.new_relations on
            # purpose: a pair looked up and not found may be created by another client before
            # our write, a relation to an entity this batch creates cannot. Labels do not matter here.
            by_verb: dict[tuple[str, str], list[dict]] = defaultdict(list)
            for (rtype, _s, _d), rows in writes.relations.items():
                for r in rows:
                    verb = "CREATE" if r["f"] in writes.new_entities or r["t"] in writes.new_entities else "MERGE"
                    by_verb[(rtype, verb)].append({"f": r["f"], "t": r["t"], "props": props_of(r, ("f", "t"))})
            for (rtype, verb), rows in by_verb.items():
                tx.run(f"UNWIND $rows AS r MATCH (a:Entity {{id: r.f}}) MATCH (b:Entity {{id: r.t}}) "
                       f"{verb} (a)-[e:`{rtype}`]->(b) SET e += r.props", rows=rows).consume()

        try:
            with self._session() as s:
                s.execute_write(work)
        except ServiceUnavailable as exc:
            raise StoreUnavailableError(f"lost Neo4j at {self.uri} while writing: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.uri} rejected a write: {exc.message}") from exc

    def set_valid_time(self, rows_by_class: dict[str, list[dict]]) -> None:
        rows = [r for rows in rows_by_class.values() for r in rows]
        try:  # SET to null removes the property, as Neo4j stores no nulls
            with self._session() as s:
                s.execute_write(lambda tx: tx.run(
                    "UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n.validFrom = r.validFrom, n.validTo = r.validTo",
                    rows=rows).consume())
        except ServiceUnavailable as exc:
            raise StoreUnavailableError(f"lost Neo4j at {self.uri} while writing: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.uri} rejected a write: {exc.message}") from exc

    # ------------------------------------------------------------------ reading
    def _check_read_only(self, cypher, params, timeout) -> None:
        # EXPLAIN plans without running; the plan's operators and procedures decide (graph.cypher.guard).
        try:
            with self._session(read=True) as s:
                summary = s.run(Query("EXPLAIN " + cypher, timeout=timeout), params or {}).consume()
        except Neo4jError as exc:
            raise self._query_error(exc, timeout) from exc
        except ServiceUnavailable as exc:
            raise StoreUnavailableError(f"cannot reach Neo4j at {self.uri}: {exc}") from exc
        check_neo4j_plan(summary.plan)

    def _query_error(self, exc: Neo4jError, timeout) -> QueryError:
        code = exc.code or ""
        if "TransactionTimedOut" in code or "Terminated" in code:
            return QueryError(f"query stopped after its timeout of {timeout} s (GOVPLAT_QUERY_TIMEOUT)")
        if "MemoryPoolOutOfMemoryError" in code or "TransactionOutOfMemoryError" in code:
            return QueryError("query stopped: it needs more memory than the server's db.memory.transaction.max "
                              "allows (GOVPLAT_QUERY_MEMORY_MB for tools/neo4j/server); narrow it "
                              f"(LIMIT, fewer MATCH parts): {exc.message}")
        if code.endswith("General.OutOfMemoryError"):  # a value db.memory.transaction.max does not track
            return QueryError("query stopped: it needs more memory than the Neo4j server's heap holds "
                              "(GOVPLAT_NEO4J_HEAP for tools/neo4j/server; db.memory.transaction.max, "
                              "GOVPLAT_QUERY_MEMORY_MB, does not count every value a query builds); narrow it "
                              f"(LIMIT, smaller values): {exc.message}")
        if "ForbiddenDueToTransactionType" in code or "AccessMode" in code or "WriteOnReadOnlyAccess" in code:
            return ReadOnlyViolation(f"refused by Neo4j: read-only session ({exc.message})")
        return QueryError(f"query failed: {exc.message}")

    def run(self, cypher, params=None, *, read_only=True, timeout=None, max_rows=None) -> Result:
        # Auto-commit in a READ session: routed to a reader, and run once (a managed transaction
        # would retry a query stopped for memory, a transient error, for max_transaction_retry_time).
        query = Query(cypher, timeout=timeout) if timeout else Query(cypher)
        try:
            with self._session(read=read_only) as s:
                res = s.run(query, params or {})
                columns = list(res.keys())
                rows, truncated = [], False
                for rec in res:
                    if max_rows is not None and len(rows) >= max_rows:
                        truncated = True
                        break
                    rows.append({c: self._convert(rec[c]) for c in columns})
                if truncated:
                    res.consume()
        except ServiceUnavailable as exc:
            raise StoreUnavailableError(f"cannot reach Neo4j at {self.uri}: {exc}") from exc
        except Neo4jError as exc:
            raise self._query_error(exc, timeout) from exc
        return Result(columns, rows, truncated)

    def _node(self, n: neo4j.graph.Node) -> Node:
        # An empty list is no value (as a missing property): the same Node whatever stored it.
        props = {k: self._convert(v) for k, v in n.items() if k not in ("id", "uri") and v is not None and v != []}
        return Node(n["id"], self.onto.most_specific(n.labels), props)

    def _convert(self, v: Any) -> Any:
        if isinstance(v, neo4j.graph.Node):
            return self._node(v)
        if isinstance(v, neo4j.graph.Relationship):
            return Rel(v.type, v.start_node["id"], v.end_node["id"],
                       {k: self._convert(x) for k, x in v.items() if x is not None})
        if isinstance(v, neo4j.graph.Path):
            return Path(tuple(self._node(n) for n in v.nodes), tuple(self._convert(r) for r in v.relationships))
        if isinstance(v, list):
            return [self._convert(x) for x in v]
        if isinstance(v, dict):
            return {k: self._convert(x) for k, x in v.items()}
        if hasattr(v, "to_native"):
            return v.to_native()
        return v

    def dump(self) -> tuple[Iterator[Entity], Iterator[Relation]]:
        # Streamed, class by class in id order (the order the index on each class's id gives):
        # nothing is held, whatever the size of the graph.
        def entities():
            with self._session(read=True) as s:
                for cls in sorted(self.onto.concrete_classes()):
                    res = s.run(f"MATCH (n:`{cls}`) WHERE n.id IS NOT NULL "
                                "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id")
                    for r in res:
                        if self.onto.most_specific(r["labels"]) != cls:
                            continue  # a node of a subclass, dumped with its own class
                        props = {k: self._convert(v) for k, v in r["props"].items()}
                        eid = props.pop("id")
                        sources = props.pop("sources", None) or []
                        props.pop("uri", None)
                        yield Entity(eid, cls, {k: v for k, v in props.items() if v not in (None, [])}, sources)

        def relations():
            with self._session(read=True) as s:  # one type at a time: the server sorts one type's rows
                for rtype in sorted(self.onto.relations):
                    res = s.run(f"MATCH (a:Entity)-[e:`{rtype}`]->(b:Entity) RETURN a.id AS a, b.id AS b, "
                                "properties(e) AS props ORDER BY a, b")
                    for r in res:
                        props = {k: self._convert(v) for k, v in r["props"].items()}
                        sources = props.pop("sources", None) or []
                        yield Relation(rtype, r["a"], r["b"], {k: v for k, v in props.items() if v is not None},
                                       sources)

        return entities(), relations()

    def _count_entities(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        with self._session(read=True) as s:
            for r in s.run("MATCH (n:Entity) RETURN labels(n) AS labels, count(*) AS n"):
                counts[self.onto.most_specific(r["labels"])] += r["n"]
        return dict(counts)

    def _count_relations(self) -> dict[str, int]:
        with self._session(read=True) as s:
            return {r["t"]: r["n"] for r in s.run("MATCH ()-[e]->() RETURN type(e) AS t, count(*) AS n")}

    def wipe(self) -> None:
        def chunk(tx) -> int:
            return tx.run("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n").single()["n"]

        with self._session() as s:
            while s.execute_write(chunk):
                pass

    def close(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None:
            driver.close()
            self._driver = None


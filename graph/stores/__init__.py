"""Stores by name; the settings pick one. Engines are imported on first use."""
from __future__ import annotations

from graph.errors import GovplatError
from graph.settings import Settings, settings
from graph.stores.base import Result, Store

__all__ = ["Store", "Result", "open_store"]


def open_store(cfg: Settings | None = None, *, read_only: bool = False, dump: bool = False) -> Store:
    """The store the environment configures (GOVPLAT_STORE), ready to use.

    ``read_only`` opens the embedded file for reading so that several readers can share it;
    a Neo4j store is always opened the same way (user queries run in READ sessions). ``dump``
    (with ``read_only``) opens it for a dump: the buffer pool is GOVPLAT_DUMP_BUFFER_POOL_MB.
    """
    cfg = cfg or settings()
    if cfg.store == "embedded":
        from graph.stores.embedded import EmbeddedStore

        return EmbeddedStore(cfg.embedded_path, read_only=read_only, dump=dump and read_only)
    if cfg.store == "neo4j":
        from graph.stores.neo4j import Neo4jStore

        return Neo4jStore(cfg.neo4j_uri, cfg.neo4j_user, cfg.neo4j_password, cfg.neo4j_database)
    raise GovplatError(f"unknown store {cfg.store!r}")

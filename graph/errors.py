"""One exception root for govplat; errors are caught at the edge (CLI, page, runner)."""
from __future__ import annotations

__all__ = [
    "GovplatError", "OntologyError", "ValidationError", "StoreError",
    "StoreBusyError", "StoreOutdatedError", "StoreUnavailableError", "QueryError", "ReadOnlyViolation", "SourceError",
]


class GovplatError(Exception):
    """Root of every error govplat reports to a user."""


class OntologyError(GovplatError):
    """The ontology or a name looked up in it is wrong."""


class ValidationError(GovplatError):
    """A record breaks the ontology, the shapes or the case schema.

    ``where`` names the file, ``record`` the record id and ``field`` the field, so the
    message can always say which thing to fix.
    """

    def __init__(self, message: str, *, where: str = "", record: str = "", field: str = ""):
        self.where, self.record, self.field, self.reason = where, record, field, message
        parts = [p for p in (where, f"record {record!r}" if record else "", f"field {field!r}" if field else "") if p]
        super().__init__(f"{': '.join([', '.join(parts), message]) if parts else message}")


class SourceError(ValidationError):
    """A source file cannot be read as its source expects (layout, encoding, syntax)."""


class StoreError(GovplatError):
    """The store failed to read or write."""


class StoreBusyError(StoreError):
    """The embedded database is locked by another process."""


class StoreOutdatedError(StoreError):
    """The embedded store was built with another version of ontology.ttl."""


class StoreUnavailableError(StoreError):
    """The configured store cannot be reached (server down, wrong password)."""


class QueryError(GovplatError):
    """A query is unknown, has bad parameters, failed or timed out."""


class ReadOnlyViolation(QueryError):
    """A user query tried to write or call something outside the allow list."""

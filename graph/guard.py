"""The read-only guard for user Cypher (CLI ``cypher``, dashboard console), on every engine.

The text is tokenised first (string literals, escaped names and comments removed), so that
keywords hidden in comments or strings neither slip through nor cause false refusals; what
remains is refused if it contains a clause that writes, changes the schema or administers the
DBMS, or calls a procedure outside the allow list. Neo4j sessions are additionally opened in
READ access mode, so a write the guard missed still fails on the server.
"""
from __future__ import annotations

import re

from graph.errors import ReadOnlyViolation

__all__ = ["check_read_only", "ALLOWED_PROCEDURES"]

# Keywords that write, change schema, load files or administer. Any of them refuses the query.
_FORBIDDEN = {
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH", "LOAD", "COPY",
    "ALTER", "RENAME", "GRANT", "DENY", "REVOKE", "START", "STOP", "INSTALL", "ATTACH", "DETACH",
    "IMPORT", "EXPORT", "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK", "USE", "TERMINATE", "ENABLE",
    "DISABLE", "INSERT", "UPDATE", "UPSERT", "TRUNCATE", "EXECUTE",
}
# Read-only catalogue procedures a user may call.
ALLOWED_PROCEDURES = {
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "show_tables", "table_info", "show_connection",
}

_TOKEN = re.compile(
    r"""
      (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<escaped>`(?:[^`]|``)*`)
    | (?P<word>[A-Za-z_][A-Za-z_0-9]*(?:\s*\.\s*[A-Za-z_][A-Za-z_0-9]*)*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "comment":
            continue
        out.append((kind, m.group(kind)))
    return out


def check_read_only(cypher: str) -> None:
    """Raise ReadOnlyViolation unless the query only reads.

    >>> check_read_only("MATCH (n) RETURN count(n) AS n")
    >>> check_read_only("match (n) detach delete n")
    Traceback (most recent call last):
    ...
    graph.errors.ReadOnlyViolation: refused: this console is read-only and the query uses DETACH (writes or administration are not allowed)
    """
    if "\x00" in cypher:
        raise ReadOnlyViolation("refused: the query contains a NUL character")
    toks = _tokens(cypher)
    if toks and toks[-1] == ("other", ";"):
        toks = toks[:-1]
    if ("other", ";") in toks:
        raise ReadOnlyViolation("refused: one statement at a time (remove the ';')")
    for i, (kind, value) in enumerate(toks):
        if kind != "word":
            continue
        word = re.sub(r"\s+", "", value)
        head = word.split(".")[0].upper()
        prev = toks[i - 1][1] if i else ""
        if prev in (".", "$", ":"):  # a property, parameter, label or relationship type
            continue
        if head in _FORBIDDEN:
            raise ReadOnlyViolation(
                f"refused: this console is read-only and the query uses {head} "
                "(writes or administration are not allowed)")
        if head == "CALL":
            nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
            if nxt[1] == "{" or nxt[0] != "word":
                raise ReadOnlyViolation("refused: CALL subqueries are not allowed in the read-only console")
            proc = re.sub(r"\s+", "", nxt[1]).lower()
            if proc not in ALLOWED_PROCEDURES:
                raise ReadOnlyViolation(
                    f"refused: procedure {proc!r} is not on the allow list ({', '.join(sorted(ALLOWED_PROCEDURES))})")
        if head == "SHOW" and i + 1 < len(toks) and toks[i + 1][1].upper() not in {"INDEXES", "CONSTRAINTS"}:
            raise ReadOnlyViolation("refused: SHOW commands other than SHOW INDEXES / CONSTRAINTS are not allowed")

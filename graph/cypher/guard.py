"""The read-only guard for user Cypher (CLI ``cypher``, dashboard console): the engine decides.

We never tokenise the query ourselves. The engine parses and plans it (``EXPLAIN``, which runs
nothing) and the guard accepts the plan only if every operator in it reads the graph's own tables
and every table function or procedure it calls is on the allow list in ``read_plans.yaml``.
Anything else (a write, COPY, LOAD FROM / LOAD CSV, EXPORT / IMPORT DATABASE, ATTACH, an
extension, a setting, a transaction command, a second statement) is refused before it runs.
The stores add a second wall: the embedded file is opened read-only, Neo4j sessions are READ.

On Ladybug the plan is the text EXPLAIN prints. The guard takes every operator name
(``NAME[id]``) and every ``Function: NAME`` anywhere in it; the engine prints each real operator
that way, so text from the query (an alias, a string) can only add names, which makes the guard
refuse, never hide one. On Neo4j the plan is the structured tree the driver returns.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import ReadOnlyViolation

__all__ = ["allowed", "check_ladybug_plan", "check_neo4j_plan"]

_OPERATOR = re.compile(r"([A-Z][A-Z_]*)\[\d+\]")
_FUNCTION = re.compile(r"Function: ([^\s,│]+)")
_REFUSED = "refused: this console only reads the graph"


@lru_cache(maxsize=1)
def allowed() -> dict[str, dict[str, frozenset[str]]]:
    """The allow lists of read_plans.yaml, per engine."""
    data = yaml.safe_load((Path(__file__).with_name("read_plans.yaml")).read_text(encoding="utf-8"))
    return {engine: {k: frozenset(v) for k, v in lists.items()} for engine, lists in data.items()}


def check_ladybug_plan(plan: str) -> None:
    """Raise ReadOnlyViolation unless every operator and table function of an EXPLAIN text reads."""
    ok = allowed()["ladybug"]
    operators = set(_OPERATOR.findall(plan))
    if "RESULT_COLLECTOR" not in operators:
        raise ReadOnlyViolation(f"{_REFUSED}: the engine planned no query result (not a read query)")
    bad = sorted(operators - ok["operators"])
    if bad:
        raise ReadOnlyViolation(f"{_REFUSED}; the plan uses {', '.join(bad)}, which is not a read of the graph "
                                "(writes, files, extensions, settings and transactions are not allowed)")
    bad = sorted(set(_FUNCTION.findall(plan)) - ok["functions"])
    if bad:
        raise ReadOnlyViolation(f"{_REFUSED}; the plan calls {', '.join(bad)}; only "
                                f"{', '.join(sorted(f.lower() for f in ok['functions'] - {'READ_FTABLE'}))} "
                                "may be called")


def _operators(plan: dict[str, Any]):
    yield plan
    for child in plan.get("children") or []:
        yield from _operators(child)


def check_neo4j_plan(plan: dict[str, Any]) -> None:
    """Raise ReadOnlyViolation unless every operator of a Neo4j EXPLAIN plan reads.

    ``plan`` is the driver's ``ResultSummary.plan``: operatorType, args (Details names a procedure), children.
    """
    ok = allowed()["neo4j"]
    procedures = {p.lower() for p in ok["procedures"]}
    if not plan:
        raise ReadOnlyViolation(f"{_REFUSED}: Neo4j returned no plan for the query")
    for op in _operators(plan):
        name = str(op.get("operatorType", "")).split("@")[0].split("(")[0]
        if name not in ok["operators"]:
            raise ReadOnlyViolation(f"{_REFUSED}; the plan uses {name}, which is not a read of the graph "
                                    "(writes, LOAD CSV, administration and transactions are not allowed)")
        if name == "ProcedureCall":
            details = str((op.get("args") or {}).get("Details", ""))
            proc = details.split("(", 1)[0].strip().lower()
            if proc not in procedures:
                raise ReadOnlyViolation(f"{_REFUSED}; procedure {proc!r} is not on the allow list "
                                        f"({', '.join(sorted(ok['procedures']))})")

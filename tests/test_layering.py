"""graph/ is built in layers (issue 14, items 1 and 7): no module imports another that imports it
back, the RDF room never reaches into the SPARQL room, graph/ and ingest/ never import the
dashboard, and only the entry point imports the CLI.

Read statically from the import statements (function-level imports included: an import made
late is still a dependency; ``if TYPE_CHECKING:`` ones are not), so it is fast and sees every
module, whatever it needs to run.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "ingest", "dashboard")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules one file imports (``from pkg import mod`` counts as importing pkg.mod)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only: never imported at run time
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # import a.b.c of a module a.b.c.d-less: the nearest known one
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(path, name, set(mods)) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    return import_graph()


def test_the_check_sees_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_every_room_is_seen(imports):
    for name in ("graph.rdf.view", "graph.rdf.write", "graph.rdf.jsonld", "graph.sparql.engine",
                 "graph.sparql.endpoint", "graph.sparql.pool", "graph.cypher.guard", "graph.cli",
                 "ingest.run", "dashboard.data"):
        assert name in imports, name
    assert "graph.rdf.write" in imports["graph.rdf.view"]
    assert "graph.sparql.pool" in imports["graph.sparql.endpoint"]


def test_no_import_cycles(imports):
    assert cycles(imports) == []


def test_graph_and_ingest_never_import_the_dashboard(imports):
    wrong = {(m, t) for m, ts in imports.items() if m.split(".")[0] in ("graph", "ingest")
             for t in ts if t.split(".")[0] == "dashboard"}
    assert not wrong


def test_only_the_entry_point_imports_the_cli(imports):
    assert not {m for m, ts in imports.items() if "graph.cli" in ts}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"graph.cli:app"' in pyproject


def test_the_rdf_room_does_not_import_the_sparql_room(imports):
    wrong = {(m, t) for m, ts in imports.items() if m.startswith("graph.rdf")
             for t in ts if t.startswith("graph.sparql")}
    assert not wrong

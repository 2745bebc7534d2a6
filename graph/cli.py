"""The ``govplat`` command line. Every command prints readable tables by default and a
stable JSON document with ``--json`` (shapes documented in README.md)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.errors import GovplatError
from graph.model import plain
from graph.settings import settings
from graph.stores import open_store

app = typer.Typer(
    help="govplat: a knowledge graph of conflicts between governments and online platforms.\n\n"
         "Data lives in the store GOVPLAT_STORE picks (embedded by default, under GOVPLAT_HOME).",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True)


def _fail(exc: Exception, code: int = 1):
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
    raise typer.Exit(code)


def _print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(plain(doc), ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def _table(columns: list[str], rows: list[dict], title: str | None = None) -> None:
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[_cell(r.get(c)) for c in columns])
    out.print(t)


def _cell(v: Any) -> str:
    v = plain(v)
    if isinstance(v, dict) and v.get("_type") == "node":
        return f"{v['props'].get('name', v['id'])} [{v['class']}]"
    if isinstance(v, dict) and v.get("_type") == "path":
        return " - ".join(n["id"] for n in v["nodes"])
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return "" if v is None else str(v)


# ---------------------------------------------------------------------------- ingest
@app.command()
def ingest(
    source: Optional[list[str]] = typer.Argument(
        None, help="Source name (see --list), optionally followed by files or folders for it. "
                   "With no argument, the bundled curated cases are ingested."),
    list_sources: bool = typer.Option(False, "--list", help="List the sources and exit."),
    check: bool = typer.Option(False, "--check", help="Validate only; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
):
    """Ingest data into the store: `govplat ingest` (bundled cases), `govplat ingest SOURCE PATH...`."""
    from ingest.run import available_sources, run_source

    sources = available_sources()
    if list_sources:
        rows = [{"source": n, "title": s.title, "bundled": "yes" if s.bundled else "bring your files"}
                for n, s in sources.items()]
        return _print_json(rows) if as_json else _table(["source", "title", "bundled"], rows)
    args = list(source or [])
    if not args:
        plan = [(n, None) for n, s in sources.items() if s.bundled]
    else:
        name, paths = args[0], [Path(p) for p in args[1:]]
        if name not in sources:
            _fail(f"unknown source {name!r}; `govplat ingest --list` shows them", 2)
        missing = [p for p in paths if not p.exists()]
        if missing:
            _fail(f"no such file or folder: {', '.join(map(str, missing))}", 2)
        if not paths and not sources[name].bundled:
            _fail(f"source {name!r} needs files: govplat ingest {name} PATH...", 2)
        plan = [(name, paths or None)]
    summary, failed = {}, False
    try:
        store = None if check else open_store()
    except GovplatError as exc:
        _fail(exc)
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True, disable=as_json) as progress:
            for name, paths in plan:
                task = progress.add_task(f"ingest {name}", total=None)
                counters = run_source(sources[name], store, paths, check_only=check,
                                      progress=lambda n, t=task: progress.advance(t, n))
                summary[name] = counters.to_json()
                failed |= counters.rejected > 0
    except GovplatError as exc:
        _fail(exc)
    finally:
        if store is not None:
            store.close()
    if as_json:
        _print_json({"store": settings().store, "check_only": check, "sources": summary, "ok": not failed})
    else:
        for name, s in summary.items():
            out.print(f"[bold]{name}[/]: read {s['read']}, stored {s['stored_entities']} entities and "
                      f"{s['stored_relations']} relations, rejected {s['rejected']}" + (" (check only)" if check else ""))
            for e in s["errors"]:
                err.print(f"  rejected: {e}", highlight=False, markup=False)
    if failed:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------- stats
@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """Counts of entities by class and relations by type."""
    try:
        with open_store(read_only=True) as store:
            counts = store.counts()
    except GovplatError as exc:
        _fail(exc)
    doc = {"store": settings().store, "entities": counts["entities"], "relations": counts["relations"],
           "total_entities": sum(counts["entities"].values()),
           "total_relations": sum(counts["relations"].values()),
           "conflicts": counts["entities"].get("Conflict", 0)}
    if as_json:
        return _print_json(doc)
    if not doc["total_entities"]:
        out.print("The store is empty. Run `govplat ingest` (or `govplat demo`) first.")
        return
    _table(["class", "count"], [{"class": k, "count": v} for k, v in counts["entities"].items()], "Entities")
    _table(["type", "count"], [{"type": k, "count": v} for k, v in counts["relations"].items()], "Relations")
    out.print(f"{doc['total_entities']} entities, {doc['total_relations']} relations, {doc['conflicts']} conflicts")


# ---------------------------------------------------------------------------- queries
def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        if "=" not in pair:
            _fail(f"--param takes key=value, got {pair!r}", 2)
        k, v = pair.split("=", 1)
        params[k.strip()] = v
    return params


def _result_doc(result, **head) -> dict:
    return {**head, "columns": result.columns, "rows": result.rows, "row_count": len(result.rows),
            "truncated": result.truncated}


@app.command()
def query(
    name: Optional[str] = typer.Argument(None, help="Named query to run (see --list)."),
    param: list[str] = typer.Option([], "--param", "-p", help="Parameter as key=value; repeatable."),
    list_queries: bool = typer.Option(False, "--list", help="List the named queries and their parameters."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Run a named query from the query library."""
    from graph.queries import registry

    if list_queries or not name:
        qs = [q.to_json() for q in registry()]
        if as_json:
            return _print_json(qs)
        rows = [{"name": q["name"], "params": ", ".join(p["name"] for p in q["params"]),
                 "description": q["description"]} for q in qs]
        return _table(["name", "params", "description"], rows, "Named queries")
    try:
        with open_store(read_only=True) as store:
            result = store.run_named(name, _params(param))
    except GovplatError as exc:
        _fail(exc)
    if as_json:
        return _print_json(_result_doc(result, query=name, params=_params(param)))
    _table(result.columns, result.rows, name)


@app.command()
def cypher(
    text: str = typer.Argument(..., help="A read-only Cypher query."),
    param: list[str] = typer.Option([], "--param", "-p", help="Parameter as key=value; repeatable."),
    timeout: Optional[float] = typer.Option(None, help="Seconds before the query is stopped (GOVPLAT_QUERY_TIMEOUT)."),
    max_rows: Optional[int] = typer.Option(None, help="Most rows returned (GOVPLAT_ROW_CAP)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Run read-only Cypher: writes, schema changes and procedure calls outside an allow list are refused."""
    try:
        with open_store(read_only=True) as store:
            result = store.run_user(text, _params(param), timeout=timeout, max_rows=max_rows)
    except GovplatError as exc:
        _fail(exc)
    if as_json:
        return _print_json(_result_doc(result, query=text))
    _table(result.columns, result.rows)
    if result.truncated:
        err.print(f"(stopped at {len(result.rows)} rows; raise --max-rows for more)")


# ---------------------------------------------------------------------------- export / wipe / demo
@app.command()
def export(
    fmt: str = typer.Option("ttl", "--format", "-f", help="ttl (Turtle) or nt (N-Triples)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
):
    """Export the whole graph as RDF through the ontology."""
    from graph import rdf

    if fmt not in rdf.FORMATS:
        _fail(f"unknown format {fmt!r}; use one of: {', '.join(rdf.FORMATS)}", 2)
    try:
        with open_store(read_only=True) as store:
            entities, relations = store.dump()
            if output:
                with open(output, "wb") as fh:
                    n = rdf.write(entities, relations, fmt, fh)
                err.print(f"wrote {n} triples to {output}")
            else:
                rdf.write(entities, relations, fmt, sys.stdout.buffer)
    except GovplatError as exc:
        _fail(exc)


@app.command()
def wipe(yes: bool = typer.Option(False, "--yes", help="Really delete everything in the store.")):
    """Delete everything in the configured store."""
    cfg = settings()
    if not yes:
        _fail("this deletes every entity and relation; add --yes to confirm", 2)
    if cfg.store == "embedded":
        import shutil

        path = cfg.embedded_path
        for p in (path, Path(str(path) + ".wal"), Path(str(path) + ".lock")):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        out.print(f"removed the embedded store at {path}")
        return
    try:
        with open_store() as store:
            store.wipe()
    except GovplatError as exc:
        _fail(exc)
    out.print("store wiped")


@app.command()
def demo(
    no_dashboard: bool = typer.Option(False, "--no-dashboard", help="Ingest and summarise only."),
    port: int = typer.Option(8501, help="Port for the dashboard."),
):
    """Ingest the bundled data, print what is there, then open the dashboard."""
    from ingest.run import available_sources, run_source

    try:
        with open_store() as store:
            for name, info in available_sources().items():
                if info.bundled:
                    c = run_source(info, store)
                    out.print(f"ingested {name}: {c.stored_entities} entities, {c.stored_relations} relations"
                              + (f", {c.rejected} rejected" if c.rejected else ""))
            counts = store.counts()
            conflicts = store.run_named("conflicts").rows
    except GovplatError as exc:
        _fail(exc)
    out.print(f"{sum(counts['entities'].values())} entities, {sum(counts['relations'].values())} relations, "
              f"{len(conflicts)} conflicts")
    _table(["start", "name", "status", "countries"], conflicts[:10], "Most recent conflicts")
    if not no_dashboard:
        dashboard(port=port)


@app.command()
def dashboard(port: int = typer.Option(8501, help="Port to serve on."),
              address: str = typer.Option("127.0.0.1", help="Address to bind.")):
    """Start the Streamlit dashboard (no browser is opened when there is no display)."""
    import os
    import subprocess

    app_path = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    headless = "false" if os.environ.get("DISPLAY") or sys.platform == "darwin" else "true"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path), "--server.port", str(port),
           "--server.address", address, "--server.headless", headless, "--browser.gatherUsageStats", "false"]
    out.print(f"dashboard: http://{address}:{port}")
    raise typer.Exit(subprocess.call(cmd))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

"""The ``govplat`` command line. Every command prints readable tables by default and a
stable JSON document with ``--json`` (shapes documented in README.md)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.errors import GovplatError, StoreOutdatedError
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
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
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
def _print_note(key: str, value) -> None:
    """A source's note for a person: a per-file table becomes one line per file, the rest JSON."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        out.print(f"  {key}:", highlight=False, markup=False)
        for name, fields in value.items():
            text = ", ".join(f"{k} {json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v}"
                             for k, v in fields.items())
            out.print(f"    {name}: {text}", highlight=False, markup=False, soft_wrap=True)
    else:
        out.print(f"  {key}: {json.dumps(value, ensure_ascii=False)}", highlight=False, markup=False, soft_wrap=True)


def _list_sources(sources: dict, as_json: bool) -> None:
    """`govplat ingest --list`: each source, what it reads (file patterns and formats), whether it ships."""
    from graph.output import Shown, render

    docs = [{"source": n, "title": s.title, "reads": s.reads,
             "bundled": "yes" if s.bundled else "bring your files"} for n, s in sources.items()]
    if as_json:
        return _print_json(docs)
    rows = [{"source": d["source"] if i == 0 else "", "files": r["files"], "format": r["format"],
             "bundled": d["bundled"] if i == 0 else ""}
            for d in docs for i, r in enumerate(d["reads"])]
    render(Shown(["source", "files", "format", "bundled"], rows, False), "table", title="Sources")
    out.print("Run one with `govplat ingest SOURCE PATH...`, or let `govplat ingest --detect DIR` pick.",
              highlight=False, markup=False, soft_wrap=True)


@app.command()
def ingest(
    source: Optional[list[str]] = typer.Argument(
        None, help="Source name (see --list), optionally followed by files or folders for it. "
                   "With no argument, the bundled curated cases are ingested."),
    list_sources: bool = typer.Option(False, "--list", help="List the sources and exit."),
    check: bool = typer.Option(False, "--check", help="Validate only; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    detect_dir: Optional[Path] = typer.Option(
        None, "--detect", help="Walk this folder, recognise each file's source by its headers or shape, "
                               "load each with its source and list the files not recognised."),
    bulk: bool = typer.Option(False, "--bulk", help="Embedded store: stage the records (same checks, same "
                                                    "errors) and load them column-wise with COPY FROM at the "
                                                    "end, instead of one transaction per batch. Always used "
                                                    "when the embedded store is empty."),
    no_precompute: bool = typer.Option(
        False, "--no-precompute", help="Skip computing the dashboard's first-visit results (counts, analytics, "
                                       "the default network) for the new data; the dashboard's pages then "
                                       "compute them on their first visit (minutes on a large store)."),
):
    """Ingest data into the store: `govplat ingest` (bundled cases), `govplat ingest SOURCE PATH...`,
    `govplat ingest --detect DIR`."""
    from ingest.run import available_sources, run_source

    sources = available_sources()
    if list_sources:
        return _list_sources(sources, as_json)
    args = list(source or [])
    detected = None
    if detect_dir is not None:
        from ingest.detect import detect_paths

        if args:
            _fail("--detect takes a folder and no source name", 2)
        if not detect_dir.exists():
            _fail(f"no such file or folder: {detect_dir}", 2)
        detected = detect_paths([detect_dir], sources)
        plan = [(name, files) for name, files in sorted(detected.files.items())]
    elif not args:
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
        store = None if check else _ingest_store(bulk)
    except GovplatError as exc:
        _fail(exc)
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True, disable=as_json) as progress:
            for name, paths in plan:
                task = progress.add_task(f"ingest {name}", total=None)
                counters = run_source(sources[name], store, paths, check_only=check, stamp=False,
                                      progress=lambda n, t=task: progress.advance(t, n))
                summary[name] = counters.to_json()
                failed |= counters.rejected > 0
            if store is not None:
                from graph.valid_time import stamp

                task = progress.add_task("valid time (validFrom/validTo)", total=None)
                stamp(store, progress=lambda n, t=task: progress.advance(t, n))
                progress.add_task("writing to the store", total=None)
                store.flush()
                if not no_precompute:
                    from graph.derived import precompute, precompute_steps

                    task = progress.add_task("dashboard results for this data version", total=precompute_steps())
                    precompute(store, progress=lambda step, t=task: progress.update(
                        t, advance=1, description=f"dashboard results for this data version: {step}"))
    except GovplatError as exc:
        _fail(exc)
    finally:
        if store is not None:
            store.close()
    if as_json:
        doc = {"store": settings().store, "check_only": check, "sources": summary, "ok": not failed}
        if detected is not None:
            doc["detect"] = detected.to_json()
        _print_json(doc)
    else:
        if detected is not None:
            for f in detected.unrecognised:
                err.print(f"  not recognised: {f}", highlight=False, markup=False, soft_wrap=True)
            for f, who in detected.ambiguous.items():
                err.print(f"  not loaded, claimed by several sources ({', '.join(who)}): {f}", highlight=False,
                          markup=False, soft_wrap=True)
        for name, s in summary.items():
            out.print(f"[bold]{name}[/]: read {s['read']}, stored {s['stored_entities']} entities and "
                      f"{s['stored_relations']} relations, rejected {s['rejected']}" + (" (check only)" if check else ""),
                      soft_wrap=True)
            for e in s["errors"]:
                err.print(f"  rejected: {e}", highlight=False, markup=False, soft_wrap=True)
            if s["errors_not_listed"]:
                err.print(f"  rejected: {s['errors_not_listed']:,} more (not listed)", highlight=False, markup=False)
            for reason, n in (s.get("skipped") or {}).items():
                out.print(f"  skipped {n}: {reason}", highlight=False, markup=False, soft_wrap=True)
            for key, value in (s.get("notes") or {}).items():
                _print_note(key, value)
    if failed:
        raise typer.Exit(1)


def _ingest_store(bulk: bool):
    """The store to ingest into: the embedded one through the bulk path when asked for or empty."""
    store = open_store()
    if store.engine != "ladybug":
        if bulk:
            store.close()
            _fail("--bulk is for the embedded store; a first load of Neo4j goes through "
                  "`govplat export --format neo4j-import -o DIR` and neo4j-admin (tools/neo4j/server import DIR)", 2)
        return store
    from graph.stores.bulk import BulkStore

    if bulk or not any(store._count_entities().values()):
        return BulkStore(store)
    return store


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


def _format(fmt: str, as_json: bool) -> str:
    from graph.output import FORMATS

    if as_json:
        return "json"
    if fmt not in FORMATS:
        _fail(f"unknown --format {fmt!r}; use one of: {', '.join(FORMATS)}", 2)
    return fmt


_FORMAT_HELP = "table (default; plain aligned text when piped), csv, tsv or json."


def _query_help(q) -> str:
    """What `govplat query NAME --help` prints."""
    kinds = {"id": "an entity id (see `govplat query search -p text=...`)",
             "code": "a country code: ISO 3166-1 alpha-2, in capitals (US, GB; EU for the Union)"}
    lines = [f"govplat query {q.name}", "", q.description, ""]
    if q.params:
        lines.append("Parameters (-p NAME=VALUE):")
        for prm in q.params:
            need = ("required" if prm.required else "optional") if prm.default is None else f"default {prm.default}"
            lines.append(f"  {prm.name}  ({prm.type}, {need}): {prm.description}")
            if prm.kind:
                lines.append(f"      {kinds[prm.kind]}")
            if prm.example is not None:
                lines.append(f"      example: {prm.example}")
    else:
        lines.append("Parameters: none.")
    if q.timed:
        lines += ["", "As of a date: -p as_of=YYYY-MM-DD keeps what held on that day; -p from=... -p to=... what "
                  "held at some day in between. Valid time is stored at ingest (validFrom/validTo): a record "
                  "holds from its start (or its first dated neighbour's) to its end; no end means it still holds."]
    if q.limit:
        lines += ["", f"Rows are capped by -p {q.limit}=N; the JSON says truncated: true when the cap cut them."]
    if q.needs:
        lines += ["", f"Reads {', '.join(q.needs)} records" + (f" (from {', '.join(q.sources)})" if q.sources else "")
                  + "."]
    examples = [q.example_command(), f"{q.example_command()} --format csv"]
    if q.timed:
        examples += [f"{q.example_command()} -p as_of=2016-01-01", f"{q.example_command()} -p from=2014-01-01 -p to=2017-12-31"]
    lines += ["", "Example:", *(f"  {e}" for e in examples), "",
              "Output: --format table|csv|tsv|json (a table by default, plain aligned text when piped)."]
    return "\n".join(lines)


@app.command(add_help_option=False)
def query(
    ctx: typer.Context,
    name: Optional[str] = typer.Argument(None, help="Named query to run (see --list)."),
    param: list[str] = typer.Option([], "--param", "-p", help="Parameter as key=value; repeatable."),
    list_queries: bool = typer.Option(False, "--list", help="List the named queries and their parameters."),
    fmt: str = typer.Option("table", "--format", "-f", help=_FORMAT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    show_help: bool = typer.Option(False, "--help", "-h", help="Show this message, or with NAME the query's "
                                                                 "description, parameters and an example."),
):
    """Run a named query from the query library: `govplat query NAME -p key=value`.
    `govplat query NAME --help` describes one query."""
    from graph.errors import QueryError
    from graph.output import render, shown
    from graph.queries import check_arguments, registry, why_empty

    fmt = _format(fmt, as_json)
    if show_help and not name:
        out.print(ctx.get_help(), highlight=False, markup=False)
        return
    if name:
        try:
            q = registry().get(name)
        except QueryError as exc:
            _fail(exc, 2)
        if show_help:
            sys.stdout.write(_query_help(q) + "\n")
            return
    if list_queries or not name:
        qs = [q.to_json() for q in registry()]
        if fmt == "json":
            return _print_json(qs)
        rows = [{"name": q["name"], "params": ", ".join(p["name"] for p in q["params"]),
                 "description": q["description"]} for q in qs]
        from graph.output import Shown

        return render(Shown(["name", "params", "description"], rows, False), fmt, title="Named queries")
    params = _params(param)
    try:
        with open_store(read_only=True) as store:
            bound = q.bind(params)
            check_arguments(store, q, bound)
            result = store.run_named(name, params)
            empty_because = why_empty(store, q) if not result.rows else None
    except QueryError as exc:
        _fail(exc, 2)
    except GovplatError as exc:
        _fail(exc)
    if empty_because:
        _fail(empty_because)
    view = shown(result, q)
    render(view, fmt, head={"query": name, "params": params}, title=name)
    if view.truncated and fmt != "json":
        err.print(f"(stopped at {len(view.rows)} rows; raise -p {q.limit}=N for more)", highlight=False, markup=False)


def _missing_parameters(text: str, given: dict) -> list[str]:
    """``$names`` the query text uses (outside strings and comments) that no -p gives."""
    import re

    bare = re.sub(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    used = dict.fromkeys(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", bare))
    return [u for u in used if u not in given]


@app.command()
def cypher(
    text: str = typer.Argument(..., help="A read-only Cypher query."),
    param: list[str] = typer.Option([], "--param", "-p", help="Parameter as key=value; repeatable."),
    timeout: Optional[float] = typer.Option(None, help="Seconds before the query is stopped (GOVPLAT_QUERY_TIMEOUT)."),
    max_rows: Optional[int] = typer.Option(None, help="Most rows returned (GOVPLAT_ROW_CAP)."),
    fmt: str = typer.Option("table", "--format", "-f", help=_FORMAT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
):
    """Run read-only Cypher: writes, schema changes and procedure calls outside an allow list are refused."""
    from graph.output import render, shown

    fmt = _format(fmt, as_json)
    params = _params(param)
    missing = _missing_parameters(text, params)
    if missing:
        _fail(f"the query uses {', '.join('$' + m for m in missing)} but no value was given: "
              + " ".join(f"-p {m}=VALUE" for m in missing), 2)
    try:
        with open_store(read_only=True) as store:
            result = store.run_user(text, params, timeout=timeout, max_rows=max_rows)
    except GovplatError as exc:
        _fail(exc)
    view = shown(result)
    render(view, fmt, head={"query": text})
    if view.truncated and fmt != "json":
        err.print(f"(stopped at {len(view.rows)} rows; raise --max-rows for more)", highlight=False, markup=False)


@app.command()
def schema(
    cls: Optional[str] = typer.Argument(None, metavar="CLASS", help="Show one class (e.g. Demand) in full."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """What to write Cypher against: classes with counts, relationship types with their actual
    FROM→TO class pairs and counts, and each class's properties (type, list or not)."""
    from graph.schema import describe

    try:
        with open_store(read_only=True) as store:
            doc = describe(store, cls)
    except GovplatError as exc:
        _fail(exc)
    if as_json:
        return _print_json(doc)
    _table(["class", "count", "kind"], [{**c, "kind": "abstract: " + ", ".join(c["subclasses"]) if c["abstract"]
                                         else ", ".join(c["superclasses"])} for c in doc["classes"]], "Classes")
    _table(["type", "from", "to", "count"], doc["relationships"], "Relationships (FROM -> TO)")
    if cls:
        rows = [{**p, "list": "list" if p["list"] else ""} for p in doc["classes"][0]["properties"]]
        _table(["name", "type", "list"], rows, f"Properties of {doc['classes'][0]['class']}")
    else:
        out.print("`govplat schema CLASS` lists a class's properties. Every relationship also has: "
                  + ", ".join(f"{p['name']} ({p['type']}{' list' if p['list'] else ''})"
                              for p in doc["relationship_properties"]), highlight=False, markup=False)


# ---------------------------------------------------------------------------- export / wipe / demo
@app.command()
def export(
    fmt: str = typer.Option("ttl", "--format", "-f",
                            help="ttl (Turtle), nt (N-Triples), jsonld (JSON-LD), trig (TriG) or nq (N-Quads); "
                                 "TriG and N-Quads add one named graph per source. neo4j-import writes a folder "
                                 "(-o DIR) of CSV files for neo4j-admin's bulk importer "
                                 "(then: tools/neo4j/server import DIR)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
    relations: str = typer.Option("reified", "--relations",
                                  help="How a relationship's sources and role are kept: reified (rdf:Statement) "
                                       "or rdf-star (RDF-star annotation; not in JSON-LD)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="YYYY-MM-DD",
                                        help="Only the graph as it stood on this day: the records whose valid time "
                                             "(validFrom/validTo) holds on it, the relationships between them, and "
                                             "every source."),
    with_ontology: bool = typer.Option(False, "--with-ontology",
                                       help="TriG/N-Quads: add ontology.ttl in the named graph "
                                            "<https://w3id.org/govplat/ontology>, as `govplat sparql serve` holds "
                                            "it: the dump to load into another triple store (Fuseki, QLever...)."),
    description: Optional[Path] = typer.Option(
        None, "--description", metavar="FILE",
        help="Also write the dataset's VoID + DCAT description (Turtle) to FILE: licence, publisher, time and "
             "place covered, one distribution per export format with its download URL, and the size and "
             "SHA-256 checksum of the dump just written (needs -o)."),
    dumps_url: Optional[str] = typer.Option(None, "--dumps-url", metavar="URL",
                                            help="Where the published dumps live: download URLs in --description "
                                                 "are URL + govplat.EXT (default https://w3id.org/govplat/dumps/)."),
):
    """Export the whole graph as RDF through the ontology (streams; memory stays flat), or as
    neo4j-admin import files; with --as-of, the graph as it stood on a day."""
    from graph.rdf import view as rdf

    day = _as_of_day(as_of)
    if fmt == "neo4j-import":
        _export_neo4j_import(output, day)
        return
    if fmt not in rdf.FORMATS:
        _fail(f"unknown format {fmt!r}; use one of: {', '.join(rdf.FORMATS)}", 2)
    if relations not in rdf.RELATION_MODES:
        _fail(f"unknown --relations {relations!r}; use one of: {', '.join(rdf.RELATION_MODES)}", 2)
    if relations == "rdf-star" and not rdf.FORMATS[fmt].rdf_star:
        _fail(f"{rdf.FORMATS[fmt].label} cannot carry RDF-star; use --relations reified or ttl/nt/trig/nq", 2)
    if with_ontology and not rdf.FORMATS[fmt].quads:
        _fail(f"--with-ontology needs named graphs: use --format trig or nq, not {fmt}", 2)
    if description is not None and output is None:
        _fail("--description states the dump's size and checksum: give the dump with -o FILE", 2)
    if dumps_url is not None and (not dumps_url.startswith(("https://", "http://")) or not dumps_url.endswith("/")):
        _fail(f"--dumps-url must be an http(s) URL ending in '/', got {dumps_url!r}", 2)
    partial = output.with_name(output.name + ".partial") if output else None
    try:
        with open_store(read_only=True, dump=True) as store:
            entities, relations_ = _dump(store, day)
            if output:
                from graph.rdf import dataset

                coverage = dataset.Coverage()
                with open(partial, "wb") as fh:
                    n = rdf.write(coverage.watch(entities), relations_, fmt, fh, relations_mode=relations,
                                  with_ontology=with_ontology)
                partial.replace(output)  # a failed export never leaves a half-written file behind
                err.print(f"wrote {n} statements to {output}")
                if description is not None:
                    _write_description(description, dataset, n, coverage, fmt, output, dumps_url)
            else:
                rdf.write(entities, relations_, fmt, sys.stdout.buffer, relations_mode=relations,
                          with_ontology=with_ontology)
                sys.stdout.buffer.flush()
    except GovplatError as exc:
        if partial is not None and partial.exists():
            partial.unlink()
        _fail(exc)


def _write_description(path: Path, dataset, statements: int, coverage, fmt: str, dump: Path,
                       dumps_url: Optional[str]) -> None:
    import datetime as dt

    stats = dataset.Stats(triples=statements, entities=coverage.entities, coverage=coverage,
                          modified=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as fh:
        dataset.write(dataset.groups(stats, dumps=dumps_url or dataset.DUMPS, written=(fmt, dump)), fh)
    partial.replace(path)
    err.print(f"wrote the dataset description (VoID, DCAT) to {path}")


def _as_of_day(text: Optional[str]):
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"--as-of takes a day as YYYY-MM-DD, got {text!r}", 2)


def _dump(store, day):
    """The store's records, or with ``day`` the graph as it stood then (graph.valid_time)."""
    entities, relations = store.dump()
    if day is None:
        return entities, relations
    from graph.valid_time import as_it_stood

    return as_it_stood(entities, relations, day, store.onto)


def _export_neo4j_import(output: Optional[Path], day=None) -> None:
    from graph.neo4j_import import write_import_dir

    if output is None:
        _fail("--format neo4j-import writes a folder: give it with -o DIR", 2)
    try:
        with open_store(read_only=True, dump=True) as store:
            entities, relations = _dump(store, day)
            counts = write_import_dir(entities, relations, output)
    except GovplatError as exc:
        _fail(exc)
    nodes = sum(n for f, n in counts.items() if f.startswith("nodes-"))
    err.print(f"wrote {nodes} nodes and {sum(counts.values()) - nodes} relationships in {len(counts)} files "
              f"to {output}; load them with: tools/neo4j/server import {output}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="RDF file to read (our own export, or RDF using our ontology)."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f",
                                      help="ttl, nt, jsonld, trig, nq or rdfxml (default: from the extension)."),
    no_validate: bool = typer.Option(False, "--no-validate", help="Skip the SHACL check (faster; for our own exports)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
):
    """Import RDF into the store: all of it or, on any error, nothing."""
    from graph.rdf.importer import import_into

    if not file.exists():
        _fail(f"no such file: {file}", 2)
    try:
        with open_store() as store:
            result = import_into(store, file, fmt, validate=not no_validate)
            if result.entities:
                from graph.valid_time import stamp

                stamp(store)
    except GovplatError as exc:
        _fail(exc)
    doc = {"store": settings().store, "file": str(file), **result.summary()}
    if as_json:
        return _print_json(doc)
    out.print(f"imported {doc['entities']} entities and {doc['relations']} relations "
              f"({doc['statements']} statements) from {file}")
    if doc["ignored_statements"]:
        more = doc["ignored_predicates_not_listed"]
        err.print(f"not read: {doc['ignored_statements']} statements in other vocabularies: "
                  + ", ".join(f"{p} ({n})" for p, n in doc["ignored_predicates"].items())
                  + (f" and {more:,} other predicates" if more else ""), markup=False)
    for note in doc["notes"]:
        err.print(f"note: {note}", markup=False)


sparql_app = typer.Typer(help="The read-only SPARQL endpoint (pyoxigraph, loaded from the store).",
                         no_args_is_help=True)
app.add_typer(sparql_app, name="sparql")


@sparql_app.command("serve")
def sparql_serve(
    port: int = typer.Option(3030, help="Port (0 = any free port)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    timeout: Optional[float] = typer.Option(None, help="Seconds a query may run (GOVPLAT_QUERY_TIMEOUT)."),
    max_rows: Optional[int] = typer.Option(None, help="Rows or triples per result (GOVPLAT_ROW_CAP)."),
    workers: int = typer.Option(2, help="Worker processes running queries (each holds a copy of the data; "
                                          "a query past its timeout is stopped by ending its worker)."),
    relations: str = typer.Option("reified", "--relations", help="reified or rdf-star (see `govplat export`)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request to stderr."),
):
    """Serve /sparql, /id/<id>, /.well-known/void and POST /refresh (with its token); prints its URL when ready."""
    from graph.sparql.engine import Limits
    from graph.sparql.http import serve

    cfg = settings()
    limits = Limits(timeout=timeout or cfg.query_timeout, max_rows=max_rows or cfg.row_cap, workers=workers)
    try:
        serve(host, port, limits=limits, relations_mode=relations, quiet=not verbose, processes=max(workers, 1),
              announce=lambda line: (print(line, flush=True)))
    except GovplatError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(f"cannot serve on {host}:{port}: {exc}")


@sparql_app.command("query")
def sparql_query(
    text: Optional[str] = typer.Argument(None, help="A SPARQL query (or use --file / --example)."),
    file: Optional[Path] = typer.Option(None, "--file", help="Read the query from a file."),
    example: Optional[str] = typer.Option(None, "--example", "-e",
                                          help="Run one of graph/queries/sparql_examples.yaml (`--example list`)."),
    param: list[str] = typer.Option([], "--param", "-p", help="Example parameter as key=value; repeatable."),
    fmt: str = typer.Option("tsv", "--format", "-f", help="json, xml, csv, tsv (SELECT/ASK); ttl, jsonld, nt (graphs)."),
    url: Optional[str] = typer.Option(None, help="Ask a running endpoint (its /sparql URL) instead of loading the store."),
):
    """Run one SPARQL query on the store (loaded here, queried in a worker process) or on a running endpoint."""
    from graph.sparql import examples as sparql_examples
    from graph.sparql.engine import Limits, QueryRefused
    from graph.sparql.endpoint import run_query

    if example == "list":
        return _table(["name", "mirrors", "description"],
                      [{"name": e.name, "mirrors": e.mirrors, "description": e.description}
                       for e in sparql_examples.examples()], "SPARQL examples")
    try:
        if example:
            text = sparql_examples.get(example).bind(_params(param))
        elif file:
            text = file.read_text(encoding="utf-8")
        if not text:
            _fail("give a query, --file or --example", 2)
        if url:
            import urllib.error
            import urllib.request
            from urllib.parse import urlencode

            req = urllib.request.Request(url, data=urlencode({"query": text, "format": fmt}).encode(),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(req, timeout=settings().query_timeout + 10) as resp:
                    body = resp.read()
            except urllib.error.HTTPError as exc:
                _fail(f"{exc.code}: {exc.read().decode('utf-8', 'replace').strip()}")
        else:
            cfg = settings()
            body = run_query(text, fmt=fmt, limits=Limits(cfg.query_timeout, cfg.row_cap, 2))
    except QueryRefused as exc:
        _fail(exc, 1)
    except GovplatError as exc:
        _fail(exc)
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()


@sparql_app.command("refresh")
def sparql_refresh(url: str = typer.Option("http://127.0.0.1:3030", help="The endpoint's base URL.")):
    """Tell a running endpoint to reload from the store (POST /refresh with the server's token:
    GOVPLAT_SPARQL_REFRESH_TOKEN, or the file the server wrote under GOVPLAT_HOME)."""
    import urllib.error
    import urllib.request

    from graph.sparql.http import refresh_token_for

    token = refresh_token_for(url)
    if not token:
        _fail(f"no refresh token for {url}: run this as the user who started `govplat sparql serve`, with the "
              "same GOVPLAT_HOME, or set GOVPLAT_SPARQL_REFRESH_TOKEN")
    req = urllib.request.Request(url.rstrip("/").removesuffix("/sparql") + "/refresh", data=b"", method="POST",
                                 headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:
            doc = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        _fail(f"{exc.code}: {exc.read().decode('utf-8', 'replace').strip()}")
    except OSError as exc:
        _fail(f"cannot reach {url}: {exc}")
    out.print(f"reloaded {doc['quads']} statements in {doc['seconds']} s")


def _remove_embedded(path: Path) -> None:
    import shutil

    for p in (path, Path(str(path) + ".wal"), Path(str(path) + ".lock")):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    out.print(f"removed the embedded store at {path}")


@app.command()
def wipe(yes: bool = typer.Option(False, "--yes", help="Really delete everything in the store.")):
    """Delete everything in the configured store."""
    cfg = settings()
    if not yes:
        _fail("this deletes every entity and relation; add --yes to confirm", 2)
    if cfg.store == "embedded":
        _remove_embedded(cfg.embedded_path)
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
    fresh: bool = typer.Option(
        False, "--fresh", help="Delete the embedded store first and build it again from the bundled data "
        "(needed after an upgrade changed ontology.ttl; anything else ingested there is dropped)."),
):
    """Ingest the bundled data, print what is there, then open the dashboard."""
    from ingest.run import available_sources, run_source

    cfg = settings()
    if fresh:
        if cfg.store != "embedded":
            _fail("--fresh rebuilds the embedded store only; for Neo4j run `govplat wipe --yes` yourself", 2)
        _remove_embedded(cfg.embedded_path)
    try:
        with open_store() as store:
            for name, info in available_sources().items():
                if info.bundled:
                    c = run_source(info, store)
                    out.print(f"ingested {name}: {c.stored_entities} entities, {c.stored_relations} relations"
                              + (f", {c.rejected} rejected" if c.rejected else ""))
            counts = store.counts()
            conflicts = store.run_named("conflicts").rows
    except StoreOutdatedError as exc:
        _fail(f"{exc}\nTo rebuild it from the bundled data, run `tools/demo --fresh` "
              "(or `govplat demo --fresh`); anything else ingested into it is dropped.")
    except GovplatError as exc:
        _fail(exc)
    out.print(f"{sum(counts['entities'].values())} entities, {sum(counts['relations'].values())} relations, "
              f"{len(conflicts)} conflicts")
    _table(["started", "name", "status", "countries"], conflicts[:10], "Most recent conflicts")
    if not no_dashboard:
        out.print("Opening the dashboard; the store is opened read-only per page load, so "
                  "`govplat ingest` can run alongside it.")
        dashboard(port=port, address="127.0.0.1")


@app.command()
def dashboard(port: int = typer.Option(8501, help="Port to serve on."),
              address: str = typer.Option("127.0.0.1", help="Address to bind (0.0.0.0 to serve others).")):
    """Start the Streamlit dashboard; a browser opens only where there is a display.

    The dashboard never keeps the embedded store open (it opens it read-only for each load), so
    `govplat ingest` can run while it is up; press "Reload data" (or just reload) afterwards.
    """
    import os
    import socket
    import subprocess

    app_path = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    with socket.socket() as probe:
        try:
            probe.bind((address, port))
        except OSError:
            _fail(f"port {port} on {address} is in use (another dashboard?); choose another with --port", 2)
    has_display = (sys.platform in ("darwin", "win32")
                   or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")))
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path), "--server.port", str(port),
           "--server.address", address, "--server.headless", "false" if has_display else "true",
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]  # no Deploy button
    out.print(f"dashboard: http://{address}:{port}  (Ctrl+C stops it)")
    try:
        code = subprocess.call(cmd)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

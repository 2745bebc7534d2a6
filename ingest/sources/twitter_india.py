"""Tweets the Government of India demanded Twitter withhold, each tied to its Lumen notice
(metadata in twitter_india.yml).

Each row -> a RemovalRequest: dated by ``flagged_date``, ADDRESSED_TO Twitter,
IN_JURISDICTION India, TARGETS the account (``account-twitter-<handle>``), MADE_BY the
sender its Lumen file name names (agency_aliases.yaml file patterns) or else the Government
of India. Its Source is the Lumen notice, ``lumen-source-<number>`` as the lumen source names
it (a row that leaves lumen_url empty takes the number the other rows of the same Lumen file
give); rows without one cite the file itself.

    govplat ingest twitter_india tweet_removals_india.csv
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from graph.errors import ValidationError
from graph.model import Entity, Relation
from ingest.accounts import ensure_account
from ingest.agencies import AgencyTable, ensure_agency
from ingest.context import Context
from ingest.detect import CsvRow, csv_layouts
from ingest.provenance import file_source
from ingest.registry import RegistryLinker, registry_records

__all__ = ["crawl"]

PREFIX = "twin"
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\ufeff\s]+")
_LUMEN = re.compile(r"https?://(?:www\.)?lumendatabase\.org/notices/(\d+)")


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    files = ctx.counters.notes.setdefault("files", {})
    for path, layout, rows in csv_layouts(ctx, ctx.config["skip_layouts"]):
        source = file_source(PREFIX, path, title=ctx.config["title"], publisher=ctx.config["publisher"],
                             url=ctx.config["url"])
        ctx.emit(source)
        before = ctx.counters.rejected
        demands = 0
        notices = _notice_numbers(rows)
        for row in rows:
            try:
                demands += _emit_row(ctx, linker, path, source, row, notices)
            except ValidationError as exc:
                ctx.reject(exc)
        files[str(path)] = {"layout": layout, "rows": len(rows), "demands": demands,
                            "rejected_rows": ctx.counters.rejected - before}


def _notice_numbers(rows: list[CsvRow]) -> dict[str, int]:
    """Lumen file name -> its notice number, where the file gives exactly one number for that
    name (so a row that leaves lumen_url empty still cites the notice its file name is)."""
    seen: dict[str, set[int]] = {}
    for row in rows:
        name = (row.values.get("lumen_filename") or "").strip()
        m = _LUMEN.search(row.values.get("lumen_url") or "")
        if name and m:
            seen.setdefault(name, set()).add(int(m.group(1)))
    return {name: next(iter(ids)) for name, ids in seen.items() if len(ids) == 1}


def _fail(row: CsvRow, field: str, message: str):
    raise ValidationError(message, where=row.where, record=row.values.get("flagged_twitter_url", ""), field=field)


def _emit_row(ctx: Context, linker: RegistryLinker, path: Path, file_src: Entity, row: CsvRow,
              notices: dict[str, int]) -> int:
    v = {k: (x or "") for k, x in row.values.items() if k is not None}
    if None in row.values:
        _fail(row, "header", "has a different number of cells than the header")
    url = _INVISIBLE.sub("", v["flagged_twitter_url"])
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in ("twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com"):
        _fail(row, "flagged_twitter_url", f"{v['flagged_twitter_url']!r} is not a Twitter address")
    segs = [s for s in parts.path.split("/") if s]
    handle = _INVISIBLE.sub("", v["username_handle"]) or (segs[0] if segs else "")
    if not handle:
        _fail(row, "username_handle", "is empty and the address names no account")
    date_text = v["flagged_date"].strip()
    date = None
    if date_text:
        try:
            date = dt.date.fromisoformat(date_text[:10])
        except ValueError:
            _fail(row, "flagged_date", f"{date_text!r} is not a date (YYYY-MM-DD hh:mm:ss)")
    m = _LUMEN.search(v["lumen_url"])
    lumen_file = v["lumen_filename"].strip()
    # -- the Source: the Lumen notice where its number is given (on the row, or on the other
    # rows of the same Lumen file), else this file
    nid = int(m.group(1)) if m else notices.get(lumen_file)
    if nid is not None:
        sid = f"lumen-source-{nid}"
        ctx.emit(Entity(sid, "Source", {"name": f"Lumen notice {nid}", "title": f"Lumen notice {nid}",
                                        "publisher": ctx.config["lumen_publisher"],
                                        "url": ctx.config["lumen_url_template"].format(id=nid), "kind": "notice"},
                        [sid], row.where))
    else:
        sid = file_src.id
    account = ensure_account(ctx, linker, "twitter", handle, sid, row.where)
    if account is None:
        _fail(row, "username_handle", f"{handle!r} is not a Twitter handle")
    if date is None:
        ctx.skip("no date and no Lumen notice: the account is stored, no demand")
        return 0
    # -- the demand
    table = AgencyTable.default()
    agency = table.sender("", lumen_file) if lumen_file else None
    sender_id = ensure_agency(ctx, linker, agency, sid, row.where) if agency else \
        linker.ensure(ctx.config["default_sender"])
    sender = registry_records().get(sender_id)
    tweet = "/status" in parts.path
    did = ctx.make_id(PREFIX, url.lower())
    props = {"name": f"Government of India demand to Twitter to withhold {'a tweet by' if tweet else 'the account'}"
                     f" @{handle} ({date.isoformat()})",
             "kind": "withholding_demand", "date": date, "datePrecision": "day", "targetUrls": [url],
             "orderedBy": (sender.props["name"] if sender else agency.name) if (sender or agency) else None,
             "description": (f"Lumen file: {lumen_file}" + ("" if m or nid is None else
                             " (notice number taken from the other rows of that file)")) if lumen_file else None,
             "reportedIn": [f"{path.name} line {row.line}"]}
    if not agency:
        props["uncertain"] = "the sender is the Government of India as the compiler states; the Lumen file name does not say which body"
    ctx.emit(Entity(did, "RemovalRequest", {k: x for k, x in props.items() if x is not None}, [sid], row.where))

    def link(rtype: str, dst: str | None, role: str | None = None) -> None:
        if dst:
            ctx.emit_relation(Relation(rtype, did, dst, {"role": role} if role else {}, [sid], row.where))

    link("ADDRESSED_TO", linker.ensure("twitter"), "recipient")
    link("IN_JURISDICTION", linker.ensure("country-in"))
    link("MADE_BY", sender_id, "sender")
    link("TARGETS", account, "author of the content" if tweet else "account")
    return 1

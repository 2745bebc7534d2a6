"""Lumen / Chilling Effects per-notice JSON (metadata and lookups in lumen.yml).

    govplat ingest lumen notices/          # a folder of <id>.json files, or files

A notice -> RemovalRequest (InformationRequest when it seeks a user's identity), with
MADE_BY its sender and principal, ADDRESSED_TO its recipient ("Google, Inc. [Blogger]"
gives the company and the product), IN_JURISDICTION the countries it names, and the notice
itself as a Source. Registry names resolve to registry nodes; other parties become nodes
holding only the name the notice gives (one node per name across notices).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.context import Context
from ingest.event_ids import LUMEN, lumen_notice_id
from ingest.detect import head_json, walk
from ingest.textfile import read_json
from ingest.registry import RegistryLinker
from ingest.resolve import Resolver, normalise

__all__ = ["crawl", "detect"]

PREFIX = LUMEN


_STUB_KEYS = {"id", "title", "body"}
_ACTORS: dict[int, dict[str, Entity]] = {}  # per run: parties created from their name


def detect(path: Path, config: dict) -> bool:
    doc = head_json(path)
    if not (isinstance(doc, dict) and len(doc) == 1):
        return False
    (key, notice), = doc.items()
    return key in config["top_keys"] and isinstance(notice, dict) and "id" in notice and "title" in notice


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    _ACTORS[id(ctx)] = {}
    try:
        for path in walk(ctx.paths, (".json",)):
            try:
                key, notice = _read(ctx, path)
            except SourceError as exc:
                ctx.reject(exc)
                continue
            try:
                _emit_notice(ctx, linker, path, key, notice)
            except ValidationError as exc:
                ctx.reject(exc)
    finally:
        _ACTORS.pop(id(ctx), None)  # also when the run fails: the dict is this run's only


def _read(ctx: Context, path: Path) -> tuple[str, dict]:
    doc = read_json(path)
    keys = ctx.config["top_keys"]
    if not isinstance(doc, dict) or len(doc) != 1 or next(iter(doc)) not in keys:
        found = sorted(doc)[:10] if isinstance(doc, dict) else type(doc).__name__
        raise SourceError(f"unknown layout: top level is {found}; expected one key, the notice type "
                          f"({', '.join(keys)}), holding the notice object", where=str(path), field="top level")
    (key, notice), = doc.items()
    if not isinstance(notice, dict):
        raise SourceError(f"'{key}' holds a {type(notice).__name__}, expected the notice object",
                          where=str(path), field=key)
    if "id" not in notice:
        raise SourceError(f"the notice has no 'id'; it has {sorted(notice)}", where=str(path), field="id")
    return key, notice


def _fail(path: Path, notice: dict, field: str, message: str):
    raise ValidationError(message, where=str(path), record=f"notice {notice.get('id')}", field=field)


def _date(path: Path, notice: dict, field: str) -> dt.date | None:
    value = notice.get(field)
    if value in (None, ""):
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        _fail(path, notice, field, f"{value!r} is not an ISO 8601 date-time")


def _strings(path: Path, notice: dict, field: str) -> list[str]:
    value = notice.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(path, notice, field, "must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _classify(ctx: Context, key: str, title: str, topics: list[str]) -> tuple[str, str]:
    look = ctx.config["lookups"]["information_request"]
    low = title.lower()
    for word, kind in look["title_words"].items():
        if word in low:
            return "InformationRequest", kind
    for topic in topics:
        if topic.lower() in look["topics"]:
            return "InformationRequest", look["topics"][topic.lower()]
    return "RemovalRequest", ctx.config["lookups"]["removal_kind"].get(key, f"{key}_notice")


def _emit_notice(ctx: Context, linker: RegistryLinker, path: Path, key: str, notice: dict) -> None:
    where = str(path)
    try:
        nid = int(notice["id"])
    except (TypeError, ValueError):
        _fail(path, notice, "id", f"{notice['id']!r} is not a Lumen notice number")
    title = str(notice.get("title") or "").strip() or f"Lumen notice {nid}"
    source_id = f"{PREFIX}-source-{nid}"
    src_props: dict[str, Any] = {"name": title, "title": title, "publisher": ctx.config["publisher"],
                                 "url": ctx.config["url_template"].format(id=nid), "kind": "notice"}
    if isinstance(notice.get("body"), str) and notice["body"].strip():
        src_props["text"] = notice["body"]
    source = Entity(source_id, "Source", src_props, [source_id], where)

    if set(notice) <= _STUB_KEYS:  # a restricted notice: nothing but its title and body is public
        ctx.emit(source)
        ctx.skip("restricted notice (only id, title and body published): stored as a Source, no event")
        return
    # -- check everything before emitting anything of this notice
    date = _date(path, notice, "date_sent") or _date(path, notice, "date_received")
    if date is None:
        _fail(path, notice, "date_sent", "has no date_sent or date_received; a demand must be dated")
    topics = _strings(path, notice, "topics")
    jurisdictions = _strings(path, notice, "jurisdictions")
    works, infringing, copyrighted = _works(path, notice)
    cls, kind = _classify(ctx, key, title, topics)
    props: dict[str, Any] = {"name": title, "kind": kind, "date": date, "datePrecision": "day",
                             "topics": topics, "jurisdictions": jurisdictions, "works": works,
                             "infringingUrls": infringing, "copyrightedUrls": copyrighted}
    if notice.get("action_taken"):
        props["actionTaken"] = str(notice["action_taken"])
    demand_id = lumen_notice_id(nid)
    ctx.emit(source)
    ctx.emit(Entity(demand_id, cls, {k: v for k, v in props.items() if v not in (None, [])}, [source_id], where))

    def rel(rtype: str, dst: str, role: str | None = None):
        ctx.emit_relation(Relation(rtype, demand_id, dst, {"role": role} if role else {}, [source_id], where))

    roles: dict[str, list[str]] = {}
    for field, role in (("sender_name", "sender"), ("principal_name", "principal")):
        name = str(notice.get(field) or "").strip()
        if name:
            roles.setdefault(_actor(ctx, linker, name, "sender", source_id, where), []).append(role)
    for aid, rs in roles.items():
        rel("MADE_BY", aid, " and ".join(rs))
    recipient = str(notice.get("recipient_name") or "").strip()
    if recipient:
        m = re.fullmatch(r"(.*?)\s*\[([^\]]+)\]\s*", recipient)
        company, product = (m.group(1), m.group(2)) if m else (recipient, None)
        if company:
            rel("ADDRESSED_TO", _actor(ctx, linker, company, "recipient", source_id, where), "recipient")
        if product:
            rel("ADDRESSED_TO", _actor(ctx, linker, product, "product", source_id, where), "recipient's service")
    for j in jurisdictions:
        cid = linker.country(j)
        if cid:
            rel("IN_JURISDICTION", cid)


def _works(path: Path, notice: dict) -> tuple[list[str], list[str], list[str]]:
    works = notice.get("works") or []
    if not isinstance(works, list):
        _fail(path, notice, "works", "must be a list")
    descriptions, infringing, copyrighted = [], [], []
    for i, w in enumerate(works):
        if not isinstance(w, dict):
            _fail(path, notice, f"works[{i}]", "must be an object")
        if str(w.get("description") or "").strip():
            descriptions.append(str(w["description"]).strip())
        for field, out in (("infringing_urls", infringing), ("copyrighted_urls", copyrighted)):
            for u in w.get(field) or []:
                url = u.get("url") if isinstance(u, dict) else u
                if isinstance(url, str) and url.strip() and url.strip() not in out:
                    out.append(url.strip())
    return list(dict.fromkeys(descriptions)), infringing, copyrighted


def _actor(ctx: Context, linker: RegistryLinker, name: str, side: str, source_id: str, where: str) -> str:
    """A registry id for the name, else a node holding only the name, classed by the lookups."""
    eid = Resolver.default().entity(name)
    if eid and linker.ensure(eid):
        return eid
    look = ctx.config["lookups"]
    key = normalise(name)
    cls, guessed = look["actor_names"].get(key), False
    if side == "product":
        cls = cls or "Platform"
    if cls is None:
        cls = next((c for pattern, c in look["actor_patterns"] if re.search(pattern, name.lower())), None)
        guessed = True
    if cls is None:
        cls = look["default_recipient_class" if side == "recipient" else "default_sender_class"]
    aid = ctx.make_id(f"{PREFIX}-actor", key)
    first = _ACTORS.setdefault(id(ctx), {}).setdefault(aid, Entity(aid, cls, {"name": name}, [], where))
    if guessed and first.cls == cls:
        first.props["uncertain"] = (f"Lumen gives only the name; the class ({cls}) was inferred from it "
                                    "by lumen.yml's lookups")
    # one node per name: every notice naming it is one of its sources
    ctx.emit(Entity(aid, first.cls, dict(first.props), [source_id], where))
    return aid

"""GitHub's government takedown notices (github/gov-takedowns; metadata in github_takedowns.yml).

The repository holds one Markdown transcription per notice, filed as
``<Country>/<YYYY>/<YYYY-MM-DD>-<sender>[-n].md`` (sometimes in a sub-folder of its own, beside a
PDF of the original). Each notice -> a RemovalRequest dated by its file name:
  MADE_BY the government body that sent it (ingest/data/agency_aliases.yaml, in the notice's
  own words - Russian, Chinese, Spanish, English - or, failing that, GitHub's file name; the
  order says which), ADDRESSED_TO GitHub, IN_JURISDICTION the folder's country, CITES_LAW
  each law it names (ingest/data/law_aliases.yaml), TARGETS the accounts owning the GitHub
  repositories, gists and pages it lists; the addresses themselves are ``targetUrls``.
The notice file is the event's Source (its text kept, its address in the repository as URL).
What no table recognises is not guessed: it stays in the notice text and the run summary
lists it. PDFs are claimed and skipped with the reason (their transcription is the .md).

    govplat ingest github_takedowns gov-takedowns/
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from graph.errors import SourceError, ValidationError
from graph.model import Entity, Relation
from ingest.accounts import ensure_account
from ingest.agencies import AgencyTable, ensure_agency
from ingest.context import Context, make_id
from ingest.event_ids import GITHUB_TAKEDOWNS, NOTICE_DATE, github_notice_id
from ingest.detect import walk
from ingest.laws import link_laws
from ingest.registry import RegistryLinker, registry_records
from ingest.resolve import Resolver, country_entity
from ingest.textfile import read_text

__all__ = ["crawl", "detect"]

PREFIX = GITHUB_TAKEDOWNS
_DATED = NOTICE_DATE
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")


def _place(path: Path) -> tuple[Path, str] | None:
    """(the folder holding the country folders, the country id) for a notice's path, else None."""
    m = _DATED.match(path.name)
    if not m:
        return None
    for folder in path.parents:
        if folder.name == m.group(1):
            country = Resolver.default().country(folder.parent.name)
            return (folder.parent.parent, country) if country else None
        if not _DATED.match(folder.name):
            return None
    return None


def detect(path: Path, config: dict) -> bool:
    """A dated .md or .pdf file under ``<Country>/<year>/`` (the repository's layout)."""
    return path.suffix.lower() in (".md", ".pdf") and _place(path) is not None


def crawl(ctx: Context) -> None:
    linker = RegistryLinker(ctx)
    files = ctx.counters.notes.setdefault("files", {})
    unknown: dict[str, list[str]] = {"sender not recognised": [], "no law or court decision recognised": []}
    for path in walk(ctx.paths, (".md", ".pdf")):
        place = _place(path)
        if place is None:
            ctx.skip("not a notice (no <Country>/<year>/<date>-... path)")
            files[str(path)] = {"skipped": "not a notice: expected <Country>/<year>/<YYYY-MM-DD>-<sender>.md"}
            continue
        if path.suffix.lower() == ".pdf":
            mds = sorted(p.name for p in path.parent.glob("*.md"))
            reason = (f"PDF of an original notice; its Markdown transcription ({', '.join(mds)}) is loaded"
                      if mds else "PDF notice without a Markdown transcription: its text is not read")
            ctx.skip(reason)
            files[str(path)] = {"skipped": reason}
            continue
        try:
            files[str(path)] = _notice(ctx, linker, path, *place, unknown)
        except (SourceError, ValidationError) as exc:
            ctx.reject(exc)
            files[str(path)] = {"rejected": str(exc)}
    # the notice count a person can check against the repository
    ctx.note("notices", sum(1 for v in files.values() if "date" in v))
    for key, names in unknown.items():
        if names:
            ctx.note(key, names)


def _notice(ctx: Context, linker: RegistryLinker, path: Path, root: Path, country: str,
            unknown: dict[str, list[str]]) -> dict:
    where = str(path)
    rel = path.relative_to(root).as_posix()
    m = _DATED.match(path.name)
    try:
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValidationError(f"{m.group(0)!r} is not a date: {exc}", where=where, field="file name") from None
    text = read_text(path, expected="a notice transcribed as UTF-8 Markdown")
    if not text.strip():
        raise ValidationError("is empty; expected the notice's text", where=where, field="text")
    iso = country.removeprefix("country-")
    cname = country_entity(iso).props["name"]
    # -- the notice's Source
    source_id = ctx.make_id(f"{PREFIX}-source", rel)
    title = f"Government takedown notice to GitHub ({cname}, {date.isoformat()}): {path.name}"
    ctx.emit(Entity(source_id, "Source", {
        "name": title, "title": title, "publisher": ctx.config["publisher"],
        "url": ctx.config["url_template"].format(path=quote(rel)), "kind": "notice",
        "publishedDate": date, "text": text}, [source_id], where))
    # -- what it says
    table = AgencyTable.default()
    agency = table.sender(text, path.stem)
    urls = list(dict.fromkeys(u.rstrip(".,;:") for u in _URL.findall(text)))
    targets = [u for u in urls if _github_owner(u) is not None]
    courts = list(dict.fromkeys(" ".join(c.split()).rstrip(".") for p in ctx.config["court_decisions"]
                                for c in re.findall(p, text, re.IGNORECASE | re.DOTALL)))
    grounds = [words for pattern, words in ctx.config["legal_phrases"].items()
               if re.search(pattern, text, re.IGNORECASE)]
    nid = github_notice_id(rel)
    rec = registry_records().get(agency.id) if agency else None
    sender = rec.props["name"] if rec else (agency.name if agency else "")
    props = {"name": f"{sender or 'Government'} ({cname}) takedown notice to GitHub of {date.isoformat()}",
             "kind": "government_takedown", "date": date, "datePrecision": "day",
             "targetUrls": targets or None, "orderedBy": sender or None,
             "legalBasis": "; ".join(courts + grounds) or None, "reportedIn": [rel]}
    if agency and not table.named_in_text(agency, text):
        props["uncertain"] = "the sender is GitHub's label in the file name; the notice text does not name it"
    ctx.emit(Entity(nid, "RemovalRequest", {k: v for k, v in props.items() if v is not None}, [source_id], where))

    def link(rtype: str, dst: str, role: str | None = None) -> None:
        ctx.emit_relation(Relation(rtype, nid, dst, {"role": role} if role else {}, [source_id], where))

    link("IN_JURISDICTION", linker.ensure(country))
    link("ADDRESSED_TO", linker.ensure("github"), "recipient")
    if agency:
        link("MADE_BY", ensure_agency(ctx, linker, agency, source_id, where), "sender")
    else:
        unknown["sender not recognised"].append(rel)
    laws = link_laws(ctx, linker, nid, text, iso, [source_id], where)
    if not laws and not courts and not grounds:
        unknown["no law or court decision recognised"].append(rel)
    owners = sorted({o for o in map(_github_owner, targets) if o})
    for owner in owners:
        aid = ensure_account(ctx, linker, "github", owner, source_id, where)
        if aid:
            link("TARGETS", aid, "owner of targeted content")
    return {"date": date.isoformat(), "sender": agency.id if agency else None, "laws": laws,
            "court_decisions": len(courts), "target_urls": len(targets), "accounts": len(owners)}


def _github_owner(url: str) -> str | None:
    """The account a GitHub address belongs to (repository, gist, raw file or Pages site)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    segs = [s for s in parts.path.split("/") if s]
    if host in ("github.com", "www.github.com", "gist.github.com", "raw.githubusercontent.com",
                "gist.githubusercontent.com"):
        owner = segs[0] if segs else None
        return None if owner in (None, "orgs", "settings", "site", "about") else owner
    if host.endswith(".github.io"):
        return host.removesuffix(".github.io")
    return None

"""Source records for bulk files and for the web pages their rows cite.

A data file is identified by its content (``<prefix>-file-<sha1>``), so re-running on the
same file changes nothing and a corrected download is a new source. A cited web page is
identified by its URL (``web-<hash>``); the only facts known about it are its address and
host, so that is all it records.

>>> web_source("https://www.thehindu.com/news/a.ece").props["publisher"]
'www.thehindu.com'
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from graph.model import Entity
from ingest.context import make_id

__all__ = ["file_sha1", "file_source", "web_source", "urls_in", "today"]

_URL = re.compile(r"https?://[^\s<>\"']+")


def file_sha1(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha1").hexdigest()


def today() -> dt.date:
    return dt.date.today()


def file_source(prefix: str, path: Path, *, title: str, publisher: str, url: str, kind: str = "data_file",
                **props) -> Entity:
    """The Source record of one data file, keyed by its content."""
    sid = f"{prefix}-file-{file_sha1(path)[:16]}"
    base = {"name": title, "title": title, "publisher": publisher, "url": url, "kind": kind}
    base.update({k: v for k, v in props.items() if v is not None})
    return Entity(sid, "Source", base, [sid], str(path))


def urls_in(text: str | None) -> list[str]:
    """Web addresses in a cell, in order, without duplicates or trailing punctuation."""
    out: list[str] = []
    for m in _URL.findall(text or ""):
        url = m.rstrip(".,;)")
        if url not in out:
            out.append(url)
    return out


def web_source(url: str, origin: str = "") -> Entity:
    """A web page a row cites; its host stands for the publisher (nothing else is known). The same
    record whichever source cites it (the records citing it name it in their sources)."""
    sid = make_id("web", url)
    host = urlsplit(url).hostname or "unknown host"
    return Entity(sid, "Source", {"name": url, "title": url, "url": url, "publisher": host, "kind": "web_page",
                                  "uncertain": "title, publisher and date not read (the publisher is the host)"},
                  [sid], origin)

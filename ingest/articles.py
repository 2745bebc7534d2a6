"""The metadata of Markdown news articles, in the two shapes govplat reads: an articleMD
information block (``# title`` then ``## Information:`` with ``+ Source:``, ``+ Link:``,
``+ Date:``, ``+ Author:``) and Hugo TOML front matter (``+++ title, date, slug, author +++``).

>>> meta = article_metadata("# T\\n## Information:\\n+ Source: ZDNet\\n+ Link: https://z.net/a\\n+ Date: October 22, 2021\\n")
>>> meta.title, meta.url, meta.date.isoformat(), meta.publisher
('T', 'https://z.net/a', '2021-10-22', 'ZDNet')
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass

__all__ = ["Article", "article_metadata", "looks_like_article"]

_INFO = re.compile(r"^##\s*Information:\s*$", re.MULTILINE)
_FIELD = re.compile(r"^\+\s*(Source|Link|Date|Author):\s*(.*)$", re.MULTILINE)
_LINK = re.compile(r"\((https?://[^)\s]+)\)|(https?://\S+)")
_FRONT = re.compile(r"\A\ufeff?\+\+\+\s*\n(.*?)\n\+\+\+\s*(?:\n|\Z)", re.DOTALL)
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


@dataclass
class Article:
    shape: str  # "articlemd" or "hugo"
    title: str
    url: str | None
    date: dt.date | None
    publisher: str | None
    author: str | None
    slug: str | None
    date_text: str


def looks_like_article(text: str) -> bool:
    """An articleMD block near the top, or Hugo front matter with a title."""
    head = text[:4000]
    if _INFO.search(head) and _FIELD.search(head):
        return True
    m = _FRONT.match(head)
    return bool(m and re.search(r"^title\s*=", m.group(1), re.MULTILINE))


def parse_date(text: str) -> dt.date | None:
    s = text.strip()
    if not s:
        return None
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (e.g. 'October 14, 2021', ISO 8601 or 'YYYY-MM-DD hh:mm:ss')")


def article_metadata(text: str) -> Article | None:
    """The article's metadata, or None when the text has neither shape. ValueError names a
    field that is there but cannot be read (a malformed date or front matter)."""
    m = _FRONT.match(text)
    if m:
        try:
            front = tomllib.loads(m.group(1))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"front matter is not TOML: {exc}") from None
        date = front.get("date")
        date_text = str(date or "")
        if isinstance(date, dt.datetime):
            date = date.date()
        elif not isinstance(date, dt.date):
            date = parse_date(date_text)
        return Article("hugo", " ".join(str(front.get("title") or "").split()), None, date, None,
                       str(front.get("author") or "") or None, str(front.get("slug") or "") or None, date_text)
    head = text[:4000]
    if not (_INFO.search(head) and _FIELD.search(head)):
        return None
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    fields = {k.lower(): v.strip() for k, v in _FIELD.findall(head)}
    link = _LINK.search(fields.get("link", ""))
    url = (link.group(1) or link.group(2)) if link else None
    return Article("articlemd", " ".join(title.split()), url, parse_date(fields.get("date", "")),
                   fields.get("source") or None, fields.get("author") or None, None, fields.get("date", ""))

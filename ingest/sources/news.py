"""News articles: store the article, link what it mentions, list what is new.

    govplat ingest news article.txt article.md more-articles/

Plain-text files (title on the first line) and Markdown articles with their metadata
(an articleMD information block, or Hugo front matter: :mod:`ingest.articles`), whose
title, address, date and publisher the Source records.

The gazetteer is read from the graph itself (names, aliases, @handles, docket numbers and
citations of actors, places, laws, doctrines, cases and conflicts; for a country also its
English CLDR name, so "Turkey" finds country-tr whatever ISO calls it) and matched with
spaCy's rule-based PhraseMatcher on a blank English pipeline (no model download). Every
match becomes ``(article)-[:MENTIONS]->(entity)``. Capitalised multi-word names and
@handles the gazetteer does not know are listed in the run summary as candidates for a
person to confirm; nothing is created from them.

A plain-text file does not say who published it, when or where: the Source records the
publisher as "unknown (not stated in the text)" (shapes.ttl requires one), no date, a
content-hash URI (RFC 6920 ``ni:``) as its address, and says so in ``uncertain``.
"""
from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from pathlib import Path

from babel import Locale

from graph.errors import SourceError
from graph.model import Entity, Relation
from ingest.articles import article_metadata, looks_like_article
from ingest.context import Context
from ingest.detect import head_text, walk
from ingest.textfile import read_text

__all__ = ["crawl", "detect", "Gazetteer"]

PREFIX = "news"


def detect(path: Path, config: dict) -> bool:
    if path.suffix.lower() == ".md":
        text = head_text(path)
        return bool(text) and looks_like_article(text)
    if path.suffix.lower() != ".txt":
        return False
    text = head_text(path)
    if not text or not text.strip():
        return False
    first = text.strip().splitlines()[0]
    return len(first) <= 300 and len(text.split()) >= 50


def _source_props(ctx: Context, path: Path, text: str) -> dict:
    """The Source of an article: what its metadata states, else what a plain text cannot say."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    content_uri = "ni:///sha-256;" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
    meta = None
    if path.suffix.lower() == ".md":
        try:
            meta = article_metadata(text)
        except ValueError as exc:
            raise SourceError(str(exc), where=str(path), field="metadata") from None
        if meta is None:
            raise SourceError("has no article metadata (an '## Information:' block or '+++' front matter)",
                              where=str(path), field="metadata")
    if meta is None:
        title = " ".join(text.strip().splitlines()[0].split())
        return {"name": title, "title": title, "kind": "news", "text": text,
                "publisher": "unknown (not stated in the text)", "url": content_uri,
                "uncertain": "ingested from a plain-text file that does not state its publisher, date or "
                             "address; the URL is the text's content hash (RFC 6920)"}
    site = next((x for x in ctx.config.get("hugo_sites") or []
                 if meta.shape == "hugo" and re.search(x["path"], path.as_posix())), None)
    url, publisher, unsure = meta.url, meta.publisher, []
    if site and meta.slug:
        url, publisher = site["url_template"].format(slug=meta.slug), site["publisher"]
        unsure.append("address by the site's convention from the slug, not stated in the file")
    if not url:
        url = content_uri
        unsure.append("the file states no address; the URL is the text's content hash (RFC 6920)")
    if not publisher:
        publisher = "unknown (not stated in the file)"
        unsure.append("publisher not stated in the file")
    title = meta.title or path.stem
    props = {"name": title, "title": title, "kind": "news", "text": text, "publisher": publisher, "url": url,
             "publishedDate": meta.date, "uncertain": "; ".join(unsure) or None}
    return {k: v for k, v in props.items() if v is not None}


def _read(path: Path) -> str:
    text = read_text(path, expected="an article as plain UTF-8 text, its title on the first line")
    if "\x00" in text:
        raise SourceError("is binary, not plain text; expected an article as plain UTF-8 text", where=str(path))
    if not text.strip():
        raise SourceError("is empty; expected an article as plain UTF-8 text, its title on the first line",
                          where=str(path))
    return text


class Gazetteer:
    """Names of the entities in the store -> ids, matched as phrases in text.

    Multi-word terms match case-insensitively; a single word only with its exact case and
    only if it is a name-like token (a capital, a digit or '@'), so that aliases such as
    "standing" do not fire on ordinary words. A term naming two entities links neither
    unless it is the name (or handle) of exactly one of them.
    """

    def __init__(self, terms: dict[str, dict[str, int]]):
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("en")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.terms: dict[str, str | None] = {}
        self.ambiguous: dict[str, list[str]] = {}
        for term, ids in terms.items():
            best = min(ids.values())
            winners = sorted(i for i, rank in ids.items() if rank == best)
            self.terms[term] = winners[0] if len(winners) == 1 else None
            if len(winners) > 1:
                self.ambiguous[term] = winners
        single, multi = [], []
        for term in self.terms:
            doc = self.nlp.make_doc(term)
            if len(doc) == 1:
                if re.search(r"[A-Z0-9@]", term) and len(term) >= 2 and not term.isdigit():
                    single.append(doc)
            else:
                multi.append(doc)  # LOWER compares each token lower-cased
        self.exact.add("TERM", single)
        self.folded.add("TERM", multi)
        self._lower = defaultdict(list)
        for term in self.terms:
            self._lower[term.lower()].append(term)

    @classmethod
    def from_store(cls, ctx: Context) -> "Gazetteer":
        """Read every nameable entity from the store (one lookup per class; on the bulk path
        what is staged too)."""
        onto = ctx.onto
        wanted = ("Actor", "Jurisdiction", "Law", "LegalDoctrine", "CourtCase", "Conflict")
        classes = sorted({c for w in wanted for c in onto.concrete_subclasses(w)})
        terms: dict[str, dict[str, int]] = defaultdict(dict)
        english = Locale("en").territories

        def add(term, eid, rank):
            term = " ".join(str(term or "").split())
            if term:
                terms[term][eid] = min(rank, terms[term].get(eid, rank))

        for c in classes:
            have = {p.name for p in onto.properties_of(c)}
            cols = [p for p in ("name", "handle", "aliases", "docketNumber", "citation", "countryCode") if p in have]
            for row in ctx.store.node_table(c, cols).to_pylist():
                eid = row["id"]
                add(row.get("name"), eid, 0)
                add(row.get("handle"), eid, 0)
                for a in row.get("aliases") or []:
                    add(a, eid, 1)
                add(row.get("docketNumber"), eid, 1)
                add(row.get("citation"), eid, 1)
                if row.get("countryCode") in english:
                    add(english[row["countryCode"]], eid, 0)
        return cls(terms)

    def match(self, text: str) -> tuple[list[tuple[str, str, int, int]], list[tuple[int, int]]]:
        """[(term as written, entity id, start char, end char)] and the spans of ambiguous terms."""
        from spacy.util import filter_spans

        doc = self.nlp(text)
        spans = [doc[s:e] for _, s, e in [*self.exact(doc), *self.folded(doc)]]
        found, unclear = [], []
        for span in filter_spans(spans):  # the longest match wins where matches overlap
            term = self._term_of(span.text)
            eid = self.terms.get(term) if term else None
            if eid:
                found.append((span.text, eid, span.start_char, span.end_char))
            else:
                unclear.append((span.start_char, span.end_char))
        return found, unclear

    def _term_of(self, text: str) -> str | None:
        text = " ".join(text.split())
        if text in self.terms:
            return text
        options = self._lower.get(text.lower()) or []
        multi = [t for t in options if " " in t]
        return multi[0] if multi else None

    def knows(self, text: str) -> bool:
        return " ".join(text.split()).lower() in self._lower


_CAP = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w'’&-]*)"
_CANDIDATE = re.compile(rf"{_CAP}(?:\s+(?:(?:of|and|for|the|de|du|von|van|&)\s+)*{_CAP})+")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_LEADING = {"The", "A", "An", "This", "That", "These", "Those", "It", "Its", "Then", "According", "Subscribe",
            "In", "On", "As", "And", "But", "So"}


def candidates(text: str, gaz: Gazetteer, linked: list[tuple[int, int]]) -> list[str]:
    """Capitalised multi-word names and @handles the gazetteer does not know (body only)."""
    body_start = len(text.split("\n", 1)[0])  # a title-case headline names nothing reliably
    out: list[str] = []

    def overlaps(a, b):
        return any(s < b and a < e for s, e in linked)

    for m in [*_CANDIDATE.finditer(text), *_HANDLE.finditer(text)]:
        if m.start() < body_start or overlaps(m.start(), m.end()):
            continue
        words = m.group(0).split()
        while words and words[0] in _LEADING:
            words = words[1:]
        name = " ".join(words).rstrip(".")
        if (len(words) >= 2 or name.startswith("@")) and not gaz.knows(name) and name not in out:
            out.append(name)
    return out


def crawl(ctx: Context) -> None:
    gaz = Gazetteer.from_store(ctx) if ctx.store is not None else None
    if gaz is None:
        ctx.note("gazetteer", "no store (check only): mentions are not linked")
    linked_all, candidates_all, ambiguous_all = {}, {}, {}
    for path in walk(ctx.paths, (".txt", ".md")):
        if path.suffix.lower() == ".md" and re.match(r"(?i)readme", path.name):
            ctx.skip("documentation (README), not an article")
            continue
        try:
            text = _read(path)
            props = _source_props(ctx, path, text)
        except SourceError as exc:
            ctx.reject(exc)
            continue
        sid = f"{PREFIX}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"
        source = Entity(sid, "Source", props, [sid], str(path))
        ctx.emit(source)
        if gaz is None:
            continue
        found, unclear = gaz.match(text)
        ids = list(dict.fromkeys(eid for _, eid, _, _ in found))
        for eid in ids:
            ctx.emit_relation(Relation("MENTIONS", sid, eid, {}, [sid], str(path)))
        spans = [(s, e) for *_, s, e in found] + unclear
        linked_all[str(path)] = {eid: sorted({t for t, i, _, _ in found if i == eid}) for eid in ids}
        candidates_all[str(path)] = candidates(text, gaz, spans)
        ambiguous_all[str(path)] = sorted({text[s:e]: None for s, e in unclear})
    if gaz is not None:
        ctx.note("mentions", linked_all)
        ctx.note("candidates (not created; confirm and add to the registry)", candidates_all)
        if any(ambiguous_all.values()):
            ctx.note("ambiguous (not linked)", {k: v for k, v in ambiguous_all.items() if v})

"""Reading a user's text file — the one place ingest opens one, so every input limit holds
for every source: UTF-8 (a leading BOM is dropped), at most ``input_max_bytes``; JSON (and,
through :mod:`ingest.yamlio`, YAML) nested at most ``input_max_depth`` levels. Every error is a
:class:`SourceError` naming the file and what is wrong — never a traceback."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.errors import SourceError
from graph.settings import settings

__all__ = ["read_text", "read_json", "check_nesting"]


def read_text(path: Path, *, expected: str = "") -> str:
    """The file's text; SourceError names the file and, for bad encoding, the first bad byte.
    ``expected`` (e.g. "an article as plain UTF-8 text") is added to the encoding message."""
    cap = settings().input_max_bytes
    try:
        with open(path, "rb") as fh:  # at most cap + 1 bytes, even from a device or a pipe
            raw = fh.read(cap + 1)
        if len(raw) > cap:
            size = Path(path).stat().st_size
            raise SourceError(f"is {f'{size:,} bytes, ' if size > cap else ''}more than {cap:,} bytes, the limit "
                              "for one source file (GOVPLAT_INPUT_MAX_BYTES)", where=str(path))
        # newlines as Path.read_text gives them: \r\n and \r become \n
        return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        hint = f"; expected {expected}" if expected else ""
        raise SourceError(f"is not UTF-8 text (byte {exc.start}: {exc.reason}){hint}", where=str(path)) from None
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror}", where=str(path)) from None


def read_json(path: Path) -> Any:
    """Parse a JSON file; SourceError names the file, line and column of what is wrong, or the
    limit it passes."""
    text = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                          where=str(path)) from None
    except RecursionError:
        raise _too_deep(path) from None
    check_nesting(doc, path)
    return doc


def _too_deep(path) -> SourceError:
    limit = settings().input_max_depth
    return SourceError(f"is nested more than {limit} levels deep, the limit (GOVPLAT_INPUT_MAX_DEPTH)",
                       where=str(path))


def check_nesting(doc: Any, path) -> None:
    """SourceError when ``doc`` (parsed JSON or YAML) nests lists/mappings deeper than
    ``input_max_depth``, or holds more than ``input_max_nodes`` of them once YAML aliases
    (``*name``, which repeat one list or mapping in many places) are expanded — the YAML form
    of a "billion laughs", which the next reader of the data would expand."""
    limits = settings()
    seen: dict[int, tuple[int, int]] = {}  # id -> (lists/mappings inside, counting itself; height)
    stack: list[tuple[Any, int, bool]] = [(doc, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children = [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, (dict, list))]
        if done:
            inner = [seen[id(c)] for c in children if id(c) in seen]
            count = 1 + sum(n for n, _ in inner)
            if count > limits.input_max_nodes:
                raise SourceError(f"holds more than {limits.input_max_nodes:,} lists and mappings once its YAML "
                                  "aliases (*name) are expanded, the limit (GOVPLAT_INPUT_MAX_NODES)",
                                  where=str(path))
            seen[id(node)] = (count, 1 + max((h for _, h in inner), default=0))
            continue
        known = seen.get(id(node))
        if depth + (known[1] - 1 if known else 0) > limits.input_max_depth:
            raise _too_deep(path)
        if known is None:
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children)

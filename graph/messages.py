"""Bounded messages: a list in an error or report shows its first items, then a count.

How many is ``settings().message_items`` (GOVPLAT_MESSAGE_ITEMS), so a hostile file with a
million columns or predicates gives a message of a few lines, not megabytes.

>>> first_items(["a", "b", "c"], limit=2)
'a, b (and 1 more)'
>>> first_items([], limit=2)
''
>>> clip("x" * 500, 10)
'xxxxxxxxxx… (500 characters)'
"""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["first_items", "clip", "message_items"]

CLIP_CHARS = 200  # characters of one value quoted in a message


def message_items() -> int:
    from graph.settings import settings

    return settings().message_items


def first_items(items: Iterable, limit: int | None = None, sep: str = ", ") -> str:
    """The first ``limit`` items as text, then how many more there are."""
    limit = message_items() if limit is None else limit
    items = list(items)
    shown = sep.join(clip(str(i)) for i in items[:limit])
    more = len(items) - limit
    return f"{shown} (and {more:,} more)" if more > 0 else shown


def clip(text: str, limit: int = CLIP_CHARS) -> str:
    """``text``, cut to ``limit`` characters (saying how long it was) when longer."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"

"""Reading a user's text file: UTF-8 (a leading BOM is dropped), errors that name the file."""
from __future__ import annotations

from pathlib import Path

from graph.errors import SourceError

__all__ = ["read_text"]


def read_text(path: Path, *, expected: str = "") -> str:
    """The file's text; SourceError names the file and, for bad encoding, the first bad byte.
    ``expected`` (e.g. "an article as plain UTF-8 text") is added to the encoding message."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = f"; expected {expected}" if expected else ""
        raise SourceError(f"is not UTF-8 text (byte {exc.start}: {exc.reason}){hint}", where=str(path)) from None
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror}", where=str(path)) from None

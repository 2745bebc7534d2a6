"""XML from users, checked by expat before any other parser sees it: no DTD, no entities.

A document type declaration is where XML declares entities (internal ones expand a few
hundred bytes into gigabytes — "billion laughs"; external ones read files or URLs). Data
files never need one, so :func:`refuse_dtd` refuses the document as soon as expat reports a
``<!DOCTYPE``, an entity declaration or an external entity reference, before any entity
is expanded. The decision is expat's (its declaration handlers and
``XML_PARAM_ENTITY_PARSING_NEVER``), not a pattern over the text.

The document must also be UTF-8 (or its ASCII subset): expat is told so and a declaration
naming any other encoding is refused, so the parser that reads the data afterwards
(pyoxigraph, ElementTree) decodes exactly the bytes expat checked.

>>> refuse_dtd(b'<a x="1">&amp;</a>', "ok.xml")
>>> refuse_dtd(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "bad.xml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
graph.errors.SourceError: bad.xml: line 1, column 13: declares a document type (<!DOCTYPE a>); ...
"""
from __future__ import annotations

from xml.parsers import expat

from graph.errors import SourceError

__all__ = ["refuse_dtd"]

_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii"}
_WHY = "XML with a DTD or entity declarations is refused (entities can expand without bound or read files)"


class _Refused(Exception):
    pass


def refuse_dtd(data: bytes, where: str, *, allow_external_doctype: bool = False) -> None:
    """Raise SourceError unless ``data`` is well-formed UTF-8 XML without DTD or entities.

    ``allow_external_doctype`` accepts a ``<!DOCTYPE name SYSTEM "file.dtd">`` line without an
    internal subset (as RECAP dockets carry): expat never reads the external file, and any
    entity reference it might have declared is still refused."""
    try:
        data.decode("utf-8")  # expat would still follow a UTF-16 byte order mark
    except UnicodeDecodeError as exc:
        raise SourceError(f"is not UTF-8 (byte {exc.start}: {exc.reason}); XML input must be UTF-8",
                          where=where) from None
    parser = expat.ParserCreate(encoding="UTF-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(reason: str):
        def handler(*args):
            raise _Refused(reason.format(*args))
        return handler

    def xml_decl(version, encoding, standalone):
        if encoding and encoding.lower() not in _ENCODINGS:
            raise _Refused(f"declares encoding {encoding!r}; XML input must be UTF-8")

    parser.XmlDeclHandler = xml_decl
    def doctype(name, system_id, public_id, has_internal_subset):
        if has_internal_subset or not allow_external_doctype:
            raise _Refused(f"declares a document type (<!DOCTYPE {name}>); " + _WHY)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse("declares entity {0!r}; " + _WHY)
    parser.UnparsedEntityDeclHandler = refuse("declares entity {0!r}; " + _WHY)
    parser.NotationDeclHandler = refuse("declares notation {0!r}; " + _WHY)
    parser.ExternalEntityRefHandler = refuse("refers to an external entity ({2}); " + _WHY)
    parser.SkippedEntityHandler = refuse("refers to entity {0!r}, which is not declared; " + _WHY)
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise SourceError(f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber + 1}: {exc}",
                          where=where) from None
    except expat.ExpatError as exc:
        raise SourceError(f"line {exc.lineno}, column {exc.offset + 1}: malformed XML: "
                          f"{expat.ErrorString(exc.code)}", where=where) from None

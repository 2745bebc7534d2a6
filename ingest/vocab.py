"""Controlled values as records word them -> notations of the ontology's SKOS concept schemes.

A scheme in ontology.ttl (gp:DemandInstruments, gp:RulingOutcomes...) lists the concepts a
property may take; ``ingest/data/vocab/<Scheme>.yaml`` maps the other wordings case files and
bulk sources use ("throttle", "section_69a_order", "appeal dismissed 7-2") to a concept's
notation. At ingest a record's value becomes the notation and its wording is kept in the
table's detail property (kindDetail, outcomeDetail). A value that is neither a notation nor a
wording of the table is refused, with the closest ones named.

>>> from graph.ontology import ontology
>>> instruments = ontology().vocabulary_for("kind", "BlockingOrder")
>>> controlled_value(instruments, "throttle")
('throttling', 'throttle')
>>> controlled_value(instruments, "court_order")
('court_order', None)
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.errors import OntologyError, ValidationError
from graph.ontology import Vocabulary, ontology
from ingest.yamlio import load_yaml

__all__ = ["VOCAB_DIR", "Table", "tables", "controlled_value", "detail_property"]

VOCAB_DIR = Path(__file__).resolve().parent / "data" / "vocab"


@dataclass(frozen=True)
class Table:
    scheme: str  # the concept scheme's local name, e.g. DemandInstruments
    detail: str  # the datatype property that keeps a record's own wording, e.g. kindDetail
    aliases: dict[str, str]  # wording -> notation
    path: Path


@lru_cache(maxsize=1)
def tables() -> dict[str, Table]:
    """The wording tables by scheme name, each checked against the ontology: every wording maps
    to a notation of its scheme, and no wording is itself a notation."""
    onto, out = ontology(), {}
    for path in sorted(VOCAB_DIR.glob("*.yaml")):
        doc = load_yaml(path) or {}
        scheme, detail, aliases = doc.get("scheme"), doc.get("detail"), doc.get("aliases") or {}
        vocab = onto.vocabularies.get(scheme)
        if vocab is None:
            raise OntologyError(f"{path}: scheme {scheme!r} is not a concept scheme of ontology.ttl")
        if detail not in onto.properties:
            raise OntologyError(f"{path}: detail {detail!r} is not a datatype property of ontology.ttl")
        for wording, notation in aliases.items():
            if notation not in vocab.concepts:
                raise OntologyError(f"{path}: {wording!r} maps to {notation!r}, which is not a notation of "
                                    f"gp:{scheme}; use one of: {', '.join(vocab.concepts)}")
            if wording in vocab.concepts:
                raise OntologyError(f"{path}: {wording!r} is a notation of gp:{scheme} itself; remove it")
        out[scheme] = Table(scheme, detail, {str(k): str(v) for k, v in aliases.items()}, path)
    return out


def detail_property(vocab: Vocabulary) -> str | None:
    table = tables().get(vocab.name)
    return table.detail if table else None


def controlled_value(vocab: Vocabulary, value) -> tuple[str, str | None]:
    """``(notation, wording to keep as detail or None)`` for a record's value of a controlled
    property; raises ValidationError (field: the property) when the scheme does not know it."""
    if value in vocab.concepts:
        return value, None
    table = tables().get(vocab.name)
    if table is not None and isinstance(value, str) and value in table.aliases:
        return table.aliases[value], value
    if table is None:
        try:
            vocab.check(value)
        except OntologyError as exc:
            raise ValidationError(str(exc), field=vocab.prop) from None
    known = [*vocab.concepts, *table.aliases]
    close = difflib.get_close_matches(str(value), known, n=2, cutoff=0.75)
    rel = table.path.relative_to(VOCAB_DIR.parents[2])
    raise ValidationError(
        f"{value!r} is neither a notation of gp:{vocab.name} in ontology.ttl nor a wording listed in {rel}"
        + (f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "")
        + f"; use one of: {', '.join(vocab.concepts)} (add a new wording to {rel})", field=vocab.prop)

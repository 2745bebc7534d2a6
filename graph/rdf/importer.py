"""Read RDF back into govplat records: our own exports, or third-party RDF using our ontology.

The reading is the inverse of :mod:`graph.rdf.view`:

* a resource typed with a concrete ``gp:`` class is an entity; its id is the local part of a
  ``https://w3id.org/govplat/id/<id>`` IRI, or its ``gp:id`` (for other IRIs and blank nodes);
* ``gp:`` datatype properties become its properties, converted by their XSD range; a value
  of the wrong datatype, two values of a functional property or an unknown ``gp:`` term is an
  error naming the record and field (a closed vocabulary: misspelt terms are refused);
* ``owl:sameAs wd:Q…``, ``rdfs:label`` and ``dcterms:description`` fill ``wikidata``, ``name``
  and ``description`` when the ``gp:`` property is absent (they are what we also export);
* a ``gp:`` object property between two entities is a relationship; its ``sources`` and
  ``role`` come from an ``rdf:Statement`` reifying it, an RDF-star annotation (RDF 1.2
  reifier) or both;
* a record's sources are its ``gp:source`` links to ``https://w3id.org/govplat/id/<source-id>``
  (a Source is always its own source, stated or not); being in the named graph
  ``https://w3id.org/govplat/id/graph/<source-id>`` adds that source too (the default graph's
  ``<graph/…> prov:wasDerivedFrom <source>`` triples that say so are read, not reported).
  A relationship that states no source takes those of its from-entity (else its to-entity),
  as in the case files; a triple of an inverse property (``gp:hasPart``, ``gp:hasParty``...)
  is read as the relationship it is the inverse of;
* anything else (triples in other vocabularies) is counted and reported, never silently kept
  or dropped.

Parsing (pyoxigraph) reads the whole input before anything is returned: malformed RDF gives
one :class:`RdfSyntaxError` with line and column, and nothing is stored. The input is
untrusted: RDF/XML goes through :func:`graph.xmlsafe.refuse_dtd` first (no DOCTYPE, no
entities, UTF-8 only), nothing is fetched (a remote JSON-LD ``@context`` is refused), and
the bytes, triples and literal/IRI length of one import are capped by :mod:`graph.settings`
(each error names its limit).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from graph.errors import GovplatError, SourceError, ValidationError
from graph.messages import clip, first_items, message_items
from graph.model import Entity, Relation
from graph.ontology import GP, GP_ID, ontology
from graph.rdf.terms import DCTERMS, OWL, RDF, RDFS, WD, XSD, datatype_of
from graph.rdf.view import ONTOLOGY_GRAPH, SOURCE_GRAPH
from graph.settings import settings
from graph.xmlsafe import refuse_dtd

__all__ = ["RdfSyntaxError", "ImportResult", "read", "FORMAT_OF_EXTENSION", "OX_FORMATS", "detect_format"]

_GP, _GP_ID = str(GP), str(GP_ID)
_TYPE, _STATEMENT = RDF + "type", RDF + "Statement"
_SUBJECT, _PREDICATE, _OBJECT, _REIFIES = RDF + "subject", RDF + "predicate", RDF + "object", RDF + "reifies"
_SAME_AS, _LABEL, _DESCRIPTION = OWL + "sameAs", RDFS + "label", DCTERMS + "description"
_STATEMENT_PARTS = {_SUBJECT, _PREDICATE, _OBJECT, _REIFIES}
_SOURCE, _SOURCES = _GP + "source", _GP + "sources"
_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
OWL_INVERSE_OF = URIRef(OWL + "inverseOf")

OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
              "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "rdfxml": ox.RdfFormat.RDF_XML}
FORMAT_OF_EXTENSION = {".ttl": "ttl", ".turtle": "ttl", ".nt": "nt", ".ntriples": "nt", ".jsonld": "jsonld",
                       ".json": "jsonld", ".trig": "trig", ".nq": "nq", ".nquads": "nq", ".rdf": "rdfxml",
                       ".owl": "rdfxml", ".xml": "rdfxml"}


class RdfSyntaxError(GovplatError):
    """The input is not well-formed RDF; ``line`` and ``column`` are 1-based."""

    def __init__(self, where: str, line: int | None, column: int | None, reason: str):
        self.where, self.line, self.column, self.reason = where, line, column, reason
        pos = f"line {line}, column {column}" if line else "position unknown"
        super().__init__(f"{where}: {pos}: {reason}")


@dataclass
class ImportResult:
    entities: list[Entity]
    relations: list[Relation]
    statements: int = 0
    ignored: Counter = field(default_factory=Counter)  # predicate IRI -> triples not read
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """Counts, with the ``message_items`` most frequent ignored predicates and the first notes."""
        n = message_items()
        notes = self.notes[:n] + ([f"{len(self.notes) - n:,} more notes"] if len(self.notes) > n else [])
        return {"statements": self.statements, "entities": len(self.entities), "relations": len(self.relations),
                "ignored_statements": sum(self.ignored.values()),
                "ignored_predicates": {clip(p): c for p, c in self.ignored.most_common(n)},
                "ignored_predicates_not_listed": max(0, len(self.ignored) - n), "notes": notes}


class ImportErrors(GovplatError):
    """Records that cannot be imported; nothing was stored."""

    def __init__(self, errors: list[ValidationError]):
        self.errors = errors
        super().__init__(f"{len(errors):,} record(s) cannot be imported, nothing was stored:\n  "
                         + first_items((clip(str(e), 500) for e in errors), sep="\n  "))


def detect_format(path: Path | str, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in OX_FORMATS:
            raise GovplatError(f"unknown RDF format {fmt!r}; use one of {', '.join(OX_FORMATS)}")
        return fmt
    suffix = Path(str(path)).suffix.lower()
    if suffix not in FORMAT_OF_EXTENSION:
        raise GovplatError(f"cannot tell the RDF format of {path} from its extension; give --format "
                           f"({', '.join(OX_FORMATS)})")
    return FORMAT_OF_EXTENSION[suffix]


def _load(source, where: str) -> bytes:
    """The input's bytes, refused (naming the limit) when larger than ``import_max_bytes``."""
    cap = settings().import_max_bytes
    too_big = f"is larger than {cap:,} bytes, the import limit (GOVPLAT_IMPORT_MAX_BYTES)"
    if isinstance(source, (bytes, bytearray)) or hasattr(source, "read"):
        data = bytes(source) if isinstance(source, (bytes, bytearray)) else source.read(cap + 1)
        data = data.encode("utf-8") if isinstance(data, str) else data
    else:
        try:
            if Path(source).stat().st_size > cap:
                raise SourceError(too_big, where=where)
            with open(source, "rb") as fh:
                data = fh.read(cap + 1)
        except OSError as exc:
            raise SourceError(f"cannot be read: {exc.strerror}", where=where) from None
    if len(data) > cap:
        raise SourceError(too_big, where=where)
    return data


def _term_chars(term) -> int:
    """The longest literal or IRI in ``term`` (quoted triples included)."""
    if isinstance(term, ox.Triple):
        return max(_term_chars(term.subject), _term_chars(term.predicate), _term_chars(term.object))
    return len(term.value) if isinstance(term, (ox.Literal, ox.NamedNode)) else 0


def _parse(source, fmt: str, where: str) -> list:
    """Every quad of the input, or one error: bad syntax (with line and column), a DTD in
    RDF/XML, or a limit of :mod:`graph.settings` exceeded (named in the message)."""
    limits = settings()
    data = _load(source, where)
    if fmt == "rdfxml":
        refuse_dtd(data, where)  # before pyoxigraph, which would expand entities
    quads: list = []
    try:
        for q in ox.parse(data, format=OX_FORMATS[fmt]):
            if len(quads) >= limits.import_max_triples:
                raise SourceError(f"holds more than {limits.import_max_triples:,} triples, the import limit "
                                  "(GOVPLAT_IMPORT_MAX_TRIPLES); split the file", where=where)
            longest = max(_term_chars(q.subject), _term_chars(q.object))
            if longest > limits.max_literal_chars:
                raise SourceError(f"a literal or IRI of {longest:,} characters is longer than "
                                  f"{limits.max_literal_chars:,}, the limit (GOVPLAT_MAX_LITERAL_CHARS)",
                                  where=where, record=clip(str(q.subject)), field=clip(q.predicate.value))
            quads.append(q)
    except SyntaxError as exc:
        reason = str(exc.msg if hasattr(exc, "msg") else exc)
        if ": " in reason and reason.startswith("Parser error"):
            reason = reason.split(": ", 1)[1]
        if "LoadDocumentCallback" in reason:
            reason = "a remote JSON-LD @context is never fetched; put the context inline"
        raise RdfSyntaxError(where, exc.lineno, exc.offset, reason) from None
    except MemoryError as exc:  # pyoxigraph's buffer cap: a single token (literal, IRI) too long
        raise RdfSyntaxError(where, None, None, f"a single literal or IRI is too long to parse: over the parser's "
                             f"16 MiB token limit ({exc})") from None
    except (OSError, ValueError) as exc:
        raise RdfSyntaxError(where, None, None, str(exc)) from None
    return quads


def _value(lit: ox.Literal, prop, datatype: str):
    """A literal as the Python value the stores keep, or raise ValueError saying why not."""
    got = lit.datatype.value if lit.language is None else RDF + "langString"
    if prop.kind == "string":
        if got not in (XSD + "string", datatype, RDF + "langString"):
            raise ValueError(f"expected a {_short(datatype)} literal, got {_short(got)}")
        return lit.value
    if got != datatype:
        raise ValueError(f"expected a {_short(datatype)} literal, got {lit.value!r} ({_short(got)})")
    text = lit.value.strip()
    if prop.kind == "date":
        return dt.date.fromisoformat(text)
    if prop.kind == "int":
        return int(text)
    if prop.kind == "float":
        return float(text)
    if prop.kind == "bool":
        if text not in ("true", "false", "1", "0"):
            raise ValueError(f"{clip(repr(text))} is not an xsd:boolean")
        return text in ("true", "1")
    return text


def _short(iri: str) -> str:
    for prefix, ns in (("xsd", XSD), ("rdf", RDF), ("gp", _GP)):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


_SOURCES_LITERAL = ("gp:sources is the stores' list of source ids; in RDF link each source with "
                    "gp:source <https://w3id.org/govplat/id/SOURCE-ID>")


def read(source, fmt: str | None = None, *, where: str | None = None) -> ImportResult:
    """Parse ``source`` (a path, or bytes / a binary file with ``fmt``) into entities and relations.

    Raises :class:`RdfSyntaxError` for malformed input and :class:`ImportErrors` listing every
    record that breaks the ontology.
    """
    where = where or (str(source) if isinstance(source, (str, Path)) else "<input>")
    fmt = detect_format(where, fmt)
    quads = _parse(source, fmt, where)
    kept = [q for q in quads if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == ONTOLOGY_GRAPH)]
    result = _records(kept, where)
    if len(kept) < len(quads):
        result.notes.append(f"the ontology's named graph <{ONTOLOGY_GRAPH}> ({len(quads) - len(kept)} statements) "
                            "describes terms, not records; it was read past")
    return result


def _records(quads: list, where: str) -> ImportResult:
    onto = ontology()
    props_by_iri = {str(p.uri): p for p in onto.properties.values()}
    rels_by_iri = {str(r.uri): r for r in onto.relations.values()}
    classes_by_iri = {_GP + c: c for c in onto.classes}
    datatypes = {name: datatype_of(p, onto) for name, p in onto.properties.items()}

    # Index: subject -> predicate -> object -> set of graphs (None = default graph).
    # Terms the export derives (dates as stated, links to SKOS concepts): the record's own
    # values say the same, so they are read past. gp:source and inverses are read below.
    derived = {str(p) for p in onto.graph.subjects(GP.rdfView, None)
               if (p, URIRef(OWL + "inverseOf"), None) not in onto.graph and str(p) != _SOURCE}
    derived.add("http://www.w3.org/2004/02/skos/core#inScheme")  # a doctrine's scheme: its class says it
    # An inverse property's triple (gp:hasPart...) is read as the relationship it inverts.
    inverses = {str(inv): str(fwd) for inv, fwd in onto.graph.subject_objects(OWL_INVERSE_OF)
                if str(fwd) in rels_by_iri}
    index: dict[Any, dict[str, dict[Any, set]]] = defaultdict(lambda: defaultdict(dict))
    for q in quads:
        g = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
        forward = inverses.get(q.predicate.value)
        if forward is not None:
            index[q.object][forward].setdefault(q.subject, set()).add(g)
        else:
            index[q.subject][q.predicate.value].setdefault(q.object, set()).add(g)
    result = ImportResult([], [], statements=len(quads))
    errors: list[ValidationError] = []

    other_graphs: set = set()

    def graph_sources(graphs: set) -> set[str]:
        out = set()
        for g in graphs:
            if isinstance(g, ox.NamedNode) and g.value.startswith(SOURCE_GRAPH) \
                    and "/" not in g.value[len(SOURCE_GRAPH):]:
                out.add(g.value[len(SOURCE_GRAPH):])
            elif g is not None and g not in other_graphs:
                other_graphs.add(g)
                result.notes.append(f"named graph {clip(str(g))} is not a govplat source; its triples were read "
                                    "without adding a source")
        return out

    def linked_sources(objects, record: str) -> set[str]:
        """Source ids of gp:source objects, each a https://w3id.org/govplat/id/<id> IRI."""
        out = set()
        for o in objects:
            if isinstance(o, ox.NamedNode) and o.value.startswith(_GP_ID) and "/" not in o.value[len(_GP_ID):]:
                out.add(o.value[len(_GP_ID):])
            else:
                errors.append(ValidationError(f"gp:source links to a Source's IRI ({_GP_ID}<source-id>), got "
                                              f"{clip(str(o))}", where=where, record=record, field="sources"))
        return out

    def is_graph_link(subj, pos) -> bool:
        """``<…/id/graph/X> prov:wasDerivedFrom <…/id/X>``: what the export says of a source's graph."""
        if not (isinstance(subj, ox.NamedNode) and subj.value.startswith(SOURCE_GRAPH)) or set(pos) != {_DERIVED_FROM}:
            return False
        return [o.value for o in pos[_DERIVED_FROM]] == [_GP_ID + subj.value[len(SOURCE_GRAPH):]]

    # 1. Statement nodes: rdf:Statement reifications and RDF 1.2 reifiers -> the triple they describe.
    statements: dict[Any, tuple] = {}
    for subj, pos in index.items():
        if _REIFIES in pos:
            for t in pos[_REIFIES]:
                if isinstance(t, ox.Triple):
                    statements[subj] = (t.subject, t.predicate.value, t.object)
        elif _STATEMENT in {o.value for o in pos.get(_TYPE, {}) if isinstance(o, ox.NamedNode)}:
            parts = [next(iter(pos.get(k, {})), None) for k in (_SUBJECT, _PREDICATE, _OBJECT)]
            if None in parts or not isinstance(parts[1], ox.NamedNode):
                errors.append(ValidationError("an rdf:Statement needs rdf:subject, rdf:predicate and rdf:object",
                                              where=where, record=str(subj)))
                continue
            statements[subj] = (parts[0], parts[1].value, parts[2])

    # 2. Entities: typed with a gp: class.
    ids: dict[Any, str] = {}
    failed: set = set()  # typed subjects already reported as errors
    entities: dict[str, Entity] = {}
    for subj, pos in index.items():
        if subj in statements:
            continue
        gp_types = [classes_by_iri[o.value] for o in pos.get(_TYPE, {})
                    if isinstance(o, ox.NamedNode) and o.value in classes_by_iri]
        if not gp_types:
            continue
        failed.add(subj)  # until it is accepted below
        label = str(subj)
        if isinstance(subj, ox.NamedNode) and subj.value.startswith(_GP_ID) and "/" not in subj.value[len(_GP_ID):]:
            eid = subj.value[len(_GP_ID):]
            stated = [o.value for o in pos.get(_GP + "id", {}) if isinstance(o, ox.Literal)]
            if stated and stated != [eid]:
                errors.append(ValidationError(f"gp:id {stated} differs from the IRI's id {eid!r}",
                                              where=where, record=eid, field="id"))
                continue
        else:
            stated = [o.value for o in pos.get(_GP + "id", {}) if isinstance(o, ox.Literal)]
            if len(stated) != 1:
                errors.append(ValidationError(
                    "cannot tell its id: give it an https://w3id.org/govplat/id/<id> IRI or one gp:id",
                    where=where, record=label, field="id"))
                continue
            eid = stated[0]
        try:
            cls = onto.most_specific(set(gp_types))
        except GovplatError as exc:
            errors.append(ValidationError(str(exc), where=where, record=eid, field="class"))
            continue
        if onto.classes[cls].abstract:
            errors.append(ValidationError(f"{cls} is abstract; type it with a concrete class "
                                          f"({', '.join(onto.concrete_subclasses(cls))})",
                                          where=where, record=eid, field="class"))
            continue
        failed.discard(subj)
        ids[subj] = eid
        entities[eid] = Entity(eid, cls, {}, [], where)

    for subj, eid in ids.items():
        e = entities[eid]
        pos = index[subj]
        sources: set[str] = set()
        fallbacks: dict[str, Any] = {}
        for p_iri, objects in pos.items():
            if p_iri not in rels_by_iri:  # a relationship's graphs are its own sources, not its from-entity's
                for graphs in objects.values():
                    sources |= graph_sources(graphs)
            if p_iri == _TYPE:
                others = [o for o in objects if not (isinstance(o, ox.NamedNode) and o.value in classes_by_iri)]
                if others:
                    result.ignored[p_iri] += len(others)
                continue
            if p_iri in (_GP + "id", _GP + "uri") or p_iri in derived:
                continue  # the IRI says the id; derived terms repeat the record's own values
            if p_iri == _SOURCE:
                sources |= linked_sources(objects, eid)
                continue
            if p_iri == _SOURCES:
                errors.append(ValidationError(_SOURCES_LITERAL, where=where, record=eid, field="sources"))
                continue
            if p_iri in props_by_iri:
                prop = props_by_iri[p_iri]
                values = []
                for o in objects:
                    if not isinstance(o, ox.Literal):
                        errors.append(ValidationError(f"gp:{prop.name} takes literals, got {o}",
                                                      where=where, record=eid, field=prop.name))
                        continue
                    try:
                        values.append(_value(o, prop, datatypes[prop.name]))
                    except ValueError as exc:
                        errors.append(ValidationError(str(exc), where=where, record=eid, field=prop.name))
                if not values:
                    continue
                if prop.multi:
                    e.props[prop.name] = sorted(values, key=str)
                elif len(values) > 1:
                    errors.append(ValidationError(f"gp:{prop.name} holds one value, got {len(values)}",
                                                  where=where, record=eid, field=prop.name))
                else:
                    e.props[prop.name] = values[0]
                continue
            if p_iri in rels_by_iri:
                continue  # read in step 3
            if p_iri.startswith(_GP):
                errors.append(ValidationError(f"gp:{p_iri[len(_GP):]} is not a term of ontology.ttl",
                                              where=where, record=eid, field=p_iri[len(_GP):]))
                continue
            if p_iri == _SAME_AS:
                wd = [o.value[len(WD):] for o in objects if isinstance(o, ox.NamedNode) and o.value.startswith(WD)]
                if wd:
                    fallbacks["wikidata"] = wd[0]
                if len(objects) > len(wd):
                    result.ignored[p_iri] += len(objects) - len(wd)
                continue
            if p_iri in (_LABEL, _DESCRIPTION):
                name = "name" if p_iri == _LABEL else "description"
                texts = [o.value for o in objects if isinstance(o, ox.Literal)]
                if texts:
                    fallbacks[name] = texts[0]
                continue
            result.ignored[p_iri] += len(objects)
        for name, value in fallbacks.items():
            if name not in e.props and name in {p.name for p in onto.properties_of(e.cls)}:
                e.props[name] = value
        if onto.is_a(e.cls, "Source"):
            sources.add(eid)  # a Source supports itself (the export does not say so)
        e.sources = sorted(sources)

    # 3. Relations: gp: object-property triples and statements about them.
    relations: dict[tuple[str, str, str], Relation] = {}

    def id_of(term) -> str | None:
        """An entity of this file, or one named by its govplat IRI (the store must hold it)."""
        if term in ids:
            return ids[term]
        if term in failed:
            return None
        if isinstance(term, ox.NamedNode) and term.value.startswith(_GP_ID) and "/" not in term.value[len(_GP_ID):]:
            return term.value[len(_GP_ID):]
        return None

    def relation_for(s, p_iri: str, o, origin_record: str) -> Relation | None:
        rel = rels_by_iri[p_iri]
        src, dst = id_of(s), id_of(o)
        if src is None or dst is None:
            errors.append(ValidationError(f"gp:{rel.name} joins a resource that is not a govplat entity "
                                          f"({s if src is None else o})", where=where, record=origin_record,
                                          field="from" if src is None else "to"))
            return None
        key = (src, rel.type, dst)
        if key not in relations:
            relations[key] = Relation(rel.type, src, dst, {}, [], where)
        return relations[key]

    sources_of_rel: dict[tuple, set] = defaultdict(set)
    untyped: set = set()
    for subj, pos in index.items():
        if subj in statements or is_graph_link(subj, pos):
            continue
        for p_iri, objects in pos.items():
            if p_iri not in rels_by_iri:
                if subj in ids or subj in failed:
                    continue  # read (or reported) in step 2
                if p_iri.startswith(_GP):
                    if subj not in untyped:
                        untyped.add(subj)
                        errors.append(ValidationError(
                            f"uses gp:{p_iri[len(_GP):]} but has no concrete gp: class (rdf:type)",
                            where=where, record=str(subj), field="class"))
                else:
                    result.ignored[p_iri] += len(objects)
                continue
            for o, graphs in objects.items():
                r = relation_for(subj, p_iri, o, str(subj))
                if r is not None:
                    sources_of_rel[r.key] |= graph_sources(graphs)

    for st, (s, p_iri, o) in statements.items():
        if p_iri not in rels_by_iri:
            result.ignored[_REIFIES if isinstance(st, ox.BlankNode) else _STATEMENT] += 1
            continue
        r = relation_for(s, p_iri, o, str(st))
        if r is None:
            continue
        for note_iri, objects in index[st].items():
            for graphs in objects.values():
                sources_of_rel[r.key] |= graph_sources(graphs)
            if note_iri in _STATEMENT_PARTS or note_iri == _TYPE or note_iri in derived:
                continue
            if note_iri == _SOURCE:
                sources_of_rel[r.key] |= linked_sources(objects, f"{r.src} {r.type} {r.dst}")
                continue
            if note_iri == _SOURCES:
                errors.append(ValidationError(_SOURCES_LITERAL, where=where, record=f"{r.src} {r.type} {r.dst}",
                                              field="sources"))
                continue
            prop = props_by_iri.get(note_iri)
            if prop is None or not prop.on_relation:
                errors.append(ValidationError(f"<{note_iri}> is not a property of relationships "
                                              "(those are: " + ", ".join(p.name for p in onto.relation_properties())
                                              + ")", where=where, record=f"{r.src} {r.type} {r.dst}"))
                continue
            values = []
            for x in objects:
                try:
                    values.append(_value(x, prop, datatypes[prop.name]))
                except (ValueError, AttributeError) as exc:
                    errors.append(ValidationError(str(exc), where=where, record=f"{r.src} {r.type} {r.dst}",
                                                  field=prop.name))
            if len(values) > 1 and not prop.multi:
                errors.append(ValidationError(f"gp:{prop.name} holds one value, got {len(values)}",
                                              where=where, record=f"{r.src} {r.type} {r.dst}", field=prop.name))
            elif values:
                r.props[prop.name] = sorted(values, key=str) if prop.multi else values[0]

    for key, r in relations.items():
        found = sources_of_rel.get(key, set())
        if not found:
            for end in (r.src, r.dst):
                if end in entities and entities[end].sources:
                    found = set(entities[end].sources)
                    break
        if not found:
            errors.append(ValidationError("states no source, and neither end is in this file to lend its own",
                                          where=where, record=f"{r.src} {r.type} {r.dst}", field="sources"))
        r.sources = sorted(found)
    for e in entities.values():
        if not e.sources:
            errors.append(ValidationError("names no source (gp:source or a source's named graph)",
                                          where=where, record=e.id, field="sources"))
    if errors:
        raise ImportErrors(errors)
    result.entities = list(entities.values())
    result.relations = list(relations.values())
    return result


def import_into(store, source, fmt: str | None = None, *, validate: bool = True,
                where: str | None = None) -> ImportResult:
    """Read ``source`` and write it to ``store`` in one batch: all of it, or (on any error) nothing.

    Entities are checked against the SHACL shapes first, as ingest does.
    """
    result = read(source, fmt, where=where)
    if validate and result.entities:
        from graph.validate import check_entities

        failures = check_entities(result.entities)
        if failures:
            raise ImportErrors([err for errs in failures.values() for err in errs])
    store.upsert(result.entities, result.relations)
    return result

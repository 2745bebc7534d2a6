"""What the dataset says about itself: VoID and DCAT (W3C Data Catalog Vocabulary, version 3).

One description, written two ways: the SPARQL endpoint serves it at /.well-known/void with the
counts of the data it holds (graph.sparql.pages), and ``govplat export --description FILE``
writes it beside a dump with the size and SHA-256 checksum of the file just written. Both name
the stable dataset IRI (not the serving host), its licence and publisher, its time and place
coverage taken from the data, and one dcat:Distribution per format ``govplat export`` offers,
with its media type and a download URL under ``DUMPS`` (where a publisher puts the dumps; the
w3id.org redirect is not registered yet, docs/linked-data.md).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

from graph.model import Entity
from graph.ontology import GP, GP_ID
from graph.rdf.terms import OWL, PREFIXES, RDF, XSD, BNode, IRI, Lit

__all__ = ["DATASET", "DATA_LICENCE", "PUBLISHER", "RIGHTS", "DUMPS", "COVERAGE_DATES", "DISTRIBUTIONS",
           "Coverage", "Stats", "groups", "write", "download_url"]

DATASET = "https://w3id.org/govplat/dataset"
DATA_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
PUBLISHER = "the govplat developers"
RIGHTS = ("The curated data (ingest/data) is CC BY 4.0. Records from bulk sources (Lumen notices, transparency "
          "reports, court dockets...) keep their publishers' terms; each record names its source (gp:source).")
DESCRIPTION = ("Conflicts between governments and online platforms: demands, responses, lawsuits, rulings and the "
               "doctrines they invoke, every fact tied to its sources.")
DUMPS = "https://w3id.org/govplat/dumps/"
# The dates that say when what the data describes happened (not when a source was published).
COVERAGE_DATES = ("date", "startDate", "endDate", "filedDate", "terminatedDate", "periodStart", "periodEnd")

_VOID = "http://rdfs.org/ns/void#"
_DCAT = "http://www.w3.org/ns/dcat#"
_DCT = "http://purl.org/dc/terms/"
_FOAF = "http://xmlns.com/foaf/0.1/"
_SPDX = "http://spdx.org/rdf/terms#"
_IANA = "http://www.iana.org/assignments/media-types/"
_A = IRI(RDF + "type")
DESCRIPTION_PREFIXES = {**PREFIXES, "void": _VOID, "dcat": _DCAT, "spdx": _SPDX, "foaf": _FOAF}


@dataclass(frozen=True)
class Distribution:
    format: str          # the name `govplat export --format` takes
    title: str
    media_type: str
    file: str            # the file name under DUMPS; "" for a folder made on the user's machine
    rdf: bool = True     # an RDF dump (VoID's void:dataDump)


def _distributions() -> tuple[Distribution, ...]:
    from graph.rdf.view import FORMATS

    rdf = tuple(Distribution(f.name, f"govplat as {f.label}", f.media_type, f"govplat{f.extension}")
                for f in FORMATS.values())
    return rdf + (Distribution("neo4j-import", "govplat as CSV files for neo4j-admin import", "text/csv", "",
                               rdf=False),)


DISTRIBUTIONS = _distributions()


def download_url(d: Distribution, dumps: str = DUMPS) -> str:
    return dumps + d.file


@dataclass
class Coverage:
    """The time and place the data covers, gathered while records stream past (``watch``)."""
    start: str | None = None
    end: str | None = None
    places: set[str] = field(default_factory=set)   # ids of the Country records
    entities: int = 0

    def add(self, e: Entity) -> None:
        self.entities += 1
        if e.cls == "Country":
            self.places.add(e.id)
        for prop in COVERAGE_DATES:
            value = e.props.get(prop)
            if isinstance(value, (dt.date, str)) and str(value)[:10]:
                day = str(value)[:10]
                if self.start is None or day < self.start:
                    self.start = day
                if self.end is None or day > self.end:
                    self.end = day

    def watch(self, entities: Iterable[Entity]) -> Iterator[Entity]:
        for e in entities:
            self.add(e)
            yield e


@dataclass
class Stats:
    """What a description counts: ``triples`` and ``entities`` always; the rest when known."""
    triples: int
    entities: int
    coverage: Coverage
    modified: str                                  # xsd:dateTime
    subjects: int | None = None
    objects: int | None = None
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    example: str | None = None
    same_as: int = 0


def _int(n: int) -> Lit:
    return Lit(str(n), XSD + "integer")


def _en(text: str) -> Lit:
    return Lit(text, RDF + "langString", "en")


def groups(stats: Stats, *, dumps: str = DUMPS, sparql: str | None = None, homepage: str | None = None,
           written: tuple[str, Path] | None = None) -> list[tuple]:
    """(subject, [(predicate, object)]) groups of the VoID + DCAT description. ``sparql``: the
    endpoint serving the data; ``written``: (format, path) of a dump just written, whose size
    and SHA-256 checksum the description then states."""
    me = IRI(DATASET)
    publisher = BNode("publisher")
    pos = [(_A, IRI(_VOID + "Dataset")), (_A, IRI(_DCAT + "Dataset")),
           (IRI(_DCT + "title"), _en("govplat")),
           (IRI(_DCT + "description"), _en(DESCRIPTION)),
           (IRI(_DCT + "license"), IRI(DATA_LICENCE)),
           (IRI(_DCT + "rights"), _en(RIGHTS)),
           (IRI(_DCT + "publisher"), publisher),
           (IRI(_DCT + "modified"), Lit(stats.modified, XSD + "dateTime")),
           (IRI(_DCAT + "keyword"), _en("online platforms")), (IRI(_DCAT + "keyword"), _en("government demands")),
           (IRI(_DCAT + "keyword"), _en("content moderation")), (IRI(_DCAT + "keyword"), _en("litigation")),
           (IRI(_VOID + "uriSpace"), Lit(str(GP_ID))),
           (IRI(_VOID + "vocabulary"), IRI(str(GP))),
           (IRI(_VOID + "triples"), _int(stats.triples)),
           (IRI(_VOID + "entities"), _int(stats.entities))]
    out = [(me, pos), (publisher, [(_A, IRI(_FOAF + "Organization")), (IRI(_FOAF + "name"), Lit(PUBLISHER))])]
    if homepage:
        pos += [(IRI(_FOAF + "homepage"), IRI(homepage)), (IRI(_DCAT + "landingPage"), IRI(homepage))]
    cov = stats.coverage
    if cov.start or cov.end:
        period = BNode("period")
        pos.append((IRI(_DCT + "temporal"), period))
        ppos = [(_A, IRI(_DCT + "PeriodOfTime"))]
        if cov.start:
            ppos.append((IRI(_DCAT + "startDate"), Lit(cov.start, XSD + "date")))
        if cov.end:
            ppos.append((IRI(_DCAT + "endDate"), Lit(cov.end, XSD + "date")))
        out.append((period, ppos))
    for place in sorted(cov.places):
        pos.append((IRI(_DCT + "spatial"), IRI(str(GP_ID) + place)))
    for name, value in (("distinctSubjects", stats.subjects), ("distinctObjects", stats.objects)):
        if value is not None:
            pos.append((IRI(_VOID + name), _int(value)))
    if stats.classes or stats.properties:
        pos += [(IRI(_VOID + "classes"), _int(len(stats.classes))),
                (IRI(_VOID + "properties"), _int(len(stats.properties)))]
    if stats.example:
        pos.append((IRI(_VOID + "exampleResource"), IRI(stats.example)))
    if sparql:
        service = IRI(sparql)
        pos.append((IRI(_VOID + "sparqlEndpoint"), service))
        out.append((service, [(_A, IRI(_DCAT + "DataService")), (IRI(_DCT + "title"), _en("govplat SPARQL endpoint")),
                              (IRI(_DCAT + "endpointURL"), service), (IRI(_DCAT + "servesDataset"), me),
                              (IRI(_DCT + "conformsTo"), IRI("https://www.w3.org/TR/sparql11-protocol/"))]))
    for d in DISTRIBUTIONS:
        dist = IRI(f"{DATASET}/distribution/{d.format}")
        pos.append((IRI(_DCAT + "distribution"), dist))
        dpos = [(_A, IRI(_DCAT + "Distribution")), (IRI(_DCT + "title"), _en(d.title)),
                (IRI(_DCAT + "mediaType"), IRI(_IANA + d.media_type)),
                (IRI(_DCT + "format"), IRI(_IANA + d.media_type)),
                (IRI(_DCT + "identifier"), Lit(d.format)),
                (IRI(_DCT + "license"), IRI(DATA_LICENCE))]
        if d.file:
            url = IRI(download_url(d, dumps))
            dpos += [(IRI(_DCAT + "downloadURL"), url), (IRI(_DCAT + "accessURL"), url)]
            if d.rdf:
                pos.append((IRI(_VOID + "dataDump"), url))
        else:
            dpos += [(IRI(_DCAT + "accessURL"), me),
                     (IRI(_DCT + "description"), _en(f"Made from a store with `govplat export --format {d.format} "
                                                     "-o DIR`; not published as a file."))]
        if written and written[0] == d.format:
            checksum = BNode("checksum")
            dpos += [(IRI(_DCAT + "byteSize"), Lit(str(written[1].stat().st_size), XSD + "nonNegativeInteger")),
                     (IRI(_SPDX + "checksum"), checksum)]
            out.append((checksum, [(_A, IRI(_SPDX + "Checksum")),
                                   (IRI(_SPDX + "algorithm"), IRI(_SPDX + "checksumAlgorithm_sha256")),
                                   (IRI(_SPDX + "checksumValue"), Lit(_sha256(written[1]), XSD + "hexBinary"))]))
        out.append((dist, dpos))
    if stats.same_as:  # links to Wikidata items
        linkset = IRI(DATASET + "/wikidata-links")
        pos.append((IRI(_VOID + "subset"), linkset))
        out.append((linkset, [(_A, IRI(_VOID + "Linkset")), (IRI(_VOID + "linkPredicate"), IRI(OWL + "sameAs")),
                              (IRI(_VOID + "subjectsTarget"), me),
                              (IRI(_VOID + "objectsTarget"), IRI("http://www.wikidata.org/entity/")),
                              (IRI(_VOID + "triples"), _int(stats.same_as))]))
    for i, (c, n) in enumerate(stats.classes):
        b = BNode(f"class{i}")
        pos.append((IRI(_VOID + "classPartition"), b))
        out.append((b, [(IRI(_VOID + "class"), IRI(c)), (IRI(_VOID + "entities"), _int(n))]))
    for i, (p, n) in enumerate(stats.properties):
        b = BNode(f"property{i}")
        pos.append((IRI(_VOID + "propertyPartition"), b))
        out.append((b, [(IRI(_VOID + "property"), IRI(p)), (IRI(_VOID + "triples"), _int(n))]))
    return out


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def write(description: list[tuple], out: IO[bytes], fmt: str = "ttl") -> None:
    from graph.rdf.write import writer_for

    w = writer_for(fmt, out, DESCRIPTION_PREFIXES)
    w.start()
    for subject, pos in description:
        w.group(None, subject, pos)
    w.finish()

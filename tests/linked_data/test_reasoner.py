"""The ontology, its alignments and the exported data under a real OWL reasoner (HermiT, as
owlready2 ships it), together with the axioms of the outside vocabularies we align to."""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef

from graph.ontology import GP, ONTOLOGY_PATH
from tests.conftest import prerequisite_missing, require_module

owlready2 = require_module("owlready2")

ROOT = ONTOLOGY_PATH.parent
ALIGNMENTS = ROOT / "alignments.ttl"
OUTSIDE = Path(__file__).parent / "outside" / "axioms.ttl"
# HermiT knows only the OWL 2 datatype map; these XSD types are outside it, so the reasoner
# sees their ranges as rdfs:Literal and their values as plain strings.
_NOT_OWL2 = (XSD.date, XSD.gYear, XSD.gYearMonth)
_ASCII = "".join(chr(i) for i in range(33, 127))  # kept as they are; the rest percent-encoded


def _reason(tmp_path: Path, *files: Path, extra: Graph | None = None):
    """(consistent, names of unsatisfiable gp: classes)."""
    if not shutil.which("java"):
        prerequisite_missing("HermiT needs a Java runtime (Debian: openjdk-17-jdk-headless)")
    g = Graph()
    for f in files:
        g.parse(f)
    if extra is not None:
        g += extra
    g.remove((None, OWL.imports, None))
    for s, p, o in list(g):
        if p == RDFS.range and o in _NOT_OWL2:
            g.remove((s, p, o)); g.add((s, p, RDFS.Literal))
        elif isinstance(o, Literal) and o.datatype in _NOT_OWL2:
            g.remove((s, p, o)); g.add((s, p, Literal(str(o))))
        elif isinstance(o, Literal) and o.datatype == XSD.anyURI and not str(o).isascii():
            # HermiT parses xsd:anyURI as a URI: give it the IRI's URI form (RFC 3987, 3.1)
            g.remove((s, p, o)); g.add((s, p, Literal(quote(str(o), safe=_ASCII), datatype=XSD.anyURI)))
    nt = tmp_path / "all.nt"
    g.serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(nt.as_uri()).load()
    try:
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False, []
    return True, sorted(c.iri for c in world.inconsistent_classes() if c.iri.startswith(str(GP)))


def test_ontology_with_prov_o_and_alignments_is_consistent_and_every_class_satisfiable(tmp_path):
    consistent, unsatisfiable = _reason(tmp_path, ONTOLOGY_PATH, ALIGNMENTS, OUTSIDE)
    assert consistent
    assert unsatisfiable == []


def test_the_reasoner_sees_a_clash_with_prov_o(tmp_path):
    """The check has teeth: the old alignment (every entity a prov:Entity, events prov:Activity)
    makes the events unsatisfiable."""
    clash = Graph()
    clash.add((GP.Entity, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")))
    consistent, unsatisfiable = _reason(tmp_path, ONTOLOGY_PATH, ALIGNMENTS, OUTSIDE, extra=clash)
    assert consistent and str(GP.Ruling) in unsatisfiable and str(GP.Demand) in unsatisfiable


def test_the_bundled_export_is_consistent(tmp_path, exports):
    consistent, _ = _reason(tmp_path, ONTOLOGY_PATH, ALIGNMENTS, OUTSIDE, exports[("nt", "reified")])
    assert consistent


def test_a_record_in_two_disjoint_classes_is_caught(tmp_path):
    bad = Graph()
    x = URIRef("https://w3id.org/govplat/id/test-both")
    bad.add((x, RDF.type, GP.Platform))
    bad.add((x, RDF.type, GP.Agency))
    consistent, _ = _reason(tmp_path, ONTOLOGY_PATH, _write(tmp_path, bad))
    assert not consistent


def _write(tmp_path: Path, g: Graph) -> Path:
    path = tmp_path / "extra.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    return path


def test_ontology_header_says_version_licence_and_language():
    g = Graph().parse(ONTOLOGY_PATH)
    onto = URIRef("https://w3id.org/govplat/ontology")
    assert g.value(onto, OWL.versionIRI) is not None
    assert g.value(onto, URIRef("http://purl.org/dc/terms/license")) is not None
    untagged = [str(s) for s, p, o in g if p in (RDFS.label, RDFS.comment) and isinstance(o, Literal)
                and str(s).startswith(str(GP)) and o.language != "en"]
    assert untagged == []
    outside = [(str(s), str(o)) for s, o in g.subject_objects(RDFS.subClassOf)
               if isinstance(o, URIRef) and not str(o).startswith(str(GP))]
    assert outside == [], "alignments to outside vocabularies belong in alignments.ttl"


def test_every_exported_url_is_a_valid_iri(exports):
    """A URL stored with a character no IRI may hold (a bundled source had '|') made the
    export's xsd:anyURI literals malformed for reasoners and strict parsers; ingest now
    percent-encodes them."""
    from graph.model import iri_text

    g = Graph().parse(exports[("nt", "reified")])
    urls = [str(o) for o in g.objects() if isinstance(o, Literal) and o.datatype == XSD.anyURI]
    assert urls and [u for u in urls if iri_text(u) != u] == []
    assert iri_text("https://x.example/a-|-b c") == "https://x.example/a-%7C-b%20c"
    assert iri_text(iri_text("a|b")) == "a%7Cb"

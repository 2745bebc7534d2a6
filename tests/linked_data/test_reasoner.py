"""The ontology, its alignments and the exported data under OWL 2 RL reasoning (owlrl), together
with the published axioms of the outside vocabularies we align to (PROV-O and the W3C
Organization Ontology as W3C publishes them, FOAF's disjointness restated: outside/README.md).

owlrl materialises the OWL 2 RL rules and reports every clash it meets (a member of
owl:Nothing, an individual in two disjoint classes, an asymmetric property used both ways).
A class is tested for satisfiability by giving it a fresh member (a witness) and reasoning:
the rules then type the witness with every superclass and find the disjointness it breaks.
OWL 2 RL is sound but not complete for OWL 2 DL (no reasoning by cases over unions in
superclasses, no existentials), so a pass here is strong evidence, not a proof; the
ontology uses only what the rules cover (subclasses, domains and ranges, disjointness,
inverse and asymmetric properties)."""
from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef

from graph.ontology import GP, ONTOLOGY_PATH
from tests.conftest import require_module

owlrl = require_module("owlrl")

ROOT = ONTOLOGY_PATH.parent
ALIGNMENTS = ROOT / "alignments.ttl"
OUTSIDE = Path(__file__).parent / "outside"
VOCABULARIES = (OUTSIDE / "prov-o.ttl", OUTSIDE / "org.ttl", OUTSIDE / "axioms.ttl")
PROV = "http://www.w3.org/ns/prov#"
WITNESS = "urn:govplat-test:witness:"


def _clashes(g: Graph) -> list[str]:
    """owlrl's OWL 2 RL closure of ``g`` (in place): its error messages and owl:Nothing's members."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False,
                           datatype_axioms=False).expand(g)
    errors = [str(m) for e in g.subjects(RDF.type, owlrl.Namespaces.ERRNS.ErrorMessage)
              for m in g.objects(e, owlrl.Namespaces.ERRNS.error)]
    return sorted(errors) + sorted(f"{x} is a member of owl:Nothing" for x in g.subjects(RDF.type, OWL.Nothing))


def _load(*files: Path, extra: Graph | None = None) -> Graph:
    g = Graph()
    for f in files:
        g.parse(f)
    if extra is not None:
        g += extra
    return g


def _with_witnesses(g: Graph) -> Graph:
    """One fresh member of every govplat class."""
    for c in set(g.subjects(RDF.type, OWL.Class)):
        if isinstance(c, URIRef) and str(c).startswith(str(GP)):
            g.add((URIRef(WITNESS + str(c)[len(str(GP)):]), RDF.type, c))
    return g


def _unsatisfiable(clashes: list[str]) -> set[str]:
    return {m.split(WITNESS, 1)[1].split()[0].strip("'\"<>,.") for m in clashes if WITNESS in m}


def test_every_class_is_satisfiable_with_prov_o_org_foaf_and_the_alignments():
    g = _with_witnesses(_load(ONTOLOGY_PATH, ALIGNMENTS, *VOCABULARIES))
    assert _clashes(g) == []


def test_the_reasoner_sees_a_clash_with_prov_o():
    """The check has teeth: the old alignment (every entity a prov:Entity, events prov:Activity,
    which PROV-O declares disjoint) makes the events unsatisfiable."""
    clash = Graph()
    clash.add((GP.Entity, RDFS.subClassOf, URIRef(PROV + "Entity")))
    clashes = _clashes(_with_witnesses(_load(ONTOLOGY_PATH, ALIGNMENTS, *VOCABULARIES, extra=clash)))
    bad = _unsatisfiable(clashes)
    assert {"Ruling", "Demand", "Event"} <= bad, clashes
    assert "Source" not in bad and "Court" not in bad


def test_the_bundled_export_is_consistent_with_the_outside_vocabularies(exports):
    g = _load(ONTOLOGY_PATH, ALIGNMENTS, *VOCABULARIES, exports[("nt", "reified")])
    events = len(set(g.subjects(RDF.type, GP.Ruling)))
    assert events > 10
    assert _clashes(g) == []
    # the closure did reason: events are PROV activities, sources PROV entities
    assert len(set(g.subjects(RDF.type, URIRef(PROV + "Activity")))) > events
    assert set(g.subjects(RDF.type, GP.Source)) <= set(g.subjects(RDF.type, URIRef(PROV + "Entity")))


def test_a_record_in_two_disjoint_classes_is_caught():
    bad = Graph()
    x = URIRef("https://w3id.org/govplat/id/test-both")
    bad.add((x, RDF.type, GP.Platform))
    bad.add((x, RDF.type, GP.Agency))
    clashes = _clashes(_load(ONTOLOGY_PATH, extra=bad))
    assert clashes and "test-both" in " ".join(clashes)


def test_an_asymmetric_relation_used_both_ways_is_caught():
    bad = Graph()
    a, b = URIRef("https://w3id.org/govplat/id/test-a"), URIRef("https://w3id.org/govplat/id/test-b")
    bad.add((a, GP.partOf, b))
    bad.add((b, GP.partOf, a))
    assert _clashes(_load(ONTOLOGY_PATH, extra=bad))


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

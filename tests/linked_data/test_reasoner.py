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

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

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


def _what_can_clash(data: Graph) -> Graph:
    """A small graph that clashes under the rules exactly when ``data`` does, so they run in
    seconds rather than minutes (owlrl is pure Python; the whole export took 1.5 CPU minutes).

    With our axioms and the aligned vocabularies' (subclasses, domains and ranges, disjointness,
    inverses, asymmetry, sameAs), what a record is inferred to be depends only on its asserted
    classes and on which properties it has and is the value of, not on who is at the other end.
    So records with the same (classes, properties out, properties in) are reasoned about once,
    through one stand-in with fresh partners. Kept as they are: every owl:sameAs link (two
    records linked to one Wikidata item become the same individual, so their classes meet),
    its records keep their own stand-in; and every asymmetric property's links (a clash of a
    pair, not of one record). A relationship's rdf:Statement counts as a record too. The other
    end of a stand-in's link is one fresh node per property and direction, which the rules can
    only give that property's range (or domain)."""
    asymmetric = {p for p in data.subjects(RDF.type, OWL.AsymmetricProperty)}
    asymmetric |= set(Graph().parse(ONTOLOGY_PATH).subjects(RDF.type, OWL.AsymmetricProperty))
    types: dict = {}
    outs: dict = {}
    ins: dict = {}
    same_as = []
    sample: dict = {}  # (property, datatype) -> one of its values
    kept = Graph()
    for s, p, o in data:
        if p == RDF.type:
            types.setdefault(s, set()).add(o)
            continue
        if p == OWL.sameAs:
            same_as.append((s, o))
            continue
        if p in asymmetric:
            kept.add((s, p, o))
        kind = (p, o.datatype if isinstance(o, Literal) else None, isinstance(o, Literal))
        sample.setdefault(kind, o)
        outs.setdefault(s, set()).add(kind)
        if not isinstance(o, Literal):
            ins.setdefault(o, set()).add(p)
    linked = {s for s, _ in same_as}
    stand_in: dict = {}
    partner: dict = {}  # one fresh other end per (property, direction): it only gets a domain or a range
    out = Graph()
    for node in set(types) | set(outs) | set(ins):
        sig = (frozenset(types.get(node, ())), frozenset(outs.get(node, ())), frozenset(ins.get(node, ())))
        key = node if node in linked else sig
        if key in stand_in:
            continue
        rep = stand_in[key] = node if node in linked else BNode()
        for c in sig[0]:
            out.add((rep, RDF.type, c))
        for kind in sig[1]:
            out.add((rep, kind[0], sample[kind] if kind[2] else partner.setdefault((kind[0], "to"), BNode())))
        for p in sig[2]:
            out.add((partner.setdefault((p, "from"), BNode()), p, rep))
    for s, o in same_as:
        out.add((s, OWL.sameAs, o))
    return out + kept


def test_the_bundled_export_is_consistent_with_the_outside_vocabularies(exports):
    g = _load(ONTOLOGY_PATH, ALIGNMENTS, *VOCABULARIES, extra=_what_can_clash(Graph().parse(exports[("nt", "reified")])))
    events = len(set(g.subjects(RDF.type, GP.Ruling)))
    assert events > 10
    assert _clashes(g) == []
    # the closure did reason: events are PROV activities, sources PROV entities
    assert len(set(g.subjects(RDF.type, URIRef(PROV + "Activity")))) > events
    assert set(g.subjects(RDF.type, GP.Source)) <= set(g.subjects(RDF.type, URIRef(PROV + "Entity")))


def test_the_stand_ins_keep_the_clashes_of_records_pairs_and_same_as_links():
    """What _what_can_clash keeps: a clash from a record's own property (a platform with an
    account's handle), from an asymmetric link both ways, and from two records of disjoint
    classes linked to one Wikidata item; and a clean graph stays clean."""
    ID, WD = "https://w3id.org/govplat/id/", "http://www.wikidata.org/entity/"
    x, y, z = URIRef(ID + "x"), URIRef(ID + "y"), URIRef(ID + "z")
    clean = Graph()
    for t in [(x, RDF.type, GP.Platform), (y, RDF.type, GP.Company), (y, GP.operates, x), (z, RDF.type, GP.Person),
              (z, OWL.sameAs, URIRef(WD + "Q1")), (x, GP.name, Literal("X")), (y, GP.name, Literal("Y"))]:
        clean.add(t)
    assert _clashes(_load(ONTOLOGY_PATH, extra=_what_can_clash(clean))) == []
    for bad in ([(x, GP.handle, Literal("@x"))],
                [(URIRef(ID + "a"), GP.partOf, URIRef(ID + "b")), (URIRef(ID + "b"), GP.partOf, URIRef(ID + "a"))],
                [(y, OWL.sameAs, URIRef(WD + "Q1"))]):
        g = Graph()
        g += clean
        for t in bad:
            g.add(t)
        assert _clashes(_load(ONTOLOGY_PATH, extra=_what_can_clash(g))), bad


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

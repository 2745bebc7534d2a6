from rdflib import OWL, RDF, RDFS, Graph

from graph.ontology import GP, ONTOLOGY_PATH, SHAPES_PATH, ontology


def test_every_term_is_labelled_and_commented():
    g = Graph().parse(ONTOLOGY_PATH)
    terms = [s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in g.subjects(RDF.type, t) if str(s).startswith(str(GP))]
    assert len(terms) > 60
    missing = [str(t) for t in terms if not g.value(t, RDFS.label) or not g.value(t, RDFS.comment)]
    assert missing == []


def test_design_classes_exist_and_abstract_ones_have_concrete_subclasses():
    onto = ontology()
    for name in ["Agency", "Court", "Legislature", "Regulator", "LawEnforcement", "Government", "Official",
                 "Person", "Platform", "Company", "Account", "CivilSocietyOrganization", "Country",
                 "Jurisdiction", "Law", "LegalDoctrine", "CourtCase", "Ruling", "InformationRequest",
                 "RemovalRequest", "BlockingOrder", "Response", "Withdrawal", "Settlement", "PublicStatement",
                 "RequestStatistic", "Conflict", "Source"]:
        assert not onto.cls(name).abstract, name
    assert "InformationRequest" in onto.concrete_subclasses("Demand")
    assert onto.is_a("LawEnforcement", "Actor")
    assert set(onto.concrete_subclasses("Person")) == {"Person", "Official"}


def test_relations_have_resolvable_domains_and_ranges():
    onto = ontology()
    for rtype in onto.relations:
        assert onto.endpoint_pairs(rtype), rtype
    assert onto.allows("PART_OF", "LawEnforcement", "Agency")
    assert not onto.allows("PART_OF", "Platform", "Agency")


def test_shapes_parse_and_target_ontology_classes():
    g = Graph().parse(SHAPES_PATH)
    SH = "http://www.w3.org/ns/shacl#"
    targets = {str(o).split("#")[1] for o in g.objects(None, __import__("rdflib").URIRef(SH + "targetClass"))}
    assert targets and targets <= set(ontology().classes)

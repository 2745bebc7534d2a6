"""A partial check of the OWL 2 DL structural restrictions over an RDF graph (rdflib).

No well-kept Python library checks the OWL 2 DL profile (owlready2 and py-horned-owl parse and
reason but have no profile check; the OWL API's checker needs Java, which the project keeps for
Neo4j and Fuseki only). This module checks the restrictions that an ontology like ours can
break, following the OWL 2 Structural Specification (sections 5, 9 and 11) and its mapping to
RDF:

* every class, property and datatype used in an axiom or an assertion is declared;
* an IRI is declared as at most one of object, datatype and annotation property, and not both
  a class and a datatype (class/individual punning is allowed in OWL 2 DL and not reported);
* the reserved vocabulary (rdf:, rdfs:, owl:, xsd:) is not declared, redefined or subclassed;
  only its built-in annotation properties and classes are used as such;
* rdfs:subPropertyOf, owl:equivalentProperty, owl:inverseOf and owl:propertyDisjointWith join
  properties of one kind (object with object, data with data, annotation with annotation);
* a datatype property's range is a datatype, an object property's a class; datatypes are
  rdfs:Literal, in the OWL 2 datatype map, or declared and outside the reserved vocabulary;
* a datatype property carries no characteristic but functional; an asymmetric, irreflexive,
  (inverse) functional or disjoint object property is simple (no transitive sub-property or
  property chain beneath it);
* anonymous class expressions (owl:unionOf...) are typed owl:Class, as the RDF mapping needs;
* assertions: a datatype property's value is a literal, an object property's a resource.

Not checked: the global restrictions on property hierarchies with chains (regularity), the
rules on anonymous individuals, facet restrictions, keys, and everything the mapping to RDF
says about reification of axioms. Passing here is necessary for OWL 2 DL, not sufficient.
"""
from __future__ import annotations

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

__all__ = ["violations", "DATATYPE_MAP"]

RESERVED = (str(RDF), str(RDFS), str(OWL), str(XSD))
# The OWL 2 datatype map (Structural Specification, section 4) plus rdfs:Literal.
DATATYPE_MAP = {RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, OWL.real, OWL.rational} | {
    XSD[n] for n in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
        "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
        "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
        "dateTime dateTimeStamp").split()}
BUILTIN_ANNOTATION = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.deprecated,
                      OWL.versionInfo, OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith}
BUILTIN_CLASSES = {OWL.Thing, OWL.Nothing}
BUILTIN_OBJECT = {OWL.topObjectProperty, OWL.bottomObjectProperty}
BUILTIN_DATA = {OWL.topDataProperty, OWL.bottomDataProperty}
# Predicates of the RDF mapping itself (axioms, class expressions, lists, the ontology header).
STRUCTURAL = {RDF.type, RDF.first, RDF.rest, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
              OWL.imports, OWL.versionIRI} | {OWL[n] for n in (
    "equivalentClass disjointWith disjointUnionOf complementOf unionOf intersectionOf oneOf members "
    "onProperty onProperties someValuesFrom allValuesFrom hasValue hasSelf minCardinality maxCardinality "
    "cardinality minQualifiedCardinality maxQualifiedCardinality qualifiedCardinality onClass onDataRange "
    "equivalentProperty propertyDisjointWith inverseOf propertyChainAxiom hasKey sameAs differentFrom "
    "distinctMembers onDatatype withRestrictions datatypeComplementOf annotatedSource annotatedProperty "
    "annotatedTarget sourceIndividual assertionProperty targetIndividual targetValue").split()}
_CHARACTERISTICS = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
                    OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
                    OWL.IrreflexiveProperty}
_DECLARING = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype,
              OWL.NamedIndividual}
_STRUCTURAL_TYPES = {OWL.Ontology, OWL.Restriction, OWL.AllDisjointClasses, OWL.AllDisjointProperties,
                     OWL.AllDifferent, OWL.Axiom, OWL.Annotation, OWL.NegativePropertyAssertion} | _CHARACTERISTICS


def _reserved(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(RESERVED)


_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
             "gp": "https://w3id.org/govplat/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#",
             "schema": "https://schema.org/", "prov": "http://www.w3.org/ns/prov#",
             "dcterms": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
             "org": "http://www.w3.org/ns/org#"}


def _name(term) -> str:
    if not isinstance(term, URIRef):
        return "a blank node"
    for prefix, ns in _PREFIXES.items():
        if str(term).startswith(ns) and "/" not in str(term)[len(ns):] and "#" not in str(term)[len(ns):]:
            return f"{prefix}:{str(term)[len(ns):]}"
    return term.n3()


def violations(g: Graph) -> list[str]:
    """Every violation found, one sentence each, sorted; [] when none."""
    out: dict[str, str] = {}  # one finding per term and problem, with one place it shows (the first by name)

    def report(key: str, where: str = "") -> None:
        if key not in out or (where and where < out[key]):
            out[key] = where
    declared = {kind: {s for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef)} for kind in _DECLARING}
    classes = declared[OWL.Class] | BUILTIN_CLASSES
    obj = declared[OWL.ObjectProperty] | BUILTIN_OBJECT
    data = declared[OWL.DatatypeProperty] | BUILTIN_DATA
    ann = declared[OWL.AnnotationProperty] | BUILTIN_ANNOTATION
    datatypes = declared[RDFS.Datatype] | DATATYPE_MAP

    # ---- declarations of the reserved vocabulary and punning between kinds
    for kind, terms in declared.items():
        for t in terms:
            if _reserved(t) and not (kind == RDFS.Datatype and t in DATATYPE_MAP):
                report(f"{_name(t)} is reserved vocabulary and must not be declared {_name(kind)}")
    for t in obj | data | ann:
        kinds = [k for k, s in (("object", obj), ("datatype", data), ("annotation", ann)) if t in s]
        if len(kinds) > 1:
            report(f"{_name(t)} is declared as more than one kind of property ({', '.join(kinds)})")
    for t in declared[OWL.Class] & declared[RDFS.Datatype]:
        report(f"{_name(t)} is declared both a class and a datatype")
    for s, o in g.subject_objects(RDFS.subClassOf):
        if _reserved(s):
            report(f"{_name(s)} is reserved vocabulary and must not get a superclass")
    for s in g.subjects(RDFS.subPropertyOf, None):
        if _reserved(s):
            report(f"{_name(s)} is reserved vocabulary and must not get a super-property")

    def kind_of(p) -> str | None:
        return "object" if p in obj else "datatype" if p in data else "annotation" if p in ann else None

    # ---- class expressions
    def class_expr(c, where: str) -> None:
        if isinstance(c, URIRef):
            if c not in classes:
                report(f"{_name(c)} is used as a class but not declared owl:Class", where)
            return
        if isinstance(c, Literal):
            report(f"a literal is used as a class ({where})")
            return
        if (c, RDF.type, OWL.Class) not in g and (c, RDF.type, OWL.Restriction) not in g:
            report(f"an anonymous class expression ({where}) is not typed owl:Class or owl:Restriction")
        for op in (OWL.unionOf, OWL.intersectionOf):
            for lst in g.objects(c, op):
                for m in Collection(g, lst):
                    class_expr(m, where)
        for m in g.objects(c, OWL.complementOf):
            class_expr(m, where)
        for p in g.objects(c, OWL.onProperty):
            if kind_of(p) not in ("object", "datatype"):
                report(f"{_name(p)} is restricted ({where}) but not declared an object or datatype property")

    def data_range(d, where: str) -> None:
        if isinstance(d, URIRef):
            if d not in datatypes:
                if _reserved(d):
                    report(f"{_name(d)} is outside the OWL 2 datatype map", where)
                else:
                    report(f"{_name(d)} is used as a datatype but not declared rdfs:Datatype", where)
        elif (d, RDF.type, RDFS.Datatype) not in g:
            report(f"an anonymous data range ({where}) is not typed rdfs:Datatype")

    for s, o in g.subject_objects(RDFS.subClassOf):
        class_expr(s, f"subclass in {_name(s)} rdfs:subClassOf"); class_expr(o, f"superclass of {_name(s)}")
    for p in (OWL.equivalentClass, OWL.disjointWith):
        for s, o in g.subject_objects(p):
            class_expr(s, f"{_name(p)}"); class_expr(o, f"{_name(p)} of {_name(s)}")
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        for lst in g.objects(node, OWL.members):
            for m in Collection(g, lst):
                class_expr(m, "owl:AllDisjointClasses")

    # ---- properties: hierarchy, domain, range, characteristics
    for rel in (RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf, OWL.propertyDisjointWith):
        for s, o in g.subject_objects(rel):
            ks, ko = kind_of(s), kind_of(o)
            if ks is None or ko is None:
                for t, k in ((s, ks), (o, ko)):
                    if k is None:
                        report(f"{_name(t)} is used in {_name(rel)} but not declared a property")
            elif ks != ko:
                report(f"{_name(s)} ({ks} property) {_name(rel)} {_name(o)} ({ko} property): "
                        "properties of different kinds")
            elif rel == OWL.inverseOf and ks != "object":
                report(f"{_name(s)} owl:inverseOf: only object properties have inverses")
    for p, d in g.subject_objects(RDFS.domain):
        k = kind_of(p)
        if k is None:
            report(f"{_name(p)} has an rdfs:domain but is not declared a property")
        elif k != "annotation":
            class_expr(d, f"domain of {_name(p)}")
    for p, r in g.subject_objects(RDFS.range):
        k = kind_of(p)
        if k is None:
            report(f"{_name(p)} has an rdfs:range but is not declared a property")
        elif k == "object":
            class_expr(r, f"range of {_name(p)}")
        elif k == "datatype":
            data_range(r, f"range of {_name(p)}")
    non_simple = {p for p in g.subjects(RDF.type, OWL.TransitiveProperty)} | set(
        g.subjects(OWL.propertyChainAxiom, None))
    changed = True
    while changed:  # a property with a non-simple sub-property is non-simple
        changed = False
        for s, o in g.subject_objects(RDFS.subPropertyOf):
            if s in non_simple and o not in non_simple:
                non_simple.add(o); changed = True
    for p, c in g.subject_objects(RDF.type):
        if c not in _CHARACTERISTICS:
            continue
        k = kind_of(p)
        if k == "datatype" and c != OWL.FunctionalProperty:
            report(f"{_name(p)} is a datatype property and cannot be {_name(c)}")
        elif k == "annotation":
            report(f"{_name(p)} is an annotation property and cannot be {_name(c)}")
        elif k is None:
            report(f"{_name(p)} is {_name(c)} but not declared an object or datatype property")
        elif p in non_simple and c in (OWL.AsymmetricProperty, OWL.IrreflexiveProperty, OWL.FunctionalProperty,
                                       OWL.InverseFunctionalProperty):
            report(f"{_name(p)} is not simple (transitive or a chain beneath it) and cannot be {_name(c)}")

    # ---- every other triple: a class assertion or a property assertion / annotation
    for s, p, o in g:
        if p == RDF.type:
            if o in _DECLARING or o in _STRUCTURAL_TYPES or isinstance(s, BNode):
                continue
            if _reserved(o):
                report(f"{_name(s)} rdf:type {_name(o)}: not a class assertion OWL 2 DL allows")
            else:
                class_expr(o, f"type of {_name(s)}")
            continue
        if p in STRUCTURAL:
            continue
        k = kind_of(p)
        if k is None:
            report(f"{_name(p)} is used as a property but not declared "
                   "(owl:ObjectProperty, owl:DatatypeProperty or owl:AnnotationProperty)", f"on {_name(s)}")
        elif k == "datatype":
            if not isinstance(o, Literal):
                report(f"{_name(p)} is a datatype property but {_name(s)} has a resource as its value")
            elif o.datatype is not None:
                data_range(o.datatype, f"a value of {_name(p)}")
        elif k == "object" and isinstance(o, Literal):
            report(f"{_name(p)} is an object property but {_name(s)} has a literal as its value")
    return sorted(f"{k} ({w})" if w else k for k, w in out.items())

"""Controlled vocabularies in the stores and the RDF view (issue 17 item 4): demand instruments,
ruling outcomes and the other kinds are SKOS concepts; counting rulings by outcome works."""
from __future__ import annotations

import datetime as dt
import glob
from collections import Counter

import yaml
from rdflib import RDFS, SKOS, Graph, URIRef

from graph.model import Entity
from graph.ontology import GP, ROOT, ontology
from graph.rdf.view import entity_statements
from graph.validate import check_entities
from ingest.vocab import controlled_value

CURATED = sorted(glob.glob(str(ROOT / "ingest" / "data" / "cases" / "*.yaml"))
                 + glob.glob(str(ROOT / "ingest" / "data" / "registry" / "*.yaml")))
IN_SCHEME = str(SKOS.inScheme)


def _links(e: Entity) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p, o in entity_statements(e):
        out.setdefault(str(p), []).append(str(o))
    return out


def test_stored_kinds_and_outcomes_are_notations_linked_to_their_concepts(bundled_records):
    """Every demand's kind and ruling's outcome in the bundled store is a notation of its scheme,
    and the RDF view links the concept (gp:kindConcept / gp:outcomeConcept); a wording that is
    not the notation is kept as kindDetail / outcomeDetail."""
    onto = ontology()
    entities, _ = bundled_records
    seen = Counter()
    for e in entities:
        for prop in ("kind", "outcome"):
            vocab = onto.vocabulary_for(prop, e.cls)
            if vocab is None or e.props.get(prop) is None:
                continue
            assert e.props[prop] in vocab.concepts, (e.id, prop, e.props[prop])
            assert _links(e)[str(GP[prop + "Concept"])] == [vocab.concepts[e.props[prop]].iri], e.id
            seen[vocab.name] += 1
    assert seen["DemandInstruments"] > 250 and seen["RulingOutcomes"] > 200 and seen["EnforcementKinds"] > 80, seen
    details = {e.props.get("outcomeDetail") for e in entities if e.cls == "Ruling"}
    assert "appeal dismissed 7-2; worldwide injunction upheld" in details


def test_throttle_and_throttling_are_one_concept(bundled_records):
    entities, _ = bundled_records
    kinds = {e.props.get("kind") for e in entities if e.cls == "BlockingOrder"}
    assert "throttling" in kinds and not kinds & {"throttle", "shutdown", "service-based", "regulator_block"}


def test_rulings_counted_by_outcome_concept(bundled_home):
    """The named query counts rulings per gp:RulingOutcomes concept, exactly as the curated
    files' wordings map; every concept it names is declared."""
    from graph.stores.embedded import EmbeddedStore

    onto = ontology()
    vocab = onto.vocabulary_for("outcome", "Ruling")
    expected: Counter = Counter()
    for path in CURATED:
        for rec in (yaml.safe_load(open(path, encoding="utf-8")) or {}).get("entities") or []:
            if rec["class"] == "Ruling" and rec.get("outcome") is not None:
                expected[controlled_value(vocab, rec["outcome"])[0]] += 1
    with EmbeddedStore(bundled_home / "graph.lbdb", read_only=True) as store:
        rows = store.run_named("rulings_by_outcome", {}).rows
    counts = {r["outcome"]: r["rulings"] for r in rows}
    assert counts == dict(expected)
    assert set(counts) <= set(vocab.concepts) and len(counts) >= 10
    assert sum(counts.values()) > 120 and max(counts.values()) < sum(counts.values()) / 3
    assert [r["rulings"] for r in rows] == sorted(counts.values(), reverse=True)


def test_a_value_outside_the_scheme_fails_the_generated_shape():
    """SHACL sh:in generated from gp:RulingOutcomes and gp:DemandInstruments (for data that did not
    come through ingest, e.g. an RDF import)."""
    day = {"date": dt.date(2020, 1, 1)}
    bad = [Entity("r1", "Ruling", {"name": "R", "outcome": "appeal dismissed", **day}, ["s"], "x.ttl"),
           Entity("d1", "BlockingOrder", {"name": "D", "kind": "throttle", **day}, ["s"], "x.ttl")]
    good = [Entity("r2", "Ruling", {"name": "R", "outcome": "upheld", "outcomeDetail": "appeal dismissed", **day},
                   ["s"], "x.ttl")]
    errors = check_entities(bad + good)
    assert set(errors) == {"r1", "d1"}
    assert errors["r1"][0].field == "outcome" and "RulingOutcomes" in errors["r1"][0].reason


def test_doctrines_are_concepts_of_one_scheme_with_broader_links(bundled_records):
    entities, relations = bundled_records
    doctrines = [e for e in entities if e.cls == "LegalDoctrine"]
    assert len(doctrines) > 20
    assert all(_links(d)[IN_SCHEME] == [str(GP.LegalDoctrines)] for d in doctrines)
    broader = {(r.src, r.dst) for r in relations if r.type == "BROADER"}
    assert ("doctrine-third-party-doctrine", "doctrine-fourth-amendment") in broader
    assert ("doctrine-anonymous-speech", "doctrine-first-amendment") in broader
    assert all(r.sources for r in relations if r.type == "BROADER")
    alignments = Graph().parse(ROOT / "alignments.ttl")
    assert (GP.broader, RDFS.subPropertyOf, SKOS.broader) in alignments


def test_every_scheme_concept_is_labelled_and_defined():
    g = ontology().graph
    for name in ("DemandInstruments", "EnforcementKinds", "LegislativeKinds", "RulingKinds", "RulingOutcomes"):
        concepts = list(g.subjects(SKOS.inScheme, GP[name]))
        assert concepts, name
        for c in concepts:
            assert g.value(c, SKOS.prefLabel) and g.value(c, SKOS.definition) and g.value(c, SKOS.notation), c
    assert len(list(g.subjects(SKOS.inScheme, GP.DemandInstruments))) <= 40  # a few dozen, not a hundred
    assert isinstance(GP.outcomeConcept, URIRef) and (GP.outcomeConcept, None, None) in g

"""The RDF view: every format, both relation modes, the published context, the shapes."""
from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pyoxigraph as ox
import pytest

from graph.rdf import view as rdf
from graph.model import Entity, Relation
from graph.rdf.jsonld import CONTEXT_PATH, build_context
from tests.conftest import run_cli
from tests.linked_data.conftest import EXPORT_CASES
from tests.linked_data.helpers import canonical_quads, check_dataset_description, triples

GP = "https://w3id.org/govplat/ontology#"
ID = "https://w3id.org/govplat/id/"
PROV = "http://www.w3.org/ns/prov#"


def test_published_context_is_generated_from_the_ontology():
    assert json.loads(CONTEXT_PATH.read_text(encoding="utf-8")) == build_context(), \
        "graph/rdf/context.jsonld is stale: run `python -m graph.rdf.jsonld`"


@pytest.mark.parametrize("fmt,mode", EXPORT_CASES)
def test_every_export_parses_and_is_not_empty(exports, fmt, mode):
    quads = canonical_quads(exports[(fmt, mode)], fmt)
    assert len(quads) > 10_000


def test_triple_formats_and_default_graphs_are_the_same_graph(exports):
    ttl = triples(exports[("ttl", "reified")], "ttl")
    assert triples(exports[("nt", "reified")], "nt") == ttl
    assert triples(exports[("jsonld", "reified")], "jsonld") == ttl
    graph_links = {t for t in triples(exports[("trig", "reified")], "trig") if t[1] == f"<{PROV}wasDerivedFrom>"}
    assert graph_links and all(s.startswith(f"<{ID}graph/") for s, _, _ in graph_links)
    assert triples(exports[("trig", "reified")], "trig") - graph_links == ttl  # quads add the graphs' provenance
    assert triples(exports[("nq", "reified")], "nq") - graph_links == ttl
    assert canonical_quads(exports[("trig", "reified")], "trig") == canonical_quads(exports[("nq", "reified")], "nq")
    assert triples(exports[("nt", "rdf-star")], "nt") == triples(exports[("nq", "rdf-star")], "nq") - graph_links


def test_named_graphs_hold_what_each_source_supports(exports, bundled_records):
    entities, relations = bundled_records
    quads = canonical_quads(exports[("nq", "reified")], "nq")
    graphs = Counter(g for *_, g in quads if g != "DEFAULT")
    sources = {s for e in entities for s in e.sources} | {s for r in relations for s in r.sources}
    assert {g.strip("<>") for g in graphs} == {f"{ID}graph/{s}" for s in sources}
    derived = {(s, o) for s, p, o, g in quads if p == f"<{PROV}wasDerivedFrom>" and g == "DEFAULT"}
    assert derived == {(f"<{ID}graph/{s}>", f"<{ID}{s}>") for s in sources}  # each graph says whose it is
    r = next(r for r in relations if r.type == "PARTY_TO" and r.props.get("role"))
    triple = (f"<{ID}{r.src}>", f"<{GP}partyTo>", f"<{ID}{r.dst}>")
    for src in r.sources:
        assert (*triple, f"<{ID}graph/{src}>") in quads
    statement = f"<{ID}rel/{r.src}/PARTY_TO/{r.dst}>"
    assert (statement, f"<{GP}role>", f'"{r.props["role"]}"', "DEFAULT") in quads


def test_rdf_star_annotations_carry_sources_and_role(exports, bundled_records):
    _, relations = bundled_records
    r = next(r for r in relations if r.type == "PARTY_TO" and r.props.get("role"))
    quoted = ox.Triple(ox.NamedNode(ID + r.src), ox.NamedNode(GP + "partyTo"), ox.NamedNode(ID + r.dst))
    for fmt in ("ttl", "nt", "trig", "nq"):
        got = triples(exports[(fmt, "rdf-star")], fmt)
        reifier = f"_:reifier<{quoted}>"
        assert (reifier, f"<{GP}role>", f'"{r.props["role"]}"') in got, fmt
        assert {o for s, p, o in got if s == reifier and p == f"<{GP}source>"} == {f"<{ID}{x}>" for x in r.sources}


def test_literals_are_typed_by_the_ontology_and_wikidata_is_same_as():
    onto_entity = Entity("x-court-case", "CourtCase", {
        "name": "X v. Y", "filedDate": "2017-04-06", "description": "A case.", "wikidata": "Q42",
        "aliases": ["X", "Y"]}, ["src-1"])
    buf = io.BytesIO()
    rdf.write([onto_entity], [], "nt", buf)
    text = buf.getvalue().decode()
    assert f'<{ID}x-court-case> <{GP}filedDate> "2017-04-06"^^<http://www.w3.org/2001/XMLSchema#date> .' in text
    assert f'<{ID}x-court-case> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q42> .' in text
    assert '<http://purl.org/dc/terms/description> "A case."@en .' in text  # our own prose: English
    assert text.count(f"<{GP}aliases>") == 2  # multi-valued stays multi-valued
    assert f"<{ID}x-court-case> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{GP}Entity> ." in text


def test_strings_are_escaped_in_every_format():
    nasty = 'quote " backslash \\ newline \n tab \t <tag> & }{ @'
    e = Entity("nasty", "Person", {"name": nasty, "aliases": ["a\"b", "c\\d"]}, ["s1"])
    r = Relation("MEMBER_OF", "nasty", "nasty", {"role": nasty}, ["s1"])
    for fmt in rdf.FORMATS:
        buf = io.BytesIO()
        rdf.write([e], [r], fmt, buf)
        quads = list(ox.parse(buf.getvalue(), format={"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                                                      "jsonld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG,
                                                      "nq": ox.RdfFormat.N_QUADS}[fmt]))
        names = {q.object.value for q in quads if q.predicate.value == GP + "name"}
        assert names == {nasty}, fmt
        roles = {q.object.value for q in quads if q.predicate.value == GP + "role"}
        assert roles == {nasty}, fmt


def test_jsonld_refuses_rdf_star():
    with pytest.raises(rdf.ExportError, match="RDF-star"):
        rdf.write([], [], "jsonld", io.BytesIO(), relations_mode="rdf-star")


def test_export_streams_without_building_a_graph(monkeypatch):
    """The writers never build an rdflib Graph, and output leaves in chunks as records come."""
    import rdflib

    monkeypatch.setattr(rdflib, "Graph", None)
    monkeypatch.setattr(rdf, "Graph", None)  # the name graph.rdf.view imported, which to_graph uses
    written = []

    class Sink:
        def write(self, data):
            written.append(len(data))

    def records():
        for i in range(3000):
            yield Entity(f"e{i}", "Person", {"name": f"Person {i}", "description": "x" * 100}, ["s"])
            if i == 1500:
                assert written, "nothing written after 1500 records: the export is buffering"

    for fmt in ("nt", "nq", "ttl", "trig", "jsonld"):
        written.clear()
        rdf.write(records(), [], fmt, Sink())
        assert len(written) > 5, fmt


def test_export_conforms_to_the_shapes(exports):
    from pyshacl import validate

    from graph.ontology import ontology
    from graph.validate import shapes_graph

    data = rdflib_graph(exports[("nt", "reified")])
    conforms, _, text = validate(data, shacl_graph=shapes_graph(), ont_graph=ontology().graph, inference="none",
                                 allow_warnings=True)
    assert conforms, text[:3000]


def rdflib_graph(path):
    import rdflib

    g = rdflib.Graph()
    g.parse(path, format="nt")
    return g


def test_cli_export_every_format(ld_env, tmp_path):
    for fmt in ("nq", "jsonld"):  # (the writers themselves are checked above, format by format)
        out = tmp_path / f"g.{fmt}"
        proc = run_cli("export", "--format", fmt, "-o", str(out), env=ld_env)
        assert proc.returncode == 0, proc.stderr
        assert "statements" in proc.stderr and out.stat().st_size > 100_000
        assert not (tmp_path / f"g.{fmt}.partial").exists()
    proc = run_cli("export", "--format", "jsonld", "--description", str(tmp_path / "d.ttl"), env=ld_env)
    assert proc.returncode == 2 and "-o FILE" in proc.stderr
    proc = run_cli("export", "--format", "jsonld", "--relations", "rdf-star", env=ld_env)
    assert proc.returncode == 2 and "RDF-star" in proc.stderr
    proc = run_cli("export", "--format", "xml", env=ld_env)
    assert proc.returncode == 2 and "unknown format" in proc.stderr


def _check_written_description(path, dump):
    """`export --description` names every format with its download URL under --dumps-url, and
    the dump just written with its size and checksum; the time covered is the data's."""
    import hashlib

    spdx, dcat = "http://spdx.org/rdf/terms#", "http://www.w3.org/ns/dcat#"
    got = check_dataset_description(path.read_bytes())
    nq = got["distributions"]["nq"]
    assert nq[dcat + "downloadURL"] == ["https://data.example/govplat/govplat.nq"]
    assert nq[dcat + "byteSize"] == [str(dump.stat().st_size)]
    checksum = got["about"][nq[spdx + "checksum"][0]]
    assert checksum[spdx + "checksumValue"] == [hashlib.sha256(dump.read_bytes()).hexdigest()]
    assert dcat + "byteSize" not in got["distributions"]["ttl"]           # only the file written
    period = got["about"][got["dataset"]["http://purl.org/dc/terms/temporal"][0]]
    assert period[dcat + "startDate"][0] <= "2010-09-01" <= period[dcat + "endDate"][0]  # what held that day
    statements = sum(1 for line in dump.read_text(encoding="utf-8").splitlines() if line.strip())
    assert got["dataset"]["http://rdfs.org/ns/void#triples"] == [str(statements)]


UAE = "ae-blackberry-suspension-threat-2010"  # 2010-08-01 (order) to 2010-10-08 (called off)


def test_as_it_stood_keeps_what_held_that_day_and_every_source(bundled_records):
    from graph.valid_time import as_it_stood

    entities, relations = bundled_records
    kept_e, kept_r = as_it_stood(iter(entities), iter(relations), dt.date(2010, 9, 1))
    kept_e, kept_r = list(kept_e), list(kept_r)
    ids = {e.id for e in kept_e}
    assert UAE in ids and "tra-orders-blackberry-suspension-2010" in ids
    assert "tra-calls-off-blackberry-suspension-2010" not in ids       # a month later
    assert all(r.src in ids and r.dst in ids for r in kept_r)          # no relationship to a missing end
    assert ("tra-orders-blackberry-suspension-2010", "IN_CONFLICT", UAE) in {r.key for r in kept_r}
    assert {e.id for e in entities if e.cls == "Source"} <= ids        # the evidence stays
    assert len(kept_e) < len(entities) and len(kept_r) < len(relations)


def test_cli_export_as_of_in_rdf_and_neo4j_import(ld_env, tmp_path):
    out = tmp_path / "2010.nq"
    proc = run_cli("export", "--format", "nq", "--as-of", "2010-09-01", "-o", str(out),
                   "--description", str(tmp_path / "void.ttl"), "--dumps-url", "https://data.example/govplat/",
                   env=ld_env)
    assert proc.returncode == 0, proc.stderr
    _check_written_description(tmp_path / "void.ttl", out)
    text = out.read_text(encoding="utf-8")
    assert f"<{ID}{UAE}>" in text and f"<{ID}tra-calls-off-blackberry-suspension-2010>" not in text
    later = run_cli("export", "--format", "nt", "--as-of", "2010-11-01", env=ld_env)
    assert later.returncode == 0 and f"<{ID}{UAE}>" not in later.stdout   # over by then
    proc = run_cli("export", "--format", "neo4j-import", "--as-of", "2010-09-01", "-o", str(tmp_path / "ni"),
                   env=ld_env)
    assert proc.returncode == 0, proc.stderr
    conflicts = (tmp_path / "ni" / "nodes-Conflict.csv").read_text(encoding="utf-8")
    assert UAE in conflicts and "us-murthy-v-missouri-2022" not in conflicts
    bad = run_cli("export", "--as-of", "2010", env=ld_env)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_sources_are_links_to_source_iris_and_a_source_does_not_cite_itself(exports, bundled_records):
    entities, _ = bundled_records
    got = triples(exports[("nt", "reified")], "nt")
    assert not any(p == f"<{GP}sources>" for _, p, _ in got)  # no source ids as strings
    event = next(e for e in entities if e.cls == "Ruling")
    links = {o for s, p, o in got if s == f"<{ID}{event.id}>" and p == f"<{GP}source>"}
    assert links == {f"<{ID}{x}>" for x in event.sources}
    source = next(e for e in entities if e.cls == "Source")
    assert source.sources == [source.id]
    assert not any(s == f"<{ID}{source.id}>" and p == f"<{GP}source>" for s, p, _ in got)


def _covering_sample(entities, relations):
    """A part of the bundled records that uses every class, every property of each class, every
    (relationship type, from class, to class, relationship properties) and every source they
    cite: what RDFS inference can derive types from, at a tenth of the size."""
    by_id = {e.id: e for e in entities}
    rels = list({(r.type, by_id[r.src].cls, by_id[r.dst].cls, frozenset(r.props)): r for r in relations}.values())
    ids = {r.src for r in rels} | {r.dst for r in rels} | {s for r in rels for s in r.sources}
    seen: set = set()
    for e in entities:
        new = {(e.cls, p) for p in e.props} | {(e.cls, None)}
        if not new <= seen:
            seen |= new
            ids.add(e.id)
    ids |= {s for i in list(ids) for s in by_id[i].sources}
    return [e for e in entities if e.id in ids], rels


def test_after_rdfs_inference_there_is_one_gp_entity_per_entity(bundled_records):
    """Properties of relationship statements (source, role, side) have no domain, so RDFS
    inference no longer types every rdf:Statement as a gp:Entity. Run on a part of the bundled
    records that uses every class, property and relationship shape (the whole export takes
    minutes to close)."""
    import owlrl
    from rdflib import Graph, RDF, URIRef

    from graph.ontology import ONTOLOGY_PATH
    from graph.rdf import view as rdf

    entities, relations = _covering_sample(*bundled_records)
    assert len({e.cls for e in entities}) == len({e.cls for e in bundled_records[0]})
    buf = io.BytesIO()
    rdf.write(entities, relations, "nt", buf, relations_mode="reified")
    g = Graph().parse(data=buf.getvalue(), format="nt")
    g.parse(ONTOLOGY_PATH, format="turtle")
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(g)
    typed = set(g.subjects(RDF.type, URIRef(GP + "Entity")))
    expected = {URIRef(ID + e.id) for e in entities}
    assert typed == expected  # every source cited is one of the entities (ingest refuses others)
    assert not [s for s in typed if str(s).startswith(ID + "rel/")]  # no statement is an entity


def test_month_and_year_precise_dates_are_published_as_stated_and_read_back():
    from graph.rdf.importer import read

    records = [Entity("ev-month", "Ruling", {"name": "R", "date": "2016-04-01", "datePrecision": "month"}, ["s"]),
               Entity("ev-year", "Conflict", {"name": "C", "startDate": "2005-01-01", "endDate": "2007-01-01",
                                              "datePrecision": "year"}, ["s", "t"]),
               Entity("ev-day", "Ruling", {"name": "D", "date": "2016-04-09", "datePrecision": "day"}, ["s"]),
               Entity("stat", "RequestStatistic", {"name": "S", "year": 2019}, ["s"])]
    buf = io.BytesIO()
    rdf.write(records, [], "nt", buf)
    text = buf.getvalue().decode()
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert f'<{ID}ev-month> <{GP}dateAsStated> "2016-04"^^<{xsd}gYearMonth> .' in text
    assert f'<{ID}ev-month> <{GP}date> "2016-04-01"^^<{xsd}date> .' in text  # the sortable date stays
    assert f'<{ID}ev-year> <{GP}startDateAsStated> "2005"^^<{xsd}gYear> .' in text
    assert f'<{ID}ev-year> <{GP}endDateAsStated> "2007"^^<{xsd}gYear> .' in text
    assert f"<{ID}ev-day> <{GP}dateAsStated>" not in text
    assert f'<{ID}stat> <{GP}year> "2019"^^<{xsd}gYear> .' in text
    back = {e.id: e for e in read(buf.getvalue(), "nt").entities}
    assert back["ev-month"].props == {"name": "R", "date": dt.date(2016, 4, 1), "datePrecision": "month"}
    assert back["stat"].props["year"] == 2019

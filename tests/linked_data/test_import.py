"""Import: our own exports round-trip through an empty store in every format; third-party
Turtle using the ontology is read; malformed or invalid RDF stores nothing."""
from __future__ import annotations

import pytest

from graph.rdf import view as rdf
from graph.rdf.importer import ImportErrors, RdfSyntaxError, import_into, read
from tests.conftest import run_cli
from tests.linked_data.conftest import EXPORT_CASES
from tests.linked_data.helpers import canonical_quads

GP = "https://w3id.org/govplat/ontology#"


def _export(store, path, fmt, mode):
    entities, relations = store.dump()
    with open(path, "wb") as fh:
        rdf.write(entities, relations, fmt, fh, relations_mode=mode)


def _empty_store(kind: str, request, tmp_path):
    if kind == "embedded":
        from graph.stores.embedded import EmbeddedStore

        return EmbeddedStore(tmp_path / "roundtrip.lbdb")
    return request.getfixturevalue("neo4j_store")  # tests/conftest.py: a wiped Neo4j store


def _normalised(entities, relations):
    """Records as comparable tuples; values keep their Python type (a date read back as the
    string "2020-01-01" differs from the stored date)."""
    def typed(v):
        if isinstance(v, list):
            return tuple(sorted((typed(x) for x in v), key=repr))
        return type(v).__name__, v

    def props(p):
        return tuple(sorted((k, typed(v)) for k, v in p.items()))

    return ({(e.id, e.cls, tuple(sorted(e.sources)), props(e.props)) for e in entities},
            {(r.src, r.type, r.dst, tuple(sorted(r.sources)), props(r.props)) for r in relations})


@pytest.mark.parametrize("fmt,mode", EXPORT_CASES)
def test_every_format_reads_back_exactly_the_stored_records(exports, bundled_records, fmt, mode):
    result = read(exports[(fmt, mode)])
    assert not result.ignored, result.ignored
    assert _normalised(result.entities, result.relations) == _normalised(*bundled_records)


@pytest.mark.parametrize("store_kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_round_trip_through_an_empty_store(exports, tmp_path, request, store_kind):
    """export -> empty store -> import -> export is isomorphic, in every format and relations mode.

    The store is filled once (an upsert of the whole graph is the slow part) from the N-Quads
    export; the test above shows every other format reads back to the very same records, so
    importing any of them stores the same thing.
    """
    store = _empty_store(store_kind, request, tmp_path)
    try:
        import_into(store, exports[("nq", "reified")], validate=False)
        for fmt, mode in EXPORT_CASES:
            again = tmp_path / f"again-{mode}{exports[(fmt, mode)].suffix}"
            _export(store, again, fmt, mode)
            assert canonical_quads(again, fmt) == canonical_quads(exports[(fmt, mode)], fmt), (fmt, mode)
    finally:
        if store_kind == "embedded":
            store.close()


def write_slice(records, step: int, path):
    """Every ``step``-th entity and the relations among them, written to ``path`` (format from
    its suffix); returns the path and the entities."""
    entities, relations = records
    some = entities[::step]
    ids = {e.id for e in some}
    with open(path, "wb") as fh:
        rdf.write(some, [r for r in relations if r.src in ids and r.dst in ids], path.suffix[1:], fh)
    return path, some


def test_import_validates_with_shacl(bundled_records, tmp_path):
    """Imported entities pass the same SHACL check as ingest (on a slice of the data: pyshacl is slow)."""
    from graph.stores.embedded import EmbeddedStore

    path, some = write_slice(bundled_records, 10, tmp_path / "slice.ttl")
    with EmbeddedStore(tmp_path / "v.lbdb") as store:
        result = import_into(store, path, validate=True)
        assert sum(store.counts()["entities"].values()) == len(result.entities) == len(some)
    nameless = tmp_path / "nameless.ttl"
    nameless.write_text("@prefix gp: <https://w3id.org/govplat/ontology#> .\n"
                        "<https://w3id.org/govplat/id/someone> a gp:Person ; gp:source <https://w3id.org/govplat/id/s> .\n", encoding="utf-8")
    with EmbeddedStore(tmp_path / "w.lbdb") as store:
        with pytest.raises(ImportErrors, match="every entity needs a name"):
            import_into(store, nameless)
        assert sum(store.counts()["entities"].values()) == 0


THIRD_PARTY = """
@prefix gp: <https://w3id.org/govplat/ontology#> .
@prefix id: <https://w3id.org/govplat/id/> .
@prefix ex: <http://example.org/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

ex:ofcom a gp:Regulator, gp:GovernmentBody ; gp:id "gb-ofcom-test" ;
    rdfs:label "Ofcom" ; gp:aliases "Office of Communications", "OFCOM" ;
    owl:sameAs <http://www.wikidata.org/entity/Q1137475> ;
    gp:source id:ofcom-site-test ; schema:foundingDate "2003" .
<https://w3id.org/govplat/id/ofcom-site-test> a gp:Source ; gp:name "Ofcom's website" ;
    gp:publisher "Ofcom" ; gp:url "https://www.ofcom.org.uk/"^^<http://www.w3.org/2001/XMLSchema#anyURI> ;
    gp:source id:ofcom-site-test .
ex:notice a gp:RemovalRequest ; gp:id "ofcom-notice-test" ; gp:name "An Ofcom notice" ;
    gp:date "2024-05-01"^^<http://www.w3.org/2001/XMLSchema#date> ; gp:source id:ofcom-site-test ;
    gp:madeBy ex:ofcom .
"""


def test_third_party_turtle_using_our_ontology(tmp_path):
    from graph.stores.embedded import EmbeddedStore

    path = tmp_path / "third.ttl"
    path.write_text(THIRD_PARTY, encoding="utf-8")
    with EmbeddedStore(tmp_path / "t.lbdb") as store:
        result = import_into(store, path)
        entities = {e.id: e for e in store.dump()[0]}
        relations = list(store.dump()[1])
    assert result.ignored == {"https://schema.org/foundingDate": 1}  # reported, not silently dropped
    ofcom = entities["gb-ofcom-test"]
    assert ofcom.cls == "Regulator"  # the most specific of its classes
    assert ofcom.props["name"] == "Ofcom" and ofcom.props["wikidata"] == "Q1137475"
    assert ofcom.props["aliases"] == ["OFCOM", "Office of Communications"]
    [made_by] = relations
    assert (made_by.src, made_by.type, made_by.dst) == ("ofcom-notice-test", "MADE_BY", "gb-ofcom-test")
    assert made_by.sources == ["ofcom-site-test"]  # none stated: those of its from-entity


@pytest.mark.parametrize("fmt,text,line,column", [
    ("ttl", '@prefix gp: <https://w3id.org/govplat/ontology#> .\n<https://w3id.org/govplat/id/a> a gp:Person ;\n'
            '    gp:name "unterminated .\n', 3, 13),
    ("nt", '<https://w3id.org/govplat/id/a> <https://w3id.org/govplat/ontology#name> "A" .\n'
           '<https://w3id.org/govplat/id/a> <https://w3id.org/govplat/ontology#name> A .\n', 2, 74),
    ("jsonld", '{"@context": {"gp": "https://w3id.org/govplat/ontology#"},\n "@id": "x", "gp:name": [1, }', 2, 29),
])
def test_malformed_rdf_gives_one_message_with_line_and_column_and_stores_nothing(tmp_path, fmt, text, line, column):
    from graph.stores.embedded import EmbeddedStore

    path = tmp_path / f"bad.{fmt}"
    path.write_text(text, encoding="utf-8")
    with EmbeddedStore(tmp_path / "m.lbdb") as store:
        with pytest.raises(RdfSyntaxError) as info:
            import_into(store, path)
        assert sum(store.counts()["entities"].values()) == 0
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert f"line {line}, column {column}" in str(err) and "\n" not in str(err).strip()


def test_invalid_records_are_all_reported_and_nothing_is_stored(tmp_path):
    from graph.stores.embedded import EmbeddedStore

    path = tmp_path / "invalid.ttl"
    path.write_text("""
@prefix gp: <https://w3id.org/govplat/ontology#> .
@prefix id: <https://w3id.org/govplat/id/> .
id:ok a gp:Person ; gp:name "Fine" ; gp:source id:s .
id:bad-date a gp:Ruling ; gp:name "R" ; gp:date "last spring" ; gp:source id:s .
id:typo a gp:Person ; gp:nmae "Typo" ; gp:source id:s .
id:abstract a gp:Actor ; gp:name "Nobody" ; gp:source id:s .
id:two-names a gp:Person ; gp:name "A", "B" ; gp:source id:s .
""", encoding="utf-8")
    with EmbeddedStore(tmp_path / "i.lbdb") as store:
        with pytest.raises(ImportErrors) as info:
            import_into(store, path)
        assert sum(store.counts()["entities"].values()) == 0
    text = str(info.value)
    for expected in ("'bad-date', field 'date'", "gp:nmae is not a term", "Actor is abstract",
                     "'two-names', field 'name'"):
        assert expected in text


def test_cli_import_into_an_empty_store_and_its_errors(bundled_records, tmp_path):
    import json

    path, some = write_slice(bundled_records, 20, tmp_path / "slice.nq")
    env = {"GOVPLAT_HOME": str(tmp_path / "home"), "GOVPLAT_STORE": "embedded"}
    proc = run_cli("import", str(path), "--no-validate", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["entities"] == len(some)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    proc = run_cli("import", str(bad), env=env)
    assert proc.returncode == 1 and "line 1, column" in proc.stderr
    proc = run_cli("import", str(tmp_path / "missing.ttl"), env=env)
    assert proc.returncode == 2


def test_read_reports_sources_from_named_graphs_only(tmp_path):
    path = tmp_path / "graphs.trig"
    path.write_text("""
@prefix gp: <https://w3id.org/govplat/ontology#> .
@prefix id: <https://w3id.org/govplat/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/govplat/id/graph/src-a> { id:p1 a gp:Person ; gp:name "P1" . id:p2 a gp:Person ; gp:name "P2" .
                                           id:p1 gp:memberOf id:p2 . }
<https://w3id.org/govplat/id/graph/src-b> { id:p1 a gp:Person . }
<https://w3id.org/govplat/id/graph/src-a> prov:wasDerivedFrom id:src-a .
""", encoding="utf-8")
    result = read(path)
    p1 = next(e for e in result.entities if e.id == "p1")
    assert p1.sources == ["src-a", "src-b"]
    assert result.relations[0].sources == ["src-a"]
    assert result.ignored == {}  # the graph's prov:wasDerivedFrom is read, not reported


def test_source_ids_as_strings_are_refused_with_the_link_to_use(tmp_path):
    path = tmp_path / "strings.ttl"
    path.write_text('@prefix gp: <https://w3id.org/govplat/ontology#> .\n'
                    '<https://w3id.org/govplat/id/p> a gp:Person ; gp:name "P" ; gp:sources "s" .\n', encoding="utf-8")
    with pytest.raises(ImportErrors, match="link each source with gp:source"):
        read(path)


def test_an_inverse_property_is_read_as_the_relationship_it_inverts(tmp_path):
    path = tmp_path / "inverse.ttl"
    path.write_text("""
@prefix gp: <https://w3id.org/govplat/ontology#> .
@prefix id: <https://w3id.org/govplat/id/> .
id:dhs a gp:Agency ; gp:name "DHS" ; gp:source id:s ; gp:hasPart id:cbp .
id:cbp a gp:Agency ; gp:name "CBP" ; gp:source id:s .
""", encoding="utf-8")
    result = read(path)
    assert [(r.src, r.type, r.dst) for r in result.relations] == [("cbp", "PART_OF", "dhs")]


def test_a_dump_with_the_ontology_graph_imports_as_the_plain_dump(ld_env, tmp_path):
    plain, full = tmp_path / "plain.nq", tmp_path / "full.nq"
    run_cli("export", "--format", "nq", "-o", str(plain), env=ld_env, check=True)
    run_cli("export", "--format", "nq", "--with-ontology", "-o", str(full), env=ld_env, check=True)
    extra = set(full.read_text().splitlines()) - set(plain.read_text().splitlines())
    assert extra and all(line.endswith("<https://w3id.org/govplat/ontology> .") for line in extra)
    assert any("<http://www.w3.org/2002/07/owl#Class>" in line for line in extra)
    a, b = read(plain), read(full)
    assert sorted(e.id for e in a.entities) == sorted(e.id for e in b.entities)
    assert len(a.relations) == len(b.relations)
    assert any("ontology's named graph" in n for n in b.notes)
    refused = run_cli("export", "--format", "ttl", "--with-ontology", env=ld_env)
    assert refused.returncode == 2 and "trig or nq" in refused.stderr + refused.stdout

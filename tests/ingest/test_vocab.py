"""The wording tables of ingest/data/vocab and the bulk sources' mapped values go through the
ontology's concept schemes (issue 17 item 4): a value outside a scheme cannot be stored."""
from __future__ import annotations

import pytest

from graph.errors import OntologyError
from graph.ontology import ROOT, ontology
from ingest import vocab as vocab_module
from ingest.vocab import controlled_value, tables
from ingest.yamlio import load_yaml

SOURCES = ROOT / "ingest" / "sources"


def _notation(scheme_of: str, value: str) -> str:
    return controlled_value(ontology().vocabulary_for("kind", scheme_of), value)[0]


def test_every_table_maps_wordings_to_notations_of_its_scheme():
    found = tables()
    assert {"DemandInstruments", "EnforcementKinds", "LegislativeKinds", "RulingKinds", "RulingOutcomes"} <= set(found)
    assert found["DemandInstruments"].aliases["throttle"] == "throttling"
    assert found["RulingOutcomes"].detail == "outcomeDetail"


def test_a_table_naming_an_undeclared_concept_is_refused(tmp_path, monkeypatch):
    (tmp_path / "DemandInstruments.yaml").write_text(
        "scheme: DemandInstruments\ndetail: kindDetail\naliases:\n  throttle: throttel\n", encoding="utf-8")
    monkeypatch.setattr(vocab_module, "VOCAB_DIR", tmp_path)
    tables.cache_clear()
    try:
        with pytest.raises(OntologyError, match=r"DemandInstruments.yaml: 'throttle' maps to 'throttel'"):
            tables()
    finally:
        monkeypatch.undo()
        tables.cache_clear()


def test_keepiton_measures_are_notations_and_no_misspelling_becomes_a_role():
    """KeepItOn's measures are stored as gp:DemandInstruments notations (throttle and throttling
    are one concept), and a published misspelling of who ordered it ("law enforcemnet", 32 rows)
    maps to the body with its correctly spelt role."""
    look = load_yaml(SOURCES / "keepiton.yml")["lookups"]
    instruments = ontology().vocabulary_for("kind", "BlockingOrder").concepts
    assert set(look["measure_kind"].values()) <= set(instruments)
    assert (set(look["shutdown_type"].values()) | set(look["scope"].values())) - {"full"} <= set(look["measure_kind"])
    keys = set(look["ordered_by"])
    roles = {spec.get("role") or key for key, spec in look["ordered_by"].items() if spec}
    assert roles - {"law enforcemnet"} == roles and "law enforcement" in roles and roles <= keys


def test_lumen_notice_types_map_to_demand_instruments():
    look = load_yaml(SOURCES / "lumen.yml")["lookups"]
    kinds = {*look["removal_kind"].values(), *look["information_request"]["title_words"].values(),
             *look["information_request"]["topics"].values()}
    mapped = {k: _notation("RemovalRequest", k) for k in kinds}
    assert mapped["dmca_notice"] == "copyright_notice" and mapped["court_order"] == "court_order"
    assert mapped["unmasking_request"] == "unmasking_request"


@pytest.mark.parametrize("cls, kind, notation", [
    ("RemovalRequest", "withholding_demand", "government_request"),   # twitter_india
    ("RemovalRequest", "government_takedown", "government_request"),  # github_takedowns
    ("InformationRequest", "nsl", "nsl"),                             # google_transparency
    ("BlockingOrder", "internet_shutdown", "internet_shutdown"),       # shutdowns_india
    ("Ruling", "opinion", "opinion"),                                  # courtlistener
])
def test_bulk_sources_fixed_kinds_are_in_the_scheme(cls, kind, notation):
    assert _notation(cls, kind) == notation
    assert f'"{kind}"' in "".join(p.read_text(encoding="utf-8") for p in SOURCES.glob("*.py"))

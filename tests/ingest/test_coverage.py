"""Coverage of the curated layer (issue 11): how many conflicts, countries, platforms and regions the
bundled case files span, read from the files themselves (ingest/data/cases, registry, regions.yaml)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "ingest" / "data"

# The seven regions issue 11 sets a minimum for (the other three have none).
ISSUE_REGIONS = ["Sub-Saharan Africa", "Latin America", "South Asia", "Southeast Asia",
                 "Middle East and North Africa", "Eastern Europe and Central Asia", "East Asia"]
MIN_CONFLICTS, MIN_COUNTRIES, MIN_PLATFORMS, MIN_PER_REGION, MAX_COUNTRY_SHARE = 200, 50, 40, 12, 0.20


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@pytest.fixture(scope="module")
def corpus() -> dict:
    """Each conflict's id, countries and platforms (involved entities of class Platform), and the region table."""
    files = {p: _load(p) for p in sorted((DATA / "registry").glob("*.yaml")) + sorted((DATA / "cases").glob("*.yaml"))}
    classes = {e["id"]: e["class"] for doc in files.values() for e in doc.get("entities") or []}
    conflicts = []
    for path, doc in files.items():
        if "conflict" not in doc:
            continue
        c = doc["conflict"]
        involved = [i["id"] if isinstance(i, dict) else i for i in c.get("involves") or []]
        conflicts.append({"file": path.name, "id": c["id"], "countries": list(c.get("countries") or []),
                          "platforms": {i for i in involved if classes.get(i) == "Platform"}})
    table = _load(DATA / "regions.yaml")
    return {"conflicts": conflicts, "regions": table["regions"], "region_of": table["countries"]}


def test_region_table_names_only_declared_regions(corpus):
    assert set(ISSUE_REGIONS) <= set(corpus["regions"])
    not_codes = [k for k in corpus["region_of"] if not (isinstance(k, str) and len(k) == 2 and k.isupper())]
    assert not not_codes, f"regions.yaml keys that are not ISO alpha-2 codes (quote NO, ON...): {not_codes}"
    strays = {code: r for code, r in corpus["region_of"].items() if r not in corpus["regions"]}
    assert not strays, f"regions.yaml assigns undeclared regions: {strays}"


def test_every_country_in_a_case_has_a_region(corpus):
    missing = sorted({f"{c['file']}: {code}" for c in corpus["conflicts"] for code in c["countries"]
                      if code not in corpus["region_of"]})
    assert not missing, f"country codes missing from ingest/data/regions.yaml: {missing}"


def test_at_least_200_conflicts(corpus):
    assert len(corpus["conflicts"]) >= MIN_CONFLICTS


def test_at_least_50_countries(corpus):
    countries = {code for c in corpus["conflicts"] for code in c["countries"]}
    assert len(countries) >= MIN_COUNTRIES, sorted(countries)


def test_at_least_40_platforms(corpus):
    platforms = set().union(*(c["platforms"] for c in corpus["conflicts"]))
    assert len(platforms) >= MIN_PLATFORMS, sorted(platforms)


@pytest.mark.parametrize("region", ISSUE_REGIONS)
def test_each_issue_region_has_at_least_12_conflicts(corpus, region):
    n = sum(1 for c in corpus["conflicts"] if region in {corpus["region_of"].get(k) for k in c["countries"]})
    assert n >= MIN_PER_REGION, f"{region}: {n} conflicts"


def test_no_country_has_more_than_a_fifth_of_the_conflicts(corpus):
    total = len(corpus["conflicts"])
    per_country = Counter(code for c in corpus["conflicts"] for code in set(c["countries"]))
    over = {code: n for code, n in per_country.items() if n / total > MAX_COUNTRY_SHARE}
    assert not over, f"countries above {MAX_COUNTRY_SHARE:.0%} of {total} conflicts: {over}"

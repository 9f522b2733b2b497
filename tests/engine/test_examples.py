"""Every worked example in ../shared/examples and ../shared/examples-v2 gives its
expected optimum."""

import json
from decimal import Decimal

import pytest
from django.conf import settings

from planner.engine.solve import plan_trip
from planner.engine.trip import parse_trip
from planner.explanations import result_document
from tests.engine.helpers import load_catalog

EXAMPLES = sorted(
    p
    for folder in ("examples", "examples-v2")
    for p in (settings.SHARED_DIR / folder).iterdir()
    if p.is_dir()
)


def test_examples_are_found():
    assert len(EXAMPLES) >= 11
    assert {"10-residents-only", "11-max-esims"} <= {p.name for p in EXAMPLES}


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_it_matches_expected(folder):
    catalog = load_catalog(folder / "catalog.json")
    trip = parse_trip(json.loads((folder / "trip.json").read_text()), catalog)
    expected = json.loads((folder / "expected.json").read_text())

    result = plan_trip(trip, catalog)

    assert result.optimal
    bought = len(result.bought)
    assert bought == expected["purchases"]
    cent = Decimal("0.01") * max(bought, 1)
    assert abs(result.short_gb - Decimal(expected["short_gb"])) <= Decimal("0.0001")
    assert abs(result.objective_base - Decimal(expected["objective_base"])) <= cent
    assert abs(result.total_base.amount - Decimal(expected["cost_base"])) <= cent
    doc = result_document(result)
    assert json.loads(json.dumps(doc)) == doc


def test_home_plan_fair_use_explains_the_cap():
    folder = settings.SHARED_DIR / "examples" / "01-home-plan-fair-use"
    catalog = load_catalog(folder / "catalog.json")
    trip = parse_trip(json.loads((folder / "trip.json").read_text()), catalog)

    result = plan_trip(trip, catalog)

    home = result.purchases[0]
    assert home.owned
    roaming = next(c for c in home.caps if c.fair_use is not None)
    assert roaming.cap_gb == Decimal("30.28")
    assert roaming.included_gb == Decimal("30.28")
    assert roaming.overage_gb == Decimal("4.72")
    assert home.overage.amount == Decimal("6.2304")
    assert result.cost_base == Decimal("6.2304")
    fair = next(w for w in result.warnings if w.code == "fair-use")
    assert fair.details["wholesale_eur_per_gb"] == "1.10"


def test_the_trade_off_of_the_max_esims_example():
    folder = settings.SHARED_DIR / "examples-v2" / "11-max-esims"
    catalog = load_catalog(folder / "catalog.json")
    data = json.loads((folder / "trip.json").read_text())
    uncapped = plan_trip(parse_trip({**data, "max_esims": None}, catalog), catalog)

    assert uncapped.optimal
    assert [(a.esims, a.total.amount) for a in uncapped.alternatives] == [
        (1, Decimal("12.00")),
        (10, Decimal("10.00")),
    ]


def test_the_residents_only_example_for_a_resident():
    folder = settings.SHARED_DIR / "examples-v2" / "10-residents-only"
    catalog = load_catalog(folder / "catalog.json")
    data = json.loads((folder / "trip.json").read_text())
    resident = plan_trip(parse_trip({**data, "resident_in": ["FR"]}, catalog), catalog)

    assert resident.optimal
    assert resident.total.amount == Decimal("9.99")
    assert [(p.residents_only, p.subscription) for p in resident.bought] == [(True, True)]

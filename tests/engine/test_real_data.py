"""The real esimdb catalog (../shared/data): answers never worse than their baselines."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from django.conf import settings

from planner.engine.instance import penalty_in_base
from planner.engine.solve import plan_trip
from planner.engine.trip import parse_trip
from tests.engine.helpers import load_catalog

REAL = settings.SHARED_DIR / "data" / "esimdb-de-at-cz-sk"


@pytest.fixture(scope="module")
def real():
    catalog = load_catalog(REAL / "catalog.json")
    return catalog, parse_trip(json.loads((REAL / "trip.json").read_text()), catalog)


def _no_worse_than_its_baselines(result):
    for baseline in (result.baselines.local_per_country, result.baselines.single_plan):
        if baseline is None:
            continue
        assert result.short_gb <= baseline.short_gb
        if result.short_gb == baseline.short_gb:
            # §6: within 0.005 the answer with fewer eSIMs may be the dearer one
            assert result.objective_base <= baseline.objective_base + Decimal("0.005")
    for entry in result.alternatives:
        assert result.objective_base <= entry.objective_base + Decimal("0.005")


def test_the_60_day_trip_is_no_worse_than_its_baselines(real):
    catalog, trip = real
    long = replace(trip, legs=tuple(replace(g, days=g.days * 4) for g in trip.legs))
    result = plan_trip(long, catalog, time_limit=settings.PLANNER_TIME_LIMIT)
    # the single plan comes first within the baselines' share of the time
    assert result.baselines.single_plan is not None
    assert result.short_gb == 0
    _no_worse_than_its_baselines(result)


def test_the_real_trip_weighs_the_switch_penalty_in_its_baselines(real):
    catalog, trip = real
    # a generous limit, so that a busy machine still gives both baselines in full
    result = plan_trip(trip, catalog, time_limit=30)
    _no_worse_than_its_baselines(result)
    local = result.baselines.local_per_country
    # four countries, at least one eSIM each, each worth the 0.50 USD the trip says
    assert local.esims >= 4
    assert local.objective_base == local.cost_base + local.esims * penalty_in_base(trip, catalog)
    assert len(result.alternatives) >= 2
    assert result.alternatives[-1].esims == len(result.bought)

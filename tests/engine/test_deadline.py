"""One deadline over everything plan_trip does (issue 11, item 1): a trip built
to be slow answers, or says it is too large, within 10 % + 0.5 s of the limit."""

import gc
import time
from decimal import Decimal

import pytest
from django.conf import settings

from planner.engine import solve
from planner.engine.budget import TripTooLarge
from planner.engine.solve import plan_trip
from planner.engine.trip import parse_trip
from tests.engine.helpers import load_catalog

COUNTRIES = ["FR", "CH", "GB", "DE", "IT", "ES", "AT", "NL", "BE", "PT"]


def slow_trip_document(*, days: int = 18, devices: int = 10, sharing: bool = False) -> dict:
    """20 stops of 18 days for 10 devices: valid, and far beyond one solve."""
    return {
        "start_date": "2027-03-01",
        "legs": [
            {"country": COUNTRIES[n % len(COUNTRIES)], "days": days, "gb_per_day": "1.5"}
            for n in range(20)
        ],
        "devices": devices,
        "sharing": sharing,
        "currency": "EUR",
        "switch_penalty": "1",
    }


@pytest.fixture(scope="module")
def sample():
    return load_catalog(settings.BASE_DIR / "catalog" / "sample" / "catalog.json")


@pytest.mark.parametrize(
    "shape",
    [
        {"devices": 10},
        {"devices": 10, "sharing": True},
        {"devices": 2, "days": 5},
        {"devices": 1, "days": 1},
    ],
    ids=["10-devices", "10-devices-sharing", "100-days", "20-days"],
)
def test_it_keeps_the_deadline_on_a_trip_built_to_be_slow(sample, shape):
    limit = 3.0
    trip = parse_trip(slow_trip_document(**shape), sample)
    started = time.perf_counter()
    try:
        result = plan_trip(trip, sample, time_limit=limit)
    except TripTooLarge as error:
        assert error.code == "trip-too-large"
        assert error.figures["days"] == trip.total_days
        assert error.figures["devices"] == trip.devices
        assert "too large to plan at once" in str(error)
        result = None
    elapsed = time.perf_counter() - started
    assert elapsed <= limit * 1.1 + 0.5
    if result is not None and not result.optimal:
        # best found: never worse than what the baselines found
        for b in (result.baselines.local_per_country, result.baselines.single_plan):
            if b is not None and b.short_gb == result.short_gb:
                assert result.objective_base <= b.objective_base + Decimal("0.005")


def test_a_main_model_too_large_for_the_deadline_answers_with_the_best_baseline(
    sample, monkeypatch
):
    from planner.engine import search
    from planner.engine.budget import Overrun

    real = search.solve

    def main_overruns(*args, build_deadline=None, **kwargs):
        if build_deadline is not None:  # only the main search passes its own
            raise Overrun("model", 123)
        return real(*args, build_deadline=build_deadline, **kwargs)

    trip = parse_trip(slow_trip_document(devices=1, days=2), sample)
    full = plan_trip(trip, sample, time_limit=10)
    monkeypatch.setattr(search, "solve", main_overruns)
    result = plan_trip(trip, sample, time_limit=10)
    assert not result.optimal
    assert result.stats.rows == 0
    best = min(
        (b for b in (full.baselines.local_per_country, full.baselines.single_plan) if b),
        key=lambda b: (b.short_gb, b.objective_base),
    )
    assert (result.short_gb, result.objective_base) == (best.short_gb, best.objective_base)
    assert result.objective_base >= full.objective_base


@pytest.mark.parametrize("enabled_before", [True, False])
def test_no_garbage_collection_pass_pauses_a_plan(sample, monkeypatch, enabled_before):
    # A collection pass over a large heap paused a plan past the deadline's
    # overshoot (a ten-device trip took 4.4 s against 3.8): the collector is off
    # while the plan is made, and afterwards as it was before.
    seen = []
    real = solve.build_candidates

    def building(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(solve, "build_candidates", building)
    trip = parse_trip(slow_trip_document(devices=1, days=1), sample)
    (gc.enable if enabled_before else gc.disable)()
    try:
        plan_trip(trip, sample, time_limit=3.0)
        assert seen == [False]
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()

"""The engine agrees with an exhaustive search on hundreds of tiny random trips."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from planner.engine.model import (
    Catalog,
    Coverage,
    Leg,
    Network,
    Operator,
    OperatorKind,
    Plan,
    Promotion,
    Rates,
    Trip,
)
from planner.engine.solve import plan_trip
from tests.engine.bruteforce import MAX_BUY, brute_force

START = date(2026, 6, 1)
RATES = Rates(base="EUR", per_base={"EUR": Decimal(1), "USD": Decimal("1.08")})
COUNTRIES = ["FR", "DE"]
GB = st.sampled_from([Decimal("0.5"), Decimal(1), Decimal("1.5"), Decimal(2), Decimal(3)])


@st.composite
def coverage(draw):
    countries = draw(st.sampled_from([["FR"], ["DE"], ["FR", "DE"], ["FR", "DE"]]))
    cap = draw(st.sampled_from([None, None, Decimal("0.5"), Decimal(1), "eu-fair-use"]))
    over = draw(st.sampled_from([None, None, Decimal("0.8"), Decimal(2)]))
    network = draw(st.sampled_from([Network.G3, Network.G4, Network.G5, Network.G5]))
    return Coverage(frozenset(countries), network, cap, over)


@st.composite
def promotion(draw):
    first = draw(st.integers(0, 2))
    return Promotion(
        name="promo",
        discount_percent=draw(st.sampled_from([Decimal(20), Decimal(50), Decimal(100)])),
        bonus_gb=draw(st.sampled_from([Decimal(0), Decimal(1)])),
        starts=date(2026, 6, 1 + first),
        ends=date(2026, 6, 1 + first + draw(st.integers(0, 2))),
        limit=draw(st.sampled_from([None, 1])),
        new_customer_only=draw(st.booleans()),
    )


@st.composite
def plan(draw, n: int):
    return Plan(
        slug=f"p{n}",
        name=f"Plan {n}",
        operator=draw(st.sampled_from(["op-a", "op-b"])),
        price=draw(st.sampled_from([Decimal(0), Decimal(2), Decimal("3.5"), Decimal(5)])),
        currency=draw(st.sampled_from(["EUR", "USD"])),
        validity_days=draw(st.integers(1, 3)),
        data_gb=draw(st.one_of(st.none(), GB)),
        daily_gb=draw(st.sampled_from([None, None, Decimal("0.5"), Decimal(1)])),
        coverage=(draw(coverage()),),
        hotspot=draw(st.booleans()),
        voice=draw(st.booleans()),
        esim=draw(st.sampled_from([True, True, True, False])),
        vat_percent=Decimal(20),
        max_purchases=draw(st.sampled_from([None, None, 1])),
        new_customer_only=draw(st.sampled_from([False, False, False, True])),
        available_from=draw(st.sampled_from([None, None, date(2026, 6, 2)])),
        promotions=tuple(draw(st.lists(promotion(), max_size=1))),
    )


@st.composite
def instance(draw):
    plans = tuple(draw(plan(n)) for n in range(2))
    catalog = Catalog(rates=RATES, operators={}, plans=plans)
    legs = tuple(
        Leg(draw(st.sampled_from(COUNTRIES)), draw(st.integers(1, 2)), draw(GB))
        for _ in range(draw(st.integers(1, 2)))
    )
    assume(sum(leg.days for leg in legs) <= 3)
    devices = draw(st.integers(1, 2))
    owned = draw(st.sampled_from([(), ("p0",)]))
    trip = Trip(
        start_date=START,
        legs=legs,
        devices=devices,
        sharing=draw(st.booleans()),
        owned=owned,
        min_network=draw(st.sampled_from([None, None, None, Network.G4, Network.G5])),
        needs_voice=draw(st.sampled_from([False, False, True])),
        esim_only=draw(st.booleans()),
        currency="EUR",
        switch_penalty=draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(2)])),
    )
    return trip, catalog


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(instance())
def test_engine_matches_exhaustive_search(case):
    trip, catalog = case
    result = plan_trip(trip, catalog, time_limit=20, baselines=False)
    assert result.optimal
    assume(len(result.bought) <= MAX_BUY)
    best = brute_force(trip, catalog)
    event(f"purchases={len(result.bought)}")
    event(f"short={'yes' if result.short_gb else 'no'}")
    voice_by_limits = sum(1 for s in result.short if s.reason == "voice-limits")
    assert float(result.short_gb) + voice_by_limits == _approx(best.unmet)
    assert float(result.objective_base) == _approx(best.objective)
    if best.complete:
        assert len(result.bought) == best.purchases


def _approx(value: float):
    return pytest.approx(value, abs=2e-5)


@st.composite
def replaceable(draw):
    """Three plans, repeated countries, one or two devices without sharing: the
    shapes where one plan's purchase on one day replaces another plan's on
    another day (candidate pruning) and identical devices are interchangeable."""
    plans = tuple(draw(plan(n)) for n in range(3))
    catalog = Catalog(rates=RATES, operators={}, plans=plans)
    legs = tuple(
        Leg(draw(st.sampled_from(COUNTRIES)), 1, draw(GB)) for _ in range(draw(st.integers(1, 3)))
    )
    trip = Trip(
        start_date=START,
        legs=legs,
        devices=draw(st.integers(1, 2)),
        sharing=False,
        min_network=draw(st.sampled_from([None, None, Network.G4])),
        needs_voice=draw(st.sampled_from([False, False, True])),
        esim_only=draw(st.booleans()),
        currency="EUR",
        switch_penalty=draw(st.sampled_from([Decimal(0), Decimal("0.5")])),
    )
    return trip, catalog


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(replaceable())
def test_candidate_pruning_matches_exhaustive_search(case):
    trip, catalog = case
    result = plan_trip(trip, catalog, time_limit=20, baselines=False)
    assert result.optimal
    assume(len(result.bought) <= MAX_BUY)
    best = brute_force(trip, catalog)
    voice_by_limits = sum(1 for s in result.short if s.reason == "voice-limits")
    assert float(result.short_gb) + voice_by_limits == _approx(best.unmet)
    assert float(result.objective_base) == _approx(best.objective)
    if best.complete:
        assert len(result.bought) == best.purchases
    again = plan_trip(trip, catalog, time_limit=20, baselines=False)
    assert [(p.plan, p.activate_on, p.devices) for p in again.purchases] == [
        (p.plan, p.activate_on, p.devices) for p in result.purchases
    ]


OPERATORS = {
    "op-a": Operator("op-a", "A", "FR", OperatorKind.MNO),
    "op-b": Operator("op-b", "B", None, OperatorKind.RESELLER),
}


@st.composite
def instance_v2(draw):
    """Model v2 on tiny trips: residents-only plans, known operators, the eSIM cap."""
    trip, catalog = draw(instance())
    plans = tuple(
        replace(p, residents_only=p.operator == "op-a" and draw(st.booleans()))
        for p in catalog.plans
    )
    catalog = replace(catalog, operators=OPERATORS, plans=plans)
    trip = replace(
        trip,
        resident_in=draw(st.sampled_from([(), ("FR",)])),
        customer_of=draw(st.sampled_from([(), (), ("op-a",), ("op-b",)])),
        max_esims=draw(st.sampled_from([None, None, 1, 2])),
    )
    return trip, catalog


def _rank(short_gb, objective) -> tuple[float, float]:
    return (float(short_gb), float(objective))


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(instance_v2())
def test_model_v2_matches_exhaustive_search(case):
    """The recommendation is the optimum of v2, each alternative the optimum
    under its cap, and no baseline or alternative ranks before it."""
    trip, catalog = case
    result = plan_trip(trip, catalog, time_limit=20)
    assert result.optimal
    assume(len(result.bought) <= MAX_BUY)
    best = brute_force(trip, catalog)
    voice_by_limits = sum(1 for s in result.short if s.reason == "voice-limits")
    assert float(result.short_gb) + voice_by_limits == _approx(best.unmet)
    assert float(result.objective_base) == _approx(best.objective)
    if best.complete:
        assert len(result.bought) == best.purchases
    if trip.max_esims is not None:
        assert len(result.bought) <= trip.max_esims
    assert not any(
        p.residents_only and not p.owned and "FR" not in trip.resident_in for p in result.purchases
    )
    assert not any(p.new_customer and p.operator in trip.customer_of for p in result.purchases)

    own = _rank(result.short_gb, result.objective_base)
    others = [result.baselines.local_per_country, result.baselines.single_plan]
    for other in [*others, *result.alternatives]:
        if other is not None:
            better = _rank(other.short_gb, other.objective_base)
            assert not (better[0] < own[0] - 1e-5), other
            if better[0] <= own[0] + 1e-5:
                assert better[1] >= own[1] - 0.005 - 1e-6, other
    *smaller, last = result.alternatives
    assert last.objective_base == result.objective_base and last.esims == len(result.bought)
    for entry in smaller:
        assert entry.esims < len(result.bought)
        capped = brute_force(replace(trip, max_esims=entry.max_esims), catalog)
        event("alternatives checked")
        assert float(entry.objective_base) == _approx(capped.objective)

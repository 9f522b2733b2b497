"""Each rule of the planning model, on exact numbers."""

from datetime import date
from decimal import Decimal

import pytest

from planner.engine.fairuse import fair_use, wholesale_on
from planner.engine.model import Coverage, Network, Promotion
from planner.engine.solve import plan_trip
from planner.explanations import result_document
from tests.engine.helpers import RATES, make_catalog, make_plan, make_trip

D = Decimal


def solve(trip, *plans):
    result = plan_trip(trip, make_catalog(*plans), time_limit=20)
    assert result.optimal
    return result


# --- eu-fair-use


@pytest.mark.parametrize(
    ("day", "eur"),
    [
        (date(2020, 1, 1), "2.00"),
        (date(2022, 6, 30), "2.00"),
        (date(2022, 7, 1), "2.00"),
        (date(2022, 12, 31), "2.00"),
        (date(2023, 1, 1), "1.80"),
        (date(2025, 12, 31), "1.30"),
        (date(2026, 1, 1), "1.10"),
        (date(2027, 1, 1), "1.00"),
        (date(2032, 6, 30), "1.00"),
        (date(2040, 1, 1), "1.00"),
    ],
)
def test_wholesale_table_dates(day, eur):
    assert wholesale_on(day)[1] == D(eur)


def test_fair_use_is_exact_and_floored():
    plan = make_plan(price="19.99", vat_percent=D(20), cap="eu-fair-use")
    f = fair_use(plan, date(2026, 6, 1), RATES)
    # 2 × 16.658333… / 1.10 = 30.2878… → 30.28
    assert f.cap_gb == D("30.28")
    assert f.price_excl_vat * D("1.2") == pytest.approx(D("19.99"))


def test_fair_use_converts_the_wholesale_cap_to_the_plan_currency():
    plan = make_plan(price="10.80", currency="USD", cap="eu-fair-use")
    f = fair_use(plan, date(2027, 2, 1), RATES)
    assert f.wholesale_per_gb.amount == D("1.08")
    assert f.cap_gb == D("20.00")


def test_fair_use_comes_from_the_listed_price_even_with_a_discount():
    promo = Promotion("half", D(50), D(0), date(2026, 1, 1), date(2026, 12, 31))
    plan = make_plan(price="11", data="100", cap="eu-fair-use", overage="1", promotions=(promo,))
    # listed 11 EUR, 2026: 2 × 11 / 1.10 = 20 GB included
    result = solve(make_trip(("FR", 1, "21")), plan)
    (p,) = result.purchases
    assert p.price.amount == D("5.5")
    assert p.caps[0].cap_gb == D("20.00")
    assert p.overage_gb == D(1)
    assert result.cost_base == D("6.5")


# --- promotions, limits, new customers


def test_promotion_limit_allows_one_discounted_purchase():
    promo = Promotion("once", D(50), D(0), date(2026, 1, 1), date(2026, 12, 31), limit=1)
    plan = make_plan(price="10", validity=1, data="1", promotions=(promo,))
    result = solve(make_trip(("FR", 2, "1")), plan)
    assert sorted(p.price.amount for p in result.purchases) == [D(5), D(10)]
    assert result.cost_base == D(15)


def test_promotion_window_and_bonus():
    promo = Promotion("bonus", D(0), D(2), date(2026, 6, 2), date(2026, 6, 2))
    plan = make_plan(price="4", validity=5, data="1", promotions=(promo,))
    # 3 GB over days 1..2: the bonus (activated 2 June) gives 3 GB for one price
    result = solve(make_trip(("FR", 1, "0"), ("FR", 2, "1.5")), plan)
    (p,) = result.purchases
    assert p.activate_on == date(2026, 6, 2)
    assert p.allowance_gb == D(3)
    assert result.cost_base == D(4)


def test_new_customer_once_per_operator():
    trial_a = make_plan("trial-a", price="0", data="1", new_customer_only=True)
    trial_b = make_plan("trial-b", price="0", data="1", new_customer_only=True)
    paid = make_plan("paid", price="3", data="1", operator="other")
    result = solve(make_trip(("FR", 2, "1")), trial_a, trial_b, paid)
    assert sorted(p.plan for p in result.purchases) == ["paid", "trial-a"]
    assert result.cost_base == D(3)


def test_no_new_customer_offer_from_an_operator_already_owned():
    home = make_plan("home", price="20", data="0", countries=("DE",))
    trial = make_plan("trial", price="0", data="5", new_customer_only=True)
    paid = make_plan("paid", price="3", data="5", operator="other")
    result = solve(make_trip(("FR", 2, "1"), owned=("home",)), home, trial, paid)
    assert [p.plan for p in result.bought] == ["paid"]


# --- owned plans


def test_owned_plan_renews_every_validity_period():
    home = make_plan("home", price="30", validity=2, data="2")
    result = solve(make_trip(("FR", 5, "1"), owned=("home",)), home)
    owned = [p for p in result.purchases if p.owned]
    assert [p.activate_on.day for p in owned] == [1, 3, 5]
    assert result.cost_base == 0 and result.short_gb == 0


def test_owned_physical_plan_is_allowed_with_esim_only():
    home = make_plan("home", price="30", esim=False)
    other = make_plan("sim", price="1", esim=False, operator="x")
    result = solve(make_trip(("FR", 2, "1"), owned=("home",)), home, other)
    assert result.cost_base == 0 and not result.bought


# --- caps, overage, daily


def test_daily_cap_needs_a_second_copy():
    plan = make_plan(price="1", validity=2, data=None, daily_gb=D("0.5"))
    result = solve(make_trip(("FR", 2, "1")), plan)
    assert len(result.bought) == 2
    assert result.cost_base == D(2)
    assert any(w.code == "daily-cap" for w in result.warnings)


def test_entry_cap_and_overage():
    plan = make_plan(price="5", data="10", cap="1", overage="2")
    result = solve(make_trip(("FR", 1, "3")), plan)
    (p,) = result.purchases
    assert p.overage_gb == D(2)
    assert result.cost_base == D(9)
    assert p.caps[0].binds


def test_overage_in_another_currency():
    plan = make_plan(price="0", currency="USD", data="0", overage="1.08")
    result = solve(make_trip(("FR", 1, "2")), plan)
    assert result.cost_base == D(2)


# --- devices


def test_hotspot_serves_both_devices_with_sharing():
    big = make_plan("big", price="25", data="20", hotspot=True)
    small = make_plan("small", price="15", data="10")
    shared = solve(make_trip(("FR", 8, "1"), devices=2, sharing=True), big, small)
    assert shared.cost_base == D(25)
    assert shared.purchases[0].devices == (1, 2)
    alone = solve(make_trip(("FR", 8, "1"), devices=2), big, small)
    assert alone.cost_base == D(30)


def test_max_devices_limits_a_shared_purchase():
    duo = make_plan("duo", price="12", data="30", max_devices=2)
    result = solve(make_trip(("FR", 2, "1"), devices=3, sharing=True), duo)
    assert len(result.bought) == 2
    assert sorted(len(p.devices) for p in result.bought) == [2, 2]


# --- voice, network, eSIM, availability, max_purchases


def test_voice_needs_a_voice_plan_and_drops_days_none_covers():
    data = make_plan("data", price="1", data="10", countries=("FR", "DE"))
    voice = make_plan("voice", price="8", data="1", voice=True, operator="v")
    result = solve(make_trip(("FR", 2, "1"), ("DE", 1, "1"), needs_voice=True), data, voice)
    assert sorted(p.plan for p in result.bought) == ["data", "voice"]
    dropped = [s for s in result.short if s.voice]
    assert [s.country for s in dropped] == ["DE"]
    assert result.short_gb == 0


def test_min_network_leaves_slow_plans_out():
    slow = make_plan("slow", price="1", network=Network.G3)
    fast = make_plan("fast", price="9", network=Network.G5)
    assert solve(make_trip(("FR", 1, "1")), slow, fast).cost_base == D(1)
    result = solve(make_trip(("FR", 1, "1"), min_network=Network.G5), slow, fast)
    assert result.cost_base == D(9)
    only_slow = solve(make_trip(("FR", 1, "1"), min_network=Network.G4), slow)
    assert only_slow.short_gb == 1
    assert only_slow.short[0].reason == "filtered"


def test_esim_only():
    sim = make_plan("sim", price="1", esim=False)
    esim = make_plan("esim", price="5")
    assert solve(make_trip(("FR", 1, "1")), sim, esim).cost_base == D(5)
    assert solve(make_trip(("FR", 1, "1"), esim_only=False), sim, esim).cost_base == D(1)


def test_availability_window():
    late = make_plan("late", price="1", validity=10, available_from=date(2026, 6, 2))
    early = make_plan("early", price="4", validity=1, data="1")
    result = solve(make_trip(("FR", 3, "1")), late, early)
    assert sorted((p.plan, p.activate_on.day) for p in result.purchases) == [
        ("early", 1),
        ("late", 2),
    ]


def test_max_purchases_and_the_reason_for_short_days():
    once = make_plan("once", price="0", validity=1, data="1", max_purchases=1)
    result = solve(make_trip(("FR", 2, "1")), once)
    assert result.short_gb == 1
    assert result.short[0].reason == "limits"
    assert "max_purchases" in result_document(result)["short"][0]["why"]
    nothing = solve(make_trip(("XK", 1, "1")), once)
    assert nothing.short[0].reason == "no-plan"
    assert result_document(nothing)["short"][0]["why"] == "no plan in the catalog covers XK"


# --- objective


def test_switch_penalty_ranks_but_is_not_paid():
    local = [make_plan(c, price="3", data="5", countries=(c,)) for c in ("FR", "ES", "PT")]
    region = make_plan("region", price="12", data="15", countries=("FR", "ES", "PT"))
    trip = make_trip(("FR", 5, "0.8"), ("ES", 5, "0.8"), ("PT", 5, "0.8"))
    assert solve(trip, *local, region).cost_base == D(9)
    penalised = solve(make_trip(*trip_legs(trip), switch_penalty=D(2)), *local, region)
    assert penalised.cost_base == D(12)
    assert penalised.objective_base == D(14)
    assert penalised.baselines.local_per_country.total.amount == D("9.00")
    assert penalised.baselines.single_plan.total.amount == D("12.00")


def trip_legs(trip):
    return [(leg.country, leg.days, str(leg.gb_per_day)) for leg in trip.legs]


@pytest.mark.parametrize(("each", "expected"), [("4.998", 1), ("4.997", 2)])
def test_fewest_purchases_within_half_a_cent(each, expected):
    one = make_plan("one", price="10", validity=2, data="2")
    halves = make_plan("half", price=each, validity=1, data="1", operator="h")
    result = solve(make_trip(("FR", 2, "1")), one, halves)
    assert len(result.bought) == expected


def test_same_trip_same_answer():
    plans = [
        make_plan(f"p{n}", price=str(3 + n % 2), validity=2, data="2", operator=f"o{n}")
        for n in range(6)
    ]
    trip = make_trip(("FR", 6, "1"))
    first = result_document(solve(trip, *plans))
    for _ in range(3):
        assert result_document(solve(trip, *plans)) == first


def test_coverage_entries_price_each_country():
    plan = make_plan(
        "mix",
        price="5",
        data="10",
        coverage=(
            Coverage(frozenset({"FR"}), Network.G5),
            Coverage(frozenset({"CH"}), Network.G4, D(1), D(3)),
        ),
    )
    result = solve(make_trip(("FR", 1, "1"), ("CH", 1, "2")), plan)
    assert result.cost_base == D(8)


def test_a_tiny_time_limit_never_crashes_nor_misleads():
    plans = [
        make_plan(f"p{n}", price=str(2 + n), validity=1 + n % 3, data="1", operator=f"o{n}")
        for n in range(8)
    ]
    result = plan_trip(make_trip(("FR", 9, "1")), make_catalog(*plans), time_limit=1e-6)
    if not result.optimal and result.short:
        assert all(s.reason == "time-limit" for s in result.short)
        assert any(w.code == "time-limit" for w in result.warnings)


def test_a_plan_is_found_by_its_slug_and_the_first_of_a_repeated_slug_wins():
    first = make_plan("twice", price="1")
    catalog = make_catalog(make_plan("other", price="2"), first, make_plan("twice", price="3"))
    assert catalog.plan("twice") is first
    assert catalog.plan("other").price == D(2)
    assert catalog.plan("missing") is None

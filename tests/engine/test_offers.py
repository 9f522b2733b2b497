"""Offer dominance (planner/engine/offers.py; docs/engine.md#pruning-offer-dominance):
each rule of `_dominates` on its own, and `prune_plans` keeping a dominator
for every offer it drops."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.engine.instance import Filters, trip_days, trip_index
from planner.engine.model import Plan, Promotion
from planner.engine.offers import Offer, _dominates, offers_of, prune_plans
from tests.engine.helpers import make_catalog, make_filters, make_plan, make_trip, small_plans

TRIP = make_trip(("FR", 3, "1"), ("IT", 2, "1"))


def offers(*plans: Plan, trip=TRIP, f: Filters | None = None) -> list[Offer]:
    f = f or make_filters(trip)
    days = trip_days(trip)
    ix = trip_index(days)
    catalog = make_catalog(*plans)
    return [o for p in plans for o in offers_of(p, days, ix, f, catalog)]


def one(plan: Plan, **kw) -> Offer:
    (offer,) = offers(plan, **kw)
    return offer


def slugs(kept: list[Offer]) -> list[str]:
    return [o.plan.slug for o in kept]


BIG = make_plan("big", price="8", data="10", countries=("FR", "IT"))


def test_a_cheaper_plan_with_more_data_and_the_same_countries_dominates():
    small = make_plan("small", price="9", data="4", countries=("FR", "IT"))
    assert _dominates(one(BIG), one(small), needs_voice=False)
    assert not _dominates(one(small), one(BIG), needs_voice=False)
    assert slugs(prune_plans(offers(BIG, small), needs_voice=False)) == ["big"]


def test_a_dearer_plan_does_not_dominate():
    dear = make_plan("dear", price="12", data="20", countries=("FR", "IT"))
    small = make_plan("small", price="9", data="4", countries=("FR", "IT"))
    assert not _dominates(one(dear), one(small), needs_voice=False)
    assert slugs(prune_plans(offers(dear, small), needs_voice=False)) == ["dear", "small"]


def test_less_data_than_the_other_can_usefully_supply_does_not_dominate():
    # the trip needs 5 GB: 'four' can give 4 of it, 'three' only 3
    four = make_plan("four", price="9", data="4", countries=("FR", "IT"))
    three = make_plan("three", price="5", data="3", countries=("FR", "IT"))
    assert not _dominates(one(three), one(four), needs_voice=False)
    # but more data than the trip can use counts only up to what it can use
    assert _dominates(
        one(make_plan("five", price="5", data="5", countries=("FR", "IT"))),
        one(make_plan("huge", price="6", data="50", countries=("FR", "IT"))),
        needs_voice=False,
    )


def test_fewer_countries_do_not_dominate():
    france = make_plan("france", price="1", data="50", countries=("FR",))
    both = make_plan("both", price="9", data="5", countries=("FR", "IT"))
    assert not _dominates(one(france), one(both), needs_voice=False)
    assert _dominates(one(both), one(make_plan("fr", price="9", data="3")), needs_voice=False)


def test_a_shorter_validity_does_not_dominate():
    week = make_plan("week", price="5", data="10", countries=("FR", "IT"), validity=7)
    three_days = make_plan("three-days", price="4", data="10", countries=("FR", "IT"), validity=3)
    assert not _dominates(one(three_days), one(week), needs_voice=False)
    assert _dominates(one(week), one(three_days), needs_voice=False) is False  # dearer


def test_a_plan_with_a_purchase_limit_never_dominates():
    limited = make_plan("limited", price="1", data="50", countries=("FR", "IT"), max_purchases=1)
    small = make_plan("small", price="9", data="4", countries=("FR", "IT"))
    assert one(limited).limited
    assert slugs(prune_plans(offers(limited, small), needs_voice=False)) == ["limited", "small"]


def test_voice_is_only_dominated_by_voice_when_the_trip_needs_it():
    talk = make_plan("talk", price="9", data="4", countries=("FR", "IT"), voice=True)
    trip = make_trip(("FR", 3, "1"), ("IT", 2, "1"), needs_voice=True)
    f = make_filters(trip)
    assert not _dominates(one(BIG, trip=trip, f=f), one(talk, trip=trip, f=f), needs_voice=True)
    assert _dominates(one(BIG), one(talk), needs_voice=False)


def test_a_cap_below_what_the_other_supplies_does_not_dominate():
    capped = make_plan("capped", price="5", data="20", countries=("FR", "IT"), cap="2")
    small = make_plan("small", price="9", data="4", countries=("FR", "IT"))
    assert one(capped).caps_ok == Decimal(2)
    assert not _dominates(one(capped), one(small), needs_voice=False)


def test_overage_is_supplied_as_included_data_by_the_dominator():
    # 'pay' includes 1 GB and sells the rest of the trip's 5 GB as overage:
    # a dominator must include all 5
    pay = make_plan("pay", price="9", data="1", countries=("FR", "IT"), overage="2")
    four = make_plan("four", price="5", data="4", countries=("FR", "IT"))
    five = make_plan("five", price="5", data="5", countries=("FR", "IT"))
    assert one(pay).has_overage
    assert not _dominates(one(four), one(pay), needs_voice=False)
    assert _dominates(one(five), one(pay), needs_voice=False)


def test_first_order_offers_dominate_only_at_their_own_operator():
    first_a = make_plan(
        "first-a",
        price="0",
        data="10",
        countries=("FR", "IT"),
        operator="a",
        new_customer_only=True,
    )
    other_a = make_plan(
        "other-first-a",
        price="9",
        data="4",
        countries=("FR", "IT"),
        operator="a",
        new_customer_only=True,
    )
    list_b = make_plan("list-b", price="9", data="4", countries=("FR", "IT"), operator="b")
    kept = prune_plans(offers(first_a, other_a, list_b), needs_voice=False)
    # a's first-order offer hands a's status over to replace a's other one, not b's plan
    assert slugs(kept) == ["first-a", "list-b"]


def test_a_restricted_promotion_keeps_the_list_price_beside_it():
    promo = Promotion(
        name="launch",
        discount_percent=Decimal(50),
        bonus_gb=Decimal(0),
        starts=date(2026, 1, 1),
        ends=date(2026, 12, 31),
        limit=1,
    )
    plan = make_plan("p", price="10", data="10", countries=("FR", "IT"), promotions=(promo,))
    both = offers(plan)
    assert [o.promo for o in both] == [None, promo]
    assert [o.prices[0] for o in both] == [Decimal(10), Decimal(5)]
    # the promoted offer is limited, so it cannot drop the list price it undercuts
    assert len(prune_plans(both, needs_voice=False)) == 2


@settings(max_examples=150, deadline=None)
@given(small_plans(("FR", "IT", "ES"), most=7, max_validity=6, limit=1), st.booleans())
def test_every_dropped_offer_has_a_kept_dominator(catalog_plans, needs_voice):
    trip = make_trip(("FR", 2, "1"), ("IT", 2, "0.5"), ("ES", 1, "2"), needs_voice=needs_voice)
    every = offers(*catalog_plans, trip=trip, f=make_filters(trip))
    kept = prune_plans(every, needs_voice)
    assert all(any(k is o for o in every) for k in kept)
    for o in every:
        if not any(k is o for k in kept):
            assert any(
                _dominates(k, o, needs_voice)
                and not k.limited
                and k.new_customer in (None, o.new_customer)
                for k in kept
            ), o.plan

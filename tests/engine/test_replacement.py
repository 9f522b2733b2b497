"""Candidate replacement (planner/engine/replacement.py;
docs/engine.md#pruning-candidate-replacement): which candidate replaces which,
and every dropped candidate keeping a replacement in the list."""

import time
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.engine.candidates import Candidate, build_candidates
from planner.engine.instance import trip_days
from planner.engine.model import Plan
from planner.engine.replacement import _covers, _footprint, _free, prune_candidates
from tests.engine.helpers import make_catalog, make_filters, make_plan, make_trip, small_plans

TRIP = make_trip(("FR", 3, "1"))


def candidates(*plans: Plan, trip=TRIP) -> list[Candidate]:
    """Every candidate, unpruned by offer dominance and activation days."""
    catalog = make_catalog(*plans)
    cands, _ = build_candidates(trip, catalog, trip_days(trip), make_filters(trip), prune=False)
    return cands


def names(cands: list[Candidate]) -> list[tuple[str, int, tuple[int, ...]]]:
    return [(c.plan.slug, c.start, c.devices) for c in cands]


def test_a_cheaper_candidate_that_covers_the_same_days_replaces_the_others():
    cheap = make_plan("cheap", price="5", data="10")
    dear = make_plan("dear", price="9", data="10", countries=("FR", "IT"))
    cands = candidates(cheap, dear)
    assert len(cands) == 6  # both plans on each of the 3 activation days
    assert names(prune_candidates(cands, trip_days(TRIP))) == [("cheap", 0, (0,))]


def test_a_candidate_with_a_purchase_limit_replaces_nothing():
    cheap = make_plan("cheap", price="5", data="10", max_purchases=1)
    dear = make_plan("dear", price="9", data="10")
    kept = prune_candidates(candidates(cheap, dear), trip_days(TRIP))
    # the limited plan's later days stay (nothing free replaces them), and the
    # dearer plan keeps its first day, which replaces its own later ones
    assert names(kept) == [
        ("cheap", 0, (0,)),
        ("cheap", 1, (0,)),
        ("cheap", 2, (0,)),
        ("dear", 0, (0,)),
    ]


def test_a_cap_below_what_the_other_supplies_does_not_replace():
    capped = make_plan("capped", price="5", data="10", cap="1")
    full = make_plan("full", price="9", data="10")
    days = trip_days(TRIP)
    c_capped, c_full = candidates(capped)[0], candidates(full)[0]
    assert not _covers(c_capped, _footprint(c_capped, days), _footprint(c_full, days))
    assert ("full", 0, (0,)) in names(prune_candidates(candidates(capped, full), days))


def test_a_daily_limit_below_the_need_of_a_day_does_not_replace():
    slow = make_plan("slow", price="5", data="10", daily_gb=Decimal("0.5"))
    full = make_plan("full", price="9", data="10")
    days = trip_days(TRIP)
    c_slow, c_full = candidates(slow)[0], candidates(full)[0]
    assert _footprint(c_full, days).top_day == Decimal(1)
    assert not _covers(c_slow, _footprint(c_slow, days), _footprint(c_full, days))
    assert ("full", 0, (0,)) in names(prune_candidates(candidates(slow, full), days))


def test_overage_counts_as_what_the_replacement_must_include():
    # 'pay' includes 1 GB and buys the other 2 as overage: 'two' includes only 2
    pay = make_plan("pay", price="9", data="1", overage="1")
    two = make_plan("two", price="5", data="2")
    days = trip_days(TRIP)
    c_pay = candidates(pay)[0]
    assert _footprint(c_pay, days).supply == Decimal(3)
    assert ("pay", 0, (0,)) in names(prune_candidates(candidates(pay, two), days))
    three = make_plan("three", price="5", data="3")
    assert "pay" not in {c.plan.slug for c in prune_candidates(candidates(pay, three), days)}


def test_a_device_is_replaced_only_for_that_device():
    trip = make_trip(("FR", 3, "1"), devices=2)
    cheap = make_plan("cheap", price="5", data="10")
    kept = prune_candidates(candidates(cheap, trip=trip), trip_days(trip))
    assert names(kept) == [("cheap", 0, (0,)), ("cheap", 0, (1,))]


def test_owned_renewals_are_never_dropped_and_replace_nothing():
    home = make_plan("home", price="30", data="10")
    cheap = make_plan("cheap", price="5", data="10")
    trip = make_trip(("FR", 3, "1"), owned=("home",))
    catalog = make_catalog(home, cheap)
    days = trip_days(trip)
    cands, _ = build_candidates(trip, catalog, days, make_filters(trip), prune=False)
    owned = [c for c in cands if c.owned]
    assert len(owned) == 1 and not _free(owned[0], cands[0])
    kept = prune_candidates(cands, days)
    assert owned[0] in kept
    # the bought candidates of the same plan are replaced only by bought ones
    assert [c for c in kept if not c.owned and c.plan.slug == "cheap"] != []


def test_past_the_deadline_everything_is_kept():
    cands = candidates(make_plan("cheap", price="5"), make_plan("dear", price="9"))
    assert prune_candidates(cands, trip_days(TRIP), deadline=time.perf_counter() - 1) == cands


@settings(max_examples=150, deadline=None)
@given(small_plans(("FR", "IT"), most=6, max_validity=4, limit=2), st.integers(1, 2))
def test_every_dropped_candidate_has_a_kept_replacement(catalog_plans, devices):
    trip = make_trip(("FR", 2, "1"), ("IT", 2, "0.5"), devices=devices)
    days = trip_days(trip)
    cands = candidates(*catalog_plans, trip=trip)
    kept = prune_candidates(cands, days)
    assert all(any(k is c for c in cands) for k in kept)
    for p in cands:
        if any(k is p for k in kept):
            continue
        fp = _footprint(p, days)
        assert not p.owned
        assert any(
            q.price_base <= p.price_base and _free(q, p) and _covers(q, _footprint(q, days), fp)
            for q in kept
        ), (p.plan.slug, p.start, p.devices)

"""One staleness rule: `planner.engine.staleness.is_stale`, and its SQL twin
`PlanQuerySet.stale` (with its complement `recently_verified`), on the boundary days."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalog.models import Plan
from planner.engine.solve import plan_trip
from planner.engine.staleness import STALE_AFTER, is_stale
from planner.explanations import result_document
from tests.catalog.factories import make_plan
from tests.engine import helpers as engine_inputs

TODAY = date(2026, 6, 1)

# age in days (None: never checked) -> stale?
CASES = {None: True, -1: False, 0: False, 89: False, 90: False, 91: True, 365: True}


def _checked(age: int | None) -> date | None:
    return None if age is None else TODAY - timedelta(days=age)


def test_the_rule_is_more_than_ninety_days_or_never():
    assert timedelta(days=90) == STALE_AFTER
    assert {age: is_stale(_checked(age), TODAY) for age in CASES} == CASES


@pytest.mark.django_db
def test_the_queryset_is_the_functions_sql_twin():
    plans = {age: make_plan(slug=f"age-{age}", verified_on=_checked(age)) for age in CASES}

    stale = set(Plan.objects.stale(today=TODAY))
    fresh = set(Plan.objects.recently_verified(today=TODAY))

    assert stale == {plans[age] for age, expected in CASES.items() if expected}
    assert fresh == {plans[age] for age, expected in CASES.items() if not expected}
    assert stale.isdisjoint(fresh)
    assert stale | fresh == set(Plan.objects.all())


@pytest.mark.django_db
def test_the_row_property_uses_the_same_rule_today():
    today = timezone.localdate()
    for age, expected in CASES.items():
        verified = None if age is None else today - timedelta(days=age)
        plan = make_plan(slug=f"row-{age}", verified_on=verified)
        assert plan.is_stale is expected, age
        assert Plan.objects.stale().filter(pk=plan.pk).exists() is expected, age


@pytest.mark.parametrize(
    ("age", "details", "wording"),
    [
        (91, {"verified_on": "2026-03-02"}, "last checked on 2026-03-02"),
        (None, {"verified_on": ""}, "never checked"),
    ],
)
def test_the_planner_warns_of_a_stale_offer_by_the_same_rule(age, details, wording):
    plan = engine_inputs.make_plan("old", verified_on=_checked(age))
    trip = engine_inputs.make_trip(("FR", 3, "1"))
    result = plan_trip(trip, engine_inputs.make_catalog(plan), today=TODAY)

    warnings = [w for w in result.warnings if w.code == "not-verified"]
    assert [(w.plan, dict(w.details)) for w in warnings] == [("old", details)]
    # the sentence the result document carries, from the one map of texts
    notes = [w for w in result_document(result)["warnings"] if w["code"] == "not-verified"]
    assert len(notes) == 1 and wording in notes[0]["message"]


def test_the_planner_does_not_warn_of_an_offer_checked_ninety_days_ago():
    plan = engine_inputs.make_plan("recent", verified_on=_checked(90))
    trip = engine_inputs.make_trip(("FR", 3, "1"))
    result = plan_trip(trip, engine_inputs.make_catalog(plan), today=TODAY)

    assert [p.plan for p in result.purchases] == ["recent"]
    assert not [w for w in result.warnings if w.code == "not-verified"]

from dataclasses import fields
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.document import PLAN_TERMS, PROMOTION_TERMS, overlapping_windows
from catalog.models import CoverageCountry, Plan, Promotion, Rate
from planner.engine import model as engine
from tests.catalog.factories import (
    add_coverage,
    make_operator,
    make_plan,
    make_promotion,
    make_rates,
)

pytestmark = pytest.mark.django_db


def test_it_keeps_one_column_per_term_of_the_file_and_the_engine():
    # Import, export and the store map these by name; a term added in one place
    # only would be dropped silently on its way through the others.
    engine_terms = {f.name for f in fields(engine.Plan)} - {
        "slug",
        "operator",
        "coverage",
        "promotions",
    }
    columns = {f.name for f in Plan._meta.concrete_fields} - {
        "id",
        "slug",
        "operator",
        "retired_at",
    }
    assert set(PLAN_TERMS) == engine_terms == columns
    columns = {f.name for f in Promotion._meta.concrete_fields} - {"id", "plan"}
    assert set(PROMOTION_TERMS) == {f.name for f in fields(engine.Promotion)} == columns


def _violates(name: str, create) -> None:
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        create()
    # SQLite and PostgreSQL both name the violated constraint.
    assert name in str(info.value) or "UNIQUE" in str(info.value)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"price": Decimal("-1")}, "plan_price_not_negative"),
        ({"validity_days": 0}, "plan_validity_positive"),
        ({"data_gb": Decimal("-1")}, "plan_data_not_negative"),
        ({"daily_gb": Decimal("0")}, "plan_daily_positive"),
        ({"max_devices": 0}, "plan_max_devices_positive"),
        ({"max_purchases": 0}, "plan_max_purchases_positive"),
        ({"vat_percent": Decimal("101")}, "plan_vat_percent"),
        (
            {"available_from": date(2026, 2, 1), "available_until": date(2026, 1, 1)},
            "plan_availability_ordered",
        ),
    ],
)
def test_it_holds_plan_invariants_in_the_database(fields, constraint):
    operator = make_operator()
    base = {"price": Decimal(1), "currency": "EUR", "validity_days": 1, "data_gb": None}
    _violates(
        constraint,
        lambda: Plan.objects.create(operator=operator, slug="p", name="p", **(base | fields)),
    )


def test_it_keeps_slugs_unique():
    plan = make_plan(slug="same")
    _violates("slug", lambda: make_plan(slug="same", operator=plan.operator))
    make_operator(slug="op")
    _violates("slug", lambda: make_operator(slug="op"))


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"discount_percent": "101"}, "promotion_discount_percent"),
        ({"discount_percent": "-1"}, "promotion_discount_percent"),
        ({"starts": date(2026, 7, 1), "ends": date(2026, 6, 1)}, "promotion_window_ordered"),
        ({"bonus_gb": Decimal("-1")}, "promotion_bonus_not_negative"),
        ({"limit": 0}, "promotion_limit_positive"),
    ],
)
def test_it_holds_promotion_invariants_in_the_database(fields, constraint):
    plan = make_plan()
    _violates(constraint, lambda: make_promotion(plan=plan, **fields))


def test_it_refuses_a_country_in_two_entries_of_one_plan():
    plan = make_plan(countries=("FR", "DE"))
    _violates("coverage_country_once_per_plan", lambda: add_coverage(plan=plan, countries=("DE",)))
    other = make_plan(countries=("DE",))
    assert CoverageCountry.objects.filter(country="DE").count() == 2
    assert other.coverage_countries.get().country == "DE"


def test_it_refuses_a_cap_in_gb_and_fair_use_at_once():
    plan = make_plan(countries=())
    _violates(
        "coverage_one_kind_of_cap",
        lambda: add_coverage(plan=plan, countries=("FR",), cap_gb=Decimal(1), eu_fair_use=True),
    )


def test_it_refuses_a_zero_rate():
    rate_set = make_rates()
    _violates(
        "rate_positive", lambda: Rate.objects.create(rate_set=rate_set, currency="GBP", per_base=0)
    )
    _violates(
        "rate_currency_once_per_set",
        lambda: Rate.objects.create(rate_set=rate_set, currency="USD", per_base=1),
    )


def test_it_validates_currencies_against_iso_4217():
    plan = make_plan()
    plan.currency = "EUX"
    with pytest.raises(ValidationError) as info:
        plan.full_clean()
    assert "currency" in info.value.message_dict


def test_it_validates_countries_against_iso_3166():
    plan = make_plan()
    row = CoverageCountry(entry=plan.coverage_entries.get(), plan=plan, country="XX")
    with pytest.raises(ValidationError) as info:
        row.full_clean()
    assert "country" in info.value.message_dict


def test_it_finds_overlapping_promotion_windows():
    a = (date(2026, 1, 1), date(2026, 1, 10))
    b = (date(2026, 1, 10), date(2026, 1, 20))
    c = (date(2026, 1, 21), date(2026, 1, 30))
    assert overlapping_windows([c, b, a]) == (a, b)
    assert overlapping_windows([a, c]) is None


def test_it_offers_plans_that_are_not_retired():
    kept = make_plan()
    retired = make_plan(retired_at=timezone.now())
    gone_operator = make_operator(retired_at=timezone.now())
    hidden = make_plan(operator=gone_operator)
    assert list(Plan.objects.offered()) == [kept]
    assert set(Plan.objects.retired()) == {retired, hidden}
    assert [p.is_offered for p in (kept, retired, hidden)] == [True, False, False]


def test_it_finds_plans_covering_all_countries():
    both = make_plan(countries=("DE", "AT"))
    make_plan(countries=("DE",))
    make_plan(countries=("AT",))
    assert list(Plan.objects.covering(["DE", "AT"])) == [both]
    assert Plan.objects.covering(["DE"]).count() == 2


def test_it_computes_price_per_gb_and_base_price():
    make_plan(price="10", data_gb="4", currency="EUR")
    make_plan(price="10.80", data_gb=None, currency="USD")
    rows = Plan.objects.with_price_per_gb().with_base_price(
        {"EUR": Decimal(1), "USD": Decimal("1.08")}
    )
    values = {p.currency: (p.price_per_gb, p.base_price) for p in rows}
    assert values["EUR"] == (Decimal("2.5"), Decimal(10))
    assert values["USD"][0] is None
    assert values["USD"][1] == Decimal(10)


def test_it_has_a_str_for_every_model():
    plan = make_plan(name="Travel 5")
    promotion = make_promotion(plan=plan, name="Summer")
    assert str(plan) == "Travel 5"
    assert str(promotion) == "Summer"
    assert str(Promotion(discount_percent=5, starts=date(2026, 1, 1), ends=date(2026, 1, 2)))
    assert str(plan.coverage_entries.get())
    assert str(make_rates()) == "EUR"

from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from catalog import models
from catalog.document import PLAN_TERMS, PROMOTION_TERMS, overlapping_windows
from catalog.models import (
    ApiToken,
    CatalogImport,
    CatalogVersion,
    CoverageCountry,
    CoverageEntry,
    Operator,
    Plan,
    PlanChange,
    Promotion,
    Rate,
    RateSet,
    Region,
)
from planner.engine import model as engine
from tests.catalog.factories import (
    add_coverage,
    make_operator,
    make_plan,
    make_promotion,
    make_rates,
    make_version,
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


def _integrity_error(create) -> IntegrityError:
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        create()
    return info.value


def _violates(name: str, create) -> None:
    """`create()` breaks the check constraint called `name`, and no other."""
    error = _integrity_error(create)
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint
        assert diag.constraint_name == name
    else:  # SQLite: "CHECK constraint failed: <name>"
        assert str(error) == f"CHECK constraint failed: {name}"


def _violates_unique(model, fields: list[str], create) -> None:
    """`create()` breaks the uniqueness of exactly these fields of `model`, together."""
    error = _integrity_error(create)
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint: look up what it holds
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        held = constraints[diag.constraint_name]
        assert held["unique"] and held["columns"] == columns, (diag.constraint_name, held)
    else:  # SQLite names the columns
        assert str(error) == "UNIQUE constraint failed: " + ", ".join(
            f"{table}.{column}" for column in columns
        )


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
    _violates_unique(Plan, ["slug"], lambda: make_plan(slug="same", operator=plan.operator))
    make_operator(slug="op")
    _violates_unique(Operator, ["slug"], lambda: make_operator(slug="op"))


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
    _violates_unique(
        CoverageCountry,
        ["plan", "country"],
        lambda: add_coverage(plan=plan, countries=("DE",)),
    )
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
    _violates_unique(
        Rate,
        ["rate_set", "currency"],
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


def test_it_has_a_str_for_every_model(django_user_model):
    operator = make_operator(name="Nomad Mobile", slug="nomad")
    plan = make_plan(operator=operator, name="Travel 5", countries=("FR", "DE"))
    entry = plan.coverage_entries.get()
    rate_set = make_rates(base="EUR", as_of=date(2026, 11, 1))
    version = make_version()
    changed_at = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    user = django_user_model.objects.create(username="editor")
    token = ApiToken(user=user, name="feed")
    token.issue()
    shown = {
        CatalogVersion: (version, f"{version.pk}-{version.token}"),
        Region: (Region.objects.create(name="NORDIC", countries=["DK", "SE"]), "NORDIC"),
        Operator: (operator, "Nomad Mobile"),
        Plan: (plan, "Travel 5"),
        CoverageEntry: (entry, f"{plan.pk}: 4G #0"),
        CoverageCountry: (entry.countries.get(country="DE"), "DE"),
        Promotion: (make_promotion(plan=plan, name="Summer"), "Summer"),
        PlanChange: (
            PlanChange.objects.create(plan=plan, source="admin", changed_at=changed_at),
            f"{plan.pk} 2026-11-02 09:30",
        ),
        RateSet: (rate_set, "EUR 2026-11-01"),
        Rate: (rate_set.rates.get(currency="USD"), "USD 1.08000000"),
        CatalogImport: (
            CatalogImport.objects.create(filename="june.json", content="{}"),
            "june.json (previewed)",
        ),
        ApiToken: (token, f"feed ({token.hint}…)"),
    }
    assert set(shown) == set(apps.get_app_config("catalog").get_models())
    assert {model: str(obj) for model, (obj, _text) in shown.items()} == {
        model: text for model, (_obj, text) in shown.items()
    }
    # the fallbacks: a promotion without a name, a rate set without a date
    unnamed = Promotion(discount_percent=Decimal(5), starts=date(2026, 1, 1), ends=date(2026, 1, 2))
    assert str(unnamed) == "5% 2026-01-01–2026-01-02"
    assert str(RateSet(base="USD")) == "USD"


@pytest.mark.parametrize(
    ("choices", "enum"),
    [
        (models.Network, engine.Network),
        (models.Activation, engine.Activation),
        (models.OperatorKind, engine.OperatorKind),
    ],
)
def test_the_database_choices_are_the_engines_enums(choices, enum):
    # The store builds engine enums from column values and the importer writes
    # `.value` back: a value in one list only would fail a load or an import.
    assert [value for value, _label in choices.choices] == [member.value for member in enum]

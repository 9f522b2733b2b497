"""Cross-row rules one admin save or one import could break, and the planner's
guard when the data is broken anyway (issue 9, item 3)."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import Plan, Rate, RateSet, Region
from catalog.store import forget_catalog
from catalog.store import offered_catalog as load_catalog
from planner.engine.model import rates_needed
from planner.models import SavedTrip
from tests.catalog.documents import catalog_doc, coverage_entry, operator_doc, plan_doc
from tests.catalog.factories import (
    add_coverage,
    admin_formset,
    make_plan,
    make_rates,
    make_user,
    plan_post,
)
from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db

RATES = {"EUR": "1", "USD": "1.08", "GBP": "0.86", "CHF": "0.94", "CNY": "7.70"}


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(staff=True, editor=True))
    return client


@pytest.fixture
def fresh_catalog():
    forget_catalog()
    yield
    forget_catalog()


@pytest.fixture
def chf_and_eur_plans(fresh_catalog):
    make_rates(per_base=RATES)
    eur = make_plan(slug="fr-eur", countries=("FR",), price="5")
    chf = make_plan(slug="ch-chf", currency="CHF", countries=("FR", "CH"), price="3")
    return eur, chf


def _rate_set_post(rates: dict[str, str], base: str = "EUR") -> dict:
    return {
        "base": base,
        "as_of": "2026-11-01",
        "created_at_0": "2026-11-01",
        "created_at_1": "10:00:00",
        **admin_formset("rates", [{"currency": c, "per_base": r} for c, r in rates.items()]),
    }


def test_admin_refuses_a_rate_set_without_a_currency_of_an_offered_plan(
    editor_client, chf_and_eur_plans
):
    without_chf = {k: v for k, v in RATES.items() if k != "CHF"}
    response = editor_client.post(reverse("admin:catalog_rateset_add"), _rate_set_post(without_chf))
    assert response.status_code == 200
    assert "This set has no rate for CHF" in response.text
    assert RateSet.objects.count() == 1


def test_admin_accepts_a_rate_set_that_prices_every_offered_plan(editor_client, chf_and_eur_plans):
    response = editor_client.post(reverse("admin:catalog_rateset_add"), _rate_set_post(RATES))
    assert response.status_code == 302
    assert RateSet.objects.count() == 2


def test_the_planner_leaves_out_a_plan_without_a_rate_and_admin_warns(
    client, editor_client, chf_and_eur_plans
):
    # The state the admin now refuses to reach, written behind its back.
    Rate.objects.filter(currency="CHF").delete()
    assert [p.slug for p in load_catalog().plans] == ["fr-eur"]
    response = client.post("/", trip_data(legs=(("France", "3"),)))
    assert response.status_code == 200
    assert 'data-testid="total"' in response.text
    warning = editor_client.get(reverse("admin:catalog_plan_changelist")).text
    assert "1 offered plan has no exchange rate in force" in warning
    assert "ch-chf" in warning


def test_the_planner_leaves_out_a_fair_use_plan_without_an_eur_rate(fresh_catalog):
    make_rates(base="USD", per_base={"USD": "1"})
    plain = make_plan(slug="plain", currency="USD")
    fair = make_plan(slug="fair", currency="USD", countries=())
    add_coverage(plan=fair, countries=("FR",), eu_fair_use=True)
    assert rates_needed(load_catalog().plans[0]) == {"USD"}
    assert [p.slug for p in load_catalog().plans] == [plain.slug]
    assert Plan.objects.all().rates_needed() == {"USD", "EUR"}
    assert list(Plan.objects.unpriced({"USD"})) == [fair]


def test_the_queryset_twin_agrees_with_the_engine(chf_and_eur_plans):
    engine_needs = set().union(*(rates_needed(p) for p in load_catalog().plans))
    assert Plan.objects.offered().rates_needed() == engine_needs == {"EUR", "CHF"}


def test_an_import_cannot_bring_in_rates_without_a_kept_plans_currency(tmp_path, chf_and_eur_plans):
    doc = catalog_doc(operators=[operator_doc(plans=[plan_doc(slug="new-eur")])])
    doc["rates"]["per_base"] = {"EUR": "1", "USD": "1.1"}
    path = tmp_path / "rates.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError) as info:
        call_command("import_catalog", str(path))
    assert "has no rate for CHF" in str(info.value)
    assert "'ch-chf'" in str(info.value)
    assert not Plan.objects.filter(slug="new-eur").exists()
    # With --replace the CHF plan is retired by the same import: nothing needs CHF.
    call_command("import_catalog", str(path), "--replace")
    assert Plan.objects.offered().rates_needed() == {"EUR"}


def test_a_fair_use_cap_needs_an_eur_rate_in_the_file():
    from catalog.document import CatalogError, parse_catalog

    doc = catalog_doc(
        operators=[
            operator_doc(
                plans=[plan_doc(currency="USD", coverage=[coverage_entry(cap_gb="eu-fair-use")])]
            )
        ]
    )
    doc["rates"] = {"base": "USD", "per_base": {"USD": "1"}}
    with pytest.raises(CatalogError, match=r"coverage\[0\].cap_gb.*needs an EUR rate"):
        parse_catalog(doc)


def test_admin_refuses_a_plan_currency_without_a_rate(editor_client, chf_and_eur_plans):
    eur, _chf = chf_and_eur_plans
    url = reverse("admin:catalog_plan_change", args=[eur.pk])
    response = editor_client.post(url, plan_post(eur, currency="JPY"))
    assert response.status_code == 200
    assert "no rate for JPY" in response.text
    assert Plan.objects.get(pk=eur.pk).currency == "EUR"


def test_admin_refuses_a_fair_use_cap_without_an_eur_rate(editor_client, fresh_catalog):
    make_rates(base="USD", per_base={"USD": "1"})
    plan = make_plan(currency="USD")
    data = plan_post(plan)
    data["coverage_entries-0-eu_fair_use"] = "on"
    response = editor_client.post(reverse("admin:catalog_plan_change", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "needs an EUR exchange rate" in response.text
    assert not plan.coverage_entries.get().eu_fair_use


def test_admin_protects_a_region_that_coverage_names(client):
    client.force_login(make_user(superuser=True))
    editor_client = client
    make_rates()
    region = Region.objects.create(name="ALPS", countries=["CH", "AT"])
    plan = make_plan(slug="alpine", countries=())
    add_coverage(plan=plan, countries=("CH", "AT"), regions="ALPS")
    url = reverse("admin:catalog_region_delete", args=[region.pk])
    page = editor_client.get(url)
    assert "Region ALPS is used by the coverage of plan alpine" in page.text
    editor_client.post(url, {"post": "yes"})
    assert Region.objects.filter(pk=region.pk).exists()
    # A region no coverage names can go.
    unused = Region.objects.create(name="NORDIC", countries=["SE"])
    editor_client.post(reverse("admin:catalog_region_delete", args=[unused.pk]), {"post": "yes"})
    assert not Region.objects.filter(pk=unused.pk).exists()


def test_a_saved_trip_whose_home_plan_was_retired_still_shows_and_says_why(
    client, chf_and_eur_plans
):
    eur, _chf = chf_and_eur_plans
    trip = {
        "start_date": "2026-06-01",
        "legs": [{"country": "FR", "days": 3, "gb_per_day": "1"}],
        "owned": [eur.slug],
    }
    result = client.post("/", trip_data(legs=(("France", "3"),)))
    assert result.status_code == 200
    saved = SavedTrip.objects.create(
        trip=trip,
        result={
            "total": {"amount": "0.00", "currency": "EUR"},
            "total_base": {"amount": "0.00", "currency": "EUR"},
            "purchases": [],
            "days": [],
            "short": [],
            "baselines": {},
            "optimal": True,
            "catalog_version": "old",
        },
        catalog_version="old",
    )
    Plan.objects.filter(pk=eur.pk).update(retired_at="2026-11-01T00:00:00Z")
    forget_catalog()
    page = client.get(saved.get_absolute_url() + "?recompute=1")
    assert page.status_code == 200
    assert "cannot be planned again" in page.text
    assert client.get(f"/?from={saved.token}").status_code == 200

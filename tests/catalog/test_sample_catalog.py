import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from catalog.document import dump_catalog, parse_catalog
from catalog.models import CatalogVersion, Plan
from catalog.store import catalog_is_sample, offered_document
from catalog.store import offered_catalog as load_catalog

pytestmark = pytest.mark.django_db


def test_it_imports_the_sample_catalog_labelled_as_sample():
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    doc = parse_catalog(json.loads(settings.SAMPLE_CATALOG.read_text()))
    assert Plan.objects.offered().count() == len(doc.plans)
    assert CatalogVersion.current().sample
    assert catalog_is_sample()
    assert set(load_catalog().plans) == set(doc.plans)


def test_its_export_imports_as_itself(tmp_path):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    exported = tmp_path / "export.json"
    call_command("export_catalog", str(exported))
    version = CatalogVersion.current().pk
    call_command("import_catalog", str(exported))
    assert CatalogVersion.current().pk == version
    assert catalog_is_sample()
    assert parse_catalog(dump_catalog(offered_document())) == parse_catalog(
        json.loads(exported.read_text())
    )


def test_it_is_not_sample_data_once_real_data_is_imported(tmp_path, shared_dir):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    real = shared_dir / "examples/02-switzerland-outside-eu/catalog.json"
    call_command("import_catalog", str(real), "--replace")
    assert not catalog_is_sample()


def _sample():
    return parse_catalog(json.loads(settings.SAMPLE_CATALOG.read_text()))


# The French operators' domestic monthly contracts (docs/sample-catalog.md).
FRENCH_CONTRACTS = {
    "orange-forfait-5g-100",
    "orange-forfait-5g-100-multisim",
    "sosh-100",
    "sfr-5g-130",
    "red-by-sfr-100",
    "bouygues-byou-300",
    "free-forfait-5g-350",
}


def test_it_marks_the_french_contracts_residents_only_subscriptions_with_the_source():
    doc = _sample()
    operators = {op.slug: op for op in doc.operators}
    residents = {p.slug for p in doc.plans if p.residents_only}
    assert residents == FRENCH_CONTRACTS
    assert {p.slug for p in doc.plans if p.subscription} == FRENCH_CONTRACTS
    for plan in doc.plans:
        if plan.slug in FRENCH_CONTRACTS:
            assert operators[plan.operator].country == "FR"
            assert "Residents only and a subscription" in plan.notes
            assert "roaming-questions-answers" in plan.notes
    # the French operators' travel eSIMs are sold to visitors
    assert not any(p.residents_only for p in doc.plans if p.slug.startswith("orange-holiday"))


def test_it_covers_kosovo_where_the_published_list_does():
    covering = {p.slug for p in _sample().plans if any("XK" in c.countries for c in p.coverage)}
    assert covering == {
        "gigsky-europe-free-500mb-7d",
        "gigsky-europe-1gb-7d",
        "gigsky-europe-5gb-30d",
        "gigsky-europe-50gb-90d",
    }


def test_its_rates_hold_cny_and_every_currency_the_header_offers(client):
    doc = _sample()
    assert doc.rates.per_base["CNY"] == Decimal("7.70")
    assert {"EUR", "USD", "GBP", "CHF", "CNY"} <= set(doc.rates.per_base)
    assert {p.currency for p in doc.plans} <= set(doc.rates.per_base)
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    header = client.get(reverse("catalog:countries")).text.split('id="currency-select"')[1]
    offered = set(re.findall(r'<option value="([A-Z]{3})"', header.split("</select>")[0]))
    assert offered == set(doc.rates.per_base)


def test_its_kosovo_page_lists_the_gigsky_plans(client):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    response = client.get(reverse("catalog:country", args=["XK"]))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 4
    assert "GigSky" in response.text

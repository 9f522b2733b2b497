"""Staff safety (issue 9, item 5): a sweeping import asks twice, the preview shows
every change before and after, and admin exports the catalog in its own format."""

import json

import pytest
from django.urls import reverse

from catalog.document import parse_catalog
from catalog.importer import import_document, preview_import
from catalog.models import Operator, Plan
from tests.catalog.documents import catalog_doc, coverage_entry, operator_doc, plan_doc
from tests.catalog.factories import make_user, upload_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(staff=True, editor=True))
    return client


def ten_plans(**changes) -> dict:
    plans = [plan_doc(slug=f"p{i}", name=f"Plan {i}", price="10") for i in range(10)]
    for index, fields in changes.items():
        plans[int(index[1:])].update(fields)
    return catalog_doc(operators=[operator_doc(plans=plans)])


def test_a_price_fix_applies_with_one_click(editor_client):
    import_document(parse_catalog(ten_plans()))
    preview_url = upload_catalog(editor_client, ten_plans(p3={"price": "9"}))["Location"]
    page = editor_client.get(preview_url).text
    assert 'name="confirm_sweeping"' not in page
    assert editor_client.post(preview_url).status_code == 302
    assert Plan.objects.get(slug="p3").price == 9


def test_retiring_the_whole_catalog_needs_a_second_confirmation(editor_client):
    import_document(parse_catalog(ten_plans()))
    empty = catalog_doc(operators=[operator_doc(plans=[plan_doc(slug="only-new")])])
    preview_url = upload_catalog(editor_client, empty, replace=True)["Location"]
    page = editor_client.get(preview_url).text
    assert "This file retires 10 and reprices 0 of the 10 plans on offer, more than 20 %" in page
    response = editor_client.post(preview_url)
    assert "Nothing was imported" in response.text
    assert Plan.objects.offered().count() == 10
    editor_client.post(preview_url, {"confirm_sweeping": "yes"})
    assert list(Plan.objects.offered().values_list("slug", flat=True)) == ["only-new"]


def test_the_share_is_a_setting(editor_client, settings):
    settings.IMPORT_CONFIRM_PERCENT = 50
    import_document(parse_catalog(ten_plans()))
    three = {f"p{i}": {"price": "11"} for i in range(3)}
    preview_url = upload_catalog(editor_client, ten_plans(**three))["Location"]
    assert 'name="confirm_sweeping"' not in editor_client.get(preview_url).text
    settings.IMPORT_CONFIRM_PERCENT = 20
    assert 'name="confirm_sweeping"' in editor_client.get(preview_url).text


def test_the_preview_lists_every_change_before_and_after(editor_client):
    doc = ten_plans(
        p1={
            "promotions": [
                {
                    "name": "Summer",
                    "discount_percent": "20",
                    "starts": "2026-06-01",
                    "ends": "2026-08-31",
                }
            ]
        }
    )
    doc["regions"] = {"ALPS": ["AT", "CH"]}
    import_document(parse_catalog(doc))
    changed = ten_plans(
        p1={"promotions": []},
        p2={"name": "Plan Two Renamed"},
        p4={"coverage": [coverage_entry(countries=["FR", "BE"])]},
    )
    changed["regions"] = {"ALPS": ["AT", "CH", "LI"]}
    changed["rates"]["per_base"]["USD"] = "1.2"
    changed["operators"][0]["name"] = "Operator A Renamed"
    page = editor_client.get(upload_catalog(editor_client, changed)["Location"]).text
    assert "<td>promotions</td>" in page and "Summer" in page
    assert "<td>name</td><td><small>Plan 2</small></td>" in page
    assert "Plan Two Renamed" in page
    assert "<td>coverage</td>" in page and "BE" in page
    assert "<td>ALPS</td><td>AT CH</td><td><strong>AT CH LI</strong></td>" in page
    assert "<td>USD</td><td>1.08</td><td><strong>1.2</strong></td>" in page
    assert "name: <del>Operator A</del> → <ins>Operator A Renamed</ins>" in page


def test_preview_rows_name_each_changed_field():
    import_document(parse_catalog(ten_plans()))
    preview = preview_import(parse_catalog(ten_plans(p0={"price": "12", "validity_days": 30})))
    assert preview.updated[0].field_changes == [
        ("price", "10", "12"),
        ("validity_days", "7", "30"),
    ]


def test_admin_exports_the_selected_operators_as_a_catalog_file(editor_client):
    doc = ten_plans()
    doc["operators"].append(operator_doc(slug="op-b", name="B", plans=[plan_doc(slug="b1")]))
    import_document(parse_catalog(doc))
    chosen = Operator.objects.get(slug="op-b")
    response = editor_client.post(
        reverse("admin:catalog_operator_changelist"),
        {"action": "export", "_selected_action": [chosen.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="catalog-')
    exported = parse_catalog(json.loads(response.content))
    assert [plan.slug for plan in exported.plans] == ["b1"]


def test_admin_exports_the_whole_catalog_and_it_imports_back_unchanged(editor_client):
    import_document(parse_catalog(ten_plans()))
    response = editor_client.get(reverse("admin:catalog_catalogimport_export"))
    exported = parse_catalog(json.loads(response.content))
    assert len(exported.plans) == 10
    assert not preview_import(exported).changes_anything

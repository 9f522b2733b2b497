"""The import workflow in admin (catalog/admin_import.py): upload, preview, confirm."""

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.document import parse_catalog
from catalog.importer import import_document
from catalog.models import CatalogImport, CatalogVersion, Plan
from tests.catalog.documents import catalog_doc, coverage_entry, operator_doc, plan_doc
from tests.catalog.factories import (
    make_rates,
    make_user,
    upload_catalog,
)

pytestmark = pytest.mark.django_db


def test_it_previews_an_import_and_applies_it_only_on_confirmation(editor_client):
    import_document(
        parse_catalog(
            catalog_doc(
                operators=[
                    operator_doc(
                        plans=[plan_doc(slug="kept", price="10"), plan_doc(slug="dropped")]
                    )
                ]
            )
        )
    )
    new = catalog_doc(
        operators=[
            operator_doc(
                plans=[
                    plan_doc(slug="kept", price="8"),
                    plan_doc(slug="fresh", coverage=[coverage_entry()]),
                ]
            )
        ]
    )
    response = upload_catalog(editor_client, new, replace=True)
    assert response.status_code == 302
    preview_url = response["Location"]
    page = editor_client.get(preview_url).text
    assert "fresh" in page and "dropped" in page
    assert "<td>price</td><td><small>10</small></td><td><strong><small>8</small>" in page
    assert not Plan.objects.filter(slug="fresh").exists()
    assert Plan.objects.get(slug="kept").price == Decimal(10)

    # One plan retired and one repriced of two: a sweeping change, confirmed twice.
    assert 'name="confirm_sweeping"' in page
    response = editor_client.post(preview_url)
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert Plan.objects.get(slug="kept").price == Decimal(10)
    response = editor_client.post(preview_url, {"confirm_sweeping": "yes"})
    assert response.status_code == 302
    assert Plan.objects.get(slug="kept").price == Decimal(8)
    assert set(Plan.objects.offered().values_list("slug", flat=True)) == {"kept", "fresh"}
    assert CatalogImport.objects.get().status == "applied"


def test_it_leads_back_to_the_imports_list_from_upload_and_preview(editor_client):
    imports = reverse("admin:catalog_catalogimport_changelist")
    crumb = f'&rsaquo; <a href="{imports}">Catalog imports</a>'
    upload_page = editor_client.get(reverse("admin:catalog_catalogimport_add"))
    preview_page = editor_client.get(upload_catalog(editor_client, catalog_doc())["Location"])
    assert crumb in upload_page.text and "Import a catalog file" in upload_page.text
    assert crumb in preview_page.text and "Check the import of catalog.json" in preview_page.text


def test_it_shows_why_a_broken_file_cannot_be_imported(editor_client):
    make_rates()
    bad = catalog_doc(
        operators=[operator_doc(slug="op-x", plans=[plan_doc(slug="p-x", price="-3")])]
    )
    response = upload_catalog(editor_client, bad)
    assert response.status_code == 200
    assert (
        "operator &#x27;op-x&#x27;, plan &#x27;p-x&#x27;, field &#x27;price&#x27;" in response.text
    )
    assert not CatalogImport.objects.exists()
    assert not Plan.objects.exists()


def test_it_shows_that_a_file_nested_too_deep_is_not_json(editor_client):
    file = SimpleUploadedFile("deep.json", b"[" * 100_000, "application/json")
    response = editor_client.post(reverse("admin:catalog_catalogimport_add"), {"file": file})
    assert response.status_code == 200
    assert "deep.json: the file nests deeper than 32 levels" in response.text
    assert not CatalogImport.objects.exists()


def test_it_shows_a_fresh_preview_when_the_catalog_changed_meanwhile(editor_client):
    response = upload_catalog(editor_client, catalog_doc())
    CatalogVersion.bump("someone else")
    response = editor_client.post(response["Location"])
    assert response.status_code == 200
    assert not Plan.objects.exists()
    assert CatalogImport.objects.get().status == "previewed"


@pytest.mark.parametrize("object_id", ["abc", "999"])
def test_it_answers_an_unknown_import_with_the_admin_notice_not_an_error(editor_client, object_id):
    url = reverse("admin:catalog_catalogimport_change", args=[object_id])
    response = editor_client.get(url, follow=True)
    assert response.status_code == 200
    assert "doesn’t exist" in response.text


def test_it_sends_a_previewed_import_to_its_preview(editor_client):
    pending = CatalogImport.objects.get(
        pk=upload_catalog(editor_client, catalog_doc())["Location"].split("/")[-3]
    )
    response = editor_client.get(reverse("admin:catalog_catalogimport_change", args=[pending.pk]))
    assert response["Location"] == reverse("admin:catalog_catalogimport_preview", args=[pending.pk])


def test_it_sends_back_to_upload_a_stored_file_the_checks_now_refuse(editor_client):
    doc = catalog_doc(operators=[operator_doc(plans=[plan_doc(price="-1")])])
    pending = CatalogImport.objects.create(filename="old.json", content=json.dumps(doc))
    url = reverse("admin:catalog_catalogimport_preview", args=[pending.pk])
    response = editor_client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("admin:catalog_catalogimport_add"), 302)]
    assert "no longer passes the checks" in response.text and "price" in response.text
    assert not Plan.objects.exists()


def test_it_refuses_the_import_page_to_plain_staff(client):
    client.force_login(make_user(staff=True))
    assert client.get(reverse("admin:catalog_catalogimport_add")).status_code == 403


def test_it_counts_residents_only_plans_and_subscriptions_in_the_import_preview(editor_client):
    import_document(parse_catalog(catalog_doc(operators=[operator_doc(country="FR")])))
    new = catalog_doc(
        operators=[
            operator_doc(
                country="FR",
                plans=[
                    plan_doc(residents_only=True, subscription=True),
                    plan_doc(slug="monthly", subscription=True),
                ],
            )
        ]
    )
    page = editor_client.get(upload_catalog(editor_client, new)["Location"]).text
    assert "In the file: 1 residents-only plan(s), 2 subscription(s)." in page
    # what changed on plan-a, field by field with before and after
    squeezed = re.sub(r"<[^>]+>|\s+", " ", page)
    assert re.search(r"residents_only\s+false\s+true", squeezed)
    assert re.search(r"subscription\s+false\s+true", squeezed)


def test_it_names_the_row_of_an_uploaded_residents_only_plan_without_operator_country(
    editor_client,
):
    doc = catalog_doc(operators=[operator_doc(slug="brand", plans=[plan_doc(residents_only=True)])])
    response = upload_catalog(editor_client, doc)
    assert response.status_code == 200
    assert (
        "operator &#x27;brand&#x27;, plan &#x27;plan-a&#x27;, field &#x27;residents_only&#x27;"
        in (response.text)
    )
    assert not CatalogImport.objects.exists()


def test_it_refuses_at_upload_a_file_that_strands_a_residents_only_plan(editor_client):
    contract = plan_doc(slug="contract", residents_only=True)
    import_document(
        parse_catalog(
            catalog_doc(operators=[operator_doc(slug="fr-telco", country="FR", plans=[contract])])
        )
    )
    stranding = catalog_doc(operators=[operator_doc(slug="fr-telco", plans=[plan_doc()])])
    response = upload_catalog(editor_client, stranding)
    assert response.status_code == 200
    assert "is null, but its plan &#x27;contract&#x27;" in response.text
    assert not CatalogImport.objects.exists()

"""The reproducers of issue 9 on the catalog's side: each was a 500 or a traceback."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import CatalogImport, Plan
from tests.catalog.documents import catalog_doc, operator_doc, plan_doc
from tests.catalog.factories import make_plan, make_rates, make_user, plan_post

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:catalog_catalogimport_add")


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(staff=True, editor=True))
    return client


def _upload(client, content: bytes, name: str = "catalog.json"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, "application/json")})


def test_an_upload_with_a_huge_integer_is_an_error_not_a_500(editor_client):
    response = _upload(editor_client, b'{"format": ' + b"9" * 5000 + b"}")
    assert response.status_code == 200
    assert "catalog.json: the file has a number of more than 18 digits" in response.text
    assert not CatalogImport.objects.exists()


def test_an_upload_over_the_limit_names_the_limit(editor_client, settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 1024
    response = _upload(editor_client, b" " * (4096 + 512) + json.dumps(catalog_doc()).encode())
    assert response.status_code == 200
    assert "kB; the limit is 1 kB (setting MAX_IMPORT_BYTES)." in response.text
    assert not CatalogImport.objects.exists()


def test_import_catalog_names_the_size_limit(tmp_path, settings):
    from django.core.management import CommandError, call_command

    settings.CATALOG_IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.json"
    path.write_text(json.dumps(catalog_doc()) + " " * 200)
    with pytest.raises(CommandError, match="larger than the limit of 100 bytes"):
        call_command("import_catalog", str(path))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_an_upload_with_a_script_url_names_the_field(editor_client, url):
    make_rates()
    doc = catalog_doc(operators=[operator_doc(plans=[plan_doc(source_url=url)])])
    response = _upload(editor_client, json.dumps(doc).encode())
    assert response.status_code == 200
    assert "field &#x27;source_url&#x27;" in response.text
    assert not CatalogImport.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "Enter a valid URL."),
        # Django's URL field allows ftp: ours does not.
        ("ftp://example.org/offer", "Only http:// and https:// addresses are allowed."),
    ],
)
def test_admin_refuses_a_non_http_url_in_a_plan(editor_client, url, message):
    make_rates()
    plan = make_plan()
    change = reverse("admin:catalog_plan_change", args=[plan.pk])
    response = editor_client.post(change, plan_post(plan, source_url=url))
    assert response.status_code == 200
    assert message in response.text
    assert Plan.objects.get(pk=plan.pk).source_url == ""


def test_the_plan_page_shows_an_old_script_url_as_text_only(client):
    make_rates()
    plan = make_plan(source_url="javascript:alert(1)")
    page = client.get(plan.get_absolute_url())
    assert page.status_code == 200
    assert "javascript:alert(1)" in page.text
    assert 'href="javascript:' not in page.text

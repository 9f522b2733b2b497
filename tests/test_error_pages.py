"""Our own error pages (issue 9, item 7): the site's layout and the reader's language."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_catalog(db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def test_a_missing_page_is_ours_and_in_french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'class="site-header"' in response.text
    assert '<html lang="fr">' in response.text
    assert "Page introuvable" in response.text


def test_a_missing_saved_trip_is_our_404(client):
    response = client.get("/p/nosuchtoken/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_a_server_error_is_ours_and_in_chinese(sample_catalog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the solver fell over")

    monkeypatch.setattr("planner.views.plan_document", broken)
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post("/", trip_data(legs=(("FR", "3"),)))
    assert response.status_code == 500
    assert 'class="site-header"' in response.text
    assert "我们这边出了问题" in response.text
    assert "solver fell over" not in response.text


def test_a_request_body_over_the_limit_is_a_400_naming_it(sample_catalog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = Client().post("/", {**trip_data(), "filler": "x" * 4096})
    assert response.status_code == 400
    assert "larger than the limit of 1 kB (setting MAX_REQUEST_BYTES)" in response.text
    assert 'class="site-header"' in response.text


def test_a_failed_csrf_check_is_our_403():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/", trip_data())
    assert response.status_code == 403
    assert "The form had expired" in response.text
    assert "CSRF verification failed" not in response.text


def test_admin_permission_denied_is_our_403(client, django_user_model):
    user = django_user_model.objects.create_user("plain", password="pw", is_staff=True)
    client.force_login(user)
    response = client.get("/admin/catalog/catalogimport/add/")
    assert response.status_code == 403
    assert "You may not open this page." in response.text

"""The API's docs page in Chromium: Swagger UI from our own static files, under our
CSP, with nothing fetched from elsewhere, and its "Try it out" planning a trip."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = settings.SHARED_DIR / "examples" / "01-home-plan-fair-use"


def test_the_docs_page_works_with_no_console_error_nor_outside_request(
    page: Page, live_server, console_errors, outside_requests
):
    call_command("import_catalog", str(EXAMPLE / "catalog.json"), verbosity=0)

    response = page.goto(live_server.url + "/api/v1/docs")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Roamplan API")).to_be_visible()
    for path in ("/api/v1/plan", "/api/v1/countries/{code}/plans", "/api/v1/catalog"):
        expect(page.locator(f".opblock-summary-path[data-path='{path}']").first).to_be_visible()

    page.locator("#operations-planner-planner_api_plan .opblock-summary").click()
    # tryItOutEnabled: the request body is editable at once, the first example in it
    page.get_by_role("button", name="Execute").click()
    answer = page.locator(".live-responses-table tbody .response-col_status").first
    expect(answer).to_have_text("200")
    expect(page.locator(".live-responses-table .microlight").first).to_contain_text('"6.23"')

    assert console_errors == []
    assert outside_requests == []

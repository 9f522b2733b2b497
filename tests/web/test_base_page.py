import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_loads_cleanly_in_a_real_browser(page, live_server, console_errors, outside_requests):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Roamplan")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    # htmx came from our own static files and started
    assert page.evaluate("typeof window.htmx") == "object"
    assert console_errors == []
    assert outside_requests == []


def test_it_switches_language_from_the_header(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_label("Language").select_option("fr")
    page.wait_for_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

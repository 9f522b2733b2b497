import pytest
from playwright.sync_api import expect

from tests.catalog.factories import make_plan, make_rates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plans():
    make_rates()
    make_plan(name="Cheap small", countries=("DE",), price="5", data_gb="1")
    make_plan(name="Dear big", countries=("DE",), price="20", data_gb="40", hotspot=True)
    make_plan(name="Middle", countries=("DE",), price="10", data_gb="5", hotspot=True)


def _names(page) -> list[str]:
    return page.locator("#results tbody tr td:first-child a").all_inner_texts()


def test_it_sorts_and_filters_in_place_with_htmx(page, live_server, plans):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server.url + "/countries/DE/")
    assert _names(page) == ["Cheap small", "Middle", "Dear big"]
    page.evaluate("window.marker = 'same page'")

    page.get_by_role("link", name="Price per GB").click()
    page.wait_for_url("**sort=price_per_gb**")
    expect(page.locator("#results tbody tr").first).to_contain_text("Dear big")

    # The filter form carries the sort chosen in the results along.
    page.get_by_label("hotspot").check()
    page.wait_for_url("**hotspot=on**")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    assert _names(page) == ["Dear big", "Middle"]
    assert "sort=price_per_gb" in page.url
    assert page.evaluate("window.marker") == "same page"  # swapped, not reloaded
    assert errors == []


def test_it_filters_without_javascript(browser, live_server, plans):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/countries/DE/?sort=validity")
    page.get_by_label("hotspot").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**hotspot=on**")
    assert "sort=validity" in page.url
    assert sorted(_names(page)) == ["Dear big", "Middle"]
    context.close()

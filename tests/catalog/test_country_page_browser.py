import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.catalog.factories import make_plan, make_rates
from tests.web.test_accessibility import assert_axe_clean

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


@pytest.fixture
def sample_catalog(transactional_db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    "path",
    [
        # the French contracts' badges, daily caps sorted among the others
        "/countries/CH/?sort=data",
        # a USD price with ≈ €, residents and new-customer terms, a promotion
        "/plans/yesim-europe-uk-500mb-1d/",
        "/plans/red-by-sfr-100/",
    ],
)
def test_the_badged_rows_and_converted_prices_give_axe_nothing_to_fix(
    page, live_server, sample_catalog, path, width, language
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    assert_axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_phone_sees_every_column_of_a_plan_under_its_name(page, live_server, plans):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + "/countries/DE/")
    scroller = page.locator(".table-scroll")
    # nothing hidden off to the right in the table's own scroller
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")
    row = page.locator("#results tbody tr").first
    cells = row.locator("td")
    assert cells.count() == 7
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    labels = row.evaluate(
        """tr => [...tr.querySelectorAll('td[data-label]')].map(
            td => getComputedStyle(td, '::before').content)"""
    )
    assert labels == [
        '"Price"',
        '"Price per GB"',
        '"Validity"',
        '"Data"',
        '"Here"',
        '"Coverage"',
    ]
    # the sortable column names are still there to sort by
    expect(page.get_by_role("link", name="Price per GB")).to_be_visible()
    assert_axe_clean(page)

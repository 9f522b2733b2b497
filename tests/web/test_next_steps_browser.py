"""After the answer, in Chromium: a buy link opens its page in a new tab, the
calendar file downloads with one event per purchase, the maps show within a
phone's width, the permalink's link copies; axe finds nothing to fix."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar
from playwright.sync_api import Page, expect

from catalog.document import parse_catalog
from catalog.importer import import_document
from tests.catalog.documents import catalog_doc, coverage_entry, operator_doc, plan_doc
from tests.web.test_planner_flow import add_stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def local_plans(transactional_db, live_server):
    # The buy page is one of ours: the test follows the link without leaving the machine.
    buy_url = f"{live_server.url}/plans/fr-week/"
    plans = [
        plan_doc(
            slug="fr-week",
            name="France Week",
            price="5",
            validity_days=3,
            activation="install",
            buy_url=buy_url,
            coverage=[coverage_entry(countries=["FR"], network="5G")],
        ),
        plan_doc(
            slug="ch-week",
            name="Swiss Week",
            price="6",
            validity_days=2,
            coverage=[coverage_entry(countries=["CH"], cap_gb="3")],
        ),
        plan_doc(
            slug="europe-month",
            name="Europe Month",
            price="30",
            validity_days=30,
            coverage=[coverage_entry(countries=["@NORDIC", "DE", "IT"], cap_gb="eu-fair-use")],
        ),
    ]
    doc = catalog_doc(
        operators=[operator_doc(slug="alpha", name="Alpha Mobile", plans=plans)],
        regions={"NORDIC": ["DK", "SE", "NO"]},
    )
    import_document(parse_catalog(doc))
    return buy_url


def plan_trip(page: Page, live_server, stops) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("First day of the trip").fill("2026-06-01")
    for i, (country, days) in enumerate(stops):
        add_stop(page, i, country, days)
    expect(page.get_by_test_id("total")).to_be_visible()


def events_of(path: Path) -> list:
    return Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def assert_within(page: Page, selector: str, width: int) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["width"] > 200
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def assert_axe_clean(page: Page, context: str | None = None) -> None:
    violations = Axe().run(page, context=context).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []


@pytest.mark.parametrize("width", [390, 1280])
def test_it_takes_the_traveller_from_the_answer_to_buying_and_installing(
    page: Page, live_server, local_plans, console_errors, outside_requests, width
):
    page.set_viewport_size({"width": width, "height": 900})
    plan_trip(page, live_server, [("France", 3), ("Switzerland", 2), ("France", 2)])
    purchases = page.locator("article.purchase")
    expect(purchases).to_have_count(3)

    # the buy link opens the operator's page in a new tab that cannot reach back
    with page.expect_popup() as popup:
        page.get_by_test_id("buy-link").first.click()
    shop = popup.value
    shop.wait_for_load_state()
    assert shop.url == local_plans
    assert shop.evaluate("window.opener") is None
    expect(shop.get_by_role("heading", level=1)).to_have_text("France Week")
    shop.close()

    # the trip's map, in the timeline's colours, inside the screen
    expect(page.locator("#result .map-svg")).to_be_visible()
    expect(page.locator("#result .map-svg .country")).to_have_count(2)  # FR striped, CH
    assert_within(page, "#result .map-svg", width)
    expect(page.locator(".map-key li")).to_have_count(2)

    # one event per purchase, from an unsaved result
    with page.expect_download() as download:
        page.get_by_test_id("calendar").click()
    assert download.value.suggested_filename == "roamplan-trip.ics"
    events = events_of(Path(download.value.path()))
    assert len(events) == purchases.count()
    assert sorted(str(e["summary"]) for e in events) == [
        "Install France Week (Alpha Mobile)",
        "Install France Week (Alpha Mobile)",
        "Install Swiss Week (Alpha Mobile)",
    ]
    # the result only: the trip form's stop headings skip a level (h1 to h3), not ours
    assert_axe_clean(page, "#result")
    assert console_errors == []
    assert outside_requests == []


def test_it_shares_and_downloads_from_the_saved_trip(
    page: Page, live_server, local_plans, console_errors, outside_requests
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    plan_trip(page, live_server, [("France", 3), ("Germany", 4)])
    page.get_by_role("button", name="Save and get a link").click()
    page.wait_for_url("**/p/*/")
    permalink = page.url

    link = page.locator("[data-share-url]")
    expect(link).to_have_attribute("href", permalink)
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator("[data-share-status]")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == permalink
    # the system share sheet only where the browser has one
    has_share = page.evaluate("typeof navigator.share === 'function'")
    expect(page.get_by_role("button", name="Share…")).to_have_count(1 if has_share else 0)

    with page.expect_download() as download:
        page.get_by_test_id("calendar").click()
    events = events_of(Path(download.value.path()))
    assert len(events) == page.locator("article.purchase").count() >= 2
    assert all(permalink in str(e["description"]) for e in events)
    assert_axe_clean(page)
    assert console_errors == []
    assert outside_requests == []


def test_it_keeps_the_link_a_plain_link_without_script(browser, live_server, local_plans):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/?example=1")
    page.get_by_role("button", name="Save and get a link").click()
    page.wait_for_url("**/p/*/")
    expect(page.locator("[data-share-url]")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the link")).to_be_hidden()
    with page.expect_download() as download:
        page.get_by_test_id("calendar").click()
    assert download.value.suggested_filename == "roamplan-trip.ics"
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_it_maps_where_a_plan_works(page: Page, live_server, local_plans, outside_requests, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/plans/europe-month/")
    svg = page.get_by_role("img", name="Map of where this plan works, by network")
    expect(svg).to_be_visible()
    expect(svg.locator(".country.net-4G")).to_have_count(5)
    expect(svg.locator(".hatch")).to_have_count(5)
    assert_within(page, ".map-svg", width)
    expect(page.locator(".map-legend li")).to_have_text(["4G", "a cap applies"])
    assert_axe_clean(page)
    assert outside_requests == []

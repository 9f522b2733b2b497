import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.web.trips import fill_fragmenting_trip, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def sample_catalog(transactional_db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


@pytest.mark.parametrize("path", ["/?example=1", "/countries/", "/countries/CH/", "/no/such/page/"])
def test_it_labels_every_control_and_marks_the_landmarks(
    page: Page, live_server, sample_catalog, path
):
    page.goto(live_server.url + path)
    assert page.evaluate(UNLABELLED) == []
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


def test_it_shows_where_the_keyboard_focus_is(page: Page, live_server, sample_catalog):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    # the first stop is the skip link, visible once focused
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0
    page.keyboard.press("Tab")
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert shadow != "none"


def test_it_keeps_the_result_within_a_phone_screen(page: Page, live_server, sample_catalog):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/?example=1")
    page.get_by_role("button", name="Find my plan").click()
    expect(page.get_by_test_id("total")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def assert_axe_clean(page: Page) -> None:
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []


def _trade_off_trip(page: Page, live_server) -> None:
    page.goto(live_server.url + "/")
    fill_fragmenting_trip(page)
    page.get_by_role("button", name="Find my plan").click()
    expect(page.locator(".choices .choice").first).to_be_visible()
    settled(page)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?example=1",
        "/countries/",
        "/countries/FR/?sort=data&dir=asc&q=europe",
        "/plans/airalo-eurolink-10gb-30d/",
    ],
)
def test_it_gives_axe_nothing_to_fix(page: Page, live_server, sample_catalog, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    assert_axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_it_gives_axe_nothing_to_fix_in_a_trade_off_and_its_saved_page(
    page: Page, live_server, sample_catalog, width
):
    page.set_viewport_size({"width": width, "height": 900})
    _trade_off_trip(page, live_server)
    page.locator(".choices .choice").first.click()
    expect(page.locator(".choices .choice").first).to_have_attribute("aria-pressed", "true")
    settled(page)
    assert_axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Save and get a link").click()
    page.wait_for_url("**/p/**")
    assert_axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    ("legs", "devices", "shows"),
    [
        # a family: the same plan on each device, one card "1.–4."
        ([("France", 10), ("Italy", 5)], 4, "article.purchase h3:text('1.–4.')"),
        # nothing serves Japan: the sentence stands where the total would
        ([("Japan", 5)], 1, ".summary .lead-note"),
    ],
    ids=["four-devices", "nothing-serves"],
)
def test_it_gives_axe_nothing_to_fix_for_a_family_or_a_trip_no_plan_serves(
    page: Page, live_server, sample_catalog, width, legs, devices, shows
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    for i, (country, days) in enumerate(legs):
        if i > 0:
            page.get_by_role("button", name="Add a stop").click()
            expect(page.locator(f"#id_legs-{i}-country")).to_be_visible()
        page.locator(f"#id_legs-{i}-country").fill(country)
        page.locator(f"#id_legs-{i}-days").fill(str(days))
    page.locator("#id_devices").fill(str(devices))
    page.get_by_role("button", name="Find my plan").click()
    expect(page.locator(shows)).to_have_count(1)
    settled(page)
    assert_axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

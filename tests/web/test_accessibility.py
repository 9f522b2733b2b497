import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

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

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from tests.web.trips import fill_fragmenting_trip, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sample_catalog(transactional_db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def add_stop(page: Page, index: int, country: str, days: int) -> None:
    if index > 0:
        page.get_by_role("button", name="Add a stop").click()
        # the new stop's country box takes the focus
        expect(page.locator(f"#id_legs-{index}-country")).to_be_focused()
    page.locator(f"#id_legs-{index}-country").fill(country)
    page.locator(f"#id_legs-{index}-days").fill(str(days))
    page.locator(f"#id_legs-{index}-days").press("Tab")


def timeline_days(page: Page) -> int:
    return page.locator(".timeline > li").count()


def test_it_plans_saves_and_translates_a_four_stop_trip(
    page: Page, live_server, sample_catalog, console_errors, outside_requests
):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + "/")
    page.get_by_label("First day of the trip").fill("2026-06-01")

    for i, (country, days) in enumerate(
        [("France", 10), ("Switzerland", 3), ("United Kingdom", 4), ("France", 5)]
    ):
        add_stop(page, i, country, days)
    page.get_by_label("Your home plan").select_option("sfr-5g-130")

    # the result follows the form as it is edited, without a page load
    total = page.get_by_test_id("total")
    expect(total).to_be_visible()
    expect(page.locator(".timeline > li")).to_have_count(22)
    page.locator("#id_legs-3-days").fill("6")
    page.locator("#id_legs-3-days").press("Tab")
    expect(page.locator(".timeline > li")).to_have_count(23)
    assert page.url == live_server.url + "/"
    expect(page.get_by_text("proven cheapest")).to_be_visible()
    shown_total = total.inner_text()

    # an error appears beside its field, and goes once corrected
    page.locator("#id_legs-1-country").fill("Atlantis")
    page.locator("#id_legs-1-country").press("Tab")
    expect(page.locator("#id_legs-1-country-errors")).to_contain_text("Atlantis")
    page.locator("#id_legs-1-country").fill("Switzerland")
    page.locator("#id_legs-1-country").press("Tab")
    expect(page.locator("#id_legs-1-country-errors")).to_be_empty()
    expect(total).to_have_text(shown_total)

    page.get_by_role("button", name="Save and get a link").click()
    page.wait_for_url(re.compile(r"/p/[\w-]{20,}/$"))
    permalink = page.url
    expect(page.get_by_test_id("total")).to_have_text(shown_total)
    expect(page.locator(".timeline > li")).to_have_count(23)

    with translation.override("zh-hans"):
        heading_zh = gettext("Your saved trip")
    assert heading_zh != "Your saved trip", "the Chinese catalog is missing this text"
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading_zh)
    assert page.url == permalink

    page.locator("#lang-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your saved trip")

    assert console_errors == [], console_errors
    assert outside_requests == []


def test_it_works_without_javascript(browser, live_server, sample_catalog):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/?example=1")
    page.get_by_role("button", name="Find my plan").click()
    expect(page.get_by_test_id("total")).to_be_visible()
    expect(page.locator(".timeline > li")).to_have_count(22)
    page.get_by_role("button", name="Add a stop").click()
    expect(page.locator("#id_legs-4-country")).to_be_visible()
    context.close()


def test_it_shows_a_chosen_trade_off_entry_in_place_and_in_the_saved_link(
    page: Page, live_server, sample_catalog, console_errors, outside_requests
):
    page.goto(live_server.url + "/")
    fill_fragmenting_trip(page)
    page.get_by_role("button", name="Find my plan").click()
    choices = page.locator(".choices .choice")
    expect(choices.first).to_be_visible()
    settled(page)
    recommended = page.get_by_test_id("total").inner_text()
    fewest = choices.first.locator(".choice-total").inner_text()
    assert fewest != recommended
    page.evaluate("window.marker = 'same page'")

    choices.first.click()
    settled(page)
    expect(page.get_by_test_id("total")).to_have_text(fewest)
    expect(page.locator(".choices .choice").first).to_have_attribute("aria-pressed", "true")
    expect(page.locator("article.purchase .amount:not(:has-text('already yours'))")).to_have_count(
        1
    )
    assert page.evaluate("window.marker") == "same page"  # swapped, not reloaded

    # an edit of the trip keeps the choice
    page.locator("#id_legs-2-days").fill("3")
    page.locator("#id_legs-2-days").press("Tab")
    expect(page.locator(".timeline > li")).to_have_count(9)
    settled(page)
    expect(page.locator(".choices .choice").first).to_have_attribute("aria-pressed", "true")
    fewest = page.get_by_test_id("total").inner_text()

    page.get_by_role("button", name="Save and get a link").click()
    page.wait_for_url(re.compile(r"/p/[\w-]{20,}/\?esims=1$"))
    expect(page.get_by_test_id("total")).to_have_text(fewest)

    # on the saved page the choices are links, swapped in place and kept in the address
    page.locator(".choices .choice").last.click()
    page.wait_for_url(re.compile(r"\?esims=\d+$"))
    expect(page.locator(".choices .choice").last).to_have_attribute("aria-current", "true")
    assert page.get_by_test_id("total").inner_text() != fewest
    assert console_errors == [], console_errors
    assert outside_requests == []


def test_it_chooses_a_trade_off_entry_without_javascript(browser, live_server, sample_catalog):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    fill_fragmenting_trip(page)
    page.get_by_role("button", name="Find my plan").click()
    fewest = page.locator(".choices .choice").first
    expected = fewest.locator(".choice-total").inner_text()
    fewest.click()
    expect(page.get_by_test_id("total")).to_have_text(expected)

    page.get_by_role("button", name="Save and get a link").click()
    page.wait_for_url(re.compile(r"/p/[\w-]{20,}/\?esims=1$"))
    page.locator(".choices .choice").last.click()
    page.wait_for_url(re.compile(r"\?esims=\d+$"))
    expect(page.locator(".choices .choice").last).to_have_attribute("aria-current", "true")
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_a_field_plans_and_presses_no_stop_button(
    browser, live_server, sample_catalog, javascript
):
    # The form's first submit button was stop 1's "↓" (or "Add a stop"): Enter
    # in any field pressed it, moving or adding a stop instead of planning.
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    legs_posts: list[str] = []
    page.on("request", lambda r: legs_posts.append(r.url) if "/legs/" in r.url else None)
    page.goto(live_server.url + "/")
    page.get_by_label("First day of the trip").fill("2026-06-01")
    page.locator("#id_legs-0-country").fill("France")
    page.locator("#id_legs-0-days").fill("3")
    page.get_by_role("button", name="Add a stop").click()
    page.locator("#id_legs-1-country").fill("Switzerland")
    page.locator("#id_legs-1-days").fill("2")
    legs_posts.clear()
    page.locator("#id_legs-1-days").press("Enter")
    expect(page.get_by_test_id("total")).to_be_visible(timeout=20_000)
    expect(page.locator(".leg")).to_have_count(2)
    expect(page.locator("#id_legs-0-country")).to_have_value("France")
    expect(page.locator(".timeline > li")).to_have_count(5)
    assert legs_posts == []
    context.close()

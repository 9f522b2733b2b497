"""Issue 9 in the browser: an empty stop, a failed request, a real amount of data."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOLVE = 20_000  # ms: the machine is shared, a solve may wait for a core
SHOTS = settings.BASE_DIR.parent.parent / "notes" / "shots" / "badinput"


@pytest.fixture
def sample_catalog(transactional_db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def _shot(page: Page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / name), full_page=True)


def four_days_in_france(page: Page, live_server) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("First day of the trip").fill("2026-06-01")
    page.locator("#id_legs-0-country").fill("France")
    page.locator("#id_legs-0-days").fill("4")
    page.locator("#id_legs-0-days").press("Tab")
    expect(page.get_by_test_id("total")).to_be_visible(timeout=SOLVE)


def test_an_empty_stop_then_a_change_gives_a_plan_not_an_error_page(
    page: Page, live_server, sample_catalog, console_errors
):
    four_days_in_france(page, live_server)

    page.get_by_role("button", name="Add a stop").click()
    expect(page.locator("#id_legs-1-country")).to_be_focused()
    # Leave the new stop empty and change another field.
    page.locator("#id_devices").fill("2")
    page.locator("#id_devices").press("Tab")
    expect(page.get_by_test_id("total")).to_be_visible(timeout=SOLVE)
    expect(page.locator("#result")).not_to_contain_text("Server Error")
    expect(page.locator("#result")).not_to_contain_text("second look")
    _shot(page, "empty-stop.png")

    # Without JavaScript's help too: "Find my plan" submits the whole page.
    page.get_by_role("button", name="Find my plan").click()
    expect(page.get_by_test_id("total")).to_be_visible(timeout=SOLVE)
    assert console_errors == []


def test_a_real_amount_of_data_passes_and_a_wrong_field_turns_red(
    page: Page, live_server, sample_catalog
):
    page.goto(live_server.url + "/")
    page.get_by_label("First day of the trip").fill("2026-06-01")
    page.locator("#id_legs-0-country").fill("France")
    page.locator("#id_legs-0-days").fill("4")
    page.locator("#id_legs-0-usage").select_option("custom")
    page.locator("#id_legs-0-usage").press("Tab")
    # Let the answers to those changes land first (see the note in docs/planner-pages.md).
    page.wait_for_load_state("networkidle")
    # The browser lets 0.575 through (no step) and the server plans it.
    with page.expect_response(
        lambda r: "legs-0-custom_gb=0.575" in (r.request.post_data or ""), timeout=SOLVE
    ) as answer:
        page.locator("#id_legs-0-custom_gb").fill("0.575")
        page.locator("#id_legs-0-custom_gb").press("Tab")
    # the answer may be "Planning…" first (the queue); the total follows by polling
    assert answer.value.ok
    expect(page.get_by_test_id("total")).to_be_visible(timeout=SOLVE)
    assert page.locator("#id_legs-0-custom_gb").evaluate("el => el.checkValidity()")

    page.locator("#id_legs-0-country").fill("Atlantis")
    page.locator("#id_legs-0-country").press("Tab")
    field = page.locator("#leg-0 .field").filter(has=page.locator("#id_legs-0-country"))
    expect(field).to_have_class("field field-error")
    expect(page.locator("#id_legs-0-country")).to_have_attribute("aria-invalid", "true")
    _shot(page, "field-in-red.png")
    page.locator("#id_legs-0-country").fill("France")
    page.locator("#id_legs-0-country").press("Tab")
    expect(page.get_by_test_id("total")).to_be_visible(timeout=SOLVE)
    expect(field).to_have_class("field")


def test_a_failed_htmx_request_says_so_in_the_result_pane(
    page: Page, live_server, sample_catalog, monkeypatch
):
    four_days_in_france(page, live_server)

    def broken(*args, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr("planner.views.plan_document", broken)
    page.locator("#id_legs-0-days").fill("5")
    page.locator("#id_legs-0-days").press("Tab")
    notice = page.locator("#result #request-failed")
    expect(notice).to_contain_text("This could not be updated", timeout=SOLVE)
    _shot(page, "request-failed.png")

    monkeypatch.undo()
    page.locator("#id_legs-0-days").fill("6")
    page.locator("#id_legs-0-days").press("Tab")
    expect(page.locator(".timeline > li")).to_have_count(6, timeout=SOLVE)
    expect(notice).to_have_count(0)

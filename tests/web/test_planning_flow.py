import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sample_catalog(transactional_db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def test_it_shows_planning_then_the_result_from_a_real_worker(
    page: Page, live_server, sample_catalog, settings, solve_worker, console_errors
):
    settings.PLANNER_WAIT = 0
    page.goto(live_server.url + "/?example=1")
    page.get_by_role("button", name="Find my plan").click()

    # queued, and no worker yet: the page says so at once and keeps asking
    expect(page.get_by_role("heading", name="Planning…")).to_be_visible()
    expect(page.locator("#result")).to_have_attribute("aria-busy", "true")
    page.wait_for_timeout(1200)
    expect(page.get_by_role("heading", name="Planning…")).to_be_visible()

    solve_worker()
    expect(page.get_by_test_id("total")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("proven cheapest")).to_be_visible()
    # the finished result replaced the poller: nothing asks again
    expect(page.locator("#result[hx-get]")).to_have_count(0)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.wait_for_timeout(1500)
    assert not [url for url in requests if "/planning/" in url]
    assert page.url == live_server.url + "/?example=1"
    assert console_errors == []


def test_a_change_while_a_button_has_the_focus_plans_and_presses_nothing(
    page: Page, live_server, sample_catalog, console_errors
):
    # htmx takes a focused button for the form's submitter: tabbing from the last
    # field of the only stop lands on "Add a stop", and the change that follows
    # posted action=add, whose answer (the form) replaced the result pane (issue 9).
    page.goto(live_server.url + "/")
    page.get_by_label("First day of the trip").fill("2026-06-01")
    page.locator("#id_legs-0-country").fill("France")
    page.locator("#id_legs-0-days").fill("4")
    page.locator("#id_legs-0-usage").select_option("custom")
    page.locator("#id_legs-0-custom_gb").fill("0.575")
    page.locator("#id_legs-0-custom_gb").press("Tab")
    expect(page.get_by_role("button", name="Add a stop")).to_be_focused()
    expect(page.get_by_test_id("total")).to_be_visible(timeout=20_000)
    expect(page.locator("#result")).to_have_count(1)
    expect(page.locator("form#trip-form")).to_have_count(1)
    expect(page.locator(".leg")).to_have_count(1)

    # The same onto "Save and get a link": the change plans, it does not save.
    with page.expect_response(lambda r: r.request.method == "POST", timeout=20_000) as answer:
        page.locator("#id_switch_penalty").fill("2")
        page.locator("#id_switch_penalty").press("Tab")
        page.keyboard.press("Tab")  # past "Find my plan"
        expect(page.get_by_role("button", name="Save and get a link")).to_be_focused()
    assert answer.value.url == live_server.url + "/"
    expect(page.get_by_test_id("total")).to_be_visible(timeout=20_000)
    assert page.url == live_server.url + "/"
    assert console_errors == []

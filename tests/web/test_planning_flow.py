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

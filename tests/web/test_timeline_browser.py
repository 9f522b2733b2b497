"""The day-by-day list in Chromium: a date that carries its year ("Fri, Jan 1,
2027", "2027年1月1日周五") fits its column in every language at a phone's and a
desktop's width, never printed over by the country code beside it (the second
screens review, defect 1)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page

from planner.models import SavedTrip
from tests.planner.views.helpers import trip_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to keep the screenshots when a reviewer asks for them (not in the suite's runs).
SHOTS = os.environ.get("ROAMPLAN_SHOTS")

# Each row's date text, its country code and its bars, as the browser lays them out:
# the date's own glyphs (a Range), not its grid cell, which the text may overflow.
ROWS = """() => [...document.querySelectorAll('.timeline li')].map(li => {
  const [date, code, bars] = li.children;
  const range = document.createRange();
  range.selectNodeContents(date);
  const text = range.getBoundingClientRect(), cell = date.getBoundingClientRect();
  return {date: date.textContent.trim(), right: text.right, cellRight: cell.right,
          lines: range.getClientRects().length,
          code: code.getBoundingClientRect().left, codeRight: code.getBoundingClientRect().right,
          bars: bars.getBoundingClientRect().left};
})"""


@pytest.fixture
def new_year_trip(transactional_db) -> SavedTrip:
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    data = trip_data(legs=(("France", "10"),), start_date="2026-12-28", switch_penalty="3")
    assert Client().post("/save/", data).status_code == 302
    return SavedTrip.objects.get()


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
@pytest.mark.parametrize("width", [390, 1280])
def test_a_date_with_its_year_fits_beside_the_country(
    page: Page, live_server, new_year_trip, language, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + new_year_trip.get_absolute_url())
    rows = page.evaluate(ROWS)
    assert len(rows) == 10
    with_year = [r for r in rows if "2027" in r["date"]]
    assert len(with_year) == 6  # Jan 1 – 6 carry the year, Dec 28 – 31 do not
    for r in rows:
        assert r["right"] <= r["cellRight"] + 0.5, r  # the text stays in its cell
        assert r["right"] < r["code"], r  # ... and ends before the country code
        assert r["codeRight"] < r["bars"], r
        assert r["lines"] == 1, r  # on one line
    # one column for every row: the codes and the bars line up
    assert len({round(r["code"]) for r in rows}) == 1
    assert len({round(r["bars"]) for r in rows}) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.locator(".timeline").scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/daybyday-{language}-{width}.png", full_page=True)
        page.locator(".timeline").screenshot(path=f"{SHOTS}/daybyday-{language}-{width}-crop.png")

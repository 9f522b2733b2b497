"""Trips typed into the planner the way a traveller types them."""

from playwright.sync_api import Page, expect


def settled(page: Page) -> None:
    """Wait until htmx has no request running or queued (each edit re-plans)."""
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.wait_for_load_state("networkidle")


def fill_fragmenting_trip(page: Page) -> None:
    """Three short stops with only the price counting: the cheapest answer buys
    several eSIMs, and the result has a cost–eSIM trade-off to choose from."""
    page.get_by_label("First day of the trip").fill("2026-12-20")
    for i, (country, days) in enumerate([("France", 3), ("Switzerland", 3), ("United Kingdom", 2)]):
        if i > 0:
            page.get_by_role("button", name="Add a stop").click()
            expect(page.locator(f"#id_legs-{i}-country")).to_be_visible()
        page.locator(f"#id_legs-{i}-country").fill(country)
        page.locator(f"#id_legs-{i}-days").fill(str(days))
    page.get_by_label("Your home plan").select_option("sfr-5g-130")
    page.get_by_label("An extra eSIM to install is worth avoiding at").fill("0")

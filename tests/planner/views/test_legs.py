"""The leg buttons (`views.legs`): add, remove and move a leg without planning."""

import re

import pytest

from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db


def test_it_adds_a_leg_without_planning(client, sample_catalog):
    response = client.post(
        "/legs/", {**trip_data(), "action": "add"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="trip-form"')
    assert 'name="legs-3-country"' in html
    assert "autofocus" in html
    assert "errorlist" not in html


def test_it_removes_and_moves_legs(client, sample_catalog):
    html = client.post("/legs/", {**trip_data(), "action": "remove:0"}).content.decode()
    assert 'name="legs-2-country"' not in html
    assert re.search(r'name="legs-0-country" value="Switzerland"', html)

    html = client.post("/legs/", {**trip_data(), "action": "up:2"}).content.decode()
    assert re.search(r'name="legs-1-country" value="United Kingdom"', html)
    assert re.search(r'name="legs-2-country" value="Switzerland"', html)


def test_the_leg_buttons_post_to_the_leg_view_with_or_without_javascript(client, sample_catalog):
    html = client.get("/").content.decode()
    add = re.search(r'<button[^>]*value="add"[^>]*>', html).group(0)
    assert 'formaction="/legs/"' in add and 'hx-post="/legs/"' in add
    assert re.search(r'<form id="trip-form"[^>]*action="/"', html)


def test_it_edits_legs_without_judging_or_planning_the_trip(client, sample_catalog):
    data = {**trip_data(), "start_date": "", "action": "down:0"}
    response = client.post("/legs/", data)
    html = response.content.decode()
    assert response.context["form"].legs.total_form_count() == 3
    assert re.search(r'name="legs-1-country" value="France"', html)
    assert "errorlist" not in html and "Day by day" not in html


def test_a_leg_button_posted_to_the_planner_address_still_edits_legs(client, sample_catalog):
    # a page from before the buttons had their own address posts to "/"
    html = client.post("/", {**trip_data(), "action": "remove:1"}).content.decode()
    assert re.search(r'name="legs-1-country" value="United Kingdom"', html)
    assert "Day by day" not in html


def test_the_leg_view_refuses_a_get(client, sample_catalog):
    assert client.get("/legs/").status_code == 405

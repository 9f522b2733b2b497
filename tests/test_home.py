import pytest

pytestmark = pytest.mark.django_db


def test_it_renders_the_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Roamplan" in response.content


def test_it_renders_with_an_empty_catalog(client):
    # a fresh install before any import: the planner still opens
    response = client.get("/")
    assert response.status_code == 200
    assert b"How it works" in response.content
    # and the example, planned at once, says plainly that nothing covers it
    html = client.get("/?example=1").content.decode()
    assert 'name="legs-3-country"' in html
    assert "Days this plan cannot cover" in html
    assert "No plan in our catalog covers France." in html

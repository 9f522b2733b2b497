import pytest

pytestmark = pytest.mark.django_db


def test_it_renders_the_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Roamplan" in response.content


def test_it_renders_with_an_empty_catalog(client):
    # a fresh install before any import: the planner still opens
    response = client.get("/?example=1")
    assert response.status_code == 200
    assert b"How it works" in response.content

"""The header's currency switch (`views.set_currency`)."""

import re

import pytest

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def test_it_remembers_the_currency_chosen_in_the_header(client, sample_catalog):
    response = client.post("/currency/", {"currency": "GBP", "next": "/countries/"})
    assert response.status_code == 302
    assert response["Location"] == "/countries/"
    html = client.get("/").content.decode()
    form_select = re.search(r'<select name="currency" id="id_currency">(.*?)</select>', html, re.S)
    assert re.search(r'<option value="GBP" selected>GBP</option>', form_select.group(1))


def test_it_ignores_an_unknown_currency_and_a_foreign_next(client, sample_catalog):
    response = client.post("/currency/", {"currency": "XXX", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    form_select = re.search(r'<select name="currency" id="id_currency">(.*?)</select>', html, re.S)
    assert re.search(r'<option value="EUR" selected>EUR</option>', form_select.group(1))

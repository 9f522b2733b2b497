import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from catalog.document import CatalogError, dump_catalog, parse_catalog, where_to_buy
from catalog.importer import import_document
from catalog.models import Plan
from tests.catalog.documents import catalog_doc, operator_doc, plan_doc
from tests.catalog.factories import make_operator, make_plan, make_rates


def _doc(**plan_fields) -> dict:
    return catalog_doc(
        operators=[
            operator_doc(website="https://operator.example/", plans=[plan_doc(**plan_fields)])
        ]
    )


def test_it_reads_and_writes_back_a_buy_url():
    doc = parse_catalog(_doc(buy_url="https://operator.example/buy/plan-a?ref=roamplan"))
    assert doc.plans[0].buy_url == "https://operator.example/buy/plan-a?ref=roamplan"
    plan = dump_catalog(doc)["operators"][0]["plans"][0]
    assert plan["buy_url"] == "https://operator.example/buy/plan-a?ref=roamplan"
    assert plan["source_url"] == ""


def test_it_leaves_the_buy_url_empty_by_default():
    assert parse_catalog(_doc()).plans[0].buy_url == ""


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://operator.example/plan",
        "operator.example/buy",
        "https://",
        "data:text/html,<p>hi</p>",
        "https://operator.example/" + "a" * 500,
    ],
)
def test_it_refuses_a_buy_url_that_is_not_a_web_page(url):
    with pytest.raises(CatalogError) as info:
        parse_catalog(_doc(buy_url=url))
    problem = info.value.problems[0]
    assert (problem.operator, problem.plan, problem.field) == ("op-a", "plan-a", "buy_url")


@pytest.mark.django_db
def test_it_imports_changes_and_exports_the_buy_url(tmp_path):
    import_document(parse_catalog(_doc(buy_url="https://operator.example/a")))
    plan = Plan.objects.get(slug="plan-a")
    assert plan.buy_url == "https://operator.example/a"

    import_document(parse_catalog(_doc(buy_url="https://operator.example/b")))
    plan.refresh_from_db()
    assert plan.buy_url == "https://operator.example/b"
    change = plan.changes.get()
    assert change.before == {"buy_url": "https://operator.example/a"}
    assert change.after == {"buy_url": "https://operator.example/b"}

    out = tmp_path / "out.json"
    call_command("export_catalog", str(out))
    exported = json.loads(out.read_text())["operators"][0]["plans"][0]
    assert exported["buy_url"] == "https://operator.example/b"


@pytest.mark.django_db
def test_it_refuses_a_non_web_buy_url_in_the_admin_form():
    plan = make_plan(buy_url="javascript:alert(1)")
    with pytest.raises(ValidationError) as info:
        plan.full_clean()
    assert "buy_url" in info.value.message_dict
    plan.buy_url = "http://operator.example/buy"
    plan.full_clean()


@pytest.mark.django_db
def test_it_sends_the_traveller_to_the_plan_page_else_the_operator_website():
    operator = make_operator(website="https://operator.example/")
    assert make_plan(operator=operator, buy_url="https://operator.example/p").where_to_buy == (
        "https://operator.example/p"
    )
    assert make_plan(operator=operator).where_to_buy == "https://operator.example/"
    assert make_plan(operator=make_operator()).where_to_buy == ""


def test_it_never_links_to_a_website_that_is_not_http():
    assert where_to_buy("", "javascript:alert(1)") == ""
    assert where_to_buy("", "https://operator.example/") == "https://operator.example/"


@pytest.mark.django_db
def test_it_shows_the_buy_url_in_the_plan_admin(admin_client):
    make_rates()
    plan = make_plan(operator=make_operator(website="https://operator.example/"))
    url = f"/admin/catalog/plan/{plan.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert 'name="buy_url"' in html
    assert "Where to buy" in html


@pytest.mark.django_db
def test_it_shows_no_buy_link_for_a_plan_no_longer_offered(client):
    make_rates()
    operator = make_operator(website="https://operator.example/")
    offered = make_plan(operator=operator, buy_url="https://operator.example/a")
    retired = make_plan(operator=operator, buy_url="https://operator.example/b")
    Plan.objects.filter(pk=retired.pk).update(retired_at="2026-11-01T00:00:00Z")
    assert (
        'href="https://operator.example/a" target="_blank"'
        in client.get(offered.get_absolute_url()).content.decode()
    )
    assert (
        "https://operator.example/b" not in client.get(retired.get_absolute_url()).content.decode()
    )

import json
import time
from datetime import date
from decimal import Decimal

import pytest

from catalog.document import CatalogError, dump_catalog, format_decimal, parse_catalog
from planner.engine.model import EU_FAIR_USE, Network
from tests.catalog.documents import catalog_doc, coverage_entry, operator_doc, plan_doc


def _error(doc: dict) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        parse_catalog(doc)
    return info.value


def _one_plan(**fields) -> dict:
    return catalog_doc(operators=[operator_doc(plans=[plan_doc(**fields)])])


def test_it_parses_a_plan_with_defaults():
    doc = parse_catalog(_one_plan())
    plan = doc.plans[0]
    assert plan.price == Decimal("10")
    assert plan.operator == "op-a"
    assert plan.esim is True
    assert plan.max_devices == 1
    assert plan.coverage[0].countries == frozenset({"FR"})
    assert doc.rates.per_base["USD"] == Decimal("1.08")


def test_it_expands_regions_and_keeps_their_names():
    doc = parse_catalog(
        _one_plan(coverage=[coverage_entry(countries=["@NORDIC", "FI"], cap_gb=EU_FAIR_USE)])
    )
    entry = doc.plans[0].coverage[0]
    assert entry.countries == frozenset({"DK", "SE", "NO", "FI"})
    assert entry.regions == ("NORDIC",)
    assert entry.cap_gb == EU_FAIR_USE
    assert dump_catalog(doc)["operators"][0]["plans"][0]["coverage"][0]["countries"] == [
        "@NORDIC",
        "FI",
    ]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"pricee": "1"}, "pricee", "unknown key"),
        ({"price": 1.5}, "price", "JSON string"),
        ({"price": "-1"}, "price", "at least 0"),
        ({"price": "1.23456"}, "price", "decimal places"),
        ({"price": "1e3"}, "price", "not a decimal"),
        ({"validity_days": 0}, "validity_days", "at least 1"),
        ({"validity_days": True}, "validity_days", "whole number"),
        ({"currency": "ZZZ"}, "currency", "ISO 4217"),
        ({"currency": "GBP"}, "currency", "no exchange rate"),
        ({"verified_on": "2026-02-30"}, "verified_on", "not a valid date"),
        ({"verified_on": "01/02/2026"}, "verified_on", "ISO date"),
        ({"activation": "later"}, "activation", "not one of"),
        ({"name": "Plan\x00A"}, "name", "NUL"),
        ({"notes": "\ud800"}, "notes", "surrogate"),
        ({"coverage": []}, "coverage", "at least one"),
        ({"coverage": [coverage_entry(countries=["XX"])]}, "coverage[0].countries[0]", "ISO 3166"),
        (
            {"coverage": [coverage_entry(countries=["@ALPS"])]},
            "coverage[0].countries[0]",
            "unknown region",
        ),
        (
            {"coverage": [coverage_entry(), coverage_entry(countries=["DE", "FR"])]},
            "coverage[1].countries[1]",
            "already covered",
        ),
        ({"coverage": [coverage_entry(network="6G")]}, "coverage[0].network", "not one of"),
        ({"coverage": [coverage_entry(cap_gb="lots")]}, "coverage[0].cap_gb", "eu-fair-use"),
        (
            {
                "promotions": [
                    {"discount_percent": "101", "starts": "2026-01-01", "ends": "2026-01-02"}
                ]
            },
            "promotions[0].discount_percent",
            "at most 100",
        ),
        (
            {
                "promotions": [
                    {"discount_percent": "5", "starts": "2026-01-03", "ends": "2026-01-02"}
                ]
            },
            "promotions[0].ends",
            "before it starts",
        ),
        (
            {
                "promotions": [
                    {"discount_percent": "5", "starts": "2026-01-01", "ends": "2026-01-05"},
                    {"discount_percent": "5", "starts": "2026-01-05", "ends": "2026-01-09"},
                ]
            },
            "promotions",
            "overlap",
        ),
        (
            {"promotions": [{"discount_percent": "5", "starts": "2026-01-01"}]},
            "promotions[0].ends",
            "required",
        ),
        ({"price": "\u0661\u0662"}, "price", "not a decimal number"),
        ({"verified_on": "\u0662\u0660\u0662\u0666-01-01"}, "verified_on", "not an ISO date"),
        (
            {"available_from": "2026-02-01", "available_until": "2026-01-01"},
            "available_until",
            "before",
        ),
        ({"residents_only": "yes"}, "residents_only", "true or false"),
        ({"residents_only": 1}, "residents_only", "true or false"),
        ({"subscription": None}, "subscription", "true or false"),
        ({"subscription": 0}, "subscription", "true or false"),
        # the operator of _one_plan is a travel-eSIM brand: country null
        ({"residents_only": True}, "residents_only", "country null"),
    ],
)
def test_it_names_operator_plan_and_field_of_a_bad_plan(fields, field, words):
    error = _error(_one_plan(**fields))
    problem = error.problems[0]
    assert (problem.operator, problem.plan, problem.field) == ("op-a", "plan-a", field)
    assert words in problem.message
    assert f"field {field!r}" in str(error)


def test_it_names_the_operator_without_a_country_of_a_residents_only_plan():
    doc = catalog_doc(
        operators=[
            operator_doc(slug="fr-telco", country="FR", plans=[plan_doc(slug="ok")]),
            operator_doc(
                slug="brand",
                plans=[plan_doc(slug="contract", residents_only=True)],
            ),
        ]
    )
    (problem,) = _error(doc).problems
    assert (problem.operator, problem.plan, problem.field) == (
        "brand",
        "contract",
        "residents_only",
    )
    assert str(problem).startswith(
        "operator 'brand', plan 'contract', field 'residents_only': operator 'brand' has "
        "country null"
    )


def test_it_reads_and_writes_residents_only_and_subscription():
    doc = parse_catalog(
        catalog_doc(
            operators=[
                operator_doc(
                    country="FR",
                    kind="mno",
                    plans=[
                        plan_doc(slug="contract", residents_only=True, subscription=True),
                        plan_doc(slug="prepaid"),
                    ],
                )
            ]
        )
    )
    contract, prepaid = doc.plans
    assert (contract.residents_only, contract.subscription) == (True, True)
    assert (prepaid.residents_only, prepaid.subscription) == (False, False)
    written = dump_catalog(doc)["operators"][0]["plans"]
    assert [(p["residents_only"], p["subscription"]) for p in written] == [
        (True, True),
        (False, False),
    ]
    assert parse_catalog(json.loads(json.dumps(dump_catalog(doc)))) == doc


def test_it_accepts_kosovo_wherever_a_country_is():
    doc = parse_catalog(
        catalog_doc(
            regions={"BALKANS": ["AL", "RS", "XK"]},
            operators=[
                operator_doc(
                    slug="ipko",
                    country="XK",
                    kind="mno",
                    plans=[
                        plan_doc(coverage=[coverage_entry(countries=["XK"], network="5G")]),
                        plan_doc(
                            slug="balkans",
                            coverage=[coverage_entry(countries=["@BALKANS", "MK"])],
                        ),
                    ],
                )
            ],
        )
    )
    assert doc.operators[0].country == "XK"
    assert doc.plans[0].coverage[0].countries == frozenset({"XK"})
    assert "XK" in doc.regions["BALKANS"]
    assert doc.plans[1].coverage[0].countries == frozenset({"AL", "RS", "XK", "MK"})
    assert parse_catalog(json.loads(json.dumps(dump_catalog(doc)))) == doc


@pytest.mark.parametrize("code", ["xk", "XX", "EU", "UN", "ZZ", "IC", "QO", "KK", 44])
def test_it_refuses_what_is_not_a_country_code(code):
    problem = _error(_one_plan(coverage=[coverage_entry(countries=[code])])).problems[0]
    assert problem.field == "coverage[0].countries[0]"
    assert "ISO 3166-1 alpha-2" in problem.message


def test_it_rejects_a_missing_required_plan_key():
    doc = _one_plan()
    del doc["operators"][0]["plans"][0]["data_gb"]
    assert _error(doc).problems[0].field == "data_gb"


def test_it_rejects_duplicate_slugs():
    doc = catalog_doc(
        operators=[
            operator_doc(slug="a", plans=[plan_doc(slug="p")]),
            operator_doc(slug="b", plans=[plan_doc(slug="p")]),
            operator_doc(slug="a", plans=[]),
        ]
    )
    problems = _error(doc).problems
    assert [(p.operator, p.plan, p.field) for p in problems] == [
        ("b", "p", "slug"),
        ("a", None, "slug"),
    ]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format="esim-catalog/2"), "format"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["rates"].update(per_base={"EUR": "1.1"}), "rates.per_base.EUR"),
        (lambda d: d["rates"].update(per_base={"EUR": "1", "USD": "0"}), "rates.per_base.USD"),
        (lambda d: d["rates"].update(base="XYZ"), "rates.base"),
        (lambda d: d.update(regions={"NORDIC": ["DK", "DK"]}), "regions.NORDIC"),
        (lambda d: d.update(regions={"N" * 41: ["DK"]}), "regions." + "N" * 41),
        (lambda d: d["operators"][0].update(country="XX"), "country"),
        (lambda d: d["operators"][0].update(kind="telco"), "kind"),
        (lambda d: d["operators"][0].update(plan=[]), "plan"),
    ],
)
def test_it_rejects_bad_documents_naming_the_field(mutate, field):
    doc = catalog_doc()
    mutate(doc)
    assert _error(doc).problems[0].field == field


def test_it_reports_the_first_problem_of_every_plan():
    doc = catalog_doc(
        operators=[
            operator_doc(plans=[plan_doc(slug="a", price="x"), plan_doc(slug="b", price="-2")])
        ]
    )
    error = _error(doc)
    assert [p.plan for p in error.problems] == ["a", "b"]
    assert "and 1 more" in str(error)


def test_it_writes_back_what_it_reads():
    doc = parse_catalog(
        _one_plan(
            price="19.90",
            data_gb=None,
            daily_gb="0.500",
            promotions=[
                {
                    "name": "x",
                    "discount_percent": "10",
                    "starts": "2026-01-01",
                    "ends": "2026-01-31",
                }
            ],
            coverage=[coverage_entry(network="5G", overage_per_gb="2.5", cap_gb="3")],
        )
    )
    dumped = dump_catalog(doc)
    plan = dumped["operators"][0]["plans"][0]
    assert plan["price"] == "19.9"
    assert plan["daily_gb"] == "0.5"
    assert plan["coverage"][0]["network"] == Network.G5
    assert plan["promotions"][0]["starts"] == "2026-01-01"
    assert parse_catalog(json.loads(json.dumps(dumped))) == doc


def test_it_formats_decimals_shortest_and_exact():
    assert format_decimal(Decimal("20.0000")) == "20"
    assert format_decimal(Decimal("0.500")) == "0.5"
    assert format_decimal(Decimal("100")) == "100"
    assert format_decimal(Decimal("0.0000")) == "0"


def test_it_builds_the_engine_catalog():
    catalog = parse_catalog(_one_plan()).to_engine(version="v1")
    assert catalog.version == "v1"
    assert catalog.plan("plan-a").operator == "op-a"
    assert catalog.operators["op-a"].kind == "reseller"


def test_it_parses_every_shared_example(shared_dir):
    paths = sorted(shared_dir.glob("examples*/*/catalog.json"))
    assert any("examples-v2" in str(path) for path in paths)
    for path in paths:
        doc = parse_catalog(json.loads(path.read_text()))
        assert parse_catalog(dump_catalog(doc)) == doc, path


def test_it_parses_the_real_catalog_quickly(shared_dir):
    data = json.loads((shared_dir / "data/esimdb-de-at-cz-sk/catalog.json").read_text())
    # CPU time: on a machine shared with other work, wall time measures the neighbours
    started = time.process_time()
    doc = parse_catalog(data)
    assert time.process_time() - started < 3
    assert len(doc.plans) == 10317
    assert len(doc.operators) == 117
    assert doc.plans[0].verified_on == date(2025, 12, 8)

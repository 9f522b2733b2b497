import pytest

from catalog.document import parse_catalog
from catalog.importer import import_document
from catalog.store import catalog_version, forget_catalog
from catalog.store import offered_catalog as load_catalog
from tests.catalog.documents import catalog_doc, operator_doc, plan_doc
from tests.catalog.factories import (
    make_operator,
    make_plan,
    make_promotion,
    make_rates,
    make_version,
)

pytestmark = pytest.mark.django_db


def _catalog_of(n: int) -> dict:
    return catalog_doc(
        operators=[
            operator_doc(
                slug=f"op-{i}",
                plans=[
                    plan_doc(
                        slug=f"p-{i}-{j}",
                        promotions=[
                            {"discount_percent": "5", "starts": "2026-01-01", "ends": "2026-01-31"}
                        ],
                    )
                    for j in range(3)
                ],
            )
            for i in range(n)
        ]
    )


def test_it_loads_what_was_imported():
    doc = parse_catalog(_catalog_of(2))
    import_document(doc)
    catalog = load_catalog()
    assert set(catalog.plans) == set(doc.plans)
    assert catalog.rates == doc.rates
    assert catalog.version == catalog_version() != ""


def test_it_loads_offered_plans_only():
    make_rates()
    kept = make_plan(slug="kept")
    make_plan(slug="gone", retired_at="2026-01-01T00:00Z")
    make_promotion(plan=kept)
    make_version()
    assert [plan.slug for plan in load_catalog().plans] == ["kept"]


@pytest.mark.parametrize("n", [2, 6])
def test_it_loads_in_a_constant_number_of_queries(n, django_assert_num_queries):
    import_document(parse_catalog(_catalog_of(n)))
    # version, rate set + rates, regions, operators, coverage countries, coverage
    # entries, promotions, plans, and the version again
    with django_assert_num_queries(10):
        forget_catalog()
        assert len(load_catalog().plans) == 3 * n


def test_it_reuses_the_loaded_catalog_while_the_version_holds(django_assert_num_queries):
    import_document(parse_catalog(_catalog_of(2)))
    first = load_catalog()
    with django_assert_num_queries(1):
        assert load_catalog() is first
    import_document(parse_catalog(_catalog_of(3)))
    assert len(load_catalog().plans) == 9


def test_it_hands_the_engine_residents_only_subscriptions_and_kosovo():
    make_rates()
    contract = make_plan(
        slug="contract",
        operator=make_operator(slug="ipko", country="XK", kind="mno"),
        countries=("XK",),
        residents_only=True,
        subscription=True,
    )
    make_plan(slug="prepaid", countries=("XK", "RS"))
    make_version()
    catalog = load_catalog()
    plan = catalog.plan("contract")
    assert (plan.residents_only, plan.subscription) == (True, True)
    assert plan.coverage[0].countries == frozenset({"XK"})
    assert catalog.operators["ipko"].country == "XK"
    other = catalog.plan("prepaid")
    assert (other.residents_only, other.subscription) == (False, False)
    assert contract.operator.country == "XK"

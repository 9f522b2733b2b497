"""catalog/history.py: the one way admin and the importer record a plan's change."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from catalog import history
from catalog.document import parse_catalog
from catalog.importer import import_document
from catalog.models import Plan, PlanChange
from tests.catalog.documents import catalog_doc, operator_doc, plan_doc
from tests.catalog.factories import make_plan, make_user

pytestmark = pytest.mark.django_db


def test_a_change_holds_the_changed_terms_only_as_the_file_writes_them():
    plan = make_plan(price="10", countries=("FR",))
    before = history.snapshots([plan.pk])
    Plan.objects.filter(pk=plan.pk).update(price=Decimal("12.50"), retired_at=datetime.now(UTC))
    after = history.snapshots([plan.pk])[plan.pk]

    assert history.difference(
        before[plan.pk].plan, after.plan, was_retired=False, is_retired=after.retired
    ) == ({"price": "10", "retired": False}, {"price": "12.5", "retired": True})


def test_record_since_writes_one_row_per_changed_plan_and_none_for_the_others():
    user = make_user(staff=True)
    changed, untouched = make_plan(price="10"), make_plan(price="5")
    before = history.snapshots([changed.pk, untouched.pk])
    Plan.objects.filter(pk=changed.pk).update(validity_days=14)

    count = history.record_since(before, user=user, source=PlanChange.Source.ACTION)

    assert count == 1
    (row,) = PlanChange.objects.all()
    assert (row.plan_id, row.changed_by, row.source) == (changed.pk, user, "action")
    assert (row.before, row.after) == ({"validity_days": 7}, {"validity_days": 14})


def test_the_importer_records_through_the_same_rule():
    doc = catalog_doc(operators=[operator_doc(plans=[plan_doc(slug="a", price="10")])])
    import_document(parse_catalog(doc))
    again = catalog_doc(operators=[operator_doc(plans=[plan_doc(slug="a", price="11")])])

    import_document(parse_catalog(again), replace=True)

    (row,) = PlanChange.objects.all()
    assert (row.source, row.before, row.after) == ("import", {"price": "10"}, {"price": "11"})


def test_a_duplicate_is_a_retired_copy_with_its_coverage_under_a_free_slug():
    plan = make_plan(slug="trip", name="Trip", countries=("FR", "DE"))
    first, second = plan.duplicate(), plan.duplicate()

    assert [(p.slug, p.name) for p in (first, second)] == [
        ("trip-copy", "Trip (copy)"),
        ("trip-copy-2", "Trip (copy)"),
    ]
    assert first.retired_at is not None and plan.retired_at is None
    assert sorted(str(c.country) for c in first.coverage_countries.all()) == ["DE", "FR"]
    assert sorted(str(c.country) for c in plan.coverage_countries.all()) == ["DE", "FR"]

"""`PlanChange` records: what a change of a plan's price or terms looked like before
and after, written the same way by admin (edits and actions), the importer and the
feed API (which goes through the importer).

A record holds the changed fields only, each side as the catalog file writes it
(`dump_plan`), plus `retired` when the plan was retired or offered again.
"""

from collections.abc import Iterable

from django.utils import timezone

from catalog import store
from catalog.document import dump_plan
from catalog.models import Plan, PlanChange
from planner.engine import model as engine

BATCH = 1000


def term_changes(before: engine.Plan, after: engine.Plan) -> tuple[dict, dict]:
    """The fields that differ, each side as the catalog file writes it."""
    old, new = dump_plan(before, {}), dump_plan(after, {})
    if before.operator != after.operator:
        old["operator"], new["operator"] = before.operator, after.operator
    keys = [key for key in new if old.get(key) != new.get(key)]
    return {key: old.get(key) for key in keys}, {key: new.get(key) for key in keys}


def difference(
    before: engine.Plan, after: engine.Plan, *, was_retired: bool, is_retired: bool
) -> tuple[dict, dict]:
    """The change record's two sides: the changed terms, and `retired` if that changed."""
    old, new = term_changes(before, after)
    if was_retired != is_retired:
        old["retired"], new["retired"] = was_retired, is_retired
    return old, new


def record(
    changes: Iterable[tuple[int, dict, dict]], *, user, source: PlanChange.Source, at=None
) -> int:
    """Write one `PlanChange` per (plan id, before, after) that changed something, all
    at the same moment (`at`, now by default); return how many."""
    now = at or timezone.now()
    rows = [
        PlanChange(
            plan_id=pk, changed_at=now, changed_by=user, source=source, before=old, after=new
        )
        for pk, old, new in changes
        if old or new
    ]
    PlanChange.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def snapshots(pks: Iterable[int]) -> dict[int, store.StoredPlan]:
    """The plans' terms now, coverage and promotions included, to compare after a change."""
    return {stored.pk: stored for stored in store.plans(Plan.objects.filter(pk__in=list(pks)))}


def record_since(before: dict[int, store.StoredPlan], *, user, source: PlanChange.Source) -> int:
    """Write a `PlanChange` for every plan whose terms now differ from `before`."""
    after = snapshots(before)
    return record(
        (
            (
                pk,
                *difference(
                    old.plan, after[pk].plan, was_retired=old.retired, is_retired=after[pk].retired
                ),
            )
            for pk, old in before.items()
        ),
        user=user,
        source=source,
    )

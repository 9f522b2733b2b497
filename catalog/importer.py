"""Import a validated catalog document: first what would change, then, on request, change it.

The whole document is validated before anything is written (catalog.document), and
everything is written in one transaction with bulk statements, so a 10k-plan file
imports in seconds and a bad file leaves the database as it was.
"""

import json
from dataclasses import dataclass, field
from itertools import batched

from django.db import connections, router, transaction
from django.utils import timezone

from catalog import history, store
from catalog.document import (
    PLAN_TERMS,
    PROMOTION_TERMS,
    CatalogDocument,
    CatalogError,
    Problem,
    format_decimal,
)
from catalog.models import (
    CatalogVersion,
    CoverageCountry,
    CoverageEntry,
    Operator,
    Plan,
    PlanChange,
    Promotion,
    Rate,
    RateSet,
    Region,
)
from planner.engine import model as engine

BATCH = 1000
# Ids in one `IN (...)`: SQLite before 3.32 allows 999 parameters a statement.
IDS = 500


@dataclass(frozen=True)
class PlanUpdate:
    pk: int
    before: engine.Plan
    after: engine.Plan
    was_retired: bool

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """The Plan columns to write: the scalar terms that differ, and more if needed."""
        fields = [f for f in PLAN_TERMS if getattr(self.before, f) != getattr(self.after, f)]
        if self.before.operator != self.after.operator:
            fields.append("operator")
        if self.was_retired:
            fields.append("retired_at")
        return tuple(fields)

    @property
    def terms_of_children_changed(self) -> bool:
        return (self.before.coverage, self.before.promotions) != (
            self.after.coverage,
            self.after.promotions,
        )

    @property
    def price_changed(self) -> bool:
        return (self.before.price, self.before.currency) != (self.after.price, self.after.currency)

    @property
    def field_changes(self) -> list[tuple[str, str, str]]:
        """Every changed term, coverage and promotions included, as (field, before,
        after) in the file's notation, so the preview hides nothing."""
        before, after = history.term_changes(self.before, self.after)
        rows = [(key, _shown(before.get(key)), _shown(after.get(key))) for key in after]
        if self.was_retired:
            rows.append(("retired", "true", "false"))
        return rows


def _shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass
class ImportPreview:
    """What applying a document would change, computed against the database as it is now."""

    doc: CatalogDocument
    replace: bool
    added: list[engine.Plan] = field(default_factory=list)
    updated: list[PlanUpdate] = field(default_factory=list)
    retired: list[store.StoredPlan] = field(default_factory=list)
    operators_added: list[engine.Operator] = field(default_factory=list)
    operators_updated: list[tuple[int, engine.Operator]] = field(default_factory=list)
    operators_retired: list[tuple[int, engine.Operator]] = field(default_factory=list)
    rates_changed: bool = False
    regions_changed: bool = False
    existing_operator_ids: dict[str, int] = field(default_factory=dict)
    # what the preview compares against, to show each change before and after
    rates_before: engine.Rates | None = None
    regions_before: dict[str, frozenset[str]] = field(default_factory=dict)
    operators_before: dict[str, engine.Operator] = field(default_factory=dict)
    offered_before: int = 0

    @property
    def repriced(self) -> list[PlanUpdate]:
        return [update for update in self.updated if update.price_changed]

    def sweeping(self, percent: int) -> bool:
        """Whether it retires or reprices more than `percent` % of the plans on offer:
        such an import needs a second, explicit confirmation in admin."""
        touched = len(self.retired) + len(self.repriced)
        return touched > 0 and touched * 100 > percent * max(self.offered_before, 1)

    @property
    def rate_changes(self) -> list[tuple[str, str, str]]:
        old = dict(self.rates_before.per_base) if self.rates_before else {}
        new = dict(self.doc.rates.per_base)
        return [
            (code, _rate(old.get(code)), _rate(new.get(code)))
            for code in sorted(old.keys() | new.keys())
            if old.get(code) != new.get(code)
        ]

    @property
    def region_changes(self) -> list[tuple[str, str, str]]:
        old, new = self.regions_before, self.doc.regions
        names = old.keys() | new.keys() if self.replace else new.keys()
        return [
            (name, " ".join(sorted(old.get(name, ()))), " ".join(sorted(new.get(name, ()))))
            for name in sorted(names)
            if old.get(name) != new.get(name)
        ]

    @property
    def operator_changes(self) -> list[tuple[engine.Operator, list[tuple[str, str, str]]]]:
        rows = []
        for _pk, op in self.operators_updated:
            old = self.operators_before.get(op.slug)
            fields = [
                (name, str(getattr(old, name) or ""), str(getattr(op, name) or ""))
                for name in ("name", "country", "kind", "website")
                if old is not None and getattr(old, name) != getattr(op, name)
            ]
            rows.append((op, fields or [("retired", "true", "false")]))
        return rows

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.retired
            or self.operators_added
            or self.operators_updated
            or self.operators_retired
            or self.rates_changed
            or self.regions_changed
        )

    @property
    def residents_only_count(self) -> int:
        return sum(plan.residents_only for plan in self.doc.plans)

    @property
    def subscription_count(self) -> int:
        return sum(plan.subscription for plan in self.doc.plans)

    @property
    def summary(self) -> str:
        if not self.changes_anything:
            return "no change"
        parts = [
            f"{len(self.added)} plan(s) added",
            f"{len(self.updated)} changed",
            f"{len(self.retired)} retired",
            f"{len(self.operators_added)} operator(s) added",
            f"{len(self.operators_updated)} changed",
            f"{len(self.operators_retired)} retired",
        ]
        if self.rates_changed:
            parts.append("new exchange rates")
        if self.regions_changed:
            parts.append("regions changed")
        return ", ".join(parts)


def check_rates(doc: CatalogDocument, *, replace: bool = False) -> None:
    """The file's rates come into force: refuse them (CatalogError) unless they price
    every plan still offered afterwards, the stored plans the file leaves alone too."""
    per_base = doc.rates.per_base
    missing: dict[str, str] = {}  # currency: a plan that needs it
    for plan in doc.plans:
        for code in engine.rates_needed(plan) - per_base.keys():
            missing.setdefault(code, plan.slug)
    if not replace:
        kept = Plan.objects.offered().exclude(slug__in=[plan.slug for plan in doc.plans])
        for code in kept.rates_needed() - per_base.keys() - missing.keys():
            example = kept.filter(currency=code).first() or kept.unpriced(per_base).first()
            missing[code] = example.slug if example else ""
    if missing:
        codes = sorted(missing)
        examples = ", ".join(f"{code} (plan {missing[code]!r})" for code in codes)
        raise CatalogError(
            [
                Problem(
                    "rates.per_base",
                    f"has no rate for {', '.join(codes)}, which offered plans need: {examples}",
                )
            ]
        )


def preview_import(doc: CatalogDocument, *, replace: bool = False) -> ImportPreview:
    check_rates(doc, replace=replace)
    preview = ImportPreview(doc=doc, replace=replace)

    in_force = store.rates_in_force()
    preview.rates_before = in_force
    preview.offered_before = Plan.objects.offered().count()
    preview.rates_changed = in_force is None or (
        in_force.base,
        in_force.as_of,
        dict(in_force.per_base),
    ) != (doc.rates.base, doc.rates.as_of, dict(doc.rates.per_base))
    current_regions = store.regions()
    preview.regions_before = current_regions
    if replace:
        preview.regions_changed = current_regions != doc.regions
    else:
        preview.regions_changed = any(current_regions.get(k) != v for k, v in doc.regions.items())

    existing_ops = {op.slug: (pk, op, retired) for pk, op, retired in store.operators()}
    preview.existing_operator_ids = {slug: pk for slug, (pk, _, _) in existing_ops.items()}
    preview.operators_before = {slug: op for slug, (_, op, _) in existing_ops.items()}
    file_ops = {op.slug for op in doc.operators}
    for op in doc.operators:
        if op.slug not in existing_ops:
            preview.operators_added.append(op)
        else:
            pk, old, retired = existing_ops[op.slug]
            if old != op or retired:
                preview.operators_updated.append((pk, op))
    if replace:
        preview.operators_retired = [
            (pk, op)
            for slug, (pk, op, retired) in existing_ops.items()
            if slug not in file_ops and not retired
        ]

    existing = {stored.plan.slug: stored for stored in store.plans(Plan.objects.all())}
    file_plans = {plan.slug for plan in doc.plans}
    for plan in doc.plans:
        stored = existing.get(plan.slug)
        if stored is None:
            preview.added.append(plan)
        elif stored.plan != plan or stored.retired:
            preview.updated.append(
                PlanUpdate(pk=stored.pk, before=stored.plan, after=plan, was_retired=stored.retired)
            )
    if replace:
        preview.retired = [
            stored
            for slug, stored in existing.items()
            if slug not in file_plans and not stored.retired
        ]
    else:
        stranded = _residents_only_without_a_country(preview, existing.values(), file_plans)
        if stranded:
            raise CatalogError(stranded)
    return preview


def _residents_only_without_a_country(
    preview: ImportPreview, stored_plans, file_plans: set[str]
) -> list[Problem]:
    """Plans kept from before (not in the file, not retired) that are residents-only
    under an operator the file leaves without a country: the parser cannot see them."""
    countryless = {op.slug for _pk, op in preview.operators_updated if op.country is None}
    return [
        Problem(
            "country",
            f"is null, but its plan {stored.plan.slug!r} (offered, not in this file) is "
            "residents_only: keep the operator's country, or list that plan with "
            "residents_only false",
            operator=stored.plan.operator,
        )
        for stored in stored_plans
        if stored.plan.operator in countryless
        and stored.plan.residents_only
        and not stored.retired
        and stored.plan.slug not in file_plans
    ]


def import_document(
    doc: CatalogDocument,
    *,
    replace: bool = False,
    user=None,
    note: str = "import",
    sample: bool = False,
) -> ImportPreview:
    """Preview and apply in one transaction; the database is untouched when nothing differs."""
    with transaction.atomic():
        preview = preview_import(doc, replace=replace)
        apply_import(preview, user=user, note=note, sample=sample)
    return preview


@transaction.atomic
def apply_import(
    preview: ImportPreview, *, user=None, note: str = "import", sample: bool = False
) -> CatalogVersion | None:
    # Same content, same catalog: the version (and whether it is sample data) stays.
    if not preview.changes_anything:
        return None
    now = timezone.now()
    doc = preview.doc

    if preview.regions_changed:
        _write_regions(doc.regions, replace=preview.replace)
    if preview.rates_changed:
        rate_set = RateSet.objects.create(base=doc.rates.base, as_of=doc.rates.as_of)
        Rate.objects.bulk_create(
            Rate(rate_set=rate_set, currency=code, per_base=rate)
            for code, rate in doc.rates.per_base.items()
        )

    operator_ids = dict(preview.existing_operator_ids)
    created = Operator.objects.bulk_create(
        [_operator_row(op) for op in preview.operators_added], batch_size=BATCH
    )
    operator_ids.update({op.slug: op.pk for op in created})
    if preview.operators_updated:
        rows = []
        for pk, op in preview.operators_updated:
            row = _operator_row(op)
            row.pk = pk
            rows.append(row)
        Operator.objects.bulk_update(
            rows, ["name", "country", "kind", "website", "retired_at"], batch_size=BATCH
        )
    if preview.operators_retired:
        Operator.objects.filter(pk__in=[pk for pk, _ in preview.operators_retired]).update(
            retired_at=now
        )

    new_plans = Plan.objects.bulk_create(
        [_plan_row(plan, operator_ids) for plan in preview.added], batch_size=BATCH
    )
    _update_plans(preview.updated, operator_ids)
    rewritten = [u for u in preview.updated if u.terms_of_children_changed]
    for batch in batched([u.pk for u in rewritten], IDS):
        # Coverage and promotions of a plan whose coverage or promotions changed are
        # rewritten whole: they have no identity of their own worth matching row by row.
        CoverageCountry.objects.filter(plan_id__in=batch).delete()
        CoverageEntry.objects.filter(plan_id__in=batch).delete()
        Promotion.objects.filter(plan_id__in=batch).delete()
    _write_children(
        [(row.pk, plan) for row, plan in zip(new_plans, preview.added, strict=True)]
        + [(u.pk, u.after) for u in rewritten]
    )

    if preview.retired:
        for batch in batched([stored.pk for stored in preview.retired], IDS):
            Plan.objects.filter(pk__in=batch).update(retired_at=now)

    changes = [
        (u.pk, *history.difference(u.before, u.after, was_retired=u.was_retired, is_retired=False))
        for u in preview.updated
    ]
    changes.extend((stored.pk, {"retired": False}, {"retired": True}) for stored in preview.retired)
    history.record(changes, user=user, source=PlanChange.Source.IMPORT, at=now)

    return CatalogVersion.bump(f"{note}: {preview.summary}", user=user, sample=sample)


def _rate(value) -> str:
    return "—" if value is None else format_decimal(value)


def _update_plans(updates: list[PlanUpdate], operator_ids: dict[str, int]) -> None:
    # One parameterised UPDATE per set of changed columns, run with executemany:
    # bulk_update builds a CASE expression per row and column in Python, which took
    # a minute for a price change across the 10k-plan catalog; this takes seconds.
    groups: dict[tuple[str, ...], list[Plan]] = {}
    for update in updates:
        fields = update.changed_fields
        if fields:
            row = _plan_row(update.after, operator_ids)
            row.pk = update.pk
            groups.setdefault(fields, []).append(row)
    connection = connections[router.db_for_write(Plan)]
    quote = connection.ops.quote_name
    for names, rows in groups.items():
        fields = [Plan._meta.get_field(name) for name in names]
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = f"UPDATE {quote(Plan._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
        params = [
            [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
            + [row.pk]
            for row in rows
        ]
        with connection.cursor() as cursor:
            for batch in batched(params, BATCH):
                cursor.executemany(sql, batch)


def _write_regions(regions: dict[str, frozenset[str]], *, replace: bool) -> None:
    existing = {region.name: region for region in Region.objects.all()}
    for name, countries in regions.items():
        region = existing.get(name) or Region(name=name)
        region.countries = sorted(countries)
        region.save()
    if replace:
        Region.objects.exclude(name__in=list(regions)).delete()


def _operator_row(op: engine.Operator) -> Operator:
    return Operator(
        slug=op.slug,
        name=op.name,
        country=op.country or None,
        kind=op.kind.value,
        website=op.website,
        retired_at=None,
    )


def _plan_row(plan: engine.Plan, operator_ids: dict[str, int]) -> Plan:
    values = {name: getattr(plan, name) for name in PLAN_TERMS}
    values["activation"] = plan.activation.value
    return Plan(slug=plan.slug, operator_id=operator_ids[plan.operator], retired_at=None, **values)


def _write_children(plans: list[tuple[int, engine.Plan]]) -> None:
    entries, entry_countries, promotions = [], [], []
    for plan_id, plan in plans:
        for position, coverage in enumerate(plan.coverage):
            fair_use = coverage.cap_gb == engine.EU_FAIR_USE
            entries.append(
                CoverageEntry(
                    plan_id=plan_id,
                    position=position,
                    network=coverage.network.value,
                    cap_gb=None if fair_use else coverage.cap_gb,
                    eu_fair_use=fair_use,
                    overage_per_gb=coverage.overage_per_gb,
                    regions=" ".join(coverage.regions),
                )
            )
            entry_countries.append(sorted(coverage.countries))
        promotions.extend(
            Promotion(plan_id=plan_id, **{term: getattr(promo, term) for term in PROMOTION_TERMS})
            for promo in plan.promotions
        )
    entries = CoverageEntry.objects.bulk_create(entries, batch_size=BATCH)
    CoverageCountry.objects.bulk_create(
        (
            CoverageCountry(entry_id=entry.pk, plan_id=entry.plan_id, country=country)
            for entry, countries in zip(entries, entry_countries, strict=True)
            for country in countries
        ),
        batch_size=BATCH,
    )
    Promotion.objects.bulk_create(promotions, batch_size=BATCH)

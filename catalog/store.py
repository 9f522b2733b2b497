"""The catalog tables as the engine's dataclasses, in a fixed number of queries, and
the catalog on offer kept per process by version (`offered_catalog`).

Rows are read with `values_list` rather than as model instances: the planner loads
all 10k plans of the real catalog on a cold cache, and building model instances
first would double the work for nothing.

Loading 10k plans takes a few hundred milliseconds, so the loaded catalog is kept
per process and reused while the catalog version is the same: one query per call
when nothing changed. It lives here, in the catalog app, so that both apps read it
without `catalog` importing `planner` (the import-linter contracts in pyproject).
"""

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import QuerySet

from catalog.document import (
    PLAN_TERMS,
    PROMOTION_TERMS,
    CatalogDocument,
    dump_catalog,
)
from catalog.models import (
    CatalogVersion,
    CoverageCountry,
    CoverageEntry,
    Operator,
    Plan,
    Promotion,
    RateSet,
    Region,
)
from planner.engine import model as engine

_PLAN_FIELDS = ("pk", "slug", "operator__slug", *PLAN_TERMS)


@dataclass(frozen=True)
class StoredPlan:
    pk: int
    plan: engine.Plan
    retired: bool  # the plan's own retirement; a retired operator hides it too


def rates_in_force() -> engine.Rates | None:
    rate_set = RateSet.objects.in_force()
    if rate_set is None:
        return None
    return engine.Rates(base=rate_set.base, per_base=rate_set.per_base, as_of=rate_set.as_of)


def rates_or_default() -> engine.Rates:
    """The rates the planner uses: those in force, or EUR alone before any set exists."""
    return rates_in_force() or engine.Rates(base="EUR", per_base={"EUR": Decimal(1)})


def regions() -> dict[str, frozenset[str]]:
    return {
        region.name: frozenset(str(c) for c in region.countries) for region in Region.objects.all()
    }


def operators(queryset: QuerySet | None = None) -> list[tuple[int, engine.Operator, bool]]:
    rows = (queryset if queryset is not None else Operator.objects.all()).values_list(
        "pk", "slug", "name", "country", "kind", "website", "retired_at"
    )
    return [
        (
            pk,
            engine.Operator(
                slug=slug,
                name=name,
                country=country or None,
                kind=engine.OperatorKind(kind),
                website=website,
            ),
            retired_at is not None,
        )
        for pk, slug, name, country, kind, website, retired_at in rows
    ]


def plans(queryset: QuerySet) -> list[StoredPlan]:
    """The plans of `queryset` with their coverage and promotions: four queries."""
    plan_ids = queryset.values("pk")
    countries: dict[int, set[str]] = defaultdict(set)
    for entry_id, country in CoverageCountry.objects.filter(plan__in=plan_ids).values_list(
        "entry_id", "country"
    ):
        countries[entry_id].add(country)

    coverage: dict[int, list[engine.Coverage]] = defaultdict(list)
    for entry_id, plan_id, network, cap_gb, eu_fair_use, overage, region_names in (
        CoverageEntry.objects.filter(plan__in=plan_ids)
        .order_by("plan_id", "position", "pk")
        .values_list(
            "pk", "plan_id", "network", "cap_gb", "eu_fair_use", "overage_per_gb", "regions"
        )
    ):
        coverage[plan_id].append(
            engine.Coverage(
                countries=frozenset(countries[entry_id]),
                network=engine.Network(network),
                cap_gb=engine.EU_FAIR_USE if eu_fair_use else cap_gb,
                overage_per_gb=overage,
                regions=tuple(region_names.split()),
            )
        )

    promotions: dict[int, list[engine.Promotion]] = defaultdict(list)
    for plan_id, *terms in (
        Promotion.objects.filter(plan__in=plan_ids)
        .order_by("plan_id", "starts", "ends")
        .values_list("plan_id", *PROMOTION_TERMS)
    ):
        promotions[plan_id].append(
            engine.Promotion(**dict(zip(PROMOTION_TERMS, terms, strict=True)))
        )

    rows = queryset.order_by("operator__name", "operator__slug", "slug").values_list(
        *_PLAN_FIELDS, "retired_at"
    )
    stored = []
    for row in rows:
        values = dict(zip(_PLAN_FIELDS, row, strict=False))
        pk = values.pop("pk")
        values["operator"] = values.pop("operator__slug")
        values["activation"] = engine.Activation(values["activation"])
        plan = engine.Plan(
            **values,
            coverage=tuple(coverage[pk]),
            promotions=tuple(promotions[pk]),
        )
        stored.append(StoredPlan(pk=pk, plan=plan, retired=row[-1] is not None))
    return stored


def engine_plan(row: Plan, catalog: engine.Catalog) -> engine.Plan:
    """A plan row as the engine's `Plan`: from `catalog` (the offered one) when it is
    there, else (a retired or unpriced plan) read from the tables in four queries."""
    offered = catalog.plan(row.slug)
    return offered or plans(Plan.objects.filter(pk=row.pk))[0].plan


def offered_document(operator_ids: list[int] | None = None) -> CatalogDocument:
    """What is on offer now: the document export writes and the planner loads; with
    `operator_ids`, only those operators and their plans (admin's export action)."""
    ops, offered = Operator.objects.active(), Plan.objects.offered()
    if operator_ids is not None:
        ops, offered = ops.filter(pk__in=operator_ids), offered.filter(operator__in=operator_ids)
    return CatalogDocument(
        rates=rates_or_default(),
        regions=regions(),
        operators=tuple(op for _, op, _ in operators(ops)),
        plans=tuple(stored.plan for stored in plans(offered)),
    )


def catalog_text(operator_ids: list[int] | None = None) -> str:
    """The offered catalog as the file `export_catalog` and admin's export write."""
    return (
        json.dumps(dump_catalog(offered_document(operator_ids)), indent=1, ensure_ascii=False)
        + "\n"
    )


# --- the catalog on offer, kept per process by version

_lock = threading.Lock()
_cached: tuple[str, bool, engine.Catalog] | None = None


def _current() -> tuple[str, bool]:
    row = CatalogVersion.objects.order_by("-pk").values_list("pk", "token", "sample").first()
    return (f"{row[0]}-{row[1]}", row[2]) if row else ("", False)


def catalog_version() -> str:
    return _current()[0]


def catalog_state() -> tuple[engine.Catalog, bool]:
    """The catalog on offer and whether it is the shipped sample, in one query when warm."""
    global _cached
    version, sample = _current()
    cached = _cached
    if cached is not None and cached[0] == version and version:
        return cached[2], cached[1]
    catalog = priced(offered_document()).to_engine(version=version)
    # An import that committed while we read may have mixed two versions' rows;
    # such a catalog serves this request but is not kept for the next ones.
    if _current()[0] == version:
        with _lock:
            _cached = (version, sample, catalog)
    return catalog, sample


def offered_catalog() -> engine.Catalog:
    """The catalog on offer as the engine's `Catalog`: what the planner plans with."""
    return catalog_state()[0]


def priced(doc: CatalogDocument) -> CatalogDocument:
    """The document without the plans its rates cannot price: one plan whose currency
    lost its rate must not take every request down (admin warns about them)."""
    plans = tuple(plan for plan in doc.plans if not doc.rates.missing_for(plan))
    return doc if len(plans) == len(doc.plans) else replace(doc, plans=plans)


def catalog_is_sample() -> bool:
    """Whether the catalog in force is the shipped sample, which pages must say."""
    return _current()[1]


def forget_catalog() -> None:
    global _cached
    with _lock:
        _cached = None

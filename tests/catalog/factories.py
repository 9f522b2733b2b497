"""Keyword-only factories for catalog rows in the database."""

import itertools
import json
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import (
    CatalogVersion,
    CoverageCountry,
    CoverageEntry,
    Operator,
    Plan,
    Promotion,
    Rate,
    RateSet,
)

_serial = itertools.count(1)


def make_operator(*, slug: str | None = None, name: str = "", **fields) -> Operator:
    n = next(_serial)
    return Operator.objects.create(
        slug=slug or f"operator-{n}",
        name=name or f"Operator {n}",
        kind=fields.pop("kind", "reseller"),
        **fields,
    )


def make_plan(
    *,
    operator: Operator | None = None,
    slug: str | None = None,
    name: str = "",
    price: str | Decimal = "10",
    currency: str = "EUR",
    validity_days: int = 7,
    data_gb: str | Decimal | None = "5",
    countries: tuple[str, ...] = ("FR",),
    network: str = "4G",
    **fields,
) -> Plan:
    n = next(_serial)
    plan = Plan.objects.create(
        operator=operator or make_operator(),
        slug=slug or f"plan-{n}",
        name=name or f"Plan {n}",
        price=Decimal(price),
        currency=currency,
        validity_days=validity_days,
        data_gb=None if data_gb is None else Decimal(data_gb),
        **fields,
    )
    if countries:
        add_coverage(plan=plan, countries=countries, network=network)
    return plan


def add_coverage(
    *, plan: Plan, countries: tuple[str, ...], network: str = "4G", **fields
) -> CoverageEntry:
    entry = CoverageEntry.objects.create(
        plan=plan, position=plan.coverage_entries.count(), network=network, **fields
    )
    CoverageCountry.objects.bulk_create(
        CoverageCountry(entry=entry, plan=plan, country=country) for country in countries
    )
    return entry


def make_promotion(
    *,
    plan: Plan,
    starts: date = date(2026, 6, 1),
    ends: date = date(2026, 6, 30),
    discount_percent: str = "10",
    **fields,
) -> Promotion:
    return Promotion.objects.create(
        plan=plan, starts=starts, ends=ends, discount_percent=Decimal(discount_percent), **fields
    )


def make_rates(*, base: str = "EUR", per_base: dict | None = None, **fields) -> RateSet:
    rate_set = RateSet.objects.create(base=base, **fields)
    for code, rate in (per_base or {"EUR": "1", "USD": "1.08"}).items():
        Rate.objects.create(rate_set=rate_set, currency=code, per_base=Decimal(rate))
    return rate_set


def make_version(*, sample: bool = False, note: str = "test") -> CatalogVersion:
    return CatalogVersion.bump(note, sample=sample)


def make_user(*, staff=False, superuser=False, editor=False) -> User:
    user = User.objects.create_user(
        username=f"u{User.objects.count()}", password="pw", is_staff=staff or superuser
    )
    user.is_superuser = superuser
    user.save()
    if editor:
        user.groups.add(Group.objects.get(name="catalog editor"))
    return user


def upload_catalog(client, doc: dict, *, replace=False):
    """POST a catalog document to the admin upload, as a file."""
    file = SimpleUploadedFile("catalog.json", json.dumps(doc).encode(), "application/json")
    return client.post(
        reverse("admin:catalog_catalogimport_add"),
        {"file": file, **({"replace": "on"} if replace else {})},
    )


def admin_formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def plan_post(plan: Plan, **fields) -> dict:
    """The admin change form of `plan` as a browser posts it, with `fields` changed."""
    entry = plan.coverage_entries.get()
    data = {
        "operator": plan.operator_id,
        "slug": plan.slug,
        "name": plan.name,
        "price": str(plan.price),
        "currency": plan.currency,
        "vat_percent": "0",
        "validity_days": str(plan.validity_days),
        "data_gb": str(plan.data_gb),
        "max_devices": "1",
        "activation": "first_use",
        "esim": "on",
        **admin_formset(
            "coverage_entries",
            [
                {
                    "id": entry.pk,
                    "plan": plan.pk,
                    "position": "0",
                    "countries": "FR",
                    "network": "4G",
                }
            ],
            initial=1,
        ),
        **admin_formset("promotions", []),
        **admin_formset("changes", []),
    }
    data.update(fields)
    return data

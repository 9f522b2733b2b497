"""Keyword-only builders of catalog documents (plain dicts in the file format)."""

from typing import Any


def coverage_entry(
    *, countries: list[str] | None = None, network: str = "4G", **extra: Any
) -> dict:
    return {"countries": countries or ["FR"], "network": network, **extra}


def plan_doc(
    *,
    slug: str = "plan-a",
    name: str = "Plan A",
    price: str = "10",
    currency: str = "EUR",
    validity_days: int = 7,
    data_gb: str | None = "5",
    coverage: list[dict] | None = None,
    **extra: Any,
) -> dict:
    return {
        "slug": slug,
        "name": name,
        "price": price,
        "currency": currency,
        "validity_days": validity_days,
        "data_gb": data_gb,
        "coverage": coverage if coverage is not None else [coverage_entry()],
        **extra,
    }


def operator_doc(
    *,
    slug: str = "op-a",
    name: str = "Operator A",
    kind: str = "reseller",
    country: str | None = None,
    plans: list[dict] | None = None,
    **extra: Any,
) -> dict:
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "country": country,
        "plans": plans if plans is not None else [plan_doc()],
        **extra,
    }


def catalog_doc(
    *,
    operators: list[dict] | None = None,
    regions: dict | None = None,
    per_base: dict | None = None,
    base: str = "EUR",
    as_of: str | None = "2026-11-01",
) -> dict:
    return {
        "format": "esim-catalog/1",
        "rates": {
            "base": base,
            "as_of": as_of,
            "per_base": per_base or {"EUR": "1", "USD": "1.08"},
        },
        "regions": regions if regions is not None else {"NORDIC": ["DK", "SE", "NO"]},
        "operators": operators if operators is not None else [operator_doc()],
    }

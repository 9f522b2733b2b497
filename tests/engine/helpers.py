"""Keyword-only factories for hand-built engine inputs."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from catalog.document import parse_catalog
from planner.engine.model import Catalog, Coverage, Leg, Network, Plan, Rates, Trip

RATES = Rates(
    base="EUR",
    per_base={"EUR": Decimal(1), "USD": Decimal("1.08"), "GBP": Decimal("0.86")},
)


def make_plan(
    slug: str = "p",
    *,
    price: str = "10",
    currency: str = "EUR",
    validity: int = 30,
    data: str | None = "10",
    countries: tuple[str, ...] = ("FR",),
    network: Network = Network.G4,
    cap: str | None = None,
    overage: str | None = None,
    operator: str = "op",
    **fields,
) -> Plan:
    cov = fields.pop("coverage", None) or (
        Coverage(
            frozenset(countries),
            network,
            Decimal(cap) if cap not in (None, "eu-fair-use") else cap,
            Decimal(overage) if overage else None,
        ),
    )
    return Plan(
        slug=slug,
        name=slug.upper(),
        operator=operator,
        price=Decimal(price),
        currency=currency,
        validity_days=validity,
        data_gb=None if data is None else Decimal(data),
        coverage=cov,
        **fields,
    )


def make_catalog(*plans: Plan) -> Catalog:
    return Catalog(rates=RATES, operators={}, plans=tuple(plans))


def make_trip(*legs: tuple[str, int, str], start: date = date(2026, 6, 1), **fields) -> Trip:
    return Trip(
        start_date=start,
        legs=tuple(Leg(c, d, Decimal(g)) for c, d, g in legs),
        **fields,
    )


def load_catalog(path: Path) -> Catalog:
    return parse_catalog(json.loads(path.read_text())).to_engine()

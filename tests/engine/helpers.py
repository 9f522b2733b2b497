"""Keyword-only factories for hand-built engine inputs."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from catalog.document import parse_catalog
from planner.engine.instance import Filters
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


def make_filters(trip: Trip, **over) -> Filters:
    """The trip's filters with no minimum network, no penalty and no owned operator."""
    fields = {
        "devices": trip.devices,
        "sharing": trip.sharing,
        "min_rank": 0,
        "needs_voice": trip.needs_voice,
        "esim_only": True,
        "penalty_base": Decimal(0),
        "owned_operators": frozenset(),
    }
    return Filters(**{**fields, **over})


@st.composite
def small_plans(draw, countries: tuple[str, ...], *, most: int, max_validity: int, limit: int):
    """2 to `most` plans over `countries` with every field the pruning rules read
    drawn from a few values (two operators, caps, overage, daily limits, limits)."""
    out = []
    for n in range(draw(st.integers(2, most))):
        out.append(
            Plan(
                slug=f"p{n}",
                name=f"P{n}",
                operator=draw(st.sampled_from(["a", "b"])),
                price=Decimal(draw(st.integers(0, 12))),
                currency="EUR",
                validity_days=draw(st.integers(1, max_validity)),
                data_gb=draw(st.sampled_from([None, Decimal(1), Decimal(3), Decimal(8)])),
                coverage=(
                    Coverage(
                        frozenset(draw(st.sets(st.sampled_from(countries), min_size=1))),
                        Network.G4,
                        draw(st.sampled_from([None, Decimal(2)])),
                        draw(st.sampled_from([None, Decimal(3)])),
                    ),
                ),
                daily_gb=draw(st.sampled_from([None, Decimal("0.5"), Decimal(2)])),
                voice=draw(st.booleans()),
                max_purchases=draw(st.sampled_from([None, None, limit])),
                new_customer_only=draw(st.booleans()),
            )
        )
    return out

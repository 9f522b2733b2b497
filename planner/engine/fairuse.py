"""The `eu-fair-use` cap: Regulation (EU) 2022/612, art. 4 and the wholesale caps of art. 11.

An operator may cap an open bundle roaming in the EU/EEA at no less than twice
the bundle's price excluding VAT divided by the wholesale data cap in force.
"""

from datetime import date
from decimal import Decimal

from planner.engine.model import Plan, Rates
from planner.engine.money import exact_div, floor_gb
from planner.engine.result import FairUse, Money

# (in force from, EUR per GB). Before the first date the first value applies,
# after 2032-06-30 the last one (the regulation ends there; nearest entry).
WHOLESALE_EUR_PER_GB: tuple[tuple[date, Decimal], ...] = (
    (date(2022, 7, 1), Decimal("2.00")),
    (date(2023, 1, 1), Decimal("1.80")),
    (date(2024, 1, 1), Decimal("1.55")),
    (date(2025, 1, 1), Decimal("1.30")),
    (date(2026, 1, 1), Decimal("1.10")),
    (date(2027, 1, 1), Decimal("1.00")),
)


def wholesale_on(day: date) -> tuple[date, Decimal]:
    in_force = WHOLESALE_EUR_PER_GB[0]
    for since, eur in WHOLESALE_EUR_PER_GB:
        if since <= day:
            in_force = (since, eur)
    return in_force


def fair_use(plan: Plan, activation: date, rates: Rates) -> FairUse:
    since, eur = wholesale_on(activation)
    excl_vat = exact_div(plan.price, 1 + plan.vat_percent / 100)
    # EUR per GB into the plan's currency: through the base currency
    per_gb = exact_div(eur * rates.per_base[plan.currency], rates.per_base["EUR"])
    cap = floor_gb(exact_div(2 * excl_vat, per_gb))
    return FairUse(
        activation_date=activation,
        listed_price=Money(plan.price, plan.currency),
        vat_percent=plan.vat_percent,
        price_excl_vat=excl_vat,
        wholesale_eur_per_gb=eur,
        wholesale_in_force_from=since,
        wholesale_per_gb=Money(per_gb, plan.currency),
        cap_gb=cap,
    )

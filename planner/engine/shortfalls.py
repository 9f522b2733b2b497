"""§9 why a day is short: one condition per short day, as a code and its details.

docs/engine.md, "Why a day is short" (the words: planner/explanations.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from planner.engine.instance import eligible, plans_naming
from planner.engine.model import Catalog, Trip
from planner.engine.result import (
    Short,
    ShortDay,
)

# §9: why a day is short, as a code (planner/explanations.py has the words).
# Checked per plan that
# names the country; the plan closest to serving it (fewest conditions failed)
# names the condition, the first of this order among its failures.
CONDITIONS = ("residents-only", "esim-only", "network", "no-voice", "dates", "new-customer-used")


@dataclass(frozen=True)
class _Conditions:
    """What the trip asks, once for all the short days."""

    rank: int
    resident_in: frozenset[str]
    known: frozenset[str]  # operators whose new-customer offers do not apply
    memo: dict = field(default_factory=dict)  # (country, voice) -> [(plan, failures)]


def _static_failures(plan, country: str, trip: Trip, catalog: Catalog, voice: bool, cond):
    """The conditions a plan fails on any day in `country` (dates aside)."""
    entry = next((cov for cov in plan.coverage if country in cov.countries), None)
    out = set()
    if cond.rank and entry.network.rank < cond.rank:
        out.add("network")
    if voice and not plan.voice:
        out.add("no-voice")
    if plan.slug in trip.owned:
        return frozenset(out)  # an owned plan is always allowed
    if not eligible(plan, catalog, cond.resident_in):
        out.add("residents-only")
    if trip.esim_only and not plan.esim:
        out.add("esim-only")
    if plan.new_customer_only and plan.operator in cond.known:
        out.add("new-customer-used")
    return frozenset(out)


def _off_sale(plan, i: int, trip: Trip) -> bool:
    """No activation day that reaches trip day i lies in the plan's sale window."""
    if plan.available_from is None and plan.available_until is None:
        return False
    first = trip.start_date + timedelta(days=max(i - plan.validity_days + 1, 0))
    last = trip.start_date + timedelta(days=i)
    return (plan.available_from is not None and plan.available_from > last) or (
        plan.available_until is not None and plan.available_until < first
    )


def _short_reason(
    trip: Trip, catalog: Catalog, i: int, country: str, voice: bool, esims: int, found: bool, cond
):
    if not found:
        return "time-limit", {}
    plans = plans_naming(catalog, country)
    if not plans:
        return "no-plan", {}
    # the day matters only through plans with a sale window: without any, one answer
    if ("dated", country) not in cond.memo:
        cond.memo[("dated", country)] = any(p.available_from or p.available_until for p in plans)
    day_key = (country, voice, i if cond.memo[("dated", country)] else None)
    if day_key not in cond.memo:
        cond.memo[day_key] = _condition(trip, catalog, i, country, voice, esims, plans, cond)
    return cond.memo[day_key]


def _condition(trip, catalog, i: int, country: str, voice: bool, esims: int, plans, cond):
    key = (country, voice)
    if key not in cond.memo:
        # plans without a sale window fail the same on every day: summed up once,
        # per number of failures, as the codes seen and whether all are first-order
        undated: dict[int, tuple[frozenset, bool]] = {}
        dated = []
        for p in plans:
            f = _static_failures(p, country, trip, catalog, voice, cond)
            if p.slug not in trip.owned and (p.available_from or p.available_until):
                dated.append((p, f))
                continue
            codes, first = undated.get(len(f), (frozenset(), True))
            undated[len(f)] = (codes | f, first and p.new_customer_only)
        cond.memo[key] = (undated, dated)
    undated, dated = cond.memo[key]
    groups = dict(undated)
    for p, f in dated:
        if _off_sale(p, i, trip):
            f = f | {"dates"}
        codes, first = groups.get(len(f), (frozenset(), True))
        groups[len(f)] = (codes | f, first and p.new_customer_only)
    fewest = min(groups)
    codes, all_first_order = groups[fewest]
    if fewest == 0:
        if trip.max_esims is not None and esims >= trip.max_esims:
            return "max-esims", {"max_esims": str(trip.max_esims)}
        if all_first_order:
            return "new-customer-used", {}
        return "limits", {}
    code = next(c for c in CONDITIONS if c in codes)
    details = {}
    if code == "network":
        details = {
            "min_network": str(trip.min_network),
            "best_network": max(
                (str(cov.network) for p in plans for cov in p.coverage if country in cov.countries),
                key=lambda n: int(n[0]),
            ),
        }
    elif code == "residents-only":
        details = {
            "countries": ",".join(
                sorted(
                    {
                        op.country
                        for p in plans
                        if p.residents_only
                        and (op := catalog.operators.get(p.operator)) is not None
                        and op.country
                    }
                )
            )
        }
    return code, details


def short_days(
    trip: Trip,
    catalog: Catalog,
    shorts: tuple[Short, ...],
    *,
    esims: int,
    found: bool,
    owned_operators: frozenset[str],
) -> tuple[ShortDay, ...]:
    """One entry per short day: data and voice together, one condition.

    `owned_operators`: operators whose new-customer offers do not apply (the
    trip's `customer_of` and the operators of its owned plans)."""
    cond = _Conditions(
        rank=trip.min_network.rank if trip.min_network else 0,
        resident_in=frozenset(trip.resident_in),
        known=frozenset(trip.customer_of) | owned_operators,
    )
    by_day: dict[date, list[Short]] = defaultdict(list)
    for s in shorts:
        by_day[s.date].append(s)
    out = []
    for day, items in sorted(by_day.items()):
        data = [s for s in items if not s.voice]
        i = (day - trip.start_date).days
        country = items[0].country
        # a day short of data is explained by the data; voice alone by the voice plans
        code, details = _short_reason(trip, catalog, i, country, not data, esims, found, cond)
        out.append(
            ShortDay(
                date=day,
                country=country,
                missing_gb=sum((s.missing_gb for s in data), Decimal(0)),
                devices=tuple(s.device for s in data if s.device is not None),
                voice=any(s.voice for s in items),
                reason=code,
                details=details,
            )
        )
    return tuple(out)

"""The instance: the trip as numbered days, the trip's filters, and the indexes
every later step reads (docs/engine.md#pruning-filters).

Nothing here decides what to buy. `trip_days` numbers the days, `Filters`
holds what the trip forbids or requires of a purchase, `penalty_in_base` puts
the switch penalty in the catalog's base currency, and two indexes, one per
catalog and one per trip, say which plans and days each country concerns.
"""

import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from planner.engine.model import Catalog, Plan, Trip
from planner.engine.money import exact_div

INF = Decimal("Infinity")


@dataclass(frozen=True)
class Days:
    dates: tuple[date, ...]
    countries: tuple[str, ...]
    need: tuple[Decimal, ...]  # per device

    def __len__(self) -> int:
        return len(self.dates)


def trip_days(trip: Trip) -> Days:
    dates, countries, need = [], [], []
    for leg in trip.legs:
        for _ in range(leg.days):
            dates.append(trip.start_date + timedelta(days=len(dates)))
            countries.append(leg.country)
            need.append(leg.gb_per_day)
    return Days(dates=tuple(dates), countries=tuple(countries), need=tuple(need))


@dataclass(frozen=True)
class Filters:
    """The trip's filters and sizes, as the candidate builder works with them."""

    devices: int
    sharing: bool
    min_rank: int
    needs_voice: bool
    esim_only: bool
    penalty_base: Decimal
    # operators whose new-customer offers do not apply: an owned plan's, and customer_of
    owned_operators: frozenset[str]
    # operator countries whose residents_only plans the traveller may buy (resident_in)
    resident_in: frozenset[str] = frozenset()


def penalty_in_base(trip: Trip, catalog: Catalog) -> Decimal:
    currency = trip.currency or catalog.rates.base
    return exact_div(trip.switch_penalty, catalog.rates.per_base[currency])


def eligible(plan: Plan, catalog: Catalog, resident_in: frozenset[str]) -> bool:
    """§9: a residents_only plan is sold only to residents of its operator's country."""
    if not plan.residents_only:
        return True
    operator = catalog.operators.get(plan.operator)
    return operator is not None and operator.country in resident_in


def allowed(plan: Plan, catalog: Catalog, filters: Filters) -> bool:
    """The plan passes the trip's plan-wide filters (eSIM, residence)."""
    if filters.esim_only and not plan.esim:
        return False
    return eligible(plan, catalog, filters.resident_in)


@dataclass(frozen=True)
class CatalogIndex:
    """Facts of a catalog that no trip changes, computed once per Catalog object."""

    by_country: dict[str, tuple[int, ...]]  # country → positions of the plans naming it
    ranks: tuple[tuple[int, ...], ...]  # per plan, the network rank of each coverage entry


_CATALOG_INDEX: dict[int, tuple[weakref.ref, CatalogIndex]] = {}


def catalog_index(catalog: Catalog) -> CatalogIndex:
    """Per-catalog index, keyed by the object's identity (Catalog and Plan are frozen,
    so nothing in it can change while the object lives; the entry goes with it)."""
    key = id(catalog)
    hit = _CATALOG_INDEX.get(key)
    if hit is not None and hit[0]() is catalog:
        return hit[1]
    by_country: dict[str, list[int]] = {}
    for pos, plan in enumerate(catalog.plans):
        for c in {c for cov in plan.coverage for c in cov.countries}:
            by_country.setdefault(c, []).append(pos)
    index = CatalogIndex(
        by_country={c: tuple(v) for c, v in by_country.items()},
        ranks=tuple(tuple(cov.network.rank for cov in p.coverage) for p in catalog.plans),
    )
    ref = weakref.ref(catalog, lambda _r, key=key: _CATALOG_INDEX.pop(key, None))
    _CATALOG_INDEX[key] = (ref, index)
    return index


def plans_naming(catalog: Catalog, country: str) -> list[Plan]:
    """The plans with a coverage entry that names `country` (catalog order)."""
    return [catalog.plans[n] for n in catalog_index(catalog).by_country.get(country, ())]


@dataclass(frozen=True)
class TripIndex:
    """Per-country facts of the trip, computed once for all plans."""

    countries: frozenset[str]
    bit: dict[str, int]
    need_days: dict[str, tuple[int, ...]]  # days with data to give
    all_days: dict[str, tuple[int, ...]]
    need_sum: dict[str, Decimal]
    max_need: dict[str, Decimal]


def trip_index(days: Days) -> TripIndex:
    countries = sorted(set(days.countries))
    need_days = {
        c: tuple(i for i in range(len(days)) if days.countries[i] == c and days.need[i] > 0)
        for c in countries
    }
    return TripIndex(
        countries=frozenset(countries),
        bit={c: 1 << n for n, c in enumerate(countries)},
        need_days=need_days,
        all_days={
            c: tuple(i for i in range(len(days)) if days.countries[i] == c) for c in countries
        },
        need_sum={c: sum((days.need[i] for i in need_days[c]), Decimal(0)) for c in countries},
        max_need={
            c: max((days.need[i] for i in need_days[c]), default=Decimal(0)) for c in countries
        },
    )


def entry_of(
    plan: Plan, min_rank: int, countries: frozenset[str], ranks: tuple[int, ...] | None = None
) -> dict[str, int]:
    """Trip country → index of the plan's coverage entry that counts on this trip."""
    if ranks is None:
        ranks = tuple(cov.network.rank for cov in plan.coverage)
    out: dict[str, int] = {}
    for n, cov in enumerate(plan.coverage):
        if ranks[n] < min_rank:
            continue
        for c in cov.countries & countries:
            out.setdefault(c, n)
    return out

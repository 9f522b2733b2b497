"""From trip and catalog to the purchases worth modelling
(docs/engine.md#pruning-activation-days).

A candidate is one way to buy (or hold) a plan: the plan, its activation day,
the promotion it gets, the devices it serves. Everything the MILP needs is
computed here, exactly, so that the formulation only turns numbers into rows.

`build_candidates` takes the offers left by plan dominance (`offers.py`),
keeps for each the activation days worth modelling (`_activations`: of two
activations with the same price, promotion and caps, the one whose useful
days are a subset of the other's is dropped), and adds the trip's owned
renewals. Candidate replacement (`replacement.py`) prunes the result further.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from planner.engine.budget import check
from planner.engine.fairuse import fair_use
from planner.engine.instance import (
    Days,
    Filters,
    allowed,
    catalog_index,
    entry_of,
    trip_index,
)
from planner.engine.model import EU_FAIR_USE, Catalog, Plan, Promotion, Trip
from planner.engine.offers import Offer, device_cap, offers_of, promo_price, prune_plans
from planner.engine.result import FairUse


@dataclass(frozen=True)
class Entry:
    """A coverage entry of a candidate, restricted to the trip days it serves."""

    index: int  # position in plan.coverage
    days: tuple[int, ...]  # trip days in this entry's countries while active
    cap: Decimal | None  # included GB over these days; None = no cap
    fair_use: FairUse | None
    overage: Decimal | None  # per GB, plan currency
    overage_base: Decimal | None


@dataclass(frozen=True)
class Candidate:
    plan: Plan
    owned: bool  # an owned renewal: price 0, device 1 among its devices
    start: int  # activation day (0-based; owned renewals are at 0, V, 2V...)
    promo: Promotion | None
    price: Decimal  # plan currency, after promotion
    price_base: Decimal
    penalty_base: Decimal  # switch penalty in base; 0 for owned renewals
    allowance: Decimal | None  # data_gb + bonus; None = unlimited
    daily: Decimal | None
    entries: tuple[Entry, ...]
    devices: tuple[int, ...]  # 0-based
    new_customer: bool  # uses new-customer status at the operator
    voice_days: tuple[int, ...]  # trip days it covers with voice (needs_voice only)
    limit_group: bool  # bounded by max_purchases, a promotion limit or new-customer status

    @property
    def days(self) -> tuple[int, ...]:
        return tuple(sorted(i for e in self.entries for i in e.days))

    @property
    def pooled(self) -> bool:
        return len(self.devices) > 1


@dataclass(frozen=True)
class PruneStats:
    plans: int  # plans looked at
    allowed: int  # plans past the filters that serve some trip day
    kept: int  # plans with an offer left after dominance
    offers: int
    offers_kept: int


def _device_sets(plan: Plan, filters: Filters, owned: bool) -> list[tuple[int, ...]]:
    cap = device_cap(plan, filters)
    everyone = tuple(range(filters.devices))
    if cap >= filters.devices:
        return [everyone]
    sets = [tuple(s) for s in combinations(everyone, cap)]
    return [s for s in sets if 0 in s] if owned else sets


def _entries(
    plan: Plan,
    counts_in: dict[str, int],
    start: int,
    days: Days,
    catalog: Catalog,
    *,
    supply_days: bool,
) -> tuple[Entry, ...]:
    end = min(start + plan.validity_days, len(days))
    by_entry: dict[int, list[int]] = {}
    for i in range(start, end):
        n = counts_in.get(days.countries[i])
        if n is not None and (days.need[i] > 0 or not supply_days):
            by_entry.setdefault(n, []).append(i)
    out = []
    for n in sorted(by_entry):
        cov = plan.coverage[n]
        fu = None
        if cov.cap_gb == EU_FAIR_USE:
            fu = fair_use(plan, days.dates[start], catalog.rates)
            cap = fu.cap_gb
        else:
            cap = None if cov.cap_gb is None else Decimal(cov.cap_gb)
        over = cov.overage_per_gb
        out.append(
            Entry(
                index=n,
                days=tuple(by_entry[n]),
                cap=cap,
                fair_use=fu,
                overage=over,
                overage_base=None if over is None else catalog.rates.to_base(over, plan.currency),
            )
        )
    return tuple(out)


def _activations(offer: Offer, days: Days, catalog: Catalog) -> list[int]:
    """Activation days worth modelling for one offer of a bought plan.

    The offer fixes price and promotion; activations with the same fair-use
    caps (which depend on the date) are interchangeable except for the useful
    days they reach, C(t) = useful ∩ [t, t+V-1]. C(t) ⊆ C(t') makes t'
    at least as good: same price, same caps, a superset of days. Useful days
    are those where the plan counts and there is data or voice to give, so a
    day outside C(t) contributes nothing to any constraint.
    """
    plan = offer.plan
    useful = offer.useful
    v = plan.validity_days
    groups: dict[tuple, list[tuple[int, int, int]]] = {}
    for t in range(len(days)):
        if offer.prices[t] is None:
            continue
        first = next((i for i in useful if i >= t), None)
        if first is None or first > t + v - 1:
            continue
        last = max(i for i in useful if i <= t + v - 1)
        fair = tuple(
            fair_use(plan, days.dates[t], catalog.rates).cap_gb
            for cov in plan.coverage
            if cov.cap_gb == EU_FAIR_USE
        )
        groups.setdefault(fair, []).append((first, last, t))
    keep = []
    for items in groups.values():
        items.sort(key=lambda x: (x[0], -x[1], x[2]))
        best_last = -1
        for _first, last, t in items:
            if last > best_last:
                keep.append(t)
                best_last = last
    return sorted(keep)


def _voice_days(entries_all: Iterable[Entry]) -> tuple[int, ...]:
    return tuple(sorted({i for e in entries_all for i in e.days}))


def _offers(
    catalog: Catalog,
    days: Days,
    filters: Filters,
    plans: Iterable[Plan] | None,
    deadline: float | None,
    shared: dict[str, list[Offer]] | None = None,
) -> tuple[int, list[Offer]]:
    """The offers of the plans that pass the filters, and how many plans were looked at.

    Without `plans`, only the catalog's plans that name a trip country (which
    alone can serve it), in catalog order. `shared`: offers by plan slug of
    another build of the same trip, days and filters (a plan's offers depend
    on nothing else), read and filled."""
    ix = trip_index(days)
    memo: dict = {}
    out: list[Offer] = []
    shared = {} if shared is None else shared

    def of(plan: Plan, ranks: tuple[int, ...] | None = None) -> list[Offer]:
        found = shared.get(plan.slug)
        if found is None:
            found = shared[plan.slug] = offers_of(plan, days, ix, filters, catalog, ranks, memo)
        return found

    if plans is not None:
        pool = tuple(plans)
        for plan in pool:
            if allowed(plan, catalog, filters):
                out.extend(of(plan))
        return len(pool), out
    cix = catalog_index(catalog)
    positions = sorted({n for c in ix.countries for n in cix.by_country.get(c, ())})
    for n in positions:
        check(deadline, "candidates", len(out))
        plan = catalog.plans[n]
        if allowed(plan, catalog, filters):
            out.extend(of(plan, cix.ranks[n]))
    return len(catalog.plans), out


def build_candidates(
    trip: Trip,
    catalog: Catalog,
    days: Days,
    filters: Filters,
    *,
    plans: Iterable[Plan] | None = None,
    prune: bool = True,
    owned: bool | None = None,
    deadline: float | None = None,
    offers: dict[str, list[Offer]] | None = None,
) -> tuple[list[Candidate], PruneStats]:
    """`owned`: add the trip's owned renewals (default: only for the whole catalog).
    `offers`: each plan's offers, shared between the builds of one trip (one
    `filters`), so a second build over some of the same plans does not work
    them out again. Raises `budget.Overrun` past `deadline`."""
    looked_at, every = _offers(catalog, days, filters, plans, deadline, offers)
    offers = prune_plans(every, filters.needs_voice) if prune else every
    stats = PruneStats(
        plans=looked_at,
        allowed=len({v.plan.slug for v in every}),
        kept=len({v.plan.slug for v in offers}),
        offers=len(every),
        offers_kept=len(offers),
    )
    out: list[Candidate] = []
    for v in offers:
        check(deadline, "candidates", len(out))
        if prune:
            starts = _activations(v, days, catalog)
        else:
            starts = [t for t in range(len(days)) if v.prices[t] is not None]
        for t in starts:
            out.extend(_bought(v, t, days, filters, catalog))
    if owned if owned is not None else plans is None:
        for slug in trip.owned:
            plan = catalog.plan(slug)
            assert plan is not None  # parse_trip checked
            out.extend(_owned(plan, days, filters, catalog))
    return out, stats


def _bought(
    offer: Offer, t: int, days: Days, filters: Filters, catalog: Catalog
) -> list[Candidate]:
    plan, pr = offer.plan, offer.promo
    entries = _entries(plan, offer.entry_of, t, days, catalog, supply_days=True)
    voice = ()
    if filters.needs_voice and plan.voice:
        voice = _voice_days(_entries(plan, offer.entry_of, t, days, catalog, supply_days=False))
    if not entries and not voice:
        return []
    price = promo_price(plan, pr)
    nc = plan.new_customer_only or (pr is not None and pr.new_customer_only)
    limited = nc or plan.max_purchases is not None or (pr is not None and pr.limit is not None)
    return [
        Candidate(
            plan=plan,
            owned=False,
            start=t,
            promo=pr,
            price=price,
            price_base=catalog.rates.to_base(price, plan.currency),
            penalty_base=filters.penalty_base,
            allowance=None
            if plan.data_gb is None
            else plan.data_gb + (pr.bonus_gb if pr is not None else 0),
            daily=plan.daily_gb,
            entries=entries,
            devices=devs,
            new_customer=nc,
            voice_days=voice,
            limit_group=limited,
        )
        for devs in _device_sets(plan, filters, owned=False)
    ]


def _owned(plan: Plan, days: Days, filters: Filters, catalog: Catalog) -> list[Candidate]:
    counts_in = entry_of(plan, filters.min_rank, frozenset(days.countries))
    out = []
    for t in range(0, len(days), plan.validity_days):
        entries = _entries(plan, counts_in, t, days, catalog, supply_days=True)
        voice = ()
        if filters.needs_voice and plan.voice:
            voice = _voice_days(_entries(plan, counts_in, t, days, catalog, supply_days=False))
        # an owned renewal exists whether or not it serves the trip; one that
        # serves nothing is left out of the model (and of the result)
        if not entries and not voice:
            continue
        for devs in _device_sets(plan, filters, owned=True):
            out.append(
                Candidate(
                    plan=plan,
                    owned=True,
                    start=t,
                    promo=None,
                    price=Decimal(0),
                    price_base=Decimal(0),
                    penalty_base=Decimal(0),
                    allowance=plan.data_gb,
                    daily=plan.daily_gb,
                    entries=entries,
                    devices=devs,
                    new_customer=False,
                    voice_days=voice,
                    limit_group=True,
                )
            )
    return out

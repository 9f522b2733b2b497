"""From trip and catalog to the purchases worth modelling.

A candidate is one way to buy (or hold) a plan: the plan, its activation day,
the promotion it gets, the devices it serves. Everything the MILP needs is
computed here, exactly, so that `milp.py` only turns numbers into rows.

Two prunings keep the model small; each keeps a replacement for every
purchase it removes that is at least as good in every respect the model
looks at, so no optimum is lost (docs/engine.md gives the argument in full):

- plan dominance (`_dominated`): a plan whose every purchase can be swapped
  one for one for a purchase of an unrestricted plan that covers a superset of
  its useful days with at least its data, for no more money;
- activation days (`_activations`): of two activations of one plan with the
  same price, promotion and caps, the one whose useful days are a subset of
  the other's is dropped;
- candidate replacement (`prune_candidates`, main model only): a built
  candidate that a kept candidate of any plan and day replaces one for one.
"""

import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations

from planner.engine.budget import check
from planner.engine.fairuse import fair_use
from planner.engine.model import EU_FAIR_USE, Catalog, Plan, Promotion, Trip
from planner.engine.money import exact_div
from planner.engine.result import FairUse

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
    return Days(tuple(dates), tuple(countries), tuple(need))


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
class Options:
    """The filters and sizes the candidate builder works with."""

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


@dataclass
class PruneStats:
    plans: int = 0
    allowed: int = 0  # plans past the filters that serve some trip day
    kept: int = 0  # plans with an offer left after dominance
    offers: int = 0
    offers_kept: int = 0


def _entry_of(
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


@dataclass(frozen=True)
class _CatalogIndex:
    """Facts of a catalog that no trip changes, computed once per Catalog object."""

    by_country: dict[str, tuple[int, ...]]  # country → positions of the plans naming it
    ranks: tuple[tuple[int, ...], ...]  # per plan, the network rank of each coverage entry


_CATALOG_INDEX: dict[int, tuple[weakref.ref, _CatalogIndex]] = {}


def _catalog_index(catalog: Catalog) -> _CatalogIndex:
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
    index = _CatalogIndex(
        by_country={c: tuple(v) for c, v in by_country.items()},
        ranks=tuple(tuple(cov.network.rank for cov in p.coverage) for p in catalog.plans),
    )
    ref = weakref.ref(catalog, lambda _r, key=key: _CATALOG_INDEX.pop(key, None))
    _CATALOG_INDEX[key] = (ref, index)
    return index


def plans_naming(catalog: Catalog, country: str) -> list[Plan]:
    """The plans with a coverage entry that names `country` (catalog order)."""
    return [catalog.plans[n] for n in _catalog_index(catalog).by_country.get(country, ())]


@dataclass(frozen=True)
class _TripIndex:
    """Per-country facts of the trip, computed once for all plans."""

    countries: frozenset[str]
    bit: dict[str, int]
    need_days: dict[str, tuple[int, ...]]  # days with data to give
    all_days: dict[str, tuple[int, ...]]
    need_sum: dict[str, Decimal]
    max_need: dict[str, Decimal]


def _index(days: Days) -> _TripIndex:
    countries = sorted(set(days.countries))
    need_days = {
        c: tuple(i for i in range(len(days)) if days.countries[i] == c and days.need[i] > 0)
        for c in countries
    }
    return _TripIndex(
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


def eligible(plan: Plan, catalog: Catalog, resident_in: frozenset[str]) -> bool:
    """§9: a residents_only plan is sold only to residents of its operator's country."""
    if not plan.residents_only:
        return True
    operator = catalog.operators.get(plan.operator)
    return operator is not None and operator.country in resident_in


def _devcap(plan: Plan, opts: Options) -> int:
    if not opts.sharing:
        return 1
    return opts.devices if plan.hotspot else min(plan.max_devices, opts.devices)


def _device_sets(plan: Plan, opts: Options, owned: bool) -> list[tuple[int, ...]]:
    cap = _devcap(plan, opts)
    everyone = tuple(range(opts.devices))
    if cap >= opts.devices:
        return [everyone]
    sets = [tuple(s) for s in combinations(everyone, cap)]
    return [s for s in sets if 0 in s] if owned else sets


def _promo_on(plan: Plan, day: date) -> Promotion | None:
    # windows of one plan never overlap (rejected at import), so at most one applies
    return next((pr for pr in plan.promotions if pr.starts <= day <= pr.ends), None)


def _available(plan: Plan, day: date) -> bool:
    return (plan.available_from is None or plan.available_from <= day) and (
        plan.available_until is None or day <= plan.available_until
    )


def _restricted_promo(pr: Promotion) -> bool:
    return pr.limit is not None or pr.new_customer_only


def _options_at(plan: Plan, day: date, opts: Options) -> list[Promotion | None]:
    """Promotion choices for a purchase activated on `day`; None = list price.

    An unrestricted promotion makes the list price pointless (same purchase,
    price no higher, allowance no lower), so only the promotion is offered. A
    restricted one keeps the list price beside it, for when it is used up.
    """
    if not _available(plan, day):
        return []
    new_customer_ok = plan.operator not in opts.owned_operators
    if plan.new_customer_only and not new_customer_ok:
        return []
    pr = _promo_on(plan, day)
    if pr is None or (pr.new_customer_only and not new_customer_ok):
        return [None]
    if _restricted_promo(pr):
        return [None, pr]
    return [pr]


def _promo_price(plan: Plan, pr: Promotion | None) -> Decimal:
    if pr is None:
        return plan.price
    return plan.price * (1 - pr.discount_percent / 100)


def _day_options(plan: Plan, days: Days, opts: Options) -> list[list[Promotion | None]]:
    if plan.available_from is None and plan.available_until is None and not plan.promotions:
        # the common case: the list price every day (what _options_at gives then)
        sold = not (plan.new_customer_only and plan.operator in opts.owned_operators)
        return [[None] if sold else []] * len(days)
    first, last = days.dates[0], days.dates[-1]

    def constant(start: date | None, end: date | None) -> bool:
        # a window that holds the whole trip, or none of it, is the same every day
        inside = (start is None or start <= first) and (end is None or last <= end)
        outside = (end is not None and end < first) or (start is not None and start > last)
        return inside or outside

    if constant(plan.available_from, plan.available_until) and all(
        constant(pr.starts, pr.ends) for pr in plan.promotions
    ):
        return [_options_at(plan, first, opts)] * len(days)
    return [_options_at(plan, d, opts) for d in days.dates]


@dataclass
class _View:
    """One offer (a plan at list price, or with one promotion) seen from this trip.

    Dominance compares offers, not plans: a plan's list price and its
    first-order promotion use different resources (the operator's
    new-customer status), so each is pruned on its own.
    """

    plan: Plan
    option: Promotion | None
    entry_of: dict[str, int]
    mask: int  # bit per trip country with a counting entry
    useful: tuple[int, ...]  # trip days where a purchase could matter
    prices: tuple[Decimal | None, ...]  # per activation day: base price, None = not offered
    unavailable: int  # activation days where the offer is not sold
    total: Decimal  # sum of its prices over the days where it is sold
    veff: int
    devcap: int
    reach: Decimal  # most data one purchase can usefully supply on this trip
    max_need: Decimal
    limited: bool  # max_purchases or a promotion limit bounds it
    new_customer: str | None  # operator whose new-customer status it uses
    has_overage: bool
    allowance: Decimal  # data_gb + bonus, INF when unlimited
    daily: Decimal
    caps_ok: Decimal  # least cap on the trip's useful countries (INF when none)


def _views(
    plan: Plan,
    days: Days,
    ix: _TripIndex,
    opts: Options,
    catalog: Catalog,
    ranks: tuple[int, ...] | None = None,
    memo: dict | None = None,
):
    entry_of = _entry_of(plan, opts.min_rank, ix.countries, ranks)
    if not entry_of:
        return []
    voice = opts.needs_voice and plan.voice
    by_country = ix.all_days if voice else ix.need_days
    mask = 0
    for c in entry_of:
        if by_country[c]:
            mask |= ix.bit[c]
    if not mask:
        return []
    # what depends only on the served countries is shared by the plans serving them
    key = (mask, voice)
    facts = None if memo is None else memo.get(key)
    if facts is None:
        served = [c for c in entry_of if by_country[c]]
        facts = (
            tuple(sorted(i for c in served for i in by_country[c])),
            sum((ix.need_sum[c] for c in served), Decimal(0)),
            max(ix.max_need[c] for c in served),
        )
        if memo is not None:
            memo[key] = facts
    useful, need_sum, max_need = facts
    per_day = _day_options(plan, days, opts)
    constant = per_day[0] is per_day[-1]
    offers: list[Promotion | None] = []
    for choices in per_day[:1] if constant else per_day:
        for ch in choices:
            if not any(ch is o for o in offers):
                offers.append(ch)
    if not offers:
        return []
    devcap = _devcap(plan, opts)
    caps = INF
    has_overage = False
    for c, n in entry_of.items():
        if not by_country[c]:
            continue
        cov = plan.coverage[n]
        if cov.overage_per_gb is not None:
            has_overage = True
        if cov.cap_gb == EU_FAIR_USE:
            # later activation dates only raise the cap (the wholesale table falls)
            caps = min(caps, fair_use(plan, days.dates[0], catalog.rates).cap_gb)
        elif cov.cap_gb is not None:
            caps = min(caps, Decimal(cov.cap_gb))
    out = []
    for option in offers:
        price = catalog.rates.to_base(_promo_price(plan, option), plan.currency)
        if constant and per_day[0]:
            prices = (price,) * len(per_day)
            unavailable, total = 0, price * len(per_day)
        else:
            prices = tuple(
                price if any(ch is option for ch in choices) else None for choices in per_day
            )
            unavailable = sum(1 for x in prices if x is None)
            total = sum((x for x in prices if x is not None), Decimal(0))
        nc = plan.new_customer_only or (option is not None and option.new_customer_only)
        bonus = option.bonus_gb if option is not None else Decimal(0)
        out.append(
            _View(
                plan=plan,
                option=option,
                entry_of=entry_of,
                mask=mask,
                useful=useful,
                prices=prices,
                unavailable=unavailable,
                total=total,
                veff=min(plan.validity_days, len(days)),
                devcap=devcap,
                reach=devcap * need_sum,
                max_need=max_need,
                limited=plan.max_purchases is not None
                or (option is not None and option.limit is not None),
                new_customer=plan.operator if nc else None,
                has_overage=has_overage,
                allowance=INF if plan.data_gb is None else plan.data_gb + bonus,
                daily=INF if plan.daily_gb is None else plan.daily_gb,
                caps_ok=caps,
            )
        )
    return out


def _dominates(q: _View, p: _View, needs_voice: bool) -> bool:
    """Can every purchase of offer p be swapped for one of offer q on the same day,
    for no more money?

    q has no purchase limit, and uses new-customer status only at the operator
    where p uses it (so the swap hands the same status over): no count
    constraint breaks, p's own limits only bound p. q at the same activation
    day covers a superset of p's useful days, its allowance, caps and daily
    limit never bind below what one purchase of p can usefully supply (p's
    overage included, which q then supplies as included data), it serves at
    least as many devices, and it costs no more.
    """
    if p.mask & ~q.mask or q.veff < p.veff or q.devcap < p.devcap:
        return False
    if needs_voice and p.plan.voice and not q.plan.voice:
        return False
    need = p.reach if p.has_overage else min(p.allowance, p.reach)
    if q.allowance < need or q.caps_ok < p.reach:
        return False
    if q.daily < min(p.daily, p.devcap * p.max_need):
        return False
    for qp, pp in zip(q.prices, p.prices, strict=True):
        if pp is not None and (qp is None or qp > pp):
            return False
    return True


def _sort_key(v: _View, big: Decimal):
    return (
        v.unavailable,
        v.total,
        -v.veff,
        -min(v.allowance, big),
        -min(v.daily, big),
        -v.mask.bit_count(),
        -v.devcap,
        not v.plan.voice,
        v.plan.slug,
        v.option is not None,
    )


def prune_plans(views: list[_View], needs_voice: bool) -> list[_View]:
    """Drop dominated offers. Kept dominators are never removed later, so every
    dropped offer has a dominator in the result; the order only decides how
    much is pruned, not whether it is exact."""
    big = max((v.reach for v in views), default=Decimal(0))
    order = sorted(views, key=lambda v: _sort_key(v, big))
    # by mask, then by the operator whose new-customer status the offer uses
    frontier: dict[int, dict[str | None, list[_View]]] = {}
    kept = []
    for v in order:
        dominated = False
        for mask, by_nc in frontier.items():
            if v.mask & ~mask:
                continue
            for nc in (None, v.new_customer) if v.new_customer else (None,):
                group = by_nc.get(nc, ())
                for pos, q in enumerate(group):
                    if _dominates(q, v, needs_voice):
                        # a dominator that hit is tried first next time; whether
                        # an offer is dropped does not depend on which one hits
                        if pos:
                            group[0], group[pos] = q, group[0]
                        dominated = True
                        break
                if dominated:
                    break
            if dominated:
                break
        if dominated:
            continue
        kept.append(v)
        if not v.limited:
            frontier.setdefault(v.mask, {}).setdefault(v.new_customer, []).append(v)
    kept.sort(key=lambda v: (v.plan.slug, v.option is not None))
    return kept


def _entries(
    plan: Plan,
    entry_of: dict[str, int],
    start: int,
    days: Days,
    catalog: Catalog,
    *,
    supply_days: bool,
) -> tuple[Entry, ...]:
    end = min(start + plan.validity_days, len(days))
    by_entry: dict[int, list[int]] = {}
    for i in range(start, end):
        n = entry_of.get(days.countries[i])
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


def _activations(view: _View, days: Days, opts: Options, catalog: Catalog) -> list[int]:
    """Activation days worth modelling for one offer of a bought plan.

    The offer fixes price and promotion; activations with the same fair-use
    caps (which depend on the date) are interchangeable except for the useful
    days they reach, C(t) = useful ∩ [t, t+V-1]. C(t) ⊆ C(t') makes t'
    at least as good: same price, same caps, a superset of days. Useful days
    are those where the plan counts and there is data or voice to give, so a
    day outside C(t) contributes nothing to any constraint.
    """
    plan = view.plan
    useful = view.useful
    v = plan.validity_days
    groups: dict[tuple, list[tuple[int, int, int]]] = {}
    for t in range(len(days)):
        if view.prices[t] is None:
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


def build_candidates(
    trip: Trip,
    catalog: Catalog,
    days: Days,
    opts: Options,
    *,
    plans: Iterable[Plan] | None = None,
    prune: bool = True,
    owned: bool | None = None,
    deadline: float | None = None,
) -> tuple[list[Candidate], PruneStats]:
    """`owned`: add the trip's owned renewals (default: only for the whole catalog).
    Raises `budget.Overrun` past `deadline`."""
    stats = PruneStats()
    ix = _index(days)
    memo: dict = {}
    views = []
    if plans is None:
        # only plans that name a trip country can serve it (catalog order kept)
        cix = _catalog_index(catalog)
        stats.plans = len(catalog.plans)
        positions = sorted({n for c in ix.countries for n in cix.by_country.get(c, ())})
        for n in positions:
            check(deadline, "candidates", len(views))
            plan = catalog.plans[n]
            if (opts.esim_only and not plan.esim) or not eligible(plan, catalog, opts.resident_in):
                continue
            views.extend(_views(plan, days, ix, opts, catalog, cix.ranks[n], memo))
    else:
        pool = tuple(plans)
        stats.plans = len(pool)
        for plan in pool:
            if (opts.esim_only and not plan.esim) or not eligible(plan, catalog, opts.resident_in):
                continue
            views.extend(_views(plan, days, ix, opts, catalog, memo=memo))
    stats.allowed = len({v.plan.slug for v in views})
    stats.offers = len(views)
    if prune:
        views = prune_plans(views, opts.needs_voice)
    stats.kept = len({v.plan.slug for v in views})
    stats.offers_kept = len(views)

    out: list[Candidate] = []
    for v in views:
        check(deadline, "candidates", len(out))
        if prune:
            starts = _activations(v, days, opts, catalog)
        else:
            starts = [t for t in range(len(days)) if v.prices[t] is not None]
        for t in starts:
            out.extend(_bought(v, t, v.option, days, opts, catalog))
    if owned if owned is not None else plans is None:
        for slug in trip.owned:
            plan = catalog.plan(slug)
            assert plan is not None  # parse_trip checked
            out.extend(_owned(plan, days, opts, catalog))
    return out, stats


def _bought(v: _View, t: int, pr: Promotion | None, days, opts, catalog) -> list[Candidate]:
    plan = v.plan
    entries = _entries(plan, v.entry_of, t, days, catalog, supply_days=True)
    voice = ()
    if opts.needs_voice and plan.voice:
        voice = _voice_days(_entries(plan, v.entry_of, t, days, catalog, supply_days=False))
    if not entries and not voice:
        return []
    price = _promo_price(plan, pr)
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
            penalty_base=opts.penalty_base,
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
        for devs in _device_sets(plan, opts, owned=False)
    ]


def _owned(plan: Plan, days: Days, opts: Options, catalog: Catalog) -> list[Candidate]:
    entry_of = _entry_of(plan, opts.min_rank, frozenset(days.countries))
    out = []
    for t in range(0, len(days), plan.validity_days):
        entries = _entries(plan, entry_of, t, days, catalog, supply_days=True)
        voice = ()
        if opts.needs_voice and plan.voice:
            voice = _voice_days(_entries(plan, entry_of, t, days, catalog, supply_days=False))
        # an owned renewal exists whether or not it serves the trip; one that
        # serves nothing is left out of the model (and of the result)
        if not entries and not voice:
            continue
        for devs in _device_sets(plan, opts, owned=True):
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


def penalty_in_base(trip: Trip, catalog: Catalog) -> Decimal:
    currency = trip.currency or catalog.rates.base
    return exact_div(trip.switch_penalty, catalog.rates.per_base[currency])


@dataclass
class _Reach:
    """What one purchase of a candidate can give, as bit masks and bounds."""

    n: int
    data: int  # bit per trip day it can supply data on
    voice: int  # bit per trip day it covers with voice
    devices: int  # bit per device served
    supply: Decimal  # most data (included and overage) one purchase can supply
    top_day: Decimal  # most it can supply on one day
    day_supply: dict[int, Decimal]  # per day: min(need × devices, daily limit)


def _reach_of(n: int, c: Candidate, days: Days) -> _Reach:
    width = len(c.devices)
    daily = INF if c.daily is None else c.daily
    day_supply: dict[int, Decimal] = {}
    over = Decimal(0)
    incl = Decimal(0)
    for e in c.entries:
        part = Decimal(0)
        for i in e.days:
            day_supply[i] = min(days.need[i] * width, daily)
            part += day_supply[i]
        if e.overage is not None:
            over += part  # overage has no cap: the whole need can be bought
        else:
            incl += part if e.cap is None else min(e.cap, part)
    if c.allowance is not None:
        incl = min(incl, c.allowance)
    data = 0
    for i in day_supply:
        data |= 1 << i
    voice = 0
    for i in c.voice_days:
        voice |= 1 << i
    devices = 0
    for k in c.devices:
        devices |= 1 << k
    return _Reach(
        n=n,
        data=data,
        voice=voice,
        devices=devices,
        supply=over + incl,
        top_day=max(day_supply.values(), default=Decimal(0)),
        day_supply=day_supply,
    )


def _free(q: Candidate, p: Candidate) -> bool:
    """q has no count limit, or only the new-customer status p itself uses at q's operator."""
    if q.owned or q.plan.max_purchases is not None:
        return False
    if q.promo is not None and q.promo.limit is not None:
        return False
    if q.new_customer:
        return p.new_customer and p.plan.operator == q.plan.operator
    return True


def _covers(q: Candidate, rq: _Reach, rp: _Reach) -> bool:
    """Can one purchase of q supply, as included data, all that one of p can?"""
    if rp.data & ~rq.data or rp.voice & ~rq.voice or rp.devices & ~rq.devices:
        return False
    if rp.supply <= 0:
        return True
    if q.allowance is not None and q.allowance < rp.supply:
        return False
    if q.daily is not None and q.daily < rp.top_day:
        return False
    for e in q.entries:
        if e.cap is None:
            continue
        part = sum((rp.day_supply.get(i, Decimal(0)) for i in e.days), Decimal(0))
        if e.cap < min(rp.supply, part):
            return False
    return True


def prune_candidates(
    cands: list[Candidate], days: Days, deadline: float | None = None
) -> list[Candidate]:
    """Drop bought candidates that another kept candidate replaces one for one.

    q replaces p when q costs no more, has no count limit (or only the
    new-customer status p uses at the same operator), serves p's devices, covers
    p's data and voice days, and can supply as included data all that one
    purchase of p can (p's overage included) within q's allowance, caps and
    daily limit. Candidates are scanned cheapest first and only kept ones
    replace, so every dropped candidate has a replacement in the model.
    Past `deadline` the rest is kept unscanned: pruning is optional, so the
    model stays exact, only larger.
    """
    reach = []
    for n, c in enumerate(cands):
        if deadline is not None and n % 256 == 0 and time.perf_counter() > deadline:
            return cands
        reach.append(_reach_of(n, c, days))
    order = sorted(
        range(len(cands)),
        key=lambda n: (
            cands[n].owned,
            cands[n].price_base,
            -reach[n].data.bit_count(),
            -reach[n].supply,
            n,
        ),
    )
    keep: list[int] = []
    replacers: list[int] = []
    # kept replacers by a trip day they supply data on: q must cover all of p's,
    # so the shortest of those lists holds every replacer
    by_day: dict[int, list[int]] = {}
    for pos, n in enumerate(order):
        if deadline is not None and pos % 64 == 0 and time.perf_counter() > deadline:
            keep.extend(order[pos:])
            break
        p = cands[n]
        rp = reach[n]
        if not p.owned:
            pool = replacers
            data = rp.data
            while data and pool:
                low = data & -data
                pool = min(pool, by_day.get(low.bit_length() - 1, ()), key=len)
                data ^= low
            if any(
                not (rp.data & ~reach[m].data)
                and _free(cands[m], p)
                and _covers(cands[m], reach[m], rp)
                for m in pool
            ):
                continue
        keep.append(n)
        if not p.owned:
            replacers.append(n)
            data = rp.data
            while data:
                low = data & -data
                by_day.setdefault(low.bit_length() - 1, []).append(n)
                data ^= low
    return [cands[n] for n in sorted(keep)]

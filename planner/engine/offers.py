"""Offers and plan dominance (docs/engine.md#pruning-offers and
docs/engine.md#pruning-offer-dominance).

An offer is a plan at list price, or with one promotion, seen from this trip:
which trip countries it counts in, the days it could matter on, its price on
each activation day, and the bounds on what one purchase of it can give.
`prune_plans` drops every offer that a kept offer dominates, so each dropped
offer has a replacement in the model.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from planner.engine.fairuse import fair_use
from planner.engine.instance import INF, Days, Filters, TripIndex, entry_of
from planner.engine.model import EU_FAIR_USE, Catalog, Plan, Promotion


def device_cap(plan: Plan, filters: Filters) -> int:
    """How many of the trip's devices one purchase of the plan can serve."""
    if not filters.sharing:
        return 1
    return filters.devices if plan.hotspot else min(plan.max_devices, filters.devices)


def promo_price(plan: Plan, pr: Promotion | None) -> Decimal:
    """The plan's price in its own currency, with the promotion if any."""
    if pr is None:
        return plan.price
    return plan.price * (1 - pr.discount_percent / 100)


def _promo_on(plan: Plan, day: date) -> Promotion | None:
    # windows of one plan never overlap (rejected at import), so at most one applies
    return next((pr for pr in plan.promotions if pr.starts <= day <= pr.ends), None)


def _available(plan: Plan, day: date) -> bool:
    return (plan.available_from is None or plan.available_from <= day) and (
        plan.available_until is None or day <= plan.available_until
    )


def _restricted_promo(pr: Promotion) -> bool:
    return pr.limit is not None or pr.new_customer_only


def _choices_at(plan: Plan, day: date, filters: Filters) -> list[Promotion | None]:
    """Promotion choices for a purchase activated on `day`; None = list price.

    An unrestricted promotion makes the list price pointless (same purchase,
    price no higher, allowance no lower), so only the promotion is offered. A
    restricted one keeps the list price beside it, for when it is used up.
    """
    if not _available(plan, day):
        return []
    new_customer_ok = plan.operator not in filters.owned_operators
    if plan.new_customer_only and not new_customer_ok:
        return []
    pr = _promo_on(plan, day)
    if pr is None or (pr.new_customer_only and not new_customer_ok):
        return [None]
    if _restricted_promo(pr):
        return [None, pr]
    return [pr]


def _day_choices(plan: Plan, days: Days, filters: Filters) -> list[list[Promotion | None]]:
    """Per activation day, the promotion choices (one list object when they never change)."""
    if plan.available_from is None and plan.available_until is None and not plan.promotions:
        # the common case: the list price every day (what _choices_at gives then)
        sold = not (plan.new_customer_only and plan.operator in filters.owned_operators)
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
        return [_choices_at(plan, first, filters)] * len(days)
    return [_choices_at(plan, d, filters) for d in days.dates]


@dataclass
class Offer:
    """One offer (a plan at list price, or with one promotion) seen from this trip.

    Dominance compares offers, not plans: a plan's list price and its
    first-order promotion use different resources (the operator's
    new-customer status), so each is pruned on its own.
    """

    plan: Plan
    promo: Promotion | None
    entry_of: dict[str, int]
    mask: int  # bit per trip country with a counting entry
    useful: tuple[int, ...]  # trip days where a purchase could matter
    prices: tuple[Decimal | None, ...]  # per activation day: base price, None = not offered
    unavailable: int  # activation days where the offer is not sold
    total: Decimal  # sum of its prices over the days where it is sold
    veff: int
    devcap: int
    usable: Decimal  # most data one purchase can usefully supply on this trip
    max_need: Decimal
    limited: bool  # max_purchases or a promotion limit bounds it
    new_customer: str | None  # operator whose new-customer status it uses
    has_overage: bool
    allowance: Decimal  # data_gb + bonus, INF when unlimited
    daily: Decimal
    caps_ok: Decimal  # least cap on the trip's useful countries (INF when none)


@dataclass(frozen=True)
class _Served:
    """What depends only on the trip countries an offer serves (shared between plans)."""

    useful: tuple[int, ...]
    need_sum: Decimal
    max_need: Decimal


def _served(voice: bool, countries: list[str], ix: TripIndex) -> _Served:
    by_country = ix.all_days if voice else ix.need_days
    return _Served(
        useful=tuple(sorted(i for c in countries for i in by_country[c])),
        need_sum=sum((ix.need_sum[c] for c in countries), Decimal(0)),
        max_need=max(ix.max_need[c] for c in countries),
    )


def _distinct(choices_by_day: list[list[Promotion | None]]) -> list[Promotion | None]:
    """The promotion choices that occur on some day, each once (by identity)."""
    constant = choices_by_day[0] is choices_by_day[-1]
    out: list[Promotion | None] = []
    for choices in choices_by_day[:1] if constant else choices_by_day:
        for ch in choices:
            if not any(ch is o for o in out):
                out.append(ch)
    return out


def _caps(
    plan: Plan,
    counts_in: dict[str, int],
    by_country: dict[str, tuple[int, ...]],
    days: Days,
    catalog: Catalog,
) -> tuple[Decimal, bool]:
    """The least cap over the entries of the countries served (INF when none),
    and whether any of them sells overage."""
    caps = INF
    has_overage = False
    for c, n in counts_in.items():
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
    return caps, has_overage


def _prices(
    price: Decimal, promo: Promotion | None, choices_by_day: list[list[Promotion | None]]
) -> tuple[tuple[Decimal | None, ...], int, Decimal]:
    """Per activation day the offer's base price (None = not sold), the days
    it is not sold on, and the sum of its prices."""
    if choices_by_day[0] is choices_by_day[-1] and choices_by_day[0]:
        return (price,) * len(choices_by_day), 0, price * len(choices_by_day)
    prices = tuple(
        price if any(ch is promo for ch in choices) else None for choices in choices_by_day
    )
    unavailable = sum(1 for x in prices if x is None)
    return prices, unavailable, sum((x for x in prices if x is not None), Decimal(0))


def offers_of(
    plan: Plan,
    days: Days,
    ix: TripIndex,
    filters: Filters,
    catalog: Catalog,
    ranks: tuple[int, ...] | None = None,
    memo: dict | None = None,
) -> list[Offer]:
    """The plan's offers on this trip; none when it serves no trip day or is never sold.

    `memo` shares, between the plans of one trip, what depends only on the
    countries they serve.
    """
    counts_in = entry_of(plan, filters.min_rank, ix.countries, ranks)
    if not counts_in:
        return []
    voice = filters.needs_voice and plan.voice
    by_country = ix.all_days if voice else ix.need_days
    mask = 0
    for c in counts_in:
        if by_country[c]:
            mask |= ix.bit[c]
    if not mask:
        return []
    # what depends only on the served countries is shared by the plans serving them
    served = None if memo is None else memo.get((mask, voice))
    if served is None:
        served = _served(voice, [c for c in counts_in if by_country[c]], ix)
        if memo is not None:
            memo[(mask, voice)] = served
    choices_by_day = _day_choices(plan, days, filters)
    # the common case: the same choices every day (one list object), one choice
    uniform = choices_by_day[0] is choices_by_day[-1] and len(choices_by_day[0]) == 1
    promos = choices_by_day[0] if uniform else _distinct(choices_by_day)
    if not promos:
        return []
    devcap = device_cap(plan, filters)
    caps, has_overage = _caps(plan, counts_in, by_country, days, catalog)
    out = []
    for promo in promos:
        price = catalog.rates.to_base(promo_price(plan, promo), plan.currency)
        if uniform:
            prices, unavailable, total = (price,) * len(days), 0, price * len(days)
        else:
            prices, unavailable, total = _prices(price, promo, choices_by_day)
        nc = plan.new_customer_only or (promo is not None and promo.new_customer_only)
        bonus = promo.bonus_gb if promo is not None else Decimal(0)
        out.append(
            Offer(
                plan=plan,
                promo=promo,
                entry_of=counts_in,
                mask=mask,
                useful=served.useful,
                prices=prices,
                unavailable=unavailable,
                total=total,
                veff=min(plan.validity_days, len(days)),
                devcap=devcap,
                usable=devcap * served.need_sum,
                max_need=served.max_need,
                limited=plan.max_purchases is not None
                or (promo is not None and promo.limit is not None),
                new_customer=plan.operator if nc else None,
                has_overage=has_overage,
                allowance=INF if plan.data_gb is None else plan.data_gb + bonus,
                daily=INF if plan.daily_gb is None else plan.daily_gb,
                caps_ok=caps,
            )
        )
    return out


def _dominates(q: Offer, p: Offer, needs_voice: bool) -> bool:
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
    need = p.usable if p.has_overage else min(p.allowance, p.usable)
    if q.allowance < need or q.caps_ok < p.usable:
        return False
    if q.daily < min(p.daily, p.devcap * p.max_need):
        return False
    for qp, pp in zip(q.prices, p.prices, strict=True):
        if pp is not None and (qp is None or qp > pp):
            return False
    return True


def _sort_key(v: Offer, big: Decimal):
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
        v.promo is not None,
    )


def _kept_dominator(
    v: Offer, frontier: dict[int, dict[str | None, list[Offer]]], needs_voice: bool
) -> bool:
    """Does a kept offer of the frontier dominate v? A dominator that hits is
    moved to the front of its group, to be tried first next time; whether an
    offer is dropped does not depend on which one hits."""
    for mask, by_nc in frontier.items():
        if v.mask & ~mask:
            continue
        for nc in (None, v.new_customer) if v.new_customer else (None,):
            group = by_nc.get(nc, ())
            for pos, q in enumerate(group):
                if _dominates(q, v, needs_voice):
                    if pos:
                        group[0], group[pos] = q, group[0]
                    return True
    return False


def prune_plans(offers: list[Offer], needs_voice: bool) -> list[Offer]:
    """Drop dominated offers. Kept dominators are never removed later, so every
    dropped offer has a dominator in the result; the order only decides how
    much is pruned, not whether it is exact."""
    big = max((v.usable for v in offers), default=Decimal(0))
    order = sorted(offers, key=lambda v: _sort_key(v, big))
    # by mask, then by the operator whose new-customer status the offer uses
    frontier: dict[int, dict[str | None, list[Offer]]] = {}
    kept = []
    for v in order:
        if _kept_dominator(v, frontier, needs_voice):
            continue
        kept.append(v)
        if not v.limited:
            frontier.setdefault(v.mask, {}).setdefault(v.new_customer, []).append(v)
    kept.sort(key=lambda v: (v.plan.slug, v.promo is not None))
    return kept

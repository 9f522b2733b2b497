"""Reading the answer back: the solver's floats become exact purchases, days and shortfalls.

docs/engine.md, "Reading the answer back". The MILP works in floats; the chosen
purchases are priced again exactly (Decimal) from their promoted prices and
the overage GB, cleaned to 1 kB. `price` does the same for any solution
(baselines, trade-off entries) so that all of them compare on one scale.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from planner.engine.advice import purchase_notices
from planner.engine.budget import check
from planner.engine.candidates import Candidate
from planner.engine.instance import Days, penalty_in_base
from planner.engine.model import Catalog
from planner.engine.money import GB_STEP, clean_gb, round_money
from planner.engine.result import (
    Baselines,
    CapUse,
    Day,
    Money,
    Notice,
    Outcome,
    OwnedGap,
    Purchase,
    Result,
    Short,
    Supply,
)
from planner.engine.solution import Solution

SNAP = Decimal("0.00001")  # a day short by less than this is float noise, not a shortage


TOLERANCE = Decimal("0.005")  # §6: "within 0.005 of the least objective"


NOISE = Decimal("0.000001")


@dataclass
class _Flow:
    cand: int
    copy: int
    device: int
    day: int
    incl: Decimal
    over: Decimal


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    # copies of one candidate share their flow evenly; the last takes the remainder
    if parts == 1:
        return [amount]
    each = (amount / parts).quantize(GB_STEP)
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


def _flows(
    sol: Solution,
    days: Days,
    devices: int,
    *,
    copies: bool = True,
    deadline: float | None = None,
) -> tuple[list[_Flow], dict[tuple[int, int], Decimal]]:
    """Per (device, day) flows from the solver, trimmed to the need and snapped.

    `copies=False`: one flow per candidate (copy 0) carrying what all its copies
    give, for pricing only; splitting among copies preserves every sum, and a
    candidate bought 100 times on a shared trip would otherwise make 100 flows
    per device-day (minutes on 10 devices × 360 days). Past `deadline`: `Overrun`."""
    direct = _direct_supply(sol, devices)
    check(deadline, "readback", 0)
    flows: list[_Flow] = []
    unmet: dict[tuple[int, int], Decimal] = {}
    for k in range(devices):
        check(deadline, "readback", len(flows))
        for i in range(len(days)):
            need = days.need[i]
            if need <= 0:
                continue
            items = direct.get((k, i), [])
            met = _trim(items, need)
            if met < need:
                unmet[(k, i)] = need - met
            for n, a, b in items:
                if a <= 0 and b <= 0:
                    continue
                count = sol.counts[n] if copies else 1
                for copy, (ca, cb) in enumerate(
                    zip(_split(a, count), _split(b, count), strict=True)
                ):
                    if ca > 0 or cb > 0:
                        flows.append(_Flow(n, copy, k, i, ca, cb))
                if count > 100:
                    check(deadline, "readback", len(flows))
    return flows, unmet


def _direct_supply(sol: Solution, devices: int) -> dict[tuple[int, int], list[list]]:
    """[candidate, included, overage] per (device, day), pooled data shared out."""
    direct: dict[tuple[int, int], list[list]] = defaultdict(list)
    pooled: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    for (n, k, i), (incl, over) in sorted(sol.supply.items()):
        if sol.counts[n] <= 0:
            continue
        a, b = clean_gb(incl), clean_gb(over)
        if k == -1:
            pooled[i].append((n, a, b))
        else:
            direct[(k, i)].append([n, a, b])
    for i, items in pooled.items():
        # included pieces first, so pool data left over is overage and is dropped
        pieces = [[n, "incl", a] for n, a, _ in items if a > 0]
        pieces += [[n, "over", b] for n, _, b in items if b > 0]
        for k in range(devices):
            want = clean_gb(sol.pool_share.get((k, i), 0.0))
            for n, (a, b) in sorted(_take(pieces, want).items()):
                direct[(k, i)].append([n, a, b])
    return direct


def _take(pieces: list[list], want: Decimal) -> dict[int, list[Decimal]]:
    """`want` GB from the pool's pieces in order, used up as taken: per candidate [incl, over]."""
    got: dict[int, list[Decimal]] = {}
    for piece in pieces:
        if want <= 0:
            break
        take = min(want, piece[2])
        if take <= 0:
            continue
        piece[2] -= take
        want -= take
        slot = got.setdefault(piece[0], [Decimal(0), Decimal(0)])
        slot[0 if piece[1] == "incl" else 1] += take
    return got


def _trim(items: list[list], need: Decimal) -> Decimal:
    """Cut a device-day's supply to its need (overage first), snap float noise; what is met."""
    excess = sum((a + b for _, a, b in items), Decimal(0)) - need
    if excess > 0:
        # trim overage first: it is the part that costs
        for part in (2, 1):
            for item in items:
                cut = min(excess, item[part])
                item[part] -= cut
                excess -= cut
    elif excess < 0 and -excess < SNAP and items:
        # onto the overage where there is some: included data sits at its caps
        items[0][2 if items[0][2] > 0 else 1] -= excess
    return sum((a + b for _, a, b in items), Decimal(0))


def _why(country: str, covered_by_model: bool, catalog: Catalog) -> str:
    """The reason code of a device-day left short; planner/explanations.py says it in words."""
    if not any(country in cov.countries for p in catalog.plans for cov in p.coverage):
        return "no-plan"
    if not covered_by_model:
        return "filtered"
    return "limits"


def _served_pairs(cands: list[Candidate]) -> set[tuple[int, int]]:
    out = set()
    for c in cands:
        for e in c.entries:
            for i in e.days:
                for k in c.devices:
                    out.add((k, i))
    return out


@dataclass(frozen=True)
class Found:
    """A solution of the trip's model over some candidate list, priced exactly."""

    cands: list[Candidate]
    sol: Solution
    cost: Decimal
    objective: Decimal
    esims: int
    short_gb: Decimal
    unmet: Decimal  # short GB plus days without a voice plan: what stage 1 minimises
    optimal: bool


def price(trip, catalog, days, cands, sol) -> Found:
    """Price a solution exactly, as the result does."""
    flows, unmet = _flows(sol, days, trip.devices, copies=False)
    cost = Decimal(0)
    esims = 0
    for n, c in enumerate(cands):
        cost += c.price_base * sol.counts[n]
        esims += 0 if c.owned else sol.counts[n]
    rate: dict[tuple[int, int], Decimal | None] = {}
    for f in flows:
        if (f.cand, f.day) not in rate:
            e = next(e for e in cands[f.cand].entries if f.day in e.days)
            rate[(f.cand, f.day)] = e.overage_base
        if (r := rate[(f.cand, f.day)]) is not None and f.over:
            cost += f.over * r
    short_gb = sum(unmet.values(), Decimal(0))
    voice = len(voice_shorts(cands, days, sol)) if trip.needs_voice else 0
    penalty = penalty_in_base(trip, catalog)
    return Found(
        cands=cands,
        sol=sol,
        cost=cost,
        objective=cost + esims * penalty,
        esims=esims,
        short_gb=short_gb,
        unmet=short_gb + voice,
        optimal=sol.optimal and sol.found,
    )


def outcome(trip, catalog, f: Found | None, cls=Outcome, **extra) -> Outcome | None:
    if f is None:
        return None
    rates = catalog.rates
    currency = trip.currency or rates.base
    return cls(
        total=Money(round_money(rates.from_base(f.cost, currency)), currency),
        total_base=Money(round_money(f.cost), rates.base),
        cost_base=f.cost,
        objective_base=f.objective,
        esims=f.esims,
        short_gb=f.short_gb,
        optimal=f.optimal,
        **extra,
    )


def ranks_before(f: Found, than: Found) -> bool:
    if f.unmet < than.unmet - SNAP:
        return True
    if f.unmet > than.unmet + SNAP:
        return False
    if f.objective < than.objective - TOLERANCE:
        return True
    return f.objective <= than.objective + TOLERANCE and (f.esims, f.objective) < (
        than.esims,
        than.objective,
    )


def read_back(trip, catalog, days, cands, sol, today, deadline: float | None = None) -> Result:
    rates = catalog.rates
    currency = trip.currency or rates.base
    flows, unmet = _flows(sol, days, trip.devices, deadline=deadline)

    # one Purchase per bought copy, and owned renewals that serve the trip
    index: dict[tuple[int, int], int] = {}
    order = []
    for n, c in enumerate(cands):
        for copy in range(sol.counts[n] if sol.found else (1 if c.owned else 0)):
            order.append((c.start, not c.owned, c.plan.slug, c.devices, n, copy))
    order.sort()
    for pos, (*_, n, copy) in enumerate(order):
        index[(n, copy)] = pos

    by_purchase: dict[int, list[_Flow]] = defaultdict(list)
    for f in flows:
        by_purchase[index[(f.cand, f.copy)]].append(f)

    purchases: list[Purchase] = []
    warnings = []
    cost = Decimal(0)
    penalty = Decimal(0)
    for pos, (*_, n, _copy) in enumerate(order):
        if pos % 100 == 99:
            check(deadline, "readback", pos)
        c = cands[n]
        fl = by_purchase.get(pos, [])
        p, ov_base = _purchase(c, fl, days, catalog, currency)
        purchases.append(p)
        cost += c.price_base + ov_base
        penalty += c.penalty_base
        warnings.extend(replace(w, purchases=(pos,)) for w in purchase_notices(p, c, days, today))
    warnings = _once(warnings)

    day_rows = []
    for i in range(len(days)):
        supply = [
            Supply(
                purchase=index[(f.cand, f.copy)],
                device=f.device + 1,
                gb=f.incl + f.over,
                overage_gb=f.over,
            )
            for f in flows
            if f.day == i
        ]
        supply.sort(key=lambda s: (s.device, s.purchase))
        day_rows.append(Day(days.dates[i], days.countries[i], days.need[i], tuple(supply)))

    served = _served_pairs(cands)
    shorts = []
    for k in range(trip.devices):
        for i in range(len(days)):
            if days.need[i] <= 0:
                continue
            missing = unmet.get((k, i), Decimal(0))
            if missing > 0:
                reason = (
                    _why(days.countries[i], (k, i) in served, catalog)
                    if sol.found
                    else "time-limit"
                )
                shorts.append(
                    Short(
                        date=days.dates[i],
                        country=days.countries[i],
                        device=k + 1,
                        missing_gb=missing,
                        reason=reason,
                    )
                )
    if trip.needs_voice:
        shorts.extend(voice_shorts(cands, days, sol))
    shorts.sort(key=lambda s: (s.date, s.device or 0, s.voice))

    if not sol.found:
        warnings.append(Notice(code="time-limit"))
    short_gb = sum((s.missing_gb for s in shorts), Decimal(0))
    objective = cost + penalty
    return Result(
        currency=currency,
        base_currency=rates.base,
        total=Money(round_money(rates.from_base(cost, currency)), currency),
        total_base=Money(round_money(cost), rates.base),
        cost_base=cost,
        objective_base=objective,
        short_gb=short_gb,
        purchases=tuple(purchases),
        days=tuple(day_rows),
        short=tuple(shorts),
        baselines=Baselines(None, None),
        warnings=tuple(warnings),
        optimal=sol.optimal,
        catalog_version=catalog.version,
        owned_gaps=_owned_gaps(trip, catalog, days, purchases, day_rows),
    )


def _once(warnings: list[Notice]) -> list[Notice]:
    """The same warning about identical purchases (one per device) is given once."""
    merged: dict[tuple, Notice] = {}
    for w in warnings:
        k = (w.code, w.plan, w.plan_name, tuple(sorted(w.details.items())))
        if k in merged:
            merged[k] = replace(merged[k], purchases=merged[k].purchases + w.purchases)
        else:
            merged[k] = w
    return list(merged.values())


def _owned_gaps(trip, catalog, days: Days, purchases, day_rows) -> tuple[OwnedGap, ...]:
    """§9: per owned plan, the trip days it leaves to others, and why, in runs."""
    rank = trip.min_network.rank if trip.min_network else 0
    out: list[OwnedGap] = []
    for slug in trip.owned:
        plan = catalog.plan(slug)
        held = [n for n, p in enumerate(purchases) if p.owned and p.plan == slug]
        run: list = []  # [country, reason, first, last, covered_by]
        for i, row in enumerate(day_rows):
            reason = None
            if days.need[i] > 0:
                reason = _gap(plan, row, rank, held, purchases)
            if reason is None:
                run = []
                continue
            others = tuple(
                sorted({s.purchase for s in row.supply if s.device == 1 and s.purchase not in held})
            )
            if run and run[0] == (row.country, reason) and run[1].last == days.dates[i - 1]:
                gap = run[1]
                run[1] = replace(
                    gap,
                    last=row.date,
                    covered_by=tuple(sorted(set(gap.covered_by) | set(others))),
                )
                out[-1] = run[1]
            else:
                run = [
                    (row.country, reason),
                    OwnedGap(slug, row.country, row.date, row.date, reason, others),
                ]
                out.append(run[1])
    return tuple(out)


def _gap(plan, row: Day, rank: int, held: list[int], purchases) -> str | None:
    entries = [cov for cov in plan.coverage if row.country in cov.countries]
    if not entries:
        return "country-not-covered"
    if all(cov.network.rank < rank for cov in entries):
        return "network-too-slow"
    got = sum((s.gb for s in row.supply if s.device == 1 and s.purchase in held), Decimal(0))
    if got >= row.need_gb - SNAP:
        return None
    # short of its need: a gap only when a limit of the renewal held that day binds
    # (otherwise another purchase merely served the day first)
    for n in held:
        p = purchases[n]
        if not p.activate_on <= row.date <= p.active_until:
            continue
        allowance = p.allowance_gb is not None and p.included_gb >= p.allowance_gb - SNAP
        daily = p.daily_gb is not None and got >= p.daily_gb - SNAP
        if allowance or daily or any(c.binds and row.country in c.countries for c in p.caps):
            return "cap-reached"
    return None


def voice_shorts(cands, days: Days, sol) -> list[Short]:
    covered = {i for c in cands for i in c.voice_days}
    out = []
    for i in range(len(days)):
        country = days.countries[i]
        if i not in covered:
            reason = "no-voice-plan"
        elif i in sol.voice_missing:
            reason = "voice-limits"
        else:
            continue
        out.append(
            Short(
                date=days.dates[i],
                country=country,
                device=None,
                missing_gb=Decimal(0),
                reason=reason,
                voice=True,
            )
        )
    return out


def _purchase(c: Candidate, flows: list[_Flow], days: Days, catalog: Catalog, currency: str):
    incl_by_entry: dict[int, Decimal] = defaultdict(Decimal)
    over_by_entry: dict[int, Decimal] = defaultdict(Decimal)
    entry_of_day = {i: e for e in c.entries for i in e.days}
    for f in flows:
        e = entry_of_day[f.day]
        incl_by_entry[e.index] += f.incl
        over_by_entry[e.index] += f.over
    over_cost = Decimal(0)
    over_base = Decimal(0)
    caps = []
    for e in c.entries:
        inc, ov = incl_by_entry[e.index], over_by_entry[e.index]
        if e.overage is not None:
            over_cost += ov * e.overage
            over_base += ov * e.overage_base
        cov = c.plan.coverage[e.index]
        caps.append(
            CapUse(
                countries=tuple(sorted({days.countries[i] for i in e.days})),
                network=str(cov.network),
                cap_gb=e.cap,
                fair_use=e.fair_use,
                overage_per_gb=None if e.overage is None else Money(e.overage, c.plan.currency),
                included_gb=inc,
                overage_gb=ov,
                binds=e.cap is not None and inc >= e.cap - SNAP,
            )
        )
    included = sum(incl_by_entry.values(), Decimal(0))
    overage_gb = sum(over_by_entry.values(), Decimal(0))
    start = days.dates[0] + timedelta(days=c.start)
    served = sorted({f.day for f in flows} | set(c.voice_days))
    bonus = c.promo.bonus_gb if c.promo is not None else Decimal(0)
    p = Purchase(
        plan=c.plan.slug,
        plan_name=c.plan.name,
        operator=c.plan.operator,
        owned=c.owned,
        activate_on=start,
        active_until=start + timedelta(days=c.plan.validity_days - 1),
        devices=tuple(k + 1 for k in c.devices),
        list_price=Money(c.plan.price, c.plan.currency),
        price=Money(c.price, c.plan.currency),
        price_base=c.price_base,
        promotion=c.promo.name if c.promo is not None else None,
        discount_percent=c.promo.discount_percent if c.promo is not None else Decimal(0),
        bonus_gb=bonus,
        new_customer=c.new_customer,
        residents_only=c.plan.residents_only,
        subscription=c.plan.subscription,
        overage=Money(over_cost, c.plan.currency),
        overage_base=over_base,
        overage_gb=overage_gb,
        data_gb=included + overage_gb,
        included_gb=included,
        allowance_gb=c.allowance,
        daily_gb=c.daily,
        caps=tuple(caps),
        days=tuple(days.dates[i] for i in served),
        list_price_trip=in_trip(c.plan.price, c.plan.currency, currency, catalog),
        price_trip=in_trip(c.price, c.plan.currency, currency, catalog),
        overage_trip=Money(catalog.rates.from_base(over_base, currency), currency),
    )
    return p, over_base


def in_trip(amount: Decimal, plan_currency: str, currency: str, catalog: Catalog) -> Money:
    if plan_currency == currency:
        return Money(amount, currency)
    rates = catalog.rates
    return Money(rates.from_base(rates.to_base(amount, plan_currency), currency), currency)

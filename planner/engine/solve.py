"""plan_trip: trip and catalog in, the proven-best plan combination out.

The MILP works in floats; the chosen purchases are then priced again exactly
(Decimal) from their promoted prices and the overage GB, cleaned to 1 kB.
"""

import time
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from planner.engine import milp
from planner.engine.advice import purchase_warnings
from planner.engine.budget import Overrun, TripTooLarge, check
from planner.engine.candidates import (
    Candidate,
    Days,
    Options,
    build_candidates,
    eligible,
    penalty_in_base,
    plans_naming,
    prune_candidates,
    trip_days,
)
from planner.engine.model import Catalog, Trip
from planner.engine.money import GB_STEP, clean_gb, round_money
from planner.engine.result import (
    Alternative,
    Baselines,
    CapUse,
    Day,
    Money,
    Outcome,
    OwnedGap,
    Purchase,
    Result,
    Short,
    ShortDay,
    SolveStats,
    Supply,
    Warning,
)

SNAP = Decimal("0.00001")  # a day short by less than this is float noise, not a shortage
TOLERANCE = Decimal("0.005")  # §6: "within 0.005 of the least objective"
NOISE = Decimal("0.000001")


def options_for(trip: Trip, catalog: Catalog) -> Options:
    owned_ops = frozenset(p.operator for s in trip.owned if (p := catalog.plan(s)) is not None)
    return Options(
        devices=trip.devices,
        sharing=trip.sharing,
        min_rank=trip.min_network.rank if trip.min_network else 0,
        needs_voice=trip.needs_voice,
        esim_only=trip.esim_only,
        penalty_base=penalty_in_base(trip, catalog),
        owned_operators=owned_ops | frozenset(trip.customer_of),
        resident_in=frozenset(trip.resident_in),
    )


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
    sol: milp.Solution,
    cands: list[Candidate],
    days: Days,
    devices: int,
    *,
    copies: bool = True,
    deadline: float | None = None,
):
    """Per (device, day) flows from the solver, trimmed to the need and snapped.

    `copies=False`: one flow per candidate (copy 0) carrying what all its copies
    give, for pricing only; splitting among copies preserves every sum, and a
    candidate bought 100 times on a shared trip would otherwise make 100 flows
    per device-day (minutes on 10 devices × 360 days). Past `deadline`: `Overrun`."""
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
    check(deadline, "readback", 0)
    for i, items in pooled.items():
        # included pieces first, so pool data left over is overage and is dropped
        pieces = [[n, "incl", a] for n, a, _ in items if a > 0]
        pieces += [[n, "over", b] for n, _, b in items if b > 0]
        for k in range(devices):
            want = clean_gb(sol.pool_share.get((k, i), 0.0))
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
            for n, (a, b) in sorted(got.items()):
                direct[(k, i)].append([n, a, b])

    flows: list[_Flow] = []
    unmet: dict[tuple[int, int], Decimal] = {}
    for k in range(devices):
        check(deadline, "readback", len(flows))
        for i in range(len(days)):
            need = days.need[i]
            if need <= 0:
                continue
            items = direct.get((k, i), [])
            total = sum((a + b for _, a, b in items), Decimal(0))
            excess = total - need
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
            met = sum((a + b for _, a, b in items), Decimal(0))
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


def _why(country: str, covered_by_model: bool, catalog: Catalog) -> str:
    """The reason code of a device-day left short; planner/explanations.py says it in words."""
    if not any(country in cov.countries for p in catalog.plans for cov in p.coverage):
        return "no-plan"
    if not covered_by_model:
        return "filtered"
    return "limits"


def _served_pairs(cands: list[Candidate], devices: int) -> set[tuple[int, int]]:
    out = set()
    for c in cands:
        for e in c.entries:
            for i in e.days:
                for k in c.devices:
                    out.add((k, i))
    return out


# Shares of the time limit, all on one clock: pruning stops at half; the
# baselines at 25 %, the main search at 85 % when alternatives follow; the
# rest is for the alternatives and the result. Building the candidates and
# the main model is not optional: it may run to the overshoot the deadline
# allows (10 % + 0.5 s, less a margin to answer), and past that the trip is
# too large to plan at once.
BUILD_SHARE = 0.5
OVERSHOOT = 0.1
GRACE = 0.2
BASELINE_SHARE = 0.25
MAIN_SHARE = 0.85
RESULT_RESERVE = 0.03


def _share(part: float, time_limit: float, end: float) -> float:
    """A deadline `part` of the limit from now (building may have taken long), before `end`."""
    return min(time.perf_counter() + part * time_limit, end)


@dataclass(frozen=True)
class _Found:
    """A solution of the trip's model over some candidate list, priced exactly."""

    cands: list[Candidate]
    sol: milp.Solution
    cost: Decimal
    objective: Decimal
    esims: int
    short_gb: Decimal
    unmet: Decimal  # short GB plus days without a voice plan: what stage 1 minimises
    optimal: bool


def plan_trip(
    trip: Trip,
    catalog: Catalog,
    *,
    time_limit: float = 10.0,
    today: date | None = None,
    baselines: bool = True,
    alternatives: bool = True,
) -> Result:
    """The recommendation, its baselines and its trade-off, all within `time_limit`.

    When the main model cannot be built in time, the best baseline found is
    the answer (`optimal: false`); without one, `budget.TripTooLarge`.
    """
    started = time.perf_counter()
    end = started + time_limit
    hard = end + OVERSHOOT * time_limit + GRACE
    days = trip_days(trip)
    opts = options_for(trip, catalog)
    every: list[Candidate] = []
    base: dict[str, _Found | None] = {}
    sol: milp.Solution | None = None
    try:
        every, pstats = build_candidates(trip, catalog, days, opts, deadline=hard)
        # candidates another candidate replaces one for one; the baselines, which
        # restrict the plans, keep the full list (a replacement may be of another plan)
        cands = prune_candidates(every, days, deadline=started + BUILD_SHARE * time_limit)
        base = (
            _baselines(trip, catalog, days, every, opts, _share(BASELINE_SHARE, time_limit, end))
            if baselines
            else {}
        )
        starts = tuple(
            s
            for f in base.values()
            if f is not None
            and (s := milp.carry(f.sol, f.cands, cands, days, trip.devices)) is not None
        )
        until = started + (MAIN_SHARE if alternatives else 1 - RESULT_RESERVE) * time_limit
        sol = milp.solve(
            cands,
            days,
            trip.devices,
            trip.needs_voice,
            until - time.perf_counter(),
            cap=trip.max_esims,
            starts=starts,
            # past the limit only when nothing else could answer: a baseline found
            # leaves the overshoot to reading it back
            build_deadline=end if any(base.values()) else hard,
        )
    except Overrun as over:
        if not any(base.values()):
            raise TripTooLarge(
                days=len(days),
                devices=trip.devices,
                legs=len(trip.legs),
                candidates=max(len(every), over.done),
                limit=time_limit,
            ) from None
        # the main model did not fit in the deadline, a baseline did: it is the answer
    main = None if sol is None else _found(trip, catalog, days, cands, sol)
    alts: list[tuple[int, _Found]] = []
    if alternatives and main is not None:
        alts = _alternatives(
            trip, catalog, days, cands, main, base, end - RESULT_RESERVE * time_limit
        )
    found = [f for f in (main, *(f for _, f in alts), *base.values()) if f is not None]
    best = _best(found)
    optimal = main is not None and best is main and main.optimal
    try:
        result = _result(
            trip, catalog, days, best.cands, best.sol, today or date.today(), deadline=hard
        )
    except Overrun as over:
        # an answer too large to even write out in time (thousands of copies)
        raise TripTooLarge(
            days=len(days),
            devices=trip.devices,
            legs=len(trip.legs),
            candidates=max(len(every), over.done),
            limit=time_limit,
        ) from None
    stats = SolveStats(
        plans=pstats.plans,
        plans_kept=pstats.kept,
        candidates=len(cands),
        rows=sol.rows if sol else 0,
        cols=sol.cols if sol else 0,
        nonzeros=sol.nonzeros if sol else 0,
        seconds=time.perf_counter() - started,
        solves=sol.solves if sol else 0,
    )
    return replace(
        result,
        optimal=optimal,
        baselines=Baselines(
            local_per_country=_summary(trip, catalog, base.get("local")),
            single_plan=_summary(trip, catalog, base.get("single")),
        ),
        stats=stats,
        alternatives=_trade_off(trip, catalog, alts, best, optimal),
        short_days=_short_days(trip, catalog, days, result.short, best.esims, best.sol.found),
    )


def _found(trip, catalog, days, cands, sol) -> _Found:
    """Price a solution exactly, as the result does."""
    flows, unmet = _flows(sol, cands, days, trip.devices, copies=False)
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
    voice = len(_voice_shorts(cands, days, sol, catalog)) if trip.needs_voice else 0
    penalty = penalty_in_base(trip, catalog)
    return _Found(
        cands=cands,
        sol=sol,
        cost=cost,
        objective=cost + esims * penalty,
        esims=esims,
        short_gb=short_gb,
        unmet=short_gb + voice,
        optimal=sol.optimal and sol.found,
    )


def _best(found: list[_Found]) -> _Found:
    """§6 over everything found: least unmet, least objective, then fewest eSIMs
    within TOLERANCE; the first listed (the main search) wins ties."""
    least = min(f.unmet for f in found)
    tied = [f for f in found if f.unmet <= least + SNAP]
    low = min(f.objective for f in tied)
    near = [f for f in tied if f.objective <= low + TOLERANCE]
    fewest = min(f.esims for f in near)
    group = [f for f in near if f.esims == fewest]
    cheapest = min(f.objective for f in group)
    # below a micro-cent the difference is the solver's float noise, not money
    return next(f for f in group if f.objective <= cheapest + NOISE)


def _summary(trip, catalog, f: _Found | None, cls=Outcome, **extra) -> Outcome | None:
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


def _improves(f: _Found, than: _Found) -> bool:
    if f.unmet < than.unmet - SNAP:
        return True
    return f.unmet <= than.unmet + SNAP and f.objective < than.objective - TOLERANCE


def _alternatives(trip, catalog, days, cands, main: _Found, base: dict, until: float):
    """§9 trade-off: the optimum with at most k eSIMs, k = 1 .. main's count - 1.

    Ascending k, so each solution is a start for the next (it holds under a
    larger cap), with the baselines that fit the cap; one candidate list, the
    LP relaxation kept warm between caps. Once an entry meets every need, a
    larger cap is only of interest below its objective less the tolerance
    (anything else is dropped from the trade-off), so that is its cut-off.
    """
    out: list[tuple[int, _Found]] = []
    prev: _Found | None = None
    lp: dict = {}
    # the recommendation's purchases are worth trying under every smaller cap
    hints = frozenset(n for n, count in enumerate(main.sol.counts) if count > 0)
    for k in range(1, main.esims):
        if time.perf_counter() >= until:
            break
        known = [f for f in base.values() if f is not None and f.esims <= k]
        if prev is not None:
            known.append(prev)
        starts = tuple(
            s
            for f in known
            if (s := milp.carry(f.sol, f.cands, cands, days, trip.devices)) is not None
        )
        cutoff = None
        if prev is not None and prev.unmet <= SNAP:
            cutoff = float(prev.objective - TOLERANCE)
        try:
            sol = milp.solve(
                cands,
                days,
                trip.devices,
                trip.needs_voice,
                until - time.perf_counter(),
                cap=k,
                starts=starts,
                lp=lp,
                hints=hints if main.cands is cands else frozenset(),
                cutoff=cutoff,
            )
        except Overrun:
            break
        if not sol.found:
            continue  # nothing below the cut-off (or not in time): no entry for k
        found = _found(trip, catalog, days, cands, sol)
        if prev is None or _ranks_before(found, prev):
            prev = found
            out.append((k, found))
    return out


def _trade_off(trip, catalog, alts, best: _Found, optimal: bool) -> tuple[Alternative, ...]:
    """Entries that each save something over every smaller one; the recommendation last."""
    kept: list[tuple[int, _Found]] = []
    for k, f in alts:
        if f.esims >= best.esims or not _improves(best, f):
            continue
        if kept and not _improves(f, kept[-1][1]):
            continue
        kept.append((k, f))
    own = _summary(trip, catalog, best, Alternative, max_esims=trip.max_esims)
    own = replace(own, optimal=optimal)
    return (
        *(_summary(trip, catalog, f, Alternative, max_esims=k) for k, f in kept),
        own,
    )


def _result(trip, catalog, days, cands, sol, today, deadline: float | None = None) -> Result:
    rates = catalog.rates
    currency = trip.currency or rates.base
    flows, unmet = _flows(sol, cands, days, trip.devices, deadline=deadline)

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
        warnings.extend(
            replace(w, purchases=(pos,)) for w in purchase_warnings(p, c, days, trip, today)
        )
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

    served = _served_pairs(cands, trip.devices)
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
        shorts.extend(_voice_shorts(cands, days, sol, catalog))
    shorts.sort(key=lambda s: (s.date, s.device or 0, s.voice))

    if not sol.found:
        warnings.append(Warning(code="time-limit"))
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


def _once(warnings: list[Warning]) -> list[Warning]:
    """The same warning about identical purchases (one per device) is given once."""
    merged: dict[tuple, Warning] = {}
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
                reason = _gap(plan, row, i, rank, held, purchases)
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


def _gap(plan, row: Day, i: int, rank: int, held: list[int], purchases) -> str | None:
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


def _voice_shorts(cands, days: Days, sol, catalog) -> list[Short]:
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
        list_price_trip=_in_trip(c.plan.price, c.plan.currency, currency, catalog),
        price_trip=_in_trip(c.price, c.plan.currency, currency, catalog),
        overage_trip=Money(catalog.rates.from_base(over_base, currency), currency),
    )
    return p, over_base


def _in_trip(amount: Decimal, plan_currency: str, currency: str, catalog: Catalog) -> Money:
    if plan_currency == currency:
        return Money(amount, currency)
    rates = catalog.rates
    return Money(rates.from_base(rates.to_base(amount, plan_currency), currency), currency)


def _baselines(trip, catalog, days: Days, every, opts, until: float) -> dict:
    """§9 baselines by the trip's own rules: every condition of the trip, owned
    plans free, the same objective (and `max_esims`), each over a restricted
    candidate list of the same builder.
    """
    out: dict[str, _Found | None] = {"local": None, "single": None}
    countries = {days.countries[i] for i in range(len(days)) if days.need[i] > 0}
    # the single plan first: cheap, and a good start for the main search; each
    # stops at the end of the share, keeping what it found
    with suppress(Overrun):
        out["single"] = _single_plan(trip, catalog, days, every, until)
    with suppress(Overrun):
        # a local plan may be dominated by a regional one in `every`: build afresh
        locals_ = [
            p
            for p in catalog.plans
            if len({x for cov in p.coverage for x in cov.countries}) == 1
            and next(iter(p.coverage[0].countries)) in countries
        ]
        local = build_candidates(
            trip, catalog, days, opts, plans=locals_, owned=True, deadline=until
        )[0]
        reached = {days.countries[i] for c in local for i in c.days}
        if countries and countries <= reached:
            local = prune_candidates(local, days, deadline=until)
            out["local"] = _sub_solve(trip, catalog, days, local, until)
    return out


def _sub_solve(trip, catalog, days, cands, until) -> _Found | None:
    left = until - time.perf_counter()
    if left <= 0:
        return None
    sol = milp.solve(
        cands, days, trip.devices, trip.needs_voice, left, cap=trip.max_esims, fewest=True
    )
    return _found(trip, catalog, days, cands, sol) if sol.found else None


def _single_plan(trip, catalog, days, every, until) -> _Found | None:
    """The best solution buying one plan only (an owned plan counts as one, held free).

    Plans that reach every day with need, tried by a lower bound on their
    objective; once one meets every need, a plan whose bound is no better
    cannot win.
    """
    need_days = [i for i in range(len(days)) if days.need[i] > 0]
    if not need_days:
        return None
    by_plan: dict[str, list[Candidate]] = defaultdict(list)
    for c in every:
        by_plan[c.plan.slug].append(c)
    penalty = penalty_in_base(trip, catalog)
    span = need_days[-1] - need_days[0] + 1
    ranked = []
    for slug, cs in by_plan.items():
        covered = {i for c in cs for i in c.days}
        if not covered.issuperset(need_days):
            continue
        bought = [c for c in cs if not c.owned]
        if any(c.owned for c in cs):
            floor = Decimal(0)
        else:
            plan = cs[0].plan
            devcap = max(len(c.devices) for c in cs)
            copies = -(-span // plan.validity_days) * -(-trip.devices // devcap)
            floor = (min(c.price_base for c in bought) + penalty) * copies
        ranked.append((floor, slug))
    ranked.sort()
    best: _Found | None = None
    for floor, slug in ranked:
        if best is not None and best.unmet <= 0 and floor >= best.objective:
            break  # no later plan can beat it: its lower bound is no better
        try:
            f = _sub_solve(trip, catalog, days, by_plan[slug], until)
        except Overrun:
            break  # out of time: the best so far stands
        if f is not None and (best is None or _ranks_before(f, best)):
            best = f
    return best


def _ranks_before(f: _Found, than: _Found) -> bool:
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


# §9: why a day is short, as a code (planner/explanations.py has the words).
# Checked per plan that
# names the country; the plan closest to serving it (fewest conditions failed)
# names the condition, the first of this order among its failures.
_CONDITIONS = ("residents-only", "esim-only", "network", "no-voice", "dates", "new-customer-used")


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
    code = next(c for c in _CONDITIONS if c in codes)
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


def _short_days(trip, catalog, days, shorts, esims: int, found: bool) -> tuple[ShortDay, ...]:
    """One entry per short day: data and voice together, one condition."""
    cond = _Conditions(
        rank=trip.min_network.rank if trip.min_network else 0,
        resident_in=frozenset(trip.resident_in),
        known=frozenset(trip.customer_of) | options_for(trip, catalog).owned_operators,
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

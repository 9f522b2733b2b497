"""plan_trip: trip and catalog in, the proven-best plan combination out.

The MILP works in floats; the chosen purchases are then priced again exactly
(Decimal) from their promoted prices and the overage GB, cleaned to 1 kB.
"""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from planner.engine import milp
from planner.engine.advice import purchase_warnings
from planner.engine.candidates import (
    Candidate,
    Days,
    Options,
    build_candidates,
    penalty_in_base,
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
    Purchase,
    Result,
    Short,
    ShortDay,
    SolveStats,
    Supply,
    Warning,
)

SNAP = Decimal("0.00001")  # a day short by less than this is float noise, not a shortage


def options_for(trip: Trip, catalog: Catalog) -> Options:
    owned_ops = frozenset(p.operator for s in trip.owned if (p := catalog.plan(s)) is not None)
    return Options(
        devices=trip.devices,
        sharing=trip.sharing,
        min_rank=trip.min_network.rank if trip.min_network else 0,
        needs_voice=trip.needs_voice,
        esim_only=trip.esim_only,
        penalty_base=penalty_in_base(trip, catalog),
        owned_operators=owned_ops,
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


def _flows(sol: milp.Solution, cands: list[Candidate], days: Days, devices: int):
    """Per (device, day) flows from the solver, trimmed to the need and snapped."""
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
                items[0][1 if items[0][1] > 0 or items[0][2] == 0 else 2] -= excess
            met = sum((a + b for _, a, b in items), Decimal(0))
            if met < need:
                unmet[(k, i)] = need - met
            for n, a, b in items:
                if a <= 0 and b <= 0:
                    continue
                count = sol.counts[n]
                for copy, (ca, cb) in enumerate(
                    zip(_split(a, count), _split(b, count), strict=True)
                ):
                    if ca > 0 or cb > 0:
                        flows.append(_Flow(n, copy, k, i, ca, cb))
    return flows, unmet


def _why(country: str, covered_by_model: bool, catalog: Catalog) -> tuple[str, str]:
    """(reason code, explanation) of a short day; pages translate by the code."""
    if not any(country in cov.countries for p in catalog.plans for cov in p.coverage):
        return "no-plan", f"no plan in the catalog covers {country}"
    if not covered_by_model:
        return "filtered", (
            f"the filters (eSIM only / minimum network / availability dates) "
            f"leave no plan for {country}"
        )
    return "limits", (
        f"every plan that could serve {country} is used up by max_purchases or new-customer limits"
    )


def _served_pairs(cands: list[Candidate], devices: int) -> set[tuple[int, int]]:
    out = set()
    for c in cands:
        for e in c.entries:
            for i in e.days:
                for k in c.devices:
                    out.add((k, i))
    return out


def plan_trip(
    trip: Trip,
    catalog: Catalog,
    *,
    time_limit: float = 10.0,
    today: date | None = None,
    baselines: bool = True,
) -> Result:
    started = time.perf_counter()
    days = trip_days(trip)
    opts = options_for(trip, catalog)
    every, pstats = build_candidates(trip, catalog, days, opts)
    # candidates another candidate replaces one for one; the baselines, which
    # restrict the plans, keep the full list (a replacement may be of another plan)
    cands = prune_candidates(every, days)
    remaining = max(time_limit - (time.perf_counter() - started), 0.05)
    sol = milp.solve(cands, days, trip.devices, trip.needs_voice, remaining)
    result = _result(trip, catalog, days, cands, sol, today or date.today())
    if baselines:
        remaining = max(time_limit - (time.perf_counter() - started), 0.5)
        base = compute_baselines(trip, catalog, days, every, remaining)
    else:
        base = Baselines(None, None)
    stats = SolveStats(
        plans=pstats.plans,
        plans_kept=pstats.kept,
        candidates=len(cands),
        rows=sol.rows,
        cols=sol.cols,
        nonzeros=sol.nonzeros,
        seconds=time.perf_counter() - started,
        solves=sol.solves,
    )
    own = _outcome(
        trip, catalog, result.cost_base, len(result.bought), result.short_gb, result.optimal
    )
    alternatives = (Alternative(**own.__dict__, max_esims=trip.max_esims),)
    return Result(
        **{
            **result.__dict__,
            "baselines": base,
            "stats": stats,
            "alternatives": alternatives,
            "short_days": _short_days(result.short),
        }
    )


def _short_days(shorts) -> tuple[ShortDay, ...]:
    by_day: dict[date, list[Short]] = defaultdict(list)
    for s in shorts:
        by_day[s.date].append(s)
    out = []
    for day, items in sorted(by_day.items()):
        data = [s for s in items if not s.voice]
        first = (data or items)[0]
        out.append(
            ShortDay(
                date=day,
                country=first.country,
                missing_gb=sum((s.missing_gb for s in data), Decimal(0)),
                devices=tuple(s.device for s in data if s.device is not None),
                voice=any(s.voice for s in items),
                reason=first.reason,
                why=first.why,
            )
        )
    return tuple(out)


def _result(trip, catalog, days, cands, sol, today) -> Result:
    rates = catalog.rates
    currency = trip.currency or rates.base
    flows, unmet = _flows(sol, cands, days, trip.devices)

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
        c = cands[n]
        fl = by_purchase.get(pos, [])
        p, ov_base = _purchase(c, fl, days, catalog, currency)
        purchases.append(p)
        cost += c.price_base + ov_base
        penalty += c.penalty_base
        warnings.extend(purchase_warnings(p, c, days, trip, today))

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
                reason, why = (
                    _why(days.countries[i], (k, i) in served, catalog)
                    if sol.found
                    else ("time-limit", "no combination was found within the time limit")
                )
                shorts.append(
                    Short(days.dates[i], days.countries[i], k + 1, missing, why, reason=reason)
                )
    if trip.needs_voice:
        shorts.extend(_voice_shorts(cands, days, sol, catalog))
    shorts.sort(key=lambda s: (s.date, s.device or 0, s.voice))

    if not sol.found:
        warnings.append(
            Warning(
                "time-limit",
                "The search ran out of time before finding any combination; "
                "the days below are not covered for that reason only.",
            )
        )
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
    )


def _voice_shorts(cands, days: Days, sol, catalog) -> list[Short]:
    covered = {i for c in cands for i in c.voice_days}
    out = []
    for i in range(len(days)):
        country = days.countries[i]
        if i not in covered:
            reason = "no-voice-plan"
            why = f"no allowed voice plan covers {country}: voice is dropped for this day"
        elif i in sol.voice_missing:
            reason = "voice-limits"
            why = (
                f"every voice plan that could cover {country} is used up by max_purchases "
                f"or new-customer limits: voice is dropped for this day"
            )
        else:
            continue
        out.append(Short(days.dates[i], country, None, Decimal(0), why, voice=True, reason=reason))
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


def _sub_cost(trip, catalog, days, cands, time_limit):
    """Least cost with these candidates only, or None when some need stays unmet."""
    sol = milp.solve(cands, days, trip.devices, False, time_limit, fewest=False)
    if not sol.found:
        return None
    flows, unmet = _flows(sol, cands, days, trip.devices)
    if any(v > 0 for v in unmet.values()):
        return None
    served = _served_pairs(cands, trip.devices)
    if any(
        days.need[i] > 0 and (k, i) not in served
        for k in range(trip.devices)
        for i in range(len(days))
    ):
        return None
    cost = Decimal(0)
    esims = 0
    for n, c in enumerate(cands):
        cost += c.price_base * sol.counts[n]
        esims += 0 if c.owned else sol.counts[n]
    for f in flows:
        e = next(e for e in cands[f.cand].entries if f.day in e.days)
        if e.overage_base is not None:
            cost += f.over * e.overage_base
    return cost, esims, sol.optimal


def _outcome(trip, catalog, cost: Decimal, esims: int, short_gb: Decimal, optimal: bool):
    rates = catalog.rates
    currency = trip.currency or rates.base
    objective = cost + esims * penalty_in_base(trip, catalog)
    return Outcome(
        total=Money(round_money(rates.from_base(cost, currency)), currency),
        total_base=Money(round_money(cost), rates.base),
        cost_base=cost,
        objective_base=objective,
        esims=esims,
        short_gb=short_gb,
        optimal=optimal,
    )


def compute_baselines(trip, catalog, days: Days, cands, time_limit: float) -> Baselines:
    """§7: one local plan per country; the best single plan. Data only, owned plans left out."""
    deadline = time.perf_counter() + time_limit
    bought = [c for c in cands if not c.owned]

    local: tuple | None = (Decimal(0), 0, True)
    opts = options_for(trip, catalog)
    opts = Options(**{**opts.__dict__, "needs_voice": False})
    for country in sorted(set(days.countries)):
        need = tuple(
            n if c == country else Decimal(0)
            for n, c in zip(days.need, days.countries, strict=True)
        )
        if not any(n > 0 for n in need):
            continue
        sub_days = Days(days.dates, days.countries, need)
        # dominance is exact within a set of plans only: build the local set afresh
        locals_ = [
            p
            for p in catalog.plans
            if {x for cov in p.coverage for x in cov.countries} == {country}
        ]
        sub, _ = build_candidates(trip, catalog, sub_days, opts, plans=locals_)
        got = _sub_cost(trip, catalog, sub_days, sub, deadline - time.perf_counter())
        if got is None:
            local = None
            break
        local = (local[0] + got[0], local[1] + got[1], local[2] and got[2])

    need_days = [i for i in range(len(days)) if days.need[i] > 0]
    by_plan: dict[str, list[Candidate]] = defaultdict(list)
    for c in bought:
        by_plan[c.plan.slug].append(c)
    single: tuple | None = None
    ranked = []
    for slug, cs in by_plan.items():
        covered = {i for c in cs for e in c.entries for i in e.days}
        if not need_days or not covered.issuperset(need_days):
            continue
        plan = cs[0].plan
        span = need_days[-1] - need_days[0] + 1
        devcap = max(len(c.devices) for c in cs)
        copies = -(-span // plan.validity_days) * -(-trip.devices // devcap)
        floor = min(c.price_base for c in cs) * copies
        ranked.append((floor, slug))
    ranked.sort()
    for floor, slug in ranked:
        if single is not None and floor >= single[0]:
            break  # no later plan can beat it: its lower bound is no better
        if time.perf_counter() > deadline:
            break
        got = _sub_cost(trip, catalog, days, by_plan[slug], deadline - time.perf_counter())
        if got is not None and (single is None or got[0] < single[0]):
            single = got

    def shown(v):
        return None if v is None else _outcome(trip, catalog, v[0], v[1], Decimal(0), v[2])

    return Baselines(local_per_country=shown(local), single_plan=shown(single))

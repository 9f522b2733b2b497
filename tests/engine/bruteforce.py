"""An independent check of the engine on tiny trips.

Enumerates every multiset of at most MAX_BUY purchases (plan, activation day,
promotion or not, devices served), keeps those the counting rules allow, and
solves the data flow of each by a small explicit LP: one variable per
purchase, device and day, no aggregation of copies, no pooling, no pruning.
Written from the planning model, not from the engine's formulation.
"""

import itertools
import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import highspy
import numpy as np

from planner.engine.fairuse import fair_use
from planner.engine.model import EU_FAIR_USE, Catalog, Plan, Promotion, Trip

MAX_BUY = 3


@dataclass(frozen=True)
class Option:
    plan: Plan
    start: int
    promo: Promotion | None
    devices: tuple[int, ...]
    owned: bool = False


@dataclass(frozen=True)
class Best:
    unmet: float  # GB unmet plus voice days without a voice plan
    objective: float
    cost: float
    purchases: int  # bought, owned not counted
    complete: bool  # False when a solution might need more than MAX_BUY purchases


def _days(trip: Trip):
    out = []
    for leg in trip.legs:
        for _ in range(leg.days):
            out.append((trip.start_date + timedelta(days=len(out)), leg.country, leg.gb_per_day))
    return out


def _counts(plan: Plan, country: str, trip: Trip):
    rank = trip.min_network.rank if trip.min_network else 0
    for n, cov in enumerate(plan.coverage):
        if country in cov.countries and cov.network.rank >= rank:
            return n
    return None


def _device_sets(plan: Plan, trip: Trip, owned: bool):
    k = trip.devices
    size = 1
    if trip.sharing:
        size = k if plan.hotspot else min(plan.max_devices, k)
    sets = list(itertools.combinations(range(k), size))
    return [s for s in sets if 0 in s] if owned else sets


def _resident(plan: Plan, trip: Trip, catalog: Catalog) -> bool:
    operator = catalog.operators.get(plan.operator)
    return not plan.residents_only or (
        operator is not None and operator.country in trip.resident_in
    )


def options(trip: Trip, catalog: Catalog):
    days = _days(trip)
    # an operator the traveller holds a plan of, or has bought from, offers nothing new
    owned_ops = {catalog.plan(s).operator for s in trip.owned} | set(trip.customer_of)
    bought = []
    for plan in catalog.plans:
        if trip.esim_only and not plan.esim:
            continue
        if not _resident(plan, trip, catalog):
            continue
        for t, (day, _, _) in enumerate(days):
            if plan.available_from and day < plan.available_from:
                continue
            if plan.available_until and day > plan.available_until:
                continue
            if plan.new_customer_only and plan.operator in owned_ops:
                continue
            promos: list[Promotion | None] = [None]
            for pr in plan.promotions:
                if pr.starts <= day <= pr.ends and not (
                    pr.new_customer_only and plan.operator in owned_ops
                ):
                    promos.append(pr)
            for pr in promos:
                for devs in _device_sets(plan, trip, owned=False):
                    bought.append(Option(plan, t, pr, devs))
    owned_groups = []
    for slug in trip.owned:
        plan = catalog.plan(slug)
        for t in range(0, len(days), plan.validity_days):
            owned_groups.append(
                [Option(plan, t, None, d, owned=True) for d in _device_sets(plan, trip, True)]
            )
    return bought, owned_groups


def _new_customer(o: Option) -> bool:
    return not o.owned and (
        o.plan.new_customer_only or (o.promo is not None and o.promo.new_customer_only)
    )


def _allowed(combo) -> bool:
    by_plan: dict[str, int] = {}
    by_promo: dict[tuple[str, str], int] = {}
    nc: dict[str, int] = {}
    for o in combo:
        if o.owned:
            continue
        by_plan[o.plan.slug] = by_plan.get(o.plan.slug, 0) + 1
        if o.plan.max_purchases is not None and by_plan[o.plan.slug] > o.plan.max_purchases:
            return False
        if o.promo is not None:
            key = (o.plan.slug, o.promo.name)
            by_promo[key] = by_promo.get(key, 0) + 1
            if o.promo.limit is not None and by_promo[key] > o.promo.limit:
                return False
        if _new_customer(o):
            nc[o.plan.operator] = nc.get(o.plan.operator, 0) + 1
            if nc[o.plan.operator] > 1:
                return False
    return True


def _price(o: Option, catalog: Catalog) -> Decimal:
    if o.owned:
        return Decimal(0)
    price = o.plan.price
    if o.promo is not None:
        price = price * (1 - o.promo.discount_percent / 100)
    return catalog.rates.to_base(price, o.plan.currency)


def _flow(combo, trip: Trip, catalog: Catalog, days) -> tuple[float, float]:
    """Least GB unmet, then least overage cost (base), for a fixed set of purchases."""
    cols_cost, cols_up = [], []
    rows = []  # (lower, upper, {col: coef})
    supply_to: dict[tuple[int, int], list[int]] = {}

    def col(cost, up=math.inf):
        cols_cost.append(cost)
        cols_up.append(up)
        return len(cols_cost) - 1

    for o in combo:
        plan = o.plan
        allowance = plan.data_gb
        if allowance is not None and o.promo is not None:
            allowance += o.promo.bonus_gb
        incl_all, incl_entry = [], {}
        for i, (_day, country, _need) in enumerate(days):
            if not o.start <= i < o.start + plan.validity_days:
                continue
            n = _counts(plan, country, trip)
            if n is None:
                continue
            cov = plan.coverage[n]
            today = []
            for k in o.devices:
                ci = col(0.0)
                incl_all.append(ci)
                incl_entry.setdefault(n, []).append(ci)
                supply_to.setdefault((k, i), []).append(ci)
                today.append(ci)
                if cov.overage_per_gb is not None:
                    rate = catalog.rates.to_base(cov.overage_per_gb, plan.currency)
                    co = col(float(rate))
                    supply_to[(k, i)].append(co)
                    today.append(co)
            if plan.daily_gb is not None:
                rows.append((-math.inf, float(plan.daily_gb), dict.fromkeys(today, 1.0)))
        if allowance is not None and incl_all:
            rows.append((-math.inf, float(allowance), dict.fromkeys(incl_all, 1.0)))
        for n, cols in incl_entry.items():
            cap = plan.coverage[n].cap_gb
            if cap == EU_FAIR_USE:
                cap = fair_use(plan, days[o.start][0], catalog.rates).cap_gb
            if cap is not None:
                rows.append((-math.inf, float(cap), dict.fromkeys(cols, 1.0)))
    unmet = []
    for k in range(trip.devices):
        for i, (_, _, need) in enumerate(days):
            if need <= 0:
                continue
            u = col(0.0)
            unmet.append(u)
            terms = dict.fromkeys(supply_to.get((k, i), []), 1.0)
            terms[u] = 1.0
            rows.append((float(need), math.inf, terms))
    if not unmet:
        return 0.0, 0.0

    def lp(costs, extra=None):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        n = len(cols_cost)
        h.addVars(n, np.zeros(n), np.array(cols_up))
        all_rows = rows + ([extra] if extra else [])
        for lo, up, terms in all_rows:
            idx = np.array(list(terms), dtype=np.int32)
            h.addRow(lo, up, len(idx), idx, np.array(list(terms.values())))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(costs))
        h.run()
        return h.getInfo().objective_function_value

    stage1 = [0.0] * len(cols_cost)
    for u in unmet:
        stage1[u] = 1.0
    least = lp(stage1)
    over = lp(cols_cost, (-math.inf, least + 1e-7, dict.fromkeys(unmet, 1.0)))
    return least, over


def _voice_missing(combo, trip: Trip, days, coverable: set[int]) -> int:
    if not trip.needs_voice:
        return 0
    missing = 0
    for i in coverable:
        if not any(
            o.plan.voice
            and o.start <= i < o.start + o.plan.validity_days
            and _counts(o.plan, days[i][1], trip) is not None
            for o in combo
        ):
            missing += 1
    return missing


def brute_force(trip: Trip, catalog: Catalog) -> Best:
    days = _days(trip)
    bought, owned_groups = options(trip, catalog)
    currency = trip.currency or catalog.rates.base
    penalty = float(catalog.rates.to_base(trip.switch_penalty, currency))
    every = bought + [o for g in owned_groups for o in g]
    coverable = {
        i
        for i in range(len(days))
        for o in every
        if o.plan.voice
        and o.start <= i < o.start + o.plan.validity_days
        and _counts(o.plan, days[i][1], trip) is not None
    }
    results = []
    most = MAX_BUY if trip.max_esims is None else min(MAX_BUY, trip.max_esims)
    for owned_pick in itertools.product(*owned_groups):
        for size in range(most + 1):
            for combo in itertools.combinations_with_replacement(range(len(bought)), size):
                chosen = list(owned_pick) + [bought[n] for n in combo]
                if not _allowed(chosen):
                    continue
                gb, over = _flow(chosen, trip, catalog, days)
                unmet = gb + _voice_missing(chosen, trip, days, coverable)
                cost = float(sum((_price(o, catalog) for o in chosen), Decimal(0))) + over
                results.append((unmet, cost + penalty * size, cost, size))
    least = min(r[0] for r in results)
    tied = [r for r in results if r[0] <= least + 1e-6]
    best = min(r[1] for r in tied)
    near = [r for r in tied if r[1] <= best + 0.005 + 1e-9]
    fewest = min(r[3] for r in near)
    cost = min(r[2] for r in near if r[3] == fewest)
    complete = fewest < MAX_BUY or (trip.max_esims is not None and trip.max_esims <= MAX_BUY)
    return Best(least, best, cost, fewest, complete=complete)

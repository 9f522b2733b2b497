"""§9 baselines: one local plan per country, and the best single plan.

docs/engine.md, "Baselines". Each is the trip's own model over a restricted
candidate list, priced as the answer is (`readback.price`).
"""

import time
from collections import defaultdict
from contextlib import suppress
from decimal import Decimal

from planner.engine import search
from planner.engine.budget import Overrun
from planner.engine.candidates import Candidate, build_candidates
from planner.engine.instance import Days, penalty_in_base
from planner.engine.readback import Found, price, ranks_before
from planner.engine.replacement import prune_candidates


def find_baselines(
    trip, catalog, days: Days, every, opts, until: float, *, offers: dict | None = None
) -> dict:
    """§9 baselines by the trip's own rules: every condition of the trip, owned
    plans free, the same objective (and `max_esims`), each over a restricted
    candidate list of the same builder. `offers`: the main build's offers per
    plan (`build_candidates(offers=...)`), reused for the local plans.
    """
    out: dict[str, Found | None] = {"local": None, "single": None}
    countries = {days.countries[i] for i in range(len(days)) if days.need[i] > 0}
    # the single plan first: cheap, and a good start for the main search; each
    # stops at the end of the share, keeping what it found
    with suppress(Overrun):
        out["single"] = _single_plan(trip, catalog, days, every, until)
    with suppress(Overrun):
        # a local plan may be dominated by a regional one in `every`: dominance
        # runs afresh among the local plans, on the offers already worked out
        locals_ = [
            p
            for p in catalog.plans
            if len({x for cov in p.coverage for x in cov.countries}) == 1
            and next(iter(p.coverage[0].countries)) in countries
        ]
        local = build_candidates(
            trip, catalog, days, opts, plans=locals_, owned=True, deadline=until, offers=offers
        )[0]
        reached = {days.countries[i] for c in local for i in c.days}
        if countries and countries <= reached:
            local = prune_candidates(local, days, deadline=until)
            out["local"] = _sub_solve(trip, catalog, days, local, until)
    return out


def _sub_solve(trip, catalog, days, cands, until) -> Found | None:
    left = until - time.perf_counter()
    if left <= 0:
        return None
    sol = search.solve(
        cands, days, trip.devices, trip.needs_voice, left, cap=trip.max_esims, fewest=True
    )
    return price(trip, catalog, days, cands, sol) if sol.found else None


def _single_plan(trip, catalog, days, every, until) -> Found | None:
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
    best: Found | None = None
    for floor, slug in ranked:
        if best is not None and best.unmet <= 0 and floor >= best.objective:
            break  # no later plan can beat it: its lower bound is no better
        try:
            f = _sub_solve(trip, catalog, days, by_plan[slug], until)
        except Overrun:
            break  # out of time: the best so far stands
        if f is not None and (best is None or ranks_before(f, best)):
            best = f
    return best

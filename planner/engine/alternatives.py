"""§9 the cost–eSIM trade-off: the optimum with at most k eSIMs, for k below the answer's.

docs/engine.md, "The cost–eSIM trade-off".
"""

import time
from dataclasses import replace

from planner.engine import search
from planner.engine.budget import Overrun
from planner.engine.readback import SNAP, TOLERANCE, Found, outcome, price, ranks_before
from planner.engine.result import (
    Alternative,
)
from planner.engine.solution import carry


def _improves(f: Found, than: Found) -> bool:
    if f.unmet < than.unmet - SNAP:
        return True
    return f.unmet <= than.unmet + SNAP and f.objective < than.objective - TOLERANCE


def find_alternatives(trip, catalog, days, cands, main: Found, base: dict, until: float):
    """§9 trade-off: the optimum with at most k eSIMs, k = 1 .. main's count - 1.

    Ascending k, so each solution is a start for the next (it holds under a
    larger cap), with the baselines that fit the cap; one candidate list, the
    LP relaxation kept warm between caps. Once an entry meets every need, a
    larger cap is only of interest below its objective less the tolerance
    (anything else is dropped from the trade-off), so that is its cut-off.
    """
    out: list[tuple[int, Found]] = []
    prev: Found | None = None
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
            s for f in known if (s := carry(f.sol, f.cands, cands, days, trip.devices)) is not None
        )
        cutoff = None
        if prev is not None and prev.unmet <= SNAP:
            cutoff = float(prev.objective - TOLERANCE)
        try:
            sol = search.solve(
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
        found = price(trip, catalog, days, cands, sol)
        if prev is None or ranks_before(found, prev):
            prev = found
            out.append((k, found))
    return out


def trade_off(trip, catalog, alts, best: Found, optimal: bool) -> tuple[Alternative, ...]:
    """Entries that each save something over every smaller one; the recommendation last."""
    kept: list[tuple[int, Found]] = []
    for k, f in alts:
        if f.esims >= best.esims or not _improves(best, f):
            continue
        if kept and not _improves(f, kept[-1][1]):
            continue
        kept.append((k, f))
    own = outcome(trip, catalog, best, Alternative, max_esims=trip.max_esims)
    own = replace(own, optimal=optimal)
    return (
        *(outcome(trip, catalog, f, Alternative, max_esims=k) for k, f in kept),
        own,
    )

"""plan_trip: trip and catalog in, the proven-best plan combination out.

docs/engine.md, "The steps of plan_trip": the instance and its candidates,
the baselines (baselines.py), the main search (search.py), the trade-off
(alternatives.py), the best of everything found, read back (readback.py),
with why each short day is short (shortfalls.py); all on one deadline.
"""

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

from planner.engine import search
from planner.engine.alternatives import find_alternatives, trade_off
from planner.engine.baselines import find_baselines
from planner.engine.budget import Overrun, TripTooLarge
from planner.engine.candidates import Candidate, build_candidates
from planner.engine.instance import Filters, penalty_in_base, trip_days
from planner.engine.model import Catalog, Trip
from planner.engine.readback import NOISE, SNAP, TOLERANCE, Found, outcome, price, read_back
from planner.engine.replacement import prune_candidates
from planner.engine.result import (
    Baselines,
    Result,
    SolveStats,
)
from planner.engine.shortfalls import short_days
from planner.engine.solution import Solution, carry


def filters_for(trip: Trip, catalog: Catalog) -> Filters:
    owned_ops = frozenset(p.operator for s in trip.owned if (p := catalog.plan(s)) is not None)
    return Filters(
        devices=trip.devices,
        sharing=trip.sharing,
        min_rank=trip.min_network.rank if trip.min_network else 0,
        needs_voice=trip.needs_voice,
        esim_only=trip.esim_only,
        penalty_base=penalty_in_base(trip, catalog),
        owned_operators=owned_ops | frozenset(trip.customer_of),
        resident_in=frozenset(trip.resident_in),
    )


# Shares of the time limit, all on one clock: pruning stops at half; the
# baselines at 25 %, the main search at 85 % when alternatives follow; the
# rest is for the alternatives and the result. Building the candidates and
# the main model is not optional: it may run to the overshoot the deadline
# allows (10 % + 0.5 s) less 0.4 s kept to answer (on a busy machine one step
# between two clock checks can take a few tenths; the 0.1 s left lets a tiny
# limit still build a small trip), and
# past that the trip is too large to plan at once (docs/engine.md, "One deadline").
BUILD_SHARE = 0.5
OVERSHOOT = 0.1
GRACE = 0.1
BASELINE_SHARE = 0.25
MAIN_SHARE = 0.85
RESULT_RESERVE = 0.03


@dataclass(frozen=True)
class _Clock:
    """The one deadline of a plan, and the share of it each step may use."""

    started: float
    limit: float

    @property
    def end(self) -> float:
        return self.started + self.limit

    @property
    def hard(self) -> float:
        """The overshoot bound: only the work without which there is no answer runs to it."""
        return self.end + OVERSHOOT * self.limit + GRACE

    def at(self, part: float) -> float:
        return self.started + part * self.limit

    def share(self, part: float) -> float:
        """`part` of the limit from now (building may have taken long), before the end."""
        return min(time.perf_counter() + part * self.limit, self.end)


_gc_lock = threading.Lock()
_gc_planners = 0  # plan_trip calls under way in this process
_gc_was_enabled = False


@contextmanager
def _without_gc_pauses() -> Iterator[None]:
    """Python's cyclic garbage collector off while plans are made.

    A plan allocates millions of short-lived objects (candidates, model rows),
    which reference counting frees; each allocation burst also triggers
    collection passes over the whole heap, and on a large one (a process that
    holds the catalog, a long test run) a pass pauses the plan for tenths of a
    second between two clock checks: past the deadline's overshoot on a slow
    machine. Off from the first plan under way to the last (threads may plan
    at once), then back as it was; cycles left meanwhile go at the next pass.
    """
    global _gc_planners, _gc_was_enabled
    with _gc_lock:
        if _gc_planners == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_planners += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_planners -= 1
            if _gc_planners == 0 and _gc_was_enabled:
                gc.enable()


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

    Build the candidates, drop those another replaces; find the baselines;
    search the main model, started from them; find the trade-off under each
    smaller eSIM cap; take the best of everything found, read it back and say
    why each short day is short. When the main model cannot be built in time,
    the best baseline found is the answer (`optimal: false`); without one, and
    when even the answer cannot be read back in time, `budget.TripTooLarge`.
    """
    with _without_gc_pauses():
        return _plan(trip, catalog, time_limit, today, baselines, alternatives)


def _plan(trip, catalog, time_limit, today, baselines, alternatives) -> Result:
    clock = _Clock(started=time.perf_counter(), limit=time_limit)
    days = trip_days(trip)
    opts = filters_for(trip, catalog)
    every: list[Candidate] = []
    base: dict[str, Found | None] = {}
    sol: Solution | None = None
    offers: dict = {}  # each plan's offers, for the local baseline's build
    try:
        every, pstats = build_candidates(
            trip, catalog, days, opts, deadline=clock.hard, offers=offers
        )
        # candidates another candidate replaces one for one; the baselines, which
        # restrict the plans, keep the full list (a replacement may be of another plan)
        cands = prune_candidates(every, days, deadline=clock.at(BUILD_SHARE))
        if baselines:
            until = clock.share(BASELINE_SHARE)
            base = find_baselines(trip, catalog, days, every, opts, until, offers=offers)
        sol = _main_search(trip, days, cands, base, clock, alternatives=alternatives)
    except Overrun as over:
        if not any(base.values()):
            raise _too_large(trip, days, max(len(every), over.done), time_limit) from None
        # the main model did not fit in the deadline, a baseline did: it is the answer
    main = None if sol is None else price(trip, catalog, days, cands, sol)
    alts: list[tuple[int, Found]] = []
    if alternatives and main is not None:
        until = clock.end - RESULT_RESERVE * time_limit
        alts = find_alternatives(trip, catalog, days, cands, main, base, until)
    best = _best([f for f in (main, *(f for _, f in alts), *base.values()) if f is not None])
    optimal = main is not None and best is main and main.optimal
    try:
        today = today or date.today()
        result = read_back(trip, catalog, days, best.cands, best.sol, today, deadline=clock.hard)
    except Overrun as over:
        # an answer too large to even write out in time (thousands of copies)
        raise _too_large(trip, days, max(len(every), over.done), time_limit) from None
    return replace(
        result,
        optimal=optimal,
        baselines=Baselines(
            local_per_country=outcome(trip, catalog, base.get("local")),
            single_plan=outcome(trip, catalog, base.get("single")),
        ),
        stats=_stats(pstats, cands, sol, clock),
        alternatives=trade_off(trip, catalog, alts, best, optimal),
        short_days=short_days(
            trip,
            catalog,
            result.short,
            esims=best.esims,
            found=best.sol.found,
            owned_operators=opts.owned_operators,
        ),
    )


def _main_search(trip, days, cands, base, clock: _Clock, *, alternatives: bool) -> Solution:
    """The trip's model over the pruned candidates, the baselines as starts."""
    starts = tuple(
        s
        for f in base.values()
        if f is not None and (s := carry(f.sol, f.cands, cands, days, trip.devices)) is not None
    )
    until = clock.at(MAIN_SHARE if alternatives else 1 - RESULT_RESERVE)
    return search.solve(
        cands,
        days,
        trip.devices,
        trip.needs_voice,
        until - time.perf_counter(),
        cap=trip.max_esims,
        starts=starts,
        # past the limit only when nothing else could answer: a baseline found
        # leaves the overshoot to reading it back
        build_deadline=clock.end if any(base.values()) else clock.hard,
    )


def _too_large(trip: Trip, days, candidates: int, limit: float) -> TripTooLarge:
    return TripTooLarge(
        days=len(days),
        devices=trip.devices,
        legs=len(trip.legs),
        candidates=candidates,
        limit=limit,
    )


def _stats(pstats, cands, sol: Solution | None, clock: _Clock) -> SolveStats:
    """The main search's figures; zeros when its model could not be built in time."""
    return SolveStats(
        plans=pstats.plans,
        plans_kept=pstats.kept,
        candidates=len(cands),
        rows=sol.rows if sol else 0,
        cols=sol.cols if sol else 0,
        nonzeros=sol.nonzeros if sol else 0,
        seconds=time.perf_counter() - clock.started,
        solves=sol.solves if sol else 0,
    )


def _best(found: list[Found]) -> Found:
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

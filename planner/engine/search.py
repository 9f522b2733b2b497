"""The search: reduced-cost filtering, then the lexicographic stages on one
HiGHS model (docs/engine.md#formulation for the stages,
docs/engine.md#pruning-reduced-costs for the filter,
docs/engine.md#model-v2-the-cap-starts-alternatives-baselines for starts,
the cap and the cut-off).

Three stages (planning model §6): least GB unmet, then least cost plus switch
penalty, then fewest purchases within 0.005 of that. Each stage adds a row
holding the previous optimum and restarts from the previous solution.
"""

import math
import time
from dataclasses import dataclass, replace

import highspy
import numpy as np

from planner.engine.candidates import Candidate
from planner.engine.formulation import Builder, Layout, build
from planner.engine.highs import as_solution, new_highs, pass_model, run
from planner.engine.instance import Days
from planner.engine.solution import Solution, best, better, empty, read, remap, start_values

TOLERANCE = 0.005  # §6: "within 0.005 of the least objective"


@dataclass(frozen=True)
class _Problem:
    """What every model of one `solve` call shares: all but the candidate subset."""

    cands: list[Candidate]
    days: Days
    devices: int
    needs_voice: bool
    cap: int | None

    def build(
        self, cands: list[Candidate], *, no_unmet: bool = False, deadline: float | None = None
    ) -> tuple[Builder, Layout]:
        return build(
            cands,
            self.days,
            self.devices,
            self.needs_voice,
            cap=self.cap,
            no_unmet=no_unmet,
            deadline=deadline,
        )


def solve(
    cands: list[Candidate],
    days: Days,
    devices: int,
    needs_voice: bool,
    time_limit: float,
    *,
    fewest: bool = True,
    cap: int | None = None,
    starts: tuple[Solution, ...] = (),
    build_deadline: float | None = None,
    lp: dict | None = None,
    hints: frozenset[int] = frozenset(),
    cutoff: float | None = None,
) -> Solution:
    """Solve; candidates that reduced costs prove useless are left out first.

    `starts`: known solutions indexed like `cands` (baselines, other caps),
    handed to HiGHS as its first incumbent. Returns counts indexed like
    `cands` whatever was left out; never worse than the best start. Building
    the model raises `budget.Overrun` past `build_deadline` (default: the
    end of `time_limit`). `lp`: a dict kept between solves of one candidate
    list under different caps, so the LP relaxation is solved warm.
    `hints`: candidates worth trying in the quick incumbent model (the
    purchases of a solution that breaks this cap, say). `cutoff`: only a
    solution meeting every need with an objective below it is of interest
    (found false when there is none, or none in time); valid only when a
    start meets every need.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    if build_deadline is None:
        build_deadline = deadline
    problem = _Problem(cands=cands, days=days, devices=devices, needs_voice=needs_voice, cap=cap)
    known = best(starts)
    no_unmet = known is not None and known.unmet <= 1e-9
    if not no_unmet:
        cutoff = None
    b, lay = _full_model(problem, no_unmet, build_deadline, lp)
    if time.perf_counter() >= deadline:
        # built past the time to solve it (a very large trip): the best start, if any
        return _out_of_time(known, lay, b, started)
    filtered = _reduced_cost_filter(
        problem,
        b,
        lay,
        deadline,
        known if no_unmet else None,
        lp=lp,
        hints=hints,
        cutoff=cutoff,
    )
    if time.perf_counter() >= deadline:
        return _out_of_time(filtered[1] if filtered else known, lay, b, started)

    def stages(b: Builder, lay: Layout, start: list[float] | None) -> Solution:
        return _stages(
            b,
            lay,
            started=started,
            time_limit=time_limit,
            fewest=fewest,
            start=start,
            cutoff=cutoff,
        )

    if filtered is None:
        incumbent = known
        everyone = list(range(len(cands)))
        sol = stages(b, lay, None if known is None else start_values(known, everyone, b, lay))
    else:
        keep, incumbent = filtered
        if len(keep) == len(cands):
            # nothing filtered (no LP bound in time): the model built above is the one
            sol = stages(b, lay, start_values(incumbent, keep, b, lay))
        else:
            b, lay = problem.build(
                [cands[n] for n in keep], no_unmet=no_unmet, deadline=build_deadline
            )
            found = stages(b, lay, start_values(incumbent, keep, b, lay))
            sol = remap(found, keep, len(cands))
    sol = replace(sol, seconds=time.perf_counter() - started)
    if cutoff is not None:
        return sol  # the starts are above the cut-off: never an answer here
    if incumbent is not None and (not sol.found or (not sol.optimal and better(incumbent, sol))):
        # out of time: the known incumbent is the best answer (not proven)
        return replace(
            incumbent,
            optimal=False,
            seconds=sol.seconds,
            rows=sol.rows,
            cols=sol.cols,
            nonzeros=sol.nonzeros,
        )
    return sol


def _full_model(
    problem: _Problem, no_unmet: bool, deadline: float, lp: dict | None
) -> tuple[Builder, Layout]:
    """The model over all of `problem.cands`; with `lp` (one candidate list
    under several caps) built once and kept: the cap enters the model only as
    the bound of its row, so another cap is a copy with that bound changed,
    the same model `build` would give."""
    key = ("model", no_unmet)
    kept = None if lp is None or problem.cap is None else lp.get(key)
    if kept is not None:
        b, lay = kept
        upper = list(b.row_upper)
        upper[lay.cap_row] = float(problem.cap)
        return replace(b, row_upper=upper), lay
    b, lay = problem.build(problem.cands, no_unmet=no_unmet, deadline=deadline)
    if lp is not None and problem.cap is not None:
        lp[key] = (b, lay)
    return b, lay


def _out_of_time(known: Solution | None, lay: Layout, b: Builder, started: float) -> Solution:
    if known is None:
        return empty(b, len(lay.x), 0, started)
    rows, cols, nonzeros = b.size
    return replace(known, optimal=False, rows=rows, cols=cols, nonzeros=nonzeros)


def _lp_relaxation(b: Builder, lay: Layout, budget: float, lp: dict | None) -> highspy.Highs:
    """A HiGHS session holding the LP relaxation, solved warm when `lp` kept
    the same relaxation under another cap (only that row's bound changes,
    and the simplex restarts from the last basis)."""
    rows, cols, nonzeros = b.size
    shape = (cols, rows, nonzeros, lay.cap_row)
    if lp is not None and lp.get("shape") == shape and lay.cap_row is not None:
        h = lp["highs"]
        h.setOptionValue("time_limit", budget)
        h.changeRowBounds(lay.cap_row, -math.inf, b.row_upper[lay.cap_row])
        return h
    h = new_highs(budget)
    pass_model(h, b, relaxed=True)
    if lp is not None:
        lp.update(shape=shape, highs=h)
    return h


def _reduced_cost_filter(
    problem: _Problem,
    b: Builder,
    lay: Layout,
    deadline: float,
    known: Solution | None,
    *,
    lp: dict | None,
    hints: frozenset[int],
    cutoff: float | None,
) -> tuple[list[int], Solution] | None:
    """Candidates that can be in a solution within TOLERANCE of the optimum.

    With z the LP bound and d_c >= 0 the reduced cost of x_c at its lower
    bound 0, every solution with x_c >= 1 has objective >= z + d_c (LP
    duality: the objective is z plus a sum of non-negative reduced-cost
    terms). So if z + d_c exceeds the objective of a known solution by more
    than TOLERANCE, no optimal (or stage-3) solution buys c. The known
    solution comes from a small MILP over the candidates the LP likes.
    Only used when nothing is left unmet (stage 1 would change the rows).
    """
    cands = problem.cands
    if lay.unmet or len(cands) < 60 or deadline - time.perf_counter() < 0.05:
        return None
    # a third of the time at most: the search itself needs the rest
    h = _lp_relaxation(b, lay, max(deadline - time.perf_counter(), 0.01) / 3, lp)
    # Simplex, not interior point: the relaxation is degenerate, and the vertex
    # that interior point's crossover lands on has far weaker reduced costs
    # (docs/engine.md#reading-the-figures); its crossover also cannot be
    # stopped in time.
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        if known is not None:
            return list(range(len(cands))), known
        return _start_only(problem, deadline)
    z = h.getInfo().objective_function_value
    sol = h.getSolution()
    xs = [sol.col_value[j] for j in lay.x]
    ds = [sol.col_dual[j] for j in lay.x]
    order = sorted(range(len(cands)), key=lambda n: (xs[n] <= 1e-9, ds[n], n))
    support = sum(1 for v in xs if v > 1e-9)
    pick = set(order[: max(80, 4 * support)]) | hints
    if known is not None:
        # the known solution's purchases join the small model, which then meets
        # every need (no stage 1) and starts from it
        pick |= {n for n in range(len(cands)) if known.counts[n] > 0}
    bound = _quick_incumbent(problem, sorted(pick), known, deadline)
    if bound is None:
        return None  # a solution leaving need unmet is no bound for the full model
    upper = bound.objective + TOLERANCE + 1e-6
    if cutoff is not None:
        # only solutions below the cut-off are wanted: it bounds them too
        upper = min(upper, cutoff + 1e-6)
    # the incumbent's own purchases pass: it is feasible, so its objective is at
    # least z + d_c for each c it buys (kept explicitly against float noise)
    keep = [
        n for n in range(len(cands)) if cands[n].owned or z + ds[n] <= upper or bound.counts[n] > 0
    ]
    return keep, replace(bound, optimal=False)


def _quick_incumbent(
    problem: _Problem, pick: list[int], known: Solution | None, deadline: float
) -> Solution | None:
    """The better of `known` and a small MILP over `pick` (at most 0.5 s) that
    meets every need, indexed like all candidates; None when neither does."""
    b2, lay2 = problem.build([problem.cands[n] for n in pick], no_unmet=known is not None)
    budget = min(0.5, max(deadline - time.perf_counter(), 0.01) / 4)
    start = None if known is None else start_values(known, pick, b2, lay2)
    heur = _stages(
        b2, lay2, started=time.perf_counter(), time_limit=budget, fewest=False, start=start
    )
    out = known
    if heur.found and heur.unmet <= 1e-9:
        heur = remap(heur, pick, len(problem.cands))
        if out is None or heur.objective < out.objective:
            out = heur
    return out


def _start_only(problem: _Problem, deadline: float) -> tuple[list[int], Solution] | None:
    """No LP bound in time (very long trips): filter nothing, but find a start.

    A small MILP over the candidates cheapest per GB they can give; its
    solution only seeds the exact search, so the choice is free of any
    exactness condition.
    """
    cands, need = problem.cands, problem.days.need

    def per_gb(n: int) -> float:
        c = cands[n]
        servable = sum(float(need[i]) for e in c.entries for i in e.days) * len(c.devices)
        return float(c.price_base + c.penalty_base) / max(servable, 1e-9)

    pick = sorted(sorted(range(len(cands)), key=lambda n: (per_gb(n), n))[:150])
    b2, lay2 = problem.build([cands[n] for n in pick])
    budget = max(deadline - time.perf_counter(), 0.01) / 4
    heur = _stages(b2, lay2, started=time.perf_counter(), time_limit=budget, fewest=False)
    if not heur.found or heur.unmet > 1e-9:
        return None
    return list(range(len(cands))), remap(replace(heur, optimal=False), pick, len(cands))


def _stages(
    b: Builder,
    lay: Layout,
    *,
    started: float,
    time_limit: float,
    fewest: bool,
    start: list[float] | None = None,
    cutoff: float | None = None,
) -> Solution:
    """The stages; with `cutoff` (no stage 1), only a solution of objective below it counts."""
    deadline = started + time_limit
    if not b.cost:
        return Solution(
            optimal=True,
            found=True,
            counts=[],
            supply={},
            pool_share={},
            objective=0.0,
            unmet=0.0,
            voice_missing=[],
            rows=0,
            cols=0,
            nonzeros=0,
            solves=0,
            seconds=time.perf_counter() - started,
        )
    h = new_highs(time_limit)
    pass_model(h, b)
    if start is not None:
        h.setSolution(as_solution(start))
        # with a good start HiGHS's search heuristics only cost time: the
        # proof is what is left to do (docs/engine.md#why-the-real-data-is-hard)
        for name in ("rins", "rens", "root_reduced_cost"):
            h.setOptionValue(f"mip_heuristic_run_{name}", False)
    solves = 0
    optimal = True
    least = 0.0
    if lay.unmet:
        ok, found_least = _least_unmet(h, b, lay, deadline)
        solves += 1
        optimal &= ok
        if found_least is None:
            return empty(b, len(lay.x), solves, started)
        least = found_least
    elif cutoff is not None:
        h.setOptionValue("objective_bound", cutoff)
    ok, found = run(h, deadline)
    solves += 1
    optimal &= ok
    if not found:
        return empty(b, len(lay.x), solves, started)
    values = list(h.getSolution().col_value)
    cheapest = h.getInfo().objective_function_value
    if fewest and sum(round(values[j]) for j in lay.bought) > 0 and time.perf_counter() < deadline:
        values, proven, tries = _fewest(h, lay, values, cheapest, deadline)
        solves += tries
        optimal &= proven
    return read(
        values,
        lay,
        b,
        optimal=optimal,
        solves=solves,
        started=started,
        objective=cheapest,
        unmet=least,
    )


def _least_unmet(
    h: highspy.Highs, b: Builder, lay: Layout, deadline: float
) -> tuple[bool, float | None]:
    """Stage 1: (proven, the least GB and voice days unmet, None when nothing
    was found). When found, the next stage is set up: the unmet held at its
    least, the cost objective back, the solution as the start."""
    n_cols = len(b.cost)
    stage1 = np.zeros(n_cols)
    stage1[lay.unmet] = 1.0
    h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), stage1)
    ok, found = run(h, deadline)
    if not found:
        return ok, None
    values = list(h.getSolution().col_value)
    least = h.getInfo().objective_function_value
    # The start is handed over first: HiGHS 1.16 keeps the previous model
    # status when setSolution comes after the changes, and would then report
    # the old stage as solved without running.
    h.setSolution(as_solution(values))
    idx = np.nonzero(stage1)[0].astype(np.int32)
    if least <= 1e-9:
        # Nothing unmet: fix those columns at 0. The row "unmet <= 1e-6" makes
        # HiGHS 1.16 (presolve off) warn of excessively small bounds and then
        # call a feasible model infeasible (found by test_bruteforce).
        zero = np.zeros(len(idx))
        h.changeColsBounds(len(idx), idx, zero, zero)
    else:
        h.addRow(-math.inf, least + 1e-6, len(idx), idx, stage1[idx])
    cost = np.array(b.cost, dtype=np.float64)
    h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), cost)
    return ok, least


def _fewest(
    h: highspy.Highs, lay: Layout, values: list[float], cheapest: float, deadline: float
) -> tuple[list[float], bool, int]:
    """Stage 3 as a cut-off search: the least objective with at most one
    purchase fewer, cut off at cheapest + TOLERANCE. Nothing found: the count
    is least, and the stage-2 solution is the cheapest with it. Found: it is
    the cheapest with fewer purchases; look again below its count. This
    reuses stage 2's objective, whose LP bound rises at once when the count
    is capped, so the proof is usually quick.

    Returns the solution's values, whether the count is proven least, and
    how many solves it took."""
    bought = sum(round(values[j]) for j in lay.bought)
    idx = np.array(lay.bought, dtype=np.int32)
    h.addRow(-math.inf, bought - 1, len(idx), idx, np.ones(len(idx)))
    cap_row = h.getNumRow() - 1
    h.setOptionValue("objective_bound", cheapest + TOLERANCE + 1e-9)
    tries = 0
    while bought > 0 and time.perf_counter() < deadline:
        h.changeRowBounds(cap_row, -math.inf, bought - 1)
        ok, found = run(h, deadline)
        tries += 1
        status = h.getModelStatus()
        proven = ok or status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kObjectiveBound,
        )
        value = h.getInfo().objective_function_value
        if found and value <= cheapest + TOLERANCE + 1e-9:
            values = list(h.getSolution().col_value)
            bought = sum(round(values[j]) for j in lay.bought)
            continue
        return values, proven, tries
    return values, bought <= 0, tries

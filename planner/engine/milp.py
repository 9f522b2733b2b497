"""The planning model as a MILP for HiGHS (through highspy, no scipy).

Columns: x[c] (how many purchases of candidate c, integer), for every day c
can serve and every device it serves (or one pooled column for a purchase
that serves every device) its included and its overage GB, the pool's share
per device and day, and the GB left unmet where limits could leave some.
Copies of one candidate share their supply columns: n identical purchases
can split any aggregated flow evenly, so aggregating them is exact.

Three lexicographic stages on one model (planning model §6): least GB unmet,
then least cost plus switch penalty, then fewest purchases within 0.005 of
that. Each stage adds a row holding the previous optimum and restarts from the
previous solution.
"""

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np

from planner.engine.budget import check
from planner.engine.candidates import Candidate, Days

TOLERANCE = 0.005  # §6: "within 0.005 of the least objective"
FEAS = 1e-7


@dataclass
class _Builder:
    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def col(self, cost: float, lower: float, upper: float, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def row(self, lower: float, upper: float, terms: list[tuple[int, float]]) -> None:
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        for j, v in terms:
            self.index.append(j)
            self.value.append(v)
        self.starts.append(len(self.index))


@dataclass
class Solution:
    optimal: bool
    found: bool
    counts: list[int]  # per candidate
    # (candidate, device or -1 for the pool, day) -> (included GB, overage GB)
    supply: dict[tuple[int, int, int], tuple[float, float]]
    pool_share: dict[tuple[int, int], float]  # (device, day) -> GB from pooled purchases
    objective: float  # of the last stage that found a solution, stage-2 terms
    unmet: float  # stage-1 optimum: GB (and voice days) left unmet
    voice_missing: list[int]  # days left without a voice plan by purchase limits
    rows: int
    cols: int
    nonzeros: int
    solves: int
    seconds: float
    unmet_by: dict[tuple[int, int], float] = field(default_factory=dict)  # (device, day) -> GB


def key(c: Candidate) -> tuple:
    """What identifies a candidate across candidate lists built for one trip."""
    return (c.plan.slug, c.owned, c.start, None if c.promo is None else c.promo.name, c.devices)


def carry(
    sol: Solution, src: list[Candidate], dst: list[Candidate], days: Days, devices: int
) -> Solution | None:
    """A solution over `src` as one over `dst`, or None when `dst` lacks a purchase of it.

    What it leaves unmet is counted again against `dst`'s days and voice
    rows, since the model it came from may have had fewer.
    """
    at = {key(c): n for n, c in enumerate(dst)}
    where = {}
    for m, c in enumerate(src):
        n = at.get(key(c))
        if n is None:
            if sol.counts[m] > 0:
                return None
            continue
        where[m] = n
    counts = [0] * len(dst)
    for m, n in where.items():
        counts[n] = sol.counts[m]
    # every owned renewal is held (one device set of it): free, so adding it
    # where the other list left it out changes nothing but feasibility here
    held: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n, c in enumerate(dst):
        if c.owned:
            held[(c.plan.slug, c.start)].append(n)
    for group in held.values():
        if not any(counts[n] for n in group):
            counts[group[0]] = 1
    supply = {(where[m], k, i): v for (m, k, i), v in sol.supply.items() if m in where}
    got: dict[tuple[int, int], float] = defaultdict(float)
    for (_n, k, i), (incl, over) in supply.items():
        if k >= 0:
            got[(k, i)] += incl + over
    for pair, v in sol.pool_share.items():
        got[pair] += v
    unmet_by = {}
    for k in range(devices):
        for i in range(len(days)):
            gap = float(days.need[i]) - got.get((k, i), 0.0)
            if gap > 1e-9:
                unmet_by[(k, i)] = gap
    voiced = {i for n, c in enumerate(dst) for i in c.voice_days if counts[n] > 0}
    rows = {i for c in dst for i in c.voice_days}
    voice_missing = sorted(rows - voiced)
    return Solution(
        optimal=sol.optimal,
        found=sol.found,
        counts=counts,
        supply=supply,
        pool_share=dict(sol.pool_share),
        objective=sol.objective,
        unmet=sum(unmet_by.values()) + len(voice_missing),
        voice_missing=voice_missing,
        rows=sol.rows,
        cols=sol.cols,
        nonzeros=sol.nonzeros,
        solves=sol.solves,
        seconds=sol.seconds,
        unmet_by=unmet_by,
    )


@dataclass
class Layout:
    """Which columns the builder made, to read a solution back."""

    x: list[int]
    supply: dict[tuple[int, int, int], tuple[int | None, int | None]]
    pool_share: dict[tuple[int, int], int]
    unmet: list[int]
    bought: list[int]  # x columns of purchases that are not owned renewals
    voice_slack: dict[int, int]  # day -> column that is 1 when the day has no voice plan
    unmet_of: dict[tuple[int, int], int] = field(default_factory=dict)  # (device, day) -> column
    cap_row: int | None = None  # the row Σ bought x <= max_esims


def _capacity(c: Candidate, entry) -> tuple[bool, bool]:
    daily_ok = c.daily is None or c.daily > 0
    incl = (
        daily_ok
        and (c.allowance is None or c.allowance > 0)
        and (entry.cap is None or entry.cap > 0)
    )
    over = daily_ok and entry.overage is not None
    return incl, over


def build(
    cands: list[Candidate],
    days: Days,
    devices: int,
    needs_voice: bool,
    *,
    cap: int | None = None,
    no_unmet: bool = False,
    deadline: float | None = None,
):
    """The model; raises `budget.Overrun` past `deadline`.

    `cap`: at most that many purchases not of owned plans (then any need may
    be left unmet, since copies are limited too). `no_unmet`: a solution
    meeting every need is known, so stage 1 is 0 and needs no columns.
    """
    b = _Builder()
    x_cols: list[int] = []
    supply: dict[tuple[int, int, int], tuple[int | None, int | None]] = {}
    demand: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    pool: dict[int, list[tuple[int, float]]] = defaultdict(list)
    # (device, day) pairs that a candidate without a purchase limit can serve:
    # enough copies of it meet any need, so GB can be left unmet only elsewhere
    free_cover: set[tuple[int, int]] = set()
    counts_by_plan: dict[str, list[int]] = defaultdict(list)
    plan_max: dict[str, int] = {}
    counts_by_promo: dict[tuple[str, str], list[int]] = defaultdict(list)
    promo_limit: dict[tuple[str, str], int] = {}
    new_customer: dict[str, list[int]] = defaultdict(list)
    owned_choice: dict[tuple[str, int], list[int]] = defaultdict(list)
    need = [float(n) for n in days.need]

    owned_groups: dict[tuple[str, int], int] = defaultdict(int)
    for c in cands:
        if c.owned:
            owned_groups[(c.plan.slug, c.start)] += 1

    for n, c in enumerate(cands):
        if n % 4 == 0:
            check(deadline, "model", n)
        if c.owned:
            single = owned_groups[(c.plan.slug, c.start)] == 1
            x = b.col(0.0, 1.0 if single else 0.0, 1.0, integer=True)
            if not single:
                owned_choice[(c.plan.slug, c.start)].append(x)
        else:
            ub = math.inf
            if c.new_customer:
                ub = 1.0
            if c.plan.max_purchases is not None:
                ub = min(ub, float(c.plan.max_purchases))
            if c.promo is not None and c.promo.limit is not None:
                ub = min(ub, float(c.promo.limit))
            x = b.col(float(c.price_base + c.penalty_base), 0.0, ub, integer=True)
            if c.plan.max_purchases is not None:
                counts_by_plan[c.plan.slug].append(x)
                plan_max[c.plan.slug] = c.plan.max_purchases
            if c.promo is not None and c.promo.limit is not None:
                counts_by_promo[(c.plan.slug, c.promo.name)].append(x)
                promo_limit[(c.plan.slug, c.promo.name)] = c.promo.limit
            if c.new_customer:
                new_customer[c.plan.operator].append(x)
        x_cols.append(x)

        pooled = len(c.devices) == devices > 1
        targets = [-1] if pooled else list(c.devices)
        width = len(c.devices)
        all_incl: list[int] = []
        total_need = 0.0
        per_day: dict[int, list[int]] = defaultdict(list)
        for e in c.entries:
            incl_ok, over_ok = _capacity(c, e)
            if not incl_ok and not over_ok:
                continue
            e_incl: list[int] = []
            e_over: list[int] = []
            e_need = 0.0
            for i in e.days:
                top = need[i] * (devices if pooled else 1)
                e_need += need[i] * width
                for k in targets:
                    ci = b.col(0.0, 0.0, top) if incl_ok else None
                    co = b.col(float(e.overage_base), 0.0, top) if over_ok else None
                    supply[(n, k, i)] = (ci, co)
                    # per-day linking: weak big-M rows alone let a sliver of a
                    # purchase serve a day; these make the LP bound tight
                    if ci is not None:
                        link = min(
                            [top]
                            + [float(v) for v in (c.allowance, e.cap, c.daily) if v is not None]
                        )
                        b.row(-math.inf, 0.0, [(ci, 1.0), (x, -link)])
                    if co is not None:
                        link = top if c.daily is None else min(top, float(c.daily))
                        b.row(-math.inf, 0.0, [(co, 1.0), (x, -link)])
                    for col in (ci, co):
                        if col is None:
                            continue
                        per_day[i].append(col)
                        if k == -1:
                            pool[i].append((col, 1.0))
                        else:
                            demand[(k, i)].append((col, 1.0))
                    if ci is not None:
                        e_incl.append(ci)
                    if co is not None:
                        e_over.append(co)
                    if not c.owned and not c.limit_group and cap is None:
                        for d in range(devices) if k == -1 else [k]:
                            free_cover.add((d, i))
            total_need += e_need
            all_incl.extend(e_incl)
            if e_incl and e.cap is not None and float(e.cap) < e_need:
                b.row(-math.inf, 0.0, [(j, 1.0) for j in e_incl] + [(x, -float(e.cap))])
            if e_over:
                b.row(-math.inf, 0.0, [(j, 1.0) for j in e_over] + [(x, -e_need)])
        if all_incl:
            allowance = total_need if c.allowance is None else min(float(c.allowance), total_need)
            b.row(-math.inf, 0.0, [(j, 1.0) for j in all_incl] + [(x, -allowance)])
        if c.daily is not None:
            daily = float(c.daily)
            for i, cols in per_day.items():
                if daily < need[i] * width:
                    b.row(-math.inf, 0.0, [(j, 1.0) for j in cols] + [(x, -daily)])

    groups = _day_groups(days)
    reach: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for n, c in enumerate(cands):
        if n % 16 == 0:
            check(deadline, "model", n)
        for g, members in enumerate(groups):
            r = _reach(c, members, need)
            if r > 0:
                for k in c.devices:
                    reach[(k, g)].append((x_cols[n], r))

    pool_share: dict[tuple[int, int], int] = {}
    for i, terms in pool.items():
        shares = []
        for k in range(devices):
            q = b.col(0.0, 0.0, need[i])
            pool_share[(k, i)] = q
            demand[(k, i)].append((q, 1.0))
            shares.append((q, -1.0))
        b.row(0.0, math.inf, terms + shares)

    check(deadline, "model", len(cands))
    unmet: list[int] = []
    unmet_of: dict[tuple[int, int], int] = {}
    for k in range(devices):
        for i in range(len(days)):
            if need[i] <= 0 or not demand.get((k, i)):
                continue  # nothing can serve it: short by the whole need, no row
            terms = demand[(k, i)]
            if (k, i) not in free_cover and not no_unmet:
                u = b.col(0.0, 0.0, need[i])
                unmet.append(u)
                unmet_of[(k, i)] = u
                terms = terms + [(u, 1.0)]
            b.row(need[i], math.inf, terms)

    # Aggregated knapsack rows, implied by the rows above but explicit so that
    # HiGHS derives cover and MIR cuts from them: what the purchases can supply
    # to one device over a group of days must reach its need there. Without
    # them the LP lets a fraction of a large plan fill the last gap.
    check(deadline, "model", len(cands))
    for (k, g), terms in sorted(reach.items()):
        members = [i for i in groups[g] if need[i] > 0 and demand.get((k, i))]
        if not members:
            continue
        total = sum(need[i] for i in members)
        slack = [(unmet_of[(k, i)], 1.0) for i in members if (k, i) in unmet_of]
        b.row(total, math.inf, terms + slack)

    voice_slack: dict[int, int] = {}
    if needs_voice:
        by_day: dict[int, list[int]] = defaultdict(list)
        held: set[int] = set()
        free: set[int] = set()
        for n, c in enumerate(cands):
            for i in c.voice_days:
                if c.owned:
                    held.add(i)
                else:
                    by_day[i].append(x_cols[n])
                    if not c.limit_group and cap is None:
                        free.add(i)
        for i, cols in sorted(by_day.items()):
            if i in held:
                continue
            terms = [(j, 1.0) for j in cols]
            if i not in free and not no_unmet:
                # limits may leave the day without a voice plan: a slack counted
                # with the unmet GB in stage 1, so the model is never infeasible
                w = b.col(0.0, 0.0, 1.0)
                unmet.append(w)
                voice_slack[i] = w
                terms.append((w, 1.0))
            b.row(1.0, math.inf, terms)

    for slug, cols in counts_by_plan.items():
        if len(cols) > 1:
            b.row(-math.inf, float(plan_max[slug]), [(j, 1.0) for j in cols])
    for key, cols in counts_by_promo.items():
        if len(cols) > 1:
            b.row(-math.inf, float(promo_limit[key]), [(j, 1.0) for j in cols])
    for cols in new_customer.values():
        if len(cols) > 1:
            b.row(-math.inf, 1.0, [(j, 1.0) for j in cols])
    for cols in owned_choice.values():
        b.row(1.0, 1.0, [(j, 1.0) for j in cols])

    bought = [x_cols[n] for n, c in enumerate(cands) if not c.owned]
    cap_row = None
    if cap is not None:
        cap_row = len(b.row_lower)
        b.row(-math.inf, float(cap), [(j, 1.0) for j in bought])
    return b, Layout(
        x=x_cols,
        supply=supply,
        pool_share=pool_share,
        unmet=unmet,
        bought=bought,
        voice_slack=voice_slack,
        unmet_of=unmet_of,
        cap_row=cap_row,
    )


def _day_groups(days: Days) -> list[list[int]]:
    """The whole trip, each country, each leg (a run of days in one country)."""
    groups = [list(range(len(days)))]
    by_country: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(days.countries):
        by_country[c].append(i)
    runs: list[list[int]] = []
    for i, c in enumerate(days.countries):
        if runs and days.countries[runs[-1][-1]] == c:
            runs[-1].append(i)
        else:
            runs.append([i])
    seen = {tuple(groups[0])}
    for g in [*by_country.values(), *runs]:
        if tuple(g) not in seen:
            seen.add(tuple(g))
            groups.append(g)
    return groups


def _reach(c: Candidate, members: list[int], need: list[float]) -> float:
    """An upper bound on what one purchase of c can give one device on these days."""
    inside = set(members)
    daily = math.inf if c.daily is None else float(c.daily)
    total_incl = 0.0
    total_over = 0.0
    for e in c.entries:
        incl_ok, over_ok = _capacity(c, e)
        day_sum = sum(min(need[i], daily) for i in e.days if i in inside)
        if over_ok:
            total_over += day_sum
        elif incl_ok:
            total_incl += day_sum if e.cap is None else min(float(e.cap), day_sum)
    if c.allowance is not None:
        total_incl = min(total_incl, float(c.allowance))
    return total_incl + total_over


class _QuietHighs(highspy.Highs):
    """highspy's Highs logs its banner to stdout while it enables callbacks in
    __init__, before any option can be set, and that would corrupt
    `recommend --json` on stdout. Silence HiGHS first, then do the same setup."""

    def __init__(self):
        highspy._core._Highs.__init__(self)
        self.setOptionValue("output_flag", False)
        self.callbacks = [
            highspy.highs.HighsCallback(highspy.cb.HighsCallbackType(i), self)
            for i in range(int(highspy.cb.HighsCallbackType.kCallbackMax) + 1)
        ]
        self.enableCallbacks()


def _highs(time_limit: float) -> highspy.Highs:
    h = _QuietHighs()
    h.setOptionValue("time_limit", max(time_limit, 0.01))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-7)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    # HiGHS's MIP presolve (probing) took longer than the whole search on
    # 30-day trips, and overran the time limit; the models here are already
    # reduced by the candidate builder, so it is switched off.
    h.setOptionValue("presolve", "off")
    return h


def _pass(h: highspy.Highs, b: _Builder) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = len(b.cost)
    lp.num_row_ = len(b.row_lower)
    lp.col_cost_ = np.array(b.cost, dtype=np.float64)
    lp.col_lower_ = np.array(b.lower, dtype=np.float64)
    lp.col_upper_ = np.array(b.upper, dtype=np.float64)
    lp.row_lower_ = np.array(b.row_lower, dtype=np.float64)
    lp.row_upper_ = np.array(b.row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(b.starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(b.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(b.value, dtype=np.float64)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous for v in b.integer
    ]
    h.passModel(lp)


def _run(h: highspy.Highs, deadline: float) -> tuple[bool, bool]:
    """Solve; (proven optimal, has a feasible solution)."""
    h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
    h.run()
    status = h.getModelStatus()
    found = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    return status == highspy.HighsModelStatus.kOptimal, found


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
    known = _best(starts)
    no_unmet = known is not None and known.unmet <= 1e-9
    if not no_unmet:
        cutoff = None
    b, lay = build(
        cands, days, devices, needs_voice, cap=cap, no_unmet=no_unmet, deadline=build_deadline
    )
    if time.perf_counter() >= deadline:
        # built past the time to solve it (a very large trip): the best start, if any
        return _out_of_time(known, lay, b, started)
    filtered = _reduced_cost_filter(
        b,
        lay,
        cands,
        days,
        devices,
        needs_voice,
        deadline,
        cap,
        known if no_unmet else None,
        lp,
        hints,
        cutoff,
    )
    if time.perf_counter() >= deadline:
        return _out_of_time(filtered[1] if filtered else known, lay, b, started)
    if filtered is None:
        start = None if known is None else _start(known, list(range(len(cands))), lay, len(b.cost))
        sol = _solve(b, lay, started, time_limit, fewest=fewest, start=start, cutoff=cutoff)
        incumbent = known
        keep = list(range(len(cands)))
    else:
        keep, incumbent = filtered
    if filtered is not None and len(keep) == len(cands):
        # nothing filtered (no LP bound in time): the model built above is the one
        sol = _solve(
            b,
            lay,
            started,
            time_limit,
            fewest=fewest,
            start=_start(incumbent, keep, lay, len(b.cost)),
            cutoff=cutoff,
        )
    elif filtered is not None:
        sub = [cands[n] for n in keep]
        b, lay = build(
            sub, days, devices, needs_voice, cap=cap, no_unmet=no_unmet, deadline=build_deadline
        )
        start = _start(incumbent, keep, lay, len(b.cost))
        sol = _remap(
            _solve(b, lay, started, time_limit, fewest=fewest, start=start, cutoff=cutoff),
            keep,
            len(cands),
        )
    sol.seconds = time.perf_counter() - started
    if cutoff is not None:
        return sol  # the starts are above the cut-off: never an answer here
    if incumbent is not None and (not sol.found or (not sol.optimal and _better(incumbent, sol))):
        # out of time: the known incumbent is the best answer (not proven)
        out = Solution(**{**incumbent.__dict__, "optimal": False})
        out.seconds = sol.seconds
        out.rows, out.cols, out.nonzeros = sol.rows, sol.cols, sol.nonzeros
        return out
    return sol


def _out_of_time(known: Solution | None, lay: Layout, b: _Builder, started: float) -> Solution:
    if known is None:
        return _empty(lay, b, 0, started)
    out = Solution(**{**known.__dict__, "optimal": False})
    out.rows, out.cols, out.nonzeros = len(b.row_lower), len(b.cost), len(b.index)
    return out


def _better(a: Solution, b: Solution) -> bool:
    """a ranks before b: less unmet, or as much and a lower objective (beyond noise)."""
    if a.unmet < b.unmet - 1e-6:
        return True
    return a.unmet <= b.unmet + 1e-6 and a.objective < b.objective - 1e-9


def _best(starts: tuple[Solution, ...]) -> Solution | None:
    best = None
    for s in starts:
        if s is not None and s.found and (best is None or _better(s, best)):
            best = s
    return best


def _start(known: Solution, keep: list[int], lay: Layout, n_cols: int) -> list[float]:
    """The known solution as column values of the model over `keep`.

    Without it HiGHS may spend the whole time limit looking for a first
    solution of a model with many identical devices.
    """
    values = [0.0] * n_cols
    for m, n in enumerate(keep):
        values[lay.x[m]] = float(known.counts[n])
    for (m, k, i), (ci, co) in lay.supply.items():
        incl, over = known.supply.get((keep[m], k, i), (0.0, 0.0))
        if ci is not None:
            values[ci] = incl
        if co is not None:
            values[co] = over
    for pair, j in lay.pool_share.items():
        values[j] = known.pool_share.get(pair, 0.0)
    for pair, j in lay.unmet_of.items():
        values[j] = known.unmet_by.get(pair, 0.0)
    for i, j in lay.voice_slack.items():
        values[j] = 1.0 if i in known.voice_missing else 0.0
    return values


def _remap(sol: Solution, index: list[int], size: int) -> Solution:
    """A solution over a subset of candidates, indexed like the full list."""
    counts = [0] * size
    for m, n in enumerate(index):
        counts[n] = sol.counts[m] if sol.counts else 0
    sol.counts = counts
    sol.supply = {(index[m], k, i): v for (m, k, i), v in sol.supply.items()}
    return sol


def _reduced_cost_filter(
    b,
    lay,
    cands,
    days,
    devices,
    needs_voice,
    deadline,
    cap,
    known,
    lp,
    hints=frozenset(),
    cutoff=None,
):
    """Candidates that can be in a solution within TOLERANCE of the optimum.

    With z the LP bound and d_c >= 0 the reduced cost of x_c at its lower
    bound 0, every solution with x_c >= 1 has objective >= z + d_c (LP
    duality: the objective is z plus a sum of non-negative reduced-cost
    terms). So if z + d_c exceeds the objective of a known solution by more
    than TOLERANCE, no optimal (or stage-3) solution buys c. The known
    solution comes from a small MILP over the candidates the LP likes.
    Only used when nothing is left unmet (stage 1 would change the rows).
    """
    if lay.unmet or len(cands) < 60 or deadline - time.perf_counter() < 0.05:
        return None
    # a third of the time at most: the search itself needs the rest
    budget = max(deadline - time.perf_counter(), 0.01) / 3
    shape = (len(b.cost), len(b.row_lower), len(b.index), lay.cap_row)
    if lp is not None and lp.get("shape") == shape and lay.cap_row is not None:
        # the same relaxation with another cap: only that row's bound changes,
        # and the simplex restarts from the last basis
        h = lp["highs"]
        h.setOptionValue("time_limit", budget)
        h.changeRowBounds(lay.cap_row, -math.inf, b.row_upper[lay.cap_row])
    else:
        h = _highs(budget)
        relaxed = _Builder(**{**b.__dict__, "integer": [0] * len(b.integer)})
        _pass(h, relaxed)
        if lp is not None:
            lp.update(shape=shape, highs=h)
    # Simplex, not interior point: the relaxation is degenerate, and the vertex
    # that interior point's crossover lands on has far weaker reduced costs
    # (30-day trip: 1,131 -> 564 candidates kept, proven in 2 s instead of not
    # at all); interior point's crossover also cannot be stopped in time.
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        if known is not None:
            return list(range(len(cands))), known
        return _start_only(cands, days, devices, needs_voice, deadline, cap)
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
    pick = sorted(pick)
    sub = [cands[n] for n in pick]
    b2, lay2 = build(sub, days, devices, needs_voice, cap=cap, no_unmet=known is not None)
    budget = min(0.5, max(deadline - time.perf_counter(), 0.01) / 4)
    start = None if known is None else _start(known, pick, lay2, len(b2.cost))
    heur = _solve(b2, lay2, time.perf_counter(), budget, fewest=False, start=start)
    best = known
    if heur.found and heur.unmet <= 1e-9:
        heur = _remap(heur, pick, len(cands))
        if best is None or heur.objective < best.objective:
            best = heur
    if best is None:
        return None  # a solution leaving need unmet is no bound for the full model
    upper = best.objective + TOLERANCE + 1e-6
    if cutoff is not None:
        # only solutions below the cut-off are wanted: it bounds them too
        upper = min(upper, cutoff + 1e-6)
    # the incumbent's own purchases pass: it is feasible, so its objective is at
    # least z + d_c for each c it buys (kept explicitly against float noise)
    keep = [
        n for n in range(len(cands)) if cands[n].owned or z + ds[n] <= upper or best.counts[n] > 0
    ]
    return keep, Solution(**{**best.__dict__, "optimal": False})


def _start_only(cands, days, devices, needs_voice, deadline, cap):
    """No LP bound in time (very long trips): filter nothing, but find a start.

    A small MILP over the candidates cheapest per GB they can give; its
    solution only seeds the exact search, so the choice is free of any
    exactness condition.
    """

    def per_gb(n: int) -> float:
        c = cands[n]
        reach = sum(float(days.need[i]) for e in c.entries for i in e.days) * len(c.devices)
        return float(c.price_base + c.penalty_base) / max(reach, 1e-9)

    pick = sorted(sorted(range(len(cands)), key=lambda n: (per_gb(n), n))[:150])
    b2, lay2 = build([cands[n] for n in pick], days, devices, needs_voice, cap=cap)
    budget = max(deadline - time.perf_counter(), 0.01) / 4
    heur = _solve(b2, lay2, time.perf_counter(), budget, fewest=False)
    if not heur.found or heur.unmet > 1e-9:
        return None
    heur.optimal = False
    return list(range(len(cands))), _remap(heur, pick, len(cands))


def _solve(
    b: _Builder,
    lay: Layout,
    started: float,
    time_limit: float,
    *,
    fewest: bool,
    start: list[float] | None = None,
    cutoff: float | None = None,
):
    """The stages; with `cutoff` (no stage 1), only a solution of objective below it counts."""
    deadline = started + time_limit
    n_cols = len(b.cost)
    h = _highs(time_limit)
    if n_cols == 0:
        return Solution(
            True, True, [], {}, {}, 0.0, 0.0, [], 0, 0, 0, 0, time.perf_counter() - started
        )
    _pass(h, b)
    if start is not None:
        h.setSolution(_sol(start))
        # with a good start HiGHS's search heuristics only cost time: the
        # proof is what is left to do (real trip: 2.0 s -> 1.3 s)
        for name in ("rins", "rens", "root_reduced_cost"):
            h.setOptionValue(f"mip_heuristic_run_{name}", False)
    cost = np.array(b.cost, dtype=np.float64)
    optimal = True
    solves = 0
    values = None
    unmet_total = 0.0

    def add_bound(costs: np.ndarray, upper: float) -> None:
        idx = np.nonzero(costs)[0].astype(np.int32)
        h.addRow(-math.inf, upper, len(idx), idx, costs[idx])

    if lay.unmet:
        stage1 = np.zeros(n_cols)
        stage1[lay.unmet] = 1.0
        h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), stage1)
        ok, found = _run(h, deadline)
        solves += 1
        optimal &= ok
        if not found:
            return _empty(lay, b, solves, started)
        values = list(h.getSolution().col_value)
        least = h.getInfo().objective_function_value
        unmet_total = least
        if least <= 1e-9:
            # nothing unmet: fix those columns at 0. The row "unmet <= 1e-6" makes
            # HiGHS 1.16 warn of "excessively small bounds on constraints" and then
            # call a feasible model infeasible (found by test_bruteforce).
            idx = np.array(lay.unmet, dtype=np.int32)
            zero = np.zeros(len(idx))
            _restage(h, values, lambda: h.changeColsBounds(len(idx), idx, zero, zero), cost)
        else:
            _restage(h, values, lambda: add_bound(stage1, least + 1e-6), cost)
    elif cutoff is not None:
        h.setOptionValue("objective_bound", cutoff)

    ok, found = _run(h, deadline)
    solves += 1
    optimal &= ok
    if not found:
        return _empty(lay, b, solves, started)
    values = list(h.getSolution().col_value)
    best = h.getInfo().objective_function_value

    bought = sum(round(values[j]) for j in lay.bought)
    if fewest and bought > 0 and time.perf_counter() < deadline:
        # Stage 3 as a cut-off search: the least objective with at most one
        # purchase fewer, cut off at best + TOLERANCE. Nothing found: the count
        # is least, and the stage-2 solution is the cheapest with it. Found:
        # it is the cheapest with fewer purchases; look again below its count.
        # This reuses stage 2's objective, whose LP bound rises at once when
        # the count is capped, so the proof is usually quick.
        idx = np.array(lay.bought, dtype=np.int32)
        h.addRow(-math.inf, bought - 1, len(idx), idx, np.ones(len(idx)))
        cap_row = h.getNumRow() - 1
        h.setOptionValue("objective_bound", best + TOLERANCE + 1e-9)
        while bought > 0 and time.perf_counter() < deadline:
            h.changeRowBounds(cap_row, -math.inf, bought - 1)
            ok, found = _run(h, deadline)
            solves += 1
            status = h.getModelStatus()
            proven = ok or status in (
                highspy.HighsModelStatus.kInfeasible,
                highspy.HighsModelStatus.kObjectiveBound,
            )
            value = h.getInfo().objective_function_value
            if found and value <= best + TOLERANCE + 1e-9:
                values = list(h.getSolution().col_value)
                bought = sum(round(values[j]) for j in lay.bought)
                continue
            optimal &= proven
            break
        else:
            optimal = False if bought > 0 else optimal
    return _read(values, lay, b, optimal, solves, started, best, unmet_total)


def _restage(h: highspy.Highs, values, add_row, costs: np.ndarray) -> None:
    """Next stage: new row and objective, the last solution as a start.

    The start is handed over first: HiGHS 1.16 keeps the previous model
    status when setSolution comes after the changes, and would then report
    the old stage as solved without running.
    """
    h.setSolution(_sol(values))
    if add_row is not None:
        add_row()
    n = len(costs)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), costs)


def _sol(values: list[float]) -> highspy.HighsSolution:
    s = highspy.HighsSolution()
    s.col_value = values
    s.value_valid = True
    return s


def _empty(lay: Layout, b: _Builder, solves: int, started: float) -> Solution:
    return Solution(
        False,
        False,
        [0] * len(lay.x),
        {},
        {},
        math.inf,
        math.inf,
        [],
        len(b.row_lower),
        len(b.cost),
        len(b.index),
        solves,
        time.perf_counter() - started,
    )


def _read(values, lay, b, optimal: bool, solves: int, started: float, objective, unmet):
    counts = [round(values[j]) for j in lay.x]
    supply = {}
    for at, (ci, co) in lay.supply.items():
        incl = values[ci] if ci is not None else 0.0
        over = values[co] if co is not None else 0.0
        if incl > 1e-9 or over > 1e-9:
            supply[at] = (max(incl, 0.0), max(over, 0.0))
    shares = {pair: values[j] for pair, j in lay.pool_share.items() if values[j] > 1e-9}
    voice_missing = sorted(i for i, j in lay.voice_slack.items() if values[j] > 0.5)
    unmet_by = {pair: values[j] for pair, j in lay.unmet_of.items() if values[j] > 1e-9}
    return Solution(
        optimal,
        True,
        counts,
        supply,
        shares,
        objective,
        unmet,
        voice_missing,
        len(b.row_lower),
        len(b.cost),
        len(b.index),
        solves,
        time.perf_counter() - started,
        unmet_by,
    )

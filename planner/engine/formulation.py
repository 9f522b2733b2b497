"""The planning model as a MILP: its columns and rows (docs/engine.md#formulation).

Columns: x[c] (how many purchases of candidate c, integer), for every day c
can serve and every device it serves (or one pooled column for a purchase
that serves every device) its included and its overage GB, the pool's share
per device and day, and the GB left unmet where limits could leave some.
Copies of one candidate share their supply columns: n identical purchases
can split any aggregated flow evenly, so aggregating them is exact.

`build` adds one family of columns and rows after the other; each family is
one function below, in the order of the model. The order of columns and rows
is part of the behaviour (HiGHS breaks ties by it), so a family never moves.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from planner.engine.budget import check
from planner.engine.candidates import Candidate, Entry
from planner.engine.instance import Days


@dataclass
class Builder:
    """The model in HiGHS's row-wise form, grown one column or row at a time."""

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

    @property
    def size(self) -> tuple[int, int, int]:
        """(rows, columns, nonzeros)."""
        return len(self.row_lower), len(self.cost), len(self.index)


@dataclass(frozen=True)
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


@dataclass(slots=True)
class _Model:
    """The model while it is built: the builder and what later families read."""

    b: Builder
    need: list[float]
    devices: int
    cap: int | None
    x: list[int] = field(default_factory=list)
    supply: dict[tuple[int, int, int], tuple[int | None, int | None]] = field(default_factory=dict)
    # (device, day) -> supply columns serving it; day -> pooled supply columns
    demand: dict[tuple[int, int], list[tuple[int, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    pool: dict[int, list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))
    # (device, day) pairs that a candidate without a purchase limit can serve:
    # enough copies of it meet any need, so GB can be left unmet only elsewhere
    free_cover: set[tuple[int, int]] = field(default_factory=set)
    pool_share: dict[tuple[int, int], int] = field(default_factory=dict)
    unmet: list[int] = field(default_factory=list)
    unmet_of: dict[tuple[int, int], int] = field(default_factory=dict)
    voice_slack: dict[int, int] = field(default_factory=dict)


@dataclass
class _Limits:
    """The x columns each count row bounds, gathered with the purchase columns."""

    by_plan: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    plan_max: dict[str, int] = field(default_factory=dict)
    by_promo: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    promo_limit: dict[tuple[str, str], int] = field(default_factory=dict)
    new_customer: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    owned_choice: dict[tuple[str, int], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )


def build(
    cands: list[Candidate],
    days: Days,
    devices: int,
    needs_voice: bool,
    *,
    cap: int | None = None,
    no_unmet: bool = False,
    deadline: float | None = None,
) -> tuple[Builder, Layout]:
    """The model; raises `budget.Overrun` past `deadline`.

    `cap`: at most that many purchases not of owned plans (then any need may
    be left unmet, since copies are limited too). `no_unmet`: a solution
    meeting every need is known, so stage 1 is 0 and needs no columns.
    """
    m = _Model(b=Builder(), need=[float(n) for n in days.need], devices=devices, cap=cap)
    limits = _Limits()
    owned_groups = _owned_groups(cands)
    for n, c in enumerate(cands):
        if n % 4 == 0:
            check(deadline, "model", n)
        x = _purchase_column(m, c, owned_groups, limits)
        _supply_columns(m, n, c, x)
    weights = _knapsack_weights(m, cands, _day_groups(days), deadline)
    _pool_rows(m)
    check(deadline, "model", len(cands))
    _demand_rows(m, len(days), no_unmet)
    check(deadline, "model", len(cands))
    _knapsack_rows(m, weights)
    if needs_voice:
        _voice_rows(m, cands, no_unmet)
    _count_rows(m, limits)
    bought = [m.x[n] for n, c in enumerate(cands) if not c.owned]
    cap_row = _cap_row(m, bought)
    return m.b, Layout(
        x=m.x,
        supply=m.supply,
        pool_share=m.pool_share,
        unmet=m.unmet,
        bought=bought,
        voice_slack=m.voice_slack,
        unmet_of=m.unmet_of,
        cap_row=cap_row,
    )


def _owned_groups(cands: list[Candidate]) -> dict[tuple[str, int], int]:
    """How many device sets each owned renewal (plan, start) has."""
    groups: dict[tuple[str, int], int] = defaultdict(int)
    for c in cands:
        if c.owned:
            groups[(c.plan.slug, c.start)] += 1
    return groups


def _purchase_column(
    m: _Model, c: Candidate, owned_groups: dict[tuple[str, int], int], limits: _Limits
) -> int:
    """Family x_c: how many purchases of c, with the bounds one column can hold;
    the count rows over several columns are gathered into `limits`."""
    if c.owned:
        group = (c.plan.slug, c.start)
        single = owned_groups[group] == 1
        x = m.b.col(0.0, 1.0 if single else 0.0, 1.0, integer=True)
        if not single:
            limits.owned_choice[group].append(x)
        m.x.append(x)
        return x
    ub = math.inf
    if c.new_customer:
        ub = 1.0
    if c.plan.max_purchases is not None:
        ub = min(ub, float(c.plan.max_purchases))
    if c.promo is not None and c.promo.limit is not None:
        ub = min(ub, float(c.promo.limit))
    x = m.b.col(float(c.price_base + c.penalty_base), 0.0, ub, integer=True)
    if c.plan.max_purchases is not None:
        limits.by_plan[c.plan.slug].append(x)
        limits.plan_max[c.plan.slug] = c.plan.max_purchases
    if c.promo is not None and c.promo.limit is not None:
        limits.by_promo[(c.plan.slug, c.promo.name)].append(x)
        limits.promo_limit[(c.plan.slug, c.promo.name)] = c.promo.limit
    if c.new_customer:
        limits.new_customer[c.plan.operator].append(x)
    m.x.append(x)
    return x


def _capacity(c: Candidate, entry: Entry) -> tuple[bool, bool]:
    """Can c supply included GB, and overage GB, over this entry at all?"""
    daily_ok = c.daily is None or c.daily > 0
    incl = (
        daily_ok
        and (c.allowance is None or c.allowance > 0)
        and (entry.cap is None or entry.cap > 0)
    )
    over = daily_ok and entry.overage is not None
    return incl, over


def _supply_columns(m: _Model, n: int, c: Candidate, x: int) -> None:
    """Family s, o: included and overage GB of candidate n per day and device
    (or pool), with the rows that bound them by x: per-day links, the entry
    caps, overage, the allowance and the daily limit."""
    width = len(c.devices)
    all_incl: list[int] = []
    total_need = 0.0
    per_day: dict[int, list[int]] = defaultdict(list)
    for e in c.entries:
        incl_ok, over_ok = _capacity(c, e)
        if not incl_ok and not over_ok:
            continue
        e_incl, e_over = _entry_columns(m, n, c, x, e, (incl_ok, over_ok), per_day)
        e_need = _running_sum(m.need[i] * width for i in e.days)
        total_need += e_need
        all_incl.extend(e_incl)
        if e_incl and e.cap is not None and float(e.cap) < e_need:
            m.b.row(-math.inf, 0.0, [(j, 1.0) for j in e_incl] + [(x, -float(e.cap))])
        if e_over:
            m.b.row(-math.inf, 0.0, [(j, 1.0) for j in e_over] + [(x, -e_need)])
    if all_incl:
        allowance = total_need if c.allowance is None else min(float(c.allowance), total_need)
        m.b.row(-math.inf, 0.0, [(j, 1.0) for j in all_incl] + [(x, -allowance)])
    if c.daily is not None:
        daily = float(c.daily)
        for i, cols in per_day.items():
            if daily < m.need[i] * width:
                m.b.row(-math.inf, 0.0, [(j, 1.0) for j in cols] + [(x, -daily)])


def _running_sum(values) -> float:
    """Left to right in plain floats (`sum` compensates since Python 3.12, and
    the rows must not change by a last bit)."""
    total = 0.0
    for v in values:
        total += v
    return total


def _entry_columns(
    m: _Model,
    n: int,
    c: Candidate,
    x: int,
    e: Entry,
    ok: tuple[bool, bool],
    per_day: dict[int, list[int]],
) -> tuple[list[int], list[int]]:
    """The included and overage columns of one coverage entry of candidate n."""
    incl_ok, over_ok = ok
    b, need, supply, pool, demand = m.b, m.need, m.supply, m.pool, m.demand
    pooled = len(c.devices) == m.devices > 1
    targets = [-1] if pooled else list(c.devices)
    free = not c.owned and not c.limit_group and m.cap is None
    bounds = [float(v) for v in (c.allowance, e.cap, c.daily) if v is not None]
    daily = None if c.daily is None else float(c.daily)
    over_cost = float(e.overage_base) if over_ok else 0.0
    e_incl: list[int] = []
    e_over: list[int] = []
    for i in e.days:
        top = need[i] * (m.devices if pooled else 1)
        incl_link = min([top] + bounds) if incl_ok else None
        over_link = (top if daily is None else min(top, daily)) if over_ok else None
        for k in targets:
            ci, co = _day_columns(b, x, top, (incl_link, over_link), over_cost)
            supply[(n, k, i)] = (ci, co)
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
            if free:
                for d in range(m.devices) if k == -1 else [k]:
                    m.free_cover.add((d, i))
    return e_incl, e_over


def _day_columns(
    b: Builder, x: int, top: float, links: tuple[float | None, float | None], over_cost: float
) -> tuple[int | None, int | None]:
    """One day's included and overage columns for one device (or the pool), each
    linked to x (`links`: the most one purchase gives that day, None = no such
    column): weak big-M rows alone let a sliver of a purchase serve a day;
    these make the LP bound tight."""
    incl_link, over_link = links
    ci = b.col(0.0, 0.0, top) if incl_link is not None else None
    co = b.col(over_cost, 0.0, top) if over_link is not None else None
    if ci is not None:
        b.row(-math.inf, 0.0, [(ci, 1.0), (x, -incl_link)])
    if co is not None:
        b.row(-math.inf, 0.0, [(co, 1.0), (x, -over_link)])
    return ci, co


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


def _knapsack_weight(c: Candidate, members: list[int], need: list[float]) -> float:
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


@dataclass(frozen=True)
class _Weights:
    groups: list[list[int]]
    terms: dict[tuple[int, int], list[tuple[int, float]]]  # (device, group) -> (x, weight)


def _knapsack_weights(
    m: _Model, cands: list[Candidate], groups: list[list[int]], deadline: float | None
) -> _Weights:
    """The terms of the knapsack rows: per device and day group, each purchase's weight."""
    terms: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for n, c in enumerate(cands):
        if n % 16 == 0:
            check(deadline, "model", n)
        for g, members in enumerate(groups):
            w = _knapsack_weight(c, members, m.need)
            if w > 0:
                for k in c.devices:
                    terms[(k, g)].append((m.x[n], w))
    return _Weights(groups=groups, terms=terms)


def _pool_rows(m: _Model) -> None:
    """Family q: each device's share of the pooled supply, per day; the shares
    handed out on a day are at most what the pooled purchases supply."""
    for i, terms in m.pool.items():
        shares = []
        for k in range(m.devices):
            q = m.b.col(0.0, 0.0, m.need[i])
            m.pool_share[(k, i)] = q
            m.demand[(k, i)].append((q, 1.0))
            shares.append((q, -1.0))
        m.b.row(0.0, math.inf, terms + shares)


def _demand_rows(m: _Model, n_days: int, no_unmet: bool) -> None:
    """Family u and the demand rows: supply + pool share + unmet ≥ need per
    device and day, with an unmet column only where limits could leave some."""
    for k in range(m.devices):
        for i in range(n_days):
            if m.need[i] <= 0 or not m.demand.get((k, i)):
                continue  # nothing can serve it: short by the whole need, no row
            terms = m.demand[(k, i)]
            if (k, i) not in m.free_cover and not no_unmet:
                u = m.b.col(0.0, 0.0, m.need[i])
                m.unmet.append(u)
                m.unmet_of[(k, i)] = u
                terms = terms + [(u, 1.0)]
            m.b.row(m.need[i], math.inf, terms)


def _knapsack_rows(m: _Model, weights: _Weights) -> None:
    """Aggregated knapsack rows, implied by the rows above but explicit so that
    HiGHS derives cover and MIR cuts from them: what the purchases can supply
    to one device over a group of days must reach its need there. Without
    them the LP lets a fraction of a large plan fill the last gap."""
    for (k, g), terms in sorted(weights.terms.items()):
        members = [i for i in weights.groups[g] if m.need[i] > 0 and m.demand.get((k, i))]
        if not members:
            continue
        total = sum(m.need[i] for i in members)
        slack = [(m.unmet_of[(k, i)], 1.0) for i in members if (k, i) in m.unmet_of]
        m.b.row(total, math.inf, terms + slack)


def _voice_rows(m: _Model, cands: list[Candidate], no_unmet: bool) -> None:
    """Voice per day: at least one purchase of a voice plan covering it, unless
    an owned renewal does; a slack column where limits could make it impossible."""
    by_day: dict[int, list[int]] = defaultdict(list)
    held: set[int] = set()
    free: set[int] = set()
    for n, c in enumerate(cands):
        for i in c.voice_days:
            if c.owned:
                held.add(i)
            else:
                by_day[i].append(m.x[n])
                if not c.limit_group and m.cap is None:
                    free.add(i)
    for i, cols in sorted(by_day.items()):
        if i in held:
            continue
        terms = [(j, 1.0) for j in cols]
        if i not in free and not no_unmet:
            # limits may leave the day without a voice plan: a slack counted
            # with the unmet GB in stage 1, so the model is never infeasible
            w = m.b.col(0.0, 0.0, 1.0)
            m.unmet.append(w)
            m.voice_slack[i] = w
            terms.append((w, 1.0))
        m.b.row(1.0, math.inf, terms)


def _count_rows(m: _Model, limits: _Limits) -> None:
    """Count rows over several x columns: max_purchases per plan, a promotion's
    limit, one new-customer purchase per operator, one device set per owned renewal."""
    for slug, cols in limits.by_plan.items():
        if len(cols) > 1:
            m.b.row(-math.inf, float(limits.plan_max[slug]), [(j, 1.0) for j in cols])
    for key, cols in limits.by_promo.items():
        if len(cols) > 1:
            m.b.row(-math.inf, float(limits.promo_limit[key]), [(j, 1.0) for j in cols])
    for cols in limits.new_customer.values():
        if len(cols) > 1:
            m.b.row(-math.inf, 1.0, [(j, 1.0) for j in cols])
    for cols in limits.owned_choice.values():
        m.b.row(1.0, 1.0, [(j, 1.0) for j in cols])


def _cap_row(m: _Model, bought: list[int]) -> int | None:
    """The eSIM cap: Σ x over bought purchases ≤ max_esims (its row, to change its bound)."""
    if m.cap is None:
        return None
    row = len(m.b.row_lower)
    m.b.row(-math.inf, float(m.cap), [(j, 1.0) for j in bought])
    return row

"""Reading the solution back (docs/engine.md#reading-the-solution).

A `Solution` is what the search found, indexed by candidate: purchase counts,
the GB each purchase supplies per device and day, the pool's shares, what is
left unmet. `read` takes it from HiGHS's column values through the model's
`Layout`; `start_values` writes one back as column values, the start HiGHS
gets; `carry` moves one between candidate lists of the same trip.
"""

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

from planner.engine.candidates import Candidate
from planner.engine.formulation import Builder, Layout
from planner.engine.instance import Days


@dataclass(frozen=True)
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


def _held_renewals(counts: list[int], dst: list[Candidate]) -> list[int]:
    """Every owned renewal is held (one device set of it): free, so adding it
    where the other list left it out changes nothing but feasibility."""
    out = list(counts)
    held: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n, c in enumerate(dst):
        if c.owned:
            held[(c.plan.slug, c.start)].append(n)
    for group in held.values():
        if not any(out[n] for n in group):
            out[group[0]] = 1
    return out


def _unmet_by(
    supply: dict[tuple[int, int, int], tuple[float, float]],
    pool_share: dict[tuple[int, int], float],
    days: Days,
    devices: int,
) -> dict[tuple[int, int], float]:
    """Per (device, day) the GB the supplies and pool shares leave unmet."""
    got: dict[tuple[int, int], float] = defaultdict(float)
    for (_n, k, i), (incl, over) in supply.items():
        if k >= 0:
            got[(k, i)] += incl + over
    for pair, v in pool_share.items():
        got[pair] += v
    out = {}
    for k in range(devices):
        for i in range(len(days)):
            gap = float(days.need[i]) - got.get((k, i), 0.0)
            if gap > 1e-9:
                out[(k, i)] = gap
    return out


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
    counts = _held_renewals(counts, dst)
    supply = {(where[m], k, i): v for (m, k, i), v in sol.supply.items() if m in where}
    unmet_by = _unmet_by(supply, sol.pool_share, days, devices)
    voiced = {i for n, c in enumerate(dst) for i in c.voice_days if counts[n] > 0}
    rows = {i for c in dst for i in c.voice_days}
    voice_missing = sorted(rows - voiced)
    return replace(
        sol,
        counts=counts,
        supply=supply,
        pool_share=dict(sol.pool_share),
        unmet=sum(unmet_by.values()) + len(voice_missing),
        voice_missing=voice_missing,
        unmet_by=unmet_by,
    )


def better(a: Solution, b: Solution) -> bool:
    """a ranks before b: less unmet, or as much and a lower objective (beyond noise)."""
    if a.unmet < b.unmet - 1e-6:
        return True
    return a.unmet <= b.unmet + 1e-6 and a.objective < b.objective - 1e-9


def best(starts: tuple[Solution | None, ...]) -> Solution | None:
    out = None
    for s in starts:
        if s is not None and s.found and (out is None or better(s, out)):
            out = s
    return out


def start_values(known: Solution, keep: list[int], b: Builder, lay: Layout) -> list[float]:
    """The known solution as column values of the model over `keep`.

    Without it HiGHS may spend the whole time limit looking for a first
    solution of a model with many identical devices.
    """
    values = [0.0] * len(b.cost)
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


def remap(sol: Solution, index: list[int], size: int) -> Solution:
    """A solution over a subset of candidates, indexed like the full list."""
    counts = [0] * size
    for m, n in enumerate(index):
        counts[n] = sol.counts[m] if sol.counts else 0
    return replace(
        sol,
        counts=counts,
        supply={(index[m], k, i): v for (m, k, i), v in sol.supply.items()},
    )


def empty(b: Builder, n_cands: int, solves: int, started: float) -> Solution:
    """No solution found (in time)."""
    rows, cols, nonzeros = b.size
    return Solution(
        optimal=False,
        found=False,
        counts=[0] * n_cands,
        supply={},
        pool_share={},
        objective=math.inf,
        unmet=math.inf,
        voice_missing=[],
        rows=rows,
        cols=cols,
        nonzeros=nonzeros,
        solves=solves,
        seconds=time.perf_counter() - started,
    )


def read(
    values: list[float],
    lay: Layout,
    b: Builder,
    *,
    optimal: bool,
    solves: int,
    started: float,
    objective: float,
    unmet: float,
) -> Solution:
    """The solution in HiGHS's column values, by candidate."""
    supply = {}
    for at, (ci, co) in lay.supply.items():
        incl = values[ci] if ci is not None else 0.0
        over = values[co] if co is not None else 0.0
        if incl > 1e-9 or over > 1e-9:
            supply[at] = (max(incl, 0.0), max(over, 0.0))
    rows, cols, nonzeros = b.size
    return Solution(
        optimal=optimal,
        found=True,
        counts=[round(values[j]) for j in lay.x],
        supply=supply,
        pool_share={pair: values[j] for pair, j in lay.pool_share.items() if values[j] > 1e-9},
        objective=objective,
        unmet=unmet,
        voice_missing=sorted(i for i, j in lay.voice_slack.items() if values[j] > 0.5),
        rows=rows,
        cols=cols,
        nonzeros=nonzeros,
        solves=solves,
        seconds=time.perf_counter() - started,
        unmet_by={pair: values[j] for pair, j in lay.unmet_of.items() if values[j] > 1e-9},
    )

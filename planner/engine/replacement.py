"""Candidate replacement (docs/engine.md#pruning-candidate-replacement).

Offer dominance compares offers on the same activation day; this compares
finished candidates across plans and days, in the main model only (the
baselines restrict the plans, where a replacement of another plan is not
allowed). A candidate is dropped only when a kept candidate replaces it one
for one, so no optimum is lost.
"""

import time
from dataclasses import dataclass
from decimal import Decimal

from planner.engine.candidates import Candidate
from planner.engine.instance import INF, Days


@dataclass(slots=True)
class _Footprint:
    """What one purchase of a candidate covers and can give, as bit masks and bounds."""

    data: int  # bit per trip day it can supply data on
    voice: int  # bit per trip day it covers with voice
    devices: int  # bit per device served
    supply: Decimal  # most data (included and overage) one purchase can supply
    top_day: Decimal  # most it can supply on one day
    day_supply: dict[int, Decimal]  # per day: min(need × devices, daily limit)


def _bits(positions) -> int:
    out = 0
    for i in positions:
        out |= 1 << i
    return out


def _footprint(c: Candidate, days: Days) -> _Footprint:
    width = len(c.devices)
    daily = INF if c.daily is None else c.daily
    day_supply: dict[int, Decimal] = {}
    over = Decimal(0)
    incl = Decimal(0)
    for e in c.entries:
        part = Decimal(0)
        for i in e.days:
            day_supply[i] = min(days.need[i] * width, daily)
            part += day_supply[i]
        if e.overage is not None:
            over += part  # overage has no cap: the whole need can be bought
        else:
            incl += part if e.cap is None else min(e.cap, part)
    if c.allowance is not None:
        incl = min(incl, c.allowance)
    return _Footprint(
        data=_bits(day_supply),
        voice=_bits(c.voice_days),
        devices=_bits(c.devices),
        supply=over + incl,
        top_day=max(day_supply.values(), default=Decimal(0)),
        day_supply=day_supply,
    )


def _free(q: Candidate, p: Candidate) -> bool:
    """q has no count limit, or only the new-customer status p itself uses at q's operator."""
    if q.owned or q.plan.max_purchases is not None:
        return False
    if q.promo is not None and q.promo.limit is not None:
        return False
    if q.new_customer:
        return p.new_customer and p.plan.operator == q.plan.operator
    return True


def _covers(q: Candidate, fq: _Footprint, fp: _Footprint) -> bool:
    """Can one purchase of q supply, as included data, all that one of p can?"""
    if fp.data & ~fq.data or fp.voice & ~fq.voice or fp.devices & ~fq.devices:
        return False
    if fp.supply <= 0:
        return True
    if q.allowance is not None and q.allowance < fp.supply:
        return False
    if q.daily is not None and q.daily < fp.top_day:
        return False
    for e in q.entries:
        if e.cap is None:
            continue
        part = sum((fp.day_supply.get(i, Decimal(0)) for i in e.days), Decimal(0))
        if e.cap < min(fp.supply, part):
            return False
    return True


class _Replacers:
    """The kept bought candidates, by each trip day they supply data on: a
    replacer must cover all of p's data days, so the shortest of those lists
    holds every replacer of p."""

    def __init__(self, cands: list[Candidate], prints: list[_Footprint]):
        self.cands = cands
        self.prints = prints
        self.all: list[int] = []
        self.by_day: dict[int, list[int]] = {}

    def add(self, n: int) -> None:
        self.all.append(n)
        by_day = self.by_day
        data = self.prints[n].data
        while data:
            low = data & -data
            by_day.setdefault(low.bit_length() - 1, []).append(n)
            data ^= low

    def replace(self, n: int) -> bool:
        """Does a kept candidate replace candidate n one for one?"""
        cands, prints, by_day = self.cands, self.prints, self.by_day
        p, fp = cands[n], prints[n]
        pool = self.all
        data = fp.data
        while data and pool:
            low = data & -data
            pool = min(pool, by_day.get(low.bit_length() - 1, ()), key=len)
            data ^= low
        return any(
            not (fp.data & ~prints[m].data)
            and _free(cands[m], p)
            and _covers(cands[m], prints[m], fp)
            for m in pool
        )


def prune_candidates(
    cands: list[Candidate], days: Days, deadline: float | None = None
) -> list[Candidate]:
    """Drop bought candidates that another kept candidate replaces one for one.

    q replaces p when q costs no more, has no count limit (or only the
    new-customer status p uses at the same operator), serves p's devices, covers
    p's data and voice days, and can supply as included data all that one
    purchase of p can (p's overage included) within q's allowance, caps and
    daily limit. Candidates are scanned cheapest first and only kept ones
    replace, so every dropped candidate has a replacement in the model.
    Past `deadline` the rest is kept unscanned: pruning is optional, so the
    model stays exact, only larger.
    """
    prints = []
    for n, c in enumerate(cands):
        if deadline is not None and n % 256 == 0 and time.perf_counter() > deadline:
            return cands
        prints.append(_footprint(c, days))
    order = sorted(
        range(len(cands)),
        key=lambda n: (
            cands[n].owned,
            cands[n].price_base,
            -prints[n].data.bit_count(),
            -prints[n].supply,
            n,
        ),
    )
    keep: list[int] = []
    replacers = _Replacers(cands, prints)
    for pos, n in enumerate(order):
        if deadline is not None and pos % 64 == 0 and time.perf_counter() > deadline:
            keep.extend(order[pos:])
            break
        if cands[n].owned:
            keep.append(n)
            continue
        if replacers.replace(n):
            continue
        keep.append(n)
        replacers.add(n)
    return [cands[n] for n in sorted(keep)]

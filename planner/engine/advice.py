"""Warnings on a chosen purchase: facts that do not change the optimum but matter on the trip.

Each is a code and the data its text needs; the words are in planner/explanations.py.
"""

from datetime import date

from planner.engine.candidates import Candidate
from planner.engine.instance import Days
from planner.engine.model import Activation, Network
from planner.engine.result import Notice, Purchase
from planner.engine.staleness import is_stale


def purchase_notices(p: Purchase, c: Candidate, days: Days, today: date) -> list[Notice]:
    plan = c.plan

    def note(code: str, details: dict[str, str] | None = None) -> Notice:
        return Notice(code=code, plan=plan.slug, plan_name=plan.name, details=details or {})

    out = []
    when = p.activate_on.isoformat()
    if not p.owned and plan.activation == Activation.INSTALL:
        out.append(note("clock-on-install", {"install_on": when}))
    if not p.owned and plan.activation == Activation.PURCHASE:
        out.append(note("clock-on-purchase", {"buy_on": when}))
    slow = sorted(
        {
            days.countries[i]
            for e in c.entries
            if plan.coverage[e.index].network == Network.G3
            for i in e.days
        }
    )
    out.extend(note("3g-only", {"country": country}) for country in slow)
    if plan.daily_gb is not None:
        peak = max((days.need[i] for e in c.entries for i in e.days), default=0)
        if peak * len(c.devices) > plan.daily_gb:
            kbps = "" if plan.throttle_kbps is None else str(plan.throttle_kbps)
            out.append(note("daily-cap", {"daily_gb": str(plan.daily_gb), "throttle_kbps": kbps}))
    if plan.ekyc and not p.owned:
        out.append(note("ekyc"))
    for cap in p.caps:
        if cap.fair_use is not None and cap.binds:
            f = cap.fair_use
            out.append(
                note(
                    "fair-use",
                    {
                        "listed_price": str(f.listed_price.amount),
                        "currency": f.listed_price.currency,
                        "vat_percent": str(f.vat_percent),
                        "price_excl_vat": str(f.price_excl_vat),
                        "wholesale_eur_per_gb": str(f.wholesale_eur_per_gb),
                        "wholesale_in_force_from": f.wholesale_in_force_from.isoformat(),
                        "wholesale_per_gb": str(f.wholesale_per_gb.amount),
                        "cap_gb": str(f.cap_gb),
                    },
                )
            )
    if plan.subscription and not p.owned:
        until = p.active_until.isoformat()
        out.append(
            note("subscription", {"cancel_by": until, "validity_days": str(plan.validity_days)})
        )
    if not p.owned and is_stale(plan.verified_on, today):
        checked = plan.verified_on.isoformat() if plan.verified_on else ""
        out.append(note("not-verified", {"verified_on": checked}))
    return out

"""Warnings on a chosen purchase: facts that do not change the optimum but matter on the trip."""

from datetime import date, timedelta

from planner.engine.candidates import Candidate
from planner.engine.instance import Days
from planner.engine.model import Activation, Network, Trip
from planner.engine.result import Purchase, Warning

STALE_AFTER = timedelta(days=90)


def purchase_warnings(
    p: Purchase, c: Candidate, days: Days, trip: Trip, today: date
) -> list[Warning]:
    plan = c.plan
    out = []
    when = p.activate_on.isoformat()
    if not p.owned and plan.activation == Activation.INSTALL:
        out.append(
            Warning(
                "clock-on-install",
                f"{plan.name}: the validity clock starts when the eSIM is installed; "
                f"install it on {when}, not before the trip.",
                plan.slug,
                {"install_on": when},
            )
        )
    if not p.owned and plan.activation == Activation.PURCHASE:
        out.append(
            Warning(
                "clock-on-purchase",
                f"{plan.name}: the validity clock starts when it is bought; buy it on {when}.",
                plan.slug,
                {"buy_on": when},
            )
        )
    slow = sorted(
        {
            days.countries[i]
            for e in c.entries
            if plan.coverage[e.index].network == Network.G3
            for i in e.days
        }
    )
    for country in slow:
        out.append(
            Warning(
                "3g-only",
                f"{plan.name} reaches {country} on 3G only.",
                plan.slug,
                {"country": country},
            )
        )
    if plan.daily_gb is not None:
        peak = max((days.need[i] for e in c.entries for i in e.days), default=0)
        if peak * len(c.devices) > plan.daily_gb:
            speed = f" to {plan.throttle_kbps} kbps" if plan.throttle_kbps else ""
            out.append(
                Warning(
                    "daily-cap",
                    f"{plan.name} slows down{speed} after {plan.daily_gb} GB a day.",
                    plan.slug,
                    {
                        "daily_gb": str(plan.daily_gb),
                        "throttle_kbps": ""
                        if plan.throttle_kbps is None
                        else str(plan.throttle_kbps),
                    },
                )
            )
    if plan.ekyc and not p.owned:
        out.append(
            Warning(
                "ekyc",
                f"{plan.name} needs an identity check (eKYC) before it works; "
                "do it before leaving.",
                plan.slug,
            )
        )
    for cap in p.caps:
        if cap.fair_use is not None and cap.binds:
            f = cap.fair_use
            out.append(
                Warning(
                    "fair-use",
                    f"{plan.name}: EU fair use caps roaming at {cap.cap_gb} GB "
                    f"(2 × {f.listed_price.amount} {f.listed_price.currency} "
                    f"/ (1 + {f.vat_percent} % VAT) / {f.wholesale_eur_per_gb} EUR per GB "
                    f"wholesale since {f.wholesale_in_force_from.isoformat()}); "
                    f"beyond it roaming data is surcharged.",
                    plan.slug,
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
            Warning(
                "subscription",
                f"{plan.name} renews by itself every {plan.validity_days} days until cancelled: "
                f"cancel it after the trip, before {until}.",
                plan.slug,
                {"cancel_by": until, "validity_days": str(plan.validity_days)},
            )
        )
    if not p.owned and plan.verified_on is not None and today - plan.verified_on >= STALE_AFTER:
        out.append(
            Warning(
                "not-verified",
                f"{plan.name}: the offer was last checked on {plan.verified_on.isoformat()}; "
                f"confirm price and terms before buying.",
                plan.slug,
                {"verified_on": plan.verified_on.isoformat()},
            )
        )
    return out

"""A result document made ready to show: names for slugs, days grouped, savings.

Works from the result *document* (formats.md), not the engine's dataclasses, so
a saved trip shows exactly the result stored with it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from planner.engine.model import Catalog, Plan

COLOURS = 8


@dataclass
class DayRange:
    first: date
    last: date
    countries: list[str]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass
class PurchaseView:
    number: int  # 1-based, as the traveller reads it
    colour: str
    doc: dict
    plan: Plan | None
    operator_name: str
    ranges: list[DayRange]
    countries: list[str]
    warnings: list[dict] = field(default_factory=list)

    @property
    def activate_on(self) -> date:
        return date.fromisoformat(self.doc["activate_on"])

    @property
    def stale(self) -> bool:
        return any(w["code"] == "not-verified" for w in self.warnings)

    @property
    def install_by(self) -> date:
        return self.activate_on - timedelta(days=1)


@dataclass
class Bar:
    number: int
    colour: str
    label: str
    gb: Decimal


@dataclass
class TimelineDay:
    date: date
    country: str
    need_gb: Decimal
    bars: list[Bar]
    missing_gb: Decimal


@dataclass
class Saving:
    label: str
    amount: dict
    saving: Decimal


def _ranges(days: list[date], country_of: dict[date, str]) -> list[DayRange]:
    ranges: list[DayRange] = []
    for d in sorted(days):
        c = country_of.get(d, "")
        if ranges and ranges[-1].last + timedelta(days=1) == d:
            ranges[-1].last = d
            if c and c not in ranges[-1].countries:
                ranges[-1].countries.append(c)
        else:
            ranges.append(DayRange(d, d, [c] if c else []))
    return ranges


def present(result: dict, catalog: Catalog | None) -> dict:
    plans = {p.slug: p for p in catalog.plans} if catalog else {}
    operators = catalog.operators if catalog else {}
    country_of = {date.fromisoformat(d["date"]): d["country"] for d in result["days"]}

    by_plan: dict[str, list[dict]] = defaultdict(list)
    general: list[dict] = []
    for w in result.get("warnings", []):
        (by_plan[w["plan"]] if w.get("plan") else general).append(w)

    purchases = []
    for i, p in enumerate(result["purchases"]):
        days = [date.fromisoformat(d) for d in p["days"]]
        served = []
        for d in sorted(days):
            if country_of.get(d) and country_of[d] not in served:
                served.append(country_of[d])
        operator = operators.get(p["operator"])
        purchases.append(
            PurchaseView(
                number=i + 1,
                colour=f"p{i % COLOURS}",
                doc=p,
                plan=plans.get(p["plan"]),
                operator_name=operator.name if operator else p["operator"],
                ranges=_ranges(days, country_of),
                countries=served,
                warnings=by_plan.get(p["plan"], []),
            )
        )

    missing: dict[str, Decimal] = defaultdict(Decimal)
    for s in result["short"]:
        missing[s["date"]] += Decimal(s["missing_gb"])

    timeline = []
    for d in result["days"]:
        per_purchase: dict[int, Decimal] = defaultdict(Decimal)
        for s in d["supply"]:
            per_purchase[s["purchase"]] += Decimal(s["gb"])
        bars = [
            Bar(
                number=k + 1,
                colour=f"p{k % COLOURS}",
                label=result["purchases"][k].get("plan_name") or result["purchases"][k]["plan"],
                gb=gb,
            )
            for k, gb in sorted(per_purchase.items())
            if gb > 0
        ]
        timeline.append(
            TimelineDay(
                date=date.fromisoformat(d["date"]),
                country=d["country"],
                need_gb=Decimal(d["need_gb"]),
                bars=bars,
                missing_gb=missing.get(d["date"], Decimal(0)),
            )
        )

    total = Decimal(result["total"]["amount"])
    savings = []
    for key, label in (
        ("local_per_country", "local"),
        ("single_plan", "single"),
    ):
        baseline = result["baselines"].get(key)
        if baseline:
            amount = baseline["total"]
            savings.append(Saving(label, amount, Decimal(amount["amount"]) - total))

    return {
        "result": result,
        "purchases": purchases,
        "bought": [p for p in purchases if not p.doc["owned"]],
        "timeline": timeline,
        "savings": savings,
        "warnings": general,
        "short": result["short"],
        "short_gb": sum((Decimal(s["missing_gb"]) for s in result["short"]), Decimal(0)),
        "voice_short": [s for s in result["short"] if s.get("voice")],
    }


def compare(old: dict, new: dict) -> dict:
    """What changed between a saved result and the same trip planned again."""
    old_plans = [p["plan"] for p in old["purchases"] if not p["owned"]]
    new_plans = [p["plan"] for p in new["purchases"] if not p["owned"]]
    return {
        "old_total": old["total"],
        "new_total": new["total"],
        "difference": Decimal(new["total"]["amount"]) - Decimal(old["total"]["amount"]),
        "removed": [p for p in old["purchases"] if p["plan"] not in new_plans and not p["owned"]],
        "added": [p for p in new["purchases"] if p["plan"] not in old_plans and not p["owned"]],
        "same": old_plans == new_plans,
    }

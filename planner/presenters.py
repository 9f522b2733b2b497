"""A result document made ready to show: names for slugs, days grouped, savings.

Works from the result *document* (formats.md), not the engine's dataclasses, so
a saved trip shows exactly the result stored with it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from catalog.document import where_to_buy
from catalog.worldmap import Fill, draw
from planner.engine.model import Activation, Catalog, Operator, Plan
from planner.templatetags.roamplan import country

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
    operator: Operator | None
    ranges: list[DayRange]
    countries: list[str]
    warnings: list[dict] = field(default_factory=list)
    buy_url: str = ""  # the plan's own, else its operator's website; empty for a home plan

    @property
    def activate_on(self) -> date:
        return date.fromisoformat(self.doc["activate_on"])

    @property
    def stale(self) -> bool:
        return any(w["code"] == "not-verified" for w in self.warnings)

    @property
    def first_day(self) -> date:
        """The first day it supplies data: when "starts on first use" starts."""
        return self.ranges[0].first if self.ranges else self.activate_on

    @property
    def install_by(self) -> date:
        return self.first_day - timedelta(days=1)

    @property
    def operator_country(self) -> str | None:
        return self.operator.country if self.operator else None

    @property
    def action(self) -> str:
        """What the traveller does, and on which day (`action_day`): "install" or "buy"."""
        return "buy" if self.plan and self.plan.activation == Activation.PURCHASE else "install"

    @property
    def action_day(self) -> date:
        # A plan whose clock starts on first use is installed the day before, at
        # home; the others on the day itself (the card says the same).
        if self.plan and self.plan.activation != Activation.FIRST_USE:
            return self.activate_on
        return self.install_by


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
    """A baseline (a simpler strategy) in words: its cost, eSIMs and GB unmet."""

    label: str  # local or single
    amount: dict
    saving: Decimal
    esims: int | None = None  # None: a stored result of model v1, which did not say
    short_gb: Decimal = Decimal(0)


@dataclass
class Choice:
    """One entry of the cost–eSIM trade-off: "2 eSIMs €8.75"."""

    esims: int
    total: dict
    short_gb: Decimal
    optimal: bool
    max_esims: int | None  # the trip's max_esims that plans this entry
    chosen: bool = False
    recommended: bool = False


@dataclass
class OwnedGap:
    """Days an owned plan does not cover, and the purchases that serve them instead."""

    plan_name: str
    country: str
    first: date
    last: date
    reason: str
    covered_by: list[str]  # operator names, in purchase order


@dataclass
class ShortDay:
    """Days with need left unmet, once, whatever their devices and voice: a run of
    consecutive days in one country, short for the same reason by the same GB."""

    date: date  # the first day
    country: str
    missing_gb: Decimal
    devices: list[int]
    voice: bool
    reason: str
    why: str
    details: dict

    last: date | None = None

    @property
    def days(self) -> int:
        return (self.last - self.date).days + 1 if self.last else 1

    def continues(self, other: "ShortDay") -> bool:
        return (
            self.last + timedelta(days=1) == other.date
            and (self.country, self.missing_gb, self.devices, self.voice, self.reason)
            == (other.country, other.missing_gb, other.devices, other.voice, other.reason)
            and self.details == other.details
        )

    @property
    def residence(self) -> list[str]:
        """For `residents-only`: the countries whose residents could buy a plan here."""
        return [c for c in self.details.get("countries", "").split(",") if c]


@dataclass(frozen=True)
class MapRow:
    country: str
    purchases: tuple[PurchaseView, ...]
    uncovered: bool  # some day there is left short

    @property
    def groups(self) -> list[tuple[PurchaseView, int | None]]:
        """Consecutive purchases of one plan as one entry: (the first, the last
        one's number or None), so twelve day passes read "4.–15. Day pass"."""
        groups: list[list[PurchaseView]] = []
        for p in self.purchases:
            last = groups[-1][-1] if groups else None
            if last and last.doc["plan"] == p.doc["plan"] and last.number + 1 == p.number:
                groups[-1].append(p)
            else:
                groups.append([p])
        return [(g[0], g[-1].number if len(g) > 1 else None) for g in groups]

    @property
    def label(self) -> str:
        names = [
            f"{first.number}.{f'–{last}.' if last else ''} {first.doc['plan_name']}"
            for first, last in self.groups
        ]
        if self.uncovered:
            names.append(_("not covered"))
        return f"{country(self.country)}: {', '.join(names)}"


@dataclass(frozen=True)
class TripMap:
    svg: SafeString
    rows: tuple[MapRow, ...]  # the map's text alternative, in the trip's order


def trip_map(purchases: list[PurchaseView], timeline: list[TimelineDay]) -> TripMap:
    """Each country of the trip in the colour of the purchase serving it, striped
    when several do, as the timeline colours them (a run of one plan's purchases
    in its first one's colour)."""
    order: list[str] = []
    serving: dict[str, list[int]] = {}
    uncovered: set[str] = set()
    for day in timeline:
        if day.country not in serving:
            order.append(day.country)
            serving[day.country] = []
        for bar in day.bars:
            if bar.number not in serving[day.country]:
                serving[day.country].append(bar.number)
        if day.missing_gb:
            uncovered.add(day.country)

    by_number = {p.number: p for p in purchases}
    rows = tuple(MapRow(c, tuple(by_number[n] for n in serving[c]), c in uncovered) for c in order)
    fills = []
    for row in rows:
        # One stripe per entry of the list beside, in its first purchase's colour.
        colours = tuple(first.colour for first, _last in row.groups)
        fills.append(
            Fill(
                code=row.country,
                classes=colours[0] if len(colours) == 1 else "uncovered" if not colours else "",
                stripes=colours if len(colours) > 1 else (),
                title=row.label,
            )
        )
    svg = draw(
        tuple(fills),
        label=_("Map of the trip's countries, coloured by the plan that serves each one"),
        prefix="trip-map",
    )
    # draw() escapes every text it puts in.
    return TripMap(svg=mark_safe(svg), rows=rows)


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

    # A warning belongs to the purchases it names (model v2), or else to every
    # purchase of its plan; each purchase shows it once.
    by_purchase: dict[int, list[dict]] = defaultdict(list)
    general: list[dict] = []
    for w in result.get("warnings", []):
        if "purchases" in w and w["purchases"]:
            targets = w["purchases"]
        elif w.get("plan"):
            targets = [i for i, p in enumerate(result["purchases"]) if p["plan"] == w["plan"]]
        else:
            general.append(w)
            continue
        for i in targets:
            key = (w["code"], w.get("country"))
            if all((seen["code"], seen.get("country")) != key for seen in by_purchase[i]):
                by_purchase[i].append(w)

    purchases = []
    for i, p in enumerate(result["purchases"]):
        days = [date.fromisoformat(d) for d in p["days"]]
        served = []
        for d in sorted(days):
            if country_of.get(d) and country_of[d] not in served:
                served.append(country_of[d])
        operator = operators.get(p["operator"])
        plan = plans.get(p["plan"])
        website = operator.website if operator else ""
        purchases.append(
            PurchaseView(
                number=i + 1,
                colour=f"p{i % COLOURS}",
                doc=p,
                plan=plan,
                operator_name=operator.name if operator else p["operator"],
                operator=operator,
                ranges=_ranges(days, country_of),
                countries=served,
                warnings=by_purchase.get(i, []),
                buy_url="" if p["owned"] else where_to_buy(plan.buy_url if plan else "", website),
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
        if not baseline:
            continue
        if "amount" in baseline:  # a stored result of model v1: the total only
            savings.append(Saving(label, baseline, Decimal(baseline["amount"]) - total))
            continue
        savings.append(
            Saving(
                label,
                baseline["total"],
                Decimal(baseline["total"]["amount"]) - total,
                esims=baseline["esims"],
                short_gb=Decimal(baseline["short_gb"]),
            )
        )

    names = [p.operator_name for p in purchases]
    gaps = [
        OwnedGap(
            plan_name=plans[g["plan"]].name if g["plan"] in plans else g["plan"],
            country=g["country"],
            first=date.fromisoformat(g["first"]),
            last=date.fromisoformat(g["last"]),
            reason=g["reason"],
            covered_by=list(dict.fromkeys(names[k] for k in g["covered_by"] if k < len(names))),
        )
        for g in result.get("owned_gaps", [])
    ]

    return {
        "result": result,
        "map": trip_map(purchases, timeline),
        "purchases": purchases,
        "bought": [p for p in purchases if not p.doc["owned"]],
        "timeline": timeline,
        "savings": savings,
        "choices": choices(result),
        "owned_gaps": gaps,
        "warnings": general,
        "short": result["short"],
        "short_days": _short_days(result),
        "short_gb": sum((Decimal(s["missing_gb"]) for s in result["short"]), Decimal(0)),
        "voice_short": [s for s in result["short"] if s.get("voice")],
        "trip_year": date.fromisoformat(result["days"][0]["date"]).year if result["days"] else None,
    }


def choices(result: dict, chosen: int | None = None) -> list[Choice]:
    """The trade-off as choices, fewest eSIMs first; the recommendation is the last.
    `chosen` is the number of eSIMs of the entry shown (the recommendation if None)."""
    entries = result.get("alternatives") or []
    if len(entries) < 2:
        return []
    wanted = chosen if any(e["esims"] == chosen for e in entries) else entries[-1]["esims"]
    return [
        Choice(
            esims=e["esims"],
            total=e["total"],
            short_gb=Decimal(e["short_gb"]),
            optimal=e["optimal"],
            max_esims=e.get("max_esims"),
            chosen=e["esims"] == wanted,
            recommended=n == len(entries) - 1,
        )
        for n, e in enumerate(entries)
    ]


def _short_days(result: dict) -> list[ShortDay]:
    if "short_days" in result:
        rows = result["short_days"]
    else:  # a stored result of model v1: one entry per device, voice apart
        by_day: dict[str, list[dict]] = defaultdict(list)
        for s in result["short"]:
            by_day[s["date"]].append(s)
        rows = []
        for day, items in sorted(by_day.items()):
            data = [s for s in items if not s.get("voice")]
            first = (data or items)[0]
            rows.append(
                {
                    "date": day,
                    "country": first["country"],
                    "missing_gb": str(sum((Decimal(s["missing_gb"]) for s in data), Decimal(0))),
                    "devices": [s["device"] for s in data if s.get("device")],
                    "voice": any(s.get("voice") for s in items),
                    "reason": first.get("reason", ""),
                    "why": first["why"],
                }
            )
    runs: list[ShortDay] = []
    for r in rows:
        day = ShortDay(
            date=date.fromisoformat(r["date"]),
            country=r["country"],
            missing_gb=Decimal(r["missing_gb"]),
            devices=list(r["devices"]),
            voice=r["voice"],
            reason=r["reason"],
            why=r["why"],
            details=dict(r.get("details") or {}),
            last=date.fromisoformat(r["date"]),
        )
        # a week in a country no plan covers is one line, not seven
        if runs and runs[-1].continues(day):
            runs[-1].last = day.date
        else:
            runs.append(day)
    return runs


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

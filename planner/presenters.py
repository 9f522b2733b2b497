"""A result made ready to show: names for slugs, days grouped, savings.

`present` reads the result *document* (formats.md) back typed with
`planner.engine.result.from_document`, so a saved trip shows exactly the result
stored with it, and builds the page objects the templates read: `Money`,
`Decimal` and `date` fields and flags (`has_overage`, `has_bonus`), never
formatted strings to compare.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.document import where_to_buy
from catalog.worldmap import Fill, draw
from planner.engine.model import Activation, Catalog, Operator, Plan
from planner.engine.result import (
    SHORT_DAY,
    Money,
    Notice,
    Purchase,
    Result,
    explain_inputs,
    from_document,
)
from planner.explanations import explain
from planner.templatetags.roamplan import country, countrynames, gb

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
    purchase: Purchase
    plan: Plan | None
    operator_name: str
    operator: Operator | None
    ranges: list[DayRange]
    countries: list[str]
    warnings: list[Notice] = field(default_factory=list)
    buy_url: str = ""  # the plan's own, else its operator's website; empty for a home plan

    @property
    def price(self) -> Money:
        """What it costs, in the trip's currency."""
        return self.purchase.price_trip or self.purchase.price

    @property
    def price_listed(self) -> Money | None:
        """The price in the plan's own currency, when the trip's is another one."""
        return self.purchase.price if self.purchase.price_trip else None

    @property
    def list_price(self) -> Money:
        return self.purchase.list_price_trip or self.purchase.list_price

    @property
    def overage(self) -> Money:
        return self.purchase.overage_trip or self.purchase.overage

    @property
    def shows_listed_price(self) -> bool:
        return self.price_listed is not None and self.price.amount != 0

    @property
    def has_bonus(self) -> bool:
        return self.purchase.bonus_gb != 0

    @property
    def has_overage(self) -> bool:
        return self.overage.amount != 0

    @property
    def activate_on(self) -> date:
        return self.purchase.activate_on

    @property
    def stale(self) -> bool:
        return any(w.code == "not-verified" for w in self.warnings)

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


# What the page says for an engine code, keyed by the code: beside the day or on
# the purchase's card, in the reader's language, with what to change. The
# document's own texts (English, ISO dates, country codes) are the one map of
# planner/explanations.py, which says any code this map has no sentence for.
SHORT_DAY_SENTENCES: dict[str, Promise] = {
    "no-plan": gettext_lazy("No plan in our catalog covers %(country)s."),
    "network": gettext_lazy(
        "Only plans on %(network)s cover %(country)s; you asked for %(wanted)s: "
        "a lower minimum network would cover it."
    ),
    "esim-only": gettext_lazy(
        "Only plastic-SIM plans cover %(country)s: untick “eSIM only” to cover it."
    ),
    "residents-only": gettext_lazy(
        "Only contracts for residents of %(where)s cover %(country)s: if you live there, "
        "say so in “Where you live”."
    ),
    "no-voice": gettext_lazy(
        "Only plans without a phone number cover %(country)s: "
        "untick “I need a phone number” to cover it."
    ),
    "dates": gettext_lazy("No plan for %(country)s is on sale on those dates."),
    "new-customer-used": gettext_lazy(
        "Only offers for new customers cover %(country)s, and they are not for you "
        "(used already, or you have bought from those operators before)."
    ),
    "max-esims": gettext_lazy(
        "With at most %(n)s eSIMs, %(country)s cannot be covered as well: "
        "allow more eSIMs to cover it."
    ),
    "filtered": gettext_lazy(
        "Your choices (eSIM only, minimum network) leave no plan for %(country)s: "
        "loosen them to cover it."
    ),
    "limits": gettext_lazy(
        "Every plan for %(country)s is used up by its purchase limits or one-per-customer offers."
    ),
    "time-limit": gettext_lazy("No combination was found within the time limit."),
    "no-voice-plan": gettext_lazy(
        "No plan with a phone number covers %(country)s: that day is planned without one."
    ),
    "voice-limits": gettext_lazy(
        "Every plan with a phone number for %(country)s is used up by its limits: "
        "that day is planned without one."
    ),
}

NOTICE_SENTENCES: dict[str, Promise] = {
    "clock-on-install": gettext_lazy(
        "Its validity clock starts when you install it: install it on the day shown "
        "above, not earlier."
    ),
    "clock-on-purchase": gettext_lazy(
        "Its validity clock starts when you buy it: buy it on the day shown above."
    ),
    "3g-only": gettext_lazy(
        "Only 3G in %(country)s: slow, and 3G networks are being switched off."
    ),
    "daily-cap": gettext_lazy("Slows down to %(kbps)s kbit/s after %(gb)s a day."),
    # a daily cap of a plan that states no throttled speed
    "daily-cap-no-speed": gettext_lazy("Slows down after %(gb)s a day."),
    "ekyc": gettext_lazy(
        "It needs an identity check (eKYC) before it works: do it before you leave."
    ),
    "time-limit": gettext_lazy(
        "The search ran out of time before it found any combination: the days below "
        "are uncovered for that reason only. Try again, or shorten the trip."
    ),
    "fair-use": gettext_lazy(
        "The EU fair-use cap is reached: roaming data beyond it is surcharged "
        "(the computation is above)."
    ),
}


def explain_or_empty(kind: str, code: str, details: dict) -> str:
    """`explain`, or nothing for a code of a stored result it has no text for
    (a result saved before the code was renamed)."""
    try:
        return explain(kind, code, details)
    except KeyError:
        return ""


def notice_text(w: Notice) -> str:
    """A notice in the page's words (`NOTICE_SENTENCES`), else the one map's."""
    d = w.details
    code = w.code
    if code == "daily-cap" and not d.get("throttle_kbps"):
        code = "daily-cap-no-speed"
    if code not in NOTICE_SENTENCES:
        return explain_or_empty(*explain_inputs(w))
    return str(NOTICE_SENTENCES[code]) % {
        "country": country(d.get("country", "")),
        "kbps": d.get("throttle_kbps", ""),
        "gb": gb(d.get("daily_gb")),
    }


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
    amount: Money
    saving: Decimal
    esims: int | None = None  # None: a stored result of model v1, which did not say
    short_gb: Decimal = Decimal(0)


@dataclass
class Choice:
    """One entry of the cost–eSIM trade-off: "2 eSIMs €8.75"."""

    esims: int
    total: Money
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
    def text(self) -> str:
        """Why, in the page's words (`SHORT_DAY_SENTENCES`), else the one map's
        (planner/explanations.py)."""
        if self.reason not in SHORT_DAY_SENTENCES:
            return explain_or_empty(
                SHORT_DAY, self.reason, {"country": self.country, **self.details}
            )
        return str(SHORT_DAY_SENTENCES[self.reason]) % {
            "country": country(self.country),
            "network": self.details.get("best_network", ""),
            "wanted": self.details.get("min_network", ""),
            "where": countrynames(self.residence),
            "n": self.details.get("max_esims", ""),
        }

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
            if last and last.purchase.plan == p.purchase.plan and last.number + 1 == p.number:
                groups[-1].append(p)
            else:
                groups.append([p])
        return [(g[0], g[-1].number if len(g) > 1 else None) for g in groups]

    @property
    def label(self) -> str:
        names = [
            f"{first.number}.{f'–{last}.' if last else ''} {first.purchase.plan_name}"
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


@dataclass(frozen=True)
class ResultPage:
    """A result as its page shows it."""

    result: Result
    map: TripMap
    purchases: list[PurchaseView]
    bought: list[PurchaseView]
    timeline: list[TimelineDay]
    savings: list[Saving]
    choices: list[Choice]
    owned_gaps: list[OwnedGap]
    warnings: list[Notice]  # those about no purchase; the others are on their purchase's card
    short_days: list[ShortDay]
    trip_year: int | None


def present(document: dict, catalog: Catalog | None) -> ResultPage:
    result = from_document(document)
    plans = {p.slug: p for p in catalog.plans} if catalog else {}
    operators = catalog.operators if catalog else {}
    country_of = {d.date: d.country for d in result.days}
    by_purchase, general = _warnings(result)
    purchases = [
        _purchase_view(i, p, plans, operators, country_of, by_purchase.get(i, []))
        for i, p in enumerate(result.purchases)
    ]
    timeline = _timeline(result)
    names = [p.operator_name for p in purchases]
    gaps = [
        OwnedGap(
            plan_name=plans[g.plan].name if g.plan in plans else g.plan,
            country=g.country,
            first=g.first,
            last=g.last,
            reason=g.reason,
            covered_by=list(dict.fromkeys(names[k] for k in g.covered_by if k < len(names))),
        )
        for g in result.owned_gaps
    ]
    return ResultPage(
        result=result,
        map=trip_map(purchases, timeline),
        purchases=purchases,
        bought=[p for p in purchases if not p.purchase.owned],
        timeline=timeline,
        savings=_savings(result),
        choices=choices(result),
        owned_gaps=gaps,
        warnings=general,
        short_days=_short_days(result),
        trip_year=result.days[0].date.year if result.days else None,
    )


def _warnings(result: Result) -> tuple[dict[int, list[Notice]], list[Notice]]:
    """A warning belongs to the purchases it names (model v2), or else to every
    purchase of its plan; each purchase shows it once. The rest are general."""
    by_purchase: dict[int, list[Notice]] = defaultdict(list)
    general: list[Notice] = []
    for w in result.warnings:
        if w.purchases:
            targets = list(w.purchases)
        elif w.plan:
            targets = [i for i, p in enumerate(result.purchases) if p.plan == w.plan]
        else:
            general.append(w)
            continue
        for i in targets:
            key = (w.code, w.details.get("country"))
            if all((seen.code, seen.details.get("country")) != key for seen in by_purchase[i]):
                by_purchase[i].append(w)
    return by_purchase, general


def _purchase_view(
    i: int,
    p: Purchase,
    plans: dict[str, Plan],
    operators: dict[str, Operator],
    country_of: dict[date, str],
    warnings: list[Notice],
) -> PurchaseView:
    served = []
    for d in sorted(p.days):
        if country_of.get(d) and country_of[d] not in served:
            served.append(country_of[d])
    operator = operators.get(p.operator)
    plan = plans.get(p.plan)
    website = operator.website if operator else ""
    return PurchaseView(
        number=i + 1,
        colour=f"p{i % COLOURS}",
        purchase=p,
        plan=plan,
        operator_name=operator.name if operator else p.operator,
        operator=operator,
        ranges=_ranges(list(p.days), country_of),
        countries=served,
        warnings=warnings,
        buy_url="" if p.owned else where_to_buy(plan.buy_url if plan else "", website),
    )


def _timeline(result: Result) -> list[TimelineDay]:
    missing: dict[date, Decimal] = defaultdict(Decimal)
    for s in result.short:
        missing[s.date] += s.missing_gb
    timeline = []
    for d in result.days:
        per_purchase: dict[int, Decimal] = defaultdict(Decimal)
        for s in d.supply:
            per_purchase[s.purchase] += s.gb
        bars = [
            Bar(
                number=k + 1,
                colour=f"p{k % COLOURS}",
                label=result.purchases[k].plan_name or result.purchases[k].plan,
                gb=gb,
            )
            for k, gb in sorted(per_purchase.items())
            if gb > 0
        ]
        timeline.append(
            TimelineDay(
                date=d.date,
                country=d.country,
                need_gb=d.need_gb,
                bars=bars,
                missing_gb=missing.get(d.date, Decimal(0)),
            )
        )
    return timeline


def _savings(result: Result) -> list[Saving]:
    total = result.total.amount
    baselines = (
        ("local", result.baselines.local_per_country),
        ("single", result.baselines.single_plan),
    )
    return [
        Saving(label, o.total, o.total.amount - total, esims=o.esims, short_gb=o.short_gb)
        for label, o in baselines
        if o is not None
    ]


def choices(result: Result, chosen: int | None = None) -> list[Choice]:
    """The trade-off as choices, fewest eSIMs first; the recommendation is the last.
    `chosen` is the number of eSIMs of the entry shown (the recommendation if None)."""
    entries = result.alternatives
    if len(entries) < 2:
        return []
    wanted = chosen if any(e.esims == chosen for e in entries) else entries[-1].esims
    return [
        Choice(
            esims=e.esims,
            total=e.total,
            short_gb=e.short_gb,
            optimal=e.optimal,
            max_esims=e.max_esims,
            chosen=e.esims == wanted,
            recommended=n == len(entries) - 1,
        )
        for n, e in enumerate(entries)
    ]


def _short_days(result: Result) -> list[ShortDay]:
    runs: list[ShortDay] = []
    for r in result.short_days:
        day = ShortDay(
            date=r.date,
            country=r.country,
            missing_gb=r.missing_gb,
            devices=list(r.devices),
            voice=r.voice,
            reason=r.reason,
            details=dict(r.details),
            last=r.date,
        )
        # a week in a country no plan covers is one line, not seven
        if runs and runs[-1].continues(day):
            runs[-1].last = day.date
        else:
            runs.append(day)
    return runs


@dataclass(frozen=True)
class Changes:
    """What changed between a saved result and the same trip planned again."""

    old_total: Money
    new_total: Money
    difference: Decimal
    removed: list[Purchase]  # bought then, not now
    added: list[Purchase]
    same: bool  # the same plans bought, in the same order


def compare(old: dict, new: dict) -> Changes:
    """Two result documents compared: the saved one and today's."""
    before, now = from_document(old), from_document(new)
    old_plans = [p.plan for p in before.bought]
    new_plans = [p.plan for p in now.bought]
    return Changes(
        old_total=before.total,
        new_total=now.total,
        difference=now.total.amount - before.total.amount,
        removed=[p for p in before.bought if p.plan not in new_plans],
        added=[p for p in now.bought if p.plan not in old_plans],
        same=old_plans == new_plans,
    )

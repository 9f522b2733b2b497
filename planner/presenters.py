"""A result made ready to show: names for slugs, days grouped, savings.

`present` reads the result *document* (formats.md) back typed with
`planner.engine.result.from_document`, so a saved trip shows exactly the result
stored with it, and builds the page objects the templates read: `Money`,
`Decimal` and `date` fields and flags (`has_overage`, `has_bonus`), never
formatted strings to compare.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from catalog.document import where_to_buy
from catalog.worldmap import Fill, draw
from planner.display import round_decimal
from planner.engine.model import Activation, Catalog, Operator, Plan
from planner.engine.result import (
    Money,
    Notice,
    Purchase,
    Result,
    explain_inputs,
    from_document,
)
from planner.explanations import PAGE_NOTICE, PAGE_SHORT_DAY, say
from planner.templatetags.roamplan import andlist, country, countrynames, gb

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
class CoverGroup:
    """Runs of days a purchase serves in the same countries."""

    countries: list[str]
    ranges: list[DayRange]


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
    # a first-order offer in a trip that buys its operator's plans more than once:
    # the card says to buy it first (the purchases are in activation order)
    buy_first: bool = False

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
    def never_verified(self) -> bool:
        """Stale because nobody ever checked it (no `verified_on`), not because
        the check is old: the badge says so (explanations' `never-verified`)."""
        return any(
            w.code == "not-verified" and not w.details.get("verified_on") for w in self.warnings
        )

    @property
    def covers(self) -> list["CoverGroup"]:
        """The days it serves by country: "Dec 16 and Dec 18 (France)", not
        "Dec 16 (France); Dec 18 (France)"; groups in the order of their first day."""
        groups: dict[tuple[str, ...], CoverGroup] = {}
        for r in self.ranges:
            key = tuple(r.countries)
            groups.setdefault(key, CoverGroup(list(key), []))
            groups[key].ranges.append(r)
        return list(groups.values())

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
class Card:
    """One card of "What to buy and when": a purchase, or the same purchase
    made once for each of several devices (same plan, day, price, days and
    data on each), which a family reads as "4 × €26.85", not as four cards."""

    purchases: list[PurchaseView]

    @property
    def first(self) -> PurchaseView:
        return self.purchases[0]

    @property
    def last(self) -> int | None:
        """The last purchase's number when the card has several: "1.–4."."""
        return self.purchases[-1].number if len(self.purchases) > 1 else None

    @property
    def count(self) -> int:
        return len(self.purchases)

    @property
    def devices(self) -> list[int]:
        return sorted({d for p in self.purchases for d in p.purchase.devices})


def _joins(card: Card, p: PurchaseView) -> bool:
    """p is the card's purchase again for other devices: all that a card shows
    but the devices, none of which the card has yet (two copies for one device
    stay two cards: "one for each device" would be untrue)."""
    a = card.first
    return (
        not a.purchase.owned
        and replace(a.purchase, devices=()) == replace(p.purchase, devices=())
        and a.warnings == p.warnings
        and a.buy_first == p.buy_first
        and len(a.purchase.devices) == len(p.purchase.devices) == 1
        and not set(card.devices) & set(p.purchase.devices)
    )


def cards(purchases: list[PurchaseView]) -> list[Card]:
    """Consecutive purchases that differ only in their devices, one card each;
    each card's purchases take its colour, which the day-by-day bars use too
    (the map's key still joins a run of one plan's purchases in the colour of
    its first, as before)."""
    out: list[Card] = []
    for p in purchases:
        if out and _joins(out[-1], p):
            out[-1].purchases.append(p)
        else:
            out.append(Card([p]))
    for k, card in enumerate(out):
        for p in card.purchases:
            p.colour = f"p{k % COLOURS}"
    return out


def notice_text(w: Notice) -> str:
    """A notice in the page's words (planner/explanations.py, `PAGE_NOTICE`)."""
    _kind, code, details = explain_inputs(w)
    d = w.details
    return say(
        PAGE_NOTICE,
        code,
        {
            "country": country(d.get("country", "")),
            "kbps": d.get("throttle_kbps", ""),
            "gb": gb(d.get("daily_gb")),
        },
        details,
    )


@dataclass
class Bar:
    number: int
    colour: str
    label: str
    gb: Decimal
    tenths: int = 10  # its share of the day's GB in tenths, at least 1: the class w1…w10


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
        """Why, in the page's words (planner/explanations.py, `PAGE_SHORT_DAY`)."""
        values = {
            "country": country(self.country),
            "network": self.details.get("best_network", ""),
            "wanted": self.details.get("min_network", ""),
            "where": countrynames(self.residence),
            "n": self.details.get("max_esims", ""),
        }
        return say(PAGE_SHORT_DAY, self.reason, values, {"country": self.country, **self.details})

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
        return _("%(country)s: %(plans)s") % {
            "country": country(self.country),
            "plans": andlist(names),
        }


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
    cards: list[Card]  # the purchases as the page's cards show them
    bought: list[PurchaseView]
    timeline: list[TimelineDay]
    savings: list[Saving]
    choices: list[Choice]
    owned_gaps: list[OwnedGap]
    warnings: list[Notice]  # those about no purchase; the others are on their purchase's card
    short_days: list[ShortDay]
    trip_year: int | None
    devices: int = 1  # the trip's devices: a card names its devices only when there are several

    @property
    def summary(self) -> str:
        """What the line under the total says: "buy" (N plans), "home-covers"
        (nothing to buy, the home plan covers every day), "home-short" (nothing
        to buy, and the days below no plan can cover), "none" (nothing serves
        any day: the reasons are the short days), "nothing" (no day needs
        anything: a trip of 0 GB a day)."""
        if self.bought:
            return "buy"
        if not self.purchases:
            return "none" if self.short_days else "nothing"
        return "home-short" if self.short_days else "home-covers"

    @property
    def rounded_lines(self) -> bool:
        """The cards' amounts, each rounded on its own, do not add up to the
        total (which is of the exact amounts): the page says so under the total."""
        currency = self.result.total.currency
        lines = sum(
            (round_decimal(p.price.amount, currency) + round_decimal(p.overage.amount, currency))
            for p in self.bought
        )
        return lines != round_decimal(self.result.total.amount, currency)


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
    for p in purchases:
        p.buy_first = p.purchase.new_customer and any(
            other is not p and other.purchase.operator == p.purchase.operator
            for other in purchases
            if not other.purchase.owned
        )
    grouped = cards(purchases)
    timeline = _timeline(result, [p.colour for p in purchases])
    return ResultPage(
        result=result,
        map=trip_map(purchases, timeline),
        purchases=purchases,
        cards=grouped,
        bought=[p for p in purchases if not p.purchase.owned],
        timeline=timeline,
        savings=_savings(result),
        choices=choices(result),
        owned_gaps=gaps,
        warnings=general,
        short_days=_short_days(result),
        trip_year=result.days[0].date.year if result.days else None,
        devices=_devices(result),
    )


def _devices(result: Result) -> int:
    """How many devices the trip has: the highest device number the result names."""
    numbers = [d for p in result.purchases for d in p.devices]
    numbers += [s.device for d in result.days for s in d.supply]
    numbers += [d for s in result.short_days for d in s.devices]
    return max(numbers, default=1)


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


def _timeline(result: Result, colours: list[str]) -> list[TimelineDay]:
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
                colour=colours[k],
                label=result.purchases[k].plan_name or result.purchases[k].plan,
                gb=gb,
            )
            for k, gb in sorted(per_purchase.items())
            if gb > 0
        ]
        day_gb = sum((b.gb for b in bars), Decimal(0))
        for b in bars:
            b.tenths = bar_tenths(b.gb, day_gb)
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


def bar_tenths(part: Decimal, whole: Decimal) -> int:
    """A bar's width in tenths of its day: round(10 × part ÷ whole), half up, at
    least 1 (a bar of 0.02 GB beside 1.48 GB can still be seen and read)."""
    if whole <= 0:
        return 10
    tenths = (10 * part / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(1, min(10, int(tenths)))


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

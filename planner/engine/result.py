"""What the engine answers, and its JSON form (formats.md, "Result").

Amounts stay exact in the dataclasses; `to_document` rounds money to cents for
display only. Names here are what the web pages build on: keep them stable.

The engine says why with codes and data, never with prose: a short day has a
`reason`, a notice a `code`, each with the `details` its text needs. The words
live in one map outside the engine (planner/explanations.py, translated);
`to_document` takes the text function, since the document carries the texts.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from planner.engine.money import gb_text, money_text


@dataclass(frozen=True)
class Money:
    amount: Decimal  # exact; round only to show
    currency: str


@dataclass(frozen=True)
class FairUse:
    """How an `eu-fair-use` cap was computed for one activation date."""

    activation_date: date
    listed_price: Money  # the plan's listed price, even when the purchase got a discount
    vat_percent: Decimal
    price_excl_vat: Decimal  # in the plan's currency
    wholesale_eur_per_gb: Decimal
    wholesale_in_force_from: date
    wholesale_per_gb: Money  # converted to the plan's currency
    cap_gb: Decimal  # 2 × price_excl_vat / wholesale_per_gb, floored to 0.01


@dataclass(frozen=True)
class CapUse:
    """One coverage entry of a purchase that served trip days."""

    countries: tuple[str, ...]
    network: str
    cap_gb: Decimal | None
    fair_use: FairUse | None
    overage_per_gb: Money | None
    included_gb: Decimal
    overage_gb: Decimal
    binds: bool  # the cap was used in full


@dataclass(frozen=True)
class Purchase:
    plan: str
    plan_name: str
    operator: str
    owned: bool
    activate_on: date
    active_until: date  # last day of validity (may be after the trip)
    devices: tuple[int, ...]  # 1-based
    list_price: Money  # plan currency
    price: Money  # after promotion, plan currency; 0 for an owned renewal
    price_base: Decimal
    promotion: str | None
    discount_percent: Decimal
    bonus_gb: Decimal
    new_customer: bool  # uses the traveller's new-customer status at the operator
    residents_only: bool  # sold to residents of the operator's country only
    subscription: bool  # renews by itself until cancelled
    overage: Money  # plan currency
    overage_base: Decimal
    overage_gb: Decimal
    data_gb: Decimal  # supplied on the trip, included plus overage
    included_gb: Decimal
    allowance_gb: Decimal | None  # data_gb of the plan plus bonus; None = unlimited
    daily_gb: Decimal | None
    caps: tuple[CapUse, ...]
    days: tuple[date, ...]  # trip days it serves
    # the money above in the trip's currency, exact (the document shows these)
    list_price_trip: Money | None = None
    price_trip: Money | None = None
    overage_trip: Money | None = None


@dataclass(frozen=True)
class Supply:
    purchase: int  # index into Result.purchases
    device: int  # 1-based
    gb: Decimal  # included plus overage
    overage_gb: Decimal


@dataclass(frozen=True)
class Day:
    date: date
    country: str
    need_gb: Decimal  # per device
    supply: tuple[Supply, ...]


@dataclass(frozen=True)
class Short:
    date: date
    country: str
    device: int | None  # None for a day on which only voice is missing
    missing_gb: Decimal
    # no-plan, filtered, limits, time-limit, no-voice-plan or voice-limits
    reason: str
    voice: bool = False  # the day has no voice plan; the voice condition was dropped


@dataclass(frozen=True)
class ShortDay:
    """One short day, whatever its devices and voice: the condition that made it short."""

    date: date
    country: str
    missing_gb: Decimal  # over all devices
    devices: tuple[int, ...]  # 1-based devices left short of data
    voice: bool  # no phone number that day
    reason: str  # docs/planning-model.md, "Why a day is short"
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OwnedGap:
    """A run of trip days in one country that an owned plan does not cover in full."""

    plan: str
    country: str
    first: date
    last: date
    reason: str  # country-not-covered, network-too-slow or cap-reached
    covered_by: tuple[int, ...]  # purchases that serve those days instead


@dataclass(frozen=True)
class Notice:
    code: str
    plan: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)  # in the document, beside the code
    plan_name: str | None = None  # for the text only: the document names the plan by `plan`
    purchases: tuple[int, ...] = ()  # the purchases it is about (once, however many devices)


@dataclass(frozen=True)
class Outcome:
    """A solution summed up: a baseline or an entry of the cost–eSIM trade-off."""

    total: Money  # cost, trip currency, rounded to cents
    total_base: Money
    cost_base: Decimal  # exact
    objective_base: Decimal  # exact: cost plus switch penalties
    esims: int  # purchases not of owned plans
    short_gb: Decimal
    optimal: bool


@dataclass(frozen=True)
class Baselines:
    local_per_country: Outcome | None = None
    single_plan: Outcome | None = None


@dataclass(frozen=True)
class Alternative(Outcome):
    max_esims: int | None = None  # the trip's max_esims that plans exactly this entry


@dataclass(frozen=True)
class SolveStats:
    plans: int  # in the catalog
    plans_kept: int  # after filters and dominance
    candidates: int  # (plan, activation day, promotion, devices) columns
    rows: int
    cols: int
    nonzeros: int
    seconds: float
    solves: int


@dataclass(frozen=True)
class Result:
    currency: str
    base_currency: str
    total: Money  # cost, trip currency, rounded to cents
    total_base: Money  # cost, base currency, rounded to cents
    cost_base: Decimal  # exact
    objective_base: Decimal  # exact: cost plus switch penalties
    short_gb: Decimal
    purchases: tuple[Purchase, ...]
    days: tuple[Day, ...]
    short: tuple[Short, ...]
    baselines: Baselines
    warnings: tuple[Notice, ...]
    optimal: bool  # HiGHS proved every stage optimal within the time limit
    catalog_version: str
    stats: SolveStats | None = None
    alternatives: tuple[Alternative, ...] = ()  # fewest eSIMs first; the last is this result
    short_days: tuple[ShortDay, ...] = ()
    owned_gaps: tuple[OwnedGap, ...] = ()

    @property
    def bought(self) -> tuple[Purchase, ...]:
        return tuple(p for p in self.purchases if not p.owned)


def _money(m: Money | None) -> dict | None:
    if m is None:
        return None
    return {"amount": money_text(m.amount), "currency": m.currency}


def _rate(m: Money | None) -> dict | None:
    # a per-GB price is shown as stated, not rounded to cents
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


def _fair_use(f: FairUse | None) -> dict | None:
    if f is None:
        return None
    return {
        "activation_date": f.activation_date.isoformat(),
        "listed_price": _money(f.listed_price),
        "vat_percent": str(f.vat_percent),
        "price_excl_vat": str(f.price_excl_vat),
        "wholesale_eur_per_gb": str(f.wholesale_eur_per_gb),
        "wholesale_in_force_from": f.wholesale_in_force_from.isoformat(),
        "wholesale_per_gb": _rate(f.wholesale_per_gb),
        "cap_gb": gb_text(f.cap_gb),
    }


def _outcome(o: Outcome | None) -> dict | None:
    if o is None:
        return None
    out = {
        "esims": o.esims,
        "total": _money(o.total),
        "total_base": _money(o.total_base),
        "objective_base": money_text(o.objective_base),
        "short_gb": gb_text(o.short_gb),
        "optimal": o.optimal,
    }
    if isinstance(o, Alternative):
        out["max_esims"] = o.max_esims
    return out


def _purchase(p: Purchase) -> dict:
    trip_currency = p.price_trip is not None and p.price_trip.currency != p.price.currency
    return {
        "plan": p.plan,
        "plan_name": p.plan_name,
        "operator": p.operator,
        "owned": p.owned,
        "activate_on": p.activate_on.isoformat(),
        "active_until": p.active_until.isoformat(),
        "devices": list(p.devices),
        "list_price": _money(p.list_price_trip or p.list_price),
        "price": _money(p.price_trip or p.price),
        "price_listed": _money(p.price) if trip_currency else None,
        "promotion": p.promotion,
        "discount_percent": str(p.discount_percent),
        "bonus_gb": gb_text(p.bonus_gb),
        "new_customer": p.new_customer,
        "residents_only": p.residents_only,
        "subscription": p.subscription,
        "overage": _money(p.overage_trip or p.overage),
        "overage_gb": gb_text(p.overage_gb),
        "data_gb": gb_text(p.data_gb),
        "included_gb": gb_text(p.included_gb),
        "allowance_gb": None if p.allowance_gb is None else gb_text(p.allowance_gb),
        "daily_gb": None if p.daily_gb is None else gb_text(p.daily_gb),
        "caps": [
            {
                "countries": list(c.countries),
                "network": c.network,
                "cap_gb": None if c.cap_gb is None else gb_text(c.cap_gb),
                "fair_use": _fair_use(c.fair_use),
                "overage_per_gb": _rate(c.overage_per_gb),
                "included_gb": gb_text(c.included_gb),
                "overage_gb": gb_text(c.overage_gb),
                "binds": c.binds,
            }
            for c in p.caps
        ],
        "days": [d.isoformat() for d in p.days],
    }


# What a text is about: the keys of the text map beside the code, since one code
# (say "limits") reads differently for a device-day, a short day and a notice.
SHORT = "short"
SHORT_DAY = "short-day"
NOTICE = "notice"

# (kind, code, data) -> text; planner.explanations.explain is the one in use
Explain = Callable[[str, str, Mapping[str, str]], str]


def explain_inputs(item: "Short | ShortDay | Notice") -> tuple[str, str, dict[str, str]]:
    """(kind, code, data) of an item's text: its details plus the fields the text names."""
    if isinstance(item, Short):
        return SHORT, item.reason, {"country": item.country}
    if isinstance(item, ShortDay):
        return SHORT_DAY, item.reason, {"country": item.country, **item.details}
    return NOTICE, item.code, {"plan_name": item.plan_name or "", **item.details}


def to_document(result: Result, explain: Explain) -> dict:
    """The result document; `explain` writes each `why` and `message` from its code."""

    def text(item) -> str:
        return explain(*explain_inputs(item))

    return {
        "total": _money(result.total),
        "total_base": _money(result.total_base),
        "objective_base": money_text(result.objective_base),
        "optimal": result.optimal,
        "short_gb": gb_text(result.short_gb),
        "purchases": [_purchase(p) for p in result.purchases],
        "days": [
            {
                "date": d.date.isoformat(),
                "country": d.country,
                "need_gb": gb_text(d.need_gb),
                "supply": [
                    {
                        "purchase": s.purchase,
                        "device": s.device,
                        "gb": gb_text(s.gb),
                        "overage_gb": gb_text(s.overage_gb),
                    }
                    for s in d.supply
                ],
            }
            for d in result.days
        ],
        "short": [
            {
                "date": s.date.isoformat(),
                "country": s.country,
                "device": s.device,
                "missing_gb": gb_text(s.missing_gb),
                "why": text(s),
                "reason": s.reason,
                "voice": s.voice,
            }
            for s in result.short
        ],
        "short_days": [
            {
                "date": s.date.isoformat(),
                "country": s.country,
                "missing_gb": gb_text(s.missing_gb),
                "devices": list(s.devices),
                "voice": s.voice,
                "reason": s.reason,
                "why": text(s),
                "details": dict(s.details),
            }
            for s in result.short_days
        ],
        "owned_gaps": [
            {
                "plan": g.plan,
                "country": g.country,
                "first": g.first.isoformat(),
                "last": g.last.isoformat(),
                "days": (g.last - g.first).days + 1,
                "reason": g.reason,
                "covered_by": list(g.covered_by),
            }
            for g in result.owned_gaps
        ],
        "baselines": {
            "local_per_country": _outcome(result.baselines.local_per_country),
            "single_plan": _outcome(result.baselines.single_plan),
        },
        "alternatives": [_outcome(a) for a in result.alternatives],
        "warnings": [
            {
                "code": w.code,
                "message": text(w),
                "plan": w.plan,
                "purchases": list(w.purchases),
                **dict(w.details),
            }
            for w in result.warnings
        ],
        "catalog_version": result.catalog_version,
    }


# Reading a result document back (a saved trip keeps its JSON; the pages show
# it typed). `to_document(from_document(doc), explain) == doc` for every
# document `to_document` writes with that `explain`: the texts (`why`,
# `message`) are not read but written again from the codes. What the document
# does not carry (the exact costs, the money in the plan's own currency when
# the trip's differs, the solve's statistics) is read as the nearest thing it
# does carry: the rounded amounts. A stored result of model v1 (no short_days,
# owned_gaps or alternatives, a baseline as its total only) reads with those
# left empty; its baselines have `esims` None and its short days are made from
# its per-device entries.


def _read_money(d: Mapping | None) -> Money | None:
    return None if d is None else Money(Decimal(d["amount"]), d["currency"])


def _read_gb(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _read_fair_use(d: Mapping | None) -> FairUse | None:
    if d is None:
        return None
    return FairUse(
        activation_date=date.fromisoformat(d["activation_date"]),
        listed_price=_read_money(d["listed_price"]),
        vat_percent=Decimal(d["vat_percent"]),
        price_excl_vat=Decimal(d["price_excl_vat"]),
        wholesale_eur_per_gb=Decimal(d["wholesale_eur_per_gb"]),
        wholesale_in_force_from=date.fromisoformat(d["wholesale_in_force_from"]),
        wholesale_per_gb=_read_money(d["wholesale_per_gb"]),
        cap_gb=Decimal(d["cap_gb"]),
    )


def _read_purchase(d: Mapping) -> Purchase:
    price = _read_money(d["price"])  # in the trip's currency
    listed = _read_money(d.get("price_listed"))  # in the plan's, when it differs
    overage = _read_money(d["overage"])
    return Purchase(
        plan=d["plan"],
        plan_name=d["plan_name"],
        operator=d["operator"],
        owned=d["owned"],
        activate_on=date.fromisoformat(d["activate_on"]),
        active_until=date.fromisoformat(d["active_until"]),
        devices=tuple(d["devices"]),
        list_price=_read_money(d["list_price"]),
        price=listed or price,
        price_base=price.amount,
        promotion=d["promotion"],
        discount_percent=Decimal(d["discount_percent"]),
        bonus_gb=Decimal(d["bonus_gb"]),
        new_customer=d["new_customer"],
        residents_only=d["residents_only"],
        subscription=d["subscription"],
        overage=overage,
        overage_base=overage.amount,
        overage_gb=Decimal(d["overage_gb"]),
        data_gb=Decimal(d["data_gb"]),
        included_gb=Decimal(d["included_gb"]),
        allowance_gb=_read_gb(d["allowance_gb"]),
        daily_gb=_read_gb(d["daily_gb"]),
        caps=tuple(
            CapUse(
                countries=tuple(c["countries"]),
                network=c["network"],
                cap_gb=_read_gb(c["cap_gb"]),
                fair_use=_read_fair_use(c["fair_use"]),
                overage_per_gb=_read_money(c["overage_per_gb"]),
                included_gb=Decimal(c["included_gb"]),
                overage_gb=Decimal(c["overage_gb"]),
                binds=c["binds"],
            )
            for c in d["caps"]
        ),
        days=tuple(date.fromisoformat(day) for day in d["days"]),
        price_trip=price if listed else None,
    )


def _read_outcome(d: Mapping | None, kind: type[Outcome] = Outcome) -> Outcome | None:
    if d is None:
        return None
    if "amount" in d:  # model v1: the total only
        total = _read_money(d)
        return Outcome(total, total, total.amount, total.amount, None, Decimal(0), True)
    extra = {"max_esims": d.get("max_esims")} if kind is Alternative else {}
    total_base = _read_money(d["total_base"])
    return kind(
        total=_read_money(d["total"]),
        total_base=total_base,
        cost_base=total_base.amount,
        objective_base=Decimal(d["objective_base"]),
        esims=d["esims"],
        short_gb=Decimal(d["short_gb"]),
        optimal=d["optimal"],
        **extra,
    )


_WARNING_KEYS = {"code", "message", "plan", "purchases"}


def _read_short_days(doc: Mapping, short: tuple[Short, ...]) -> tuple[ShortDay, ...]:
    if "short_days" in doc:
        return tuple(
            ShortDay(
                date=date.fromisoformat(s["date"]),
                country=s["country"],
                missing_gb=Decimal(s["missing_gb"]),
                devices=tuple(s["devices"]),
                voice=s["voice"],
                reason=s["reason"],
                details=dict(s.get("details") or {}),
            )
            for s in doc["short_days"]
        )
    # model v1: one entry per device, voice apart; one short day per date
    by_day: dict[date, list[Short]] = {}
    for s in short:
        by_day.setdefault(s.date, []).append(s)
    days = []
    for day, items in sorted(by_day.items()):
        data = [s for s in items if not s.voice]
        first = (data or items)[0]
        days.append(
            ShortDay(
                date=day,
                country=first.country,
                missing_gb=sum((s.missing_gb for s in data), Decimal(0)),
                devices=tuple(s.device for s in data if s.device),
                voice=any(s.voice for s in items),
                reason=first.reason,
            )
        )
    return tuple(days)


def from_document(doc: Mapping) -> Result:
    """A result document (formats.md, "Result") as the typed `Result`."""
    total, total_base = _read_money(doc["total"]), _read_money(doc["total_base"])
    short = tuple(
        Short(
            date=date.fromisoformat(s["date"]),
            country=s["country"],
            device=s["device"],
            missing_gb=Decimal(s["missing_gb"]),
            voice=s.get("voice", False),
            reason=s.get("reason", ""),
        )
        for s in doc["short"]
    )
    baselines = doc.get("baselines") or {}
    purchases = tuple(_read_purchase(p) for p in doc["purchases"])
    plan_names = {p.plan: p.plan_name for p in purchases}
    return Result(
        currency=total.currency,
        base_currency=total_base.currency,
        total=total,
        total_base=total_base,
        cost_base=total_base.amount,
        # the keys below read with a default were never needed to show a result:
        # a stored document may lack them
        objective_base=Decimal(doc.get("objective_base", total_base.amount)),
        short_gb=Decimal(doc.get("short_gb", "0")),
        purchases=purchases,
        days=tuple(
            Day(
                date=date.fromisoformat(d["date"]),
                country=d["country"],
                need_gb=Decimal(d["need_gb"]),
                supply=tuple(
                    Supply(s["purchase"], s["device"], Decimal(s["gb"]), Decimal(s["overage_gb"]))
                    for s in d["supply"]
                ),
            )
            for d in doc["days"]
        ),
        short=short,
        baselines=Baselines(
            local_per_country=_read_outcome(baselines.get("local_per_country")),
            single_plan=_read_outcome(baselines.get("single_plan")),
        ),
        warnings=tuple(
            Notice(
                code=w["code"],
                plan=w.get("plan"),
                details={k: v for k, v in w.items() if k not in _WARNING_KEYS},
                # the text's name of the plan: the document names it by slug
                plan_name=plan_names.get(w.get("plan")),
                purchases=tuple(w.get("purchases") or ()),
            )
            for w in doc.get("warnings", [])
        ),
        optimal=doc.get("optimal", False),
        catalog_version=doc.get("catalog_version", ""),
        alternatives=tuple(_read_outcome(a, Alternative) for a in doc.get("alternatives") or []),
        short_days=_read_short_days(doc, short),
        owned_gaps=tuple(
            OwnedGap(
                plan=g["plan"],
                country=g["country"],
                first=date.fromisoformat(g["first"]),
                last=date.fromisoformat(g["last"]),
                reason=g["reason"],
                covered_by=tuple(g["covered_by"]),
            )
            for g in doc.get("owned_gaps", [])
        ),
    )

"""What the engine reads: the trip and the catalog as frozen dataclasses.

No ORM here. `catalog.document` builds these from a catalog file, `catalog.store`
from the database; the engine never knows which.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

EU_FAIR_USE = "eu-fair-use"


class Network(StrEnum):
    G3 = "3G"
    G4 = "4G"
    G5 = "5G"

    @property
    def rank(self) -> int:
        return {"3G": 3, "4G": 4, "5G": 5}[self.value]


class Activation(StrEnum):
    FIRST_USE = "first_use"
    INSTALL = "install"
    PURCHASE = "purchase"


class OperatorKind(StrEnum):
    MNO = "mno"
    MVNO = "mvno"
    RESELLER = "reseller"


@dataclass(frozen=True)
class Coverage:
    countries: frozenset[str]  # ISO alpha-2, regions already expanded
    network: Network
    # None, a Decimal number of GB, or EU_FAIR_USE (computed per activation date)
    cap_gb: Decimal | str | None = None
    overage_per_gb: Decimal | None = None  # in the plan's currency
    # the region names ("EU_RLAH") the file wrote as "@NAME", kept for export
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Promotion:
    name: str
    discount_percent: Decimal
    bonus_gb: Decimal
    starts: date
    ends: date
    limit: int | None = None
    new_customer_only: bool = False


@dataclass(frozen=True)
class Operator:
    slug: str
    name: str
    country: str | None
    kind: OperatorKind
    website: str = ""


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    operator: str  # operator slug
    price: Decimal
    currency: str
    validity_days: int
    data_gb: Decimal | None  # None = unlimited
    coverage: tuple[Coverage, ...]
    daily_gb: Decimal | None = None
    hotspot: bool = False
    max_devices: int = 1
    voice: bool = False
    esim: bool = True
    vat_percent: Decimal = Decimal(0)
    max_purchases: int | None = None
    new_customer_only: bool = False
    # model v2: sold only to residents of the operator's country (trip.resident_in)
    residents_only: bool = False
    # model v2: renews by itself each validity period until cancelled (informs only)
    subscription: bool = False
    available_from: date | None = None
    available_until: date | None = None
    activation: Activation = Activation.FIRST_USE
    top_up: bool = False
    ekyc: bool = False
    throttle_kbps: int | None = None
    notes: str = ""
    promotions: tuple[Promotion, ...] = ()
    source_url: str = ""  # where the facts were checked
    buy_url: str = ""  # where a traveller buys it; empty = the operator's website
    verified_on: date | None = None


def rates_needed(plan: Plan) -> frozenset[str]:
    """The exchange rates the engine reads to price a plan: its currency, and EUR
    for an `eu-fair-use` cap (the wholesale cap is in EUR). The database twin is
    `catalog.models.PlanQuerySet.rates_needed`."""
    if any(entry.cap_gb == EU_FAIR_USE for entry in plan.coverage):
        return frozenset({plan.currency, "EUR"})
    return frozenset({plan.currency})


@dataclass(frozen=True)
class Rates:
    base: str
    per_base: Mapping[str, Decimal]  # units of currency per one unit of base
    as_of: date | None = None

    def to_base(self, amount: Decimal, currency: str) -> Decimal:
        return amount / self.per_base[currency]

    def from_base(self, amount: Decimal, currency: str) -> Decimal:
        return amount * self.per_base[currency]

    def missing_for(self, plan: Plan) -> frozenset[str]:
        return rates_needed(plan) - self.per_base.keys()


@dataclass(frozen=True)
class Catalog:
    rates: Rates
    operators: Mapping[str, Operator]  # by slug
    plans: tuple[Plan, ...]  # offered plans only (retired ones are left out)
    regions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    version: str = ""

    def plan(self, slug: str) -> Plan | None:
        return self._by_slug.get(slug)

    @cached_property
    def _by_slug(self) -> Mapping[str, Plan]:
        """The plans by slug, built on first use (the real catalog has 10k plans);
        the first of a repeated slug wins, as a scan would find it."""
        index: dict[str, Plan] = {}
        for p in self.plans:
            index.setdefault(p.slug, p)
        return index


@dataclass(frozen=True)
class Leg:
    country: str
    days: int
    gb_per_day: Decimal


@dataclass(frozen=True)
class Trip:
    start_date: date
    legs: tuple[Leg, ...]
    devices: int = 1
    sharing: bool = False
    owned: tuple[str, ...] = ()
    min_network: Network | None = None
    needs_voice: bool = False
    esim_only: bool = True
    currency: str | None = None  # None = the catalog's base currency
    switch_penalty: Decimal = Decimal(0)  # in `currency`
    # model v2 (planning-model.md section 9)
    resident_in: tuple[str, ...] = ()  # countries where the traveller may sign a local contract
    customer_of: tuple[str, ...] = ()  # operator slugs: their new-customer offers do not apply
    max_esims: int | None = None  # the most purchases not of owned plans

    @property
    def total_days(self) -> int:
        return sum(leg.days for leg in self.legs)

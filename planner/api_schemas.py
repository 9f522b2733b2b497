"""The JSON API's schemas of the trip and the result documents (formats.md), for
OpenAPI only: the trip is read by `parse_trip`, the result written by `to_document`."""

from dataclasses import fields
from datetime import date
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from config.api_schemas import Document, Money, document_model
from planner.engine import model as engine
from planner.engine.trip import _LEG_KEYS, _TRIP_KEYS, MAX_DAYS, MAX_DEVICES, MAX_LEGS

# The trip's keys are the parser's, typed as the engine's Trip and Leg fields and
# with their defaults: a key added to `parse_trip` and the engine appears here.
Leg = document_model(
    "Leg",
    engine.Leg,
    [f.name for f in fields(engine.Leg) if f.name in _LEG_KEYS],
    types={
        "country": Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")],
        "days": Annotated[int, Field(ge=1, le=MAX_DAYS)],
    },
)
Trip = document_model(
    "Trip",
    engine.Trip,
    [f.name for f in fields(engine.Trip) if f.name in _TRIP_KEYS],
    types={
        "legs": Annotated[list[Leg], Field(min_length=1, max_length=MAX_LEGS)],
        "devices": Annotated[int, Field(ge=1, le=MAX_DEVICES)],
        "owned": Annotated[list[str], Field(description="slugs of plans held already")],
        "min_network": Literal["4G", "5G"] | None,
        "currency": Annotated[str | None, Field(description="default: the catalog's base")],
    },
    doc='What a traveller asks (formats.md, "Trip"); only start_date and legs are required.',
)


class FairUse(Document):
    activation_date: date
    listed_price: Money
    vat_percent: str
    price_excl_vat: str
    wholesale_eur_per_gb: str
    wholesale_in_force_from: date
    wholesale_per_gb: Money
    cap_gb: str


class CapUse(Document):
    countries: list[str]
    network: str
    cap_gb: str | None
    fair_use: FairUse | None
    overage_per_gb: Money | None
    included_gb: str
    overage_gb: str
    binds: bool


class Purchase(Document):
    plan: str
    plan_name: str
    operator: str
    owned: bool
    activate_on: date
    active_until: date
    devices: list[int]
    list_price: Money
    price: Money
    price_listed: Money | None = Field(
        description="the price in the plan's own currency, when it is not the trip's"
    )
    promotion: str | None
    discount_percent: str
    bonus_gb: str
    new_customer: bool
    residents_only: bool
    subscription: bool
    overage: Money
    overage_gb: str
    data_gb: str
    included_gb: str
    allowance_gb: str | None
    daily_gb: str | None
    caps: list[CapUse]
    days: list[date]


class Supply(Document):
    purchase: int = Field(description="index into purchases")
    device: int
    gb: str
    overage_gb: str


class Day(Document):
    date: date
    country: str
    need_gb: str
    supply: list[Supply]


class Short(Document):
    date: date
    country: str
    device: int | None
    missing_gb: str
    why: str
    reason: str
    voice: bool


class ShortDay(Document):
    date: date
    country: str
    missing_gb: str
    devices: list[int]
    voice: bool
    reason: str
    why: str
    details: dict[str, str]


class OwnedGap(Document):
    plan: str
    country: str
    first: date
    last: date
    days: int
    reason: str
    covered_by: list[int] = Field(description="indexes into purchases serving those days")


class ResultWarning(Schema):
    # A warning carries its code's own details beside these keys.
    model_config = ConfigDict(extra="allow")
    code: str
    message: str
    plan: str | None
    purchases: list[int]


class Outcome(Document):
    esims: int
    total: Money
    total_base: Money
    objective_base: str
    short_gb: str
    optimal: bool


class Alternative(Outcome):
    max_esims: int | None


class Baselines(Document):
    local_per_country: Outcome | None
    single_plan: Outcome | None


class Result(Document):
    """What the planner answers (formats.md, "Result"), as `recommend --json` prints it."""

    total: Money
    total_base: Money
    objective_base: str
    optimal: bool
    short_gb: str
    purchases: list[Purchase]
    days: list[Day]
    short: list[Short]
    short_days: list[ShortDay]
    owned_gaps: list[OwnedGap]
    baselines: Baselines
    alternatives: list[Alternative]
    warnings: list[ResultWarning]
    catalog_version: str


class Planning(Schema):
    """A trip still queued for the planner: ask `poll` again (after `Retry-After`)."""

    status: Literal["planning"]
    token: str = Field(description="the trip's key: the canonical trip, catalog version, day")
    poll: str = Field(description="GET it for the result: 202 while planning, then 200")

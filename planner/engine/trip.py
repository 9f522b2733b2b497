"""The trip document (formats.md, "Trip") into a `Trip`, or a `TripError` naming the field."""

from datetime import date
from decimal import Decimal
from typing import Any

from planner.engine import reading
from planner.engine.bounds import (
    MAX_DAYS,
    MAX_DEVICES,
    MAX_GB_PER_DAY,
    MAX_LEGS,
    MAX_SWITCH_PENALTY,
    date_in_range,
)
from planner.engine.countries import is_country_code
from planner.engine.model import Catalog, Leg, Network, Trip

__all__ = ["MAX_DAYS", "MAX_DEVICES", "MAX_GB_PER_DAY", "MAX_LEGS", "TripError", "parse_trip"]

_TRIP_KEYS = {
    "start_date",
    "legs",
    "devices",
    "sharing",
    "owned",
    "min_network",
    "needs_voice",
    "esim_only",
    "currency",
    "switch_penalty",
    "resident_in",
    "customer_of",
    "max_esims",
}
_LEG_KEYS = {"country", "days", "gb_per_day"}


class TripError(reading.Invalid):
    """A trip document that breaks a rule: `field` names the value, `message` the rule."""


# The trip's values are read by the rules of every document (engine.reading).


def _keys(obj: Any, allowed: set[str], required: set[str], path: str) -> dict:
    return _read(reading.keys, obj, path, allowed, required, label="trip")


def _int(value: Any, path: str, low: int, high: int) -> int:
    return _read(reading.whole, value, path, minimum=low, maximum=high)


def _bool(value: Any, path: str) -> bool:
    return _read(reading.boolean, value, path)


def _decimal(value: Any, path: str, low: Decimal, high: Decimal | None) -> Decimal:
    return _read(reading.decimal, value, path, minimum=low, maximum=high)


def _read(reader, *args, **kwargs):
    try:
        return reader(*args, **kwargs)
    except reading.Invalid as error:
        raise TripError(error.field, error.message) from None


def _unique_list(value: Any, path: str, what: str, check, error) -> tuple:
    """A list of distinct strings that each pass `check`; `error(item)` says why one does not."""
    if not isinstance(value, list):
        raise TripError(path, f"must be a list of {what}")
    out: list = []
    for n, item in enumerate(value):
        if not check(item):
            raise TripError(f"{path}[{n}]", error(item))
        if item in out:
            raise TripError(f"{path}[{n}]", f"{item!r} is listed twice")
        out.append(item)
    return tuple(out)


def parse_trip(data: dict, catalog: Catalog) -> Trip:
    obj = _keys(data, _TRIP_KEYS, {"start_date", "legs"}, "")

    raw_start = obj["start_date"]
    try:
        start = date.fromisoformat(raw_start) if isinstance(raw_start, str) else None
    except ValueError:
        start = None
    if start is None:
        raise TripError("start_date", 'must be a date such as "2026-06-01"')
    if problem := date_in_range(start):
        raise TripError("start_date", problem)

    raw_legs = obj["legs"]
    if not isinstance(raw_legs, list):
        raise TripError("legs", "must be a list")
    if not 1 <= len(raw_legs) <= MAX_LEGS:
        raise TripError("legs", f"must hold 1 to {MAX_LEGS} legs, not {len(raw_legs)}")
    legs = []
    total = 0
    for n, raw in enumerate(raw_legs):
        path = f"legs[{n}]"
        leg = _keys(raw, _LEG_KEYS, _LEG_KEYS, path)
        country = leg["country"]
        if not is_country_code(country):
            raise TripError(
                f"{path}.country", f"{country!r} is not an ISO 3166-1 alpha-2 code (nor XK)"
            )
        days = _int(leg["days"], f"{path}.days", 1, MAX_DAYS)
        gb = _decimal(leg["gb_per_day"], f"{path}.gb_per_day", Decimal(0), MAX_GB_PER_DAY)
        total += days
        if total > MAX_DAYS:
            raise TripError(f"{path}.days", f"the trip would last more than {MAX_DAYS} days")
        legs.append(Leg(country=country, days=days, gb_per_day=gb))

    devices = _int(obj.get("devices", 1), "devices", 1, MAX_DEVICES)
    sharing = _bool(obj.get("sharing", False), "sharing")
    needs_voice = _bool(obj.get("needs_voice", False), "needs_voice")
    esim_only = _bool(obj.get("esim_only", True), "esim_only")

    slugs = {p.slug for p in catalog.plans}
    owned = _unique_list(
        obj.get("owned", []),
        "owned",
        "plan slugs",
        lambda s: isinstance(s, str) and s in slugs,
        lambda s: f"no plan {s!r} in the catalog",
    )
    resident_in = _unique_list(
        obj.get("resident_in", []),
        "resident_in",
        "country codes",
        is_country_code,
        lambda c: f"{c!r} is not an ISO 3166-1 alpha-2 code (nor XK)",
    )
    # operators a test catalog names only through its plans count as known too
    operators = set(catalog.operators) | {p.operator for p in catalog.plans}
    customer_of = _unique_list(
        obj.get("customer_of", []),
        "customer_of",
        "operator slugs",
        lambda s: isinstance(s, str) and s in operators,
        lambda s: f"no operator {s!r}",
    )
    max_esims = obj.get("max_esims")
    if max_esims is not None and (
        not isinstance(max_esims, int) or isinstance(max_esims, bool) or max_esims < 1
    ):
        raise TripError("max_esims", "must be null or a whole number of at least 1")

    raw_net = obj.get("min_network")
    if raw_net is not None and raw_net not in ("4G", "5G"):
        raise TripError("min_network", 'must be null, "4G" or "5G"')
    min_network = Network(raw_net) if raw_net else None

    currency = obj.get("currency", catalog.rates.base)
    if currency is None:
        currency = catalog.rates.base
    if not isinstance(currency, str) or currency not in catalog.rates.per_base:
        known = ", ".join(sorted(catalog.rates.per_base))
        raise TripError("currency", f"{currency!r} has no exchange rate (known: {known})")

    penalty = _decimal(
        obj.get("switch_penalty", "0"), "switch_penalty", Decimal(0), MAX_SWITCH_PENALTY
    )

    return Trip(
        start_date=start,
        legs=tuple(legs),
        devices=devices,
        sharing=sharing,
        owned=owned,
        min_network=min_network,
        needs_voice=needs_voice,
        esim_only=esim_only,
        currency=currency,
        switch_penalty=penalty,
        resident_in=resident_in,
        customer_of=customer_of,
        max_esims=max_esims,
    )

"""The trip document (formats.md, "Trip") into a `Trip`, or a `TripError` naming the field."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

from planner.engine.bounds import (
    MAX_DAYS,
    MAX_DEVICES,
    MAX_GB_PER_DAY,
    MAX_LEGS,
    MAX_SWITCH_PENALTY,
    date_in_range,
    decimal_text,
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


class TripError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _keys(obj: Any, allowed: set[str], required: set[str], path: str) -> dict:
    if not isinstance(obj, dict):
        raise TripError(path or "trip", "must be an object")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        where = f"{path}." if path else ""
        # An empty or odd key is quoted, so the error still names something.
        names = [key if key.isidentifier() else json.dumps(key) for key in unknown]
        raise TripError(where + names[0], f"unknown key(s): {', '.join(names)}")
    for key in sorted(required):
        if key not in obj:
            raise TripError(f"{path}.{key}" if path else key, "is required")
    return obj


def _int(value: Any, path: str, low: int, high: int) -> int:
    # bool is an int in Python; a JSON true is not a number of days
    if not isinstance(value, int) or isinstance(value, bool):
        raise TripError(path, "must be a whole number")
    if not low <= value <= high:
        raise TripError(path, f"must be between {low} and {high}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise TripError(path, "must be true or false")
    return value


def _decimal(value: Any, path: str, low: Decimal, high: Decimal | None) -> Decimal:
    # decimals travel as strings (formats.md); an int is unambiguous, a float is not
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TripError(path, 'must be a decimal string such as "1.5"')
    try:
        d = decimal_text(str(value))
    except ValueError as error:
        raise TripError(path, str(error)) from None
    if d < low or (high is not None and d > high):
        raise TripError(path, f"must be between {low} and {high}" if high else f"must be >= {low}")
    return d


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

"""Typed readers for the JSON documents of formats.md: the trip (`engine.trip`) and
the catalog file (`catalog.document`) read their values by the same rules here.

Each reader returns the value or raises `Invalid(field, message)`, `field` being the
value's path in the document ("legs[1].gb_per_day", "plans[0].price"). The rules:

- a decimal is a JSON *string* in plain notation ("12.50", "-1", never "1e3", " 2"
  or "١٢"), as formats.md says: a JSON number, integer or float, is refused, so
  that what a reader accepts is what export and the result write back;
- a whole number is a JSON integer, never a boolean (`true` is not 1 day);
- a boolean is `true` or `false`, nothing else;
- a date is an ISO date ("2026-06-01") within `bounds.date_in_range`;
- an object has only the keys allowed, and all the keys required.
"""

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from planner.engine.bounds import MAX_INTEGER_DIGITS, MAX_PLACES, date_in_range

# The largest whole number read without a maximum of its own.
MAX_WHOLE = 10**9 - 1

# ASCII only: \d alone also matches "١٢", which Decimal() reads as 12 and export
# would then write back as "12", a different file.
_DECIMAL = re.compile(r"-?(\d+)(?:\.(\d+))?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Invalid(ValueError):
    """A value that breaks a rule: `field` is its path, `message` says what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def keys(
    obj: Any, path: str, allowed: set[str], required: set[str], *, label: str = "(document)"
) -> dict:
    """`obj` if it is an object with only `allowed` keys and every `required` one;
    `label` names the document itself when `path` is empty."""
    if not isinstance(obj, dict):
        raise Invalid(path or label, "must be an object")
    prefix = f"{path}." if path else ""
    # An empty or odd key is quoted, so the error still names something.
    unknown = [
        key if key.isidentifier() else json.dumps(key)
        for key in sorted(map(str, obj.keys() - allowed))
    ]
    if unknown:
        raise Invalid(f"{prefix}{unknown[0]}", f"unknown key(s): {', '.join(unknown)}")
    missing = sorted(required - obj.keys())
    if missing:
        raise Invalid(f"{prefix}{missing[0]}", "is required")
    return obj


def is_plain_decimal(text: str) -> bool:
    """Whether `text` is a decimal in the notation `decimal` reads ("12.50", "-1")."""
    return _DECIMAL.fullmatch(text) is not None


def decimal(
    value: Any,
    path: str,
    *,
    places: int = MAX_PLACES,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal | None = None,
    strictly_positive: bool = False,
) -> Decimal:
    if not isinstance(value, str):
        raise Invalid(path, f"must be a decimal written as a JSON string, not {value!r}")
    match = _DECIMAL.fullmatch(value)
    if not match:
        raise Invalid(path, f'{value!r} is not a decimal number such as "12.50"')
    whole, fraction = match.groups()
    if fraction and len(fraction) > places:
        raise Invalid(path, f"{value!r} has more than {places} decimal places")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise Invalid(path, f"{value!r} is too large")
    number = Decimal(value)
    if strictly_positive and number <= 0:
        raise Invalid(path, f"{value} must be greater than 0")
    if minimum is not None and number < minimum:
        raise Invalid(path, f"{value} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise Invalid(path, f"{value} must be at most {maximum}")
    return number


def whole(value: Any, path: str, *, minimum: int, maximum: int = MAX_WHOLE) -> int:
    # bool is an int in Python; `true` for a validity must not pass as 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(path, f"must be a whole number, not {value!r}")
    if value < minimum:
        raise Invalid(path, f"{value} must be at least {minimum}")
    if value > maximum:
        raise Invalid(path, f"{value} must be at most {maximum}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(path, f"must be true or false, not {value!r}")
    return value


def iso_date(value: Any, path: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise Invalid(path, f'{value!r} is not an ISO date such as "2026-06-01"')
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Invalid(path, f"{value!r} is not a valid date") from None
    if problem := date_in_range(parsed):
        raise Invalid(path, f"{value} {problem}")
    return parsed


def array(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise Invalid(path, "must be a list")
    return value

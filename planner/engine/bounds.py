"""The bounds of every input that crosses the project's edge, in one place.

The form, the trip document (`trip.parse_trip`, so the `recommend` command and
the API), the catalog file (`catalog.document`, so `import_catalog` and the
admin upload) all read their limits here, so no entry point lets through what
another refuses. The two byte sizes that depend on the machine (request body,
import file) are settings read from the environment (`MAX_REQUEST_BYTES`,
`MAX_IMPORT_BYTES`); their defaults are here.

Pure Python, like the rest of the engine.
"""

import json
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

# Dates: wide enough for any real trip, offer or exchange rate, narrow enough that
# date arithmetic (a trip's last day, "install by the day before") never leaves
# Python's date range.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2099, 12, 31)

# The trip (planning-model.md, section 1).
MAX_LEGS = 20
MAX_DAYS = 365
MAX_DEVICES = 10
MAX_GB_PER_DAY = Decimal(50)
# In the trip's currency: more than any eSIM costs, and the form's own limit.
MAX_SWITCH_PENALTY = Decimal(1000)
MAX_ESIMS = MAX_LEGS * MAX_DAYS  # v2 `max_esims`: more can never be bought

# Decimals written as text, in plain notation only (planner/engine/reading.py
# reads them, so "1E+999999999999999999" never reaches arithmetic): integer
# digits (the database columns hold 8 before the point), and digits after the
# point where the caller sets no limit of its own.
MAX_INTEGER_DIGITS = 8
MAX_PLACES = 8

# JSON documents: a catalog nests 8 levels deep, a trip 3.
MAX_JSON_DEPTH = 32
MAX_JSON_INTEGER_DIGITS = 18
MAX_TRIP_BYTES = 64 * 1024

# Defaults of the two settings; the real catalog of 10,317 plans is 10.5 MB.
DEFAULT_MAX_REQUEST_BYTES = 2_621_440  # Django's own default
DEFAULT_MAX_IMPORT_BYTES = 32 * 1024 * 1024

URL_SCHEMES = ("http", "https")


class BoundsError(ValueError):
    """Input outside the bounds; `field` names where, when the reader knows it."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def size_text(n: int) -> str:
    """A byte count as people read it: "32 MB", "64 kB", "900 bytes"."""
    for unit, size in (("MB", 1024 * 1024), ("kB", 1024)):
        if n >= size:
            value = Decimal(n) / size
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{n} bytes"


def date_in_range(value: date) -> str | None:
    """Why a date is refused, or None."""
    if not MIN_DATE <= value <= MAX_DATE:
        return f"must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"
    return None


def http_url_error(value: str) -> str | None:
    """Why a URL may not be shown as a link, or None: only absolute http(s) URLs
    with a host pass (no javascript:, data:, vbscript:, relative or odd forms)."""
    if value == "":
        return None
    if value != value.strip() or any(ord(c) < 33 or ord(c) == 127 for c in value):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(value)
    except ValueError:
        return f"{value!r} is not a URL"
    if parts.scheme.lower() not in URL_SCHEMES or not parts.netloc or not parts.hostname:
        return f"{value!r} is not an http:// or https:// address"
    return None


def _too_deep(value: Any) -> bool:
    # Iterative: the point is not to recurse on input that nests without end.
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise BoundsError(f"has the key {json.dumps(key)} twice in one object")
            seen.add(key)
    return obj


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INTEGER_DIGITS:
        raise BoundsError(f"has a number of more than {MAX_JSON_INTEGER_DIGITS} digits")
    return int(text)


def _constant(name: str) -> Any:
    raise BoundsError(f"has {name}, which is not a JSON value")


def load_json(raw: bytes | str, *, max_bytes: int, what: str = "the document") -> Any:
    """Parse JSON within the bounds, or raise BoundsError saying which bound.

    Beyond plain `json.loads`: a size limit checked before parsing, a depth limit
    (json.loads itself would raise RecursionError, or nest thousands of levels),
    integers of bounded length (Python refuses more than 4,300 digits with a bare
    ValueError), no NaN or Infinity, and no key twice in one object.
    """
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise BoundsError(f"{what} is {size_text(size)}; the limit is {size_text(max_bytes)}")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BoundsError(f"{what} is not UTF-8 text: {error}") from None
    try:
        data = json.loads(
            raw, object_pairs_hook=_pairs, parse_int=_integer, parse_constant=_constant
        )
    except BoundsError as error:  # from the hooks: say which document
        raise BoundsError(f"{what} {error.message}") from None
    except RecursionError:
        raise BoundsError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError is one
        raise BoundsError(f"{what} is not a JSON document: {error}") from None
    if _too_deep(data):
        raise BoundsError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    return data

"""The `esim-catalog/1` document (formats.md): parse and validate it into the engine's
frozen dataclasses, and write it back.

Pure Python, no ORM: the engine's tests load catalog files through `parse_catalog`
without a database, and the import command validates a whole file here before it
touches one. Everything the file can get wrong is decided here, once.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel.numbers import list_currencies

from planner.engine import reading
from planner.engine.bounds import http_url_error, load_json
from planner.engine.countries import is_country_code
from planner.engine.model import (
    EU_FAIR_USE,
    Activation,
    Catalog,
    Coverage,
    Network,
    Operator,
    OperatorKind,
    Plan,
    Promotion,
    Rates,
)
from planner.engine.reading import Invalid

FORMAT = "esim-catalog/1"

# The database columns hold this many decimal places; a file with more would be
# silently rounded on import and then differ from itself on export.
MONEY_PLACES = 4
GB_PLACES = 4
PERCENT_PLACES = 4
RATE_PLACES = 8
REGION_NAME_LENGTH = 40

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_REGION = re.compile(r"[A-Z][A-Z0-9_]*")

_TOP_KEYS = {"format", "rates", "regions", "operators"}
_TOP_REQUIRED = {"format", "rates", "operators"}
_RATES_KEYS = {"base", "as_of", "per_base"}
_RATES_REQUIRED = {"base", "per_base"}
_OPERATOR_KEYS = {"slug", "name", "country", "kind", "website", "plans"}
_OPERATOR_REQUIRED = {"slug", "name", "kind"}
# A plan's terms of one value each, and a promotion's: the same names in the file,
# on the engine's dataclasses and as model columns, so import, export and the store
# map them by name.
PLAN_TERMS = (
    "name",
    "price",
    "currency",
    "validity_days",
    "data_gb",
    "daily_gb",
    "hotspot",
    "max_devices",
    "voice",
    "esim",
    "vat_percent",
    "max_purchases",
    "new_customer_only",
    "residents_only",
    "subscription",
    "available_from",
    "available_until",
    "activation",
    "top_up",
    "ekyc",
    "throttle_kbps",
    "notes",
    "source_url",
    "buy_url",
    "verified_on",
)
_PLAN_KEYS = {"slug", "coverage", "promotions", *PLAN_TERMS}
_PLAN_REQUIRED = {"slug", "name", "price", "currency", "validity_days", "data_gb", "coverage"}
_COVERAGE_KEYS = {"countries", "network", "cap_gb", "overage_per_gb"}
_COVERAGE_REQUIRED = {"countries", "network"}
PROMOTION_TERMS = (
    "name",
    "discount_percent",
    "bonus_gb",
    "starts",
    "ends",
    "limit",
    "new_customer_only",
)
_PROMOTION_KEYS = set(PROMOTION_TERMS)
_PROMOTION_REQUIRED = {"discount_percent", "starts", "ends"}


class CatalogError(ValueError):
    """A catalog document that cannot be imported; `problems` lists every row found wrong."""

    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        first = str(problems[0])
        more = len(problems) - 1
        super().__init__(first if not more else f"{first} (and {more} more problem(s))")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    operator: str | None = None
    plan: str | None = None

    def __str__(self) -> str:
        where = []
        if self.operator is not None:
            where.append(f"operator {self.operator!r}")
        if self.plan is not None:
            where.append(f"plan {self.plan!r}")
        where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class CatalogDocument:
    rates: Rates
    regions: dict[str, frozenset[str]] = field(default_factory=dict)
    operators: tuple[Operator, ...] = ()
    plans: tuple[Plan, ...] = ()

    def to_engine(self, version: str = "") -> Catalog:
        return Catalog(
            rates=self.rates,
            operators={op.slug: op for op in self.operators},
            plans=self.plans,
            regions=dict(self.regions),
            version=version,
        )


@cache
def iso_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def where_to_buy(buy_url: str, website: str) -> str:
    """The plan's own buy page, else its operator's website; "" when neither is a web page."""
    # Operator websites were imported before addresses were checked: one that is
    # not http(s) (a "javascript:" one, say) is never made a link.
    return next((url for url in (buy_url, website) if url and not http_url_error(url)), "")


# --- readers of the catalog's own kinds of value; the common ones (decimals, whole
# numbers, booleans, dates, objects, lists) are engine.reading's, shared with the trip.


def _optional(reader: Callable[..., Any]) -> Callable[..., Any]:
    def read(value: Any, path: str, **kwargs: Any) -> Any:
        return None if value is None else reader(value, path, **kwargs)

    return read


def _string(value: Any, path: str, *, max_length: int = 200, blank: bool = True) -> str:
    if not isinstance(value, str):
        raise Invalid(path, f"must be a string, not {value!r}")
    # Neither database stores NUL or a lone surrogate (JSON can escape one as
    # "\ud800"); refusing them here keeps the import all or nothing.
    if "\x00" in value:
        raise Invalid(path, "contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(path, "is not valid Unicode text (a lone surrogate)") from None
    if not blank and not value.strip():
        raise Invalid(path, "must not be empty")
    if len(value) > max_length:
        raise Invalid(path, f"is longer than {max_length} characters")
    return value


def _slug(value: Any, path: str) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value) or len(value) > 100:
        raise Invalid(path, f"{value!r} is not a slug (letters, digits, - and _, at most 100)")
    return value


def _url(value: Any, path: str) -> str:
    # Shown as a link on public pages: only http(s), never javascript: or data:.
    text = _string(value, path, max_length=500)
    if problem := http_url_error(text):
        raise Invalid(path, problem)
    return text


def _country(value: Any, path: str) -> str:
    if not is_country_code(value):
        raise Invalid(path, f"{value!r} is not an ISO 3166-1 alpha-2 country code (nor XK)")
    return value


def _currency(value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in iso_currencies():
        raise Invalid(path, f"{value!r} is not an ISO 4217 currency code")
    return value


def _choice(value: Any, path: str, *, enum: type) -> Any:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in enum)
        raise Invalid(path, f"{value!r} is not one of {choices}") from None


def overlapping_windows(windows: Iterable[tuple]) -> tuple | None:
    """The first two (starts, ends, ...) windows that overlap, or None; dates are inclusive."""
    ordered = sorted(windows, key=lambda w: (w[0], w[1]))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later[0] <= earlier[1]:
            return earlier, later
    return None


# --- the document


def _rates(obj: Any) -> Rates:
    obj = reading.keys(obj, "rates", _RATES_KEYS, _RATES_REQUIRED)
    base = _currency(obj["base"], "rates.base")
    as_of = _optional(reading.iso_date)(obj.get("as_of"), "rates.as_of")
    raw = obj["per_base"]
    if not isinstance(raw, dict):
        raise Invalid("rates.per_base", "must be an object of currency: rate")
    per_base = {}
    for code, rate in raw.items():
        path = f"rates.per_base.{code}"
        _currency(code, path)
        per_base[code] = reading.decimal(rate, path, places=RATE_PLACES, strictly_positive=True)
    if per_base.get(base) != 1:
        raise Invalid(f"rates.per_base.{base}", f'the base currency {base} must have rate "1"')
    return Rates(base=base, per_base=per_base, as_of=as_of)


def _regions(obj: Any) -> dict[str, frozenset[str]]:
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise Invalid("regions", "must be an object of NAME: [countries]")
    regions = {}
    for name, countries in obj.items():
        path = f"regions.{name}"
        if (
            not isinstance(name, str)
            or not _REGION.fullmatch(name)
            or len(name) > REGION_NAME_LENGTH
        ):
            raise Invalid(
                path,
                f"{name!r} is not a region name (upper case, digits, _, "
                f"at most {REGION_NAME_LENGTH})",
            )
        members = [
            _country(c, f"{path}[{i}]") for i, c in enumerate(reading.array(countries, path))
        ]
        if not members:
            raise Invalid(path, "a region needs at least one country")
        if len(set(members)) != len(members):
            raise Invalid(path, "lists a country twice")
        regions[name] = frozenset(members)
    return regions


def _operator(obj: Any) -> tuple[Operator, list]:
    obj = reading.keys(obj, "", _OPERATOR_KEYS, _OPERATOR_REQUIRED, label="(operator)")
    operator = Operator(
        slug=_slug(obj["slug"], "slug"),
        name=_string(obj["name"], "name", blank=False),
        country=_optional(_country)(obj.get("country"), "country"),
        kind=_choice(obj["kind"], "kind", enum=OperatorKind),
        website=_url(obj.get("website", ""), "website"),
    )
    return operator, reading.array(obj.get("plans", []), "plans")


def _coverage(
    obj: Any, path: str, regions: dict[str, frozenset[str]], seen: dict[str, str]
) -> Coverage:
    obj = reading.keys(obj, path, _COVERAGE_KEYS, _COVERAGE_REQUIRED)
    countries: set[str] = set()
    named: list[str] = []
    listed = reading.array(obj["countries"], f"{path}.countries")
    if not listed:
        raise Invalid(f"{path}.countries", "must name at least one country")
    for i, token in enumerate(listed):
        where = f"{path}.countries[{i}]"
        if isinstance(token, str) and token.startswith("@"):
            name = token[1:]
            if name not in regions:
                raise Invalid(where, f"unknown region {token!r} (not in the document's regions)")
            named.append(name)
            members: Iterable[str] = regions[name]
        else:
            members = (_country(token, where),)
        for country in members:
            if country in seen:
                raise Invalid(where, f"{country} is already covered by {seen[country]}")
            seen[country] = where
            countries.add(country)
    cap = obj.get("cap_gb")
    if cap != EU_FAIR_USE:
        if isinstance(cap, str) and not reading.is_plain_decimal(cap):
            raise Invalid(f"{path}.cap_gb", f'{cap!r} is not a decimal nor "{EU_FAIR_USE}"')
        cap = _optional(reading.decimal)(cap, f"{path}.cap_gb", places=GB_PLACES)
    return Coverage(
        countries=frozenset(countries),
        network=_choice(obj["network"], f"{path}.network", enum=Network),
        cap_gb=cap,
        overage_per_gb=_optional(reading.decimal)(
            obj.get("overage_per_gb"), f"{path}.overage_per_gb", places=MONEY_PLACES
        ),
        regions=tuple(sorted(named)),
    )


def _promotion(obj: Any, path: str) -> Promotion:
    obj = reading.keys(obj, path, _PROMOTION_KEYS, _PROMOTION_REQUIRED)
    starts = reading.iso_date(obj["starts"], f"{path}.starts")
    ends = reading.iso_date(obj["ends"], f"{path}.ends")
    if ends < starts:
        raise Invalid(f"{path}.ends", f"ends {ends} before it starts {starts}")
    return Promotion(
        name=_string(obj.get("name", ""), f"{path}.name"),
        discount_percent=reading.decimal(
            obj["discount_percent"],
            f"{path}.discount_percent",
            places=PERCENT_PLACES,
            maximum=Decimal(100),
        ),
        bonus_gb=reading.decimal(obj.get("bonus_gb", "0"), f"{path}.bonus_gb", places=GB_PLACES),
        starts=starts,
        ends=ends,
        limit=_optional(reading.whole)(obj.get("limit"), f"{path}.limit", minimum=1),
        new_customer_only=reading.boolean(
            obj.get("new_customer_only", False), f"{path}.new_customer_only"
        ),
    )


def _plan(obj: Any, operator: Operator, regions: dict[str, frozenset[str]], per_base: dict) -> Plan:
    obj = reading.keys(obj, "", _PLAN_KEYS, _PLAN_REQUIRED, label="(plan)")
    get = obj.get
    residents_only = reading.boolean(get("residents_only", False), "residents_only")
    if residents_only and operator.country is None:
        # "Residents of the operator's country" means nothing without one
        # (planning-model.md section 9).
        raise Invalid(
            "residents_only",
            f"operator {operator.slug!r} has country null, so it has no residents-only "
            "plans: give the operator its country or set residents_only false",
        )
    currency = _currency(obj["currency"], "currency")
    if currency not in per_base:
        raise Invalid("currency", f"{currency} has no exchange rate in rates.per_base")

    seen: dict[str, str] = {}
    entries = reading.array(obj["coverage"], "coverage")
    if not entries:
        raise Invalid("coverage", "must have at least one entry")
    coverage = tuple(
        _coverage(entry, f"coverage[{i}]", regions, seen) for i, entry in enumerate(entries)
    )
    for i, entry in enumerate(coverage):
        # The regulation's wholesale cap is in EUR: the engine converts it.
        if entry.cap_gb == EU_FAIR_USE and "EUR" not in per_base:
            raise Invalid(f"coverage[{i}].cap_gb", f'"{EU_FAIR_USE}" needs an EUR rate')

    promotions = sorted(
        (
            _promotion(p, f"promotions[{i}]")
            for i, p in enumerate(reading.array(get("promotions", []), "promotions"))
        ),
        key=lambda p: (p.starts, p.ends),
    )
    overlap = overlapping_windows((p.starts, p.ends, p.name) for p in promotions)
    if overlap:
        first, second = (
            f"{name or 'unnamed'} ({starts} to {ends})" for starts, ends, name in overlap
        )
        raise Invalid("promotions", f"windows overlap: {first} and {second}")

    available_from = _optional(reading.iso_date)(get("available_from"), "available_from")
    available_until = _optional(reading.iso_date)(get("available_until"), "available_until")
    if available_from and available_until and available_until < available_from:
        raise Invalid("available_until", "is before available_from")

    return Plan(
        slug=_slug(obj["slug"], "slug"),
        name=_string(obj["name"], "name", blank=False),
        operator=operator.slug,
        price=reading.decimal(obj["price"], "price", places=MONEY_PLACES),
        currency=currency,
        validity_days=reading.whole(obj["validity_days"], "validity_days", minimum=1),
        data_gb=_optional(reading.decimal)(obj["data_gb"], "data_gb", places=GB_PLACES),
        coverage=coverage,
        daily_gb=_optional(reading.decimal)(
            get("daily_gb"), "daily_gb", places=GB_PLACES, strictly_positive=True
        ),
        hotspot=reading.boolean(get("hotspot", False), "hotspot"),
        max_devices=reading.whole(get("max_devices", 1), "max_devices", minimum=1),
        voice=reading.boolean(get("voice", False), "voice"),
        esim=reading.boolean(get("esim", True), "esim"),
        vat_percent=reading.decimal(
            get("vat_percent", "0"), "vat_percent", places=PERCENT_PLACES, maximum=Decimal(100)
        ),
        max_purchases=_optional(reading.whole)(get("max_purchases"), "max_purchases", minimum=1),
        new_customer_only=reading.boolean(get("new_customer_only", False), "new_customer_only"),
        residents_only=residents_only,
        subscription=reading.boolean(get("subscription", False), "subscription"),
        available_from=available_from,
        available_until=available_until,
        activation=_choice(get("activation", "first_use"), "activation", enum=Activation),
        top_up=reading.boolean(get("top_up", False), "top_up"),
        ekyc=reading.boolean(get("ekyc", False), "ekyc"),
        throttle_kbps=_optional(reading.whole)(get("throttle_kbps"), "throttle_kbps", minimum=0),
        notes=_string(get("notes", ""), "notes", max_length=5000),
        promotions=tuple(promotions),
        source_url=_url(get("source_url", ""), "source_url"),
        buy_url=_url(get("buy_url", ""), "buy_url"),
        verified_on=_optional(reading.iso_date)(get("verified_on"), "verified_on"),
    )


def read_catalog(raw: bytes | str, *, max_bytes: int, what: str = "the file") -> CatalogDocument:
    """A catalog file's bytes (or text) into a validated document: the one reader of the
    admin upload, its confirmation and `import_catalog`. Raises `BoundsError` (too
    large, not UTF-8, not JSON within the bounds) or `CatalogError` (the problems)."""
    return parse_catalog(load_json(raw, max_bytes=max_bytes, what=what))


def parse_catalog(data: Any) -> CatalogDocument:
    """Validate a whole document; raise CatalogError listing the first problem of each row."""
    try:
        data = reading.keys(data, "", _TOP_KEYS, _TOP_REQUIRED)
        if data["format"] != FORMAT:
            raise Invalid("format", f"{data['format']!r} is not {FORMAT!r}")
        rates = _rates(data["rates"])
        regions = _regions(data.get("regions"))
        raw_operators = reading.array(data["operators"], "operators")
    except Invalid as error:
        raise CatalogError([Problem(error.field, error.message)]) from None

    problems: list[Problem] = []
    operators: list[Operator] = []
    plans: list[Plan] = []
    operator_slugs: set[str] = set()
    plan_slugs: dict[str, str] = {}
    for index, raw in enumerate(raw_operators):
        slug = raw.get("slug") if isinstance(raw, dict) else None
        label = slug if isinstance(slug, str) else f"#{index + 1}"
        try:
            operator, raw_plans = _operator(raw)
        except Invalid as error:
            problems.append(Problem(error.field, error.message, operator=label))
            continue
        if operator.slug in operator_slugs:
            problems.append(Problem("slug", "appears twice among operators", operator=label))
            continue
        operator_slugs.add(operator.slug)
        operators.append(operator)
        for plan_index, raw_plan in enumerate(raw_plans):
            plan_slug = raw_plan.get("slug") if isinstance(raw_plan, dict) else None
            plan_label = plan_slug if isinstance(plan_slug, str) else f"#{plan_index + 1}"
            try:
                plan = _plan(raw_plan, operator, regions, rates.per_base)
            except Invalid as error:
                problems.append(Problem(error.field, error.message, label, plan_label))
                continue
            if plan.slug in plan_slugs:
                problems.append(
                    Problem(
                        "slug",
                        f"appears twice among plans (also under operator "
                        f"{plan_slugs[plan.slug]!r})",
                        label,
                        plan_label,
                    )
                )
                continue
            plan_slugs[plan.slug] = operator.slug
            plans.append(plan)
    if problems:
        raise CatalogError(problems)
    return CatalogDocument(
        rates=rates, regions=regions, operators=tuple(operators), plans=tuple(plans)
    )


# --- writing it back


def format_decimal(value: Decimal) -> str:
    """The shortest exact string: "20" for 20.0000, "0.5" for 0.500."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _opt_decimal(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


def _opt_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def country_tokens(
    countries: Iterable[str], region_names: Iterable[str], regions: dict[str, frozenset[str]]
) -> list[str]:
    """The countries as written: "@NAME" for each region named, then the other codes."""
    # A region is written as "@NAME" only while every country it now holds is still
    # in the entry, so the tokens expand back to the same countries; a region that
    # gained one since is written out in full.
    tokens: list[str] = []
    rest = set(countries)
    for name in region_names:
        members = regions.get(name)
        if members is not None and members <= rest:
            tokens.append(f"@{name}")
            rest -= members
    tokens.extend(sorted(rest))
    return tokens


def dump_coverage(entry: Coverage, regions: dict[str, frozenset[str]]) -> dict:
    cap = entry.cap_gb
    return {
        "countries": country_tokens(entry.countries, entry.regions, regions),
        "network": str(entry.network),
        "cap_gb": cap if isinstance(cap, str) or cap is None else format_decimal(cap),
        "overage_per_gb": _opt_decimal(entry.overage_per_gb),
    }


def dump_plan(plan: Plan, regions: dict[str, frozenset[str]]) -> dict:
    return {
        "slug": plan.slug,
        "name": plan.name,
        "price": format_decimal(plan.price),
        "currency": plan.currency,
        "validity_days": plan.validity_days,
        "data_gb": _opt_decimal(plan.data_gb),
        "daily_gb": _opt_decimal(plan.daily_gb),
        "coverage": [dump_coverage(entry, regions) for entry in plan.coverage],
        "hotspot": plan.hotspot,
        "max_devices": plan.max_devices,
        "voice": plan.voice,
        "esim": plan.esim,
        "vat_percent": format_decimal(plan.vat_percent),
        "max_purchases": plan.max_purchases,
        "new_customer_only": plan.new_customer_only,
        "residents_only": plan.residents_only,
        "subscription": plan.subscription,
        "available_from": _opt_date(plan.available_from),
        "available_until": _opt_date(plan.available_until),
        "activation": str(plan.activation),
        "top_up": plan.top_up,
        "ekyc": plan.ekyc,
        "throttle_kbps": plan.throttle_kbps,
        "notes": plan.notes,
        "promotions": [
            {
                "name": promo.name,
                "discount_percent": format_decimal(promo.discount_percent),
                "bonus_gb": format_decimal(promo.bonus_gb),
                "starts": promo.starts.isoformat(),
                "ends": promo.ends.isoformat(),
                "limit": promo.limit,
                "new_customer_only": promo.new_customer_only,
            }
            for promo in plan.promotions
        ],
        "source_url": plan.source_url,
        "buy_url": plan.buy_url,
        "verified_on": _opt_date(plan.verified_on),
    }


def dump_catalog(doc: CatalogDocument) -> dict:
    by_operator: dict[str, list[dict]] = {op.slug: [] for op in doc.operators}
    for plan in doc.plans:
        by_operator[plan.operator].append(dump_plan(plan, doc.regions))
    rates = doc.rates
    return {
        "format": FORMAT,
        "rates": {
            "base": rates.base,
            "as_of": _opt_date(rates.as_of),
            "per_base": {code: format_decimal(rate) for code, rate in rates.per_base.items()},
        },
        "regions": {name: sorted(members) for name, members in sorted(doc.regions.items())},
        "operators": [
            {
                "slug": op.slug,
                "name": op.name,
                "country": op.country,
                "kind": str(op.kind),
                "website": op.website,
                "plans": by_operator[op.slug],
            }
            for op in doc.operators
        ],
    }

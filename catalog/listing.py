"""The plans of one country as its page lists them, and as GET
/api/v1/countries/{code}/plans lists them: the same filters, order and page size."""

import hashlib
import json
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, When
from django.db.models.functions import Cast, Least

from catalog.models import CoverageCountry, Network, Operator, Plan
from planner.engine.model import Rates

PER_PAGE = 50

# Each sort's column, ascending; the later keys only break ties, in a fixed
# direction. A plan without a price per GB (unlimited) has no number to compare
# and comes last either way; unlimited data is the most data.
_ORDER = {
    "price": ("base_price", ["validity_days"]),
    "price_per_gb": ("base_price_per_gb", ["base_price"]),
    "validity": ("validity_days", ["base_price"]),
    "data": ("high_speed_gb", ["base_price"]),
}


def _high_speed_gb():
    """The most high-speed data one purchase can give, the number "sort by data"
    compares: its allowance; for a daily cap, the cap on each day of its validity
    ("1 GB a day" for 10 days is 10 GB, less than a 350 GB plan); the smaller of
    the two when it has both. Only a plan with neither (truly unlimited) has none,
    and it is the most data."""
    daily = Cast(F("daily_gb"), FloatField()) * F("validity_days")
    total = Cast(F("data_gb"), FloatField())
    return Case(
        When(data_gb__isnull=True, daily_gb__isnull=True, then=None),
        When(data_gb__isnull=True, then=daily),
        When(daily_gb__isnull=True, then=total),
        # both known here: Least is the same on SQLite and PostgreSQL
        default=Least(total, daily),
        output_field=FloatField(),
    )


# The direction a column sorts in when first chosen: what a traveller looks for
# first (cheapest, longest, most data); choosing it again reverses it.
FIRST_DIRECTION = {"price": "asc", "price_per_gb": "asc", "validity": "desc", "data": "desc"}


def _ordering(sort: str, direction: str) -> list:
    column, ties = _ORDER[sort]
    descending = direction == "desc"
    if column == "high_speed_gb":
        first = F(column).desc(nulls_first=True) if descending else F(column).asc(nulls_last=True)
    else:
        first = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return [first, *ties, "pk"]


def _per_version[T](version: str, what: str, compute: Callable[[], T]) -> T:
    """`compute()` once per catalog version, shared by every process through the
    cache: these lists change only with the catalog, whose every change is a new
    version (and so a new key), and each costs a scan of thousands of plans."""
    if not version:
        return compute()
    return cache.get_or_set(f"listing:{version}:{what}", compute, timeout=24 * 3600)


def country_counts(version: str) -> dict[str, int]:
    """How many offered plans cover each country, in catalog `version`."""
    return _per_version(
        version,
        "counts",
        lambda: dict(
            CoverageCountry.objects.filter(plan__in=Plan.objects.offered())
            .order_by()
            .values_list("country")
            .annotate(n=Count("plan"))
        ),
    )


def country_operators(code: str, version: str) -> list[tuple[str, str]]:
    """(slug, name) of the operators with an offered plan covering `code`, in
    catalog `version`."""
    return _per_version(
        version,
        f"operators:{code}",
        lambda: list(
            Operator.objects.filter(plans__in=Plan.objects.offered().covering([code]))
            .distinct()
            .order_by("name")
            .values_list("slug", "name")
        ),
    )


def country_plans(code: str, options: dict, rates: Rates, *, today) -> QuerySet:
    """`options` as CountryPlansForm.options() gives them (`q`, `operator` and `dir`
    may be left out: no search, every operator, the sort's first direction)."""
    plans = (
        Plan.objects.offered()
        .covering([code])
        .select_related("operator")
        .with_base_price(dict(rates.per_base))
        .with_country_facts(code, today=today)
        .annotate(high_speed_gb=_high_speed_gb())
    )
    if options["five_g"]:
        plans = plans.on_network_in(code, Network.G5)
    if options["hotspot"]:
        plans = plans.filter(hotspot=True)
    if options["voice"]:
        plans = plans.filter(voice=True)
    if options["scope"] == "local":
        plans = plans.local_to(code)
    elif options["scope"] == "regional":
        plans = plans.regional_for(code)
    if options.get("operator"):
        plans = plans.filter(operator__slug=options["operator"])
    if options.get("q"):
        plans = plans.filter(
            Q(name__icontains=options["q"]) | Q(operator__name__icontains=options["q"])
        )
    sort = options["sort"]
    return plans.order_by(*_ordering(sort, options.get("dir") or FIRST_DIRECTION[sort]))


# What country_plans filters on: the options the number of plans depends on.
_FILTERS = ("q", "operator", "scope", "five_g", "hotspot", "voice")


def paginate(plans: QuerySet, code: str, options: dict, version: str) -> Paginator:
    """`plans` (country_plans of `code` and `options`), PER_PAGE a page; how many
    there are is counted once per catalog version and filters (neither the sort
    nor the page changes it), like the operators."""
    filters = {k: options.get(k) or "" for k in _FILTERS}
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:32]
    paginator = Paginator(plans, PER_PAGE)
    # Paginator.count is a cached property: set here, it is not counted again
    paginator.count = _per_version(version, f"count:{code}:{digest}", plans.count)
    return paginator


def set_shown_prices(plans: Iterable[Plan], rates: Rates, currency: str | None = None) -> None:
    """Exact prices beside each row: in the base currency (`base_price_shown`,
    `base_price_per_gb_shown`) and in `currency` (`price_shown`,
    `price_per_gb_shown`; the base currency when None)."""
    # The SQL annotations only sort (SQLite divides in floats); what is shown is
    # computed exactly.
    currency = currency or rates.base
    for shown in plans:
        known = shown.currency in rates.per_base
        shown.base_price_shown = rates.to_base(shown.price, shown.currency) if known else None
        shown.price_shown = rates.from_base(shown.base_price_shown, currency) if known else None
        shown.base_price_per_gb_shown = (
            shown.base_price_shown / shown.data_gb if known and shown.data_gb else None
        )
        shown.price_per_gb_shown = (
            shown.price_shown / shown.data_gb if known and shown.data_gb else None
        )

"""The plans of one country as its page lists them, and as GET
/api/v1/countries/{code}/plans lists them: the same filters, order and page size."""

from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet

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
    "data": ("data_gb", ["base_price"]),
}
# The direction a column sorts in when first chosen: what a traveller looks for
# first (cheapest, longest, most data); choosing it again reverses it.
FIRST_DIRECTION = {"price": "asc", "price_per_gb": "asc", "validity": "desc", "data": "desc"}


def _ordering(sort: str, direction: str) -> list:
    column, ties = _ORDER[sort]
    descending = direction == "desc"
    if column == "data_gb":
        first = F(column).desc(nulls_first=True) if descending else F(column).asc(nulls_last=True)
    else:
        first = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return [first, *ties, "pk"]


def country_counts() -> dict[str, int]:
    """How many offered plans cover each country."""
    return dict(
        CoverageCountry.objects.filter(plan__in=Plan.objects.offered())
        .order_by()
        .values_list("country")
        .annotate(n=Count("plan"))
    )


def country_operators(code: str) -> list[tuple[str, str]]:
    """(slug, name) of the operators with an offered plan covering `code`."""
    return list(
        Operator.objects.filter(plans__in=Plan.objects.offered().covering([code]))
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
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

"""The plans of one country as its page lists them, and as GET
/api/v1/countries/{code}/plans lists them: the same filters, order and page size."""

from collections.abc import Iterable

from django.db.models import Count, F, QuerySet

from catalog.models import CoverageCountry, Network, Plan
from planner.engine.model import Rates

PER_PAGE = 50

_ORDER = {
    "price": [F("base_price").asc(nulls_last=True), "validity_days"],
    "price_per_gb": [F("base_price_per_gb").asc(nulls_last=True), "base_price"],
    "validity": [F("validity_days").desc(), "base_price"],
}


def country_counts() -> dict[str, int]:
    """How many offered plans cover each country."""
    return dict(
        CoverageCountry.objects.filter(plan__in=Plan.objects.offered())
        .order_by()
        .values_list("country")
        .annotate(n=Count("plan"))
    )


def country_plans(code: str, options: dict, rates: Rates, *, today) -> QuerySet:
    """`options` as CountryPlansForm.options() gives them."""
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
    return plans.order_by(*_ORDER[options["sort"]], "pk")


def set_shown_prices(plans: Iterable[Plan], rates: Rates) -> None:
    # The SQL annotations only sort (SQLite divides in floats); what is shown is
    # computed exactly.
    for shown in plans:
        shown.base_price_shown = (
            rates.to_base(shown.price, shown.currency) if shown.currency in rates.per_base else None
        )
        shown.base_price_per_gb_shown = (
            shown.base_price_shown / shown.data_gb
            if shown.base_price_shown is not None and shown.data_gb
            else None
        )

from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_countries import countries

from catalog.forms import FIRST_DIRECTION, SORTS, CountryPlansForm
from catalog.models import (
    CoverageCountry,
    CoverageEntry,
    Network,
    Operator,
    Plan,
    Promotion,
)
from planner.context_processors import chosen_currency
from planner.engine.countries import is_country_code
from planner.engine.fairuse import fair_use
from planner.loader import catalog_state

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


def _ordering(sort: str, direction: str) -> list:
    column, ties = _ORDER[sort]
    descending = direction == "desc"
    if column == "data_gb":
        first = F(column).desc(nulls_first=True) if descending else F(column).asc(nulls_last=True)
    else:
        first = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return [first, *ties, "pk"]


def _catalog_facts() -> dict:
    # The same cached catalog the planner uses: its rates, its version, one query.
    catalog, sample = catalog_state()
    return {
        "catalog_is_sample": sample,
        "catalog_version": catalog.version,
        "rates": catalog.rates,
    }


@require_GET
def country_index(request: HttpRequest) -> HttpResponse:
    counts = dict(
        CoverageCountry.objects.filter(plan__in=Plan.objects.offered())
        .order_by()
        .values_list("country")
        .annotate(n=Count("plan"))
    )
    rows = sorted(
        ((code, countries.name(code), n) for code, n in counts.items()), key=lambda r: r[1]
    )
    return render(request, "catalog/countries.html", {"rows": rows, **_catalog_facts()})


@require_GET
@vary_on_headers("HX-Request")
def country(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    if not is_country_code(code):
        raise Http404("No such country")
    facts = _catalog_facts()
    here = Plan.objects.offered().covering([code])
    operators = list(
        Operator.objects.filter(plans__in=here)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    form = CountryPlansForm(request.GET, operators=operators)
    options = form.options()
    today = timezone.localdate()

    plans = (
        here.select_related("operator")
        .with_base_price(dict(facts["rates"].per_base))
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
    if options["operator"]:
        plans = plans.filter(operator__slug=options["operator"])
    if options["q"]:
        plans = plans.filter(
            Q(name__icontains=options["q"]) | Q(operator__name__icontains=options["q"])
        )
    plans = plans.order_by(*_ordering(options["sort"], options["dir"]))

    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    rates = facts["rates"]
    currency = chosen_currency(request, rates)
    for shown in page:
        # The SQL annotations only sort (SQLite divides in floats); what the page
        # shows is computed exactly, in the currency chosen in the header.
        shown.price_shown = (
            rates.from_base(rates.to_base(shown.price, shown.currency), currency)
            if shown.currency in rates.per_base
            else None
        )
        shown.price_per_gb_shown = (
            shown.price_shown / shown.data_gb
            if shown.price_shown is not None and shown.data_gb
            else None
        )
    context = {
        "code": code,
        "name": countries.name(code),
        "form": form,
        "options": options,
        "sorts": SORTS,
        "first_direction": FIRST_DIRECTION,
        "currency": currency,
        "page": page,
        **facts,
    }
    template = "catalog/country.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


@require_GET
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(
        Plan.objects.select_related("operator").prefetch_related(
            Prefetch(
                "coverage_entries",
                queryset=CoverageEntry.objects.prefetch_related("countries").order_by(
                    "-network", "position"
                ),
            ),
            Prefetch("promotions", queryset=Promotion.objects.order_by("starts")),
        ),
        slug=slug,
    )
    facts = _catalog_facts()
    today = timezone.localdate()
    entries = list(plan.coverage_entries.all())
    fair_use_today = None
    rates = facts["rates"]
    if (
        any(entry.eu_fair_use for entry in entries)
        and plan.currency in rates.per_base
        and "EUR" in rates.per_base
    ):
        # fair_use reads only price, currency and VAT, which the model row has.
        fair_use_today = fair_use(plan, today, rates)
    by_network = [
        (
            network,
            [(entry, sorted(str(c.country) for c in entry.countries.all())) for entry in group],
        )
        for network, group in groupby(entries, key=lambda e: e.network)
    ]
    context = {
        "plan": plan,
        "by_network": by_network,
        "promotions": [(promo, promo.runs_on(today)) for promo in plan.promotions.all()],
        "fair_use": fair_use_today,
        "price_per_gb": plan.price / plan.data_gb if plan.data_gb else None,
        "stale": plan.is_stale,
        **facts,
    }
    return render(request, "catalog/plan.html", context)

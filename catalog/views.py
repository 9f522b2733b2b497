from itertools import groupby

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_countries import countries

from catalog import store
from catalog.currency import chosen_currency
from catalog.forms import SORTS, CountryPlansForm
from catalog.listing import (
    FIRST_DIRECTION,
    country_counts,
    country_operators,
    country_plans,
    paginate,
    set_shown_prices,
)
from catalog.models import (
    CoverageEntry,
    Plan,
    Promotion,
)
from catalog.worldmap import Fill, draw
from planner.engine.bounds import http_url_error
from planner.engine.countries import is_country_code, sort_key
from planner.engine.fairuse import fair_use
from planner.engine.model import Catalog


def _catalog_facts(catalog: Catalog, sample: bool) -> dict:
    # The same cached catalog the planner uses (store.catalog_state(), one query):
    # its rates, its version, whether it is the sample.
    return {
        "catalog_is_sample": sample,
        "catalog_version": catalog.version,
        "rates": catalog.rates,
    }


@require_GET
def country_index(request: HttpRequest) -> HttpResponse:
    facts = _catalog_facts(*store.catalog_state())
    rows = sorted(
        (
            (code, countries.name(code), n)
            for code, n in country_counts(facts["catalog_version"]).items()
        ),
        key=lambda r: sort_key(r[1], to_locale(get_language() or "en")),
    )
    return render(request, "catalog/countries.html", {"rows": rows, **facts})


@require_GET
@vary_on_headers("HX-Request")
def country(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    if not is_country_code(code):
        raise Http404("No such country")
    facts = _catalog_facts(*store.catalog_state())
    form = CountryPlansForm(
        request.GET, operators=country_operators(code, facts["catalog_version"])
    )
    options = form.options()
    today = timezone.localdate()

    rates = facts["rates"]
    currency = chosen_currency(request, rates)
    plans = country_plans(code, options, rates, today=today)
    page = paginate(plans, code, options, facts["catalog_version"]).get_page(
        request.GET.get("page")
    )
    set_shown_prices(page, rates, currency)
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


def _coverage_map(entries: list[CoverageEntry]) -> str:
    """The plan's countries coloured by network, hatched where a cap applies."""
    fills = []
    for entry in entries:
        capped = entry.eu_fair_use or entry.cap_gb is not None
        what = f"{entry.network}, {_('capped')}" if capped else entry.network
        fills.extend(
            Fill(
                code=str(c.country),
                classes=f"net-{entry.network}",
                title=f"{c.country.name or c.country}: {what}",
                hatched=capped,
            )
            for c in sorted(entry.countries.all(), key=lambda c: str(c.country))
        )
    if not fills:
        return ""
    # draw() escapes every text it puts in.
    return mark_safe(
        draw(tuple(fills), label=_("Map of where this plan works, by network"), prefix="plan-map")
    )


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
    catalog, sample = store.catalog_state()
    facts = _catalog_facts(catalog, sample)
    today = timezone.localdate()
    # the price in the header's currency too, by the country page's rule
    currency = chosen_currency(request, facts["rates"])
    set_shown_prices([plan], facts["rates"], currency)
    entries = list(plan.coverage_entries.all())
    fair_use_today = None
    rates = facts["rates"]
    if (
        any(entry.eu_fair_use for entry in entries)
        and plan.currency in rates.per_base
        and "EUR" in rates.per_base
    ):
        fair_use_today = fair_use(store.engine_plan(plan, catalog), today, rates)
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
        "currency": currency,
        "stale": plan.is_stale,
        # Rows saved before URLs were checked may hold a javascript: one: text, not a link.
        "source_link": None if http_url_error(plan.source_url) else plan.source_url,
        "coverage_map": _coverage_map(entries),
        "networks": [network for network, _group in by_network],
        "any_capped": any(e.eu_fair_use or e.cap_gb is not None for e in entries),
        **facts,
    }
    return render(request, "catalog/plan.html", context)

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from catalog.currency import chosen_currency
from catalog.store import catalog_state
from catalog.store import offered_catalog as load_catalog
from planner.calendar import FILENAME, trip_calendar
from planner.engine.bounds import MAX_TRIP_BYTES, BoundsError, load_json
from planner.engine.model import Catalog
from planner.engine.result import from_document
from planner.engine.trip import TripError
from planner.forms import TripForm, default_switch_penalty, edit_legs, trip_initial
from planner.models import SavedTrip
from planner.presenters import ResultPage, choices, compare, present
from planner.solving import (
    SESSION_SAVE,
    Planning,
    State,
    await_planning,
    plan_document,
    planned_trip,
)


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (django-htmx's own typing recipe)."""

    htmx: HtmxDetails


EXAMPLE_TRIP = {
    "legs": [
        {"country": "FR", "days": 10, "gb_per_day": "1.5"},
        {"country": "CH", "days": 3, "gb_per_day": "1.5"},
        {"country": "GB", "days": 4, "gb_per_day": "1.5"},
        {"country": "FR", "days": 5, "gb_per_day": "1.5"},
    ],
}


def _form(catalog: Catalog, data: QueryDict | None = None, document: dict | None = None, **initial):
    """The planner's form, bound to posted data, or filled from a trip document
    (a saved or queued trip, the example), or empty with `initial` values."""
    if document is not None:
        trip, legs = trip_initial(document)
        return TripForm(data, catalog=catalog, initial=trip, legs_initial=legs)
    return TripForm(data, catalog=catalog, initial=initial, legs_initial=[{"usage": "normal"}])


def _plan(request: HtmxHttpRequest, form: TripForm, catalog: Catalog) -> Planning | None:
    """Plan the form's trip through the cache and the queue; None if the form,
    the engine or the worker refuses it (the reason is then beside its field)."""
    if not form.is_valid():
        return None
    try:
        planning = plan_document(request, form.document, catalog=catalog)
    except TripError as error:
        form.add_trip_error(error.field, error.message)
        return None
    if planning.is_refused:
        form.add_trip_error(planning.error["field"], refusal_message(planning))
        return None
    return planning


def refusal_message(planning: Planning) -> str:
    """Why the worker could not plan the trip, in the reader's language where we can."""
    figures = planning.error.get("figures")
    if figures is None:
        return planning.error["message"]
    return too_large_text(figures)


def too_large_text(figures: dict) -> str:
    return (
        gettext(
            "This trip is too large to plan at once (%(days)s days, %(devices)s devices): "
            "plan fewer days or fewer devices at a time, for example one part of the trip."
        )
        % figures
    )


def _context(
    form: TripForm | None,
    catalog: Catalog,
    planning: Planning | None,
    *,
    sample: bool,
    polls=0,
    trip: dict | None = None,
    esims: str | None = None,
    request: HtmxHttpRequest | None = None,
    **extra,
) -> dict:
    result = planning.result if planning else None
    shown, chosen = None, None
    if trip and result and esims:
        # a chosen trade-off entry is planned again in full: shown now, not lazily
        shown, chosen, entry = _shown(request, trip, result, esims, catalog)
        if entry is not None:
            # the entry is queued (or limited): the region says so, and polls it
            shown, planning, result = None, entry, None
    elif result:
        # lazy: a cache hit shows the rendered fragment and never looks at it
        shown = SimpleLazyObject(lambda: present(result, catalog))
    return {
        # htmx asks again after 0.5 s, then a quarter later each time, at most
        # every 2 s: a long queue is not polled 20 times a second per client
        "poll_delay": int(min(500 * 1.25**polls, 2000)),
        "poll_next": polls + 1,
        "catalog_is_sample": sample,
        "form": form,
        "legs": form.legs if form else None,
        "catalog": catalog,
        "country_names": [name for _code, name in countries],
        "shown": shown,
        "esims_chosen": chosen,
        "penalty": Decimal(trip.get("switch_penalty", "0")) if trip else None,
        "planning": planning,
        "refusal": refusal_message(planning) if planning and planning.is_refused else None,
        # the cached fragment is the recommendation's; a chosen entry is rendered afresh
        "result_token": planning.token if result and chosen is None and planning.token else None,
        **extra,
    }


def _json(trip: dict | None) -> str:
    # The trip an unsaved result's "Add to my calendar" posts back to be planned
    # again. Every render of a cached result body passes it (and the trip, for
    # the "worth avoiding at" note): the body is cached per result and language
    # only, and the first render fills it for all.
    return json.dumps(trip, separators=(",", ":")) if trip else ""


def _shown(
    request: HtmxHttpRequest, trip: dict, result: dict, esims: str | None, catalog: Catalog
) -> tuple[ResultPage, int | None, Planning | None]:
    """The result made ready to show, or the entry of its trade-off the traveller
    chose (`esims`, its number of eSIMs): that one is planned again in full,
    through the cache, the queue and the limits like any plan, and the row of
    choices stays the recommendation's. The third value is the entry's
    Planning while it is not there yet (queued, limited or lost)."""
    recommended = from_document(result)
    row = choices(recommended)
    wanted = next((c for c in row if str(c.esims) == esims and not c.recommended), None)
    if wanted is None:
        return present(result, catalog), None, None
    document = {**trip, "max_esims": wanted.max_esims}
    try:
        planning = plan_document(request, document, catalog=catalog)
    except TripError:
        planning = None
    if planning is None or planning.is_refused:
        # a saved trip that no longer plans with today's catalog (a plan it owns
        # was retired): show what was saved; the saved page's notice says why
        return present(result, catalog), None, None
    if not planning.is_done:
        return present(result, catalog), None, planning
    shown = present(planning.result, catalog)
    return replace(shown, choices=choices(recommended, chosen=wanted.esims)), wanted.esims, None


def _planned(request: HtmxHttpRequest, context: dict) -> HttpResponse:
    """The planner page or its live region, with a refused solve's status for no-JS."""
    planning = context["planning"]
    if request.htmx:
        # htmx swaps no 4xx answer: the message itself says "wait"
        return render(request, "planner/home.html#live", context)
    status = 429 if planning and planning.is_limited else 200
    return render(request, "planner/home.html", context, status=status)


def _default_start():
    return timezone.localdate() + timedelta(days=14)


def _example(request: HtmxHttpRequest, catalog: Catalog, currency: str) -> tuple[dict, Planning]:
    """The example trip, planned at once (an example shows what the planner
    answers) through the queue, cache and limits like any other plan."""
    document = {
        **EXAMPLE_TRIP,
        "start_date": _default_start().isoformat(),
        "currency": currency,
        "switch_penalty": str(default_switch_penalty(catalog.rates, currency)),
    }
    return document, plan_document(request, document, catalog=catalog)


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The planner page: empty, a saved trip to edit (`?from=`), or the example."""
    catalog, sample = catalog_state()
    currency = chosen_currency(request, catalog.rates)
    document, planning = None, None
    if source := request.GET.get("from"):
        # Editing a saved trip starts from what was saved, its result included.
        saved = get_object_or_404(SavedTrip, token=source)
        document, planning = saved.trip, Planning(State.DONE, token="", result=saved.result)
    elif "example" in request.GET:
        document, planning = _example(request, catalog, currency)
    form = _form(catalog, document=document, start_date=_default_start(), currency=currency)
    context = _context(
        form,
        catalog,
        planning,
        sample=sample,
        trip=document,
        esims=request.GET.get("esims"),
        request=request,
        trip_json=_json(document) if planning and not source else "",
    )
    if source and context["shown"] is not None:
        # the saved trip's stored result is shown: its calendar is the saved one's
        context["calendar_url"] = _calendar_url(source, context["esims_chosen"])
    return render(request, "planner/home.html", context)


@require_POST
def plan(request: HtmxHttpRequest) -> HttpResponse:
    """The form posted: the result, or the form again with its problems."""
    catalog, sample = catalog_state()
    form = _form(catalog, request.POST)
    planning = _plan(request, form, catalog)
    trip = form.document if planning else None
    if trip:
        # The trip's currency is the traveller's: the header and the country pages follow it.
        request.session["currency"] = trip["currency"]
    if planning and planning.is_pending and not request.htmx:
        return redirect("planner:planning", planning.token)
    context = _context(
        form,
        catalog,
        planning,
        sample=sample,
        trip=trip,
        esims=request.POST.get("esims"),
        request=request,
        trip_json=_json(trip),
    )
    entry = context["planning"]
    if entry is not planning and entry.is_pending and not request.htmx:
        # the chosen trade-off entry is queued: its planning page ends on it
        return redirect("planner:planning", entry.token)
    return _planned(request, context)


@require_POST
def legs(request: HtmxHttpRequest) -> HttpResponse:
    """A leg button (add, remove, move): the form again as typed, with the legs
    changed, not judged yet. htmx swaps the form alone."""
    catalog, sample = catalog_state()
    action = request.POST.get("action", "")
    form = _form(catalog, edit_legs(request.POST, action))
    if action == "add":
        form.legs.forms[-1].fields["country"].widget.attrs["autofocus"] = True
    context = _context(form, catalog, None, sample=sample, quiet=True)
    template = "planner/home.html#trip-form" if request.htmx else "planner/home.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def page(request: HtmxHttpRequest) -> HttpResponse:
    """The planner's address: GET shows it, POST plans. A POST with a leg
    button's `action` is the leg editor's (a page from before the buttons had
    their own address)."""
    if request.method == "GET":
        return home(request)
    if request.POST.get("action"):
        return legs(request)
    return plan(request)


def _save(request: HtmxHttpRequest, trip: dict, result: dict, esims: str = "") -> HttpResponse:
    saved = SavedTrip.objects.create(
        trip=trip, result=result, catalog_version=result["catalog_version"]
    )
    url = saved.get_absolute_url()
    # The link keeps the trade-off's entry the traveller chose.
    if any(str(c.esims) == esims and not c.recommended for c in choices(from_document(result))):
        url += f"?esims={esims}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_POST
def save(request: HtmxHttpRequest) -> HttpResponse:
    catalog, sample = catalog_state()
    form = _form(catalog, request.POST)
    planning = _plan(request, form, catalog)
    if planning and planning.is_done:
        return _save(request, form.document, planning.result, request.POST.get("esims", ""))
    if planning and planning.is_pending:
        # the planning page saves it once the worker is done
        request.session[SESSION_SAVE] = planning.token
        if not request.htmx:
            return redirect("planner:planning", planning.token)
    return _planned(request, _context(form, catalog, planning, sample=sample))


@require_GET
def planning(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """A queued trip: "Planning…" until its worker is done, then the result.
    htmx polls the result region; without JavaScript the page refreshes itself."""
    document = planned_trip(token)
    if document is None:
        raise Http404("no such trip being planned")
    state = await_planning(token)
    if state.is_done and request.session.get(SESSION_SAVE) == token:
        del request.session[SESSION_SAVE]
        return _save(request, document, state.result)
    catalog, sample = catalog_state()
    polls = _poll_number(request)
    # the trip goes with the result like on the planner's own answer: the
    # "worth avoiding at" note, and the calendar button of an unsaved result
    shown_trip = {"trip": document, "trip_json": _json(document)} if state.is_done else {}
    if request.htmx:
        # the result region alone: no form to build for a poll
        context = _context(None, catalog, state, sample=sample, polls=polls, **shown_trip)
        return render(request, "planner/home.html#result", context)
    form = _form(catalog, document=document)
    context = _context(form, catalog, state, sample=sample, polls=polls, **shown_trip)
    return render(request, "planner/home.html", context)


def _poll_number(request: HtmxHttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("n", 0)), 0), 100)
    except ValueError:
        return 0


@require_GET
def saved(request: HtmxHttpRequest, token: str) -> HttpResponse:
    saved = get_object_or_404(SavedTrip, token=token)
    catalog, sample = catalog_state()
    owned = [catalog.plan(slug) for slug in saved.trip.get("owned", [])]
    context = {
        "saved": saved,
        "catalog": catalog,
        "catalog_is_sample": sample,
        "owned_names": [
            plan.name if plan else slug
            for plan, slug in zip(owned, saved.trip.get("owned", []), strict=True)
        ],
        "customer_names": [
            catalog.operators[slug].name if slug in catalog.operators else slug
            for slug in saved.trip.get("customer_of", [])
        ],
        "stale": saved.catalog_version != catalog.version,
        "trip": saved.trip,
        "permalink": request.build_absolute_uri(saved.get_absolute_url()),
        "penalty": Decimal(saved.trip.get("switch_penalty", "0")),
        "choice_links": True,
    }
    context["shown"], context["esims_chosen"], context["choice_planning"] = _shown(
        request, saved.trip, saved.result, request.GET.get("esims"), catalog
    )
    status = 200
    if context["stale"] and "recompute" in request.GET:
        # the same queue, cache and limits as the planner: the page refreshes
        # itself until the worker is done
        try:
            planning = plan_document(request, saved.trip, catalog=catalog)
        except TripError as error:
            context["recompute_error"] = error
        else:
            context["planning"] = planning
            if planning.is_done:
                context["fresh"] = present(planning.result, catalog)
                context["changes"] = compare(saved.result, planning.result)
                context["trip_json"] = _json(saved.trip)
            elif planning.is_refused:
                context["recompute_error"] = refusal_message(planning)
            elif planning.is_limited:
                status = 429
    if "fresh" not in context:
        context["calendar_url"] = _calendar_url(saved.token, context["esims_chosen"])
    return render(request, "planner/saved.html", context, status=status)


def _calendar_url(token: str, esims: int | None) -> str:
    """A saved trip's calendar, of the trade-off entry shown if one was chosen."""
    url = reverse("planner:saved-calendar", args=[token])
    return f"{url}?esims={esims}" if esims is not None else url


def _calendar_response(
    request: HtmxHttpRequest, saved: SavedTrip, shown: ResultPage, chosen: int | None
) -> HttpResponse:
    """The calendar of what the page showed (`_shown`): the saved result, or the
    trade-off entry chosen, whose events link to the saved trip showing it."""
    permalink = saved.get_absolute_url()
    if chosen is not None:
        permalink += f"?esims={chosen}"
    body = trip_calendar(
        shown,
        token=saved.token if chosen is None else f"{saved.token}-{chosen}esims",
        permalink=request.build_absolute_uri(permalink),
        created=saved.created_at,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    return response


@require_GET
def saved_calendar(request: HtmxHttpRequest, token: str) -> HttpResponse:
    saved = get_object_or_404(SavedTrip, token=token)
    esims = request.GET.get("esims")
    shown, chosen, entry = _shown(request, saved.trip, saved.result, esims, load_catalog())
    if entry is not None:
        return _not_yet(entry)
    return _calendar_response(request, saved, shown, chosen)


def _not_yet(planning: Planning) -> HttpResponse:
    """A download whose trip is not planned yet: when to ask again."""
    if planning.is_limited:
        text = gettext(
            "You have planned many trips in a short time: wait %(seconds)s seconds, then try again."
        ) % {"seconds": planning.retry_after}
        response = HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(planning.retry_after)
        return response
    text = gettext("The planner is still working on this trip: try again in a few seconds.")
    response = HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response


@require_POST
def calendar(request: HtmxHttpRequest) -> HttpResponse:
    """An unsaved result's calendar: the trip is planned again (through the cache,
    the queue and the limits) and saved, so that each event can link back to the
    plan it comes from."""
    catalog = load_catalog()
    try:
        document = load_json(request.POST.get("trip", ""), max_bytes=MAX_TRIP_BYTES, what="trip:")
        # the trip of a result just shown: normally a cache hit, else the queue's
        planning = plan_document(request, document, catalog=catalog)
    except BoundsError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    except TripError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain")
    if planning.is_refused:
        return HttpResponseBadRequest(
            f"trip: {refusal_message(planning)}", content_type="text/plain; charset=utf-8"
        )
    if not planning.is_done:
        return _not_yet(planning)
    # the trade-off entry the page showed, if the traveller chose one
    esims = request.POST.get("esims")
    shown, chosen, entry = _shown(request, document, planning.result, esims, catalog)
    if entry is not None:
        return _not_yet(entry)
    saved = SavedTrip.objects.create(
        trip=document, result=planning.result, catalog_version=catalog.version
    )
    return _calendar_response(request, saved, shown, chosen)


@require_POST
def set_currency(request: HtmxHttpRequest) -> HttpResponse:
    """The header's currency switch: the planner's default currency from now on."""
    code = request.POST.get("currency", "")
    if code in load_catalog().rates.per_base:
        request.session["currency"] = code
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)

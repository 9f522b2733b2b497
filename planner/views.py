import json
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

from catalog.currency import chosen_currency
from catalog.store import catalog_state
from catalog.store import offered_catalog as load_catalog
from planner.calendar import FILENAME, trip_calendar
from planner.engine.bounds import MAX_TRIP_BYTES, BoundsError, load_json
from planner.engine.model import Catalog
from planner.engine.trip import TripError
from planner.forms import (
    LEG_FIELDS,
    LegFormSet,
    TripForm,
    apply_leg_action,
    attach_trip_error,
    default_switch_penalty,
    home_plan_choices,
    legs_from_data,
    trip_initial,
)
from planner.models import SavedTrip
from planner.presenters import choices, compare, present
from planner.solving import (
    SESSION_SAVE,
    Planning,
    State,
    plan_document,
    planned_trip,
    planning_state,
)

EXAMPLE_TRIP = {
    "legs": [
        {"country": "FR", "days": 10, "gb_per_day": "1.5"},
        {"country": "CH", "days": 3, "gb_per_day": "1.5"},
        {"country": "GB", "days": 4, "gb_per_day": "1.5"},
        {"country": "FR", "days": 5, "gb_per_day": "1.5"},
    ],
}


def _forms(request: HttpRequest, catalog: Catalog, data: QueryDict | dict | None, **initial):
    form = TripForm(
        data,
        catalog=catalog,
        home_plans=home_plan_choices(catalog),
        initial=initial.get("trip"),
    )
    legs = LegFormSet(data, prefix="legs", initial=initial.get("legs"))
    return form, legs


def _plan(request, form: TripForm, legs, catalog: Catalog) -> tuple[dict | None, Planning | None]:
    """Validate the form and plan the trip through the cache and the queue."""
    form_ok = form.is_valid()
    legs.start_date = form.cleaned_data.get("start_date") if form_ok else None
    if not (legs.is_valid() and form_ok):
        return None, None
    document = form.trip_document(legs)
    try:
        planning = plan_document(request, document, catalog=catalog)
    except TripError as error:
        attach_trip_error(form, legs, error.field, error.message)
        return None, None
    if planning.is_refused:
        attach_trip_error(form, legs, planning.error["field"], refusal_message(planning))
        return None, None
    return document, planning


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
    form,
    legs,
    catalog: Catalog,
    planning: Planning | None,
    *,
    sample: bool,
    polls=0,
    trip: dict | None = None,
    esims: str | None = None,
    request: HttpRequest | None = None,
    **extra,
) -> dict:
    result = planning.result if planning else None
    shown, chosen = None, None
    if trip and result:
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
        "legs": legs,
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
    # The trip an unsaved result's "Add to my calendar" posts back to be planned again.
    return json.dumps(trip, separators=(",", ":")) if trip else ""


def _shown(
    request: HttpRequest, trip: dict, result: dict, esims: str | None, catalog: Catalog
) -> tuple[dict, int | None, Planning | None]:
    """The result made ready to show, or the entry of its trade-off the traveller
    chose (`esims`, its number of eSIMs): that one is planned again in full,
    through the cache, the queue and the limits like any plan, and the row of
    choices stays the recommendation's. The third value is the entry's
    Planning while it is not there yet (queued, limited or lost)."""
    row = choices(result)
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
    shown["choices"] = choices(result, chosen=wanted.esims)
    return shown, wanted.esims, None


def _planned(request: HttpRequest, context: dict) -> HttpResponse:
    """The planner page or its live region, with a refused solve's status for no-JS."""
    planning = context["planning"]
    if request.htmx:
        # htmx swaps no 4xx answer: the message itself says "wait"
        return render(request, "planner/home.html#live", context)
    status = 429 if planning and planning.is_limited else 200
    return render(request, "planner/home.html", context, status=status)


def _default_start():
    return timezone.localdate() + timedelta(days=14)


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    catalog, sample = catalog_state()
    if request.method == "GET":
        currency = chosen_currency(request, catalog.rates)
        document, planning = None, None
        source = request.GET.get("from")
        if source:
            # Editing a saved trip starts from what was saved, its result included.
            saved = get_object_or_404(SavedTrip, token=source)
            document, planning = saved.trip, Planning(State.DONE, token="", result=saved.result)
        elif "example" in request.GET:
            # An example is there to show what the planner answers: plan it at once.
            document = {
                **EXAMPLE_TRIP,
                "start_date": _default_start().isoformat(),
                "currency": currency,
                "switch_penalty": str(default_switch_penalty(catalog.rates, currency)),
            }
            # through the queue, cache and limits like any other plan
            planning = plan_document(request, document, catalog=catalog)
        if document:
            initial_trip, initial_legs = trip_initial(document)
        else:
            initial_trip = {"start_date": _default_start(), "currency": currency}
            initial_legs = [{"usage": "normal"}]
        form, legs = _forms(request, catalog, None, trip=initial_trip, legs=initial_legs)
        context = _context(
            form,
            legs,
            catalog,
            planning,
            sample=sample,
            trip=document,
            esims=request.GET.get("esims"),
            request=request,
        )
        return render(request, "planner/home.html", context)

    action = request.POST.get("action", "")
    if action:
        # Add, remove or move a leg: show the form again as typed, without judging it yet.
        data = request.POST.copy()
        rows = apply_leg_action(legs_from_data(data), action)
        for key in [k for k in data if k.startswith("legs-")]:
            del data[key]
        data.update({"legs-TOTAL_FORMS": str(len(rows)), "legs-INITIAL_FORMS": "0"})
        for i, row in enumerate(rows):
            for name in LEG_FIELDS:
                data[f"legs-{i}-{name}"] = row.get(name, "")
        form, legs = _forms(request, catalog, data)
        if action == "add":
            legs.forms[-1].fields["country"].widget.attrs["autofocus"] = True
        context = _context(form, legs, catalog, None, sample=sample, quiet=True)
        template = "planner/home.html#trip-form" if request.htmx else "planner/home.html"
        return render(request, template, context)

    form, legs = _forms(request, catalog, request.POST)
    trip, planning = _plan(request, form, legs, catalog)
    if trip:
        # The trip's currency is the traveller's: the header and the country pages follow it.
        request.session["currency"] = trip["currency"]
    if planning and planning.is_pending and not request.htmx:
        return redirect("planner:planning", planning.token)
    context = _context(
        form,
        legs,
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


def _save(request: HttpRequest, trip: dict, result: dict, esims: str = "") -> HttpResponse:
    saved = SavedTrip.objects.create(
        trip=trip, result=result, catalog_version=result["catalog_version"]
    )
    url = saved.get_absolute_url()
    # The link keeps the trade-off's entry the traveller chose.
    if any(str(c.esims) == esims and not c.recommended for c in choices(result)):
        url += f"?esims={esims}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    catalog, sample = catalog_state()
    form, legs = _forms(request, catalog, request.POST)
    trip, planning = _plan(request, form, legs, catalog)
    if planning and planning.is_done:
        return _save(request, trip, planning.result, request.POST.get("esims", ""))
    if planning and planning.is_pending:
        # the planning page saves it once the worker is done
        request.session[SESSION_SAVE] = planning.token
        if not request.htmx:
            return redirect("planner:planning", planning.token)
    return _planned(request, _context(form, legs, catalog, planning, sample=sample))


@require_GET
def planning(request: HttpRequest, token: str) -> HttpResponse:
    """A queued trip: "Planning…" until its worker is done, then the result.
    htmx polls the result region; without JavaScript the page refreshes itself."""
    document = planned_trip(token)
    if document is None:
        raise Http404("no such trip being planned")
    state = planning_state(token)
    if state.is_done and request.session.get(SESSION_SAVE) == token:
        del request.session[SESSION_SAVE]
        return _save(request, document, state.result)
    catalog, sample = catalog_state()
    polls = _poll_number(request)
    if request.htmx:
        # the result region alone: no form to build for a poll
        context = _context(None, None, catalog, state, sample=sample, polls=polls)
        return render(request, "planner/home.html#result", context)
    initial_trip, initial_legs = trip_initial(document)
    form, legs = _forms(request, catalog, None, trip=initial_trip, legs=initial_legs)
    context = _context(form, legs, catalog, state, sample=sample, polls=polls)
    return render(request, "planner/home.html", context)


def _poll_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("n", 0)), 0), 100)
    except ValueError:
        return 0


@require_GET
def saved(request: HttpRequest, token: str) -> HttpResponse:
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
        context["calendar_url"] = reverse("planner:saved-calendar", args=[saved.token])
    return render(request, "planner/saved.html", context, status=status)


def _calendar_response(request: HttpRequest, saved: SavedTrip, catalog: Catalog) -> HttpResponse:
    body = trip_calendar(
        present(saved.result, catalog)["purchases"],
        token=saved.token,
        permalink=request.build_absolute_uri(saved.get_absolute_url()),
        created=saved.created_at,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    return response


@require_GET
def saved_calendar(request: HttpRequest, token: str) -> HttpResponse:
    saved = get_object_or_404(SavedTrip, token=token)
    return _calendar_response(request, saved, load_catalog())


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
def calendar(request: HttpRequest) -> HttpResponse:
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
    saved = SavedTrip.objects.create(
        trip=document, result=planning.result, catalog_version=catalog.version
    )
    return _calendar_response(request, saved, catalog)


@require_POST
def set_currency(request: HttpRequest) -> HttpResponse:
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

"""POST /api/v1/plan: a trip document in, the result document out (formats.md).

The trip is read by `parse_trip`, as `recommend` reads it, and planned through
`planner.solving` like the planner's pages: the same result cache, solve queue,
deadline and per-client rate limit. The answer is the document `recommend
--json` prints (the worker writes it with the same `to_document`), or, while
the solve is queued, 202 with the URL to poll (docs/serving.md, "The API").
"""

import re

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from config.api_schemas import Error
from config.apikit import ApiError, json_response, read_json
from planner.api_schemas import Planning as PlanningSchema
from planner.api_schemas import Result
from planner.engine.bounds import MAX_TRIP_BYTES
from planner.engine.trip import TripError
from planner.recommend import trip_error_text
from planner.solving import Planning, await_planning, plan_document, planned_trip

router = Router(tags=["planner"])

TOKEN = re.compile(r"[0-9a-f]{64}")
POLL_AFTER = 1  # seconds: the Retry-After of a 202


@router.post(
    "/plan",
    response={200: Result, 202: PlanningSchema, 400: Error, 413: Error, 429: Error, 503: Error},
    summary="Plan a trip",
    description=(
        "The cheapest plans to buy for a trip document, proven optimal or the best "
        "found within the time limit (`optimal` says which). The answer is exactly "
        "what `manage.py recommend TRIP --json` prints. Solves run in the planner's "
        "workers, bounded by PLANNER_TIME_LIMIT seconds (10 by default), and results "
        "are cached for every client: a trip planned before answers at once. A solve "
        "that is not back within a short wait answers 202 with `poll`, the URL to GET "
        "for the result (also in `Location`; ask again after `Retry-After` seconds). "
        "A client that starts too many solves gets 429 with `Retry-After`; a trip "
        "already planned or being planned does not count."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Trip"}}},
        }
    },
)
def plan(request: HttpRequest) -> HttpResponse:
    data = read_json(request, limit=MAX_TRIP_BYTES)
    try:
        # no session: an API client's solve is never superseded by another of its trips
        planning = plan_document(request, data, per_session=False)
    except TripError as error:
        raise ApiError(400, trip_error_text(error), field=error.field) from None
    return _answer(planning)


@router.get(
    "/plan/{token}",
    response={200: Result, 202: PlanningSchema, 400: Error, 404: Error},
    url_name="planned",
    summary="The result of a queued trip",
    description=(
        "Where a trip that `POST /plan` answered with 202 is: 202 while it is planned, "
        "200 with the result document once it is there, 400 when it cannot be planned "
        "(the same error `POST /plan` would give), 404 when the planner knows no such "
        "trip any more (its solve was lost or its result expired): post it again."
    ),
)
def planned(request: HttpRequest, token: str) -> HttpResponse:
    if not TOKEN.fullmatch(token) or planned_trip(token) is None:
        raise ApiError(404, f"no trip {token} is being planned: post it again", field="token")
    state = await_planning(token)
    if state.is_lost:
        raise ApiError(
            404, "the planner stopped before it found an answer: post the trip again", field="token"
        )
    return _answer(state)


def _answer(planning: Planning) -> HttpResponse:
    if planning.is_done:
        return json_response(planning.result)
    if planning.is_limited:
        raise ApiError(
            429,
            f"too many trips planned from this address in a short time: wait "
            f"{planning.retry_after} s, then try again",
            headers={"Retry-After": str(planning.retry_after)},
        )
    if planning.is_refused:
        field = planning.error["field"]
        if field:  # a TripError, as `recommend` words it
            message = trip_error_text(TripError(field, planning.error["message"]))
        else:  # too large to plan at once: the whole trip is at fault
            message, field = planning.error["message"], "trip"
        raise ApiError(400, message, field=field)
    if planning.is_lost:
        # a solve superseded or lost before this answer: nobody else skips an API trip,
        # so only a worker that died; the client may post again
        raise ApiError(
            503,
            "the planner stopped before it found an answer: post the trip again",
            headers={"Retry-After": str(POLL_AFTER)},
        )
    poll = reverse("api:planned", args=[planning.token])
    response = json_response(
        {"status": "planning", "token": planning.token, "poll": poll}, status=202
    )
    response["Location"] = poll
    response["Retry-After"] = str(POLL_AFTER)
    return response

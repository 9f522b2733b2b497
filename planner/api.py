"""POST /api/v1/plan: a trip document in, the result document out (formats.md).

The trip is read by `parse_trip`, as `recommend` reads it, and the answer is
`planner.recommend.recommend`'s document, returned as it is.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from catalog.store import offered_catalog as load_catalog
from config.api_schemas import Error
from config.apikit import ApiError, json_response, read_json
from planner.api_schemas import Result
from planner.engine.bounds import MAX_TRIP_BYTES
from planner.engine.budget import TripTooLarge
from planner.engine.trip import TripError
from planner.recommend import recommend, trip_error_text

router = Router(tags=["planner"])


@router.post(
    "/plan",
    response={200: Result, 400: Error, 413: Error},
    summary="Plan a trip",
    description=(
        "The cheapest plans to buy for a trip document, proven optimal or the best "
        "found within the time limit (`optimal` says which). The answer is exactly "
        "what `manage.py recommend TRIP --json` prints. The solve runs in the request, "
        "bounded by PLANNER_TIME_LIMIT seconds (10 by default)."
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
        document = recommend(data, load_catalog())
    except TripError as error:
        raise ApiError(400, trip_error_text(error), field=error.field) from None
    except TripTooLarge as error:
        # The command's message; the whole trip is at fault, not one of its fields.
        raise ApiError(400, str(error), field="trip") from None
    return json_response(document)

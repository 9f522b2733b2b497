"""A trip document in, the result out: what `recommend` prints and what
POST /api/v1/plan answers, from one place so the two cannot drift."""

from typing import Any

from django.conf import settings

from planner.engine.model import Catalog
from planner.engine.result import Result
from planner.engine.solve import plan_trip
from planner.engine.trip import TripError, parse_trip
from planner.explanations import result_document


def solve_trip(data: Any, catalog: Catalog) -> Result:
    """Raises TripError naming the field of a bad trip; solves within PLANNER_TIME_LIMIT."""
    trip = parse_trip(data, catalog)
    return plan_trip(trip, catalog, time_limit=settings.PLANNER_TIME_LIMIT)


def recommend(data: Any, catalog: Catalog) -> dict:
    """The result document, exactly as `recommend --json` prints it."""
    return result_document(solve_trip(data, catalog))


def trip_error_text(error: TripError) -> str:
    """The line a bad trip gets: on stderr from the command, in the API's JSON error."""
    return f"bad trip: {error}"

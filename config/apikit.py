"""What every endpoint of the JSON API (config/api.py) shares: its error document,
reading a bounded JSON body, and reads cached with the catalog version as validator.

Django and the engine's bounds, no app: `catalog` and `planner` build their routers on it.
"""

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

from planner.engine.bounds import BoundsError, load_json, size_text


class ApiError(Exception):
    """An answer other than 200: turned into the error document by config.api."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        problems: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.problems = problems
        self.headers = headers or {}


def error_response(error: ApiError) -> JsonResponse:
    body: dict[str, Any] = {"error": error.message, "field": error.field}
    if error.problems is not None:
        body["problems"] = error.problems
    response = JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})
    for name, value in error.headers.items():
        response[name] = value
    return response


def json_response(document: Any, **kwargs) -> JsonResponse:
    return JsonResponse(document, safe=False, json_dumps_params={"ensure_ascii": False}, **kwargs)


def read_json(request: HttpRequest, *, limit: int) -> Any:
    """The request body as JSON within the bounds every entry point shares
    (planner.engine.bounds), or ApiError: 413 past `limit` bytes, 400 otherwise."""
    too_big = ApiError(413, f"the body is larger than {size_text(limit)}", field="body")
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        raise ApiError(400, "Content-Length is not a number", field="body") from None
    if declared > limit:
        raise too_big
    # Read at most one byte past the limit, whatever the header said (chunked
    # bodies have none): a client cannot make us hold more than that.
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_big
    try:
        return load_json(body, max_bytes=limit, what="the body")
    except BoundsError as error:
        raise ApiError(400, str(error), field="body") from None


def json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def cached_read(
    request: HttpRequest, version: str, build: Callable[[], Any], *, day: date | None = None
) -> HttpResponse:
    """A read of the catalog: 304 when the client holds this version, else `build()`.

    A read depends on the catalog, so its version is the ETag; one that also says
    what runs today (a promotion) passes `day`, which the ETag then carries too.
    """
    etag = quote_etag(f"{version or 'empty'}{f'.{day.isoformat()}' if day else ''}")
    response = get_conditional_response(request, etag=etag)
    if response is None:
        body = build()
        # bytes: a document serialised once and kept (the whole catalog is megabytes)
        response = (
            HttpResponse(body, content_type="application/json")
            if isinstance(body, bytes)
            else json_response(body)
        )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    return response

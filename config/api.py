"""The public JSON API, mounted at /api/v1/ (README, "JSON API").

Errors are one document, `{"error", "field"}` (plus `problems` for a catalog),
with the messages the command line gives for the same input; nothing the client
sends makes a 500.
"""

import copy
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from catalog.api import router as catalog_router
from catalog.api_schemas import Catalog
from config.apikit import ApiError, error_response
from planner.api import router as planner_router
from planner.api_schemas import Trip

# Documents read by their own parsers rather than by a schema parameter: OpenAPI
# still needs their schemas among the components for the request bodies.
REQUEST_DOCUMENTS = (Trip, Catalog)
EXAMPLE_FOLDERS = ("examples", "examples-v2")

DESCRIPTION = """\
Which mobile data plans to buy for a trip through several countries, proven
cheapest, and the catalog of plans it chooses from. The documents are those of
formats.md: decimals are strings, dates ISO 8601, unknown keys refused.

Reads carry the catalog version as `ETag`: send it back in `If-None-Match` to get
a 304 while the catalog is unchanged. Errors are `{"error": message, "field": the
field at fault}`, with the messages the command line gives."""


class RoamplanAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # A copy: the schema shares the operations' `openapi_extra` dicts, which the
        # examples must not be written into.
        schema = copy.deepcopy(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in REQUEST_DOCUMENTS:
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components[model.__name__] = definition
        add_examples(schema, [settings.SHARED_DIR / name for name in EXAMPLE_FOLDERS])
        return schema


def add_examples(schema: dict, folders: list[Path]) -> None:
    """The worked examples of ../shared/examples (v1 and v2) as the endpoints' examples.

    Read where they live, never copied into the repository: without the folders (a
    production machine, say) the document is the same, less its examples.
    """
    cases = sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*/trip.json"))
    if not cases:
        return
    trips = {case.parent.name: _read(case) for case in cases}
    catalogs = {case.parent.name: _read(case.parent / "catalog.json") for case in cases}
    first = cases[0].parent.name

    def operation(method: str, path: str) -> dict:
        return next(ops[method] for url, ops in schema["paths"].items() if url.endswith(path))

    def request_examples(method: str, path: str, documents: dict) -> None:
        content = operation(method, path)["requestBody"]["content"]["application/json"]
        content["examples"] = {name: {"value": doc} for name, doc in documents.items()}

    def parameter_example(method: str, path: str, name: str, value: str) -> None:
        parameter = next(p for p in operation(method, path)["parameters"] if p["name"] == name)
        parameter["example"] = value

    request_examples("post", "/plan", trips)
    request_examples("put", "/catalog", catalogs)
    answer = operation("get", "/catalog")["responses"][200]["content"]["application/json"]
    answer["examples"] = {first: {"value": catalogs[first]}}
    parameter_example("get", "/countries/{code}/plans", "code", trips[first]["legs"][0]["country"])
    plan = catalogs[first]["operators"][0]["plans"][0]["slug"]
    parameter_example("get", "/plans/{slug}", "slug", plan)


def without_examples(node: Any) -> Any:
    """The document as committed in docs/openapi.json: the shared examples left out."""
    if isinstance(node, dict):
        return {k: without_examples(v) for k, v in node.items() if k not in ("examples", "example")}
    if isinstance(node, list):
        return [without_examples(v) for v in node]
    return node


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


api = RoamplanAPI(
    title="Roamplan API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    # Served from django-ninja's own static files (ninja is an installed app), under
    # our CSP; no validator badge, which would call a third-party site.
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": True}),
    docs_url="/docs",
)
api.add_router("", planner_router)
api.add_router("", catalog_router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return error_response(error)


@api.exception_handler(ValidationError)
def _bad_parameter(request: HttpRequest, error: ValidationError) -> HttpResponse:
    first = error.errors[0]
    # ("query", "page") → "page": the name the client wrote
    field = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
    message = f"{field}: {first.get('msg')}" if field else str(first.get("msg"))
    return error_response(ApiError(400, message, field=field))


@api.exception_handler(AuthenticationError)
def _no_token(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(
        ApiError(
            401,
            "a staff token is needed: send Authorization: Bearer KEY with a key created in "
            "admin for a member of the catalog editor group, not revoked",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(ApiError(404, str(error) or "not found"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return error_response(ApiError(error.status_code, str(error)))


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/: the API's 404 document, not the site's HTML page."""
    return error_response(ApiError(404, f"no endpoint {request.path} (see /api/v1/docs)"))

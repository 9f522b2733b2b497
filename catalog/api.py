"""The catalog through the JSON API: countries, their plans, one plan, the whole
catalog document, and PUT /catalog for staff tokens.

Reads answer from the catalog on offer and carry its version as ETag. PUT reads
the document with `parse_catalog` and applies it with the importer, as
`import_catalog` and the admin import do: all or nothing, the same preview numbers.
"""

import json
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import parse_etags, quote_etag
from django_countries import countries
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer

from catalog import store
from catalog.api_schemas import Catalog, Countries, CountryPlans, ImportAnswer, PlanDetail
from catalog.document import (
    CatalogDocument,
    CatalogError,
    dump_catalog,
    dump_plan,
    format_decimal,
    parse_catalog,
)
from catalog.forms import DIRECTIONS, SORTS, CountryPlansForm
from catalog.importer import ImportPreview, apply_import, preview_import
from catalog.listing import (
    FIRST_DIRECTION,
    PER_PAGE,
    country_counts,
    country_operators,
    country_plans,
    paginate,
    set_shown_prices,
)
from catalog.models import ApiToken, CatalogVersion, Plan
from config.api_schemas import Error
from config.apikit import ApiError, cached_read, json_bytes, json_response, read_json
from planner.engine.countries import is_country_code
from planner.engine.money import money_text

router = Router(tags=["catalog"])

# The problems listed in an error, as import_catalog prints at most this many.
PROBLEMS_SHOWN = 50


def _version() -> str:
    current = CatalogVersion.current()
    return current.label if current else ""


# --- reads


@router.get("/countries", response={200: Countries}, summary="Countries with plans")
def country_list(request: HttpRequest) -> HttpResponse:
    version = _version()

    def build() -> dict:
        with translation.override("en"):
            rows = [
                {
                    "code": code,
                    "name": countries.name(code),
                    "plans": n,
                    "url": reverse("api:country_plan_list", args=[code]),
                }
                for code, n in country_counts(version).items()
            ]
        return {"countries": sorted(rows, key=lambda r: r["name"]), "catalog_version": version}

    return cached_read(request, version, build)


# The country page's own choices; its "" (all plans) is "all" in the API.
_SCOPES = tuple(value or "all" for value, _label in CountryPlansForm.base_fields["scope"].choices)


class PlanFilters(Schema):
    """The country page's filters, sorting and pagination."""

    q: str = Field(
        "",
        max_length=CountryPlansForm.base_fields["q"].max_length,
        description="part of the plan's or the operator's name",
    )
    operator: str = Field("", description="one operator's slug (empty: every operator)")
    sort: Literal[tuple(SORTS)] = "price"
    dir: Literal[tuple(DIRECTIONS)] | None = Field(
        None,
        description="asc or desc; by default the sort's first direction "
        "(cheapest, longest, most data)",
    )
    scope: Literal[_SCOPES] = "all"
    five_g: bool = Field(False, description="5G in this country")
    hotspot: bool = False
    voice: bool = Field(False, description="with a phone number")
    page: int = Field(1, ge=1)


@router.get(
    "/countries/{code}/plans",
    response={200: CountryPlans, 400: Error, 404: Error},
    summary="Plans covering a country",
    description=f"As the country page lists them, {PER_PAGE} a page.",
)
def country_plan_list(request: HttpRequest, code: str, filters: Query[PlanFilters]) -> HttpResponse:
    code = code.upper()
    if not is_country_code(code):
        raise ApiError(404, f"{code!r} is not an ISO 3166-1 alpha-2 code (nor XK)", field="code")
    today = timezone.localdate()
    version = _version()
    if filters.operator and filters.operator not in dict(country_operators(code, version)):
        raise ApiError(
            400,
            f"operator: no offered plan of {filters.operator!r} covers {code}",
            field="operator",
        )
    options = {
        "q": filters.q.strip(),
        "operator": filters.operator,
        "sort": filters.sort,
        "dir": filters.dir or FIRST_DIRECTION[filters.sort],
        "scope": "" if filters.scope == "all" else filters.scope,
        "five_g": filters.five_g,
        "hotspot": filters.hotspot,
        "voice": filters.voice,
    }

    def build() -> dict:
        rates = store.rates_or_default()
        plans = country_plans(code, options, rates, today=today)
        paginator = paginate(plans, code, options, version)
        try:
            page = paginator.page(filters.page)
        except EmptyPage:
            raise ApiError(
                404, f"page {filters.page} is past the last ({paginator.num_pages})", field="page"
            ) from None
        set_shown_prices(page, rates)
        with translation.override("en"):
            name = countries.name(code)
        return {
            "code": code,
            "name": name,
            **{**options, "scope": filters.scope},
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "per_page": PER_PAGE,
            "plans": [_row(plan, rates.base) for plan in page],
            "catalog_version": version,
        }

    return cached_read(request, version, build, day=today)


def _row(plan: Plan, base: str) -> dict:
    def base_money(amount):
        return None if amount is None else {"amount": money_text(amount), "currency": base}

    return {
        "slug": plan.slug,
        "name": plan.name,
        "operator": {"slug": plan.operator.slug, "name": plan.operator.name},
        "price": {"amount": format_decimal(plan.price), "currency": plan.currency},
        "price_base": base_money(plan.base_price_shown),
        "price_per_gb_base": base_money(plan.base_price_per_gb_shown),
        "validity_days": plan.validity_days,
        "data_gb": None if plan.data_gb is None else format_decimal(plan.data_gb),
        "daily_gb": None if plan.daily_gb is None else format_decimal(plan.daily_gb),
        "network": plan.network_here,
        "countries": plan.country_count,
        "hotspot": plan.hotspot,
        "voice": plan.voice,
        "promotion_today": plan.promotion_today,
        "url": reverse("api:plan_detail", args=[plan.slug]),
    }


@router.get(
    "/plans/{slug}",
    response={200: PlanDetail, 404: Error},
    summary="One plan",
    description="The plan as the catalog document writes it, retired plans included.",
)
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    version = _version()

    def build() -> dict:
        found = store.plans(Plan.objects.filter(slug=slug))
        if not found:
            raise ApiError(404, f"no plan {slug!r} in the catalog", field="slug")
        plan = found[0].plan
        return {
            **dump_plan(plan, store.regions()),
            "operator": plan.operator,
            "offered": Plan.objects.offered().filter(slug=slug).exists(),
            "catalog_version": version,
        }

    return cached_read(request, version, build)


@router.get(
    "/catalog",
    response={200: Catalog},
    summary="The catalog on offer",
    description="The `esim-catalog/1` document `manage.py export_catalog` writes.",
)
def catalog_document(request: HttpRequest) -> HttpResponse:
    version = _version()

    def build() -> bytes:
        # Written once per version for all processes: the real catalog is 8 MB of JSON.
        return cache.get_or_set(
            f"api:catalog:{version}",
            lambda: json_bytes(dump_catalog(store.offered_document())),
            3600,
        )

    return cached_read(request, version, build)


# --- updates by staff


class StaffToken(HttpBearer):
    """A key created in admin for a member of the catalog editor group."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return ApiToken.authenticate(token)


def _counts(added: list, changed: list, retired: list) -> dict:
    return {"added": len(added), "changed": len(changed), "retired": len(retired)}


def _answer(preview: ImportPreview, *, dry_run: bool, applied: bool, version: str) -> dict:
    return {
        "dry_run": dry_run,
        "applied": applied,
        "replace": preview.replace,
        "plans_read": len(preview.doc.plans),
        "summary": preview.summary,
        "plans": _counts(preview.added, preview.updated, preview.retired),
        "operators": _counts(
            preview.operators_added, preview.operators_updated, preview.operators_retired
        ),
        "rates_changed": preview.rates_changed,
        "regions_changed": preview.regions_changed,
        "catalog_version": version,
    }


def _is_sample(doc: CatalogDocument) -> bool:
    # As import_catalog marks the shipped sample file: the pages then say "Sample data".
    return doc == parse_catalog(json.loads(settings.SAMPLE_CATALOG.read_text(encoding="utf-8")))


@router.put(
    "/catalog",
    auth=StaffToken(),
    response={200: ImportAnswer, 400: Error, 401: Error, 412: Error, 413: Error},
    summary="Update the catalog (staff)",
    description=(
        "Applies an `esim-catalog/1` document as `import_catalog` does: validated whole "
        "first, then written in one transaction, or not at all. Plans and operators "
        "are matched by slug; with `replace`, those missing from the document are "
        "retired. `dry_run` answers the same numbers without changing anything. Send "
        "`If-Match` with the ETag of GET /catalog to apply only onto that version."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Catalog"}}},
        }
    },
)
def catalog_update(
    request: HttpRequest,
    dry_run: bool = Query(False, description="show what would change, change nothing"),
    replace: bool = Query(False, description="retire what the document lacks"),
) -> HttpResponse:
    data = read_json(request, limit=settings.CATALOG_IMPORT_MAX_BYTES)
    try:
        doc = parse_catalog(data)
    except CatalogError as error:
        problems = [
            {
                "field": p.field,
                "message": p.message,
                "operator": p.operator,
                "plan": p.plan,
                "text": str(p),
            }
            for p in error.problems[:PROBLEMS_SHOWN]
        ]
        raise ApiError(400, str(error), field=error.problems[0].field, problems=problems) from None
    token: ApiToken = request.auth
    with transaction.atomic():
        version = _version()
        expected = request.headers.get("If-Match")
        if expected is not None and parse_etags(expected) not in (["*"], [quote_etag(version)]):
            raise ApiError(
                412,
                f"the catalog is at version {version}, not {expected}",
                field="If-Match",
            )
        preview = preview_import(doc, replace=replace)
        applied = None
        if not dry_run:
            applied = apply_import(
                preview,
                user=token.user,
                note=f"API import ({token.name})",
                sample=_is_sample(doc),
            )
    return json_response(
        _answer(
            preview,
            dry_run=dry_run,
            applied=applied is not None,
            version=applied.label if applied else version,
        )
    )

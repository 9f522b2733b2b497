"""The JSON API's schemas of the catalog: the `esim-catalog/1` document and the
answers of catalog/api.py.

A plan's and a promotion's terms are not written out a second time: their names
are `PLAN_TERMS` / `PROMOTION_TERMS`, their types the engine dataclasses', and
their defaults what `parse_catalog` fills in for a document that omits them
(read back through `dump_plan`). A term added to the parser appears here.
"""

from datetime import date
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from catalog.document import (
    _PLAN_REQUIRED,
    _PROMOTION_REQUIRED,
    FORMAT,
    PLAN_TERMS,
    PROMOTION_TERMS,
    dump_plan,
    parse_catalog,
)
from config.api_schemas import DECIMAL, Document, Money, document_model
from planner.engine import model as engine


def _parsed_defaults() -> tuple[dict, dict]:
    """What the parser gives a plan and a promotion that state only what is required."""
    document = {
        "format": FORMAT,
        "rates": {"base": "EUR", "per_base": {"EUR": "1"}},
        "operators": [
            {
                "slug": "o",
                "name": "o",
                "kind": "reseller",
                "plans": [
                    {
                        "slug": "p",
                        "name": "p",
                        "price": "1",
                        "currency": "EUR",
                        "validity_days": 1,
                        "data_gb": None,
                        "coverage": [{"countries": ["FR"], "network": "4G"}],
                        "promotions": [
                            {"discount_percent": "1", "starts": "2026-01-01", "ends": "2026-01-01"}
                        ],
                    }
                ],
            }
        ],
    }
    (plan,) = parse_catalog(document).plans
    written = dump_plan(plan, {})
    return written, written["promotions"][0]


_PLAN_DEFAULTS, _PROMOTION_DEFAULTS = _parsed_defaults()


class Rates(Document):
    base: str
    as_of: date | None = None
    per_base: dict[str, str] = Field(description="units of each currency per unit of base")


class Coverage(Document):
    countries: list[str] = Field(description='ISO codes and "@REGION" names')
    network: engine.Network
    cap_gb: str | None = Field(None, description='GB, or "eu-fair-use"')
    overage_per_gb: str | None = Field(None, pattern=DECIMAL)


Promotion = document_model(
    "Promotion",
    engine.Promotion,
    PROMOTION_TERMS,
    required=_PROMOTION_REQUIRED,
    defaults=_PROMOTION_DEFAULTS,
)

CatalogPlan = document_model(
    "CatalogPlan",
    engine.Plan,
    PLAN_TERMS,
    required=_PLAN_REQUIRED,
    defaults=_PLAN_DEFAULTS,
    before={"slug": (str, ...)},
    after={
        "coverage": (list[Coverage], Field(min_length=1)),
        "promotions": (list[Promotion], []),
    },
)


class CatalogOperator(Document):
    slug: str
    name: str
    country: str | None = None
    kind: engine.OperatorKind
    website: str = ""
    plans: list[CatalogPlan] = []  # type: ignore[valid-type]


class Catalog(Document):
    """The `esim-catalog/1` document: what export_catalog writes and import_catalog reads."""

    format: Literal[FORMAT]  # type: ignore[valid-type]
    rates: Rates
    regions: dict[str, list[str]] = {}
    operators: list[CatalogOperator]


# --- answers


class CountryRow(Schema):
    code: str
    name: str = Field(description="in English")
    plans: int = Field(description="offered plans covering the country")
    url: str


class Countries(Schema):
    countries: list[CountryRow]
    catalog_version: str


class OperatorRef(Schema):
    slug: str
    name: str


class PlanRow(Schema):
    slug: str
    name: str
    operator: OperatorRef
    price: Money = Field(description="as listed, in the plan's currency")
    price_base: Money | None = Field(description="in the catalog's base currency")
    price_per_gb_base: Money | None
    validity_days: int
    data_gb: str | None
    daily_gb: str | None
    network: str = Field(description="in this country")
    countries: int = Field(description="how many countries the plan covers")
    hotspot: bool
    voice: bool
    promotion_today: bool
    url: str


class CountryPlans(Schema):
    code: str
    name: str
    q: str
    operator: str
    sort: str
    dir: str
    scope: str
    five_g: bool
    hotspot: bool
    voice: bool
    count: int
    page: int
    pages: int
    per_page: int
    plans: list[PlanRow]
    catalog_version: str


class PlanDetail(CatalogPlan):  # type: ignore[valid-type, misc]
    operator: str
    offered: bool = Field(description="false once retired (kept for history)")
    catalog_version: str
    # the plan's own terms, then these three: no other key
    model_config = ConfigDict(extra="forbid")


class Counts(Schema):
    added: int
    changed: int
    retired: int


class ImportAnswer(Schema):
    dry_run: bool
    applied: bool = Field(description="whether the catalog changed")
    replace: bool
    plans_read: int
    summary: str = Field(description="the line import_catalog and the admin preview show")
    plans: Counts
    operators: Counts
    rates_changed: bool
    regions_changed: bool
    catalog_version: str = Field(description="the version in force after the request")

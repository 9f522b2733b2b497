"""The OpenAPI document: valid, equal to the committed docs/openapi.json, with the
shared examples, and describing the very documents the parsers read and write."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from catalog import document as catalog_document
from planner.engine import trip as trip_document
from planner.management.commands.openapi import committed_text

pytestmark = pytest.mark.django_db

COMMITTED = settings.BASE_DIR / "docs" / "openapi.json"
EXAMPLES = sorted(
    p
    for folder in ("examples", "examples-v2")
    for p in (settings.SHARED_DIR / folder).iterdir()
    if p.is_dir()
)


@pytest.fixture(scope="module")
def openapi():
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _validator(openapi: dict, name: str) -> Draft202012Validator:
    return Draft202012Validator({**openapi, "$ref": f"#/components/schemas/{name}"})


def _errors(openapi: dict, name: str, document) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(openapi, name).iter_errors(document)
    ]


def test_it_is_a_valid_openapi_document(openapi):
    validate(openapi)
    assert openapi["info"]["title"] == "Roamplan API"
    assert set(openapi["paths"]) == {
        "/api/v1/plan",
        "/api/v1/plan/{token}",
        "/api/v1/countries",
        "/api/v1/countries/{code}/plans",
        "/api/v1/plans/{slug}",
        "/api/v1/catalog",
    }


def test_it_equals_the_committed_copy():
    # A change to the API is deliberate: `manage.py openapi docs/openapi.json`.
    assert committed_text() == COMMITTED.read_text(encoding="utf-8"), (
        "the API's schema changed: if on purpose, run "
        "`DEBUG=1 .venv/bin/python manage.py openapi docs/openapi.json`"
    )


def test_the_command_prints_the_committed_copy():
    out = io.StringIO()
    call_command("openapi", stdout=out)
    assert out.getvalue() == COMMITTED.read_text(encoding="utf-8")


def test_it_gives_each_endpoint_examples_from_the_shared_cases(openapi):
    paths = openapi["paths"]
    trips = paths["/api/v1/plan"]["post"]["requestBody"]["content"]["application/json"]
    assert set(trips["examples"]) == {p.name for p in EXAMPLES}
    first = EXAMPLES[0]
    assert trips["examples"][first.name]["value"] == json.loads((first / "trip.json").read_text())
    catalogs = paths["/api/v1/catalog"]["put"]["requestBody"]["content"]["application/json"]
    assert set(catalogs["examples"]) == {p.name for p in EXAMPLES}
    answer = paths["/api/v1/catalog"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["examples"][first.name]["value"] == json.loads(
        (first / "catalog.json").read_text()
    )
    for path, name in (
        ("/api/v1/countries/{code}/plans", "code"),
        ("/api/v1/plans/{slug}", "slug"),
    ):
        (parameter,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == name]
        assert parameter["example"]


def test_the_put_needs_a_bearer_token(openapi):
    put = openapi["paths"]["/api/v1/catalog"]["put"]
    (scheme,) = put["security"][0]
    assert openapi["components"]["securitySchemes"][scheme] == {"type": "http", "scheme": "bearer"}
    assert {"400", "401", "412", "413"} <= set(put["responses"])


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_trips_and_catalogs_fit_the_schemas(openapi, folder):
    assert _errors(openapi, "Trip", json.loads((folder / "trip.json").read_text())) == []
    assert _errors(openapi, "Catalog", json.loads((folder / "catalog.json").read_text())) == []


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_results_fit_the_result_schema(openapi, folder, client):
    call_command("import_catalog", str(folder / "catalog.json"), verbosity=0)
    out = io.StringIO()
    call_command("recommend", str(folder / "trip.json"), "--json", stdout=out)

    assert _errors(openapi, "Result", json.loads(out.getvalue())) == []


def test_the_sample_catalog_export_fits_the_catalog_schema(openapi):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    out = io.StringIO()
    call_command("export_catalog", stdout=out)

    assert _errors(openapi, "Catalog", json.loads(out.getvalue())) == []


def _properties(openapi: dict, name: str) -> set[str]:
    return set(openapi["components"]["schemas"][name]["properties"])


def test_the_schemas_name_exactly_the_keys_the_parsers_accept(openapi):
    # One definition of the rules: the parsers. The schemas must at least agree on
    # which keys exist, so that a key added to a parser shows up here as a failure.
    assert _properties(openapi, "Trip") == trip_document._TRIP_KEYS
    assert _properties(openapi, "Leg") == trip_document._LEG_KEYS
    assert _properties(openapi, "Catalog") == catalog_document._TOP_KEYS
    assert _properties(openapi, "Rates") == catalog_document._RATES_KEYS
    assert _properties(openapi, "CatalogOperator") == catalog_document._OPERATOR_KEYS
    assert _properties(openapi, "CatalogPlan") == catalog_document._PLAN_KEYS
    assert _properties(openapi, "Coverage") == catalog_document._COVERAGE_KEYS
    assert _properties(openapi, "Promotion") == catalog_document._PROMOTION_KEYS
    for name, keys in (
        ("Trip", {"start_date", "legs"}),
        ("Catalog", catalog_document._TOP_REQUIRED),
        ("CatalogPlan", catalog_document._PLAN_REQUIRED),
        ("Coverage", catalog_document._COVERAGE_REQUIRED),
        ("Promotion", catalog_document._PROMOTION_REQUIRED),
    ):
        assert set(openapi["components"]["schemas"][name]["required"]) == keys, name


def test_a_bad_trip_fails_the_schema_too(openapi):
    trip = {"start_date": "2026-06-01", "legs": [], "devise": "EUR"}
    assert len(_errors(openapi, "Trip", trip)) == 2


def test_the_command_writes_the_committed_copy_to_a_file(tmp_path):
    target = tmp_path / "openapi.json"

    call_command("openapi", str(target))

    assert target.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")


def test_the_command_says_so_when_it_cannot_write(tmp_path):
    with pytest.raises(CommandError, match="No such file or directory"):
        call_command("openapi", str(tmp_path / "missing" / "openapi.json"))


def test_without_the_shared_examples_the_document_is_the_same_less_its_examples(
    settings, tmp_path, openapi
):
    from config.api import api, without_examples

    settings.SHARED_DIR = tmp_path
    bare = json.loads(json.dumps(api.get_openapi_schema(), default=str))

    assert without_examples(bare) == without_examples(openapi)
    body = bare["paths"]["/api/v1/plan"]["post"]["requestBody"]["content"]["application/json"]
    assert "examples" not in body

"""The catalog through /api/v1/: reads as the pages and export_catalog give them,
cached by catalog version; PUT /catalog for staff tokens, all or nothing."""

import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from catalog.document import parse_catalog
from catalog.importer import preview_import
from catalog.models import ApiToken, CatalogVersion, Plan, PlanChange
from tests.catalog.documents import catalog_doc, operator_doc, plan_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_catalog():
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def _editor(name: str = "editor") -> User:
    user = User.objects.create_user(username=name, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="catalog editor"))
    return user


def _token(user: User | None = None) -> tuple[ApiToken, str]:
    token = ApiToken(user=user or _editor(), name="feed")
    key = token.issue()
    token.save()
    return token, key


def _put(client, document, key: str | None = None, query: str = "", **headers):
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    text = document if isinstance(document, str) else json.dumps(document)
    return client.put(
        f"/api/v1/catalog{query}", data=text, content_type="application/json", headers=headers
    )


def _export() -> dict:
    out = io.StringIO()
    call_command("export_catalog", stdout=out)
    return json.loads(out.getvalue())


def _version() -> str:
    return CatalogVersion.current().label


# --- reads


def test_it_lists_the_countries_with_their_plan_counts(client, sample_catalog):
    response = client.get("/api/v1/countries")

    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["countries"]}
    page = client.get("/countries/")
    assert {code: n for code, _name, n in page.context["rows"]} == {
        code: row["plans"] for code, row in rows.items()
    }
    assert rows["CH"]["name"] == "Switzerland"
    assert rows["CH"]["url"] == "/api/v1/countries/CH/plans"
    assert response.json()["catalog_version"] == _version()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sort": "price_per_gb"},
        {"sort": "validity", "scope": "regional"},
        {"scope": "local"},
        {"five_g": "true"},
        {"hotspot": "1", "voice": "true"},
        {"q": "week"},
        {"q": " Roam "},
        {"operator": "roamless"},
        {"sort": "price", "dir": "desc"},
        {"sort": "data", "dir": "asc"},
        {"sort": "validity", "dir": "asc", "q": "e"},
    ],
)
def test_it_lists_a_countrys_plans_as_its_page_does(client, sample_catalog, query):
    page_query = {**query}
    if page_query.get("scope") == "all":
        page_query["scope"] = ""
    page = client.get(
        "/countries/FR/", {k: "on" if v in ("1", "true") else v for k, v in page_query.items()}
    )

    response = client.get("/api/v1/countries/fr/plans", query)

    assert response.status_code == 200
    body = response.json()
    assert [row["slug"] for row in body["plans"]] == [p.slug for p in page.context["page"]]
    assert body["count"] == page.context["page"].paginator.count
    assert body["code"] == "FR"


def test_it_gives_each_listed_plan_its_price_exactly_and_in_base_currency(client, sample_catalog):
    rows = client.get("/api/v1/countries/CH/plans", {"sort": "price"}).json()["plans"]

    foreign = next(row for row in rows if row["price"]["currency"] != "EUR")
    plan = Plan.objects.get(slug=foreign["slug"])
    assert foreign["price"]["amount"] == format(plan.price.normalize(), "f")
    assert foreign["price_base"]["currency"] == "EUR"
    assert foreign["url"] == f"/api/v1/plans/{plan.slug}"
    assert foreign["operator"]["slug"] == plan.operator.slug


def test_it_pages_the_plans(client, sample_catalog, monkeypatch):
    monkeypatch.setattr("catalog.listing.PER_PAGE", 2)
    first = client.get("/api/v1/countries/FR/plans").json()
    second = client.get("/api/v1/countries/FR/plans", {"page": 2}).json()

    assert len(first["plans"]) == 2
    assert first["pages"] == -(-first["count"] // 2)
    assert {r["slug"] for r in first["plans"]}.isdisjoint(r["slug"] for r in second["plans"])


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"sort": "xyz"}, 400, "sort"),
        ({"scope": "galactic"}, 400, "scope"),
        ({"page": "-1"}, 400, "page"),
        ({"page": "two"}, 400, "page"),
        ({"five_g": "maybe"}, 400, "five_g"),
        ({"page": "999"}, 404, "page"),
    ],
)
def test_it_refuses_bad_filters_naming_them(client, sample_catalog, query, status, field):
    response = client.get("/api/v1/countries/FR/plans", query)

    assert response.status_code == status
    assert response.json()["field"] == field
    assert field in response.json()["error"]


def test_it_refuses_an_operator_with_no_plan_for_the_country_naming_the_field(
    client, sample_catalog
):
    response = client.get("/api/v1/countries/FR/plans", {"operator": "no-such-operator"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "operator: no offered plan of 'no-such-operator' covers FR",
        "field": "operator",
    }
    bad = client.get("/api/v1/countries/FR/plans", {"dir": "up"})
    assert bad.status_code == 400 and bad.json()["field"] == "dir"


def test_it_answers_404_for_a_country_that_is_not_one(client, sample_catalog):
    response = client.get("/api/v1/countries/XX/plans")

    assert response.status_code == 404
    assert response.json() == {
        "error": "'XX' is not an ISO 3166-1 alpha-2 code (nor XK)",
        "field": "code",
    }


def test_it_gives_a_plan_as_the_catalog_document_writes_it(client, sample_catalog):
    exported = _export()
    operator = exported["operators"][0]
    written = operator["plans"][0]

    response = client.get(f"/api/v1/plans/{written['slug']}")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        **written,
        "operator": operator["slug"],
        "offered": True,
        "catalog_version": _version(),
    }


def test_it_says_a_retired_plan_is_no_longer_offered(client, sample_catalog):
    plan = Plan.objects.first()
    plan.retired_at = timezone.now()
    plan.save()
    CatalogVersion.bump("retire")

    assert client.get(f"/api/v1/plans/{plan.slug}").json()["offered"] is False


def test_it_answers_404_for_an_unknown_plan(client, sample_catalog):
    response = client.get("/api/v1/plans/no-such-plan")

    assert response.status_code == 404
    assert response.json() == {"error": "no plan 'no-such-plan' in the catalog", "field": "slug"}


def test_it_gives_the_catalog_export_catalog_writes(client, sample_catalog):
    response = client.get("/api/v1/catalog")

    assert response.status_code == 200
    assert response.json() == _export()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/countries", "/api/v1/countries/CH/plans", "/api/v1/plans/", "/api/v1/catalog"],
)
def test_it_lets_clients_cache_reads_by_catalog_version(client, sample_catalog, url):
    if url.endswith("/plans/"):
        url += Plan.objects.first().slug
    first = client.get(url)
    today = "." + timezone.localdate().isoformat() if "/countries/" in url else ""
    assert first["ETag"] == f'"{_version()}{today}"'
    assert "public" in first["Cache-Control"]
    assert f"max-age={settings.API_CACHE_SECONDS}" in first["Cache-Control"]

    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""

    CatalogVersion.bump("a change")
    fresh = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert fresh.status_code == 200
    assert fresh["ETag"] == f'"{_version()}{today}"' != first["ETag"]


def test_a_countrys_plans_are_revalidated_the_next_day(client, sample_catalog, monkeypatch):
    # whether a promotion runs today is in the answer: a new day is a new answer
    first = client.get("/api/v1/countries/FR/plans")
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr("catalog.api.timezone.localdate", lambda: tomorrow)

    again = client.get("/api/v1/countries/FR/plans", headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] == f'"{_version()}.{tomorrow.isoformat()}"'


# --- PUT /catalog


def _changed_sample() -> dict:
    doc = json.loads(settings.SAMPLE_CATALOG.read_text())
    plan = doc["operators"][0]["plans"][0]
    plan["price"] = "77.70"
    return doc


def test_a_staff_token_dry_runs_a_catalog_without_changing_it(client, sample_catalog):
    _token_row, key = _token()
    before, version = _export(), _version()
    doc = _changed_sample()
    expected = preview_import(parse_catalog(doc))

    response = _put(client, doc, key, "?dry_run=1")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "dry_run": True,
        "applied": False,
        "replace": False,
        "plans_read": len(expected.doc.plans),
        "summary": expected.summary,
        "plans": {"added": 0, "changed": 1, "retired": 0},
        "operators": {"added": 0, "changed": 0, "retired": 0},
        "rates_changed": False,
        "regions_changed": False,
        "catalog_version": version,
    }
    assert _export() == before
    assert _version() == version


def test_a_staff_token_applies_a_catalog(client, sample_catalog):
    token, key = _token()
    doc = _changed_sample()
    slug = doc["operators"][0]["plans"][0]["slug"]
    version = _version()

    response = _put(client, doc, key)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["applied"] is True
    assert body["summary"] == (
        "0 plan(s) added, 1 changed, 0 retired, 0 operator(s) added, 0 changed, 0 retired"
    )
    assert body["catalog_version"] == _version() != version
    assert client.get(f"/api/v1/plans/{slug}").json()["price"] == "77.7"
    change = PlanChange.objects.get(plan__slug=slug)
    assert change.changed_by == token.user
    assert CatalogVersion.current().changed_by == token.user
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_retires_what_the_document_lacks_with_replace(client, sample_catalog):
    _token_row, key = _token()
    doc = json.loads(settings.SAMPLE_CATALOG.read_text())
    dropped = doc["operators"][0]["plans"].pop()

    body = _put(client, doc, key, "?replace=1").json()

    assert body["plans"]["retired"] == 1
    assert client.get(f"/api/v1/plans/{dropped['slug']}").json()["offered"] is False


def test_putting_the_same_catalog_again_changes_nothing(client, sample_catalog):
    _token_row, key = _token()
    version = _version()

    body = _put(client, settings.SAMPLE_CATALOG.read_text(), key).json()

    assert body["applied"] is False
    assert body["summary"] == "no change"
    assert _version() == version


def _unusable_keys() -> dict:
    revoked, revoked_key = _token(_editor("revoked"))
    revoked.revoked_at = timezone.now()
    revoked.save()
    left = _editor("left")
    _row, left_key = _token(left)
    left.groups.clear()
    gone = _editor("gone")
    _row, gone_key = _token(gone)
    gone.is_active = False
    gone.save()
    return {
        "revoked": revoked_key,
        "left the group": left_key,
        "inactive": gone_key,
        "made up": "rp_" + "x" * 43,
    }


def test_a_missing_or_unusable_token_cannot_update_the_catalog(client, sample_catalog):
    before, version = _export(), _version()
    keys = _unusable_keys()

    answers = {"missing": _put(client, _changed_sample())}
    answers.update({why: _put(client, _changed_sample(), key) for why, key in keys.items()})
    answers["not bearer"] = _put(
        client, _changed_sample(), Authorization=f"Token {keys['revoked']}"
    )

    for why, response in answers.items():
        assert response.status_code == 401, why
        assert response.json()["field"] == "Authorization"
        assert response["WWW-Authenticate"] == "Bearer"
    assert _export() == before
    assert _version() == version


def test_a_broken_catalog_changes_nothing_and_names_its_rows(client, sample_catalog, tmp_path):
    _token_row, key = _token()
    before, version = _export(), _version()
    doc = _changed_sample()
    doc["operators"][0]["plans"][1]["price"] = "-3"
    doc["operators"][1]["plans"][0]["currency"] = "XYZ"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError) as cli:
        call_command("import_catalog", str(path))

    response = _put(client, doc, key)

    assert response.status_code == 400
    body = response.json()
    assert [f"{path}: {p['text']}" for p in body["problems"]] == str(cli.value).splitlines()
    first = body["problems"][0]
    assert body["field"] == first["field"] == "price"
    assert first["operator"] == doc["operators"][0]["slug"]
    assert first["plan"] == doc["operators"][0]["plans"][1]["slug"]
    assert body["error"].startswith(first["text"])
    assert _export() == before
    assert _version() == version


def test_it_applies_only_onto_the_version_named_in_if_match(client, sample_catalog):
    _token_row, key = _token()
    stale = client.get("/api/v1/catalog")["ETag"]
    CatalogVersion.bump("someone else")
    version = _version()

    refused = _put(client, _changed_sample(), key, **{"If-Match": stale})
    accepted = _put(client, _changed_sample(), key, **{"If-Match": f'"{version}"'})

    assert refused.status_code == 412
    assert refused.json()["field"] == "If-Match"
    assert accepted.status_code == 200
    assert accepted.json()["applied"] is True


def test_it_refuses_a_catalog_over_the_limit_with_413(client, sample_catalog, settings):
    _token_row, key = _token()
    settings.CATALOG_IMPORT_MAX_BYTES = 1000
    version = _version()

    response = _put(client, _changed_sample(), key)

    assert response.status_code == 413
    assert response.json()["field"] == "body"
    assert _version() == version


def test_it_refuses_a_document_that_is_not_a_catalog(client, sample_catalog):
    _token_row, key = _token()

    not_json = _put(client, "{", key)
    wrong = _put(
        client, catalog_doc(operators=[operator_doc(plans=[plan_doc(validity_days=0)])]), key
    )

    assert not_json.status_code == 400
    assert not_json.json()["field"] == "body"
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "validity_days"


# --- tokens in admin


def test_admin_shows_a_new_tokens_key_once_and_stores_only_its_hash(client):
    admin = User.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    editor = _editor()

    response = client.post(
        reverse("admin:catalog_apitoken_add"), {"user": editor.pk, "name": "nightly feed"}
    )

    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("rp_") and len(key) > 40
    token = ApiToken.objects.get()
    assert token.digest == ApiToken.hash(key) != key
    assert key in response.content.decode()
    listing = client.get(reverse("admin:catalog_apitoken_changelist")).content.decode()
    assert key not in listing
    assert token.hint in listing
    assert ApiToken.authenticate(key) == token


def test_admin_offers_tokens_only_to_catalog_editors(client):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "pw"))
    outsider = User.objects.create_user("outsider", password="pw", is_staff=True)

    response = client.post(
        reverse("admin:catalog_apitoken_add"), {"user": outsider.pk, "name": "x"}
    )

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


def test_admin_revokes_tokens(client):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "pw"))
    token, key = _token()

    response = client.post(
        reverse("admin:catalog_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.authenticate(key) is None


def test_putting_the_sample_catalog_marks_it_as_sample_data_as_the_command_does(client):
    call_command(
        "import_catalog",
        str(settings.SHARED_DIR / "examples/02-switzerland-outside-eu/catalog.json"),
        verbosity=0,
    )
    _token_row, key = _token()

    first = _put(client, _changed_sample(), key, "?replace=1").json()
    assert first["applied"] and not CatalogVersion.current().sample
    second = _put(client, settings.SAMPLE_CATALOG.read_text(), key, "?replace=1").json()

    assert second["applied"]
    assert CatalogVersion.current().sample


def test_it_refuses_a_bad_flag_naming_it_and_changes_nothing(client, sample_catalog):
    _token_row, key = _token()
    version = _version()

    response = _put(client, _changed_sample(), key, "?dry_run=maybe")

    assert response.status_code == 400
    assert response.json()["field"] == "dry_run"
    assert _version() == version

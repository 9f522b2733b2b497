"""Whatever a client sends, the API answers with a status and a JSON error naming a
field, never a 500: a bounded Hypothesis run over every endpoint."""

import copy
import json

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import ApiToken

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXPECTED = {200, 304, 400, 401, 404, 405, 412, 413}

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
small_text = st.text(max_size=12)
leg = st.fixed_dictionaries(
    {
        "country": st.sampled_from(["FR", "CH", "DE", "XK", "fr", "ZZ", ""]) | small_text,
        "days": st.integers(-2, 8) | json_values,
        "gb_per_day": st.sampled_from(["0", "1.5", "-1", "1e3", "NaN", "51"]) | json_values,
    }
)
trips = st.fixed_dictionaries(
    {
        "start_date": st.sampled_from(["2026-06-01", "2026-02-30", "", "tomorrow"]) | json_values,
        "legs": st.lists(leg, max_size=3) | json_values,
    },
    optional={
        "devices": st.integers(-1, 3) | json_values,
        "sharing": json_values,
        "owned": st.lists(small_text, max_size=2) | json_values,
        "min_network": st.sampled_from([None, "4G", "5G", "6G"]),
        "currency": st.sampled_from(["EUR", "USD", "XXX", None]) | json_values,
        "switch_penalty": st.sampled_from(["0", "2", "-1", "x"]) | json_values,
        "surprise": json_values,
    },
)


@pytest.fixture
def sample_catalog():
    call_command("import_catalog", str(django_settings.SAMPLE_CATALOG), verbosity=0)


def _check(response) -> None:
    assert response.status_code in EXPECTED, response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) <= {"error", "field", "problems"}
        assert body["error"]


@FUZZ
@given(body=trips | json_values)
def test_post_plan_never_fails(client, sample_catalog, body):
    response = client.post("/api/v1/plan", data=json.dumps(body), content_type="application/json")
    _check(response)
    if response.status_code == 400:
        assert response.json()["error"].startswith(("bad trip: ", "the body "))


@FUZZ
@given(raw=st.binary(max_size=64))
def test_post_plan_survives_any_bytes(client, sample_catalog, raw):
    _check(client.post("/api/v1/plan", data=raw, content_type="application/json"))


segment = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="/?#%\x00"),
    min_size=1,
    max_size=10,
)
queries = st.dictionaries(
    st.sampled_from(["sort", "scope", "five_g", "hotspot", "voice", "page", "other"]),
    st.text(max_size=6) | st.integers(-5, 5).map(str),
    max_size=4,
)


@FUZZ
@given(code=segment, query=queries, slug=segment)
def test_reads_never_fail(client, sample_catalog, code, query, slug):
    _check(client.get(f"/api/v1/countries/{code}/plans", query))
    _check(client.get(f"/api/v1/plans/{slug}"))
    _check(client.get("/api/v1/countries", query, headers={"If-None-Match": code}))


def _mutate(document, path: list, value):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _paths(node, prefix=()):
    yield list(prefix)
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*prefix, index))


SAMPLE = json.loads(django_settings.SAMPLE_CATALOG.read_text())
PATHS = [p for p in _paths(SAMPLE) if p][:4000]


@FUZZ
@given(
    path=st.sampled_from(PATHS),
    value=json_values | st.text(max_size=300),
    dry_run=st.booleans(),
    replace=st.booleans(),
)
def test_put_catalog_never_fails(client, sample_catalog, path, value, dry_run, replace):
    user = User.objects.get_or_create(username="feed")[0]
    user.groups.add(Group.objects.get(name="catalog editor"))
    token = ApiToken(user=user, name="fuzz")
    key = token.issue()
    token.save()
    document = copy.deepcopy(SAMPLE)
    _mutate(document, path, value)
    query = "?" + "&".join(k for k, on in (("dry_run=1", dry_run), ("replace=1", replace)) if on)

    # Each example leaves the database as it found it, for the next one.
    with transaction.atomic():
        response = client.put(
            f"/api/v1/catalog{query}",
            data=json.dumps(document),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        _check(response)
        transaction.set_rollback(True)

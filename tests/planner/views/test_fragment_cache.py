"""Cached page fragments are keyed by the deployed code (`RELEASE`)."""

import pytest
from django.db import connection

from planner.context_processors import code_release, release
from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db


def _result_fragments() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM roamplan_cache WHERE cache_key LIKE %s",
            ["%template.cache.result-body.%"],
        )
        return cursor.fetchone()[0]


def test_a_new_release_renders_the_result_again_instead_of_the_old_fragment(
    client, sample_catalog, settings
):
    settings.RELEASE = "one"
    assert client.post("/", trip_data()).status_code == 200
    assert _result_fragments() == 1
    client.post("/", trip_data())  # the same code: the same fragment
    assert _result_fragments() == 1
    settings.RELEASE = "two"
    assert client.post("/", trip_data()).status_code == 200
    assert _result_fragments() == 2


def test_without_a_release_setting_the_code_names_itself(rf, settings):
    settings.RELEASE = ""
    name = release(rf.get("/"))["release"]
    assert name == code_release()
    assert len(name) == 16 and int(name, 16) >= 0
    settings.RELEASE = "abc123"
    assert release(rf.get("/"))["release"] == "abc123"

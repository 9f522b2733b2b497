"""Generated bad input at every edge (issue 9, item 4): no server error, no
traceback, and every error names its field. Bounded to stay fast; `scripts/fuzz.py`
runs the same generators 10,000 times against a live server and the commands."""

import random
import re
import tempfile
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils.timezone import localdate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.document import CatalogError, parse_catalog
from catalog.listing import country_plans
from catalog.store import forget_catalog, rates_or_default
from tests import fuzz_inputs

pytestmark = pytest.mark.django_db


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# A trip line names its field ("bad trip: legs[0].days: ..."); a file-level one says
# what about the file is wrong.
TRIP_ERROR = re.compile(r"bad trip: (?=\S).+?: \S|: the trip |: \S+: No such file")
CATALOG_ERROR = re.compile(r"field '[^']+'|: the file ")


@pytest.fixture
def sample_catalog(db, settings):
    settings.PLANNER_TIME_LIMIT = 1
    call_command("import_catalog", str(django_settings.SAMPLE_CATALOG), verbosity=0)
    forget_catalog()
    yield
    forget_catalog()


@fuzz(40)
@given(st.randoms(use_true_random=False))
def test_form_posts_never_fail(client, sample_catalog, rnd: random.Random):
    path, pairs, htmx = fuzz_inputs.form_post(rnd)
    headers = {"HX-Request": "true"} if htmx else {}
    # The test client raises whatever the view raises: a 500 fails here.
    response = client.post(
        path, urlencode(pairs), content_type="application/x-www-form-urlencoded", headers=headers
    )
    assert response.status_code in {200, 302, 400}, response.status_code
    assert "Traceback" not in response.text


_PAGE_VALUES = [
    "",
    "on",
    "1",
    "x",
    "-1",
    "0",
    "999999",
    "price",
    "data",
    "asc",
    "desc",
    "local",
    "regional",
    "gigsky",
    "é\u0000\u202e",
    "%",
    "_",
    "' OR 1=1 --",
    "𝔊" * 300,
]


@fuzz(40)
@given(st.randoms(use_true_random=False))
def test_country_pages_never_fail_and_count_as_uncached(client, sample_catalog, rnd: random.Random):
    # Filters, sorts and pages at random: 200 or 404, never a 500; and the plan
    # count kept per catalog version and filters is the one a fresh query gives.
    code = rnd.choice(["FR", "fr", "CH", "XK", "ZZ", "F", "FRA"])
    names = ["q", "operator", "sort", "dir", "scope", "five_g", "hotspot", "voice", "page"]
    params = {n: rnd.choice(_PAGE_VALUES) for n in rnd.sample(names, rnd.randrange(len(names)))}
    headers = {"HX-Request": "true"} if rnd.random() < 0.3 else {}
    response = client.get(f"/countries/{code}/", params, headers=headers)
    assert response.status_code in {200, 404}, response.status_code
    assert "Traceback" not in response.text
    if response.status_code == 200:
        options = response.context["form"].options()
        fresh = country_plans(code.upper(), options, rates_or_default(), today=localdate())
        assert response.context["page"].paginator.count == fresh.count()


def _run(command: str, text: bytes) -> str | None:
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        Path(file.name).write_bytes(text)
        try:
            call_command(command, file.name, stdout=StringIO())
        except CommandError as error:
            return str(error)
    return None


@fuzz(25)
@given(st.randoms(use_true_random=False))
def test_trip_documents_never_fail(sample_catalog, rnd: random.Random):
    doc = fuzz_inputs.trip_document(rnd)
    error = _run("recommend", fuzz_inputs.document_text(doc, rnd))
    if error is not None:
        assert TRIP_ERROR.search(error), error
        assert "\n" not in error


@fuzz(25)
@given(st.randoms(use_true_random=False))
def test_catalog_files_never_fail(db, rnd: random.Random):
    doc = fuzz_inputs.catalog_document(rnd)
    with transaction.atomic():
        error = _run("import_catalog", fuzz_inputs.document_text(doc, rnd))
        transaction.set_rollback(True)
    if error is not None:
        for line in error.splitlines():
            assert CATALOG_ERROR.search(line) or line.startswith("... and "), line


@fuzz(150)
@given(st.randoms(use_true_random=False))
def test_the_catalog_parser_names_a_field_or_accepts(rnd: random.Random):
    doc = fuzz_inputs.catalog_document(rnd)
    try:
        parse_catalog(doc)
    except CatalogError as error:
        assert all(problem.field for problem in error.problems), error.problems

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.store import forget_catalog

EXAMPLE = settings.SHARED_DIR / "examples" / "07-switch-penalty"


@pytest.fixture
def example_catalog(db):
    call_command("import_catalog", str(EXAMPLE / "catalog.json"), stdout=StringIO())
    forget_catalog()
    yield
    forget_catalog()


def test_it_prints_the_result_document(example_catalog):
    out = StringIO()
    call_command("recommend", str(EXAMPLE / "trip.json"), "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["total_base"] == {"amount": "12.00", "currency": "EUR"}
    assert [p["plan"] for p in doc["purchases"]] == ["iberia-15"]
    assert doc["optimal"] is True
    assert doc["baselines"]["local_per_country"]["total"] == {"amount": "9.00", "currency": "EUR"}


def test_it_prints_a_table(example_catalog):
    out = StringIO()
    call_command("recommend", str(EXAMPLE / "trip.json"), stdout=out)
    assert "Total: 12.00 EUR" in out.getvalue()


def test_a_bad_trip_names_the_field(example_catalog, tmp_path):
    trip = tmp_path / "trip.json"
    trip.write_text(json.dumps({"start_date": "2026-06-01", "legs": []}))
    with pytest.raises(CommandError, match="legs"):
        call_command("recommend", str(trip))

import json

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.document import dump_catalog, parse_catalog
from catalog.models import CatalogVersion, Plan
from catalog.store import offered_document
from planner.loader import catalog_is_sample, load_catalog

pytestmark = pytest.mark.django_db


def test_it_imports_the_sample_catalog_labelled_as_sample():
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    doc = parse_catalog(json.loads(settings.SAMPLE_CATALOG.read_text()))
    assert Plan.objects.offered().count() == len(doc.plans)
    assert CatalogVersion.current().sample
    assert catalog_is_sample()
    assert set(load_catalog().plans) == set(doc.plans)


def test_its_export_imports_as_itself(tmp_path):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    exported = tmp_path / "export.json"
    call_command("export_catalog", str(exported))
    version = CatalogVersion.current().pk
    call_command("import_catalog", str(exported))
    assert CatalogVersion.current().pk == version
    assert catalog_is_sample()
    assert parse_catalog(dump_catalog(offered_document())) == parse_catalog(
        json.loads(exported.read_text())
    )


def test_it_is_not_sample_data_once_real_data_is_imported(tmp_path, shared_dir):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG))
    real = shared_dir / "examples/02-switzerland-outside-eu/catalog.json"
    call_command("import_catalog", str(real), "--replace")
    assert not catalog_is_sample()

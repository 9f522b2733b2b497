import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture
def sample_catalog(db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)

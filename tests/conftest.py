import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def shared_dir():
    return settings.SHARED_DIR

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalog.factories import make_user


@pytest.fixture
def queries_of(client):
    """The number of queries a GET of a page runs; the page must answer 200."""

    def count(url: str, params: dict | None = None) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params or {}).status_code == 200
        return len(queries)

    return count


@pytest.fixture
def editor_client(client):
    """A client logged in as staff in the catalog editor group."""
    client.force_login(make_user(staff=True, editor=True))
    return client

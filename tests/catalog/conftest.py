import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def queries_of(client):
    """The number of queries a GET of a page runs; the page must answer 200."""

    def count(url: str, params: dict | None = None) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params or {}).status_code == 200
        return len(queries)

    return count

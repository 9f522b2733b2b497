import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, as in tests/web: Playwright cannot download a browser here.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture
def queries_of(client):
    """The number of queries a GET of a page runs; the page must answer 200."""

    def count(url: str, params: dict | None = None) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params or {}).status_code == 200
        return len(queries)

    return count

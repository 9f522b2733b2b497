from urllib.parse import urlsplit

import pytest


@pytest.fixture
def outside_requests(page, live_server):
    """Every request the page makes to anything but our live server."""
    ours = urlsplit(live_server.url).netloc
    seen: list[str] = []
    page.on(
        "request",
        lambda request: (
            seen.append(request.url)
            if urlsplit(request.url).netloc != ours and not request.url.startswith("data:")
            else None
        ),
    )
    return seen


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors

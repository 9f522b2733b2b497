import re

import pytest

pytestmark = pytest.mark.django_db


def test_it_sends_a_content_security_policy_without_unsafe_inline(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_it_sends_hsts_on_https(client):
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_it_forbids_framing_and_sniffing(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_it_has_no_inline_script_or_style(client):
    html = client.get("/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert " style=" not in html


def test_it_serves_htmx_from_our_own_static_files(client):
    html = client.get("/").content.decode()
    match = re.search(r'<script[^>]*src="([^"]*htmx[^"]*)"', html)
    assert match, "htmx script tag missing"
    assert match.group(1).startswith("/static/")
    assert client.get(match.group(1)).status_code == 200


def test_it_sends_the_csrf_token_with_htmx_requests(client):
    html = client.get("/").content.decode()
    assert re.search(
        r"<body[^>]*hx-headers='\{&quot;X-CSRFToken&quot;: &quot;\w+&quot;\}'", html
    ) or re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"\w+\"\}'", html)

#!/usr/bin/env python3
"""Throw generated bad input at Roamplan and count what comes back.

    .venv/bin/python scripts/fuzz.py --url http://127.0.0.1:8000 [--count 10000] [--seed 1]
        [--only posts,trips,catalogs]

- posts: form posts (plain and htmx) to the live server at --url, counted by HTTP
  status; a 500, or a page showing a traceback, is a failure.
- trips: trip files through `manage.py recommend`, catalogs: catalog files through
  `manage.py import_catalog`, both run in this process the way manage.py runs them
  (a CommandError is exit status 1 with one line; anything else is a traceback),
  counted by exit status. Each import is rolled back, so the database is as before.
  Errors are also counted by whether they name their field.

The commands use the database of the environment (DATABASE_URL, or the .env that
dev.py writes); load a catalog there first. Exit status 1 when any input got a
server error or a traceback. The generators are in tests/fuzz_inputs.py, shared
with the suite's Hypothesis tests.
"""

import argparse
import http.client
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fuzz_inputs  # noqa: E402

TRIP_FIELD = re.compile(r"bad trip: (?=\S).+?: \S")
CATALOG_FIELD = re.compile(r"field '[^']+'")
TRACEBACK_SIGNS = ("Traceback (most recent call last)", "Server Error (500)", "Exception Value")


class Site:
    """One keep-alive connection, with the CSRF cookie and token of a first GET."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connect()
        status, headers, body = self.request("GET", "/")
        if status != 200:
            sys.exit(f"fuzz: GET {url}/ answered {status}; is the server running?")
        cookie = next(
            (v.split(";")[0] for k, v in headers if k.lower() == "set-cookie" and "csrftoken" in v),
            "",
        )
        self.cookie = cookie
        self.token = cookie.partition("=")[2]

    def connect(self) -> None:
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, ConnectionError):
                # The server may close a keep-alive connection after an error page.
                self.conn.close()
                self.connect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def post(self, path: str, pairs: list[tuple[str, str]], htmx: bool):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": self.cookie,
            "X-CSRFToken": self.token,
            "Host": f"{self.host}:{self.port}",
        }
        if htmx:
            headers["HX-Request"] = "true"
        return self.request("POST", path, urlencode(pairs), headers)


def fuzz_posts(url: str, count: int, rnd: random.Random) -> Counter:
    site = Site(url)
    outcomes: Counter = Counter()
    for _ in range(count):
        path, pairs, htmx = fuzz_inputs.form_post(rnd)
        try:
            status, _headers, body = site.post(path, pairs, htmx)
        except (OSError, http.client.HTTPException) as error:
            outcomes[f"no answer ({type(error).__name__})"] += 1
            continue
        text = body.decode("utf-8", "replace")
        traceback = any(sign in text for sign in TRACEBACK_SIGNS)
        outcomes[f"HTTP {status}{', traceback shown' if traceback else ''}"] += 1
    return outcomes


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _command(name: str, text: bytes) -> tuple[int, str]:
    from django.core.management import CommandError, call_command

    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        Path(file.name).write_bytes(text)
        try:
            call_command(name, file.name, stdout=StringIO())
        except CommandError as error:
            return 1, str(error)
        except Exception as error:  # what manage.py would show as a traceback
            return -1, f"{type(error).__name__}: {error}"
    return 0, ""


def fuzz_trips(count: int, rnd: random.Random) -> Counter:
    outcomes: Counter = Counter()
    for _ in range(count):
        text = fuzz_inputs.document_text(fuzz_inputs.trip_document(rnd), rnd)
        status, message = _command("recommend", text)
        outcomes[_outcome(status, message, TRIP_FIELD, "bad trip:")] += 1
    return outcomes


def fuzz_catalogs(count: int, rnd: random.Random) -> Counter:
    from django.db import transaction

    outcomes: Counter = Counter()
    for _ in range(count):
        text = fuzz_inputs.document_text(fuzz_inputs.catalog_document(rnd), rnd)
        with transaction.atomic():
            status, message = _command("import_catalog", text)
            transaction.set_rollback(True)
        outcomes[_outcome(status, message, CATALOG_FIELD, "field '")] += 1
    return outcomes


def _outcome(status: int, message: str, named: re.Pattern, row_error: str) -> str:
    if status == 0:
        return "exit 0"
    if status < 0:
        return f"TRACEBACK {message.split(':')[0]}"
    lines = message.splitlines()
    if len(lines) > 1 and row_error == "bad trip:":
        return "exit 1, more than one line"
    if row_error in message:
        missing = [line for line in lines if not line.startswith("... and ")]
        if not all(named.search(line) for line in missing):
            return "exit 1, row error naming no field"
        return "exit 1, error naming its field"
    return "exit 1, file-level error (size, JSON, depth)"


def report(what: str, outcomes: Counter, seconds: float) -> int:
    total = sum(outcomes.values())
    print(f"\n{what}: {total} inputs in {seconds:.0f} s")
    for outcome, n in sorted(outcomes.items()):
        print(f"  {n:6d}  {outcome}")
    bad = sum(
        n
        for outcome, n in outcomes.items()
        if outcome.startswith(("HTTP 5", "TRACEBACK", "no answer"))
        or "traceback" in outcome
        or "naming no field" in outcome
        or "more than one line" in outcome
    )
    print(f"  server errors or tracebacks or unnamed errors: {bad}")
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="posts,trips,catalogs")
    args = parser.parse_args()
    kinds = {kind.strip() for kind in args.only.split(",")}
    bad = 0
    if "posts" in kinds:
        started = time.perf_counter()
        outcomes = fuzz_posts(args.url, args.count, random.Random(args.seed))
        bad += report(f"form posts to {args.url}", outcomes, time.perf_counter() - started)
    if kinds & {"trips", "catalogs"}:
        _setup_django()
    if "trips" in kinds:
        started = time.perf_counter()
        outcomes = fuzz_trips(args.count, random.Random(args.seed + 1))
        bad += report("trip files through recommend", outcomes, time.perf_counter() - started)
    if "catalogs" in kinds:
        started = time.perf_counter()
        outcomes = fuzz_catalogs(args.count, random.Random(args.seed + 2))
        bad += report(
            "catalog files through import_catalog", outcomes, time.perf_counter() - started
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

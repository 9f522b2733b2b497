#!/usr/bin/env python3
"""Load test: the Procfile's processes on PostgreSQL and Redis with the real
catalog, driven by the scenarios of issue 11, from and to 127.0.0.1 only.

    .venv/bin/python scripts/loadtest.py [--duration 30] [--port 8017] \\
        [--database-url postgres://postgres@127.0.0.1:5432/roamplan_load] \\
        [--redis-url redis://127.0.0.1:6379/7] [--web-workers 2] [--solve-workers 1]

It migrates the database, imports ../shared/data's real catalog, empties the
Redis database it is given (so the first solve is a real one), starts `web`
and `worker` from the Procfile, runs every scenario for --duration seconds
(draining the queue between them, so each measures beside its own solves),
prints throughput, p50/p95/p99 and errors per scenario and kind of request,
and stops everything it started. Every loop is bounded in time; nothing but
127.0.0.1 is ever contacted. docs/serving.md keeps the figures.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import redis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
from planner.form_post import form_post  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "esimdb-de-at-cz-sk"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PAGES = ["/countries/", "/", "/countries/AT/", "/countries/DE/"]
# the poller the page swaps in, as htmx reads it: where and after how long
POLL = re.compile(r'hx-get="(/planning/[0-9a-f]{64}/(?:\?n=\d+)?)" hx-trigger="load delay:(\d+)ms"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RESULT_TIMEOUT = 120.0  # a result later than this counts as an error
END_GRACE = 20.0  # how long a scenario's planners still wait for a result in flight


def loopback_only(url: str, what: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        sys.exit(f"{what} must be on 127.0.0.1, not {host!r}")


class Client:
    """One visitor: its own connection, cookies and session."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None, htmx: bool = False):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=130)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        # Secure cookies too: the load test talks plain HTTP to 127.0.0.1.
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, text

    def close(self):
        if self.conn is not None:
            self.conn.close()


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.notes: dict[str, int] = defaultdict(int)

    def add(self, kind: str, seconds: float, ok: bool = True):
        with self.lock:
            if ok:
                self.times[kind].append(seconds)
            else:
                self.errors[kind] += 1

    def note(self, what: str):
        with self.lock:
            self.notes[what] += 1


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def form_data(document: dict, csrf: str) -> dict:
    return {"csrfmiddlewaretoken": csrf, **form_post(document)}


def timed(rec: Recorder, kind: str, client: Client, method: str, path: str, **kw):
    started = time.perf_counter()
    try:
        status, text = client.request(method, path, **kw)
    except OSError:
        rec.add(kind, 0, ok=False)
        return None, ""
    rec.add(kind, time.perf_counter() - started, ok=status < 400 or status == 429)
    if status == 429:
        rec.note("429 rate limited")
    return status, text


def page_viewer(port: int, rec: Recorder, stop: float):
    client = Client(port)
    i = 0
    while time.monotonic() < stop:
        timed(rec, "page", client, "GET", PAGES[i % len(PAGES)])
        i += 1
    client.close()


def planner(port: int, rec: Recorder, stop: float, trips, count: int | None = None):
    """A traveller: opens the planner, posts a trip, follows "Planning…" to the result."""
    client = Client(port)
    status, text = timed(rec, "planner page", client, "GET", "/")
    match = CSRF.search(text or "")
    if not match:
        rec.add("result", 0, ok=False)
        return
    csrf = match[1]
    n = 0
    while time.monotonic() < stop and (count is None or n < count):
        document = trips(n)
        n += 1
        started = time.perf_counter()
        status, text = timed(
            rec, "planner POST", client, "POST", "/", body=form_data(document, csrf), htmx=True
        )
        while status == 200 and 'data-testid="total"' not in text:
            poll = POLL.search(text)
            if not poll:
                break
            if (
                time.monotonic() > stop + END_GRACE
                or time.perf_counter() - started > RESULT_TIMEOUT
            ):
                rec.note("still planning when the scenario ended")
                client.close()
                return
            time.sleep(int(poll[2]) / 1000)
            status, text = timed(rec, "planner poll", client, "GET", poll[1], htmx=True)
        ok = status == 200 and 'data-testid="total"' in (text or "")
        if status == 200 and 'data-testid="rate-limited"' in (text or ""):
            rec.note("rate-limited message")
        elif not ok:
            rec.note(f"no result: {status} {re.sub(r'\\s+', ' ', (text or '')[:160])}")
        rec.add("result", time.perf_counter() - started, ok=ok)
    client.close()


def real_trip() -> dict:
    return json.loads((REAL / "trip.json").read_text())


def variant(base: dict, n: int, salt: int) -> dict:
    """The same trip a few days later, with a few MB more on one leg: a new cache
    key, so a new solve, of about the same difficulty."""
    trip = json.loads(json.dumps(base))
    start = date.fromisoformat(trip["start_date"]) + timedelta(days=salt)
    trip["start_date"] = start.isoformat()
    leg = trip["legs"][n % len(trip["legs"])]
    leg["gb_per_day"] = str(Decimal(leg["gb_per_day"]) + Decimal("0.001") * (n % 50 + 1))
    return trip


def heavy_trip() -> dict:
    trip = real_trip()
    for leg in trip["legs"]:
        leg["days"] *= 4
        leg["gb_per_day"] = "3"
    trip["devices"] = 4
    return trip


def run_scenario(name, port, duration, viewers, planners, trips_for):
    rec = Recorder()
    stop = time.monotonic() + duration
    threads = [
        threading.Thread(target=page_viewer, args=(port, rec, stop)) for _ in range(viewers)
    ] + [
        threading.Thread(target=planner, args=(port, rec, stop, trips_for(i)))
        for i in range(planners)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + END_GRACE + 30)
    elapsed = time.monotonic() - started
    print(f"\n## {name}  ({viewers} page viewers, {planners} planners, {elapsed:.0f} s)")
    print(f"{'kind':<14} {'count':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6}")
    summary = {}
    for kind in sorted(set(rec.times) | set(rec.errors)):
        times = rec.times.get(kind, [])
        errors = rec.errors.get(kind, 0)
        if times:
            p50, p95, p99 = (percentile(times, p) for p in (0.5, 0.95, 0.99))
        else:
            p50 = p95 = p99 = float("nan")
        print(
            f"{kind:<14} {len(times):>6} {len(times) / elapsed:>7.2f} "
            f"{p50:>7.3f} {p95:>7.3f} {p99:>7.3f} {errors:>6}"
        )
        summary[kind] = {"count": len(times), "p95": p95, "errors": errors}
    for what, count in rec.notes.items():
        print(f"  {what}: {count}")
    return summary


TASKS = "django_tasks_database_dbtaskresult"


def psql(database_url: str, sql: str) -> str:
    parts = urlsplit(database_url)
    command = ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    command += ["-U", parts.username or "postgres", "-d", parts.path.lstrip("/"), "-tAc", sql]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def drain(database_url: str, wait: float) -> None:
    """Start the next scenario on an empty queue: let the workers finish what
    this one left for up to `wait` seconds, then drop the solves still
    waiting (nobody polls for them any more) and let the running ones end.
    Otherwise a scenario measures pages beside the last one's leftovers."""
    deadline = time.monotonic() + wait
    left = f"SELECT count(*) FROM {TASKS} WHERE status IN ('READY', 'RUNNING')"
    while int(psql(database_url, left)) and time.monotonic() < deadline:
        time.sleep(1)
    dropped = psql(
        database_url,
        f"WITH d AS (DELETE FROM {TASKS} WHERE status = 'READY' RETURNING 1) "
        "SELECT count(*) FROM d",
    )
    running = f"SELECT count(*) FROM {TASKS} WHERE status = 'RUNNING'"
    end = time.monotonic() + 30  # a solve ends by its deadline (10 % + 0.5 s past 10 s)
    while int(psql(database_url, running)) and time.monotonic() < end:
        time.sleep(1)
    if int(dropped):
        print(f"  queued solves dropped before the next scenario: {dropped}")


def first_and_second(port: int, trip: dict) -> None:
    """The real trip on a cold cache, then the same trip again, as one visitor."""
    rec = Recorder()
    planner(port, rec, time.monotonic() + RESULT_TIMEOUT, lambda n: trip, count=1)
    first = rec.times["result"][0]
    again = []
    # Other visitors, one after another: the first of them may meet a web
    # process that has never rendered a result (templates compiled, the
    # result's page fragment not cached yet); the others meet a warm one.
    for _ in range(5):
        visitor = Client(port)
        _status, text = visitor.request("GET", "/")
        csrf = CSRF.search(text)[1]
        started = time.perf_counter()
        _status, text = visitor.request("POST", "/", body=form_data(trip, csrf), htmx=True)
        again.append(time.perf_counter() - started)
        assert 'data-testid="total"' in text, "a request for the same trip had no result"
    print("\n## the real trip, first time and again (other visitors)")
    print(
        f"first (solved in a worker): {first:.3f} s; again (from the cache): "
        + ", ".join(f"{t:.3f}" for t in again)
        + f" s; median {statistics.median(again):.3f} s"
    )


def manage(env, *args):
    subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if re.match(r"^\w+:", line))


def start(command: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        shlex.split(command.strip()),
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_all(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--port", type=int, default=8017)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/roamplan_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--solve-workers", type=int, default=1)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--logs", default="/tmp/roamplan-loadtest")
    args = parser.parse_args()
    loopback_only(args.database_url, "--database-url")
    loopback_only(args.redis_url, "--redis-url")

    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": str(args.web_workers),
        "WEB_ACCESS_LOG": "0",
        # every simulated client comes from 127.0.0.1: one address, many people
        "PLANNER_SOLVE_RATE": "100000/m",
        "LOG_LEVEL": "INFO",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("PLANNER_TASKS", None)

    database = urlsplit(args.database_url).path.lstrip("/")
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f'CREATE DATABASE "{database}"'],
        capture_output=True,
    )
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    if not args.skip_import:
        manage(env, "import_catalog", str(REAL / "catalog.json"))
    redis.Redis.from_url(args.redis_url).flushdb()

    commands = procfile()
    processes = [start(commands["web"], env, logs / "web.log")]
    processes += [
        start(commands["worker"], env, logs / f"worker-{i}.log") for i in range(args.solve_workers)
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = Client(args.port).request("GET", "/countries/")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the web process did not answer within 60 s: see " + str(logs))
            time.sleep(0.5)
        # every web process loads the catalog once; not what is measured
        for _ in range(8 * args.web_workers):
            warm = Client(args.port)
            warm.request("GET", "/")
            warm.close()
        print(f"web: {commands['web'].strip()}  ({args.web_workers} processes)")
        print(f"worker: {commands['worker'].strip()}  (x{args.solve_workers})")

        base = real_trip()
        d = args.duration
        out = {}
        out["idle"] = run_scenario("idle: 5 page viewers", args.port, d, 5, 0, None)
        first_and_second(args.port, base)
        out["countries"] = run_scenario("20 clients on pages", args.port, d, 20, 0, None)
        out["same trip"] = run_scenario(
            "20 clients post the real trip, 5 page viewers",
            args.port,
            d,
            5,
            20,
            lambda i: lambda n: base,
        )
        out["distinct trips"] = run_scenario(
            "20 clients post real-trip variants (every post a new solve), 5 page viewers",
            args.port,
            d,
            5,
            20,
            lambda i: lambda n, i=i: variant(base, n, i + 1),
        )
        drain(args.database_url, d)
        out["mixed"] = run_scenario(
            "50 clients mixed: 35 page viewers, 15 planners (variants)",
            args.port,
            d,
            35,
            15,
            lambda i: lambda n, i=i: variant(base, n, i + 40),
        )
        drain(args.database_url, d)
        heavy = heavy_trip()
        out["heavy"] = run_scenario(
            "4 clients post heavy trips (60 days, 4 devices, 3 GB a day), 5 page viewers",
            args.port,
            max(d, 45),
            5,
            4,
            lambda i: lambda n, i=i: variant(heavy, n, i + 80),
        )
    finally:
        stop_all(processes)

    killed = (logs / "web.log").read_text().count("WORKER TIMEOUT")
    idle = out["idle"]["page"]["p95"]
    print("\n## Done-when")
    print(f"idle page p95: {idle:.3f} s; gunicorn workers killed: {killed}")
    for key in ("same trip", "distinct trips", "mixed", "heavy"):
        page = out[key].get("page")
        if page:
            print(
                f"{key}: page p95 {page['p95']:.3f} s = {page['p95'] / idle:.1f}x idle, "
                f"errors {sum(v['errors'] for v in out[key].values())}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Planning a trip document through the result cache, the solve queue and the
per-client limits: what every caller that wants a result (the planner pages,
the permalink's "plan again", the API) goes through.

- A result is cached under a token made of the canonical trip, the catalog
  version and the day (promotions and warnings depend on it), for every user.
- A solve runs in a worker (`solve_trip`, Django's Tasks framework). One solve
  per token at a time: a lock in the cache, taken with an atomic `add`, and a
  second request for the same trip waits on the first one's solve.
- A client (IP address) may start `PLANNER_SOLVE_RATE` solves; a session waits
  on at most one, and a solve nobody waits on any more is skipped by the
  worker, so a trip the traveller has since changed is not solved for nothing.

docs/serving.md says why each piece is as it is.
"""

import enum
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from catalog.store import offered_catalog as load_catalog
from planner.engine.budget import TripTooLarge
from planner.engine.model import Catalog, Trip
from planner.engine.solve import plan_trip
from planner.engine.trip import TripError, parse_trip
from planner.explanations import result_document

# The solve a session is waiting on, and the one whose result it asked to save.
SESSION_PLANNING = "planning"
SESSION_SAVE = "save_when_planned"

logger = logging.getLogger(__name__)

_POLL_STEP = 0.05  # seconds between two looks at the cache while a request waits
# Web threads of this process that may wait for a solve at once; a request
# past them answers "Planning…" at once, so that waiting planners never take
# every thread from page views (gunicorn.conf.py runs 8 per process).
_waiting = threading.BoundedSemaphore(settings.PLANNER_WAITING_THREADS)


class State(enum.StrEnum):
    DONE = "done"
    PENDING = "pending"
    LIMITED = "limited"  # the client started too many solves: nothing was queued
    REFUSED = "refused"  # the worker found the trip cannot be planned (`error` says why)
    LOST = "lost"  # no result and no solve under way (it failed, or nobody waited)


@dataclass(frozen=True)
class Planning:
    state: State
    token: str
    result: dict | None = None
    retry_after: int = 0  # seconds, when LIMITED
    # when REFUSED: {"field", "message"} of a TripError, or TripTooLarge's
    # {"figures"} as well (field "")
    error: dict | None = None

    @property
    def is_done(self) -> bool:
        return self.state is State.DONE

    @property
    def is_pending(self) -> bool:
        return self.state is State.PENDING

    @property
    def is_limited(self) -> bool:
        return self.state is State.LIMITED

    @property
    def is_lost(self) -> bool:
        return self.state is State.LOST

    @property
    def is_refused(self) -> bool:
        return self.state is State.REFUSED


def _plain(value):
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        # 1.5 and 1.50 GB are the same trip
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def canonical_trip(trip: Trip) -> str:
    """The parsed trip as one string: a document that omits a default, or writes
    a number another way, is the same trip."""
    return json.dumps(_plain(trip), sort_keys=True, separators=(",", ":"))


def trip_token(trip: Trip, catalog_version: str, today: date) -> str:
    text = f"{catalog_version}\n{today.isoformat()}\n{canonical_trip(trip)}"
    return hashlib.sha256(text.encode()).hexdigest()


def _result_key(token: str) -> str:
    return f"plan:result:{token}"


def _lock_key(token: str) -> str:
    return f"plan:lock:{token}"


def _want_key(token: str) -> str:
    return f"plan:want:{token}"


def _trip_key(token: str) -> str:
    return f"plan:trip:{token}"


def _error_key(token: str) -> str:
    return f"plan:error:{token}"


def _lock_timeout() -> int:
    # Long enough for a solve that waited in a busy queue; a worker that dies
    # hard leaves the lock behind at most this long.
    return int(max(120, 12 * settings.PLANNER_TIME_LIMIT))


def client_address(request: HttpRequest) -> str:
    """The client a rate limit counts: behind our proxy, the address it saw."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            # the proxy appends the address it saw; anything before it is the client's word
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1:] or "m"]
    return int(count), seconds * int(period[:-1] or 1)


def _rate_limited(request: HttpRequest) -> int:
    """Count one solve for this client; seconds to wait when it is one too many."""
    limit, period = _parse_rate(settings.PLANNER_SOLVE_RATE)
    now = time.time()
    window = int(now // period)
    # the rate in the key: a changed setting starts from zero, not from the old count
    key = f"plan:rate:{limit}/{period}:{client_address(request)}:{window}"
    cache.add(key, 0, period + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, period + 5)
        used = 1
    if used <= limit:
        return 0
    return max(1, int(period - now % period) + 1)


def _adjust_want(token: str, delta: int) -> None:
    key = _want_key(token)
    cache.add(key, 0, _lock_timeout())
    try:
        cache.incr(key, delta)
    except ValueError:
        if delta > 0:
            cache.add(key, delta, _lock_timeout())


def _wait_on(request: HttpRequest | None, token: str, *, new_solve: bool = False) -> None:
    """This session waits on `token`: the solve it waited on before is no longer its.
    A new solve starts a new count of who waits on it."""
    if new_solve:
        cache.set(_want_key(token), 0, _lock_timeout())
    if request is None:
        _adjust_want(token, 1)
        return
    previous = request.session.get(SESSION_PLANNING)
    if previous == token and not new_solve:
        return
    _adjust_want(token, 1)
    if previous and previous != token:
        _adjust_want(previous, -1)
    request.session[SESSION_PLANNING] = token


def _wait_for_result(token: str, seconds: float | None = None) -> None:
    """Wait up to `seconds` for the solve of `token` to end (by default
    PLANNER_WAIT when the solve is next in the queue, else not at all: a web
    thread that sleeps holds a page view back), if a waiting thread is free."""
    if seconds is None:
        seconds = settings.PLANNER_WAIT if queue_length() <= 1 else 0
    if seconds <= 0 or not _waiting.acquire(blocking=False):
        return
    try:
        deadline = time.monotonic() + seconds
        # the lock goes when the worker is done, whatever the outcome
        while cache.get(_lock_key(token)) is not None and time.monotonic() < deadline:
            time.sleep(_POLL_STEP)
    finally:
        _waiting.release()


def plan_document(
    request: HttpRequest,
    document: dict,
    *,
    catalog: Catalog | None = None,
    per_session: bool = True,
    wait: float | None = None,
) -> Planning:
    """Plan a trip document through the cache, the queue and the client's limits.

    Raises `TripError` for a document the engine refuses. Returns DONE with the
    result document, PENDING (poll `await_planning(token)`), or LIMITED with
    the seconds to wait. `per_session=False` for clients without a session
    (the API): their solve is then never superseded. `wait` is how long to
    wait for a queued solve before answering PENDING (PLANNER_WAIT by default).
    """
    catalog = catalog or load_catalog()
    trip = parse_trip(document, catalog)
    today = date.today()
    token = trip_token(trip, catalog.version, today)
    result = cache.get(_result_key(token))
    if result is not None:
        return Planning(State.DONE, token, result)
    session_request = request if per_session else None
    if cache.get(_lock_key(token)) is None:
        retry_after = _rate_limited(request)
        if retry_after:
            return Planning(State.LIMITED, token, retry_after=retry_after)
        # Before the lock, so that a poller always finds the trip.
        cache.set(_trip_key(token), document, settings.PLANNER_RESULT_TTL)
        if cache.add(_lock_key(token), "queued", _lock_timeout()):
            # Before the enqueue: a worker that picks the solve up at once
            # must see someone waiting on it.
            _wait_on(session_request, token, new_solve=True)
            solve_trip.enqueue(document, token, today.isoformat())
        else:
            _wait_on(session_request, token)
    else:
        _wait_on(session_request, token)
    _wait_for_result(token, wait)
    return planning_state(token)


def await_planning(token: str) -> Planning:
    """Where the solve of `token` is, after waiting for it as a planner request
    does: a poll answers as soon as the result is there, not at its next poll."""
    if cache.get(_lock_key(token)) is not None:
        _wait_for_result(token)
    return planning_state(token)


def queue_length() -> int:
    """Solves waiting for a worker (what to watch: README, "Scaling")."""
    if not isinstance(solve_trip.get_backend(), DatabaseBackend):
        return 0
    return DBTaskResult.objects.ready().count()


def planning_state(token: str) -> Planning:
    """Where the solve of `token` is: DONE, still PENDING, or LOST."""
    found = cache.get_many([_result_key(token), _lock_key(token), _error_key(token)])
    if _result_key(token) in found:
        return Planning(State.DONE, token, found[_result_key(token)])
    if _error_key(token) in found:
        return Planning(State.REFUSED, token, error=found[_error_key(token)])
    if _lock_key(token) in found:
        return Planning(State.PENDING, token)
    return Planning(State.LOST, token)


def planned_trip(token: str) -> dict | None:
    """The trip document a token was queued for, while the cache keeps it."""
    return cache.get(_trip_key(token))


@task()
def solve_trip(document: dict, token: str, today: str) -> str:
    """Solve one queued trip into the result cache (runs in a worker)."""
    try:
        if (cache.get(_want_key(token)) or 0) <= 0:
            return "superseded"
        started = time.perf_counter()
        catalog = load_catalog()
        try:
            # the catalog may have changed since the trip was queued
            trip = parse_trip(document, catalog)
        except TripError as error:
            refusal = {"field": error.field, "message": error.message}
            cache.set(_error_key(token), refusal, settings.PLANNER_RESULT_TTL)
            return "refused"
        try:
            result = plan_trip(
                trip,
                catalog,
                time_limit=settings.PLANNER_TIME_LIMIT,
                today=date.fromisoformat(today),
            )
        except TripTooLarge as error:
            # not a failure to retry: the page says what to reduce (its figures)
            refusal = {"field": "", "message": str(error), "figures": error.figures}
            cache.set(_error_key(token), refusal, settings.PLANNER_RESULT_TTL)
            return "refused"
        cache.set(_result_key(token), result_document(result), settings.PLANNER_RESULT_TTL)
        # solve time is what to watch beside the queue length
        logger.info(
            "solved %s in %.2f s (%d days, optimal: %s)",
            token[:12],
            time.perf_counter() - started,
            trip.total_days,
            result.optimal,
        )
        return "solved"
    finally:
        cache.delete(_lock_key(token))

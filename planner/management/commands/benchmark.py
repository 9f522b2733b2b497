"""Time the engine on the real esimdb catalog and on synthetic catalogs.

Reads ../shared (settings.SHARED_DIR) and never touches the database: the
catalog JSON goes through `catalog.document.parse_catalog` straight into the
engine's dataclasses. Columns up to `objective`: the main search alone;
`full`, `cpu`: the whole of `plan_trip` (baselines and alternatives) in wall
and CPU seconds, `alts` its trade-off entries, `fopt` its proof.
"""

import json
import random
import statistics
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.document import parse_catalog
from planner.engine.model import Catalog, Leg, Network, Trip
from planner.engine.solve import plan_trip
from planner.engine.trip import parse_trip
from planner.form_post import form_post

REAL = "data/esimdb-de-at-cz-sk"
EUROPE = ["DE", "AT", "CZ", "SK", "FR", "IT", "ES", "PT", "NL", "BE", "PL", "HU", "CH", "GB"]


def real_variations(trip: Trip, catalog: Catalog) -> list[tuple[str, Trip]]:
    d = Decimal
    home = next(p.slug for p in catalog.plans if p.validity_days >= 30 and p.data_gb)
    legs = trip.legs
    return [
        ("real trip", trip),
        ("no switch penalty", replace(trip, switch_penalty=d(0))),
        ("penalty 2 USD", replace(trip, switch_penalty=d(2))),
        (
            "double data",
            replace(trip, legs=tuple(replace(g, gb_per_day=g.gb_per_day * 2) for g in legs)),
        ),
        ("3 GB a day", replace(trip, legs=tuple(replace(g, gb_per_day=d(3)) for g in legs))),
        (
            "light 0.1 GB a day",
            replace(trip, legs=tuple(replace(g, gb_per_day=d("0.1")) for g in legs)),
        ),
        ("2 devices", replace(trip, devices=2)),
        ("2 devices sharing", replace(trip, devices=2, sharing=True)),
        ("3 devices sharing", replace(trip, devices=3, sharing=True)),
        ("4 devices no sharing", replace(trip, devices=4, switch_penalty=d(0))),
        ("home plan owned", replace(trip, owned=(home,))),
        ("min network 5G", replace(trip, min_network=Network.G5)),
        ("min network 4G", replace(trip, min_network=Network.G4)),
        ("esim_only off", replace(trip, esim_only=False)),
        ("3 days", replace(trip, legs=(Leg("DE", 2, d("0.65")), Leg("AT", 1, d("0.575"))))),
        ("7 days", replace(trip, legs=(Leg("DE", 4, d("0.65")), Leg("AT", 3, d("0.575"))))),
        ("30 days", replace(trip, legs=tuple(replace(g, days=g.days * 2) for g in legs))),
        ("60 days", replace(trip, legs=tuple(replace(g, days=g.days * 4) for g in legs))),
        ("back and forth", replace(trip, legs=legs + legs)),
        ("one country", replace(trip, legs=(Leg("AT", 15, d("0.6")),))),
        ("voice needed", replace(trip, needs_voice=True)),
    ]


def synthetic_catalog(size: int, seed: int = 7) -> Catalog:
    """Plans shaped like the real data: locals and regionals, totals and dailies,
    promotions, first-order offers, free trials."""
    rng = random.Random(seed)
    operators = []
    for o in range(max(size // 90, 5)):
        plans = []
        for n in range(90 if size >= 90 else size):
            if len(operators) * 90 + n >= size:
                break
            regional = rng.random() < 0.45
            countries = (
                rng.sample(EUROPE, rng.randint(5, len(EUROPE)))
                if regional
                else [rng.choice(EUROPE)]
            )
            validity = rng.choice([1, 3, 5, 7, 10, 15, 30, 30])
            daily = rng.random() < 0.25
            unlimited = not daily and rng.random() < 0.04
            gb = rng.choice([0.5, 1, 2, 3, 5, 10, 20])
            per_gb = rng.uniform(0.3, 2.5) * (1.3 if regional else 1.0)
            volume = gb * validity if daily else gb
            price = round(max(0.5, per_gb * volume**0.85), 2)
            if rng.random() < 0.01:  # a free trial: small, short, once per operator
                price, gb, validity, daily, unlimited = 0.0, rng.choice([0.5, 1]), 7, False, False
            promos = []
            if rng.random() < 0.5:
                first = rng.random() < 0.3 and gb <= 1 and not daily
                promos.append(
                    {
                        "name": "promo",
                        "discount_percent": str(
                            rng.choice([10, 15, 20, 25, 30, 50, 100 if first else 40])
                        ),
                        "bonus_gb": "0",
                        "starts": "2026-01-01",
                        "ends": "2026-12-31",
                        "limit": None,
                        "new_customer_only": first,
                    }
                )
            plans.append(
                {
                    "slug": f"syn-{o}-{n}",
                    "name": f"Synthetic {o}-{n}",
                    "price": f"{price:.2f}",
                    "currency": "USD",
                    "validity_days": validity,
                    "data_gb": None if daily or unlimited else str(gb),
                    "daily_gb": str(gb) if daily else None,
                    "coverage": [
                        {"countries": sorted(countries), "network": rng.choice(["4G", "4G", "5G"])}
                    ],
                    "hotspot": rng.random() < 0.6,
                    "new_customer_only": price == 0.0,
                    "promotions": promos,
                }
            )
        operators.append(
            {
                "slug": f"op-{o}",
                "name": f"Operator {o}",
                "country": None,
                "kind": "reseller",
                "plans": plans,
            }
        )
    doc = {
        "format": "esim-catalog/1",
        "rates": {"base": "EUR", "per_base": {"EUR": "1", "USD": "1.08"}},
        "regions": {},
        "operators": operators,
    }
    return parse_catalog(doc).to_engine(version=f"synthetic-{size}")


def synthetic_trip() -> Trip:
    d = Decimal
    return Trip(
        start_date=date(2026, 6, 1),
        legs=(
            Leg("DE", 4, d("0.65")),
            Leg("AT", 8, d("0.575")),
            Leg("CZ", 2, d("0.6")),
            Leg("SK", 1, d("0.3")),
        ),
        currency="USD",
        switch_penalty=d("0.50"),
    )


def machine_reference() -> float:
    """CPU seconds of a fixed pure-Python loop, best of three: how fast this
    machine runs the interpreter today, so that figures measured on two
    machines (the shared VMs differ by more than 2×) can be compared."""

    def once() -> float:
        started = time.process_time()
        total = 0
        for i in range(5_000_000):
            total += i
        return time.process_time() - started

    return min(once() for _ in range(3))


class Command(BaseCommand):
    help = "Time the planner engine on the real catalog and on synthetic ones."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument(
            "--only",
            choices=["real", "synthetic", "request"],
            default=None,
            help="request: the whole planner request on the catalog in the database",
        )
        parser.add_argument("--case", action="append", help="only the cases of these names")

    def handle(self, *args, repeat: int, only: str | None, case: list | None, **options):
        limit = settings.PLANNER_TIME_LIMIT
        self.cases = case
        self.stdout.write(
            f"machine: {machine_reference():.2f} CPU-s for the reference loop "
            "(docs/engine.md#benchmark: figures of two machines compare through it)"
        )
        header = (
            f"{'case':<24} {'plans':>6} {'kept':>5} {'cands':>6} {'rows':>6} {'cols':>6} "
            f"{'nnz':>7} {'median':>8} {'p95':>8} {'opt':>4} {'objective':>10} "
            f"{'full':>7} {'cpu':>6} {'alts':>4} {'fopt':>4}"
        )
        self.stdout.write(header)
        if only in (None, "real"):
            shared = settings.SHARED_DIR / REAL
            catalog = parse_catalog(json.loads((shared / "catalog.json").read_text())).to_engine()
            trip = parse_trip(json.loads((shared / "trip.json").read_text()), catalog)
            for name, t in real_variations(trip, catalog):
                self._case(name, t, catalog, repeat, limit)
        if only in (None, "synthetic"):
            for size in (1_000, 10_000, 50_000):
                self._case(
                    f"synthetic {size}", synthetic_trip(), synthetic_catalog(size), repeat, limit
                )
        if only == "request":
            self._requests(repeat, limit)

    def _case(self, name, trip, catalog, repeat, limit):
        if self.cases and name not in self.cases:
            return
        times = []
        result = None
        for _ in range(repeat):
            started = time.perf_counter()
            result = plan_trip(trip, catalog, time_limit=limit, baselines=False, alternatives=False)
            times.append(time.perf_counter() - started)
        # the whole engine: baselines and the cost–eSIM trade-off too, wall and CPU
        full = []
        cpu = []
        for _ in range(repeat):
            started, used = time.perf_counter(), time.process_time()
            whole = plan_trip(trip, catalog, time_limit=limit)
            full.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        s = result.stats
        self.stdout.write(
            f"{name:<24} {s.plans:>6} {s.plans_kept:>5} {s.candidates:>6} {s.rows:>6} {s.cols:>6} "
            f"{s.nonzeros:>7} {statistics.median(times):>8.3f} {p95:>8.3f} "
            f"{'yes' if result.optimal else 'no':>4} {result.objective_base:>10.4f} "
            f"{statistics.median(full):>7.3f} {statistics.median(cpu):>6.2f} "
            f"{len(whole.alternatives):>4} {'yes' if whole.optimal else 'no':>4}"
        )

    def _requests(self, repeat, limit):
        """The real trip as the planner page receives it: the engine alone
        (baselines included), then the whole request from the view to the
        rendered result, solved in the request, then answered from the cache."""
        from django.core.cache import cache
        from django.test import Client, override_settings

        from catalog.store import offered_catalog as load_catalog
        from planner import solving

        catalog = load_catalog()
        document = json.loads((settings.SHARED_DIR / REAL / "trip.json").read_text())
        trip = parse_trip(document, catalog)
        token = solving.trip_token(trip, catalog.version, date.today())
        self.stdout.write(
            f"\nthe real trip on the catalog in the database ({len(catalog.plans)} plans)"
        )
        self.stdout.write(f"{'what':<40} {'median':>8} {'p95':>8}")

        def row(what, times):
            times = sorted(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            self.stdout.write(f"{what:<40} {statistics.median(times):>8.3f} {p95:>8.3f}")
            return statistics.median(times)

        engine = []
        for _ in range(repeat):
            started = time.perf_counter()
            plan_trip(trip, catalog, time_limit=limit)
            engine.append(time.perf_counter() - started)
        engine_median = row("plan_trip with baselines", engine)

        data = form_post(document, catalog.rates.base)
        immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
        with override_settings(
            TASKS=immediate, ALLOWED_HOSTS=["testserver"], PLANNER_SOLVE_RATE="100000/m"
        ):
            client = Client()
            client.get("/", secure=True)
            misses, hits = [], []
            for _ in range(repeat):
                cache.delete(f"plan:result:{token}")
                for times in (misses, hits):
                    started = time.perf_counter()
                    response = client.post("/", data, secure=True, headers={"HX-Request": "true"})
                    times.append(time.perf_counter() - started)
                    if b'data-testid="total"' not in response.content:
                        raise CommandError(f"the planner answered without a result: {response}")
        request_median = row("request, solved (view to rendered result)", misses)
        row("request, answered from the cache", hits)
        self.stdout.write(f"request / engine: {request_median / engine_median:.2f}")

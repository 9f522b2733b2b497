import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from catalog.store import offered_catalog as load_catalog
from planner.display import round_decimal
from planner.engine.bounds import MAX_TRIP_BYTES, BoundsError, load_json, size_text
from planner.engine.budget import TripTooLarge
from planner.engine.money import gb_text
from planner.engine.result import Money, Result, explain_inputs
from planner.engine.trip import TripError
from planner.explanations import explain, result_document
from planner.recommend import solve_trip, trip_error_text


class Command(BaseCommand):
    help = "Recommend the plans to buy for a trip file (formats.md, Trip)."

    def add_arguments(self, parser):
        parser.add_argument("trip_file")
        parser.add_argument("--json", action="store_true", help="print the result document")

    def handle(self, *args, trip_file: str, json: bool = False, **options):
        try:
            data = _read(Path(trip_file))
        except OSError as err:
            raise CommandError(f"{trip_file}: {err.strerror or err}") from None
        except BoundsError as err:
            raise CommandError(f"{trip_file}: {err}") from None
        catalog = load_catalog()
        try:
            result = solve_trip(data, catalog)
        except TripError as err:
            raise CommandError(trip_error_text(err)) from None
        except TripTooLarge as err:
            raise CommandError(str(err)) from err
        if json:
            self.stdout.write(_dumps(result_document(result)))
        else:
            with translation.override("en"):  # the command speaks English, as its JSON
                self.stdout.write(table(result))


def _read(path: Path):
    with path.open("rb") as file:
        # One byte past the limit is enough to know it is too large.
        raw = file.read(MAX_TRIP_BYTES + 1)
    if len(raw) > MAX_TRIP_BYTES:
        raise BoundsError(f"the trip is larger than the limit of {size_text(MAX_TRIP_BYTES)}")
    return load_json(raw, max_bytes=MAX_TRIP_BYTES, what="the trip")


def _dumps(doc: dict) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False)


def _money(m: Money) -> str:
    # the one display rounding, as the pages show money
    return f"{round_decimal(m.amount, m.currency)} {m.currency}"


def table(result: Result) -> str:
    lines = []
    for n, p in enumerate(result.purchases):
        label = "owned" if p.owned else _money(p.price)
        promo = f" ({p.promotion})" if p.promotion else ""
        over = ""
        if p.overage_gb:
            over = f" + {_money(p.overage)} overage for {gb_text(p.overage_gb)} GB"
        devices = ",".join(str(d) for d in p.devices)
        lines.append(
            f"[{n}] {p.activate_on} → {p.active_until}  {p.plan_name} ({p.operator}) "
            f"device {devices}: {label}{promo}{over}; {gb_text(p.data_gb)} GB used"
        )
    if not result.purchases:
        lines.append("Nothing to buy.")
    for s in result.short:
        what = "voice" if s.voice else f"{gb_text(s.missing_gb)} GB short on device {s.device}"
        lines.append(f"! {s.date} {s.country}: {what}: {explain(*explain_inputs(s))}")
    lines.append(
        f"Total: {_money(result.total)} ({_money(result.total_base)})"
        + ("" if result.optimal else "  (best found, not proven optimal)")
    )
    base = result.baselines
    for name, value in (
        ("one local plan per country", base.local_per_country),
        ("best single plan", base.single_plan),
    ):
        if value is not None:
            short = f", {gb_text(value.short_gb)} GB short" if value.short_gb else ""
            lines.append(f"  vs {name}: {_money(value.total)} with {value.esims} eSIM(s){short}")
    if len(result.alternatives) > 1:
        lines.append(
            "  trade-off: "
            + " · ".join(f"{a.esims} eSIM(s) {_money(a.total)}" for a in result.alternatives)
        )
    for w in result.warnings:
        lines.append(f"  note: {explain(*explain_inputs(w))}")
    return "\n".join(lines)

"""One deadline over everything `plan_trip` does (PLANNER_TIME_LIMIT).

Building and pruning candidates, building each model and every solver stage
read the same clock. Optional work (pruning, baselines, alternatives) stops
when its share is spent; the main model that cannot even be built in time
ends in `TripTooLarge`, a code with the figures, never a hang.
"""

import time


class Overrun(Exception):
    """A model or candidate set was still being built when its deadline passed."""

    def __init__(self, stage: str, done: int):
        super().__init__(stage)
        self.stage = stage
        self.done = done


class TripTooLarge(Exception):
    code = "trip-too-large"

    def __init__(self, *, days: int, devices: int, legs: int, candidates: int, limit: float):
        self.figures = {
            "days": days,
            "devices": devices,
            "legs": legs,
            "candidates": candidates,
            "time_limit": limit,
        }
        super().__init__(
            f"{self.code}: the trip is too large to plan at once within {limit:g} s "
            f"({days} days, {devices} devices, {candidates} ways to buy a plan or more); "
            f"plan fewer days or fewer devices at a time, for example one part of the trip"
        )


def check(deadline: float | None, stage: str, done: int) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise Overrun(stage, done)

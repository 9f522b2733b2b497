"""The HiGHS session: a quiet solver with the settings that make answers
reproducible, the model handed over in one call, one timed run
(docs/engine.md#formulation, "HiGHS settings"; docs/engine.md#why-highspy).
"""

import time

import highspy
import numpy as np

from planner.engine.formulation import Builder


class _QuietHighs(highspy.Highs):
    """highspy's Highs logs its banner to stdout while it enables callbacks in
    __init__, before any option can be set, and that would corrupt
    `recommend --json` on stdout. Silence HiGHS first, then do the same setup."""

    def __init__(self):
        highspy._core._Highs.__init__(self)
        self.setOptionValue("output_flag", False)
        self.callbacks = [
            highspy.highs.HighsCallback(highspy.cb.HighsCallbackType(i), self)
            for i in range(int(highspy.cb.HighsCallbackType.kCallbackMax) + 1)
        ]
        self.enableCallbacks()


def new_highs(time_limit: float) -> highspy.Highs:
    h = _QuietHighs()
    h.setOptionValue("time_limit", max(time_limit, 0.01))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-7)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    # HiGHS's MIP presolve (probing) took longer than the whole search on
    # 30-day trips, and overran the time limit; the models here are already
    # reduced by the candidate builder, so it is switched off.
    h.setOptionValue("presolve", "off")
    return h


def pass_model(h: highspy.Highs, b: Builder, *, relaxed: bool = False) -> None:
    """Hand the model to HiGHS in one call; `relaxed`: every column continuous."""
    lp = highspy.HighsLp()
    lp.num_col_ = len(b.cost)
    lp.num_row_ = len(b.row_lower)
    lp.col_cost_ = np.array(b.cost, dtype=np.float64)
    lp.col_lower_ = np.array(b.lower, dtype=np.float64)
    lp.col_upper_ = np.array(b.upper, dtype=np.float64)
    lp.row_lower_ = np.array(b.row_lower, dtype=np.float64)
    lp.row_upper_ = np.array(b.row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(b.starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(b.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(b.value, dtype=np.float64)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if v and not relaxed else highspy.HighsVarType.kContinuous
        for v in b.integer
    ]
    h.passModel(lp)


def run(h: highspy.Highs, deadline: float) -> tuple[bool, bool]:
    """Solve until `deadline`; (proven optimal, has a feasible solution)."""
    h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
    h.run()
    status = h.getModelStatus()
    found = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    return status == highspy.HighsModelStatus.kOptimal, found


def as_solution(values: list[float]) -> highspy.HighsSolution:
    """Column values as a HiGHS start."""
    s = highspy.HighsSolution()
    s.col_value = values
    s.value_valid = True
    return s

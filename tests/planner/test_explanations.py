"""The one map of texts for the engine's codes (planner/explanations.py): every
code the engine gives has a text, and the English is what the engine used to write."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from planner.engine.result import NOTICE, SHORT, SHORT_DAY, Notice, explain_inputs
from planner.engine.shortfalls import CONDITIONS
from planner.explanations import NOTICE_TEXTS, SHORT_DAY_TEXTS, SHORT_TEXTS, explain

ENGINE = Path(__file__).resolve().parents[2] / "planner" / "engine"


def _codes_given(name: str) -> set[str]:
    """String constants passed as `name=` or returned beside it in the engine's source."""
    found = set()
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == name and isinstance(kw.value, ast.Constant):
                        found.add(kw.value.value)
                if getattr(node.func, "id", None) == "note" and node.args:
                    found.add(node.args[0].value)
    return found


def text(notice: Notice) -> str:
    with translation.override("en"):
        return explain(*explain_inputs(notice))


def test_every_notice_code_of_the_engine_has_a_text():
    given = _codes_given("code")
    assert {"time-limit", "fair-use", "subscription", "not-verified"} <= given
    assert given <= set(NOTICE_TEXTS)


def test_every_short_day_condition_has_a_text():
    assert set(CONDITIONS) | {"no-plan", "max-esims", "limits", "time-limit"} == set(
        SHORT_DAY_TEXTS
    )
    assert {"no-plan", "filtered", "limits", "time-limit", "no-voice-plan", "voice-limits"} == set(
        SHORT_TEXTS
    )


@pytest.mark.parametrize(
    ("code", "details", "expected"),
    [
        (
            "clock-on-install",
            {"install_on": "2026-06-01"},
            "Go: the validity clock starts when the eSIM is installed; "
            "install it on 2026-06-01, not before the trip.",
        ),
        (
            "clock-on-purchase",
            {"buy_on": "2026-06-01"},
            "Go: the validity clock starts when it is bought; buy it on 2026-06-01.",
        ),
        ("3g-only", {"country": "AL"}, "Go reaches AL on 3G only."),
        (
            "daily-cap",
            {"daily_gb": "2", "throttle_kbps": "512"},
            "Go slows down to 512 kbps after 2 GB a day.",
        ),
        ("daily-cap", {"daily_gb": "2", "throttle_kbps": ""}, "Go slows down after 2 GB a day."),
        ("daily-cap", {"daily_gb": "2", "throttle_kbps": "0"}, "Go slows down after 2 GB a day."),
        (
            "ekyc",
            {},
            "Go needs an identity check (eKYC) before it works; do it before leaving.",
        ),
        (
            "fair-use",
            {
                "listed_price": "20",
                "currency": "EUR",
                "vat_percent": "21",
                "price_excl_vat": "16.53",
                "wholesale_eur_per_gb": "1.32",
                "wholesale_in_force_from": "2026-01-01",
                "wholesale_per_gb": "1.32",
                "cap_gb": "25.04",
            },
            "Go: EU fair use caps roaming at 25.04 GB (2 × 20 EUR / (1 + 21 % VAT) / "
            "1.32 EUR per GB wholesale since 2026-01-01); beyond it roaming data is surcharged.",
        ),
        (
            "subscription",
            {"cancel_by": "2026-07-01", "validity_days": "30"},
            "Go renews by itself every 30 days until cancelled: "
            "cancel it after the trip, before 2026-07-01.",
        ),
        (
            "not-verified",
            {"verified_on": "2026-01-02"},
            "Go: the offer was last checked on 2026-01-02; confirm price and terms before buying.",
        ),
    ],
)
def test_a_notice_reads_as_before(code, details, expected):
    notice = Notice(code=code, plan="go", plan_name="Go", details=details)
    assert text(notice) == expected


def test_the_time_limit_notice_names_no_plan():
    assert text(Notice(code="time-limit")).startswith("The search ran out of time")


def test_an_unknown_code_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        explain(NOTICE, "no-such-code", {})
    with pytest.raises(KeyError):  # a placeholder the engine did not fill
        explain(SHORT_DAY, "network", {"country": "CH"})
    assert explain(SHORT, "no-plan", {"country": "XK"}) == "no plan in the catalog covers XK"

"""The result document follows formats.md "Result", plus the engine's own keys."""

from decimal import Decimal

from planner.engine.solve import plan_trip
from planner.explanations import result_document
from tests.engine.helpers import make_catalog, make_plan, make_trip


def test_it_has_the_keys_of_formats_md():
    plan = make_plan("eu", price="29.99", data="20", countries=("FR", "XK"))
    result = plan_trip(make_trip(("FR", 2, "1.5"), ("GL", 1, "1")), make_catalog(plan))

    doc = result_document(result)

    assert {
        "total",
        "total_base",
        "purchases",
        "days",
        "short",
        "baselines",
        "catalog_version",
    } <= set(doc)
    assert doc["total"] == {"amount": "29.99", "currency": "EUR"}
    assert doc["optimal"] is True
    (p,) = doc["purchases"]
    assert {
        "plan",
        "operator",
        "owned",
        "activate_on",
        "active_until",
        "devices",
        "price",
        "promotion",
        "overage",
        "data_gb",
        "days",
    } <= set(p)
    assert p["activate_on"] == "2026-06-01" and p["active_until"] == "2026-06-30"
    assert p["data_gb"] == "3.0" and p["overage"] == {"amount": "0.00", "currency": "EUR"}
    day = doc["days"][0]
    assert day == {
        "date": "2026-06-01",
        "country": "FR",
        "need_gb": "1.5",
        "supply": [{"purchase": 0, "device": 1, "gb": "1.5", "overage_gb": "0.0"}],
    }
    assert doc["short"] == [
        {
            "date": "2026-06-03",
            "country": "GL",
            "device": 1,
            "missing_gb": "1.0",
            "why": "no plan in the catalog covers GL",
            "reason": "no-plan",
            "voice": False,
        }
    ]
    assert doc["baselines"] == {"local_per_country": None, "single_plan": None}
    assert result.short_gb == Decimal(1)

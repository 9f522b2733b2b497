"""A result document reads back typed (`from_document`) and writes again the same:
a saved trip keeps its JSON and its page is built from the typed result."""

import json
from decimal import Decimal

import pytest

from planner.engine.result import Money, from_document
from planner.engine.solve import plan_trip
from planner.engine.trip import parse_trip
from planner.explanations import result_document
from tests.engine.helpers import load_catalog
from tests.engine.test_examples import EXAMPLES


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_a_document_reads_back_to_itself(folder):
    catalog = load_catalog(folder / "catalog.json")
    trip = parse_trip(json.loads((folder / "trip.json").read_text()), catalog)
    doc = json.loads(json.dumps(result_document(plan_trip(trip, catalog))))

    result = from_document(doc)

    assert result_document(result) == doc
    assert isinstance(result.total, Money) and isinstance(result.total.amount, Decimal)


def test_the_fair_use_example_reads_typed():
    folder = next(p for p in EXAMPLES if p.name == "01-home-plan-fair-use")
    catalog = load_catalog(folder / "catalog.json")
    trip = parse_trip(json.loads((folder / "trip.json").read_text()), catalog)

    home = from_document(result_document(plan_trip(trip, catalog))).purchases[0]

    roaming = next(c for c in home.caps if c.fair_use is not None)
    assert roaming.cap_gb == Decimal("30.28")
    assert roaming.fair_use.wholesale_per_gb.amount == Decimal("1.10")
    assert home.overage == Money(Decimal("6.23"), "EUR")  # the document's cents

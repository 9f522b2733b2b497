"""Planning model v2 (section 9): eligibility, known operators, the eSIM cap,
the trade-off, baselines by the same rules, and the explanations as codes."""

import itertools
from decimal import Decimal

from planner.engine.model import Catalog, Network, Operator, OperatorKind, Promotion
from planner.engine.solve import plan_trip
from planner.explanations import result_document
from tests.engine.helpers import RATES, make_plan, make_trip

D = Decimal
OPERATORS = {
    "fr-telco": Operator("fr-telco", "FR Telco", "FR", OperatorKind.MNO),
    "travel": Operator("travel", "Travel", None, OperatorKind.RESELLER),
    "other": Operator("other", "Other", None, OperatorKind.RESELLER),
}


def catalog(*plans):
    return Catalog(rates=RATES, operators=OPERATORS, plans=tuple(plans))


def solve(trip, *plans):
    result = plan_trip(trip, catalog(*plans), time_limit=20)
    assert result.optimal
    return result


CONTRACT = make_plan(
    "contract", price="9.99", data="100", operator="fr-telco", residents_only=True,
    subscription=True, voice=True,
)  # fmt: skip
TRAVEL = make_plan("travel-10", price="14", validity=15, data="10", operator="travel")


# --- eligibility


def test_it_never_sells_a_residents_only_plan_to_a_visitor():
    visitor = solve(make_trip(("FR", 10, "0.8")), CONTRACT, TRAVEL)
    assert [p.plan for p in visitor.purchases] == ["travel-10"]
    assert visitor.total.amount == D("14.00")
    for baseline in (visitor.baselines.local_per_country, visitor.baselines.single_plan):
        assert baseline.total.amount == D("14.00")


def test_a_resident_gets_the_contract_flagged_with_its_terms():
    resident = solve(make_trip(("FR", 10, "0.8"), resident_in=("FR",)), CONTRACT, TRAVEL)
    (p,) = resident.purchases
    assert (p.plan, p.residents_only, p.subscription) == ("contract", True, True)
    doc = result_document(resident)
    assert doc["purchases"][0]["residents_only"] is True
    assert doc["purchases"][0]["subscription"] is True
    (w,) = [w for w in resident.warnings if w.code == "subscription"]
    assert w.details["cancel_by"] == p.active_until.isoformat()


def test_an_owned_residents_only_plan_is_always_allowed():
    home = solve(make_trip(("FR", 10, "0.8"), owned=("contract",)), CONTRACT, TRAVEL)
    assert home.bought == () and home.short_gb == 0
    assert not any(w.code == "subscription" for w in home.warnings)


def test_a_day_only_residents_plans_cover_says_so_once():
    result = solve(make_trip(("FR", 2, "1"), devices=2, needs_voice=True), CONTRACT)
    assert len(result.short) == 6  # two devices and the voice, on each of two days
    assert [(s.reason, s.devices, s.voice) for s in result.short_days] == [
        ("residents-only", (1, 2), True),
        ("residents-only", (1, 2), True),
    ]
    assert result.short_days[0].details == {"countries": "FR"}
    assert result.short_days[0].missing_gb == D(2)


# --- known operators


FREE_TRIAL = make_plan(
    "trial", price="0", validity=7, data="1", operator="other", new_customer_only=True
)
WELCOME = make_plan(
    "welcome",
    price="6",
    data="3",
    operator="travel",
    promotions=(
        Promotion("first", D(100), D(0), make_trip(("FR", 1, "1")).start_date,
                  make_trip(("FR", 30, "1")).start_date.replace(day=30), None, True),
    ),
)  # fmt: skip


def test_customer_of_blocks_that_operators_first_order_offers():
    fresh = solve(make_trip(("FR", 4, "1")), FREE_TRIAL, WELCOME, TRAVEL)
    assert sorted((p.plan, p.new_customer) for p in fresh.bought) == [
        ("trial", True),
        ("welcome", True),
    ]
    assert fresh.total.amount == D("0.00")
    trip = make_trip(("FR", 4, "1"), customer_of=("other", "travel"))
    known = solve(trip, FREE_TRIAL, WELCOME, TRAVEL)
    assert [(p.plan, p.promotion, p.new_customer) for p in known.bought] == [
        ("welcome", None, False),
        ("welcome", None, False),
    ]
    assert known.total.amount == D("12.00")
    assert known.baselines.single_plan.total.amount == D("12.00")


def test_a_day_only_used_first_order_offers_cover_names_that():
    result = solve(make_trip(("FR", 1, "1"), customer_of=("other",)), FREE_TRIAL)
    assert [s.reason for s in result.short_days] == ["new-customer-used"]


# --- the eSIM cap


PASS = make_plan("pass", price="1", validity=1, data="1", countries=("ES",), operator="travel")
LOCAL = make_plan("local", price="12", validity=30, data="10", countries=("ES",), operator="other")


def test_max_esims_caps_the_purchases():
    capped = solve(make_trip(("ES", 10, "1"), max_esims=3), PASS, LOCAL)
    assert [p.plan for p in capped.bought] == ["local"]
    free = solve(make_trip(("ES", 10, "1")), PASS, LOCAL)
    assert len(free.bought) == 10 and free.total.amount == D("10.00")


def test_alternatives_strictly_improve_and_end_with_the_recommendation():
    result = solve(make_trip(("ES", 10, "1")), PASS, LOCAL)
    doc = result_document(result)["alternatives"]
    assert [(a["esims"], a["total"]["amount"], a["max_esims"]) for a in doc] == [
        (1, "12.00", 1),
        (10, "10.00", None),
    ]
    objectives = [a.objective_base for a in result.alternatives]
    assert all(b < a - D("0.005") for a, b in itertools.pairwise(objectives))
    assert result.alternatives[-1].objective_base == result.objective_base


def test_max_esims_one_is_the_best_single_esim():
    a = make_plan("a", price="3", validity=2, data="2", countries=("FR", "DE"), operator="travel")
    b = make_plan("b", price="2", validity=3, data="1", countries=("FR",), operator="other")
    c = make_plan("c", price="5", validity=5, data="9", countries=("DE",), operator="travel")
    trip = make_trip(("FR", 2, "0.5"), ("DE", 2, "0.5"), max_esims=1)
    one = solve(trip, a, b, c)
    assert len(one.bought) == 1
    # stage 1 holds under the cap: the single purchase that meets the most need
    singles = [
        plan_trip(make_trip(("FR", 2, "0.5"), ("DE", 2, "0.5"), max_esims=1), catalog(p))
        for p in (a, b, c)
    ]
    best = min(singles, key=lambda r: (r.short_gb, r.objective_base))
    assert (one.short_gb, one.objective_base) == (best.short_gb, best.objective_base)
    # each plan meets 2 of the 4 days at most; "b" does it cheapest
    assert ([p.plan for p in one.bought], one.short_gb, one.total.amount) == (["b"], D(1), D(2))
    assert [s.reason for s in one.short_days] == ["max-esims", "max-esims"]
    assert one.short_days[0].details == {"max_esims": "1"}


# --- baselines by the same rules


def test_baselines_count_the_switch_penalty_and_the_phone_number():
    # locals cheaper in money, but four eSIMs at 1 EUR each are worth avoiding
    fr = make_plan("fr", price="1", validity=1, data="1", operator="travel")
    region = make_plan("region", price="4.5", validity=5, data="5", countries=("FR",),
                       operator="other", voice=True)  # fmt: skip
    trip = make_trip(("FR", 4, "1"), switch_penalty=D(1))
    result = solve(trip, fr, region)
    local = result.baselines.local_per_country
    assert (local.total.amount, local.esims, local.objective_base) == (D("4.50"), 1, D("5.5"))
    assert result.objective_base <= local.objective_base
    voice = solve(make_trip(("FR", 4, "1"), needs_voice=True), fr, region)
    assert [p.plan for p in voice.bought] == ["region"]
    assert voice.baselines.single_plan.total.amount == D("4.50")
    assert voice.baselines.single_plan.esims == 1


def test_an_owned_plan_counts_free_in_the_baselines():
    home = make_plan("home", price="20", data="50", countries=("FR",), operator="fr-telco")
    trip = make_trip(("FR", 5, "1"), owned=("home",))
    result = solve(trip, home, TRAVEL)
    for baseline in (result.baselines.local_per_country, result.baselines.single_plan):
        assert (baseline.total.amount, baseline.esims, baseline.short_gb) == (D(0), 0, D(0))
    assert [(a.esims, a.total.amount) for a in result.alternatives] == [(0, D(0))]


# --- explanations


def test_an_owned_plan_says_which_days_it_leaves_and_why():
    home = make_plan("home", price="20", data="2", countries=("FR", "DE"), operator="fr-telco",
                     coverage=None)  # fmt: skip
    slow = make_plan(
        "home",
        price="20",
        data="2",
        operator="fr-telco",
        coverage=(
            home.coverage[0],
            *make_plan(countries=("IT",), network=Network.G3).coverage,
        ),
    )
    eu = make_plan("eu", price="5", data="10", countries=("FR", "DE", "IT", "CH"), operator="other")
    trip = make_trip(
        ("FR", 3, "1"), ("CH", 2, "1"), ("IT", 1, "1"), owned=("home",), min_network=Network.G4
    )
    result = solve(trip, slow, eu)
    gaps = [(g.country, g.reason, g.first.day, g.last.day) for g in result.owned_gaps]
    # the FR days are the solver's to split between two plans with data to spare
    assert [g for g in gaps if g[0] != "FR"] == [
        ("CH", "country-not-covered", 4, 5),
        ("IT", "network-too-slow", 6, 6),
    ]
    eu_index = next(n for n, p in enumerate(result.purchases) if p.plan == "eu")
    assert all(g.covered_by == (eu_index,) for g in result.owned_gaps)
    doc = [g for g in result_document(result)["owned_gaps"] if g["country"] == "CH"]
    assert doc[0] == {
        "plan": "home",
        "country": "CH",
        "first": "2026-06-04",
        "last": "2026-06-05",
        "days": 2,
        "reason": "country-not-covered",
        "covered_by": [eu_index],
    }


def test_a_slow_network_day_names_the_network():
    slow = make_plan("slow", price="1", network=Network.G4, operator="travel")
    result = solve(make_trip(("FR", 1, "1"), min_network=Network.G5), slow)
    (day,) = result.short_days
    assert (day.reason, dict(day.details)) == (
        "network",
        {"min_network": "5G", "best_network": "4G"},
    )


def test_a_warning_is_given_once_for_the_devices_it_concerns():
    ekyc = make_plan("ekyc", price="3", data="5", ekyc=True, operator="travel")
    result = solve(make_trip(("FR", 2, "1"), devices=3), ekyc)
    assert len(result.bought) == 3
    (w,) = [w for w in result.warnings if w.code == "ekyc"]
    assert w.purchases == (0, 1, 2)


def test_an_owned_plan_whose_data_runs_out_says_so():
    home = make_plan("home", price="20", data="2", operator="fr-telco")
    day = make_plan("day", price="1", validity=1, data="1", operator="travel")
    result = solve(make_trip(("FR", 3, "1"), owned=("home",)), home, day)
    assert [p.plan for p in result.bought] == ["day"]
    (gap,) = result.owned_gaps
    assert gap.reason == "cap-reached"
    assert gap.first == gap.last == result.bought[0].activate_on

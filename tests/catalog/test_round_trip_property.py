"""Whatever valid catalog comes in, export gives it back: checked on generated documents,
imported one after another over the same database so updates and retirements are exercised."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.document import dump_catalog, parse_catalog
from catalog.importer import import_document
from catalog.store import offered_document

# NUL and lone surrogates are refused by the parser; test_document covers that.
text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
COUNTRIES = ["AT", "BE", "CH", "CZ", "DE", "DK", "FR", "GB", "SE", "SK", "XK"]
# Where each generated operator is based: a residents-only plan needs a country.
OPERATOR_COUNTRIES = {"op-a": None, "op-b": "FR", "op-c": "XK"}

decimals = st.builds(
    lambda whole, frac, places: f"{whole}.{frac:0{places}d}" if places else str(whole),
    st.integers(0, 999),
    st.integers(0, 99),
    st.sampled_from([0, 2]),
)


@st.composite
def coverage(draw):
    pool = draw(st.permutations(COUNTRIES))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    entries, start = [], 0
    for size in sizes:
        countries = pool[start : start + size]
        start += size
        if not countries:
            break
        use_region = draw(st.booleans()) and set(countries) >= {"DK", "SE"}
        listed = ["@NORDIC", *sorted(set(countries) - {"DK", "SE"})] if use_region else countries
        entries.append(
            {
                "countries": listed,
                "network": draw(st.sampled_from(["3G", "4G", "5G"])),
                "cap_gb": draw(st.one_of(st.none(), decimals, st.just("eu-fair-use"))),
                "overage_per_gb": draw(st.one_of(st.none(), decimals)),
            }
        )
    return entries


@st.composite
def promotions(draw):
    day = date(2026, 1, 1)
    result = []
    for _ in range(draw(st.integers(0, 2))):
        starts = day + timedelta(days=draw(st.integers(0, 20)))
        ends = starts + timedelta(days=draw(st.integers(0, 20)))
        day = ends + timedelta(days=1)
        result.append(
            {
                "name": draw(text),
                "discount_percent": str(draw(st.integers(0, 100))),
                "bonus_gb": draw(decimals),
                "starts": starts.isoformat(),
                "ends": ends.isoformat(),
                "limit": draw(st.one_of(st.none(), st.integers(1, 3))),
                "new_customer_only": draw(st.booleans()),
            }
        )
    return result


@st.composite
def plans(draw, slug, *, operator_country):
    return {
        "slug": slug,
        "name": draw(text.filter(str.strip)),
        "price": draw(decimals),
        "currency": draw(st.sampled_from(["EUR", "USD"])),
        "validity_days": draw(st.integers(1, 365)),
        "data_gb": draw(st.one_of(st.none(), decimals)),
        "daily_gb": draw(st.one_of(st.none(), st.just("0.5"), st.just("2"))),
        "coverage": draw(coverage()),
        "hotspot": draw(st.booleans()),
        "max_devices": draw(st.integers(1, 5)),
        "voice": draw(st.booleans()),
        "esim": draw(st.booleans()),
        "vat_percent": draw(st.sampled_from(["0", "20", "7.7"])),
        "max_purchases": draw(st.one_of(st.none(), st.integers(1, 3))),
        "new_customer_only": draw(st.booleans()),
        "residents_only": operator_country is not None and draw(st.booleans()),
        "subscription": draw(st.booleans()),
        "activation": draw(st.sampled_from(["first_use", "install", "purchase"])),
        "promotions": draw(promotions()),
        "verified_on": draw(st.one_of(st.none(), st.just("2026-11-01"))),
    }


@st.composite
def documents(draw):
    slugs = draw(st.lists(st.sampled_from([f"p{i}" for i in range(8)]), unique=True, max_size=6))
    operators = {}
    for slug in slugs:
        operator = draw(st.sampled_from(sorted(OPERATOR_COUNTRIES)))
        plan = draw(plans(slug, operator_country=OPERATOR_COUNTRIES[operator]))
        operators.setdefault(operator, []).append(plan)
    return {
        "format": "esim-catalog/1",
        "rates": {"base": "EUR", "as_of": "2026-11-01", "per_base": {"EUR": "1", "USD": "1.08"}},
        "regions": {"NORDIC": ["DK", "SE"]},
        "operators": [
            {
                "slug": slug,
                "name": slug.upper(),
                "kind": "reseller",
                "country": OPERATOR_COUNTRIES[slug],
                "plans": plans_,
            }
            for slug, plans_ in operators.items()
        ],
    }


# Generating a whole document takes tenths of a second on a loaded machine; that is
# the strategy's cost, not a problem of the code under test.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_it_writes_back_every_generated_document(data):
    doc = parse_catalog(data)
    assert parse_catalog(dump_catalog(doc)) == doc


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_it_exports_what_it_imported_after_any_sequence_of_imports(data):
    doc = parse_catalog(data)
    import_document(doc, replace=True)
    exported = parse_catalog(dump_catalog(offered_document()))
    assert set(exported.plans) == set(doc.plans)
    assert set(exported.operators) == set(doc.operators)
    assert not import_document(
        parse_catalog(dump_catalog(offered_document())), replace=True
    ).changes_anything

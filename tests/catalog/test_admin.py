from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogVersion, Plan, PlanChange, Region
from catalog.store import offered_catalog as load_catalog
from tests.catalog.factories import (
    admin_formset,
    make_operator,
    make_plan,
    make_promotion,
    make_rates,
    make_user,
    plan_post,
)

pytestmark = pytest.mark.django_db

PLAN_CHANGELIST = reverse("admin:catalog_plan_changelist")


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(PLAN_CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_keeps_non_staff_out_even_in_the_editor_group(client):
    client.force_login(make_user(editor=True))
    assert client.get(PLAN_CHANGELIST).status_code == 302


def test_it_refuses_the_catalog_to_plain_staff(client):
    client.force_login(make_user(staff=True))
    assert client.get(PLAN_CHANGELIST).status_code == 403
    plan = make_plan()
    url = reverse("admin:catalog_plan_change", args=[plan.pk])
    assert client.post(url, {"name": "changed"}).status_code == 403


def test_it_lets_a_catalog_editor_list_and_filter_plans(editor_client):
    make_plan(name="Alpine 5", countries=("AT",), network="5G", verified_on=date(2020, 1, 1))
    make_plan(name="German 1", countries=("DE",))
    for query in ["", "?country=AT", "?network=5G", "?stale=yes", "?retired=no", "?q=Alpine"]:
        response = editor_client.get(PLAN_CHANGELIST + query)
        assert response.status_code == 200, query
    assert "Alpine 5" in editor_client.get(PLAN_CHANGELIST + "?country=AT").text
    assert "German 1" not in editor_client.get(PLAN_CHANGELIST + "?network=5G").text


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("?stale=yes", {"Never checked", "Checked long ago"}),
        ("?stale=no", {"Checked today"}),
        ("?retired=yes", {"Checked long ago"}),
        ("?retired=no", {"Never checked", "Checked today"}),
        ("", {"Never checked", "Checked long ago", "Checked today"}),
    ],
)
def test_it_filters_plans_by_verification_and_offer(editor_client, query, shown):
    make_plan(name="Never checked", verified_on=None)
    make_plan(name="Checked long ago", verified_on=date(2020, 1, 1), retired_at=timezone.now())
    make_plan(name="Checked today", verified_on=timezone.localdate())
    response = editor_client.get(PLAN_CHANGELIST + query)
    assert {plan.name for plan in response.context["cl"].result_list} == shown


def test_it_gives_the_editor_group_no_right_to_delete_plans_or_touch_users(editor_client):
    plan = make_plan()
    assert (
        editor_client.get(reverse("admin:catalog_plan_delete", args=[plan.pk])).status_code == 403
    )
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_it_lets_a_superuser_in(client):
    client.force_login(make_user(superuser=True))
    make_plan()
    assert client.get(PLAN_CHANGELIST).status_code == 200
    assert client.get(reverse("admin:catalog_operator_changelist")).status_code == 200


def test_it_keeps_history_read_only_even_for_a_superuser(client):
    client.force_login(make_user(superuser=True))
    plan = make_plan()
    change = PlanChange.objects.create(plan=plan, source="admin", before={}, after={})
    version = CatalogVersion.bump("start")
    for model, pk in [("planchange", change.pk), ("catalogversion", version.pk)]:
        assert client.get(reverse(f"admin:catalog_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:catalog_{model}_add")).status_code == 403
        assert client.post(reverse(f"admin:catalog_{model}_delete", args=[pk])).status_code == 403
        assert client.post(reverse(f"admin:catalog_{model}_change", args=[pk])).status_code == 403
    page = client.get(reverse("admin:catalog_plan_change", args=[plan.pk])).text
    assert "changes-0-DELETE" not in page
    page = client.get(reverse("admin:catalog_operator_change", args=[plan.operator_id])).text
    assert "plans-0-DELETE" not in page and plan.name in page


def test_it_lists_plans_in_a_constant_number_of_queries(editor_client, queries_of):
    operator = make_operator()
    for _ in range(3):
        make_plan(operator=operator, countries=("DE", "AT"))
    few = queries_of(PLAN_CHANGELIST)
    for _ in range(9):
        make_plan(operator=operator, countries=("DE", "AT", "CZ"))
    assert queries_of(PLAN_CHANGELIST) == few


def test_it_lists_rate_sets_in_a_constant_number_of_queries(editor_client, queries_of):
    url = reverse("admin:catalog_rateset_changelist")
    make_rates(per_base={"EUR": "1", "USD": "1.2"})
    few = queries_of(url)
    for _ in range(5):
        newest = make_rates()
    assert queries_of(url) == few
    response = editor_client.get(url)
    assert [rates.is_in_force for rates in response.context["cl"].result_list] == [
        rates.pk == newest.pk for rates in response.context["cl"].result_list
    ]


def test_it_records_who_changed_a_price_and_when(client):
    user = make_user(staff=True, editor=True)
    client.force_login(user)
    plan = make_plan(price="10")
    version = CatalogVersion.bump("start")
    url = reverse("admin:catalog_plan_change", args=[plan.pk])
    response = client.post(url, plan_post(plan, price="12.50"))
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    change = PlanChange.objects.get()
    assert (change.before, change.after) == ({"price": "10"}, {"price": "12.5"})
    assert change.changed_by == user
    assert change.source == "admin"
    assert CatalogVersion.current().pk > version.pk
    assert "12.5" in client.get(url).text  # the history is on the plan's page


def test_it_keeps_the_catalog_version_when_a_save_changes_nothing(editor_client):
    plan = make_plan()
    version = CatalogVersion.bump("start")
    url = reverse("admin:catalog_plan_change", args=[plan.pk])
    assert editor_client.post(url, plan_post(plan)).status_code == 302
    operator_url = reverse("admin:catalog_operator_change", args=[plan.operator_id])
    operator_form = {
        "name": plan.operator.name,
        "slug": plan.operator.slug,
        "kind": plan.operator.kind,
        **admin_formset("plans", [], initial=0),
    }
    assert editor_client.post(operator_url, operator_form).status_code == 302
    assert CatalogVersion.current() == version

    assert editor_client.post(url, plan_post(plan, name="Renamed")).status_code == 302
    assert CatalogVersion.current().pk > version.pk


def test_it_refuses_a_country_in_two_coverage_entries(editor_client):
    plan = make_plan()
    data = plan_post(plan)
    data.update(
        admin_formset(
            "coverage_entries",
            [
                {
                    "id": plan.coverage_entries.get().pk,
                    "plan": plan.pk,
                    "position": "0",
                    "countries": "FR DE",
                    "network": "4G",
                },
                {"plan": plan.pk, "position": "1", "countries": "DE", "network": "5G"},
            ],
            initial=1,
        )
    )
    response = editor_client.post(reverse("admin:catalog_plan_change", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "DE is in coverage entries 1 and 2" in response.text


def test_it_saves_coverage_typed_with_regions(editor_client):
    Region.objects.create(name="NORDIC", countries=["DK", "SE"])
    plan = make_plan()
    data = plan_post(plan)
    data["coverage_entries-0-countries"] = "@NORDIC fi"
    response = editor_client.post(reverse("admin:catalog_plan_change", args=[plan.pk]), data)
    assert response.status_code == 302
    assert set(plan.coverage_countries.values_list("country", flat=True)) == {"DK", "SE", "FI"}
    assert plan.coverage_entries.get().regions == "NORDIC"
    page = editor_client.get(reverse("admin:catalog_plan_change", args=[plan.pk])).text
    assert 'value="@NORDIC FI"' in page  # the entry is shown as it was typed


def test_it_refuses_overlapping_promotions(editor_client):
    plan = make_plan()
    data = plan_post(plan)
    data.update(
        admin_formset(
            "promotions",
            [
                {
                    "plan": plan.pk,
                    "name": "A",
                    "discount_percent": "10",
                    "bonus_gb": "0",
                    "starts": "2026-06-01",
                    "ends": "2026-06-10",
                },
                {
                    "plan": plan.pk,
                    "name": "B",
                    "discount_percent": "10",
                    "bonus_gb": "0",
                    "starts": "2026-06-10",
                    "ends": "2026-06-20",
                },
            ],
        )
    )
    response = editor_client.post(reverse("admin:catalog_plan_change", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "Promotion windows overlap" in response.text
    assert not plan.promotions.exists()


def _action(client, action: str, plans) -> object:
    return client.post(
        PLAN_CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in plans]},
    )


def test_it_marks_plans_verified_today(editor_client):
    plans = [make_plan(verified_on=date(2020, 1, 1)) for _ in range(2)]
    _action(editor_client, "mark_verified_today", plans)
    today = timezone.localdate()
    assert set(Plan.objects.values_list("verified_on", flat=True)) == {today}
    assert PlanChange.objects.filter(source="action").count() == 2


def test_it_retires_plans_instead_of_deleting_them(editor_client):
    plan = make_plan()
    _action(editor_client, "retire", [plan])
    plan.refresh_from_db()
    assert plan.retired_at is not None
    assert not Plan.objects.offered().exists()
    assert PlanChange.objects.get().after == {"retired": True}


def test_it_retires_operators_with_a_new_version_only_when_one_changed(editor_client):
    url = reverse("admin:catalog_operator_changelist")
    gone = make_operator(retired_at=timezone.now())
    active = make_operator()
    start = CatalogVersion.bump("start")

    editor_client.post(url, {"action": "retire", "_selected_action": [gone.pk]})
    assert CatalogVersion.current() == start

    editor_client.post(url, {"action": "retire", "_selected_action": [gone.pk, active.pk]})
    active.refresh_from_db()
    assert active.retired_at is not None
    assert CatalogVersion.current().pk > start.pk

    editor_client.post(url, {"action": "offer_again", "_selected_action": [active.pk]})
    active.refresh_from_db()
    assert active.retired_at is None


def test_it_duplicates_a_plan_as_a_retired_draft(editor_client):
    plan = make_plan(slug="base", countries=("DE", "AT"))
    make_promotion(plan=plan)
    response = _action(editor_client, "duplicate", [plan])
    copy = Plan.objects.get(slug="base-copy")
    assert response["Location"] == reverse("admin:catalog_plan_change", args=[copy.pk])
    assert copy.retired_at is not None
    assert set(copy.coverage_countries.values_list("country", flat=True)) == {"DE", "AT"}
    assert copy.promotions.count() == 1


def test_it_lets_an_editor_add_a_plan_with_its_coverage(editor_client):
    operator = make_operator()
    version = CatalogVersion.bump("start")
    data = {
        "operator": operator.pk,
        "slug": "new-plan",
        "name": "New plan",
        "price": "9.90",
        "currency": "EUR",
        "vat_percent": "0",
        "validity_days": "30",
        "data_gb": "10",
        "max_devices": "1",
        "activation": "install",
        "esim": "on",
        **admin_formset(
            "coverage_entries",
            [{"position": "0", "countries": "DE AT", "network": "5G", "eu_fair_use": "on"}],
        ),
        **admin_formset("promotions", []),
        **admin_formset("changes", []),
    }
    response = editor_client.post(reverse("admin:catalog_plan_add"), data)
    assert response.status_code == 302
    plan = Plan.objects.get(slug="new-plan")
    assert set(plan.coverage_countries.values_list("country", flat=True)) == {"DE", "AT"}
    assert plan.coverage_entries.get().eu_fair_use
    assert CatalogVersion.current().pk > version.pk


def test_it_saves_residents_only_and_subscription_and_records_the_change(editor_client):
    plan = make_plan(operator=make_operator(country="FR", kind="mno"))
    url = reverse("admin:catalog_plan_change", args=[plan.pk])
    page = editor_client.get(url).text
    assert 'name="residents_only"' in page and 'name="subscription"' in page
    response = editor_client.post(url, plan_post(plan, residents_only="on", subscription="on"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.residents_only, plan.subscription) == (True, True)
    change = PlanChange.objects.get()
    assert change.after == {"residents_only": True, "subscription": True}
    assert load_catalog().plan(plan.slug).residents_only


def test_it_refuses_a_residents_only_plan_of_an_operator_without_a_country(editor_client):
    plan = make_plan(operator=make_operator(name="Travel Brand"))
    url = reverse("admin:catalog_plan_change", args=[plan.pk])
    response = editor_client.post(url, plan_post(plan, residents_only="on"))
    assert response.status_code == 200
    assert "Travel Brand has no country, so it has no residents-only plans" in response.text
    plan.refresh_from_db()
    assert not plan.residents_only


def test_it_keeps_the_country_of_an_operator_with_residents_only_plans(editor_client):
    operator = make_operator(country="FR", kind="mno")
    make_plan(operator=operator, residents_only=True)
    url = reverse("admin:catalog_operator_change", args=[operator.pk])
    form = {"name": operator.name, "slug": operator.slug, "kind": "mno", "country": ""}
    response = editor_client.post(url, {**form, **admin_formset("plans", [], initial=0)})
    assert response.status_code == 200
    assert "residents-only plans, which need its country" in response.text
    operator.refresh_from_db()
    assert operator.country == "FR"


def test_it_filters_and_shows_residents_only_plans_and_subscriptions(editor_client):
    operator = make_operator(country="FR", kind="mno")
    make_plan(name="Contract", operator=operator, residents_only=True, subscription=True)
    make_plan(name="Monthly", operator=operator, subscription=True)
    make_plan(name="Prepaid", operator=operator)

    def names(query: dict) -> set[str]:
        response = editor_client.get(PLAN_CHANGELIST, query)
        return {plan.name for plan in response.context["cl"].result_list}

    assert names({"residents_only__exact": "1"}) == {"Contract"}
    assert names({"subscription__exact": "1"}) == {"Contract", "Monthly"}
    assert names({"subscription__exact": "0"}) == {"Prepaid"}
    headers = editor_client.get(PLAN_CHANGELIST).text
    assert "column-residents_only" in headers and "column-subscription" in headers


def test_it_accepts_kosovo_in_admin_coverage_operators_and_regions(editor_client):
    plan = make_plan()
    url = reverse("admin:catalog_plan_change", args=[plan.pk])
    data = plan_post(plan)
    data["coverage_entries-0-countries"] = "rs xk"
    assert editor_client.post(url, data).status_code == 302
    assert set(plan.coverage_countries.values_list("country", flat=True)) == {"RS", "XK"}

    operator_url = reverse("admin:catalog_operator_change", args=[plan.operator_id])
    form = {"name": "IPKO", "slug": plan.operator.slug, "kind": "mno", "country": "XK"}
    response = editor_client.post(operator_url, {**form, **admin_formset("plans", [], initial=0)})
    assert response.status_code == 302
    plan.operator.refresh_from_db()
    assert plan.operator.country.name == "Kosovo"

    response = editor_client.post(
        reverse("admin:catalog_region_add"), {"name": "BALKANS", "countries": ["RS", "XK"]}
    )
    assert response.status_code == 302
    assert Region.objects.get(name="BALKANS").countries == ["RS", "XK"]

"""The catalog's admin classes. What they share (a new catalog version per change,
retire and offer again, read-only history) is in `catalog.admin_mixins`, the import
workflow in `catalog.admin_import`, plan history records in `catalog.history`."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from catalog import (
    admin_import,  # noqa: F401  (registers CatalogImport)
    admin_tokens,  # noqa: F401  (registers ApiToken)
    history,
)
from catalog.admin_forms import (
    CoverageEntryForm,
    CoverageFormSet,
    PlanForm,
    PromotionFormSet,
    RateFormSet,
)
from catalog.admin_mixins import (
    CatalogVersionMixin,
    ReadOnlyMixin,
    RetireMixin,
    WarnsUnpricedMixin,
    catalog_file_response,
)
from catalog.models import (
    CatalogVersion,
    CoverageCountry,
    CoverageEntry,
    Network,
    Operator,
    Plan,
    PlanChange,
    Promotion,
    Rate,
    RateSet,
    Region,
)

# --- list filters


class CountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            CoverageCountry.objects.order_by("country").values_list("country", flat=True).distinct()
        )
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.covering([self.value()])
        return queryset


class NetworkFilter(admin.SimpleListFilter):
    title = _("network")
    parameter_name = "network"

    def lookups(self, request, model_admin):
        return Network.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Exists(CoverageEntry.objects.filter(plan=OuterRef("pk"), network=self.value()))
            )
        return queryset


class _PlanSetFilter(admin.SimpleListFilter):
    # value: (label, the PlanQuerySet method that selects it)
    options: dict[str, tuple[str, str]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _method) in self.options.items()]

    def queryset(self, request, queryset):
        option = self.options.get(self.value())
        return getattr(queryset, option[1])() if option else queryset


class StaleFilter(_PlanSetFilter):
    title = _("verification")
    parameter_name = "stale"
    options = {
        "yes": (_("stale (over 90 days)"), "stale"),
        "no": (_("verified in the last 90 days"), "recently_verified"),
    }


class RetiredFilter(_PlanSetFilter):
    title = _("offered")
    parameter_name = "retired"
    options = {"no": (_("offered"), "offered"), "yes": (_("retired"), "retired")}


# --- inlines


class CoverageEntryInline(admin.TabularInline):
    model = CoverageEntry
    form = CoverageEntryForm
    formset = CoverageFormSet
    extra = 0
    min_num = 1

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("countries")


class PromotionInline(admin.TabularInline):
    model = Promotion
    formset = PromotionFormSet
    extra = 0


class PlanChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = PlanChange
    fields = ["changed_at", "changed_by", "source", "before", "after"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("history of price and terms")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class OperatorPlanInline(ReadOnlyMixin, admin.TabularInline):
    model = Plan
    fields = ["name", "slug", "price", "currency", "validity_days", "data_gb", "retired_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


# --- model admins


@admin.register(Operator)
class OperatorAdmin(RetireMixin, admin.ModelAdmin):
    version_note = "operator {obj.slug}"
    retired_message = ngettext_lazy("%d operator retired.", "%d operators retired.")
    offered_message = ngettext_lazy("%d operator offered again.", "%d operators offered again.")
    list_display = ["name", "slug", "kind", "country", "plan_count", "retired_at"]
    list_filter = ["kind", ("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OperatorPlanInline]
    actions = ["export", "retire", "offer_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(plan_count=Count("plans"))

    @admin.display(description=_("plans"), ordering="plan_count")
    def plan_count(self, obj: Operator) -> int:
        return obj.plan_count

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted: their plans' history stays

    @admin.action(description=_("Export as a catalog file (select all for the whole catalog)"))
    def export(self, request, queryset):
        return catalog_file_response(list(queryset.values_list("pk", flat=True)))


@admin.register(Plan)
class PlanAdmin(WarnsUnpricedMixin, RetireMixin, admin.ModelAdmin):
    version_note = "plan {obj.slug}"
    retired_message = ngettext_lazy("%d plan retired.", "%d plans retired.")
    offered_message = ngettext_lazy("%d plan offered again.", "%d plans offered again.")
    list_display = [
        "name",
        "operator",
        "price_display",
        "price_per_gb_display",
        "validity_days",
        "countries_display",
        "residents_only",
        "subscription",
        "verified_on",
        "stale",
        "offered",
    ]
    list_select_related = ["operator"]
    list_filter = [
        ("operator", admin.RelatedOnlyFieldListFilter),
        CountryFilter,
        NetworkFilter,
        "esim",
        "residents_only",
        "subscription",
        StaleFilter,
        RetiredFilter,
    ]
    search_fields = ["name", "slug", "operator__name", "operator__slug"]
    list_per_page = 50
    autocomplete_fields = ["operator"]
    form = PlanForm
    inlines = [CoverageEntryInline, PromotionInline, PlanChangeInline]
    actions = ["mark_verified_today", "retire", "offer_again", "duplicate"]
    readonly_fields = ["retired_at"]
    fieldsets = [
        (None, {"fields": ["operator", "slug", "name", "retired_at"]}),
        (
            _("Price and data"),
            {
                "fields": [
                    ("price", "currency"),
                    "vat_percent",
                    "validity_days",
                    ("data_gb", "daily_gb"),
                    "throttle_kbps",
                ]
            },
        ),
        (
            _("Terms"),
            {
                "fields": [
                    ("esim", "hotspot", "voice", "top_up", "ekyc"),
                    "max_devices",
                    "max_purchases",
                    "new_customer_only",
                    "residents_only",
                    "subscription",
                    ("available_from", "available_until"),
                    "activation",
                    "notes",
                ]
            },
        ),
        (_("Source"), {"fields": ["source_url", "verified_on"]}),
        (_("Where to buy"), {"fields": ["buy_url"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_price_per_gb()
            .annotate(country_count=Count("coverage_countries", distinct=True))
            .prefetch_related("coverage_countries")
        )

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, obj: Plan) -> str:
        return f"{obj.price.normalize():f} {obj.currency}"

    @admin.display(description=_("per GB"), ordering="price_per_gb")
    def price_per_gb_display(self, obj: Plan) -> str:
        per_gb = getattr(obj, "price_per_gb", None)
        return "—" if per_gb is None else f"{per_gb:.2f} {obj.currency}"

    @admin.display(description=_("countries"), ordering="country_count")
    def countries_display(self, obj: Plan) -> str:
        codes = sorted(str(row.country) for row in obj.coverage_countries.all())
        shown = " ".join(codes[:8])
        return shown + (f" +{len(codes) - 8}" if len(codes) > 8 else "")

    @admin.display(description=_("stale"), boolean=True)
    def stale(self, obj: Plan) -> bool:
        return obj.is_stale

    @admin.display(description=_("offered"), boolean=True)
    def offered(self, obj: Plan) -> bool:
        return obj.is_offered

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted: history stays

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            # The terms before this edit, coverage and promotions included, so
            # save_related can record exactly what the edit changed.
            request.catalog_plan_before = history.snapshots([object_id])
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not CoverageEntry:
            return
        changed = [
            f
            for f in formset.forms
            if f.instance.pk and hasattr(f, "countries_set") and f not in formset.deleted_forms
        ]
        # Delete first, then insert: a country moving between two entries of the
        # plan would otherwise trip the (plan, country) unique constraint.
        CoverageCountry.objects.filter(entry__in=[f.instance for f in changed]).delete()
        CoverageCountry.objects.bulk_create(
            CoverageCountry(entry=f.instance, plan=form.instance, country=country)
            for f in changed
            for country in sorted(f.countries_set)
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "catalog_plan_before", None)
        if change and before:
            history.record_since(before, user=request.user, source=PlanChange.Source.ADMIN)

    def update_rows(self, request, queryset, update: dict, note: str) -> int:
        # Counted, and versioned, by the plans whose terms the update really changed.
        before = history.snapshots(queryset.values_list("pk", flat=True))
        with transaction.atomic():
            Plan.objects.filter(pk__in=list(before)).update(**update)
            count = history.record_since(before, user=request.user, source=PlanChange.Source.ACTION)
            if count:
                self.bump_version(request, f"{note} ({count} plan(s))")
        return count

    @admin.action(description=_("Mark verified today"))
    def mark_verified_today(self, request, queryset):
        count = self.update_rows(
            request, queryset, {"verified_on": timezone.localdate()}, "verified today"
        )
        self.message_user(
            request,
            ngettext("%d plan marked verified.", "%d plans marked verified.", count) % count,
        )

    @admin.action(description=_("Duplicate (the copy starts retired, to be edited and offered)"))
    def duplicate(self, request, queryset):
        with transaction.atomic():
            plans = queryset.prefetch_related("coverage_entries__countries", "promotions")
            copies = [plan.duplicate() for plan in plans]
            self.bump_version(request, f"duplicated {len(copies)} plan(s)")
        if len(copies) == 1:
            return HttpResponseRedirect(reverse("admin:catalog_plan_change", args=[copies[0].pk]))
        self.message_user(
            request,
            ngettext("%d plan duplicated.", "%d plans duplicated.", len(copies)) % len(copies),
        )
        return None


@admin.register(Region)
class RegionAdmin(CatalogVersionMixin, admin.ModelAdmin):
    version_note = "region {obj.name}"
    list_display = ["name", "country_list"]
    search_fields = ["name"]

    @admin.display(description=_("countries"))
    def country_list(self, obj: Region) -> str:
        return " ".join(sorted(str(c) for c in obj.countries))

    def get_deleted_objects(self, objs, request):
        # Coverage entries name their regions ("@EU_RLAH"), and export writes them back
        # from the region: a region in use is protected, like a plan with history.
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        for region in objs:
            using = Plan.objects.offered().filter(
                coverage_entries__regions__regex=rf"(^| ){region.name}( |$)"
            )
            protected.extend(
                _("Region %(region)s is used by the coverage of plan %(plan)s")
                % {"region": region.name, "plan": plan.slug}
                for plan in using.distinct()[:20]
            )
        return deleted, counts, perms, protected


class RateInline(admin.TabularInline):
    model = Rate
    formset = RateFormSet
    extra = 3


@admin.register(RateSet)
class RateSetAdmin(WarnsUnpricedMixin, CatalogVersionMixin, admin.ModelAdmin):
    version_note = "rates {obj}"
    list_display = ["__str__", "as_of", "created_at", "in_force", "rate_list"]
    inlines = [RateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_in_force().prefetch_related("rates")

    @admin.display(description=_("rates"))
    def rate_list(self, obj: RateSet) -> str:
        return ", ".join(f"{r.currency} {r.per_base.normalize():f}" for r in obj.rates.all())

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj: RateSet) -> bool:
        return obj.is_in_force

    def has_change_permission(self, request, obj=None):
        # A set once recorded is history; new rates come as a new set.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def changed_catalog(self, form, formsets, change: bool) -> bool:
        return True  # a set is only ever added, and each one comes into force

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rate_set = form.instance
        if rate_set.per_base.get(rate_set.base) != 1:
            Rate.objects.update_or_create(
                rate_set=rate_set, currency=rate_set.base, defaults={"per_base": 1}
            )


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["changed_at", "plan", "source", "changed_by", "before", "after"]
    list_select_related = ["plan", "changed_by"]
    list_filter = ["source", "changed_at"]
    search_fields = ["plan__slug", "plan__name"]
    date_hierarchy = "changed_at"


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["label", "created_at", "note", "changed_by", "sample"]
    list_select_related = ["changed_by"]

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import (
    admin_tokens,  # noqa: F401  (registers ApiToken)
    store,
)
from catalog.admin_forms import (
    CoverageEntryForm,
    CoverageFormSet,
    ImportUploadForm,
    PlanForm,
    PromotionFormSet,
    RateFormSet,
)
from catalog.document import CatalogError, parse_catalog
from catalog.importer import apply_import, preview_import
from catalog.models import (
    CatalogImport,
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
from planner.engine.bounds import BoundsError, load_json

PREVIEW_ROWS = 200


def _record(request: HttpRequest, note: str) -> None:
    CatalogVersion.bump(note, user=request.user)


def _saved_a_change(form, formsets=(), *, change: bool) -> bool:
    # "Save" on an untouched form is no change: a new version would make every
    # process reload the whole catalog for nothing.
    return not change or form.has_changed() or any(f.has_changed() for f in formsets)


def warn_unpriced(request: HttpRequest) -> None:
    """Offered plans the rates in force cannot price are left out by the planner: say so."""
    plans = Plan.objects.offered().unpriced(store.rates_or_default().per_base)
    count = plans.count()
    if count:
        slugs = ", ".join(plans.order_by("slug").values_list("slug", flat=True)[:10])
        messages.warning(
            request,
            ngettext(
                "%(count)d offered plan has no exchange rate in force and is left out of "
                "every plan: %(slugs)s. Add a rate set with its currency.",
                "%(count)d offered plans have no exchange rate in force and are left out of "
                "every plan: %(slugs)s. Add a rate set with their currencies.",
                count,
            )
            % {"count": count, "slugs": slugs + (" …" if count > 10 else "")},
        )


def catalog_file_response(operator_ids: list[int] | None = None) -> HttpResponse:
    """The offered catalog (or these operators of it) as an esim-catalog/1 download,
    the same document `export_catalog` writes."""
    name = f"catalog-{timezone.localdate().isoformat()}.json"
    response = HttpResponse(
        store.catalog_text(operator_ids), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _plan_snapshots(pks) -> dict:
    return {stored.pk: stored for stored in store.plans(Plan.objects.filter(pk__in=list(pks)))}


def _record_plan_changes(request, before: dict, source: str) -> int:
    """Write a PlanChange for every plan whose terms differ from `before`."""
    after = _plan_snapshots(before)
    now = timezone.now()
    changes = []
    for pk, old in before.items():
        new = after[pk]
        old_fields, new_fields = store.plan_changes(old.plan, new.plan)
        if old.retired != new.retired:
            old_fields["retired"], new_fields["retired"] = old.retired, new.retired
        if old_fields or new_fields:
            changes.append(
                PlanChange(
                    plan_id=pk,
                    changed_at=now,
                    changed_by=request.user,
                    source=source,
                    before=old_fields,
                    after=new_fields,
                )
            )
    PlanChange.objects.bulk_create(changes)
    return len(changes)


class _ReadOnly:
    # History and records of changes: shown, never added, edited or deleted by hand.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class PlanChangeInline(_ReadOnly, admin.TabularInline):
    model = PlanChange
    fields = ["changed_at", "changed_by", "source", "before", "after"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("history of price and terms")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class OperatorPlanInline(_ReadOnly, admin.TabularInline):
    model = Plan
    fields = ["name", "slug", "price", "currency", "validity_days", "data_gb", "retired_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


# --- model admins


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if _saved_a_change(form, change=change):
            _record(request, f"admin: operator {obj.slug}")

    def _change_operators(self, request, queryset, update: dict, note: str) -> int:
        # A new catalog version only when something changed: each one makes every
        # process reload the whole catalog.
        with transaction.atomic():
            count = queryset.update(**update)
            if count:
                _record(request, f"admin: {note} ({count} operator(s))")
        return count

    @admin.action(description=_("Export as a catalog file (select all for the whole catalog)"))
    def export(self, request, queryset):
        return catalog_file_response(list(queryset.values_list("pk", flat=True)))

    @admin.action(description=_("Retire: no longer offered, kept for history"))
    def retire(self, request, queryset):
        count = self._change_operators(
            request,
            queryset.filter(retired_at__isnull=True),
            {"retired_at": timezone.now()},
            "retired",
        )
        self.message_user(
            request, ngettext("%d operator retired.", "%d operators retired.", count) % count
        )

    @admin.action(description=_("Offer again"))
    def offer_again(self, request, queryset):
        count = self._change_operators(
            request,
            queryset.filter(retired_at__isnull=False),
            {"retired_at": None},
            "offered again",
        )
        self.message_user(
            request,
            ngettext("%d operator offered again.", "%d operators offered again.", count) % count,
        )


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
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

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_unpriced(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            # The terms before this edit, coverage and promotions included, so
            # save_related can record exactly what the edit changed.
            request.catalog_plan_before = _plan_snapshots([object_id])
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
            _record_plan_changes(request, before, PlanChange.Source.ADMIN)
        if _saved_a_change(form, formsets, change=change):
            _record(request, f"admin: plan {form.instance.slug}")

    def _change_plans(self, request, queryset, update: dict, note: str) -> int:
        before = _plan_snapshots(queryset.values_list("pk", flat=True))
        with transaction.atomic():
            Plan.objects.filter(pk__in=list(before)).update(**update)
            count = _record_plan_changes(request, before, PlanChange.Source.ACTION)
            if count:
                _record(request, f"admin: {note} ({count} plan(s))")
        return count

    @admin.action(description=_("Mark verified today"))
    def mark_verified_today(self, request, queryset):
        count = self._change_plans(
            request, queryset, {"verified_on": timezone.localdate()}, "verified today"
        )
        self.message_user(
            request,
            ngettext("%d plan marked verified.", "%d plans marked verified.", count) % count,
        )

    @admin.action(description=_("Retire: no longer offered, kept for history"))
    def retire(self, request, queryset):
        count = self._change_plans(
            request,
            queryset.filter(retired_at__isnull=True),
            {"retired_at": timezone.now()},
            "retired",
        )
        self.message_user(request, ngettext("%d plan retired.", "%d plans retired.", count) % count)

    @admin.action(description=_("Offer again"))
    def offer_again(self, request, queryset):
        count = self._change_plans(
            request,
            queryset.filter(retired_at__isnull=False),
            {"retired_at": None},
            "offered again",
        )
        self.message_user(
            request, ngettext("%d plan offered again.", "%d plans offered again.", count) % count
        )

    @admin.action(description=_("Duplicate (the copy starts retired, to be edited and offered)"))
    def duplicate(self, request, queryset):
        copies = []
        with transaction.atomic():
            for plan in queryset.prefetch_related("coverage_entries__countries", "promotions"):
                copies.append(duplicate_plan(plan))
            _record(request, f"admin: duplicated {len(copies)} plan(s)")
        if len(copies) == 1:
            return HttpResponseRedirect(reverse("admin:catalog_plan_change", args=[copies[0].pk]))
        self.message_user(
            request,
            ngettext("%d plan duplicated.", "%d plans duplicated.", len(copies)) % len(copies),
        )
        return None


def duplicate_plan(plan: Plan) -> Plan:
    entries = list(plan.coverage_entries.all())
    promotions = list(plan.promotions.all())
    slug = f"{plan.slug}-copy"[:100]
    n = 2
    while Plan.objects.filter(slug=slug).exists():
        slug = f"{plan.slug}-copy-{n}"[:100]
        n += 1
    copy = Plan.objects.get(pk=plan.pk)
    copy.pk = None
    copy.slug = slug
    copy.name = f"{plan.name} (copy)"[:200]
    copy.retired_at = timezone.now()
    copy.save(force_insert=True)
    for entry in entries:
        countries = list(entry.countries.all())
        entry.pk = None
        entry.plan = copy
        entry.save(force_insert=True)
        CoverageCountry.objects.bulk_create(
            CoverageCountry(entry=entry, plan=copy, country=row.country) for row in countries
        )
    for promotion in promotions:
        promotion.pk = None
        promotion.plan = copy
        promotion.save(force_insert=True)
    return copy


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "country_list"]
    search_fields = ["name"]

    @admin.display(description=_("countries"))
    def country_list(self, obj: Region) -> str:
        return " ".join(sorted(str(c) for c in obj.countries))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if _saved_a_change(form, change=change):
            _record(request, f"admin: region {obj.name}")

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

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _record(request, f"admin: deleted region {obj.name}")

    def delete_queryset(self, request, queryset):
        names = ", ".join(queryset.values_list("name", flat=True))
        super().delete_queryset(request, queryset)
        _record(request, f"admin: deleted regions {names}")


class RateInline(admin.TabularInline):
    model = Rate
    formset = RateFormSet
    extra = 3


@admin.register(RateSet)
class RateSetAdmin(admin.ModelAdmin):
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

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_unpriced(request)
        return super().changelist_view(request, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rate_set = form.instance
        if rate_set.per_base.get(rate_set.base) != 1:
            Rate.objects.update_or_create(
                rate_set=rate_set, currency=rate_set.base, defaults={"per_base": 1}
            )
        _record(request, f"admin: rates {rate_set}")


@admin.register(PlanChange)
class PlanChangeAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["changed_at", "plan", "source", "changed_by", "before", "after"]
    list_select_related = ["plan", "changed_by"]
    list_filter = ["source", "changed_at"]
    search_fields = ["plan__slug", "plan__name"]
    date_hierarchy = "changed_at"


@admin.register(CatalogVersion)
class CatalogVersionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["label", "created_at", "note", "changed_by", "sample"]
    list_select_related = ["changed_by"]


@admin.register(CatalogImport)
class CatalogImportAdmin(admin.ModelAdmin):
    """Upload a file, see what it would change, and only then apply it."""

    list_display = ["created_at", "filename", "uploaded_by", "replace", "status", "summary"]
    list_select_related = ["uploaded_by"]
    fields = list_display
    readonly_fields = list_display

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="catalog_catalogimport_preview",
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="catalog_catalogimport_export",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                raw = upload.read()
                # the preview too: some problems only show against the stored catalog
                preview_import(
                    parse_catalog(
                        load_json(raw, max_bytes=settings.CATALOG_IMPORT_MAX_BYTES, what="the file")
                    ),
                    replace=form.cleaned_data["replace"],
                )
                content = raw.decode("utf-8")
            except BoundsError as error:
                problems = [f"{upload.name}: {error}"]
            except CatalogError as error:
                problems = [str(problem) for problem in error.problems[:50]]
            else:
                current = CatalogVersion.current()
                pending = CatalogImport.objects.create(
                    uploaded_by=request.user,
                    filename=upload.name[:200],
                    content=content,
                    replace=form.cleaned_data["replace"],
                    based_on=current.label if current else "",
                )
                return HttpResponseRedirect(
                    reverse("admin:catalog_catalogimport_preview", args=[pending.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import a catalog file"),
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/catalog/catalogimport/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # get_object, not get_object_or_404: it takes a malformed id in the URL for
        # a missing row, which the admin then reports, instead of raising a 500.
        pending = self.get_object(request, unquote(object_id))
        if pending is not None and pending.status == CatalogImport.Status.PREVIEWED:
            return HttpResponseRedirect(
                reverse("admin:catalog_catalogimport_preview", args=[pending.pk])
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return catalog_file_response()

    def preview_view(self, request, pk: int):
        if not self.has_add_permission(request):
            raise PermissionDenied
        pending = get_object_or_404(CatalogImport, pk=pk, status=CatalogImport.Status.PREVIEWED)
        try:
            return self._preview_or_apply(request, pending)
        except (BoundsError, CatalogError) as error:
            # Checked at upload, but the checks may have grown stricter since (a deploy
            # between upload and confirmation), and some need the stored catalog (a
            # residents-only plan left without its operator's country): say so rather
            # than fail with a 500.
            self.message_user(
                request, _("The file no longer passes the checks: %s") % error, messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:catalog_catalogimport_add"))

    def _preview_or_apply(self, request, pending: CatalogImport):
        doc = parse_catalog(load_json(pending.content, max_bytes=len(pending.content) * 4))
        percent = settings.IMPORT_CONFIRM_PERCENT
        if request.method == "POST":
            unconfirmed = False
            confirmed = request.POST.get("confirm_sweeping") == "yes"
            with transaction.atomic():
                current = CatalogVersion.current()
                label = current.label if current else ""
                if label == pending.based_on:
                    preview = preview_import(doc, replace=pending.replace)
                    # The same click as a price fix must not retire the catalog.
                    unconfirmed = preview.sweeping(percent) and not confirmed
                    if not unconfirmed:
                        apply_import(
                            preview, user=request.user, note=f"admin import {pending.filename}"
                        )
                        pending.status = CatalogImport.Status.APPLIED
                        pending.summary = preview.summary[:300]
                        pending.applied_at = timezone.now()
                        pending.save()
            if pending.status == CatalogImport.Status.APPLIED:
                self.message_user(request, _("Imported: %s.") % pending.summary, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:catalog_catalogimport_changelist"))
            if unconfirmed:
                self.message_user(
                    request,
                    _(
                        "Nothing was imported: this file retires or reprices more than "
                        "%(percent)s %% of the plans on offer. Tick the box to confirm it."
                    )
                    % {"percent": percent},
                    messages.ERROR,
                )
            else:
                # Someone changed the catalog since this preview: show the new difference.
                pending.based_on = label
                pending.save(update_fields=["based_on"])
                self.message_user(
                    request,
                    _("The catalog changed since the preview; check the changes again."),
                    messages.WARNING,
                )
        preview = preview_import(doc, replace=pending.replace)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Check the import of %s") % pending.filename,
            "pending": pending,
            "preview": preview,
            "added": preview.added[:PREVIEW_ROWS],
            "updated": preview.updated[:PREVIEW_ROWS],
            "retired": preview.retired[:PREVIEW_ROWS],
            "limit": PREVIEW_ROWS,
            "sweeping": preview.sweeping(percent),
            "percent": percent,
        }
        return TemplateResponse(request, "admin/catalog/catalogimport/preview.html", context)

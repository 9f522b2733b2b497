"""What the catalog's admin classes share: a new catalog version after each change
that changed something, the retire and offer-again actions, read-only history, and
the warnings and downloads more than one admin page gives."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from catalog import store
from catalog.models import CatalogVersion, Plan


class ReadOnlyMixin:
    """History and records of changes: shown, never added, edited or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CatalogVersionMixin:
    """An admin of rows the planner reads: each save or delete that changed something
    records a new `CatalogVersion`, which makes every process reload the catalog.

    `version_note` is formatted with the saved object (`{obj.slug}`)."""

    version_note = "{obj}"

    def bump_version(self, request: HttpRequest, note: str) -> None:
        CatalogVersion.bump(f"admin: {note}", user=request.user)

    def changed_catalog(self, form, formsets, change: bool) -> bool:
        # "Save" on an untouched form is no change: a new version would make every
        # process reload the whole catalog for nothing.
        return not change or form.has_changed() or any(f.has_changed() for f in formsets)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if self.changed_catalog(form, formsets, change):
            self.bump_version(request, self.version_note.format(obj=form.instance))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.bump_version(request, f"deleted {self.opts.model_name} {obj}")

    def delete_queryset(self, request, queryset):
        names = ", ".join(str(obj) for obj in queryset)
        super().delete_queryset(request, queryset)
        self.bump_version(request, f"deleted {self.opts.model_name}s {names}")


class RetireMixin(CatalogVersionMixin):
    """The actions "Retire" and "Offer again" on rows with a `retired_at`: retired rows
    are kept for history, never deleted. `update_rows` writes the change; the admin of
    plans overrides it to record each plan's change too."""

    retired_message = ngettext_lazy("%d row retired.", "%d rows retired.")
    offered_message = ngettext_lazy("%d row offered again.", "%d rows offered again.")

    def update_rows(self, request, queryset, update: dict, note: str) -> int:
        # A new catalog version only when something changed.
        with transaction.atomic():
            count = queryset.update(**update)
            if count:
                self.bump_version(request, f"{note} ({count} {self.opts.model_name}(s))")
        return count

    @admin.action(description=_("Retire: no longer offered, kept for history"))
    def retire(self, request, queryset):
        count = self.update_rows(
            request,
            queryset.filter(retired_at__isnull=True),
            {"retired_at": timezone.now()},
            "retired",
        )
        self.message_user(request, self.retired_message % count)

    @admin.action(description=_("Offer again"))
    def offer_again(self, request, queryset):
        count = self.update_rows(
            request,
            queryset.filter(retired_at__isnull=False),
            {"retired_at": None},
            "offered again",
        )
        self.message_user(request, self.offered_message % count)


class WarnsUnpricedMixin:
    """On a list page, warn of offered plans the rates in force cannot price."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_unpriced(request)
        return super().changelist_view(request, extra_context)


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

"""The catalog import in admin: upload a file, see what it would change, and only
then apply it, if the catalog is still the one previewed (catalog/README.md,
"Admin import"); and the download of the offered catalog."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.admin_forms import ImportUploadForm
from catalog.admin_mixins import catalog_file_response
from catalog.document import CatalogError, read_catalog
from catalog.importer import apply_import, preview_import
from catalog.models import CatalogImport, CatalogVersion
from planner.engine.bounds import BoundsError

PREVIEW_ROWS = 200


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
                    read_catalog(raw, max_bytes=settings.CATALOG_IMPORT_MAX_BYTES),
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
        doc = read_catalog(pending.content, max_bytes=len(pending.content) * 4, what="the document")
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

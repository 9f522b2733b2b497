import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    # 128 bits: a saved trip is private to whoever holds its link.
    return secrets.token_urlsafe(16)


class SavedTrip(models.Model):
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_token)
    trip = models.JSONField(_("trip"), help_text=_("the trip document, as formats.md defines it"))
    result = models.JSONField(_("result"), help_text=_("the result document as computed then"))
    catalog_version = models.CharField(_("catalog version"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved trip")
        verbose_name_plural = _("saved trips")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        legs = " → ".join(leg["country"] for leg in self.trip.get("legs", []))
        return f"{legs} ({self.created_at:%Y-%m-%d})" if self.created_at else legs

    def get_absolute_url(self) -> str:
        return reverse("planner:saved", args=[self.token])

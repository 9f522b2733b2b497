from django import forms
from django.utils.translation import gettext_lazy as _

SORTS = {
    "price": _("price"),
    "price_per_gb": _("price per GB"),
    "validity": _("validity"),
}


class CountryPlansForm(forms.Form):
    """How a traveller narrows and orders the plans of one country; every field is
    optional, and a bad value falls back to the default rather than an error page."""

    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS.items(), required=False)
    scope = forms.ChoiceField(
        label=_("Plans"),
        choices=[
            ("", _("all")),
            ("local", _("local: this country only")),
            ("regional", _("regional: several countries")),
        ],
        required=False,
    )
    five_g = forms.BooleanField(label=_("5G here"), required=False)
    hotspot = forms.BooleanField(label=_("hotspot"), required=False)
    voice = forms.BooleanField(label=_("phone number"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def options(self) -> dict:
        self.is_valid()  # fills cleaned_data with the fields that are valid
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "sort": cleaned.get("sort") or "price",
            "scope": cleaned.get("scope") or "",
            "five_g": bool(cleaned.get("five_g")),
            "hotspot": bool(cleaned.get("hotspot")),
            "voice": bool(cleaned.get("voice")),
        }

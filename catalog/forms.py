from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.listing import FIRST_DIRECTION

SORTS = {
    "price": _("price"),
    "price_per_gb": _("price per GB"),
    "validity": _("validity"),
    "data": _("data"),
}
DIRECTIONS = {"asc": _("ascending"), "desc": _("descending")}


class CountryPlansForm(forms.Form):
    """How a traveller narrows and orders the plans of one country; every field is
    optional, and a bad value falls back to the default rather than an error page."""

    q = forms.CharField(
        label=_("Plan or operator name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    operator = forms.ChoiceField(label=_("Operator"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS.items(), required=False)
    dir = forms.ChoiceField(label=_("Order"), choices=DIRECTIONS.items(), required=False)
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

    def __init__(self, *args, operators: list[tuple[str, str]] = (), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", _("all operators")), *operators]

    def options(self) -> dict:
        self.is_valid()  # fills cleaned_data with the fields that are valid
        cleaned = getattr(self, "cleaned_data", {})
        sort = cleaned.get("sort") or "price"
        return {
            "q": (cleaned.get("q") or "").strip(),
            "operator": cleaned.get("operator") or "",
            "sort": sort,
            "dir": cleaned.get("dir") or FIRST_DIRECTION[sort],
            "scope": cleaned.get("scope") or "",
            "five_g": bool(cleaned.get("five_g")),
            "hotspot": bool(cleaned.get("hotspot")),
            "voice": bool(cleaned.get("voice")),
        }

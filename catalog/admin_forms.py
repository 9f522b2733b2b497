"""Admin forms for what the model admin cannot express on its own: coverage countries
typed as "@REGION FR DE", and checks across the inline rows of one plan."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog import store
from catalog.document import country_tokens, overlapping_windows
from catalog.models import CoverageEntry, Plan
from planner.engine.bounds import size_text
from planner.engine.countries import is_country_code


def parse_countries(text: str, regions: dict[str, frozenset[str]]) -> tuple[set[str], list[str]]:
    """Countries and region names from "@EU_RLAH CH, GB"; errors name the bad token."""
    countries: set[str] = set()
    named: list[str] = []
    for token in text.replace(",", " ").split():
        if token.startswith("@"):
            name = token[1:]
            if name not in regions:
                raise ValidationError(_("Unknown region %(token)s."), params={"token": token})
            named.append(name)
            new = regions[name]
        else:
            code = token.upper()
            if not is_country_code(code):
                raise ValidationError(
                    _("%(token)s is not an ISO 3166-1 alpha-2 country code."),
                    params={"token": token},
                )
            new = {code}
        twice = countries & new
        if twice:
            raise ValidationError(
                _("%(countries)s listed twice."), params={"countries": ", ".join(sorted(twice))}
            )
        countries |= new
    if not countries:
        raise ValidationError(_("Name at least one country or @REGION."))
    return countries, sorted(named)


class CoverageEntryForm(forms.ModelForm):
    countries = forms.CharField(
        label=_("countries"),
        help_text=_("ISO codes and @REGION names, separated by spaces, e.g. “@EU_RLAH CH GB”."),
        widget=forms.TextInput(attrs={"size": 40}),
    )

    class Meta:
        model = CoverageEntry
        fields = ["position", "countries", "network", "cap_gb", "eu_fair_use", "overage_per_gb"]

    def __init__(self, *args, regions: dict[str, frozenset[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = regions if regions is not None else {}
        if self.instance.pk:
            codes = [str(row.country) for row in self.instance.countries.all()]
            tokens = country_tokens(codes, self.instance.regions.split(), self.regions)
            self.initial["countries"] = " ".join(tokens)

    def clean_countries(self):
        countries, named = parse_countries(self.cleaned_data["countries"], self.regions)
        self.countries_set = countries
        self.instance.regions = " ".join(named)
        return self.cleaned_data["countries"]


class CoverageFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if not hasattr(self, "_regions"):
            self._regions = store.regions()
        kwargs["regions"] = self._regions
        return kwargs

    def clean(self):
        super().clean()
        seen: dict[str, int] = {}
        live = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not live:
            raise ValidationError(_("A plan needs at least one coverage entry."))
        if any(form.cleaned_data.get("eu_fair_use") for form in live) and (
            "EUR" not in rates_in_force_codes()
        ):
            raise ValidationError(
                _("The EU fair use cap needs an EUR exchange rate, and the rates in force lack it.")
            )
        for number, form in enumerate(live, start=1):
            for country in getattr(form, "countries_set", ()):
                if country in seen:
                    raise ValidationError(
                        _(
                            "%(country)s is in coverage entries %(a)s and %(b)s; a country "
                            "stands in at most one entry of a plan."
                        ),
                        params={"country": country, "a": seen[country], "b": number},
                    )
                seen[country] = number


def rates_in_force_codes() -> set[str]:
    return set(store.rates_or_default().per_base)


class PlanForm(forms.ModelForm):
    """A plan priced in a currency the rates in force lack would be left out by the
    planner: refuse it here, where the editor can add the rate first."""

    def clean_currency(self):
        currency = self.cleaned_data["currency"]
        if currency not in rates_in_force_codes():
            raise ValidationError(
                _(
                    "The exchange rates in force have no rate for %(currency)s: add a rate "
                    "set with it first."
                ),
                params={"currency": currency},
            )
        return currency


class RateFormSet(forms.BaseInlineFormSet):
    """A new rate set comes into force at once: it must price every offered plan."""

    def clean(self):
        super().clean()
        codes = {
            form.cleaned_data["currency"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("currency")
        }
        codes.add(self.instance.base)  # saved with rate 1 if not typed
        missing = sorted(Plan.objects.offered().rates_needed() - codes)
        if missing:
            raise ValidationError(
                _(
                    "This set has no rate for %(currencies)s, which offered plans need; "
                    "without it the planner would leave those plans out."
                ),
                params={"currencies": ", ".join(missing)},
            )


class PromotionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        windows = [
            (form.cleaned_data["starts"], form.cleaned_data["ends"], form.cleaned_data.get("name"))
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("starts")
            and form.cleaned_data.get("ends")
        ]
        overlap = overlapping_windows(windows)
        if overlap:
            (s1, e1, n1), (s2, e2, n2) = overlap
            raise ValidationError(
                _("Promotion windows overlap: %(a)s and %(b)s."),
                params={"a": f"{n1 or ''} {s1}–{e1}".strip(), "b": f"{n2 or ''} {s2}–{e2}".strip()},
            )


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("catalog file"), help_text=_("An esim-catalog/1 JSON file."))
    replace = forms.BooleanField(
        required=False,
        label=_("retire what is missing"),
        help_text=_("Plans and operators not in the file are retired (kept for history)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before the file is read: Django has spooled it to disk, not memory.
        limit = settings.CATALOG_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s (setting MAX_IMPORT_BYTES)."),
                params={"size": size_text(upload.size), "limit": size_text(limit)},
            )
        return upload

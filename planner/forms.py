"""The planner's form: what the traveller types, turned into a trip document.

The form checks types and ranges with messages in the traveller's language;
`planner.engine.trip.parse_trip` then applies the model's own rules, and any
`TripError` it raises is put back beside the field it names.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from planner.engine.model import Catalog
from planner.engine.trip import MAX_DAYS, MAX_DEVICES, MAX_GB_PER_DAY, MAX_LEGS

USAGE_PRESETS = {"light": Decimal("0.5"), "normal": Decimal("1.5"), "heavy": Decimal("3")}
USAGE_CHOICES = [
    ("light", _("Light: maps and messages, 0.5 GB a day")),
    ("normal", _("Normal: some social media and photos, 1.5 GB a day")),
    ("heavy", _("Heavy: video and hotspot, 3 GB a day")),
    ("custom", _("Custom amount")),
]


def country_code(text: str) -> str | None:
    """A country typed as its code or as its name in the current language."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in countries:
        return text.upper()
    wanted = text.casefold()
    for code, name in countries:
        if name.casefold() == wanted:
            return code
    return None


class CountryInput(forms.TextInput):
    """A text box backed by a <datalist> of country names: searchable by typing
    in any language, and a plain text field without JavaScript."""

    def format_value(self, value):
        if value and len(value) == 2 and value.upper() in countries:
            return countries.name(value.upper())
        return super().format_value(value)


class LegForm(forms.Form):
    country = forms.CharField(
        label=_("Country"),
        max_length=60,
        widget=CountryInput(attrs={"list": "country-names", "autocomplete": "off"}),
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=MAX_DAYS, required=False)
    until = forms.DateField(
        label=_("or until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("last day in this country"),
    )
    usage = forms.ChoiceField(label=_("Data per day"), choices=USAGE_CHOICES, initial="normal")
    custom_gb = forms.DecimalField(
        label=_("GB per day"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_GB_PER_DAY,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_country(self) -> str:
        code = country_code(self.cleaned_data["country"])
        if code is None:
            raise forms.ValidationError(
                _("We don't know the country “%(text)s”: pick one from the list."),
                params={"text": self.cleaned_data["country"]},
            )
        return code

    def clean(self):
        data = super().clean()
        if data.get("usage") == "custom" and data.get("custom_gb") is None:
            self.add_error("custom_gb", _("Enter how many GB a day you use."))
        if data.get("days") is None and data.get("until") is None and "days" not in self.errors:
            self.add_error("days", _("Enter the number of days, or the last day."))
        return data

    @property
    def gb_per_day(self) -> Decimal:
        data = self.cleaned_data
        if data["usage"] == "custom":
            return data["custom_gb"]
        return USAGE_PRESETS[data["usage"]]


class BaseLegFormSet(forms.BaseFormSet):
    def __init__(self, *args, start_date: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_date = start_date

    def clean(self):
        if any(self.errors):
            return
        # A leg given by its last day gets its length from where the previous leg ends.
        start = self.start_date
        for form in self.forms:
            if start is None:
                break
            until, days = form.cleaned_data.get("until"), form.cleaned_data.get("days")
            if until is not None:
                if until < start:
                    form.add_error(
                        "until",
                        _("This leg starts on %(date)s: the last day cannot be before it.")
                        % {"date": date_format(start, "SHORT_DATE_FORMAT")},
                    )
                    return
                days = (until - start).days + 1
                form.cleaned_data["days"] = days
            start += timedelta(days=days)
        total = sum(f.cleaned_data.get("days") or 0 for f in self.forms)
        if total > MAX_DAYS:
            raise forms.ValidationError(
                _("The whole trip is %(days)s days; Roamplan plans trips of up to %(max)s days."),
                params={"days": total, "max": MAX_DAYS},
            )


LegFormSet = forms.formset_factory(
    LegForm,
    formset=BaseLegFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_LEGS,
    absolute_max=MAX_LEGS,
    validate_min=True,
    validate_max=True,
)


class TripForm(forms.Form):
    start_date = forms.DateField(
        label=_("First day of the trip"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    devices = forms.IntegerField(
        label=_("Devices"),
        min_value=1,
        max_value=MAX_DEVICES,
        initial=1,
        help_text=_("phones, tablets or laptops that each need the data above"),
    )
    sharing = forms.BooleanField(
        label=_("My devices may share one plan (hotspot or multi-SIM)"), required=False
    )
    owned = forms.ChoiceField(
        label=_("Your home plan"),
        required=False,
        help_text=_("the plan you already pay for at home, if it is in our catalog"),
    )
    min_network = forms.ChoiceField(
        label=_("Minimum network"),
        required=False,
        choices=[("", _("Any (3G is fine)")), ("4G", "4G"), ("5G", "5G")],
    )
    needs_voice = forms.BooleanField(
        label=_("I need a phone number (calls and SMS)"), required=False
    )
    esim_only = forms.BooleanField(
        label=_("eSIM only (no plastic SIM)"), required=False, initial=True
    )
    currency = forms.ChoiceField(label=_("Currency"))
    switch_penalty = forms.DecimalField(
        label=_("An extra eSIM to install is worth avoiding at"),
        min_value=Decimal(0),
        max_value=Decimal(1000),
        decimal_places=2,
        initial=Decimal(0),
        required=False,
        help_text=_("in your currency; 0 means only the price counts"),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )

    def __init__(self, *args, catalog: Catalog, home_plans: list[tuple[str, str]], **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["owned"].choices = [("", _("None: I only buy eSIMs")), *home_plans]
        self.fields["currency"].choices = [(c, c) for c in sorted(catalog.rates.per_base)]
        self.fields["currency"].initial = catalog.rates.base

    def trip_document(self, legs: BaseLegFormSet) -> dict:
        data = self.cleaned_data
        return {
            "start_date": data["start_date"].isoformat(),
            "legs": [
                {
                    "country": leg.cleaned_data["country"],
                    "days": leg.cleaned_data["days"],
                    "gb_per_day": str(leg.gb_per_day),
                }
                for leg in legs.forms
            ],
            "devices": data["devices"],
            "sharing": data["sharing"],
            "owned": [data["owned"]] if data["owned"] else [],
            "min_network": data["min_network"] or None,
            "needs_voice": data["needs_voice"],
            "esim_only": data["esim_only"],
            "currency": data["currency"],
            "switch_penalty": str(data["switch_penalty"] or 0),
        }


_TRIP_ERROR_PATH = re.compile(r"^legs\[(\d+)\]\.(\w+)$")


def attach_trip_error(form: TripForm, legs: BaseLegFormSet, field: str, message: str) -> None:
    """Put an engine `TripError` beside the field it names."""
    match = _TRIP_ERROR_PATH.match(field)
    if match:
        index, name = int(match[1]), match[2]
        name = {"gb_per_day": "custom_gb"}.get(name, name)
        if index < len(legs.forms) and name in legs.forms[index].fields:
            legs.forms[index].add_error(name, message)
            return
    name = field.split("[")[0].split(".")[0]
    form.add_error(name if name in form.fields else None, message)


def trip_initial(document: dict) -> tuple[dict, list[dict]]:
    """A trip document as the form's initial values (to edit a saved trip)."""
    legs = []
    for leg in document["legs"]:
        gb = Decimal(leg["gb_per_day"])
        preset = next((k for k, v in USAGE_PRESETS.items() if v == gb), "custom")
        legs.append(
            {
                "country": leg["country"],
                "days": leg["days"],
                "usage": preset,
                "custom_gb": gb if preset == "custom" else None,
            }
        )
    owned = document.get("owned") or []
    initial = {
        "start_date": date.fromisoformat(document["start_date"]),
        "devices": document.get("devices", 1),
        "sharing": document.get("sharing", False),
        "owned": owned[0] if owned else "",
        "min_network": document.get("min_network") or "",
        "needs_voice": document.get("needs_voice", False),
        "esim_only": document.get("esim_only", True),
        "switch_penalty": Decimal(document.get("switch_penalty", "0")),
    }
    if document.get("currency"):
        initial["currency"] = document["currency"]
    return initial, legs


LEG_FIELDS = ("country", "days", "until", "usage", "custom_gb")


def legs_from_data(data, prefix: str = "legs") -> list[dict]:
    """The legs as typed, valid or not, to add, remove or move one."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), MAX_LEGS)
    except ValueError:
        total = 0
    return [{f: data.get(f"{prefix}-{i}-{f}", "") for f in LEG_FIELDS} for i in range(total)]


def apply_leg_action(legs: list[dict], action: str) -> list[dict]:
    """`add`, `remove:N`, `up:N` or `down:N`; anything else changes nothing."""
    legs = list(legs)
    verb, _sep, arg = action.partition(":")
    if verb == "add":
        if len(legs) < MAX_LEGS:
            legs.append({"usage": legs[-1].get("usage", "normal") if legs else "normal"})
        return legs
    try:
        i = int(arg)
    except ValueError:
        return legs
    if not 0 <= i < len(legs):
        return legs
    if verb == "remove" and len(legs) > 1:
        del legs[i]
    elif verb == "up" and i > 0:
        legs[i - 1], legs[i] = legs[i], legs[i - 1]
    elif verb == "down" and i < len(legs) - 1:
        legs[i + 1], legs[i] = legs[i], legs[i + 1]
    return legs


_home_plans: tuple[Catalog, list[tuple[str, str]]] | None = None


def home_plan_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """Plans a traveller can hold at home: a network operator's (or MVNO's) plan
    with a phone number that works in the operator's own country."""
    global _home_plans
    # Every planner request builds the form: scan the 10k plans once per
    # loaded catalog (frozen, so its choices never change while it lives).
    cached = _home_plans
    if cached is not None and cached[0] is catalog:
        return cached[1]
    choices = []
    for plan in catalog.plans:
        operator = catalog.operators.get(plan.operator)
        if (
            operator is not None
            and operator.country
            and operator.kind != "reseller"
            and plan.voice
            and any(operator.country in entry.countries for entry in plan.coverage)
        ):
            choices.append((plan.slug, f"{operator.name}: {plan.name}"))
    choices.sort(key=lambda choice: choice[1].casefold())
    _home_plans = (catalog, choices)
    return choices

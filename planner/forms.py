"""The planner's form: what the traveller types, turned into the engine's `Trip`.

`TripForm` owns its leg formset. Its fields check types and ranges with messages
in the traveller's language; `TripForm.clean` then writes the trip document and
hands it to the engine's parser (`planner.engine.trip.parse_trip`), which applies
the model's own rules. A `TripError` goes back beside the field it names; when
all is well, `form.trip` is the engine `Trip` and `form.document` its JSON (what
the queue, the cache and a saved trip keep).
"""

import functools
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from planner.engine.bounds import (
    MAX_DATE,
    MAX_DAYS,
    MAX_DEVICES,
    MAX_ESIMS,
    MAX_GB_PER_DAY,
    MAX_LEGS,
    MAX_SWITCH_PENALTY,
    MIN_DATE,
    date_in_range,
)
from planner.engine.model import Catalog, Rates, Trip
from planner.engine.trip import TripError, parse_trip
from planner.templatetags.roamplan import money

USAGE_PRESETS = {"light": Decimal("0.5"), "normal": Decimal("1.5"), "heavy": Decimal("3")}
# The figure first: a browser that cuts a select's text at the box's width
# (all but Chromium's `appearance: base-select`) still shows it on a phone.
USAGE_CHOICES = [
    ("light", _("0.5 GB a day: light (maps and messages)")),
    ("normal", _("1.5 GB a day: normal (some social media and photos)")),
    ("heavy", _("3 GB a day: heavy (video and hotspot)")),
    ("custom", _("Custom amount")),
]


# Names travellers type that are no language's name for the country in
# django-countries (its names in each of the site's languages are accepted on
# every page: a French traveller may type "Suisse" on the English page).
COUNTRY_ALIASES = {
    "CZ": ("Czech Republic", "Tchéquie", "捷克共和国"),
    "GB": (
        "UK",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Grande-Bretagne",
        "Angleterre",
        "Écosse",
        "Pays de Galles",
        "Irlande du Nord",
        "英格兰",
        "苏格兰",
        "威尔士",
        "北爱尔兰",
    ),
    "US": ("USA", "United States", "America", "États-Unis", "美利坚合众国"),
    "NL": ("Holland", "Hollande"),
    "TR": ("Turkey",),
    "MK": ("Macedonia", "Macédoine", "Macédoine du Nord"),
    "VA": ("Vatican", "Holy See", "Cité du Vatican"),
    "KR": ("Korea", "Corée"),
    "SZ": ("Swaziland",),
    "CI": ("Ivory Coast",),
    "CV": ("Cape Verde",),
    "MM": ("Burma",),
    "TL": ("East Timor",),
}


def _folded(text: str) -> str:
    """A name as typed, for comparing: no accents, case, punctuation or extra
    spaces ("etats-unis" is "États-Unis", "u.k." is "UK")."""
    bare = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    words = "".join(ch if ch.isalnum() else " " if ch in " -'’,()" else "" for ch in bare)
    return " ".join(words.casefold().split())


@functools.cache
def _country_names(language: str | None) -> dict[str, str]:
    """Folded name -> code: the page's language first, then the site's other
    languages, then the aliases."""
    order = [language] + [code for code, _name in settings.LANGUAGES if code != language]
    names: dict[str, str] = {}
    for lang in order:
        with translation.override(lang):
            for code, name in countries:
                names.setdefault(_folded(str(name)), code)
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            names.setdefault(_folded(alias), code)
    return names


def country_code(text: str) -> str | None:
    """A country typed as its code, as its name in any of the site's languages
    (accents, case and punctuation aside) or as a common alias."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in countries:
        return text.upper()
    return _country_names(translation.get_language()).get(_folded(text))


def _date_bounds(value: date) -> None:
    # Python's dates end in 9999: a trip starting near there cannot even be counted.
    if date_in_range(value):
        raise forms.ValidationError(
            _("Pick a date between %(first)s and %(last)s."),
            params={
                "first": date_format(MIN_DATE, "SHORT_DATE_FORMAT"),
                "last": date_format(MAX_DATE, "SHORT_DATE_FORMAT"),
            },
        )


def _date_widget() -> forms.DateInput:
    attrs = {"type": "date", "min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
    return forms.DateInput(attrs=attrs, format="%Y-%m-%d")


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
        validators=[_date_bounds],
        widget=_date_widget(),
        help_text=_("last day in this country"),
    )
    usage = forms.ChoiceField(label=_("Data per day"), choices=USAGE_CHOICES, initial="normal")
    custom_gb = forms.DecimalField(
        label=_("GB per day"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_GB_PER_DAY,
        decimal_places=3,
        # "any": a step would make the browser refuse real amounts such as 0.575.
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
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

    @property
    def filled(self) -> list[LegForm]:
        """The stops the traveller filled in: a stop added and left empty is ignored,
        as a formset does (it is valid and has no data)."""
        return [form for form in self.forms if form.cleaned_data]

    def clean(self):
        if any(self.errors):
            return
        # A leg given by its last day gets its length from where the previous leg ends.
        start = self.start_date
        for form in self.filled:
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
        total = sum(f.cleaned_data.get("days") or 0 for f in self.filled)
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
        validators=[_date_bounds],
        widget=_date_widget(),
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
        choices=[("", _("Any network (3G is fine)")), ("4G", "4G"), ("5G", "5G")],
    )
    needs_voice = forms.BooleanField(
        label=_("I need a phone number (calls and SMS)"), required=False
    )
    esim_only = forms.BooleanField(
        label=_("eSIM only (no plastic SIM)"), required=False, initial=True
    )
    resident_in = forms.CharField(
        label=_("Where you live"),
        max_length=60,
        required=False,
        widget=CountryInput(attrs={"list": "country-names", "autocomplete": "off"}),
        help_text=_(
            "where you can sign a local contract (address, bank account or ID): "
            "contracts of other countries are left out"
        ),
    )
    customer_of = forms.MultipleChoiceField(
        label=_("Operators you have bought from before"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("their offers for new customers are not for you"),
    )
    max_esims = forms.IntegerField(
        label=_("At most this many eSIMs"),
        min_value=1,
        max_value=MAX_ESIMS,
        required=False,
        help_text=_("empty: no limit"),
    )
    currency = forms.ChoiceField(label=_("Currency"))
    switch_penalty = forms.DecimalField(
        label=_("An extra eSIM to install is worth avoiding at"),
        min_value=Decimal(0),
        max_value=MAX_SWITCH_PENALTY,
        decimal_places=2,
        required=False,
        # Written and read as the page's language writes numbers ("3,00" in French):
        # a number input shows the browser's locale instead, "3.00" on a French page.
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(
        self,
        data=None,
        *,
        catalog: Catalog,
        initial: dict | None = None,
        legs_initial: list[dict] | None = None,
    ):
        super().__init__(data, initial=initial, label_suffix="")
        self.catalog = catalog
        self.rates = catalog.rates
        self.legs = LegFormSet(data, prefix="legs", initial=legs_initial)
        self.trip: Trip | None = None  # set by a clean() the engine accepted
        self.document: dict | None = None
        self.fields["owned"].choices = [
            ("", _("None (eSIMs only)")),
            *home_plan_choices(catalog),
        ]
        self.fields["customer_of"].choices = new_customer_operators(catalog)
        self.fields["currency"].choices = [(c, c) for c in sorted(catalog.rates.per_base)]
        self.fields["currency"].initial = catalog.rates.base
        currency = self.initial.get("currency") or catalog.rates.base
        if self.is_bound and self.data.get("currency") in catalog.rates.per_base:
            currency = self.data["currency"]
        default = default_switch_penalty(catalog.rates, currency)
        self.fields["switch_penalty"].initial = default
        # the amount as the reader's language writes money (3,00 €, €3.00, €3.00)
        self.fields["switch_penalty"].help_text = _(
            "in your currency; about three euros (%(amount)s) if left empty, for the "
            "effort of installing and switching to one more eSIM; 0 means only the price counts"
        ) % {"amount": money(default, currency)}

    def is_valid(self) -> bool:
        """The fields, the legs and the engine's rules all accept the trip."""
        return super().is_valid() and self.trip is not None

    def clean(self):
        data = super().clean()
        # A leg given by its last day counts from the trip's first day.
        self.legs.start_date = data.get("start_date")
        if not self.legs.is_valid() or self._errors:
            return data
        document = self._trip_document()
        try:
            self.trip = parse_trip(document, self.catalog)
        except TripError as error:
            self.add_trip_error(error.field, error.message)
            return data
        self.document = document
        return data

    def add_trip_error(self, path: str, message: str) -> None:
        """Put a problem the engine names by its place in the trip document
        (`legs[1].gb_per_day`, `owned[0]`, `currency`) beside the field that
        holds it; a place with no field of its own is the form's."""
        self.trip = None
        place = self._places().get(path)
        if place is None:
            self.add_error(None, message)
            return
        form, name = place
        form.add_error(name, message)

    def _places(self) -> dict[str, tuple[forms.Form, str]]:
        # The document's legs are the filled ones, in order.
        places: dict[str, tuple[forms.Form, str]] = {}
        for n, leg in enumerate(self.legs.filled):
            for key, name in LEG_KEYS.items():
                places[f"legs[{n}].{key}"] = (leg, name)
        for name in self.fields:
            places[name] = (self, name)
        # the one-value fields are lists of one in the document
        places["owned[0]"] = (self, "owned")
        places["resident_in[0]"] = (self, "resident_in")
        for n in range(len(self.fields["customer_of"].choices)):
            places[f"customer_of[{n}]"] = (self, "customer_of")
        return places

    def clean_resident_in(self) -> str:
        text = self.cleaned_data["resident_in"]
        if not text.strip():
            return ""
        code = country_code(text)
        if code is None:
            raise forms.ValidationError(
                _("We don't know the country “%(text)s”: pick one from the list."),
                params={"text": text},
            )
        return code

    def penalty(self) -> Decimal:
        """What the traveller typed, or about three euros in their currency when left empty."""
        typed = self.cleaned_data.get("switch_penalty")
        if typed is not None:
            return typed
        return default_switch_penalty(self.rates, self.cleaned_data["currency"])

    def _trip_document(self) -> dict:
        data = self.cleaned_data
        document = {
            "start_date": data["start_date"].isoformat(),
            "legs": [
                {
                    "country": leg.cleaned_data["country"],
                    "days": leg.cleaned_data["days"],
                    "gb_per_day": str(leg.gb_per_day),
                }
                for leg in self.legs.filled
            ],
            "devices": data["devices"],
            "sharing": data["sharing"],
            "owned": [data["owned"]] if data["owned"] else [],
            "min_network": data["min_network"] or None,
            "needs_voice": data["needs_voice"],
            "esim_only": data["esim_only"],
            "currency": data["currency"],
            "switch_penalty": str(self.penalty()),
        }
        # Model v2's keys only when set: the document then means the same to
        # every reader of the format, version 1 included.
        if data["resident_in"]:
            document["resident_in"] = [data["resident_in"]]
        if data["customer_of"]:
            document["customer_of"] = sorted(data["customer_of"])
        if data["max_esims"] is not None:
            document["max_esims"] = data["max_esims"]
        return document


# The trip document's keys of a leg, and the leg form's field that holds each.
LEG_KEYS = {"country": "country", "days": "days", "gb_per_day": "custom_gb"}


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
        "resident_in": (document.get("resident_in") or [""])[0],
        "customer_of": list(document.get("customer_of") or []),
        "max_esims": document.get("max_esims"),
    }
    if document.get("currency"):
        initial["currency"] = document["currency"]
    return initial, legs


LEG_FIELDS = ("country", "days", "until", "usage", "custom_gb")


def _typed_legs(data, prefix: str) -> list[dict]:
    """The legs as typed, valid or not."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), MAX_LEGS)
    except ValueError:
        total = 0
    return [{f: data.get(f"{prefix}-{i}-{f}", "") for f in LEG_FIELDS} for i in range(total)]


def _moved(legs: list[dict], action: str) -> list[dict]:
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


def edit_legs(data: QueryDict, action: str, prefix: str = "legs") -> QueryDict:
    """The posted form with one leg added, removed or moved: `add`, `remove:N`,
    `up:N` or `down:N` (anything else changes nothing). The legs are renumbered
    from 0, so the result binds a `TripForm` as if typed that way."""
    rows = _moved(_typed_legs(data, prefix), action)
    edited = data.copy()
    for key in [k for k in edited if k.startswith(f"{prefix}-")]:
        del edited[key]
    edited.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"})
    for i, row in enumerate(rows):
        for name in LEG_FIELDS:
            edited[f"{prefix}-{i}-{name}"] = row.get(name, "")
    return edited


def once_per_catalog(build):
    """`build(catalog)` computed once per loaded catalog: every planner request
    builds the form, and the catalog (frozen) never changes while it lives, so
    the 10k plans are not scanned again on each request."""
    last: list = [None, None]

    @functools.wraps(build)
    def cached(catalog: Catalog):
        seen, value = last
        if seen is not catalog:
            value = build(catalog)
            last[:] = [catalog, value]
        return value

    return cached


@once_per_catalog
def home_plan_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """Plans a traveller can hold at home: a network operator's (or MVNO's) plan
    with a phone number that works in the operator's own country."""
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
    return sorted(choices, key=lambda choice: choice[1].casefold())


@once_per_catalog
def new_customer_operators(catalog: Catalog) -> list[tuple[str, str]]:
    """Operators with an offer for new customers: the only ones where having
    bought from them before changes the answer."""
    slugs = {
        plan.operator
        for plan in catalog.plans
        if plan.new_customer_only or any(p.new_customer_only for p in plan.promotions)
    }
    choices = [
        (slug, catalog.operators[slug].name if slug in catalog.operators else slug)
        for slug in slugs
    ]
    return sorted(choices, key=lambda choice: choice[1].casefold())


# What one more eSIM to install costs the traveller in effort, in euros: buying
# it, installing it, switching the phone's data line to it on the right day. At
# about €1 the cheapest answer bought three identical 500 MB day passes for one
# day (Spain, 4 days: 7 eSIMs for €7.94 instead of 1 for €14.81); at €3 it buys
# what a traveller would. The trade-off row still shows the cheaper many-eSIM
# answers. docs/planner-pages.md says why.
DEFAULT_SWITCH_PENALTY_EUR = Decimal(3)


def default_switch_penalty(rates: Rates, currency: str) -> Decimal:
    """About three euros in `currency`, to two significant digits (3.2 USD,
    2.6 GBP, 23 CNY): a value most travellers accept for one more eSIM to install."""
    # Decimal(): a catalog without rates has the integer 1 for its one currency
    in_currency = (
        DEFAULT_SWITCH_PENALTY_EUR
        * Decimal(rates.per_base[currency])
        / Decimal(rates.per_base.get("EUR", 1))
    )
    step = Decimal(1).scaleb(in_currency.adjusted() - 1)
    rounded = (in_currency / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return rounded.quantize(Decimal("0.01"))

"""Amounts, data volumes, countries and dates shown the way the reader's language writes them."""

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_interval, match_skeleton
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit
from django import template
from django.utils.translation import get_language, ngettext, to_locale
from django_countries import countries

from planner.display import round_decimal, round_rate
from planner.engine.countries import sort_key
from planner.engine.money import round_money
from planner.engine.result import Money

register = template.Library()


def _locale() -> str:
    return to_locale(get_language() or "en")


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def money(value, currency: str | None = None) -> str:
    """A `Money`, {"amount": "12.30", "currency": "EUR"}, or an amount and a
    currency, as 12,30 €: rounded by our one rule (`round_decimal`, half up to
    the currency's places), not Babel's half-even."""
    amount, currency = _amount(value, currency)
    if amount is None or not currency:
        return ""
    return format_currency(round_decimal(amount, currency), currency, locale=_locale())


@register.filter
def rate(value, currency: str | None = None) -> str:
    """A per-GB price, or a step of a working, as stated: €0.0125 stays €0.0125,
    €12.99 without 20 % VAT is €10.825 (`round_rate`: at most four decimals, at
    least the currency's: €2.50)."""
    amount, currency = _amount(value, currency)
    if amount is None or not currency:
        return ""
    shown = round_rate(amount, currency)
    return format_currency(shown, currency, locale=_locale(), decimal_quantization=False)


def _amount(value, currency: str | None) -> tuple[Decimal | None, str | None]:
    if isinstance(value, dict):
        value, currency = value.get("amount"), value.get("currency")
    elif isinstance(value, Money):
        value, currency = value.amount, value.currency
    return _decimal(value), currency


@register.filter
def notice(w) -> str:
    """A notice's text from the one map (planner/explanations.py), for a code the
    page has no sentence of its own for."""
    from planner.presenters import notice_text  # the presenter imports this module

    return notice_text(w)


@register.filter
def gb(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    # Half up to the 0.01 GB the format shows, by the engine's one rounding rule
    # (`round_money`'s step is the same hundredth): Babel alone rounds half even,
    # so 525 MB would read 0.52 GB. Then CLDR's short unit: "1.5 GB", "1,5 Go".
    return format_unit(
        round_money(amount), "digital-gigabyte", length="short", format="#,##0.##", locale=_locale()
    )


@register.filter
def number(value, digits: int = 2) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    return format_decimal(amount, format="#,##0." + "#" * int(digits), locale=_locale())


@register.filter
def country(code: str) -> str:
    return countries.name(code) or code if code else ""


def name_key(name: str) -> tuple:
    """Where a name goes in a list sorted for the reader's language."""
    return sort_key(name, _locale())


@register.filter
def bycountryname(codes) -> list[str]:
    """Country codes in the order of their names in the reader's language."""
    return sorted(codes or [], key=lambda code: name_key(country(code)))


@register.filter
def isodate(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def ldate(value, skeleton: str = "yMMMd") -> str:
    """A date as the reader's language writes it, from a CLDR skeleton:
    "MMMEd" is "Wed, Dec 9" in English, "mer. 9 déc." in French, "12月9日周三" in Chinese."""
    day = isodate(value) if not isinstance(value, date) else value
    if day is None:
        return ""
    return _format(skeleton, day)


def _trip_year(context) -> int | None:
    shown = context.get("shown")
    return getattr(shown, "trip_year", None)


@register.simple_tag(takes_context=True)
def tripday(context, value, skeleton: str = "MMMEd", other_year: str = "") -> str:
    """A date of the trip shown, with its year when that is not the trip's year
    (a validity that runs into January, a trip planned for next year);
    `other_year` is the skeleton for such a date where space is short."""
    day = isodate(value)
    if day is None:
        return ""
    year = _trip_year(context)
    if year is not None and day.year != year:
        skeleton = other_year or ("y" + skeleton if "y" not in skeleton else skeleton)
    return _format(skeleton, day)


@register.simple_tag(takes_context=True)
def tripdays(context, first, last) -> str:
    """A run of days as the reader's language writes it: "Mar 13 – 15", "13–15 mars",
    "3月13日至15日"; one day is just that day; the year as `tripday` gives it."""
    first, last = isodate(first), isodate(last)
    if first is None or last is None:
        return ""
    year = _trip_year(context)
    skeleton = "MMMd" if year is None or first.year == last.year == year else "yMMMd"
    if first == last:
        return _format(skeleton, first)
    return format_interval(first, last, skeleton, locale=_locale())


@register.simple_tag(takes_context=True)
def tripranges(context, ranges) -> str:
    """Runs of days (`first`, `last`), each as `tripdays` writes it, joined as the
    reader's language joins a list: "Dec 16 and Dec 18"."""
    return andlist(tripdays(context, r.first, r.last) for r in ranges)


# a list of countries longer than this names the first ones and "and N more"
FEW_COUNTRIES = 6


@register.filter
def fewcountries(codes) -> str:
    """Country names, the first `FEW_COUNTRIES` of them and "N more", joined as
    the reader's language joins a list: "France, Spain, and 3 more"."""
    codes = list(codes or [])
    names = [country(code) for code in codes[:FEW_COUNTRIES]]
    rest = len(codes) - FEW_COUNTRIES
    if rest > 0:
        names.append(ngettext("%(n)s more", "%(n)s more", rest) % {"n": rest})
    return andlist(names)


@register.simple_tag
def gap() -> str:
    """What goes between two sentences: a space, but none after Chinese "。"."""
    return "" if _locale().startswith("zh") else " "


@register.filter
def andlist(items) -> str:
    """Names joined as the reader's language joins them: "Ubigi and Roamless"."""
    items = [str(item) for item in items or []]
    return format_list(items, locale=_locale()) if items else ""


@register.filter
def countrynames(codes) -> str:
    """Country codes as their names, joined as the reader's language joins them."""
    return andlist(country(code) for code in codes or [])


def _format(skeleton: str, day: date) -> str:
    locale = _locale()
    return format_date(day, format=_skeleton_pattern(skeleton, locale), locale=locale)


@lru_cache(maxsize=64)
def _skeleton_pattern(skeleton: str, locale: str):
    # Babel's format_skeleton matches the skeleton against CLDR on every call:
    # a result page has about fifty dates, so the match is done once per language.
    skeletons = Locale.parse(locale).datetime_skeletons
    if skeleton not in skeletons:
        skeleton = match_skeleton(skeleton, skeletons)
    return skeletons[skeleton]

"""Every text the engine's codes stand for, in one map (issue 8: the engine keeps
codes and data, not prose).

The engine (`planner.engine`, plain Python) says *what* happened with a code and
the data behind it (`details`); this module says it in words, through Django's
translation machinery. Texts are keyed by (kind, code), because the same code
can mean a slightly different thing on a device-day, on a whole short day and
in a notice: `result.SHORT`, `result.SHORT_DAY`, `result.NOTICE`. Placeholders
are named and filled from the data the engine hands over with the code
(`result.explain_inputs` says which).

`explain` is the text function `result.to_document` takes; `result_document`
writes a result document the way every stored or answered document is written:
in English, whatever language the request is in (the JSON is data; the pages
translate from the codes).
"""

from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from planner.engine.result import NOTICE, SHORT, SHORT_DAY, Result, to_document

# Why one device is short on one day (result.Short.reason).
SHORT_TEXTS: dict[str, Promise] = {
    "no-plan": _("no plan in the catalog covers {country}"),
    "filtered": _(
        "the filters (eSIM only / minimum network / availability dates) leave no plan for {country}"
    ),
    "limits": _(
        "every plan that could serve {country} is used up by max_purchases or new-customer limits"
    ),
    "time-limit": _("no combination was found within the time limit"),
    "no-voice-plan": _("no allowed voice plan covers {country}: voice is dropped for this day"),
    "voice-limits": _(
        "every voice plan that could cover {country} is used up by max_purchases "
        "or new-customer limits: voice is dropped for this day"
    ),
}

# Why a day is short, whatever its devices and voice (result.ShortDay.reason;
# docs/planning-model.md, "Why a day is short").
SHORT_DAY_TEXTS: dict[str, Promise] = {
    "no-plan": _("no plan in the catalog covers {country}"),
    "residents-only": _("only plans sold to residents cover {country}"),
    "esim-only": _("only plans without eSIM cover {country}"),
    "network": _("only plans on a network slower than {min_network} cover {country}"),
    "no-voice": _("only plans without a phone number cover {country}"),
    "dates": _("no plan for {country} is on sale on those dates"),
    "new-customer-used": _("only new-customer offers, already used, cover {country}"),
    "max-esims": _("with at most {max_esims} eSIMs, {country} cannot be covered as well"),
    "limits": _("every plan that could serve {country} is used up by its purchase limits"),
    "time-limit": _("no combination was found within the time limit"),
}

# Facts about a chosen purchase, or about the search (result.Notice.code).
NOTICE_TEXTS: dict[str, Promise] = {
    "clock-on-install": _(
        "{plan_name}: the validity clock starts when the eSIM is installed; "
        "install it on {install_on}, not before the trip."
    ),
    "clock-on-purchase": _(
        "{plan_name}: the validity clock starts when it is bought; buy it on {buy_on}."
    ),
    "3g-only": _("{plan_name} reaches {country} on 3G only."),
    "daily-cap": _("{plan_name} slows down to {throttle_kbps} kbps after {daily_gb} GB a day."),
    # daily-cap of a plan that states no throttled speed (details["throttle_kbps"] "" or "0")
    "daily-cap-no-speed": _("{plan_name} slows down after {daily_gb} GB a day."),
    "ekyc": _("{plan_name} needs an identity check (eKYC) before it works; do it before leaving."),
    "fair-use": _(
        "{plan_name}: EU fair use caps roaming at {cap_gb} GB "
        "(2 × {listed_price} {currency} / (1 + {vat_percent} % VAT) / "
        "{wholesale_eur_per_gb} EUR per GB wholesale since {wholesale_in_force_from}); "
        "beyond it roaming data is surcharged."
    ),
    "subscription": _(
        "{plan_name} renews by itself every {validity_days} days until cancelled: "
        "cancel it after the trip, before {cancel_by}."
    ),
    "not-verified": _(
        "{plan_name}: the offer was last checked on {verified_on}; "
        "confirm price and terms before buying."
    ),
    "never-verified": _(
        "{plan_name}: the offer was never checked; confirm price and terms before buying."
    ),
    "time-limit": _(
        "The search ran out of time before finding any combination; "
        "the days below are not covered for that reason only."
    ),
}

# What the *page* says for a code (the PAGE kinds): beside the day or on the
# purchase's card, in the reader's language, with what to change ("untick “eSIM
# only”"), filled with country names and amounts already formatted for the page
# (%-placeholders, so the msgids, and their translations, are those the page
# has always had). A code with no page sentence is said by the document's text.
PAGE_SHORT_DAY_TEXTS: dict[str, Promise] = {
    "no-plan": _("No plan in our catalog covers %(country)s."),
    "network": _(
        "Only plans on %(network)s cover %(country)s; you asked for %(wanted)s: "
        "a lower minimum network would cover it."
    ),
    "esim-only": _("Only plastic-SIM plans cover %(country)s: untick “eSIM only” to cover it."),
    "residents-only": _(
        "Only contracts for residents of %(where)s cover %(country)s: if you live there, "
        "say so in “Where you live”."
    ),
    "no-voice": _(
        "Only plans without a phone number cover %(country)s: "
        "untick “I need a phone number” to cover it."
    ),
    "dates": _("No plan for %(country)s is on sale on those dates."),
    "new-customer-used": _(
        "Only offers for new customers cover %(country)s, and they are not for you "
        "(used already, or you have bought from those operators before)."
    ),
    "max-esims": _(
        "With at most %(n)s eSIMs, %(country)s cannot be covered as well: "
        "allow more eSIMs to cover it."
    ),
    "filtered": _(
        "Your choices (eSIM only, minimum network) leave no plan for %(country)s: "
        "loosen them to cover it."
    ),
    "limits": _(
        "Every plan for %(country)s is used up by its purchase limits or one-per-customer offers."
    ),
    "time-limit": _("No combination was found within the time limit."),
    "no-voice-plan": _(
        "No plan with a phone number covers %(country)s: that day is planned without one."
    ),
    "voice-limits": _(
        "Every plan with a phone number for %(country)s is used up by its limits: "
        "that day is planned without one."
    ),
}

PAGE_NOTICE_TEXTS: dict[str, Promise] = {
    "clock-on-install": _(
        "Its validity clock starts when you install it: install it on the day shown "
        "above, not earlier."
    ),
    "clock-on-purchase": _(
        "Its validity clock starts when you buy it: buy it on the day shown above."
    ),
    "3g-only": _("Only 3G in %(country)s: slow, and 3G networks are being switched off."),
    "daily-cap": _("Slows down to %(kbps)s kbit/s after %(gb)s a day."),
    # a daily cap of a plan that states no throttled speed
    "daily-cap-no-speed": _("Slows down after %(gb)s a day."),
    "ekyc": _("It needs an identity check (eKYC) before it works: do it before you leave."),
    "time-limit": _(
        "The search ran out of time before it found any combination: the days below "
        "are uncovered for that reason only. Try again, or shorten the trip."
    ),
    "fair-use": _(
        "The EU fair-use cap is reached: roaming data beyond it is surcharged "
        "(the computation is above)."
    ),
}


TEXTS: dict[str, dict[str, Promise]] = {
    SHORT: SHORT_TEXTS,
    SHORT_DAY: SHORT_DAY_TEXTS,
    NOTICE: NOTICE_TEXTS,
}

# The page's kinds: the same codes, in the page's words.
PAGE_SHORT_DAY = "page-short-day"
PAGE_NOTICE = "page-notice"
PAGE_TEXTS: dict[str, dict[str, Promise]] = {
    PAGE_SHORT_DAY: PAGE_SHORT_DAY_TEXTS,
    PAGE_NOTICE: PAGE_NOTICE_TEXTS,
}
# the document's kind a page kind falls back to
DOCUMENT_KIND = {PAGE_SHORT_DAY: SHORT_DAY, PAGE_NOTICE: NOTICE}


def _variant(kind: str, code: str, details: Mapping[str, str]) -> str:
    notice = kind in (NOTICE, PAGE_NOTICE)
    if notice and code == "daily-cap" and details.get("throttle_kbps", "") in ("", "0"):
        return "daily-cap-no-speed"
    if notice and code == "not-verified" and not details.get("verified_on"):
        return "never-verified"
    return code


def explain(kind: str, code: str, details: Mapping[str, str]) -> str:
    """The text of `code` (one of `kind`'s), in the active language, filled from `details`.

    An unknown code or a missing placeholder raises (KeyError): it is a code the
    engine added without a text here, which a test must catch, not a page."""
    text = TEXTS[kind][_variant(kind, code, details)]
    return str(text).format_map(details)


def say(kind: str, code: str, values: Mapping[str, str], details: Mapping[str, str]) -> str:
    """What the page says for `code` (`kind` is `PAGE_SHORT_DAY` or `PAGE_NOTICE`):
    its page sentence filled with `values` (names and amounts formatted for the
    page), else the document's text filled with the engine's `details`, else
    nothing (a code of a stored result that no map knows any more)."""
    variant = _variant(kind, code, details)
    if variant in PAGE_TEXTS[kind]:
        return str(PAGE_TEXTS[kind][variant]) % values
    try:
        return explain(DOCUMENT_KIND[kind], code, details)
    except KeyError:
        return ""


def result_document(result: Result) -> dict:
    """The result document (formats.md, "Result") with its texts in English."""
    with translation.override("en"):
        return to_document(result, explain)

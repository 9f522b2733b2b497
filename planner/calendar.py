"""A presented result as an iCalendar file: one event per purchase to make.

Each event falls on the day the traveller acts (installs the eSIM, or buys it
when its clock starts on purchase), says what the purchase covers, links to
where to buy it and back to the saved trip, and reminds the evening before.
Texts are in the active language, with the same sentences as the result page.
"""

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import Alarm, Calendar, Event

from planner.presenters import PurchaseView, ResultPage
from planner.templatetags.roamplan import countrynames, gb, tripday, tripranges

# An all-day event starts at midnight: six hours before is 18:00 the evening before.
REMINDER = timedelta(hours=-6)
FILENAME = "roamplan-trip.ics"


def _summary(p: PurchaseView) -> str:
    if p.action == "buy":
        return _("Buy %(plan)s (%(operator)s)") % {
            "plan": p.purchase.plan_name,
            "operator": p.operator_name,
        }
    return _("Install %(plan)s (%(operator)s)") % {
        "plan": p.purchase.plan_name,
        "operator": p.operator_name,
    }


# The texts below are the card's (templates/planner/home.html, "When" and
# "Covers"), from the same page object and its properties (`first_day`,
# `install_by`, `covers`, `buy_first`) and with the same date tags, so the
# calendar cannot say another day or drop a year the page shows. `context`
# stands in for the template's: `tripday` reads the trip's year from `shown`.


def _when(p: PurchaseView, context: dict) -> str:
    if p.plan and p.plan.activation == "install":
        day = tripday(context, p.activate_on, "MMMMEEEEd")
        text = _("Install it on %(day)s, not before: its clock starts when you install it.")
        return text % {"day": day}
    if p.plan and p.plan.activation == "purchase":
        day = tripday(context, p.activate_on, "MMMMEEEEd")
        return _("Buy it on %(day)s: its clock starts when you buy it.") % {"day": day}
    text = _("Install it by %(before)s; it starts when you first use it, on %(day)s.")
    return text % {
        "day": tripday(context, p.first_day, "MMMMEEEEd"),
        "before": tripday(context, p.install_by, "MMMMd"),
    }


def _covers(p: PurchaseView, context: dict) -> str:
    parts = []
    for g in p.covers:
        days = tripranges(context, g.ranges)
        if g.countries:
            days = _("%(days)s (%(countries)s)") % {
                "days": days,
                "countries": countrynames(g.countries),
            }
        parts.append(days)
    return pgettext("between groups of a list", "; ").join(parts)


def _description(p: PurchaseView, permalink: str, context: dict) -> str:
    until = tripday(context, p.purchase.active_until, "MMMMd")
    valid = _("Valid until %(until)s.") % {"until": until}
    lines = [
        f"{p.number}. {p.purchase.plan_name} · {p.operator_name}",
        f"{_when(p, context)} {valid}",
    ]
    if p.buy_first:
        text = _(
            "Buy it first, before any other purchase from %(operator)s in this plan, "
            "even one you install earlier."
        )
        lines.append(text % {"operator": p.operator_name})
    lines += [
        _("Covers: %(days)s") % {"days": _covers(p, context)},
        _("Data: %(gb)s") % {"gb": gb(p.purchase.data_gb)},
    ]
    if p.buy_url:
        lines.append(
            _("Buy it from %(operator)s: %(url)s") % {"operator": p.operator_name, "url": p.buy_url}
        )
    lines.append(_("Your plan for the whole trip: %(url)s") % {"url": permalink})
    return "\n".join(lines)


def trip_calendar(shown: ResultPage, *, token: str, permalink: str, created: datetime) -> bytes:
    """The events of a presented result's purchases (`present()`, the page's own
    objects); a home plan already held has none."""
    context = {"shown": shown}
    calendar = Calendar()
    calendar.add("prodid", "-//Roamplan//Trip plan//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Roamplan: your trip's eSIMs"))
    for p in shown.purchases:
        if p.purchase.owned:
            continue
        event = Event()
        # Stable per trip and purchase, so importing the file twice updates the
        # events instead of doubling them.
        event.add("uid", f"{token}-{p.number}@roamplan")
        event.add("dtstamp", created.astimezone(UTC))
        event.add("dtstart", p.action_day)
        event.add("dtend", p.action_day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add("summary", _summary(p))
        event.add("description", _description(p, permalink, context))
        event.add("url", p.buy_url or permalink)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _summary(p))
        alarm.add("trigger", REMINDER)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()

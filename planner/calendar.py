"""A presented result as an iCalendar file: one event per purchase to make.

Each event falls on the day the traveller acts (installs the eSIM, or buys it
when its clock starts on purchase), says what the purchase covers, links to
where to buy it and back to the saved trip, and reminds the evening before.
Texts are in the active language, with the same sentences as the result page.
"""

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from planner.presenters import PurchaseView
from planner.templatetags.roamplan import country, gb, ldate

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


def _when(p: PurchaseView) -> str:
    day = ldate(p.activate_on, "MMMMEEEEd")
    if p.plan and p.plan.activation == "install":
        text = _("Install it on %(day)s, not before: its clock starts when you install it.")
        return text % {"day": day}
    if p.plan and p.plan.activation == "purchase":
        return _("Buy it on %(day)s: its clock starts when you buy it.") % {"day": day}
    text = _("Install it by %(before)s; it starts when you first use it, on %(day)s.")
    return text % {"day": day, "before": ldate(p.install_by, "MMMMd")}


def _covers(p: PurchaseView) -> str:
    parts = []
    for r in p.ranges:
        days = ldate(r.first, "MMMd")
        if r.last != r.first:
            days = f"{days}–{ldate(r.last, 'MMMd')}"
        parts.append(f"{days} ({', '.join(country(c) for c in r.countries)})")
    return "; ".join(parts)


def _description(p: PurchaseView, permalink: str) -> str:
    valid = _("Valid until %(until)s.") % {"until": ldate(p.purchase.active_until, "MMMMd")}
    lines = [
        f"{p.number}. {p.purchase.plan_name} · {p.operator_name}",
        f"{_when(p)} {valid}",
        _("Covers: %(days)s") % {"days": _covers(p)},
        _("Data: %(gb)s") % {"gb": gb(p.purchase.data_gb)},
    ]
    if p.buy_url:
        lines.append(
            _("Buy it from %(operator)s: %(url)s") % {"operator": p.operator_name, "url": p.buy_url}
        )
    lines.append(_("Your plan for the whole trip: %(url)s") % {"url": permalink})
    return "\n".join(lines)


def trip_calendar(
    purchases: list[PurchaseView], *, token: str, permalink: str, created: datetime
) -> bytes:
    """The events of a saved trip's purchases; a home plan already held has none."""
    calendar = Calendar()
    calendar.add("prodid", "-//Roamplan//Trip plan//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Roamplan: your trip's eSIMs"))
    for p in purchases:
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
        event.add("description", _description(p, permalink))
        event.add("url", p.buy_url or permalink)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _summary(p))
        alarm.add("trigger", REMINDER)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()

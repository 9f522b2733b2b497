"""The currency a traveller chose in the header: read by the catalog pages and the planner."""

from django.http import HttpRequest

from planner.engine.model import Rates


def chosen_currency(request: HttpRequest, rates: Rates) -> str:
    """The currency chosen in the header, or the catalog's base currency: the one
    every page shows its amounts in unless a trip says otherwise."""
    chosen = request.session.get("currency") if hasattr(request, "session") else None
    return chosen if chosen in rates.per_base else rates.base

from django.utils.functional import SimpleLazyObject

from planner.engine.model import Rates
from planner.loader import load_catalog


def currency(request):
    """The currencies a traveller may choose in the header, and their choice.

    Lazy: pages that never show the switch (admin) never load the catalog, and
    the others load it once."""
    rates = SimpleLazyObject(lambda: load_catalog().rates)

    return {
        "currencies": SimpleLazyObject(lambda: sorted(rates.per_base)),
        "current_currency": SimpleLazyObject(lambda: chosen_currency(request, rates)),
    }


def chosen_currency(request, rates: Rates) -> str:
    """The currency chosen in the header, or the catalog's base currency: the one
    every page shows its amounts in unless a trip says otherwise."""
    chosen = request.session.get("currency") if hasattr(request, "session") else None
    return chosen if chosen in rates.per_base else rates.base

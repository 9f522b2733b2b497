from django.utils.functional import SimpleLazyObject

from planner.loader import load_catalog


def currency(request):
    """The currencies a traveller may choose in the header, and their choice.

    Lazy: pages that never show the switch (admin) never load the catalog, and
    the others load it once."""
    rates = SimpleLazyObject(lambda: load_catalog().rates)

    def current() -> str:
        chosen = request.session.get("currency") if hasattr(request, "session") else None
        return chosen if chosen in rates.per_base else rates.base

    return {
        "currencies": SimpleLazyObject(lambda: sorted(rates.per_base)),
        "current_currency": SimpleLazyObject(current),
    }

from django.utils.functional import SimpleLazyObject

from catalog.currency import chosen_currency
from catalog.store import offered_catalog


def currency(request):
    """The currencies a traveller may choose in the header, and their choice.

    Lazy: pages that never show the switch (admin) never load the catalog, and
    the others load it once."""
    rates = SimpleLazyObject(lambda: offered_catalog().rates)

    return {
        "currencies": SimpleLazyObject(lambda: sorted(rates.per_base)),
        "current_currency": SimpleLazyObject(lambda: chosen_currency(request, rates)),
    }

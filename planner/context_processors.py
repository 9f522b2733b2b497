from django.utils.functional import SimpleLazyObject

from planner.loader import load_catalog


def currency(request):
    """The currencies a traveller may choose in the header, and their choice.

    Lazy: pages that never show the switch (admin) never load the catalog."""

    def choices() -> list[str]:
        return sorted(load_catalog().rates.per_base)

    def current() -> str:
        options = choices()
        chosen = request.session.get("currency") if hasattr(request, "session") else None
        if chosen in options:
            return chosen
        return load_catalog().rates.base

    return {"currencies": SimpleLazyObject(choices), "current_currency": SimpleLazyObject(current)}

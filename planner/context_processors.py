import hashlib
from functools import cache

from django.conf import settings
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


@cache
def code_release() -> str:
    """A name for the code this process runs: a digest of the templates, the
    Python code and the translations, read once per process."""
    digest = hashlib.sha256()
    for folder in ("templates", "planner", "catalog", "config", "locale"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in {".html", ".py", ".po"} and path.is_file():
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def release(request):
    """`release` keys the cached page fragments, so a deployment that changes a
    template, a presenter or a translation never serves the old fragment."""
    return {"release": settings.RELEASE or code_release()}

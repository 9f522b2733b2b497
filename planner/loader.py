"""The catalog on offer, from the database, as the engine's frozen dataclasses.

Loading 10k plans takes a few hundred milliseconds, so the result is kept per
process and reused while the catalog version is the same: one query per call
when nothing changed.
"""

import threading
from dataclasses import replace

from catalog.document import CatalogDocument
from catalog.models import CatalogVersion
from catalog.store import offered_document
from planner.engine.model import Catalog

_lock = threading.Lock()
_cached: tuple[str, bool, Catalog] | None = None


def _current() -> tuple[str, bool]:
    row = CatalogVersion.objects.order_by("-pk").values_list("pk", "token", "sample").first()
    return (f"{row[0]}-{row[1]}", row[2]) if row else ("", False)


def catalog_version() -> str:
    return _current()[0]


def catalog_state() -> tuple[Catalog, bool]:
    """The catalog on offer and whether it is the shipped sample, in one query when warm."""
    global _cached
    version, sample = _current()
    cached = _cached
    if cached is not None and cached[0] == version and version:
        return cached[2], cached[1]
    catalog = priced(offered_document()).to_engine(version=version)
    # An import that committed while we read may have mixed two versions' rows;
    # such a catalog serves this request but is not kept for the next ones.
    if _current()[0] == version:
        with _lock:
            _cached = (version, sample, catalog)
    return catalog, sample


def priced(doc: CatalogDocument) -> CatalogDocument:
    """The document without the plans its rates cannot price: one plan whose currency
    lost its rate must not take every request down (admin warns about them)."""
    plans = tuple(plan for plan in doc.plans if not doc.rates.missing_for(plan))
    return doc if len(plans) == len(doc.plans) else replace(doc, plans=plans)


def load_catalog() -> Catalog:
    return catalog_state()[0]


def catalog_is_sample() -> bool:
    """Whether the catalog in force is the shipped sample, which pages must say."""
    return _current()[1]


def forget_catalog() -> None:
    global _cached
    with _lock:
        _cached = None

"""The catalog on offer, from the database, as the engine's frozen dataclasses.

Loading 10k plans takes a few hundred milliseconds, so the result is kept per
process and reused while the catalog version is the same: one query per request
when nothing changed.
"""

import threading

from catalog.models import CatalogVersion
from catalog.store import offered_document
from planner.engine.model import Catalog

_lock = threading.Lock()
_cached: tuple[str, Catalog] | None = None


def catalog_version() -> str:
    version = CatalogVersion.current()
    return version.label if version else ""


def load_catalog() -> Catalog:
    global _cached
    version = catalog_version()
    cached = _cached
    if cached is not None and cached[0] == version and version:
        return cached[1]
    catalog = offered_document().to_engine(version=version)
    # An import that committed while we read may have mixed two versions' rows;
    # such a catalog serves this request but is not kept for the next ones.
    if catalog_version() == version:
        with _lock:
            _cached = (version, catalog)
    return catalog


def forget_catalog() -> None:
    global _cached
    with _lock:
        _cached = None


def catalog_is_sample() -> bool:
    """Whether the catalog in force is the shipped sample, which pages must say."""
    version = CatalogVersion.current()
    return bool(version and version.sample)

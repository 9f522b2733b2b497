"""Moved: the catalog on offer is `catalog.store.offered_catalog()`.

`catalog` must not import `planner` (pyproject's import-linter contracts), so the
version-keyed cache lives in the catalog app. These names stay only so that code
written against the old module keeps importing; new code imports `catalog.store`.
"""

from catalog.store import (
    catalog_is_sample,
    catalog_state,
    catalog_version,
    forget_catalog,
    priced,
)
from catalog.store import offered_catalog as load_catalog

__all__ = [
    "catalog_is_sample",
    "catalog_state",
    "catalog_version",
    "forget_catalog",
    "load_catalog",
    "priced",
]

"""When an offer's data is stale: the one rule, for the planner's `not-verified`
warning, the catalog pages' badge and admin's filter (catalog/README.md, "Staleness").

A traveller is about to pay on the strength of a price: an offer checked more than
`STALE_AFTER` ago may have changed, and one never checked at all is no more
trustworthy than that, so both are stale. `catalog.models.PlanQuerySet.stale` is the
same rule in SQL; tests/catalog/test_staleness.py holds the two together on the
boundary days.
"""

from datetime import date, timedelta

# Checked on day D, an offer is fresh through D + 90 and stale from D + 91.
STALE_AFTER = timedelta(days=90)


def is_stale(verified_on: date | None, today: date) -> bool:
    """Whether an offer last checked on `verified_on` (None: never) is stale on `today`."""
    return verified_on is None or today - verified_on > STALE_AFTER

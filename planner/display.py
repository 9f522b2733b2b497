"""The one display rounding rule for money (pretix's `round_decimal`).

An amount is shown to its currency's decimal places (two for EUR, none for
JPY, as ISO 4217 and CLDR give them), rounded half up. The engine carries exact
amounts; result documents store cents (`planner.engine.money.money_text`).
Per-GB rates are never rounded here: €0.0125 per GB is shown as stated.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import get_currency_precision

from planner.engine.money import EXACT


@lru_cache(maxsize=64)
def _step(currency: str) -> Decimal:
    return Decimal(1).scaleb(-get_currency_precision(currency))


def round_decimal(amount: Decimal, currency: str) -> Decimal:
    """`amount` to `currency`'s decimal places, half up: the amount shown."""
    return amount.quantize(_step(currency), rounding=ROUND_HALF_UP, context=EXACT)


# A rate or a step of a working (€0.0125 per GB, €12.99 ÷ 1.20 = €10.825) is
# shown as stated up to this many decimals, half up: an amount converted or
# divided exactly can have sixty digits.
RATE_PLACES = 4


def round_rate(amount: Decimal, currency: str) -> Decimal:
    """A per-GB rate or a working's step as shown: exact up to `RATE_PLACES`
    decimals, never fewer than the currency's (€2.50, not €2.5)."""
    shown = amount.quantize(Decimal(1).scaleb(-RATE_PLACES), rounding=ROUND_HALF_UP, context=EXACT)
    shown = shown.normalize(context=EXACT)
    if shown.as_tuple().exponent > _step(currency).as_tuple().exponent:
        return round_decimal(shown, currency)
    return shown

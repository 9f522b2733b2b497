"""The one place where amounts are rounded.

Money is carried exactly (Decimal with a wide context) through the engine and
rounded half-up to cents only when a total is shown. Fair-use caps are floored
to 0.01 GB, as Regulation (EU) 2022/612 lets an operator round them down.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext

CENT = Decimal("0.01")
GB_STEP = Decimal("0.000001")  # 1 kB: finer than any plan states, coarser than float noise

# 60 significant digits: divisions by rates (1 / 1.08) never lose a cent over a
# 365-day trip of many purchases.
EXACT = Context(prec=60)


def exact_div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext(EXACT):
        return a / b


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT)


def floor_gb(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_DOWN, context=EXACT)


def clean_gb(value: float) -> Decimal:
    """A solver float as an exact GB amount: noise below 1 kB is dropped."""
    d = Decimal(repr(value)).quantize(GB_STEP, rounding=ROUND_HALF_UP, context=EXACT)
    return d if d > 0 else Decimal(0)


def gb_text(amount: Decimal) -> str:
    """GB for documents: no exponent, no trailing zeros beyond one decimal."""
    q = amount.quantize(GB_STEP, rounding=ROUND_HALF_UP, context=EXACT).normalize()
    text = format(q, "f")
    return text if "." in text else text + ".0"


def money_text(amount: Decimal) -> str:
    return format(round_money(amount), "f")

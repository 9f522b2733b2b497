"""Which codes are countries: ISO 3166-1 alpha-2, plus XK for Kosovo.

The one rule for every entry point (the catalog file, admin forms, the country pages,
the trip document). Kosovo has no ISO code yet; XK is the user-assigned code the EU,
the eSIM sellers and CLDR use, so a trip or a plan through Kosovo must be expressible.

Built on Babel's CLDR territory list rather than django-countries so the engine stays
free of Django; tests/planner/test_countries.py holds the two lists in step.
"""

import unicodedata
from functools import cache

from babel import Locale
from pypinyin import Style, lazy_pinyin

KOSOVO = "XK"

# Two-letter CLDR territory codes that are not countries of ISO 3166-1: groupings
# (EU, EZ eurozone, UN), private use and unknown (QO, XA, XB, ZZ), and ISO's
# "exceptionally reserved" codes for parts of other countries (AC Ascension, CP
# Clipperton, CQ Sark, DG Diego Garcia, EA Ceuta and Melilla, IC Canary Islands,
# TA Tristan da Cunha): their traffic is the parent country's.
_NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)


@cache
def country_codes() -> frozenset[str]:
    """Every code `is_country_code` accepts (249 ISO countries and XK)."""
    return frozenset(
        code
        for code in Locale("en").territories
        if len(code) == 2 and code.isalpha() and code.isupper() and code not in _NOT_COUNTRIES
    )


def is_country_code(value: object) -> bool:
    """Whether `value` is an upper-case country code: ISO 3166-1 alpha-2, or XK."""
    return isinstance(value, str) and value in country_codes()


def sort_key(name: str, locale: str) -> tuple:
    """Where a name goes in a list sorted for `locale` (a Babel/Django locale
    name such as "fr" or "zh_Hans"): Chinese by pinyin (syllable by syllable,
    then tone), as a Chinese list is ordered; the others letter by letter,
    accents and case only breaking ties ("Égypte" beside "Espagne", not after
    "Zambie"). Babel has no collation data and PyICU is a compiled extension:
    pypinyin, pure Python, covers the one script that needs a dictionary."""
    if locale.startswith("zh"):
        syllables = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)
        return tuple(
            (s.rstrip("012345").casefold(), s[len(s.rstrip("012345")) :]) for s in syllables
        )
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return (bare.casefold(), name)

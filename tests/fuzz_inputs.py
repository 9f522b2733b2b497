"""Generated bad input for the three edges: form posts, trip documents, catalog files.

Each generator takes a `random.Random` and starts from a valid input, then breaks
it a few ways at once. The suite drives them through Hypothesis (`st.randoms()`,
so a failure shrinks and replays) and `scripts/fuzz.py` runs 10,000 of each
against a live server and the commands. Standard library only.
"""

import copy
import json
import random
from typing import Any

# --- weird values, by kind

TEXTS = [
    "",
    " ",
    "\x00",
    "é" * 3,
    "北京",
    "١٢",
    "🇫🇷",
    "\u202e",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "data:text/html,x",
    "vbscript:msgbox",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "x" * 5000,
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-06-01T00:00:00",
    "-1",
    "0",
    "1e999",
    "1E+999999999999999999",
    "-0",
    "NaN",
    "Infinity",
    "0.0000000000000000000000001",
    "9" * 400,
    "1" * 30 + ".5",
    "1.123456789",
    "@",
    "@NOWHERE",
    "EUR",
    "XK",
    "fr",
    "true",
    "null",
    "[]",
    "{}",
]
NUMBERS: list[Any] = [
    0,
    -1,
    1,
    2,
    365,
    366,
    10**9,
    10**18,
    -(10**18),
    1.5,
    -0.0,
    1e308,
    True,
    False,
]


def weird(rnd: random.Random, depth: int = 0) -> Any:
    kind = rnd.randrange(8)
    if kind <= 2:
        return rnd.choice(TEXTS)
    if kind == 3:
        return rnd.choice(NUMBERS)
    if kind == 4:
        return None
    if kind == 5:
        nest = rnd.choice([2, 40, 400])
        value: Any = rnd.choice(["x", 1, None])
        for _ in range(nest):
            value = [value] if rnd.random() < 0.5 else {"a": value}
        return value
    if kind == 6 and depth < 2:
        return [weird(rnd, depth + 1) for _ in range(rnd.randrange(4))]
    return {rnd.choice(["", "x", "slug", " "]): weird(rnd, depth + 1)}


# --- JSON documents


def _paths(doc: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.extend(_paths(value, (*path, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found.extend(_paths(value, (*path, i)))
    return found


def _parent(doc: Any, path: tuple) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


def mutate_document(doc: Any, rnd: random.Random, *, mutations: int | None = None) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(mutations if mutations is not None else rnd.randrange(1, 4)):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return weird(rnd)
        path = rnd.choice(paths)
        parent = _parent(doc, path)
        key = path[-1]
        action = rnd.randrange(6)
        if action <= 2:
            parent[key] = weird(rnd)
        elif action == 3:
            del parent[key]
        elif action == 4 and isinstance(parent, dict):
            parent[rnd.choice(["", "colour", "  ", "legs ", "Slug", "é"])] = weird(rnd)
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))  # a row twice
        else:
            parent[key] = copy.deepcopy(parent)  # itself, one level deeper
    return doc


RAW_TEXTS = [
    "",
    "{",
    "[" * 100_000,
    "{" + '"a":' * 50_000,
    '{"legs": 1, "legs": 2}',
    "NaN",
    "\ufeff{}",
    '"\\ud800"',
    "9" * 5000,
    "[" + "9" * 5000 + "]",
    "\x00",
    "null",
    "1e999",
]


def document_text(doc: Any, rnd: random.Random) -> bytes:
    """A document as a file: usually JSON, sometimes broken or odd text."""
    roll = rnd.random()
    if roll < 0.08:
        return rnd.choice(RAW_TEXTS).encode("utf-8", "surrogatepass")
    text = json.dumps(doc, ensure_ascii=rnd.random() < 0.5)
    if roll < 0.14:
        cut = rnd.randrange(len(text) + 1)
        return text[:cut].encode()
    if roll < 0.17:
        return b"\xff\xfe" + text.encode()
    return text.encode()


TRIP = {
    "start_date": "2026-06-01",
    "legs": [
        {"country": "FR", "days": 3, "gb_per_day": "1"},
        {"country": "CH", "days": 2, "gb_per_day": "0.5"},
    ],
    "devices": 1,
    "sharing": False,
    "owned": [],
    "min_network": None,
    "needs_voice": False,
    "esim_only": True,
    "currency": "EUR",
    "switch_penalty": "0",
}


def trip_document(rnd: random.Random) -> Any:
    return mutate_document(TRIP, rnd)


def _plan(slug: str, **fields: Any) -> dict:
    return {
        "slug": slug,
        "name": slug.title(),
        "price": "9.99",
        "currency": "EUR",
        "validity_days": 7,
        "data_gb": "3",
        "coverage": [{"countries": ["FR"], "network": "4G", "cap_gb": None}],
        **fields,
    }


CATALOG = {
    "format": "esim-catalog/1",
    "rates": {
        "base": "EUR",
        "as_of": "2026-11-01",
        # the sample catalog's currencies: a file may not drop a rate stored plans need
        "per_base": {"EUR": "1", "USD": "1.08", "GBP": "0.86", "CHF": "0.94"},
    },
    "regions": {"ALPS": ["CH", "AT"]},
    "operators": [
        {
            "slug": "fuzz-op-a",
            "name": "Fuzz A",
            "country": "FR",
            "kind": "mno",
            "website": "https://example.org",
            "plans": [
                _plan(
                    "fuzz-a-1",
                    voice=True,
                    promotions=[
                        {
                            "name": "Summer",
                            "discount_percent": "20",
                            "bonus_gb": "1",
                            "starts": "2026-06-01",
                            "ends": "2026-08-31",
                            "limit": None,
                            "new_customer_only": False,
                        }
                    ],
                    source_url="https://example.org/offer",
                    verified_on="2026-11-01",
                ),
                _plan(
                    "fuzz-a-2",
                    currency="CHF",
                    coverage=[
                        {"countries": ["@ALPS"], "network": "5G", "cap_gb": "eu-fair-use"},
                        {"countries": ["FR"], "network": "3G", "overage_per_gb": "2.5"},
                    ],
                ),
            ],
        },
        {
            "slug": "fuzz-op-b",
            "name": "Fuzz B",
            "country": None,
            "kind": "reseller",
            "plans": [_plan("fuzz-b-1", data_gb=None, daily_gb="1", max_purchases=2)],
        },
    ],
}


def catalog_document(rnd: random.Random) -> Any:
    return mutate_document(CATALOG, rnd)


# --- form posts: a list of (key, value) pairs, so a key may come twice


def form_pairs() -> list[tuple[str, str]]:
    pairs = [
        ("start_date", "2026-06-01"),
        ("devices", "1"),
        ("owned", ""),
        ("min_network", ""),
        ("esim_only", "on"),
        ("currency", "EUR"),
        ("switch_penalty", "0"),
        ("legs-TOTAL_FORMS", "2"),
        ("legs-INITIAL_FORMS", "0"),
        ("legs-MIN_NUM_FORMS", "1"),
        ("legs-MAX_NUM_FORMS", "20"),
    ]
    for i, (country, days) in enumerate([("France", "3"), ("CH", "2")]):
        pairs += [
            (f"legs-{i}-country", country),
            (f"legs-{i}-days", days),
            (f"legs-{i}-until", ""),
            (f"legs-{i}-usage", "normal"),
            (f"legs-{i}-custom_gb", ""),
        ]
    return pairs


FORM_VALUES = [
    *TEXTS,
    "custom",
    "heavy",
    "on",
    "off",
    "5G",
    "3G",
    "1000",
    "1000.01",
    "0.575",
    "50.0001",
    "20",
    "21",
    "10000",
    "-5",
    "2099-12-31",
    "2100-01-01",
    "1999-12-31",
    "31/12/2026",
]
ACTIONS = ["", "add", "remove:0", "remove:1", "remove:99", "up:1", "down:0", "up:-1", "x:y", ":"]
PATHS = ["/", "/", "/", "/save/"]


def form_post(rnd: random.Random) -> tuple[str, list[tuple[str, str]], bool]:
    """(path, pairs, htmx) for one post to the planner."""
    pairs = form_pairs()
    keys = [key for key, _value in pairs]
    for _ in range(rnd.randrange(1, 5)):
        roll = rnd.randrange(10)
        if roll <= 3 and pairs:
            i = rnd.randrange(len(pairs))
            pairs[i] = (pairs[i][0], rnd.choice(FORM_VALUES))
        elif roll == 4 and pairs:
            del pairs[rnd.randrange(len(pairs))]
        elif roll == 5:
            pairs.append((rnd.choice(keys), rnd.choice(FORM_VALUES)))  # a key twice
        elif roll == 6:
            total = rnd.choice(["-1", "0", "1", "3", "20", "21", "1000", "abc", "", "1e3"])
            pairs = [p for p in pairs if p[0] != "legs-TOTAL_FORMS"]
            pairs.append(("legs-TOTAL_FORMS", total))
        elif roll == 7:
            n = rnd.choice([2, 5, 19, 20, 25])
            pairs.append((f"legs-{n}-{rnd.choice(['country', 'days', 'usage'])}", "France"))
        elif roll == 8:
            pairs.append(("action", rnd.choice(ACTIONS)))
        else:
            pairs.append(
                (rnd.choice(["", "x" * 300, "legs--1-days", "é"]), rnd.choice(FORM_VALUES))
            )
    return rnd.choice(PATHS), pairs, rnd.random() < 0.6

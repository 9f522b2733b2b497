"""A trip document as the planner form posts it: for the benchmark's whole-request
timing and the load test, which send what a browser sends. Plain Python, no
Django, so scripts/loadtest.py can use it without settings."""


def form_post(document: dict, default_currency: str = "") -> dict:
    """A trip document as the planner form posts it; `default_currency` is the
    catalog's base, which a document without a currency is planned in."""
    data = {
        "start_date": document["start_date"],
        "devices": str(document.get("devices", 1)),
        "owned": (document.get("owned") or [""])[0],
        "min_network": document.get("min_network") or "",
        "currency": document.get("currency") or default_currency,
        "switch_penalty": document.get("switch_penalty", "0"),
        "legs-TOTAL_FORMS": str(len(document["legs"])),
        "legs-INITIAL_FORMS": "0",
    }
    for name in ("sharing", "needs_voice", "esim_only"):
        if document.get(name, name == "esim_only"):
            data[name] = "on"
    for i, leg in enumerate(document["legs"]):
        data.update(
            {
                f"legs-{i}-country": leg["country"],
                f"legs-{i}-days": str(leg["days"]),
                f"legs-{i}-usage": "custom",
                f"legs-{i}-custom_gb": leg["gb_per_day"],
            }
        )
    return data

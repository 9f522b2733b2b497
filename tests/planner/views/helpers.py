"""What the view tests post: a trip as the form sends it."""


def trip_data(*, legs=(("France", "10"), ("CH", "3"), ("United Kingdom", "4")), **fields):
    data = {
        "start_date": "2026-06-01",
        "devices": "1",
        "owned": "",
        "min_network": "",
        "esim_only": "on",
        "currency": "EUR",
        "switch_penalty": "0",
        "legs-TOTAL_FORMS": str(len(legs)),
        "legs-INITIAL_FORMS": "0",
    }
    for i, (country, days) in enumerate(legs):
        data.update(
            {
                f"legs-{i}-country": country,
                f"legs-{i}-days": days,
                f"legs-{i}-usage": "normal",
                f"legs-{i}-custom_gb": "",
            }
        )
    data.update(fields)
    return data


def _fragmenting_trip(**fields):
    # three short stops with only the price counting: the cheapest answer buys
    # several eSIMs, and fewer cost more
    return trip_data(
        legs=(("France", "3"), ("Switzerland", "3"), ("United Kingdom", "2")),
        owned="sfr-5g-130",
        switch_penalty="0",
        **fields,
    )

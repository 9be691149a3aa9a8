"""Region codes → names, bilingual: UK NUTS 1 regions, and Wales down to NUTS 3 (the codes registers publish)."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext

# ITL 1 codes (TLC…TLN) reuse the NUTS 1 letters, so one table serves both.
NUTS1 = {
    "UKC": lazy_gettext("North East England"),
    "UKD": lazy_gettext("North West England"),
    "UKE": lazy_gettext("Yorkshire and the Humber"),
    "UKF": lazy_gettext("East Midlands"),
    "UKG": lazy_gettext("West Midlands"),
    "UKH": lazy_gettext("East of England"),
    "UKI": lazy_gettext("London"),
    "UKJ": lazy_gettext("South East England"),
    "UKK": lazy_gettext("South West England"),
    "UKL": lazy_gettext("Wales"),
    "UKM": lazy_gettext("Scotland"),
    "UKN": lazy_gettext("Northern Ireland"),
}
WALES = {
    "UKL1": lazy_gettext("West Wales and the Valleys"),
    "UKL2": lazy_gettext("East Wales"),
    "UKL11": lazy_gettext("Isle of Anglesey"),
    "UKL12": lazy_gettext("Gwynedd"),
    "UKL13": lazy_gettext("Conwy and Denbighshire"),
    "UKL14": lazy_gettext("South West Wales"),
    "UKL15": lazy_gettext("Central Valleys"),
    "UKL16": lazy_gettext("Gwent Valleys"),
    "UKL17": lazy_gettext("Bridgend and Neath Port Talbot"),
    "UKL18": lazy_gettext("Swansea"),
    "UKL21": lazy_gettext("Monmouthshire and Newport"),
    "UKL22": lazy_gettext("Cardiff and Vale of Glamorgan"),
    "UKL23": lazy_gettext("Flintshire and Wrexham"),
    "UKL24": lazy_gettext("Powys"),
}
UK = lazy_gettext("United Kingdom")


def region_name(code: str | None) -> str:
    """Return a region code's name in the page's language, or "" when we do not know the code."""
    code = (code or "").strip().upper()
    if code in ("UK", "GB"):
        return str(UK)
    if code in WALES:
        return str(WALES[code])
    nuts1 = "UK" + code[2:3] if code.startswith("TL") else code[:3]
    if nuts1 in NUTS1:
        name = NUTS1[nuts1]
        # A finer code outside Wales: name the NUTS 1 region it is part of.
        return str(name) if len(code) == 3 else gettext("part of %(region)s", region=name)
    return ""


def region_choices() -> list[tuple[str, str]]:
    """Return (code, name) for the NUTS 1 regions, for a filter."""
    return [(code, str(name)) for code, name in NUTS1.items()]

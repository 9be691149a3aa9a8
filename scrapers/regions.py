"""Contracts Finder region names → NUTS 1 codes, so CF notices filter like FTS and S2W ones.

CF publishes `tender.items[].deliveryAddresses[].region` as English region names ("North West",
"Wales", "England"…), not NUTS/ITL codes (docs/registers.md, "Contracts Finder: field paths").
FTS and Sell2Wales publish codes
(`UKL22`, `UKC2`…), so mapping the names onto NUTS 1 codes lets one region filter serve all three.
"""

from __future__ import annotations

ENGLAND = ("UKC", "UKD", "UKE", "UKF", "UKG", "UKH", "UKI", "UKJ", "UKK")

# Keys are casefolded: CF writes both "Yorkshire and The Humber" and "Yorkshire and the Humber".
CF_REGION_CODES: dict[str, tuple[str, ...]] = {
    "north east": ("UKC",),
    "north west": ("UKD",),
    "yorkshire and the humber": ("UKE",),
    "east midlands": ("UKF",),
    "west midlands": ("UKG",),
    "east of england": ("UKH",),
    "london": ("UKI",),
    "south east": ("UKJ",),
    "south west": ("UKK",),
    "wales": ("UKL",),
    "scotland": ("UKM",),
    "northern ireland": ("UKN",),
    # "England" means anywhere in England: all nine English regions, so a regional filter matches it.
    "england": ENGLAND,
    "united kingdom": ("UK",),
    "uk": ("UK",),
}


def region_codes(name: str) -> tuple[str, ...]:
    """Return the NUTS 1 codes for a CF region name; an unknown name is kept as published."""
    return CF_REGION_CODES.get(" ".join(name.split()).casefold(), (name,))

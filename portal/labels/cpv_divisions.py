"""The 45 CPV 2008 divisions (the first two digits of a CPV code) with their register names, in either language."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext

# Names as the CPV 2008 register gives them (Commission Regulation (EC) No 213/2008); Welsh in the catalogue.
DIVISIONS = {
    "03": lazy_gettext("Agricultural, farming, fishing, forestry and related products"),
    "09": lazy_gettext("Petroleum products, fuel, electricity and other sources of energy"),
    "14": lazy_gettext("Mining, basic metals and related products"),
    "15": lazy_gettext("Food, beverages, tobacco and related products"),
    "16": lazy_gettext("Agricultural machinery"),
    "18": lazy_gettext("Clothing, footwear, luggage articles and accessories"),
    "19": lazy_gettext("Leather and textile fabrics, plastic and rubber materials"),
    "22": lazy_gettext("Printed matter and related products"),
    "24": lazy_gettext("Chemical products"),
    "30": lazy_gettext("Office and computing machinery, equipment and supplies except furniture and software packages"),
    "31": lazy_gettext("Electrical machinery, apparatus, equipment and consumables; lighting"),
    "32": lazy_gettext("Radio, television, communication, telecommunication and related equipment"),
    "33": lazy_gettext("Medical equipments, pharmaceuticals and personal care products"),
    "34": lazy_gettext("Transport equipment and auxiliary products to transportation"),
    "35": lazy_gettext("Security, fire-fighting, police and defence equipment"),
    "37": lazy_gettext("Musical instruments, sport goods, games, toys, handicraft, art materials and accessories"),
    "38": lazy_gettext("Laboratory, optical and precision equipments (excl. glasses)"),
    "39": lazy_gettext(
        "Furniture (incl. office furniture), furnishings, domestic appliances (excl. lighting) and cleaning products"
    ),
    "41": lazy_gettext("Collected and purified water"),
    "42": lazy_gettext("Industrial machinery"),
    "43": lazy_gettext("Machinery for mining, quarrying, construction equipment"),
    "44": lazy_gettext(
        "Construction structures and materials; auxiliary products to construction (except electric apparatus)"
    ),
    "45": lazy_gettext("Construction work"),
    "48": lazy_gettext("Software package and information systems"),
    "50": lazy_gettext("Repair and maintenance services"),
    "51": lazy_gettext("Installation services (except software)"),
    "55": lazy_gettext("Hotel, restaurant and retail trade services"),
    "60": lazy_gettext("Transport services (excl. Waste transport)"),
    "63": lazy_gettext("Supporting and auxiliary transport services; travel agencies services"),
    "64": lazy_gettext("Postal and telecommunications services"),
    "65": lazy_gettext("Public utilities"),
    "66": lazy_gettext("Financial and insurance services"),
    "70": lazy_gettext("Real estate services"),
    "71": lazy_gettext("Architectural, construction, engineering and inspection services"),
    "72": lazy_gettext("IT services: consulting, software development, Internet and support"),
    "73": lazy_gettext("Research and development services and related consultancy services"),
    "75": lazy_gettext("Administration, defence and social security services"),
    "76": lazy_gettext("Services related to the oil and gas industry"),
    "77": lazy_gettext("Agricultural, forestry, horticultural, aquacultural and apicultural services"),
    "79": lazy_gettext("Business services: law, marketing, consulting, recruitment, printing and security"),
    "80": lazy_gettext("Education and training services"),
    "85": lazy_gettext("Health and social work services"),
    "90": lazy_gettext("Sewage, refuse, cleaning and environmental services"),
    "92": lazy_gettext("Recreational, cultural and sporting services"),
    "98": lazy_gettext("Other community, social and personal services"),
}


def division_label(code: str | None) -> str:
    """Return the name of the CPV division a code belongs to, in the page's language ("" when unknown)."""
    label = DIVISIONS.get((code or "")[:2])
    return str(label) if label else ""


def division_choice_label(code: str) -> str:
    """Return "72 – IT services: …" for a filter, or the code with "Other" when the register has no such division."""
    label = division_label(code)
    return f"{code} – {label}" if label else gettext("%(code)s – other", code=code)

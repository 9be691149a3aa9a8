"""Shared by the publishing tests: a member's signed-in client, a good entry form, and the OCDS validator."""

from __future__ import annotations

from sqlmodel import select

from portal.db import session_scope
from portal.models.publishing import PlannedWork
from tests.accounts_helpers import make_member, signed_in_client

ORG_A = "GB-PPON-PAAA-1111-AAAA"
ORG_B = "GB-PPON-PBBB-2222-BBBB"


def member(app, email="prynu@llyw.cymru", org=ORG_A, name="Cyngor Prawf"):
    """Return (signed-in client, organisation id) for a member of `org`."""
    _person, organisation_id = make_member(app, email, org, name)
    return signed_in_client(app, email, org, name), organisation_id


def good_form(**changes) -> dict:
    """A complete entry as the form posts it."""
    form = {
        "reference": "PW-001",
        "title_en": "Grounds maintenance for county parks",
        "title_cy": "Cynnal a chadw tiroedd parciau'r sir",
        "description_en": "Mowing, planting and litter picking in twelve parks.",
        "description_cy": "Torri gwair, plannu a chasglu sbwriel mewn deuddeg parc.",
        "cpv_codes": ["77310000"],
        "value_low": "200000",
        "value_high": "350000",
        "to_market-month": "3",
        "to_market-year": "2027",
        "contract_start-day": "1",
        "contract_start-month": "6",
        "contract_start-year": "2027",
        "contract_end-day": "",
        "contract_end-month": "5",
        "contract_end-year": "2030",
        "regions": ["UKL14"],
        "route": "open",
        "sme_suitable": "yes",
        "vcse_suitable": "no",
        "contact_name": "Siân Jones",
        "contact_email": "caffael@llyw.cymru",
        "action": "save",
    }
    form.update(changes)
    return form


def entry_by_reference(app, reference: str) -> PlannedWork | None:
    with app.app_context(), session_scope() as session:
        return session.exec(select(PlannedWork).where(PlannedWork.reference == reference)).first()

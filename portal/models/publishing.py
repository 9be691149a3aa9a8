"""Planned work that buyers publish on Piblinell: entries, every edit of them, and CSV uploads awaiting confirmation.

See docs/design.md, "Publishing planned work". An entry belongs to one organisation; once published it is also a
procurement of source `portal` (its releases are stored through ingest like any register's), so these tables hold
what the buyer typed and who changed it, and the notice tables hold what suppliers see.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.tables import _json, _text, _when

# Entry statuses, in the order an entry moves through them.
STATUSES = ("draft", "published", "withdrawn")


class PlannedWork(SQLModel, table=True):
    """One entry of an organisation's pipeline, in English and Welsh."""

    __table_args__ = (UniqueConstraint("organisation_id", "reference", name="uq_plannedwork_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    reference: str = Field(max_length=100)  # the buyer's own reference
    ocid: str = Field(max_length=120, unique=True)  # <OCID_PREFIX>-<random>, fixed when the entry is made
    status: str = Field(default="draft", max_length=10, index=True)
    title_en: str | None = _text()
    title_cy: str | None = _text()
    description_en: str | None = _text()
    description_cy: str | None = _text()
    cpv_codes: list = _json()  # 8-digit codes
    value_low: float | None = None  # pounds net of VAT: one alone is an amount, both a range
    value_high: float | None = None
    to_market: str | None = Field(default=None, max_length=7)  # YYYY-MM
    contract_start: str | None = Field(default=None, max_length=10)  # YYYY-MM or YYYY-MM-DD
    contract_end: str | None = Field(default=None, max_length=10)
    regions: list = _json()  # ITL/NUTS codes (UKL, UKL14) or UK
    route: str | None = Field(default=None, max_length=30)  # portal.publishing.fields.ROUTES
    lots: list = _json()  # lot titles, in order
    sme_suitable: bool | None = None
    vcse_suitable: bool | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=320)
    withdrawn_reason: str | None = _text()
    revision: int = Field(default=0)  # releases published so far
    created_at: datetime | None = _when(nullable=False)
    updated_at: datetime | None = _when(nullable=False)
    updated_by: str | None = Field(default=None, max_length=320)
    published_at: datetime | None = _when()


class PlannedWorkEdit(SQLModel, table=True):
    """Who changed an entry, when, and what: {field: [before, after]}."""

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="plannedwork.id", index=True)
    at: datetime | None = _when(nullable=False)
    actor: str | None = Field(default=None, max_length=320)
    action: str = Field(max_length=20)  # create, edit, publish, withdraw, upload
    changes: dict = _json(dict)


class PlannedWorkUpload(SQLModel, table=True):
    """A validated CSV upload kept on the server until its buyer confirms the preview; once confirmed its rows are
    dropped and it stays, marked, so a second confirmation of the same token (a double click, a retry) is told the
    pipeline is already published instead of publishing it twice. Uploads are deleted after two hours."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    filename: str | None = Field(default=None, max_length=300)
    rows: list = _json()  # the validated rows, as the entry fields ([] once confirmed)
    created_at: datetime | None = _when(nullable=False)
    confirmed_at: datetime | None = _when()

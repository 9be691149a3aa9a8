"""The database tables (SQLModel). The database is the truth; the search index is a cache."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as UTC; PostgreSQL returns aware ones and SQLite naive ones, so normalise."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class ReleaseSummary:
    """What a procurement's history shows of one release beyond its columns, derived once when it is stored.

    The history's "what changed" compares these between consecutive releases (portal.collect.history).
    """

    title: str | None = None
    deadline: datetime | None = None  # aware UTC
    value_amount: float | None = None  # net
    currency: str | None = None
    notice_url: str | None = None  # the notice's page on its register


_SUMMARY_FIELDS = frozenset(f.name for f in fields(ReleaseSummary))


class ReleaseSummaryJSON(TypeDecorator):
    """A ReleaseSummary as a JSON object, its deadline in ISO 8601; SQL NULL for none (a release that did not parse)."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        data = asdict(value)
        if value.deadline is not None:
            if value.deadline.tzinfo is None:
                raise ValueError(f"naive deadline {value.deadline!r}: store aware UTC datetimes only")
            data["deadline"] = value.deadline.astimezone(UTC).isoformat()
        return data

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        data = {key: item for key, item in value.items() if key in _SUMMARY_FIELDS}
        if data.get("deadline"):
            data["deadline"] = datetime.fromisoformat(data["deadline"]).astimezone(UTC)
        return ReleaseSummary(**data)


def utcnow() -> datetime:
    """Return the current time, aware UTC."""
    return datetime.now(UTC)


def _when(nullable: bool = True, index: bool = False):
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default=list):
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _flag():
    # A server default of '0', not false(): SQLite then adds the column in place (migration 0004).
    return Field(default=False, sa_column_kwargs={"server_default": "0"})


def _text():
    return Field(default=None, sa_column=Column(Text, nullable=True))


class Buyer(SQLModel, table=True):
    """A public body, keyed by its identifier scheme and id as the registers publish them."""

    __table_args__ = (UniqueConstraint("scheme", "identifier", name="uq_buyer_scheme_identifier"),)

    id: int | None = Field(default=None, primary_key=True)
    scheme: str = Field(max_length=40)
    identifier: str = Field(max_length=300)
    name: str = Field(max_length=500)
    devolved: str | None = Field(default=None, max_length=10)  # UK_CA_DEVOLVED_REGULATIONS
    is_welsh: bool = Field(default=False, index=True)
    region: str | None = Field(default=None, max_length=20)
    updated_at: datetime | None = _when()


class Procurement(SQLModel, table=True):
    """One contracting process (one ocid) with the state compiled from all its releases."""

    __table_args__ = (
        Index("ix_procurement_stage_deadline", "stage", "deadline"),
        Index("ix_procurement_stage_expected", "stage", "expected_tender_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ocid: str = Field(max_length=120, unique=True, index=True)
    stage: str = Field(max_length=20, index=True)
    sources: list = _json()
    notice_types: list = _json()
    latest_notice_type: str | None = Field(default=None, max_length=20)
    title: str | None = _text()
    description: str | None = _text()
    title_cy: str | None = _text()
    description_cy: str | None = _text()
    buyer_id: int | None = Field(default=None, foreign_key="buyer.id", index=True)
    buyer_name: str | None = Field(default=None, max_length=500)
    value_amount: float | None = None
    value_gross: float | None = None
    currency: str | None = Field(default=None, max_length=3)
    # What value_amount/value_gross are: "estimated" (tender, lots), "awarded" (awards) or "contract" (signed).
    value_kind: str | None = Field(default=None, max_length=10)
    value_min: float | None = None
    value_max: float | None = None
    main_cpv: str | None = Field(default=None, max_length=12)
    cpv: list = _json()
    regions: list = _json()
    published_at: datetime | None = _when(index=True)
    updated_at: datetime | None = _when()
    deadline: datetime | None = _when()
    expected_tender_date: datetime | None = _when()
    engagement_deadline: datetime | None = _when()
    contract_start: datetime | None = _when()
    contract_end: datetime | None = _when()
    contract_max_extent: datetime | None = _when()
    # The register gave these as a day, not a moment: show only the date (scrapers.ocds_dates).
    deadline_is_date: bool = _flag()
    expected_tender_date_is_date: bool = _flag()
    engagement_deadline_is_date: bool = _flag()
    contract_start_is_date: bool = _flag()
    contract_end_is_date: bool = _flag()
    contract_max_extent_is_date: bool = _flag()
    sme: bool | None = None
    vcse: bool | None = None
    above_threshold: bool | None = None
    procurement_method: str | None = Field(default=None, max_length=40)
    procurement_method_details: str | None = Field(default=None, max_length=300)
    main_category: str | None = Field(default=None, max_length=40)
    in_wales: bool = Field(default=False, index=True)
    links: list = _json()
    related_ids: list = _json()
    lots: list = _json()
    awards: list = _json()
    # Our own modification time: the search index syncs from it.
    changed_at: datetime | None = _when(nullable=False, index=True)


class Release(SQLModel, table=True):
    """Every notice ever received, kept verbatim so it can be re-parsed later."""

    __table_args__ = (UniqueConstraint("source", "release_id", name="uq_release_source_release_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=10, index=True)
    release_id: str = Field(max_length=200)
    ocid: str = Field(max_length=120, index=True)
    procurement_id: int = Field(foreign_key="procurement.id", index=True)
    notice_type: str | None = Field(default=None, max_length=10, index=True)
    stage: str | None = Field(default=None, max_length=20)
    date: datetime | None = _when()
    raw: str = Field(sa_column=Column(Text, nullable=False))
    raw_cy: str | None = _text()  # Sell2Wales' Welsh-language (locale=1106) copy of the same release
    content_hash: str = Field(max_length=64)
    received_at: datetime | None = _when(nullable=False)
    # Derived from raw at ingest so the history never re-parses raw; None only if raw no longer parsed
    # when migration 0003 backfilled it.
    summary: ReleaseSummary | None = Field(default=None, sa_column=Column(ReleaseSummaryJSON(), nullable=True))


class Quarantine(SQLModel, table=True):
    """A release that could not be parsed: kept with its reason, never silently dropped."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=10, index=True)
    release_id: str | None = Field(default=None, max_length=200)
    ocid: str | None = Field(default=None, max_length=120)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    raw: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64, unique=True)
    run_id: int | None = Field(default=None, foreign_key="collectorrun.id")
    received_at: datetime | None = _when(nullable=False)


class CollectionState(SQLModel, table=True):
    """Per-source watermark: everything before it has been committed."""

    source: str = Field(primary_key=True, max_length=10)
    watermark: datetime | None = _when()
    updated_at: datetime | None = _when()


class CollectorRun(SQLModel, table=True):
    """One collection run of one source, for the run history and the sources page."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=10, index=True)
    started_at: datetime | None = _when(nullable=False, index=True)
    finished_at: datetime | None = _when()
    status: str = Field(default="running", max_length=20)  # running, ok, partial, failed
    window_from: datetime | None = _when()
    window_to: datetime | None = _when()
    pages: int = 0
    releases_seen: int = 0
    releases_new: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failed_partitions: list = _json()
    error: str | None = _text()


class RssItem(SQLModel, table=True):
    """An item of the Sell2Wales RSS feed, linked to its full notice when one arrives."""

    id: int | None = Field(default=None, primary_key=True)
    guid: str = Field(max_length=500, unique=True)
    title: str | None = _text()
    link: str | None = Field(default=None, max_length=1000)
    summary: str | None = _text()
    published: datetime | None = _when()
    notice_ref: str | None = Field(default=None, max_length=40, index=True)
    procurement_id: int | None = Field(default=None, foreign_key="procurement.id", index=True)
    received_at: datetime | None = _when(nullable=False)


class ProcurementKey(SQLModel, table=True):
    """A key that identifies a procurement: its ocids, FTS notice ids and the references that link registers.

    Kinds: "ocid"; "notice" (an FTS notice id, e.g. 035618-2024); "related" (an identifier a Sell2Wales
    notice cites in relatedProcesses, normalised to an FTS notice id); "s2w-ref" (a Sell2Wales notice
    reference such as FEB497921, which RSS items carry).
    """

    __table_args__ = (UniqueConstraint("kind", "key", name="uq_procurementkey_kind_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    key: str = Field(max_length=200)
    procurement_id: int = Field(foreign_key="procurement.id", index=True)


class ProcurementTombstone(SQLModel, table=True):
    """A procurement that was merged into another: the search index drops it on its next sync."""

    id: int | None = Field(default=None, primary_key=True)
    procurement_id: int
    ocid: str = Field(max_length=120)
    deleted_at: datetime | None = _when(nullable=False, index=True)

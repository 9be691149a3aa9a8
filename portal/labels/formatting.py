"""How values look on a page: dates, money, stages, notice types, registers and quarters, in either language."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask
from flask_babel import format_currency, format_date, format_datetime, format_decimal, gettext, lazy_gettext

from portal.labels.places import region_name
from scrapers.vocabulary import LONDON

STAGE_LABELS = {
    "pipeline": lazy_gettext("Pipeline"),
    "engagement": lazy_gettext("Market engagement"),
    "planned": lazy_gettext("Planned"),
    "open": lazy_gettext("Open"),
    "closed": lazy_gettext("Closed"),
    "awarded": lazy_gettext("Awarded"),
    "cancelled": lazy_gettext("Cancelled"),
}
# Planned work its buyer published on Piblinell and then withdrew is a procurement of source "portal" at stage
# "cancelled" (docs/design.md, "Publishing planned work"): suppliers read "Withdrawn", as buyers withdraw plans
# rather than cancel procurements. A label, not a stage: search, filters and the pipeline treat it as cancelled.
WITHDRAWN = lazy_gettext("Withdrawn")
# GOV.UK Frontend 6 tag colours; the label always carries the meaning, colour only helps.
STAGE_TAG_CLASSES = {
    "pipeline": "govuk-tag--purple",
    "engagement": "govuk-tag--light-blue",
    "planned": "govuk-tag--blue",
    "open": "govuk-tag--green",
    "closed": "govuk-tag--yellow",
    "awarded": "govuk-tag--teal",
    "cancelled": "govuk-tag--red",
}
# Procurement Act 2023 notice names as Find a Tender publishes them (docs/registers.md, "Find a Tender: notice types").
NOTICE_TYPE_LABELS = {
    "UK1": lazy_gettext("Pipeline notice"),
    "UK2": lazy_gettext("Preliminary market engagement notice"),
    "UK3": lazy_gettext("Planned procurement notice"),
    "UK4": lazy_gettext("Tender notice"),
    "UK5": lazy_gettext("Transparency notice"),
    "UK6": lazy_gettext("Contract award notice"),
    "UK7": lazy_gettext("Contract details notice"),
    "UK9": lazy_gettext("Contract performance notice"),
    "UK10": lazy_gettext("Contract change notice"),
    "UK11": lazy_gettext("Contract termination notice"),
    "UK12": lazy_gettext("Procurement termination notice"),
    "legacy": lazy_gettext("Notice under the earlier rules"),
}
# The lenses of search_index.lenses, named: a test checks each has a name in both languages.
LENS_LABELS = {"digital": lazy_gettext("Digital, data and technology")}
SOURCE_LABELS = {
    "fts": lazy_gettext("Find a Tender"),
    "cf": lazy_gettext("Contracts Finder"),
    "s2w": lazy_gettext("Sell2Wales"),
    "s2w-rss": lazy_gettext("Sell2Wales RSS feed"),
    "portal": lazy_gettext("Piblinell"),
}
QUARTER_LABELS = {
    1: lazy_gettext("January to March %(year)s"),
    2: lazy_gettext("April to June %(year)s"),
    3: lazy_gettext("July to September %(year)s"),
    4: lazy_gettext("October to December %(year)s"),
}


def stage_label(stage: str | None, source: str | None = None) -> str:
    """Return a stage's name in the page's language; "Withdrawn" for a cancelled procurement or release of
    source "portal" (planned work its buyer withdrew)."""
    if stage == "cancelled" and source == "portal":
        return str(WITHDRAWN)
    return str(STAGE_LABELS.get(stage or "", stage or ""))


def withdrawn_by_buyer(p) -> bool:
    """Whether a procurement (a Procurement row or anything with its attributes) is planned work its buyer
    published on Piblinell and withdrew."""
    return getattr(p, "stage", None) == "cancelled" and "portal" in (getattr(p, "sources", None) or [])


def procurement_stage_label(p) -> str:
    """Return the name of a procurement's stage as suppliers read it: its stage's, or "Withdrawn"."""
    return str(WITHDRAWN) if withdrawn_by_buyer(p) else stage_label(getattr(p, "stage", None))


def notice_type_label(notice_type: str | None) -> str:
    """Return a notice type's name, or its code when we have no name for it."""
    label = NOTICE_TYPE_LABELS.get(notice_type or "legacy")
    return str(label) if label else gettext("Notice %(code)s", code=notice_type)


def source_label(source: str | None) -> str:
    """Return a register's name in the page's language."""
    return str(SOURCE_LABELS.get(source or "", source or ""))


def quarter_label(quarter: tuple[int, int]) -> str:
    """Return "January to March 2027" for (2027, 1), in the page's language."""
    year, number = quarter
    return str(QUARTER_LABELS[number]) % {"year": year}


def long_date(value: datetime | date | None) -> str:
    """Return a date as "1 March 2026" ("1 Mawrth 2026"), in London time."""
    if value is None:
        return ""
    return format_date(value, "d MMMM yyyy")


def date_time(value: datetime | None) -> str:
    """Return a moment as "1 March 2026, 12:00", in London time."""
    if value is None:
        return ""
    return format_datetime(value, "d MMMM yyyy, HH:mm")


# Never text: C0/C1 controls (but tab and newlines), which XML 1.0 forbids too; the bidirectional embeddings,
# overrides and isolates a notice could use to make text read other than it is stored; lone surrogates and
# non-characters. Stripped from every page (Jinja's finalize), feed and calendar.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def plain_text(value: str | None) -> str:
    """Return text without the characters that are never text (NOT_TEXT)."""
    return NOT_TEXT.sub("", value or "")


def day_or_time(value: datetime | None) -> str:
    """Return a deadline as a date when it is the last second of a London day (how a deadline given as a day is
    stored, see docs/registers.md, "Times and time zones"), else as a date and time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return long_date(value) if (local.hour, local.minute, local.second) == (23, 59, 59) else date_time(value)


def money(amount: float | None, currency: str | None = "GBP") -> str:
    """Return an amount in its currency, without pence when it is whole pounds."""
    if amount is None:
        return ""
    currency = currency or "GBP"
    if float(amount).is_integer():
        return format_currency(amount, currency, format="¤#,##0", currency_digits=False)
    return format_currency(amount, currency)


def number(value: float | int | None) -> str:
    """Return a number with the locale's grouping."""
    return "" if value is None else format_decimal(value)


def yes_no(value: bool | None) -> str:
    """Return Yes, No or Not stated for a flag a notice may leave out."""
    if value is None:
        return gettext("Not stated")
    return gettext("Yes") if value else gettext("No")


def init_app(app: Flask) -> None:
    """Make the formatters available to templates as filters."""
    app.jinja_env.filters.update(
        stage_label=stage_label,
        procurement_stage_label=procurement_stage_label,
        notice_type_label=notice_type_label,
        source_label=source_label,
        quarter_label=quarter_label,
        long_date=long_date,
        date_time=date_time,
        day_or_time=day_or_time,
        money=money,
        number=number,
        region_name=region_name,
        yes_no=yes_no,
    )
    app.jinja_env.globals["STAGE_TAG_CLASSES"] = STAGE_TAG_CLASSES

"""What one procurement's row in a list says beyond its title and buyer: the facts that matter at its stage.

Open and closed work shows its deadline and value; pipeline, engagement and planned work when the tender is
expected and its value; awarded work who won it, for how much and when; cancelled work when it was cancelled.
A value of zero is how registers leave a value blank, so it is shown as not stated, never as £0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from flask import current_app, url_for
from flask_babel import format_date
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from portal.i18n import current_language
from portal.labels.formatting import (
    STAGE_TAG_CLASSES,
    date_time,
    long_date,
    money,
    plain_text,
    procurement_stage_label,
    stage_label,
    withdrawn_by_buyer,
)
from portal.models.tables import utcnow
from portal.web.caching import gettext as _  # Flask-Babel's, with the catalogue found once per locale
from portal.web.caching import ngettext
from scrapers.vocabulary import FORWARD_STAGES, LONDON

NAMES_SHOWN = 3  # suppliers named in a row; more are counted: "A, B and 5 others"


@dataclass(frozen=True)
class Fact:
    """One labelled fact of a row; `stated` is False when the register left it out ("Not stated")."""

    key: str  # stable, for the markup's class and for tests
    label: str
    text: str
    stated: bool = True


def positive(amount: object) -> float | None:
    """Return an amount worth showing: a number above zero, else None (0 is a register's blank)."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return float(amount) if amount > 0 else None


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _fact(key: str, label: str, text: str) -> Fact:
    return Fact(key, label, text) if text else Fact(key, label, _("Not stated"), stated=False)


def _value(p, label: str | None = None) -> Fact:
    amount = positive(getattr(p, "value_amount", None))
    text = _value_text(current_language(), amount, getattr(p, "currency", None)) if amount else ""
    return _fact("value", label or _("Value"), text)


@lru_cache(maxsize=4096)
def _value_text(language: str, amount: float, currency: str | None) -> str:
    """Return "£1,200 excluding VAT" in `language` (the page's, as _value passes): each amount formatted once per
    language per process, as lists repeat amounts and Babel's formatting costs more than the rest of a row."""
    return _("%(amount)s excluding VAT", amount=money(amount, currency))


def supplier_names(awards: list) -> list[str]:
    """Return the names of the suppliers of some awards (Procurement.awards), each once, in order."""
    names: dict[str, None] = {}
    for award in awards or []:
        for supplier in (award.get("suppliers") or []) if isinstance(award, dict) else []:
            name = " ".join(str(supplier.get("name") or "").split()) if isinstance(supplier, dict) else ""
            if name:
                names.setdefault(name, None)
    return list(names)


def suppliers_text(names: list[str]) -> str:
    """Return "A, B, C", or "A, B and 3 others" when there are more than NAMES_SHOWN."""
    if len(names) <= NAMES_SHOWN:
        return ", ".join(names)
    shown, others = names[: NAMES_SHOWN - 1], len(names) - (NAMES_SHOWN - 1)
    return ngettext("%(names)s and %(num)d other", "%(names)s and %(num)d others", others, names=", ".join(shown))


def award_date(awards: list) -> datetime | None:
    """Return the latest date of some awards, or None when none states one."""
    dates = [_when(award.get("date")) for award in awards or [] if isinstance(award, dict)]
    known = [moment for moment in dates if moment is not None]
    return max(known) if known else None


def _awarded_value_label(p, awards: list) -> str | None:
    """Return how to label an awarded procurement's value: what was awarded, an estimate, or just "Value"."""
    kind = getattr(p, "value_kind", None)  # "awarded", "contract" or "estimated" where the row knows it
    if kind in ("awarded", "contract"):
        return _("Awarded value")
    if kind == "estimated":
        return _("Estimated value")
    # Without a kind: an award that states a value made p.value_amount the awarded value (scrapers.ocds_values).
    if any(positive(award.get("value_amount")) for award in awards if isinstance(award, dict)):
        return _("Awarded value")
    return None


def _awarded(p) -> list[Fact]:
    awards = getattr(p, "awards", None) or []
    names = supplier_names(awards)
    when = award_date(awards)
    named = suppliers_text(names) if names else (_("Supplier not named") if awards else "")
    return [
        _fact("supplier", _("Awarded to"), named),
        _value(p, _awarded_value_label(p, awards)),
        _fact("award_date", _("Award date"), long_date(when) if when else ""),
    ]


def _moment(p, name: str) -> str:
    """Return a date column as text: with its time, unless the register gave only the day (`<name>_is_date`)."""
    value = getattr(p, name, None)
    return long_date(value) if getattr(p, f"{name}_is_date", False) else date_time(value)


def london_day(moment: datetime) -> date:
    """Return the day a moment falls on in London (a naive moment is taken as UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LONDON).date()


def engagement_closed(p, now: datetime) -> bool:
    """Return whether market engagement's closing date has passed: its day, when the register gave only a day."""
    deadline = getattr(p, "engagement_deadline", None)
    if getattr(p, "stage", None) != "engagement" or not isinstance(deadline, datetime):
        return False
    if getattr(p, "engagement_deadline_is_date", False):
        return london_day(deadline) < london_day(now)
    return deadline <= now


def overdue(p, now: datetime) -> bool:
    """Return whether work still coming to market was expected to come to market before today (London) and has
    not: its stage would have moved on to open with a tender notice."""
    expected = getattr(p, "expected_tender_date", None)
    if getattr(p, "stage", None) not in FORWARD_STAGES or not isinstance(expected, datetime):
        return False
    return london_day(expected) < london_day(now)


def time_status(p, now: datetime | None = None) -> list[tuple[str, str]]:
    """Return what the clock says about a procurement beyond its stage, as (key, text): market engagement that
    has closed, forward work overdue. Reckoned when the page is shown, so no stage is stored for it."""
    now = now or utcnow()
    found = []
    if engagement_closed(p, now):
        found.append(("engagement_closed", _("Market engagement closed")))
    if overdue(p, now):
        month = format_date(p.expected_tender_date, "MMMM yyyy")
        found.append(("overdue", _("Overdue: expected to come to market in %(month)s", month=month)))
    return found


def shown_title(p, lang: str) -> tuple[str, str]:
    """Return (title, its language) as a page in `lang` shows a procurement: its title in the page's language
    first (as published), else the other one; ("", "") when it has none."""
    title_cy, title = getattr(p, "title_cy", None), getattr(p, "title", None)
    if lang == "cy" and title_cy:
        return title_cy, "cy"
    if title:
        return title, "en"
    return (title_cy, "cy") if title_cy else ("", "")


def row_facts(p) -> list[Fact]:
    """Return the facts a list row shows for a procurement (a Procurement row or anything with its attributes)."""
    stage = getattr(p, "stage", None)
    deadline = getattr(p, "deadline", None)
    expected = getattr(p, "expected_tender_date", None)
    if stage == "awarded":
        return _awarded(p)
    if stage == "cancelled":
        label = _("Date withdrawn") if withdrawn_by_buyer(p) else _("Date cancelled")
        return [_fact("cancelled", label, long_date(getattr(p, "updated_at", None)))]
    if stage in ("open", "closed"):
        return [_fact("deadline", _("Deadline"), _moment(p, "deadline")), _value(p)]
    facts = []
    if stage == "engagement" and getattr(p, "engagement_deadline", None):
        facts.append(_fact("engagement", _("Market engagement deadline"), _moment(p, "engagement_deadline")))
    if stage in ("pipeline", "engagement", "planned") or expected or not deadline:
        facts.append(_fact("expected", _("Expected tender date"), long_date(expected)))
    else:
        facts.append(_fact("deadline", _("Deadline"), _moment(p, "deadline")))
    return [*facts, _value(p)]


# A list's card as a precompiled fragment: filled with str.format rather than a Jinja macro, because a list of
# twenty cards made of nested macro calls was a third of the search page's time (docs/design.md, "Speed at
# scale"). components/procurement.html's macros call these, so the markup lives here once. Every value is
# escaped after the characters that are never text are removed, as the templates' finalize does.
STAGE_TAG = '<strong class="govuk-tag {classes}">{label}</strong>'
STATUS_NOTE = (
    ' <span class="govuk-body-s govuk-!-font-weight-bold piblinell-status piblinell-status--{key}">{text}</span>'
)
CARD = """<div class="piblinell-card">
    <p class="govuk-body govuk-!-margin-bottom-1">{stage}{status}</p>
    <h{level} class="govuk-heading-s govuk-!-margin-bottom-1 piblinell-card__title">
      <a class="govuk-link" dir="auto" href="{href}"{lang}>{title}</a>
    </h{level}>
    <dl class="govuk-body-s govuk-!-margin-0 piblinell-facts piblinell-wrap">{buyer}{facts}
    </dl>
    {extra}
  </div>"""
BUYER = """
        <div class="piblinell-facts__row piblinell-facts__row--buyer">
          <dt class="govuk-visually-hidden">{label}</dt>
          <dd>{name}</dd>
        </div>"""
BUYER_LINK = '<a class="govuk-link" href="{href}">{name}</a>'
FACT = """
        <div class="piblinell-facts__row piblinell-facts__row--{key}">
          <dt>{label}:</dt>
          <dd{not_stated}>{text}</dd>
        </div>"""
TITLE_CHARS = 500  # a list cuts a title at a word before this many characters (the notice page shows it whole)


def _html(value) -> Markup:
    """Return a value as a template writes it: Markup kept, text without NOT_TEXT and escaped."""
    if isinstance(value, Markup):
        return Markup(plain_text(value))  # noqa: S704 (already-escaped markup, characters only removed)
    return escape(plain_text("" if value is None else str(value)))


def stage_tag_html(stage: str | None, label: str | None = None) -> Markup:
    """Return a stage as a coloured GOV.UK tag with its translated name (or `label`, e.g. procurement_stage_label's
    "Withdrawn" for a cancelled procurement its buyer withdrew)."""
    classes = STAGE_TAG_CLASSES.get(stage, "govuk-tag--grey")
    return Markup(STAGE_TAG.format(classes=classes, label=_html(label or stage_label(stage))))  # noqa: S704 (escaped)


def status_notes_html(p, now: datetime | None = None) -> Markup:
    """Return what the clock says beyond the stage (time_status) as the notes after a stage tag."""
    notes = (STATUS_NOTE.format(key=_html(key), text=_html(text)) for key, text in time_status(p, now))
    return Markup("".join(notes))  # noqa: S704 (escaped)


def card_html(p, heading_level: int = 3, extra: str = "") -> Markup:
    """Return the card of one procurement for a list: stage tag and notes, title linked to its page, buyer,
    and the facts of its stage (row_facts); `extra` (Markup, e.g. search highlights) goes under them."""
    lang = current_language()
    title, title_lang = shown_title(p, lang)
    title = do_truncate(current_app.jinja_env, title, TITLE_CHARS, end="…", leeway=0) if title else _("Untitled notice")
    buyer = ""
    if p.buyer_name:
        name = _html(p.buyer_name)
        if p.buyer_id:
            name = BUYER_LINK.format(href=_html(url_for("buyers.buyer", buyer_id=p.buyer_id)), name=name)
        buyer = BUYER.format(label=_html(_("Buyer")), name=name)
    facts = "".join(
        FACT.format(
            key=_html(fact.key),
            label=_html(fact.label),
            not_stated="" if fact.stated else ' class="piblinell-facts__not-stated"',
            text=_html(fact.text),
        )
        for fact in row_facts(p)
    )
    html = CARD.format(
        stage=stage_tag_html(p.stage, procurement_stage_label(p)),
        status=status_notes_html(p),
        level=int(heading_level),
        href=_html(url_for("notices.notice", ocid=p.ocid)),
        lang=f' lang="{_html(title_lang)}"' if title_lang and title_lang != lang else "",
        title=_html(title),
        buyer=buyer,
        facts=facts,
        extra=_html(extra) if isinstance(extra, Markup) else _html(extra),
    )
    return Markup(html)  # noqa: S704 (every value escaped above)

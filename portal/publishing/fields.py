"""What a planned-work entry may hold, checked once for the form and the CSV upload alike: one pydantic model.

See docs/design.md, "Publishing planned work". Every value arrives as text (a form field or a CSV cell) and each
field's reader says in the page's language what is wrong with it, so the form and the upload report the same
errors. No I/O here.
"""

from __future__ import annotations

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext, lazy_gettext
from pydantic import BaseModel, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from portal.labels.cpv_divisions import DIVISIONS
from portal.labels.places import NUTS1, UK, WALES

# The procurement routes of the Procurement Act 2023 a pipeline entry may name: code -> label.
ROUTES = {
    "open": lazy_gettext("Open procedure"),
    "competitive-flexible": lazy_gettext("Competitive flexible procedure"),
    "direct-award": lazy_gettext("Direct award"),
    "framework-call-off": lazy_gettext("Call-off from a framework"),
}
# What a CSV cell may say for each route, in either language, compared in lower case with single spaces.
ROUTE_NAMES = {
    "open": "open",
    "competitive flexible": "competitive-flexible",
    "direct award": "direct-award",
    "framework call-off": "framework-call-off",
    "agored": "open",
    "hyblyg cystadleuol": "competitive-flexible",
    "dyfarnu uniongyrchol": "direct-award",
    "dyfarniad uniongyrchol": "direct-award",
    "galw oddi ar fframwaith": "framework-call-off",
} | {code: code for code in ROUTES}
# Delivery regions: UK-wide, the UK's ITL 1 regions and Wales's finer areas (portal.labels.places).
REGIONS = {"UK": UK} | NUTS1 | WALES
YES = ("yes", "ie", "y", "true", "1")
NO = ("no", "na", "nage", "n", "false", "0")
MAX_TEXT = 10_000
MAX_TITLE = 300
_CPV = re.compile(r"(\d{8})(?:-\d)?")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _error(message) -> PydanticCustomError:
    # The message is already in the page's language; pydantic shows it as it is.
    return PydanticCustomError("entry", str(message).replace("{", "(").replace("}", ")"))


def _blank(value) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def split_list(value) -> list[str]:
    """Return the items of a list cell ("a; b") or field (a list), blanks dropped."""
    items = value if isinstance(value, list | tuple) else re.split(r"[;\n]", str(value or ""))
    return [str(item).strip() for item in items if str(item).strip()]


def read_month(value: str) -> str:
    """Return YYYY-MM from "YYYY-MM" or "YYYY-MM-DD" (the day is dropped), or raise ValueError."""
    match = _MONTH.fullmatch(value) or _DAY.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ValueError(value)
    if match.re is _DAY:
        read_day(value)
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def read_day(value: str) -> str:
    """Return a real date YYYY-MM-DD, or raise ValueError."""
    match = _DAY.fullmatch(value)
    if not match:
        raise ValueError(value)
    day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if not 2000 <= day.year <= 2100:
        raise ValueError(value)
    return day.isoformat()


def read_partial_date(value: str) -> str:
    """Return YYYY-MM or YYYY-MM-DD as given (checked), or raise ValueError."""
    return read_day(value) if _DAY.fullmatch(value) else read_month(value)


def read_amount(value: str) -> float:
    """Return pounds from "1,500,000", "£1500000" or "1500000.50", or raise ValueError."""
    amount = float(value.replace(",", "").replace("£", "").strip())
    if not 0 <= amount < 1e13 or amount != amount:
        raise ValueError(value)
    return amount


class EntryData(BaseModel):
    """One entry as the buyer gave it, checked: the form's fields or a CSV row's cells."""

    reference: str
    title_en: str | None = None
    title_cy: str | None = None
    description_en: str | None = None
    description_cy: str | None = None
    cpv_codes: list[str] = []
    value_low: float | None = None
    value_high: float | None = None
    to_market: str | None = None
    contract_start: str | None = None
    contract_end: str | None = None
    regions: list[str] = []
    route: str | None = None
    lots: list[str] = []
    sme_suitable: bool | None = None
    vcse_suitable: bool | None = None
    contact_name: str | None = None
    contact_email: str | None = None

    @field_validator("reference", mode="before")
    @classmethod
    def _reference(cls, value):
        text = _blank(value)
        if text is None:
            raise _error(gettext("Enter your reference for this work"))
        if len(text) > 100:
            raise _error(gettext("A reference must be 100 characters or fewer"))
        return text

    @field_validator("title_en", "title_cy", "contact_name", mode="before")
    @classmethod
    def _title(cls, value):
        text = _blank(value)
        if text is not None and len(text) > MAX_TITLE:
            raise _error(gettext("A title must be %(num)d characters or fewer", num=MAX_TITLE))
        return text

    @field_validator("description_en", "description_cy", mode="before")
    @classmethod
    def _description(cls, value):
        text = _blank(value)
        if text is not None and len(text) > MAX_TEXT:
            raise _error(gettext("A description must be %(num)d characters or fewer", num=MAX_TEXT))
        return text

    @field_validator("cpv_codes", mode="before")
    @classmethod
    def _cpv(cls, value):
        codes = []
        for item in split_list(value):
            match = _CPV.fullmatch(item)
            if not match or match.group(1)[:2] not in DIVISIONS:
                raise _error(gettext("“%(code)s” is not a CPV code: give 8 digits, such as 90910000", code=item[:40]))
            codes.append(match.group(1))
        if not codes:
            raise _error(gettext("Choose at least one CPV code"))
        return list(dict.fromkeys(codes))

    @field_validator("value_low", "value_high", mode="before")
    @classmethod
    def _amount(cls, value):
        text = _blank(value)
        if text is None:
            return None
        try:
            return read_amount(text)
        except ValueError:
            raise _error(gettext("Give an amount in pounds, such as 250000")) from None

    @field_validator("to_market", mode="before")
    @classmethod
    def _to_market(cls, value):
        text = _blank(value)
        if text is None:
            raise _error(gettext("Enter the month you expect to go to market"))
        try:
            return read_month(text)
        except ValueError:
            raise _error(gettext("Enter a real month, as a month and a year")) from None

    @field_validator("contract_start", "contract_end", mode="before")
    @classmethod
    def _contract_date(cls, value):
        text = _blank(value)
        if text is None:
            return None
        try:
            return read_partial_date(text)
        except ValueError:
            raise _error(gettext("Enter a real date, or a month and a year")) from None

    @field_validator("regions", mode="before")
    @classmethod
    def _regions(cls, value):
        codes = [item.upper() for item in split_list(value)]
        for code in codes:
            if code not in REGIONS:
                raise _error(gettext("“%(code)s” is not a region code we know, such as UKL or UKL14", code=code[:20]))
        return list(dict.fromkeys(codes))

    @field_validator("route", mode="before")
    @classmethod
    def _route(cls, value):
        text = _blank(value)
        if text is None:
            return None
        route = ROUTE_NAMES.get(" ".join(text.casefold().split()))
        if route is None:
            raise _error(gettext("Give the route as open, competitive flexible, direct award or framework call-off"))
        return route

    @field_validator("lots", mode="before")
    @classmethod
    def _lots(cls, value):
        lots = split_list(value) if not isinstance(value, list) else [str(v).strip() for v in value if str(v).strip()]
        if any(len(lot) > MAX_TITLE for lot in lots):
            raise _error(gettext("A title must be %(num)d characters or fewer", num=MAX_TITLE))
        return lots

    @field_validator("sme_suitable", "vcse_suitable", mode="before")
    @classmethod
    def _flag(cls, value):
        if isinstance(value, bool) or value is None:
            return value
        text = str(value).strip().casefold()
        if not text:
            return None
        if text in YES:
            return True
        if text in NO:
            return False
        raise _error(gettext("Say yes or no"))

    @field_validator("contact_email", mode="before")
    @classmethod
    def _email(cls, value):
        text = _blank(value)
        if text is None:
            return None
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            raise _error(gettext("Enter an email address like name@example.gov.uk")) from None


def check_entry(data: dict) -> tuple[EntryData | None, dict[str, str]]:
    """Validate an entry's raw values; return it and no errors, or None and {field: message} for every problem."""
    errors: dict[str, str] = {}
    if not _blank(data.get("title_en")) and not _blank(data.get("title_cy")):
        errors["title_en"] = gettext("Enter a title in English or in Welsh")
    try:
        entry = EntryData.model_validate(data)
    except ValidationError as error:
        for problem in error.errors():
            errors.setdefault(str(problem["loc"][0]) if problem["loc"] else "reference", problem["msg"])
        return None, errors
    low, high = entry.value_low, entry.value_high
    if low is not None and high is not None and low > high:
        errors["value_high"] = gettext("The highest value must be at least the lowest")
    if entry.contract_start and entry.contract_end and entry.contract_end < entry.contract_start:
        errors["contract_end"] = gettext("The contract must end after it starts")
    return (None, errors) if errors else (entry, {})


def missing_language(entry) -> str | None:
    """Return "cy" or "en" when the entry has a title in only the other language, else None."""
    has_en, has_cy = bool(entry.title_en), bool(entry.title_cy)
    if has_en and not has_cy:
        return "cy"
    if has_cy and not has_en:
        return "en"
    return None

"""The search's query-string parameters → text, Filters, sort and paging. Pure: no Flask, no database, no index.

The search page, the JSON API, the OCDS packages and every export read their parameters here, so the same
query string means the same search everywhere. Nothing a visitor types is an error: a value that cannot be
used is dropped and reported as a Problem, and the search runs with the rest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import urlencode

from scrapers.registry import RELEASE_SOURCES
from scrapers.vocabulary import LONDON, STAGES
from search_index import SORTS, Filters
from search_index.facets import VALUE_BUCKETS
from search_index.lenses import LENSES
from search_index.results import MAX_PAGE, MAX_PER_PAGE

DEFAULT_PER_PAGE = 20
MAX_TEXT = 2000  # the index reads 500 characters and says so; this only bounds what we pass along
MAX_VALUES = 50  # of one repeated parameter
MAX_AMOUNT = 1e12  # pounds: above any public contract, and far inside the index's 64-bit pence
YES = ("1", "y", "yes", "on", "true")
NO = ("0", "n", "no", "off", "false")
DATE_FIELDS = ("deadline_from", "deadline_to", "expected_from", "expected_to")
# Procurements changed (a release arrived) in [changed_since, changed_until): API polling and email alerts.
CHANGED_FIELDS = ("changed_since", "changed_until")
# Every parameter the search understands, in the order links write them.
PARAMETERS = (
    "q", "stage", "cpv", "region", "value", "value_min", "value_max", "no_value", *DATE_FIELDS,
    "buyer", "sme", "vcse", "wales", "source", "notice_type", *CHANGED_FIELDS, "lens", "sort", "page", "per_page",
)  # fmt: skip

_CPV = re.compile(r"^\d{2,8}$")
_REGION = re.compile(r"^(UK|TL)([A-N][0-9A-Z]{0,3})?$")
_BUYER = re.compile(r"^[1-9]\d{0,9}$")
MAX_ID = 2**31 - 1  # the largest id both databases' integer columns hold
_NOTICE_TYPE = re.compile(r"^[A-Za-z0-9]{1,20}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")  # not text: HTML and XML refuse


@dataclass(frozen=True)
class Problem:
    """A parameter whose value was not used: code is not_understood, too_many, out_of_range or unknown_sort."""

    parameter: str
    code: str = "not_understood"


@dataclass(frozen=True)
class SearchParams:
    """A validated search: unpack as (text, filters, sort, page, per_page, problems); `args` is its canonical form."""

    text: str
    filters: Filters
    sort: str
    page: int
    per_page: int
    problems: tuple[Problem, ...]
    args: tuple[tuple[str, str], ...] = ()

    def __iter__(self) -> Iterator:
        return iter((self.text, self.filters, self.sort, self.page, self.per_page, self.problems))

    def query_string(self, **overrides: str | int | None) -> str:
        """Return the canonical query string, with some single-valued parameters replaced or (None) removed."""
        pairs = [(name, value) for name, value in self.args if name not in overrides]
        pairs += [(name, str(value)) for name, value in overrides.items() if value not in (None, "")]
        pairs.sort(key=lambda pair: PARAMETERS.index(pair[0]))
        return urlencode(pairs)

    @property
    def filtered(self) -> bool:
        """Return True when any filter narrows the search."""
        return self.filters != Filters()


def _values(args, name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    raw = getlist(name) if getlist else ([args[name]] if name in args else [])
    return [str(value).strip() for value in raw if str(value).strip()]


def _first(args, name: str) -> str:
    values = _values(args, name)
    return values[0] if values else ""


def _many(args, name: str, accept, problems: list[Problem], normalise=str) -> tuple[str, ...]:
    values = _values(args, name)
    if len(values) > MAX_VALUES:
        problems.append(Problem(name, "too_many"))
        values = values[:MAX_VALUES]
    kept = []
    for value in values:
        value = normalise(value)
        if accept(value):
            kept.append(value)
        else:
            problems.append(Problem(name))
    return tuple(dict.fromkeys(kept))


def _flag(args, name: str, problems: list[Problem]) -> bool | None:
    value = _first(args, name).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    if value:
        problems.append(Problem(name))
    return None


def _amount(args, name: str, problems: list[Problem]) -> float | None:
    value = _first(args, name).replace(",", "").replace("£", "")
    if not value:
        return None
    try:
        amount = float(value)
    except ValueError:
        problems.append(Problem(name))
        return None
    if not math.isfinite(amount) or not 0 <= amount <= MAX_AMOUNT:
        problems.append(Problem(name, "out_of_range"))
        return None
    return amount


def _date(args, name: str, problems: list[Problem]) -> date | None:
    value = _first(args, name)
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(name))
        return None
    if not 1900 <= day.year <= 2200:
        problems.append(Problem(name, "out_of_range"))
        return None
    return day


def _moment(args, name: str, problems: list[Problem]) -> datetime | None:
    """Read an ISO 8601 date or date and time; without a zone it is London time, a date its midnight."""
    value = _first(args, name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        problems.append(Problem(name))
        return None
    if not 1900 <= moment.year <= 2200:
        problems.append(Problem(name, "out_of_range"))
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _number(args, name: str, default: int, low: int, high: int, problems: list[Problem]) -> int:
    value = _first(args, name)
    if not value:
        return default
    if not re.fullmatch(r"[+-]?\d{1,30}", value):
        problems.append(Problem(name))
        return default
    number = int(value)
    if not low <= number <= high:
        problems.append(Problem(name, "out_of_range"))
        return min(max(number, low), high)
    return number


def _cpv(value: str) -> str:
    return value.split("-", 1)[0].strip()  # "72000000-5" carries a check digit


def _day_start(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, LONDON)


def _day_end(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(23, 59, 59), LONDON)


def parse_search_args(args, *, max_per_page: int = MAX_PER_PAGE) -> SearchParams:
    """Read a search from query-string args (a MultiDict or a plain dict); never raise."""
    problems: list[Problem] = []
    text = " ".join(_CONTROL.sub(" ", _first(args, "q")[:MAX_TEXT]).split())
    stages = _many(args, "stage", STAGES.__contains__, problems, str.lower)
    cpv = _many(args, "cpv", _CPV.match, problems, _cpv)
    regions = _many(args, "region", _REGION.match, problems, str.upper)
    buyers = _many(args, "buyer", lambda value: bool(_BUYER.match(value)) and int(value) <= MAX_ID, problems)
    sources = _many(args, "source", RELEASE_SOURCES.__contains__, problems, str.lower)
    notice_types = _many(args, "notice_type", _NOTICE_TYPE.match, problems)
    lens = _first(args, "lens").lower()
    if lens and lens not in LENSES:
        problems.append(Problem("lens"))
        lens = ""
    band = _first(args, "value")
    value_min = value_max = None
    if band in VALUE_BUCKETS:
        low, high = VALUE_BUCKETS[band]
        value_min, value_max = float(low), None if high is None else high - 0.01
    elif band:
        problems.append(Problem("value"))
        band = ""
    explicit_min, explicit_max = _amount(args, "value_min", problems), _amount(args, "value_max", problems)
    if explicit_min is not None or explicit_max is not None:
        value_min, value_max, band = explicit_min, explicit_max, ""
    dates = {name: _date(args, name, problems) for name in DATE_FIELDS}
    flags = {name: _flag(args, name, problems) for name in ("sme", "vcse", "wales", "no_value")}
    changed = {name: _moment(args, name, problems) for name in CHANGED_FIELDS}
    sort = _first(args, "sort") or "relevance"
    if sort not in SORTS:
        problems.append(Problem("sort", "unknown_sort"))
        sort = "relevance"
    page = _number(args, "page", 1, 1, MAX_PAGE, problems)
    per_page = _number(args, "per_page", DEFAULT_PER_PAGE, 1, max_per_page, problems)
    filters = Filters(
        stages=stages, cpv=cpv, regions=regions, value_min=value_min, value_max=value_max,
        include_no_value=bool(flags["no_value"]) and (value_min is not None or value_max is not None),
        deadline_from=_day_start(dates["deadline_from"]), deadline_to=_day_end(dates["deadline_to"]),
        expected_from=_day_start(dates["expected_from"]), expected_to=_day_end(dates["expected_to"]),
        buyer_ids=buyers, sme=flags["sme"], vcse=flags["vcse"], in_wales=flags["wales"], sources=sources,
        notice_types=notice_types, changed_since=changed["changed_since"], changed_until=changed["changed_until"],
        lens=lens or None,
    )  # fmt: skip
    canonical = _canonical(text, filters, band, dates, flags, sort, page, per_page)
    return SearchParams(text, filters, sort, page, per_page, tuple(problems), canonical)


def _canonical(text, filters: Filters, band, dates, flags, sort, page, per_page) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = [("q", text)] if text else []
    for name, values in (("stage", filters.stages), ("cpv", filters.cpv), ("region", filters.regions)):
        pairs += [(name, value) for value in values]
    if band:
        pairs.append(("value", band))
    else:
        pairs += [
            (name, _plain(amount))
            for name, amount in (("value_min", filters.value_min), ("value_max", filters.value_max))
            if amount is not None
        ]
    if filters.include_no_value:
        pairs.append(("no_value", "1"))
    pairs += [(name, day.isoformat()) for name, day in dates.items() if day]
    pairs += [("buyer", value) for value in filters.buyer_ids]
    pairs += [(name, "1" if flag else "0") for name, flag in flags.items() if flag is not None and name != "no_value"]
    pairs += [("source", value) for value in filters.sources] + [("notice_type", v) for v in filters.notice_types]
    for name, moment in (("changed_since", filters.changed_since), ("changed_until", filters.changed_until)):
        if moment is not None:
            pairs.append((name, moment.astimezone(UTC).isoformat().replace("+00:00", "Z")))
    if filters.lens:
        pairs.append(("lens", filters.lens))
    if sort != "relevance":
        pairs.append(("sort", sort))
    if page != 1:
        pairs.append(("page", str(page)))
    if per_page != DEFAULT_PER_PAGE:
        pairs.append(("per_page", str(per_page)))
    return tuple(sorted(pairs, key=lambda pair: PARAMETERS.index(pair[0])))


def _plain(amount: float) -> str:
    return str(int(amount)) if float(amount).is_integer() else f"{amount:.2f}"


def problem_parameters(problems: Iterable[Problem]) -> list[str]:
    """Return the distinct parameters that had a problem, in the order the form shows them."""
    names = {problem.parameter for problem in problems}
    return [name for name in PARAMETERS if name in names]

"""A whole pipeline as CSV: reading an upload (every error by row and column) and writing the same template.

See docs/design.md, "Publishing planned work". Pure: bytes in, rows and errors out; text out. Rows are numbered as
a spreadsheet shows them (the header is row 1). Files exported by spreadsheets are read: UTF-8 with or without a
byte-order mark, else Windows-1252, separated by commas or semicolons.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext

from portal.api.spreadsheet import safe_cell
from portal.publishing.fields import EntryData, check_entry

# The template's columns, exactly as issue 11 lists them.
COLUMNS = (
    "reference",
    "title_en",
    "title_cy",
    "description_en",
    "description_cy",
    "cpv_codes",
    "value_low",
    "value_high",
    "to_market",
    "contract_start",
    "contract_end",
    "regions",
    "route",
    "sme_suitable",
    "vcse_suitable",
    "contact_email",
)
# The entry fields a CSV row sets (the form's lots and contact name are left as they are).
ROW_FIELDS = COLUMNS
MAX_BYTES = 2_000_000
MAX_ROWS = 2_000
_FORMULA = ("=", "+", "-", "@")


@dataclass(frozen=True)
class CellError:
    """One problem: its spreadsheet row (header = 1), column name ("" for the whole file) and message."""

    row: int
    column: str
    message: str


def decode(raw: bytes) -> str:
    """Return the text of an upload: UTF-8 (a byte-order mark dropped), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _cell(value: str | None) -> str:
    """Undo our own exports' neutralisation ('=…): the value is stored as text either way."""
    value = (value or "").strip()
    return value[1:] if value[:1] == "'" and value[1:2] in _FORMULA else value


def read_upload(raw: bytes) -> tuple[list[EntryData], list[CellError]]:
    """Return every row as checked entry data, or every error found; rows are kept only when there is none."""
    if len(raw) > MAX_BYTES:
        return [], [CellError(1, "", gettext("The file must be smaller than 2 MB"))]
    text = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error:
        header = []
    if not any(header):
        return [], [CellError(1, "", gettext("The file is empty: use the template"))]
    errors = [
        CellError(1, name, gettext("Unknown column “%(name)s”: use the template's columns", name=name[:40]))
        for name in header
        if name not in COLUMNS
    ]
    errors += [
        CellError(1, name, gettext("The column “%(name)s” is missing", name=name))
        for name in COLUMNS
        if name not in header
    ]
    if errors:
        return [], errors
    entries: list[EntryData] = []
    seen: dict[str, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                errors.append(CellError(number, "", gettext("A file may hold %(num)d rows at most", num=MAX_ROWS)))
                break
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                message = gettext("This row has more cells than the header has columns")
                errors.append(CellError(number, "", message))
            values = {name: _cell(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}
            entry, problems = check_entry(values)
            errors += [CellError(number, column, message) for column, message in problems.items()]
            reference = values["reference"].casefold()
            if reference and reference in seen:
                message = gettext("This reference is also on row %(row)d", row=seen[reference])
                errors.append(CellError(number, "reference", message))
            seen.setdefault(reference, number)
            if entry is not None:
                entries.append(entry)
    except csv.Error as error:
        errors.append(
            CellError(reader.line_num, "", gettext("The file is not readable CSV: %(reason)s", reason=str(error)))
        )
    if not entries and not errors:
        errors.append(CellError(2, "", gettext("The file has no rows under its header")))
    return ([], errors) if errors else (entries, [])


def _value(entry, name: str) -> str:
    value = getattr(entry, name)
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".removesuffix(".00")
    return "" if value is None else str(value)


def write_csv(entries: list) -> str:
    """Return entries in the template's columns, every cell safe to open in a spreadsheet, with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow([safe_cell(_value(entry, name)) for name in COLUMNS])
    return "\ufeff" + out.getvalue()

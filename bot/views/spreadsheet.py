"""Tables as files a trainer opens in Excel: CSV (UTF-8 with BOM) and XLSX.

Cells come from user input (display names, comments), so text that Excel would run as a
formula (starting with = + - @) is written with a leading apostrophe, and characters XLSX
cannot hold are dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

Cell = str | int | float | bool | dt.datetime | None
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_COLUMN_WIDTH = 40
MIN_COLUMN_WIDTH = 10  # a column of two-character names is still readable
DATE_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Table:
    """A titled sheet: a header row and data rows."""

    title: str
    headers: list[str]
    rows: list[list[Cell]]


def safe(value: Cell) -> Cell:
    """A cell that a spreadsheet shows as written and never evaluates."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL.sub("", value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    """CSV with a UTF-8 BOM, so Excel reads the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe(h) for h in table.headers])
    writer.writerows([[_csv_cell(c) for c in row] for row in table.rows])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Cell) -> Cell:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")  # what Excel reads as a date
    return safe(value)


def to_xlsx(tables: Sequence[Table], created: dt.datetime | None = None) -> bytes:
    """One workbook with a sheet per table, header row frozen, columns sized to fit."""
    from openpyxl import Workbook  # slow to import: only when a trainer exports
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=_sheet_title(table.title))
        sheet.append([safe(h) for h in table.headers])
        for row in table.rows:
            sheet.append([safe(c) for c in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = DATE_FORMAT  # a real date cell, sortable and filterable
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            longest = max([len(str(header)), *(len(str(r[index - 1] or "")) for r in table.rows)])
            width = min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, longest * 2 + 2))  # CJK: 2 wide
            sheet.column_dimensions[get_column_letter(index)].width = width
    if created is not None:
        book.properties.created = created.replace(tzinfo=None)
        book.properties.modified = created.replace(tzinfo=None)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel forbids some characters in sheet names and caps them at 31."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"

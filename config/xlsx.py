"""Writing cells of Excel workbooks safely: text is text, never a formula.

A string that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by
spreadsheet programs as a formula (openpyxl itself writes one starting with ``=`` as a formula), so
a complaint's content or a customer's name could run ``=HYPERLINK(...)`` or a DDE call in the reader's
Excel. Every workbook the system writes appends its rows through ``append_safe``: such a string
gets an apostrophe in front (the OWASP rule for CSV injection) and its cell is typed as a string.
Numbers, dates, booleans and ``None`` are written as they are.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_text(value: Any) -> Any:
    """``value`` with an apostrophe in front when it is a string a spreadsheet would evaluate;
    any other value unchanged. A lazy translation is its text in the active language."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = str(value)  # a str subclass (SafeString) as the plain string openpyxl expects
        return ESCAPE + value if value.startswith(FORMULA_TRIGGERS) else value
    return value


def text_cell(ws: Worksheet | WriteOnlyWorksheet, value: str) -> Cell:
    """A cell holding ``value`` escaped, typed as a string whatever it looks like."""
    cell = WriteOnlyCell(ws) if isinstance(ws, WriteOnlyWorksheet) else Cell(ws)
    cell.value = safe_text(value)
    cell.data_type = "s"
    return cell


def safe_row(ws: Worksheet | WriteOnlyWorksheet, row: Iterable[Any]) -> list[Any]:
    out = []
    for value in row:
        if isinstance(value, Promise):
            value = str(value)
        out.append(text_cell(ws, value) if is_formula_like(value) else value)
    return out


def append_safe(ws: Worksheet | WriteOnlyWorksheet, row: Iterable[Any]) -> None:
    """``ws.append(row)``, with every formula-like string written as escaped text."""
    ws.append(safe_row(ws, row))

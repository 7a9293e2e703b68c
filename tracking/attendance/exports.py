"""The attendance registers as files: CSV (streamed), XLSX and PDF, written from rows that are
already computed. Nothing here reads a model: a register is a list of typed columns, rows of
values in column order (None: an empty cell) and, for XLSX and PDF, the heading the funders
require at its top.

Moments are written in the active time zone (Europe/Rome), which each writer reads when it is
called: a streamed CSV is consumed after the view has returned, when another zone or language may
be active. Every moment must be an aware datetime.
"""

from __future__ import annotations

import csv
import io
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache, partial
from itertools import islice
from os import PathLike
from typing import IO, Any, Final, NoReturn

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import HTML
from xlsxwriter.utility import xl_col_to_name

KINDS: Final = frozenset({"text", "integer", "date", "datetime", "time", "hours", "signature"})
CSV_DELIMITERS: Final = (",", ";")  # ";" is what Excel expects where the decimal mark is a comma
CSV_CHUNK_BYTES: Final = 64 * 1024  # what one chunk of a streamed CSV holds, at least
BATCH_ROWS: Final = 512  # rows formatted at once, between two checks of the output's size
# Excel's rows per sheet; past them a register goes on in a new sheet. Not Final: tests lower it.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_STRING: Final = 32_767  # characters of one Excel cell
XLSX_SHEET_NAME_LENGTH: Final = 31
# Column widths in characters: constant memory means no row can be measured before it is written.
XLSX_WIDTHS: Final = {
    "text": 24,
    "integer": 10,
    "date": 12,
    "datetime": 17,
    "time": 8,
    "hours": 9,
    "signature": 30,
}
XLSX_MAX_WIDTH: Final = 60
PDF_TEMPLATE: Final = "attendance/register_pdf.html"
# A PDF column's width in mm (text columns share what is left), and what its title needs: the
# table's layout is fixed, its cells are never measured.
PDF_WIDTHS_MM: Final = {
    "integer": 14,
    "date": 22,
    "datetime": 31,
    "time": 15,
    "hours": 20,
    "signature": 50,
}
PDF_TITLE_MM_PER_CHARACTER: Final = 1.9  # DejaVu Sans Bold at 8.5 pt, and 4 mm of padding
# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

_CACHE_SIZE: Final = 8192  # formatted days and minutes kept per column: a register repeats them
_UNIX_TO_EXCEL_SECONDS: Final = 25_569 * 86_400  # 1899-12-30 (Excel's day 0) to 1970-01-01
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# What a string cell's XML must escape: markup, control characters (as Excel's _xHHHH_), and
# text that already looks like such an escape (Excel would read "_x0041_" as "A").
_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")
_XML_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_XML_ESCAPE_LIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


@dataclass(frozen=True)
class Column:
    """One column of a register: ``key`` names it for the caller, ``title`` is what the header
    shows (already translated, lazily or not), ``kind`` says how its values are written: text,
    integer, date, datetime (an aware moment), time (an aware moment shown as HH:MM), hours
    (a float, two decimals) or signature (an empty column to sign by hand)."""

    key: str
    title: str | Promise
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}: one of {sorted(KINDS)}")


@dataclass(frozen=True, kw_only=True)
class RegisterHeading:
    """What the funders require at the head of a register (XLSX and PDF)."""

    title: str | Promise  # "Registro presenze — sessione …"
    plan_title: str
    project_title: str
    funding_programme: str
    funding_codes: Sequence[tuple[str, str]] = ()  # (label, code): ("CUP", "J12…")
    filters: Sequence[str] = ()  # what the register was limited to, one line each
    generated_at: datetime
    generated_by: str

    def __post_init__(self) -> None:
        if timezone.is_naive(self.generated_at):
            raise ValueError("generated_at must be an aware datetime")


Row = Sequence[Any]
Formatter = Callable[[Any], str]


# --- Values as text: CSV and PDF -------------------------------------------------------------


def spreadsheet_safe(value: Any) -> str:
    """A text cell that a spreadsheet will not run: a leading apostrophe where it would start a
    formula. Numbers are written as they are (a negative number is no formula)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _plain_text(value: Any) -> str:
    return "" if value is None else str(value)


def _integer(value: Any) -> str:
    return "" if value is None else str(value)


def _integer_grouped(value: Any) -> str:
    """1234 as Italian writes it: 1.234."""
    return "" if value is None else f"{value:,}".replace(",", ".")


def _hours_point(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _hours_comma(value: Any) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


_ITALIAN_MARKS = str.maketrans({",": ".", ".": ","})


def _hours_grouped(value: Any) -> str:
    """1234.5 as Italian writes it: 1.234,50."""
    return "" if value is None else f"{value:,.2f}".translate(_ITALIAN_MARKS)


def _naive(value: datetime) -> NoReturn:
    raise ValueError(f"A register's moments are aware datetimes, not {value!r}")


def _minute_text(tz: tzinfo, pattern: str) -> Formatter:
    """Aware moments as ``pattern`` in ``tz``, formatted once per minute: every zone's offsets
    (Europe/Rome's: one or two hours) are whole minutes, so all the moments of one minute read
    the same date, hour and minute, and a register's entries and exits crowd into few minutes."""
    texts: dict[float, str] = {}

    def to_text(value: datetime | None) -> str:
        if value is None:
            return ""
        if value.tzinfo is None:
            _naive(value)
        minute = value.timestamp() // 60
        text = texts.get(minute)
        if text is None:
            if len(texts) >= _CACHE_SIZE:
                texts.clear()
            text = texts[minute] = format(datetime.fromtimestamp(minute * 60, tz), pattern)
        return text

    return to_text


def _day_text(tz: tzinfo) -> Formatter:
    @lru_cache(maxsize=_CACHE_SIZE)
    def to_text(value: date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):  # a moment in a date column: its local day
            value = timezone.localtime(value, tz)
        return f"{value:%d/%m/%Y}"

    return to_text


def _text_formatters(columns: Sequence[Column], *, for_csv: bool, comma: bool) -> list[Formatter]:
    """One formatter per column, turning its values (None included) into the text written:
    dates dd/mm/yyyy, times HH:MM, moments dd/mm/yyyy HH:MM as Italians read them."""
    tz = timezone.get_current_timezone()
    if for_csv:  # for machines: no thousands separator, numbers as they are
        hours, integer, text = (_hours_comma if comma else _hours_point), _integer, spreadsheet_safe
    else:
        hours, integer, text = _hours_grouped, _integer_grouped, _plain_text
    # Each column keeps the texts it made (per type: 1, 1.0 and True are different cells): a
    # register's organisations, sessions and hours repeat, and a hit costs no Python call.
    kept = lru_cache(maxsize=_CACHE_SIZE, typed=True)
    by_kind: dict[str, Callable[[], Formatter]] = {
        "text": lambda: kept(text),
        "integer": lambda: kept(integer),
        "hours": lambda: kept(hours),
        "signature": lambda: "".format,  # "" whatever it is given, without a Python call
        "date": lambda: _day_text(tz),
        "datetime": lambda: _minute_text(tz, "%d/%m/%Y %H:%M"),
        "time": lambda: _minute_text(tz, "%H:%M"),
    }
    return [by_kind[column.kind]() for column in columns]


def _batches(rows: Iterable[Row], width: int) -> Iterator[list[Row]]:
    """``rows`` in lists of ``BATCH_ROWS``, each row checked to hold one value per column."""
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_ROWS)):
        if set(map(len, batch)) != {width}:
            wrong = next(row for row in batch if len(row) != width)
            raise ValueError(f"A row has {len(wrong)} values for {width} columns: {wrong!r}")
        yield batch


# --- CSV -------------------------------------------------------------------------------------


def csv_chunks(
    columns: Sequence[Column],
    rows: Iterable[Row],
    *,
    heading: RegisterHeading | None = None,
    delimiter: str = ",",
) -> Iterator[bytes]:
    """The register as CSV in chunks of about ``CSV_CHUNK_BYTES`` (for a StreamingHttpResponse),
    in constant memory whatever the number of rows: UTF-8 with a BOM (so that Excel reads it as
    UTF-8), a header row, then one line per row; dates dd/mm/yyyy, times HH:MM, hours with two
    decimals, a comma for the decimals when ``delimiter`` is ";" (Italian Excel), else a point.

    ``heading`` is taken so that every format is called alike, and left out on purpose: a CSV is
    for machines, and lines above its header would break every reader of it.
    """
    del heading
    if delimiter not in CSV_DELIMITERS:
        raise ValueError(f"The CSV delimiter is one of {CSV_DELIMITERS}, not {delimiter!r}")
    # Resolved now, not when the first chunk is asked for (see the module's docstring).
    formatters = _text_formatters(columns, for_csv=True, comma=delimiter == ";")
    header = [spreadsheet_safe(str(column.title)) for column in columns]
    return _csv_stream(header, formatters, rows, delimiter)


def _csv_stream(
    header: list[str], formatters: list[Formatter], rows: Iterable[Row], delimiter: str
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    # A row's cells, each through its column's formatter, in C: no Python loop per cell.
    row_texts = partial(map, operator.call, formatters)
    encoding = "utf-8-sig"  # the first chunk starts with the BOM
    for batch in _batches(rows, len(formatters)):
        writer.writerows(map(row_texts, batch))
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode(encoding)
            encoding = "utf-8"
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell() or encoding == "utf-8-sig":
        yield buffer.getvalue().encode(encoding)


# --- XLSX ------------------------------------------------------------------------------------


def heading_lines(heading: RegisterHeading) -> list[str]:
    """The heading as the lines an XLSX sheet shows above its header row, title first."""
    return [
        str(heading.title),
        f"{_('Training plan')}: {heading.plan_title}",
        f"{_('Project')}: {heading.project_title}",
        f"{_('Funding programme')}: {heading.funding_programme}",
        *(f"{label}: {code}" for label, code in heading.funding_codes),
        *heading.filters,
        _generated_line(heading),
    ]


def _generated_line(heading: RegisterHeading) -> str:
    when = f"{timezone.localtime(heading.generated_at):%d/%m/%Y %H:%M}"
    return _("Generated on %(when)s by %(name)s") % {"when": when, "name": heading.generated_by}


def sheet_names(name: str) -> Iterator[str]:
    """``name`` as Excel allows it (31 characters, none of []:*?/\\), then "name (2)", "name (3)"…
    for the sheets a register goes on in."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", name).strip().strip("'") or "Register"
    yield base[:XLSX_SHEET_NAME_LENGTH]
    number = 2
    while True:
        suffix = f" ({number})"
        yield base[: XLSX_SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix
        number += 1


CellXml = Callable[[Any, str], str]  # (value, the row's number) -> the cell's XML


def _xml_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _XML_ESCAPE_LIKE.sub(r"_x005F\1", text)
    return _XML_CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def _xlsx_cells(columns: Sequence[Column], styles: dict[str, int]) -> list[CellXml]:
    """Per column, what makes a cell's XML from a value (not None): strings inline (as XlsxWriter
    writes them in constant-memory mode), numbers with their style; dates and moments as the
    numbers Excel keeps them as (days since 1899-12-30 in local time) with a date style."""
    tz = timezone.get_current_timezone()

    @lru_cache(maxsize=_CACHE_SIZE)
    def offset_seconds(minute: float) -> float:
        """``tz``'s offset from UTC during ``minute`` (offsets change on whole minutes)."""
        local = datetime.fromtimestamp(minute * 60, tz)
        return local.utcoffset().total_seconds()  # type: ignore[union-attr]  # aware

    @lru_cache(maxsize=_CACHE_SIZE)
    def day_number(value: date) -> str:
        if isinstance(value, datetime):  # a moment in a date column: its local day
            value = timezone.localtime(value, tz).date()
        return str(value.toordinal() - 693_594)  # date(1899, 12, 30).toordinal() == 693594

    def moment_number(value: datetime) -> str:
        if value.tzinfo is None:
            _naive(value)
        seconds = value.timestamp()
        days, rest = divmod(seconds + offset_seconds(seconds // 60) + _UNIX_TO_EXCEL_SECONDS, 86400)
        return f"{days + rest / 86400:.16G}"  # as XlsxWriter's write_datetime would

    def text(letter: str) -> CellXml:
        def xml(value: Any, row: str) -> str:
            string = value if isinstance(value, str) else str(value)
            if not string:
                return ""
            if len(string) > XLSX_MAX_STRING:
                string = string[:XLSX_MAX_STRING]
            space = ' xml:space="preserve"' if string[0].isspace() or string[-1].isspace() else ""
            if _XML_SPECIAL.search(string):
                string = _xml_text(string)
            return f'<c r="{letter}{row}" t="inlineStr"><is><t{space}>{string}</t></is></c>'

        return xml

    def number(letter: str, style: int) -> CellXml:
        def xml(value: Any, row: str) -> str:
            if not math.isfinite(value):
                raise ValueError(f"{value!r} is no number a spreadsheet can hold")
            return f'<c r="{letter}{row}" s="{style}"><v>{value:.16G}</v></c>'

        return xml

    def serial(letter: str, style: int, to_number: Callable[[Any], str]) -> CellXml:
        return lambda value, row: f'<c r="{letter}{row}" s="{style}"><v>{to_number(value)}</v></c>'

    def blank(letter: str) -> CellXml:
        return lambda value, row: ""

    makers: dict[str, Callable[[str], CellXml]] = {
        "text": text,
        "integer": lambda letter: number(letter, styles["integer"]),
        "hours": lambda letter: number(letter, styles["hours"]),
        "date": lambda letter: serial(letter, styles["date"], day_number),
        "datetime": lambda letter: serial(letter, styles["datetime"], moment_number),
        "time": lambda letter: serial(letter, styles["time"], moment_number),
        "signature": blank,
    }
    return [makers[column.kind](xl_col_to_name(n)) for n, column in enumerate(columns)]


class _SheetRows:
    """The data rows of one constant-memory XlsxWriter sheet, each written as one string of XML
    into the sheet's row file. XlsxWriter's own cell writing takes about 20 µs a cell on our
    machines (8,000 rows of 7 cells a second); this takes a tenth of it. It leans on three
    internals of XlsxWriter 3 (pinned below 4 in pyproject.toml): in constant-memory mode a
    sheet's finished rows go to ``row_data_fh``, ``_write_single_row`` finishes the pending
    row, ``_check_dimensions`` records the range used (the sheet's <dimension>); and on a
    format's ``_get_xf_index``, the style number its cells carry. The tests read the files back
    with openpyxl, value and number format of every kind of cell."""

    def __init__(self, sheet: Any, first_row: int, cells: list[CellXml]) -> None:
        sheet._write_single_row(first_row)  # the header row, written by XlsxWriter, goes first
        self.sheet, self.file, self.cells = sheet, sheet.row_data_fh, cells
        self.first_row = self.next_row = first_row
        self.pending: list[str] = []

    def write(self, values: Row) -> None:
        row = str(self.next_row + 1)  # Excel counts rows from 1
        cells = [xml(v, row) for xml, v in zip(self.cells, values, strict=True) if v is not None]
        self.pending.append(f'<row r="{row}">{"".join(cells)}</row>')
        self.next_row += 1
        if len(self.pending) >= BATCH_ROWS:
            self.file.write("".join(self.pending))
            self.pending.clear()

    def close(self) -> None:
        self.file.write("".join(self.pending))
        self.pending.clear()
        if self.next_row > self.first_row:
            self.sheet._check_dimensions(self.next_row - 1, len(self.cells) - 1)


def xlsx_write(
    columns: Sequence[Column],
    rows: Iterable[Row],
    output: str | PathLike[str] | IO[bytes],
    *,
    heading: RegisterHeading,
    sheet_name: str,
    tmpdir: str | PathLike[str] | None = None,
) -> int:
    """Write the register as an XLSX workbook to ``output`` (a path or a binary file) in
    XlsxWriter's constant-memory mode (rows go to temporary files in ``tmpdir`` as they come);
    returns the rows written. The heading lines, a bold header row with an autofilter and the
    panes frozen below it, then typed cells. Past Excel's ``XLSX_MAX_ROWS`` a sheet ends and the
    register goes on in "<sheet_name> (2)", with the header row again."""
    options: dict[str, Any] = {
        "constant_memory": True,
        "in_memory": False,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    if tmpdir is not None:
        options["tmpdir"] = str(tmpdir)
    workbook = xlsxwriter.Workbook(output, options)
    try:
        return _xlsx_fill(workbook, columns, rows, heading, sheet_name)
    finally:
        workbook.close()


def _xlsx_fill(
    workbook: Any,
    columns: Sequence[Column],
    rows: Iterable[Row],
    heading: RegisterHeading,
    sheet_name: str,
) -> int:
    workbook.set_properties(
        {
            "title": str(heading.title),
            "author": heading.generated_by,
            "created": heading.generated_at.astimezone(UTC),  # the register's time, not now
        }
    )
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    number_formats = {
        "date": "dd/mm/yyyy",
        "datetime": "dd/mm/yyyy hh:mm",
        "time": "hh:mm",
        "hours": "0.00",
        "integer": "0",
    }
    styles = {
        kind: workbook.add_format({"num_format": number_format})._get_xf_index()
        for kind, number_format in number_formats.items()
    }
    cells = _xlsx_cells(columns, styles)
    titles = [str(column.title) for column in columns]
    names = sheet_names(sheet_name)

    def start_sheet(lines: list[str]) -> _SheetRows:
        """A new sheet: ``lines`` (and a blank row) above the header row."""
        sheet = workbook.add_worksheet(next(names))
        for col, column in enumerate(columns):
            width = max(XLSX_WIDTHS[column.kind], len(titles[col]) + 2)
            sheet.set_column(col, col, min(width, XLSX_MAX_WIDTH))
        for number, line in enumerate(lines):
            sheet.write_string(number, 0, line, title_format if number == 0 else None)
        header_row = len(lines) + 1 if lines else 0
        if header_row + 1 >= XLSX_MAX_ROWS:
            raise ValueError(f"A sheet of {XLSX_MAX_ROWS} rows has no room below the heading")
        for col, title in enumerate(titles):
            sheet.write_string(header_row, col, title, header_format)
        sheet.freeze_panes(header_row + 1, 0)
        sheet.repeat_rows(header_row)  # printed: the header on every page
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        return _SheetRows(sheet, header_row + 1, cells)

    def end_sheet(done: _SheetRows) -> None:
        done.close()
        header_row, last_row = done.first_row - 1, max(done.first_row, done.next_row) - 1
        done.sheet.autofilter(header_row, 0, last_row, len(columns) - 1)

    current, written = start_sheet(heading_lines(heading)), 0
    for batch in _batches(rows, len(columns)):
        for values in batch:
            if current.next_row >= XLSX_MAX_ROWS:
                end_sheet(current)
                current = start_sheet([])
            current.write(values)
        written += len(batch)
    end_sheet(current)
    return written


# --- PDF -------------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return '"' + escaped.replace("\n", "\\A ") + '"'


def _page_counter_css() -> str:
    """The footer's "Page N of M" in the active language, as CSS ``content``: the translated
    text around WeasyPrint's page and pages counters."""
    marker = "\x00"
    counters = {"n": f"{marker}page{marker}", "total": f"{marker}pages{marker}"}
    parts = []
    for number, part in enumerate((_("Page %(n)s of %(total)s") % counters).split(marker)):
        if number % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append(_css_string(part))
    return " ".join(parts)


def pdf_write(
    columns: Sequence[Column],
    rows: Iterable[Row],
    output: str | PathLike[str] | IO[bytes],
    *,
    heading: RegisterHeading,
    totals: Row | None,
) -> None:
    """Write the register as an A4 landscape PDF (WeasyPrint) to ``output``: the programme's
    heading, the filters, a table whose header repeats on every page, ``totals`` (values in
    column order) as its last row, "Page N of M" and who generated it when on every page; a blank
    cell to sign in each signature column. Values as Italians write them (1.234,50; 25/10/2026).

    Every row is laid out in memory (WeasyPrint paginates the whole document at once): this is
    for registers of hundreds or a few thousand rows, not for the million a CSV can stream.
    """
    formatters = _text_formatters(columns, for_csv=False, comma=True)
    kinds = [column.kind for column in columns]

    def cells(values: Row) -> list[tuple[str, str]]:
        return list(zip(kinds, map(operator.call, formatters, values), strict=True))

    context = {
        "language": get_language() or "it",
        "heading": heading,
        "columns": [
            {"title": str(column.title), "kind": column.kind, "width": _pdf_width(column)}
            for column in columns
        ],
        "rows": [cells(values) for batch in _batches(rows, len(columns)) for values in batch],
        "totals": cells(totals) if totals is not None else None,
        # CSS made here and escaped for a <style> element, where HTML's escaping is not read.
        "generated_css": mark_safe(_css_string(_generated_line(heading))),  # noqa: S308
        "page_counter_css": mark_safe(_page_counter_css()),  # noqa: S308 - escaped above
        "created": heading.generated_at.astimezone(UTC).isoformat(timespec="seconds"),
    }
    html = render_to_string(PDF_TEMPLATE, context)
    HTML(string=html, url_fetcher=_no_fetching).write_pdf(output)


def _pdf_width(column: Column) -> str | None:
    """The column's CSS width, or None for a text column (they share the rest of the page).
    Text, not a number: the template would write a float with the language's decimal mark."""
    if column.kind == "text":
        return None
    needed = len(str(column.title)) * PDF_TITLE_MM_PER_CHARACTER + 4
    return f"{max(PDF_WIDTHS_MM[column.kind], needed):.1f}mm"


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """A register needs nothing from outside: WeasyPrint fetches no URL (rows hold people's
    text, and rendering must not depend on any server being up)."""
    raise ValueError(f"A register loads nothing from outside ({url[:80]})")

"""The register writers (tracking/attendance/exports.py) on rows made here, no database: every
file is read back (csv, openpyxl, pypdf) and compared cell by cell. The rows cross the night of
2026-10-25, when Europe/Rome's clocks go back from 03:00 CEST to 02:00 CET (01:00 UTC)."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from tracking.attendance import exports
from tracking.attendance.exports import Column, RegisterHeading

COLUMNS = [
    Column("name", "Learner", "text"),
    Column("tax_code", "Tax code", "text"),
    Column("day", "Date", "date"),
    Column("entry", "Entry", "time"),
    Column("exit", "Exit", "time"),
    Column("recorded", "Recorded at", "datetime"),
    Column("sessions", "Sessions", "integer"),
    Column("hours", "Hours", "hours"),
    Column("signature", "Signature", "signature"),
]
BEFORE_CHANGE = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
AFTER_CHANGE = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
ROWS = [
    (
        "Maria Rossi",
        "RSSMRA80A41F205X",
        date(2026, 10, 25),
        BEFORE_CHANGE,
        AFTER_CHANGE,
        datetime(2026, 10, 25, 1, 45, 27, tzinfo=UTC),  # 02:45:27 CET
        1,
        1.5,
        None,
    ),
    ("Luca Bianchi", '=HYPERLINK("http://x.invalid")', None, None, None, None, None, None, None),
    (
        "Anna Verdi",
        -5,  # a number in a text column is no formula
        date(2026, 10, 26),
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),  # 09:00 CET
        datetime(2026, 10, 26, 11, 15, tzinfo=UTC),
        None,
        12,
        1234.5,
        None,
    ),
]
HEADING = RegisterHeading(
    title="Registro presenze — sessione del 25/10/2026",
    plan_title="Piano formativo delle Città metropolitane",
    project_title="Metropoli: competenze in rete",
    funding_programme="PN Capacità per la coesione",
    funding_codes=[("CUP", "J51B21000000001"), ("Codice progetto", "CM-2026-07")],
    filters=["Città metropolitana: Milano", "Periodo: 25/10/2026 – 26/10/2026"],
    generated_at=datetime(2026, 10, 26, 16, 5, tzinfo=UTC),  # 17:05 CET
    generated_by="Giulia Ferrari",
)


def read_csv(chunks, delimiter):
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=delimiter))


def test_csv_with_commas_has_the_header_and_typed_text_in_local_time():
    lines = read_csv(exports.csv_chunks(COLUMNS, ROWS, heading=HEADING), ",")

    assert lines == [
        [
            "Learner",
            "Tax code",
            "Date",
            "Entry",
            "Exit",
            "Recorded at",
            "Sessions",
            "Hours",
            "Signature",
        ],
        [
            "Maria Rossi",
            "RSSMRA80A41F205X",
            "25/10/2026",
            "02:30",
            "02:30",
            "25/10/2026 02:45",
            "1",
            "1.50",
            "",
        ],
        ["Luca Bianchi", '\'=HYPERLINK("http://x.invalid")', "", "", "", "", "", "", ""],
        ["Anna Verdi", "-5", "26/10/2026", "09:00", "12:15", "", "12", "1234.50", ""],
    ]  # the heading is not in the file: a CSV has its header row and its rows, nothing else


def test_csv_with_semicolons_writes_decimal_commas_for_italian_excel():
    lines = read_csv(exports.csv_chunks(COLUMNS, ROWS, delimiter=";"), ";")

    assert [line[7] for line in lines] == ["Hours", "1,50", "", "1234,50"]
    assert lines[1][:6] == [
        "Maria Rossi",
        "RSSMRA80A41F205X",
        "25/10/2026",
        "02:30",
        "02:30",
        "25/10/2026 02:45",
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_that_a_spreadsheet_would_run_gets_an_apostrophe(start):
    rows = [(f"{start}1+2", "ok", None, None, None, None, -3, -1.25, None)]

    lines = read_csv(exports.csv_chunks(COLUMNS, rows), ",")

    assert lines[1][:2] == [f"'{start}1+2", "ok"]
    assert lines[1][6:8] == ["-3", "-1.25"]  # numbers are never touched


def test_csv_streams_large_registers_in_chunks_without_reading_ahead():
    consumed = 0

    def rows():
        nonlocal consumed
        for n in range(20_000):
            consumed += 1
            yield (
                f"Learner {n}",
                "X",
                date(2026, 10, 25),
                BEFORE_CHANGE,
                AFTER_CHANGE,
                None,
                n,
                0.5,
                None,
            )

    chunks = exports.csv_chunks(COLUMNS, rows())
    first = next(chunks)
    read_for_first = consumed
    rest = list(chunks)

    assert read_for_first < 20_000  # the first chunk left before the rows were all read
    assert first.startswith(b"\xef\xbb\xbf")
    assert not any(chunk.startswith(b"\xef\xbb\xbf") for chunk in rest)
    assert all(len(chunk) >= exports.CSV_CHUNK_BYTES for chunk in [first, *rest[:-1]])
    lines = read_csv([first, *rest], ",")
    assert len(lines) == 20_001
    assert lines[-1] == [
        "Learner 19999",
        "X",
        "25/10/2026",
        "02:30",
        "02:30",
        "",
        "19999",
        "0.50",
        "",
    ]


def test_csv_takes_the_time_zone_and_titles_of_the_call_not_of_the_reading():
    titled = [Column("at", translation.gettext_lazy("Page"), "time")]
    with timezone.override("UTC"), translation.override("it"):
        chunks = exports.csv_chunks(titled, [(BEFORE_CHANGE,)])

    assert read_csv(chunks, ",") == [["Pagina"], ["00:30"]]


def test_csv_refuses_other_delimiters_and_rows_of_the_wrong_length():
    with pytest.raises(ValueError, match="delimiter"):
        exports.csv_chunks(COLUMNS, ROWS, delimiter="\t")
    with pytest.raises(ValueError, match="2 values for 9 columns"):
        b"".join(exports.csv_chunks(COLUMNS, [("Maria Rossi", "X")]))


def test_column_kinds_and_heading_times_are_checked():
    with pytest.raises(ValueError, match="Unknown column kind"):
        Column("when", "When", "timestamp")
    with pytest.raises(ValueError, match="aware"):
        RegisterHeading(
            title="R",
            plan_title="P",
            project_title="P",
            funding_programme="F",
            generated_at=datetime(2026, 10, 25, 9, 0),  # noqa: DTZ001 - naive on purpose
            generated_by="G",
        )
    with pytest.raises(ValueError, match="aware datetimes"):
        b"".join(exports.csv_chunks(COLUMNS[3:4], [(datetime(2026, 10, 25, 9, 0),)]))  # noqa: DTZ001


def test_xlsx_has_the_heading_a_frozen_header_and_typed_cells(tmp_path):
    path = tmp_path / "register.xlsx"

    written = exports.xlsx_write(
        COLUMNS, ROWS, path, heading=HEADING, sheet_name="Registro presenze"
    )

    assert written == 3
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Registro presenze"]
    sheet = book["Registro presenze"]
    heading = [sheet.cell(row=n, column=1).value for n in range(1, 10)]
    assert heading == [
        "Registro presenze — sessione del 25/10/2026",
        "Training plan: Piano formativo delle Città metropolitane",
        "Project: Metropoli: competenze in rete",
        "Funding programme: PN Capacità per la coesione",
        "CUP: J51B21000000001",
        "Codice progetto: CM-2026-07",
        "Città metropolitana: Milano",
        "Periodo: 25/10/2026 – 26/10/2026",
        "Generated on 26/10/2026 17:05 by Giulia Ferrari",
    ]
    assert sheet["A1"].font.b
    header_row = 11  # 9 heading lines, a blank row
    assert [c.value for c in sheet[header_row]] == [c.title for c in COLUMNS]
    assert all(c.font.b for c in sheet[header_row])
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref == f"A{header_row}:I{header_row + 3}"

    maria, luca, anna = (sheet[header_row + n] for n in (1, 2, 3))
    assert [c.value for c in maria] == [
        "Maria Rossi",
        "RSSMRA80A41F205X",
        datetime(2026, 10, 25),  # noqa: DTZ001 - Excel's dates are local and naive
        datetime(2026, 10, 25, 2, 30),  # noqa: DTZ001 - CEST
        datetime(2026, 10, 25, 2, 30),  # noqa: DTZ001 - CET, an hour later
        datetime(2026, 10, 25, 2, 45, 27),  # noqa: DTZ001
        1,
        1.5,
        None,
    ]
    assert [c.number_format for c in maria][2:8] == [
        "dd/mm/yyyy",
        "hh:mm",
        "hh:mm",
        "dd/mm/yyyy hh:mm",
        "0",
        "0.00",
    ]
    assert isinstance(maria[7].value, float)
    # Text that looks like a formula is a string cell, never a formula.
    assert (luca[1].value, luca[1].data_type) == ('=HYPERLINK("http://x.invalid")', "s")
    assert [c.value for c in luca][2:] == [None] * 7
    assert (anna[1].value, anna[7].value, anna[3].value) == (
        "-5",
        1234.5,
        datetime(2026, 10, 26, 9, 0),  # noqa: DTZ001
    )
    assert book.properties.title == HEADING.title


def test_xlsx_keeps_markup_and_spaces_as_text(tmp_path):
    rows = [(" <b>Rossi</b> & figli ", "_x0041_", None, None, None, None, None, None, None)]

    exports.xlsx_write(COLUMNS, rows, tmp_path / "r.xlsx", heading=HEADING, sheet_name="R")

    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["R"]
    assert sheet["A12"].value == " <b>Rossi</b> & figli "
    assert (
        sheet["B12"].value == "_x005F_x0041_"
    )  # Excel's escape of its own escapes: reads "_x0041_"


def test_xlsx_goes_on_in_new_sheets_with_the_header_again(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 20)  # the first sheet: 11 rows above its data
    rows = [
        (f"Learner {n}", "X", date(2026, 10, 25), None, None, None, n, 1.0, None) for n in range(35)
    ]

    written = exports.xlsx_write(
        COLUMNS, iter(rows), tmp_path / "r.xlsx", heading=HEADING, sheet_name="Registro presenze"
    )

    assert written == 35
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == [
        "Registro presenze",
        "Registro presenze (2)",
        "Registro presenze (3)",
    ]
    first, second, third = (book[name] for name in book.sheetnames)
    assert [c.value for c in first[11]] == [c.title for c in COLUMNS]
    assert [first.cell(row=n, column=1).value for n in range(12, 21)] == [
        f"Learner {n}" for n in range(9)
    ]
    for sheet, names in ((second, range(9, 28)), (third, range(28, 35))):
        assert [c.value for c in sheet[1]] == [c.title for c in COLUMNS]
        assert sheet.freeze_panes == "A2"
        assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
            f"Learner {n}" for n in names
        ]
        assert sheet.cell(row=2, column=7).value == names[0]
    assert second.max_row == 20
    assert third.max_row == 8


def test_sheet_names_fit_excel():
    names = exports.sheet_names("Registro: sessioni [Milano] / ottobre e novembre 2026")

    first, second = next(names), next(names)

    assert first == "Registro  sessioni  Milano    o"  # 31 characters
    assert second == "Registro  sessioni  Milano (2)"
    assert not set("[]:*?/\\") & set(first + second)


def pdf_text(path):
    reader = PdfReader(path)
    return reader, [page.extract_text() for page in reader.pages]


def test_pdf_has_the_heading_each_learner_the_totals_and_page_numbers(tmp_path):
    learners = [
        (
            f"Learner {n:02d}",
            "X",
            date(2026, 10, 25),
            BEFORE_CHANGE,
            AFTER_CHANGE,
            None,
            1,
            1.5,
            None,
        )
        for n in range(30)
    ]
    totals = ["Totale", None, None, None, None, None, 33, 1279.5, None]
    path = tmp_path / "register.pdf"

    with translation.override("it"):
        exports.pdf_write(COLUMNS, [*ROWS, *learners], path, heading=HEADING, totals=totals)

    reader, pages = pdf_text(path)
    text = "\n".join(pages)
    assert len(pages) > 1
    for expected in (
        "Registro presenze — sessione del 25/10/2026",
        "Piano formativo delle Città metropolitane",
        "Metropoli: competenze in rete",
        "PN Capacità per la coesione",
        "J51B21000000001",
        "CM-2026-07",
        "Città metropolitana: Milano",
        "Periodo: 25/10/2026 – 26/10/2026",
        "26/10/2026 17:05",
        "Giulia Ferrari",
        "Maria Rossi",
        "Luca Bianchi",
        "Anna Verdi",
        '=HYPERLINK("http://x.invalid")',
        "25/10/2026 02:45",
        "1,50",
        "1.234,50",  # Anna's hours, grouped as Italians write them
        "1.279,50",  # the totals
        "Totale",
    ):
        assert expected in text, expected
    assert all(f"Learner {n:02d}" in text for n in range(30))
    assert "Pagina 1 di" in pages[0]
    assert f"Pagina {len(pages)} di {len(pages)}" in pages[-1]
    assert "Signature" in pages[-1]  # the header, on every page
    assert "Totale" in pages[-1]
    assert "Totale" not in pages[0]  # the totals once, at the end
    assert reader.metadata.title == HEADING.title


def test_pdf_numbers_pages_in_the_readers_language_and_writes_markup_as_text(tmp_path):
    rows = [("<b>Rossi</b> & <i>figli</i>", "X", None, None, None, None, None, None, None)]

    with translation.override("en"):
        exports.pdf_write(COLUMNS, rows, tmp_path / "r.pdf", heading=HEADING, totals=None)

    _reader, pages = pdf_text(tmp_path / "r.pdf")
    assert "Page 1 of 1" in pages[0]
    assert "<b>Rossi</b> & <i>figli</i>" in pages[0]  # text, never markup


def test_csv_keeps_equal_values_of_other_types_apart():
    # The formatters keep what they made: 1, 1.0 and True are equal keys to a plain cache.
    columns = [Column("note", "Note", "text"), Column("hours", "Hours", "hours")]
    rows = [(1, 1), (1.0, 1.0), (True, True), ("1", 1)]

    lines = read_csv(exports.csv_chunks(columns, rows), ",")

    assert lines[1:] == [["1", "1.00"], ["1.0", "1.00"], ["True", "1.00"], ["1", "1.00"]]

"""The pure enrolment-file parser: CSV and XLSX in, typed rows or per-row errors out."""

import csv
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from courses.enrollment_files import (
    EnrollmentRow,
    RowError,
    TooManyRows,
    UnreadableFile,
    read_enrollment_file,
)

MARIO = "RSSMRA85B01F205B"  # Mario Rossi, born in Milano on 1 February 1985
LUIGI = "BNCLGU70C12F839K"  # Luigi Bianchi, born in Napoli on 12 March 1970
BAD_CHECK_CHARACTER = "RSSMRA85B01F205A"


def _read(content: bytes, max_rows: int = 100) -> list[EnrollmentRow | RowError]:
    return read_enrollment_file(content=content, max_rows=max_rows)


def _reason(error: UnreadableFile) -> str:
    return str(error.reason) % error.params


def _rejection(error: RowError) -> tuple[int, str, str]:
    return error.row_number, error.code, str(error.message) % error.params


def _xlsx(*rows: list[object], extra_sheet: list[list[object]] | None = None) -> bytes:
    """An in-memory workbook; ``None`` leaves a cell empty, and a row of them is a blank row."""
    workbook = Workbook()
    sheet = workbook.active
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column, value=value)
    if extra_sheet is not None:
        other = workbook.create_sheet("Altro")
        for row in extra_sheet:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MARIO_ROW = EnrollmentRow(
    row_number=2,
    course="sportello-unico",
    tax_code=MARIO,
    email="mario.rossi@comune.rho.mi.it",
    first_name="Mario",
    last_name="Rossi",
    organisation="Comune di Rho",
    city="Milano",
    position="funzionario",
)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_read_enrollment_file_reads_csv_with_any_of_the_three_delimiters(delimiter):
    content = (
        delimiter.join(["codice_fiscale", "email", "nome", "cognome", "ente", "citta"])
        + delimiter
        + "qualifica"
        + delimiter
        + "corso\r\n"
        + delimiter.join(
            [
                MARIO,
                "mario.rossi@comune.rho.mi.it",
                "Mario",
                "Rossi",
                "Comune di Rho",
                "Milano",
                "funzionario",
                "sportello-unico",
            ]
        )
        + "\r\n"
    ).encode()

    rows = _read(content)

    assert rows == [MARIO_ROW]


def test_read_enrollment_file_ignores_the_utf8_byte_order_mark():
    content = (
        "\ufeffcodice_fiscale;email;nome;cognome;ente;Città;qualifica;corso\n"
        f"{MARIO};mario.rossi@comune.rho.mi.it;Mario;Rossi;Comune di Rho;Milano;funzionario;"
        "sportello-unico\n"
    ).encode()

    rows = _read(content)

    assert rows == [MARIO_ROW]


def test_read_enrollment_file_keeps_accented_text_in_cells():
    content = "email,nome,cognome,ente,corso\nnicolo@comune.it,Nicolò,D'Urbano,Città di Sesto,sue\n"

    rows = _read(content.encode())

    assert rows == [
        EnrollmentRow(
            row_number=2,
            course="sue",
            email="nicolo@comune.it",
            first_name="Nicolò",
            last_name="D'Urbano",
            organisation="Città di Sesto",
        )
    ]


def test_read_enrollment_file_reads_quoted_cells_with_delimiters_and_doubled_quotes():
    content = (
        "email,ente,corso\n"
        'anna@unione.it,"Unione dei Comuni ""Bassa Brianza"", Lombardia",sportello-unico\n'
    )

    rows = _read(content.encode())

    assert rows == [
        EnrollmentRow(
            row_number=2,
            course="sportello-unico",
            email="anna@unione.it",
            organisation='Unione dei Comuni "Bassa Brianza", Lombardia',
        )
    ]


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Codice Fiscale", "tax_code"),
        ("CF", "tax_code"),
        ("codicefiscale", "tax_code"),
        ("Tax code", "tax_code"),
        ("E-mail", "email"),
        ("Indirizzo email", "email"),
        ("Mail", "email"),
        ("Nome", "first_name"),
        ("Given name", "first_name"),
        ("Cognome", "last_name"),
        ("Family name", "last_name"),
        ("Ente", "organisation"),
        ("Amministrazione", "organisation"),
        ("Organization", "organisation"),
        ("Città", "city"),
        ("Città metropolitana", "city"),
        ("CITTA", "city"),
        ("Qualifica", "position"),
        ("Ruolo", "position"),
        ("Profilo", "position"),
    ],
)
def test_read_enrollment_file_understands_header_spellings(heading, field):
    values = {
        "tax_code": MARIO,
        "email": "mario.rossi@comune.rho.mi.it",
        "first_name": "Mario",
        "last_name": "Rossi",
        "organisation": "Comune di Rho",
        "city": "Milano",
        "position": "funzionario",
    }
    # Every row needs a course and an identity: give the ones the heading under test is not.
    identity = "email" if field == "tax_code" else "codice_fiscale"
    identity_value = values["email"] if field == "tax_code" else MARIO
    content = f"{heading};{identity};Titolo corso\n{values[field]};{identity_value};sue\n"

    [row] = _read(content.encode())

    assert getattr(row, field) == values[field]
    assert row.course == "sue"


def test_read_enrollment_file_normalises_tax_codes_emails_and_positions():
    content = (
        "codice fiscale;e-mail;qualifica;corso\n"
        "  rssmra 85b01 f205b ; Mario.Rossi@Comune.Rho.MI.IT ; Dirigente ;  sportello-unico  \n"
        f"{LUIGI};;MANAGER;sportello-unico\n"
        f"{LUIGI};;administrator;sportello-unico\n"
        f"{LUIGI};;Official;sportello-unico\n"
    )

    rows = _read(content.encode())

    assert [(r.tax_code, r.email, r.position, r.course) for r in rows] == [
        (MARIO, "mario.rossi@comune.rho.mi.it", "dirigente", "sportello-unico"),
        (LUIGI, "", "dirigente", "sportello-unico"),
        (LUIGI, "", "amministratore", "sportello-unico"),
        (LUIGI, "", "funzionario", "sportello-unico"),
    ]


def test_read_enrollment_file_reads_the_first_sheet_of_an_xlsx_workbook():
    content = _xlsx(
        ["Codice fiscale", "E-mail", "Nome", "Cognome", "Ente", "Città", "Qualifica", "Corso"],
        [
            MARIO,
            "mario.rossi@comune.rho.mi.it",
            "Mario",
            "Rossi",
            "Comune di Rho",
            "Milano",
            "Funzionario",
            "sportello-unico",
        ],
        extra_sheet=[["email", "corso"], ["altro@comune.it", "altro-corso"]],
    )

    rows = _read(content)

    assert rows == [MARIO_ROW]


def test_read_enrollment_file_writes_whole_numbers_in_xlsx_cells_without_decimals():
    content = _xlsx(["email", "nome", "corso"], ["anna@comune.it", 2024.0, 101])

    rows = _read(content)

    assert rows == [
        EnrollmentRow(row_number=2, course="101", email="anna@comune.it", first_name="2024")
    ]


def test_read_enrollment_file_skips_blank_csv_rows_and_numbers_rows_as_the_spreadsheet_does():
    content = "\nemail;corso\n\nanna@comune.it;sue\n;\n ; \nluigi@comune.it;sue\n"

    rows = _read(content.encode())

    assert [(r.row_number, r.email) for r in rows] == [
        (4, "anna@comune.it"),
        (7, "luigi@comune.it"),
    ]


def test_read_enrollment_file_skips_blank_xlsx_rows_and_numbers_rows_as_the_spreadsheet_does():
    content = _xlsx(
        [None, None],
        ["email", "corso"],
        ["anna@comune.it", "sue"],
        [None, None],
        ["  ", None],
        ["luigi@comune.it", "sue"],
    )

    rows = _read(content)

    assert [(r.row_number, r.email) for r in rows] == [
        (3, "anna@comune.it"),
        (6, "luigi@comune.it"),
    ]


def test_read_enrollment_file_rejects_only_the_row_that_is_not_utf8():
    content = (
        b"email,nome,cognome,corso\n"
        + b"anna@comune.it,Anna,Verdi,sue\n"
        + "nicolo@comune.it,Nicolò,Bianchi,sue\n".encode("latin-1")
        + b"luigi@comune.it,Luigi,Bianchi,sue\n"
    )

    rows = _read(content)

    assert rows == [
        EnrollmentRow(
            row_number=2, course="sue", email="anna@comune.it", first_name="Anna", last_name="Verdi"
        ),
        RowError(
            3,
            "bad_encoding",
            "The row is not valid UTF-8 text: save the file as “CSV UTF-8” and upload it again.",
        ),
        EnrollmentRow(
            row_number=4,
            course="sue",
            email="luigi@comune.it",
            first_name="Luigi",
            last_name="Bianchi",
        ),
    ]


def test_read_enrollment_file_refuses_a_file_whose_header_is_not_utf8():
    content = "email;Città;corso\nanna@comune.it;Milano;sue\n".encode("latin-1")

    with pytest.raises(UnreadableFile) as error:
        _read(content)

    assert _reason(error.value) == (
        "The file is not UTF-8 text: save it as “CSV UTF-8” (or .xlsx) and upload it again."
    )


def test_read_enrollment_file_rejects_a_row_with_a_nul_character():
    content = b"email,nome,corso\nanna@comune.it,An\x00na,sue\nluigi@comune.it,Luigi,sue\n"

    rows = _read(content)

    assert [(r.row_number, getattr(r, "code", None)) for r in rows] == [
        (2, "bad_encoding"),
        (3, None),
    ]


@pytest.mark.parametrize(
    "encoding",
    ["utf-16", "utf-16-le", "utf-16-be"],  # the last two without a byte-order mark
    ids=["with-bom", "little-endian-without-bom", "big-endian-without-bom"],
)
def test_read_enrollment_file_refuses_a_utf16_file(encoding):
    content = "email\tcorso\r\nanna@comune.it\tsue\r\n".encode(encoding)

    with pytest.raises(UnreadableFile) as error:
        _read(content)

    assert _reason(error.value) == (
        "The file is UTF-16 text: save it as “CSV UTF-8” (or .xlsx) and upload it again."
    )


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("codice_fiscale;email;nome;cognome", "corso (course)"),
        ("nome;cognome;ente;corso", "codice_fiscale (tax_code) / email"),
        ("nome;cognome;ente", "corso (course), codice_fiscale (tax_code) / email"),
        (f"{MARIO};sportello-unico", "corso (course), codice_fiscale (tax_code) / email"),
    ],
    ids=["course", "identity", "both", "no-header"],
)
def test_read_enrollment_file_refuses_a_file_without_the_essential_columns(header, missing):
    content = f"{header}\nRSSMRA85B01F205B;Mario;Rossi;sue\n".encode()

    with pytest.raises(UnreadableFile) as error:
        _read(content)

    assert _reason(error.value) == (
        f"Missing column(s): {missing}. The first row must name the columns."
    )


def test_read_enrollment_file_accepts_an_email_column_without_a_tax_code_column():
    rows = _read(b"email,corso\nanna@comune.it,sue\n")

    assert rows == [EnrollmentRow(row_number=2, course="sue", email="anna@comune.it")]


@pytest.mark.parametrize(
    ("row", "rejection"),
    [
        (
            ";;Mario;Rossi;sue",
            (2, "missing_identity", "Give a tax code or an e-mail address."),
        ),
        (
            f"{BAD_CHECK_CHARACTER};;Mario;Rossi;sue",
            (
                2,
                "invalid_tax_code",
                "RSSMRA85B01F205A is not a valid tax code (codice fiscale): check its characters.",
            ),
        ),
        (
            "rssmra85b01f2o5b;;Mario;Rossi;sue",  # the letter O for a zero, shown normalised
            (
                2,
                "invalid_tax_code",
                "RSSMRA85B01F2O5B is not a valid tax code (codice fiscale): check its characters.",
            ),
        ),
        (
            ";Mario.Rossi@;Mario;Rossi;sue",
            (2, "invalid_email", "mario.rossi@ is not a valid e-mail address."),
        ),
        (
            f"{MARIO};mario rossi@comune.it;Mario;Rossi;sue",
            (2, "invalid_email", "mario rossi@comune.it is not a valid e-mail address."),
        ),
        (
            f"{MARIO};;Mario;Rossi;",
            (2, "missing_course", "The course is missing."),
        ),
        (
            f"{MARIO};;Mario",  # a short row: the missing cells are empty
            (2, "missing_course", "The course is missing."),
        ),
    ],
    ids=[
        "missing-identity",
        "bad-check-character",
        "letter-for-digit",
        "email-without-domain",
        "email-with-space",
        "empty-course",
        "short-row",
    ],
)
def test_read_enrollment_file_rejects_a_row_that_cannot_be_right(row, rejection):
    content = f"codice_fiscale;email;nome;cognome;corso\n{row}\n".encode()

    [error] = _read(content)

    assert _rejection(error) == rejection


def test_read_enrollment_file_rejects_an_unknown_position():
    content = f"codice_fiscale;qualifica;corso\n{MARIO};Assessore;sue\n".encode()

    [error] = _read(content)

    assert _rejection(error) == (
        2,
        "invalid_position",
        "Unknown position “Assessore”: use amministratore, funzionario or dirigente.",
    )


def test_read_enrollment_file_reports_each_bad_row_and_keeps_the_good_ones():
    content = f"codice_fiscale;corso\n{BAD_CHECK_CHARACTER};sue\n{MARIO};sue\n;sue\n{LUIGI};sue\n"

    rows = _read(content.encode())

    assert [(r.row_number, type(r).__name__) for r in rows] == [
        (2, "RowError"),
        (3, "EnrollmentRow"),
        (4, "RowError"),
        (5, "EnrollmentRow"),
    ]


@pytest.mark.parametrize(
    ("full_name", "first_name", "last_name"),
    [
        ("Mario Rossi", "Mario", "Rossi"),
        ("  Mario   Rossi  ", "Mario", "Rossi"),
        # Only the first word is taken as the first name: the rest is the last name.
        ("Maria Grazia De Luca", "Maria", "Grazia De Luca"),
        ("Mario", "Mario", ""),
    ],
)
def test_read_enrollment_file_splits_a_full_name_column(full_name, first_name, last_name):
    content = f"codice_fiscale;Nome e cognome;corso\n{MARIO};{full_name};sue\n".encode()

    [row] = _read(content)

    assert (row.first_name, row.last_name) == (first_name, last_name)


def test_read_enrollment_file_prefers_first_and_last_name_columns_to_a_full_name():
    content = f"codice_fiscale;nominativo;nome;cognome;corso\n{MARIO};Rossi Mario;Mario;Rossi;sue\n"

    [row] = _read(content.encode())

    assert (row.first_name, row.last_name) == ("Mario", "Rossi")


def test_read_enrollment_file_returns_no_rows_for_a_header_alone():
    assert _read(b"codice_fiscale;corso\n\n\n") == []


@pytest.mark.parametrize(
    "content",
    [b"", b"  \r\n\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b";;;\n;;\n", _xlsx()],
    ids=["zero-bytes", "whitespace", "bom-only", "bom-and-newline", "blank-cells", "empty-xlsx"],
)
def test_read_enrollment_file_refuses_an_empty_file(content):
    with pytest.raises(UnreadableFile) as error:
        _read(content)

    assert _reason(error.value) == "The file is empty."


def test_read_enrollment_file_refuses_a_legacy_xls_workbook():
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # OLE2 compound document header

    with pytest.raises(UnreadableFile) as error:
        _read(content)

    assert _reason(error.value) == "Old .xls workbooks are not supported: save it as .xlsx or CSV."


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("iscritti.txt", "email,corso\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04" + b"\x00garbage\xff" * 64,
        _xlsx(["email", "corso"], ["anna@comune.it", "sue"])[:600],
        _zip_without_workbook(),
    ],
    ids=["garbage-after-zip-magic", "truncated-workbook", "zip-without-workbook"],
)
def test_read_enrollment_file_refuses_a_damaged_xlsx_workbook(content):
    with pytest.raises(UnreadableFile) as error:
        _read(content)

    assert _reason(error.value) == "The Excel file is damaged or is not an .xlsx workbook."


def test_read_enrollment_file_refuses_a_malformed_csv():
    content = b"email,corso\nanna@comune.it," + b"x" * (csv.field_size_limit() + 1) + b"\n"

    with pytest.raises(UnreadableFile) as error:
        _read(content)

    assert _reason(error.value) == (
        "The CSV file is malformed: field larger than field limit (131072)"
    )


def test_read_enrollment_file_refuses_more_rows_than_allowed():
    content = b"email;corso\n" + b"".join(b"persona%d@comune.it;sue\n" % n for n in range(4))

    with pytest.raises(TooManyRows) as error:
        _read(content, max_rows=3)

    assert _reason(error.value) == "The file has 4 rows; at most 3 can be imported at once."
    assert error.value.params == {"rows": 4, "max_rows": 3}


def test_read_enrollment_file_takes_exactly_the_allowed_rows_not_counting_blank_ones():
    content = b"email;corso\n" + b"".join(b"persona%d@comune.it;sue\n\n" % n for n in range(3))

    rows = _read(content, max_rows=3)

    assert [r.row_number for r in rows] == [2, 4, 6]


def test_read_enrollment_file_counts_xlsx_rows_against_the_limit():
    content = _xlsx(["email", "corso"], *([f"persona{n}@comune.it", "sue"] for n in range(3)))

    with pytest.raises(TooManyRows) as error:
        _read(content, max_rows=2)

    assert _reason(error.value) == "The file has 3 rows; at most 2 can be imported at once."


# -- property: whatever a spreadsheet writes for a well-formed row comes back unchanged ----------

# Any printable text, with the characters CSV quoting is about drawn often.
_cell_text = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from("\",;\t '")),
    max_size=30,
).map(str.strip)
_tax_codes = st.sampled_from(["", MARIO, LUIGI, "VRDNNA90L65F205E", "SPSGNR80S05F839S"])
_emails = st.one_of(
    st.just(""),
    st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z0-9]{1,8})?@[a-z]{2,10}\.(it|eu|com)", fullmatch=True),
)
_positions = st.sampled_from(
    [
        ("", ""),
        ("funzionario", "funzionario"),
        ("Funzionario", "funzionario"),
        ("DIRIGENTE", "dirigente"),
        ("manager", "dirigente"),
        ("Amministratore", "amministratore"),
        ("official", "funzionario"),
    ]
)


@settings(deadline=None)  # the first example also pays for e-mail validator and gettext set-up
@given(
    delimiter=st.sampled_from([",", ";", "\t"]),
    tax_code=_tax_codes,
    email=_emails,
    first_name=_cell_text,
    last_name=_cell_text,
    organisation=_cell_text,
    city=_cell_text,
    position=_positions,
    course=_cell_text.filter(bool),
    byte_order_mark=st.booleans(),
)
def test_read_enrollment_file_round_trips_any_well_formed_csv_row(
    delimiter,
    tax_code,
    email,
    first_name,
    last_name,
    organisation,
    city,
    position,
    course,
    byte_order_mark,
):
    if not (tax_code or email):
        email = "anna@comune.it"
    position_text, position_value = position
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(
        ["codice_fiscale", "email", "nome", "cognome", "ente", "Città", "qualifica", "corso"]
    )
    writer.writerow(
        [tax_code, email, first_name, last_name, organisation, city, position_text, course]
    )
    content = ("\ufeff" if byte_order_mark else "") + buffer.getvalue()

    rows = _read(content.encode())

    assert rows == [
        EnrollmentRow(
            row_number=2,
            course=course,
            tax_code=tax_code,
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
            city=city,
            position=position_value,
        )
    ]

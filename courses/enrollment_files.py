"""Enrolment files (CSV or XLSX) → typed rows or per-row errors. Pure: no ORM, no I/O.

What the file says is checked here (columns, encoding, tax-code checksum, e-mail form, known
positions); what the database knows (courses, organisations, people, scope) is checked by
``courses.services.imports``. A file is refused as a whole only when it cannot be read at all.
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from lms.accounts.tax_codes import is_valid_tax_code, normalize_tax_code

# Header spellings people use, after normalisation (lower case, no accents, "_" for spaces).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "tax_code": ("tax_code", "codice_fiscale", "cf", "codicefiscale"),
    "email": ("email", "e_mail", "mail", "indirizzo_email"),
    "first_name": ("first_name", "nome", "given_name"),
    "last_name": ("last_name", "cognome", "surname", "family_name"),
    "full_name": ("name", "full_name", "nome_e_cognome", "nominativo"),
    "organisation": ("organisation", "organization", "ente", "organizzazione", "amministrazione"),
    "city": ("city", "citta", "citta_metropolitana", "metropolitan_city"),
    "position": ("position", "qualifica", "ruolo", "profilo"),
    "course": ("course", "corso", "course_slug", "titolo_corso"),
}
# What people write for a position → the stored value (accounts.models.Position).
POSITION_ALIASES = {
    "amministratore": "amministratore",
    "administrator": "amministratore",
    "funzionario": "funzionario",
    "official": "funzionario",
    "dirigente": "dirigente",
    "manager": "dirigente",
}
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" export
UTF8_BOM = "\ufeff"


class UnreadableFile(Exception):
    """The whole file cannot be read; ``reason`` says why in words a coordinator understands."""

    def __init__(self, reason: str | Promise, **params: object):
        self.reason = reason
        self.params = params
        super().__init__(str(reason))


class TooManyRows(UnreadableFile):
    """The file has more rows than one import takes."""


@dataclass(frozen=True)
class EnrollmentRow:
    row_number: int  # as the spreadsheet shows it: the header is row 1
    course: str
    tax_code: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    organisation: str = ""
    city: str = ""
    position: str = ""


@dataclass(frozen=True)
class RowError:
    row_number: int
    code: str
    message: str | Promise
    params: dict[str, object] = field(default_factory=dict)


def _normalise_header(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "_".join(ascii_text.strip().lower().replace("-", " ").split())


def _column_map(header: list[str]) -> dict[str, int]:
    """Map each known column to its index; raise UnreadableFile when the essentials are missing."""
    normalised = [_normalise_header(h) for h in header]
    columns = {}
    for name, aliases in COLUMN_ALIASES.items():
        for index, heading in enumerate(normalised):
            if heading in aliases:
                columns[name] = index
                break
    # Named as people write them in the header row (Italian first, then English).
    missing = []
    if "course" not in columns:
        missing.append("corso (course)")
    if "tax_code" not in columns and "email" not in columns:
        missing.append("codice_fiscale (tax_code) / email")
    if missing:
        raise UnreadableFile(
            _("Missing column(s): %(missing)s. The first row must name the columns."),
            missing=", ".join(missing),
        )
    return columns


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_csv(content: bytes) -> list[list[str]]:
    # UTF-16 without a byte-order mark still gives itself away: a NUL byte beside most characters.
    if content.startswith(UTF16_BOMS) or content.count(b"\x00") > len(content) // 4:
        raise UnreadableFile(
            _("The file is UTF-16 text: save it as “CSV UTF-8” (or .xlsx) and upload it again.")
        )
    # Undecodable bytes survive as lone surrogates, so only the rows that contain them are
    # rejected (see _parse_row) and the rest of the file still goes through.
    text = content.decode("utf-8", errors="surrogateescape").removeprefix(UTF8_BOM)
    # The delimiter is sniffed on the header: the first line that is not blank.
    first_line = next((line for line in text.split("\n") if line.strip()), "")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, ";,\t")
    except csv.Error:
        dialect = csv.excel
    # Spreadsheets write a quote inside a quoted cell as "", but the sniffer turns doublequote
    # off when the header line has no such pair, which would shift the cells of those rows.
    reader = csv.reader(io.StringIO(text), dialect, doublequote=True)
    try:
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file is malformed: %(error)s"), error=str(exc)) from exc


def _read_xlsx(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableFile(_("The Excel file is damaged or is not an .xlsx workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _has_bad_encoding(cells: list[str]) -> bool:
    # Lone surrogates stand for bytes that are not UTF-8; a NUL comes from UTF-16 or binary data
    # (and PostgreSQL cannot store it).
    return any("\udc80" <= ch <= "\udcff" or ch == "\x00" for cell in cells for ch in cell)


def _parse_row(
    row_number: int, cells: list[str], columns: dict[str, int]
) -> EnrollmentRow | RowError:
    if _has_bad_encoding(cells):
        return RowError(
            row_number,
            "bad_encoding",
            _("The row is not valid UTF-8 text: save the file as “CSV UTF-8” and upload it again."),
        )

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    tax_code, email = normalize_tax_code(cell("tax_code")), cell("email").lower()
    first_name, last_name = cell("first_name"), cell("last_name")
    if not (first_name or last_name) and (full_name := cell("full_name")):
        first_name, _space, last_name = full_name.partition(" ")
    position_text = cell("position")
    position = POSITION_ALIASES.get(position_text.lower(), "") if position_text else ""

    if not tax_code and not email:
        return RowError(row_number, "missing_identity", _("Give a tax code or an e-mail address."))
    if tax_code and not is_valid_tax_code(tax_code):
        return RowError(
            row_number,
            "invalid_tax_code",
            _("%(tax_code)s is not a valid tax code (codice fiscale): check its characters."),
            {"tax_code": tax_code},
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return RowError(
                row_number,
                "invalid_email",
                _("%(email)s is not a valid e-mail address."),
                {"email": email},
            )
    if position_text and not position:
        return RowError(
            row_number,
            "invalid_position",
            _("Unknown position “%(position)s”: use amministratore, funzionario or dirigente."),
            {"position": position_text},
        )
    if not cell("course"):
        return RowError(row_number, "missing_course", _("The course is missing."))
    return EnrollmentRow(
        row_number=row_number,
        course=cell("course"),
        tax_code=tax_code,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=cell("organisation"),
        city=cell("city"),
        position=position,
    )


def read_enrollment_file(*, content: bytes, max_rows: int) -> list[EnrollmentRow | RowError]:
    """Parse an enrolment file (CSV with comma, semicolon or tab, UTF-8 with or without BOM;
    or XLSX, first sheet). Blank rows are skipped.

    Raises UnreadableFile when the file is empty, a legacy .xls, a damaged workbook, has no usable
    header, more than ``max_rows`` rows, or a header that is not UTF-8.
    """
    if not content.strip():
        raise UnreadableFile(_("The file is empty."))
    if content.startswith(OLE2_MAGIC):
        raise UnreadableFile(_("Old .xls workbooks are not supported: save it as .xlsx or CSV."))
    table = _read_xlsx(content) if content.startswith(XLSX_MAGIC) else _read_csv(content)
    rows = [(number, cells) for number, cells in enumerate(table, start=1) if any(cells)]
    if not rows:
        raise UnreadableFile(_("The file is empty."))
    (_header_number, header), body = rows[0], rows[1:]
    if _has_bad_encoding(header):
        raise UnreadableFile(
            _("The file is not UTF-8 text: save it as “CSV UTF-8” (or .xlsx) and upload it again.")
        )
    if len(body) > max_rows:
        raise TooManyRows(
            _("The file has %(rows)s rows; at most %(max_rows)s can be imported at once."),
            rows=len(body),
            max_rows=max_rows,
        )
    columns = _column_map(header)
    return [_parse_row(number, cells, columns) for number, cells in body]

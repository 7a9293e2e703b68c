"""Italian tax codes (codice fiscale) of people: normalisation and checksum validation. Pure."""

from codicefiscale import codicefiscale


def normalize_tax_code(value: str) -> str:
    """Upper-case the code and drop the spaces people type or paste into it."""
    return "".join(value.split()).upper()


def is_valid_tax_code(value: str) -> bool:
    """True for a well-formed 16-character personal tax code whose check character is right.

    The form (omocodia variants included) and the check character are python-codicefiscale's
    own rules. Its ``is_valid()`` goes further and decodes the birth date and place, which costs
    about 4 ms a code (most of a bulk import's time) and refuses valid codes whose birthplace
    code its table does not know; the check character is what catches typing mistakes.
    """
    code = normalize_tax_code(value)
    if not codicefiscale.CODICEFISCALE_RE.match(code.lower()):
        return False
    return codicefiscale.encode_cin(code) == code[15]

"""Italian tax codes (codice fiscale) of people: normalisation and checksum validation. Pure."""

from codicefiscale import codicefiscale


def normalize_tax_code(value: str) -> str:
    """Upper-case the code and drop the spaces people type or paste into it."""
    return "".join(value.split()).upper()


def is_valid_tax_code(value: str) -> bool:
    """True for a well-formed 16-character personal tax code with a correct check character.

    Omocodia variants (digits replaced by letters for people with the same code) are valid too;
    python-codicefiscale implements the Agenzia delle Entrate rules for both.
    """
    code = normalize_tax_code(value)
    return len(code) == 16 and codicefiscale.is_valid(code)

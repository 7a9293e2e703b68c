"""Verification codes: 80 random bits in Crockford's base32, printed in four groups of four
(``7K3Q-9XW2-PA4D-R8TF``). Read back forgivingly: lower case, spaces, dashes, and the letters
people mistake for digits (O for 0, I and L for 1) are all accepted. Pure."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 16  # 16 x 5 bits = 80 bits: guessing one of a million codes takes ~10^18 tries
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_new() -> str:
    """A fresh code, stored as it is printed."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def code_normalised(text: str) -> str | None:
    """The stored form of what someone typed or scanned, or None when it cannot be a code
    (so that a malformed code and an unknown one get the same answer)."""
    raw = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(raw) != LENGTH or any(char not in ALPHABET for char in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))

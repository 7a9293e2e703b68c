"""Multibase text for keys, signatures and status lists: base58btc ('z') and base64url ('u').

Written by hand: base58 is a few lines, and a dependency for it would be larger than this module.
"""

import base64

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {character: value for value, character in enumerate(BASE58_ALPHABET)}


class MultibaseError(ValueError):
    """A text that is not the multibase encoding it claims to be."""


def base58_encode(data: bytes) -> str:
    """Bitcoin's base58 of ``data``; each leading zero byte is written as a leading '1'."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """The bytes whose base58 is ``text``; raises ``MultibaseError`` on a foreign character."""
    number = 0
    for character in text:
        try:
            number = number * 58 + _BASE58_INDEX[character]
        except KeyError:
            raise MultibaseError(f"{character!r} is not a base58 digit") from None
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def base58btc_multibase(data: bytes) -> str:
    """``data`` as multibase base58btc: 'z' then base58."""
    return "z" + base58_encode(data)


def base58btc_multibase_decode(text: str) -> bytes:
    """The bytes of a multibase base58btc text ('z...')."""
    if not text.startswith("z"):
        raise MultibaseError("a base58btc multibase text starts with 'z'")
    return base58_decode(text[1:])


def base64url_multibase(data: bytes) -> str:
    """``data`` as multibase base64url without padding: 'u' then RFC 4648 §5 text."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def base64url_multibase_decode(text: str) -> bytes:
    """The bytes of a multibase base64url text ('u...', padding optional)."""
    if not text.startswith("u"):
        raise MultibaseError("a base64url multibase text starts with 'u'")
    body = text[1:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as error:
        raise MultibaseError(f"not base64url: {error}") from None

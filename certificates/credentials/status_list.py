"""W3C Bitstring Status List v1.0: which credentials are revoked, as one signed bitstring.

The list is GZIP-compressed and written as multibase base64url without padding ('u...'); bit 0
is the leftmost (most significant) bit of the first byte. 131,072 entries (16 KiB) is the
spec's minimum, so that one credential's index says little about who holds it.
"""

import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from certificates.credentials.keys import issuer_id
from certificates.credentials.loader import CREDENTIALS_V2_URL, OPEN_BADGES_V3_URL
from certificates.credentials.multibase import base64url_multibase, base64url_multibase_decode
from certificates.credentials.signing import date_time_stamp

STATUS_LIST_SIZE = 131072


def bitstring_encode(revoked: Iterable[int], *, size: int = STATUS_LIST_SIZE) -> str:
    """The ``encodedList`` in which exactly the ``revoked`` indexes are set."""
    if size <= 0 or size % 8:
        raise ValueError("a status list has a positive number of bits, a multiple of 8")
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status list index {index} is outside 0..{size - 1}")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always encodes to the same text.
    return base64url_multibase(gzip.compress(bytes(bits), mtime=0))


def bitstring_decode(encoded: str) -> bytes:
    """The uncompressed bitstring of an ``encodedList``."""
    return gzip.decompress(base64url_multibase_decode(encoded))


def bitstring_is_set(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an ``encodedList`` is set (for revocation: revoked)."""
    bits = bitstring_decode(encoded)
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status list index {index} is outside 0..{len(bits) * 8 - 1}")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    *, list_url: str, encoded: str, valid_from: datetime, issuer_name: str, issuer_url: str
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential served at ``list_url`` (sign it with
    ``credential_sign``). Its issuer is the credentials' issuer: verifiers check that they match.
    """
    return {
        "@context": [CREDENTIALS_V2_URL, OPEN_BADGES_V3_URL],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": issuer_name, "url": issuer_url},
        "validFrom": date_time_stamp(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            # A string, not a list: digitalbazaar's checkStatus compares it as one.
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }

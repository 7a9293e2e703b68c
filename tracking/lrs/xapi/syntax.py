"""Lexical checks for the special data types of xAPI (Data 4): IRIs, UUIDs, language tags, ISO 8601.

Each ``is_*`` function answers for one string; none raises.
"""

import json
import re
from datetime import datetime
from itertools import accumulate
from typing import Any

from tracking.lrs.xapi.errors import StatementInvalid

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_MAILTO = re.compile(r"mailto:[^@\s:/?#]+@[^@\s/?#]+")

# RFC 5646 section 2.1, with the grandfathered tags of section 2.2.8.
_ALPHANUM = "[A-Za-z0-9]"
_LANGTAG = re.compile(
    rf"""
    (?P<language>[A-Za-z]{{2,3}}(?:-[A-Za-z]{{3}}){{0,3}}|[A-Za-z]{{4}}|[A-Za-z]{{5,8}})
    (?:-[A-Za-z]{{4}})?                                           # script
    (?:-(?:[A-Za-z]{{2}}|[0-9]{{3}}))?                            # region
    (?P<variants>(?:-(?:{_ALPHANUM}{{5,8}}|[0-9]{_ALPHANUM}{{3}}))*)
    (?P<extensions>(?:-[0-9A-WY-Za-wy-z](?:-{_ALPHANUM}{{2,8}})+)*)
    (?:-[xX](?:-{_ALPHANUM}{{1,8}})+)?                            # private use
    """,
    re.VERBOSE,
)
_PRIVATEUSE = re.compile(rf"[xX](?:-{_ALPHANUM}{{1,8}})+")
_GRANDFATHERED = frozenset(
    tag.lower()
    for tag in [
        "en-GB-oed",
        "i-ami",
        "i-bnn",
        "i-default",
        "i-enochian",
        "i-hak",
        "i-klingon",
        "i-lux",
        "i-mingo",
        "i-navajo",
        "i-pwn",
        "i-tao",
        "i-tay",
        "i-tsu",
        "sgn-BE-FR",
        "sgn-BE-NL",
        "sgn-CH-DE",
        "art-lojban",
        "cel-gaulish",
        "no-bok",
        "no-nyn",
        "zh-guoyu",
        "zh-hakka",
        "zh-min",
        "zh-min-nan",
        "zh-xiang",
    ]
)

_TIMESTAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"P(?:(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?|{_NUMBER}W)"
)


def is_iri(value: str) -> bool:
    """An absolute IRI (RFC 3987): a scheme, a colon, and no whitespace or forbidden delimiters."""
    return _IRI.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    """A UUID in its canonical 8-4-4-4-12 hexadecimal form (either case)."""
    return _UUID.fullmatch(value) is not None


def is_sha1_hex(value: str) -> bool:
    """40 hexadecimal digits (either case)."""
    return _SHA1.fullmatch(value) is not None


def is_hex(value: str) -> bool:
    """A non-empty string of hexadecimal digits."""
    return _HEX.fullmatch(value) is not None


def is_mailto_iri(value: str) -> bool:
    """``mailto:`` followed by a single e-mail address."""
    return _MAILTO.fullmatch(value) is not None


def is_language_tag(value: str) -> bool:
    """A well-formed RFC 5646 language tag: no repeated variant or extension singleton."""
    if value.lower() in _GRANDFATHERED or _PRIVATEUSE.fullmatch(value):
        return True
    match = _LANGTAG.fullmatch(value)
    if match is None:
        return False
    variants = [v.lower() for v in match["variants"].split("-") if v]
    singletons = [
        part.lower() for part in match["extensions"].split("-") if len(part) == 1 and part
    ]
    return len(set(variants)) == len(variants) and len(set(singletons)) == len(singletons)


def parse_timestamp(value: str) -> datetime | None:
    """The ISO 8601 date-time ``value`` (offset optional, naive when absent), or None if invalid.

    Offsets "-00", "-0000" and "-00:00" are refused (RFC 3339 "unknown local offset").
    """
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    offset = match["offset"] or ""
    if offset.startswith("-") and set(offset[1:]) <= {"0", ":"}:
        return None
    time = match["time"].replace(",", ".")
    if len(time) == 5:
        time += ":00"
    if "." in time:  # fromisoformat takes at most 6 fractional digits
        whole, fraction = time.split(".")
        time = f"{whole}.{fraction[:6].ljust(6, '0')}"
    if offset in ("Z", "z"):
        offset = "+00:00"
    elif len(offset) == 3:
        offset += ":00"
    elif len(offset) == 5:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        return datetime.fromisoformat(f"{match['date']}T{time}{offset}")
    except ValueError:
        return None


def is_timestamp(value: str) -> bool:
    """See :func:`parse_timestamp`."""
    return parse_timestamp(value) is not None


def has_offset(value: str) -> bool:
    """Whether the (valid) timestamp ``value`` states its offset from UTC."""
    match = _TIMESTAMP.fullmatch(value)
    return match is not None and match["offset"] is not None


def is_duration(value: str) -> bool:
    """An ISO 8601 duration such as "PT1H0M0.1S", "P3Y" or "P4W" (weeks never mix with others)."""
    return value != "P" and _DURATION.fullmatch(value) is not None


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


_NOT_STRUCTURE = bytes(set(range(256)) - set(b'"[]{}'))
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in the JSON ``text`` (0 for a scalar), counted from its
    brackets outside strings without parsing it, so that no nesting can overflow the stack."""
    data = text.encode("utf-8", "surrogatepass")  # UTF-8: no multibyte sequence holds ASCII
    # Escaped backslashes, then escaped quotes, go first: every quote left opens or closes a
    # string, and what lies between a closing and the next opening one is outside strings.
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(data.translate(None, _NOT_STRUCTURE).split(b'"')[::2])
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def parse_json(text: str | bytes, *, max_depth: int | None = None) -> Any:
    """``json.loads`` as RFC 8259 has it: Python's own also takes NaN and Infinity, which no
    other xAPI party could read back. ValueError for text that is not JSON or nests too deep
    for the parser; with ``max_depth``, StatementInvalid (a ValueError) for arrays and objects
    nested deeper than that, found before parsing."""
    if isinstance(text, bytes | bytearray):
        text = text.decode(json.detect_encoding(text), "surrogatepass")  # as json.loads does
    if max_depth is not None and json_depth(text) > max_depth:
        raise StatementInvalid(f"nests arrays and objects deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError as exc:  # no max_depth: the parser's own limit
        raise ValueError("arrays and objects nest too deep to read") from exc

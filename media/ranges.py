"""HTTP Range requests on a file of known size (RFC 9110 §14). Pure: no ORM, no I/O.

Only single byte ranges are answered with 206. Anything else a server may ignore is ignored: no
header, another unit, a header that does not parse (§14.2: "a server MAY ignore the Range header
field") and several ranges (§14.2 lets a server answer those with the whole representation),
so the caller sends the whole file with 200.
"""

import re

# §14.1.2 ranges: "first-last", "first-" or "-suffix". Blanks around the numbers are tolerated.
BYTE_RANGE = re.compile(r"[ \t]*(?:([0-9]+)[ \t]*-[ \t]*([0-9]*)|-[ \t]*([0-9]+))[ \t]*")


class RangeNotSatisfiable(Exception):
    """No byte of the requested range exists in a file of ``size`` bytes (send 416)."""

    def __init__(self, size: int):
        self.size = size
        super().__init__(f"The requested range is not satisfiable in {size} bytes.")


def parse_byte_range(header: str | None, *, size: int) -> tuple[int, int] | None:
    """Inclusive (first, last) to send, or None for the whole file; raises RangeNotSatisfiable."""
    if header is None:
        return None
    unit, equals, range_set = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":  # range units are case-insensitive
        return None
    # §5.6.1: a list may contain empty elements ("bytes=0-9,"), which recipients skip.
    specs = [spec for spec in range_set.split(",") if spec.strip()]
    if len(specs) != 1:
        return None
    match = BYTE_RANGE.fullmatch(specs[0])
    if match is None:
        return None
    first_text, last_text, suffix_text = match.groups()
    if suffix_text is not None:
        suffix = int(suffix_text)
        # Content-Range cannot express an empty part ("bytes 0--1/0"): an empty file, like a
        # suffix of zero bytes, has no satisfiable range (§14.1.2).
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # §14.1.1: invalid, so ignored like any other invalid range
    if first >= size:
        raise RangeNotSatisfiable(size)
    last = int(last_text) if last_text else size - 1
    return first, min(last, size - 1)


def content_range(first: int, last: int, size: int) -> str:
    """The Content-Range value of a 206 answering bytes ``first``-``last`` of ``size``."""
    return f"bytes {first}-{last}/{size}"


def unsatisfied_content_range(size: int) -> str:
    """The Content-Range value of a 416 for a file of ``size`` bytes."""
    return f"bytes */{size}"

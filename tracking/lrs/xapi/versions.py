"""The X-Experience-API-Version header: which versions the LRS accepts and which it speaks."""

from typing import Final

from tracking.lrs.xapi.errors import StatementInvalid

SUPPORTED_VERSIONS: Final[tuple[str, ...]] = ("1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")
# What /about lists: "the latest minor and patch version the LRS conforms to, for each major
# version" (xAPI 1.0.3 Communication 2.8). Never "1.0": a header the LRS must accept as "1.0.0"
# (Communication 3.3), not a version, and clients refuse to parse it.
ABOUT_VERSIONS: Final[tuple[str, ...]] = ("1.0.3", "2.0.0")


def parse_version_header(value: str | None) -> str:
    """The X-Experience-API-Version header → "1.0.3" or "2.0.0" (what the server will speak).

    Raises StatementInvalid (path "X-Experience-API-Version") when missing or unsupported.
    """
    header = "X-Experience-API-Version"
    if value is None or not value.strip():
        raise StatementInvalid("the X-Experience-API-Version header is required", header)
    value = value.strip()
    if value not in SUPPORTED_VERSIONS:
        supported = ", ".join(SUPPORTED_VERSIONS)
        raise StatementInvalid(f"unsupported version {value!r} (supported: {supported})", header)
    return "2.0.0" if value.startswith("2.") else "1.0.3"


def about_versions(header: str | None) -> tuple[str, ...]:
    """The versions /about lists to a request whose X-Experience-API-Version is ``header``.

    A 1.0.x client hears of 1.0.3 only: xAPI 1.0.3's About may list nothing but 0.9, 0.95 and
    1.0.x (ADL conformance requirement XAPI-00316), and 1.0 clients refuse anything else
    (tincan 1.0's ``about()`` raises ValueError on "2.0.0"). Anyone else hears of all.
    """
    try:
        spoken = parse_version_header(header)
    except StatementInvalid:  # no header, or one we do not speak: the whole list
        return ABOUT_VERSIONS
    if spoken.startswith("1."):
        return tuple(v for v in ABOUT_VERSIONS if v.startswith("1."))
    return ABOUT_VERSIONS

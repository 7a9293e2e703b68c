"""The X-Experience-API-Version header: which versions the LRS accepts and which it speaks."""

from typing import Final

from tracking.lrs.xapi.errors import StatementInvalid

SUPPORTED_VERSIONS: Final[tuple[str, ...]] = ("1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")


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

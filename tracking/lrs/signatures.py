"""Signed statements (xAPI 1.0.3 Data 2.6): the form of the JWS in a signature attachment. Pure.

The LRS checks what the specification makes it check: the attachment is a JWS compact
serialisation, signed with RS256/384/512, whose payload is the statement itself. Checking the
signature against a trusted key is the consumer's business (the spec leaves trust out).
"""

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from tracking.lrs.xapi import StatementInvalid, parse_json, same_statement

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
ALGORITHMS = ("RS256", "RS384", "RS512")


def signature_attachments(statement: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """(position, attachment) of the statement's signature attachments."""
    return [
        (position, attachment)
        for position, attachment in enumerate(statement.get("attachments") or [])
        if attachment.get("usageType") == SIGNATURE_USAGE
    ]


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def check_signature(
    statement: Mapping[str, Any], *, attachment: Mapping[str, Any], jws: bytes, path: str
) -> None:
    """Raise StatementInvalid unless ``jws`` is a well-formed signature of ``statement``."""
    if attachment.get("contentType") != SIGNATURE_CONTENT_TYPE:
        raise StatementInvalid(
            f"A signature attachment's contentType must be {SIGNATURE_CONTENT_TYPE}.",
            f"{path}.contentType",
        )
    try:
        header_segment, payload_segment, signature_segment = jws.decode("ascii").split(".")
        header = parse_json(_b64url(header_segment))
        payload = parse_json(_b64url(payload_segment))
        _b64url(signature_segment)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise StatementInvalid("The signature is not a JWS compact serialisation.", path) from exc
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise StatementInvalid("The JWS must be signed with RS256, RS384 or RS512.", path)
    if not isinstance(payload, dict):
        raise StatementInvalid("The JWS payload must be the statement.", path)
    signed = dict(payload)
    if "id" not in signed and "id" in statement:
        signed["id"] = statement["id"]  # the id may have been assigned after signing
    try:
        same = same_statement(signed, statement)
    except (KeyError, TypeError, StatementInvalid):
        same = False
    if not same:
        raise StatementInvalid("The JWS payload is not this statement.", path)

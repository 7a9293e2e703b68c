"""multipart/mixed bodies of statements with attachments (xAPI 1.0.3 Data 2.4.11). Pure; its
messages are lazy translations, said in the language of the request that gets them."""

import email.message
import email.parser
import email.policy
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tracking.lrs.xapi.syntax import parse_json


class MultipartInvalid(ValueError):
    """The body breaks the attachment rules; ``message`` says how, ``path`` where."""

    def __init__(self, message: str | Promise, path: str = "body"):
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass(frozen=True)
class AttachmentPart:
    sha2: str
    content_type: str
    content: bytes


def parse_statement_body(content_type: str, body: bytes) -> tuple[Any, dict[str, AttachmentPart]]:
    """Split a multipart/mixed statement request into its JSON statements and attachment parts
    keyed by SHA-2. Each part must say its hash (X-Experience-API-Hash) and match it (SHA-256,
    -384 or -512 by the hash's length), and travel as binary."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise MultipartInvalid(_("The multipart body has no parts."))
    parts = list(message.iter_parts())
    if not parts:
        raise MultipartInvalid(_("The multipart body has no parts."))
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise MultipartInvalid(_("The first part must be the statements, as application/json."))
    try:
        statements = parse_json(_payload(first) or b"null")
    except ValueError as exc:
        raise MultipartInvalid(
            format_lazy(_("The statements part is not valid JSON: {error}"), error=exc)
        ) from exc
    attachments: dict[str, AttachmentPart] = {}
    for index, part in enumerate(parts[1:], start=1):
        path = f"part[{index}]"
        sha2 = (part.get("X-Experience-API-Hash") or "").strip().lower()
        if not sha2:
            raise MultipartInvalid(_("Each attachment part needs an X-Experience-API-Hash."), path)
        encoding = (part.get("Content-Transfer-Encoding") or "binary").strip().lower()
        if encoding != "binary":
            raise MultipartInvalid(
                _("Attachment parts must use Content-Transfer-Encoding: binary."), path
            )
        content = _payload(part)
        if _digest(sha2, content) != sha2:
            raise MultipartInvalid(
                _("The attachment does not match its X-Experience-API-Hash."), path
            )
        attachments[sha2] = AttachmentPart(sha2, part.get_content_type(), content)
    return statements, attachments


def _payload(part: email.message.Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _digest(sha2: str, content: bytes) -> str:
    algorithm = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}.get(len(sha2))
    return algorithm(content).hexdigest() if algorithm else ""


def check_attachments(
    statements: Sequence[Mapping[str, Any]], parts: Mapping[str, AttachmentPart]
) -> None:
    """Every attachment without a fileUrl has its part, and every part belongs to a statement."""
    declared = set()
    for index, statement in enumerate(statements):
        for position, attachment in enumerate(statement.get("attachments") or []):
            sha2 = str(attachment.get("sha2", "")).lower()
            declared.add(sha2)
            if "fileUrl" not in attachment and sha2 not in parts:
                raise MultipartInvalid(
                    _("An attachment has neither a fileUrl nor a part with its content."),
                    f"[{index}].attachments[{position}]",
                )
    if stray := set(parts) - declared:
        raise MultipartInvalid(
            format_lazy(
                _("Parts no statement declares as an attachment: {hashes}."),
                hashes=", ".join(sorted(stray)),
            )
        )


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment to send back: its hash, type, and how to open its bytes (read in chunks)."""

    sha2: str
    content_type: str
    open: Callable[[], IO[bytes]]


CHUNK_BYTES = 64 * 1024


def multipart_response(
    document: Any, attachments: Sequence[StoredAttachment]
) -> tuple[str, Iterator[bytes]]:
    """(Content-Type, body chunks) of a GET answer with ``attachments=true``. The attachments are
    read from storage a chunk at a time while the answer is sent, never held whole."""
    boundary = uuid.uuid4().hex

    def chunks() -> Iterator[bytes]:
        yield f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
        yield json.dumps(document).encode() + b"\r\n"
        for attachment in attachments:
            yield (
                f"--{boundary}\r\nContent-Type: {attachment.content_type}\r\n"
                "Content-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {attachment.sha2}\r\n\r\n"
            ).encode()
            with attachment.open() as file:
                while chunk := file.read(CHUNK_BYTES):
                    yield chunk
            yield b"\r\n"
        yield f"--{boundary}--\r\n".encode()

    return f'multipart/mixed; boundary="{boundary}"', chunks()

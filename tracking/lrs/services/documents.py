"""State, Activity Profile and Agent Profile documents (xAPI 1.0.3 Communication §2.3, §2.6-2.8).

A document is addressed by its kind, the activity and/or agent, an optional registration (State
only) and its id. PUT replaces, POST merges JSON objects, DELETE removes; concurrency follows
the spec's ETag rules (If-Match / If-None-Match, 409 when a profile is overwritten blindly).
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.exceptions import ApplicationError
from tracking.lrs.exceptions import XapiBadRequest
from tracking.lrs.models import Document
from tracking.lrs.selectors import DocumentKey, documents_under
from tracking.lrs.xapi import parse_json

JSON_TYPE = "application/json"


class DocumentPreconditionFailed(ApplicationError):
    """If-Match / If-None-Match did not hold (412)."""

    code = "precondition_failed"
    status_code = 412
    message = _("The document changed (or exists) contrary to the request's precondition.")


class DocumentConflict(ApplicationError):
    """A document overwritten without If-Match or If-None-Match (409, xAPI 1.0.3 Communication
    3.1: the answer explains that the client should check the resource and send its ETag)."""

    code = "document_conflict"
    status_code = 409
    message = _(
        "The document already exists: read its current state and send If-Match with its ETag "
        "to replace it."
    )


@dataclass(frozen=True)
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None


def _etag(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _check(
    existing: Document | None, preconditions: Preconditions, *, blind_conflicts: bool
) -> None:
    if preconditions.if_match is not None:
        tags = {t.strip().strip('"') for t in preconditions.if_match.split(",")}
        if existing is None or not ({"*", existing.etag} & tags):
            raise DocumentPreconditionFailed()
    if preconditions.if_none_match is not None:
        tags = {t.strip().strip('"') for t in preconditions.if_none_match.split(",")}
        if existing is not None and ({"*", existing.etag} & tags):
            raise DocumentPreconditionFailed()
    blind = preconditions.if_match is None and preconditions.if_none_match is None
    if blind and existing is not None and blind_conflicts:
        raise DocumentConflict()


def _is_json_object(content: bytes) -> dict[str, Any] | None:
    try:
        value = parse_json(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _check_lengths(key: DocumentKey, document_id: str, content_type: str) -> None:
    """A value too long for its column is a 400 that names it, not an error of the database."""
    for name, value, column in (
        ("activityId", key.activity_id, "activity_id"),
        ("agent", key.agent_ifi, "agent_ifi"),
        ("stateId/profileId", document_id, "document_id"),
        ("Content-Type", content_type, "content_type"),
    ):
        limit = getattr(Document._meta.get_field(column), "max_length", None) or 0
        if len(value) > limit:
            raise XapiBadRequest(
                _("%(name)s must not be longer than %(limit)d characters.")
                % {"name": name, "limit": limit},
                extra={"path": name},
            )


@transaction.atomic
def document_put(
    *,
    key: DocumentKey,
    document_id: str,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
    blind_conflicts: bool,
) -> Document:
    """Create or replace a document. ``blind_conflicts``: refuse (409) to overwrite an existing
    document when neither If-Match nor If-None-Match is given; a blind PUT of a new document
    creates it (xAPI 1.0.3 Communication 3.1 asks for 409 only "for a resource that already
    exists")."""
    _check_lengths(key, document_id, content_type)
    existing = documents_under(key).select_for_update().filter(document_id=document_id).first()
    _check(existing, preconditions, blind_conflicts=blind_conflicts)
    return _save(
        existing, key=key, document_id=document_id, content=content, content_type=content_type
    )


@transaction.atomic
def document_merge(
    *,
    key: DocumentKey,
    document_id: str,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> Document:
    """POST: merge a JSON object into the stored JSON object (top-level keys, new values win);
    store the document as it is when there is none. Either side not JSON: 400."""
    _check_lengths(key, document_id, content_type)
    if content_type == JSON_TYPE and _is_json_object(content) is None:
        raise XapiBadRequest(_("The document is not a JSON object."), extra={"path": "body"})
    existing = documents_under(key).select_for_update().filter(document_id=document_id).first()
    _check(existing, preconditions, blind_conflicts=False)
    if existing is None:
        return _save(
            None, key=key, document_id=document_id, content=content, content_type=content_type
        )
    incoming = _is_json_object(content) if content_type == JSON_TYPE else None
    stored = (
        _is_json_object(bytes(existing.content)) if existing.content_type == JSON_TYPE else None
    )
    if incoming is None or stored is None:
        raise XapiBadRequest(
            _("POST merges JSON objects only: the stored document or this one is not JSON."),
            extra={"path": "body"},
        )
    merged = json.dumps({**stored, **incoming}).encode()
    return _save(existing, key=key, document_id=document_id, content=merged, content_type=JSON_TYPE)


def _save(
    existing: Document | None,
    *,
    key: DocumentKey,
    document_id: str,
    content: bytes,
    content_type: str,
) -> Document:
    now = timezone.now()
    if existing is not None:
        existing.content, existing.content_type = content, content_type
        existing.etag, existing.updated = _etag(content), now
        existing.save(update_fields=["content", "content_type", "etag", "updated"])
        return existing
    try:
        with transaction.atomic():
            return Document.objects.create(
                document_id=document_id,
                content=content,
                content_type=content_type,
                etag=_etag(content),
                updated=now,
                **key.filter(),
            )
    except IntegrityError as exc:  # created concurrently: the caller's precondition is stale
        raise DocumentPreconditionFailed() from exc


@transaction.atomic
def document_delete(
    *, key: DocumentKey, document_id: str | None, preconditions: Preconditions
) -> None:
    """Delete one document, or (State only, no id) every document under ``key``."""
    documents = documents_under(key)
    if document_id is None:
        documents.delete()
        return
    existing = documents.select_for_update().filter(document_id=document_id).first()
    _check(existing, preconditions, blind_conflicts=False)
    if existing is not None:
        existing.delete()

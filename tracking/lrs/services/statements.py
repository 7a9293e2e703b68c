"""Storing and querying xAPI statements (xAPI 1.0.3 §2.1 Statement resource)."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from lms.db import rows_insert
from tracking.lrs.exceptions import LrsForbidden, StatementConflict, XapiBadRequest
from tracking.lrs.models import (
    Attachment,
    LrsClient,
    Statement,
    StatementActivity,
    StatementAgent,
    StatementOutbox,
)
from tracking.lrs.multipart import (
    AttachmentPart,
    MultipartInvalid,
    check_attachments,
)
from tracking.lrs.outbox import statement_facts
from tracking.lrs.services.principals import LrsPrincipal, emitted_by_engine_extension
from tracking.lrs.signals import statements_stored
from tracking.lrs.signatures import check_signature, signature_attachments
from tracking.lrs.xapi import (
    VOIDED_VERB,
    StatementInvalid,
    agent_ifi,
    normalise_statement,
    same_statement,
    statement_activities,
    statement_agents,
    validate_statement,
)


def xapi_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, the form the LRS writes (stored, headers)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _invalid(error: StatementInvalid) -> XapiBadRequest:
    return XapiBadRequest(error.message, extra={"path": error.path})


def _parse_timestamp(value: str, default: datetime) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _index_columns(statement: Mapping[str, Any]) -> dict[str, Any]:
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    registration = statement.get("context", {}).get("registration")
    return {
        "actor_ifi": agent_ifi(statement["actor"]) if _identified(statement["actor"]) else "",
        "verb_id": statement["verb"]["id"],
        "object_activity_id": target["id"] if kind == "Activity" else "",
        "object_agent_ifi": agent_ifi(target)
        if kind in ("Agent", "Group") and _identified(target)
        else "",
        "object_statement_id": uuid.UUID(target["id"]) if kind == "StatementRef" else None,
        "registration": uuid.UUID(registration) if registration else None,
        "is_voiding": statement["verb"]["id"] == VOIDED_VERB,
    }


def _identified(agent: Mapping[str, Any]) -> bool:
    return any(key in agent for key in ("mbox", "mbox_sha1sum", "openid", "account"))


@dataclass(frozen=True)
class PreparedStatement:
    payload: dict[str, Any]
    id: uuid.UUID


def prepare_statement(
    raw: Any, *, path: str, version: str, authority: Mapping[str, Any], stored: str
) -> PreparedStatement:
    """The statement as the LRS stores it: validated (XapiBadRequest otherwise), normalised,
    with its id (a new one when it has none), ``stored``, ``authority``, and the defaults."""
    try:
        validate_statement(raw, version=version, path=path)
    except StatementInvalid as error:
        raise _invalid(error) from error
    payload = normalise_statement(raw)
    statement_id = uuid.UUID(payload["id"]) if "id" in payload else uuid.uuid4()
    payload["id"] = str(statement_id)
    payload["stored"] = stored
    payload["authority"] = dict(authority)  # the LRS sets the authority (xAPI §2.4.9)
    payload.setdefault("timestamp", stored)
    payload.setdefault("version", "1.0.0")
    return PreparedStatement(payload=payload, id=statement_id)


@dataclass(frozen=True)
class StatementRows:
    statements: list[Statement]
    activities: list[StatementActivity]
    agents: list[StatementAgent]
    outbox: list[StatementOutbox]  # what the progress engine will apply


def statement_rows(
    *, prepared: Sequence[PreparedStatement], stored: datetime, client: LrsClient | None
) -> StatementRows:
    """The unsaved rows that store prepared statements: each statement with its query columns,
    and the links ``related_activities`` and ``related_agents`` queries use."""
    marker = emitted_by_engine_extension()
    statements = [
        Statement(
            id=item.id,
            payload=item.payload,
            timestamp=_parse_timestamp(item.payload["timestamp"], stored),
            stored=stored,
            client=client,
            **_index_columns(item.payload),
        )
        for item in prepared
    ]
    return StatementRows(
        statements=statements,
        activities=[
            StatementActivity(statement_id=row.id, activity_id=activity)
            for row in statements
            for activity in sorted(statement_activities(row.payload))
        ],
        agents=[
            StatementAgent(statement_id=row.id, agent_ifi=ifi)
            for row in statements
            for ifi in sorted(statement_agents(row.payload))
        ],
        outbox=[
            StatementOutbox(
                statement_id=row.id,
                stored=row.stored,
                **statement_facts(row.payload, marker=marker),
            )
            for row in statements
        ],
    )


@transaction.atomic
def statements_store(
    *,
    statements: Sequence[Any],
    principal: LrsPrincipal,
    version: str,
    statement_id: uuid.UUID | None = None,
    attachments: Mapping[str, AttachmentPart] | None = None,
) -> list[uuid.UUID]:
    """Validate and store statements, all or none (one bad statement stores nothing and says
    which one and why). Returns their ids in order.

    A learner (session) may only send statements about themselves (LrsForbidden otherwise).
    Idempotent per id: a statement already stored with the same content is accepted and left
    as it is; with different content it is a StatementConflict (409). Voiding statements mark
    their target voided; voiding a voiding statement is refused. Each new statement gets a
    row in the progress engine's outbox (``StatementOutbox``).
    """
    now = timezone.now()
    stored = xapi_timestamp(now)
    batch = statement_id is None
    prepared = []
    for index, raw in enumerate(statements):
        if statement_id is not None and isinstance(raw, dict):
            if "id" in raw and str(raw["id"]).lower() != str(statement_id):
                raise XapiBadRequest(
                    "The statement id differs from the statementId parameter.",
                    extra={"path": "id"},
                )
            raw = {**raw, "id": str(statement_id)}
        path = f"[{index}]" if batch and len(statements) > 1 else ""
        prepared.append(
            prepare_statement(
                raw, path=path, version=version, authority=principal.authority, stored=stored
            )
        )
    if principal.learner_ifi is not None and any(
        _index_columns(p.payload)["actor_ifi"] != principal.learner_ifi for p in prepared
    ):
        raise LrsForbidden("You can only send statements about yourself.")

    try:
        check_attachments([p.payload for p in prepared], attachments or {})
    except MultipartInvalid as error:
        raise XapiBadRequest(error.message, extra={"path": error.path}) from error
    _check_signatures(prepared, attachments or {})

    ids = [p.id for p in prepared]
    if len(set(ids)) != len(ids):
        raise XapiBadRequest(
            "The same statement id appears twice in the batch.", extra={"path": "id"}
        )
    existing = {s.id: s for s in Statement.objects.filter(pk__in=ids)}
    new = []
    for item in prepared:
        if (already := existing.get(item.id)) is not None:
            if not same_statement(already.payload, item.payload):
                raise StatementConflict(extra={"statement_id": str(item.id)})
            continue
        new.append(item)

    _check_voiding([p.payload for p in new])
    rows = statement_rows(prepared=new, stored=now, client=principal.client)
    for table in (rows.statements, rows.activities, rows.agents, rows.outbox):
        rows_insert(table)
    _store_attachments(attachments or {})
    voided_targets = [
        uuid.UUID(p.payload["object"]["id"]) for p in new if p.payload["verb"]["id"] == VOIDED_VERB
    ]
    if voided_targets:
        Statement.objects.filter(pk__in=voided_targets, is_voiding=False).update(voided=True)
    if new:
        # The outbox rows are what counts; the signal only wakes their consumer up (so would
        # its periodic sweep): a receiver's error must not fail the request that stored them.
        transaction.on_commit(_announce_stored, robust=True)
    return ids


def _announce_stored() -> None:
    statements_stored.send(sender=Statement)


def _check_signatures(
    prepared: Sequence[PreparedStatement], attachments: Mapping[str, AttachmentPart]
) -> None:
    for index, item in enumerate(prepared):
        for position, attachment in signature_attachments(item.payload):
            part = attachments.get(str(attachment.get("sha2", "")).lower())
            if part is None:
                continue  # a fileUrl signature: nothing to check here
            try:
                check_signature(
                    item.payload,
                    attachment=attachment,
                    jws=part.content,
                    path=f"[{index}].attachments[{position}]",
                )
            except StatementInvalid as error:
                raise _invalid(error) from error


def _store_attachments(parts: Mapping[str, AttachmentPart]) -> None:
    """Keep each attachment's bytes once (by SHA-2) in file storage, whoever sends them again."""
    if not parts:
        return
    known = set(Attachment.objects.filter(sha2__in=parts).values_list("sha2", flat=True))
    for sha2, part in parts.items():
        if sha2 in known:
            continue
        attachment = Attachment(sha2=sha2, content_type=part.content_type, length=len(part.content))
        attachment.content.save(sha2, ContentFile(part.content), save=False)
        attachment.save()


def _check_voiding(payloads: list[dict[str, Any]]) -> None:
    targets = {}
    for payload in payloads:
        if payload["verb"]["id"] != VOIDED_VERB:
            continue
        target = payload["object"]
        if target.get("objectType") != "StatementRef":
            raise XapiBadRequest(
                "A voiding statement's object must be a StatementRef.", extra={"path": "object"}
            )
        targets[uuid.UUID(target["id"])] = payload["id"]
    if targets and Statement.objects.filter(pk__in=targets, is_voiding=True).exists():
        raise XapiBadRequest("A voiding statement cannot be voided.", extra={"path": "object.id"})

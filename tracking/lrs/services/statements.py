"""Storing and querying xAPI statements (xAPI 1.0.3 §2.1 Statement resource)."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lms.db import rows_insert
from tracking.lrs.exceptions import (
    LrsForbidden,
    StatementConflict,
    VoidingForbidden,
    XapiBadRequest,
)
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
    StorageLimits,
    agent_ifi,
    normalise_statement,
    same_statement,
    statement_activities,
    statement_agents,
    validate_statement,
)

# What the platform emits about a learner with no engine marker (tracking.progress's
# ``registered_statement``): the LRS cannot import its vocabulary.
REGISTERED_VERB = "http://adlnet.gov/expapi/verbs/registered"


def xapi_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, the form the LRS writes (stored, headers)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _column_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    if not isinstance(field, models.CharField) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} is not a column of bounded length")
    return field.max_length


def storage_limits() -> StorageLimits:
    """What the statement tables hold: the lengths are the columns' own, so that a value too long
    for them is a 400 that names its property rather than an error of the database."""
    return StorageLimits(
        max_depth=settings.XAPI_MAX_DEPTH,
        verb_id=_column_length(Statement, "verb_id"),
        activity_id=min(
            _column_length(Statement, "object_activity_id"),
            _column_length(StatementActivity, "activity_id"),
        ),
        agent_ifi=min(
            _column_length(Statement, "actor_ifi"),
            _column_length(Statement, "object_agent_ifi"),
            _column_length(StatementAgent, "agent_ifi"),
        ),
    )


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
    raw: Any,
    *,
    path: str,
    version: str,
    authority: Mapping[str, Any],
    stored: str,
    limits: StorageLimits | None = None,
) -> PreparedStatement:
    """The statement as the LRS stores it: validated, within ``limits`` (``storage_limits()``
    when not given; XapiBadRequest otherwise), normalised, with its id (a new one when it has
    none), ``stored``, ``authority``, and the defaults."""
    try:
        validate_statement(raw, version=version, path=path, limits=limits or storage_limits())
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
            sequence=position,
            client=client,
            **_index_columns(item.payload),
        )
        for position, item in enumerate(prepared)
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
                sequence=row.sequence,
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
    their target voided; voiding a voiding statement is refused, and so is voiding another
    writer's statement unless staff do it (VoidingForbidden, 403). Each new statement gets a
    row in the progress engine's outbox (``StatementOutbox``).
    """
    now = timezone.now()
    # Kept at the precision it is printed with, so that since/until at a printed value are exact.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    stored = xapi_timestamp(now)
    limits = storage_limits()
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
                raw,
                path=path,
                version=version,
                authority=principal.authority,
                stored=stored,
                limits=limits,
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
    _check_attachment_types(attachments or {})

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

    _check_voiding([p.payload for p in new], principal)
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


def _check_attachment_types(parts: Mapping[str, AttachmentPart]) -> None:
    longest = _column_length(Attachment, "content_type")
    for sha2, part in parts.items():
        if len(part.content_type) > longest:
            raise XapiBadRequest(
                format_lazy(
                    _(
                        "An attachment part's Content-Type is longer than the {length} characters "
                        "this LRS stores."
                    ),
                    length=longest,
                ),
                extra={"path": "Content-Type", "sha2": sha2},
            )


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


def _check_voiding(payloads: list[dict[str, Any]], principal: LrsPrincipal) -> None:
    """Refuse voidings with no StatementRef, of voiding statements (400), or of statements the
    principal may not void (VoidingForbidden). A target not stored (nor in the batch) is let
    through: the voiding is stored and voids nothing."""
    targets = []
    for payload in payloads:
        if payload["verb"]["id"] != VOIDED_VERB:
            continue
        target = payload["object"]
        if target.get("objectType") != "StatementRef":
            raise XapiBadRequest(
                "A voiding statement's object must be a StatementRef.", extra={"path": "object"}
            )
        targets.append(uuid.UUID(target["id"]))
    if not targets:
        return
    stored = {
        row.id: row
        for row in Statement.objects.filter(pk__in=targets).only(
            "id", "is_voiding", "client_id", "actor_ifi", "verb_id", "payload"
        )
    }
    if any(row.is_voiding for row in stored.values()):
        raise XapiBadRequest("A voiding statement cannot be voided.", extra={"path": "object.id"})
    if principal.is_staff or (principal.client is None and principal.learner_ifi is None):
        return  # staff, or the platform's own code
    batch = {uuid.UUID(p["id"]): p for p in payloads}
    for target_id in targets:
        if (row := stored.get(target_id)) is not None:
            writer, actor, verb, payload = row.client_id, row.actor_ifi, row.verb_id, row.payload
        elif target_id in batch:  # written by this same request
            payload = batch[target_id]
            writer = principal.client.pk if principal.client is not None else None
            actor, verb = _index_columns(payload)["actor_ifi"], payload["verb"]["id"]
        else:
            continue
        if not _may_void(principal, writer=writer, actor=actor, verb=verb, payload=payload):
            raise VoidingForbidden(extra={"statement_id": str(target_id)})


def _may_void(
    principal: LrsPrincipal,
    *,
    writer: uuid.UUID | None,
    actor: str,
    verb: str,
    payload: Mapping[str, Any],
) -> bool:
    """Only a statement's writer voids it: the same client, or the same learner's session for
    what that session wrote (no client, the learner as actor). The platform also writes with no
    client and the learner as actor; what it wrote is not the learner's to void."""
    if principal.client is not None:
        return writer == principal.client.pk
    if writer is not None or actor != principal.learner_ifi:
        return False
    extensions = (payload.get("context") or {}).get("extensions") or {}
    return verb != REGISTERED_VERB and emitted_by_engine_extension() not in extensions

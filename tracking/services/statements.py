"""Storing and querying xAPI statements (xAPI 1.0.3 §2.1 Statement resource)."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lms.db import rows_insert
from lms.exceptions import NotFound
from lms.wakeups import wake_later
from tracking.credit import statement_facts
from tracking.exceptions import LrsForbidden, StatementConflict, XapiBadRequest
from tracking.models import (
    Attachment,
    LrsClient,
    ProgressOutbox,
    Statement,
    StatementActivity,
    StatementAgent,
)
from tracking.multipart import (
    AttachmentPart,
    MultipartInvalid,
    StoredAttachment,
    check_attachments,
)
from tracking.params import agent_ifi_param, bool_param, time_param, uuid_param
from tracking.services.principals import LrsPrincipal, emitted_by_engine_extension
from tracking.signatures import check_signature, signature_attachments
from tracking.xapi import (
    VOIDED_VERB,
    StatementInvalid,
    agent_ifi,
    normalise_statement,
    same_statement,
    statement_activities,
    statement_agents,
    validate_statement,
)

MORE_SALT = "tracking.statements.more"


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
    outbox: list[ProgressOutbox]  # what the progress engine will apply


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
            ProgressOutbox(
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
    row in the progress engine's outbox (``ProgressOutbox``).
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
        # The outbox rows are what counts; this only wakes the engine up (so would the sweep).
        transaction.on_commit(_kick_progress, robust=True)  # a lost kick: the sweep drains
    return ids


def _kick_progress() -> None:
    from tracking.tasks import progress_drain_task

    # A moment later: what arrives meanwhile is applied in the same batch, which costs the
    # database and the worker far less than one drain per request.
    wake_later(progress_drain_task, delay=settings.PROGRESS_DRAIN_DELAY_SECONDS)


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


def statement_attachments(*, statements: Sequence[Mapping[str, Any]]) -> list[StoredAttachment]:
    """The stored attachments the statements refer to, for ``attachments=true`` answers; their
    bytes are opened from storage only when the answer is sent."""
    wanted = {
        str(a.get("sha2", "")).lower()
        for statement in statements
        for a in statement.get("attachments") or []
    }
    return [
        StoredAttachment(attachment.sha2, attachment.content_type, partial(_open, attachment))
        for attachment in Attachment.objects.filter(sha2__in=wanted).order_by("sha2")
    ]


def _open(attachment: Attachment) -> IO[bytes]:
    return attachment.content.open("rb")


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


# --- reading ------------------------------------------------------------------------------

QUERY_PARAMETERS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}


@dataclass
class StatementPage:
    statements: list[dict[str, Any]]
    more: str  # "" when this is the last page


def _scope(principal: LrsPrincipal) -> QuerySet[Statement]:
    """What the principal may read: everything, what its client stored, or (a learner) the
    statements about themselves."""
    if principal.read_scope == LrsClient.ReadScope.NONE:
        raise LrsForbidden()
    statements = Statement.objects.all()
    if principal.learner_ifi is not None:
        return statements.filter(actor_ifi=principal.learner_ifi)
    if principal.read_scope == LrsClient.ReadScope.MINE:
        return statements.filter(client=principal.client)
    return statements


def statement_get(*, principal: LrsPrincipal, statement_id: uuid.UUID, voided: bool) -> Statement:
    """One statement by ``statementId`` (not voided) or ``voidedStatementId`` (voided only)."""
    statement = _scope(principal).filter(pk=statement_id, voided=voided).first()
    if statement is None:
        raise NotFound("No such statement.")
    return statement


def _matching(params: Mapping[str, str], statements: QuerySet[Statement]) -> QuerySet[Statement]:
    """The statements that meet the identity filters (agent, verb, activity, registration),
    voided ones included: a statement that targets a matching one meets them too."""
    if "agent" in params:
        ifi = agent_ifi_param(params)
        if bool_param(params, "related_agents"):
            agent_links = StatementAgent.objects.filter(statement=OuterRef("pk"), agent_ifi=ifi)
            statements = statements.filter(Exists(agent_links))
        else:
            statements = statements.filter(Q(actor_ifi=ifi) | Q(object_agent_ifi=ifi))
    if "verb" in params:
        statements = statements.filter(verb_id=params["verb"])
    if "activity" in params:
        if bool_param(params, "related_activities"):
            activity_links = StatementActivity.objects.filter(
                statement=OuterRef("pk"), activity_id=params["activity"]
            )
            statements = statements.filter(Exists(activity_links))
        else:
            statements = statements.filter(object_activity_id=params["activity"])
    if "registration" in params:
        statements = statements.filter(registration=uuid_param(params, "registration"))
    return statements


IDENTITY_FILTERS = ("agent", "verb", "activity", "registration")


def _filtered(params: Mapping[str, str], scoped: QuerySet[Statement]) -> QuerySet[Statement]:
    """Communication 2.1.3: the filters, where a statement whose object is a StatementRef also
    meets the identity filters when the statement it targets does (voided or not; so voiding
    statements show up in the queries their target matches). Voided statements never return."""
    statements = scoped
    if any(name in params for name in IDENTITY_FILTERS):
        matching = _matching(params, scoped)
        # The statements that target a match are looked up first, through the partial index of
        # StatementRef objects: an OR with a subquery would make PostgreSQL scan the table.
        # They are few (mostly voiding statements), usually none.
        targeting = list(
            scoped.filter(
                object_statement_id__isnull=False, object_statement_id__in=matching.values("pk")
            ).values_list("pk", flat=True)
        )
        statements = matching | scoped.filter(pk__in=targeting) if targeting else matching
    statements = statements.filter(voided=False)
    if (since := time_param(params, "since")) is not None:
        statements = statements.filter(stored__gt=since)
    if (until := time_param(params, "until")) is not None:
        statements = statements.filter(stored__lte=until)
    return statements


def statements_query(
    *, principal: LrsPrincipal, params: Mapping[str, str], more: str = ""
) -> StatementPage:
    """A page of statements matching the xAPI query parameters, newest first unless
    ``ascending``; ``more`` continues a previous query where it stopped, stable while new
    statements arrive (the cursor is the last (stored, id) returned)."""
    cursor: dict[str, Any] = {}
    if more:
        try:
            cursor = signing.loads(more, salt=MORE_SALT)
        except signing.BadSignature as exc:
            raise XapiBadRequest("The more link is not valid.", extra={"path": "more"}) from exc
        params = cursor["params"]
    unknown = set(params) - QUERY_PARAMETERS
    if unknown:
        raise XapiBadRequest(
            f"Unknown parameter(s): {', '.join(sorted(unknown))}.",
            extra={"path": sorted(unknown)[0]},
        )
    ascending = bool_param(params, "ascending")
    try:
        limit = int(params.get("limit", "0"))
    except ValueError as exc:
        raise XapiBadRequest("limit must be a whole number.", extra={"path": "limit"}) from exc
    if limit < 0:
        raise XapiBadRequest("limit must not be negative.", extra={"path": "limit"})
    page_size = min(limit or settings.LRS_PAGE_SIZE, settings.LRS_PAGE_SIZE)

    statements = _filtered(params, _scope(principal))
    order = ("stored", "id") if ascending else ("-stored", "-id")
    if cursor:
        last_stored = datetime.fromisoformat(cursor["stored"])
        last_id = uuid.UUID(cursor["id"])
        if ascending:
            statements = statements.filter(
                Q(stored__gt=last_stored) | Q(stored=last_stored, id__gt=last_id)
            )
        else:
            statements = statements.filter(
                Q(stored__lt=last_stored) | Q(stored=last_stored, id__lt=last_id)
            )
    rows = list(statements.order_by(*order).values_list("id", "stored", "payload")[: page_size + 1])
    next_token = ""
    if len(rows) > page_size:  # there is at least one more: the next page starts after this one
        last_id, last_stored, _payload = rows[page_size - 1]
        next_token = signing.dumps(
            {"params": dict(params), "stored": last_stored.isoformat(), "id": str(last_id)},
            salt=MORE_SALT,
        )
    return StatementPage(
        statements=[payload for _id, _stored, payload in rows[:page_size]], more=next_token
    )


def activity_get(*, activity_id: str) -> dict[str, Any]:
    """The Activity object for an id (Communication 2.5): everything the statements about it
    said of it, merged (language maps gain every language; other properties take the latest)."""
    payloads = (
        Statement.objects.filter(
            object_activity_id=activity_id, payload__object__has_key="definition"
        )
        .order_by("stored")
        .values_list("payload", flat=True)
        .iterator()
    )
    definition: dict[str, Any] = {}
    for payload in payloads:
        for key, value in (payload["object"].get("definition") or {}).items():
            if key in ("name", "description", "extensions") and isinstance(value, dict):
                definition[key] = {**definition.get(key, {}), **value}
            else:
                definition[key] = value
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def person_for(*, agent: Mapping[str, Any]) -> dict[str, Any]:
    """The Person object for an agent (xAPI §2.6 Agents resource): the LRS does not link
    identities across agents, so the Person carries this agent's own name and identifier."""
    person: dict[str, Any] = {"objectType": "Person"}
    for key in ("name", "mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return person

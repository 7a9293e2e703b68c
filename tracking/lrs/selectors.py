"""Reads of the LRS: statements (xAPI 1.0.3 §2.1 GET), activities, agents, documents."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet

from lms.exceptions import NotFound
from tracking.lrs.exceptions import LrsForbidden, XapiBadRequest
from tracking.lrs.models import (
    Attachment,
    Document,
    LrsClient,
    Statement,
    StatementActivity,
    StatementAgent,
)
from tracking.lrs.multipart import StoredAttachment
from tracking.lrs.params import agent_ifi_param, bool_param, time_param, uuid_param
from tracking.lrs.services.principals import LrsPrincipal

MORE_SALT = "tracking.statements.more"

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
    # Only what the answer needs: a timestamp column stored before its range was checked may be
    # outside what Python reads (after 9999 in UTC).
    statement = (
        _scope(principal).filter(pk=statement_id, voided=voided).only("payload", "stored").first()
    )
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


# --- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentKey:
    kind: str
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str = ""

    def filter(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "activity_id": self.activity_id,
            "agent_ifi": self.agent_ifi,
            "registration": self.registration,
        }


def documents_under(key: DocumentKey) -> QuerySet[Document]:
    return Document.objects.filter(**key.filter())


def document_get(*, key: DocumentKey, document_id: str) -> Document:
    """One document; NotFound (404) when there is none."""
    document = documents_under(key).filter(document_id=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document


def document_ids(*, key: DocumentKey, since: datetime | None = None) -> list[str]:
    """The ids of the documents under ``key`` (updated after ``since`` when given)."""
    documents = documents_under(key)
    if since is not None:
        documents = documents.filter(updated__gt=since)
    return list(documents.order_by("updated", "document_id").values_list("document_id", flat=True))

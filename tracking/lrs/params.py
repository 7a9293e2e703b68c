"""Query parameters of xAPI requests: each parsed one way, a 400 that says which when invalid."""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from tracking.lrs.exceptions import XapiBadRequest
from tracking.lrs.xapi import StatementInvalid, agent_ifi, parse_json, validate_agent


def bool_param(params: Mapping[str, str], name: str) -> bool:
    """``true`` or ``false`` (default false)."""
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise XapiBadRequest(f"{name} must be true or false.", extra={"path": name})
    return value == "true"


def uuid_param(params: Mapping[str, str], name: str) -> uuid.UUID:
    """A UUID (the parameter must be there)."""
    try:
        return uuid.UUID(params.get(name, ""))
    except ValueError as exc:
        raise XapiBadRequest(f"{name} must be a UUID.", extra={"path": name}) from exc


def time_param(params: Mapping[str, str], name: str) -> datetime | None:
    """An ISO 8601 timestamp (UTC when it has no offset), or None when absent."""
    if name not in params:
        return None
    try:
        moment = datetime.fromisoformat(params.get(name, ""))
    except ValueError as exc:
        raise XapiBadRequest(
            f"{name} must be an ISO 8601 timestamp.", extra={"path": name}
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def agent_ifi_param(params: Mapping[str, str]) -> str:
    """The identity of the ``agent`` parameter: an Agent or identified Group as JSON."""
    if not params.get("agent"):
        raise XapiBadRequest("The agent parameter is required.", extra={"path": "agent"})
    try:
        agent = parse_json(params.get("agent", ""))
        validate_agent(agent, path="agent")
        return agent_ifi(agent)
    except StatementInvalid as error:  # before ValueError: it is one
        raise XapiBadRequest(error.message, extra={"path": error.path}) from error
    except ValueError as exc:
        raise XapiBadRequest("agent must be JSON.", extra={"path": "agent"}) from exc

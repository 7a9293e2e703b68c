"""Who and what a statement names: canonical agent identities, related agents and activities.

These functions expect statements that already passed :func:`validate_statement`.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from tracking.lrs.xapi.errors import StatementInvalid


def agent_ifi(agent: Mapping[str, Any]) -> str:
    """A canonical key for the agent's (or identified group's) identity, equal for equal agents.

    "mbox:mailto:ann@example.it", "mbox_sha1sum:<lowercase hex>", "openid:<uri>" or
    "account:<homePage> <name>". The mailto scheme and the SHA-1 hex digits are case-insensitive;
    everything else is compared exactly, as the spec says. Raises StatementInvalid for an
    anonymous group (or any object without an identifier).
    """
    if "mbox" in agent:
        mbox = str(agent["mbox"])
        return (
            "mbox:mailto:" + mbox[len("mailto:") :]
            if mbox.lower().startswith("mailto:")
            else f"mbox:{mbox}"
        )
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + str(agent["mbox_sha1sum"]).lower()
    if "openid" in agent:
        return f"openid:{agent['openid']}"
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']} {account['name']}"
    raise StatementInvalid("an anonymous Group has no identifier", "")


def _actors(statement: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every Agent/Group in ``statement`` (Statement or SubStatement), groups before members."""
    candidates: list[Any] = [statement.get("actor"), statement.get("authority")]
    obj = statement.get("object") or {}
    if obj.get("objectType") in ("Agent", "Group"):
        candidates.append(obj)
    context = statement.get("context") or {}
    candidates += [context.get("instructor"), context.get("team")]
    candidates += [entry.get("agent") for entry in context.get("contextAgents") or ()]
    candidates += [entry.get("group") for entry in context.get("contextGroups") or ()]
    for actor in candidates:
        if isinstance(actor, Mapping):
            yield actor
            yield from (m for m in actor.get("member") or () if isinstance(m, Mapping))
    if obj.get("objectType") == "SubStatement":
        yield from _actors(obj)


def statement_agents(statement: Mapping[str, Any]) -> set[str]:
    """IFIs of every Agent/identified Group named anywhere: what `related_agents=true` matches.

    Actor, object, authority, context instructor/team (and 2.0 contextAgents/contextGroups),
    group members, and the same places inside a SubStatement.
    """
    found: set[str] = set()
    for actor in _actors(statement):
        try:
            found.add(agent_ifi(actor))
        except StatementInvalid:  # an anonymous group: only its members identify anyone
            continue
    return found


def _context_activities(context: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for activities in (context.get("contextActivities") or {}).values():
        yield from activities if isinstance(activities, list) else [activities]


def statement_activities(statement: Mapping[str, Any]) -> set[str]:
    """Ids of every Activity named anywhere: what `related_activities=true` matches.

    The object, the four kinds of context activities, and the same inside a SubStatement.
    """
    found: set[str] = set()
    obj = statement.get("object") or {}
    if obj.get("objectType", "Activity") == "Activity" and "id" in obj:
        found.add(obj["id"])
    found.update(activity["id"] for activity in _context_activities(statement.get("context") or {}))
    if obj.get("objectType") == "SubStatement":
        found |= statement_activities(obj)
    return found

"""Statement normalisation for storage and the Statement Comparison Requirements (Data 2.3.1)."""

import re
from collections.abc import Mapping
from typing import Any

from tracking.lrs.xapi.agents import agent_ifi
from tracking.lrs.xapi.errors import StatementInvalid

# Data 2.3.1: these properties are ignored when comparing statements.
_IGNORED = ("authority", "stored", "timestamp", "version", "attachments")


def normalise_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the (valid) ``statement`` in the form the LRS stores and returns.

    Single context activities become one-element arrays (Data 2.4.6.2: "An LRS returns a
    ContextActivity in an array"), in the statement and in a SubStatement. Nothing else changes.
    The input is never modified; parts that need no change are shared with it, not copied (a
    deep copy was a tenth of the LRS's time per statement).
    """
    result: dict[str, Any] = dict(statement)
    _arrays_for_context_activities(result)
    obj = result.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        result["object"] = obj = dict(obj)
        _arrays_for_context_activities(obj)
    return result


def _arrays_for_context_activities(statement: dict[str, Any]) -> None:
    """Wrap single context activities in arrays, replacing (not modifying) the dicts on the way."""
    context = statement.get("context")
    if not isinstance(context, dict):
        return
    kinds = context.get("contextActivities")
    if isinstance(kinds, dict) and any(not isinstance(value, list) for value in kinds.values()):
        statement["context"] = {
            **context,
            "contextActivities": {
                kind: value if isinstance(value, list) else [value] for kind, value in kinds.items()
            },
        }


def same_statement(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether ``a`` and ``b`` are the same statement under the Statement Comparison Requirements.

    Ignored: authority, stored, timestamp, version, attachments, activity definitions (only
    activity ids are compared), the order of group members, the case of UUIDs, of hexadecimal
    digests and of language tags, a single context activity versus a one-element array, and
    defaulted objectTypes ("Agent" for actors, "Activity" for objects). Numbers compare by value.
    """
    return _comparable(a) == _comparable(b)


def _comparable(statement: Mapping[str, Any]) -> dict[str, Any]:
    stmt = {
        key: value for key, value in normalise_statement(statement).items() if key not in _IGNORED
    }
    if "id" in stmt:
        stmt["id"] = str(stmt["id"]).lower()
    return _comparable_body(stmt)


def _comparable_body(stmt: dict[str, Any]) -> dict[str, Any]:
    """Canonicalise the parts a Statement shares with a SubStatement (in place; returns it)."""
    stmt["actor"] = _comparable_actor(stmt["actor"])
    stmt["verb"] = {
        "id": stmt["verb"]["id"],
        "display": _comparable_map(stmt["verb"].get("display")),
    }
    stmt["object"] = _comparable_object(stmt["object"])
    if "context" in stmt:
        stmt["context"] = _comparable_context(stmt["context"])
    if isinstance(stmt.get("result"), dict) and "duration" in stmt["result"]:
        stmt["result"] = {
            **stmt["result"],
            "duration": _comparable_duration(str(stmt["result"]["duration"])),
        }
    if "attachments" in stmt:  # only inside a SubStatement
        del stmt["attachments"]
    return stmt


_SUB_HUNDREDTHS = re.compile(r"(\.\d{2})\d+S$")


def _comparable_duration(duration: str) -> str:
    """xAPI 2.0 Data 4.2.7: durations compare to 0.01 s; finer digits of the seconds are cut."""
    return _SUB_HUNDREDTHS.sub(r"\1S", duration)


def _comparable_map(language_map: Mapping[str, str] | None) -> dict[str, str]:
    return {tag.lower(): text for tag, text in (language_map or {}).items()}


def _comparable_actor(actor: Mapping[str, Any]) -> tuple[Any, ...]:
    kind = actor.get("objectType", "Agent")
    try:
        ifi: str | None = agent_ifi(actor)
    except StatementInvalid:
        ifi = None
    members = sorted(repr(_comparable_actor(member)) for member in actor.get("member") or ())
    return (kind, actor.get("name"), ifi, members if kind == "Group" else None)


def _comparable_object(obj: dict[str, Any]) -> Any:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return ("Activity", obj["id"])
    if kind in ("Agent", "Group"):
        return _comparable_actor(obj)
    if kind == "StatementRef":
        return ("StatementRef", str(obj["id"]).lower())
    body = {key: value for key, value in obj.items() if key not in ("timestamp", "objectType")}
    return ("SubStatement", _comparable_body(body))


def _comparable_context(context: dict[str, Any]) -> dict[str, Any]:
    result = dict(context)
    if "registration" in result:
        result["registration"] = str(result["registration"]).lower()
    for key in ("instructor", "team"):
        if key in result:
            result[key] = _comparable_actor(result[key])
    if "statement" in result:
        result["statement"] = str(result["statement"]["id"]).lower()
    if "language" in result:
        result["language"] = str(result["language"]).lower()
    if "contextActivities" in result:
        result["contextActivities"] = {
            kind: [activity["id"] for activity in activities]
            for kind, activities in result["contextActivities"].items()
            if activities
        }
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        if key in result:
            result[key] = sorted(
                repr((_comparable_actor(entry[inner]), sorted(entry.get("relevantTypes") or ())))
                for entry in result[key]
            )
    return result

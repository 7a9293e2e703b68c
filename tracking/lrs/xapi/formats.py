"""The ``format`` parameter of GET statements: "exact", "ids", "canonical" (Communication 2.1.3)."""

from collections.abc import Mapping, Sequence
from typing import Any, Final

from tracking.lrs.xapi.validation import AGENT_IFIS, COMPONENT_LISTS

FORMATS: Final = ("exact", "ids", "canonical")


def format_statement(
    statement: Mapping[str, Any], *, format: str, languages: Sequence[str] = ()
) -> dict[str, Any]:
    """``statement`` (as stored) rendered in ``format``; the input is never modified.

    - "exact": as stored.
    - "ids": activities become {"id"}, verbs {"id"}, agents their
      objectType and IFI, groups their objectType, IFI (if identified) and members' IFIs.
    - "canonical": every language map (verb display, activity name/description, interaction
      component descriptions, attachment display/description) keeps only the best language for the
      Accept-Language list ``languages``: the first exact match, else the first primary-subtag
      match, else the first entry of the map.

    Raises ValueError for an unknown ``format``.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}")
    if format == "exact":
        return dict(statement)  # nothing below the top is changed: nothing else is copied
    result: dict[str, Any] = _copy(dict(statement))
    if format == "ids":
        _ids(result, top=True)
    else:
        _canonical(result, [tag.lower() for tag in languages])
    return result


def _copy(value: Any) -> Any:
    """A deep copy of the JSON ``value``, made in a loop: a statement stored before the LRS
    bounded nesting may be deeper than recursion (copy.deepcopy) can go."""
    if not isinstance(value, dict | list):
        return value
    result: Any = {} if isinstance(value, dict) else []
    pending: list[tuple[Any, Any]] = [(value, result)]
    while pending:
        source, target = pending.pop()
        if isinstance(source, dict):
            target.update(source)
        else:
            target.extend(source)
        # then each array and object in it replaced by its copy
        for key, item in source.items() if isinstance(source, dict) else enumerate(source):
            if isinstance(item, dict | list):
                copied: Any = {} if isinstance(item, dict) else []
                target[key] = copied
                pending.append((item, copied))
    return result


# ids -----------------------------------------------------------------------------------------


def _agent_ids(agent: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"objectType": agent.get("objectType", "Agent")}
    result.update({key: agent[key] for key in AGENT_IFIS if key in agent})
    if result["objectType"] == "Group" and "member" in agent:
        result["member"] = [_agent_ids(member) for member in agent["member"]]
    return result


def _activity_ids(activity: Mapping[str, Any]) -> dict[str, Any]:
    # xAPI 1.0.3 Communication 2.1.3 "ids": Activity Objects contain only the id
    return {"id": activity["id"]}


def _ids(stmt: dict[str, Any], *, top: bool) -> None:
    stmt["actor"] = _agent_ids(stmt["actor"])
    stmt["verb"] = {"id": stmt["verb"]["id"]}
    if top and "authority" in stmt:
        stmt["authority"] = _agent_ids(stmt["authority"])
    obj = stmt["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        stmt["object"] = _activity_ids(obj)
    elif kind in ("Agent", "Group"):
        stmt["object"] = _agent_ids(obj)
    elif kind == "SubStatement":
        _ids(obj, top=False)
    context = stmt.get("context")
    if context:
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _agent_ids(context[key])
        for entry in context.get("contextAgents") or ():
            entry["agent"] = _agent_ids(entry["agent"])
        for entry in context.get("contextGroups") or ():
            entry["group"] = _agent_ids(entry["group"])
        kinds = context.get("contextActivities") or {}
        for name, activities in kinds.items():
            if isinstance(activities, list):
                kinds[name] = [_activity_ids(activity) for activity in activities]
            else:
                kinds[name] = _activity_ids(activities)


# canonical -----------------------------------------------------------------------------------


def best_language(language_map: Mapping[str, str], languages: Sequence[str]) -> str | None:
    """The key of ``language_map`` that best serves ``languages`` (lowercase tags, best first).

    First an exact (case-insensitive) match, then a match on the primary subtag ("it" for "it-IT"
    and vice versa), else the map's first key; None for an empty map.
    """
    if not language_map:
        return None
    keys = {key.lower(): key for key in language_map}
    for wanted in languages:
        if wanted in keys:
            return keys[wanted]
        primary = wanted.split("-")[0]
        for lowered, key in keys.items():
            if lowered.split("-")[0] == primary:
                return key
    return next(iter(language_map))


def _reduce(holder: dict[str, Any], key: str, languages: Sequence[str]) -> None:
    language_map = holder.get(key)
    if isinstance(language_map, dict):
        best = best_language(language_map, languages)
        holder[key] = {} if best is None else {best: language_map[best]}


def _canonical_activity(activity: Mapping[str, Any], languages: Sequence[str]) -> None:
    definition = activity.get("definition")
    if not isinstance(definition, dict):
        return
    _reduce(definition, "name", languages)
    _reduce(definition, "description", languages)
    for key in COMPONENT_LISTS:
        for component in definition.get(key) or ():
            _reduce(component, "description", languages)


def _canonical(stmt: dict[str, Any], languages: Sequence[str]) -> None:
    _reduce(stmt["verb"], "display", languages)
    obj = stmt["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        _canonical_activity(obj, languages)
    elif kind == "SubStatement":
        _canonical(obj, languages)
    kinds = (stmt.get("context") or {}).get("contextActivities") or {}
    for activities in kinds.values():
        for activity in activities if isinstance(activities, list) else [activities]:
            _canonical_activity(activity, languages)
    for attachment in stmt.get("attachments") or ():
        _reduce(attachment, "display", languages)
        _reduce(attachment, "description", languages)

"""Validation of xAPI statements against the MUSTs of xAPI 1.0.3 (Data section) and 2.0.0.

Every check raises :class:`StatementInvalid` with the path of the offending property; the first
violation found wins. Values arrive as parsed JSON (dict, list, str, int, float, bool, None).
Property names are case-sensitive, unknown properties are errors, and ``null`` is refused
everywhere except as an extension value. With :class:`StorageLimits`, what the LRS cannot store
is refused the same way.
"""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Final

from tracking.lrs.xapi import syntax
from tracking.lrs.xapi.agents import agent_ifi
from tracking.lrs.xapi.errors import StatementInvalid, join_path

VOIDED_VERB: Final = "http://adlnet.gov/expapi/verbs/voided"

AGENT_IFIS: Final = ("mbox", "mbox_sha1sum", "openid", "account")
INTERACTION_TYPES: Final = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
COMPONENT_LISTS: Final = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KINDS: Final = ("parent", "grouping", "category", "other")

_STATEMENT_KEYS: Final = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority"}
    | {"version", "attachments"}
)
_SUBSTATEMENT_KEYS: Final = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
_STATEMENT_VERSION: Final = {
    "1.0.3": re.compile(r"1\.0(?:\.\d+)?"),
    "2.0.0": re.compile(r"(?:1|2)\.0(?:\.\d+)?"),
}


@dataclass(frozen=True)
class StorageLimits:
    """What the LRS can store beyond xAPI's rules: how deep a statement's arrays and objects may
    nest (the statement is level 1), and the longest verb id, activity id and agent identifier
    (:func:`agent_ifi`) its columns hold."""

    max_depth: int
    verb_id: int
    activity_id: int
    agent_ifi: int


def validate_statement(
    statement: object,
    *,
    version: str = "1.0.3",
    path: str = "",
    limits: StorageLimits | None = None,
) -> None:
    """Raise StatementInvalid for the first violation of the xAPI ``version`` ("1.0.3" or "2.0.0")
    or, given ``limits``, for what the LRS could not store.

    ``statement`` is the parsed JSON as received (before the LRS adds stored/authority/version).
    """
    if limits is not None:
        _check_storable(statement, path, limits.max_depth)
    _Validator(version, limits).statement(statement, path)


def validate_agent(agent: object, *, path: str, version: str = "1.0.3") -> None:
    """An Agent or Group object (used by the documents/agents resources' `agent` parameter too)."""
    _Validator(version).actor(agent, path)


def _fail(message: str, path: str) -> StatementInvalid:
    return StatementInvalid(message, path)


def _too_long(length: int) -> str:
    return f"must not be longer than {length} characters (the most this LRS stores)"


# Neither jsonb nor UTF-8 text holds U+0000 or a surrogate (json.loads gives one for an
# unpaired \uD800 escape, and Python decodes a body's encoded surrogates with surrogatepass).
_UNSTORABLE_CHARACTER = re.compile(r"[\x00\ud800-\udfff]")
_UNSTORABLE_MESSAGE = "holds U+0000 or an unpaired surrogate, which this LRS cannot store"

# A JSON array or object met by _check_storable: (value, depth, parent node, key in parent).
_Node = tuple[Any, int, "_Node | None", str | int]


def _node_path(node: _Node, path: str) -> str:
    keys: list[str | int] = []
    while node[2] is not None:
        keys.append(node[3])
        node = node[2]
    for key in reversed(keys):
        path = join_path(path, key)
    return path


def _unstorable(text: str) -> bool:
    return "\x00" in text or (not text.isascii() and _UNSTORABLE_CHARACTER.search(text) is not None)


def _check_storable(statement: object, path: str, max_depth: int) -> None:
    """What PostgreSQL cannot keep, or the LRS read back, anywhere in the JSON of a statement
    (extensions are free JSON): arrays and objects nested deeper than ``max_depth``, strings
    (property names included) it cannot store. A loop, not recursion: no nesting overflows it."""
    if not isinstance(statement, dict | list):
        return
    pending: list[_Node] = [(statement, 1, None, "")]
    while pending:
        node = pending.pop()
        value, depth = node[0], node[1]
        if depth > max_depth:
            raise _fail(
                f"nests arrays and objects deeper than {max_depth} levels", _node_path(node, path)
            )
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:  # JSON's keys are strings, its arrays' indexes are not
            if isinstance(item, dict | list):
                pending.append((item, depth + 1, node, key))
            elif isinstance(item, str) and _unstorable(item):
                raise _fail(_UNSTORABLE_MESSAGE, join_path(_node_path(node, path), key))
            if isinstance(key, str) and _unstorable(key):
                raise _fail(_UNSTORABLE_MESSAGE, join_path(_node_path(node, path), key))


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _object(
    value: object, path: str, *, allowed: frozenset[str] | set[str], required: Sequence[str] = ()
) -> Mapping[str, Any]:
    """``value`` as a JSON object: only ``allowed`` keys, all ``required`` ones, no nulls."""
    if not isinstance(value, Mapping):
        raise _fail(f"must be an object, not {_describe(value)}", path)
    for key, item in value.items():
        if key not in allowed:
            raise _fail(
                "is not a property of this object (names are case-sensitive)", join_path(path, key)
            )
        if item is None:
            raise _fail("must not be null", join_path(path, key))
    for key in required:
        if key not in value:
            raise _fail("is required", join_path(path, key))
    return value


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(f"must be a string, not {_describe(value)}", path)
    return value


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(f"must be a number, not {_describe(value)}", path)
    return value


def _boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(f"must be a boolean, not {_describe(value)}", path)
    return value


def _array(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(f"must be an array, not {_describe(value)}", path)
    return value


def _iri(value: object, path: str) -> str:
    text = _string(value, path)
    if not syntax.is_iri(text):
        raise _fail(f"{text!r} is not an absolute IRI", path)
    return text


def _uuid(value: object, path: str) -> str:
    text = _string(value, path)
    if not syntax.is_uuid(text):
        raise _fail(f"{text!r} is not a UUID", path)
    return text


def _language_map(value: object, path: str) -> None:
    if not isinstance(value, Mapping):
        raise _fail(f"must be a language map object, not {_describe(value)}", path)
    for tag, text in value.items():
        if not syntax.is_language_tag(tag):
            raise _fail(f"{tag!r} is not an RFC 5646 language tag", join_path(path, tag))
        _string(text, join_path(path, tag))


def _extensions(value: object, path: str) -> None:
    if not isinstance(value, Mapping):
        raise _fail(f"must be an object, not {_describe(value)}", path)
    for key in value:  # values are free JSON, null included
        if not syntax.is_iri(key):
            raise _fail(f"extension key {key!r} is not an absolute IRI", join_path(path, key))


class _Validator:
    """One validation run for one xAPI version; methods check one kind of object at ``path``."""

    def __init__(self, version: str, limits: StorageLimits | None = None) -> None:
        if version not in _STATEMENT_VERSION:
            raise ValueError(f"unknown xAPI version {version!r}")
        self.version = version
        self.v2 = version == "2.0.0"
        self.limits = limits

    # Statement and SubStatement -------------------------------------------------------------

    def statement(self, value: object, path: str) -> None:
        stmt = _object(value, path, allowed=_STATEMENT_KEYS, required=("actor", "verb", "object"))
        if "id" in stmt:
            _uuid(stmt["id"], join_path(path, "id"))
        self.actor(stmt["actor"], join_path(path, "actor"))
        self.verb(stmt["verb"], join_path(path, "verb"))
        self.statement_object(stmt["object"], join_path(path, "object"), substatement=False)
        if stmt["verb"]["id"] == VOIDED_VERB and stmt["object"].get("objectType") != "StatementRef":
            raise _fail(
                "a voiding statement's object must be a StatementRef", join_path(path, "object")
            )
        self._statement_common(stmt, path)
        if "stored" in stmt:
            self.timestamp(stmt["stored"], join_path(path, "stored"))
        if "authority" in stmt:
            self.authority(stmt["authority"], join_path(path, "authority"))
        if "version" in stmt:
            version = _string(stmt["version"], join_path(path, "version"))
            if not _STATEMENT_VERSION[self.version].fullmatch(version):
                raise _fail(
                    f"{version!r} is not a supported xAPI version", join_path(path, "version")
                )

    def _statement_common(self, stmt: Mapping[str, Any], path: str) -> None:
        """The properties a Statement shares with a SubStatement."""
        if "result" in stmt:
            self.result(stmt["result"], join_path(path, "result"))
        if "context" in stmt:
            self.context(stmt["context"], join_path(path, "context"), stmt["object"])
        if "timestamp" in stmt:
            self.timestamp(stmt["timestamp"], join_path(path, "timestamp"))
        if "attachments" in stmt:
            attachments = _array(stmt["attachments"], join_path(path, "attachments"))
            for index, attachment in enumerate(attachments):
                self.attachment(attachment, join_path(join_path(path, "attachments"), index))

    def substatement(self, value: Mapping[str, Any], path: str) -> None:
        stmt = _object(
            value, path, allowed=_SUBSTATEMENT_KEYS, required=("actor", "verb", "object")
        )
        self.actor(stmt["actor"], join_path(path, "actor"))
        self.verb(stmt["verb"], join_path(path, "verb"))
        self.statement_object(stmt["object"], join_path(path, "object"), substatement=True)
        self._statement_common(stmt, path)

    # Actors ------------------------------------------------------------------------------------

    def actor(self, value: object, path: str) -> None:
        """An Agent (objectType absent or "Agent") or a Group (objectType "Group")."""
        if not isinstance(value, Mapping):
            raise _fail(f"must be an Agent or Group object, not {_describe(value)}", path)
        object_type = value.get("objectType", "Agent")
        if object_type == "Agent":
            self.agent(value, path)
        elif object_type == "Group":
            self.group(value, path)
        else:
            raise _fail('must be "Agent" or "Group"', join_path(path, "objectType"))

    def agent(self, value: object, path: str) -> None:
        agent = _object(value, path, allowed={"objectType", "name", *AGENT_IFIS})
        if agent.get("objectType", "Agent") != "Agent":
            raise _fail('must be "Agent"', join_path(path, "objectType"))
        if "name" in agent:
            _string(agent["name"], join_path(path, "name"))
        if self._ifi_count(agent, path) != 1:
            raise _fail(
                "an Agent must have exactly one of mbox, mbox_sha1sum, openid, account", path
            )
        self._storable_ifi(agent, path)

    def group(self, value: object, path: str) -> None:
        group = _object(value, path, allowed={"objectType", "name", "member", *AGENT_IFIS})
        if group.get("objectType") != "Group":
            raise _fail('must be "Group"', join_path(path, "objectType"))
        if "name" in group:
            _string(group["name"], join_path(path, "name"))
        ifis = self._ifi_count(group, path)
        if ifis > 1:
            raise _fail(
                "a Group must have at most one of mbox, mbox_sha1sum, openid, account", path
            )
        if ifis == 0 and "member" not in group:
            raise _fail("an anonymous Group must list its members", join_path(path, "member"))
        if ifis:
            self._storable_ifi(group, path)
        if "member" in group:
            members = _array(group["member"], join_path(path, "member"))
            if ifis == 0 and not members:
                raise _fail(
                    "an anonymous Group must have at least one member", join_path(path, "member")
                )
            for index, member in enumerate(members):
                self.agent(member, join_path(join_path(path, "member"), index))

    def _ifi_count(self, agent: Mapping[str, Any], path: str) -> int:
        """Validate each inverse functional identifier present and count them."""
        if "mbox" in agent:
            mbox = _string(agent["mbox"], join_path(path, "mbox"))
            if not syntax.is_mailto_iri(mbox):
                raise _fail(f"{mbox!r} is not a mailto: IRI", join_path(path, "mbox"))
        if "mbox_sha1sum" in agent:
            digest = _string(agent["mbox_sha1sum"], join_path(path, "mbox_sha1sum"))
            if not syntax.is_sha1_hex(digest):
                raise _fail("must be 40 hexadecimal digits", join_path(path, "mbox_sha1sum"))
        if "openid" in agent:
            _iri(agent["openid"], join_path(path, "openid"))
        if "account" in agent:
            account_path = join_path(path, "account")
            account = _object(
                agent["account"],
                account_path,
                allowed={"homePage", "name"},
                required=("homePage", "name"),
            )
            _iri(account["homePage"], join_path(account_path, "homePage"))
            _string(account["name"], join_path(account_path, "name"))
        return sum(1 for key in AGENT_IFIS if key in agent)

    def _storable_ifi(self, agent: Mapping[str, Any], path: str) -> None:
        """The (one, valid) identifier fits the LRS's columns of agent identifiers."""
        if self.limits is None or len(ifi := agent_ifi(agent)) <= self.limits.agent_ifi:
            return
        key = next(key for key in AGENT_IFIS if key in agent)
        if key == "account":  # "account:<homePage> <name>"
            room = self.limits.agent_ifi - len("account: ")
            raise _fail(f"homePage and name together {_too_long(room)}", join_path(path, key))
        raise _fail(
            _too_long(self.limits.agent_ifi - (len(ifi) - len(agent[key]))), join_path(path, key)
        )

    def authority(self, value: object, path: str) -> None:
        """An Agent, or an anonymous Group of exactly two Agents (OAuth consumer and user)."""
        self.actor(value, path)
        assert isinstance(value, Mapping)  # noqa: S101 - actor() checked it
        if value.get("objectType") == "Group":
            if any(key in value for key in AGENT_IFIS):
                raise _fail("an authority Group must be anonymous", path)
            if len(value["member"]) != 2:
                raise _fail(
                    "an authority Group must have exactly two members", join_path(path, "member")
                )

    # Verb and objects --------------------------------------------------------------------------

    def verb(self, value: object, path: str) -> None:
        verb = _object(value, path, allowed={"id", "display"}, required=("id",))
        _iri(verb["id"], join_path(path, "id"))
        if self.limits is not None and len(verb["id"]) > self.limits.verb_id:
            raise _fail(_too_long(self.limits.verb_id), join_path(path, "id"))
        if "display" in verb:
            _language_map(verb["display"], join_path(path, "display"))

    def statement_object(self, value: object, path: str, *, substatement: bool) -> None:
        if not isinstance(value, Mapping):
            raise _fail(f"must be an object, not {_describe(value)}", path)
        object_type = value.get("objectType", "Activity")
        if object_type == "Activity":
            self.activity(value, path)
        elif object_type in ("Agent", "Group"):
            self.actor(value, path)
        elif object_type == "StatementRef":
            self.statement_ref(value, path)
        elif object_type == "SubStatement" and not substatement:
            self.substatement(value, path)
        elif object_type == "SubStatement":
            raise _fail(
                "a SubStatement cannot contain a SubStatement", join_path(path, "objectType")
            )
        else:
            raise _fail(
                'must be "Activity", "Agent", "Group", "StatementRef" or "SubStatement"',
                join_path(path, "objectType"),
            )

    def statement_ref(self, value: object, path: str) -> None:
        ref = _object(value, path, allowed={"objectType", "id"}, required=("objectType", "id"))
        if ref["objectType"] != "StatementRef":
            raise _fail('must be "StatementRef"', join_path(path, "objectType"))
        _uuid(ref["id"], join_path(path, "id"))

    def activity(self, value: object, path: str) -> None:
        activity = _object(
            value, path, allowed={"objectType", "id", "definition"}, required=("id",)
        )
        if activity.get("objectType", "Activity") != "Activity":
            raise _fail('must be "Activity"', join_path(path, "objectType"))
        _iri(activity["id"], join_path(path, "id"))
        if self.limits is not None and len(activity["id"]) > self.limits.activity_id:
            raise _fail(_too_long(self.limits.activity_id), join_path(path, "id"))
        if "definition" in activity:
            self.definition(activity["definition"], join_path(path, "definition"))

    def definition(self, value: object, path: str) -> None:
        allowed = {"name", "description", "type", "moreInfo", "interactionType"}
        allowed |= {"correctResponsesPattern", "extensions", *COMPONENT_LISTS}
        definition = _object(value, path, allowed=allowed)
        for key in ("name", "description"):
            if key in definition:
                _language_map(definition[key], join_path(path, key))
        for key in ("type", "moreInfo"):
            if key in definition:
                _iri(definition[key], join_path(path, key))
        if "extensions" in definition:
            _extensions(definition["extensions"], join_path(path, "extensions"))
        interaction = [
            key for key in ("correctResponsesPattern", *COMPONENT_LISTS) if key in definition
        ]
        if "interactionType" in definition:
            kind = _string(definition["interactionType"], join_path(path, "interactionType"))
            if kind not in INTERACTION_TYPES:
                raise _fail(
                    f"{kind!r} is not an interaction type", join_path(path, "interactionType")
                )
        elif interaction:
            raise _fail(
                f"{interaction[0]} requires interactionType", join_path(path, "interactionType")
            )
        if "correctResponsesPattern" in definition:
            pattern_path = join_path(path, "correctResponsesPattern")
            for index, item in enumerate(
                _array(definition["correctResponsesPattern"], pattern_path)
            ):
                _string(item, join_path(pattern_path, index))
        for key in COMPONENT_LISTS:
            if key in definition:
                self.components(definition[key], join_path(path, key))

    def components(self, value: object, path: str) -> None:
        seen: set[str] = set()
        for index, item in enumerate(_array(value, path)):
            item_path = join_path(path, index)
            component = _object(item, item_path, allowed={"id", "description"}, required=("id",))
            component_id = _string(component["id"], join_path(item_path, "id"))
            if component_id in seen:
                raise _fail(
                    f"duplicate interaction component id {component_id!r}",
                    join_path(item_path, "id"),
                )
            seen.add(component_id)
            if "description" in component:
                _language_map(component["description"], join_path(item_path, "description"))

    # Result, context, attachments, timestamps -----------------------------------------------------

    def result(self, value: object, path: str) -> None:
        allowed = {"score", "success", "completion", "response", "duration", "extensions"}
        result = _object(value, path, allowed=allowed)
        if "score" in result:
            self.score(result["score"], join_path(path, "score"))
        for key in ("success", "completion"):
            if key in result:
                _boolean(result[key], join_path(path, key))
        if "response" in result:
            _string(result["response"], join_path(path, "response"))
        if "duration" in result:
            duration = _string(result["duration"], join_path(path, "duration"))
            if not syntax.is_duration(duration):
                raise _fail(
                    f"{duration!r} is not an ISO 8601 duration", join_path(path, "duration")
                )
        if "extensions" in result:
            _extensions(result["extensions"], join_path(path, "extensions"))

    def score(self, value: object, path: str) -> None:
        score = _object(value, path, allowed={"scaled", "raw", "min", "max"})
        numbers = {key: _number(item, join_path(path, key)) for key, item in score.items()}
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            raise _fail("must be between -1 and 1", join_path(path, "scaled"))
        if "min" in numbers and "max" in numbers and not numbers["min"] < numbers["max"]:
            raise _fail("must be greater than min", join_path(path, "max"))
        if "raw" in numbers:
            if "min" in numbers and numbers["raw"] < numbers["min"]:
                raise _fail("must not be less than min", join_path(path, "raw"))
            if "max" in numbers and numbers["raw"] > numbers["max"]:
                raise _fail("must not be greater than max", join_path(path, "raw"))

    def context(self, value: object, path: str, statement_object: Mapping[str, Any]) -> None:
        allowed = {"registration", "instructor", "team", "contextActivities", "revision"}
        allowed |= {"platform", "language", "statement", "extensions"}
        if self.v2:
            allowed |= {"contextAgents", "contextGroups"}
        context = _object(value, path, allowed=allowed)
        if "registration" in context:
            _uuid(context["registration"], join_path(path, "registration"))
        if "instructor" in context:
            self.actor(context["instructor"], join_path(path, "instructor"))
        if "team" in context:
            team_path = join_path(path, "team")
            if (
                not isinstance(context["team"], Mapping)
                or context["team"].get("objectType") != "Group"
            ):
                raise _fail("must be a Group", team_path)
            self.group(context["team"], team_path)
        if "contextActivities" in context:
            self.context_activities(
                context["contextActivities"], join_path(path, "contextActivities")
            )
        is_activity = statement_object.get("objectType", "Activity") == "Activity"
        for key in ("revision", "platform"):
            if key in context:
                _string(context[key], join_path(path, key))
                if not is_activity:
                    raise _fail(
                        f"{key} is only allowed when the object is an Activity",
                        join_path(path, key),
                    )
        if "language" in context:
            language = _string(context["language"], join_path(path, "language"))
            if not syntax.is_language_tag(language):
                raise _fail(
                    f"{language!r} is not an RFC 5646 language tag", join_path(path, "language")
                )
        if "statement" in context:
            self.statement_ref(context["statement"], join_path(path, "statement"))
        if "extensions" in context:
            _extensions(context["extensions"], join_path(path, "extensions"))
        if "contextAgents" in context:
            self.context_actors(context["contextAgents"], join_path(path, "contextAgents"), "Agent")
        if "contextGroups" in context:
            self.context_actors(context["contextGroups"], join_path(path, "contextGroups"), "Group")

    def context_activities(self, value: object, path: str) -> None:
        kinds = _object(value, path, allowed=set(CONTEXT_ACTIVITY_KINDS))
        for kind, activities in kinds.items():
            kind_path = join_path(path, kind)
            if isinstance(activities, list):
                for index, activity in enumerate(activities):
                    self.activity(activity, join_path(kind_path, index))
            else:
                self.activity(activities, kind_path)

    def context_actors(self, value: object, path: str, kind: str) -> None:
        """xAPI 2.0 contextAgents/contextGroups: [{objectType, agent|group, relevantTypes}]."""
        member = "agent" if kind == "Agent" else "group"
        object_type = f"context{kind}"
        for index, item in enumerate(_array(value, path)):
            item_path = join_path(path, index)
            entry = _object(
                item,
                item_path,
                allowed={"objectType", member, "relevantTypes"},
                required=("objectType", member),
            )
            if entry["objectType"] != object_type:
                raise _fail(f'must be "{object_type}"', join_path(item_path, "objectType"))
            if kind == "Agent":
                self.agent(entry[member], join_path(item_path, member))
            else:
                self.group(entry[member], join_path(item_path, member))
            if "relevantTypes" in entry:
                types_path = join_path(item_path, "relevantTypes")
                types = _array(entry["relevantTypes"], types_path)
                if not types:
                    raise _fail("must not be empty", types_path)
                for type_index, iri in enumerate(types):
                    _iri(iri, join_path(types_path, type_index))

    def attachment(self, value: object, path: str) -> None:
        allowed = {
            "usageType",
            "display",
            "description",
            "contentType",
            "length",
            "sha2",
            "fileUrl",
        }
        required = ("usageType", "display", "contentType", "length", "sha2")
        attachment = _object(value, path, allowed=allowed, required=required)
        _iri(attachment["usageType"], join_path(path, "usageType"))
        _language_map(attachment["display"], join_path(path, "display"))
        if "description" in attachment:
            _language_map(attachment["description"], join_path(path, "description"))
        content_type = _string(attachment["contentType"], join_path(path, "contentType"))
        if "/" not in content_type:
            raise _fail(
                f"{content_type!r} is not an Internet Media Type", join_path(path, "contentType")
            )
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise _fail("must be a non-negative integer", join_path(path, "length"))
        sha2 = _string(attachment["sha2"], join_path(path, "sha2"))
        if not syntax.is_hex(sha2):
            raise _fail("must be a hexadecimal SHA-2 digest", join_path(path, "sha2"))
        if "fileUrl" in attachment:
            _iri(attachment["fileUrl"], join_path(path, "fileUrl"))

    def timestamp(self, value: object, path: str) -> None:
        text = _string(value, path)
        moment = syntax.parse_timestamp(text)
        if moment is None:
            raise _fail(f"{text!r} is not an ISO 8601 timestamp", path)
        if self.v2 and not syntax.has_offset(text):
            raise _fail("must include an offset from UTC", path)
        if self.limits is not None and moment.tzinfo is not None:
            try:
                moment.astimezone(UTC)
            except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00: no date the LRS can keep
                raise _fail("must fall within the years 1 to 9999 in UTC", path) from None

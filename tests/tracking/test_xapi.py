"""Contracts of the pure xAPI module: validation paths, identities, related sets, comparison,
formats."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracking.lrs.xapi import (
    SUPPORTED_VERSIONS,
    StatementInvalid,
    agent_ifi,
    format_statement,
    normalise_statement,
    parse_version_header,
    same_statement,
    statement_activities,
    statement_agents,
    validate_agent,
    validate_statement,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "xapi"
DELETE = object()
PLAYED_SEGMENTS = "https://w3id.org/xapi/video/extensions/played-segments"
ACTIVITY = (
    "https://lms.metropoli.example/xapi/activities/video/2b6f0c1d-8e9a-4b3c-a7d5-e6f708192a3b"
)
MINIMAL = {
    "actor": {"mbox": "mailto:ann@example.it"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": "http://example.com/activity"},
}


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with properties set, or removed with DELETE ("a__b" is a.b)."""
    result = copy.deepcopy(base)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        holder: Any = result
        for key in parents:
            holder = holder[int(key)] if isinstance(holder, list) else holder[key]
        if value is DELETE:
            del holder[last]
        elif isinstance(holder, list):
            holder[int(last)] = value
        else:
            holder[last] = value
    return result


def error_of(statement: object, version: str = "1.0.3") -> tuple[str, str]:
    with pytest.raises(StatementInvalid) as excinfo:
        validate_statement(statement, version=version)
    return excinfo.value.path, excinfo.value.message


# Validation: what passes ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["video_played", "group_statement"])
def test_fixture_statements_are_valid(name: str) -> None:
    validate_statement(load(name))


@pytest.mark.parametrize(
    "statement",
    [
        MINIMAL,
        changed(MINIMAL, id="AA97B177-9383-4934-8543-0F91A7A02836"),
        changed(MINIMAL, actor={"objectType": "Group", "member": [{"openid": "https://id.it/a"}]}),
        changed(MINIMAL, actor={"objectType": "Group", "mbox": "mailto:g@example.it"}),
        changed(MINIMAL, object={"objectType": "Agent", "mbox_sha1sum": "a" * 40}),
        changed(MINIMAL, result={"score": {"scaled": -1, "raw": 0, "min": 0, "max": 0.5}}),
        changed(MINIMAL, result={"duration": "P4W", "success": False, "response": ""}),
        changed(MINIMAL, result={"extensions": {"http://example.com/x": None}}),
        changed(MINIMAL, context={"language": "sr-Latn-RS", "revision": "2", "platform": "LMS"}),
        changed(MINIMAL, context={"contextActivities": {"other": {"id": "http://example.com/o"}}}),
        changed(MINIMAL, timestamp="2025-03-14T10:15:42Z", stored="2025-03-14T10:15:42.1234+01:00"),
        changed(MINIMAL, timestamp="2025-03-14T10:15:42"),  # 1.0.3: the offset is a SHOULD
        changed(MINIMAL, version="1.0.9"),
        changed(
            MINIMAL,
            verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
            object={"objectType": "StatementRef", "id": "3f2a1c9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"},
        ),
    ],
)
def test_valid_statements_pass(statement: dict[str, Any]) -> None:
    validate_statement(statement)


# Validation: what fails, and where ----------------------------------------------------------------

INVALID = [
    ([], "", "must be an object, not an array"),
    (changed(MINIMAL, actor=DELETE), "actor", "is required"),
    (
        changed(MINIMAL, Actor={"mbox": "mailto:a@b.it"}),
        "Actor",
        "is not a property of this object (names are case-sensitive)",
    ),
    (changed(MINIMAL, context=None), "context", "must not be null"),
    (
        changed(MINIMAL, id="MA97B177-9383-4934-8543-0F91A7A02836"),
        "id",
        "'MA97B177-9383-4934-8543-0F91A7A02836' is not a UUID",
    ),
    (
        changed(MINIMAL, actor={"mbox": "ann@example.it"}),
        "actor.mbox",
        "'ann@example.it' is not a mailto: IRI",
    ),
    (
        changed(MINIMAL, actor={"mbox_sha1sum": "abc"}),
        "actor.mbox_sha1sum",
        "must be 40 hexadecimal digits",
    ),
    (
        changed(MINIMAL, actor={"openid": "open.id.com/testUser"}),
        "actor.openid",
        "'open.id.com/testUser' is not an absolute IRI",
    ),
    (
        changed(MINIMAL, actor={"account": {"homePage": "homePage.com/u", "name": "1"}}),
        "actor.account.homePage",
        "'homePage.com/u' is not an absolute IRI",
    ),
    (
        changed(MINIMAL, actor={"account": {"homePage": "http://a.it", "name": 1}}),
        "actor.account.name",
        "must be a string, not a number",
    ),
    (
        changed(MINIMAL, actor={"account": {"homePage": "http://a.it"}}),
        "actor.account.name",
        "is required",
    ),
    (
        changed(MINIMAL, actor={"name": "nobody"}),
        "actor",
        "an Agent must have exactly one of mbox, mbox_sha1sum, openid, account",
    ),
    (
        changed(MINIMAL, actor={"mbox": "mailto:a@b.it", "openid": "http://a.it"}),
        "actor",
        "an Agent must have exactly one of mbox, mbox_sha1sum, openid, account",
    ),
    (
        changed(MINIMAL, actor={"objectType": "agent", "mbox": "mailto:a@b.it"}),
        "actor.objectType",
        'must be "Agent" or "Group"',
    ),
    (
        changed(MINIMAL, actor={"objectType": "Group"}),
        "actor.member",
        "an anonymous Group must list its members",
    ),
    (
        changed(
            MINIMAL,
            actor={
                "objectType": "Group",
                "member": [{"objectType": "Group", "mbox": "mailto:g@b.it"}],
            },
        ),
        "actor.member[0].objectType",
        'must be "Agent"',
    ),
    (
        changed(MINIMAL, verb={"id": "adlnet.gov/expapi/verbs/x"}),
        "verb.id",
        "'adlnet.gov/expapi/verbs/x' is not an absolute IRI",
    ),
    (
        changed(MINIMAL, verb={"id": "http://a.it/v", "display": {"a12345678": "x"}}),
        "verb.display.a12345678",
        "'a12345678' is not an RFC 5646 language tag",
    ),
    (
        changed(MINIMAL, verb={"id": "http://a.it/v", "display": "x"}),
        "verb.display",
        "must be a language map object, not a string",
    ),
    (
        changed(MINIMAL, object={"objectType": "activity", "id": "http://a.it"}),
        "object.objectType",
        'must be "Activity", "Agent", "Group", "StatementRef" or "SubStatement"',
    ),
    (
        changed(MINIMAL, object={"mbox": "mailto:a@b.it"}),
        "object.mbox",
        "is not a property of this object (names are case-sensitive)",
    ),
    (
        changed(MINIMAL, object={"id": "http://a.it", "definition": {"choices": []}}),
        "object.definition.interactionType",
        "choices requires interactionType",
    ),
    (
        changed(MINIMAL, object={"id": "http://a.it", "definition": {"interactionType": "choiCe"}}),
        "object.definition.interactionType",
        "'choiCe' is not an interaction type",
    ),
    (
        changed(
            MINIMAL,
            object={
                "id": "http://a.it",
                "definition": {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]},
            },
        ),
        "object.definition.choices[1].id",
        "duplicate interaction component id 'a'",
    ),
    (
        changed(
            MINIMAL,
            object={"id": "http://a.it", "definition": {"extensions": {"not.valid.com/e": 1}}},
        ),
        "object.definition.extensions.not.valid.com/e",
        "extension key 'not.valid.com/e' is not an absolute IRI",
    ),
    (
        changed(MINIMAL, object={"objectType": "StatementRef", "id": 12345}),
        "object.id",
        "must be a string, not a number",
    ),
    (
        changed(MINIMAL, verb={"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "object",
        "a voiding statement's object must be a StatementRef",
    ),
    (
        changed(
            MINIMAL,
            object={
                "objectType": "SubStatement",
                "id": "3f2a1c9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
                **MINIMAL,
            },
        ),
        "object.id",
        "is not a property of this object (names are case-sensitive)",
    ),
    (
        changed(
            MINIMAL,
            object={
                "objectType": "SubStatement",
                **changed(MINIMAL, object={"objectType": "SubStatement", **MINIMAL}),
            },
        ),
        "object.object.objectType",
        "a SubStatement cannot contain a SubStatement",
    ),
    (
        changed(
            MINIMAL,
            object={
                "objectType": "SubStatement",
                **changed(MINIMAL, timestamp="2025-13-01T00:00:00Z"),
            },
        ),
        "object.timestamp",
        "'2025-13-01T00:00:00Z' is not an ISO 8601 timestamp",
    ),
    (
        changed(MINIMAL, result={"score": {"scaled": 1.5}}),
        "result.score.scaled",
        "must be between -1 and 1",
    ),
    (
        changed(MINIMAL, result={"score": {"raw": "1"}}),
        "result.score.raw",
        "must be a number, not a string",
    ),
    (
        changed(MINIMAL, result={"score": {"min": 5, "max": 5}}),
        "result.score.max",
        "must be greater than min",
    ),
    (
        changed(MINIMAL, result={"score": {"raw": 11, "min": 0, "max": 10}}),
        "result.score.raw",
        "must not be greater than max",
    ),
    (
        changed(MINIMAL, result={"score": {"raw": -1, "min": 0}}),
        "result.score.raw",
        "must not be less than min",
    ),
    (
        changed(MINIMAL, result={"success": "true"}),
        "result.success",
        "must be a boolean, not a string",
    ),
    (
        changed(MINIMAL, result={"duration": "P4W1D"}),
        "result.duration",
        "'P4W1D' is not an ISO 8601 duration",
    ),
    (changed(MINIMAL, context={"registration": "x"}), "context.registration", "'x' is not a UUID"),
    (
        changed(MINIMAL, context={"team": {"mbox": "mailto:t@b.it"}}),
        "context.team",
        "must be a Group",
    ),
    (
        changed(MINIMAL, context={"contextActivities": {"parents": []}}),
        "context.contextActivities.parents",
        "is not a property of this object (names are case-sensitive)",
    ),
    (
        changed(
            MINIMAL,
            context={
                "contextActivities": {"parent": [{"id": "http://a.it"}, {"mbox": "mailto:a@b.it"}]}
            },
        ),
        "context.contextActivities.parent[1].mbox",
        "is not a property of this object (names are case-sensitive)",
    ),
    (
        changed(
            MINIMAL,
            object={"objectType": "Agent", "mbox": "mailto:a@b.it"},
            context={"platform": "LMS"},
        ),
        "context.platform",
        "platform is only allowed when the object is an Activity",
    ),
    (
        changed(MINIMAL, context={"language": "zh-z-aaa-z-bbb-c-ccc"}),
        "context.language",
        "'zh-z-aaa-z-bbb-c-ccc' is not an RFC 5646 language tag",
    ),
    (
        changed(MINIMAL, context={"statement": {"id": "3f2a1c9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"}}),
        "context.statement.objectType",
        "is required",
    ),
    (
        changed(MINIMAL, context={"extensions": {"example.com/wrong": 1}}),
        "context.extensions.example.com/wrong",
        "extension key 'example.com/wrong' is not an absolute IRI",
    ),
    (
        changed(MINIMAL, timestamp="2025-03-14T10:15:42-00:00"),
        "timestamp",
        "'2025-03-14T10:15:42-00:00' is not an ISO 8601 timestamp",
    ),
    (changed(MINIMAL, stored="yesterday"), "stored", "'yesterday' is not an ISO 8601 timestamp"),
    (
        changed(
            MINIMAL,
            authority={
                "objectType": "Group",
                "mbox": "mailto:g@b.it",
                "member": [{"mbox": "mailto:a@b.it"}, {"mbox": "mailto:b@b.it"}],
            },
        ),
        "authority",
        "an authority Group must be anonymous",
    ),
    (
        changed(MINIMAL, authority={"objectType": "Group", "member": [{"mbox": "mailto:a@b.it"}]}),
        "authority.member",
        "an authority Group must have exactly two members",
    ),
    (changed(MINIMAL, version="1.1.0"), "version", "'1.1.0' is not a supported xAPI version"),
    (changed(MINIMAL, attachments={}), "attachments", "must be an array, not an object"),
    (
        changed(
            MINIMAL,
            attachments=[
                {
                    "usageType": "http://a.it/u",
                    "display": {"en": "a"},
                    "contentType": "text/plain",
                    "length": 1,
                }
            ],
        ),
        "attachments[0].sha2",
        "is required",
    ),
    (
        changed(
            MINIMAL,
            attachments=[
                {
                    "usageType": "http://a.it/u",
                    "display": {"en": "a"},
                    "contentType": "text/plain",
                    "length": "1",
                    "sha2": "ab",
                }
            ],
        ),
        "attachments[0].length",
        "must be a non-negative integer",
    ),
    (
        changed(
            MINIMAL,
            attachments=[
                {
                    "usageType": "http://a.it/u",
                    "display": {"en": "a"},
                    "contentType": "text/plain",
                    "length": 1,
                    "sha2": "ab",
                    "fileUrl": "over.there/file",
                }
            ],
        ),
        "attachments[0].fileUrl",
        "'over.there/file' is not an absolute IRI",
    ),
]


@pytest.mark.parametrize(("statement", "path", "message"), INVALID)
def test_invalid_statements_raise_with_path(statement: object, path: str, message: str) -> None:
    assert error_of(statement) == (path, message)


def test_path_prefix_locates_a_statement_in_a_batch() -> None:
    with pytest.raises(StatementInvalid) as excinfo:
        validate_statement(changed(MINIMAL, actor={"mbox": "x"}), path="[3]")
    assert (excinfo.value.path, str(excinfo.value)) == (
        "[3].actor.mbox",
        "[3].actor.mbox: 'x' is not a mailto: IRI",
    )


def test_version_2_requires_offsets_and_knows_context_agents() -> None:
    stamped = changed(MINIMAL, timestamp="2025-03-14T10:15:42")
    assert error_of(stamped, "2.0.0") == ("timestamp", "must include an offset from UTC")
    agents = changed(
        MINIMAL,
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"mbox": "mailto:t@b.it"},
                    "relevantTypes": ["http://a.it/t"],
                }
            ]
        },
    )
    validate_statement(agents, version="2.0.0")
    assert error_of(agents) == (
        "context.contextAgents",
        "is not a property of this object (names are case-sensitive)",
    )
    validate_statement(changed(MINIMAL, version="2.0.0"), version="2.0.0")


def test_validate_agent_checks_the_agent_parameter() -> None:
    validate_agent({"objectType": "Group", "openid": "https://id.it/g"}, path="agent")
    with pytest.raises(StatementInvalid) as excinfo:
        validate_agent({"mbox": "mailto:a@b.it", "mbox_sha1sum": "a" * 40}, path="agent")
    assert excinfo.value.path == "agent"


# Version header -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "spoken"),
    [
        ("1.0", "1.0.3"),
        ("1.0.0", "1.0.3"),
        ("1.0.2", "1.0.3"),
        ("1.0.3", "1.0.3"),
        ("2.0.0", "2.0.0"),
    ],
)
def test_parse_version_header_accepts_supported_versions(header: str, spoken: str) -> None:
    assert parse_version_header(header) == spoken


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "the X-Experience-API-Version header is required"),
        ("", "the X-Experience-API-Version header is required"),
        ("0.95", "unsupported version '0.95' (supported: " + ", ".join(SUPPORTED_VERSIONS) + ")"),
        ("1.1.0", "unsupported version '1.1.0' (supported: " + ", ".join(SUPPORTED_VERSIONS) + ")"),
    ],
)
def test_parse_version_header_refuses_missing_or_unknown(header: str | None, message: str) -> None:
    with pytest.raises(StatementInvalid) as excinfo:
        parse_version_header(header)
    assert (excinfo.value.path, excinfo.value.message) == ("X-Experience-API-Version", message)


# Identities and related sets --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "ifi"),
    [
        ({"mbox": "mailto:ann@example.it", "name": "Ann"}, "mbox:mailto:ann@example.it"),
        ({"objectType": "Agent", "mbox": "MAILTO:ann@example.it"}, "mbox:mailto:ann@example.it"),
        ({"mbox_sha1sum": "ABCDEF" + "0" * 34}, "mbox_sha1sum:abcdef" + "0" * 34),
        ({"openid": "https://id.example.it/ann"}, "openid:https://id.example.it/ann"),
        ({"account": {"name": "ann", "homePage": "https://lms.it"}}, "account:https://lms.it ann"),
        (
            {"objectType": "Group", "mbox": "mailto:g@example.it", "member": []},
            "mbox:mailto:g@example.it",
        ),
    ],
)
def test_agent_ifi(agent: dict[str, Any], ifi: str) -> None:
    assert agent_ifi(agent) == ifi


def test_agent_ifi_refuses_an_anonymous_group() -> None:
    with pytest.raises(StatementInvalid, match="an anonymous Group has no identifier"):
        agent_ifi({"objectType": "Group", "member": [{"mbox": "mailto:a@b.it"}]})


def test_statement_agents_finds_every_agent_and_identified_group() -> None:
    assert statement_agents(load("group_statement")) == {
        "mbox:mailto:anna@example.it",
        "mbox_sha1sum:cd4b5f2a9e3b1c0d7e6f5a4b3c2d1e0f9a8b7c6d",
        "openid:https://openid.example.it/bruno",
        "account:https://lms.metropoli.example tutor-1",
        "mbox:mailto:napoli@example.it",
        "mbox:mailto:docente@example.it",
        "account:https://lms.metropoli.example napoli",
        "account:https://lms.metropoli.example/oauth client-7",
        "mbox:mailto:admin@example.it",
    }


def test_statement_activities_finds_object_and_all_context_activities() -> None:
    assert statement_activities(load("video_played")) == {
        ACTIVITY,
        "https://w3id.org/xapi/video",
        "https://lms.metropoli.example/xapi/activities/module/finanza-locale",
    }
    assert statement_activities(load("group_statement")) == {
        "https://lms.metropoli.example/xapi/activities/session/42",
        "https://lms.metropoli.example/xapi/activities/room/aula-magna",
        "https://lms.metropoli.example/xapi/activities/course/pa-digitale",
    }


# Normalisation and comparison --------------------------------------------------------------------


def test_normalise_statement_puts_context_activities_in_arrays() -> None:
    original = load("group_statement")
    stored = normalise_statement(original)
    assert stored["context"]["contextActivities"]["other"] == [
        {"id": "https://lms.metropoli.example/xapi/activities/room/aula-magna"}
    ]
    assert stored["object"]["context"]["contextActivities"]["grouping"] == [
        {"id": "https://lms.metropoli.example/xapi/activities/course/pa-digitale"}
    ]
    assert original == load("group_statement")  # the input is untouched


SAME = [
    (
        "stored, authority, version",
        {
            "stored": "2025-01-01T00:00:00Z",
            "version": "1.0.3",
            "authority": {"mbox": "mailto:x@y.it"},
        },
    ),
    ("timestamp", {"timestamp": "2030-01-01T00:00:00Z"}),
    ("id case", {"id": "3F2A1C9E-5B7D-4E8F-9A0B-1C2D3E4F5A6B"}),
    ("activity definition", {"object": {"objectType": "Activity", "id": ACTIVITY}}),
    (
        "language tag case",
        {
            "verb": {
                "id": "https://w3id.org/xapi/video/verbs/played",
                "display": {"EN-us": "played", "it-it": "ha riprodotto"},
            }
        },
    ),
    (
        "explicit Agent objectType",
        {
            "actor": {
                "objectType": "Agent",
                "name": "Anna Rossi",
                "account": {
                    "name": "7c1e4b2a-0d3f-4a5b-8c6d-9e0f1a2b3c4d",
                    "homePage": "https://lms.metropoli.example",
                },
            }
        },
    ),
    (
        "attachments",
        {
            "attachments": [
                {
                    "usageType": "http://a.it/u",
                    "display": {"en": "a"},
                    "contentType": "text/plain",
                    "length": 1,
                    "sha2": "ab",
                }
            ]
        },
    ),
    (
        "integer-valued float",
        {
            "result": {
                "extensions": {
                    "https://w3id.org/xapi/video/extensions/time": 124.50,
                    PLAYED_SEGMENTS: "0[.]60.2[,]60.2[.]124.5",
                }
            }
        },
    ),
]
DIFFERENT = [
    (
        "verb",
        {
            "verb": {
                "id": "https://w3id.org/xapi/video/verbs/paused",
                "display": {"en-US": "played", "it-IT": "ha riprodotto"},
            }
        },
    ),
    (
        "display text",
        {
            "verb": {
                "id": "https://w3id.org/xapi/video/verbs/played",
                "display": {"en-US": "Played"},
            }
        },
    ),
    ("actor", {"actor": {"mbox": "mailto:other@example.it"}}),
    ("result", {"result": {"completion": True}}),
    ("registration", {"context": {"registration": "00000000-0000-4000-8000-000000000000"}}),
]


@pytest.mark.parametrize(("_what", "change"), SAME)
def test_same_statement_ignores_what_the_spec_ignores(_what: str, change: dict[str, Any]) -> None:
    original = load("video_played")
    assert same_statement(original, {**original, **change})


@pytest.mark.parametrize(("_what", "change"), DIFFERENT)
def test_same_statement_sees_real_differences(_what: str, change: dict[str, Any]) -> None:
    original = load("video_played")
    assert not same_statement(original, {**original, **change})


@given(st.permutations(range(3)))
def test_same_statement_ignores_the_order_of_group_members(order: list[int]) -> None:
    original = load("group_statement")
    shuffled = copy.deepcopy(original)
    shuffled["actor"]["member"] = [original["actor"]["member"][i] for i in order]
    assert same_statement(original, shuffled)
    assert same_statement(original, normalise_statement(shuffled))


# Formats ---------------------------------------------------------------------------------------


def test_format_exact_returns_a_copy_as_stored() -> None:
    original = load("video_played")
    exact = format_statement(original, format="exact")
    assert exact == original
    assert exact is not original


def test_format_ids_keeps_only_identifiers() -> None:
    ids = format_statement(normalise_statement(load("group_statement")), format="ids")
    assert ids["actor"] == {
        "objectType": "Group",
        "member": [
            {"objectType": "Agent", "mbox": "mailto:anna@example.it"},
            {"objectType": "Agent", "mbox_sha1sum": "CD4B5F2A9E3B1C0D7E6F5A4B3C2D1E0F9A8B7C6D"},
            {"objectType": "Agent", "openid": "https://openid.example.it/bruno"},
        ],
    }
    assert ids["object"]["verb"] == {"id": "http://adlnet.gov/expapi/verbs/mentored"}
    assert ids["object"]["object"] == {"objectType": "Group", "mbox": "mailto:napoli@example.it"}
    assert ids["object"]["context"]["instructor"] == {
        "objectType": "Agent",
        "mbox": "mailto:docente@example.it",
    }
    assert ids["context"]["contextActivities"]["parent"] == [
        {"id": "https://lms.metropoli.example/xapi/activities/session/42"}
    ]
    video = format_statement(load("video_played"), format="ids")
    assert video["object"] == {"id": ACTIVITY}
    assert video["actor"] == {
        "objectType": "Agent",
        "account": {
            "homePage": "https://lms.metropoli.example",
            "name": "7c1e4b2a-0d3f-4a5b-8c6d-9e0f1a2b3c4d",
        },
    }
    assert video["verb"] == {"id": "https://w3id.org/xapi/video/verbs/played"}
    assert video["result"] == load("video_played")["result"]


@pytest.mark.parametrize(
    ("languages", "display", "name"),
    [
        (
            ["it-IT", "en"],
            {"it-IT": "ha riprodotto"},
            {"it-IT": "Il bilancio della Città Metropolitana"},
        ),
        (["en"], {"en-US": "played"}, {"en-US": "The Metropolitan City budget"}),
        (["it"], {"it-IT": "ha riprodotto"}, {"it-IT": "Il bilancio della Città Metropolitana"}),
        (["de", "en-us"], {"en-US": "played"}, {"en-US": "The Metropolitan City budget"}),
        ([], {"en-US": "played"}, {"it-IT": "Il bilancio della Città Metropolitana"}),
    ],
)
def test_format_canonical_keeps_the_best_language(
    languages: list[str], display: dict[str, str], name: dict[str, str]
) -> None:
    canonical = format_statement(load("video_played"), format="canonical", languages=languages)
    assert canonical["verb"]["display"] == display
    assert canonical["object"]["definition"]["name"] == name
    assert canonical["object"]["definition"]["description"] == {
        "it-IT": "Lezione 3 del modulo Finanza locale"
    }
    assert canonical["actor"] == load("video_played")["actor"]


def test_format_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'full'"):
        format_statement(MINIMAL, format="full")


def test_normalise_statement_never_modifies_its_input():
    from tracking.lrs.xapi import normalise_statement

    statement = load("group_statement")
    statement["context"] = {"contextActivities": {"parent": {"id": "http://example.it/a"}}}
    statement["object"] = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:ann@example.it"},
        "verb": {"id": "http://example.it/v"},
        "object": {"id": "http://example.it/b"},
        "context": {"contextActivities": {"grouping": {"id": "http://example.it/c"}}},
    }
    before = json.dumps(statement, sort_keys=True)

    normalised = normalise_statement(statement)

    assert json.dumps(statement, sort_keys=True) == before
    assert normalised["context"]["contextActivities"]["parent"] == [{"id": "http://example.it/a"}]
    assert normalised["object"]["context"]["contextActivities"]["grouping"] == [
        {"id": "http://example.it/c"}
    ]

"""Hostile statements are 400s in the LRS's error shape, never 500s, and nothing is stored that
cannot be read back: nesting, values longer than their columns, characters PostgreSQL cannot
hold, instants outside Python's years; and ``stored`` at the precision it is printed."""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from http import HTTPStatus

import pytest

from tests.tracking.test_statements import Lrs, _statement
from tracking.lrs.models import Statement

pytestmark = pytest.mark.django_db

EXTENSION = "http://lms.test/xapi/extensions/nested"


@pytest.fixture
def lrs():
    return Lrs()


def _nested_body(depth):
    """A statement whose result extension holds arrays ``depth`` deep (json.dumps would overflow
    its own recursion before 1,000)."""
    statement = json.dumps(_statement(result={"extensions": {EXTENSION: "here"}}))
    return statement.replace('"here"', "[" * depth + "]" * depth)


def _nested(depth):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _refused(response, path):
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert body["code"] == "xapi_bad_request"
    assert body["extra"]["path"] == path
    assert not Statement.objects.exists()
    return body["message"]


# --- nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1000, 500])
def test_a_statement_nested_deeper_than_the_default_is_refused_before_parsing(lrs, depth):
    message = _refused(lrs.post(_nested_body(depth)), "body")

    assert message == "A statement nests arrays and objects deeper than 64 levels."


def test_the_deepest_statement_allowed_is_stored_and_one_level_more_is_refused(lrs, settings):
    # statement (1) > result (2) > extensions (3) > the value: arrays from level 4
    allowed = _statement(result={"extensions": {EXTENSION: _nested(settings.XAPI_MAX_DEPTH - 3)}})
    deeper = _statement(result={"extensions": {EXTENSION: _nested(settings.XAPI_MAX_DEPTH - 2)}})

    message = _refused(lrs.post(deeper), f"result.extensions.{EXTENSION}" + "[0]" * 61)
    assert message == "nests arrays and objects deeper than 64 levels"
    [statement_id] = lrs.post(allowed).json()
    assert lrs.get(statementId=statement_id).json()["result"] == allowed["result"]


def test_a_batch_counts_the_depth_of_each_statement(lrs, settings):
    deepest = _statement(result={"extensions": {EXTENSION: _nested(settings.XAPI_MAX_DEPTH - 3)}})

    assert lrs.post([deepest, deepest]).status_code == HTTPStatus.OK


def test_a_multipart_statement_nested_too_deep_is_refused(lrs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = b"%PDF-1.4 slide deck"
    digest = hashlib.sha256(content).hexdigest()
    statement = _statement(
        result={"extensions": {EXTENSION: "here"}},
        attachments=[
            {
                "usageType": "http://id.tincanapi.com/attachment/supporting_media",
                "display": {"it-IT": "Slide"},
                "contentType": "application/pdf",
                "length": len(content),
                "sha2": digest,
            }
        ],
    )
    for depth, path in [(500, f"result.extensions.{EXTENSION}" + "[0]" * 61), (1000, "body")]:
        body = (
            b"--b\r\nContent-Type: application/json\r\n\r\n"
            + json.dumps(statement).replace('"here"', "[" * depth + "]" * depth).encode()
            + b"\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary"
            + f"\r\nX-Experience-API-Hash: {digest}\r\n\r\n".encode()
            + content
            + b"\r\n--b--\r\n"
        )

        response = lrs.http.post(
            "/xapi/statements", body, content_type="multipart/mixed; boundary=b", **lrs.headers
        )

        _refused(response, path)


def _store_directly(payload, **columns):
    """A row as the LRS wrote it before it checked what it stores."""
    statement_id = uuid.uuid4()
    now = datetime.now(tz=UTC)
    Statement.objects.create(
        id=statement_id,
        payload={**payload, "id": str(statement_id), "stored": now.isoformat()},
        actor_ifi="account:http://lms.test u1",
        verb_id=payload["verb"]["id"],
        object_activity_id=payload["object"]["id"],
        timestamp=columns.pop("timestamp", now),
        stored=now,
        **columns,
    )
    return str(statement_id)


@pytest.mark.parametrize("statement_format", ["exact", "ids", "canonical"])
def test_a_statement_stored_too_deep_before_the_limit_is_still_served(lrs, statement_format):
    deep = _nested(500)
    statement_id = _store_directly(_statement(result={"extensions": {EXTENSION: deep}}))

    one = lrs.get(statementId=statement_id, format=statement_format)
    page = lrs.get(format=statement_format)

    assert one.status_code == HTTPStatus.OK
    assert one.json()["result"]["extensions"][EXTENSION] == deep
    assert page.status_code == HTTPStatus.OK
    assert [s["id"] for s in page.json()["statements"]] == [statement_id]


# --- values longer than their columns ----------------------------------------------------------

LONG_IRI = "http://lms.test/" + "a" * (2049 - len("http://lms.test/"))


@pytest.mark.parametrize(
    ("overrides", "path", "message"),
    [
        (
            {"object": {"id": LONG_IRI}},
            "object.id",
            "must not be longer than 2048 characters (the most this LRS stores)",
        ),
        (
            {"actor": {"account": {"homePage": "http://lms.test", "name": "n" * 513}}},
            "actor.account",
            "homePage and name together must not be longer than 503 characters "
            "(the most this LRS stores)",
        ),
        (
            {"verb": {"id": LONG_IRI}},
            "verb.id",
            "must not be longer than 2048 characters (the most this LRS stores)",
        ),
        (
            {"actor": {"mbox": "mailto:" + "a" * 500 + "@lms.test"}},
            "actor.mbox",
            "must not be longer than 507 characters (the most this LRS stores)",
        ),
        (
            {"actor": {"openid": LONG_IRI[:513]}},
            "actor.openid",
            "must not be longer than 505 characters (the most this LRS stores)",
        ),
        (
            {"object": {"objectType": "Agent", "mbox": "mailto:" + "a" * 500 + "@lms.test"}},
            "object.mbox",
            "must not be longer than 507 characters (the most this LRS stores)",
        ),
        (
            {"context": {"contextActivities": {"parent": {"id": LONG_IRI}}}},
            "context.contextActivities.parent.id",
            "must not be longer than 2048 characters (the most this LRS stores)",
        ),
        (
            {
                "context": {
                    "team": {
                        "objectType": "Group",
                        "member": [{"mbox": "mailto:" + "a" * 500 + "@lms.test"}],
                    }
                }
            },
            "context.team.member[0].mbox",
            "must not be longer than 507 characters (the most this LRS stores)",
        ),
        (
            {
                "object": {
                    "objectType": "SubStatement",
                    "actor": {"mbox": "mailto:ann@lms.test"},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
                    "object": {"id": LONG_IRI},
                }
            },
            "object.object.id",
            "must not be longer than 2048 characters (the most this LRS stores)",
        ),
    ],
    ids=[
        "activity-id",
        "account-name",
        "verb-id",
        "mbox",
        "openid",
        "agent-object",
        "context-activity",
        "group-member",
        "substatement-activity",
    ],
)
def test_a_value_longer_than_its_column_is_a_400_naming_it(lrs, overrides, path, message):
    assert _refused(lrs.post(_statement(**overrides)), path) == message


def test_values_as_long_as_their_columns_are_stored(lrs):
    statement = _statement(
        actor={"account": {"homePage": "http://lms.test", "name": "n" * (503 - 15)}},
        object={"id": LONG_IRI[:2048]},
    )

    response = lrs.post(statement)

    assert response.status_code == HTTPStatus.OK
    assert Statement.objects.get().object_activity_id == LONG_IRI[:2048]


def test_an_attachment_part_content_type_longer_than_its_column_is_a_400(lrs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = b"%PDF-1.4 slide deck"
    digest = hashlib.sha256(content).hexdigest()
    content_type = "application/" + "x" * 250
    statement = _statement(
        attachments=[
            {
                "usageType": "http://id.tincanapi.com/attachment/supporting_media",
                "display": {"it-IT": "Slide"},
                "contentType": content_type,
                "length": len(content),
                "sha2": digest,
            }
        ]
    )
    body = (
        b"--b\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps(statement).encode()
        + f"\r\n--b\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
        f"X-Experience-API-Hash: {digest}\r\n\r\n".encode()
        + content
        + b"\r\n--b--\r\n"
    )

    response = lrs.http.post(
        "/xapi/statements", body, content_type="multipart/mixed; boundary=b", **lrs.headers
    )

    message = _refused(response, "Content-Type")
    assert message == (
        "An attachment part's Content-Type is longer than the 255 characters this LRS stores."
    )
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


# --- characters and instants PostgreSQL or Python cannot hold ----------------------------------


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ('{"response": "a\\u0000b"}', "result.response"),
        ('{"response": "a\\ud800b"}', "result.response"),
        (
            '{"extensions": {"http://lms.test/x": {"a\\u0000": 1}}}',
            "result.extensions.http://lms.test/x.a\x00",
        ),
    ],
    ids=["nul", "lone-surrogate", "nul-in-a-name"],
)
def test_a_string_postgresql_cannot_hold_is_a_400(lrs, body, path):
    statement = json.dumps(_statement(result={})).replace('"result": {}', f'"result": {body}')

    message = _refused(lrs.post(statement), path)

    assert message == "holds U+0000 or an unpaired surrogate, which this LRS cannot store"


@pytest.mark.parametrize("timestamp", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_timestamp_outside_the_years_python_reads_is_a_400(lrs, timestamp):
    message = _refused(lrs.post(_statement(timestamp=timestamp)), "timestamp")

    assert message == "must fall within the years 1 to 9999 in UTC"


def test_a_statement_stored_with_such_a_timestamp_before_is_still_served(lrs):
    from django.db import connection

    statement_id = _store_directly(_statement(timestamp="9999-12-31T23:59:59-01:00"))
    with connection.cursor() as cursor:  # what Python cannot even write any more
        cursor.execute(
            "UPDATE tracking_statement SET timestamp = '10000-01-01 00:59:59+00' WHERE id = %s",
            [statement_id],
        )

    response = lrs.get(statementId=statement_id)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["timestamp"] == "9999-12-31T23:59:59-01:00"


# --- stored: since and until at its printed value ------------------------------------------------


def test_since_and_until_at_a_printed_stored_value_are_exact(lrs):
    [statement_id] = lrs.post(_statement()).json()
    stored = lrs.get(statementId=statement_id).json()["stored"]

    since = lrs.get(since=stored).json()["statements"]
    until = lrs.get(until=stored).json()["statements"]

    assert statement_id not in [s["id"] for s in since]
    assert [s["id"] for s in until] == [statement_id]
    assert Statement.objects.get().stored == datetime.fromisoformat(stored)

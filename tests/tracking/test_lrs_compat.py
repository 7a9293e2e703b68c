"""What clients other than ours need of the LRS (issue 12, items 9 and 10): profile PUTs as xAPI
1.0.3 words them, an About that tincan 1.0 can read, tincan driving the profile resources, a
request body limit of the LRS's own, and error messages in the request's language."""

import json
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from tincan import Activity, ActivityProfileDocument, Agent, AgentProfileDocument, RemoteLRS

from tests.tracking.test_statements import Lrs, _statement
from tests.tracking.test_tincan_round_trip import credentials  # noqa: F401 - the live server
from tracking.lrs.apis import StatementsApi

pytestmark = pytest.mark.django_db

ACTIVITY = "http://lms.test/xapi/activities/lesson/1"
AGENT = {"objectType": "Agent", "mbox": "mailto:ann@example.it"}
PROFILES = {
    "activities/profile": {"activityId": ACTIVITY},
    "agents/profile": {"agent": json.dumps(AGENT)},
}


def _post(lrs, statements, **headers):
    return lrs.http.post(
        "/xapi/statements",
        json.dumps(statements),
        content_type="application/json",
        **lrs.headers,
        **headers,
    )


def _put(lrs, resource, body, **headers):
    url = f"/xapi/{resource}?{urlencode({**PROFILES[resource], 'profileId': 'p'})}"
    return lrs.http.put(url, body, content_type="application/json", **lrs.headers, **headers)


# --- A: a PUT without preconditions (xAPI 1.0.3 Communication 3.1) --------------------------


@pytest.mark.parametrize("resource", PROFILES)
def test_a_profile_put_without_preconditions_creates_and_then_conflicts(resource):
    for version in ("1.0.3", "2.0.0"):
        lrs = Lrs(version=version)
        url = f"/xapi/{resource}?{urlencode({**PROFILES[resource], 'profileId': version})}"

        created = lrs.http.put(url, b'{"v": 1}', content_type="application/json", **lrs.headers)
        blind = lrs.http.put(url, b'{"v": 2}', content_type="application/json", **lrs.headers)

        assert created.status_code == HTTPStatus.NO_CONTENT, version
        assert blind.status_code == HTTPStatus.CONFLICT, version
        assert blind.json() == {
            "code": "document_conflict",
            "message": "The document already exists: read its current state and send If-Match "
            "with its ETag to replace it.",
            "extra": {},
        }
        assert lrs.http.get(url, **lrs.headers).json() == {"v": 1}


# --- B: /about --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        (None, ["1.0.3", "2.0.0"]),
        ("1.0.3", ["1.0.3"]),  # xAPI 1.0.3 About: 0.9, 0.95 and 1.0.x only (XAPI-00316)
        ("1.0", ["1.0.3"]),
        ("2.0.0", ["1.0.3", "2.0.0"]),
    ],
)
def test_about_lists_versions_clients_can_parse(client, header, versions):
    headers = {"HTTP_X_EXPERIENCE_API_VERSION": header} if header else {}

    response = client.get("/xapi/about", **headers)

    assert response.json() == {"version": versions, "extensions": {}}


# --- C: tincan 1.0 itself, over real HTTP ---------------------------------------------------


@pytest.fixture
def tincan(credentials):  # noqa: F811 - the fixture imported above
    return RemoteLRS(version="1.0.3", **credentials)


def _etag(response):
    """tincan never reads the ETag header (it looks headers up in a list of pairs)."""
    return response.response.getheader("ETag")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["activity", "agent"])
def test_tincan_creates_reads_updates_and_deletes_a_profile(tincan, kind):
    activity = Activity(id=ACTIVITY)
    agent = Agent(mbox="mailto:ann@example.it")
    if kind == "activity":
        profile = ActivityProfileDocument(id="settings", activity=activity)
        save, delete = tincan.save_activity_profile, tincan.delete_activity_profile

        def retrieve():
            return tincan.retrieve_activity_profile(activity, "settings")
    else:
        profile = AgentProfileDocument(id="settings", agent=agent)
        save, delete = tincan.save_agent_profile, tincan.delete_agent_profile

        def retrieve():
            return tincan.retrieve_agent_profile(agent, "settings")

    profile.content_type = "application/json"
    profile.content = '{"speed": 1}'
    created = save(profile)  # no If-Match, no If-None-Match: tincan sends neither
    read = retrieve()
    blind = save(profile)
    profile.content = '{"speed": 2}'
    profile.etag = _etag(read)
    updated = save(profile)  # If-Match: the ETag
    reread = retrieve()
    profile.etag = _etag(reread)
    deleted = delete(profile)  # If-Match: the new ETag
    gone = retrieve()

    assert created.success, created.data
    assert read.success, read.data
    assert bytes(read.content.content) == b'{"speed": 1}'
    assert blind.response.status == HTTPStatus.CONFLICT
    assert updated.success, updated.data
    assert bytes(reread.content.content) == b'{"speed": 2}'
    assert deleted.success, deleted.data
    assert gone.response.status == HTTPStatus.NOT_FOUND


@pytest.mark.django_db(transaction=True)
def test_tincan_reads_about(tincan):
    response = tincan.about()

    assert response.success, response.data
    assert response.content.version == ["1.0.3"]


# --- D: the request body limit (XAPI_MAX_BODY_BYTES) -------------------------------------------


def _batch(count):
    return [_statement() for _ in range(count)]


def test_a_body_under_the_xapi_limit_is_read_whatever_djangos_own_limit(settings):
    settings.XAPI_MAX_BODY_BYTES = 10_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500  # global, for the rest of the site only
    lrs = Lrs()
    assert 500 < len(json.dumps(_batch(20))) < 10_000

    response = _post(lrs, _batch(20))

    assert response.status_code == HTTPStatus.OK
    assert len(response.json()) == 20


def test_a_body_over_the_xapi_limit_is_a_413_in_the_lrs_error_shape(settings):
    settings.XAPI_MAX_BODY_BYTES = 1000
    lrs = Lrs()

    statements = _post(lrs, _batch(20))
    document = _put(lrs, "activities/profile", b'{"a": "' + b"x" * 1000 + b'"}')

    for response in (statements, document):
        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        assert response.json() == {
            "code": "request_too_large",
            "message": "The request body is over the 1000 bytes this LRS accepts: send fewer "
            "statements at a time, or smaller attachments or documents.",
            "extra": {"max_bytes": 1000},
        }
    assert _post(lrs, _batch(1)).status_code == HTTPStatus.OK


def test_a_body_that_declares_no_length_is_held_to_the_limit_too(settings):
    settings.XAPI_MAX_BODY_BYTES = 1000
    lrs = Lrs()
    request = RequestFactory().post(
        "/xapi/statements",
        json.dumps(_batch(20)),
        content_type="application/json",
        **lrs.headers,
    )
    del request.META["CONTENT_LENGTH"]  # as a chunked body comes (its stream still has it all)

    response = StatementsApi.as_view()(request)

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


# --- E: one language per response (Accept-Language, Italian by default) -----------------------


def _errors(settings, **headers):
    """A 400 (invalid statement), a 401 (bad credentials) and a 413, as (status, body)."""
    settings.XAPI_MAX_BODY_BYTES = 1000
    lrs = Lrs()
    invalid = _post(lrs, _statement(actor={"mbox": "ann@example.it"}), **headers)
    unauthorised = lrs.http.get(
        "/xapi/statements",
        HTTP_AUTHORIZATION="Basic bm9ib2R5Om5vdGhpbmc=",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        **headers,
    )
    too_large = _post(lrs, _batch(20), **headers)
    return [(r.status_code, r.json()) for r in (invalid, unauthorised, too_large)]


def test_errors_in_english_when_the_request_asks_for_it(settings):
    settings.LANGUAGE_CODE = "it"  # the platform's default, overridden by the header

    errors = _errors(settings, HTTP_ACCEPT_LANGUAGE="en")

    assert [(status, body["message"]) for status, body in errors] == [
        (400, "'ann@example.it' is not a mailto: IRI"),
        (401, "Valid LRS credentials are required."),
        (
            413,
            "The request body is over the 1000 bytes this LRS accepts: send fewer statements at "
            "a time, or smaller attachments or documents.",
        ),
    ]
    assert errors[0][1]["extra"] == {"path": "actor.mbox"}


def test_errors_in_italian_by_default(settings):
    settings.LANGUAGE_CODE = "it"

    errors = _errors(settings)

    assert [(status, body["message"]) for status, body in errors] == [
        (400, "La richiesta non è xAPI valida."),
        (401, "Servono credenziali LRS valide."),
        (
            413,
            "Il corpo della richiesta supera i 1000 byte accettati da questo LRS: inviare meno "
            "statement alla volta, o allegati o documenti più piccoli.",
        ),
    ]
    # The validator's own words stay available, untranslated, beside the path.
    assert errors[0][1]["extra"] == {
        "path": "actor.mbox",
        "detail": "'ann@example.it' is not a mailto: IRI",
    }


def test_document_and_attachment_errors_in_italian(settings):
    settings.LANGUAGE_CODE = "it"
    lrs = Lrs()
    _put(lrs, "activities/profile", b'{"v": 1}')

    conflict = _put(lrs, "activities/profile", b'{"v": 2}')
    no_hash = lrs.http.post(
        "/xapi/statements",
        b"--b\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps(_statement()).encode()
        + b"\r\n--b\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--b--\r\n",
        content_type="multipart/mixed; boundary=b",
        **lrs.headers,
    )

    assert conflict.json()["message"] == (
        "Il documento esiste già: leggerne lo stato attuale e inviare If-Match con il suo ETag "
        "per sostituirlo."
    )
    assert no_hash.json() == {
        "code": "xapi_bad_request",
        "message": "Ogni parte di allegato deve avere un X-Experience-API-Hash.",
        "extra": {"path": "part[1]"},
    }

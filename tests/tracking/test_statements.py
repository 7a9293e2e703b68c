import base64
import hashlib
import json
import uuid
from http import HTTPStatus

import pytest
from django.test import Client

from tracking.lrs.services.clients import lrs_client_create
from tracking.models import Statement

pytestmark = pytest.mark.django_db

VIDEO = "https://w3id.org/xapi/video"
PLAYED = "https://w3id.org/xapi/video/verbs/played"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _statement(**overrides):
    statement = {
        "actor": {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": "u1"}},
        "verb": {"id": PLAYED, "display": {"en-US": "played"}},
        "object": {"objectType": "Activity", "id": "http://lms.test/xapi/activities/lesson/1"},
    }
    statement.update(overrides)
    return statement


class Lrs:
    """An HTTP client speaking xAPI 1.0.3 with one LRS client's Basic credentials."""

    def __init__(self, *, read_scope="all", can_write=True, version="1.0.3"):
        self.client_row, secret = lrs_client_create(
            name=f"test-{uuid.uuid4().hex[:6]}", read_scope=read_scope, can_write=can_write
        )
        token = base64.b64encode(f"{self.client_row.key}:{secret}".encode()).decode()
        self.headers = {"HTTP_AUTHORIZATION": f"Basic {token}"}
        if version:
            self.headers["HTTP_X_EXPERIENCE_API_VERSION"] = version
        self.http = Client()

    def post(self, body, **params):
        return self.http.post(
            "/xapi/statements",
            body,
            content_type="application/json",
            QUERY_STRING=_qs(params),
            **self.headers,
        )

    def put(self, body, **params):
        return self.http.put(
            f"/xapi/statements?{_qs(params)}", body, content_type="application/json", **self.headers
        )

    def get(self, **params):
        return self.http.get("/xapi/statements", params, **self.headers)


def _qs(params):
    from urllib.parse import urlencode

    return urlencode(params)


@pytest.fixture
def lrs():
    return Lrs()


def test_post_stores_a_statement_with_what_the_lrs_adds(lrs):
    response = lrs.post(_statement())

    assert response.status_code == HTTPStatus.OK
    assert response["X-Experience-API-Version"] == "1.0.3"
    [statement_id] = response.json()
    stored = lrs.get(statementId=statement_id).json()
    assert stored["id"] == statement_id
    assert stored["authority"] == lrs.client_row.authority
    assert stored["version"] == "1.0.0"
    assert stored["stored"].endswith("Z")
    assert stored["timestamp"] == stored["stored"]


def test_put_is_idempotent_and_a_different_statement_with_the_same_id_conflicts(lrs):
    statement_id = str(uuid.uuid4())

    first = lrs.put(_statement(), statementId=statement_id)
    again = lrs.put(_statement(), statementId=statement_id)
    different = lrs.put(
        _statement(verb={"id": "http://adlnet.gov/expapi/verbs/completed"}),
        statementId=statement_id,
    )

    assert (first.status_code, again.status_code) == (HTTPStatus.NO_CONTENT, HTTPStatus.NO_CONTENT)
    assert different.status_code == HTTPStatus.CONFLICT
    assert Statement.objects.get().verb_id == PLAYED


def test_a_bad_statement_in_a_batch_stores_none_and_says_which_and_why(lrs):
    batch = [_statement() for _ in range(100)]
    batch[42] = _statement(actor={"mbox": "ann@example.it"})  # not a mailto: IRI

    response = lrs.post(batch)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["extra"]["path"].startswith("[42].actor")
    assert not Statement.objects.exists()


def test_a_batch_is_stored_in_a_constant_number_of_queries(lrs, django_assert_max_num_queries):
    lrs.post(_statement())  # warm the credential cache

    with django_assert_max_num_queries(12):
        response = lrs.post([_statement() for _ in range(100)])

    assert response.status_code == HTTPStatus.OK
    assert Statement.objects.count() == 101


def test_requests_without_the_version_header_are_refused():
    response = Lrs(version=None).post(_statement())

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["extra"]["path"] == "X-Experience-API-Version"


def test_requests_without_credentials_are_unauthorised():
    response = Client().get("/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="1.0.3")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Basic realm="xapi"'


def test_about_needs_no_credentials():
    response = Client().get("/xapi/about")

    assert response.status_code == HTTPStatus.OK
    assert "1.0.3" in response.json()["version"]


def test_voided_statements_leave_queries_but_stay_retrievable(lrs):
    [target] = lrs.post(_statement()).json()
    voiding = _statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    [voiding_id] = lrs.post(voiding).json()

    assert lrs.get(statementId=target).status_code == HTTPStatus.NOT_FOUND
    assert lrs.get(voidedStatementId=target).json()["id"] == target
    assert [s["id"] for s in lrs.get().json()["statements"]] == [voiding_id]


def test_a_voiding_statement_cannot_be_voided(lrs):
    [target] = lrs.post(_statement()).json()
    [voiding] = lrs.post(
        _statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    ).json()

    response = lrs.post(
        _statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voiding})
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_query_filters(lrs):
    registration = str(uuid.uuid4())
    ann = {"mbox": "mailto:ann@example.it"}
    lrs.post(
        [
            _statement(actor=ann, context={"registration": registration}),
            _statement(verb={"id": "http://adlnet.gov/expapi/verbs/completed"}),
            _statement(
                object={"id": "http://lms.test/xapi/activities/lesson/2"},
                context={"contextActivities": {"parent": [{"id": "http://lms.test/course/1"}]}},
            ),
        ]
    )

    def count(**params):
        return len(lrs.get(**params).json()["statements"])

    assert count() == 3
    assert count(verb=PLAYED) == 2
    assert count(agent='{"mbox": "mailto:ann@example.it"}') == 1
    assert count(registration=registration) == 1
    assert count(activity="http://lms.test/course/1") == 0
    assert count(activity="http://lms.test/course/1", related_activities="true") == 1


def test_more_pages_are_stable_while_new_statements_arrive(lrs, settings):
    settings.LRS_PAGE_SIZE = 2
    for _ in range(5):
        lrs.post(_statement())
    seen = []

    page = lrs.get().json()
    seen += [s["id"] for s in page["statements"]]
    lrs.post(_statement())  # arrives while the client pages through
    while page["more"]:
        page = lrs.http.get(page["more"], **lrs.headers).json()
        seen += [s["id"] for s in page["statements"]]

    assert len(seen) == 5
    assert len(set(seen)) == 5


def test_a_client_reading_its_own_sees_only_its_statements(lrs):
    other = Lrs(read_scope="mine")
    lrs.post(_statement())
    [own] = other.post(_statement()).json()

    assert [s["id"] for s in other.get().json()["statements"]] == [own]


def test_a_write_only_client_cannot_read():
    writer = Lrs(read_scope="none")

    assert writer.get().status_code == HTTPStatus.FORBIDDEN


def test_reads_say_how_consistent_they_are(lrs):
    response = lrs.get()

    assert response["X-Experience-API-Consistent-Through"].endswith("Z")


# --- the platform's own pages: a signed-in learner, through the session ----------------------


@pytest.fixture
def learner_session(learner):
    http = Client(enforce_csrf_checks=True)
    http.force_login(learner)
    http.get("/api/v1/me/")  # any page: the CSRF cookie is set by the first response that uses it
    return http


def _own(learner, settings):
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": str(learner.pk)},
    }


def _session_post(http, body, csrf=True):
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    http.cookies["csrftoken"] = token
    headers = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
    if csrf:
        headers["HTTP_X_CSRFTOKEN"] = token
    return http.post("/xapi/statements", body, content_type="application/json", **headers)


def test_a_learner_sends_their_own_statements_with_the_platform_as_authority(
    learner_session, learner, settings
):
    response = _session_post(learner_session, _statement(actor=_own(learner, settings)))

    assert response.status_code == HTTPStatus.OK
    stored = Statement.objects.get()
    assert stored.payload["authority"]["account"] == {
        "homePage": settings.SITE_URL,
        "name": "platform",
    }
    assert stored.client is None


def test_a_learner_can_never_write_as_someone_else(learner_session):
    response = _session_post(learner_session, _statement())  # actor u1, not the learner

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["message"] == "You can only send statements about yourself."
    assert not Statement.objects.exists()


def test_session_writes_need_the_csrf_token(learner_session, learner, settings):
    response = _session_post(learner_session, _statement(actor=_own(learner, settings)), csrf=False)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Statement.objects.exists()


def test_a_learner_reads_only_statements_about_themselves(learner_session, learner, settings, lrs):
    lrs.post(_statement())
    [own] = lrs.post(_statement(actor=_own(learner, settings))).json()

    response = learner_session.get("/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="1.0.3")

    assert [s["id"] for s in response.json()["statements"]] == [own]


# --- attachments ----------------------------------------------------------------------------

SLIDES = b"%PDF-1.4 slide deck"


def _with_attachment(sha2=None, content=SLIDES, declare=True):
    digest = hashlib.sha256(SLIDES).hexdigest()
    statement = _statement()
    if declare:
        statement["attachments"] = [
            {
                "usageType": "http://id.tincanapi.com/attachment/supporting_media",
                "display": {"it-IT": "Slide"},
                "contentType": "application/pdf",
                "length": len(SLIDES),
                "sha2": digest,
            }
        ]
    return (
        b"--b\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps(statement).encode()
        + b"\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\n"
        + f"X-Experience-API-Hash: {sha2 or digest}\r\n\r\n".encode()
        + content
        + b"\r\n--b--\r\n"
    )


def _post_multipart(lrs, body):
    return lrs.http.post(
        "/xapi/statements", body, content_type="multipart/mixed; boundary=b", **lrs.headers
    )


def test_a_statement_with_an_attachment_round_trips(lrs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    [statement_id] = _post_multipart(lrs, _with_attachment()).json()

    response = lrs.get(statementId=statement_id, attachments="true")

    assert response["Content-Type"].startswith("multipart/mixed")
    from tracking.lrs.multipart import parse_statement_body

    body = b"".join(response.streaming_content)  # streamed from storage
    statement, parts = parse_statement_body(response["Content-Type"], body)
    assert statement["id"] == statement_id
    assert [p.content for p in parts.values()] == [SLIDES]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _with_attachment(content=b"tampered"),
            "The attachment does not match its X-Experience-API-Hash.",
        ),
        (_with_attachment(declare=False), "Parts no statement declares as an attachment: "),
    ],
    ids=["hash-mismatch", "undeclared-part"],
)
def test_attachment_rules(lrs, settings, tmp_path, body, message):
    settings.MEDIA_ROOT = tmp_path

    response = _post_multipart(lrs, body)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["message"].startswith(message)
    assert not Statement.objects.exists()


def test_a_declared_attachment_needs_its_content(lrs):
    statement = _statement(
        attachments=[
            {
                "usageType": "http://id.tincanapi.com/attachment/supporting_media",
                "display": {"it-IT": "Slide"},
                "contentType": "application/pdf",
                "length": 3,
                "sha2": "a" * 64,
            }
        ]
    )

    response = lrs.post(statement)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["extra"]["path"] == "[0].attachments[0]"


# --- alternate request syntax (xAPI 1.0.3 Communication 1.3) ---------------------------------


def _alternate(lrs, method, **form):
    from urllib.parse import urlencode

    fields = {
        "Authorization": lrs.headers["HTTP_AUTHORIZATION"],
        "X-Experience-API-Version": lrs.headers.get("HTTP_X_EXPERIENCE_API_VERSION", "1.0.3"),
        **form,
    }
    return lrs.http.post(
        f"/xapi/statements?method={method}",
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )


def test_alternate_syntax_put_and_get(lrs):
    statement_id = str(uuid.uuid4())

    put = _alternate(  # no Content-Type in the form: JSON is the default
        lrs, "PUT", statementId=statement_id, content=json.dumps(_statement())
    )
    get = _alternate(lrs, "GET", statementId=statement_id)

    assert put.status_code == HTTPStatus.NO_CONTENT
    assert get.json()["id"] == statement_id


def test_alternate_syntax_takes_nothing_but_method_in_the_url(lrs):
    response = lrs.http.post(
        "/xapi/statements?method=GET&verb=x", "", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_xapi_2_has_no_alternate_syntax():
    lrs = Lrs(version="2.0.0")

    response = _alternate(lrs, "GET")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["message"] == "xAPI 2.0 has no alternate request syntax."


def test_a_request_without_version_is_refused_in_the_version_of_its_client():
    lrs = Lrs(version=None)
    lrs.client_row.xapi_version = "2.0.0"
    lrs.client_row.save(update_fields=["xapi_version"])

    response = lrs.get()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["X-Experience-API-Version"] == "2.0.0"


def test_nan_is_not_json(lrs):
    body = json.dumps(_statement(result={"score": {"raw": 1}})).replace('"raw": 1', '"raw": NaN')

    response = lrs.http.post(
        "/xapi/statements", body, content_type="application/json", **lrs.headers
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("agent", "message"),
    [
        ('{"mbox": "mailto:ann@example.it", "name": NaN}', "agent must be JSON."),
        ("not json", "agent must be JSON."),
        ('{"objectType": "Group", "member": []}', None),  # anonymous: no identity to filter on
    ],
    ids=["nan", "not-json", "anonymous-group"],
)
def test_a_bad_agent_filter_is_refused(lrs, agent, message):
    response = lrs.get(agent=agent)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["extra"]["path"].startswith("agent")
    if message:
        assert response.json()["message"] == message


def test_a_body_over_the_size_limit_is_a_413_in_the_lrs_error_shape(lrs, settings):
    settings.XAPI_MAX_BODY_BYTES = 1000

    response = lrs.post([_statement() for _ in range(20)])

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json() == {
        "code": "request_too_large",
        "message": "The request body is over the 1000 bytes this LRS accepts: send fewer "
        "statements at a time, or smaller attachments or documents.",
        "extra": {"max_bytes": 1000},
    }
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert not Statement.objects.exists()

"""tincan's RemoteLRS (through our wrapper where tincan needs it) against the LRS served over real
HTTP by pytest-django's live server: statements in, queried back, voided; state in and out."""

import uuid

import pytest
from tincan import (
    Activity,
    Agent,
    AgentAccount,
    LanguageMap,
    RemoteLRS,
    StateDocument,
    Statement,
    StatementRef,
    Verb,
)

from tracking.lrs.remote import RemoteLrs, json_document_content
from tracking.lrs.services.clients import lrs_client_create
from tracking.models import Statement as StoredStatement

pytestmark = pytest.mark.django_db(transaction=True)

PLAYED = "https://w3id.org/xapi/video/verbs/played"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
HOME = "http://lms.test"


@pytest.fixture
def credentials(live_server):
    client, secret = lrs_client_create(name="tincan round trip", read_scope="all")
    return {"endpoint": f"{live_server.url}/xapi/", "username": client.key, "password": secret}


@pytest.fixture
def lrs(credentials):
    """tincan's own RemoteLRS: statements need no workaround."""
    return RemoteLRS(version="1.0.3", **credentials)


def _agent(name: str) -> Agent:
    return Agent(account=AgentAccount(home_page=HOME, name=name))


def _statement(*, learner: str = "u1", verb: str = PLAYED, lesson: int = 1) -> Statement:
    return Statement(
        actor=_agent(learner),
        verb=Verb(id=verb, display=LanguageMap({"en-US": verb.rsplit("/", 1)[-1]})),
        object=Activity(id=f"{HOME}/xapi/activities/lesson/{lesson}"),
    )


def test_save_one_statement_and_read_it_back(lrs):
    statement = _statement()

    saved = lrs.save_statement(statement)

    assert saved.success, saved.data
    assert statement.id is not None  # POST without an id: the LRS's id is set on the object
    read = lrs.retrieve_statement(str(statement.id))
    assert read.success, read.data
    assert str(read.content.id) == str(statement.id)
    assert read.content.verb.id == PLAYED
    assert read.content.actor.account.name == "u1"
    assert read.content.stored is not None
    assert read.content.authority is not None


def test_save_with_an_id_is_a_put_and_is_idempotent(lrs):
    statement = _statement()
    statement.id = uuid.uuid4()

    first = lrs.save_statement(statement)
    second = lrs.save_statement(statement)

    assert first.success, first.data
    assert second.success, second.data
    assert first.response.status == 204
    assert StoredStatement.objects.filter(pk=statement.id).count() == 1


def test_save_a_batch_then_query_it_with_filters_and_pages(lrs):
    batch = [_statement(learner="u2", lesson=n) for n in range(3)]
    batch.append(_statement(learner="u2", verb=COMPLETED, lesson=0))
    batch.append(_statement(learner="u3", lesson=0))

    saved = lrs.save_statements(batch)

    assert saved.success, saved.data
    assert all(s.id is not None for s in batch)
    ids = {str(s.id) for s in batch}
    assert len(ids) == 5

    played_by_u2 = lrs.query_statements(
        {"agent": _agent("u2"), "verb": Verb(id=PLAYED), "limit": 2, "ascending": True}
    )
    assert played_by_u2.success, played_by_u2.data
    first_page = played_by_u2.content
    assert len(first_page.statements) == 2
    assert first_page.more  # a third one waits on the next page
    second_page = lrs.more_statements(first_page)
    assert second_page.success, second_page.data
    assert [s.id for s in second_page.content.statements] != []
    found = {str(s.id) for s in first_page.statements + second_page.content.statements}
    assert found == {str(s.id) for s in batch[:3]}

    by_activity = lrs.query_statements(
        {"activity": Activity(id=f"{HOME}/xapi/activities/lesson/0")}
    )
    assert {str(s.id) for s in by_activity.content.statements} == {
        str(batch[0].id),
        str(batch[3].id),
        str(batch[4].id),
    }


def test_void_a_statement(lrs):
    target = _statement(learner="u4")
    lrs.save_statement(target)
    voiding = Statement(
        actor=_agent("u4"),
        verb=Verb(id=VOIDED, display=LanguageMap({"en-US": "voided"})),
        object=StatementRef(id=target.id),
    )

    saved = lrs.save_statement(voiding)

    assert saved.success, saved.data
    assert lrs.retrieve_statement(str(target.id)).response.status == 404
    voided = lrs.retrieve_voided_statement(str(target.id))
    assert voided.success, voided.data
    assert str(voided.content.id) == str(target.id)
    remaining = lrs.query_statements({"agent": _agent("u4")}).content.statements
    assert [str(s.id) for s in remaining] == [str(voiding.id)]  # the voiding one stays


def test_state_round_trip_with_registration(credentials):
    lrs = RemoteLrs(version="1.0.3", **credentials)
    activity = Activity(id=f"{HOME}/xapi/activities/lesson/7")
    registration = str(uuid.uuid4())
    state = StateDocument(
        id="bookmark",
        activity=activity,
        agent=_agent("u5"),
        registration=registration,
        content_type="application/json",
        content=json_document_content({"position": 42.5, "titolo": "Città — parte 2"}),
    )

    saved = lrs.save_state(state)

    assert saved.success, saved.data
    read = lrs.retrieve_state(activity, _agent("u5"), "bookmark", registration=registration)
    assert read.success, read.data
    assert bytes(read.content.content).decode("utf-8") == (
        '{"position": 42.5, "titolo": "Città — parte 2"}'
    )
    assert read.content.etag
    ids = lrs.retrieve_state_ids(activity, _agent("u5"), registration=registration)
    assert ids.content == ["bookmark"]
    missing = lrs.retrieve_state(activity, _agent("u5"), "bookmark")  # other registration
    assert missing.response.status == 404
    assert missing.content is None


def test_about_through_the_wrapper(credentials):
    response = RemoteLrs(**credentials).about()

    assert response.success
    assert response.content.versions == ["1.0.3"]  # what a 1.0.x client is told of

"""The tincan workarounds of ``tracking.lrs.remote.RemoteLrs``, each against the live LRS: first
what raw tincan 1.0.0 does wrong, then the wrapper doing it right."""

import socket
import uuid

import pytest
from tincan import (
    Activity,
    ActivityProfileDocument,
    Agent,
    AgentAccount,
    AgentProfileDocument,
    RemoteLRS,
    StateDocument,
)

from tracking.lrs.remote import RemoteLrs, json_document_content
from tracking.lrs.services.clients import lrs_client_create
from tracking.models import Document

pytestmark = pytest.mark.django_db(transaction=True)

HOME = "http://lms.test"
ACTIVITY = Activity(id=f"{HOME}/xapi/activities/lesson/9")


@pytest.fixture
def credentials(live_server):
    client, secret = lrs_client_create(name="tincan workarounds", read_scope="all")
    return {"endpoint": f"{live_server.url}/xapi/", "username": client.key, "password": secret}


@pytest.fixture
def raw(credentials):
    return RemoteLRS(version="1.0.3", **credentials)


@pytest.fixture
def lrs(credentials):
    return RemoteLrs(version="1.0.3", **credentials)


def _agent(name: str = "u1") -> Agent:
    return Agent(account=AgentAccount(home_page=HOME, name=name))


def _state(content: dict, **fields) -> StateDocument:
    return StateDocument(
        id="bookmark",
        activity=ACTIVITY,
        agent=_agent(),
        content_type="application/json",
        content=json_document_content(content),
        **fields,
    )


def test_about_raw_tincan_raises_on_versions_it_does_not_know(raw, lrs):
    raw._version = lrs._version = "2.0.0"  # noqa: SLF001 - a 1.0.x client hears of 1.0.3 only
    with pytest.raises(ValueError, match="Tried to set property 'version'"):
        raw.about()  # to a 2.0 client our LRS lists "2.0.0" too, which tincan does not know

    about = lrs.about()

    assert about.success
    assert about.content.versions == ["1.0.3", "2.0.0"]
    assert about.content.extensions == {}


def test_document_bodies_raw_tincan_sends_latin_1(raw, lrs):
    raw.save_state(_state({"titolo": "Città"}))
    stored = bytes(Document.objects.get().content)
    assert stored == b'{"titolo": "Citt\xe0"}'  # Latin-1: not valid UTF-8 JSON any more
    with pytest.raises(UnicodeEncodeError):
        raw.save_state(_state({"titolo": "Città — parte 2"}))  # "—" has no Latin-1 byte

    saved = lrs.save_state(_state({"titolo": "Città — parte 2"}))

    assert saved.success, saved.data
    stored = bytes(Document.objects.get().content)
    assert stored.decode("utf-8") == '{"titolo": "Città — parte 2"}'


def test_state_registration_raw_tincan_drops_it(raw, lrs):
    registration = str(uuid.uuid4())

    raw.save_state(_state({"n": 1}, registration=registration))
    assert Document.objects.get().registration == ""  # saved without it
    Document.objects.all().delete()

    saved = lrs.save_state(_state({"n": 2}, registration=registration))

    assert saved.success, saved.data
    assert Document.objects.get().registration == registration
    read = lrs.retrieve_state(ACTIVITY, _agent(), "bookmark", registration=registration)
    assert read.success
    assert bytes(read.content.content) == b'{"n": 2}'
    assert lrs.retrieve_state(ACTIVITY, _agent(), "bookmark").response.status == 404


def test_state_etags_raw_tincan_never_reads_them(raw, lrs):
    lrs.save_state(_state({"n": 1}))
    assert raw.retrieve_state(ACTIVITY, _agent(), "bookmark").content.etag is None

    current = lrs.retrieve_state(ACTIVITY, _agent(), "bookmark").content
    assert current.etag == f'"{Document.objects.get().etag}"'
    assert current.content_type == "application/json"
    assert current.timestamp is not None

    # Someone else writes in between: our stale ETag is refused (412), not overwritten.
    lrs.save_state(_state({"n": 2}))
    current.content = json_document_content({"n": 3})
    stale = lrs.save_state(current)
    assert stale.response.status == 412

    fresh = lrs.retrieve_state(ACTIVITY, _agent(), "bookmark").content
    fresh.content = json_document_content({"n": 3})
    updated = lrs.save_state(fresh)
    assert updated.success, updated.data
    assert bytes(Document.objects.get().content) == b'{"n": 3}'


def test_activity_profile_created_with_if_none_match_and_updated_with_if_match(lrs):
    def profile(content):
        return ActivityProfileDocument(
            id="settings",
            activity=ACTIVITY,
            content_type="application/json",
            content=json_document_content(content),
        )

    created = lrs.save_activity_profile(profile({"v": 1}))
    assert created.success, created.data
    again = lrs.save_activity_profile(profile({"v": 1}))  # If-None-Match: * — already there
    assert again.response.status == 412

    current = lrs.retrieve_activity_profile(ACTIVITY, "settings").content
    assert current.etag
    current.content = json_document_content({"v": 2})
    assert lrs.save_activity_profile(current).success
    assert bytes(lrs.retrieve_activity_profile(ACTIVITY, "settings").content.content) == (
        b'{"v": 2}'
    )


def test_agent_profile_round_trip_in_utf_8(lrs):
    profile = AgentProfileDocument(
        id="preferenze",
        agent=_agent("u7"),
        content_type="application/json",
        content=json_document_content({"lingua": "italiano", "città": "Napoli"}),
    )

    assert lrs.save_agent_profile(profile).success

    read = lrs.retrieve_agent_profile(_agent("u7"), "preferenze")
    assert bytes(read.content.content).decode("utf-8") == (
        '{"lingua": "italiano", "città": "Napoli"}'
    )
    assert read.content.etag
    missing = lrs.retrieve_agent_profile(_agent("u7"), "altro")
    assert missing.response.status == 404
    assert missing.content is None


def test_requests_time_out():
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        slow = RemoteLrs(
            endpoint=f"http://127.0.0.1:{port}/xapi/",
            username="k",
            password="s",
            timeout=0.5,
        )
        with pytest.raises(TimeoutError):
            slow.about()

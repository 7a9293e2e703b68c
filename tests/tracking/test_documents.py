import json
from http import HTTPStatus
from urllib.parse import urlencode

import pytest

from tests.tracking.test_statements import Lrs

pytestmark = pytest.mark.django_db

ACTIVITY = "http://lms.test/xapi/activities/lesson/1"
AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:ann@example.it"})


@pytest.fixture
def lrs():
    return Lrs()


def _url(resource, **params):
    return f"/xapi/{resource}?{urlencode(params)}"


def _state(**extra):
    return _url("activities/state", activityId=ACTIVITY, agent=AGENT, **extra)


def test_state_is_stored_read_and_listed(lrs):
    put = lrs.http.put(
        _state(stateId="bookmark"),
        b'{"position": 120}',
        content_type="application/json",
        **lrs.headers,
    )

    document = lrs.http.get(_state(stateId="bookmark"), **lrs.headers)
    listing = lrs.http.get(_state(), **lrs.headers)

    assert put.status_code == HTTPStatus.NO_CONTENT
    assert document.json() == {"position": 120}
    assert document["ETag"].startswith('"')
    assert listing.json() == ["bookmark"]


def test_state_post_merges_json_objects(lrs):
    lrs.http.put(
        _state(stateId="s"), b'{"a": 1, "b": 1}', content_type="application/json", **lrs.headers
    )

    lrs.http.post(
        _state(stateId="s"), b'{"b": 2, "c": 3}', content_type="application/json", **lrs.headers
    )

    assert lrs.http.get(_state(stateId="s"), **lrs.headers).json() == {"a": 1, "b": 2, "c": 3}


def test_state_post_refuses_to_merge_what_is_not_json(lrs):
    lrs.http.put(_state(stateId="s"), b"plain text", content_type="text/plain", **lrs.headers)

    response = lrs.http.post(
        _state(stateId="s"), b'{"b": 2}', content_type="application/json", **lrs.headers
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert lrs.http.get(_state(stateId="s"), **lrs.headers).content == b"plain text"


def test_state_is_kept_per_registration(lrs):
    registration = "6f2c1a0e-3b0e-4c53-9a6f-0c5d0b7f2a11"
    lrs.http.put(
        _state(stateId="s", registration=registration),
        b'{"r": 1}',
        content_type="application/json",
        **lrs.headers,
    )

    without = lrs.http.get(_state(stateId="s"), **lrs.headers)
    with_registration = lrs.http.get(_state(stateId="s", registration=registration), **lrs.headers)

    assert without.status_code == HTTPStatus.NOT_FOUND
    assert with_registration.json() == {"r": 1}


def test_deleting_state_without_an_id_clears_the_agents_state(lrs):
    for state_id in ("a", "b"):
        lrs.http.put(
            _state(stateId=state_id), b"{}", content_type="application/json", **lrs.headers
        )

    response = lrs.http.delete(_state(), **lrs.headers)

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert lrs.http.get(_state(), **lrs.headers).json() == []


def test_profile_overwrite_needs_a_precondition(lrs):
    url = _url("activities/profile", activityId=ACTIVITY, profileId="p")
    first = lrs.http.put(url, b'{"v": 1}', content_type="application/json", **lrs.headers)
    lrs.http.put(
        url, b'{"v": 1}', content_type="application/json", HTTP_IF_NONE_MATCH="*", **lrs.headers
    )
    etag = lrs.http.get(url, **lrs.headers)["ETag"]

    blind = lrs.http.put(url, b'{"v": 2}', content_type="application/json", **lrs.headers)
    stale = lrs.http.put(
        url, b'{"v": 2}', content_type="application/json", HTTP_IF_MATCH='"0000"', **lrs.headers
    )
    matching = lrs.http.put(
        url, b'{"v": 2}', content_type="application/json", HTTP_IF_MATCH=etag, **lrs.headers
    )
    create_only = lrs.http.put(
        url, b'{"v": 3}', content_type="application/json", HTTP_IF_NONE_MATCH="*", **lrs.headers
    )

    assert first.status_code == HTTPStatus.NO_CONTENT  # new: created, precondition or not
    assert blind.status_code == HTTPStatus.CONFLICT
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert matching.status_code == HTTPStatus.NO_CONTENT
    assert create_only.status_code == HTTPStatus.PRECONDITION_FAILED
    assert lrs.http.get(url, **lrs.headers).json() == {"v": 2}


def test_agent_profile_round_trip(lrs):
    url = _url("agents/profile", agent=AGENT, profileId="preferences")

    lrs.http.put(
        url,
        b'{"lang": "it"}',
        content_type="application/json",
        HTTP_IF_NONE_MATCH="*",
        **lrs.headers,
    )

    assert lrs.http.get(url, **lrs.headers).json() == {"lang": "it"}


def test_documents_need_their_address(lrs):
    no_agent = lrs.http.get(_url("activities/state", activityId=ACTIVITY), **lrs.headers)
    bad_agent = lrs.http.get(
        _url("activities/state", activityId=ACTIVITY, agent="{}"), **lrs.headers
    )

    assert no_agent.status_code == HTTPStatus.BAD_REQUEST
    assert bad_agent.status_code == HTTPStatus.BAD_REQUEST


def test_agents_resource_returns_a_person(lrs):
    response = lrs.http.get(_url("agents", agent=AGENT), **lrs.headers)

    assert response.json() == {"objectType": "Person", "mbox": ["mailto:ann@example.it"]}


def test_activities_resource_returns_the_latest_definition(lrs):
    definition = {"name": {"it-IT": "Lezione 1"}}
    lrs.post(
        {
            "actor": {"mbox": "mailto:ann@example.it"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": ACTIVITY, "definition": definition},
        }
    )

    response = lrs.http.get(_url("activities", activityId=ACTIVITY), **lrs.headers)

    assert response.json() == {"objectType": "Activity", "id": ACTIVITY, "definition": definition}


def test_state_cannot_be_overwritten_blindly_in_xapi_2():
    lrs = Lrs(version="2.0.0")
    lrs.http.put(_state(stateId="s"), b'{"v": 1}', content_type="application/json", **lrs.headers)

    blind = lrs.http.put(
        _state(stateId="s"), b'{"v": 2}', content_type="application/json", **lrs.headers
    )

    assert blind.status_code == HTTPStatus.CONFLICT
    assert lrs.http.get(_state(stateId="s"), **lrs.headers).json() == {"v": 1}


def test_posting_invalid_json_as_json_is_refused(lrs):
    url = _url("activities/profile", activityId=ACTIVITY, profileId="new")

    response = lrs.http.post(url, b"{not json", content_type="application/json", **lrs.headers)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert lrs.http.get(url, **lrs.headers).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("url", "content_type", "path"),
    [
        (_state(stateId="s" * 2049), "application/json", "stateId/profileId"),
        (
            _url(
                "activities/state", activityId="http://x.it/" + "a" * 2048, agent=AGENT, stateId="s"
            ),
            "application/json",
            "activityId",
        ),
        (
            _url(
                "activities/state",
                activityId=ACTIVITY,
                agent=json.dumps({"mbox": "mailto:" + "a" * 510 + "@example.it"}),
                stateId="s",
            ),
            "application/json",
            "agent",
        ),
        (_state(stateId="s"), "text/" + "x" * 256, "Content-Type"),
    ],
)
@pytest.mark.parametrize("method", ["put", "post"])
def test_a_value_too_long_for_its_column_is_a_400_that_names_it(
    lrs, url, content_type, path, method
):
    response = getattr(lrs.http, method)(url, b"{}", content_type=content_type, **lrs.headers)

    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["extra"]["path"] == path

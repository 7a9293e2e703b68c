"""The error contract on real endpoints: every failure is ``{"code", "message", "extra"}``."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_request_is_unauthenticated_with_a_token_challenge(client_for):
    response = client_for(None).get("/api/v1/me/")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "extra": {},
    }


def test_anonymous_request_is_answered_in_italian_when_asked(client_for):
    response = client_for(None).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="it")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Non sono state immesse le credenziali di autenticazione.",
        "extra": {},
    }


def test_invalid_filter_value_is_a_validation_error_on_that_field(client_for, milano_coordinator):
    response = client_for(milano_coordinator).get("/api/v1/people/?city=not-a-uuid")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "invalid",
        "message": "Invalid input.",
        "extra": {"fields": {"city": ["Enter a valid UUID."]}},
    }


def test_malformed_json_body_is_a_parse_error(client_for, trainer):
    response = client_for(trainer).post(
        "/api/v1/courses/", '{"title": ', content_type="application/json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "parse_error",
        "message": "JSON parse error - Expecting value: line 1 column 11 (char 10)",
        "extra": {},
    }


def test_unknown_course_is_course_not_found(client_for, learner):
    response = client_for(learner).get("/api/v1/courses/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {
        "code": "course_not_found",
        "message": "Course not found.",
        "extra": {},
    }

"""The project's wiring: settings, the OpenAPI schema, the demo data, languages."""

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command

from courses.models import Course, Enrollment
from lms.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent


def _run_django(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    unset = ("SECRET_KEY", "DEBUG", "MEDIA_SIGNING_KEY")
    clean_env = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "lms.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_refuse_to_start_without_a_secret_outside_debug():
    result = _run_django("check", env={"DEBUG": "0"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_refuse_to_start_without_the_media_signing_key_outside_debug():
    result = _run_django("check", env={"DEBUG": "0", "SECRET_KEY": "x"})

    assert result.returncode != 0
    assert "MEDIA_SIGNING_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 if not


def test_openapi_schema_generates_without_warnings(tmp_path):
    schema = tmp_path / "schema.yaml"

    result = _run_django(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(schema), env={"DEBUG": "1"}
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    text = schema.read_text()
    for path in ("/api/v1/courses/", "/api/v1/enrollment-imports/", "/api/v1/people/"):
        assert f"  {path}:" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/schema/")
    docs = api_client.get("/api/docs/")

    assert schema.status_code == HTTPStatus.OK
    assert docs.status_code == HTTPStatus.OK
    assert b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content  # the UI's assets are served from here (offline-safe)


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (User.objects.count(), Course.objects.count(), Enrollment.objects.count())

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert (User.objects.count(), Course.objects.count(), Enrollment.objects.count()) == counts
    assert User.objects.get(username="coord.milano").coordinated_city.name == "Milano"
    assert Course.objects.filter(status=Course.Status.PUBLISHED).count() == 4
    assert User.objects.get(username="admin").check_password("metropoli-demo")


@pytest.mark.django_db
def test_demo_catalogue_is_served(api_client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    response = api_client.get("/api/v1/courses/")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["count"] == 4


@pytest.mark.django_db
def test_italian_is_the_default_language(api_client, settings):
    settings.LANGUAGE_CODE = "it"

    response = api_client.get("/api/v1/me/")

    assert response.json()["message"] == "Non sono state immesse le credenziali di autenticazione."


@pytest.mark.django_db
def test_english_is_served_on_request(api_client, settings):
    settings.LANGUAGE_CODE = "it"

    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["message"] == "Authentication credentials were not provided."

import re
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from io import StringIO

import pytest
from django.contrib.auth import hashers
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tracking.lrs.services import clients
from tracking.lrs.services.clients import lrs_client_check, lrs_client_create, lrs_client_deactivate
from tracking.models import LrsClient, Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def hasher_calls(monkeypatch):
    """How many times the check ran the password hasher."""
    calls = []

    def counting(secret, encoded):
        calls.append(encoded)
        return hashers.check_password(secret, encoded)

    monkeypatch.setattr(clients, "check_password", counting)
    return calls


@pytest.fixture
def staff_client(client, staff):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)
    return client


def test_lrs_client_create_stores_a_hash_and_a_default_authority(settings, staff):
    settings.SITE_URL = "https://lms.example.it"

    client, secret = lrs_client_create(name="Piattaforma video", created_by=staff)

    client.refresh_from_db()
    assert len(client.key) == 24
    assert len(secret) == 43
    assert secret not in client.secret_hash
    assert hashers.check_password(secret, client.secret_hash)
    assert client.authority == {
        "objectType": "Agent",
        "name": "Piattaforma video",
        "account": {"homePage": "https://lms.example.it", "name": client.key},
    }
    assert (client.can_write, client.read_scope, client.is_active) == (True, "mine", True)
    assert client.created_by == staff


def test_lrs_client_create_uses_given_key_secret_scopes_and_authority():
    authority = {"objectType": "Agent", "mbox": "mailto:lrs@example.it"}

    client, secret = lrs_client_create(
        name="Reporting",
        can_write=False,
        read_scope=LrsClient.ReadScope.ALL,
        authority=authority,
        key="reporting-key",
        secret="reporting-secret",
    )

    client.refresh_from_db()
    assert (client.key, secret) == ("reporting-key", "reporting-secret")
    assert (client.can_write, client.read_scope, client.authority) == (False, "all", authority)


def test_lrs_client_create_refuses_a_key_already_in_use():
    lrs_client_create(name="First", key="same-key")

    with pytest.raises(ValidationError) as exc_info:
        lrs_client_create(name="Second", key="same-key")

    assert exc_info.value.message_dict == {"key": ["LRS client with this Key already exists."]}
    assert LrsClient.objects.filter(key="same-key").count() == 1


def test_lrs_client_check_returns_the_client_for_its_credentials():
    client, secret = lrs_client_create(name="Player")

    assert lrs_client_check(key=client.key, secret=secret) == client


def test_lrs_client_check_refuses_a_wrong_secret_every_time(hasher_calls):
    client, secret = lrs_client_create(name="Player")

    first = lrs_client_check(key=client.key, secret=secret + "x")
    second = lrs_client_check(key=client.key, secret=secret + "x")

    assert (first, second) == (None, None)
    assert len(hasher_calls) == 2  # a failure is never remembered as a success


def test_lrs_client_check_refuses_an_unknown_key():
    assert lrs_client_check(key="no-such-key", secret="anything") is None


def test_lrs_client_check_refuses_an_inactive_client():
    client, secret = lrs_client_create(name="Player")
    LrsClient.objects.filter(pk=client.pk).update(is_active=False)

    assert lrs_client_check(key=client.key, secret=secret) is None


def test_lrs_client_check_skips_the_hasher_when_the_credential_was_checked_recently(
    hasher_calls, django_assert_num_queries
):
    client, secret = lrs_client_create(name="Player")
    lrs_client_check(key=client.key, secret=secret)

    with django_assert_num_queries(1):
        again = lrs_client_check(key=client.key, secret=secret)

    assert again == client
    assert hasher_calls == [client.secret_hash]


def test_lrs_client_check_refuses_a_cached_credential_once_the_client_is_deactivated(
    hasher_calls,
):
    client, secret = lrs_client_create(name="Player")
    assert lrs_client_check(key=client.key, secret=secret) == client

    lrs_client_deactivate(client=client)

    assert lrs_client_check(key=client.key, secret=secret) is None
    assert LrsClient.objects.get(pk=client.pk).is_active is False
    assert len(hasher_calls) == 1


def test_lrs_client_check_refuses_a_cached_credential_once_the_secret_hash_changed():
    client, secret = lrs_client_create(name="Player")
    lrs_client_check(key=client.key, secret=secret)

    LrsClient.objects.filter(pk=client.pk).update(secret_hash=hashers.make_password("new"))

    assert lrs_client_check(key=client.key, secret=secret) is None


def test_lrs_client_deactivate_is_idempotent():
    client, _ = lrs_client_create(name="Player")

    lrs_client_deactivate(client=client)
    lrs_client_deactivate(client=client)

    assert LrsClient.objects.get(pk=client.pk).is_active is False


def test_lrs_client_create_command_prints_key_and_secret_once():
    out = StringIO()

    call_command("lrs_client_create", "--name", "conformance", "--read", "all", stdout=out)

    client = LrsClient.objects.get(name="conformance")
    assert out.getvalue().splitlines()[0] == f"key: {client.key}"
    secret_line = out.getvalue().splitlines()[1]
    assert secret_line.startswith("secret: ")
    assert len(out.getvalue().splitlines()) == 2
    assert lrs_client_check(key=client.key, secret=secret_line.removeprefix("secret: ")) == client
    assert (client.read_scope, client.can_write) == ("all", True)


def test_lrs_client_create_command_takes_key_secret_and_no_write():
    out = StringIO()

    call_command(
        "lrs_client_create",
        "--name=ci",
        "--no-write",
        "--key=ci-key",
        "--secret=ci-secret",
        stdout=out,
    )

    assert out.getvalue() == "key: ci-key\nsecret: ci-secret\n"
    client = LrsClient.objects.get(key="ci-key")
    assert (client.name, client.can_write, client.read_scope) == ("ci", False, "mine")


def test_lrs_client_create_command_reports_a_key_in_use():
    lrs_client_create(name="First", key="taken")

    with pytest.raises(CommandError, match=r"^LRS client with this Key already exists\.$"):
        call_command("lrs_client_create", "--name=Second", "--key=taken", stdout=StringIO())


def test_staff_create_an_lrs_client_in_the_admin_and_see_the_secret_once(staff_client, staff):
    add_page = staff_client.get("/admin/tracking/lrsclient/add/")

    response = staff_client.post(
        "/admin/tracking/lrsclient/add/",
        {
            "name": "Piattaforma video",
            "can_write": "on",
            "read_scope": "all",
            "xapi_version": "2.0.0",
        },
    )

    assert add_page.status_code == HTTPStatus.OK
    assert "secret" not in add_page.content.decode()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/admin/tracking/lrsclient/"
    client = LrsClient.objects.get(name="Piattaforma video")
    assert (client.can_write, client.read_scope, client.created_by) == (True, "all", staff)
    assert client.xapi_version == "2.0.0"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    match = re.fullmatch(
        r"Credentials for “Piattaforma video”: key <code>(\S+)</code>, secret <code>(\S+)</code>\. "
        r"Copy the secret now: it is not stored and will not be shown again\.",
        shown[0],
    )
    assert match is not None
    assert match[1] == client.key
    assert lrs_client_check(key=client.key, secret=match[2]) == client
    first_listing = staff_client.get("/admin/tracking/lrsclient/").content.decode()
    second_listing = staff_client.get("/admin/tracking/lrsclient/").content.decode()
    change_page = staff_client.get(f"/admin/tracking/lrsclient/{client.pk}/change/")
    assert match[2] in first_listing
    assert match[2] not in second_listing
    assert change_page.status_code == HTTPStatus.OK
    assert client.key in change_page.content.decode()
    assert match[2] not in change_page.content.decode()
    assert client.secret_hash not in change_page.content.decode()
    assert "secret_hash" not in change_page.content.decode()


def test_staff_deactivate_lrs_clients_with_the_admin_action(staff_client):
    client, secret = lrs_client_create(name="Player")

    response = staff_client.post(
        "/admin/tracking/lrsclient/",
        {"action": "deactivate", "_selected_action": [str(client.pk)]},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert lrs_client_check(key=client.key, secret=secret) is None


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tracking/lrsclient/?q=a",
        "/admin/tracking/statement/?q=a",
        "/admin/tracking/statement/?q=8f5ab0c2-3a8e-4a43-9d0e-0e4a7f3f0c11",
        "/admin/tracking/statement/?voided__exact=1",
        "/admin/tracking/document/?q=a",
    ],
)
def test_lrs_admin_lists_render(staff_client, url):
    assert staff_client.get(url).status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", ["statement", "document"])
def test_statements_and_documents_cannot_be_added_in_the_admin(staff_client, model):
    assert staff_client.get(f"/admin/tracking/{model}/add/").status_code == HTTPStatus.FORBIDDEN


def test_staff_find_a_statement_by_id_and_read_it_without_a_save_button(staff_client):
    statement = Statement.objects.create(
        id=uuid.UUID("8f5ab0c2-3a8e-4a43-9d0e-0e4a7f3f0c11"),
        payload={"verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}},
        actor_ifi="mbox:mailto:learner@example.it",
        verb_id="http://adlnet.gov/expapi/verbs/experienced",
        timestamp=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        stored=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    )

    found = staff_client.get(f"/admin/tracking/statement/?q={statement.id}")
    detail = staff_client.get(f"/admin/tracking/statement/{statement.id}/change/")

    assert found.context["cl"].result_count == 1
    assert detail.status_code == HTTPStatus.OK
    assert "&quot;http://adlnet.gov/expapi/verbs/experienced&quot;" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()

"""Every model is browsable by staff in the Django admin: list (search, filters), detail; add
where no service owns the writes."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.core.management import call_command

from lms.accounts.models import User

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "courses", "media"}
MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in PROJECT_APPS
)
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def staff_client(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return client


def test_every_project_model_is_registered():
    assert MODELS == [
        ("accounts", "metropolitancity"),
        ("accounts", "organisation"),
        ("accounts", "user"),
        ("courses", "course"),
        ("courses", "enrollment"),
        ("courses", "lesson"),
        ("courses", "module"),
        ("courses", "thematicarea"),
        ("media", "coursedocument"),
        ("media", "retiredfiles"),
        ("media", "upload"),
        ("media", "videoasset"),
    ]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_render(staff_client, model):
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    changelist = staff_client.get(f"{base}?q=a")
    add = staff_client.get(f"{base}add/")

    assert changelist.status_code == HTTPStatus.OK
    # what only the pipeline or the services write has no add page
    can_add = admin.site._registry[model].has_add_permission(add.wsgi_request)
    assert add.status_code == (HTTPStatus.OK if can_add else HTTPStatus.FORBIDDEN)
    if obj := model.objects.first():
        assert staff_client.get(f"{base}{obj.pk}/change/").status_code == HTTPStatus.OK


def test_staff_creates_a_person_in_the_admin(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "nuovo@comune.it",
            "password1": "Un4-Password-Lunga",
            "password2": "Un4-Password-Lunga",
            "usable_password": "true",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.get(username="nuovo@comune.it").role == User.Role.LEARNER

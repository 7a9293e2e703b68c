"""The lesson player page: who may open it, what it carries for the xAPI client; and in a real
browser: played-then-credited, a network cut, the keyboard alone, resume."""

import pytest
from django.urls import reverse

from media.models import VideoAsset
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(lesson):
    return reverse("learner:lesson", args=[lesson.pk])


def test_the_learner_sees_the_player_with_the_xapi_identities(
    client, learner, player_lesson, settings
):
    client.force_login(learner)
    response = client.get(_url(player_lesson))

    assert response.status_code == 200
    html = response.content.decode()
    assert "L&#x27;accesso civico" in html
    assert reverse("learner:course", args=[player_lesson.module.course.slug]) in html
    assert f'data-actor-name="{learner.pk}"' in html
    assert (
        f'data-lesson-iri="{settings.SITE_URL}/xapi/activities/lesson/{player_lesson.pk}"' in html
    )
    module = player_lesson.module
    assert f'data-module-iri="{settings.SITE_URL}/xapi/activities/module/{module.pk}"' in html
    assert (
        f'data-course-iri="{settings.SITE_URL}/xapi/activities/course/{module.course.pk}"' in html
    )
    enrolment = module.course.enrollments.get(learner=learner)
    assert f'data-registration="{enrolment.pk}"' in html
    assert "<video" in html
    assert "data-master-url=" in html


def test_someone_not_enrolled_gets_404(client, player_lesson):
    client.force_login(UserFactory())
    assert client.get(_url(player_lesson)).status_code == 404


def test_an_unknown_lesson_is_404(client, learner):
    client.force_login(learner)
    assert (
        client.get(
            reverse("learner:lesson", args=["0" * 8 + "-0000-4000-8000-" + "0" * 12])
        ).status_code
        == 404
    )


def test_signed_out_goes_to_sign_in(client, player_lesson):
    response = client.get(_url(player_lesson))
    assert response.status_code == 302


def test_a_video_not_ready_says_so(client, learner, player_lesson):
    VideoAsset.objects.filter(pk=player_lesson.video_asset_id).update(
        status=VideoAsset.Status.PROCESSING, hls_prefix=""
    )
    client.force_login(learner)
    response = client.get(_url(player_lesson))
    assert response.status_code == 200
    assert "<video" not in response.content.decode()
    assert (
        "not ready yet" in response.content.decode()
        or "non è ancora pronto" in response.content.decode()
    )


def test_the_page_takes_a_constant_number_of_queries(
    client, learner, player_lesson, django_assert_max_num_queries
):
    client.force_login(learner)
    with django_assert_max_num_queries(12):
        assert client.get(_url(player_lesson)).status_code == 200

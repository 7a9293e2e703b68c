"""The lesson player: a video lesson's HLS ladder through the signed links, captions and
transcript, resume from the xAPI State resource, and Video Profile statements sent to the
project's own LRS (pages/static/pages/js/player.js and xapi-queue.js)."""

import uuid
from typing import cast
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from courses.exceptions import LessonNotFound
from lms.accounts.models import User
from media.models import VideoAsset
from media.selectors import lesson_player
from tracking.progress.services.emitted import activity_iri

# The State document the player keeps the last position in (the Video Profile's own IRI).
RESUME_STATE_ID = "https://w3id.org/xapi/video/extensions/time"


@login_required
def lesson(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    try:
        player = lesson_player(actor=cast(User, request.user), lesson_id=lesson_id)
    except LessonNotFound as exc:
        raise Http404 from exc
    lesson = player.lesson
    module = lesson.module
    course = module.course
    asset = lesson.video_asset
    return render(
        request,
        "pages/learner/lesson.html",
        {
            "lesson": lesson,
            "module": module,
            "course": course,
            "asset": asset,
            "playback": player.playback,
            "failed": asset is not None and asset.status == VideoAsset.Status.FAILED,
            "xapi": {
                "endpoint": "/xapi/",
                "home_page": settings.SITE_URL,
                "actor_name": str(request.user.pk),
                "lesson_iri": activity_iri("lesson", lesson.pk),
                "module_iri": activity_iri("module", module.pk),
                "course_iri": activity_iri("course", course.pk),
                "registration": player.registration,
                "session_id": str(uuid.uuid4()),
                "state_id": RESUME_STATE_ID,
                "length": asset.duration_seconds if asset and asset.duration_seconds else 0,
            },
        },
    )

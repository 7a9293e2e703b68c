"""The lesson player in a real Chromium: played-then-credited, a network cut, resume."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.courses.factories import EnrollmentFactory
from tests.pages.conftest import assert_accessible, sign_in
from tracking.lrs.models import Statement
from tracking.models import CreditEntry
from tracking.progress.services.engine import progress_drain

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
VIDEO = "https://w3id.org/xapi/video"
EXT = f"{VIDEO}/extensions/"


def _open(page, site, learner, lesson):
    path = reverse("learner:lesson", args=[lesson.pk])
    sign_in(page, site, learner, next_path=path)
    page.goto(site + path)
    _until(page, "document.getElementById('player-video').readyState >= 1")
    page.wait_for_timeout(500)


def _until(page, expression, timeout=40000):
    """Poll (page.wait_for_function evaluates a string, which the page's CSP refuses)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def _time(page):
    return page.evaluate("document.getElementById('player-video').currentTime")


# The queue of the signed-in person (one per person: computers are shared).
QUEUE = (
    "JSON.parse(localStorage.getItem('metropoli.xapi.queue.' + "
    "document.getElementById('player').dataset.actorName) || '[]')"
)


def _wait_queue_empty(page):
    _until(page, QUEUE + ".length === 0", timeout=20000)


def _statements(learner):
    return list(Statement.objects.filter(actor_ifi__contains=str(learner.pk)).order_by("stored"))


def test_played_then_credited(page, site, learner, real_lesson):
    _open(page, site, learner, real_lesson)
    assert_accessible(page)
    page.get_by_test_id("play").click()
    _until(page, "document.getElementById('player-video').currentTime >= 20")  # 20 s played
    page.get_by_test_id("back").click()  # seek back 10 s: seen again, never credited twice
    _until(page, "document.getElementById('player-video').currentTime >= 24")
    page.get_by_test_id("play").click()  # pause
    page.wait_for_timeout(300)
    stopped = _time(page)
    _wait_queue_empty(page)
    page.screenshot(path="var/screenshots/player-played.png", full_page=True)

    statements = _statements(learner)
    verbs = [s.verb_id.rsplit("/", 1)[-1] for s in statements]
    assert verbs[0] == "initialized"
    assert "played" in verbs
    assert "seeked" in verbs
    assert "paused" in verbs
    paused = [s for s in statements if s.verb_id.endswith("/paused")][-1].payload
    segments = paused["result"]["extensions"][EXT + "played-segments"]
    parts = [tuple(float(x) for x in p.split("[.]")) for p in segments.split("[,]")]
    played = sum(b - a for a, b in parts)  # media seconds played, re-watched ones included
    covered = max(b for _, b in parts)  # 0 .. stopped, once
    assert len(parts) == 2
    assert parts[0][0] < 1
    assert parts[0][1] >= 19.5  # (the last timeupdate before the seek)
    assert parts[1][0] == pytest.approx(parts[0][1] - 10, abs=0.5)
    assert parts[1][1] == pytest.approx(stopped, abs=0.5)
    assert paused["actor"]["account"] == {"homePage": settings.SITE_URL, "name": str(learner.pk)}
    assert paused["object"]["id"] == f"{settings.SITE_URL}/xapi/activities/lesson/{real_lesson.pk}"
    enrolment = real_lesson.module.course.enrollments.get(learner=learner)
    assert paused["context"]["registration"] == str(enrolment.pk)

    while progress_drain():
        pass
    credited = sum(
        e.seconds for e in CreditEntry.objects.filter(learner=learner, lesson=real_lesson)
    )
    assert credited == pytest.approx(covered, abs=1)  # within the policy's tolerance
    assert credited < played - 5  # the 10 s seen twice are credited once


def test_a_network_cut_loses_nothing_and_sends_nothing_twice(page, site, learner, real_lesson):
    _open(page, site, learner, real_lesson)
    assert_accessible(page)
    page.get_by_test_id("play").click()
    page.wait_for_timeout(2000)
    page.context.set_offline(True)
    page.get_by_test_id("play").click()  # pause, offline
    page.get_by_test_id("back").click()  # seek, offline
    page.get_by_test_id("play").click()  # play again, offline
    page.wait_for_timeout(3000)
    queued = page.evaluate(QUEUE + ".map(s => s.id)")
    assert len(queued) >= 3
    page.context.set_offline(False)
    page.get_by_test_id("play").click()  # pause
    _wait_queue_empty(page)
    ids = [str(s.id) for s in _statements(learner)]
    assert set(queued) <= set(ids)
    assert len(ids) == len(set(ids))


def test_the_keyboard_alone_plays_and_seeks(page, site, learner, real_lesson):
    _open(page, site, learner, real_lesson)
    assert_accessible(page)
    order = []
    for _ in range(60):
        page.keyboard.press("Tab")
        current = page.evaluate("document.activeElement.id")
        order.append(current)
        if current == "player-play":
            break
    assert order[-1] == "player-play"
    assert order.index("player-play") > (
        order.index("player-video") if "player-video" in order else -1
    )
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Space")
    _until(page, "document.getElementById('player-video').currentTime >= 2", timeout=10000)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "player-back"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "player-forward"
    before = _time(page)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert _time(page) >= before + 9


def test_reloading_resumes_where_it_stopped(page, site, learner, real_lesson):
    _open(page, site, learner, real_lesson)
    page.get_by_test_id("play").click()
    _until(page, "document.getElementById('player-video').currentTime >= 6", timeout=20000)
    page.get_by_test_id("play").click()
    page.wait_for_timeout(1000)
    stopped = _time(page)
    page.reload()
    _until(page, "document.getElementById('player-video').currentTime > 1", timeout=10000)
    assert_accessible(page)
    assert abs(_time(page) - stopped) < 1.5


def test_on_a_shared_computer_each_persons_queue_waits_for_their_own_session(
    page, site, learner, milano_org, real_lesson
):
    """Offices share computers: what one person's player could not send stays theirs, and
    is never posted with the next person's session."""
    colleague = UserFactory(organisation=milano_org)
    EnrollmentFactory(learner=colleague, course=real_lesson.module.course)
    left_behind = {
        "id": "0b0f6a4e-2a57-4a0e-9f3c-5d9b1c7e0a11",
        "actor": {"account": {"homePage": settings.SITE_URL, "name": str(learner.pk)}},
        "verb": {"id": f"{VIDEO}/verbs/paused"},
        "object": {"id": f"{settings.SITE_URL}/xapi/activities/lesson/{real_lesson.pk}"},
    }
    page.goto(site + "/")
    page.evaluate(
        "([key, item]) => localStorage.setItem(key, JSON.stringify([item]))",
        [f"metropoli.xapi.queue.{learner.pk}", left_behind],
    )

    _open(page, site, colleague, real_lesson)
    page.get_by_test_id("play").click()
    page.wait_for_timeout(1500)
    page.get_by_test_id("play").click()  # pause
    _wait_queue_empty(page)  # the colleague's own queue is sent

    assert _statements(colleague)
    assert not Statement.objects.filter(pk=left_behind["id"]).exists()
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('metropoli.xapi.queue.{learner.pk}'))")
    assert [item["id"] for item in kept] == [left_behind["id"]]

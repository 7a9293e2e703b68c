# ruff: noqa: F811 - "lessons" is the fixture of tests/tracking/test_progress.py
"""A learner who completes a module (two video lessons watched through the engine), and the
ways the tests take the completion back."""

import pytest

from certificates.models import Certificate
from tests.tracking.test_progress import drain, lessons, store, watch  # noqa: F401
from tracking.lrs.models import Statement
from tracking.progress.services.completions import completions_announce_pending


@pytest.fixture
def complete_module(learner, lessons, django_capture_on_commit_callbacks):
    """``complete_module()``: the learner watches both lessons of the module, the engine
    applies and announces it (on-commit work run, as a worker would); the module's
    certificate."""

    def complete():
        with django_capture_on_commit_callbacks(execute=True):
            watch(learner, lessons[0], 0)
            watch(learner, lessons[1], 1000)
            drain()
            completions_announce_pending()
        return Certificate.objects.get(learner=learner, kind=Certificate.Kind.MODULE)

    return complete


@pytest.fixture
def withdraw_first_lesson(learner, lessons, django_capture_on_commit_callbacks):
    """``withdraw_first_lesson()``: the statement that covered the first lesson is voided, the
    engine recomputes and withdraws the lesson, the module and the course."""

    def withdraw():
        paused = (
            Statement.objects.filter(
                object_activity_id__endswith=str(lessons[0].pk), verb_id__endswith="paused"
            )
            .order_by("stored")
            .first()
        )
        with django_capture_on_commit_callbacks(execute=True):
            Statement.objects.filter(pk=paused.pk).update(voided=True)
            store(
                learner,
                lessons[0],
                "voided",
                5000,
                object={"objectType": "StatementRef", "id": str(paused.pk)},
            )
            Statement.objects.filter(
                verb_id__endswith="voided", actor_ifi__contains=str(learner.pk)
            ).update(is_voiding=True, object_statement_id=paused.pk)
            drain()
            completions_announce_pending()

    return withdraw

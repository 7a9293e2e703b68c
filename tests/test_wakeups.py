"""Waking a worker up: one task queued at a time per kind of work (Redis in CI)."""

import pytest

from lms.wakeups import wake_taken, wake_wanted
from tracking.progress.tasks import completions_announce_pending_task, progress_drain_task


def test_a_per_process_cache_always_wakes(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert wake_wanted(progress_drain_task)
    assert wake_wanted(progress_drain_task)  # it cannot know what another process queued


def test_one_task_is_queued_while_one_waits_each_kind_on_its_own(settings):
    if not settings.REDIS_URL:
        pytest.skip("set REDIS_URL: the shared cache is Redis")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
        }
    }
    drain, announce = progress_drain_task, completions_announce_pending_task
    for task in (drain, announce):
        wake_taken(task)  # (none queued)
    try:
        assert wake_wanted(drain)
        assert not wake_wanted(drain)  # a drain is queued: it will see this statement too
        assert wake_wanted(announce)  # another kind of work
        assert not wake_wanted(announce)
        wake_taken(drain)  # the drain starts
        assert wake_wanted(drain)
        assert not wake_wanted(announce)
    finally:
        for task in (drain, announce):
            wake_taken(task)

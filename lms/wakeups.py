"""Waking a worker up for work that piles up (statements for the progress engine, completions
to announce): one task queued at a time, a moment later, so that what arrives meanwhile is done
in the same run. At 40 POSTs a second that is one task a second rather than one per POST, and
the task's fixed costs are paid once for all of them."""

from __future__ import annotations

from celery import Task
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

WAKE_TTL_SECONDS = 60  # a wake-up lost with its task stops deduplicating after this long


def _key(task: Task) -> str:
    # Per database: test runs, benchmarks and the app may share one Redis.
    return f"wake:{task.name}:{settings.DATABASES['default']['NAME']}"


def wake_wanted(task: Task) -> bool:
    """Whether ``task`` should be queued now: False while one is already queued and has not
    started (``wake_taken``), since it will see everything committed before it starts."""
    if isinstance(caches["default"], LocMemCache):
        return True  # a per-process cache cannot know what another process queued
    return bool(cache.add(_key(task), 1, timeout=WAKE_TTL_SECONDS))


def wake_later(task: Task, *, delay: float) -> None:
    """Queue ``task`` (no arguments) to run ``delay`` seconds from now, unless one is already
    waiting. Call it after commit: the task must find what woke it."""
    if wake_wanted(task):
        task.apply_async(countdown=delay)


def wake_taken(task: Task) -> None:
    """The task starts (its first step): what is committed from now on wakes another one."""
    cache.delete(_key(task))

"""The app's tasks, for Celery's autodiscovery: each room keeps its own."""

from tracking.attendance.tasks import (
    register_export_task,
    registration_notify_task,
    reminders_send_task,
)
from tracking.lrs.tasks import forwarding_sweep_task, forwarding_target_forward_task
from tracking.progress.tasks import (
    completions_announce_pending_task,
    enrollment_registered_emit_task,
    progress_drain_task,
)

__all__ = [
    "completions_announce_pending_task",
    "enrollment_registered_emit_task",
    "forwarding_sweep_task",
    "forwarding_target_forward_task",
    "progress_drain_task",
    "register_export_task",
    "registration_notify_task",
    "reminders_send_task",
]

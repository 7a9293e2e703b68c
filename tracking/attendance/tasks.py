"""Celery tasks of attendance: each calls one service and declares its retry policy."""

from smtplib import SMTPException
from uuid import UUID

from celery import shared_task

from lms.tasks import DATABASE_TRANSIENT_ERRORS

# Modules, not names: the services queue these tasks, and either may be imported first.
from tracking.attendance.services import registers, sessions

MAIL_ERRORS = (*DATABASE_TRANSIENT_ERRORS, SMTPException, ConnectionError, TimeoutError)


@shared_task(
    name="tracking.attendance_registration_notify",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def registration_notify_task(registration_id: str) -> bool:
    """E-mail a learner that their place is confirmed (with the calendar file) or that they
    are on the waiting list."""
    registration = sessions.registration_get_for_notice(UUID(registration_id))
    if registration is None:
        return False
    return sessions.registration_notify(registration=registration)


@shared_task(
    name="tracking.attendance_reminders",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=4,
)
def reminders_send_task() -> int:
    """Remind learners of the sessions starting soon (beat, every few minutes)."""
    return sessions.reminders_send()


@shared_task(
    name="tracking.attendance_register_export",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=4,
)
def register_export_task(export_id: str) -> str:
    """Write a large register to its file; the coordinator downloads it when it is ready."""
    return registers.register_export_run(export_id=UUID(export_id))

"""Celery tasks of certificates: each calls one service and declares its retry policy."""

from celery import shared_task

# Modules, not names: the services queue these tasks, and either may be imported first.
from certificates.services import finishing
from lms.tasks import DATABASE_TRANSIENT_ERRORS


@shared_task(
    name="certificates.certificate_finish",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def certificate_finish_task(certificate_id: str) -> bool:
    """Sign a new certificate's credential, write its PDF and say ``earned`` in xAPI."""
    return finishing.certificate_finish(certificate_id=certificate_id)


@shared_task(
    name="certificates.certificate_revocation_announce",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def certificate_revocation_announce_task(certificate_id: str) -> bool:
    """Publish a revocation: the status list signed again and the ``earned`` statement voided."""
    return finishing.certificate_revocation_announce(certificate_id=certificate_id)


@shared_task(
    name="certificates.certificates_sweep",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=4,
)
def certificates_sweep_task() -> int:
    """Finish what a lost task left undone (beat, every few minutes); how many."""
    return finishing.certificates_finish_pending()

"""What every app's Celery tasks share."""

from django.db import InterfaceError, OperationalError

# A database that went away for a moment; anything else is a bug and must not be retried.
DATABASE_TRANSIENT_ERRORS = (OperationalError, InterfaceError)

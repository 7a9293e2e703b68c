"""Signals the tracking app sends to apps it must not import (certificates)."""

from django.dispatch import Signal

# Sent with ``completion`` (a tracking.models.Completion, committed) inside the transaction that
# marks it announced: a receiver's error rolls the announcement back and a later run repeats it.
# At least once per row: receivers must be idempotent.
completion_recorded = Signal()

# Sent with ``completion`` (withdrawn_at and withdrawn_reason set) inside the transaction that
# marks its withdrawal announced, after the platform voided its xAPI statements: certificates
# issued on it are revoked. At least once per row: receivers must be idempotent.
completion_withdrawn = Signal()

"""Signals the tracking app sends to apps it must not import (certificates)."""

from django.dispatch import Signal

# Sent after commit with ``completion`` (a tracking.models.Completion), at least once per row:
# receivers must be idempotent (the beat sweep repeats it for rows not yet announced).
completion_recorded = Signal()

"""Signals the courses app sends to apps it must not know about (STYLE: the one sanctioned use of
signals). Each is sent after commit, with string ids only."""

from django.dispatch import Signal

# An enrolment was created or re-activated and committed. Sent with ``enrollment_id`` (str).
enrollment_created = Signal()

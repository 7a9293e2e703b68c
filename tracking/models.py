"""The app's models, for Django: each room keeps its own (``tracking.lrs.models``,
``tracking.progress.models``) and code imports them from there, never from here."""

from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    PresenceChange,
    ProgrammeIdentity,
    RegisterExport,
    SessionRegistration,
)
from tracking.lrs.models import (
    Attachment,
    Document,
    ForwardingTarget,
    LrsClient,
    Statement,
    StatementActivity,
    StatementAgent,
    StatementOutbox,
    attachment_path,
)
from tracking.progress.models import (
    AttendanceCredit,
    Completion,
    CreditEntry,
    LessonProgress,
    ProgrammeProgress,
    RecomputeMark,
)

__all__ = [
    "Attachment",
    "AttendanceCredit",
    "AttendanceSession",
    "Presence",
    "PresenceChange",
    "ProgrammeIdentity",
    "RegisterExport",
    "SessionRegistration",
    "Completion",
    "CreditEntry",
    "Document",
    "ForwardingTarget",
    "LessonProgress",
    "LrsClient",
    "ProgrammeProgress",
    "RecomputeMark",
    "Statement",
    "StatementActivity",
    "StatementAgent",
    "StatementOutbox",
    "attachment_path",
]

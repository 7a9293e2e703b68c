"""What a user can get wrong about sessions, presence and registers."""

from django.utils.translation import gettext_lazy as _

from lms.exceptions import ApplicationError, NotFound, PermissionDenied


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = _("Session not found.")


class LessonNotAttended(ApplicationError):
    """Sessions belong to in-person and live lessons only."""

    code = "lesson_not_attended"
    message = _("Sessions can only be planned for in-person and live webinar lessons.")


class SessionTimesInvalid(ApplicationError):
    code = "session_times_invalid"
    message = _("A session must end after it starts, on the same day.")


class SessionPlaceMissing(ApplicationError):
    code = "session_place_missing"
    message = _("An in-person session needs a place and a live webinar needs a link.")


class ExchangeVisitNeedsCities(ApplicationError):
    code = "exchange_visit_needs_cities"
    message = _("An exchange visit needs a hosting city and at least one visiting city.")


class SessionCancelled(ApplicationError):
    code = "session_cancelled"
    message = _("This session has been cancelled.")


class SessionOver(ApplicationError):
    code = "session_over"
    message = _("This session is over: registrations are closed.")


class NotEnrolledInCourse(PermissionDenied):
    code = "not_enrolled_in_course"
    message = _("Only learners enrolled in the session's course can register for it.")


class NotATrainerOfSession(PermissionDenied):
    code = "not_a_trainer_of_session"
    message = _("Only the session's trainers, the course's trainers and staff can do this.")


class RegistrationNotFound(NotFound):
    code = "registration_not_found"
    message = _("You are not registered for this session.")


class NotRegistered(PermissionDenied):
    code = "not_registered"
    message = _("Only people with a confirmed place in this session can check in.")


class CheckInNotOpen(ApplicationError):
    code = "check_in_not_open"
    message = _("Check-in for this session is not open now.")


class CheckInCodeInvalid(ApplicationError):
    code = "check_in_code_invalid"
    message = _("This code is not the one shown in the room now. Type the code on the screen.")


class NotCheckedIn(ApplicationError):
    code = "not_checked_in"
    message = _("You have not checked in to this session.")


class AlreadyCheckedOut(ApplicationError):
    code = "already_checked_out"
    message = _("You have already checked out of this session.")


class SessionNotStarted(ApplicationError):
    code = "session_not_started"
    message = _("Presence can be marked once the session has started.")


class PresenceTimesInvalid(ApplicationError):
    code = "presence_times_invalid"
    message = _(
        "Entry and exit must be on the session's day, and the exit cannot come before the entry."
    )


class PresenceNeedsTimes(ApplicationError):
    code = "presence_needs_times"
    message = _("A learner marked present needs a time of entry and a time of exit.")


class CorrectionNeedsReason(ApplicationError):
    code = "correction_needs_reason"
    message = _("A correction needs its reason (at least 10 characters).")


class PresenceNotFound(NotFound):
    code = "presence_not_found"
    message = _("Presence record not found.")


class NotRegisteredForSession(ApplicationError):
    code = "learner_not_registered"
    message = _("This person is not registered for the session.")


class RegisterFilterInvalid(ApplicationError):
    code = "register_filter_invalid"
    message = _("The register's filter is not valid.")


class ProgrammeIdentityStaffOnly(PermissionDenied):
    code = "staff_only"
    message = _("Only staff can change the programme's identity.")


class RegisterExportNotFound(NotFound):
    code = "register_export_not_found"
    message = _("Register export not found.")


class RegisterExportNotReady(ApplicationError):
    """Asked for the file of an export the task has not written (or that was sent at once)."""

    code = "register_export_not_ready"
    status_code = 409
    message = _(
        "This register has no file to download: it is still being written, it failed, or it"
        " was sent when it was asked for."
    )


class RegisterTooLongForPdf(ApplicationError):
    code = "register_too_long_for_pdf"
    message = _(
        "This register is too long to print as a PDF (5,000 rows at most). Download it as XLSX"
        " or CSV, or narrow the filter."
    )

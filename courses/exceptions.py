from django.utils.translation import gettext_lazy as _

from lms.exceptions import ApplicationError, NotFound, PermissionDenied


class CourseNotFound(NotFound):
    """No course with this id that the actor may see."""

    code = "course_not_found"
    message = _("Course not found.")


class ModuleNotFound(NotFound):
    """No module with this id in a course the actor may see."""

    code = "module_not_found"
    message = _("Module not found.")


class LessonNotFound(NotFound):
    """No lesson with this id in a course the actor may see."""

    code = "lesson_not_found"
    message = _("Lesson not found.")


class EnrollmentNotFound(NotFound):
    """No enrolment with this id in the actor's scope."""

    code = "enrollment_not_found"
    message = _("Enrolment not found.")


class TrainersOnly(PermissionDenied):
    """Only trainers and staff create courses."""

    code = "trainers_only"
    message = _("Only trainers and staff can create courses.")


class NotATrainerOfCourse(PermissionDenied):
    """Only the course's own trainers (and staff) change it."""

    code = "not_course_trainer"
    message = _("Only the trainers of this course can change it.")


class NotATrainer(ApplicationError):
    """Someone named as a trainer does not have the trainer role."""

    code = "not_a_trainer"
    message = _("Only people with the trainer role can teach a course.")


class CourseNeedsTrainer(ApplicationError):
    """A course always has at least one trainer."""

    code = "course_needs_trainer"
    message = _("A course needs at least one trainer.")


class VideoOfAnotherCourse(ApplicationError):
    """A lesson can only show a video uploaded for its own course."""

    code = "video_of_another_course"
    message = _("This video belongs to another course.")


class CourseNotPublishable(ApplicationError):
    """Publishing needs at least one module with at least one lesson."""

    code = "course_not_publishable"
    status_code = 409
    message = _("A course can be published once it has at least one module with a lesson.")


class CourseHasEnrollments(ApplicationError):
    """The change would take a course, or part of it, away from enrolled learners."""

    code = "course_has_enrollments"
    status_code = 409
    message = _(
        "People are enrolled in this course: archive it instead, or leave its content in place."
    )


class CourseHasVideos(ApplicationError):
    """A course's uploaded videos are kept until they are deleted on purpose."""

    code = "course_has_videos"
    status_code = 409
    message = _("This course has uploaded videos: delete them first, or archive the course.")


class CourseHasDocuments(ApplicationError):
    """A course's documents are kept until they are deleted on purpose."""

    code = "course_has_documents"
    status_code = 409
    message = _("This course has documents: delete them first, or archive the course.")


class ContentHasLearnerRecords(ApplicationError):
    """Progress, credits and completions are the audit trail of people's hours: the content
    they refer to stays."""

    code = "content_has_learner_records"
    status_code = 409
    message = _(
        "People's progress, credits or completions refer to this content: "
        "archive the course instead."
    )


class CourseNotOpen(ApplicationError):
    """Enrolment is only possible in published courses."""

    code = "course_not_open"
    status_code = 409
    message = _("This course is not open for enrolment.")


class SelfEnrollmentClosed(PermissionDenied):
    """The course is only open to enrolment by coordinators."""

    code = "self_enrollment_closed"
    message = _("Enrolment in this course is managed by the coordinators.")


class EnrollmentWithdrawForbidden(PermissionDenied):
    """Trainers see their courses' enrolments but only learners and coordinators withdraw them."""

    code = "enrollment_withdraw_forbidden"
    message = _("Only the learner and their coordinators can withdraw an enrolment.")


class EnrollmentCompleted(ApplicationError):
    """A completed enrolment is part of the learner's record and cannot be withdrawn."""

    code = "enrollment_completed"
    status_code = 409
    message = _("A completed enrolment cannot be withdrawn.")


class ImportFileUnreadable(ApplicationError):
    """The enrolment file as a whole cannot be read (format, encoding of its header, columns)."""

    code = "import_file_unreadable"
    message = _("The file cannot be read.")


class ImportFileTooLarge(ApplicationError):
    """The enrolment file is over the configured size or row limit."""

    code = "import_file_too_large"
    status_code = 413
    message = _("The file is too large.")

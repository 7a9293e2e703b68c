"""What a user can get wrong about certificates."""

from django.utils.translation import gettext_lazy as _

from lms.exceptions import ApplicationError, NotFound, PermissionDenied


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    message = _("Certificate not found.")


class StatusListNotFound(NotFound):
    code = "status_list_not_found"
    message = _("Status list not found.")


class CertificateTemplateNotFound(NotFound):
    code = "certificate_template_not_found"
    message = _("Certificate template not found.")


class CertificateAlreadyIssued(ApplicationError):
    code = "certificate_already_issued"
    status_code = 409
    message = _("A valid certificate for this is already issued: revoke it or re-issue it.")


class CertificateAlreadyRevoked(ApplicationError):
    code = "certificate_already_revoked"
    status_code = 409
    message = _("This certificate is already revoked.")


class CertificateNeedsReason(ApplicationError):
    code = "certificate_needs_reason"
    message = _("Say why, in at least 10 characters: the reason is kept in the history.")


class CertificateSubjectInvalid(ApplicationError):
    code = "certificate_subject_invalid"
    message = _(
        "A module certificate names a module, a course certificate a course, and a "
        "programme certificate neither."
    )


class CertificateCompletionWithdrawn(ApplicationError):
    code = "certificate_completion_withdrawn"
    status_code = 409
    message = _("The completion this certificate was issued for has been withdrawn.")


class CertificatePdfNotReady(ApplicationError):
    code = "certificate_pdf_not_ready"
    status_code = 409
    message = _("The PDF of this certificate is being written: try again in a moment.")


class CertificateTemplateInvalid(ApplicationError):
    code = "certificate_template_invalid"
    message = _("The template cannot be rendered.")


class NotAllowedToIssue(PermissionDenied):
    code = "not_allowed_to_issue"
    message = _("Only staff can issue, revoke and re-issue certificates.")


class VerificationRateLimited(ApplicationError):
    code = "verification_rate_limited"
    status_code = 429
    message = _("Too many verifications from here: try again in a minute.")

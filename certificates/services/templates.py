"""Certificate templates written by staff: checked before they are saved (a template that
cannot render never becomes the one new PDFs use), one active at a time."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from certificates import rendering
from certificates.exceptions import CertificateTemplateInvalid, NotAllowedToIssue
from certificates.models import CertificateTemplate
from lms.accounts.models import User


def template_errors(*, html: str, css: str) -> list[str]:
    """What keeps this template from rendering (empty: it renders)."""
    return rendering.template_check(html=html, css=css)


def template_save(
    *,
    actor: User,
    template: CertificateTemplate | None = None,
    name: str,
    html: str,
    css: str,
    is_active: bool,
) -> CertificateTemplate:
    """Create or change a template; CertificateTemplateInvalid with the errors when it cannot
    render. Making it active makes the active one inactive, in the same transaction."""
    if not actor.is_staff:
        raise NotAllowedToIssue()
    errors = template_errors(html=html, css=css)
    if errors:
        raise CertificateTemplateInvalid(" ".join(errors), extra={"errors": errors})
    with transaction.atomic():
        if is_active:
            others = CertificateTemplate.objects.select_for_update().filter(is_active=True)
            if template is not None and template.pk is not None:
                others = others.exclude(pk=template.pk)
            others.update(is_active=False)
        template = template or CertificateTemplate()
        template.name, template.html, template.css = name, html, css
        template.is_active = is_active
        template.full_clean()
        template.save()
    return template


def template_preview(*, html: str, css: str, language: str) -> bytes:
    """The template rendered with the sample facts (``rendering.preview_facts``), as a PDF;
    CertificateTemplateInvalid when it cannot render."""
    errors = template_errors(html=html, css=css)
    if errors:
        raise CertificateTemplateInvalid(" ".join(errors), extra={"errors": errors})
    with translation.override(language):
        context = rendering.render_context(facts=rendering.preview_facts(language))
        return rendering.certificate_pdf(html=html, css=css, context=context, language=language)

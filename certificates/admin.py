"""Staff's view of certificates: read-only records with their history; issuing by hand,
revoking, re-issuing and writing the PDF again go through the services, each with a reason;
templates are edited through their service (checked before saving) with a PDF preview."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from certificates import rendering
from certificates.models import Certificate, CertificateEvent, CertificateTemplate
from certificates.services.finishing import certificate_render_again
from certificates.services.issuing import (
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
)
from certificates.services.templates import template_errors, template_preview, template_save
from courses.models import Course, Module
from lms.accounts.models import User
from lms.admin import (
    REFUSALS,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceFormAdmin,
    actor,
    apply_each,
    refusal_text,
)


class EventInline(ReadOnlyInline):
    model = CertificateEvent
    fields = ["action", "at", "actor", "reason", "detail"]
    readonly_fields = ["action", "at", "actor", "reason", "detail"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), min_length=10, max_length=2000
    )


class IssueForm(ReasonForm):
    learner = forms.ModelChoiceField(label=_("Learner"), queryset=User.objects.all())
    kind = forms.ChoiceField(label=_("Kind"), choices=Certificate.Kind.choices)
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.select_related("course"), required=False
    )
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.all(), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=Certificate.Language.choices)
    field_order = ["learner", "kind", "module", "course", "language", "reason"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["learner_name", "title", "kind", "code", "issued_at", "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter), "city_name", "language"]
    search_fields = ["learner_name", "code", "learner_tax_code", "title"]
    readonly_fields = [
        field.name for field in Certificate._meta.fields if field.name != "credential"
    ] + ["tools"]
    exclude = ["credential"]
    inlines = [EventInline]
    actions = ["render_again"]
    change_list_template = "admin/certificates/certificate/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "issue/",
                self.admin_site.admin_view(self.issue_view),
                name="certificates_certificate_issue",
            ),
            path(
                "<uuid:certificate_id>/<str:act>/",
                self.admin_site.admin_view(self.reason_view),
                name="certificates_certificate_act",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description=_("Staff actions"))
    def tools(self, certificate: Certificate) -> str:
        if certificate.is_revoked:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a>',
            reverse("admin:certificates_certificate_act", args=[certificate.pk, "revoke"]),
            _("Revoke"),
            reverse("admin:certificates_certificate_act", args=[certificate.pk, "reissue"]),
            _("Re-issue"),
        )

    @admin.action(description=_("Write the PDF again from the active template"))
    def render_again(self, request: HttpRequest, queryset: Any) -> None:
        apply_each(
            self,
            request,
            queryset,
            lambda certificate: certificate_render_again(certificate=certificate),
            done=lambda count: _("%(count)d PDF(s) written again.") % {"count": count},
        )

    def _form_page(
        self, request: HttpRequest, form: forms.Form, title: str, certificate: Any = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "certificate": certificate,
        }
        return TemplateResponse(request, "admin/certificates/certificate/reason_form.html", context)

    def issue_view(self, request: HttpRequest) -> HttpResponse:
        form = IssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                certificate = certificate_issue(actor=actor(request), **form.cleaned_data)
            except REFUSALS as exc:
                form.add_error(None, refusal_text(exc))
            else:
                self.message_user(request, _("Certificate issued."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:certificates_certificate_change", args=[certificate.pk])
                )
        return self._form_page(request, form, str(_("Issue a certificate by hand")))

    def reason_view(self, request: HttpRequest, certificate_id: UUID, act: str) -> HttpResponse:
        certificate = get_object_or_404(Certificate, pk=certificate_id)
        services = {"revoke": certificate_revoke, "reissue": certificate_reissue}
        if act not in services:
            return HttpResponseRedirect(reverse("admin:certificates_certificate_changelist"))
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services[act](
                    actor=actor(request),
                    certificate=certificate,
                    reason=form.cleaned_data["reason"],
                )
            except REFUSALS as exc:
                form.add_error(None, refusal_text(exc))
            else:
                self.message_user(request, _("Done."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:certificates_certificate_change", args=[result.pk])
                )
        title = _("Revoke %(certificate)s") if act == "revoke" else _("Re-issue %(certificate)s")
        return self._form_page(
            request, form, str(title) % {"certificate": certificate}, certificate
        )


class TemplateForm(forms.ModelForm):
    class Meta:
        model = CertificateTemplate
        fields = ["name", "html", "css", "is_active"]
        help_texts = {
            "html": format_lazy(
                _("Django template language, with this fixed context: {fields}."),
                fields=", ".join(rendering.RENDER_CONTEXT_DOC),
            ),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for error in template_errors(html=cleaned.get("html", ""), css=cleaned.get("css", "")):
            self.add_error("html", error)
        return cleaned


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(ServiceFormAdmin):
    form = TemplateForm
    list_display = ["name", "is_active", "updated_at", "preview"]
    readonly_fields = ["preview"]

    def save_model(
        self, request: HttpRequest, obj: CertificateTemplate, form: Any, change: bool
    ) -> None:
        saved = template_save(
            actor=actor(request),
            template=obj if change else None,
            name=form.cleaned_data["name"],
            html=form.cleaned_data["html"],
            css=form.cleaned_data["css"],
            is_active=form.cleaned_data["is_active"],
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<uuid:template_id>/preview/<str:language>/",
                self.admin_site.admin_view(self.preview_view),
                name="certificates_certificatetemplate_preview",
            )
        ]
        return own + super().get_urls()

    @admin.display(description=_("Preview"))
    def preview(self, template: CertificateTemplate) -> str:
        if template.pk is None or template._state.adding:
            return str(_("Save the template to preview it."))
        return format_html(
            '<a href="{}" target="_blank">PDF (it)</a> · <a href="{}" target="_blank">PDF (en)</a>',
            reverse("admin:certificates_certificatetemplate_preview", args=[template.pk, "it"]),
            reverse("admin:certificates_certificatetemplate_preview", args=[template.pk, "en"]),
        )

    def preview_view(self, request: HttpRequest, template_id: UUID, language: str) -> HttpResponse:
        template = get_object_or_404(CertificateTemplate, pk=template_id)
        language = language if language in Certificate.Language.values else "it"
        try:
            pdf = template_preview(html=template.html, css=template.css, language=language)
        except REFUSALS as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:certificates_certificatetemplate_change", args=[template.pk])
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="preview-{language}.pdf"'
        return response

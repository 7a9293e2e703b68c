"""The certificates pages (Italian paths, English names), included from ``pages/urls.py`` at the
site's root. ``/verify/<code>`` is the address the certificate's QR code prints
(``certificates.selectors.verification_url``): it must never move."""

from django.urls import path

from pages.certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_form, name="verify-form"),
    path("verify/<str:code>", views.verify, name="verify"),
    path("i-miei-attestati/", views.mine, name="mine"),
    path("i-miei-attestati/<uuid:certificate_id>/pdf", views.certificate_pdf, name="pdf"),
    path(
        "i-miei-attestati/<uuid:certificate_id>/credential.json",
        views.certificate_credential,
        name="credential",
    ),
    path("coordinamento/attestati/", views.coordinator_certificates, name="coordinator"),
    path("coordinamento/attestati/attestati.zip", views.coordinator_zip, name="coordinator-zip"),
]

from django.urls import path

from certificates import apis

# Under /api/v1/.
urlpatterns = [
    path("certificates/", apis.CertificateCollectionApi.as_view(), name="api-certificate-list"),
    path("certificates/mine/", apis.MyCertificateListApi.as_view(), name="api-certificate-mine"),
    path("certificates/export.zip", apis.CertificateZipApi.as_view(), name="api-certificate-zip"),
    path(
        "certificates/verify/<str:code>",
        apis.CertificateVerifyApi.as_view(),
        name="api-certificate-verify",
    ),
    path(
        "certificates/<uuid:certificate_id>/",
        apis.CertificateDetailApi.as_view(),
        name="api-certificate-detail",
    ),
    path(
        "certificates/<uuid:certificate_id>/pdf",
        apis.CertificatePdfApi.as_view(),
        name="api-certificate-pdf",
    ),
    path(
        "certificates/<uuid:certificate_id>/credential",
        apis.CertificateCredentialApi.as_view(),
        name="api-certificate-credential",
    ),
    path(
        "certificates/<uuid:certificate_id>/revoke/",
        apis.CertificateRevokeApi.as_view(),
        name="api-certificate-revoke",
    ),
    path(
        "certificates/<uuid:certificate_id>/reissue/",
        apis.CertificateReissueApi.as_view(),
        name="api-certificate-reissue",
    ),
]

# At the site's root: the Open Badges documents a credential points at, at stable URLs.
published_urlpatterns = [
    path("issuer", apis.IssuerProfileApi.as_view(), name="certificate-issuer"),
    path("status/<int:number>", apis.StatusListApi.as_view(), name="certificate-status-list"),
]

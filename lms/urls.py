from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from certificates.urls import published_urlpatterns as certificate_documents
from media.urls import playback_urlpatterns

api_v1: list[URLPattern | URLResolver] = [
    path("", include("lms.accounts.urls")),
    path("", include("courses.urls")),
    path("", include("media.urls")),
    path("", include("tracking.progress.urls")),
    path("", include("tracking.attendance.urls")),
    path("", include("certificates.urls")),
    path("auth/token/", obtain_auth_token, name="auth-token"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("xapi/", include("tracking.lrs.urls")),
    path("hls/", include(playback_urlpatterns)),
    path("certificates/", include(certificate_documents)),
    path("api/auth/", include("rest_framework.urls")),  # session log-in for the browsable API
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("pages.learner.urls")),
    path("docente/", include("pages.trainer.urls")),
    path("coordinamento/", include("pages.coordinator.urls")),
    path("", include("pages.urls")),
]

# Error pages in the pages' look (they never read the database: pages/views.py).
handler400 = "pages.views.bad_request"
handler403 = "pages.views.permission_denied"
handler404 = "pages.views.page_not_found"
handler500 = "pages.views.server_error"

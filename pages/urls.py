"""The pages' URLs: Italian paths (the programme's users are Italian officials).

Each kind of user's pages have their own module and namespace: ``learner``, ``trainer``,
``coordinator``; what everyone shares is here, in ``pages``.
"""

from django.urls import include, path

from pages import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("accedi/", views.LoginView.as_view(), name="login"),
    path("esci/", views.LogoutView.as_view(), name="logout"),
    path("password/reimposta/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reimposta/inviata/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password/reimposta/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reimposta/fatto/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("password/cambia/", views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "password/cambia/fatto/",
        views.PasswordChangeDoneView.as_view(),
        name="password-change-done",
    ),
    path("primo-accesso/", views.FirstAccessView.as_view(), name="first-access"),
    path("primo-accesso/inviato/", views.FirstAccessDoneView.as_view(), name="first-access-done"),
    path("", include("pages.attendance.urls")),
    path("", include("pages.certificates.urls")),
]

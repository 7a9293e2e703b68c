"""The attendance pages (Italian paths, English names). Included from ``pages/urls.py`` at the
site's root, so each path says whose area it is in: ``/sessioni/`` for everyone,
``/docente/sessioni/`` for trainers, ``/coordinamento/`` for coordinators."""

from django.urls import path

from pages.attendance import coordinator_views, trainer_views, views

app_name = "attendance"

urlpatterns = [
    path("sessioni/", views.sessions, name="sessions"),
    path("sessioni/<uuid:session_id>/", views.session, name="session"),
    path("sessioni/<uuid:session_id>/calendario.ics", views.session_ics, name="session-ics"),
    path("sessioni/<uuid:session_id>/iscrizione/", views.session_register, name="register"),
    path("sessioni/<uuid:session_id>/rinuncia/", views.session_unregister, name="unregister"),
    path("sessioni/<uuid:session_id>/ingresso/", views.session_check_in, name="check-in"),
    path("sessioni/<uuid:session_id>/uscita/", views.session_check_out, name="check-out"),
    path("docente/sessioni/", trainer_views.trainer_sessions, name="trainer-sessions"),
    path("docente/sessioni/nuova/", trainer_views.trainer_session_new, name="trainer-session-new"),
    path(
        "docente/sessioni/<uuid:session_id>/", trainer_views.trainer_session, name="trainer-session"
    ),
    path(
        "docente/sessioni/<uuid:session_id>/annulla/",
        trainer_views.trainer_session_cancel,
        name="trainer-session-cancel",
    ),
    path("docente/sessioni/<uuid:session_id>/registro/", trainer_views.roster, name="roster"),
    path(
        "docente/sessioni/<uuid:session_id>/codice/",
        trainer_views.projector,
        name="projector",
    ),
    path(
        "docente/sessioni/<uuid:session_id>/codice.json",
        trainer_views.projector_code,
        name="projector-code",
    ),
    path("coordinamento/registri/", coordinator_views.registers, name="registers"),
    path(
        "coordinamento/registri/elenco/",
        coordinator_views.register_exports,
        name="register-exports",
    ),
    path(
        "coordinamento/registri/<uuid:export_id>/scarica/",
        coordinator_views.register_download,
        name="register-download",
    ),
    path("coordinamento/presenze/<uuid:presence_id>/", coordinator_views.presence, name="presence"),
]

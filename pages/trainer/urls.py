"""The trainer's pages, under /docente/ (Italian paths, English names)."""

from django.urls import path

from pages.trainer import views

app_name = "trainer"

urlpatterns = [
    path("", views.courses, name="courses"),
    path("corsi/<uuid:course_id>/", views.course, name="course"),
    path("corsi/<uuid:course_id>/moduli/nuovo/", views.module_new, name="module-new"),
    path("corsi/<uuid:course_id>/documenti/nuovo/", views.document_new, name="document-new"),
    path("corsi/<uuid:course_id>/carica-video/", views.upload, name="upload"),
    path("documenti/<uuid:document_id>/elimina/", views.document_remove, name="document-delete"),
    path("moduli/<uuid:module_id>/", views.module, name="module"),
    path("moduli/<uuid:module_id>/sposta/", views.module_move, name="module-move"),
    path("moduli/<uuid:module_id>/elimina/", views.module_remove, name="module-delete"),
    path("moduli/<uuid:module_id>/lezioni/nuova/", views.lesson_new, name="lesson-new"),
    path("lezioni/<uuid:lesson_id>/", views.lesson, name="lesson"),
    path("lezioni/<uuid:lesson_id>/sposta/", views.lesson_move, name="lesson-move"),
    path("lezioni/<uuid:lesson_id>/elimina/", views.lesson_remove, name="lesson-delete"),
    path("video/<uuid:video_id>/", views.video, name="video"),
    path("video/<uuid:video_id>/elimina/", views.video_remove, name="video-delete"),
    path("video/<uuid:video_id>/sottotitoli/", views.caption_new, name="caption-new"),
    path(
        "video/<uuid:video_id>/sottotitoli/<str:language>/elimina/",
        views.caption_remove,
        name="caption-delete",
    ),
]

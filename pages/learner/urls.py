from django.urls import path

from pages.learner import player, views

app_name = "learner"

urlpatterns = [
    path("catalogo/", views.catalogue, name="catalogue"),
    path("corsi/<slug:slug>/", views.course, name="course"),
    path("lezioni/<uuid:lesson_id>/", player.lesson, name="lesson"),
    path("i-miei-progressi/", views.progress, name="progress"),
    path("i-miei-progressi/lezioni/<uuid:lesson_id>/", views.lesson_ledger, name="lesson-ledger"),
]

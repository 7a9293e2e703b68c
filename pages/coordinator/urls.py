from django.urls import path

from pages.coordinator import views

app_name = "coordinator"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("persone/", views.people, name="people"),
    path("persone/<uuid:person_id>/", views.person, name="person"),
    path("iscrizioni/importa/", views.enrollment_import, name="import"),
]

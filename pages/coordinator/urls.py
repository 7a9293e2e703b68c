from django.urls import path

from pages.coordinator import views

app_name = "coordinator"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]

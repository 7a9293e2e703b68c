from django.urls import path

from pages.trainer import views

app_name = "trainer"

urlpatterns = [
    path("", views.courses, name="courses"),
]

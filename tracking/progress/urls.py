from django.urls import path

from tracking.progress import apis as progress_apis

urlpatterns = [
    path("progress/me/", progress_apis.MyProgressApi.as_view(), name="progress-me"),
    path(
        "progress/people/<uuid:person_id>/",
        progress_apis.PersonProgressApi.as_view(),
        name="progress-person",
    ),
    path(
        "progress/lessons/<uuid:lesson_id>/ledger/",
        progress_apis.LessonLedgerApi.as_view(),
        name="progress-lesson-ledger",
    ),
    path("progress/overview/", progress_apis.OverviewApi.as_view(), name="progress-overview"),
    path(
        "progress/courses/<uuid:course_id>/",
        progress_apis.CourseProgressApi.as_view(),
        name="progress-course",
    ),
]

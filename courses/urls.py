from django.urls import path

from courses import apis

urlpatterns = [
    path("areas/", apis.ThematicAreaCollectionApi.as_view(), name="area-list"),
    path("courses/", apis.CourseCollectionApi.as_view(), name="course-list"),
    path("courses/<uuid:course_id>/", apis.CourseDetailApi.as_view(), name="course-detail"),
    path(
        "courses/<uuid:course_id>/modules/",
        apis.CourseModuleCollectionApi.as_view(),
        name="course-module-list",
    ),
    path("modules/<uuid:module_id>/", apis.ModuleDetailApi.as_view(), name="module-detail"),
    path(
        "modules/<uuid:module_id>/lessons/",
        apis.ModuleLessonCollectionApi.as_view(),
        name="module-lesson-list",
    ),
    path("lessons/<uuid:lesson_id>/", apis.LessonDetailApi.as_view(), name="lesson-detail"),
    path("enrollments/", apis.EnrollmentCollectionApi.as_view(), name="enrollment-list"),
    path(
        "enrollments/<uuid:enrollment_id>/",
        apis.EnrollmentDetailApi.as_view(),
        name="enrollment-detail",
    ),
    path("enrollment-imports/", apis.EnrollmentImportApi.as_view(), name="enrollment-import"),
]

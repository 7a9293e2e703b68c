from django.urls import path

from lms.accounts import apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="me"),
    path("cities/", apis.CityCollectionApi.as_view(), name="city-list"),
    path("organisations/", apis.OrganisationCollectionApi.as_view(), name="organisation-list"),
    path(
        "organisations/<uuid:organisation_id>/",
        apis.OrganisationDetailApi.as_view(),
        name="organisation-detail",
    ),
    path("people/", apis.PersonCollectionApi.as_view(), name="person-list"),
    path("people/<uuid:person_id>/", apis.PersonDetailApi.as_view(), name="person-detail"),
]

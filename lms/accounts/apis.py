"""People, organisations and cities: thin views over the accounts services and selectors."""

from http import HTTPStatus
from typing import Any, cast
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.accounts.filters import OrganisationFilter, PersonFilter
from lms.accounts.models import MetropolitanCity, Organisation, Position, User
from lms.accounts.selectors import (
    city_list,
    organisation_get,
    organisation_list,
    person_get,
    person_list,
)
from lms.accounts.services import (
    organisation_create,
    organisation_update,
    person_create,
    person_update,
)
from lms.accounts.tax_codes import normalize_tax_code
from lms.api import AuthenticatedRequest, ListApi


class CityOutput(serializers.ModelSerializer):
    class Meta:
        model = MetropolitanCity
        fields = ["id", "name", "slug", "istat_code"]


class OrganisationOutput(serializers.ModelSerializer):
    city = CityOutput()

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "city"]


class PersonOutput(serializers.ModelSerializer):
    organisation = OrganisationOutput(allow_null=True)
    coordinated_city = CityOutput(allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "tax_code",
            "organisation",
            "position",
            "role",
            "coordinated_city",
        ]


class TaxCodeField(serializers.CharField):
    """A personal tax code, normalised (upper case, no spaces) before validation."""

    def to_internal_value(self, data: Any) -> str:
        return normalize_tax_code(super().to_internal_value(data))


class MeApi(APIView):
    @extend_schema(responses=PersonOutput)
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(PersonOutput(request.user).data)


class CityCollectionApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CityOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(CityOutput(city_list(), many=True).data)


class OrganisationCollectionApi(ListApi):
    filterset_class = OrganisationFilter
    output_serializer = OrganisationOutput

    class OrganisationCreateInput(serializers.Serializer):
        city_id = serializers.PrimaryKeyRelatedField(
            queryset=MetropolitanCity.objects.all(), source="city"
        )
        name = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=Organisation.Kind.choices)

    def selector_queryset(self) -> QuerySet[Organisation]:
        return organisation_list(actor=cast(User, self.request.user))

    @extend_schema(request=OrganisationCreateInput, responses={201: OrganisationOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = self.OrganisationCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = organisation_create(actor=request.user, **payload.validated_data)
        return Response(OrganisationOutput(organisation).data, status=HTTPStatus.CREATED)


class OrganisationDetailApi(APIView):
    class OrganisationUpdateInput(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        kind = serializers.ChoiceField(choices=Organisation.Kind.choices, required=False)

    @extend_schema(responses=OrganisationOutput)
    def get(self, request: AuthenticatedRequest, organisation_id: UUID) -> Response:
        organisation = organisation_get(actor=request.user, organisation_id=organisation_id)
        return Response(OrganisationOutput(organisation).data)

    @extend_schema(request=OrganisationUpdateInput, responses=OrganisationOutput)
    def patch(self, request: AuthenticatedRequest, organisation_id: UUID) -> Response:
        organisation = organisation_get(actor=request.user, organisation_id=organisation_id)
        payload = self.OrganisationUpdateInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        organisation = organisation_update(
            actor=request.user, organisation=organisation, data=payload.validated_data
        )
        return Response(OrganisationOutput(organisation).data)


class PersonCollectionApi(ListApi):
    filterset_class = PersonFilter
    output_serializer = PersonOutput

    class PersonCreateInput(serializers.Serializer):
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        email = serializers.EmailField(required=False, default="")
        tax_code = TaxCodeField(max_length=16, required=False, default="")
        organisation_id = serializers.PrimaryKeyRelatedField(
            queryset=Organisation.objects.all(), source="organisation"
        )
        position = serializers.ChoiceField(choices=Position.choices, required=False, default="")

    def selector_queryset(self) -> QuerySet[User]:
        return person_list(actor=cast(User, self.request.user))

    @extend_schema(request=PersonCreateInput, responses={201: PersonOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = self.PersonCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        person = person_create(actor=request.user, **payload.validated_data)
        return Response(PersonOutput(person).data, status=HTTPStatus.CREATED)


class PersonDetailApi(APIView):
    class PersonUpdateInput(serializers.Serializer):
        first_name = serializers.CharField(max_length=150, required=False)
        last_name = serializers.CharField(max_length=150, required=False)
        email = serializers.EmailField(required=False, allow_blank=True)
        tax_code = TaxCodeField(max_length=16, required=False, allow_blank=True)
        organisation_id = serializers.PrimaryKeyRelatedField(
            queryset=Organisation.objects.all(), source="organisation", required=False
        )
        position = serializers.ChoiceField(
            choices=Position.choices, required=False, allow_blank=True
        )
        role = serializers.ChoiceField(choices=User.Role.choices, required=False)
        coordinated_city_id = serializers.PrimaryKeyRelatedField(
            queryset=MetropolitanCity.objects.all(),
            source="coordinated_city",
            required=False,
            allow_null=True,
        )

    @extend_schema(responses=PersonOutput)
    def get(self, request: AuthenticatedRequest, person_id: UUID) -> Response:
        return Response(PersonOutput(person_get(actor=request.user, person_id=person_id)).data)

    @extend_schema(request=PersonUpdateInput, responses=PersonOutput)
    def patch(self, request: AuthenticatedRequest, person_id: UUID) -> Response:
        person = person_get(actor=request.user, person_id=person_id)
        payload = self.PersonUpdateInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        person = person_update(actor=request.user, person=person, data=payload.validated_data)
        return Response(PersonOutput(person).data)

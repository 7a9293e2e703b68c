import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Organisation, Position, User


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Name, e-mail or tax code"))
    city = django_filters.UUIDFilter(field_name="organisation__city_id")
    organisation = django_filters.UUIDFilter(field_name="organisation_id")
    position = django_filters.ChoiceFilter(choices=Position.choices)
    role = django_filters.ChoiceFilter(choices=User.Role.choices)

    class Meta:
        model = User
        fields = ["search", "city", "organisation", "position", "role"]

    def filter_search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
                | Q(tax_code__iexact=term)
            )
        return queryset


class OrganisationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    city = django_filters.UUIDFilter(field_name="city_id")
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)

    class Meta:
        model = Organisation
        fields = ["search", "city", "kind"]

"""lms.services.model_update: the partial update every app's services use."""

import pytest
from django.core.exceptions import ValidationError

from courses.models import Course
from lms.services import model_update
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_only_the_given_fields_that_changed_are_saved():
    course = CourseFactory(title="Prima", summary="Sommario")
    stale = Course.objects.get(pk=course.pk)
    Course.objects.filter(pk=course.pk).update(summary="Scritto da un altro")

    _, saved = model_update(
        instance=stale, fields=("title", "summary"), data={"title": "Seconda", "x": 1}
    )

    course.refresh_from_db()
    assert saved is True
    assert (course.title, course.summary) == ("Seconda", "Scritto da un altro")
    assert course.updated_at > stale.created_at


def test_nothing_changed_writes_nothing(django_assert_num_queries):
    course = CourseFactory(title="Prima")
    before = course.updated_at

    with django_assert_num_queries(0):
        _, saved = model_update(instance=course, fields=("title",), data={"title": "Prima"})

    course.refresh_from_db()
    assert (saved, course.updated_at) == (False, before)


def test_an_invalid_value_is_refused_and_nothing_is_stored():
    course = CourseFactory(title="Prima")

    with pytest.raises(ValidationError):
        model_update(instance=course, fields=("title",), data={"title": ""})

    course.refresh_from_db()
    assert course.title == "Prima"


def test_many_to_many_fields_are_refused():
    course = CourseFactory()

    with pytest.raises(ValueError, match="many-to-many"):
        model_update(instance=course, fields=("trainers",), data={"trainers": []})

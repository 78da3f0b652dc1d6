"""A value that is not a key, posted to an admin autocomplete field, is a form error naming the
field, never a 500, and nothing is saved (Django's widget used to look it up to redraw the form).
"""

import pytest
from django.urls import reverse

from quizzes.models import AssignmentOverride, Enrollment, Question, Quiz
from tests.factories import BankFactory, EnrollmentFactory, SchoolClassFactory
from tests.quizzes.test_admin_questions import VALID_ROWS, question_post
from tests.quizzes.test_admin_quizzes import quiz_form_data
from tests.quizzes.test_admin_scoping import (
    assignment_form_data,
    class_form_data,
    form_errors,
    inline_errors,
    make_assignment,
)

pytestmark = pytest.mark.django_db

NOT_KEYS = ["abc", "1.5", "99999999999999999999999", "1 OR 1=1"]


@pytest.mark.parametrize("value", NOT_KEYS)
@pytest.mark.parametrize("field", ["stimulus", "tags"])
def test_a_non_number_in_a_questions_autocomplete_field_is_a_form_error(
    teacher_client, field, value
):
    prefix, rows = VALID_ROWS["single"]
    data = question_post(BankFactory(), prefix=prefix, rows=rows, **{field: value})

    response = teacher_client.post(reverse("admin:quizzes_question_add") + "?type=single", data)

    assert response.status_code == 200
    assert form_errors(response)[field]
    assert not Question.objects.exists()


@pytest.mark.parametrize("value", NOT_KEYS)
def test_a_non_number_as_a_slots_question_is_a_form_error(teacher_client, value):
    data = quiz_form_data(slots=[{"question": value}])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert response.status_code == 200
    assert any("valid choice" in error for error in inline_errors(response))
    assert not Quiz.objects.exists()


@pytest.mark.parametrize("value", NOT_KEYS)
def test_a_non_number_as_an_enrolled_student_is_a_form_error(teacher, teacher_client, value):
    school_class = SchoolClassFactory(name="Grade 11", teachers=[teacher])
    data = class_form_data(name="Grade 11", teachers=[teacher], enrollments=[{"student": value}])

    response = teacher_client.post(
        reverse("admin:quizzes_schoolclass_change", args=[school_class.pk]), data
    )

    assert response.status_code == 200
    assert any("valid choice" in error for error in inline_errors(response))
    assert not Enrollment.objects.filter(school_class=school_class).exists()


@pytest.mark.parametrize("value", NOT_KEYS)
def test_a_non_number_as_an_overrides_student_is_a_form_error(
    teacher, teacher_client, student, value
):
    school_class = SchoolClassFactory(name="Grade 11", teachers=[teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    assignment = make_assignment(school_class)
    data = assignment_form_data(
        assignment=assignment,
        quiz=assignment.quiz,
        school_class=school_class,
        opens_at=assignment.opens_at,
        closes_at=assignment.closes_at,
        overrides=[{"student": value, "attempts_allowed": "3"}],
    )

    response = teacher_client.post(
        reverse("admin:quizzes_assignment_change", args=[assignment.pk]), data
    )

    assert response.status_code == 200
    assert any("valid choice" in error for error in inline_errors(response))
    assert not AssignmentOverride.objects.exists()

"""Every admin changelist costs a fixed number of queries, whatever the number of rows.

Each test runs with 2 and with 30 rows (every row with its own related objects, so a missing
select_related would show) and pins the same count. All pages are fetched by a teacher, so the
class, assignment, attempt and user lists are the scoped ones; the other teacher's rows exist
but are not listed.

Every page starts with the same four queries, listed once here:
  1. the session
  2. the logged-in user
  3. the user's own permissions
  4. the permissions of the user's groups (Teachers)
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.services import attempt_finish, attempt_start
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
    TagFactory,
)

ROWS = pytest.mark.parametrize("rows", [2, 30])


def listed(response) -> int:
    assert response.status_code == 200
    return len(response.context["cl"].result_list)


@ROWS
def test_question_changelist_query_count(rows, teacher_client, django_assert_num_queries):
    for _ in range(rows):
        QuestionFactory(bank=BankFactory(), tags=[TagFactory()])

    # 1-4 session, user, permissions; 5 banks for the bank filter; 6 tags for the tag filter;
    # 7 count of filtered questions; 8 count of all questions; 9 the page, with its bank joined.
    with django_assert_num_queries(9):
        response = teacher_client.get(reverse("admin:quizzes_question_changelist"))

    assert listed(response) == rows


@ROWS
def test_bank_changelist_query_count(rows, teacher_client, django_assert_num_queries):
    for _ in range(rows):
        QuestionFactory(bank=BankFactory(), published=True)

    # 1-4 session, user, permissions; 5 count of filtered banks; 6 count of all banks;
    # 7 the page, with question and published-question counts annotated.
    with django_assert_num_queries(7):
        response = teacher_client.get(reverse("admin:quizzes_bank_changelist"))

    assert listed(response) == rows


@ROWS
def test_quiz_changelist_query_count(rows, teacher_client, django_assert_num_queries):
    for _ in range(rows):
        SlotFactory(quiz=QuizFactory())

    # 1-4 session, user, permissions; 5 count of filtered quizzes; 6 count of all quizzes;
    # 7 the page, with the slot count annotated.
    with django_assert_num_queries(7):
        response = teacher_client.get(reverse("admin:quizzes_quiz_changelist"))

    assert listed(response) == rows


@ROWS
def test_class_changelist_query_count(
    rows, teacher, other_teacher, teacher_client, django_assert_num_queries
):
    for _ in range(rows):
        EnrollmentFactory(school_class=SchoolClassFactory(teachers=[teacher]))
        SchoolClassFactory(teachers=[other_teacher])

    # 1-4 session, user, permissions; 5 count of the teacher's classes after filters;
    # 6 count of all the teacher's classes; 7 the page, with the student count annotated.
    with django_assert_num_queries(7):
        response = teacher_client.get(reverse("admin:quizzes_schoolclass_changelist"))

    assert listed(response) == rows


@ROWS
def test_assignment_changelist_query_count(
    rows, teacher, other_teacher, teacher_client, django_assert_num_queries
):
    for _ in range(rows):
        AssignmentFactory(school_class=SchoolClassFactory(teachers=[teacher]))
        AssignmentFactory(school_class=SchoolClassFactory(teachers=[other_teacher]))

    # 1-4 session, user, permissions; 5 the teacher's classes that have assignments (class
    # filter); 6 count of filtered assignments; 7 count of all the teacher's assignments;
    # 8 the page, with quiz and class joined and the attempt count annotated;
    # 9 first and last opens_at (date hierarchy); 10 the distinct dates to link to.
    with django_assert_num_queries(10):
        response = teacher_client.get(reverse("admin:quizzes_assignment_changelist"))

    assert listed(response) == rows


@ROWS
def test_attempt_changelist_query_count(
    rows, teacher, other_teacher, teacher_client, django_assert_num_queries
):
    now = timezone.now()
    for owner in [teacher] * rows + [other_teacher]:
        assignment = AssignmentFactory(school_class=SchoolClassFactory(teachers=[owner]))
        SlotFactory(quiz=None, assignment=assignment)
        enrollment = EnrollmentFactory(school_class=assignment.school_class)
        attempt = attempt_start(student=enrollment.student, assignment=assignment, now=now)
        attempt_finish(attempt=attempt, now=now)

    # 1-4 session, user, permissions; 5 the teacher's classes that have attempts (class
    # filter); 6 count of filtered attempts; 7 count of all the teacher's attempts;
    # 8 the page, with student, assignment, quiz and class joined.
    with django_assert_num_queries(8):
        response = teacher_client.get(reverse("admin:quizzes_attempt_changelist"))

    assert listed(response) == rows


@ROWS
def test_user_changelist_query_count(
    rows, other_teacher, admin_user, teacher_client, django_assert_num_queries
):
    StudentFactory.create_batch(rows)

    # 1-4 session, user, permissions; 5 count of filtered students; 6 count of all students;
    # 7 the page (students only: no staff, no superusers). Teachers get no list filters.
    with django_assert_num_queries(7):
        response = teacher_client.get(reverse("admin:auth_user_changelist"))

    assert listed(response) == rows

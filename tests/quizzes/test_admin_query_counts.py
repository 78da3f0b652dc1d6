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
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import AssignmentChange, AssignmentOverride
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
    # filter); 6 her assignments that have attempts, with quiz and class joined (assignment
    # filter); 7 her quizzes that have attempts (quiz filter); 8 count of filtered attempts;
    # 9 count of all the teacher's attempts; 10 the page, with student, assignment, quiz and
    # class joined.
    with django_assert_num_queries(10):
        response = teacher_client.get(reverse("admin:quizzes_attempt_changelist"))

    assert listed(response) == rows


@ROWS
def test_user_changelist_query_count(
    rows, teacher, other_teacher, admin_user, teacher_client, django_assert_num_queries
):
    mine = SchoolClassFactory(teachers=[teacher])
    for student in StudentFactory.create_batch(rows):
        EnrollmentFactory(school_class=mine, student=student)
    EnrollmentFactory(school_class=SchoolClassFactory(teachers=[other_teacher]))
    StudentFactory()  # in no class

    # 1-4 session, user, permissions; 5 count of filtered users; 6 count of all users she
    # sees; 7 the page (herself and her classes' students, through one EXISTS subquery).
    # Teachers get no list filters.
    with django_assert_num_queries(7):
        response = teacher_client.get(reverse("admin:auth_user_changelist"))

    assert listed(response) == rows + 1


# --- change pages: their inlines cost the same whatever the number of rows ----------------


def queries_for(client, url: str) -> int:
    """Queries of a GET of `url`, once the first visit filled the content type cache."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_class_change_page_query_count(teacher, teacher_client):
    school_class = SchoolClassFactory(teachers=[teacher])
    url = reverse("admin:quizzes_schoolclass_change", args=[school_class.pk])
    EnrollmentFactory.create_batch(2, school_class=school_class)
    few = queries_for(teacher_client, url)
    EnrollmentFactory.create_batch(28, school_class=school_class)

    assert queries_for(teacher_client, url) == few == CLASS_CHANGE_QUERIES
    # Each row still names its student (labelled from the joined row, not a query of its own).
    page = teacher_client.get(url).text
    for enrollment in school_class.enrollments.select_related("student"):
        student = enrollment.student
        assert f'<option value="{student.pk}" selected>{student}</option>' in page


def test_assignment_change_page_query_count(teacher, teacher_client):
    assignment = AssignmentFactory(school_class=SchoolClassFactory(teachers=[teacher]))
    url = reverse("admin:quizzes_assignment_change", args=[assignment.pk])

    def add(n: int) -> None:
        for _ in range(n):
            student = EnrollmentFactory(school_class=assignment.school_class).student
            AssignmentOverride.objects.create(
                assignment=assignment, student=student, attempts_allowed=3
            )
            SlotFactory(quiz=None, assignment=assignment, question=QuestionFactory())
            AssignmentChange.objects.create(
                assignment=assignment,
                changed_by=teacher,
                changed_at=timezone.now(),
                changes=[{"what": "time limit", "from": "10", "to": "20"}],
            )

    add(2)
    few = queries_for(teacher_client, url)
    add(28)

    assert queries_for(teacher_client, url) == few == ASSIGNMENT_CHANGE_QUERIES


def test_quiz_change_page_query_count(teacher_client):
    quiz = QuizFactory()
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    for _ in range(2):
        SlotFactory(quiz=quiz, question=QuestionFactory())
    few = queries_for(teacher_client, url)
    for _ in range(28):
        SlotFactory(quiz=quiz, question=QuestionFactory())

    assert queries_for(teacher_client, url) == few == QUIZ_CHANGE_QUERIES


# Besides the four every page makes: the object itself and one query per inline (roster;
# overrides, slots and history), the rows' related objects joined; the class page also lists
# its teachers and the teachers to choose from, the assignment page its read-only quiz and class.
CLASS_CHANGE_QUERIES = 8
ASSIGNMENT_CHANGE_QUERIES = 10
QUIZ_CHANGE_QUERIES = 6

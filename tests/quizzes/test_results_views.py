"""The results pages over HTTP: query counts pinned for a class of 30 and of 300, who may open
them (owner teacher, another teacher, a student, a superuser), and what each page shows.

Every page starts with the same two queries, listed once here:
  1. the session
  2. the logged-in user
Pages rendered with the admin's base template end with two more (the admin's nav checks):
  -2. the user's own permissions
  -1. the permissions of the user's groups (Teachers)
"""

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Response
from tests.factories import StudentFactory
from tests.quizzes.results_data import class_with_results

pytestmark = pytest.mark.django_db
SIZES = pytest.mark.parametrize("students", [30, 300])


@pytest.fixture
def data(teacher):
    return class_with_results(teacher=teacher, students=12)


def urls(data) -> dict[str, str]:
    """Every results URL of the class and its open assignment."""
    school_class, student = data.school_class.pk, data.students[3].pk
    return {
        "gradebook": reverse("admin:quizzes_schoolclass_gradebook", args=[school_class]),
        "csv": reverse("admin:quizzes_schoolclass_gradebook_csv", args=[school_class]),
        "xlsx": reverse("admin:quizzes_schoolclass_gradebook_xlsx", args=[school_class]),
        "student": reverse("admin:quizzes_schoolclass_student", args=[school_class, student]),
        "report": reverse("admin:quizzes_assignment_report", args=[data.closed.pk]),
        "progress": reverse("admin:quizzes_assignment_progress", args=[data.open.pk]),
        "fragment": reverse("admin:quizzes_assignment_progress_fragment", args=[data.open.pk]),
    }


# --- query counts ---------------------------------------------------------------------------


@SIZES
def test_gradebook_query_count(students, teacher, teacher_client, django_assert_num_queries):
    data = class_with_results(teacher=teacher, students=students)

    # 1-2 session, user; 3 the class (scoped to the teacher); 4 its assignments with quizzes;
    # 5 the roster with students; 6 every attempt at the class's assignments; 7 every override
    # of them; 8-9 permissions.
    with django_assert_num_queries(9):
        response = teacher_client.get(urls(data)["gradebook"] + "?sort=-average")

    assert len(response.context["book"].rows) == students


@SIZES
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_export_query_count(students, export, teacher, teacher_client, django_assert_num_queries):
    data = class_with_results(teacher=teacher, students=students)

    # 1-2 session, user; 3 the class; 4 assignments; 5 roster; 6 attempts; 7 overrides.
    with django_assert_num_queries(7):
        response = teacher_client.get(urls(data)[export])

    assert response.status_code == 200


@SIZES
def test_student_page_query_count(students, teacher, teacher_client, django_assert_num_queries):
    data = class_with_results(teacher=teacher, students=students)

    # 1-2 session, user; 3 the class; 4 the student's enrollment with the student; 5 the
    # class's assignments with quizzes; 6 the student's attempts (teacher's-score flag
    # annotated); 7 the student's overrides; 8-9 permissions.
    with django_assert_num_queries(9):
        response = teacher_client.get(urls(data)["student"])

    assert response.status_code == 200


@SIZES
@pytest.mark.parametrize("which", ["first", "all", "graded"])
def test_report_query_count(students, which, teacher, teacher_client, django_assert_num_queries):
    data = class_with_results(teacher=teacher, students=students)

    # 1-2 session, user; 3 the assignment with quiz and class; 4 its finished attempts;
    # 5 one snapshot per question (the latest attempt's); 6 every analysed answer and score,
    # as plain values; 7-8 permissions.
    with django_assert_num_queries(8):
        response = teacher_client.get(urls(data)["report"], {"attempts": which})

    # Every 10th missed it and every 10th (plus one) is excused: 8 in 10 attempted.
    assert response.context["report"].students == students * 8 // 10


@SIZES
@pytest.mark.parametrize("page", ["progress", "fragment"])
def test_live_progress_query_count(
    students, page, teacher, teacher_client, django_assert_num_queries
):
    data = class_with_results(teacher=teacher, students=students)

    # 1-2 session, user; 3 the assignment with quiz and class; 4 the roster with students;
    # 5 the assignment's overrides; 6 its attempts with answered and question counts (one
    # grouped query); 7-8 permissions (the fragment is rendered with the admin's context too).
    with django_assert_num_queries(8):
        response = teacher_client.get(urls(data)[page])

    assert len(response.context["progress"].rows) == students


@SIZES
def test_teacher_home_query_count(students, teacher, teacher_client, django_assert_num_queries):
    class_with_results(teacher=teacher, students=students)

    # 1-2 session, user; 3-4 permissions; 5 open assignments with roster and submission counts;
    # 6 overdue attempts (first 20) with student, assignment, quiz, class; 7 their count;
    # 8 questions of live assignments due for review (first 20); 9 their count; 10 the
    # teacher's assignments closed in the last 30 days (3 at most); for them together:
    # 11 finished attempts, 12 one snapshot per question, 13 answers and scores;
    # 14 the admin's recent actions.
    with django_assert_num_queries(14):
        response = teacher_client.get(reverse("admin:index"))

    assert response.status_code == 200


# --- who may open them ----------------------------------------------------------------------


PAGES = ["gradebook", "csv", "xlsx", "student", "report", "progress", "fragment"]


@pytest.mark.parametrize("page", PAGES)
def test_the_owner_teacher_opens_every_page(data, teacher_client, page):
    assert teacher_client.get(urls(data)[page]).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_another_teacher_gets_404_for_every_page(data, other_teacher, client, page):
    client.force_login(other_teacher)

    assert client.get(urls(data)[page]).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_student_is_sent_to_the_admin_login(data, client, page):
    client.force_login(data.students[0])

    response = client.get(urls(data)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_admin_login(data, client, page):
    response = client.get(urls(data)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", PAGES)
def test_a_superuser_opens_every_page(data, admin_client, page):
    assert admin_client.get(urls(data)[page]).status_code == 200


def test_a_student_outside_the_class_is_404(data, teacher_client):
    outsider = StudentFactory()

    response = teacher_client.get(
        reverse("admin:quizzes_schoolclass_student", args=[data.school_class.pk, outsider.pk])
    )

    assert response.status_code == 404


def test_another_teachers_home_shows_nothing_of_this_class(data, other_teacher, client):
    client.force_login(other_teacher)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert data.school_class.name not in response.content.decode()
    assert response.context["home"].is_empty if "home" in response.context else True


# --- what the pages show ---------------------------------------------------------------------


def test_gradebook_links_each_cell_to_the_students_attempts(data, teacher_client):
    response = teacher_client.get(urls(data)["gradebook"])

    page = response.content.decode()
    student_url = reverse(
        "admin:quizzes_schoolclass_student", args=[data.school_class.pk, data.students[0].pk]
    )
    assert f'href="{student_url}#assignment-{data.closed.pk}"' in page
    assert "Missed" in page and "Excused" in page and "Overdue" in page
    assert 'aria-sort="ascending"' in page


@pytest.mark.parametrize("sort", ["nonsense", "-a0", "a' OR 1=1", "%00", "-" * 300])
def test_a_tampered_sort_shows_the_gradebook_by_name(data, teacher_client, sort):
    response = teacher_client.get(urls(data)["gradebook"], {"sort": sort})

    assert response.status_code == 200
    assert response.context["book"].sort == "name"


def test_gradebook_sorted_by_a_column(data, teacher_client):
    response = teacher_client.get(urls(data)["gradebook"], {"sort": f"-a{data.closed.pk}"})

    grades = [row.cells[0].grade for row in response.context["book"].rows]
    graded = [g for g in grades if g is not None]
    assert graded == sorted(graded, reverse=True)


def test_class_and_assignment_change_pages_link_to_the_results_pages(data, teacher_client):
    class_page = teacher_client.get(
        reverse("admin:quizzes_schoolclass_change", args=[data.school_class.pk])
    ).content.decode()
    assignment_page = teacher_client.get(
        reverse("admin:quizzes_assignment_change", args=[data.open.pk])
    ).content.decode()

    assert urls(data)["gradebook"] in class_page
    assert urls(data)["report"].replace(str(data.closed.pk), str(data.open.pk)) in assignment_page
    assert urls(data)["progress"] in assignment_page


def test_progress_page_refreshes_by_script_file_and_has_a_refresh_link(data, teacher_client):
    page = teacher_client.get(urls(data)["progress"]).content.decode()

    assert 'src="/static/quizzes/progress.js"' in page
    assert f'data-progress-url="{urls(data)["fragment"]}"' in page
    assert f'href="{urls(data)["progress"]}"' in page  # the refresh link, without JavaScript
    assert "<script>" not in page  # no inline script (CSP)


def test_progress_fragment_is_the_table_alone_and_never_cached(data, teacher_client):
    response = teacher_client.get(urls(data)["fragment"])

    assert "no-store" in response["Cache-Control"]  # admin_view's never_cache
    body = response.content.decode()
    assert "<html" not in body and "<table" in body
    assert "1 of 3" in body  # s001 has answered one of three questions


def test_student_page_links_every_attempt_to_its_detail(data, teacher_client):
    student = data.students[2]  # two attempts at the closed assignment, one overdue
    response = teacher_client.get(
        reverse("admin:quizzes_schoolclass_student", args=[data.school_class.pk, student.pk])
    )

    page = response.content.decode()
    for attempt in Attempt.objects.filter(student=student):
        assert reverse("admin:quizzes_attempt_change", args=[attempt.pk]) in page
    assert "overdue" in page


def test_attempt_detail_shows_each_frozen_question_answer_score_and_teachers_score(
    data, teacher_client
):
    attempt = Attempt.objects.get(assignment=data.closed, student=data.students[3])
    response_row = (
        Response.objects.filter(attempt_question__attempt=attempt)
        .order_by("attempt_question__position")
        .first()
    )
    response_row.override_fraction = 1
    response_row.override_comment = "Accepted: a spelling I had not listed"
    response_row.save()
    aq = response_row.attempt_question
    aq.snapshot = {**aq.snapshot, "title": "Frozen title", "prompt": "Frozen *prompt*"}
    aq.save()

    page = teacher_client.get(
        reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    ).content.decode()

    assert "Frozen title" in page and "<em>prompt</em>" in page
    assert "Accepted: a spelling I had not listed" in page
    assert "100 %" in page
    assert "teacher&#x27;s score" in page.lower() or "teacher's score" in page.lower()


def test_teacher_home_lists_open_and_overdue(data, teacher_client):
    page = teacher_client.get(reverse("admin:index")).content.decode()

    assert "What needs attention" in page
    assert reverse("admin:quizzes_assignment_progress", args=[data.open.pk]) in page
    assert "closes within 48 hours" in page
    assert "Overdue attempts" in page
    assert "Authentication and Authorization" in page or "Quizzes" in page  # the app list


def test_report_switch_falls_back_to_first_attempts(data, teacher_client):
    response = teacher_client.get(urls(data)["report"], {"attempts": "bogus"})

    assert response.status_code == 200
    assert response.context["report"].which == "first"


def test_pages_are_not_for_students_even_by_client(data):
    client = Client()
    client.force_login(data.students[1])

    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
class TestDemoTeacher:
    """The demo data (`make run`): the demo teacher reaches every results page (shared `demo`
    fixture, read only)."""

    def test_demo_teacher_reaches_gradebook_report_and_live_progress(self, demo, client):
        from django.contrib.auth import get_user_model

        from quizzes.models import Assignment, SchoolClass

        client.force_login(get_user_model().objects.get(username="teacher"))
        school_class = SchoolClass.objects.get(join_code="PEACE25")
        closed = Assignment.objects.get(quiz__slug="abraham-accords-essentials")
        live = Assignment.objects.get(quiz__slug="c5-plus-1-samarkand-to-washington")

        gradebook = client.get(
            reverse("admin:quizzes_schoolclass_gradebook", args=[school_class.pk])
        )
        report_page = client.get(reverse("admin:quizzes_assignment_report", args=[closed.pk]))
        progress = client.get(reverse("admin:quizzes_assignment_progress", args=[live.pk]))
        home = client.get(reverse("admin:index"))

        assert len(gradebook.context["book"].rows) == 25
        built = report_page.context["report"]
        assert built.attempts > 10 and built.analysis.cronbach_alpha is not None
        assert progress.context["progress"].started > 0
        assert home.status_code == 200

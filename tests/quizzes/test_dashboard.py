"""The student's dashboard and attempt history: states, order, visibility and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, AttemptState, FinishReason, GradingMethod, ReviewTiming
from quizzes.models.assignment import StudentState
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    EnrollmentFactory,
    QuizFactory,
    SchoolClassFactory,
)

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def finished_attempt(assignment, student, *, number=1, score=8, max_score=10, finished_at=None):
    finished_at = finished_at or timezone.now() - HOUR
    return Attempt.objects.create(
        assignment=assignment,
        student=student,
        number=number,
        state=AttemptState.FINISHED,
        started_at=finished_at - HOUR,
        deadline=finished_at + HOUR,
        finished_at=finished_at,
        finish_reason=FinishReason.SUBMITTED,
        score=Decimal(score),
        max_score=Decimal(max_score),
    )


def in_progress_attempt(assignment, student, *, deadline, number=1):
    return Attempt.objects.create(
        assignment=assignment,
        student=student,
        number=number,
        started_at=deadline - 2 * HOUR,
        deadline=deadline,
    )


@pytest.fixture
def school_class(student):
    school_class = SchoolClassFactory(name="Year 10 World Affairs")
    EnrollmentFactory(school_class=school_class, student=student)
    return school_class


def dashboard_rows(client):
    response = client.get(reverse("quizzes:dashboard"))
    assert response.status_code == 200
    return [row for _heading, rows in response.context["groups"] for row in rows]


def test_anonymous_visitor_at_the_root_is_sent_to_log_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == f"{reverse('quizzes:login')}?next=/"


def test_root_keeps_its_home_name(student_client, school_class):
    assert reverse("quizzes:home") == reverse("quizzes:dashboard") == "/"


def test_dashboard_orders_assignments_by_what_needs_attention(
    student_client, student, school_class
):
    now = timezone.now()

    def assign(opens, closes, title):
        quiz = QuizFactory(published=True, title=title)
        return AssignmentFactory(
            quiz=quiz, school_class=school_class, opens_at=now + opens, closes_at=now + closes
        )

    missed_long_ago = assign(-20 * DAY, -10 * DAY, "missed long ago")
    missed_recently = assign(-9 * DAY, -1 * DAY, "missed recently")
    submitted = assign(-DAY, 3 * DAY, "submitted")
    finished_attempt(submitted, student)
    upcoming_later = assign(5 * DAY, 9 * DAY, "upcoming later")
    upcoming_soon = assign(2 * DAY, 9 * DAY, "upcoming soon")
    open_later = assign(-DAY, 7 * DAY, "open later")
    open_soon = assign(-DAY, 1 * DAY, "open soon")
    in_progress = assign(-DAY, 7 * DAY, "in progress")
    in_progress_attempt(in_progress, student, deadline=now + HOUR)

    rows = dashboard_rows(student_client)

    assert [row.assignment for row in rows] == [
        in_progress,
        open_soon,
        open_later,
        upcoming_soon,
        upcoming_later,
        submitted,
        missed_recently,
        missed_long_ago,
    ]
    assert [row.state for row in rows] == [
        StudentState.IN_PROGRESS,
        StudentState.OPEN,
        StudentState.OPEN,
        StudentState.UPCOMING,
        StudentState.UPCOMING,
        StudentState.SUBMITTED,
        StudentState.MISSED,
        StudentState.MISSED,
    ]


def test_each_state_is_shown_with_a_word_not_colour_alone(student_client, student, school_class):
    now = timezone.now()
    AssignmentFactory(school_class=school_class, closed=True)
    AssignmentFactory(school_class=school_class, upcoming=True)
    AssignmentFactory(school_class=school_class)
    finished_attempt(AssignmentFactory(school_class=school_class), student)
    in_progress_attempt(
        AssignmentFactory(school_class=school_class),
        student,
        deadline=now + datetime.timedelta(minutes=25),
    )
    AssignmentOverrideFactory(
        assignment=AssignmentFactory(school_class=school_class),
        student=student,
        time_limit_minutes=None,
        is_excused=True,
    )

    content = student_client.get(reverse("quizzes:dashboard")).content.decode()

    for state in StudentState:
        assert f'class="status status-{state.value}">{state.label}</span>' in content
    assert "24 min left" in content


def test_times_are_shown_in_the_site_time_zone_with_the_zone_named(
    student_client, school_class, settings
):
    settings.TIME_ZONE = "Asia/Almaty"
    AssignmentFactory(
        school_class=school_class,
        opens_at=timezone.now() - DAY,
        closes_at=datetime.datetime(2030, 11, 29, 12, 0, tzinfo=datetime.UTC),
    )

    content = student_client.get(reverse("quizzes:dashboard")).content.decode()

    assert "Fri 29 Nov, 17:00</time> (Asia/Almaty)" in content


def test_an_override_moves_the_close_time_for_that_student_only(
    student_client, student, school_class
):
    assignment = AssignmentFactory(school_class=school_class, closed=True)
    AssignmentOverrideFactory(
        assignment=assignment, student=student, closes_at=timezone.now() + DAY
    )

    [row] = dashboard_rows(student_client)

    assert row.state == StudentState.OPEN


def test_an_overdue_attempt_is_finished_when_the_dashboard_is_looked_at(
    student_client, student, school_class
):
    assignment = AssignmentFactory(school_class=school_class)
    deadline = timezone.now() - HOUR
    attempt = in_progress_attempt(assignment, student, deadline=deadline)

    [row] = dashboard_rows(student_client)

    assert row.state == StudentState.SUBMITTED
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finish_reason == FinishReason.TIMED_OUT
    assert attempt.finished_at == deadline


@pytest.mark.parametrize(
    ("timing", "shown", "hidden"),
    [
        (ReviewTiming.IMMEDIATELY, "Score 80%", "Score shown once"),
        (
            ReviewTiming.AFTER_CLOSE,
            "Score shown once the assignment has closed for everyone",
            "80%",
        ),
        (ReviewTiming.NEVER, "Your teacher will share the results.", "80%"),
    ],
)
def test_a_submitted_score_is_shown_only_when_the_review_policy_allows(
    student_client, student, school_class, timing, shown, hidden
):
    quiz = QuizFactory(published=True, review_score=timing)
    finished_attempt(AssignmentFactory(quiz=quiz, school_class=school_class), student)

    content = student_client.get(reverse("quizzes:dashboard")).content.decode()

    assert shown in content
    assert hidden not in content


def test_after_close_the_score_appears(student_client, student, school_class):
    quiz = QuizFactory(published=True, review_score=ReviewTiming.AFTER_CLOSE)
    assignment = AssignmentFactory(quiz=quiz, school_class=school_class, closed=True)
    finished_attempt(assignment, student, finished_at=assignment.closes_at - HOUR)

    content = student_client.get(reverse("quizzes:dashboard")).content.decode()

    assert "Score 80%" in content


@pytest.mark.parametrize(
    ("method", "grade"),
    [(GradingMethod.HIGHEST, 80), (GradingMethod.FIRST, 60), (GradingMethod.AVERAGE, 70)],
)
def test_the_grade_follows_the_grading_method(student, school_class, client, method, grade):
    quiz = QuizFactory(published=True, grading_method=method, attempts_allowed=3)
    assignment = AssignmentFactory(quiz=quiz, school_class=school_class)
    finished_attempt(assignment, student, number=1, score=6)
    finished_attempt(assignment, student, number=2, score=8)
    client.force_login(student)

    [row] = dashboard_rows(client)

    assert row.grade_percent == grade
    assert row.attempts_left == 1


def test_the_pass_is_judged_on_the_exact_grade_not_the_rounded_one(
    student_client, student, school_class
):
    quiz = QuizFactory(published=True, pass_mark=Decimal(50))
    finished_attempt(AssignmentFactory(quiz=quiz, school_class=school_class), student, score="4.96")

    [row] = dashboard_rows(student_client)

    assert row.grade_percent == 50
    assert row.is_passed is False


def test_other_classes_and_other_students_attempts_stay_out_of_my_dashboard(
    student_client, student, other_student, school_class
):
    shared = AssignmentFactory(school_class=school_class)
    EnrollmentFactory(school_class=school_class, student=other_student)
    finished_attempt(shared, other_student)
    their_class = SchoolClassFactory(name="Their class")
    EnrollmentFactory(school_class=their_class, student=other_student)
    AssignmentFactory(school_class=their_class)

    rows = dashboard_rows(student_client)

    assert [(row.assignment, row.state) for row in rows] == [(shared, StudentState.OPEN)]
    assert "Their class" not in student_client.get(reverse("quizzes:dashboard")).content.decode()


def test_a_student_without_a_class_is_invited_to_join_one(student_client):
    content = student_client.get(reverse("quizzes:dashboard")).content.decode()

    assert "You are not in a class yet" in content
    assert reverse("quizzes:join_class") in content


@pytest.mark.parametrize("count", [1, 20])
def test_dashboard_query_count_does_not_grow_with_assignments_or_classes(
    student_client, student, django_assert_num_queries, count
):
    now = timezone.now()
    classes = [SchoolClassFactory() for _ in range(min(count, 4))]
    for school_class in classes:
        EnrollmentFactory(school_class=school_class, student=student)
    for i in range(count):
        assignment = AssignmentFactory(school_class=classes[i % len(classes)])
        AssignmentOverrideFactory(assignment=assignment, student=student)
        if i % 2:
            finished_attempt(assignment, student)
        else:
            in_progress_attempt(assignment, student, deadline=now + HOUR)

    # 1 session, 2 user, 3 the student's overdue attempts to finish (none), 4 the student's
    # assignments with quiz and class, 5 their attempts, 6 their overrides, 7 their enrollments
    # with classes (the "Your classes" list).
    with django_assert_num_queries(7):
        response = student_client.get(reverse("quizzes:dashboard"))

    assert len([row for _h, rows in response.context["groups"] for row in rows]) == count


# History


def test_history_lists_only_my_attempts_newest_first(
    student_client, student, other_student, school_class
):
    now = timezone.now()
    older = finished_attempt(
        AssignmentFactory(school_class=school_class), student, finished_at=now - 3 * DAY
    )
    newer = finished_attempt(AssignmentFactory(school_class=school_class), student)
    EnrollmentFactory(school_class=school_class, student=other_student)
    finished_attempt(AssignmentFactory(school_class=school_class), other_student)

    response = student_client.get(reverse("quizzes:history"))

    assert [row["attempt"] for row in response.context["rows"]] == [newer, older]


def test_history_shows_a_score_only_where_the_review_policy_allows(
    student_client, student, school_class
):
    shown = QuizFactory(published=True, title="Shown quiz", review_score=ReviewTiming.IMMEDIATELY)
    hidden = QuizFactory(published=True, title="Hidden quiz", review_score=ReviewTiming.NEVER)
    finished_attempt(AssignmentFactory(quiz=shown, school_class=school_class), student, score=9)
    finished_attempt(AssignmentFactory(quiz=hidden, school_class=school_class), student, score=3)

    content = student_client.get(reverse("quizzes:history")).content.decode()

    assert "Score 9 / 10 (90%)" in content
    assert "3 / 10" not in content
    assert "30%" not in content


@pytest.mark.parametrize("count", [1, 20])
def test_history_query_count_does_not_grow_with_attempts(
    student_client, student, school_class, django_assert_num_queries, count
):
    for _ in range(count):
        assignment = AssignmentFactory(school_class=school_class)
        AssignmentOverrideFactory(assignment=assignment, student=student)
        finished_attempt(assignment, student)

    # 1 session, 2 user, 3 the student's overdue attempts to finish (none), 4 the student's
    # attempts with assignment, quiz, class and latest override close.
    with django_assert_num_queries(4):
        response = student_client.get(reverse("quizzes:history"))

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("url_name", ["quizzes:dashboard", "quizzes:history"])
def test_anonymous_visitors_are_sent_to_log_in(client, url_name):
    response = client.get(reverse(url_name))

    assert response.url.startswith(reverse("quizzes:login"))


def test_an_excused_assignment_is_done_and_says_excused(student_client, student, school_class):
    assignment = AssignmentFactory(school_class=school_class)
    AssignmentOverrideFactory(
        assignment=assignment, student=student, time_limit_minutes=None, is_excused=True
    )

    response = student_client.get(reverse("quizzes:dashboard"))

    [row] = response.context["groups"][2][1]
    assert row.state == StudentState.EXCUSED
    assert not row.can_start
    content = response.content.decode()
    assert "excused you from this assignment: there is nothing to do" in content
    assert all(not rows for _heading, rows in response.context["groups"][:2])


def test_an_attempt_running_when_excused_can_still_be_finished(
    student_client, student, school_class
):
    assignment = AssignmentFactory(school_class=school_class)
    in_progress_attempt(assignment, student, deadline=timezone.now() + HOUR)
    AssignmentOverrideFactory(
        assignment=assignment, student=student, time_limit_minutes=None, is_excused=True
    )

    [row] = dashboard_rows(student_client)

    assert row.state == StudentState.IN_PROGRESS

"""The start page: the rules before starting, then Start or Continue."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, AttemptState, FinishReason, Navigation
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    EnrollmentFactory,
    QuizFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def quiz():
    quiz = QuizFactory(
        published=True,
        time_limit_minutes=30,
        attempts_allowed=2,
        pass_mark=Decimal("60"),
        navigation=Navigation.SEQUENTIAL,
    )
    for _ in range(3):
        SlotFactory(quiz=quiz)
    return quiz


@pytest.fixture
def assignment(quiz):
    return AssignmentFactory(quiz=quiz)


@pytest.fixture
def enrollment(assignment, student):
    return EnrollmentFactory(school_class=assignment.school_class, student=student)


def start_url(assignment):
    return reverse("quizzes:assignment_start", kwargs={"pk": assignment.pk})


def rules(response) -> dict[str, str]:
    """The start page's rules as {term: description}, whitespace collapsed."""
    content = response.content.decode()
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", content, flags=re.S)
    return {
        dt.strip(): " ".join(re.sub(r"<[^>]+>", " ", dd).split()).replace(" .", ".")
        for dt, dd in pairs
    }


def test_start_page_shows_the_rules(student_client, assignment, enrollment):
    response = student_client.get(start_url(assignment))

    shown = rules(response)
    assert shown["Questions"] == "3"
    assert shown["Time limit"].startswith("30 min.")
    assert shown["Attempts"] == "0 of 2 used, 2 left"
    assert shown["Your grade"] == "Highest attempt"
    assert shown["Pass mark"] == "60%"
    assert shown["Navigation"].startswith("Forward only")
    assert "Start attempt 1" in response.content.decode()


def test_extra_time_and_an_override_are_applied(student_client, student, assignment, enrollment):
    enrollment.time_multiplier = Decimal("1.5")
    enrollment.save()
    closes_at = timezone.now() + 10 * DAY
    AssignmentOverrideFactory(
        assignment=assignment,
        student=student,
        time_limit_minutes=25,
        attempts_allowed=3,
        closes_at=closes_at,
    )

    shown = rules(student_client.get(start_url(assignment)))

    assert shown["Time limit"].startswith("37 min 30 s (25 min × 1.5, your extra time).")
    assert shown["Attempts"] == "0 of 3 used, 3 left"
    local = timezone.localtime(closes_at)
    assert shown["Closes"].startswith(f"{local:%a} {local.day} {local:%b}, {local:%H:%M}")
    assert "(changed for you)" in shown["Closes"]


def test_extra_time_of_one_and_a_half_on_the_quiz_limit(student_client, assignment, enrollment):
    enrollment.time_multiplier = Decimal("1.5")
    enrollment.save()

    shown = rules(student_client.get(start_url(assignment)))

    assert shown["Time limit"].startswith("45 min (30 min × 1.5, your extra time).")


@pytest.mark.parametrize(
    ("quiz_limit", "unlimited_accommodation", "expected"),
    [
        (None, False, "No time limit."),
        (30, True, "No time limit for you (your extra-time arrangement)."),
    ],
)
def test_no_time_limit_cases(
    student_client, assignment, enrollment, quiz_limit, unlimited_accommodation, expected
):
    assignment.time_limit_minutes = quiz_limit
    assignment.save()
    enrollment.has_unlimited_time = unlimited_accommodation
    enrollment.save()

    shown = rules(student_client.get(start_url(assignment)))

    assert shown["Time limit"] == expected


def test_start_creates_an_attempt_and_goes_to_its_first_page(
    student_client, student, assignment, enrollment
):
    response = student_client.post(start_url(assignment))

    attempt = Attempt.objects.get(assignment=assignment, student=student)
    assert attempt.state == AttemptState.IN_PROGRESS
    assert attempt.attempt_questions.count() == 3
    assert response.url == reverse("quizzes:attempt_resume", kwargs={"pk": attempt.pk})
    resumed = student_client.get(response.url)
    assert resumed.url == reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": 0})


def test_an_attempt_in_progress_is_continued_not_duplicated(
    student_client, student, assignment, enrollment
):
    student_client.post(start_url(assignment))

    page = student_client.get(start_url(assignment)).content.decode()
    student_client.post(start_url(assignment))

    assert "Continue attempt" in page
    assert "Start attempt" not in page
    assert Attempt.objects.filter(assignment=assignment, student=student).count() == 1


def test_a_refused_start_is_a_message_on_the_start_page(
    student_client, student, enrollment, assignment
):
    assignment.opens_at = timezone.now() - 14 * DAY
    assignment.closes_at = timezone.now() - 7 * DAY
    assignment.save()

    response = student_client.post(start_url(assignment), follow=True)

    assert response.redirect_chain == [(start_url(assignment), 302)]
    assert "This assignment has closed." in response.content.decode()
    assert not Attempt.objects.filter(student=student).exists()


def test_used_attempts_leave_no_start_button(student_client, student, assignment, enrollment):
    now = timezone.now()
    for number in (1, 2):
        Attempt.objects.create(
            assignment=assignment,
            student=student,
            number=number,
            state=AttemptState.FINISHED,
            started_at=now - DAY,
            finished_at=now - DAY,
            finish_reason=FinishReason.SUBMITTED,
            score=Decimal(2),
            max_score=Decimal(3),
        )

    response = student_client.get(start_url(assignment))

    assert rules(response)["Attempts"] == "2 of 2 used, 0 left"
    assert "You have used all your attempts." in response.content.decode()
    assert "Start attempt" not in response.content.decode()


def test_another_students_assignment_is_a_404(
    client, other_student, student, assignment, enrollment
):
    client.force_login(other_student)

    assert client.get(start_url(assignment)).status_code == 404
    assert client.post(start_url(assignment)).status_code == 404
    assert not Attempt.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, assignment):
    response = client.post(start_url(assignment))

    assert response.status_code == 302
    assert response.url.startswith(reverse("quizzes:login"))
    assert not Attempt.objects.exists()


def test_starting_requires_csrf(student, assignment, enrollment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)

    assert client.post(start_url(assignment)).status_code == 403
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("previous", [0, 10])
def test_start_page_query_count_does_not_grow_with_attempts(
    student_client, student, enrollment, django_assert_num_queries, previous
):
    quiz = QuizFactory(published=True, attempts_allowed=0)
    for _ in range(5):
        SlotFactory(quiz=quiz)
    assignment = AssignmentFactory(quiz=quiz, school_class=enrollment.school_class)
    now = timezone.now()
    for number in range(1, previous + 1):
        Attempt.objects.create(
            assignment=assignment,
            student=student,
            number=number,
            state=AttemptState.FINISHED,
            started_at=now - DAY,
            finished_at=now - DAY,
            score=Decimal(1),
            max_score=Decimal(5),
        )

    # 1 session, 2 user, 3 the student's overdue attempts to finish (none), 4 the assignment
    # with quiz and class, 5 the student's attempts, 6 their override, 7 the quiz's slots with
    # their questions (question count), 8 the student's enrollment.
    with django_assert_num_queries(8):
        student_client.get(start_url(assignment))


def test_an_excused_student_sees_excused_and_no_start_button(
    student_client, student, assignment, enrollment
):
    AssignmentOverrideFactory(
        assignment=assignment, student=student, time_limit_minutes=None, is_excused=True
    )

    content = student_client.get(start_url(assignment)).content.decode()

    assert 'class="status status-excused">Excused</span>' in content
    assert "excused you from this assignment" in content
    assert "Start attempt" not in content


def test_an_excused_student_cannot_start_by_posting(
    student_client, student, assignment, enrollment
):
    AssignmentOverrideFactory(
        assignment=assignment, student=student, time_limit_minutes=None, is_excused=True
    )

    response = student_client.post(start_url(assignment), follow=True)

    assert not Attempt.objects.filter(student=student).exists()
    assert "You are excused from this assignment." in response.content.decode()


def test_an_excused_student_still_sees_an_attempt_made_before(
    student_client, student, assignment, enrollment
):
    now = timezone.now()
    Attempt.objects.create(
        assignment=assignment,
        student=student,
        number=1,
        state=AttemptState.FINISHED,
        started_at=now - DAY,
        deadline=now,
        finished_at=now - DAY,
        finish_reason=FinishReason.SUBMITTED,
        score=Decimal(2),
        max_score=Decimal(3),
    )
    AssignmentOverrideFactory(
        assignment=assignment, student=student, time_limit_minutes=None, is_excused=True
    )

    content = student_client.get(start_url(assignment)).content.decode()

    assert "Excused</span>" in content
    assert "Attempt 1" in content

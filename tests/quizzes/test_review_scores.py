"""What a student sees of a teacher's override and of a regrade on their own review page.

The marks, right/wrong and the score follow the score that counts; the teacher's comment shows
exactly where the review policy shows feedback, and never before.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import scoring
from quizzes.models import Choice, QuestionType, ReviewTiming
from tests.factories import SchoolClassFactory
from tests.quizzes.scoring_data import (
    LATER,
    assignment_for,
    choose,
    quiz_with,
    response_to,
    taken,
)

pytestmark = pytest.mark.django_db

SINGLE = QuestionType.SINGLE
COMMENT = "Almaty was the capital until 1997: half marks."
NOW = ReviewTiming.IMMEDIATELY
AFTER_CLOSE = ReviewTiming.AFTER_CLOSE
NEVER = ReviewTiming.NEVER


def overridden_attempt(student, teacher, **review):
    quiz, questions = quiz_with(SINGLE, points=2)
    assignment = assignment_for(quiz, SchoolClassFactory(teachers=[teacher]), **review)
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    scoring.response_override(
        response=response_to(attempt, questions[SINGLE]),
        fraction=Decimal("0.5"),
        comment=COMMENT,
        changed_by=teacher,
        now=LATER,
    )
    return attempt


def review_page(client, attempt) -> str:
    page = client.get(reverse("quizzes:attempt_review", args=[attempt.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_the_marks_and_the_score_follow_the_teachers_score(student_client, student, teacher):
    attempt = overridden_attempt(
        student, teacher, review_score=NOW, review_correctness=NOW, review_feedback=NEVER
    )

    html = review_page(student_client, attempt)

    assert "50 %" in html  # the attempt's score: 1 of 2 points
    assert "1 out of 2 points" in html
    assert "Partly correct" in html
    assert '<span class="marks">1 / 2</span>' in html
    assert "score set by your teacher" in html


def test_the_comment_is_shown_when_feedback_is_shown(student_client, student, teacher):
    attempt = overridden_attempt(student, teacher, review_correctness=NOW, review_feedback=NOW)

    html = review_page(student_client, attempt)

    assert "Your teacher's comment" in html
    assert COMMENT in html


@pytest.mark.parametrize("timing", [AFTER_CLOSE, NEVER])
def test_the_comment_waits_for_the_feedback(student_client, student, teacher, timing):
    attempt = overridden_attempt(student, teacher, review_correctness=NOW, review_feedback=timing)

    html = review_page(student_client, attempt)

    assert COMMENT not in html
    assert "score set by your teacher" in html  # right/wrong is shown, and says whose score


def test_the_comment_comes_once_the_assignment_has_closed(student_client, student, teacher):
    attempt = overridden_attempt(
        student, teacher, review_correctness=NEVER, review_feedback=AFTER_CLOSE
    )
    assignment = attempt.assignment
    assert COMMENT not in review_page(student_client, attempt)
    assignment.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    assignment.save()

    html = review_page(student_client, attempt)

    assert COMMENT in html
    assert "score set by your teacher" not in html  # right/wrong is never shown


def test_after_a_regrade_the_review_shows_the_corrected_key_and_the_new_score(
    student_client, student, teacher
):
    quiz, questions = quiz_with(SINGLE, points=2)
    assignment = assignment_for(
        quiz,
        SchoolClassFactory(teachers=[teacher]),
        review_score=NOW,
        review_correctness=NOW,
        review_correct_answer=NOW,
    )
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    Choice.objects.filter(question=questions[SINGLE]).update(fraction=0)
    Choice.objects.filter(question=questions[SINGLE], text="Almaty").update(fraction=1)
    plan = scoring.regrade_plan(assignment=assignment)
    scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )

    html = review_page(student_client, attempt)

    assert "100 %" in html
    assert "✓ Correct" in html
    assert "<dt>Correct answer</dt><dd>Almaty</dd>" in html
    assert "score set by your teacher" not in html

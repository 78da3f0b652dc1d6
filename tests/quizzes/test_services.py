"""Attempt start/finish, deadlines, stale saves and duplication, with time passed in."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from quizzes.models import AttemptState, Choice, FinishReason, QuestionType, Response
from quizzes.services import attempt_finish, attempt_start, response_save
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SlotFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def quiz():
    quiz = QuizFactory(published=True, time_limit_minutes=30, attempts_allowed=2)
    for qtype in QuestionType.values:
        if qtype != QuestionType.DESCRIPTION:
            SlotFactory(quiz=quiz, question=QuestionFactory(type=qtype, published=True))
    return quiz


@pytest.fixture
def assignment(quiz, student):
    assignment = AssignmentFactory(
        quiz=quiz,
        opens_at=NOW - datetime.timedelta(hours=1),
        closes_at=NOW + datetime.timedelta(days=1),
    )
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    return assignment


def test_start_freezes_questions_display_order_and_snapshot(assignment, student):
    attempt = attempt_start(student=student, assignment=assignment, now=NOW)

    rows = list(attempt.attempt_questions.order_by("position"))
    assert [r.position for r in rows] == list(range(1, 8))
    assert attempt.max_score == Decimal(7)
    single = next(r for r in rows if r.snapshot["type"] == "single")
    assert sorted(single.display_order) == sorted(c["id"] for c in single.snapshot["choices"])
    assert Response.objects.filter(attempt_question__attempt=attempt).count() == 7


def test_editing_a_question_later_never_changes_an_old_attempt(assignment, student):
    attempt = attempt_start(student=student, assignment=assignment, now=NOW)
    aq = attempt.attempt_questions.get(snapshot__type="single")
    question = aq.question

    question.prompt = "Rewritten prompt"
    question.save()
    Choice.objects.filter(question=question).update(fraction=0)

    aq.refresh_from_db()
    assert aq.snapshot["prompt"] != "Rewritten prompt"
    assert any(Decimal(c["fraction"]) == 1 for c in aq.snapshot["choices"])


def test_starting_twice_continues_the_attempt_in_progress(assignment, student):
    first = attempt_start(student=student, assignment=assignment, now=NOW)

    second = attempt_start(student=student, assignment=assignment, now=NOW)

    assert second.pk == first.pk
    assert assignment.attempts.count() == 1


def test_attempt_numbers_count_up_and_stop_at_the_limit(assignment, student):
    for expected in (1, 2):
        attempt = attempt_start(student=student, assignment=assignment, now=NOW)
        assert attempt.number == expected
        attempt_finish(attempt=attempt, now=NOW)

    with pytest.raises(ValidationError) as error:
        attempt_start(student=student, assignment=assignment, now=NOW)
    assert error.value.code == "no_attempts"


@pytest.mark.parametrize(
    ("offset", "code"),
    [(datetime.timedelta(hours=-2), "not_open"), (datetime.timedelta(days=2), "closed")],
)
def test_no_start_outside_the_window(assignment, student, offset, code):
    with pytest.raises(ValidationError) as error:
        attempt_start(student=student, assignment=assignment, now=NOW + offset)

    assert error.value.code == code
    assert not assignment.attempts.exists()


def test_a_student_not_in_the_class_cannot_start(assignment, other_student):
    with pytest.raises(ValidationError) as error:
        attempt_start(student=other_student, assignment=assignment, now=NOW)

    assert error.value.code == "not_enrolled"


def test_deadline_is_start_plus_limit_times_accommodation(assignment, student):
    enrollment = assignment.school_class.enrollments.get(student=student)
    enrollment.time_multiplier = Decimal("1.5")
    enrollment.save()

    attempt = attempt_start(student=student, assignment=assignment, now=NOW)

    assert attempt.deadline == NOW + datetime.timedelta(minutes=45)


def test_deadline_never_passes_the_close_time(assignment, student):
    late_start = assignment.closes_at - datetime.timedelta(minutes=10)

    attempt = attempt_start(student=student, assignment=assignment, now=late_start)

    assert attempt.deadline == assignment.closes_at


def test_unlimited_time_accommodation_runs_to_the_close_time(assignment, student):
    assignment.school_class.enrollments.filter(student=student).update(has_unlimited_time=True)

    attempt = attempt_start(student=student, assignment=assignment, now=NOW)

    assert attempt.deadline == assignment.closes_at


def test_override_extends_close_time_and_time_limit_for_one_student(assignment, student):
    enrollment = assignment.school_class.enrollments.get(student=student)
    override = AssignmentOverrideFactory(
        assignment=assignment,
        student=student,
        closes_at=assignment.closes_at + datetime.timedelta(days=3),
        time_limit_minutes=90,
    )
    after_close = assignment.closes_at + datetime.timedelta(days=1)

    attempt = attempt_start(student=student, assignment=assignment, now=after_close)

    assert attempt.deadline == after_close + datetime.timedelta(minutes=90)
    assert (
        assignment.deadline_for(enrollment=enrollment, override=override, started_at=after_close)
        == attempt.deadline
    )


def test_finish_grades_every_response_and_totals_the_score(assignment, student):
    from quizzes import grading

    attempt = attempt_start(student=student, assignment=assignment, now=NOW)
    for aq in attempt.attempt_questions.select_related("response"):
        answer = grading.correct_answer(aq.snapshot) if aq.position % 2 else {}
        response_save(response=aq.response, answer=answer, revision=1, now=NOW)

    finished = attempt_finish(attempt=attempt, now=NOW + datetime.timedelta(minutes=5))

    assert finished.state == AttemptState.FINISHED
    assert finished.score == Decimal(4)
    assert finished.max_score == Decimal(7)
    fractions = sorted(
        Response.objects.filter(attempt_question__attempt=attempt).values_list(
            "fraction", flat=True
        )
    )
    assert fractions == [0, 0, 0, 1, 1, 1, 1]


def test_finishing_twice_changes_nothing(assignment, student):
    attempt = attempt_start(student=student, assignment=assignment, now=NOW)
    first = attempt_finish(attempt=attempt, now=NOW + datetime.timedelta(minutes=1))

    second = attempt_finish(attempt=attempt, now=NOW + datetime.timedelta(minutes=9))

    assert second.finished_at == first.finished_at
    assert second.score == first.score


def test_a_timed_out_attempt_finishes_at_its_deadline(assignment, student):
    attempt = attempt_start(student=student, assignment=assignment, now=NOW)

    finished = attempt_finish(
        attempt=attempt, now=NOW + datetime.timedelta(hours=5), reason=FinishReason.TIMED_OUT
    )

    assert finished.finished_at == attempt.deadline
    assert finished.finish_reason == FinishReason.TIMED_OUT


def test_a_stale_save_never_overwrites_a_newer_answer(assignment, student):
    attempt = attempt_start(student=student, assignment=assignment, now=NOW)
    response = attempt.attempt_questions.get(snapshot__type="short").response

    assert response_save(response=response, answer={"text": "new"}, revision=5, now=NOW)
    assert not response_save(response=response, answer={"text": "old"}, revision=4, now=NOW)
    assert not response_save(response=response, answer={"text": "again"}, revision=5, now=NOW)

    response.refresh_from_db()
    assert response.answer == {"text": "new"}


def test_random_slots_draw_distinct_published_questions_from_bank_and_tag(student):
    bank, tag = BankFactory(), TagFactory()
    tagged = {QuestionFactory(bank=bank, published=True, tags=[tag]).pk for _ in range(4)}
    QuestionFactory(bank=bank, tags=[tag])  # a draft is never drawn
    QuestionFactory(bank=bank, published=True)  # untagged
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, question=None, bank=bank, tag=tag, count=3)
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)

    attempt = attempt_start(
        student=student, assignment=assignment, now=timezone.now(), rng=random.Random(1)
    )

    drawn = set(attempt.attempt_questions.values_list("question_id", flat=True))
    assert len(drawn) == 3
    assert drawn <= tagged


def test_a_random_slot_that_cannot_be_filled_refuses_to_start(student):
    bank = BankFactory()
    QuestionFactory(bank=bank, published=True)
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, question=None, bank=bank, count=2)
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)

    with pytest.raises(ValidationError) as error:
        attempt_start(student=student, assignment=assignment, now=timezone.now())

    assert error.value.code == "slot_pool_too_small"
    assert not assignment.attempts.exists()


def test_extra_time_given_during_an_attempt_applies_at_once(assignment, student):
    from quizzes.services import attempts_refresh_deadlines

    attempt = attempt_start(student=student, assignment=assignment, now=NOW)
    AssignmentOverrideFactory(assignment=assignment, student=student, time_limit_minutes=60)

    changed = attempts_refresh_deadlines(assignment=assignment, now=NOW)

    attempt.refresh_from_db()
    assert changed == 1
    assert attempt.deadline == NOW + datetime.timedelta(minutes=60)


def test_a_shorter_limit_never_ends_an_attempt_retroactively(assignment, student):
    from quizzes.services import attempts_refresh_deadlines

    attempt = attempt_start(student=student, assignment=assignment, now=NOW)
    assignment.time_limit_minutes = 5
    assignment.save()
    later = NOW + datetime.timedelta(minutes=20)

    attempts_refresh_deadlines(assignment=assignment, now=later)

    attempt.refresh_from_db()
    assert attempt.deadline == later


def test_a_fixed_question_retired_after_the_quiz_was_built_is_left_out(assignment, student):
    retired = assignment.quiz.slots.first().question
    retired.status = "retired"
    retired.save()

    attempt = attempt_start(student=student, assignment=assignment, now=NOW)

    assert not attempt.attempt_questions.filter(question=retired).exists()
    assert attempt.attempt_questions.count() == 6
    assert attempt.max_score == Decimal(6)

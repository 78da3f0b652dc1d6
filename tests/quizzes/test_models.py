"""Invariants the database itself holds, whatever code writes to it."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import Attempt, AttemptState, Choice, Enrollment, Question, Slot
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
)

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _attempt(assignment, student, number, state=AttemptState.IN_PROGRESS):
    finished = state == AttemptState.FINISHED
    return Attempt.objects.create(
        assignment=assignment,
        student=student,
        number=number,
        state=state,
        started_at=NOW,
        finished_at=NOW if finished else None,
        score=Decimal(0) if finished else None,
    )


def test_only_one_attempt_in_progress_per_student_and_assignment(student):
    assignment = AssignmentFactory()
    _attempt(assignment, student, 1)

    with pytest.raises(IntegrityError), transaction.atomic():
        _attempt(assignment, student, 2)


def test_attempt_numbers_are_unique_per_student_and_assignment(student):
    assignment = AssignmentFactory()
    _attempt(assignment, student, 1, AttemptState.FINISHED)

    with pytest.raises(IntegrityError), transaction.atomic():
        _attempt(assignment, student, 1, AttemptState.FINISHED)


def test_a_finished_attempt_must_have_a_finish_time_and_score(student):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            assignment=AssignmentFactory(),
            student=student,
            number=1,
            state=AttemptState.FINISHED,
            started_at=NOW,
        )


def test_a_slot_is_a_fixed_question_or_a_random_draw_never_both():
    quiz, question = QuizFactory(), QuestionFactory(published=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(quiz=quiz, question=question, bank=BankFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(quiz=quiz)


def test_an_image_needs_alt_text():
    question = QuestionFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(image="questions/map.png", image_alt="")


def test_choice_fractions_stay_between_minus_one_and_one():
    question = QuestionFactory(parts=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.create(question=question, text="x", fraction=Decimal("1.5"))


def test_a_student_is_enrolled_in_a_class_once(student):
    school_class = SchoolClassFactory()
    EnrollmentFactory(school_class=school_class, student=student)

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(school_class=school_class, student=student)


def test_accommodation_multiplier_is_at_most_ten(student):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(student=student, time_multiplier=Decimal("11"))


def test_an_assignment_closes_after_it_opens():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(opens_at=NOW, closes_at=NOW - datetime.timedelta(minutes=1))


def test_question_keys_are_unique_but_may_be_blank():
    QuestionFactory(key="")
    QuestionFactory(key="")
    QuestionFactory(key="aa-001")

    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(key="aa-001")


def test_join_codes_are_generated_unique_and_unambiguous():
    codes = {SchoolClassFactory().join_code for _ in range(20)}

    assert len(codes) == 20
    assert not any(set(code) & set("01OIL") for code in codes)


def test_facts_due_lists_questions_older_than_the_review_age():
    old = QuestionFactory(facts_as_of=datetime.date(2020, 1, 1))
    QuestionFactory(facts_as_of=datetime.date(2026, 1, 1))
    QuestionFactory(facts_as_of=None)

    due = Question.objects.facts_due(today=datetime.date(2026, 6, 1), age_days=365)

    assert list(due) == [old]

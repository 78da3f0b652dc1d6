"""Test data for overrides and regrades: finished attempts whose answers are given by text.

Answers name what the student picked as it read on the page ("Almaty", "UAE" → "Annexation");
the helpers turn them into the ids of the attempt's frozen snapshot.
"""

import datetime
import random
from collections.abc import Callable, Mapping
from typing import Any

from django.utils import timezone

from quizzes.models import Assignment, Attempt, Enrollment, Question, QuestionType, Response
from quizzes.services import attempt_finish, attempt_start
from quizzes.student_assignments import StudentAssignment
from tests.factories import (
    AssignmentFactory,
    QuestionFactory,
    QuizFactory,
    SlotFactory,
)

NOW = timezone.now()
LATER = NOW + datetime.timedelta(hours=1)

Answer = Callable[[dict[str, Any]], dict[str, Any]]

SCORED_TYPES = [t for t in QuestionType.values if t != QuestionType.DESCRIPTION]


def _by_text(rows: list[dict[str, Any]], text: str, field: str = "text") -> int:
    return next(row["id"] for row in rows if row[field] == text)


def choose(text: str) -> Answer:
    return lambda snapshot: {"choice": _by_text(snapshot["choices"], text)}


def choose_all(*texts: str) -> Answer:
    return lambda snapshot: {"choices": [_by_text(snapshot["choices"], t) for t in texts]}


def typed(text: str) -> Answer:
    return lambda snapshot: {"text": text}


def number(value: str) -> Answer:
    return lambda snapshot: {"value": value}


def order(*texts: str) -> Answer:
    return lambda snapshot: {"order": [_by_text(snapshot["items"], t) for t in texts]}


def match(pairs: Mapping[str, str]) -> Answer:
    """{item as shown: option text picked}."""

    def answer(snapshot: dict[str, Any]) -> dict[str, Any]:
        rows = snapshot["pairs"]
        return {
            "matches": {
                str(_by_text(rows, item, "prompt")): _by_text(rows, option, "answer")
                for item, option in pairs.items()
            }
        }

    return answer


def quiz_with(*types: str, points: int = 1):
    """A published quiz with one published question of each type (default key rows)."""
    quiz = QuizFactory(published=True, time_limit_minutes=None, attempts_allowed=0)
    questions = {}
    for qtype in types:
        question = QuestionFactory(type=qtype, published=True)
        SlotFactory(quiz=quiz, question=question, points=points)
        questions[qtype] = question
    return quiz, questions


def assignment_for(quiz, school_class, **settings) -> Assignment:
    return AssignmentFactory(
        quiz=quiz,
        school_class=school_class,
        opens_at=NOW - datetime.timedelta(hours=1),
        closes_at=NOW + datetime.timedelta(days=1),
        shuffle_choices=False,
        **settings,
    )


def taken(
    assignment: Assignment,
    student,
    answers: Mapping[Question, Answer],
    *,
    finish: bool = True,
) -> Attempt:
    """The student's attempt with these answers (others left blank), finished unless asked."""
    Enrollment.objects.get_or_create(school_class=assignment.school_class, student=student)
    attempt = attempt_start(student=student, assignment=assignment, now=NOW, rng=random.Random(7))
    by_question = {question.pk: answer for question, answer in answers.items()}
    for aq in attempt.attempt_questions.select_related("response"):
        if aq.question_id in by_question:
            Response.objects.filter(pk=aq.response.pk).update(
                answer=by_question[aq.question_id](aq.snapshot)
            )
    if not finish:
        return attempt
    return attempt_finish(attempt=attempt, now=NOW + datetime.timedelta(minutes=5))


def response_to(attempt: Attempt, question: Question) -> Response:
    return Response.objects.select_related("attempt_question").get(
        attempt_question__attempt=attempt, attempt_question__question=question
    )


def grade_of(student, assignment: Assignment):
    """The student's grade (percent) for the assignment, as their dashboard shows it."""
    loaded = Assignment.objects.for_student(student).get(pk=assignment.pk)
    return StudentAssignment.build(loaded, now=LATER).grade

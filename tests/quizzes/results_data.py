"""A class with results, built fast (bulk_create) for the results pages' tests.

`class_with_results(teacher=..., students=n)` gives a class of n students and two assignments
of one quiz of single-choice questions, covering every state a gradebook cell can be in:

* `closed` (closed a week ago): every 10th student (i % 10 == 0) missed it, i % 10 == 1 is
  excused, i % 10 == 2 made two attempts (40 % then 100 %), everyone else one attempt whose
  score depends on i (student i answers question q right when (i + q) % 3 != 0);
* `open` (open now): i % 4 == 0 not started, i % 4 == 1 in progress (one answer saved),
  i % 4 == 2 overdue (in progress, past the deadline and grace), i % 4 == 3 submitted.

The first attempt is made by attempt_start (so snapshots and display orders are the real
ones); the others copy its frozen questions. Scores are what grading gives the answers.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from quizzes import grading
from quizzes.management.commands.bench_results import attempts_bulk_create
from quizzes.models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    AttemptState,
    Enrollment,
    FinishReason,
    SchoolClass,
)
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
)

User = get_user_model()


@dataclass
class ClassResults:
    school_class: SchoolClass
    closed: Assignment
    open: Assignment
    students: list
    now: datetime.datetime


def right_answer(snapshot: dict) -> dict:
    return grading.correct_answer(snapshot)


def wrong_answer(snapshot: dict) -> dict:
    wrong = [c for c in snapshot["choices"] if Decimal(c["fraction"]) <= 0]
    return {"choice": wrong[0]["id"]}


def answer_for(snapshot: dict, right: bool | dict | None) -> dict:
    """The answer a plan asks for: right, wrong, none, or the one it spells out."""
    if isinstance(right, dict):
        return right
    if right is None:
        return {}
    return right_answer(snapshot) if right else wrong_answer(snapshot)


def add_attempts(template: Attempt, plans: list[tuple], *, now: datetime.datetime) -> list[Attempt]:
    """Copy the template attempt's questions into one attempt per plan (five queries; saved by
    bench_results.attempts_bulk_create, as the benchmark's data is).

    A plan is (student, number, rights, state, deadline): `rights` says, per question, whether
    the answer is right (True), wrong (False) or missing (None).
    """
    questions = list(template.attempt_questions.order_by("position"))
    answers = [
        [answer_for(aq.snapshot, right) for aq, right in zip(questions, plan[2], strict=True)]
        for plan in plans
    ]
    fractions = [
        [grading.grade_response(aq.snapshot, a) for aq, a in zip(questions, row, strict=True)]
        for row in answers
    ]
    attempts = []
    for (student, number, _rights, state, deadline), marks in zip(plans, fractions, strict=True):
        attempt = Attempt(
            assignment_id=template.assignment_id,
            student=student,
            number=number,
            state=state,
            started_at=template.started_at,
            deadline=deadline,
            max_score=template.max_score,
        )
        if state == AttemptState.FINISHED:
            attempt.score, attempt.max_score = grading.attempt_total(
                (aq.points, f) for aq, f in zip(questions, marks, strict=True)
            )
            attempt.finished_at = now - datetime.timedelta(minutes=5)
            attempt.finish_reason = FinishReason.SUBMITTED
        attempts.append(attempt)
    attempts_bulk_create(attempts, questions, answers, now=now)
    return attempts


def plans_for(users: list, questions: int, *, now: datetime.datetime) -> tuple[list, list]:
    """(closed plans, open plans): see the module docstring."""
    past = now - datetime.timedelta(minutes=20)
    soon = now + datetime.timedelta(minutes=15)
    closed_plans: list[tuple] = []
    open_plans: list[tuple] = []
    for i, user in enumerate(users):
        rights = [(i + q) % 3 != 0 for q in range(questions)]
        if i % 10 == 2:
            closed_plans.append((user, 1, [q == 0 for q in range(questions)], "finished", None))
            closed_plans.append((user, 2, [True] * questions, "finished", None))
        elif i % 10 not in (0, 1):
            closed_plans.append((user, 1, rights, "finished", None))
        some = [True] + [None] * (questions - 1)
        if i % 4 == 1:
            open_plans.append((user, 1, some, "in_progress", soon))
        elif i % 4 == 2:
            open_plans.append((user, 1, some, "in_progress", past))
        elif i % 4 == 3:
            open_plans.append((user, 1, rights, "finished", None))
    return closed_plans, open_plans


def class_with_results(
    *, teacher, students: int, questions: int = 3, prefix: str = "s"
) -> ClassResults:
    now = timezone.now()
    school_class = SchoolClassFactory(teachers=[teacher], name=f"Class {prefix}")
    quiz = QuizFactory(published=True, attempts_allowed=3, time_limit_minutes=20)
    for _ in range(questions):
        SlotFactory(quiz=quiz, question=QuestionFactory(published=True))
    closed = AssignmentFactory(
        quiz=quiz,
        school_class=school_class,
        opens_at=now - datetime.timedelta(days=14),
        closes_at=now - datetime.timedelta(days=7),
    )
    open_ = AssignmentFactory(
        quiz=quiz,
        school_class=school_class,
        opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(hours=30),
    )
    users = User.objects.bulk_create(
        [
            User(username=f"{prefix}{i:03d}", first_name="Ada", last_name=f"Zed{i:03d}")
            for i in range(students)
        ]
    )
    Enrollment.objects.bulk_create(
        [Enrollment(school_class=school_class, student=user) for user in users]
    )
    AssignmentOverride.objects.bulk_create(
        [
            AssignmentOverride(assignment=closed, student=user, is_excused=True)
            for i, user in enumerate(users)
            if i % 10 == 1
        ]
    )
    for assignment, plans in zip(
        (closed, open_), plans_for(users, questions, now=now), strict=True
    ):
        if not plans:
            continue
        # The first plan is a real start (real snapshots and display orders); the rest copy it.
        template = attempt_start(
            student=plans[0][0],
            assignment=assignment,
            now=assignment.opens_at + datetime.timedelta(minutes=1),
        )
        template_fix(template, plans[0], now=now)
        add_attempts(template, plans[1:], now=now)
    return ClassResults(school_class, closed, open_, users, now)


def template_fix(template: Attempt, plan: tuple, *, now: datetime.datetime) -> None:
    """Turn the real started attempt into the plan's first attempt (answers, state, score)."""
    _student, _number, rights, state, deadline = plan
    marks = []
    for aq in template.attempt_questions.select_related("response").order_by("position"):
        right = rights[aq.position - 1]
        answer = answer_for(aq.snapshot, right)
        fraction = grading.grade_response(aq.snapshot, answer)
        aq.response.answer = answer
        aq.response.saved_at = now if answer else None
        aq.response.fraction = fraction if state == "finished" else None
        aq.response.save()
        marks.append((aq.points, fraction))
    template.deadline = deadline
    if state == "finished":
        template.state = AttemptState.FINISHED
        template.score, template.max_score = grading.attempt_total(marks)
        template.finished_at = now - datetime.timedelta(minutes=5)
        template.finish_reason = FinishReason.SUBMITTED
    template.save()

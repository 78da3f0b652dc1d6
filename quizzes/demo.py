"""Demo data for `make run`: a teacher, a class of 25 students, assignments and realistic attempts.

Only the `seed_demo` command calls this; migrations never create demo data. Students answer
like students: each has an ability, each question a difficulty, and a wrong answer is a typical
one (a distractor, a near-miss number, two swapped pairs), so results pages show a real spread.
"""

import datetime
import math
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from . import grading
from .accounts import teacher_create
from .assigning import (
    assignment_save,
    override_close_later,
    override_excuse,
    override_extra_attempt,
)
from .models import Assignment, AttemptState, Enrollment, Quiz, Response, SchoolClass
from .question_types import QType
from .scoring import response_override
from .services import attempt_finish, attempt_start, response_save

DEMO_CLASS_NAME = "Year 10 World Affairs"
DEMO_JOIN_CODE = "PEACE25"
# Demo-only credentials, documented in the README; never used outside `seed_demo`.
TEACHER_USERNAME, TEACHER_PASSWORD = "teacher", "teacher"
STUDENT_PASSWORD = "student"  # noqa: S105
STUDENT_NAMES = [
    ("Aigerim", "Bekova"), ("Daniyar", "Sultanov"), ("Madina", "Rakhimova"),
    ("Timur", "Akhmetov"), ("Amina", "Yusupova"), ("Nursultan", "Zhaksylykov"),
    ("Sofia", "Ivanova"), ("Arman", "Kassymov"), ("Zarina", "Tokhtarova"),
    ("Ilyas", "Nurpeisov"), ("Dana", "Abenova"), ("Alikhan", "Serikbayev"),
    ("Kamila", "Ospanova"), ("Eldar", "Mukanov"), ("Leila", "Karimova"),
    ("Bekzat", "Omarov"), ("Aruzhan", "Dzhaksybekova"), ("Rustam", "Alimov"),
    ("Malika", "Usmanova"), ("Nikita", "Petrov"), ("Asel", "Zhumabayeva"),
    ("Yerlan", "Baimukhanov"), ("Diana", "Kim"), ("Sanjar", "Tashkentov"),
    ("Tomiris", "Nurlanova"),
]  # fmt: skip
IN_PROGRESS_QUIZ = "c5-plus-1-samarkand-to-washington"
IN_PROGRESS_STUDENTS = 3
DIFFICULTY_OFFSET = {"easy": -1.2, "medium": 0.0, "hard": 1.0}


@dataclass(frozen=True)
class DemoPlan:
    """One assignment of a shipped quiz: its window relative to now and who has attempted it."""

    quiz_slug: str
    opens_days: float
    closes_days: float
    share_attempted: float
    second_attempt_share: float = 0.0


PLANS = [
    DemoPlan("abraham-accords-essentials", -14, -3, 0.92, 0.3),
    DemoPlan("c5-plus-1-samarkand-to-washington", -3, 5, 0.72, 0.2),
    DemoPlan("central-asia-capitals-clubs-partners", -1, 6, 0.6),
    DemoPlan("mixed-review", 3, 17, 0.0),
]


def seed_demo(*, now: datetime.datetime, seed: int = 2025) -> list[str]:
    """Create the demo data once; a second call reports that it is there and changes nothing.

    Besides the attempts: a few students mid-attempt in the open C5+1 assignment (live
    progress), one override of each kind (an extra attempt, a later close, an excuse) and one
    teacher's score with its comment, each made through the service a teacher's click calls,
    so each is logged as hers.
    """
    if SchoolClass.objects.filter(join_code=DEMO_JOIN_CODE).exists():
        return ["Demo data already present; nothing changed."]
    rng = random.Random(seed)
    with transaction.atomic():
        teacher = _teacher()
        school_class = SchoolClass.objects.create(name=DEMO_CLASS_NAME, join_code=DEMO_JOIN_CODE)
        school_class.teachers.add(teacher)
        students = _students(school_class)
        lines = [
            f"Teacher: {TEACHER_USERNAME} / {TEACHER_PASSWORD}",
            f"Class {DEMO_CLASS_NAME!r} (join code {DEMO_JOIN_CODE}): "
            f"student01…student{len(students):02d} / {STUDENT_PASSWORD}",
        ]
        ability = {s.pk: rng.gauss(0.3, 1.0) for s in students}
        assignments: dict[str, Assignment] = {}
        for plan in PLANS:
            quiz = Quiz.objects.get(slug=plan.quiz_slug)
            assignment = Assignment.of_quiz(
                quiz,
                school_class=school_class,
                opens_at=now + datetime.timedelta(days=plan.opens_days),
                closes_at=now + datetime.timedelta(days=plan.closes_days),
                created_by=teacher,
            )
            assignment_save(assignment=assignment, changed_by=teacher, now=now)
            count = _simulate(assignment, students, ability, plan, now=now, rng=rng)
            lines.append(f"Assignment {quiz.title!r}: {count} finished attempts")
            assignments[plan.quiz_slug] = assignment
        lines += _in_progress(assignments[IN_PROGRESS_QUIZ], students, ability, now=now, rng=rng)
        lines += _teacher_changes(assignments, students, teacher, now=now)
    return lines


def _teacher() -> Any:
    user_model = get_user_model()
    existing = user_model.objects.filter(username=TEACHER_USERNAME).first()
    if existing is not None:
        return existing
    teacher = teacher_create(
        username=TEACHER_USERNAME,
        password=secrets.token_urlsafe(),  # replaced just below
        first_name="Gulnara",
        last_name="Seitkali",
        email="teacher@example.org",
    )
    # Demo data only: the README's weak, documented password, set past the password validators
    # that teacher_create applies to every real account.
    teacher.set_password(TEACHER_PASSWORD)
    teacher.save(update_fields=["password"])
    return teacher


def _students(school_class: SchoolClass) -> list[Any]:
    user_model = get_user_model()
    students = []
    for number, (first, last) in enumerate(STUDENT_NAMES, start=1):
        student, created = user_model.objects.get_or_create(
            username=f"student{number:02d}", defaults={"first_name": first, "last_name": last}
        )
        if created:
            student.set_password(STUDENT_PASSWORD)
            student.save(update_fields=["password"])
        students.append(student)
    accommodations = {7: Decimal("1.5"), 12: None}  # student07: +50 % time; student12: no limit
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                school_class=school_class,
                student=student,
                time_multiplier=accommodations.get(n) or Decimal("1"),
                has_unlimited_time=n in accommodations and accommodations[n] is None,
            )
            for n, student in enumerate(students, start=1)
        ]
    )
    return students


def _simulate(
    assignment: Assignment,
    students: list[Any],
    ability: dict[int, float],
    plan: DemoPlan,
    *,
    now: datetime.datetime,
    rng: random.Random,
) -> int:
    """Finished attempts for a share of the class; student01 is always left to try it live."""
    if plan.share_attempted <= 0:
        return 0
    finished = 0
    window_end = min(assignment.closes_at, now)
    span = (window_end - assignment.opens_at).total_seconds()
    for student in students[1:]:
        if rng.random() > plan.share_attempted:
            continue
        attempts = 2 if rng.random() < plan.second_attempt_share else 1
        for number in range(attempts):
            started = assignment.opens_at + datetime.timedelta(
                seconds=span * (0.1 + 0.35 * number + 0.3 * rng.random())
            )
            attempt = attempt_start(student=student, assignment=assignment, now=started, rng=rng)
            for aq in attempt.attempt_questions.select_related("response"):
                if not grading.is_scored(aq.snapshot["type"]):
                    continue
                # A second attempt goes a little better: the student read the feedback.
                skill = ability[student.pk] + 0.4 * number
                answer = _answer(aq.snapshot, skill=skill, rng=rng)
                response_save(response=aq.response, answer=answer, revision=1, now=started)
            minutes = rng.uniform(6, 0.9 * (assignment.time_limit_minutes or 30))
            finish_at = started + datetime.timedelta(minutes=minutes)
            if attempt.deadline:
                finish_at = min(finish_at, attempt.deadline)
            attempt_finish(attempt=attempt, now=finish_at)
            finished += 1
    return finished


def _in_progress(
    assignment: Assignment,
    students: list[Any],
    ability: dict[int, float],
    *,
    now: datetime.datetime,
    rng: random.Random,
) -> list[str]:
    """Students who have not tried the open assignment yet, three of them started a few minutes
    ago and half-way through (student01 stays free to try it live)."""
    tried = set(assignment.attempts.values_list("student_id", flat=True))
    starting = [s for s in students[1:] if s.pk not in tried][:IN_PROGRESS_STUDENTS]
    for minutes_ago, student in zip((4, 7, 11), starting, strict=False):
        started = now - datetime.timedelta(minutes=minutes_ago)
        attempt = attempt_start(student=student, assignment=assignment, now=started, rng=rng)
        questions = list(attempt.attempt_questions.select_related("response"))
        for aq in questions[: len(questions) // 2]:
            if grading.is_scored(aq.snapshot["type"]):
                answer = _answer(aq.snapshot, skill=ability[student.pk], rng=rng)
                response_save(response=aq.response, answer=answer, revision=1, now=started)
    return [f"{len(starting)} students are part-way through {assignment.quiz.title!r} now"]


def _teacher_changes(
    assignments: dict[str, Assignment], students: list[Any], teacher: Any, *, now: datetime.datetime
) -> list[str]:
    """One of each thing a teacher does after assigning, through the same services."""
    closed = assignments[PLANS[0].quiz_slug]
    live = assignments[IN_PROGRESS_QUIZ]
    upcoming = assignments[PLANS[-1].quiz_slug]
    by_name = {s.username: s for s in students}
    override_extra_attempt(
        assignment=closed, student=by_name["student05"], changed_by=teacher, now=now
    )
    override_close_later(
        assignment=live,
        student=by_name["student07"],
        closes_at=live.closes_at + datetime.timedelta(days=2),
        changed_by=teacher,
        now=now,
    )
    override_excuse(
        assignment=upcoming,
        student=by_name["student12"],
        is_excused=True,
        changed_by=teacher,
        now=now,
    )
    lines = [
        "Overrides: student05 has an extra attempt at the closed assignment, student07 a "
        "later close on the C5+1 one, student12 is excused from the upcoming one"
    ]
    # A typing slip the key did not accept (the demo drops the last letter): she gives it.
    for response in (
        Response.objects.filter(
            attempt_question__attempt__assignment=closed,
            attempt_question__attempt__state=AttemptState.FINISHED,
            fraction__lt=1,
        )
        .select_related("attempt_question__attempt")
        .order_by("pk")
    ):
        snapshot = response.attempt_question.snapshot
        if snapshot["type"] != QType.SHORT or not response.answer.get("text"):
            continue
        if grading.correct_answer(snapshot)["text"][:-1] == response.answer["text"]:
            response_override(
                response=response,
                fraction=Decimal(1),
                comment="A spelling slip: the name is right, so full marks.",
                changed_by=teacher,
                now=now,
            )
            student = response.attempt_question.attempt.student.username
            lines.append(f"The teacher gave {student} full marks for a spelling slip")
            break
    return lines


def _answer(snapshot: dict[str, Any], *, skill: float, rng: random.Random) -> dict[str, Any]:
    """The key with probability given by skill and difficulty, otherwise a typical mistake."""
    difficulty = DIFFICULTY_OFFSET.get(snapshot.get("difficulty", "medium"), 0.0)
    p_correct = 1 / (1 + math.exp(-1.6 * (skill - difficulty)))
    key = grading.correct_answer(snapshot)
    if rng.random() < p_correct:
        return key
    if rng.random() < 0.06:
        return {}  # left blank
    return _typical_mistake(snapshot, key, rng)


def _typical_mistake(
    snapshot: dict[str, Any], key: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    qtype = snapshot["type"]
    if qtype in (QType.SINGLE, QType.TRUE_FALSE):
        wrong = [c["id"] for c in snapshot["choices"] if Decimal(c["fraction"]) < 1]
        # The first distractor an author writes is usually the most tempting one.
        return {"choice": wrong[0] if rng.random() < 0.55 else rng.choice(wrong)}
    if qtype == QType.MULTIPLE:
        right = [c["id"] for c in snapshot["choices"] if Decimal(c["fraction"]) > 0]
        wrong = [c["id"] for c in snapshot["choices"] if Decimal(c["fraction"]) <= 0]
        picked = rng.sample(right, max(1, len(right) - 1))
        return {"choices": picked + ([rng.choice(wrong)] if wrong and rng.random() < 0.6 else [])}
    if qtype == QType.SHORT:
        text = key["text"]
        return {"text": text[:-1] if len(text) > 3 and rng.random() < 0.5 else "I am not sure"}
    if qtype == QType.NUMERIC:
        value = Decimal(key["value"]).normalize()
        if value == value.to_integral_value():  # years and counts: off by one or two
            return {"value": str(int(value) + rng.choice([-2, -1, 1, 2]))}
        return {"value": str((value * Decimal(rng.choice(["0.8", "0.9", "1.2"]))).normalize())}
    if qtype == QType.MATCHING:
        matches = dict(key["matches"])
        ids = list(matches)
        if len(ids) >= 2:
            a, b = rng.sample(ids, 2)
            matches[a], matches[b] = matches[b], matches[a]
        return {"matches": matches}
    if qtype == QType.ORDERING:
        order = list(key["order"])
        i = rng.randrange(len(order) - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
        return {"order": order}
    return {}

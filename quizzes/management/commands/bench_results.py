"""Benchmark the teacher's results pages on a big class (a script, not a timed test).

Builds a class of 300 students (by default) with 40-question attempts in a throwaway database,
fetches the gradebook, the assignment report, live progress and the CSV export as the class's
teacher would, and prints how long each took and how many queries it ran. The target is under
one second each.

The throwaway database is a fresh test database (Django's test-database machinery: a temporary
SQLite file, or `test_<name>` on PostgreSQL), migrated, used and destroyed: the user's own data
is never read or written.
"""

import datetime
import math
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes import grading
from quizzes.models import (
    AcceptedAnswer,
    Assignment,
    Attempt,
    AttemptQuestion,
    AttemptState,
    Bank,
    Choice,
    Enrollment,
    FinishReason,
    Question,
    QuestionStatus,
    QuestionType,
    Quiz,
    Response,
    SchoolClass,
    Slot,
)
from quizzes.services import attempt_start

TARGET_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Time the gradebook, report, live progress and CSV export on a class of 300 students "
        "with 40-question attempts, built in a throwaway database (your data is never touched)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=300)
        parser.add_argument("--questions", type=int, default=40)
        parser.add_argument("--repeat", type=int, default=3, help="runs per page (median shown)")
        parser.add_argument("--seed", type=int, default=9)

    def handle(self, *args: Any, **options: Any) -> None:
        with throwaway_database():
            self.stdout.write(
                f"Building a class of {options['students']} students with "
                f"{options['questions']}-question attempts in a throwaway database…"
            )
            started = time.perf_counter()
            bench = build_bench(
                students=options["students"],
                questions=options["questions"],
                rng=random.Random(options["seed"]),  # noqa: S311  (simulated students)
            )
            self.stdout.write(f"Built in {time.perf_counter() - started:.1f} s.\n")
            rows = measure_pages(bench, repeat=options["repeat"])
        self.stdout.write(format_table(rows))


class throwaway_database:
    """A fresh, migrated test database for the default connection, destroyed on exit."""

    def __enter__(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="bench_results_")
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            # A file, like the real one (an in-memory database would flatter the figures).
            database.setdefault("TEST", {})["NAME"] = str(Path(self.tmp.name) / "bench.sqlite3")
        self.old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )

    def __exit__(self, *exc: object) -> None:
        connection.creation.destroy_test_db(self.old_name, verbosity=0)
        self.tmp.cleanup()


class Bench:
    def __init__(self, teacher: Any, school_class: SchoolClass, closed: Any, live: Any) -> None:
        self.teacher = teacher
        self.school_class = school_class
        self.closed = closed
        self.live = live


def build_questions(bank: Bank, count: int, rng: random.Random) -> list[Question]:
    """Mostly single choice, some true/false and short answers, with spread difficulties."""
    kinds = [QuestionType.SINGLE] * 6 + [QuestionType.TRUE_FALSE, QuestionType.SHORT]
    questions = Question.objects.bulk_create(
        [
            Question(
                bank=bank,
                type=kinds[n % len(kinds)],
                title=f"Bench question {n + 1}",
                prompt=f"Which is right for question {n + 1}?",
                difficulty=rng.choice(["easy", "medium", "medium", "hard"]),
                status=QuestionStatus.PUBLISHED,
                facts_as_of=datetime.date(2025, 11, 1),
            )
            for n in range(count)
        ]
    )
    choices: list[Choice] = []
    answers: list[AcceptedAnswer] = []
    for question in questions:
        if question.type == QuestionType.SINGLE:
            choices += [
                Choice(question=question, text=text, fraction=fraction, position=i)
                for i, (text, fraction) in enumerate(
                    [("Astana", 1), ("Almaty", 0), ("Bishkek", 0), ("Tashkent", 0)]
                )
            ]
        elif question.type == QuestionType.TRUE_FALSE:
            choices += [
                Choice(question=question, text="True", fraction=1, position=0),
                Choice(question=question, text="False", fraction=0, position=1),
            ]
        else:
            answers.append(AcceptedAnswer(question=question, text="Kushner", fraction=1))
    Choice.objects.bulk_create(choices)
    AcceptedAnswer.objects.bulk_create(answers)
    return questions


WRONG_SHORT = ["Kushnir", "Trump", "Kushner Jared?", "Witkoff", "Blinken"]
OFFSET = {"easy": -1.2, "medium": 0.0, "hard": 1.0}


def simulated_answer(snapshot: dict[str, Any], ability: float, rng: random.Random) -> dict:
    """Right with a probability that falls with difficulty; otherwise a typical wrong answer."""
    p_right = 1 / (1 + math.exp(-(ability - OFFSET.get(snapshot["difficulty"], 0))))
    if rng.random() < p_right:
        return grading.correct_answer(snapshot)
    if snapshot["type"] == QuestionType.SHORT:
        return {"text": rng.choice(WRONG_SHORT)}
    wrong = [c["id"] for c in snapshot["choices"] if Decimal(c["fraction"]) <= 0]
    return {"choice": rng.choice(wrong)}


def copy_attempts(
    template: Attempt,
    plans: list[tuple[Any, float, bool]],
    *,
    now: datetime.datetime,
    rng: random.Random,
) -> None:
    """One attempt per plan (student, ability, finished?) holding the template's questions."""
    questions = list(template.attempt_questions.order_by("position"))
    answered: list[list[dict]] = []
    attempts = []
    for student, ability, finished in plans:
        answers = [simulated_answer(aq.snapshot, ability, rng) for aq in questions]
        if not finished:  # halfway through
            answers = answers[: len(answers) // 2] + [{}] * (len(answers) - len(answers) // 2)
        answered.append(answers)
        attempt = Attempt(
            assignment_id=template.assignment_id,
            student=student,
            number=1,
            started_at=template.started_at,
            deadline=template.deadline if finished else now + datetime.timedelta(minutes=20),
            max_score=template.max_score,
        )
        if finished:
            marks = [
                (aq.points, grading.grade_response(aq.snapshot, a))
                for aq, a in zip(questions, answers, strict=True)
            ]
            attempt.score, attempt.max_score = grading.attempt_total(marks)
            attempt.state = AttemptState.FINISHED
            attempt.finished_at = template.started_at + datetime.timedelta(minutes=15)
            attempt.finish_reason = FinishReason.SUBMITTED
        attempts.append(attempt)
    attempts_bulk_create(attempts, questions, answered, now=now)


def attempts_bulk_create(
    attempts: list[Attempt],
    questions: list[AttemptQuestion],
    answers: list[list[dict]],
    *,
    now: datetime.datetime,
) -> None:
    """Save `attempts` (built, not saved), each holding a copy of `questions` (a template
    attempt's) with its row of `answers`; a finished attempt's responses are graded. Three
    bulk inserts whatever the numbers (also how the tests' results data is made)."""
    Attempt.objects.bulk_create(attempts, batch_size=500)
    rows = [
        AttemptQuestion(
            attempt=attempt,
            position=aq.position,
            page=aq.page,
            slot_id=aq.slot_id,
            question_id=aq.question_id,
            points=aq.points,
            snapshot=aq.snapshot,
            display_order=aq.display_order,
        )
        for attempt in attempts
        for aq in questions
    ]
    AttemptQuestion.objects.bulk_create(rows, batch_size=500)
    responses = []
    for n, attempt in enumerate(attempts):
        for q, aq in enumerate(questions):
            answer = answers[n][q]
            responses.append(
                Response(
                    attempt_question=rows[n * len(questions) + q],
                    answer=answer,
                    fraction=(
                        grading.grade_response(aq.snapshot, answer)
                        if attempt.state == AttemptState.FINISHED
                        else None
                    ),
                    revision=1 if answer else 0,
                    saved_at=now if answer else None,
                )
            )
    Response.objects.bulk_create(responses, batch_size=500)


def build_bench(*, students: int, questions: int, rng: random.Random) -> Bench:
    now = timezone.now()
    user_model = get_user_model()
    teacher = user_model.objects.create_user("bench_teacher", is_staff=True)
    teacher.groups.add(Group.objects.get(name="Teachers"))
    school_class = SchoolClass.objects.create(name="Bench class")
    school_class.teachers.add(teacher)
    bank = Bank.objects.create(name="Bench bank", slug="bench-bank")
    quiz = Quiz.objects.create(title="Bench quiz", slug="bench-quiz", is_published=True)
    Slot.objects.bulk_create(
        [
            Slot(quiz=quiz, position=n, question=q)
            for n, q in enumerate(build_questions(bank, questions, rng))
        ]
    )
    closed = Assignment.of_quiz(
        quiz,
        school_class=school_class,
        opens_at=now - datetime.timedelta(days=14),
        closes_at=now - datetime.timedelta(days=7),
        time_limit_minutes=60,
    )
    closed.save()
    live = Assignment.of_quiz(
        quiz,
        school_class=school_class,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        time_limit_minutes=60,
    )
    live.save()
    users = user_model.objects.bulk_create(
        [
            user_model(username=f"bench{n:04d}", first_name="Student", last_name=f"{n:04d}")
            for n in range(students)
        ]
    )
    Enrollment.objects.bulk_create(
        [Enrollment(school_class=school_class, student=user) for user in users]
    )
    abilities = [rng.gauss(0.3, 1.0) for _ in users]
    for assignment, share in ((closed, 0.95), (live, 0.6)):
        starters = [(u, a) for u, a in zip(users, abilities, strict=True) if rng.random() < share]
        if not starters:
            continue
        template = attempt_start(
            student=starters[0][0],
            assignment=assignment,
            now=assignment.opens_at + datetime.timedelta(minutes=1),
            rng=rng,
        )
        plans = [
            (user, ability, assignment is closed or rng.random() < 0.4)
            for user, ability in starters[1:]
        ]
        copy_attempts(template, plans, now=now, rng=rng)
        template.delete()  # its questions were copied; the first starter simply did not start
    return Bench(teacher, school_class, closed, live)


def measure_pages(bench: Bench, *, repeat: int) -> list[tuple[str, float, int, int]]:
    """(page, median seconds, queries, response bytes) for each page, fetched `repeat` times."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(bench.teacher)
    pages = [
        ("gradebook", reverse("admin:quizzes_schoolclass_gradebook", args=[bench.school_class.pk])),
        ("report", reverse("admin:quizzes_assignment_report", args=[bench.closed.pk])),
        ("live progress", reverse("admin:quizzes_assignment_progress", args=[bench.live.pk])),
        (
            "live progress fragment",
            reverse("admin:quizzes_assignment_progress_fragment", args=[bench.live.pk]),
        ),
        (
            "CSV export",
            reverse("admin:quizzes_schoolclass_gradebook_csv", args=[bench.school_class.pk]),
        ),
        (
            "xlsx export",
            reverse("admin:quizzes_schoolclass_gradebook_xlsx", args=[bench.school_class.pk]),
        ),
    ]
    secure = not settings.DEBUG  # production settings redirect plain HTTP
    rows = []
    for name, url in pages:
        timings = []
        queries = size = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, secure=secure)
                timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: HTTP {response.status_code}")
            queries, size = len(captured.captured_queries), len(response.content)
        rows.append((name, statistics.median(timings), queries, size))
    return rows


def format_table(rows: list[tuple[str, float, int, int]]) -> str:
    lines = [
        f"{'page':<24} {'time (s)':>9} {'queries':>8} {'size (KB)':>10}  target < 1 s",
        "-" * 68,
    ]
    for name, seconds, queries, size in rows:
        verdict = "ok" if seconds < TARGET_SECONDS else "SLOW"
        lines.append(f"{name:<24} {seconds:>9.3f} {queries:>8} {size / 1024:>10.0f}  {verdict}")
    return "\n".join(lines) + "\n"

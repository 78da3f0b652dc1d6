"""Product invariants 1 and 4 under real concurrency (PostgreSQL only).

Every test starts real threads that wait on a barrier so they hit the database together, each
with its own connection (closed when the thread ends), in `transaction=True` tests so the rows
one thread commits are visible to the others. SQLite serialises every writer, so these races
only mean something on PostgreSQL; on any other database the module is skipped.
"""

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.models.signals import post_save
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from quizzes import grading
from quizzes.answers import form_data
from quizzes.models import (
    Assignment,
    Attempt,
    AttemptQuestion,
    AttemptState,
    FinishReason,
    Response,
)
from quizzes.services import attempt_finish, attempt_start, response_save
from tests.factories import (
    AssignmentFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
BARRIER_TIMEOUT = 15  # seconds; a thread that never reaches the barrier breaks it for all
RESULT_TIMEOUT = 60  # seconds; a deadlock fails the test instead of hanging the run


@pytest.fixture(autouse=True, scope="module")
def _postgresql_only():
    # Evaluated when the first test runs, not at import: the vendor comes from the settings
    # pytest-django has configured by then.
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (SQLite serialises every writer)")


# -- helpers -------------------------------------------------------------------------------


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in `count` threads released together by a barrier.

    Returns each call's result, or the exception it raised (so a test can say which ones
    failed and how, instead of seeing only the first).
    """
    barrier = threading.Barrier(count, timeout=BARRIER_TIMEOUT)

    def thread(index: int) -> Any:
        try:
            barrier.wait()
            return work(index)
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(thread, index) for index in range(count)]
        return [future.result(timeout=RESULT_TIMEOUT) for future in futures]


def errors(outcomes: list[Any]) -> list[BaseException]:
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]


def make_quiz(*, types=("short",), per_page=1, **quiz_fields):
    quiz = QuizFactory(published=True, questions_per_page=per_page, **quiz_fields)
    for position, qtype in enumerate(types):
        SlotFactory(
            quiz=quiz, position=position, question=QuestionFactory(type=qtype, published=True)
        )
    return quiz


def make_assignment(student, quiz=None, **assignment_fields) -> Assignment:
    assignment = AssignmentFactory(quiz=quiz or make_quiz(), **assignment_fields)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    return assignment


def start(student, quiz=None) -> Attempt:
    assignment = make_assignment(student, quiz)
    return attempt_start(student=student, assignment=assignment, now=timezone.now())


def logged_in_clients(user, count: int) -> list[Client]:
    """One browser per thread, each with its own session (logged in before the race)."""
    clients = []
    for _index in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def key_post(aq: AttemptQuestion) -> dict[str, Any]:
    """The form fields a student posts to answer one attempt question correctly."""
    key = grading.correct_answer(aq.snapshot)
    return form_data(aq.snapshot, aq.display_order, key, f"q{aq.position}")


def now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


def autosave_url(attempt: Attempt) -> str:
    return reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk})


def submit_url(attempt: Attempt) -> str:
    return reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk})


def review_url(attempt: Attempt) -> str:
    return reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk})


def recomputed_total(attempt: Attempt) -> tuple[Decimal, Decimal]:
    """The attempt's score worked out again from its stored responses and frozen snapshots."""
    marks = [
        (aq.points, grading.grade_response(aq.snapshot, aq.response.answer))
        for aq in attempt.attempt_questions.select_related("response")
        if grading.is_scored(aq.snapshot["type"])
    ]
    return grading.attempt_total(marks)


class FinishingSaves:
    """Counts the saves that turn an attempt finished (attempt_finish saves with update_fields)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    def __call__(self, sender, instance, update_fields=None, **kwargs) -> None:
        if update_fields and "state" in update_fields and instance.state == AttemptState.FINISHED:
            with self.lock:
                self.count += 1


@pytest.fixture
def finishing_saves():
    counter = FinishingSaves()
    post_save.connect(counter, sender=Attempt, weak=False, dispatch_uid="concurrency-finishes")
    yield counter
    post_save.disconnect(sender=Attempt, dispatch_uid="concurrency-finishes")


# -- 1. simultaneous starts ------------------------------------------------------------------


def test_twenty_simultaneous_starts_through_the_service_make_one_attempt(student):
    quiz = make_quiz(types=["single", "short", "numeric"])
    assignment = make_assignment(student, quiz)

    def start_in_thread(_index: int) -> int:
        # A fresh assignment per thread, as each request would load its own.
        fresh = Assignment.objects.select_related("quiz").get(pk=assignment.pk)
        return attempt_start(student=student, assignment=fresh, now=timezone.now()).pk

    outcomes = run_together(THREADS, start_in_thread)

    assert errors(outcomes) == []
    attempt = Attempt.objects.get(assignment=assignment, student=student)
    assert attempt.number == 1
    assert attempt.state == AttemptState.IN_PROGRESS
    assert set(outcomes) == {attempt.pk}
    assert attempt.attempt_questions.count() == 3
    assert Response.objects.filter(attempt_question__attempt=attempt).count() == 3


def test_twenty_simultaneous_starts_through_the_view_make_one_attempt(student):
    assignment = make_assignment(student, make_quiz(types=["single", "short", "numeric"]))
    url = reverse("quizzes:assignment_start", kwargs={"pk": assignment.pk})
    clients = logged_in_clients(student, THREADS)

    def post_start(index: int) -> tuple[int, str]:
        response = clients[index].post(url)
        return response.status_code, response.get("Location", "")

    outcomes = run_together(THREADS, post_start)

    assert errors(outcomes) == []
    attempt = Attempt.objects.get(assignment=assignment, student=student)
    assert attempt.number == 1
    assert {status for status, _location in outcomes} == {302}
    match = [resolve(location) for _status, location in outcomes]
    assert {m.url_name for m in match} == {"attempt_resume"}
    assert {m.kwargs["pk"] for m in match} == {attempt.pk}


# -- 2. simultaneous submits -----------------------------------------------------------------


@pytest.mark.parametrize("round_number", [1, 2, 3])
def test_twenty_simultaneous_submits_grade_once(student, finishing_saves, round_number):
    # Three rounds: one race can be won by whoever comes first without any locking at all.
    attempt = start(
        student, make_quiz(types=["single", "multiple", "short", "numeric", "matching"])
    )
    tab = logged_in_clients(student, 1)[0]
    # A mixed result, so a wrong total could not pass by accident: right, half right
    # (one of two correct choices), wrong, right, blank.
    single, multiple, short, numeric, _matching = attempt.attempt_questions.order_by("position")
    half = {"q2-choices": key_post(multiple)["q2-choices"][:1]}
    for aq, data in [
        (single, key_post(single)),
        (multiple, half),
        (short, {"q3-text": "Almaty"}),
        (numeric, key_post(numeric)),
    ]:
        saved = tab.post(
            autosave_url(attempt), {"position": aq.position, "revision": now_ms(), **data}
        )
        assert saved.json()["stored"] is True
    clients = logged_in_clients(student, THREADS)
    before = timezone.now()

    def post_submit(index: int) -> tuple[int, str]:
        response = clients[index].post(submit_url(attempt))
        return response.status_code, response.get("Location", "")

    outcomes = run_together(THREADS, post_submit)

    after = timezone.now()
    assert errors(outcomes) == []
    assert set(outcomes) == {(302, review_url(attempt))}
    assert finishing_saves.count == 1, "graded more than once"
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finish_reason == FinishReason.SUBMITTED
    assert before <= attempt.finished_at <= after
    assert (attempt.score, attempt.max_score) == recomputed_total(attempt)
    assert attempt.score == Decimal("2.5")
    for aq in attempt.attempt_questions.select_related("response"):
        assert aq.response.fraction == grading.grade_response(aq.snapshot, aq.response.answer)
    assert Attempt.objects.count() == 1


# -- 3. two tabs, different questions --------------------------------------------------------


def test_two_tabs_autosaving_different_questions_at_once_lose_nothing(student):
    attempt = start(student, make_quiz(types=["short", "short"], per_page=2))
    tabs = logged_in_clients(student, 2)
    saves = 40
    # Each tab's revisions rise save by save, like attempt.js's server-clock milliseconds.
    base = now_ms() - 30_000

    def tab_saving(index: int) -> list[bool]:
        position = index + 1
        stored = []
        for n in range(saves):
            response = tabs[index].post(
                autosave_url(attempt),
                {"position": position, "revision": base + n, f"q{position}-text": f"tab{n}"},
            )
            assert response.status_code == 200, response.content
            stored.append(response.json()["stored"])
        return stored

    outcomes = run_together(2, tab_saving)

    assert errors(outcomes) == []
    assert outcomes == [[True] * saves, [True] * saves]
    rows = Response.objects.filter(attempt_question__attempt=attempt)
    final = {r.attempt_question.position: (r.answer, r.revision) for r in rows}
    last = {"text": f"tab{saves - 1}"}
    assert final == {1: (last, base + saves - 1), 2: (last, base + saves - 1)}


# -- 4. stale saves on the same question -------------------------------------------------------


@pytest.mark.parametrize("route", ["service", "view"])
def test_racing_saves_on_one_question_keep_the_highest_revision(student, route):
    attempt = start(student, make_quiz(types=["short"]))
    aq = attempt.attempt_questions.select_related("response").get()
    clients = logged_in_clients(student, THREADS) if route == "view" else []
    shuffler = random.Random(20251107)

    for round_number in range(3):
        # Every round's revisions are newer than the last round's, and arrive shuffled.
        base = now_ms() - 40_000 + round_number * 1_000
        revisions = [base + n for n in range(THREADS)]
        shuffler.shuffle(revisions)

        def save(index: int, revisions=revisions) -> bool:
            revision = revisions[index]
            text = f"revision {revision}"
            if route == "service":
                return response_save(
                    response=aq.response,
                    answer={"text": text},
                    revision=revision,
                    now=timezone.now(),
                )
            response = clients[index].post(
                autosave_url(attempt), {"position": 1, "revision": revision, "q1-text": text}
            )
            assert response.status_code == 200, response.content
            return response.json()["stored"]

        outcomes = run_together(THREADS, save)

        assert errors(outcomes) == []
        newest = max(revisions)
        # The newest save always lands, whatever order the others ran in.
        assert outcomes[revisions.index(newest)] is True
        stored = Response.objects.get(pk=aq.response.pk)
        assert (stored.answer, stored.revision) == ({"text": f"revision {newest}"}, newest)


# -- 5. starts and finishes racing ----------------------------------------------------------


def test_racing_starts_and_finishes_never_duplicate_numbers_or_attempts_in_progress(student):
    assignment = make_assignment(student, make_quiz(types=["short"], attempts_allowed=3))
    threads = 12
    clients = logged_in_clients(student, threads)
    start_url = reverse("quizzes:assignment_start", kwargs={"pk": assignment.pk})
    seen_in_progress = []
    seen_lock = threading.Lock()

    def start_by_service() -> int | None:
        fresh = Assignment.objects.select_related("quiz").get(pk=assignment.pk)
        try:
            return attempt_start(student=student, assignment=fresh, now=timezone.now()).pk
        except ValidationError as error:
            assert error.code == "no_attempts", error
            return None

    def finish_by_service(pk: int) -> None:
        attempt_finish(attempt=Attempt.objects.get(pk=pk), now=timezone.now())

    def start_by_view(client: Client) -> int | None:
        response = client.post(start_url)
        assert response.status_code == 302, response.content
        target = resolve(response["Location"])
        if target.url_name == "assignment_start":  # refused: no attempts left
            return None
        assert target.url_name == "attempt_resume"
        return target.kwargs["pk"]

    def finish_by_view(client: Client, pk: int) -> None:
        response = client.post(reverse("quizzes:attempt_submit", kwargs={"pk": pk}))
        assert response.status_code == 302, response.content

    def student_clicking(index: int) -> int:
        """Start, submit, start again... until no attempt is left; half through the views."""
        by_view = index % 2 == 1
        rounds = 0
        while True:
            rounds += 1
            assert rounds <= 10, "attempts never ran out"
            pk = start_by_view(clients[index]) if by_view else start_by_service()
            in_progress = Attempt.objects.filter(
                assignment=assignment, student=student, state=AttemptState.IN_PROGRESS
            ).count()
            with seen_lock:
                seen_in_progress.append(in_progress)
            if pk is None:
                return rounds
            if by_view:
                finish_by_view(clients[index], pk)
            else:
                finish_by_service(pk)

    outcomes = run_together(threads, student_clicking)

    assert errors(outcomes) == []
    assert not any(isinstance(outcome, IntegrityError) for outcome in outcomes)
    assert max(seen_in_progress) <= 1
    attempts = list(Attempt.objects.filter(assignment=assignment, student=student))
    assert sorted(a.number for a in attempts) == [1, 2, 3]
    assert {a.state for a in attempts} == {AttemptState.FINISHED}
    for attempt in attempts:
        assert attempt.score is not None and attempt.finished_at is not None


# -- a save racing a submit ------------------------------------------------------------------


@pytest.mark.parametrize("route", ["autosave", "page"])
def test_a_save_racing_a_submit_never_changes_a_finished_attempt(student, monkeypatch, route):
    """Deterministic: the save passes its in-progress check, then the submit runs to the end,
    then the save writes. Correct behaviour: the save is refused and the graded answer stays."""
    from quizzes.views import attempts as views

    attempt = start(student, make_quiz(types=["short"]))
    aq = attempt.attempt_questions.select_related("response").get()
    response_save(
        response=aq.response,
        answer={"text": "Almaty"},
        revision=now_ms() - 5_000,
        now=timezone.now(),
    )
    saver, submitter = logged_in_clients(student, 2)
    checked, submitted = threading.Event(), threading.Event()
    calls = []
    # The autosave's first look is Attempt.accepts_answers; the page's, the overdue check.
    if route == "autosave":
        owner, check_name = Attempt, "accepts_answers"
    else:
        owner, check_name = views, "attempt_finish_if_overdue"
    real_check = getattr(owner, check_name)

    def check_then_wait(*args, **kwargs):
        result = real_check(*args, **kwargs)
        calls.append(kwargs)
        if len(calls) == 1:  # the saver's check: let the submit run to the end, then write
            checked.set()
            submitted.wait(timeout=BARRIER_TIMEOUT)
        return result

    monkeypatch.setattr(owner, check_name, check_then_wait)

    def race(index: int) -> Any:
        if index == 0:
            if route == "autosave":
                answer = {"position": 1, "revision": now_ms(), "q1-text": "Astana"}
                return saver.post(autosave_url(attempt), answer)
            take = reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": 0})
            return saver.post(take, {"q1-text": "Astana"})
        assert checked.wait(timeout=BARRIER_TIMEOUT)
        try:
            return submitter.post(submit_url(attempt))
        finally:
            submitted.set()

    saved, submit = run_together(2, race)

    assert errors([saved, submit]) == []
    assert submit.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert Response.objects.get(pk=aq.response.pk).answer == {"text": "Almaty"}
    assert (attempt.score, attempt.max_score) == recomputed_total(attempt)
    if route == "autosave":
        assert saved.status_code == 409 or saved.json()["stored"] is False

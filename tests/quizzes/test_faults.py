"""Faults: an app server killed mid-submit, and the cache gone.

A real gunicorn (two sync workers, as in production) serves the test database; students submit
their attempts over HTTP while another thread kills a worker with SIGKILL every few tens of
milliseconds (gunicorn starts a new one). Afterwards every attempt is either finished with
exactly the score its saved answers earn, or still in progress with every saved answer intact
and nothing graded: never half-graded (attempt_finish grades and closes in one transaction).
Submitting the ones left in progress then finishes them all. PostgreSQL only: the server
process must share the test database, which SQLite keeps in memory.

Redis down: with the cache pointed at a closed port, the student's pages and autosave still
work (nothing in a request path may need the cache to answer).
"""

import http.cookiejar
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from quizzes import grading, scoring
from quizzes.answers import form_data
from quizzes.models import Attempt, AttemptState, Response
from quizzes.services import attempt_start, response_save
from tests.browser.quiz_data import SCORED_TYPES, assign, every_type_quiz
from tests.factories import EnrollmentFactory, SchoolClassFactory, StudentFactory

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 24
KILL_EVERY = (0.3, 0.9)  # seconds between two SIGKILLs of a worker
SUBMIT_TIMEOUT = 10  # seconds a client waits for one reply


def free_port() -> int:

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def gunicorn(transactional_db) -> Iterator[tuple[str, subprocess.Popen]]:
    if connection.vendor != "postgresql":
        pytest.skip("the server process must share the test database: PostgreSQL only")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "1",  # plain HTTP, no HTTPS redirect
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "quizsite.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--timeout=30",
            "--graceful-timeout=1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + reverse("quizzes:login"), timeout=2)  # noqa: S310
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("gunicorn did not start")
    try:
        yield base, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def workers_of(server: subprocess.Popen) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:  # parent pid
            pids.append(int(stat.parent.name))
    return pids


def opener_for(student: Any, base: str) -> tuple[urllib.request.OpenerDirector, str]:
    """A browser-like opener logged in as `student` (a real session row) with a CSRF pair."""
    client = Client()
    client.force_login(student)
    session = client.cookies["sessionid"].value
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked secret
    jar = http.cookiejar.CookieJar()
    for name, value in (("sessionid", session), ("csrftoken", csrf)):
        jar.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, "127.0.0.1", False, False, "/", True,
                False, None, False, None, None, {},
            )
        )  # fmt: skip
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    return opener, csrf


def submit(opener: urllib.request.OpenerDirector, csrf: str, url: str) -> str:
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})  # noqa: S310
    try:
        with opener.open(request, timeout=SUBMIT_TIMEOUT) as reply:
            return str(reply.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
        return type(error).__name__


def answered_attempts() -> list[Attempt]:
    """STUDENTS attempts at a quiz of every type, each question answered (some right)."""
    school_class = SchoolClassFactory()
    assignment = assign(every_type_quiz(types=SCORED_TYPES), school_class)
    rng = random.Random(7)
    attempts = []
    for _ in range(STUDENTS):
        student = StudentFactory()
        EnrollmentFactory(school_class=school_class, student=student)
        attempt = attempt_start(student=student, assignment=assignment, now=timezone.now())
        for aq in attempt.attempt_questions.select_related("response"):
            key = grading.correct_answer(aq.snapshot)
            answer = key if rng.random() < 0.6 else {}
            response_save(response=aq.response, answer=answer, revision=1, now=timezone.now())
        attempts.append(attempt)
    return attempts


def assert_whole(attempt: Attempt, answers_before: dict[int, Any]) -> str:
    """Finished with the score its answers earn, or in progress untouched; which one."""
    attempt.refresh_from_db()
    questions = list(attempt.attempt_questions.select_related("response"))
    responses = [aq.response for aq in questions]
    assert {r.pk: r.answer for r in responses} == answers_before[attempt.pk]
    if attempt.state == AttemptState.IN_PROGRESS:
        assert all(r.fraction is None for r in responses), "graded but not finished"
        assert attempt.score is None and attempt.finished_at is None
        return "in progress"
    assert attempt.state == AttemptState.FINISHED
    for aq in questions:
        assert aq.response.fraction == grading.grade_response(aq.snapshot, aq.response.answer)
    assert (attempt.score, attempt.max_score) == scoring.questions_total(questions)
    return "finished"


def test_killing_workers_mid_submit_never_leaves_an_attempt_half_graded(gunicorn):
    base, server = gunicorn
    attempts = answered_attempts()
    before = {
        a.pk: {r.pk: r.answer for r in Response.objects.filter(attempt_question__attempt=a)}
        for a in attempts
    }
    openers = {a.pk: opener_for(a.student, base) for a in attempts}
    url = {a.pk: base + reverse("quizzes:attempt_submit", args=[a.pk]) for a in attempts}
    stop = threading.Event()
    kills = []

    def killer() -> None:
        rng = random.Random(11)
        while not stop.is_set():
            workers = workers_of(server)
            if workers:
                pid = rng.choice(workers)
                try:
                    os.kill(pid, signal.SIGKILL)
                    kills.append(pid)
                except ProcessLookupError:
                    pass
            time.sleep(rng.uniform(*KILL_EVERY))

    replies: dict[int, str] = {}

    def student(attempt: Attempt) -> None:
        opener, csrf = openers[attempt.pk]
        replies[attempt.pk] = submit(opener, csrf, url[attempt.pk])

    killing = threading.Thread(target=killer)
    killing.start()
    clients = [threading.Thread(target=student, args=(a,)) for a in attempts]
    for thread in clients:
        thread.start()
        time.sleep(0.08)
    for thread in clients:
        thread.join(timeout=SUBMIT_TIMEOUT * 3)
    stop.set()
    killing.join()

    outcomes = [assert_whole(a, before) for a in attempts]
    assert len(kills) >= 5, "the workers were not killed during the submits"
    failed = [reply for reply in replies.values() if reply not in ("200", "302")]
    print(
        f"{len(kills)} workers killed; {outcomes.count('finished')} finished, "
        f"{outcomes.count('in progress')} still in progress; {len(failed)} replies failed"
    )

    # The student submits again once the server is back: everything finishes, scores right.
    for _ in range(50):
        if len(workers_of(server)) == 2:
            break
        time.sleep(0.1)
    for attempt in attempts:
        if Attempt.objects.get(pk=attempt.pk).state == AttemptState.IN_PROGRESS:
            opener, csrf = openers[attempt.pk]
            assert submit(opener, csrf, url[attempt.pk]) in ("200", "302")
    assert [assert_whole(a, before) for a in attempts] == ["finished"] * STUDENTS


def test_the_student_pages_work_with_the_cache_down(db):
    """Redis down (the cache at a closed port): pages and autosave still answer."""
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    school_class = SchoolClassFactory()
    assignment = assign(every_type_quiz(types=SCORED_TYPES[:1]), school_class)
    student = StudentFactory()
    EnrollmentFactory(school_class=school_class, student=student)
    client = Client()
    client.force_login(student)
    with override_settings(CACHES=down):
        start = client.post(reverse("quizzes:assignment_start", args=[assignment.pk]))
        attempt = Attempt.objects.get(student=student)
        aq = attempt.attempt_questions.get()
        answer = form_data(aq.snapshot, aq.display_order, grading.correct_answer(aq.snapshot), "q1")
        pages = [
            client.get(reverse("quizzes:dashboard")),
            client.get(reverse("quizzes:attempt_resume", args=[attempt.pk]), follow=True),
            client.post(
                reverse("quizzes:attempt_autosave", args=[attempt.pk]),
                {"position": "1", "revision": "5", **answer},
            ),
            client.get(reverse("quizzes:practice_home")),
        ]
    assert start.status_code == 302
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert Response.objects.get(attempt_question=aq).answer == grading.correct_answer(aq.snapshot)

"""Faults: an app server killed mid-submit, and the cache gone.

A real gunicorn (two sync workers, as in production) serves the test database; students submit
their attempts over HTTP in rounds of three, and a worker is killed with SIGKILL a moment after
each round starts (gunicorn starts a new one). Afterwards every attempt is either finished with
exactly the score its saved answers earn, or still in progress with every saved answer intact
and nothing graded: never half-graded (attempt_finish grades and closes in one transaction).
Submitting the ones left in progress then finishes them all. PostgreSQL only: the server
process must share the test database, which SQLite keeps in memory.

Redis down: with the cache pointed at a closed port, the student's pages and autosave still
work (nothing in a request path may need the cache to answer).
"""

import contextlib
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
from django.conf import settings as django_settings
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
ROUND = 3  # students submitting together before a worker is killed
KILL_AFTER = (0.0, 0.15)  # seconds after a round starts
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


@contextlib.contextmanager
def serving(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn (two sync workers, as in production) with `env`, once it answers; stopped
    after."""
    port = free_port()
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
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + reverse("quizzes:login"), timeout=2)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def gunicorn(transactional_db) -> Iterator[tuple[str, subprocess.Popen]]:
    if connection.vendor != "postgresql":
        pytest.skip("the server process must share the test database: PostgreSQL only")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "1",  # plain HTTP, no HTTPS redirect
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    with serving(env) as (base, server):
        yield base, server


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


def wait_for_workers(server: subprocess.Popen, count: int = 2) -> None:
    """Until gunicorn has replaced its killed workers (at most 10 s)."""
    for _ in range(100):
        if len(workers_of(server)) >= count:
            time.sleep(0.3)  # and they have loaded the app
            return
        time.sleep(0.1)


class Browser:
    """A student's browser: her session cookie (a real session row) and a CSRF pair, sent as
    they are (a cookie jar would drop the secure cookies a production server sets over
    plain HTTP)."""

    def __init__(self, student: Any):
        client = Client()
        client.force_login(student)
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked secret
        self.cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={self.csrf}"

    def open(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Status, content type and body of one request (an HTTP error is a reply too)."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **data}).encode()
        headers = {"Cookie": self.cookie, "Referer": url}
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=SUBMIT_TIMEOUT) as reply:  # noqa: S310
                return reply.status, reply.headers["Content-Type"], reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()


def submit(browser: Browser, url: str) -> str:
    """The reply's status, or the name of the error when there was none."""
    try:
        return str(browser.open(url, {})[0])
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
    browsers = {a.pk: Browser(a.student) for a in attempts}
    url = {a.pk: base + reverse("quizzes:attempt_submit", args=[a.pk]) for a in attempts}
    rng = random.Random(11)
    replies: dict[int, str] = {}
    kills = 0

    def student(attempt: Attempt) -> None:
        replies[attempt.pk] = submit(browsers[attempt.pk], url[attempt.pk])

    # In rounds: a few students submit at once, and a worker is killed a moment later (while
    # their requests are being served, or just before or after: all three happen).
    for start in range(0, STUDENTS, ROUND):
        wait_for_workers(server)
        clients = [threading.Thread(target=student, args=(a,)) for a in attempts[start:][:ROUND]]
        for thread in clients:
            thread.start()
        time.sleep(rng.uniform(*KILL_AFTER))
        with contextlib.suppress(ProcessLookupError, IndexError):
            os.kill(rng.choice(workers_of(server)), signal.SIGKILL)
            kills += 1
        for thread in clients:
            thread.join(timeout=SUBMIT_TIMEOUT * 2)

    outcomes = [assert_whole(a, before) for a in attempts]
    assert kills >= STUDENTS // ROUND - 1, "the workers were not killed during the submits"
    failed = [reply for reply in replies.values() if reply not in ("200", "302")]
    print(
        f"{kills} workers killed; {outcomes.count('finished')} finished, "
        f"{outcomes.count('in progress')} still in progress; {len(failed)} replies failed"
    )

    # The student submits again once the server is back: everything finishes, scores right.
    wait_for_workers(server)
    for attempt in attempts:
        if Attempt.objects.get(pk=attempt.pk).state == AttemptState.IN_PROGRESS:
            assert submit(browsers[attempt.pk], url[attempt.pk]) in ("200", "302")
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


# --- the database restarted under load ------------------------------------------------------------


class DatabaseLink:
    """A TCP relay between the app server and PostgreSQL that can be cut (every connection
    dropped, new ones refused) and restored: a database restart, without restarting the
    database every other test is using."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            for end in self.sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            self.sockets.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def production_server(transactional_db, tmp_path) -> Iterator[tuple[str, DatabaseLink]]:
    """gunicorn with production settings (DEBUG off, collected static files) whose database
    connections go through a DatabaseLink."""
    if connection.vendor != "postgresql":
        pytest.skip("the server process must share the test database: PostgreSQL only")
    settings = connection.settings_dict
    link = DatabaseLink((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS"))
    }
    env |= {
        "DATABASE_URL": f"postgres://{settings['USER']}@127.0.0.1:{link.port}/{settings['NAME']}",
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,  # the sessions made here must hold
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    try:
        with serving(env) as (base, _server):
            yield base, link
    finally:
        link.close()


def test_a_database_outage_fails_cleanly_and_the_app_recovers_with_every_answer(
    production_server,
):
    base, link = production_server
    school_class = SchoolClassFactory()
    assignment = assign(every_type_quiz(types=SCORED_TYPES[:1]), school_class)
    student = StudentFactory()
    EnrollmentFactory(school_class=school_class, student=student)
    attempt = attempt_start(student=student, assignment=assignment, now=timezone.now())
    aq = attempt.attempt_questions.get()
    choices = [c["id"] for c in aq.snapshot["choices"]]
    browser = Browser(student)
    autosave = base + reverse("quizzes:attempt_autosave", args=[attempt.pk])
    dashboard = base + reverse("quizzes:dashboard")

    def save(choice_id: int, revision: int) -> tuple[int, str, str]:
        fields = form_data(aq.snapshot, aq.display_order, {"choice": choice_id}, "q1")
        return browser.open(autosave, {"position": "1", "revision": str(revision), **fields})

    now_ms = int(time.time() * 1000)
    assert save(choices[0], now_ms)[:2] == (200, "application/json")

    link.cut()
    during = [save(choices[1], now_ms + 1), browser.open(dashboard)]

    link.restore()
    after = None
    for _ in range(20):  # the page's script retries every few seconds; here, every 0.25 s
        after = save(choices[1], now_ms + 2)
        if after[0] == 200:
            break
        time.sleep(0.25)

    for status, content_type, body in during:
        assert status == 500
        assert content_type.startswith("text/html")
        assert "Something went wrong on our side" in body
        assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
    assert after is not None and after[:2] == (200, "application/json"), after
    assert browser.open(dashboard)[0] == 200
    assert Response.objects.get(attempt_question=aq).answer == {"choice": choices[1]}

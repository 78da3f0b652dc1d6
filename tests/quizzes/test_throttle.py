"""Rate limits over the shared cache (quizzes.throttle): join-code tries per student, sign-ups
per address, autosaves per attempt; and a cache that is down lets everything through."""

import logging
import types

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from quizzes import throttle
from quizzes.models import Enrollment, Response
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db
PASSWORD = "violet-harbour-1994"
SCHOOL = "203.0.113.7"
# Nothing listens here: a Redis that is down (connection refused at once).
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def school_class():
    return SchoolClassFactory(name="Year 10 World Affairs", join_code="PEACE25")


def signup_data(username, **changes):
    return {
        "join_code": "PEACE25",
        "username": username,
        "first_name": "Aigerim",
        "last_name": "Bekova",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **changes,
    }


def join(client, code):
    return client.post(reverse("quizzes:join_class"), {"join_code": code})


# Join codes, per student -------------------------------------------------------------------


def test_the_eleventh_join_code_in_an_hour_is_refused_and_changes_nothing(
    student_client, student, school_class, clock
):
    clock.now = 1_800_000_000.0  # the start of an hour's window
    for n in range(10):
        assert join(student_client, f"WRONG{n}").status_code == 200

    response = join(student_client, "PEACE25")  # even the right code

    assert response.status_code == 429
    assert "Too many tries. Wait 60 minutes, then try again." in response.text
    assert response["Retry-After"] == "3600"
    assert not Enrollment.objects.filter(student=student).exists()


def test_the_join_code_limit_is_per_student(client, student, other_student, school_class):
    client.force_login(student)
    for n in range(11):
        join(client, f"WRONG{n}")
    client.force_login(other_student)

    response = join(client, "PEACE25")

    assert response.status_code == 302
    assert Enrollment.objects.filter(student=other_student, school_class=school_class).exists()


def test_a_refused_join_does_not_say_whether_the_code_exists(student_client, school_class):
    for n in range(10):
        join(student_client, f"WRONG{n}")

    right, wrong = join(student_client, "PEACE25"), join(student_client, "NOPE99")

    assert right.status_code == wrong.status_code == 429
    assert "No class has this join code" not in right.text + wrong.text


# Sign-ups, per address ---------------------------------------------------------------------


def test_sign_ups_over_the_limit_from_one_address_are_refused(settings, school_class):
    settings.QUIZZES_SIGNUP_LIMIT = (2, 3600)
    school = Client(REMOTE_ADDR=SCHOOL)
    for name in ["aigerim", "bolat"]:
        assert school.post(reverse("quizzes:signup"), signup_data(name)).status_code == 302
        school.logout()

    response = school.post(reverse("quizzes:signup"), signup_data("dana"))

    assert response.status_code == 429
    assert "Too many tries" in response.text
    assert 'value="dana"' in response.text  # what was typed, kept ...
    assert PASSWORD not in response.text  # ... but not the password
    assert not Enrollment.objects.filter(student__username="dana").exists()
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert elsewhere.post(reverse("quizzes:signup"), signup_data("dana")).status_code == 302


def test_the_default_sign_up_limit_lets_a_class_sign_up_from_one_address(school_class):
    school = Client(REMOTE_ADDR=SCHOOL)
    for n in range(60):  # 30 students, each with one mistake first
        school.post(reverse("quizzes:signup"), signup_data(f"s{n}", password2="typo"))
        assert school.post(reverse("quizzes:signup"), signup_data(f"s{n}")).status_code == 302
        school.logout()

    assert Enrollment.objects.filter(school_class=school_class).count() == 60


# Autosave, per attempt ---------------------------------------------------------------------


@pytest.fixture
def attempt(student):
    quiz = QuizFactory(published=True, questions_per_page=1)
    SlotFactory(quiz=quiz, position=0, question=QuestionFactory(type="short", published=True))
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    return attempt_start(student=student, assignment=assignment, now=timezone.now())


def autosave(client, attempt, text, revision):
    return client.post(
        reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk}),
        {"position": 1, "revision": revision, "q1-text": text},
    )


def now_ms():
    return int(timezone.now().timestamp() * 1000)


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand."""
    fake = types.SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(throttle, "time", types.SimpleNamespace(time=lambda: fake.now))
    return fake


def test_typing_at_the_pages_cadence_is_never_refused(student_client, attempt, clock):
    """attempt.js saves 0.8 s after the last key: five minutes of typing, one save each time."""
    start = now_ms() - 400_000
    for n in range(375):
        clock.now += 0.8
        response = autosave(student_client, attempt, f"draft {n}", start + n * 800)
        assert response.status_code == 200, n

    assert Response.objects.get().answer == {"text": "draft 374"}


def test_a_flood_of_autosaves_gets_429_and_stores_nothing(student_client, attempt, clock):
    start = now_ms() - 200_000
    for n in range(120):
        assert autosave(student_client, attempt, f"a{n}", start + n).status_code == 200

    response = autosave(student_client, attempt, "flood", start + 500)

    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error": "rate_limited",
        "retry_after": 60,
        "message": "Too many saves at once; your answer is kept and sent again shortly.",
    }
    assert response["Retry-After"] == "60"
    assert Response.objects.get().answer == {"text": "a119"}
    clock.now += 60  # the next minute: saving again
    assert autosave(student_client, attempt, "later", start + 600).status_code == 200


def test_the_autosave_limit_is_per_attempt(student_client, student, attempt, clock):
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, position=0, question=QuestionFactory(type="short", published=True))
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    other = attempt_start(student=student, assignment=assignment, now=timezone.now())
    start = now_ms() - 200_000
    for n in range(121):
        autosave(student_client, attempt, f"a{n}", start + n)

    assert autosave(student_client, other, "mine", start).status_code == 200


# The cache is down -------------------------------------------------------------------------


@override_settings(CACHES=REDIS_DOWN)
def test_with_redis_down_every_limited_page_still_works(
    student, client, school_class, caplog, settings
):
    settings.QUIZZES_JOIN_CODE_LIMIT = (1, 3600)
    settings.QUIZZES_SIGNUP_LIMIT = (1, 3600)
    settings.QUIZZES_AUTOSAVE_LIMIT = (1, 60)
    settings.QUIZZES_LOGIN_ADDRESS_LIMIT = (1, 900)
    caplog.set_level(logging.WARNING, logger="quizzes.throttle")

    for name in ["aigerim", "bolat"]:
        assert client.post(reverse("quizzes:signup"), signup_data(name)).status_code == 302
        client.logout()
    for _ in range(2):
        client.post(reverse("quizzes:login"), {"username": "student_a", "password": "x"})
    response = client.post(reverse("quizzes:login"), {"username": "student_a", "password": "pw"})
    assert response.status_code == 302
    assert join(client, "NOPE").status_code == 200
    assert join(client, "PEACE25").status_code == 302

    assert "the cache is unavailable" in caplog.text


@override_settings(CACHES=REDIS_DOWN)
def test_with_redis_down_autosave_still_saves(student_client, attempt, settings, caplog):
    settings.QUIZZES_AUTOSAVE_LIMIT = (1, 60)
    caplog.set_level(logging.WARNING, logger="quizzes.throttle")

    for n in range(3):
        assert autosave(student_client, attempt, f"a{n}", now_ms() - 1000 + n).status_code == 200

    assert Response.objects.get().answer == {"text": "a2"}
    assert "Rate limit autosave not checked: the cache is unavailable" in caplog.text


@pytest.mark.usefixtures("lockouts")
@override_settings(CACHES=REDIS_DOWN)
def test_with_redis_down_the_login_lock_still_holds(student):
    """The lock lives in the database: only the coarse address limit needs the cache."""
    for _ in range(5):
        Client(REMOTE_ADDR=SCHOOL).post(
            reverse("quizzes:login"), {"username": "student_a", "password": "x"}
        )

    response = Client(REMOTE_ADDR=SCHOOL).post(
        reverse("quizzes:login"), {"username": "student_a", "password": "pw"}
    )

    assert response.status_code == 429

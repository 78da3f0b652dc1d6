"""Response headers and session limits for shared school laptops (quizzes.middleware): the
Content Security Policy and the other security headers, no-store on every signed-in page, and
the idle timeout."""

import re
import time
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.charts import bars_svg, histogram_svg
from quizzes.middleware import IDLE_SESSION_KEY
from quizzes.models import Response
from quizzes.services import attempt_finish
from tests.factories import QuestionFactory, QuizFactory, SlotFactory
from tests.quizzes.test_attempts import make_quiz, start, take_url
from tests.quizzes.test_practice import bank_url, post_answer

pytestmark = pytest.mark.django_db

HSTS_SECONDS = 31536000


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def hsts(settings):
    """HSTS as in production (the header is only sent over HTTPS: requests pass secure=True)."""
    settings.SECURE_HSTS_SECONDS = HSTS_SECONDS


def assert_strict_policy(response, *, styles_inline=False, framed_by=("'none'",)):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == list(framed_by)
    assert csp["style-src"] == (["'self'", "'unsafe-inline'"] if styles_inline else ["'self'"])
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def assert_good_headers(response, *, frame_options="DENY"):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == frame_options


# --- Content Security Policy and the other headers --------------------------------------------


def test_a_student_page_has_the_strict_policy_and_the_good_headers(hsts, student_client):
    response = student_client.get(reverse("quizzes:dashboard"), secure=True)

    assert response.status_code == 200
    assert_strict_policy(response)
    assert_good_headers(response)
    # Subdomains and preloading are opt-in (tests/quizsite/test_settings.py): off by default.
    assert response["Strict-Transport-Security"] == f"max-age={HSTS_SECONDS}"


def test_an_admin_page_allows_inline_styles_but_never_inline_scripts(hsts, teacher_client):
    response = teacher_client.get(reverse("admin:index"), secure=True)

    assert response.status_code == 200
    assert_strict_policy(response, styles_inline=True)
    assert_good_headers(response)
    assert response["Strict-Transport-Security"] == f"max-age={HSTS_SECONDS}"


def test_the_question_preview_frame_may_be_framed_by_its_own_admin_page_only(teacher_client):
    question = QuestionFactory(published=True)
    page_url = reverse("admin:quizzes_question_preview", args=[question.pk])
    frame_url = reverse("admin:quizzes_question_student_preview", args=[question.pk])

    page = teacher_client.get(page_url)
    frame = teacher_client.get(frame_url)

    assert f'<iframe src="{frame_url}"' in page.text
    assert_strict_policy(page, styles_inline=True)
    assert_good_headers(page)
    assert frame.status_code == 200
    assert_strict_policy(frame, styles_inline=True, framed_by=["'self'"])
    assert_good_headers(frame, frame_options="SAMEORIGIN")


def test_a_not_found_page_has_the_strict_policy_and_the_good_headers(hsts, client):
    response = client.get("/no-such-page/", secure=True)

    assert response.status_code == 404
    assert_strict_policy(response)
    assert_good_headers(response)
    assert response["Strict-Transport-Security"] == f"max-age={HSTS_SECONDS}"


def test_a_quiz_preview_shows_each_question_under_its_own_names_and_no_form(teacher_client):
    """No form to submit, so no inline handler is needed to stop one; each question keeps its
    own field names (two radio groups must never merge)."""
    quiz = QuizFactory(published=True)
    for position in range(2):
        SlotFactory(
            quiz=quiz, position=position, question=QuestionFactory(type="short", published=True)
        )

    response = teacher_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk]))

    assert response.status_code == 200
    assert 'name="p1-text"' in response.text
    assert 'name="p2-text"' in response.text
    assert 'class="question-form"' in response.text
    assert '<form class="question-form"' not in response.text


# --- no inline script in any template -----------------------------------------------------------

OUR_TEMPLATES = [
    *Path(settings.BASE_DIR, "quizzes", "templates").rglob("*.html"),
    *Path(settings.BASE_DIR, "quizsite", "templates").rglob("*.html"),
]
DJANGO_ADMIN_TEMPLATES = list(
    Path(django.__file__).parent.joinpath("contrib", "admin", "templates").rglob("*.html")
)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def test_the_template_lists_are_not_empty():
    assert len(OUR_TEMPLATES) > 40
    assert len(DJANGO_ADMIN_TEMPLATES) > 40


@pytest.mark.parametrize(
    "template", OUR_TEMPLATES + DJANGO_ADMIN_TEMPLATES, ids=lambda path: path.name
)
def test_no_template_has_an_inline_script_or_event_handler(template):
    text = template.read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text)
    assert not JAVASCRIPT_URL.search(text)


@pytest.mark.parametrize(
    "template",
    [path for path in OUR_TEMPLATES if "admin" not in path.parts],
    ids=lambda path: path.name,
)
def test_no_student_template_has_an_inline_style(template):
    assert not INLINE_STYLE.search(template.read_text(encoding="utf-8"))


def test_the_charts_have_no_script_no_handler_and_no_inline_style():
    charts = histogram_svg(
        counts=[1, 2], edges=["0", "50", "100"], title="t", description="d", x_label="x"
    ) + bars_svg(labels=["Q1"], values=[0.5], title="t", description="d")

    assert "<svg" in charts
    assert not INLINE_SCRIPT.search(charts)
    assert not EVENT_HANDLER.search(charts)
    assert not INLINE_STYLE.search(charts)


# --- no-store on every signed-in page -----------------------------------------------------------


def _student_pages(student, client):
    """Every student page, by URL name, with the objects it needs."""
    # Practice first: it pauses while a quiz is in progress (the page still shows, paused).
    question = QuestionFactory(published=True)
    answered = post_answer(client, bank_url(question.bank), question, right=False)
    assert answered.status_code == 302
    finished = start(student, make_quiz(types=["short"]))
    client.post(reverse("quizzes:attempt_submit", kwargs={"pk": finished.pk}))
    attempt = start(student, make_quiz(types=["short"]))
    return {
        "quizzes:dashboard": reverse("quizzes:dashboard"),
        "quizzes:history": reverse("quizzes:history"),
        "quizzes:assignment_start": reverse(
            "quizzes:assignment_start", kwargs={"pk": attempt.assignment_id}
        ),
        "quizzes:attempt_resume": reverse("quizzes:attempt_resume", kwargs={"pk": attempt.pk}),
        "quizzes:attempt_take": take_url(attempt),
        "quizzes:attempt_summary": reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk}),
        "quizzes:attempt_review": reverse("quizzes:attempt_review", kwargs={"pk": finished.pk}),
        "quizzes:practice_home": reverse("quizzes:practice_home"),
        "quizzes:practice_bank": bank_url(question.bank),
        "quizzes:practice_mistakes": reverse("quizzes:practice_mistakes"),
        "quizzes:practice_result": answered.url,
        "quizzes:join_class": reverse("quizzes:join_class"),
        "quizzes:password_change": reverse("quizzes:password_change"),
        "quizzes:password_change_done": reverse("quizzes:password_change_done"),
    }


STUDENT_PAGES = [
    "quizzes:dashboard",
    "quizzes:history",
    "quizzes:assignment_start",
    "quizzes:attempt_resume",
    "quizzes:attempt_take",
    "quizzes:attempt_summary",
    "quizzes:attempt_review",
    "quizzes:practice_home",
    "quizzes:practice_bank",
    "quizzes:practice_mistakes",
    "quizzes:practice_result",
    "quizzes:join_class",
    "quizzes:password_change",
    "quizzes:password_change_done",
]


@pytest.mark.parametrize("name", STUDENT_PAGES)
def test_every_student_page_is_no_store_and_private(name, student, student_client):
    url = _student_pages(student, student_client)[name]

    response = student_client.get(url)

    assert response.status_code in (200, 302)
    assert {"no-store", "private", "no-cache", "must-revalidate"} <= cache_control(response)


def test_the_autosave_reply_and_a_students_not_found_page_are_no_store(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    autosave = student_client.post(
        reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk}),
        {"position": "1", "revision": "1", "q1-text": "Astana"},
    )
    missing = student_client.get("/no-such-page/")

    assert autosave.status_code == 200
    assert missing.status_code == 404
    for response in (autosave, missing):
        assert {"no-store", "private"} <= cache_control(response)


def test_pages_for_an_anonymous_visitor_are_not_made_no_store(client):
    response = client.get(reverse("quizzes:signup"))

    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


# --- sessions: end with the browser, and after the idle time ------------------------------------


def test_a_students_session_cookie_ends_with_the_browser(student):
    client = Client()

    response = client.post(
        reverse("quizzes:login"), {"username": student.username, "password": "pw"}
    )

    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


def test_a_teachers_session_cookie_ends_with_the_browser_too(teacher):
    client = Client()

    response = client.post(reverse("admin:login"), {"username": teacher.username, "password": "pw"})

    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["max-age"] == ""


def test_the_login_itself_starts_the_idle_clock(student):
    """Set by login() (user_logged_in), so a session's first page writes nothing more to it."""
    client = Client()

    client.force_login(student)  # login() without a request through the middleware

    assert abs(client.session[IDLE_SESSION_KEY] - time.time()) < 5


def _last_seen(client, seconds_ago):
    session = client.session
    session[IDLE_SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_student_is_signed_out_and_told_why_on_the_login_page(settings, student_client):
    settings.QUIZZES_IDLE_MINUTES = 30
    _last_seen(student_client, 30 * 60 + 5)

    response = student_client.get(reverse("quizzes:dashboard"), follow=True)

    login_url = reverse("quizzes:login")
    assert response.redirect_chain[0] == (f"{login_url}?next=/", 302)
    assert "signed out after 30 minutes without activity" in response.text
    assert "_auth_user_id" not in student_client.session
    assert student_client.get(reverse("quizzes:dashboard")).status_code == 302


def test_a_student_active_within_the_idle_time_stays_and_the_clock_restarts(
    settings, student_client
):
    settings.QUIZZES_IDLE_MINUTES = 30
    _last_seen(student_client, 30 * 60 - 5)

    response = student_client.get(reverse("quizzes:dashboard"))

    assert response.status_code == 200
    assert abs(student_client.session[IDLE_SESSION_KEY] - time.time()) < 5


def test_the_clock_is_written_at_most_once_a_minute(student_client):
    _last_seen(student_client, 30)
    stamp = student_client.session[IDLE_SESSION_KEY]

    student_client.get(reverse("quizzes:dashboard"))

    assert student_client.session[IDLE_SESSION_KEY] == stamp


def test_an_idle_session_is_kept_while_its_exam_accepts_answers(settings, student, student_client):
    """A student reading a long exam page with JavaScript off posts only when she saves the
    page: signing her out then would lose what she typed. The attempt's deadline bounds it."""
    attempt = start(student, make_quiz(types=["short"]))
    autosave_url = reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk})
    _last_seen(student_client, settings.QUIZZES_IDLE_MINUTES * 60 + 5)

    response = student_client.post(
        autosave_url, {"position": "1", "revision": "2", "q1-text": "Almaty"}
    )

    assert response.status_code == 200
    assert Response.objects.get(attempt_question__attempt=attempt).answer == {"text": "Almaty"}
    assert abs(student_client.session[IDLE_SESSION_KEY] - time.time()) < 5


def test_once_the_exam_is_over_an_idle_session_ends(settings, student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    attempt_finish(attempt=attempt, now=timezone.now())
    _last_seen(student_client, settings.QUIZZES_IDLE_MINUTES * 60 + 5)

    response = student_client.get(reverse("quizzes:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("quizzes:login"))

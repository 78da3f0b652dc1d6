"""No page makes a request to a third party, and no request carries personal data.

Chromium's network log records every request a page makes (documents, styles, scripts, images,
fonts, the autosave's fetches): each must go to the live server's own origin, and no URL may
hold a username, a name or an email of anyone in the database.
"""

import re
from urllib.parse import unquote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from quizzes.models import QuestionType
from tests.browser.conftest import log_in_as
from tests.browser.quiz_data import answer_with_pointer, assign, enrolled_student, every_type_quiz
from tests.browser.student_pages import PAGES
from tests.factories import QuestionFactory, SchoolClassFactory, TeacherFactory
from tests.quizzes.results_data import class_with_results

# The student pages the issue names and the ones between them: logging in, the dashboard, an
# assignment, an attempt and its review, history, practice. (The connection-lost page is left
# out: it is the one page that is offline on purpose.)
STUDENT_PAGES = [
    "login",
    "signup",
    "dashboard",
    "start",
    "history",
    "attempt-single",
    "attempt-short",
    "summary",
    "review",
    "practice-home",
    "practice-question",
    "practice-feedback",
    "practice-mistakes",
]
# Not network requests: content the page carries itself.
INLINE_SCHEMES = {"data", "blob", "about"}


def record_requests(page: Page) -> list[str]:
    """Every URL the page's browser context requests from now on."""
    urls: list[str] = []
    page.context.on("request", lambda request: urls.append(request.url))
    return urls


def personal_data() -> list[str]:
    """Usernames, names and emails of every account (three letters or more)."""
    values = get_user_model().objects.values_list("username", "first_name", "last_name", "email")
    return sorted({v for row in values for v in row if len(v) >= 3})


def assert_first_party_and_anonymous(urls: list[str], live_server) -> None:
    origin = urlsplit(live_server.url)
    network = [url for url in urls if urlsplit(url).scheme not in INLINE_SCHEMES]
    assert network, "no request was recorded"
    third_party = [
        url
        for url in network
        if (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)
    ]
    assert third_party == []
    people = personal_data()
    naming = [
        (url, who) for url in network for who in people if who.casefold() in unquote(url).casefold()
    ]
    assert naming == []


@pytest.mark.parametrize("name", STUDENT_PAGES)
def test_student_pages_request_only_the_site_and_no_url_names_anyone(
    page: Page, live_server, name: str
):
    urls = record_requests(page)

    PAGES[name](page, live_server)
    page.wait_for_load_state("networkidle")

    assert_first_party_and_anonymous(urls, live_server)


def test_logging_in_and_answering_request_only_the_site(page: Page, live_server):
    """The whole way through, with autosave: the login form, the dashboard, the start page, an
    answer saved in the background, and submitting to the review."""
    school_class = SchoolClassFactory(name="Grade 10 B")
    student = enrolled_student(
        school_class,
        username="aigerim.t",
        first_name="Aigerim",
        last_name="Tokhtarova",
        email="aigerim.t@school.example",
    )
    quiz = every_type_quiz(
        title="Central Asia check-up", types=[QuestionType.SINGLE], questions_per_page=0
    )
    assign(quiz, school_class)
    urls = record_requests(page)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(student.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Central Asia check-up").click()
    page.get_by_role("button", name="Start attempt 1").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/page/0/$"))
    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(page.locator("[data-save-status]")).to_have_text("✓ All answers saved")
    page.get_by_role("button", name="Finish attempt…").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/summary/$"))
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit your answers now?"
    page.get_by_role("button", name="Submit all and finish").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/review/$"))
    page.wait_for_load_state("networkidle")

    assert any(url.endswith("/autosave/") for url in urls)
    assert_first_party_and_anonymous(urls, live_server)


def test_teacher_admin_pages_request_only_the_site(page: Page, live_server):
    teacher = TeacherFactory(username="ms_amanova", first_name="Dana", last_name="Amanova")
    data = class_with_results(teacher=teacher, students=6)
    question = QuestionFactory(published=True)
    log_in_as(page, live_server, teacher)
    urls = record_requests(page)

    for path in (
        reverse("admin:index"),
        reverse("admin:quizzes_question_change", args=[question.pk]),
        reverse("admin:quizzes_schoolclass_gradebook", args=[data.school_class.pk]),
        reverse("admin:quizzes_assignment_report", args=[data.closed.pk]),
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")

    assert_first_party_and_anonymous(urls, live_server)

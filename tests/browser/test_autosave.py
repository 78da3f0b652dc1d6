"""Background saving on the attempt page: its visible state, and what happens offline."""

import re
import types

import pytest
from playwright.sync_api import Page, expect

from quizzes import throttle
from quizzes.models import QuestionType, Response
from tests.browser.conftest import log_in_as
from tests.browser.quiz_data import (
    SHORT_KEY,
    answer_with_pointer,
    assign,
    enrolled_student,
    every_type_quiz,
    pending_key,
    start_attempt,
)
from tests.factories import SchoolClassFactory

pytestmark = pytest.mark.browser

SAVED = "✓ All answers saved"


@pytest.fixture
def attempt_page(page: Page, live_server):
    """A single-choice and a short-answer question on one page of an attempt in progress."""
    school_class = SchoolClassFactory()
    student = enrolled_student(school_class)
    quiz = every_type_quiz(types=[QuestionType.SINGLE, QuestionType.SHORT], questions_per_page=0)
    attempt = start_attempt(student, assign(quiz, school_class))
    log_in_as(page, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/page/0/")
    return page, attempt


def stored_answer(attempt, position: int) -> dict:
    return Response.objects.get(
        attempt_question__attempt=attempt, attempt_question__position=position
    ).answer


def test_connection_lost_alerts_keeps_the_answer_and_saves_it_when_back(attempt_page, network):
    page, attempt = attempt_page
    status = page.locator("[data-save-status]")

    network.cut()
    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(page.get_by_role("alert")).to_contain_text("Connection lost")
    expect(status).to_have_class("save-status error")
    pending = page.evaluate(f"localStorage.getItem('{pending_key(attempt)}')")
    assert pending is not None and '"q1-choice"' in pending
    assert stored_answer(attempt, 1) == {}

    network.restore()  # the browser's "online" event sends what is waiting
    expect(status).to_have_text(SAVED)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert "choice" in stored_answer(attempt, 1)


def test_a_typed_answer_counts_as_unsaved_at_once(attempt_page):
    page, attempt = attempt_page
    status = page.locator("[data-save-status]")
    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(status).to_have_text(SAVED)

    page.locator("#q2").get_by_label("Your answer", exact=True).fill(SHORT_KEY)
    shown, kept = page.evaluate(
        f"""() => [document.querySelector('[data-save-status]').textContent,
                   localStorage.getItem('{pending_key(attempt)}')]"""
    )
    assert shown != SAVED, "the status claims everything is saved while the typed answer is not"
    assert kept is not None and SHORT_KEY in kept, "the typed answer is kept nowhere but the field"


def test_an_answer_is_not_lost_when_moving_on_while_offline(page: Page, live_server, network):
    school_class = SchoolClassFactory()
    student = enrolled_student(school_class)
    quiz = every_type_quiz(types=[QuestionType.SINGLE, QuestionType.SHORT], questions_per_page=1)
    attempt = start_attempt(student, assign(quiz, school_class))
    log_in_as(page, live_server, student)
    take = f"{live_server.url}/attempts/{attempt.pk}/page/0/"
    page.goto(take)

    network.cut(emulate_offline=False)
    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(page.get_by_role("alert")).to_contain_text("Connection lost")
    page.get_by_role("button", name="Next →").click()  # the post cannot leave the browser
    page.wait_for_url(re.compile(r"^chrome-error:"))  # the browser's own "no internet" page
    assert stored_answer(attempt, 1) == {}
    network.restore()
    page.goto(take)

    # The answer comes back from the page's storage and reaches the server this time.
    expect(page.locator("#q1").get_by_label("Astana", exact=True)).to_be_checked()
    expect(page.locator("[data-save-status]")).to_have_text(SAVED)
    assert "choice" in stored_answer(attempt, 1)


def test_an_expired_session_alerts_keeps_the_answer_and_saves_it_after_logging_in(
    attempt_page, live_server
):
    page, attempt = attempt_page
    status = page.locator("[data-save-status]")
    page.context.clear_cookies()  # the session (and its CSRF cookie) expire

    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(page.get_by_role("alert")).to_contain_text("session has expired")
    assert stored_answer(attempt, 1) == {}
    pending = page.evaluate(f"localStorage.getItem('{pending_key(attempt)}')")
    assert pending is not None and '"q1-choice"' in pending

    # The student logs in again in another tab: a new session, and a new CSRF cookie with it.
    log_in_as(page, live_server, attempt.student)
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/")
    other_tab.close()
    expect(status).to_have_text(SAVED, timeout=10_000)  # the retry (every 5 s) goes through
    assert "choice" in stored_answer(attempt, 1)


def test_too_many_saves_keeps_the_answer_and_saves_it_when_the_server_allows(
    attempt_page, settings, monkeypatch
):
    """A 429 from the autosave limit (quizzes.throttle): the page says saving is paused, keeps
    the answer, and sends it again after the seconds the server gave."""
    page, attempt = attempt_page
    status = page.locator("[data-save-status]")
    clock = types.SimpleNamespace(now=1_800_000_000.0)  # the start of a window
    monkeypatch.setattr(throttle, "time", types.SimpleNamespace(time=lambda: clock.now))
    settings.QUIZZES_AUTOSAVE_LIMIT = (1, 2)
    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(status).to_have_text(SAVED)

    page.locator("#q2").get_by_label("Your answer", exact=True).fill(SHORT_KEY)
    expect(page.get_by_role("alert")).to_contain_text("Saving is paused")
    assert SHORT_KEY in page.evaluate(f"localStorage.getItem('{pending_key(attempt)}')")
    assert stored_answer(attempt, 2) == {}

    clock.now += 2  # the next window: the page's retry, two seconds on, goes through
    expect(status).to_have_text(SAVED, timeout=10_000)
    assert stored_answer(attempt, 2) == {"text": SHORT_KEY}


def test_a_server_error_keeps_the_answer_and_sends_it_again(attempt_page):
    """The server answers 500 (its database restarting, say: see tests/quizzes/test_faults.py):
    the page says so, keeps the answer, and sends it again a few seconds later."""
    page, attempt = attempt_page
    status = page.locator("[data-save-status]")
    down = {"on": True}

    def autosave(route):
        if down["on"]:
            route.fulfill(
                status=500, content_type="text/html", body="<h1>Something went wrong</h1>"
            )
        else:
            route.continue_()

    page.route(re.compile(r".*/autosave/$"), autosave)
    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(page.get_by_role("alert")).to_contain_text("the server is having trouble")
    assert '"q1-choice"' in page.evaluate(f"localStorage.getItem('{pending_key(attempt)}')")
    assert stored_answer(attempt, 1) == {}

    down["on"] = False
    expect(status).to_have_text(SAVED, timeout=10_000)  # the retry, 5 s later
    assert "choice" in stored_answer(attempt, 1)

"""The countdown on an open attempt page: polite announcements, and submitting at the deadline."""

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from quizzes.models import Attempt, AttemptState, QuestionType
from tests.browser.conftest import log_in_as
from tests.browser.quiz_data import (
    answer_with_pointer,
    assign,
    enrolled_student,
    every_type_quiz,
    set_deadline,
    start_attempt,
)
from tests.factories import SchoolClassFactory

pytestmark = pytest.mark.browser

# Reports every change of the announcer and of the visible countdown to the test (through the
# console, which outlives the page's own navigation at the deadline).
WATCH_TIMER = """
document.addEventListener("DOMContentLoaded", () => {
  const announcer = document.getElementById("timer-announcer");
  const value = document.querySelector(".timer-value");
  if (!announcer || !value) return;
  new MutationObserver(() => console.log("announcer:" + announcer.textContent))
    .observe(announcer, {childList: true, characterData: true, subtree: true});
  new MutationObserver(() => console.log("timer:" + value.textContent))
    .observe(value, {childList: true, characterData: true, subtree: true});
});
"""


@pytest.fixture
def open_attempt(page: Page, live_server):
    """open_attempt(seconds_left) shows a single + short answer attempt with that time left."""

    def open_page(seconds_left: float) -> tuple[Attempt, datetime.datetime, list[str]]:
        school_class = SchoolClassFactory()
        student = enrolled_student(school_class)
        quiz = every_type_quiz(
            types=[QuestionType.SINGLE, QuestionType.SHORT],
            questions_per_page=0,
            time_limit_minutes=20,
        )
        attempt = start_attempt(student, assign(quiz, school_class))
        log_in_as(page, live_server, student)
        events: list[str] = []
        page.on("console", lambda message: events.append(message.text))
        page.add_init_script(WATCH_TIMER)
        deadline = set_deadline(attempt, seconds_left)
        page.goto(f"{live_server.url}/attempts/{attempt.pk}/page/0/")
        return attempt, deadline, events

    return open_page


def test_the_page_submits_itself_when_the_countdown_reaches_zero(page: Page, open_attempt):
    attempt, deadline, events = open_attempt(6.5)
    expect(page.locator("#timer-announcer")).to_have_attribute("aria-live", "polite")
    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)
    expect(page.locator("[data-save-status]")).to_have_text("✓ All answers saved")

    page.wait_for_url(re.compile(rf"/attempts/{attempt.pk}/review/$"), timeout=15_000)

    ticks = [e.removeprefix("timer:") for e in events if e.startswith("timer:")]
    announced = [e.removeprefix("announcer:") for e in events if e.startswith("announcer:")]
    assert ticks[-1] == "0:00" and len(ticks) >= 5, ticks
    # Nothing was announced while the seconds ran (no 10/5/1-minute mark fell in them).
    assert announced == ["Time is up. Submitting your answers."]
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    grace = datetime.timedelta(seconds=settings.QUIZZES_GRACE_SECONDS)
    # The page counts whole seconds from a truncated seconds_left, so it may post up to a
    # second before the server's deadline; never later than the grace period.
    assert deadline - datetime.timedelta(seconds=1) <= attempt.finished_at <= deadline + grace
    assert attempt.score == 1 and attempt.max_score == 2  # the saved answer counts
    expect(page.locator(".score-big")).to_have_text("50 %")


def test_the_countdown_is_announced_politely_at_10_5_and_1_minutes_only(page: Page, open_attempt):
    page.clock.install()
    _attempt, _deadline, _events = open_attempt(11 * 60 + 0.9)
    announcer = page.locator("#timer-announcer")
    expect(announcer).to_have_attribute("role", "status")
    expect(announcer).to_have_attribute("aria-live", "polite")
    # The visible countdown changes every second: it must sit in no live region.
    live_ancestor = page.evaluate(
        """document.querySelector('.timer-value')
             .closest('[aria-live], [role=status], [role=alert], [role=timer], [role=log]')"""
    )
    assert live_ancestor is None

    changes = []  # (seconds shown, announcer text) whenever the announcer text changes
    last = announcer.text_content()
    assert last == ""
    for _step in range(65):  # 10 minutes 50 seconds, ten seconds at a time
        page.clock.run_for(10_000)
        text, shown = page.evaluate(
            """[document.getElementById('timer-announcer').textContent,
                document.querySelector('.timer-value').textContent]"""
        )
        if text != last:
            minutes, seconds = shown.split(":")
            changes.append((int(minutes) * 60 + int(seconds), text))
            last = text
    assert [text for _shown, text in changes] == [
        "10 minutes left.",
        "5 minutes left.",
        "1 minute left.",
    ], changes
    # Each one as the mark is passed (the loop looks every ten seconds).
    for (shown, _text), mark in zip(changes, [600, 300, 60], strict=True):
        assert mark - 10 <= shown <= mark, changes
    expect(page.locator(".timer-value")).to_have_text(re.compile(r"^0:(0\d|10)$"))
    expect(page.locator(".timer")).to_have_class(re.compile(r"\btimer-soon\b"))


def test_extra_time_given_while_the_page_is_open_is_counted_not_cut_short(page: Page, open_attempt):
    """The page's countdown reaching zero asks the server, which alone ends an attempt."""
    attempt, deadline, events = open_attempt(4.5)
    # The teacher gives ten more minutes while the page still counts the old seconds down.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline + datetime.timedelta(minutes=10))

    expect(page.locator(".timer-value")).to_have_text(
        re.compile(r"^(10:00|9:5\d)$"), timeout=15_000
    )

    assert re.search(rf"/attempts/{attempt.pk}/page/0/$", page.url)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    ticks = [e.removeprefix("timer:") for e in events if e.startswith("timer:")]
    assert "0:00" in ticks  # it did reach zero, asked, and counted on from the server's figure


def test_an_autosave_brings_the_servers_time_left_to_the_page(page: Page, open_attempt):
    attempt, deadline, _events = open_attempt(20 * 60)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline + datetime.timedelta(minutes=15))

    answer_with_pointer(page.locator("#q1"), QuestionType.SINGLE)

    expect(page.locator("[data-save-status]")).to_have_text("✓ All answers saved")
    expect(page.locator(".timer-value")).to_have_text(re.compile(r"^(35:00|34:5\d)$"))

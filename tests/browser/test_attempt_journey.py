"""A student's whole journey: sign up with a join code, take a timed quiz of every question type,
find every answer again after a reload, submit and see the score. With JavaScript (answers
autosave in the background) and without it (answers are saved when the student moves on)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from quizzes.models import AttemptState, FinishReason, Response
from tests.browser.quiz_data import (
    SCORED_TYPES,
    answer_with_pointer,
    assign,
    every_type_quiz,
    expect_key_shown,
    full_marks,
    pending_key,
)
from tests.factories import SchoolClassFactory

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Caspian-sturgeon-1992"


@pytest.fixture
def class_with_timed_quiz():
    """A class (with its join code) that has a timed quiz of every type assigned to it."""

    def build(**quiz_options):
        school_class = SchoolClassFactory(name="Grade 10 B")
        quiz = every_type_quiz(title="Central Asia check-up", **quiz_options)
        assignment = assign(quiz, school_class)
        return school_class, assignment

    return build


def sign_up(page: Page, live_server, join_code: str) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Class join code").fill(join_code.lower())
    page.get_by_label("Username").fill("aigerim")
    page.get_by_label("First name").fill("Aigerim")
    page.get_by_label("Last name").fill("Nurlanovna")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text("Welcome, Aigerim!")


def start_from_dashboard(page: Page, quiz_title: str) -> None:
    page.get_by_role("link", name=quiz_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(quiz_title)
    expect(page.locator(".rules")).to_contain_text("20 min")
    page.get_by_role("button", name="Start attempt 1").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/page/0/$"))


def submit_from_summary(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".notice.ok")).to_have_text("✓ Every question has an answer.")
    page.get_by_role("button", name="Submit all and finish").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/review/$"))
    expect(page.locator(".score-big")).to_have_text("100 %")
    expect(page.locator(".score-card")).to_contain_text("7 out of 7 points")


def assert_finished_with_full_marks() -> None:
    student = get_user_model().objects.get(username="aigerim")
    assert student.enrollments.get().school_class.name == "Grade 10 B"
    attempt = student.attempts.get()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finish_reason == FinishReason.SUBMITTED
    assert attempt.finished_at is not None and attempt.finished_at <= attempt.deadline
    assert attempt.score == attempt.max_score == full_marks(attempt) == 7
    fractions = Response.objects.filter(attempt_question__attempt=attempt).values_list(
        "fraction", flat=True
    )
    assert sorted(fractions) == [1] * 7


def test_journey_with_javascript_autosaves_and_survives_a_reload(
    page: Page, live_server, class_with_timed_quiz
):
    school_class, assignment = class_with_timed_quiz(questions_per_page=0)
    sign_up(page, live_server, school_class.join_code)
    start_from_dashboard(page, assignment.quiz.title)
    status = page.locator("[data-save-status]")

    for position, qtype in enumerate(SCORED_TYPES, start=1):
        answer_with_pointer(page.locator(f"#q{position}"), qtype)
    # A cell turns "answered" when the server confirms the save (the legend's sample is no cell).
    answered = page.locator(".question-nav li .nav-cell.answered")
    expect(answered).to_have_count(7)
    expect(status).to_have_text("✓ All answers saved")
    # Saved on the server, not only kept in the page: nothing is waiting in local storage.
    attempt = get_user_model().objects.get(username="aigerim").attempts.get()
    assert page.evaluate(f"localStorage.getItem('{pending_key(attempt)}')") is None
    saved = Response.objects.filter(attempt_question__attempt=attempt).exclude(answer={})
    assert saved.count() == 7

    page.reload()
    for position, qtype in enumerate(SCORED_TYPES, start=1):
        expect_key_shown(page.locator(f"#q{position}"), qtype)
    expect(answered).to_have_count(7)

    page.get_by_role("button", name="Finish attempt…").click()
    page.wait_for_url(re.compile(r"/summary/$"))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    submit_from_summary(page)
    assert dialogs == ["Submit your answers now? You cannot change them afterwards."]
    assert_finished_with_full_marks()


def test_journey_without_javascript_saves_on_every_move(
    new_page, live_server, class_with_timed_quiz
):
    page = new_page(java_script_enabled=False)
    school_class, assignment = class_with_timed_quiz(questions_per_page=2)
    sign_up(page, live_server, school_class.join_code)
    start_from_dashboard(page, assignment.quiz.title)
    expect(page.locator("[data-save-status]")).to_be_hidden()
    # Pages: 1-2 | 3-4 | 5-6 | 7.
    section = {position: page.locator(f"#q{position}") for position in range(1, 8)}
    types = dict(enumerate(SCORED_TYPES, start=1))

    answer_with_pointer(section[1], types[1])
    answer_with_pointer(section[2], types[2])
    page.get_by_role("button", name="Next →").click()
    page.wait_for_url(re.compile(r"/page/1/$"))
    answer_with_pointer(section[3], types[3])
    page.get_by_role("button", name="← Previous").click()  # saves question 3 on the way
    page.wait_for_url(re.compile(r"/page/0/$"))
    expect_key_shown(section[1], types[1])
    expect_key_shown(section[2], types[2])

    nav = page.get_by_role("navigation", name="Questions")
    expect(nav.locator("li .nav-cell.answered")).to_have_count(3)
    nav.get_by_role("button", name=re.compile(r"^4\s*: not answered$")).click()
    page.wait_for_url(re.compile(r"/page/1/$"))
    expect_key_shown(section[3], types[3])
    answer_with_pointer(section[4], types[4])
    page.get_by_role("button", name="Next →").click()
    page.wait_for_url(re.compile(r"/page/2/$"))
    answer_with_pointer(section[5], types[5])
    answer_with_pointer(section[6], types[6])
    # Flagging posts the page too: the answers typed so far survive it.
    page.get_by_role("button", name="⚐ Flag for review").first.click()
    page.wait_for_url(re.compile(r"/page/2/(#q5)?$"))
    expect(section[5].locator(".flag-mark")).to_have_text("⚑ flagged")
    expect_key_shown(section[5], types[5])
    expect_key_shown(section[6], types[6])
    page.reload()
    expect_key_shown(section[5], types[5])
    page.get_by_role("button", name="Next →").click()
    page.wait_for_url(re.compile(r"/page/3/$"))
    answer_with_pointer(section[7], types[7])
    page.get_by_role("button", name="Finish attempt…").click()
    page.wait_for_url(re.compile(r"/summary/$"))
    expect(page.locator(".summary-table")).to_contain_text("⚑ Flagged")

    submit_from_summary(page)  # no confirm dialog without JavaScript
    assert_finished_with_full_marks()

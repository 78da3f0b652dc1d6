"""The attempt page's checks as you type, the sticky bar, the visible time warnings and a
forward-only quiz's confirmation, with JavaScript; axe-clean at 1280 and 375 px."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from quizzes.models import Attempt, Navigation, QuestionType
from tests.browser.conftest import log_in_as
from tests.browser.quiz_data import (
    SCORED_TYPES,
    assign,
    enrolled_student,
    every_type_quiz,
    set_deadline,
    start_attempt,
)
from tests.factories import SchoolClassFactory

pytestmark = pytest.mark.browser

NOT_A_NUMBER = "This is not a number yet. Type a number in figures, like 1992 or 3.5."
PHONE = {"width": 375, "height": 667}


def open_attempt(page: Page, live_server, *, types=SCORED_TYPES, per_page=0, **options) -> Attempt:
    """A logged-in student's attempt at a quiz of `types`, its first page open (JS ticking)."""
    school_class = SchoolClassFactory()
    student = enrolled_student(school_class)
    quiz = every_type_quiz(types=types, questions_per_page=per_page, **options)
    attempt = start_attempt(student, assign(quiz, school_class))
    log_in_as(page, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/page/0/")
    expect(page.locator(".timer-value")).to_have_text(re.compile(r"^\d+:\d\d$"))
    return attempt


def test_a_word_for_a_number_is_told_at_once_next_to_the_field(page: Page, live_server):
    open_attempt(page, live_server, types=[QuestionType.SHORT, QuestionType.NUMERIC])
    field = page.get_by_label("Your answer (a number)", exact=True)
    check = page.locator("#q2-check")
    expect(check).to_have_attribute("aria-live", "polite")

    field.fill("nineteen ninety-five")

    expect(check).to_have_text(f"⚠ {NOT_A_NUMBER}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator('.question-nav [data-position="2"]')).to_have_class(
        re.compile(r"\bproblem\b")
    )
    # The server's word: saved as typed, not counted as answered.
    expect(page.locator("[data-save-status]")).to_have_text("✓ All answers saved")
    expect(page.locator('.question-nav [data-position="2"]')).not_to_have_class(
        re.compile(r"\banswered\b")
    )
    expect(page.locator("#attempt-progress")).to_have_text("0 of 2 answered")

    field.fill("1 995,5")

    expect(check).to_have_text("")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#attempt-progress")).to_have_text("1 of 2 answered")


def test_two_items_in_one_place_are_told_at_once(page: Page, live_server):
    open_attempt(page, live_server, types=[QuestionType.ORDERING])
    section = page.locator("#q1")

    section.get_by_label("UAE", exact=True).select_option("3")
    section.get_by_label("Sudan", exact=True).select_option("3")

    expect(page.locator("#q1-check")).to_have_text(
        "⚠ Each place can hold only one item: place 3 is chosen more than once."
    )
    section.get_by_label("Sudan", exact=True).select_option("1")
    expect(page.locator("#q1-check")).to_have_text("")


def test_the_bar_stays_in_view_on_a_phone_and_leads_to_the_panel(new_page, live_server):
    page = new_page(viewport=PHONE)
    open_attempt(page, live_server)  # every type on one page: a long scroll
    bar = page.locator("#attempt-bar")

    page.mouse.wheel(0, 2500)
    page.wait_for_function("window.scrollY > 1500")

    box = bar.bounding_box()
    assert box is not None and -1 <= box["y"] <= 1 and box["height"] <= 140, box
    expect(bar.locator(".timer-value")).to_be_in_viewport()
    expect(bar.locator("#attempt-progress")).to_have_text("0 of 7 answered")
    bar.get_by_role("link", name=re.compile("go to the question panel")).click()
    expect(page.get_by_role("navigation", name="Questions")).to_be_in_viewport()


def test_the_5_and_1_minute_warnings_are_shown_to_everyone(page: Page, live_server):
    page.clock.install()
    school_class = SchoolClassFactory()
    student = enrolled_student(school_class)
    quiz = every_type_quiz(types=[QuestionType.SHORT], questions_per_page=0)
    attempt = start_attempt(student, assign(quiz, school_class))
    log_in_as(page, live_server, student)
    set_deadline(attempt, 5 * 60 + 20.9)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/page/0/")
    warning = page.locator("#time-warning")
    expect(warning).to_be_hidden()

    page.clock.run_for(30_000)
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Under 5 minutes left.")
    expect(page.locator("#timer-announcer")).to_have_text("5 minutes left.")

    page.clock.run_for(4 * 60_000 + 10_000)
    expect(warning).to_contain_text("Under 1 minute left.")
    expect(page.locator("#timer-announcer")).to_have_text("1 minute left.")
    page.mouse.wheel(0, 2000)
    expect(warning).to_be_in_viewport()


def test_next_on_an_unanswered_question_of_a_forward_only_quiz_asks_on_the_page(
    page: Page, live_server
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    attempt = open_attempt(
        page,
        live_server,
        types=[QuestionType.SHORT, QuestionType.NUMERIC],
        per_page=1,
        navigation=Navigation.SEQUENTIAL,
    )
    confirm = page.locator("#confirm-skip")
    expect(confirm).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("Flag"))).to_have_count(0)

    page.get_by_role("button", name="Next →").click()

    expect(confirm).to_be_visible()
    expect(confirm).to_be_focused()
    expect(confirm.locator("#q1-confirm")).to_have_text("Question 1: no answer yet")
    assert re.search(rf"/attempts/{attempt.pk}/page/0/$", page.url)
    confirm.get_by_role("link", name="Stay and answer").click()
    expect(confirm).to_be_hidden()
    expect(page.get_by_label("Your answer", exact=True)).to_be_focused()

    page.get_by_role("button", name="Next →").click()
    confirm.get_by_role("button", name="Move on without answering").click()

    page.wait_for_url(re.compile(rf"/attempts/{attempt.pk}/page/1/$"))
    assert dialogs == []  # no window.confirm


# -- axe at 1280 and 375 px, with every new part showing ------------------------------------------


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def show_everything(page: Page, live_server) -> None:
    """A forward-only page with a bad number, the confirmation open and the 1-minute warning."""
    attempt = open_attempt(
        page,
        live_server,
        types=[QuestionType.NUMERIC, QuestionType.ORDERING, QuestionType.SHORT],
        per_page=2,
        navigation=Navigation.SEQUENTIAL,
    )
    set_deadline(attempt, 50)
    page.reload()
    page.get_by_label("Your answer (a number)", exact=True).fill("twelve")
    expect(page.locator("#q1-check")).to_have_text(f"⚠ {NOT_A_NUMBER}")
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("#confirm-skip")).to_be_visible()
    expect(page.locator("#time-warning")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_nothing_on_the_attempt_page_with_every_new_part_showing(
    new_page, live_server, axe: Axe, width: int
):
    page = new_page(viewport={"width": width, "height": 800})
    show_everything(page, live_server)

    result = axe.run(page)

    assert result.violations_count == 0, result.generate_report()


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_nothing_on_a_free_attempt_page_and_its_summary(
    new_page, live_server, axe: Axe, width: int
):
    page = new_page(viewport={"width": width, "height": 800})
    attempt = open_attempt(page, live_server, types=[QuestionType.NUMERIC, QuestionType.SINGLE])
    page.get_by_label("Your answer (a number)", exact=True).fill("twelve")
    expect(page.locator("#q1-check")).to_have_text(f"⚠ {NOT_A_NUMBER}")
    expect(page.locator("[data-save-status]")).to_have_text("✓ All answers saved")
    assert axe.run(page).violations_count == 0, axe.run(page).generate_report()

    page.goto(f"{live_server.url}/attempts/{attempt.pk}/summary/")
    expect(page.locator(".not-gradable")).to_have_text("Question 1: not a number")
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()

"""What a student reads on the attempt and review pages, beyond the journeys."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.student_pages import open_student_page

pytestmark = pytest.mark.browser


def test_questions_are_numbered_from_one_after_a_passage(page: Page, live_server):
    open_student_page("attempt-single", page, live_server)  # page 2: after the passage
    expect(page.locator(".question .qnum")).to_have_text("Question 1", timeout=1_000)
    nav = page.get_by_role("navigation", name="Questions").locator("li")
    expect(nav.first).to_have_text("1: not answered", timeout=1_000)


def test_the_review_shows_a_numeric_key_as_the_teacher_wrote_it(page: Page, live_server):
    open_student_page("review", page, live_server)
    numeric = page.locator("#q6 .review-answers")
    expect(numeric.locator("dt").nth(1)).to_have_text("Correct answer")
    expect(numeric.locator("dd").nth(1)).to_have_text("1992", timeout=1_000)

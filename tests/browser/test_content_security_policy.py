"""Under the Content Security Policy, no page breaks: Chromium reports no violation on any
student page or teacher page, the admin's scripts run, and the question preview frame shows."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from quizzes.models import Attempt
from tests.browser.conftest import log_in_as
from tests.browser.student_pages import PAGES, open_student_page
from tests.factories import QuestionFactory, QuizFactory, SlotFactory, TeacherFactory
from tests.quizzes.results_data import class_with_results

pytestmark = pytest.mark.browser


def violations_of(page: Page) -> list[str]:
    """Collects what Chromium says when the policy blocks something (a console error)."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


@pytest.mark.parametrize("name", PAGES)
def test_no_student_page_violates_the_policy(page: Page, live_server, name: str):
    violations = violations_of(page)

    open_student_page(name, page, live_server)

    assert page.evaluate("document.styleSheets.length") >= 1
    assert not violations, violations


def test_no_teacher_page_violates_the_policy_and_the_preview_frame_shows(page: Page, live_server):
    teacher = TeacherFactory(username="csp_teacher")
    data = class_with_results(teacher=teacher, students=3)
    question = QuestionFactory(published=True, prompt="Which city is the capital?")
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, position=0, question=question)
    attempt = Attempt.objects.filter(assignment=data.closed).first()
    urls = [
        reverse("admin:index"),
        reverse("admin:quizzes_schoolclass_gradebook", args=[data.school_class.pk]),
        reverse("admin:quizzes_assignment_report", args=[data.closed.pk]),
        reverse("admin:quizzes_assignment_progress", args=[data.open.pk]),
        reverse("admin:quizzes_attempt_change", args=[attempt.pk]),
        reverse("admin:quizzes_question_changelist"),
        reverse("admin:quizzes_question_change", args=[question.pk]),
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        reverse("admin:quizzes_quiz_preview", args=[quiz.pk]),
        reverse("admin:quizzes_schoolclass_change", args=[data.school_class.pk]),
        reverse("admin:quizzes_assignment_change", args=[data.open.pk]),
    ]
    log_in_as(page, live_server, teacher)
    violations = violations_of(page)

    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        assert not violations, (url, violations)

    page.goto(live_server.url + reverse("admin:quizzes_question_preview", args=[question.pk]))
    frame = page.frame_locator("iframe")
    expect(frame.get_by_text("Which city is the capital?")).to_be_visible()
    # The admin's own scripts ran: the change form's autocomplete widgets were built.
    page.goto(live_server.url + reverse("admin:quizzes_question_change", args=[question.pk]))
    expect(page.locator(".select2-container").first).to_be_attached()
    assert not violations, violations

"""The teachers' score pages in Chromium: an override and a regrade done as a teacher would,
axe-core finding no WCAG violation at laptop and phone width, nothing wider than a laptop.

Screenshots of each page at both widths are opt-in (`--screenshots`), saved to
artifacts/screens/scoring-<page>-<phone|laptop>.png.
"""

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from quizzes import scoring
from quizzes.models import Attempt, Choice, QuestionType, ScoreChange
from tests.browser.conftest import ARTIFACTS, log_in_as
from tests.factories import SchoolClassFactory, StudentFactory, TeacherFactory
from tests.quizzes.scoring_data import LATER, assignment_for, choose, quiz_with, response_to, taken

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 375, "height": 800}, "laptop": {"width": 1280, "height": 900}}
SCREENS = ARTIFACTS / "screens"
PAGES = ["attempt-scores", "override", "assignment-regrade", "question-regrade", "regrade-done"]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def scoring_data() -> dict:
    """A teacher's class whose single-choice key was wrong, one override, a regrade run."""
    teacher = TeacherFactory(username="demo_teacher")
    quiz, questions = quiz_with(QuestionType.SINGLE, QuestionType.SHORT, points=2)
    question = questions[QuestionType.SINGLE]
    question.title = "Which city has been Kazakhstan's capital since 1997?"
    question.save()
    assignment = assignment_for(quiz, SchoolClassFactory(name="Year 10 World Affairs"))
    assignment.school_class.teachers.add(teacher)
    attempts = [
        taken(assignment, StudentFactory(first_name=name, last_name="Ospanova"), {question: pick})
        for name, pick in [
            ("Aigerim", choose("Almaty")),
            ("Dana", choose("Astana")),
            ("Zhanna", choose("Bishkek")),
        ]
    ]
    response = response_to(attempts[2], question)
    scoring.response_override(
        response=response,
        fraction=Decimal("0.5"),
        comment="Bishkek is a capital, just not this one: half marks.",
        changed_by=teacher,
        now=LATER,
    )
    # A second assignment's run, so the result page has a batch to show.
    other = assignment_for(quiz, SchoolClassFactory(name="Year 11"))
    other.school_class.teachers.add(teacher)
    taken(other, StudentFactory(first_name="Timur"), {question: choose("Almaty")})
    Choice.objects.filter(question=question).update(fraction=0)
    Choice.objects.filter(question=question, text="Almaty").update(fraction=1)
    plan = scoring.regrade_plan(assignment=other)
    batch = scoring.regrade_apply(
        assignment=other, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )
    return {
        "teacher": teacher,
        "attempt-scores": reverse("admin:quizzes_attempt_scores", args=[attempts[2].pk]),
        "override": reverse("admin:quizzes_attempt_override", args=[attempts[2].pk, response.pk]),
        "assignment-regrade": reverse("admin:quizzes_assignment_regrade", args=[assignment.pk]),
        "question-regrade": reverse("admin:quizzes_question_regrade", args=[question.pk]),
        "regrade-done": reverse("admin:quizzes_assignment_regrade_done", args=[other.pk, batch]),
        "attempts": attempts,
        "assignment": assignment,
    }


@pytest.mark.parametrize("device", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations_on_score_pages(new_page, live_server, axe, name, device):
    data = scoring_data()
    page = new_page(viewport=VIEWPORTS[device])
    log_in_as(page, live_server, data["teacher"])

    page.goto(live_server.url + data[name])

    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()
    if device == "laptop":
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_a_teacher_overrides_a_score_then_regrades_the_assignment(page: Page, live_server):
    data = scoring_data()
    log_in_as(page, live_server, data["teacher"])
    aigerim = data["attempts"][0]

    # Override: from the attempt's change page, through its object tools.
    page.goto(live_server.url + reverse("admin:quizzes_attempt_change", args=[aigerim.pk]))
    page.get_by_role("link", name="Scores and overrides").click()
    page.get_by_role("link", name="Change score of question 1").click()
    page.get_by_label("Score", exact=True).fill("1")
    page.get_by_label("Why (the student reads this with the feedback)").fill("Partly right.")
    page.get_by_role("button", name="Save the score").click()
    expect(page.get_by_text("the teacher's score is saved")).to_be_visible()
    expect(page.get_by_role("cell", name="Partly right.").first).to_be_visible()

    # Regrade: the dry run, then Apply.
    page.goto(
        live_server.url + reverse("admin:quizzes_assignment_change", args=[data["assignment"].pk])
    )
    page.get_by_role("link", name="Regrade…").click()
    expect(page.get_by_text("Dry run: nothing has been changed yet.")).to_be_visible()
    assert ScoreChange.objects.filter(kind="regrade", batch__isnull=False).count() == 1
    page.get_by_role("button", name="Apply this regrade").click()
    expect(page.get_by_text("Regraded.")).to_be_visible()

    dana = Attempt.objects.get(pk=data["attempts"][1].pk)
    assert dana.score == Decimal(0)  # chose the old key
    aigerim.refresh_from_db()
    assert aigerim.score == Decimal(1)  # the teacher's score still counts (0.5 x 2 points)


@pytest.mark.screenshots
@pytest.mark.parametrize("name", PAGES)
def test_screenshot_score_pages(new_page, live_server, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    data = scoring_data()
    for device, viewport in VIEWPORTS.items():
        page = new_page(viewport=viewport)
        log_in_as(page, live_server, data["teacher"])
        page.goto(live_server.url + data[name])
        page.screenshot(path=str(SCREENS / f"scoring-{name}-{device}.png"), full_page=True)
        page.context.close()


@pytest.mark.parametrize("device", VIEWPORTS)
def test_a_review_with_a_teachers_score_and_comment_passes_axe(new_page, live_server, axe, device):
    data = scoring_data()
    zhanna = data["attempts"][2]  # half marks set by the teacher, with a comment
    assignment = zhanna.assignment
    assignment.review_feedback = "immediately"
    assignment.save()
    page = new_page(viewport=VIEWPORTS[device])
    log_in_as(page, live_server, zhanna.student)

    page.goto(live_server.url + reverse("quizzes:attempt_review", args=[zhanna.pk]))

    expect(page.get_by_text("score set by your teacher")).to_be_visible()
    expect(page.get_by_text("Bishkek is a capital, just not this one")).to_be_visible()
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()
    width = VIEWPORTS[device]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width

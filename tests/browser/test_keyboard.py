"""A quiz completed with the keyboard alone: log in, start, answer, submit. No mouse, no fill()."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from quizzes.models import AttemptState, QuestionType
from tests.browser.quiz_data import assign, enrolled_student, every_type_quiz, full_marks
from tests.factories import SchoolClassFactory

pytestmark = pytest.mark.browser

MAX_TABS = 40

# The focused element, and whether a person can see where the focus is.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const visible = el.matches(':focus-visible')
    && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
        || style.boxShadow !== 'none');
  return {visible, html: el.outerHTML.slice(0, 120)};
}"""


class Keyboard:
    """page.keyboard, plus a record of every focus stop that showed no focus indicator."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unseen_focus: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        if key in ("Tab", "Shift+Tab"):
            state = self.page.evaluate(FOCUS_STATE)
            if not state["visible"]:
                self.unseen_focus.append(state["html"])

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def tab_to(self, target: Locator) -> None:
        """Press Tab until `target` has the focus (failing after MAX_TABS presses)."""
        for _ in range(MAX_TABS):
            self.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{target} never got the focus in {MAX_TABS} Tab presses")

    def choose_option(self, select: Locator, text: str) -> None:
        """Arrow through a focused, closed select until `text` is chosen."""
        expect(select).to_be_focused()
        for _ in range(select.locator("option").count()):
            if select.locator("option:checked").inner_text() == text:
                return
            self.press("ArrowDown")
        expect(select.locator("option:checked")).to_have_text(text)


def test_a_quiz_can_be_completed_with_the_keyboard_alone(page: Page, live_server):
    school_class = SchoolClassFactory()
    enrolled_student(school_class, username="dana")
    quiz = every_type_quiz(
        title="Keyboard quiz",
        types=[
            QuestionType.SINGLE,
            QuestionType.TRUE_FALSE,
            QuestionType.SHORT,
            QuestionType.MATCHING,
        ],
        questions_per_page=0,
        shuffle_choices=False,  # choices in key order: Astana, Almaty, Bishkek; True, False
    )
    assign(quiz, school_class)
    keys = Keyboard(page)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))

    # Log in: the username field has the focus when the page opens.
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    keys.type("dana")
    keys.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    keys.type("pw")
    keys.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    keys.tab_to(page.get_by_role("link", name="Keyboard quiz"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/assignments/\d+/$"))
    keys.tab_to(page.get_by_role("button", name="Start attempt 1"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+/page/0/$"))

    # Question 1, single choice: Tab enters the group on its first radio, Space checks it.
    q1, q2, q3, q4 = (page.locator(f"#q{n}") for n in range(1, 5))
    keys.tab_to(q1.get_by_label("Astana"))
    keys.press("Space")
    expect(q1.get_by_label("Astana")).to_be_checked()

    # Question 2, true/false: the arrows move the choice within the group.
    keys.tab_to(q2.get_by_label("True"))
    keys.press("ArrowDown")
    expect(q2.get_by_label("False")).to_be_checked()
    keys.press("ArrowUp")
    expect(q2.get_by_label("True")).to_be_checked()

    # Question 3, short answer; then Shift+Tab back to the true/false group and forward again.
    keys.tab_to(q3.get_by_label("Your answer"))
    keys.type("Astana")
    keys.press("Shift+Tab")  # question 2's flag button
    keys.press("Shift+Tab")
    expect(q2.get_by_label("True")).to_be_focused()
    expect(q2.get_by_label("True")).to_be_checked()
    keys.tab_to(q3.get_by_label("Your answer"))
    expect(q3.get_by_label("Your answer")).to_have_value("Astana")

    # Question 4, matching: one select per prompt, changed with the arrow keys.
    keys.tab_to(q4.get_by_label("UAE"))
    keys.choose_option(q4.get_by_label("UAE"), "Annexation")
    keys.tab_to(q4.get_by_label("Sudan"))
    keys.choose_option(q4.get_by_label("Sudan"), "Terror list")

    keys.tab_to(page.get_by_role("button", name="Finish attempt…"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/summary/$"))
    expect(page.locator(".notice.ok")).to_have_text("✓ Every question has an answer.")
    keys.tab_to(page.get_by_role("button", name="Submit all and finish"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/review/$"))
    expect(page.locator(".score-big")).to_have_text("100 %")

    assert dialogs == ["Submit your answers now? You cannot change them afterwards."]
    attempt = quiz.assignments.get().attempts.get()
    assert attempt.student.username == "dana"
    assert attempt.state == AttemptState.FINISHED
    assert attempt.score == attempt.max_score == full_marks(attempt) == 4
    assert keys.unseen_focus == [], "focus stops without a visible focus indicator"


def test_enter_in_an_answer_field_goes_on_and_flags_nothing(page: Page, live_server):
    """Enter in a text field submits the form with its default button: the page's own Next,
    never the first question's Flag button (the first submit button in the page's order)."""
    from quizzes.models import AttemptQuestion
    from tests.browser.conftest import log_in_as
    from tests.browser.quiz_data import SHORT_KEY, start_attempt

    school_class = SchoolClassFactory()
    student = enrolled_student(school_class)
    quiz = every_type_quiz(types=[QuestionType.SHORT, QuestionType.SINGLE], questions_per_page=1)
    attempt = start_attempt(student, assign(quiz, school_class))
    log_in_as(page, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/page/0/")

    field = page.locator("#q1").get_by_label("Your answer", exact=True)
    field.fill(SHORT_KEY)
    field.press("Enter")

    expect(page).to_have_url(re.compile(r"/page/1/$"))
    flagged = AttemptQuestion.objects.filter(attempt=attempt, response__is_flagged=True)
    assert not flagged.exists()
    first = AttemptQuestion.objects.get(attempt=attempt, position=1)
    assert first.response.answer == {"text": SHORT_KEY}

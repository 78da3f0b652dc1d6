"""Every page a student sees, each in a telling state, for the accessibility, reflow and
screenshot tests: `PAGES[name](page, live_server)` creates what the page needs and opens it.

Each opener makes its own student and data, so several can run in one test; it leaves the
page loaded and settled (the "connection lost" opener leaves its context offline).
"""

import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from playwright.sync_api import Page, expect

from quizzes.models import QuestionType, ReviewTiming
from tests.browser.conftest import log_in_as
from tests.browser.quiz_data import (
    SCORED_TYPES,
    answer_with_pointer,
    assign,
    enrolled_student,
    every_type_quiz,
    finish,
    flag,
    passage,
    start_attempt,
    store_answers,
    wrong_choice,
)
from tests.factories import (
    BankFactory,
    QuestionFactory,
    SchoolClassFactory,
)

Opener = Callable[[Page, Any], None]
PAGES: dict[str, Opener] = {}

# The attempt pages: a description (the wide-table passage) and then every scored type,
# one per page, so that page N shows ATTEMPT_TYPES[N].
ATTEMPT_TYPES = [QuestionType.DESCRIPTION, *SCORED_TYPES]
SHOW_EVERYTHING = {
    f"review_{part}": ReviewTiming.IMMEDIATELY
    for part in ("score", "correctness", "correct_answer", "feedback", "explanation")
}


def student_page(name: str) -> Callable[[Opener], Opener]:
    def register(opener: Opener) -> Opener:
        PAGES[name] = opener
        return opener

    return register


def _student(page: Page, live_server, school_class=None):
    """A new student, logged in in this page's browser context."""
    student = enrolled_student(
        school_class or SchoolClassFactory(name="Grade 10 B"),
        first_name="Aigerim",
        last_name="Nurlanovna",
    )
    log_in_as(page, live_server, student)
    return student


def _quiz_in_progress(page: Page, live_server, **quiz_options: Any):
    school_class = SchoolClassFactory(name="Grade 10 B")
    student = _student(page, live_server, school_class)
    quiz = every_type_quiz(
        title="Central Asia check-up", types=ATTEMPT_TYPES, questions_per_page=1, **quiz_options
    )
    return start_attempt(student, assign(quiz, school_class))


# --- accounts ----------------------------------------------------------------------------


@student_page("login")
def login(page: Page, live_server) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")


@student_page("login-error")
def login_error(page: Page, live_server) -> None:
    login(page, live_server)
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()


@student_page("signup")
def signup(page: Page, live_server) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/signup/")


@student_page("signup-error")
def signup_error(page: Page, live_server) -> None:
    signup(page, live_server)
    page.get_by_label("Class join code").fill("NOSUCHCODE")
    page.get_by_label("Username").fill("aigerim")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_be_visible()


@student_page("join-class")
def join_class(page: Page, live_server) -> None:
    _student(page, live_server)
    page.goto(f"{live_server.url}/accounts/join/")


@student_page("password-change")
def password_change(page: Page, live_server) -> None:
    _student(page, live_server)
    page.goto(f"{live_server.url}/accounts/password/")


# --- dashboard, start page, history ------------------------------------------------------


@student_page("dashboard")
def dashboard(page: Page, live_server) -> None:
    """Assignments in every state: in progress, open, upcoming, submitted and missed."""
    school_class = SchoolClassFactory(name="Grade 10 B")
    student = _student(page, live_server, school_class)
    single = [QuestionType.SINGLE]
    start_attempt(student, assign(every_type_quiz(title="C5+1 summit", types=single), school_class))
    assign(every_type_quiz(title="Abraham Accords basics", types=single), school_class)
    assign(every_type_quiz(title="Caspian states", types=single), school_class, upcoming=True)
    missed = every_type_quiz(title="Capitals of Central Asia", types=single)
    assign(missed, school_class, closed=True)
    done = assign(every_type_quiz(title="Kazakhstan joins", types=single), school_class)
    finish(start_attempt(student, done))
    page.goto(f"{live_server.url}/")


@student_page("start")
def start(page: Page, live_server) -> None:
    school_class = SchoolClassFactory(name="Grade 10 B")
    _student(page, live_server, school_class)
    quiz = every_type_quiz(
        title="Central Asia check-up",
        description="Ten minutes on the region's capitals and summits.",
        pass_mark=Decimal(60),
    )
    assignment = assign(quiz, school_class)
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/")


@student_page("history")
def history(page: Page, live_server) -> None:
    school_class = SchoolClassFactory(name="Grade 10 B")
    student = _student(page, live_server, school_class)
    quiz = every_type_quiz(title="Central Asia check-up", attempts_allowed=3)
    assignment = assign(quiz, school_class)
    first = start_attempt(student, assignment)
    store_answers(first, {1: "key", 2: "key"})
    finish(first)
    second = start_attempt(student, assignment)
    store_answers(second, dict.fromkeys(range(1, 8), "key"))
    finish(second)
    page.goto(f"{live_server.url}/attempts/")


# --- the attempt -------------------------------------------------------------------------


def attempt_question(qtype: str, page: Page, live_server) -> None:
    attempt = _quiz_in_progress(page, live_server)
    index = ATTEMPT_TYPES.index(qtype)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/page/{index}/")
    expect(page.locator(".timer-value")).to_have_text(re.compile(r"^\d+:\d\d$"))  # JS ticks


for _qtype in ATTEMPT_TYPES:
    student_page(f"attempt-{_qtype}")(partial(attempt_question, _qtype))


@student_page("attempt-connection-lost")
def attempt_connection_lost(page: Page, live_server) -> None:
    attempt = _quiz_in_progress(page, live_server)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/page/1/")
    page.context.set_offline(True)
    answer_with_pointer(page.locator("#q2"), QuestionType.SINGLE)
    expect(page.get_by_role("alert")).to_contain_text("Connection lost")


@student_page("summary")
def summary(page: Page, live_server) -> None:
    """Some questions answered, two not, one flagged."""
    attempt = _quiz_in_progress(page, live_server)
    store_answers(attempt, {2: "key", 3: "key", 4: "key", 5: "key", 6: "key"})
    flag(attempt, 4)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/summary/")


@student_page("review")
def review(page: Page, live_server) -> None:
    """Everything shown at once: score, right/wrong, key, feedback, explanation and source."""
    attempt = _quiz_in_progress(page, live_server, pass_mark=Decimal(60), **SHOW_EVERYTHING)
    answers = dict.fromkeys(range(2, 8), "key")
    answers[2] = wrong_choice(attempt, 2)
    store_answers(attempt, answers)  # question 8 (ordering) left unanswered
    finish(attempt)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/review/")


# --- practice ----------------------------------------------------------------------------


def _practice_bank():
    """A bank whose one askable question is a single-choice one under the wide-table passage."""
    bank = BankFactory(name="Central Asian diplomacy", slug="central-asian-diplomacy")
    QuestionFactory(
        type=QuestionType.SINGLE,
        published=True,
        bank=bank,
        prompt="Which city is the capital of Kazakhstan?",
        stimulus=passage(bank),
        source_title="Timeline of the C5+1 format",
    )
    return bank


@student_page("practice-home")
def practice_home(page: Page, live_server) -> None:
    practice_feedback(page, live_server)  # one open mistake to show
    page.goto(f"{live_server.url}/practice/")


@student_page("practice-question")
def practice_question(page: Page, live_server) -> None:
    _student(page, live_server)
    bank = _practice_bank()
    page.goto(f"{live_server.url}/practice/{bank.slug}/")


@student_page("practice-feedback")
def practice_feedback(page: Page, live_server) -> None:
    """A wrong answer: the verdict, the key, the choice's feedback and a new mistake card."""
    practice_question(page, live_server)
    page.get_by_label("Almaty", exact=True).check()
    page.get_by_role("button", name="Check my answer").click()
    page.wait_for_url(f"{live_server.url}/practice/answers/**")


@student_page("practice-mistakes")
def practice_mistakes(page: Page, live_server) -> None:
    """The open mistake was asked a moment ago: the page says to practise a bank first."""
    practice_feedback(page, live_server)
    page.goto(f"{live_server.url}/practice/mistakes/")


@student_page("practice-paused")
def practice_paused(page: Page, live_server) -> None:
    _quiz_in_progress(page, live_server)
    bank = _practice_bank()
    page.goto(f"{live_server.url}/practice/{bank.slug}/")


def open_student_page(name: str, page: Page, live_server) -> None:
    PAGES[name](page, live_server)
    page.wait_for_load_state("load")

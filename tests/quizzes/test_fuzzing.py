"""Hostile input never breaks a page or the rules: random and malformed posts (wrong types, huge
values, control characters, duplicated fields, unknown fields) to every student endpoint and
to the admin's add and change forms get a 2xx, 3xx or 4xx, never a 500, and whatever they
store still obeys the rules.

Each example starts either from nothing or from the page's own form (as a browser would post
it) with some fields replaced, so the deep paths are reached too. What is stored is checked
after every example: each saved answer is one the question's form could have posted, each
published question has a valid key.

Hypothesis runs a fixed number of examples per endpoint (FUZZ_EXAMPLES, derandomized so CI is
repeatable); `HYPOTHESIS_PROFILE=deep` runs many more, on a random seed, for a longer hunt.
"""

import os
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes import answers
from quizzes.library import has_valid_key
from quizzes.models import (
    Attempt,
    Enrollment,
    Question,
    QuestionStatus,
    QuestionType,
    Response,
)
from quizzes.services import attempt_finish
from quizzes.urls import urlpatterns
from tests.browser.quiz_data import assign, enrolled_student, every_type_quiz, start_attempt
from tests.factories import BankFactory, QuizFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
FUZZ_EXAMPLES = 400 if DEEP else 12
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=not DEEP,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "",
    "0",
    "-1",
    "1e999",
    "-1e999",
    "NaN",
    "inf",
    "1.5",
    "9" * 60,
    "\x00",
    "\x00abc",
    "a\x1bb",
    "\u202e",
    "null",
    "[]",
    "{}",
    "true",
    "<script>alert(1)</script>",
    "2025-13-45T99:99",
    "１２",
    "٣",
    "x" * 5000,
    "' OR 1=1 --",
    "../../etc/passwd",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
FIELD_VALUES = st.lists(VALUES, min_size=1, max_size=3)  # several: a duplicated field

# --- reading a page's forms ----------------------------------------------------------------------


class Forms(HTMLParser):
    """The fields of every <form method="post"> on a page: name → values, and the actions."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = (found.get("method") or "").lower() == "post"
        if not self.inside:
            return
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in ("file", "image", "reset"):
            kind = found.get("type") or "text"
            if kind in ("checkbox", "radio", "submit") and "checked" not in found:
                self.fields.setdefault(name, [])
                return
            self.fields.setdefault(name, []).append(found.get("value") or "")
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in found:
            self.fields[self.select].append(found.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea][-1] += data


def page_form(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url, follow=True)
    reader = Forms()
    reader.feed(response.content.decode(errors="replace"))
    reader.fields.pop("csrfmiddlewaretoken", None)
    return reader.fields


def hostile_posts(known: dict[str, list[str]]) -> st.SearchStrategy[dict[str, list[str]]]:
    """The page's form with some fields replaced, dropped or added; or random fields alone."""
    names = [*sorted(known), "position", "revision", "page", "question", "token", "extra"]
    changes = st.dictionaries(st.sampled_from(names), FIELD_VALUES, max_size=6)
    dropped = st.sets(st.sampled_from(sorted(known) or ["none"]), max_size=4)

    @st.composite
    def build(draw: Any) -> dict[str, list[str]]:
        data = {name: list(values) for name, values in known.items()} if draw(st.booleans()) else {}
        for name in draw(dropped):
            data.pop(name, None)
        data.update(draw(changes))
        return {name: values for name, values in data.items() if values}

    return build()


def post(client: Client, url: str, data: dict[str, list[str]]) -> int:
    """Post as a browser would; a 500 (or an exception in the view) fails the test."""
    response = client.post(url, data)
    assert response.status_code < 500, (url, data, response.status_code)
    return response.status_code


# --- what must hold after every example ----------------------------------------------------------


def assert_answers_follow_the_rules(student: Any) -> None:
    """Every stored answer is one the question's own form could post (it survives a round trip
    through the form), or empty."""
    for response in Response.objects.filter(
        attempt_question__attempt__student=student
    ).select_related("attempt_question"):
        aq = response.attempt_question
        if not response.answer:
            continue
        prefix = f"q{aq.position}"
        posted = answers.form_data(aq.snapshot, aq.display_order, response.answer, prefix)
        again = answers.parse_answer(aq.snapshot, aq.display_order, posted, prefix)
        assert again == response.answer, (aq.snapshot["type"], response.answer)


def assert_published_keys_valid() -> None:
    published = Question.objects.with_parts().filter(status=QuestionStatus.PUBLISHED)
    assert [q.title for q in published if not has_valid_key(q)] == []


# --- student endpoints ---------------------------------------------------------------------------


@pytest.fixture
def world(db):
    """A student mid-attempt at a quiz of every type, with a practice bank and a finished
    attempt to review."""
    student = enrolled_student()
    school_class = Enrollment.objects.get(student=student).school_class
    quiz = every_type_quiz(
        types=[*[t for t in QuestionType.values if t != QuestionType.DESCRIPTION]],
        attempts_allowed=0,
    )
    assignment = assign(quiz, school_class)
    done = start_attempt(student, assignment)
    attempt_finish(attempt=done, now=timezone.now())
    attempt = start_attempt(student, assignment)
    bank = quiz.slots.first().question.bank
    client = Client()
    client.force_login(student)
    return {
        "student": student,
        "client": client,
        "attempt": attempt,
        "done": done,
        "assignment": assignment,
        "bank": bank,
    }


def student_urls(world: dict[str, Any]) -> dict[str, str]:
    attempt, done = world["attempt"], world["done"]
    return {
        "login": reverse("quizzes:login"),
        "logout": reverse("quizzes:logout"),
        "password_change": reverse("quizzes:password_change"),
        "password_change_done": reverse("quizzes:password_change_done"),
        "signup": reverse("quizzes:signup"),
        "join_class": reverse("quizzes:join_class"),
        "dashboard": reverse("quizzes:dashboard"),
        "home": reverse("quizzes:home"),
        "assignment_start": reverse("quizzes:assignment_start", args=[world["assignment"].pk]),
        "history": reverse("quizzes:history"),
        "attempt_resume": reverse("quizzes:attempt_resume", args=[attempt.pk]),
        "attempt_take": reverse("quizzes:attempt_take", args=[attempt.pk, 1]),
        "attempt_autosave": reverse("quizzes:attempt_autosave", args=[attempt.pk]),
        "attempt_summary": reverse("quizzes:attempt_summary", args=[attempt.pk]),
        "attempt_submit": reverse("quizzes:attempt_submit", args=[attempt.pk]),
        "attempt_time_up": reverse("quizzes:attempt_time_up", args=[attempt.pk]),
        "attempt_review": reverse("quizzes:attempt_review", args=[done.pk]),
        "practice_home": reverse("quizzes:practice_home"),
        "practice_mistakes": reverse("quizzes:practice_mistakes"),
        "practice_result": reverse("quizzes:practice_result", args=[1]),
        "practice_bank": reverse("quizzes:practice_bank", args=[world["bank"].slug]),
    }


# The page whose form a post to each endpoint comes from (the autosave posts a page's fields).
FORM_PAGE = {"attempt_autosave": "attempt_take", "attempt_submit": "attempt_summary"}


def test_every_student_endpoint_is_fuzzed():
    """A new student URL must be added to student_urls (and so to the fuzzing)."""
    names = {pattern.name for pattern in urlpatterns}
    with open(__file__, encoding="utf-8") as source:
        listed = set(re.findall(r'"quizzes:(\w+)"', source.read()))
    assert names <= listed


@pytest.mark.parametrize(
    "name",
    [
        "attempt_take",
        "attempt_autosave",
        "attempt_summary",
        "attempt_submit",
        "attempt_time_up",
        "attempt_resume",
        "attempt_review",
        "assignment_start",
        "practice_bank",
        "practice_mistakes",
        "practice_result",
        "practice_home",
        "join_class",
        "password_change",
        "dashboard",
        "history",
    ],
)
def test_student_endpoints_survive_hostile_posts(world, name):
    urls = student_urls(world)
    client = world["client"]
    known = page_form(client, urls[FORM_PAGE.get(name, name)])

    @FUZZ_SETTINGS
    @given(data=hostile_posts(known))
    def fuzz(data: dict[str, list[str]]) -> None:
        post(client, urls[name], data)
        assert_answers_follow_the_rules(world["student"])
        client.get(urls[FORM_PAGE.get(name, name)])  # and the page still renders

    fuzz()
    assert Attempt.objects.filter(student=world["student"]).count() >= 1


@pytest.mark.parametrize("name", ["login", "signup"])
def test_anonymous_endpoints_survive_hostile_posts(db, name):
    url = reverse(f"quizzes:{name}")
    known = page_form(Client(), url)

    @FUZZ_SETTINGS
    @given(data=hostile_posts(known))
    def fuzz(data: dict[str, list[str]]) -> None:
        post(Client(), url, data)

    fuzz()


# --- the admin's forms ---------------------------------------------------------------------------


def admin_forms(teacher: Any) -> dict[str, str]:
    school_class = SchoolClassFactory(teachers=[teacher])
    quiz = every_type_quiz(types=[QuestionType.SINGLE, QuestionType.ORDERING])
    question = quiz.slots.first().question
    assignment = assign(quiz, school_class)
    urls = {
        f"question_add_{qtype}": reverse("admin:quizzes_question_add") + f"?type={qtype}"
        for qtype in QuestionType.values
    }
    urls |= {
        "question_change": reverse("admin:quizzes_question_change", args=[question.pk]),
        "quiz_add": reverse("admin:quizzes_quiz_add"),
        "quiz_change": reverse("admin:quizzes_quiz_change", args=[QuizFactory().pk]),
        "class_add": reverse("admin:quizzes_schoolclass_add"),
        "class_change": reverse("admin:quizzes_schoolclass_change", args=[school_class.pk]),
        "assignment_add": reverse("admin:quizzes_assignment_add") + f"?quiz={quiz.pk}",
        "assignment_change": reverse("admin:quizzes_assignment_change", args=[assignment.pk]),
        "bank_add": reverse("admin:quizzes_bank_add"),
        "bank_change": reverse("admin:quizzes_bank_change", args=[BankFactory().pk]),
    }
    return urls


def test_admin_forms_survive_hostile_posts(teacher, teacher_client):
    urls = admin_forms(teacher)
    known = {name: page_form(teacher_client, url) for name, url in urls.items()}
    assert all(known.values()), [name for name, fields in known.items() if not fields]
    names = sorted(urls)

    @settings(FUZZ_SETTINGS, max_examples=FUZZ_EXAMPLES * 6)
    @given(st.data())
    def fuzz(data: Any) -> None:
        name = data.draw(st.sampled_from(names))
        post(teacher_client, urls[name], data.draw(hostile_posts(known[name])))
        assert_published_keys_valid()

    fuzz()

"""Exam integrity: the server's clock decides a time-out, stray control characters never cost a
student their answers, "Continue" always leads somewhere, and a classmate's extension stays
private while it keeps the results hidden (product invariants 2, 3 and 8)."""

import datetime
import itertools
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from quizzes.models import (
    Attempt,
    AttemptState,
    FinishReason,
    Navigation,
    PracticeAnswer,
    Question,
    Response,
    ReviewTiming,
)
from quizzes.models.quiz import REVIEW_FIELDS
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"  # what a browser's form and attempt.js post
SECRET = "SENTINEL-EXPLANATION-4b1d"


def make_quiz(types, *, per_page=1, **quiz_fields):
    quiz = QuizFactory(published=True, questions_per_page=per_page, **quiz_fields)
    for position, qtype in enumerate(types):
        SlotFactory(
            quiz=quiz, position=position, question=QuestionFactory(type=qtype, published=True)
        )
    return quiz


def start(student, quiz, **assignment_fields):
    assignment = AssignmentFactory(quiz=quiz, **assignment_fields)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    return attempt_start(student=student, assignment=assignment, now=timezone.now())


def take_url(attempt, page=0):
    return reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": page})


def submit_url(attempt):
    return reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk})


def summary_url(attempt):
    return reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk})


def now_ms():
    return int(timezone.now().timestamp() * 1000)


def answers_by_position(attempt):
    return dict(
        Response.objects.filter(attempt_question__attempt=attempt).values_list(
            "attempt_question__position", "answer"
        )
    )


class _Links(HTMLParser):
    """Hidden fields and links (with their text) of a page, read as a browser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs.get("value") or ""
        if tag == "a" and attrs.get("href"):
            self._href, self._text = attrs["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def read(response) -> _Links:
    parser = _Links()
    parser.feed(response.content.decode())
    return parser


# -- the server's clock decides a time-out (invariant 8) ----------------------------------


def test_a_forged_time_up_flag_before_the_deadline_is_recorded_as_a_submit(student, student_client):
    attempt = start(student, make_quiz(["short"]))
    before = timezone.now()

    student_client.post(submit_url(attempt), {"time_up": "1"})

    after = timezone.now()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finish_reason == FinishReason.SUBMITTED
    assert before <= attempt.finished_at <= after < attempt.deadline


def time_up_url(attempt):
    return reverse("quizzes:attempt_time_up", kwargs={"pk": attempt.pk})


def test_a_page_whose_countdown_ran_out_early_never_ends_the_attempt(student, student_client):
    """Extra time given while the page was open: the page asks, the clock says "not yet"."""
    attempt = start(student, make_quiz(["short"]))

    reply = student_client.post(time_up_url(attempt))

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    assert reply.json()["finished"] is False
    ms_left = (attempt.deadline - timezone.now()).total_seconds() * 1000
    assert ms_left - 5_000 <= reply.json()["ms_left"] <= ms_left + 5_000


def test_a_countdown_at_the_deadline_ends_the_attempt_as_a_time_out(student, student_client):
    attempt = start(student, make_quiz(["short"]))
    student_client.post(take_url(attempt), {"q1-text": "Astana"})
    deadline = timezone.now() - datetime.timedelta(seconds=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)

    reply = student_client.post(time_up_url(attempt))

    attempt.refresh_from_db()
    assert reply.json() == {
        "finished": True,
        "redirect": reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}),
    }
    assert (attempt.state, attempt.finish_reason) == (AttemptState.FINISHED, "timed_out")
    assert attempt.finished_at == deadline
    assert attempt.score == 1  # the saved answer counts


def test_the_time_up_call_is_post_only_and_another_students_is_a_404(
    student, student_client, other_student, client
):
    attempt = start(student, make_quiz(["short"]))
    client.force_login(other_student)

    assert student_client.get(time_up_url(attempt)).status_code == 405
    assert client.post(time_up_url(attempt)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


@pytest.mark.parametrize(
    "posted", [{}, {"time_up": "0"}, {"time_up": "1"}], ids=["nothing", "no-flag", "flag"]
)
def test_a_submit_past_the_deadline_is_a_time_out_dated_at_the_deadline_whatever_is_posted(
    student, student_client, settings, posted
):
    settings.QUIZZES_GRACE_SECONDS = 60
    attempt = start(student, make_quiz(["short"]))
    student_client.post(take_url(attempt), {"q1-text": "Astana"})
    deadline = timezone.now() - datetime.timedelta(seconds=20)  # within the grace period
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)

    student_client.post(submit_url(attempt), posted)

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finish_reason == FinishReason.TIMED_OUT
    assert attempt.finished_at == deadline
    assert attempt.score == 1  # the answer saved in time still counts


# -- NUL and control characters never cost an answer ---------------------------------------

TYPED_WITH_CONTROLS = "\x00Ast\x00an\x01a\x7f"


def test_control_characters_on_the_attempt_page_are_dropped_and_every_answer_is_saved(
    student, student_client
):
    attempt = start(student, make_quiz(["short", "numeric", "single"], per_page=0))
    hidden = read(student_client.get(take_url(attempt))).hidden
    single = attempt.attempt_questions.get(position=3)

    response = student_client.post(
        take_url(attempt),
        urlencode(
            {**hidden, "q1-text": TYPED_WITH_CONTROLS, "q2-value": "19\x0092\x01", "q3-choice": "2"}
        ),
        content_type=FORM,
    )

    assert response.status_code == 302
    assert answers_by_position(attempt) == {
        1: {"text": "Astana"},
        2: {"value": "1992"},
        3: {"choice": single.display_order[1]},
    }


def test_control_characters_in_an_autosave_are_dropped(student, student_client):
    attempt = start(student, make_quiz(["short"]))

    response = student_client.post(
        reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk}),
        urlencode({"position": 1, "revision": now_ms(), "q1-text": TYPED_WITH_CONTROLS}),
        content_type=FORM,
    )

    assert response.status_code == 200
    reply = response.json()
    assert reply.pop("ms_left") > 0
    assert reply == {"ok": True, "stored": True, "position": 1, "answered": True}
    assert answers_by_position(attempt) == {1: {"text": "Astana"}}


def test_control_characters_in_a_practice_answer_are_dropped(student, student_client):
    bank = BankFactory()
    question = QuestionFactory(bank=bank, type="short", published=True)
    url = reverse("quizzes:practice_bank", kwargs={"slug": bank.slug})
    hidden = read(student_client.get(url)).hidden

    response = student_client.post(
        url, urlencode({**hidden, "answer-text": TYPED_WITH_CONTROLS}), content_type=FORM
    )

    assert response.status_code == 302
    answer = PracticeAnswer.objects.get(student=student, question=question)
    assert answer.answer == {"text": "Astana"}
    assert answer.fraction == 1


def test_a_nul_in_an_admin_search_or_autocomplete_is_ignored(teacher_client):
    passage = QuestionFactory(type="description", title="Passage on the C5+1 summit")
    question = QuestionFactory(title="Capital of Kazakhstan")
    quiz = QuizFactory(published=True)
    autocomplete = reverse("admin:autocomplete")

    changelist = teacher_client.get(reverse("admin:quizzes_question_changelist"), {"q": "\x00"})
    quizzes = teacher_client.get(
        autocomplete,
        {"app_label": "quizzes", "model_name": "assignment", "field_name": "quiz", "term": "\x00"},
    )
    stimuli = teacher_client.get(
        autocomplete,
        {
            "app_label": "quizzes",
            "model_name": "question",
            "field_name": "stimulus",
            "term": "\x00",
        },
    )

    assert changelist.status_code == 200
    assert question.title in changelist.text  # searching for nothing lists everything
    assert quizzes.status_code == 200
    assert str(quiz.pk) in [row["id"] for row in quizzes.json()["results"]]
    assert stimuli.status_code == 200
    assert [row["id"] for row in stimuli.json()["results"]] == [str(passage.pk)]


# -- "Continue" always leads to a page ------------------------------------------------------


def continue_links(client, attempt) -> dict[str, list[str]]:
    """The "Continue" links of the dashboard, the start page and the history, by page."""
    pages = {
        "dashboard": reverse("quizzes:dashboard"),
        "start": reverse("quizzes:assignment_start", kwargs={"pk": attempt.assignment_id}),
        "history": reverse("quizzes:history"),
    }
    return {
        name: [href for href, text in read(client.get(url)).links if text.startswith("Continue")]
        for name, url in pages.items()
    }


def test_continue_after_reaching_the_summary_leads_to_the_summary(student, student_client):
    attempt = start(student, make_quiz(["short", "short"]))
    student_client.post(take_url(attempt, 0), {"q1-text": "Astana", "nav": "next"})
    student_client.post(take_url(attempt, 1), {"q2-text": "Almaty", "nav": "summary"})

    links = continue_links(student_client, attempt)

    assert links["dashboard"] and links["start"]
    for href in itertools.chain(*links.values()):
        response = student_client.get(href, follow=True)
        assert response.status_code == 200, href
        assert response.redirect_chain[-1][0] == summary_url(attempt)
        assert "Summary before you submit" in response.text


def test_continue_in_a_sequential_quiz_leads_to_the_current_page(student, student_client):
    quiz = make_quiz(["short", "short", "short"], navigation=Navigation.SEQUENTIAL)
    attempt = start(student, quiz)
    student_client.post(take_url(attempt, 0), {"q1-text": "Astana", "nav": "next"})

    links = continue_links(student_client, attempt)

    assert links["dashboard"] and links["start"]
    for href in itertools.chain(*links.values()):
        response = student_client.get(href, follow=True)
        assert response.status_code == 200, href
        assert response.redirect_chain[-1][0] == take_url(attempt, 1)


# -- a classmate's extension -----------------------------------------------------------------


def date_texts(moment: datetime.datetime) -> list[str]:
    """The ways a page could write a date: the site's formats, ISO, local and UTC."""
    local = timezone.localtime(moment)
    formats = ["D j M", "D j M Y", "j M", "j F", "j F Y", "F j", "Y-m-d", "d.m.Y", "d/m/Y", "c"]
    return [dateformat.format(local, f) for f in formats] + [
        moment.astimezone(datetime.UTC).date().isoformat(),
        moment.astimezone(datetime.UTC).isoformat(),
    ]


def mentions(text: str, written: str) -> bool:
    return re.search(rf"(?<![0-9]){re.escape(written)}(?![0-9])", text) is not None


def test_a_classmates_extension_is_never_shown_and_keeps_results_hidden_until_it_ends(
    student, other_student, student_client
):
    quiz = make_quiz(["short"], **dict.fromkeys(REVIEW_FIELDS, ReviewTiming.AFTER_CLOSE))
    Question.objects.filter(slots__quiz=quiz).update(explanation=SECRET)
    attempt = start(student, quiz)
    assignment = attempt.assignment
    student_client.post(take_url(attempt), {"q1-text": "Astana"})
    student_client.post(submit_url(attempt))
    now = timezone.now()
    assignment.opens_at = now - datetime.timedelta(days=3)
    assignment.closes_at = now - datetime.timedelta(hours=1)  # closed for this student ...
    assignment.save()
    EnrollmentFactory(school_class=assignment.school_class, student=other_student)
    extension = now + datetime.timedelta(days=10)  # ... and open for a classmate until then
    override = AssignmentOverrideFactory(
        assignment=assignment, student=other_student, closes_at=extension, time_limit_minutes=None
    )
    pages = {
        "dashboard": reverse("quizzes:dashboard"),
        "history": reverse("quizzes:history"),
        "start": reverse("quizzes:assignment_start", kwargs={"pk": assignment.pk}),
        "review": reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}),
    }

    during = {name: student_client.get(url).text for name, url in pages.items()}

    for name, text in during.items():
        assert "closed for everyone" in text, name
        assert [d for d in date_texts(extension) if mentions(text, d)] == [], name
    assert "Score 100%" not in during["dashboard"]
    assert "Score 1 / 1" not in during["history"]
    assert "100 %" not in during["review"] and SECRET not in during["review"]

    override.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    override.save()
    after = {name: student_client.get(url).text for name, url in pages.items()}

    assert "Score 100%" in after["dashboard"]
    assert "Score 1 / 1 (100%)" in after["history"]
    assert "100 %" in after["review"] and SECRET in after["review"]

"""Taking an attempt in the browser without JavaScript: pages, saves, flags, summary, submit,
review; and the integrity rules a school relies on."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import grading
from quizzes.answers import form_data
from quizzes.models import (
    AcceptedAnswer,
    AssignmentOverride,
    Attempt,
    AttemptState,
    Choice,
    FinishReason,
    Navigation,
    NumericAnswer,
    QuestionType,
    Response,
    ReviewTiming,
)
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db
SCORED_TYPES = [t for t in QuestionType.values if t != QuestionType.DESCRIPTION]
SECRET = "SENTINEL"


def make_quiz(*, types=SCORED_TYPES, per_page=1, navigation=Navigation.FREE, **quiz_fields):
    quiz = QuizFactory(
        published=True, questions_per_page=per_page, navigation=navigation, **quiz_fields
    )
    for position, qtype in enumerate(types):
        SlotFactory(
            quiz=quiz, position=position, question=QuestionFactory(type=qtype, published=True)
        )
    return quiz


def start(student, quiz=None, **assignment_fields):
    assignment = AssignmentFactory(quiz=quiz or make_quiz(), **assignment_fields)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    return attempt_start(student=student, assignment=assignment, now=timezone.now())


def take_url(attempt, page=0):
    return reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": page})


def key_post(aq):
    """The form fields a student posts to answer one attempt question correctly."""
    key = grading.correct_answer(aq.snapshot)
    return form_data(aq.snapshot, aq.display_order, key, f"q{aq.position}")


# -- the happy path ------------------------------------------------------------------------


def test_a_student_answers_every_type_page_by_page_and_scores_full_marks(student, student_client):
    attempt = start(student)
    questions = list(attempt.attempt_questions.order_by("position"))

    for page, aq in enumerate(questions):
        response = student_client.post(take_url(attempt, page), {**key_post(aq), "nav": "next"})
        assert response.status_code == 302
    summary = student_client.get(reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk}))
    assert "Every question has an answer" in summary.text
    student_client.post(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}))

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finish_reason == FinishReason.SUBMITTED
    assert attempt.score == attempt.max_score == Decimal(len(SCORED_TYPES))


def test_answers_are_shown_again_when_the_student_comes_back(student, student_client):
    attempt = start(student, make_quiz(types=["short", "single"], per_page=2))
    _short, single = attempt.attempt_questions.order_by("position")

    student_client.post(take_url(attempt), {"q1-text": "Astana", "q2-choice": "2"})
    page = student_client.get(take_url(attempt))

    assert 'value="Astana"' in page.text
    assert re.search(r'value="2"\s+checked', page.text)
    assert Response.objects.get(attempt_question=single).answer == {
        "choice": single.display_order[1]
    }


def test_leaving_a_question_blank_clears_the_previous_answer(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    student_client.post(take_url(attempt), {"q1-text": "Astana"})

    student_client.post(take_url(attempt), {"q1-text": ""})

    assert Response.objects.get().answer == {}


def test_flagging_toggles_and_keeps_the_answer(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))

    student_client.post(take_url(attempt), {"q1-text": "Almaty", "flag": "1:on"})
    student_client.post(take_url(attempt), {"q1-text": "Almaty", "flag": "1:on"})  # double click
    response = Response.objects.get()
    assert response.is_flagged and response.answer == {"text": "Almaty"}

    student_client.post(take_url(attempt), {"q1-text": "Almaty", "flag": "1:off"})
    response.refresh_from_db()
    assert not response.is_flagged


def test_summary_lists_unanswered_and_flagged_questions(student, student_client):
    attempt = start(student, make_quiz(types=["short", "short", "short"], per_page=3))
    student_client.post(
        take_url(attempt), {"q1-text": "x", "q2-text": "", "q3-text": "y", "flag": "3:on"}
    )

    page = student_client.get(reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk}))

    assert "1 question is not answered" in page.text
    assert "Flagged" in page.text


def test_ordering_with_two_items_in_one_place_keeps_what_was_given(student, student_client):
    attempt = start(student, make_quiz(types=["ordering"]))
    shown = attempt.attempt_questions.get().display_order

    student_client.post(take_url(attempt), {"q1-rank-1": "1", "q1-rank-2": "1"})
    page = student_client.get(take_url(attempt))

    assert Response.objects.get().answer == {
        "order": [shown[0], None, None],
        "ranks": {str(shown[0]): 1, str(shown[1]): 1},
    }
    assert len(re.findall(r'<option value="1" selected>', page.text)) == 2


def test_a_strange_nav_value_keeps_the_student_on_the_page(student, student_client):
    attempt = start(student, make_quiz(types=["short", "short"]))

    response = student_client.post(take_url(attempt), {"q1-text": "x", "nav": "page-²"})

    assert response.status_code == 302 and response.url == take_url(attempt, 0)
    assert Response.objects.get(attempt_question__position=1).answer == {"text": "x"}


def test_an_untouched_question_in_a_stale_tab_does_not_undo_a_newer_answer(student, client):
    attempt = start(student, make_quiz(types=["short"]))
    client.force_login(student)
    stale_page = client.get(take_url(attempt)).text
    seen = re.search(r'name="q1-seen" value="([0-9a-f]*)"', stale_page)[1]
    autosave(client, attempt, position=1, revision=now_ms(), **{"q1-text": "from the other tab"})

    client.post(take_url(attempt), {"q1-text": "", "q1-seen": seen, "nav": "next"})

    assert Response.objects.get().answer == {"text": "from the other tab"}


def test_a_changed_question_in_a_stale_tab_is_saved(student, client):
    attempt = start(student, make_quiz(types=["short"]))
    client.force_login(student)
    stale_page = client.get(take_url(attempt)).text
    seen = re.search(r'name="q1-seen" value="([0-9a-f]*)"', stale_page)[1]
    autosave(client, attempt, position=1, revision=now_ms() - 10, **{"q1-text": "older"})

    client.post(take_url(attempt), {"q1-text": "typed here", "q1-seen": seen})

    assert Response.objects.get().answer == {"text": "typed here"}


# -- sequential navigation -----------------------------------------------------------------


def test_sequential_quiz_never_goes_back(student, student_client):
    attempt = start(student, make_quiz(types=["short", "short"], navigation=Navigation.SEQUENTIAL))
    student_client.post(take_url(attempt, 0), {"q1-text": "first", "nav": "next"})

    back = student_client.get(take_url(attempt, 0))
    late = student_client.post(take_url(attempt, 0), {"q1-text": "changed"})

    assert back.status_code == 302 and back.url == take_url(attempt, 1)
    assert late.status_code == 302
    assert Response.objects.get(attempt_question__position=1).answer == {"text": "first"}


def test_a_slow_request_cannot_reopen_a_page_the_quiz_moved_past(student, student_client):
    attempt = start(student, make_quiz(types=["short", "short"], navigation=Navigation.SEQUENTIAL))
    from quizzes.services import PageClosedError, attempt_page_save

    Attempt.objects.filter(pk=attempt.pk).update(current_page=1)  # "Next" already happened
    on_page = list(attempt.attempt_questions.select_related("response").filter(page=0))

    with pytest.raises(PageClosedError):
        attempt_page_save(
            attempt=attempt,
            on_page=on_page,
            answers={},
            flag=(1, True),
            page=0,
            target=0,
            now=timezone.now(),
        )
    attempt.refresh_from_db()
    assert attempt.current_page == 1
    assert not Response.objects.filter(is_flagged=True).exists()


def test_sequential_quiz_cannot_skip_ahead(student, student_client):
    attempt = start(student, make_quiz(types=["short", "short"], navigation=Navigation.SEQUENTIAL))

    response = student_client.get(take_url(attempt, 1))

    assert response.status_code == 302 and response.url == take_url(attempt, 0)


# -- deadlines -----------------------------------------------------------------------------


def _expire(attempt, minutes_ago):
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def test_an_answer_within_the_grace_period_is_accepted(student, student_client, settings):
    settings.QUIZZES_GRACE_SECONDS = 60
    attempt = start(student, make_quiz(types=["short"]))
    _expire(attempt, minutes_ago=0.5)

    student_client.post(take_url(attempt), {"q1-text": "just in time"})

    assert Response.objects.get().answer == {"text": "just in time"}


def test_an_answer_after_the_grace_period_is_refused_and_the_attempt_finished(
    student, student_client, settings
):
    settings.QUIZZES_GRACE_SECONDS = 60
    attempt = start(student, make_quiz(types=["short"]))
    student_client.post(take_url(attempt), {"q1-text": "saved in time"})
    _expire(attempt, minutes_ago=5)

    response = student_client.post(take_url(attempt), {"q1-text": "too late"})

    assert response.status_code == 302
    assert Response.objects.get().answer == {"text": "saved in time"}
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finish_reason == FinishReason.TIMED_OUT
    assert attempt.finished_at == attempt.deadline


def test_an_abandoned_attempt_is_finished_by_the_cron_command(student):
    from django.core.management import call_command

    attempt = start(student, make_quiz(types=["short"]))
    _expire(attempt, minutes_ago=10)

    call_command("finish_overdue_attempts", stdout=open("/dev/null", "w"))  # noqa: SIM115

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finished_at == attempt.deadline


# -- access --------------------------------------------------------------------------------


def test_another_students_attempt_pages_answer_404(student, other_student, client):
    attempt = start(student, make_quiz(types=["short"]))
    client.force_login(other_student)
    urls = [
        take_url(attempt),
        reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk}),
        reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}),
    ]

    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(take_url(attempt), {"q1-text": "x"}).status_code == 404
    assert (
        client.post(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk})).status_code == 404
    )
    assert Response.objects.get().answer == {}
    assert Attempt.objects.get().state == AttemptState.IN_PROGRESS


def test_anonymous_visitors_are_sent_to_log_in(student, client):
    attempt = start(student, make_quiz(types=["short"]))

    response = client.get(take_url(attempt))

    assert response.status_code == 302
    assert "login" in response.url


def test_every_post_requires_csrf(student):
    attempt = start(student, make_quiz(types=["short"]))
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)

    for url, data in [
        (take_url(attempt), {"q1-text": "x"}),
        (reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk}), {"position": 1}),
        (reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}), {}),
    ]:
        assert client.post(url, data).status_code == 403
    assert Attempt.objects.get().state == AttemptState.IN_PROGRESS
    assert Response.objects.get().answer == {}


def test_attempt_and_review_pages_are_never_cached(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    pages = [take_url(attempt), reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk})]
    responses = [student_client.get(url) for url in pages]
    student_client.post(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}))
    responses.append(
        student_client.get(reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}))
    )

    for response in responses:
        assert "no-store" in response.headers["Cache-Control"]


# -- tampering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        "foreign_choice",
        "unknown_question",
        "extra_field",
        "match_unknown",
        "rank_out_of_range",
        "unicode_digit",
        "flag_garbage",
    ],
)
def test_tampered_posts_are_rejected_with_400_and_store_nothing(student, student_client, tamper):
    attempt = start(student, make_quiz(types=["single", "matching", "ordering"], per_page=3))
    single, matching, ordering = attempt.attempt_questions.order_by("position")
    other = QuestionFactory(type="single", published=True)
    foreign = other.choices.first().pk
    valid = {**key_post(single), **key_post(matching), **key_post(ordering)}
    data = {
        "foreign_choice": {**valid, "q1-choice": "5"},
        "unknown_question": {**valid, "q9-choice": "1"},
        "extra_field": {**valid, "score": "100"},
        "match_unknown": {**valid, "q2-match-1": str(foreign)},
        "rank_out_of_range": {**valid, "q3-rank-1": "9"},
        "unicode_digit": {**valid, "q1-choice": "²"},
        "flag_garbage": {**valid, "flag": "1:maybe"},
    }[tamper]

    response = student_client.post(take_url(attempt), data)

    assert response.status_code == 400
    assert set(Response.objects.values_list("revision", flat=True)) == {0}


def test_posting_to_another_attempts_id_cannot_touch_it(student, other_student, client):
    mine = start(student, make_quiz(types=["short"]))
    theirs = start(other_student, make_quiz(types=["short"]))
    client.force_login(student)

    response = client.post(
        reverse("quizzes:attempt_autosave", kwargs={"pk": theirs.pk}),
        {"position": 1, "revision": 1, "q1-text": "x"},
    )

    assert response.status_code == 404
    assert not Response.objects.filter(attempt_question__attempt=theirs).exclude(answer={}).exists()
    assert mine.state == AttemptState.IN_PROGRESS


# -- autosave ------------------------------------------------------------------------------


def autosave(client, attempt, **data):
    return client.post(reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk}), data)


def now_ms():
    return int(timezone.now().timestamp() * 1000)


def test_autosave_stores_one_answer_and_reports_it(student, student_client):
    attempt = start(student, make_quiz(types=["short", "numeric"], per_page=2))

    response = autosave(
        student_client, attempt, position=2, revision=now_ms(), **{"q2-value": "1992"}
    )

    reply = response.json()
    assert 0 < reply.pop("ms_left") <= 20 * 60 * 1000  # the server's time left, for the page
    assert reply == {"ok": True, "stored": True, "position": 2, "answered": True}
    assert Response.objects.get(attempt_question__position=2).answer == {"value": "1992"}


def test_a_stale_autosave_never_overwrites_a_newer_answer(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    newer = now_ms()
    autosave(student_client, attempt, position=1, revision=newer, **{"q1-text": "newer"})

    response = autosave(
        student_client, attempt, position=1, revision=newer - 500, **{"q1-text": "older"}
    )

    assert response.json()["stored"] is False
    assert Response.objects.get().answer == {"text": "newer"}


def test_two_tabs_saving_different_questions_lose_nothing(student, client):
    attempt = start(student, make_quiz(types=["short", "short"], per_page=2))
    tab_a, tab_b = Client(), Client()
    tab_a.force_login(student)
    tab_b.force_login(student)

    autosave(tab_a, attempt, position=1, revision=now_ms(), **{"q1-text": "from A"})
    autosave(tab_b, attempt, position=2, revision=now_ms() - 1000, **{"q2-text": "from B"})

    answers = dict(Response.objects.values_list("attempt_question__position", "answer"))
    assert answers == {1: {"text": "from A"}, 2: {"text": "from B"}}


def test_the_same_autosave_retried_stores_once(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    revision = now_ms()

    first = autosave(student_client, attempt, position=1, revision=revision, **{"q1-text": "a"})
    again = autosave(student_client, attempt, position=1, revision=revision, **{"q1-text": "a"})

    assert (first.json()["stored"], again.json()["stored"]) == (True, False)
    assert Response.objects.get().answer == {"text": "a"}


@pytest.mark.parametrize(
    "data",
    [
        {"position": 1, "revision": "soon", "q1-text": "x"},
        {"position": 7, "revision": 1, "q1-text": "x"},
        {"position": 1, "revision": 1, "q1-text": "x", "fraction": "1"},
        {"position": 1, "revision": 10**15, "q1-text": "x"},
    ],
    ids=["bad-revision", "no-such-question", "extra-field", "revision-from-the-future"],
)
def test_bad_autosaves_are_rejected(student, student_client, data):
    attempt = start(student, make_quiz(types=["short"]))

    response = autosave(student_client, attempt, **data)

    assert response.status_code == 400
    assert Response.objects.get().answer == {}


def test_autosave_after_the_deadline_is_refused_and_says_where_to_go(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    _expire(attempt, minutes_ago=5)

    response = autosave(student_client, attempt, position=1, revision=now_ms(), **{"q1-text": "x"})

    assert response.status_code == 409
    assert response.json()["redirect"].endswith(f"/attempts/{attempt.pk}/review/")
    assert Response.objects.get().answer == {}


# -- submit --------------------------------------------------------------------------------


def test_submitting_twice_grades_once(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))
    submit = reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk})

    student_client.post(submit)
    finished_at = Attempt.objects.get().finished_at
    student_client.post(submit)

    assert Attempt.objects.get().finished_at == finished_at
    assert Attempt.objects.count() == 1


# -- no key before the review policy allows it ---------------------------------------------


def plant_sentinels(question):
    """Put a unique marker in every field that must stay hidden while the attempt runs."""
    question.explanation = f"{SECRET}-EXPLANATION"
    question.save()
    Choice.objects.filter(question=question).update(feedback=f"{SECRET}-FEEDBACK")
    AcceptedAnswer.objects.filter(question=question).update(
        text=f"{SECRET}answer", feedback=f"{SECRET}-FEEDBACK"
    )
    NumericAnswer.objects.filter(question=question).update(feedback=f"{SECRET}-FEEDBACK")


def test_no_attempt_page_or_json_reveals_key_feedback_or_explanation(student, student_client):
    quiz = make_quiz(per_page=1)
    for slot in quiz.slots.select_related("question"):
        plant_sentinels(slot.question)
    attempt = start(student, quiz)
    bodies = []

    def answer(aq):
        # A typed answer is the student's own text, so type a guess rather than the key.
        if aq.snapshot["type"] == "short":
            return {f"q{aq.position}-text": "my guess"}
        return key_post(aq)

    shown = {}  # each question's page as first shown, before it was answered
    for aq in attempt.attempt_questions.order_by("position"):
        shown[aq.snapshot["type"]] = (aq, student_client.get(take_url(attempt, aq.page)).text)
        bodies.append(shown[aq.snapshot["type"]][1])
        bodies.append(
            autosave(
                student_client, attempt, position=aq.position, revision=now_ms(), **answer(aq)
            ).text
        )
        bodies.append(student_client.post(take_url(attempt, aq.page), answer(aq), follow=True).text)
    bodies.append(
        student_client.get(reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk})).text
    )

    for body in bodies:
        assert SECRET not in body
    # No correct-choice marker: no fraction anywhere.
    for body in bodies:
        assert "fraction" not in body
    # The ordering question's items are shown in the order drawn for this attempt (a uniform
    # shuffle, which may be the key's order: see test_presentation).
    aq, page = shown["ordering"]
    texts = {item["id"]: item["text"] for item in aq.snapshot["items"]}
    items_shown = re.findall(rf'id="q{aq.position}-ot\d+">([^<]*)</label>', page)
    assert items_shown == [texts[item] for item in aq.display_order]
    # Matching options are shown in the order drawn for this attempt. That draw is a uniform
    # shuffle, so it may be the key's order (with two pairs, half the time): any order is as
    # likely as any other, which tells the student nothing.
    aq, page = shown["matching"]
    answers = {pair["id"]: pair["answer"] for pair in aq.snapshot["pairs"]}
    first_select = re.search(rf'<select id="q{aq.position}-m1"[^>]*>(.*?)</select>', page, re.S)
    assert first_select is not None
    options_shown = re.findall(r'<option value="\d+">([^<]*)</option>', first_select[1])
    assert options_shown == [answers[pair] for pair in aq.display_order]


def test_review_shows_only_what_the_policy_allows(student, student_client):
    quiz = make_quiz(
        types=["single"],
        review_score=ReviewTiming.IMMEDIATELY,
        review_correctness=ReviewTiming.IMMEDIATELY,
        review_correct_answer=ReviewTiming.AFTER_CLOSE,
        review_feedback=ReviewTiming.AFTER_CLOSE,
        review_explanation=ReviewTiming.AFTER_CLOSE,
    )
    plant_sentinels(quiz.slots.get().question)
    attempt = start(student, quiz)
    wrong = next(
        c["id"]
        for c in attempt.attempt_questions.get().snapshot["choices"]
        if c["fraction"].startswith("0")
    )
    aq = attempt.attempt_questions.get()
    student_client.post(
        take_url(attempt), form_data(aq.snapshot, aq.display_order, {"choice": wrong}, "q1")
    )
    student_client.post(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}))
    review_url = reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk})

    before_close = student_client.get(review_url).text
    attempt.assignment.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    attempt.assignment.opens_at = timezone.now() - datetime.timedelta(days=2)
    attempt.assignment.save()
    after_close = student_client.get(review_url).text

    assert "0 %" in before_close and "Incorrect" in before_close
    assert SECRET not in before_close and "Correct answer" not in before_close
    assert f"{SECRET}-FEEDBACK" in after_close
    assert f"{SECRET}-EXPLANATION" in after_close
    assert "Correct answer" in after_close


def test_review_with_a_never_policy_shows_no_score(student, student_client):
    never = ReviewTiming.NEVER
    quiz = make_quiz(
        types=["short"], review_score=never, review_correctness=never,
        review_correct_answer=never, review_feedback=never, review_explanation=never,
    )  # fmt: skip
    attempt = start(student, quiz)
    student_client.post(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}))

    page = student_client.get(reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}))

    assert "does not show results" in page.text
    assert "%" not in page.text.split("<main", 1)[1].split("</main>")[0].replace("100%", "")


# -- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 50])
def test_attempt_page_and_autosave_cost_the_same_queries_for_5_or_50_questions(
    student, student_client, django_assert_num_queries, size
):
    attempt = start(student, make_quiz(types=(["single", "short"] * size)[:size], per_page=5))

    # 1 session, 2 user, 3 attempt with assignment, quiz and class, 4 attempt questions with
    # responses.
    with django_assert_num_queries(4):
        student_client.get(take_url(attempt, 0))
    # 1 session, 2 user, 3 attempt, 4 the attempt question with its response, 5 SAVEPOINT,
    # 6 the attempt row locked (a save never lands after grading), 7 the conditional UPDATE of
    # the response, 8 RELEASE SAVEPOINT (5 and 8 only inside the test's transaction).
    with django_assert_num_queries(8):
        autosave(student_client, attempt, position=2, revision=now_ms(), **{"q2-text": "x"})


def test_answers_stay_hidden_until_the_assignment_has_closed_for_everyone(
    student, other_student, student_client
):
    from tests.factories import AssignmentOverrideFactory

    quiz = make_quiz(
        types=["single"],
        review_correct_answer=ReviewTiming.AFTER_CLOSE,
        review_explanation=ReviewTiming.AFTER_CLOSE,
    )
    plant_sentinels(quiz.slots.get().question)
    attempt = start(student, quiz)
    student_client.post(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}))
    assignment = attempt.assignment
    EnrollmentFactory(school_class=assignment.school_class, student=other_student)
    AssignmentOverrideFactory(  # a classmate with an extension is still working
        assignment=assignment,
        student=other_student,
        closes_at=timezone.now() + datetime.timedelta(days=2),
    )
    assignment.opens_at = timezone.now() - datetime.timedelta(days=3)
    assignment.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    assignment.save()
    review_url = reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk})

    during_extension = student_client.get(review_url).text
    AssignmentOverride.objects.update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    after_everyone = student_client.get(review_url).text

    assert SECRET not in during_extension
    assert "closed for everyone" in during_extension
    assert f"{SECRET}-EXPLANATION" in after_everyone

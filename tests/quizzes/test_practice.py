"""Mastery practice: practising a bank, mistake cards, spacing, mastery, review policy, security."""

import datetime
import re
import secrets
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.answers import form_data
from quizzes.models import (
    Bank,
    Choice,
    MistakeCard,
    MistakeRecord,
    PracticeAnswer,
    PracticeSource,
    QuestionType,
    ReviewTiming,
)
from quizzes.practice import mistakes_record_from_attempt, mistakes_sync, practice_answer_record
from quizzes.services import attempt_finish, attempt_start
from quizzes.views.practice import PREFIX, display_order, form_check
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

FEEDBACK_SENTINEL = "SENTINEL-CHOICE-FEEDBACK-7f3a"
EXPLANATION_SENTINEL = "SENTINEL-EXPLANATION-9c1e"
MISTAKES_URL = reverse("quizzes:practice_mistakes")
HOME_URL = reverse("quizzes:practice_home")


def bank_url(bank):
    return reverse("quizzes:practice_bank", kwargs={"slug": bank.slug})


def choice_of(question, *, right):
    """The factory's single-choice key: Astana is right, Almaty and Bishkek are wrong."""
    return question.choices.get(text="Astana" if right else "Almaty")


def form_for(question, answer, *, token=None):
    """What the page drawn for `token` posts for `answer`: rows numbered as that page shows them."""
    token = token or secrets.token_urlsafe(24)
    snapshot = question.snapshot()
    order = display_order(snapshot, token)
    return {
        "question": question.pk,
        "token": token,
        "check": form_check(snapshot, token, order),
        **form_data(snapshot, order, answer, PREFIX),
    }


def post_answer(client, url, question, *, right, token=None, **extra):
    answer = {"choice": choice_of(question, right=right).pk}
    return client.post(url, {**form_for(question, answer, token=token), **extra})


def hidden_field(response, name):
    match = re.search(rf'name="{name}" value="([^"]*)"'.encode(), response.content)
    assert match, f"the page has no {name} field"
    return match.group(1).decode()


def asked_question_id(response):
    return int(hidden_field(response, "question"))


def choice_rows(response):
    """{label: value} of the radio buttons the page shows, in page order."""
    rows = re.findall(
        rb'name="answer-choice" value="([^"]*)"[^>]*>\s*<label for="[^"]*">([^<]*)</label>',
        response.content,
    )
    return {label.decode(): value.decode() for value, label in rows}


def answer_on_page(client, page, label):
    """Post the page's own form with the row labelled `label` chosen, as a browser would."""
    data = {name: hidden_field(page, name) for name in ("question", "token", "check")}
    data["answer-choice"] = choice_rows(page)[label]
    return client.post(page.request["PATH_INFO"], data)


@pytest.fixture
def bank():
    return BankFactory(name="Abraham Accords", slug="abraham-accords")


@pytest.fixture
def question(bank):
    return QuestionFactory(bank=bank, published=True)


@pytest.fixture
def other_questions(bank):
    return [QuestionFactory(bank=bank, published=True) for _ in range(2)]


# --- practice home ---------------------------------------------------------------------------


def test_practice_home_lists_banks_with_askable_questions_and_open_mistakes(
    student_client, student, bank, question
):
    QuestionFactory(bank=bank, published=True)
    QuestionFactory(bank=bank)  # draft: not counted
    QuestionFactory(bank=bank, type=QuestionType.DESCRIPTION, published=True)  # not scored
    drafts_only = BankFactory(name="Drafts only bank")
    QuestionFactory(bank=drafts_only)
    MistakeCard.objects.create(student=student, question=question, opened_at=timezone.now())

    response = student_client.get(HOME_URL)

    assert response.status_code == 200
    banks = response.context["banks"]
    assert [(b.name, b.question_count) for b in banks] == [("Abraham Accords", 2)]
    assert response.context["open_mistakes"] == 1
    assert bank_url(bank).encode() in response.content
    assert b"Practise my mistake (1)" in response.content


# --- practising a bank -----------------------------------------------------------------------


def test_student_practises_a_bank_and_gets_immediate_feedback(student_client, student, question):
    page = student_client.get(bank_url(question.bank))
    assert page.status_code == 200
    assert asked_question_id(page) == question.pk
    assert b"<fieldset>" in page.content and b"<legend" in page.content

    response = post_answer(student_client, bank_url(question.bank), question, right=False)

    result = PracticeAnswer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("quizzes:practice_result", kwargs={"pk": result.pk})
    assert (result.student, result.question, result.source) == (
        student,
        question,
        PracticeSource.BANK,
    )
    assert result.fraction == 0
    assert result.step == 1
    feedback = student_client.get(response.url)
    assert feedback.status_code == 200
    text = feedback.content.decode()
    assert "✗" in text and "Wrong" in text
    assert feedback.context["row"]["your_answer"] == "Almaty"
    assert feedback.context["row"]["correct_answer"] == "Astana"
    assert "fb Almaty" in text
    assert "Because the fact sheet says so." in text
    assert 'href="https://www.aa.com.tr/en/"' in text and "Anadolu Agency" in text
    assert "Facts as of 7 November 2025" in text
    assert f'href="{bank_url(question.bank)}"' in text  # Next question


def test_right_answer_is_marked_right_and_opens_no_mistake(student_client, question):
    response = post_answer(student_client, bank_url(question.bank), question, right=True)

    feedback = student_client.get(response.url)
    assert "✓" in feedback.content.decode() and "Right" in feedback.content.decode()
    assert PracticeAnswer.objects.get().fraction == 1
    assert not MistakeCard.objects.exists()


def test_bank_practice_avoids_the_questions_just_answered(student_client, question, bank):
    second = QuestionFactory(bank=bank, published=True)

    post_answer(student_client, bank_url(bank), question, right=True)
    first_next = asked_question_id(student_client.get(bank_url(bank)))
    post_answer(student_client, bank_url(bank), second, right=True)
    second_next = asked_question_id(student_client.get(bank_url(bank)))

    assert first_next == second.pk
    assert second_next == question.pk


def test_posting_the_same_form_twice_stores_one_answer(student_client, question):
    token = secrets.token_urlsafe(24)

    first = post_answer(student_client, bank_url(question.bank), question, right=True, token=token)
    second = post_answer(student_client, bank_url(question.bank), question, right=True, token=token)

    assert first.url == second.url
    assert PracticeAnswer.objects.count() == 1


def test_blank_answer_asks_again_and_stores_nothing(student_client, question):
    response = student_client.post(bank_url(question.bank), form_for(question, {}))

    assert response.status_code == 200
    assert b"Answer the question first" in response.content
    assert not PracticeAnswer.objects.exists()


# --- mistake cards: opening, spacing, mastery --------------------------------------------------


def test_wrong_answer_opens_a_mistake_card(student_client, student, question):
    post_answer(student_client, bank_url(question.bank), question, right=False)

    card = MistakeCard.objects.get()
    assert (card.student, card.question) == (student, question)
    assert card.correct_in_a_row == 0
    assert not card.is_mastered
    assert card.due_after_step == 3  # answered at step 1, then two other questions


def test_mistake_is_not_asked_again_until_two_other_questions_were_answered(
    student_client, question, other_questions
):
    url = bank_url(question.bank)
    second, third = other_questions
    post_answer(student_client, url, question, right=False)  # step 1: card due after step 3

    just_asked = student_client.get(MISTAKES_URL)
    post_answer(student_client, url, second, right=False)  # step 2: its card due after 4
    still_waiting = student_client.get(MISTAKES_URL)
    post_answer(student_client, url, third, right=True)  # step 3
    spaced = student_client.get(MISTAKES_URL)

    assert b"asked a moment ago" in just_asked.content
    assert just_asked.context["found"].steps_to_wait == 2
    assert b'name="question"' not in still_waiting.content
    assert asked_question_id(spaced) == question.pk
    # A crafted post for the other card, not due yet, is refused and stores nothing.
    refused = post_answer(student_client, MISTAKES_URL, second, right=True)
    assert refused.status_code == 302 and refused.url == MISTAKES_URL
    assert PracticeAnswer.objects.count() == 3


def test_two_spaced_correct_answers_master_a_mistake(student_client, question, other_questions):
    url = bank_url(question.bank)
    second, third = other_questions
    post_answer(student_client, url, question, right=False)  # step 1
    post_answer(student_client, url, second, right=True)  # step 2
    post_answer(student_client, url, third, right=True)  # step 3

    assert asked_question_id(student_client.get(MISTAKES_URL)) == question.pk
    post_answer(student_client, MISTAKES_URL, question, right=True)  # step 4: 1 of 2
    after_one = MistakeCard.objects.get()
    post_answer(student_client, url, second, right=True)  # step 5
    post_answer(student_client, url, third, right=True)  # step 6
    assert asked_question_id(student_client.get(MISTAKES_URL)) == question.pk
    post_answer(student_client, MISTAKES_URL, question, right=True)  # step 7: mastered

    card = MistakeCard.objects.get()
    assert after_one.correct_in_a_row == 1 and not after_one.is_mastered
    assert card.correct_in_a_row == 2
    assert card.is_mastered and card.mastered_at is not None
    assert PracticeAnswer.objects.filter(source=PracticeSource.MISTAKES).count() == 2
    done = student_client.get(MISTAKES_URL)
    assert b"No open mistakes" in done.content


def test_right_answer_straight_after_a_mistake_does_not_count_towards_mastery(
    student_client, question
):
    url = bank_url(question.bank)
    post_answer(student_client, url, question, right=False)  # step 1

    post_answer(student_client, url, question, right=True)  # step 2: back to back

    card = MistakeCard.objects.get()
    assert card.correct_in_a_row == 0
    assert card.due_after_step == 4


def test_wrong_answer_reopens_a_mastered_mistake(student_client, student, question):
    now = timezone.now()
    MistakeCard.objects.create(
        student=student,
        question=question,
        opened_at=now,
        correct_in_a_row=2,
        is_mastered=True,
        mastered_at=now,
    )

    post_answer(student_client, bank_url(question.bank), question, right=False)

    card = MistakeCard.objects.get()
    assert not card.is_mastered
    assert card.correct_in_a_row == 0
    assert card.mastered_at is None


# --- mistakes from graded attempts and the review policy -------------------------------------


def finished_attempt(student, question, *, review_correct_answer, opens_at, closes_at, at):
    """An attempt at a one-question quiz, submitted unanswered (so the question is wrong)."""
    # One attempt, used: an exam showing answers at once no longer keeps them from practice.
    quiz = QuizFactory(
        published=True, review_correct_answer=review_correct_answer, attempts_allowed=1
    )
    SlotFactory(quiz=quiz, question=question)
    assignment = AssignmentFactory(quiz=quiz, opens_at=opens_at, closes_at=closes_at)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    attempt = attempt_start(student=student, assignment=assignment, now=at)
    return attempt_finish(attempt=attempt, now=at + datetime.timedelta(minutes=5))


def test_attempt_mistakes_open_at_once_when_review_shows_answers_immediately(student, question):
    now = timezone.now()
    attempt = finished_attempt(
        student,
        question,
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        at=now - datetime.timedelta(minutes=30),
    )

    opened = mistakes_record_from_attempt(attempt=attempt, now=now)
    again = mistakes_record_from_attempt(attempt=attempt, now=now)

    card = MistakeCard.objects.get()
    assert (opened, again) == (1, 0)
    assert (card.student, card.question, card.correct_in_a_row) == (student, question, 0)
    assert card.due_after_step == 0  # due at once: the attempt was a while ago
    assert MistakeRecord.objects.filter(attempt=attempt).count() == 1


def test_recording_an_attempt_again_never_undoes_practice_since(
    student_client, student, question, other_questions
):
    now = timezone.now()
    attempt = finished_attempt(
        student,
        question,
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        at=now - datetime.timedelta(minutes=30),
    )
    mistakes_record_from_attempt(attempt=attempt, now=now)
    post_answer(student_client, MISTAKES_URL, question, right=True)

    mistakes_record_from_attempt(attempt=attempt, now=now)

    assert MistakeCard.objects.get().correct_in_a_row == 1


def test_a_teachers_full_marks_keep_the_question_off_the_mistakes_queue(
    student, question, other_questions, teacher
):
    from quizzes.scoring import response_override

    now = timezone.now()
    attempt = finished_attempt(
        student,
        question,
        review_correct_answer=ReviewTiming.AFTER_CLOSE,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        at=now - datetime.timedelta(days=2),
    )
    response = attempt.attempt_questions.get().response
    response_override(
        response=response,
        fraction=Decimal(1),
        comment="Marked by hand.",
        changed_by=teacher,
        now=now - datetime.timedelta(days=1, hours=12),
    )

    opened = mistakes_record_from_attempt(attempt=attempt, now=now)

    assert (response.fraction, opened) == (0, 0)
    assert not MistakeCard.objects.exists()


def test_attempt_mistakes_wait_until_the_review_policy_shows_correct_answers(
    student_client, student, question
):
    now = timezone.now()
    attempt = finished_attempt(
        student,
        question,
        review_correct_answer=ReviewTiming.AFTER_CLOSE,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        at=now - datetime.timedelta(days=2),
    )

    before_close = mistakes_record_from_attempt(
        attempt=attempt, now=now - datetime.timedelta(days=1, hours=1)
    )
    assert before_close == 0
    assert not MistakeCard.objects.exists()
    assert not MistakeRecord.objects.exists()

    page = student_client.get(MISTAKES_URL)  # after the close: the page records it

    assert MistakeCard.objects.filter(student=student, question=question).exists()
    assert asked_question_id(page) == question.pk


def test_a_students_later_close_time_defers_their_attempt_mistakes(student, question):
    now = timezone.now()
    attempt = finished_attempt(
        student,
        question,
        review_correct_answer=ReviewTiming.AFTER_CLOSE,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        at=now - datetime.timedelta(days=2),
    )
    AssignmentOverrideFactory(
        assignment=attempt.assignment,
        student=student,
        closes_at=now + datetime.timedelta(days=1),
        time_limit_minutes=None,
    )

    deferred = mistakes_sync(student=student, now=now)
    after_their_close = mistakes_sync(student=student, now=now + datetime.timedelta(days=2))

    assert (deferred, after_their_close) == (0, 1)


def test_a_classmates_extension_defers_everyones_attempt_mistakes(student, other_student, question):
    now = timezone.now()
    attempt = finished_attempt(
        student,
        question,
        review_correct_answer=ReviewTiming.AFTER_CLOSE,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        at=now - datetime.timedelta(days=2),
    )
    EnrollmentFactory(school_class=attempt.assignment.school_class, student=other_student)
    AssignmentOverrideFactory(  # still answering: the key must not reach anyone yet
        assignment=attempt.assignment,
        student=other_student,
        closes_at=now + datetime.timedelta(days=1),
        time_limit_minutes=None,
    )

    deferred = mistakes_sync(student=student, now=now)
    after_everyone = mistakes_sync(student=student, now=now + datetime.timedelta(days=2))

    assert (deferred, after_everyone) == (0, 1)


def test_attempt_mistakes_never_open_when_the_review_never_shows_answers(student, question):
    now = timezone.now()
    finished_attempt(
        student,
        question,
        review_correct_answer=ReviewTiming.NEVER,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        at=now - datetime.timedelta(days=2),
    )

    recorded = mistakes_sync(student=student, now=now + datetime.timedelta(days=365))

    assert recorded == 0
    assert not MistakeCard.objects.exists()


# --- the key stays hidden until the student has answered -----------------------------------


def test_no_practice_page_sends_feedback_or_explanation_before_the_answer(
    student_client, student, bank
):
    question = QuestionFactory(bank=bank, published=True, explanation=EXPLANATION_SENTINEL)
    Choice.objects.filter(question=question).update(feedback=FEEDBACK_SENTINEL)
    MistakeCard.objects.create(student=student, question=question, opened_at=timezone.now())

    pages = [student_client.get(url) for url in (HOME_URL, bank_url(bank), MISTAKES_URL)]
    answered = post_answer(student_client, bank_url(bank), question, right=False)
    feedback = student_client.get(answered.url)

    for page in pages:
        assert page.status_code == 200
        assert FEEDBACK_SENTINEL.encode() not in page.content
        assert EXPLANATION_SENTINEL.encode() not in page.content
    assert asked_question_id(pages[1]) == asked_question_id(pages[2]) == question.pk
    assert FEEDBACK_SENTINEL.encode() in feedback.content
    assert EXPLANATION_SENTINEL.encode() in feedback.content


def test_practice_pauses_while_a_quiz_is_in_progress(student_client, student, question):
    now = timezone.now()
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, question=question)
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    attempt_start(student=student, assignment=assignment, now=now)

    page = student_client.get(bank_url(question.bank))
    posted = post_answer(student_client, bank_url(question.bank), question, right=True)

    assert b"Practice is paused" in page.content
    assert b"Practice is paused" in posted.content
    assert not PracticeAnswer.objects.exists()


# --- tampering, ownership, login, CSRF -------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        "another_banks_question",
        "draft_question",
        "description_question",
        "not_a_number",
        "superscript_question_id",
        "row_past_the_last_choice",
        "row_zero",
        "superscript_row",
        "row_posted_twice",
        "extra_score_field",
        "missing_token",
        "missing_check",
        "malformed_check",
    ],
)
def test_tampered_bank_post_is_rejected_and_stores_nothing(student_client, question, tamper):
    url = bank_url(question.bank)
    data = form_for(question, {"choice": choice_of(question, right=True).pk})
    if tamper == "another_banks_question":
        elsewhere = QuestionFactory(published=True)
        data = form_for(elsewhere, {"choice": choice_of(elsewhere, right=True).pk})
    elif tamper == "draft_question":
        draft = QuestionFactory(bank=question.bank)
        data = form_for(draft, {"choice": choice_of(draft, right=True).pk})
    elif tamper == "description_question":
        description = QuestionFactory(
            bank=question.bank, type=QuestionType.DESCRIPTION, published=True
        )
        data = form_for(description, {})
    elif tamper == "not_a_number":
        data.update(question="1 OR 1=1")
    elif tamper == "superscript_question_id":
        data.update(question="²")  # "²".isdigit() is True, int("²") raises
    elif tamper == "row_past_the_last_choice":
        data["answer-choice"] = "4"  # the question shows three choices
    elif tamper == "row_zero":
        data["answer-choice"] = "0"
    elif tamper == "superscript_row":
        data["answer-choice"] = "²"
    elif tamper == "row_posted_twice":
        data["answer-choice"] = ["1", "2"]
    elif tamper == "extra_score_field":
        data["score"] = "1"
    elif tamper == "missing_token":
        del data["token"]
    elif tamper == "missing_check":
        del data["check"]
    elif tamper == "malformed_check":
        data["check"] = "1 OR 1=1"

    response = student_client.post(url, data)

    assert response.status_code == 400
    assert not PracticeAnswer.objects.exists()
    assert not MistakeCard.objects.exists()


def test_mistakes_post_for_a_question_without_a_card_is_rejected(student_client, question):
    response = post_answer(student_client, MISTAKES_URL, question, right=True)

    assert response.status_code == 400
    assert not PracticeAnswer.objects.exists()


def test_student_cannot_open_another_students_practice_result(
    client, student, other_student, question
):
    client.force_login(other_student)
    theirs = post_answer(client, bank_url(question.bank), question, right=False)
    client.force_login(student)

    response = client.get(theirs.url)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        HOME_URL,
        MISTAKES_URL,
        reverse("quizzes:practice_bank", kwargs={"slug": "abraham-accords"}),
        reverse("quizzes:practice_result", kwargs={"pk": 1}),
    ],
)
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


def test_practice_post_without_csrf_token_is_forbidden(student, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)

    response = post_answer(client, bank_url(question.bank), question, right=False)

    assert response.status_code == 403
    assert not PracticeAnswer.objects.exists()
    assert not MistakeCard.objects.exists()


# --- the form: rows numbered by their place, read back in the order the page showed -----------


def test_each_page_is_read_back_in_the_order_it_showed(student_client, question):
    orders = set()
    for _ in range(12):
        page = student_client.get(bank_url(question.bank))
        rows = choice_rows(page)
        # Numbered by place on the page, never by database id.
        assert list(rows.values()) == ["1", "2", "3"]
        assert sorted(rows) == ["Almaty", "Astana", "Bishkek"]
        orders.add(tuple(rows))

        answered = answer_on_page(student_client, page, "Bishkek")

        assert answered.status_code == 302
        assert student_client.get(answered.url).context["row"]["your_answer"] == "Bishkek"
    assert len(orders) > 1  # shuffled: the key is not always row 1


def test_the_order_cannot_be_computed_from_the_token_on_the_page(settings, question):
    snapshot = question.snapshot()
    tokens = [secrets.token_urlsafe(24) for _ in range(30)]
    ours = [display_order(snapshot, token) for token in tokens]
    assert ours == [display_order(snapshot, token) for token in tokens]  # same on GET and POST

    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    theirs = [display_order(snapshot, token) for token in tokens]

    # The seed is an HMAC under the secret key: without it the shuffle cannot be undone.
    assert sum(a != b for a, b in zip(ours, theirs, strict=True)) > 10


def test_a_question_edited_after_its_page_was_drawn_is_asked_again(student_client, question):
    page = student_client.get(bank_url(question.bank))
    Choice.objects.create(question=question, text="Tashkent", fraction=0, position=3)

    response = answer_on_page(student_client, page, "Astana")

    assert response.status_code == 302 and response.url == bank_url(question.bank)
    assert not PracticeAnswer.objects.exists()
    again = student_client.get(response.url)  # the bank's only question, as it is now
    assert b"was changed while you were answering it" in again.content
    assert sorted(choice_rows(again)) == ["Almaty", "Astana", "Bishkek", "Tashkent"]


def test_a_token_the_server_did_not_issue_is_not_accepted(student_client, question):
    data = form_for(question, {"choice": choice_of(question, right=True).pk})
    data["token"] = secrets.token_urlsafe(24)  # its check was made for another token

    response = student_client.post(bank_url(question.bank), data)

    assert response.status_code == 302 and response.url == bank_url(question.bank)
    assert not PracticeAnswer.objects.exists()


def test_a_mistake_edited_after_its_page_was_drawn_is_asked_again(
    student_client, student, question
):
    MistakeCard.objects.create(student=student, question=question, opened_at=timezone.now())
    page = student_client.get(MISTAKES_URL)
    Choice.objects.filter(question=question, text="Bishkek").delete()

    response = answer_on_page(student_client, page, "Astana")

    assert response.status_code == 302 and response.url == MISTAKES_URL
    assert not PracticeAnswer.objects.exists()
    again = student_client.get(MISTAKES_URL)
    assert b"was changed while you were answering it" in again.content
    assert sorted(choice_rows(again)) == ["Almaty", "Astana"]


# --- banks closed for practice (exam safety) -------------------------------------------------


@pytest.fixture
def closed_question():
    bank = BankFactory(name="Exam bank", slug="exam-bank", is_practice_open=False)
    return QuestionFactory(bank=bank, published=True, explanation=EXPLANATION_SENTINEL)


def test_practice_home_lists_only_banks_open_for_practice(
    student_client, student, question, closed_question
):
    MistakeCard.objects.create(student=student, question=closed_question, opened_at=timezone.now())

    response = student_client.get(HOME_URL)

    assert [b.name for b in response.context["banks"]] == ["Abraham Accords"]
    assert bank_url(closed_question.bank).encode() not in response.content
    assert response.context["open_mistakes"] == 0


def test_a_closed_bank_cannot_be_practised(student_client, closed_question):
    url = bank_url(closed_question.bank)

    page = student_client.get(url)
    posted = post_answer(student_client, url, closed_question, right=False)

    for response in (page, posted):
        assert response.status_code == 404
        assert b"Closed for practice" in response.content
        assert b'name="question"' not in response.content
        assert b"Astana" not in response.content
    assert not PracticeAnswer.objects.exists()
    assert not MistakeCard.objects.exists()


def test_mistakes_never_ask_a_question_from_a_closed_bank(
    student_client, student, question, closed_question
):
    now = timezone.now()
    MistakeCard.objects.create(student=student, question=closed_question, opened_at=now)
    MistakeCard.objects.create(student=student, question=question, opened_at=now)
    bank = closed_question.bank

    asked = student_client.get(MISTAKES_URL)
    post_answer(student_client, MISTAKES_URL, question, right=True)
    post_answer(student_client, bank_url(question.bank), question, right=True)
    post_answer(student_client, bank_url(question.bank), question, right=True)
    # Only the closed bank's card is due now: nothing is asked, and a post for it is refused.
    nothing_due = student_client.get(MISTAKES_URL)
    refused = post_answer(student_client, MISTAKES_URL, closed_question, right=True)
    bank.is_practice_open = True
    bank.save()
    reopened = student_client.get(MISTAKES_URL)

    assert asked_question_id(asked) == question.pk
    assert asked.context["open_count"] == 1
    assert b'name="question"' not in nothing_due.content
    assert refused.status_code == 302 and refused.url == MISTAKES_URL
    assert not PracticeAnswer.objects.filter(question=closed_question).exists()
    assert asked_question_id(reopened) == closed_question.pk


def test_a_closed_banks_practice_results_hide_the_key(student_client, closed_question):
    bank = closed_question.bank
    bank.is_practice_open = True
    bank.save()
    answered = post_answer(student_client, bank_url(bank), closed_question, right=False)
    bank.is_practice_open = False
    bank.save()

    response = student_client.get(answered.url)

    assert response.status_code == 404
    assert b"Closed for practice" in response.content
    assert EXPLANATION_SENTINEL.encode() not in response.content
    assert b"Astana" not in response.content


def test_recording_an_answer_for_a_closed_bank_is_refused(student, closed_question):
    with pytest.raises(ValidationError) as refused:
        practice_answer_record(
            student=student,
            question=closed_question,
            snapshot=closed_question.snapshot(),
            answer={"choice": choice_of(closed_question, right=True).pk},
            source=PracticeSource.BANK,
            token=secrets.token_urlsafe(24),
            now=timezone.now(),
        )

    assert refused.value.code == "closed"
    assert not PracticeAnswer.objects.exists()


def test_teacher_closes_a_bank_for_practice_from_the_bank_list(teacher_client, bank):
    changelist = reverse("admin:quizzes_bank_changelist")
    listed = teacher_client.get(changelist)
    assert b'name="form-0-is_practice_open"' in listed.content

    response = teacher_client.post(
        changelist,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(bank.pk),
            # An unticked box is not posted: closed.
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert Bank.objects.get(pk=bank.pk).is_practice_open is False
    form = teacher_client.get(reverse("admin:quizzes_bank_change", args=[bank.pk]))
    assert b'name="is_practice_open"' in form.content
    assert b"Turn it off while the bank is used for an exam" in form.content


# --- bad input, caching ----------------------------------------------------------------------


@pytest.mark.parametrize("skip", ["²", "١", "1e3", "-1", "9" * 30, ""])
def test_a_malformed_skip_is_ignored(student_client, student, question, skip):
    MistakeCard.objects.create(student=student, question=question, opened_at=timezone.now())

    for url in (bank_url(question.bank), MISTAKES_URL):
        response = student_client.get(url, {"skip": skip})

        assert response.status_code == 200
        assert asked_question_id(response) == question.pk


def test_pages_showing_questions_or_keys_are_never_cached(student_client, student, question):
    MistakeCard.objects.create(student=student, question=question, opened_at=timezone.now())
    answered = post_answer(student_client, bank_url(question.bank), question, right=False)

    for url in (bank_url(question.bank), MISTAKES_URL, answered.url):
        response = student_client.get(url)

        assert response.status_code == 200
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-cache", "no-store", "must-revalidate", "private"} <= cache_control


# --- query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("banks", [1, 6])
def test_practice_home_query_count_is_fixed(
    student_client, student, django_assert_num_queries, banks
):
    for _ in range(banks):
        bank = BankFactory()
        for _ in range(banks):
            question = QuestionFactory(bank=bank, published=True)
            MistakeCard.objects.create(student=student, question=question, opened_at=timezone.now())

    # session, user, unrecorded finished attempts, banks with question counts, open mistakes
    with django_assert_num_queries(5):
        response = student_client.get(HOME_URL)

    assert len(response.context["banks"]) == banks


@pytest.mark.parametrize("questions", [1, 12])
def test_bank_question_page_query_count_is_fixed(
    student_client, bank, django_assert_num_queries, questions
):
    for index in range(questions):
        QuestionFactory(bank=bank, published=True, type=QuestionType.values[index % 7])

    # session, user, bank, quiz in progress?, askable ids, the question (+ bank, stimulus),
    # its choices, accepted answers, numeric answers, match pairs, order items
    with django_assert_num_queries(11):
        response = student_client.get(bank_url(bank))

    assert response.status_code == 200


@pytest.mark.parametrize("cards", [1, 12])
def test_mistakes_question_page_query_count_is_fixed(
    student_client, student, bank, django_assert_num_queries, cards
):
    for _ in range(cards):
        question = QuestionFactory(bank=bank, published=True)
        MistakeCard.objects.create(student=student, question=question, opened_at=timezone.now())

    # session, user, quiz in progress?, unrecorded finished attempts, step counter,
    # open count and soonest due, due card, the question (+ bank, stimulus) and its 5 part kinds
    with django_assert_num_queries(13):
        response = student_client.get(MISTAKES_URL)

    assert response.status_code == 200
    assert asked_question_id(response)


@pytest.mark.parametrize("answers", [1, 8])
def test_practice_result_query_count_is_fixed(
    student_client, question, django_assert_num_queries, answers
):
    for _ in range(answers):
        posted = post_answer(student_client, bank_url(question.bank), question, right=False)

    # session, user, the answer (+ question, bank), quiz in progress?, may it be shown (bank
    # open, no exam protecting it: one query with subqueries), the mistake card
    with django_assert_num_queries(6):
        response = student_client.get(posted.url)

    assert response.status_code == 200

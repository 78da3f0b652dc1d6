"""No route but the exam itself shows a question an open exam could still ask (invariant 2).

Practice shows the key after each answer, the mistakes queue too, and an old attempt's review
may show correct answers. While an upcoming or open assignment of the student's classes hides
its correct answers (review after close, or never), every question it could ask (its fixed
questions, and every question of the banks and tags its random slots draw from) is kept off
those routes. These tests are the student who wants the key: they practise hard, follow every
link, forge posts and reread old pages, and look for the exam's questions on what comes back.

Personas: the student (`student`, in the exam's class), a classmate (`other_student`) and the
teacher of the class (`teacher`); an exam of another class is the outsider's.
"""

import datetime
import io
import re
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import grading
from quizzes.answers import form_data
from quizzes.exam_secrecy import protected_questions
from quizzes.markup import render_markdown
from quizzes.models import (
    Assignment,
    Bank,
    MistakeCard,
    PracticeAnswer,
    Question,
    QuestionType,
    ReviewTiming,
)
from quizzes.services import attempt_finish, attempt_start, response_save
from quizzes.views.practice import PREFIX, display_order, form_check
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    TagFactory,
)

HOME_URL = reverse("quizzes:practice_home")
MISTAKES_URL = reverse("quizzes:practice_mistakes")
HIDDEN_NOTICE = "The correct answer, feedback and explanation are hidden for now"
# How often the attacker reloads a bank's practice page: far more than the bank has questions.
RELOADS = 200


# --- how a student reads the pages ------------------------------------------------------------


def bank_url(bank: Bank) -> str:
    return reverse("quizzes:practice_bank", kwargs={"slug": bank.slug})


def hidden_field(response, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"'.encode(), response.content)
    return match.group(1).decode() if match else None


def asked_question_id(response) -> int | None:
    """The question a practice page asks (its hidden `question` field), or None."""
    value = hidden_field(response, "question")
    return int(value) if value is not None else None


def skip_link(response) -> str:
    match = re.search(rb'href="([^"]*\?skip=[0-9]+)"', response.content)
    assert match, "the practice page has no skip link"
    return match.group(1).decode()


def practise_by_skipping(client: Client, url: str, *, times: int) -> list:
    """Load a practice page, then follow its skip link, `times` pages in all."""
    pages = [client.get(url)]
    while len(pages) < times and asked_question_id(pages[-1]) is not None:
        pages.append(client.get(skip_link(pages[-1])))
    return pages


def without_csrf(response) -> str:
    """The page with its per-request CSRF tokens blanked, to compare two replies."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def shows_any(response, texts) -> list[str]:
    """Which of `texts` appear on the page."""
    content = response.content.decode()
    return [text for text in texts if text in content]


def posted_form(question: Question, answer: dict, *, token: str | None = None) -> dict:
    """What a practice page drawn for `question` (with `token`) posts for `answer`.

    Built with the server's own check: a page the student really was given, for instance
    one drawn before the exam was set and answered after.
    """
    token = token or secrets.token_urlsafe(24)
    snapshot = question.snapshot()
    order = display_order(snapshot, token)
    return {
        "question": str(question.pk),
        "token": token,
        "check": form_check(snapshot, token, order),
        **form_data(snapshot, order, answer, PREFIX),
    }


def wrong_choice(question: Question) -> dict:
    """The factory's single-choice key: Astana is right; Almaty is a wrong answer."""
    return {"choice": question.choices.get(text="Almaty").pk}


def right_choice(question: Question) -> dict:
    return {"choice": question.choices.get(text="Astana").pk}


def review_sections(response) -> list[str]:
    """The review page's question sections, as HTML, in page order."""
    return re.findall(
        r'<section class="review-item.*?</section>', response.content.decode(), flags=re.S
    )


def section_about(response, question: Question) -> str:
    found = [s for s in review_sections(response) if question.prompt in s]
    assert len(found) == 1, f"expected one review section for {question.prompt!r}"
    return found[0]


# --- the class, the bank and the exam --------------------------------------------------------


@pytest.fixture
def school_class(teacher, student, other_student):
    school_class = SchoolClassFactory(name="Grade 10 World Affairs", teachers=[teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    EnrollmentFactory(school_class=school_class, student=other_student)
    return school_class


@pytest.fixture
def bank(db):
    return BankFactory(name="Central Asian diplomacy", slug="central-asian-diplomacy")


def make_question(bank: Bank, number: int, **fields) -> Question:
    """A published single-choice question whose prompt, feedback and explanation name it."""
    question = QuestionFactory(
        bank=bank,
        published=True,
        prompt=f"Bank question {number:02d}: which city is the capital?",
        explanation=f"Explanation sentinel {number:02d}",
        **fields,
    )
    for choice in question.choices.all():
        choice.feedback = feedback_on(question, choice.text)
        choice.save()
    return question


def feedback_on(question: Question, choice_text: str) -> str:
    return f"Feedback sentinel {question.explanation[-2:]} on {choice_text}"


@pytest.fixture
def questions(bank) -> list[Question]:
    return [make_question(bank, number) for number in range(8)]


def exam(
    school_class,
    *,
    fixed=(),
    draws=(),
    review_correct_answer=ReviewTiming.AFTER_CLOSE,
    **assignment_fields,
) -> Assignment:
    """An assignment of a new quiz: fixed questions, then (bank, tag, count) random draws."""
    quiz = QuizFactory(published=True)
    for question in fixed:
        SlotFactory(quiz=quiz, question=question)
    for bank, tag, count in draws:
        SlotFactory(quiz=quiz, question=None, bank=bank, tag=tag, count=count)
    return AssignmentFactory(
        quiz=quiz,
        school_class=school_class,
        review_correct_answer=review_correct_answer,
        **assignment_fields,
    )


def ids(questions) -> set[int]:
    return {q.pk for q in questions}


# --- bank practice: the attack ---------------------------------------------------------


def test_practising_a_bank_200_times_never_asks_an_open_exams_fixed_questions(
    student_client, school_class, bank, questions
):
    """The issue's attack: practise the bank the exam draws from, again and again."""
    on_exam = questions[:3]
    exam(school_class, fixed=on_exam)

    pages = practise_by_skipping(student_client, bank_url(bank), times=RELOADS)

    assert len(pages) == RELOADS
    for page in pages:
        assert page.status_code == 200
        assert not shows_any(page, [q.prompt for q in on_exam])
    # Every other question came up (each page picks among four: missing one is ~1e-24).
    assert {asked_question_id(page) for page in pages} == ids(questions[3:])


@pytest.mark.parametrize(
    ("window", "review"),
    [({"upcoming": True}, ReviewTiming.AFTER_CLOSE), ({}, ReviewTiming.NEVER)],
    ids=["upcoming-after-close", "open-never"],
)
def test_an_upcoming_exam_or_one_never_showing_answers_keeps_its_questions_out_of_practice(
    student_client, school_class, bank, questions, window, review
):
    on_exam = questions[:3]
    exam(school_class, fixed=on_exam, review_correct_answer=review, **window)

    pages = practise_by_skipping(student_client, bank_url(bank), times=40)
    posted = student_client.post(bank_url(bank), posted_form(on_exam[0], right_choice(on_exam[0])))

    assert {asked_question_id(page) for page in pages} <= ids(questions[3:])
    for page in pages:
        assert not shows_any(page, [q.prompt for q in on_exam])
    assert posted.status_code == 404
    assert not PracticeAnswer.objects.exists()


def test_the_practice_home_counts_only_the_questions_left_to_practise(
    student_client, school_class, bank, questions
):
    exam(school_class, fixed=questions[:3])

    response = student_client.get(HOME_URL)

    assert [(b.name, b.question_count) for b in response.context["banks"]] == [
        ("Central Asian diplomacy", 5)
    ]
    assert "5 questions" in response.content.decode()


@pytest.mark.parametrize(
    "forgery",
    ["another-pages-token", "blank-post-from-a-page-drawn-before-the-exam"],
)
def test_a_post_naming_an_exam_question_neither_shows_nor_records_it(
    student_client, school_class, bank, questions, forgery
):
    """Forged posts must not turn into a page asking the exam's question (with a fresh,
    valid token): the student could read every exam question before the exam opens."""
    on_exam = questions[0]
    drawn_before = posted_form(on_exam, {})
    exam(school_class, fixed=[on_exam], upcoming=True)
    url = bank_url(bank)
    if forgery == "another-pages-token":
        page = student_client.get(url)
        forged = {
            "question": str(on_exam.pk),
            "token": hidden_field(page, "token"),
            "check": hidden_field(page, "check"),
            "answer-choice": "1",
        }
    else:
        forged = drawn_before

    response = student_client.post(url, forged)

    if response.status_code == 302:  # refused as a stale form: practice goes on elsewhere
        assert response.url == url
        response = student_client.get(url)
        assert asked_question_id(response) != on_exam.pk
        assert not shows_any(response, [on_exam.prompt])  # (the others share its choices)
    else:
        assert response.status_code in (400, 404)
        assert asked_question_id(response) is None
        assert not shows_any(response, [on_exam.prompt, "Astana", "Almaty", "Bishkek"])
    assert not PracticeAnswer.objects.exists()
    assert not MistakeCard.objects.exists()


@pytest.mark.parametrize("forgery", ["bad-check", "another-pages-check", "no-check"])
def test_forged_posts_do_not_tell_which_questions_an_exam_could_ask(
    student_client, school_class, bank, questions, forgery
):
    """Posting each question id of a bank with a made-up form gets the same reply whether an
    exam protects that question or not: no way to list the exam's pool."""
    on_exam = questions[0]
    exam(school_class, fixed=[on_exam], upcoming=True)
    url = bank_url(bank)
    page = student_client.get(url)
    # Another question of the bank, not the one that page asks (its form would be genuine).
    free = next(q for q in questions[1:] if q.pk != asked_question_id(page))

    def forged(question: Question) -> dict:
        data = posted_form(question, {"choice": question.choices.first().pk})
        if forgery == "bad-check":
            data["check"] = "0" * 64
        elif forgery == "another-pages-check":
            data["token"], data["check"] = hidden_field(page, "token"), hidden_field(page, "check")
        else:
            del data["check"]
        return data

    replies = [student_client.post(url, forged(question)) for question in (on_exam, free)]

    assert replies[0].status_code == replies[1].status_code
    assert replies[0].status_code in (302, 400)
    assert replies[0].get("Location") == replies[1].get("Location")
    assert without_csrf(replies[0]) == without_csrf(replies[1])
    assert not PracticeAnswer.objects.exists()


def test_an_answer_to_an_exam_question_from_a_page_drawn_before_the_exam_is_refused(
    student_client, school_class, bank, questions
):
    on_exam = questions[0]
    drawn_before = posted_form(on_exam, wrong_choice(on_exam))
    exam(school_class, fixed=[on_exam])

    response = student_client.post(bank_url(bank), drawn_before)

    assert response.status_code == 404
    assert not shows_any(response, [on_exam.prompt, on_exam.explanation, "Astana"])
    assert not PracticeAnswer.objects.exists()
    assert not MistakeCard.objects.exists()


def test_every_answer_for_an_exam_question_is_refused_whichever_choice(
    student_client, school_class, bank, questions
):
    """The refusal never depends on the answer: it is no oracle for the key."""
    on_exam = questions[0]
    exam(school_class, fixed=[on_exam])
    url = bank_url(bank)

    replies = [
        student_client.post(url, posted_form(on_exam, {"choice": choice.pk}))
        for choice in on_exam.choices.all()
    ]

    assert {r.status_code for r in replies} == {404}
    assert len({without_csrf(r) for r in replies}) == 1
    assert not PracticeAnswer.objects.exists()


def test_a_random_slot_keeps_its_whole_bank_out_of_practice(
    student_client, school_class, bank, questions
):
    exam(school_class, draws=[(bank, None, 2)])
    url = bank_url(bank)

    home = student_client.get(HOME_URL)
    page = student_client.get(url)
    posted = student_client.post(url, posted_form(questions[0], right_choice(questions[0])))

    assert list(home.context["banks"]) == []
    assert url not in home.content.decode()
    for response in (page, posted):
        assert response.status_code == 404
        assert asked_question_id(response) is None
        assert not shows_any(response, [q.prompt for q in questions])
    assert not PracticeAnswer.objects.exists()


def test_a_random_slot_with_a_tag_keeps_only_the_tagged_questions_out_of_practice(
    student_client, school_class, bank, questions
):
    formats = TagFactory(name="formats")
    tagged = questions[:4]
    for question in tagged:
        question.tags.add(formats)
    exam(school_class, draws=[(bank, formats, 1)])

    pages = practise_by_skipping(student_client, bank_url(bank), times=60)
    refused = student_client.post(bank_url(bank), posted_form(tagged[0], right_choice(tagged[0])))

    asked = {asked_question_id(page) for page in pages}
    assert asked == ids(questions[4:])
    for page in pages:
        assert not shows_any(page, [q.prompt for q in tagged])
    assert refused.status_code == 404
    assert not PracticeAnswer.objects.exists()


def test_a_draft_in_a_drawn_bank_published_mid_exam_is_not_practised(
    student_client, school_class, bank, questions
):
    formats = TagFactory(name="formats")
    draft = make_question(bank, 99, status="draft", tags=[formats])
    questions[0].tags.add(formats)
    exam(school_class, draws=[(bank, formats, 1)])
    Question.objects.filter(pk=draft.pk).update(status="published")

    pages = practise_by_skipping(student_client, bank_url(bank), times=30)
    posted = student_client.post(bank_url(bank), posted_form(draft, right_choice(draft)))

    assert {asked_question_id(page) for page in pages} <= ids(questions[1:])
    assert not any(shows_any(page, [draft.prompt]) for page in pages)
    assert posted.status_code == 404
    assert not PracticeAnswer.objects.exists()


def test_a_bank_left_open_for_practice_still_keeps_the_exams_questions_hidden(
    student_client, school_class, bank, questions
):
    """The issue: the bank's flag says open, and the exam's questions stay hidden anyway."""
    assert bank.is_practice_open
    exam(school_class, fixed=questions[:7])

    pages = practise_by_skipping(student_client, bank_url(bank), times=20)

    assert {asked_question_id(page) for page in pages} == {questions[7].pk}


# --- the mistakes queue ------------------------------------------------------------------------


@pytest.fixture
def cards(student, questions) -> list[MistakeCard]:
    """Open mistakes on the first three questions, due now."""
    now = timezone.now()
    return [
        MistakeCard.objects.create(student=student, question=question, opened_at=now)
        for question in questions[:3]
    ]


def test_the_mistakes_queue_skips_cards_an_exam_could_ask_and_leaves_them_open(
    student_client, student, school_class, questions, cards
):
    on_exam = questions[:2]
    exam(school_class, fixed=on_exam)

    pages = practise_by_skipping(student_client, MISTAKES_URL, times=10)
    home = student_client.get(HOME_URL)

    assert {asked_question_id(page) for page in pages} == {questions[2].pk}
    for page in pages:
        assert page.context["open_count"] == 1
        assert not shows_any(page, [q.prompt for q in on_exam])
    assert home.context["open_mistakes"] == 1
    assert "Practise my mistake (1)" in home.content.decode()
    waiting = MistakeCard.objects.filter(student=student, question__in=on_exam)
    assert waiting.count() == 2
    assert not any(card.is_mastered for card in waiting)


def answer_each_asked_mistake(client: Client, *, times: int) -> list:
    """Answer the question the mistakes page asks, rightly, through its own form, `times` times."""
    pages = []
    for _ in range(times):
        page = client.get(MISTAKES_URL)
        pages.append(page)
        question = Question.objects.get(pk=asked_question_id(page))
        form = posted_form(question, right_choice(question), token=hidden_field(page, "token"))
        assert form["check"] == hidden_field(page, "check")
        client.post(MISTAKES_URL, form)
    return pages


def test_a_mistakes_post_for_a_waiting_card_is_refused_and_records_nothing(
    student_client, student, school_class, questions, cards
):
    on_exam = questions[0]
    exam(school_class, fixed=[on_exam])

    response = student_client.post(MISTAKES_URL, posted_form(on_exam, right_choice(on_exam)))

    assert response.status_code == 302 and response.url == MISTAKES_URL
    assert not PracticeAnswer.objects.exists()
    card = MistakeCard.objects.get(student=student, question=on_exam)
    assert (card.correct_in_a_row, card.is_mastered) == (0, False)


def test_only_protected_cards_left_shows_no_question(
    student_client, school_class, questions, cards
):
    exam(school_class, fixed=questions[:3])

    response = student_client.get(MISTAKES_URL)
    home = student_client.get(HOME_URL)

    assert response.status_code == 200
    assert asked_question_id(response) is None
    assert not shows_any(response, [q.prompt for q in questions[:3]])
    assert response.context["found"].open_count == 0
    assert home.context["open_mistakes"] == 0


def test_waiting_cards_come_back_once_the_exam_has_closed_for_everyone(
    student_client, student, other_student, school_class, questions, cards
):
    on_exam = questions[:2]
    assignment = exam(school_class, fixed=on_exam)
    now = timezone.now()
    # Closed for the class, but a classmate's extension keeps it open.
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=now - datetime.timedelta(hours=1))
    extension = AssignmentOverrideFactory(
        assignment=assignment,
        student=other_student,
        closes_at=now + datetime.timedelta(hours=1),
        time_limit_minutes=None,
    )
    while_extended = student_client.get(MISTAKES_URL)

    extension.closes_at = now - datetime.timedelta(minutes=1)
    extension.save()
    pages = answer_each_asked_mistake(student_client, times=3)

    assert while_extended.context["open_count"] == 1
    assert asked_question_id(while_extended) == questions[2].pk
    assert pages[0].context["open_count"] == 3
    assert {asked_question_id(page) for page in pages} == ids(questions[:3])
    assert PracticeAnswer.objects.filter(question__in=on_exam).count() == 2


# --- earlier practice results ------------------------------------------------------------------


def test_an_earlier_practice_result_on_a_now_protected_question_hides_the_key(
    student_client, school_class, bank, questions
):
    question = questions[0]
    answered = student_client.post(bank_url(bank), posted_form(question, wrong_choice(question)))
    before = student_client.get(answered.url)
    exam(school_class, fixed=[question])

    response = student_client.get(answered.url)

    assert "Astana" in before.content.decode()  # the page did show the key before the exam
    assert response.status_code == 404
    assert not shows_any(
        response,
        [
            "Astana",
            feedback_on(question, "Almaty"),
            question.explanation,
            "Anadolu Agency",
            question.prompt,
        ],
    )


# --- an old attempt's review -------------------------------------------------------------------


def finished_attempt(student, assignment, *, answers: dict[int, dict], at: datetime.datetime):
    """An attempt started and submitted at `at`, with `answers` by question id."""
    attempt = attempt_start(student=student, assignment=assignment, now=at)
    for aq in attempt.attempt_questions.select_related("response"):
        if aq.question_id in answers:
            response_save(response=aq.response, answer=answers[aq.question_id], revision=1, now=at)
    return attempt_finish(attempt=attempt, now=at + datetime.timedelta(minutes=5))


def review_url(attempt) -> str:
    return reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk})


@pytest.fixture
def old_attempt(student, school_class, questions):
    """A closed assignment whose review shows everything at once: questions 0 and 1, both wrong."""
    quiz = QuizFactory(
        published=True,
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        review_feedback=ReviewTiming.IMMEDIATELY,
        review_explanation=ReviewTiming.IMMEDIATELY,
    )
    SlotFactory(quiz=quiz, question=questions[0])
    SlotFactory(quiz=quiz, question=questions[1])
    assignment = AssignmentFactory(quiz=quiz, school_class=school_class, closed=True)
    return finished_attempt(
        student,
        assignment,
        answers={q.pk: wrong_choice(q) for q in questions[:2]},
        at=assignment.opens_at + datetime.timedelta(hours=1),
    )


def test_an_old_review_hides_the_key_of_a_question_an_open_exam_now_asks(
    student_client, school_class, questions, old_attempt
):
    on_exam, elsewhere = questions[0], questions[1]
    full_before = student_client.get(review_url(old_attempt))
    exam(school_class, fixed=[on_exam])

    response = student_client.get(review_url(old_attempt))

    assert response.status_code == 200
    assert "Correct answer" in section_about(full_before, on_exam)
    hidden = section_about(response, on_exam)
    # No right/wrong nor marks either: "✗ Incorrect" on a true/false is its key, and with the
    # total and the other rows' marks a hidden row's marks follow by subtraction.
    assert "Incorrect" not in hidden and "0 / 1" not in hidden
    assert "Almaty" in hidden  # the student's own answer
    assert HIDDEN_NOTICE in hidden
    assert not shows_any(response, [on_exam.explanation, feedback_on(on_exam, "Almaty")])
    for key_part in ("Correct answer", "Astana", "Feedback on your answer", "Why"):
        assert key_part not in hidden
    other = section_about(response, elsewhere)
    assert HIDDEN_NOTICE not in other  # not itself on an exam...
    for key_part in ("Incorrect", "0 / 1", "Correct answer", "Astana", elsewhere.explanation):
        assert key_part not in other  # ...but its marks and key would settle the hidden one's
    assert "Almaty" in other
    assert "Right and wrong, marks and answers are hidden on this page for now" in (
        response.content.decode()
    )
    assert "0 out of 2 points" in response.content.decode()  # the total stays


def test_an_old_review_hides_the_key_while_a_random_slot_could_draw_the_question(
    student_client, school_class, bank, questions, old_attempt
):
    exam(school_class, draws=[(bank, None, 1)])

    response = student_client.get(review_url(old_attempt))

    for question in questions[:2]:
        assert HIDDEN_NOTICE in section_about(response, question)
    for question in questions[:2]:
        assert not shows_any(
            response, ["Astana", feedback_on(question, "Almaty"), question.explanation]
        )


def test_an_old_review_is_shown_whole_again_once_the_exam_has_closed(
    student_client, school_class, questions, old_attempt
):
    assignment = exam(school_class, fixed=[questions[0]])
    Assignment.objects.filter(pk=assignment.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = student_client.get(review_url(old_attempt))

    assert HIDDEN_NOTICE not in response.content.decode()
    assert "Astana" in section_about(response, questions[0])
    assert questions[0].explanation in response.content.decode()


def test_an_exam_of_another_class_with_the_same_question_reviewed_at_once_hides_its_key(
    student, school_class, questions, other_teacher
):
    """A second teacher enrols the student and assigns the question with answers shown at once."""
    on_exam = questions[0]
    exam(school_class, fixed=[on_exam])
    second_class = SchoolClassFactory(name="Debate club", teachers=[other_teacher])
    EnrollmentFactory(school_class=second_class, student=student)
    quiz = QuizFactory(
        published=True,
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        review_feedback=ReviewTiming.IMMEDIATELY,
        review_explanation=ReviewTiming.IMMEDIATELY,
    )
    SlotFactory(quiz=quiz, question=on_exam)
    leaky = AssignmentFactory(quiz=quiz, school_class=second_class)
    attempt = finished_attempt(
        student, leaky, answers={on_exam.pk: wrong_choice(on_exam)}, at=timezone.now()
    )
    client = Client()
    client.force_login(student)

    response = client.get(review_url(attempt))

    assert response.status_code == 200
    assert HIDDEN_NOTICE in section_about(response, on_exam)
    assert not shows_any(response, ["Astana", feedback_on(on_exam, "Almaty"), on_exam.explanation])


def test_an_attempts_own_review_follows_its_own_policy(
    student_client, student, school_class, questions
):
    """The exam protects its questions from other routes, not from its own review."""
    quiz = QuizFactory(
        published=True,
        review_correct_answer=ReviewTiming.AFTER_CLOSE,
        review_feedback=ReviewTiming.IMMEDIATELY,
        review_explanation=ReviewTiming.IMMEDIATELY,
    )
    SlotFactory(quiz=quiz, question=questions[0])
    assignment = AssignmentFactory(quiz=quiz, school_class=school_class)
    attempt = finished_attempt(
        student,
        assignment,
        answers={questions[0].pk: wrong_choice(questions[0])},
        at=timezone.now(),
    )

    response = student_client.get(review_url(attempt))

    section = section_about(response, questions[0])
    assert HIDDEN_NOTICE not in section
    assert feedback_on(questions[0], "Almaty") in section
    assert questions[0].explanation in section
    assert "Correct answer" not in section  # after the close, as the teacher chose


# --- when protection ends, and what never protects ---------------------------------------------


def test_a_question_is_practised_again_once_the_exam_has_closed_for_everyone(
    student_client, other_student, school_class, bank, questions
):
    on_exam = questions[:7]
    assignment = exam(school_class, fixed=on_exam)
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=now - datetime.timedelta(hours=1))
    extension = AssignmentOverrideFactory(
        assignment=assignment,
        student=other_student,
        closes_at=now + datetime.timedelta(hours=1),
        time_limit_minutes=None,
    )
    while_extended = practise_by_skipping(student_client, bank_url(bank), times=20)
    refused = student_client.post(bank_url(bank), posted_form(on_exam[0], right_choice(on_exam[0])))

    extension.closes_at = now - datetime.timedelta(minutes=1)
    extension.save()

    assert {asked_question_id(page) for page in while_extended} == {questions[7].pk}
    assert refused.status_code == 404
    assert not PracticeAnswer.objects.exists()
    assert_practised_with_its_key(student_client, bank, on_exam[0], askable=8)


def assert_practised_with_its_key(client: Client, bank: Bank, question: Question, *, askable):
    """The bank counts `askable` questions, and `question` is practised: its key is shown."""
    home = client.get(HOME_URL)
    posted = client.post(bank_url(bank), posted_form(question, wrong_choice(question)))
    result = client.get(posted.url)

    assert [b.question_count for b in home.context["banks"]] == [askable]
    assert posted.status_code == 302
    assert PracticeAnswer.objects.filter(question=question).count() == 1
    assert result.status_code == 200
    assert result.context["row"]["correct_answer"] == "Astana"
    assert question.explanation in result.content.decode()


def test_an_exam_showing_answers_at_once_with_unlimited_attempts_protects_nothing(
    student_client, school_class, bank, questions
):
    """Trying again shows every drawn key anyway: practice keeps nothing more back."""
    exam(
        school_class,
        fixed=questions[:4],
        draws=[(bank, None, 2)],
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        attempts_allowed=0,
    )

    assert_practised_with_its_key(student_client, bank, questions[0], askable=8)


def test_an_exam_showing_answers_at_once_protects_its_questions_until_the_student_has_taken_it(
    student, student_client, school_class, bank, questions
):
    """ "Immediately" means after the student's own attempt, not before it (invariant 2)."""
    assignment = exam(
        school_class,
        fixed=questions[:4],
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        attempts_allowed=1,
    )
    home = student_client.get(HOME_URL)
    refused = student_client.post(
        bank_url(bank), posted_form(questions[0], wrong_choice(questions[0]))
    )
    assert [b.question_count for b in home.context["banks"]] == [4]
    assert refused.status_code in (400, 404)
    assert not PracticeAnswer.objects.exists()

    finished_attempt(student, assignment, answers={}, at=timezone.now())

    assert_practised_with_its_key(student_client, bank, questions[0], askable=8)


def test_an_excused_student_or_one_whose_window_closed_is_not_kept_from_practice(
    student, student_client, school_class, bank, questions
):
    assignment = exam(
        school_class,
        fixed=questions[:4],
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        attempts_allowed=1,
    )
    AssignmentOverrideFactory(
        assignment=assignment, student=student, is_excused=True, time_limit_minutes=None
    )

    assert_practised_with_its_key(student_client, bank, questions[0], askable=8)


def test_an_exam_of_a_class_the_student_is_not_in_protects_nothing_for_them(
    student_client, other_teacher, bank, questions
):
    elsewhere = SchoolClassFactory(name="Grade 11", teachers=[other_teacher])
    exam(elsewhere, fixed=questions[:4], draws=[(bank, None, 2)])

    assert_practised_with_its_key(student_client, bank, questions[0], askable=8)


def test_a_closed_exam_protects_nothing(student_client, school_class, bank, questions):
    exam(school_class, fixed=questions[:4], closed=True)

    assert_practised_with_its_key(student_client, bank, questions[0], askable=8)


# --- query counts: protection is a subquery, whatever the number of exams -----------------------


@pytest.fixture(params=[1, 10], ids=["1-exam", "10-exams"])
def protecting_exams(request, student, school_class, bank, questions) -> list[Assignment]:
    """Exams keeping questions 0-2 of the bank, and a whole other bank, out of practice."""
    formats = TagFactory(name="formats")
    for question in questions[:3]:
        question.tags.add(formats)
    other_bank = BankFactory(name="Abraham Accords")
    make_question(other_bank, 50)
    MistakeCard.objects.create(student=student, question=questions[0], opened_at=timezone.now())
    MistakeCard.objects.create(student=student, question=questions[3], opened_at=timezone.now())
    return [
        exam(
            school_class,
            fixed=[questions[index % 3]],
            draws=[(bank, formats, 1), (other_bank, None, 1)],
            **({"upcoming": True} if index % 2 else {}),
        )
        for index in range(request.param)
    ]


def test_practice_home_query_count_is_fixed_whatever_the_exams(
    student_client, django_assert_num_queries, protecting_exams
):
    # session, user, unrecorded finished attempts, banks with askable-question counts (what
    # exams protect is a subquery), open mistakes not protected (one count, subqueries)
    with django_assert_num_queries(5):
        response = student_client.get(HOME_URL)

    assert [(b.name, b.question_count) for b in response.context["banks"]] == [
        ("Central Asian diplomacy", 5)
    ]
    assert response.context["open_mistakes"] == 1


def test_bank_practice_query_count_is_fixed_whatever_the_exams(
    student_client, bank, questions, django_assert_num_queries, protecting_exams
):
    # session, user, bank, quiz in progress?, askable ids (protection as a subquery),
    # the question (+ bank, stimulus), its choices, accepted answers, numeric answers,
    # match pairs, order items
    with django_assert_num_queries(11):
        response = student_client.get(bank_url(bank))

    assert asked_question_id(response) in ids(questions[3:])


def test_mistakes_query_count_is_fixed_whatever_the_exams(
    student_client, questions, django_assert_num_queries, protecting_exams
):
    # session, user, quiz in progress?, unrecorded finished attempts, step counter, open
    # count and soonest due (protection as a subquery), the due card, the question
    # (+ bank, stimulus) and its 5 part kinds
    with django_assert_num_queries(13):
        response = student_client.get(MISTAKES_URL)

    assert asked_question_id(response) == questions[3].pk
    assert response.context["open_count"] == 1


# --- the demo: its open hidden-answers exam draws from a bank open for practice ---------------


def wrong_answer(snapshot: dict) -> dict:
    """An answer scoring below 1 for any scored question type, as a careless student gives."""
    kind = snapshot["type"]
    if kind in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        return {"choice": next(c["id"] for c in snapshot["choices"] if float(c["fraction"]) < 1)}
    if kind == QuestionType.MULTIPLE:
        return {"choices": [c["id"] for c in snapshot["choices"] if float(c["fraction"]) <= 0]}
    if kind == QuestionType.SHORT:
        return {"text": "no idea"}
    if kind == QuestionType.NUMERIC:
        return {"value": "-987654"}
    key = grading.correct_answer(snapshot)
    if kind == QuestionType.MATCHING:
        pairs = list(key["matches"])
        answers = [key["matches"][pair] for pair in pairs]
        return {"matches": dict(zip(pairs, answers[1:] + answers[:1], strict=True))}
    return {"order": list(reversed(key["order"]))}


def rendered(text: str) -> str:
    """A question text as the pages render it (Markdown)."""
    return str(render_markdown(text))


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The shipped banks and the demo class, built once for the class that asks for them,
    inside a transaction rolled back after its last test (each test runs in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_banks", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


class TestTheDemoExamStaysSecret:
    """The issue's scenario on the shipped demo: "Central Asian diplomacy" is open, shows
    answers only after it closes, and draws from the "Central Asian diplomacy" bank, which is
    open for practice. No route shows one of its questions answered.

    The demo takes seconds to build, so it is built once for this class (see `demo`).
    """

    @pytest.fixture
    def the_exam(self, demo, db) -> Assignment:
        now = timezone.now()
        (assignment,) = Assignment.objects.filter(
            review_correct_answer=ReviewTiming.AFTER_CLOSE, opens_at__lte=now, closes_at__gt=now
        )
        assert assignment.quiz.title.startswith("Central Asian diplomacy")
        assert Bank.objects.get(slug="central-asian-diplomacy").is_practice_open
        return assignment

    @pytest.fixture
    def students(self, the_exam):
        """student01 (no attempt yet) and the classmate who finished the most attempts."""
        users = get_user_model().objects
        busiest = (
            users.filter(attempts__state="finished")
            .annotate(n=Count("attempts__assignment", distinct=True))
            .order_by("-n", "username")
            .first()
        )
        return [users.get(username="student01"), busiest]

    def expected_secret(self, student, the_exam) -> list[Question]:
        secret = list(protected_questions(student=student, now=timezone.now()).scored())
        fixed = [slot.question_id for slot in the_exam.slots.all() if slot.question_id]
        assert set(fixed) <= ids(secret)  # sanity: the exam's own questions are in the set
        return secret

    def test_practising_every_bank_never_asks_an_exam_question(self, the_exam, students):
        for student, reloads in zip(students, [100, 25], strict=True):
            secret = self.expected_secret(student, the_exam)
            texts = [rendered(q.prompt) for q in secret] + [
                rendered(q.explanation) for q in secret if q.explanation
            ]
            client = Client()
            client.force_login(student)
            for bank in Bank.objects.order_by("slug"):
                times = reloads if bank.slug == "central-asian-diplomacy" else reloads // 5
                pages = practise_by_skipping(client, bank_url(bank), times=times)

                asked = {asked_question_id(page) for page in pages}
                assert len(pages) == times and None not in asked, bank.slug
                assert not asked & ids(secret), (student.username, bank.slug)
                first = Question.objects.get(pk=asked_question_id(pages[0]))
                assert shows_any(pages[0], [rendered(first.prompt)])  # the texts are findable
                for page in pages:
                    assert not shows_any(page, texts), (student.username, bank.slug)

    def test_no_route_shows_an_exam_question_answered(self, the_exam, students):
        """Practised before the exam, wrong: results, mistakes and reviews now keep the key."""
        for student in students:
            secret = self.expected_secret(student, the_exam)
            client = Client()
            client.force_login(student)
            # Before the exams were set (none was live yet): the student practised each of
            # their questions. Every live window is moved out of the way meanwhile, then put
            # back.
            live = Assignment.objects.filter(closes_at__gt=timezone.now())
            windows = {a.pk: (a.opens_at, a.closes_at) for a in live}
            assert the_exam.pk in windows
            for pk, (opens, _) in windows.items():
                Assignment.objects.filter(pk=pk).update(
                    opens_at=opens - datetime.timedelta(days=400),
                    closes_at=opens - datetime.timedelta(days=399),
                )
            results = []
            for question in secret:
                snapshot = question.snapshot()
                posted = client.post(
                    bank_url(question.bank), posted_form(question, wrong_answer(snapshot))
                )
                assert posted.status_code == 302, question.key
                results.append(posted.url)
            assert client.get(results[0]).status_code == 200  # the key was shown then
            for pk, (opens, closes) in windows.items():
                Assignment.objects.filter(pk=pk).update(opens_at=opens, closes_at=closes)
            explanations = [rendered(q.explanation) for q in secret if q.explanation]

            result_pages = [client.get(url) for url in results]
            home = client.get(HOME_URL)
            open_then = MistakeCard.objects.filter(student=student).open()
            waiting = open_then.filter(question__in=secret).count()
            not_waiting = open_then.count() - waiting
            mistakes = self.walk_the_mistakes(client)
            history = client.get(reverse("quizzes:history"))
            reviews = {
                attempt: client.get(review_url(attempt))
                for attempt in student.attempts.filter(state="finished")
            }

            for page in result_pages:
                assert page.status_code == 404
                assert not shows_any(page, ["Correct answer", "Explanation", *explanations])
            assert waiting == len(secret)  # every wrong answer opened a card, and it waits
            assert home.context["open_mistakes"] == not_waiting
            assert not {asked_question_id(page) for page in mistakes} & ids(secret)
            still_waiting = MistakeCard.objects.filter(student=student, question__in=secret)
            assert {card.correct_in_a_row for card in still_waiting} == {0}
            for page in [home, history, *mistakes]:
                assert not shows_any(page, explanations)
            for attempt, page in reviews.items():
                assert page.status_code == 200
                # An exam showing answers right after each attempt shows its own in its review.
                kept = protected_questions(
                    student=student, now=timezone.now(), except_assignment_id=attempt.assignment_id
                ).scored()
                assert not shows_any(page, [rendered(q.explanation) for q in kept if q.explanation])
                for aq in attempt.attempt_questions.filter(question__in=kept):
                    section = re.search(
                        rf'<section class="review-item[^"]*" id="q{aq.position}">.*?</section>',
                        page.content.decode(),
                        flags=re.S,
                    )
                    if section:  # its own exam shows no rows before it closes
                        assert "Correct answer" not in section.group(0)
                        assert "Feedback on your answer" not in section.group(0)

    @staticmethod
    def walk_the_mistakes(client: Client, times: int = 12) -> list:
        """Answer every mistake the queue asks, rightly, until none is due."""
        pages = []
        for _ in range(times):
            page = client.get(MISTAKES_URL)
            pages.append(page)
            asked = asked_question_id(page)
            if asked is None:
                break
            question = Question.objects.get(pk=asked)
            answer = grading.correct_answer(question.snapshot())
            form = posted_form(question, answer, token=hidden_field(page, "token"))
            client.post(MISTAKES_URL, form)
        return pages

"""Quiz authoring in the admin: fixed and random slots, their validation, and the preview."""

import random

import pytest
from django.urls import reverse

from quizzes.models import AcceptedAnswer, Choice, Question, QuestionType, Quiz, Slot
from quizzes.services import draw_questions
from tests.factories import BankFactory, QuestionFactory, QuizFactory, SlotFactory, TagFactory


def quiz_form_data(*, slots=(), is_published=False, **fields) -> dict[str, str]:
    """An add-form POST: the quiz's fields plus the "slots" inline rows."""
    data = {
        "title": "Abraham Accords basics",
        "slug": "abraham-accords-basics",
        "description": "",
        "time_limit_minutes": "20",
        "attempts_allowed": "1",
        "grading_method": "highest",
        "pass_mark": "",
        "shuffle_choices": "on",
        "navigation": "free",
        "questions_per_page": "1",
        "review_score": "immediately",
        "review_correctness": "immediately",
        "review_correct_answer": "after_close",
        "review_feedback": "after_close",
        "review_explanation": "after_close",
        "slots-TOTAL_FORMS": str(len(slots)),
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
        **fields,
    }
    if is_published:
        data["is_published"] = "on"
    for index, slot in enumerate(slots):
        row = {
            "id": "",
            "position": str(index),
            "question": "",
            "bank": "",
            "tag": "",
            "count": "1",
            "points": "",
            **{
                **{key: str(getattr(value, "pk", value)) for key, value in slot.items()},
            },
        }
        data.update({f"slots-{index}-{key}": value for key, value in row.items()})
    return data


def slot_errors(response) -> list[str]:
    assert response.status_code == 200, "the form was expected to be refused"
    return [
        str(error)
        for inline in response.context["inline_admin_formsets"]
        for error in inline.formset.non_form_errors()
    ]


@pytest.fixture
def bank_of_two():
    bank = BankFactory(name="Abraham Accords")
    QuestionFactory.create_batch(2, bank=bank, published=True)
    QuestionFactory(bank=bank)  # a draft is never drawn
    return bank


def test_teacher_adds_a_quiz_with_a_fixed_and_a_random_slot(teacher, teacher_client, bank_of_two):
    fixed = QuestionFactory(published=True)
    data = quiz_form_data(
        is_published=True,
        slots=[{"question": fixed}, {"bank": bank_of_two, "count": 2, "points": "2"}],
    )

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="abraham-accords-basics")
    assert quiz.is_published
    assert quiz.created_by == teacher
    first, second = quiz.slots.all()
    assert (first.question, first.bank, first.count) == (fixed, None, 1)
    assert (second.question, second.bank, second.count) == (None, bank_of_two, 2)
    assert str(second.points) == "2.00"


def test_random_slot_asking_for_more_than_the_bank_has_is_refused(teacher_client, bank_of_two):
    data = quiz_form_data(slots=[{"bank": bank_of_two, "count": 3}])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    [error] = slot_errors(response)
    assert "only 2 published questions" in error
    assert not Quiz.objects.exists()
    assert not Slot.objects.exists()


def test_fixed_questions_do_not_count_towards_a_random_slots_pool(teacher_client, bank_of_two):
    fixed = Question.objects.filter(bank=bank_of_two, status="published").first()
    data = quiz_form_data(slots=[{"question": fixed}, {"bank": bank_of_two, "count": 2}])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    [error] = slot_errors(response)
    assert "only 1 published questions" in error
    assert not Quiz.objects.exists()


def slot_row_errors(response) -> list[str]:
    assert response.status_code == 200, "the form was expected to be refused"
    return [
        str(error)
        for inline in response.context["inline_admin_formsets"]
        for form_errors in inline.formset.errors
        for errors in form_errors.values()
        for error in errors
    ]


def test_slot_with_both_a_question_and_a_bank_is_refused(teacher_client, bank_of_two):
    fixed = QuestionFactory(published=True)
    data = quiz_form_data(slots=[{"question": fixed, "bank": bank_of_two}])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert slot_row_errors(response) or slot_errors(response)
    assert not Quiz.objects.exists()
    assert not Slot.objects.exists()


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        ({"question": "fixed", "bank": "bank"}, "fill in one of the two, not both"),
        ({"tag": "tag"}, "fill in one of the two, not both"),
    ],
    ids=["question-and-bank", "neither"],
)
def test_invalid_slot_is_refused_with_a_clear_message(teacher_client, bank_of_two, slot, message):
    objects = {"fixed": QuestionFactory(published=True), "bank": bank_of_two, "tag": TagFactory()}
    data = quiz_form_data(slots=[{field: objects[name] for field, name in slot.items()}])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert any(message in error for error in slot_row_errors(response) + slot_errors(response))
    assert not Quiz.objects.exists()


def test_fixed_slot_with_a_count_is_saved_with_count_one(teacher_client):
    fixed = QuestionFactory(published=True)
    data = quiz_form_data(slots=[{"question": fixed, "count": 2}])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert response.status_code == 302
    assert Slot.objects.get().count == 1


def test_published_quiz_without_slots_is_refused(teacher_client):
    data = quiz_form_data(is_published=True, slots=[])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert slot_errors(response) == ["A published quiz or an assignment needs at least one slot."]
    assert not Quiz.objects.exists()


def test_unpublished_quiz_without_slots_is_saved_as_a_draft(teacher_client):
    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), quiz_form_data(slots=[]))

    assert response.status_code == 302
    assert Quiz.objects.get().is_published is False


@pytest.fixture
def tagged_bank():
    """Three published questions, one of them tagged "kazakhstan"."""
    bank = BankFactory(name="C5+1")
    tag = TagFactory(name="kazakhstan")
    QuestionFactory.create_batch(2, bank=bank, published=True)
    QuestionFactory(bank=bank, published=True, tags=[tag])
    return bank, tag


def test_overlapping_random_slots_asking_for_more_than_the_bank_has_are_refused(
    teacher_client, tagged_bank
):
    bank, tag = tagged_bank
    data = quiz_form_data(slots=[{"bank": bank, "count": 3}, {"bank": bank, "tag": tag}])

    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)

    [error] = slot_errors(response)
    assert "only" in error
    assert not Quiz.objects.exists()


def test_a_quiz_the_admin_accepts_can_always_be_drawn(teacher_client, tagged_bank):
    bank, tag = tagged_bank
    data = quiz_form_data(slots=[{"bank": bank, "count": 2}, {"bank": bank, "tag": tag}])
    response = teacher_client.post(reverse("admin:quizzes_quiz_add"), data)
    assert response.status_code == 302
    slots = list(Quiz.objects.get().slots.select_related("bank", "tag"))

    draws = [draw_questions(slots, random.Random(seed)) for seed in range(20)]

    assert all(len(drawn) == 3 for drawn in draws)


# -- preview ------------------------------------------------------------------------------------


def plant_sentinels(question: Question, n: int) -> Question:
    question.explanation = f"SENTINEL-EXPLANATION-{n}"
    question.save()
    Choice.objects.filter(question=question).update(feedback=f"SENTINEL-FEEDBACK-{n}")
    AcceptedAnswer.objects.filter(question=question).update(
        text=f"SENTINEL-ANSWER-{n}", feedback=f"SENTINEL-FEEDBACK-{n}"
    )
    return question


def test_preview_shows_the_drawn_questions_without_feedback_or_explanation(teacher_client):
    bank = BankFactory(name="Central Asia")
    fixed = plant_sentinels(QuestionFactory(published=True, prompt="Fixed prompt here"), 0)
    drawn = [
        plant_sentinels(QuestionFactory(bank=bank, published=True, prompt="Random prompt one"), 1),
        plant_sentinels(
            QuestionFactory(
                bank=bank, published=True, type=QuestionType.SHORT, prompt="Random prompt two"
            ),
            2,
        ),
    ]
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, position=0, question=fixed)
    SlotFactory(quiz=quiz, position=1, question=None, bank=bank, count=2)

    response = teacher_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk]))

    assert response.status_code == 200
    assert response.context["problem"] == ""
    assert len(response.context["questions"]) == 3
    html = response.content.decode()
    for question in (fixed, *drawn):
        assert question.prompt in html
    assert "Astana" in html  # the choices are shown...
    assert "SENTINEL" not in html  # ...but no feedback, explanation or accepted answer


def test_preview_reports_a_slot_that_cannot_be_drawn(teacher_client):
    bank = BankFactory(name="Empty bank")
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, question=None, bank=bank, count=1)

    response = teacher_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk]))

    assert response.status_code == 200
    assert response.context["questions"] == []
    assert "only 0 published questions fit it" in response.context["problem"]

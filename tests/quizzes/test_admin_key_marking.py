"""Marking the key as a teacher does: a "correct" radio, a grade menu in percent, no defaults."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.fractions import fraction_menu, fraction_percent
from quizzes.models import Choice, Question, QuestionType
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    SchoolClassFactory,
    SlotFactory,
)
from tests.quizzes.test_admin_questions import ADD_URL, question_post

pytestmark = pytest.mark.django_db
D = Decimal


def saved_fractions(question: Question, related: str = "choices") -> list[Decimal]:
    return [row.fraction for row in getattr(question, related).all()]


def test_single_choice_the_radio_marks_the_key_and_partial_credit_is_kept(teacher_client):
    rows = [
        {"text": "Almaty"},
        {"text": "Astana", "correct": True},
        {"text": "Astana (Nur-Sultan)", "fraction": "0.5000000"},
    ]

    response = teacher_client.post(
        f"{ADD_URL}?type=single", question_post(BankFactory(), prefix="choices", rows=rows)
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert saved_fractions(Question.objects.get()) == [D(0), D(1), D("0.5")]


def test_true_false_the_radio_marks_which_is_true(teacher_client):
    rows = [{"text": "True"}, {"text": "False", "correct": True}]

    teacher_client.post(
        f"{ADD_URL}?type=truefalse", question_post(BankFactory(), prefix="choices", rows=rows)
    )

    assert saved_fractions(Question.objects.get()) == [D(0), D(1)]


def test_an_untouched_true_false_is_refused_with_a_clear_error(teacher_client):
    page = teacher_client.get(f"{ADD_URL}?type=truefalse").text
    assert 'name="choices-correct"' in page
    assert "checked" not in page.split('name="choices-correct"', 1)[1].split("</table>")[0]
    rows = [{"text": "True"}, {"text": "False"}]  # as the form comes: nothing marked

    response = teacher_client.post(
        f"{ADD_URL}?type=truefalse", question_post(BankFactory(), prefix="choices", rows=rows)
    )

    assert response.status_code == 200
    assert "mark which one is correct" in response.text
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_multiple_response_grades_come_from_the_menu(teacher_client):
    rows = [
        {"text": "Kazakhstan", "fraction": "0.5000000"},
        {"text": "Kyrgyzstan", "fraction": "0.5000000"},
        {"text": "Azerbaijan", "fraction": "-0.3333333"},
    ]

    response = teacher_client.post(
        f"{ADD_URL}?type=multiple", question_post(BankFactory(), prefix="choices", rows=rows)
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert saved_fractions(Question.objects.get()) == [D("0.5"), D("0.5"), D("-0.3333333")]


@pytest.mark.parametrize(
    ("question_type", "prefix", "row"),
    [
        ("short", "accepted_answers", {"text": "Astana"}),
        ("numeric", "numeric_answers", {"value": "1992", "tolerance": "0"}),
    ],
)
def test_answers_take_a_grade_from_the_menu(teacher_client, question_type, prefix, row):
    rows = [{**row, "fraction": "1.0000000"}, {**row, "fraction": "0.8333333"}]
    rows[1].update(text="Nur-Sultan") if "text" in row else rows[1].update(value="1993")

    response = teacher_client.post(
        f"{ADD_URL}?type={question_type}", question_post(BankFactory(), prefix=prefix, rows=rows)
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert saved_fractions(Question.objects.get(), prefix) == [D(1), D("0.8333333")]


def test_an_answer_cannot_take_marks_away(teacher_client):
    rows = [{"text": "Astana", "fraction": "1"}, {"text": "Almaty", "fraction": "-0.5"}]

    response = teacher_client.post(
        f"{ADD_URL}?type=short", question_post(BankFactory(), prefix="accepted_answers", rows=rows)
    )

    assert "Select a valid choice" in response.text
    assert not Question.objects.exists()


def test_grades_read_as_percentages_on_the_form_and_the_preview(teacher_client):
    question = QuestionFactory(type=QuestionType.MULTIPLE, published=True)
    choices = list(question.choices.all())
    Choice.objects.filter(pk=choices[0].pk).update(fraction=D(1))
    Choice.objects.filter(pk=choices[1].pk).update(fraction=D(0))

    form = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk])).text
    preview = teacher_client.get(reverse("admin:quizzes_question_preview", args=[question.pk])).text

    assert 'value="1.0000000" selected>100\u00a0%</option>' in form
    assert 'value="0.0000000" selected>none (0\u00a0%)</option>' in form
    assert "<td>100\u00a0%</td>" in preview
    assert "<td>0\u00a0%</td>" in preview
    for page in (form, preview):
        assert "0E-7" not in page
        assert ">1.0000000<" not in page


def test_a_grade_outside_the_menu_shows_and_saves_unchanged(teacher_client):
    question = QuestionFactory(type=QuestionType.MULTIPLE, published=True)
    rows = list(question.choices.all())
    Choice.objects.filter(pk=rows[0].pk).update(fraction=D("0.35"))
    Choice.objects.filter(pk=rows[1].pk).update(fraction=D("0.65"))
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    form = teacher_client.get(url).text
    assert 'value="0.3500000" selected>35\u00a0%</option>' in form
    data = question_post(question.bank, title="Renamed", prefix="choices")
    data.update({"choices-TOTAL_FORMS": str(len(rows)), "choices-INITIAL_FORMS": str(len(rows))})
    for i, row in enumerate(Choice.objects.filter(question=question)):
        data.update(
            {
                f"choices-{i}-id": str(row.pk),
                f"choices-{i}-question": str(question.pk),
                f"choices-{i}-text": row.text,
                f"choices-{i}-fraction": str(row.fraction),
                f"choices-{i}-position": str(row.position),
            }
        )

    response = teacher_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert D("0.35") in saved_fractions(question) and D("0.65") in saved_fractions(question)


def test_editing_a_single_choice_shows_the_saved_key_checked(teacher_client):
    question = QuestionFactory(type=QuestionType.SINGLE, published=True)
    correct = question.choices.get(fraction=1)
    index = list(question.choices.all()).index(correct)

    page = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk])).text

    assert f'name="choices-correct" value="choices-{index}"' in page
    radio = page.split(f'value="choices-{index}"', 1)[1].split(">", 1)[0]
    assert "checked" in radio


def test_the_menu_is_moodles_and_reads_in_percent():
    labels = [label for _value, label in fraction_menu(minimum=D(-1))]
    assert labels[:4] == ["100\u00a0%", "90\u00a0%", "83.3\u00a0%", "80\u00a0%"]
    assert "none (0\u00a0%)" in labels and labels[-1] == "-100\u00a0%"
    assert len(labels) == 41  # 20 positive, none, 20 negative
    assert fraction_percent(D("0E-7")) == "0\u00a0%"
    assert fraction_percent(D("1.0000000")) == "100\u00a0%"
    assert fraction_percent(D("0.1428571")) == "14.3\u00a0%"
    assert fraction_percent(D("0.35")) == "35\u00a0%"
    assert fraction_percent(D("0.1234567")) == "12.34567\u00a0%"


def test_a_question_students_answered_warns_and_links_to_regrade(teacher, teacher_client):
    question = QuestionFactory(type=QuestionType.SINGLE, published=True)
    unused = QuestionFactory(type=QuestionType.SINGLE, published=True)
    assignment = AssignmentFactory(school_class=SchoolClassFactory(teachers=[teacher]))
    SlotFactory(quiz=None, assignment=assignment, question=question)
    enrollment = EnrollmentFactory(school_class=assignment.school_class)
    attempt_start(student=enrollment.student, assignment=assignment, now=timezone.now())
    change = "admin:quizzes_question_change"

    used_page = teacher_client.get(reverse(change, args=[question.pk])).text
    unused_page = teacher_client.get(reverse(change, args=[unused.pk])).text

    regrade = reverse("admin:quizzes_question_regrade", args=[question.pk])
    assert "Students have already answered this question" in used_page
    assert f'<a href="{regrade}">regrade the attempts</a>' in used_page
    assert "Students have already answered" not in unused_page

"""The assignment report: which attempts it reads, the figures it takes from
quizzes.statistics, the response tables and the advice, on a class built to say something.

The class (12 students, four questions: three single choice, then a short answer "Astana"):
* strong (0-3): Q1 wrong (option B), Q2 right, Q3 right, Q4 "Astana": 3 of 4;
* middle (4-7) and weak (8-11): Q1 right, Q2 and Q3 wrong, Q4 "Nur-Sultan" / "nur-sultan ":
  1 of 4.
So strong students chose B on Q1 more often than the key, and Q1 discriminates negatively.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import report, statistics
from quizzes.models import Attempt, AttemptQuestion, Enrollment, QuestionType, Response
from quizzes.report import AttemptChoice
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
)
from tests.quizzes.results_data import add_attempts, template_fix

pytestmark = pytest.mark.django_db


def plan_rights(i: int) -> list:
    if i < 4:
        return [False, True, True, {"text": "Astana"}]
    typed = "Nur-Sultan" if i < 8 else "nur-sultan "
    return [True, False, False, {"text": typed}]


@pytest.fixture
def assignment(teacher):
    now = timezone.now()
    quiz = QuizFactory(published=True, attempts_allowed=2)
    for title in ("Capital", "Accords year", "Summit city"):
        SlotFactory(quiz=quiz, question=QuestionFactory(published=True, title=title))
    SlotFactory(
        quiz=quiz,
        question=QuestionFactory(published=True, type=QuestionType.SHORT, title="Typed capital"),
    )
    assignment = AssignmentFactory(
        quiz=quiz,
        school_class=SchoolClassFactory(teachers=[teacher]),
        opens_at=now - datetime.timedelta(days=5),
        closes_at=now - datetime.timedelta(days=1),
        pass_mark=Decimal(50),
    )
    students = [StudentFactory(username=f"r{i:02d}") for i in range(12)]
    Enrollment.objects.bulk_create(
        [Enrollment(school_class=assignment.school_class, student=s) for s in students]
    )
    plans = [(s, 1, plan_rights(i), "finished", None) for i, s in enumerate(students)]
    template = attempt_start(
        student=students[0], assignment=assignment, now=now - datetime.timedelta(days=4)
    )
    template_fix(template, plans[0], now=now)
    add_attempts(template, plans[1:], now=now)
    return assignment


def question(built: report.AssignmentReport, title: str) -> report.QuestionReport:
    return next(q for q in built.questions if q.item.title == title)


def test_figures_are_item_analysis_of_the_first_attempts(assignment):
    built = report.assignment_report(assignment, which=AttemptChoice.FIRST)

    matrix = [[0, 1, 1, 1]] * 4 + [[1, 0, 0, 0]] * 8
    expected = statistics.item_analysis(matrix)
    assert [q.facility for q in built.questions] == pytest.approx(expected.facility)
    assert [q.discrimination_index for q in built.questions] == pytest.approx(
        expected.discrimination_index
    )
    assert built.analysis.cronbach_alpha == pytest.approx(expected.cronbach_alpha)
    assert built.summary.mean == pytest.approx((4 * 75 + 8 * 25) / 12)
    assert built.pass_rate == pytest.approx(4 / 12)
    assert built.histogram.counts[7] == 4 and built.histogram.counts[2] == 8
    assert built.standard_error_percent == pytest.approx(expected.standard_error / 4 * 100)


def test_strong_students_choosing_another_option_is_advised_and_flagged(assignment):
    capital = question(report.assignment_report(assignment, which=AttemptChoice.FIRST), "Capital")

    codes = [advice.code for advice in capital.advice]
    assert "strong_chose_other" in codes and "negative_discrimination" in codes
    assert "Strong students chose B more often than the key: check the key." in (
        capital.advice_texts
    )
    assert capital.is_flagged


def test_choice_table_gives_each_options_share_overall_and_by_third(assignment):
    capital = question(report.assignment_report(assignment, which=AttemptChoice.FIRST), "Capital")

    rows = {row.label: row for row in capital.responses}
    assert [row.text for row in capital.responses] == ["Astana", "Almaty", "Bishkek"]
    assert rows["A"].row.is_key and not rows["B"].row.is_key
    assert rows["A"].shares == pytest.approx((8 / 12, 0, 1))
    assert rows["B"].shares == pytest.approx((4 / 12, 1, 0))
    assert capital.response_sizes == (12, 4, 4)


def test_short_answers_list_the_most_frequent_wrong_answers_grouped(assignment):
    typed = question(
        report.assignment_report(assignment, which=AttemptChoice.FIRST), "Typed capital"
    )

    assert [(row.text, row.row.count) for row in typed.responses] == [("Nur-Sultan", 8)]
    assert typed.responses[0].row.share == pytest.approx(8 / 12)


def test_a_teachers_score_counts_in_the_figures(assignment):
    response = Response.objects.get(
        attempt_question__attempt__student__username="r08",
        attempt_question__question__title="Accords year",
    )
    response.override_fraction = 1
    response.save()

    built = report.assignment_report(assignment, which=AttemptChoice.FIRST)

    assert question(built, "Accords year").facility == pytest.approx(5 / 12)


def test_all_attempts_and_the_graded_attempt(assignment):
    student = Attempt.objects.get(student__username="r08").student
    first = Attempt.objects.get(student=student)
    template = Attempt.objects.get(student__username="r00")
    add_attempts(template, [(student, 2, [True] * 3 + [{"text": "Astana"}], "finished", None)],
                 now=timezone.now())  # fmt: skip

    def analysed(which):
        return report.assignment_report(assignment, which=which).data.attempts

    assert first in analysed(AttemptChoice.FIRST)
    assert len(analysed(AttemptChoice.ALL)) == 13
    graded = analysed(AttemptChoice.GRADED)  # highest: attempt 2 (100 %)
    assert len(graded) == 12
    assert next(a for a in graded if a.student_id == student.pk).number == 2


@pytest.mark.parametrize("raw", ["bogus", "", None, "FIRST", "graded "])
def test_a_tampered_switch_means_first_attempts(raw):
    assert report.attempt_choice(raw) == AttemptChoice.FIRST


def test_a_question_only_some_were_given_has_no_discrimination_and_says_why(assignment):
    AttemptQuestion.objects.filter(
        question__title="Summit city", attempt__student__username__in=["r01", "r05"]
    ).delete()

    built = report.assignment_report(assignment, which=AttemptChoice.FIRST)

    summit = question(built, "Summit city")
    assert summit.seen_by == 10 and not summit.is_common
    assert summit.facility == pytest.approx(3 / 10)
    assert summit.discrimination_index is None
    assert "drawn at random" in summit.undefined_reason
    assert built.analysis.items == 3


def test_no_attempts_is_an_empty_report_not_an_error(teacher):
    assignment = AssignmentFactory(school_class=SchoolClassFactory(teachers=[teacher]))

    built = report.assignment_report(assignment, which=AttemptChoice.FIRST)

    assert built.attempts == 0 and built.analysis.cronbach_alpha is None


def test_report_page_explains_figures_and_never_shows_none_or_nan(assignment, teacher_client):
    response = teacher_client.get(reverse("admin:quizzes_assignment_report", args=[assignment.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    for word in ("None", "nan", "NaN", "inf"):
        assert f">{word}<" not in page and f" {word} " not in page
    assert "What the columns mean" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert "Strong students chose B more often than the key" in page
    assert "Nur-Sultan" in page


def test_one_attempt_report_shows_dashes_with_reasons(teacher, teacher_client):
    now = timezone.now()
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz)
    SlotFactory(quiz=quiz)
    assignment = AssignmentFactory(quiz=quiz, school_class=SchoolClassFactory(teachers=[teacher]))
    student = StudentFactory()
    Enrollment.objects.create(school_class=assignment.school_class, student=student)
    attempt = attempt_start(student=student, assignment=assignment, now=now)
    template_fix(attempt, (student, 1, [True, False], "finished", None), now=now)

    page = teacher_client.get(
        reverse("admin:quizzes_assignment_report", args=[assignment.pk])
    ).content.decode()

    assert "None" not in page.replace("none", "")
    assert "It takes at least two attempts." in page


def test_teacher_home_lists_the_flagged_question(assignment, teacher, teacher_client):
    page = teacher_client.get(reverse("admin:index")).content.decode()

    assert "Questions the statistics flag" in page
    url = reverse("admin:quizzes_assignment_report", args=[assignment.pk])
    capital = AttemptQuestion.objects.filter(question__title="Capital").first().question_id
    assert f'href="{url}#question-{capital}"' in page


def test_flagged_questions_are_scoped_to_the_teachers_classes(assignment, other_teacher):
    assert report.flagged_questions(other_teacher, now=timezone.now()) == []

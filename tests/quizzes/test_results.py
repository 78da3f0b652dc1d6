"""The results read models: gradebook cells and averages, sorting, live progress, a student's
history, the teacher home. Built on tests.quizzes.results_data (see its docstring for who is in
which state)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from quizzes import results
from quizzes.models import (
    AssignmentOverride,
    Attempt,
    AttemptState,
    Enrollment,
    Response,
)
from quizzes.results import CellState
from tests.factories import (
    AssignmentFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
)
from tests.quizzes.results_data import class_with_results

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(teacher):
    return class_with_results(teacher=teacher, students=12)


def cells_of(book, index: int) -> dict[str, results.Cell]:
    """Student username → cell of assignment `index`."""
    return {row.student.username: row.cells[index] for row in book.rows}


def test_gradebook_shows_every_state_of_a_cell(data):
    book = results.gradebook(data.school_class, now=data.now)

    closed, open_ = cells_of(book, 0), cells_of(book, 1)
    assert closed["s000"].state == CellState.MISSED
    assert closed["s001"].state == CellState.EXCUSED
    assert closed["s003"].state == CellState.SUBMITTED
    assert open_["s000"].state == CellState.NOT_STARTED
    assert open_["s001"].state == CellState.IN_PROGRESS
    assert open_["s002"].state == CellState.OVERDUE
    assert open_["s003"].state == CellState.SUBMITTED


def test_reading_an_overdue_attempt_never_finishes_it(data):
    overdue = Attempt.objects.get(assignment=data.open, student__username="s002")

    results.gradebook(data.school_class, now=data.now)
    results.live_progress(data.open, now=data.now)
    results.student_history(Enrollment.objects.get(student=overdue.student), now=data.now)

    overdue.refresh_from_db()
    assert overdue.state == AttemptState.IN_PROGRESS
    assert overdue.score is None


@pytest.mark.parametrize(
    ("method", "grade"),
    [("highest", Decimal(100)), ("first", Decimal(1) / 3 * 100), ("last", Decimal(100))],
)
def test_grade_follows_the_assignments_grading_method(data, method, grade):
    # s002 scored 1/3 on attempt 1 and 3/3 on attempt 2 of the closed assignment.
    data.closed.grading_method = method
    data.closed.save()

    cell = cells_of(results.gradebook(data.school_class, now=data.now), 0)["s002"]

    assert cell.grade == pytest.approx(grade)
    assert cell.attempt_count == 2


def test_average_grading_averages_the_attempts_percents(data):
    data.closed.grading_method = "average"
    data.closed.save()

    cell = cells_of(results.gradebook(data.school_class, now=data.now), 0)["s002"]

    assert float(cell.grade) == pytest.approx((100 / 3 + 100) / 2)


def test_a_teachers_score_counts_through_the_attempts_score(data):
    # Scoring writes a teacher's score into Attempt.score; the gradebook reads that score.
    attempt = Attempt.objects.get(assignment=data.closed, student__username="s003")
    Attempt.objects.filter(pk=attempt.pk).update(score=attempt.max_score)

    cell = cells_of(results.gradebook(data.school_class, now=data.now), 0)["s003"]

    assert cell.grade == 100


def test_averages_leave_out_excused_and_not_started_and_count_missed_as_zero(data):
    book = results.gradebook(data.school_class, now=data.now)
    rows = {row.student.username: row for row in book.rows}

    # s000: missed the closed one (0 %), not started the open one: average 0 %.
    assert rows["s000"].average == 0
    # s001: excused from the closed one, in progress without a grade: no average at all.
    assert rows["s001"].average is None
    # s003: 2/3 on both.
    assert float(rows["s003"].average) == pytest.approx(200 / 3)
    closed_counted = [row.cells[0].counted for row in book.rows if row.cells[0].counted is not None]
    assert len(closed_counted) == 12 - 2  # s001 and s011 are excused
    assert book.column_averages[0] == sum(closed_counted) / len(closed_counted)


def test_sort_by_a_column_puts_the_best_first_and_ungraded_last(data):
    book = results.gradebook(data.school_class, now=data.now)
    key = f"-a{data.closed.pk}"

    rows = book.sorted_by(key).rows

    grades = [row.cells[0].grade for row in rows]
    graded = [g for g in grades if g is not None]
    assert graded == sorted(graded, reverse=True)
    assert grades[len(graded) :] == [None] * (len(grades) - len(graded))
    assert book.sorted_by(key).sort == key


@pytest.mark.parametrize("tampered", ["", "a999999", "-bogus", "name;drop", None, "--name"])
def test_a_tampered_sort_falls_back_to_names(data, tampered):
    book = results.gradebook(data.school_class, now=data.now).sorted_by(tampered)

    assert book.sort == "name"
    assert [row.student.username for row in book.rows] == [f"s{i:03d}" for i in range(12)]


def test_sort_by_name_descending_and_by_average(data):
    book = results.gradebook(data.school_class, now=data.now)

    assert book.sorted_by("-name").rows[0].student.username == "s011"
    averages = [row.average for row in book.sorted_by("-average").rows]
    present = [a for a in averages if a is not None]
    assert present == sorted(present, reverse=True)


def test_sort_links_toggle_direction_and_say_so(data):
    book = results.gradebook(data.school_class, now=data.now)

    assert book.name_link.aria_sort == "ascending"
    assert book.name_link.next_sort == "-name"
    column = book.sort_link(f"a{data.closed.pk}")
    assert (column.next_sort, column.aria_sort) == (f"-a{data.closed.pk}", "")
    sorted_book = book.sorted_by(f"-a{data.closed.pk}")
    column = sorted_book.sort_link(f"a{data.closed.pk}")
    assert (column.next_sort, column.aria_sort) == (f"a{data.closed.pk}", "descending")


def test_live_progress_counts_answers_and_time_left(data):
    progress = results.live_progress(data.open, now=data.now)
    rows = {row.enrollment.student.username: row for row in progress.rows}

    assert rows["s000"].state == CellState.NOT_STARTED and rows["s000"].attempt is None
    in_progress = rows["s001"]
    assert (in_progress.answered, in_progress.questions) == (1, 3)
    assert datetime.timedelta(minutes=14) < in_progress.time_left <= datetime.timedelta(minutes=15)
    assert rows["s002"].state == CellState.OVERDUE
    assert rows["s002"].time_left == datetime.timedelta(0)
    assert rows["s003"].state == CellState.SUBMITTED
    assert (rows["s003"].answered, rows["s003"].questions) == (3, 3)
    assert progress.started == 9
    assert dict((state, n) for state, _icon, n in progress.counts)[CellState.OVERDUE] == 3


def test_live_progress_shows_excused_students(data):
    student = data.students[0]
    AssignmentOverride.objects.create(assignment=data.open, student=student, is_excused=True)

    progress = results.live_progress(data.open, now=data.now)

    assert progress.rows[0].state == CellState.EXCUSED


def test_student_history_lists_every_attempt_and_progress_over_time(data):
    enrollment = Enrollment.objects.get(student__username="s002")
    attempt = Attempt.objects.get(assignment=data.closed, student=enrollment.student, number=2)
    Response.objects.filter(attempt_question__attempt=attempt).update(override_fraction=1)

    history = results.student_history(enrollment, now=data.now)

    closed, open_ = history.assignments
    assert [a.number for a in closed.attempts] == [1, 2]
    assert closed.cell.grade == 100
    assert [a.has_teacher_score for a in closed.attempts] == [False, True]
    assert open_.cell.state == CellState.OVERDUE
    assert [a.number for a in history.timeline] == [1, 2]
    assert history.average == 100  # the overdue one has no grade yet: not averaged


def test_student_history_shows_an_excused_assignment(data):
    history = results.student_history(
        Enrollment.objects.get(student__username="s001"), now=data.now
    )

    assert history.assignments[0].cell.state == CellState.EXCUSED
    assert history.assignments[0].override.is_excused


def test_teacher_home_lists_what_needs_attention_in_her_classes_only(data, teacher, other_teacher):
    now = data.now
    theirs = class_with_results(teacher=other_teacher, students=4, prefix="t")
    later = AssignmentFactory(
        quiz=QuizFactory(published=True),
        school_class=data.school_class,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=5),
    )
    stale = QuestionFactory(published=True, facts_as_of=datetime.date(2000, 1, 1))
    SlotFactory(quiz=later.quiz, question=stale)
    old_unused = QuestionFactory(published=True, facts_as_of=datetime.date(2000, 1, 1))
    SlotFactory(quiz=QuizFactory(), question=old_unused)

    home = results.teacher_home(teacher, now=now, today=timezone.localdate(now), facts_age_days=365)

    assert [a.pk for a in home.open_assignments] == [data.open.pk, later.pk]
    assert [a.closes_soon for a in home.open_assignments] == [True, False]
    assert home.open_assignments[0].n_students == 12
    assert home.open_assignments[0].n_submitted == 3
    assert {a.assignment_id for a in home.overdue} == {data.open.pk}
    assert home.overdue_count == 3
    assert stale in home.facts_due
    assert old_unused not in home.facts_due
    assert theirs.open.pk not in {a.pk for a in home.open_assignments}


def test_superusers_home_covers_every_class(data, other_teacher, admin_user):
    class_with_results(teacher=other_teacher, students=4, prefix="t")

    home = results.teacher_home(
        admin_user, now=data.now, today=timezone.localdate(data.now), facts_age_days=365
    )

    assert len(home.open_assignments) == 2
    assert home.overdue_count == 3 + 1


def test_an_empty_class_has_an_empty_gradebook(teacher):
    school_class = SchoolClassFactory(teachers=[teacher])

    book = results.gradebook(school_class, now=timezone.now())

    assert (book.rows, book.assignments, book.class_average) == ([], [], None)


def test_an_upcoming_assignment_is_not_started_and_averages_nothing(teacher):
    assignment = AssignmentFactory(
        upcoming=True, school_class=SchoolClassFactory(teachers=[teacher])
    )
    EnrollmentFactory(school_class=assignment.school_class)

    book = results.gradebook(assignment.school_class, now=timezone.now())

    assert book.rows[0].cells[0].state == CellState.NOT_STARTED
    assert book.column_averages == [None]

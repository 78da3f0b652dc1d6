"""What teachers read about their classes' results: the gradebook, live progress of an open
assignment, one student's history in a class, and the teacher home's "what needs attention".

Read models: each is built from a fixed number of queries whatever the class size, and none
ever writes. An attempt past its deadline that the cron job has not finished yet is shown as
*overdue*; reading never finishes it (services.attempts_finish_overdue does, on its own
schedule). The rules come from their homes: a student's window from Assignment.window_for, an
overdue attempt from Attempt.is_overdue, a grade from grading.assignment_grade applied to the
finished attempts' percents (a teacher's score on a response is already in Attempt.score).

The assignment report's data (item analysis, response tables) lives in quizzes.report.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import charts, grading
from .models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    AttemptState,
    Enrollment,
    Question,
    Response,
    SchoolClass,
)
from .models.classes import display_name
from .student_assignments import duration_text

CLOSING_SOON = datetime.timedelta(hours=48)
HOME_LIST_LIMIT = 20


class CellState(models.TextChoices):
    """Where one assignment stands for one student, as a teacher reads it."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    OVERDUE = "overdue", _("Overdue")
    SUBMITTED = "submitted", _("Submitted")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")


# What goes with the word (status is never shown by colour alone); decorative, aria-hidden.
STATE_ICONS = {
    CellState.NOT_STARTED: "○",
    CellState.IN_PROGRESS: "◔",
    CellState.OVERDUE: "⚠",
    CellState.SUBMITTED: "✓",
    CellState.MISSED: "✗",
    CellState.EXCUSED: "–",
}

STATE_LEGEND = [(state, STATE_ICONS[state]) for state in CellState]


def mean(values: Iterable[Decimal | None]) -> Decimal | None:
    """The plain average of a gradebook row or column, Nones left out; None if nothing is left."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    return sum(present, Decimal(0)) / len(present)


def student_sort_key(user: User) -> tuple[str, str, str]:
    return (user.last_name.casefold(), user.first_name.casefold(), user.username.casefold())


def attempt_grade(assignment: Assignment, attempts: Sequence[Attempt]) -> Decimal | None:
    """The grade by the assignment's grading method, in percent, from its finished attempts."""
    percents = [
        a.percent for a in attempts if a.state == AttemptState.FINISHED and a.percent is not None
    ]
    return grading.assignment_grade(method=assignment.grading_method, attempt_scores=percents)


def cell_state(
    *,
    assignment: Assignment,
    attempts: Sequence[Attempt],
    override: AssignmentOverride | None,
    now: datetime.datetime,
) -> CellState:
    """One student's state for one assignment. Excused wins; an abandoned attempt is overdue."""
    if override is not None and override.is_excused:
        return CellState.EXCUSED
    in_progress = [a for a in attempts if a.is_in_progress]
    if in_progress:
        return CellState.OVERDUE if in_progress[0].is_overdue(now=now) else CellState.IN_PROGRESS
    if attempts:
        return CellState.SUBMITTED
    _opens_at, closes_at = assignment.window_for(override)
    return CellState.NOT_STARTED if now < closes_at else CellState.MISSED


@dataclass(frozen=True)
class Cell:
    """One student × one assignment: state, grade (percent) and how many attempts."""

    assignment: Assignment
    state: CellState
    grade: Decimal | None
    attempt_count: int

    @property
    def icon(self) -> str:
        return STATE_ICONS[self.state]

    @property
    def counted(self) -> Decimal | None:
        """What this cell adds to an average: its grade; a missed assignment counts 0 %.

        Excused students and assignments not started or still running without a grade are
        left out of every average.
        """
        if self.state == CellState.EXCUSED:
            return None
        if self.grade is not None:
            return self.grade
        if self.state == CellState.MISSED:
            return Decimal(0)
        return None

    @property
    def is_passed(self) -> bool | None:
        return grading.passes(percent=self.grade, pass_mark=self.assignment.pass_mark)


def build_cell(
    *,
    assignment: Assignment,
    attempts: Sequence[Attempt],
    override: AssignmentOverride | None,
    now: datetime.datetime,
) -> Cell:
    return Cell(
        assignment=assignment,
        state=cell_state(assignment=assignment, attempts=attempts, override=override, now=now),
        grade=attempt_grade(assignment, attempts),
        attempt_count=len(attempts),
    )


@dataclass
class GradebookRow:
    enrollment: Enrollment
    cells: list[Cell]

    @property
    def student(self) -> User:
        return self.enrollment.student

    @property
    def name(self) -> str:
        return display_name(self.enrollment.student)

    @property
    def average(self) -> Decimal | None:
        return mean(c.counted for c in self.cells)


@dataclass(frozen=True)
class SortLink:
    """A sortable column header: its key, the `?sort=` a click asks for, its aria-sort."""

    key: str
    next_sort: str
    aria_sort: str


@dataclass
class Gradebook:
    """Students × assignments of one class, sorted as asked (see SORTS and `sorted_by`)."""

    school_class: SchoolClass
    assignments: list[Assignment]
    rows: list[GradebookRow]
    sort: str = "name"

    @property
    def column_averages(self) -> list[Decimal | None]:
        return [
            mean(row.cells[index].counted for row in self.rows)
            for index in range(len(self.assignments))
        ]

    @property
    def class_average(self) -> Decimal | None:
        return mean(row.average for row in self.rows)

    def sort_link(self, key: str) -> "SortLink":
        """How a column header links: names sort A→Z first, grades high to low first."""
        first = key if key == "name" else f"-{key}"
        if self.sort == key:
            return SortLink(key, f"-{key}", "ascending")
        if self.sort == f"-{key}":
            return SortLink(key, key, "descending")
        return SortLink(key, first, "")

    @property
    def columns(self) -> list[tuple[Assignment, "SortLink"]]:
        return [(a, self.sort_link(f"a{a.pk}")) for a in self.assignments]

    @property
    def name_link(self) -> "SortLink":
        return self.sort_link("name")

    @property
    def average_link(self) -> "SortLink":
        return self.sort_link("average")

    def sort_options(self) -> set[str]:
        """Every `?sort=` value this gradebook accepts: name, average, or an assignment's id."""
        keys = {"name", "average", *(f"a{a.pk}" for a in self.assignments)}
        return keys | {f"-{key}" for key in keys}

    def sorted_by(self, sort: str | None) -> "Gradebook":
        """The same gradebook sorted by `sort`; anything not in sort_options() sorts by name.

        Names sort by last name, first name, username; grades high to low with `-`, and a row
        without a grade always goes last.
        """
        if sort is None or sort not in self.sort_options():
            sort = "name"
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        rows = sorted(self.rows, key=lambda row: student_sort_key(row.student))
        if key == "name":
            if descending:
                rows.reverse()
        else:
            index = next((i for i, a in enumerate(self.assignments) if f"a{a.pk}" == key), None)

            def value(row: GradebookRow) -> Decimal | None:
                return row.average if index is None else row.cells[index].grade

            graded = [row for row in rows if value(row) is not None]
            ungraded = [row for row in rows if value(row) is None]
            # sorted() is stable: equal grades keep name order.
            graded.sort(key=lambda row: value(row) or Decimal(0), reverse=descending)
            rows = graded + ungraded
        return Gradebook(self.school_class, self.assignments, rows, sort)


def class_assignments(school_class: SchoolClass) -> "models.QuerySet[Assignment]":
    """The class's assignments in the order they were given (oldest first), quiz joined."""
    return (
        Assignment.objects.filter(school_class=school_class)
        .select_related("quiz")
        .order_by("opens_at", "id")
    )


ATTEMPT_FIELDS = (
    "id",
    "assignment_id",
    "student_id",
    "number",
    "state",
    "started_at",
    "deadline",
    "finished_at",
    "score",
    "max_score",
)


def gradebook(school_class: SchoolClass, *, now: datetime.datetime) -> Gradebook:
    """The class's gradebook, sorted by name. Four queries whatever its size:

    the assignments (quiz joined), the roster (students joined), every attempt at the class's
    assignments (only the fields a grade needs), and every override of them.
    """
    assignments = list(class_assignments(school_class))
    enrollments = list(
        Enrollment.objects.filter(school_class=school_class).select_related("student")
    )
    attempts: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    for attempt in (
        Attempt.objects.filter(assignment__school_class=school_class)
        .only(*ATTEMPT_FIELDS)
        .order_by("number")
    ):
        attempts[attempt.assignment_id, attempt.student_id].append(attempt)
    overrides = {
        (o.assignment_id, o.student_id): o
        for o in AssignmentOverride.objects.filter(assignment__school_class=school_class)
    }
    rows = [
        GradebookRow(
            enrollment,
            [
                build_cell(
                    assignment=assignment,
                    attempts=attempts.get((assignment.pk, enrollment.student_id), []),
                    override=overrides.get((assignment.pk, enrollment.student_id)),
                    now=now,
                )
                for assignment in assignments
            ],
        )
        for enrollment in enrollments
    ]
    return Gradebook(school_class, assignments, rows).sorted_by("name")


# --- live progress --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    """One student of an open assignment now: their latest attempt and how far they are."""

    enrollment: Enrollment
    state: CellState
    attempt: Attempt | None  # the one in progress, else the latest
    answered: int
    questions: int
    time_left: datetime.timedelta | None  # in progress with a deadline
    grade: Decimal | None

    @property
    def name(self) -> str:
        return display_name(self.enrollment.student)

    @property
    def icon(self) -> str:
        return STATE_ICONS[self.state]

    @property
    def time_left_text(self) -> str:
        return "" if self.time_left is None else duration_text(self.time_left, with_seconds=False)


@dataclass(frozen=True)
class LiveProgress:
    assignment: Assignment
    rows: list[ProgressRow]
    now: datetime.datetime

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def counts(self) -> list[tuple[CellState, str, int]]:
        """(state, its icon, how many students are in it), in CellState's order."""
        return [(state, STATE_ICONS[state], self.count(state)) for state in CellState]

    @property
    def started(self) -> int:
        return sum(1 for row in self.rows if row.attempt is not None)


def live_progress(assignment: Assignment, *, now: datetime.datetime) -> LiveProgress:
    """Who has started, questions answered, time left, submitted. Three queries at any size:

    the roster (students joined), the overrides, and the attempts with their answered and
    scored question counts annotated (one grouped query).
    """
    enrollments = sorted(
        Enrollment.objects.filter(school_class_id=assignment.school_class_id).select_related(
            "student"
        ),
        key=lambda e: student_sort_key(e.student),
    )
    overrides = {o.student_id: o for o in AssignmentOverride.objects.filter(assignment=assignment)}
    responses = "attempt_questions__response"
    by_student: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in (
        Attempt.objects.filter(assignment=assignment)
        .only(*ATTEMPT_FIELDS)
        .annotate(
            n_questions=Count(responses),
            # A saved answer that is not empty (a cleared answer is stored as {}).
            n_answered=Count(
                responses,
                filter=Q(**{f"{responses}__saved_at__isnull": False})
                & ~Q(**{f"{responses}__answer": {}}),
            ),
        )
        .order_by("number")
    ):
        by_student[attempt.student_id].append(attempt)
    rows = []
    for enrollment in enrollments:
        attempts = by_student.get(enrollment.student_id, [])
        current = next((a for a in attempts if a.is_in_progress), None) or (
            attempts[-1] if attempts else None
        )
        time_left = None
        if current is not None and current.is_in_progress and current.deadline is not None:
            time_left = max(current.deadline - now, datetime.timedelta(0))
        rows.append(
            ProgressRow(
                enrollment=enrollment,
                state=cell_state(
                    assignment=assignment,
                    attempts=attempts,
                    override=overrides.get(enrollment.student_id),
                    now=now,
                ),
                attempt=current,
                answered=getattr(current, "n_answered", 0),
                questions=getattr(current, "n_questions", 0),
                time_left=time_left,
                grade=attempt_grade(assignment, attempts),
            )
        )
    return LiveProgress(assignment, rows, now)


# --- one student in a class -----------------------------------------------------------------


@dataclass(frozen=True)
class StudentAssignment:
    """One assignment for one student: state, grade and every attempt (oldest first)."""

    cell: Cell
    attempts: list[Attempt]
    override: AssignmentOverride | None

    @property
    def assignment(self) -> Assignment:
        return self.cell.assignment


@dataclass(frozen=True)
class StudentHistory:
    enrollment: Enrollment
    assignments: list[StudentAssignment]

    @property
    def name(self) -> str:
        return display_name(self.enrollment.student)

    @property
    def average(self) -> Decimal | None:
        return mean(s.cell.counted for s in self.assignments)

    @property
    def timeline(self) -> list[Attempt]:
        """Finished attempts in the order they were finished: progress over time."""
        finished = [
            a
            for s in self.assignments
            for a in s.attempts
            if a.state == AttemptState.FINISHED and a.percent is not None
        ]
        return sorted(finished, key=lambda a: (a.finished_at, a.pk))

    def timeline_svg(self) -> str:
        """Progress over time as bars, oldest first (the page has the same numbers as a table)."""
        timeline = self.timeline
        return charts.bars_svg(
            [
                f"{timezone.localtime(a.finished_at):%d.%m} {a.assignment.quiz.title}"
                for a in timeline  # finished: finished_at is set (a database constraint)
            ],
            [float(a.percent or 0) / 100 for a in timeline],
            title=gettext("Scores over time"),
            description=gettext(
                "The score of each finished attempt, oldest first, from 0 to 100 %; the table "
                "below has the same numbers with full dates and titles."
            ),
            id_prefix="timeline-bars",
        )


def student_history(enrollment: Enrollment, *, now: datetime.datetime) -> StudentHistory:
    """Every assignment of the class for this student. Three queries at any size:

    the class's assignments (quiz joined), the student's attempts at them (with a flag for a
    teacher's score on any response), and the student's overrides.
    """
    school_class = enrollment.school_class
    student_id = enrollment.student_id
    assignments = list(class_assignments(school_class))
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in (
        Attempt.objects.filter(assignment__school_class=school_class, student_id=student_id)
        .only(*ATTEMPT_FIELDS)
        .annotate(
            has_teacher_score=Exists(
                Response.objects.filter(
                    attempt_question__attempt=OuterRef("pk"), override_fraction__isnull=False
                )
            )
        )
        .order_by("number")
    ):
        attempts[attempt.assignment_id].append(attempt)
    overrides = {
        o.assignment_id: o
        for o in AssignmentOverride.objects.filter(
            assignment__school_class=school_class, student_id=student_id
        )
    }
    results = []
    for assignment in assignments:
        mine = attempts.get(assignment.pk, [])
        for attempt in mine:
            attempt.assignment = assignment  # percent and pass read it: no query per attempt
        override = overrides.get(assignment.pk)
        cell = build_cell(assignment=assignment, attempts=mine, override=override, now=now)
        results.append(StudentAssignment(cell, mine, override))
    return StudentHistory(enrollment, results)


# --- teacher home ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeacherHome:
    """What needs a teacher's attention now, in the classes she teaches."""

    open_assignments: list[Assignment]  # with n_students, n_submitted, closes_soon
    overdue: list[Attempt]
    overdue_count: int
    facts_due: list[Question]
    facts_due_count: int
    facts_age_days: int
    flagged: list[Any] = field(default_factory=list)  # report.FlaggedQuestion, see there

    @property
    def is_empty(self) -> bool:
        return not (self.open_assignments or self.overdue or self.facts_due or self.flagged)


def teacher_home(
    user: User, *, now: datetime.datetime, today: datetime.date, facts_age_days: int
) -> TeacherHome:
    """Open assignments (closing within 48 hours marked), overdue attempts, questions of the
    teacher's live assignments whose facts are due for review. Five queries at any size:

    the open assignments (with roster and submission counts annotated), the overdue attempts
    and their count, the questions due for review and their count. Lists are cut at
    HOME_LIST_LIMIT, with the count saying how many there are.
    """
    taught = Assignment.objects.taught_by(user)
    finished_students = (
        Attempt.objects.filter(assignment=OuterRef("pk"), state=AttemptState.FINISHED)
        .values("assignment")
        .annotate(n=Count("student", distinct=True))
        .values("n")
    )
    roster = (
        Enrollment.objects.filter(school_class=OuterRef("school_class"))
        .values("school_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_assignments = list(
        taught.filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("quiz", "school_class")
        .annotate(
            n_students=models.Subquery(roster, output_field=models.IntegerField()),
            n_submitted=models.Subquery(finished_students, output_field=models.IntegerField()),
        )
        .order_by("closes_at", "id")
    )
    for assignment in open_assignments:
        assignment.closes_soon = assignment.closes_at - now <= CLOSING_SOON  # type: ignore[attr-defined]
    overdue_qs = (
        Attempt.objects.visible_to_teacher(user)
        .overdue(now=now)
        .select_related("student", "assignment__quiz", "assignment__school_class")
        .order_by("deadline", "pk")
    )
    live = Assignment.objects.taught_by(user).live(now=now).values("quiz_id")
    due_qs = (
        Question.objects.facts_due(today=today, age_days=facts_age_days)
        .filter(Q(slots__quiz_id__in=live) | Q(bank__random_slots__quiz_id__in=live))
        .select_related("bank")
        .distinct()
        .order_by("facts_as_of", "pk")
    )
    return TeacherHome(
        open_assignments=open_assignments,
        overdue=list(overdue_qs[:HOME_LIST_LIMIT]),
        overdue_count=overdue_qs.count(),
        facts_due=list(due_qs[:HOME_LIST_LIMIT]),
        facts_due_count=due_qs.count(),
        facts_age_days=facts_age_days,
    )

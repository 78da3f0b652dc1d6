"""The student's dashboard, an assignment's start page and their attempt history.

Each page costs a fixed number of queries, whatever the number of classes, assignments or
attempts: lists come from `Assignment.objects.for_student()`, which prefetches the student's
own attempts and overrides.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quizzes import grading, services
from quizzes.models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    Enrollment,
    Quiz,
    ReviewOptions,
    ReviewTiming,
)
from quizzes.models.assignment import StudentState


def duration_text(delta: datetime.timedelta, *, with_seconds: bool = True) -> str:
    """A duration as people say it: "1 h 5 min", "45 min", "37 min 30 s".

    Without seconds (a countdown read at a glance) the minutes are rounded down, so the time
    shown is never more than the time there is.
    """
    total = max(int(delta.total_seconds()), 0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if not with_seconds and not hours and not minutes:
        return _("less than 1 min")
    parts = []
    if hours:
        parts.append(_("%(count)d h") % {"count": hours})
    if minutes:
        parts.append(_("%(count)d min") % {"count": minutes})
    if seconds and with_seconds and not hours:
        parts.append(_("%(count)d s") % {"count": seconds})
    return " ".join(parts) or _("0 min")


@dataclass(frozen=True)
class StudentAssignment:
    """One assignment as one student sees it now: their window, attempts and state."""

    assignment: Assignment
    override: AssignmentOverride | None
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    results_at: datetime.datetime
    attempts: list[Attempt]
    state: StudentState
    now: datetime.datetime
    review: ReviewOptions = field(default_factory=ReviewOptions)

    @classmethod
    def build(cls, assignment: Assignment, *, now: datetime.datetime) -> "StudentAssignment":
        """From an assignment loaded by `for_student()`; finishes an overdue attempt first."""
        overrides = assignment.student_overrides  # type: ignore[attr-defined]
        override = overrides[0] if overrides else None
        opens_at, closes_at = services.student_window(assignment=assignment, override=override)
        attempts = [
            _finish_if_overdue(attempt, assignment=assignment, now=now)
            for attempt in assignment.student_attempts  # type: ignore[attr-defined]
        ]
        state = assignment.student_state(
            attempts=attempts, opens_at=opens_at, closes_at=closes_at, now=now
        )
        finished = [a for a in attempts if not a.is_in_progress]
        # "After the assignment closes" means closed for everyone, extensions included.
        results_at = assignment.results_at()
        review = (
            finished[-1].review_options(now=now, closes_at=results_at)
            if finished
            else ReviewOptions()
        )
        return cls(
            assignment, override, opens_at, closes_at, results_at, attempts, state, now, review
        )

    @property
    def quiz(self) -> Quiz:
        return self.assignment.quiz

    @property
    def in_progress(self) -> Attempt | None:
        return next((a for a in self.attempts if a.is_in_progress), None)

    @property
    def finished(self) -> list[Attempt]:
        return [a for a in self.attempts if not a.is_in_progress]

    @property
    def attempts_allowed(self) -> int:
        return self.assignment.attempts_allowed_for(self.override)

    @property
    def attempts_left(self) -> int | None:
        """None when attempts are unlimited."""
        allowed = self.attempts_allowed
        return max(allowed - len(self.attempts), 0) if allowed else None

    @property
    def is_open(self) -> bool:
        return self.opens_at <= self.now < self.closes_at

    @property
    def can_start(self) -> bool:
        return self.is_open and self.in_progress is None and self.attempts_left != 0

    @property
    def time_left(self) -> str | None:
        attempt = self.in_progress
        if attempt is None or attempt.deadline is None:
            return None
        return duration_text(attempt.deadline - self.now, with_seconds=False)

    @property
    def is_past_deadline(self) -> bool:
        attempt = self.in_progress
        return bool(attempt and attempt.deadline and self.now >= attempt.deadline)

    @property
    def grade(self) -> Decimal | None:
        """The assignment's grade in percent by the quiz's grading method, if shown now."""
        if not self.review.score:
            return None
        # An attempt with nothing to score (only descriptions) has no percentage to average.
        percents = [Decimal(str(a.percent)) for a in self.finished if a.percent is not None]
        return grading.assignment_grade(method=self.quiz.grading_method, attempt_scores=percents)

    @property
    def grade_percent(self) -> Decimal | None:
        """The grade rounded to a whole percent, for display."""
        grade = self.grade
        return grade.quantize(Decimal(1)) if grade is not None else None

    @property
    def is_passed(self) -> bool | None:
        """Judged on the exact grade: 49.6% is not a pass of 50%, though it shows as 50%."""
        grade = self.grade
        if grade is None or self.quiz.pass_mark is None:
            return None
        return grade >= self.quiz.pass_mark

    @property
    def score_shown_after_close(self) -> bool:
        return self.quiz.review_score == ReviewTiming.AFTER_CLOSE and self.now < self.results_at

    def attention_key(self) -> tuple[int, float]:
        """Dashboard order: the state's rank, then what is due soonest (or happened latest)."""
        rank = list(StudentState).index(self.state)
        if self.state == StudentState.IN_PROGRESS:
            attempt = self.in_progress
            moment = attempt.deadline if attempt and attempt.deadline else self.closes_at
            return rank, moment.timestamp()
        if self.state == StudentState.OPEN:
            return rank, self.closes_at.timestamp()
        if self.state == StudentState.UPCOMING:
            return rank, self.opens_at.timestamp()
        if self.state == StudentState.SUBMITTED:
            last = self.finished[-1].finished_at if self.finished else None
            return rank, -(last or self.closes_at).timestamp()
        return rank, -self.closes_at.timestamp()


def _finish_if_overdue(
    attempt: Attempt, *, assignment: Assignment, now: datetime.datetime
) -> Attempt:
    """An abandoned attempt is finished when it is next looked at (no query unless overdue)."""
    if not attempt.is_in_progress or services.attempt_accepts_answers(attempt=attempt, now=now):
        return attempt
    finished = services.attempt_finish_if_overdue(attempt=attempt, now=now)
    finished.assignment = assignment
    return finished


def _multiplier_text(multiplier: Decimal) -> str:
    """1.50 reads "1.5" and 2.00 reads "2" (normalize() alone would turn 10 into 1E+1)."""
    if multiplier == multiplier.to_integral():
        return formats.number_format(multiplier.quantize(Decimal(1)))
    return formats.number_format(multiplier.normalize())


def _student_assignment_or_404(request: HttpRequest, pk: int) -> Assignment:
    """Only an assignment of one of the student's classes; anything else is a 404."""
    return get_object_or_404(
        Assignment.objects.for_student(request.user).prefetch_related("quiz__slots"), pk=pk
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    enrollments = Enrollment.objects.filter(student=request.user).select_related("school_class")
    rows = sorted(
        (
            StudentAssignment.build(assignment, now=now)
            for assignment in Assignment.objects.for_student(request.user)
        ),
        key=StudentAssignment.attention_key,
    )
    groups = [
        (_("To do"), [r for r in rows if r.state in (StudentState.IN_PROGRESS, StudentState.OPEN)]),
        (_("Coming up"), [r for r in rows if r.state == StudentState.UPCOMING]),
        (_("Done"), [r for r in rows if r.state in (StudentState.SUBMITTED, StudentState.MISSED)]),
    ]
    return render(
        request,
        "quizzes/dashboard.html",
        {"enrollments": enrollments, "groups": groups, "has_assignments": bool(rows)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _student_assignment_or_404(request, pk)
    if request.method == "POST":
        try:
            attempt = services.attempt_start(
                student=request.user, assignment=assignment, now=timezone.now()
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("quizzes:assignment_start", pk=assignment.pk)
        return redirect(
            reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": attempt.current_page})
        )
    now = timezone.now()
    status = StudentAssignment.build(assignment, now=now)
    enrollment = get_object_or_404(
        Enrollment, school_class_id=assignment.school_class_id, student=request.user
    )
    time_limit = assignment.time_limit_for(enrollment=enrollment, override=status.override)
    context = {
        "status": status,
        "quiz": assignment.quiz,
        "enrollment": enrollment,
        "base_limit": assignment.time_limit_minutes_for(status.override),
        "time_limit_text": duration_text(time_limit) if time_limit else None,
        "multiplier_text": _multiplier_text(enrollment.time_multiplier),
        "finish_by": services.attempt_deadline(
            assignment=assignment, enrollment=enrollment, override=status.override, started_at=now
        )
        if status.can_start
        else None,
    }
    return render(request, "quizzes/start.html", context)


@login_required
def history(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    attempts = Attempt.objects.history_of(request.user)
    rows = []
    for attempt in attempts:
        assignment = attempt.assignment
        overrides = assignment.student_overrides  # type: ignore[attr-defined]
        _opens_at, closes_at = services.student_window(
            assignment=assignment, override=overrides[0] if overrides else None
        )
        results_at = assignment.results_at(attempt.latest_override_close)  # type: ignore[attr-defined]
        attempt = _finish_if_overdue(attempt, assignment=assignment, now=now)
        rows.append(
            {
                "attempt": attempt,
                "review": attempt.review_options(now=now, closes_at=results_at),
                "closes_at": closes_at,
                "results_at": results_at,
                "score_after_close": assignment.quiz.review_score == ReviewTiming.AFTER_CLOSE
                and now < results_at,
            }
        )
    return render(request, "quizzes/history.html", {"rows": rows})


urlpatterns = [
    path("", dashboard, name="dashboard"),
    # "/" keeps its old name so existing links (and the admin's "view site") still resolve.
    path("", dashboard, name="home"),
    path("assignments/<int:pk>/", assignment_start, name="assignment_start"),
    path("attempts/", history, name="history"),
]

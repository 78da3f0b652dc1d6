"""One assignment as one student sees it now: their window, attempts, state, grade and review.

A read model: built from an assignment loaded by `Assignment.objects.for_student()` (their own
attempts and override prefetched), it reads and never writes. Callers finish the student's
abandoned attempts first (services.attempts_finish_overdue), so what it reads is settled. The
rules it reports come from their homes: can-start from Assignment.start_refusal, the review
from Attempt.review_options, the grade from grading.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from . import grading
from .models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    Quiz,
    ReviewTiming,
    StudentState,
)
from .review import ReviewOptions


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
    assignment: Assignment
    override: AssignmentOverride | None
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    attempts: list[Attempt]
    state: StudentState
    now: datetime.datetime
    # What the review policy shows of the latest finished attempt now.
    review: ReviewOptions

    @classmethod
    def build(cls, assignment: Assignment, *, now: datetime.datetime) -> "StudentAssignment":
        """From an assignment loaded by `for_student()`."""
        overrides = assignment.student_overrides  # type: ignore[attr-defined]
        override = overrides[0] if overrides else None
        opens_at, closes_at = assignment.window_for(override)
        attempts = list(assignment.student_attempts)  # type: ignore[attr-defined]
        for attempt in attempts:
            attempt.assignment = assignment  # the loaded one, with its results_at annotation
        state = assignment.student_state(
            attempts=attempts,
            opens_at=opens_at,
            closes_at=closes_at,
            now=now,
            is_excused=override is not None and override.is_excused,
        )
        finished = [a for a in attempts if not a.is_in_progress]
        review = finished[-1].review_options(now=now) if finished else ReviewOptions()
        return cls(assignment, override, opens_at, closes_at, attempts, state, now, review)

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
    def is_excused(self) -> bool:
        return self.override is not None and self.override.is_excused

    @property
    def is_open(self) -> bool:
        return self.opens_at <= self.now < self.closes_at

    @property
    def can_start(self) -> bool:
        return (
            self.assignment.start_refusal(
                override=self.override,
                attempts_used=len(self.attempts),
                has_attempt_in_progress=self.in_progress is not None,
                now=self.now,
            )
            is None
        )

    @property
    def time_left(self) -> datetime.timedelta | None:
        attempt = self.in_progress
        if attempt is None or attempt.deadline is None:
            return None
        return max(attempt.deadline - self.now, datetime.timedelta(0))

    @property
    def time_left_text(self) -> str | None:
        """Time left as read at a glance (rounded down: never more than there is)."""
        left = self.time_left
        return None if left is None else duration_text(left, with_seconds=False)

    @property
    def is_past_deadline(self) -> bool:
        attempt = self.in_progress
        return bool(attempt and attempt.deadline and self.now >= attempt.deadline)

    @property
    def grade(self) -> Decimal | None:
        """The assignment's grade in percent by its grading method, if the review shows it now."""
        if not self.review.score:
            return None
        # An attempt with nothing to score (only descriptions) has no percentage to average.
        percents = [a.percent for a in self.finished if a.percent is not None]
        return grading.assignment_grade(
            method=self.assignment.grading_method, attempt_scores=percents
        )

    @property
    def grade_percent(self) -> Decimal | None:
        """The grade rounded to a whole percent, for display."""
        grade = self.grade
        return grade.quantize(Decimal(1)) if grade is not None else None

    @property
    def is_passed(self) -> bool | None:
        return grading.passes(percent=self.grade, pass_mark=self.assignment.pass_mark)

    @property
    def score_shown_after_close(self) -> bool:
        """The score waits until the assignment has closed for everyone (no date is given:
        that would tell the class when a classmate's extension ends)."""
        return self.assignment.review_score == ReviewTiming.AFTER_CLOSE and (
            self.now < self.assignment.results_at()
        )

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

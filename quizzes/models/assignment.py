"""Assignments: a quiz given to a class, with its window, exam settings, per-student overrides
and the log of changes to them."""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .classes import (
    Enrollment,
    SchoolClass,
    display_name,
    is_student_account,
    not_a_student_error,
)
from .quiz import MAX_TIME_LIMIT_MINUTES, ExamSettings, Quiz, slots_question_count

if TYPE_CHECKING:
    from .attempt import Attempt


class StudentState(models.TextChoices):
    """Where an assignment stands for one student; declared in the order that needs attention."""

    IN_PROGRESS = "in_progress", _("In progress")
    OPEN = "open", _("Open")
    UPCOMING = "upcoming", _("Upcoming")
    SUBMITTED = "submitted", _("Submitted")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")


LOOK_UP: Any = object()  # results_at's "not given": None means "no override sets a close"


def latest_override_close(assignment_ref: str) -> models.Subquery:
    """The latest close time any student's override gives this assignment (or NULL)."""
    return models.Subquery(
        AssignmentOverride.objects.filter(
            assignment=models.OuterRef(assignment_ref), closes_at__isnull=False
        )
        .order_by("-closes_at")
        .values("closes_at")[:1]
    )


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def taught_by(self, user: User) -> "AssignmentQuerySet":
        if getattr(user, "is_superuser", False):
            return self.all()
        return self.filter(school_class__teachers=user)

    def with_results_at(self) -> "AssignmentQuerySet":
        """Annotate what `Assignment.results_at` needs, so a list costs no extra query."""
        return self.annotate(latest_override_close=latest_override_close("pk"))

    def live(self, *, now: datetime.datetime) -> "AssignmentQuerySet":
        """Upcoming or open for anyone: not yet closed for everyone (extensions included)."""
        return (
            self.with_results_at()
            .annotate(
                closed_for_all_at=Greatest(
                    "closes_at", Coalesce("latest_override_close", "closes_at")
                )
            )
            .filter(closed_for_all_at__gt=now)
        )

    def for_student(self, student: User) -> "AssignmentQuerySet":
        """Assignments of the student's classes, with only their own attempts and override.

        Each assignment carries `student_attempts` (by number) and `student_overrides` (zero
        or one row), so a list of any length costs the same three queries.
        """
        from .attempt import Attempt  # attempt.py imports this module

        return (
            self.filter(school_class__enrollments__student=student)
            .with_results_at()
            .select_related("quiz", "school_class")
            .prefetch_related(
                models.Prefetch(
                    "attempts",
                    queryset=Attempt.objects.filter(student=student).order_by("number"),
                    to_attr="student_attempts",
                ),
                models.Prefetch(
                    "overrides",
                    queryset=AssignmentOverride.objects.filter(student=student),
                    to_attr="student_overrides",
                ),
            )
        )


class Assignment(ExamSettings):
    """A quiz given to a class: its window, and the exam settings copied from the quiz.

    The settings are the assignment's own from the moment it is created (see ExamSettings):
    only the teachers of its class change them, and every change is logged (AssignmentChange).
    """

    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("quiz"),
        limit_choices_to={"is_published": True},
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("class")
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_assignments",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta(ExamSettings.Meta):
        ordering = ["-opens_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            *ExamSettings.Meta.constraints,
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="assignment_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} — {self.school_class}"

    @classmethod
    def of_quiz(cls, quiz: Quiz, **fields: Any) -> "Assignment":
        """A new (unsaved) assignment of `quiz`, with the quiz's default exam settings.

        Anything in `fields` (the class, the window, a different setting) wins over a default.
        """
        return cls(quiz=quiz, **{**quiz.exam_settings(), **fields})

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("The close time must be after the open time.")},
                code="closes_before_opens",
            )

    def results_at(self, latest_override_close: Any = LOOK_UP) -> datetime.datetime:
        """When review shown "after the assignment closes" opens: once it is closed for everyone.

        A student with an extension may still be answering after the others' close time; until
        their close passes too, nobody sees correct answers or explanations. Give the latest
        override close if the query annotated it (None: no override has one); otherwise it is
        read from this assignment's `with_results_at` annotation, or looked up.
        """
        if latest_override_close is LOOK_UP:
            latest_override_close = getattr(self, "latest_override_close", LOOK_UP)
        if latest_override_close is LOOK_UP:
            latest_override_close = (
                self.overrides.filter(closes_at__isnull=False)
                .order_by("-closes_at")
                .values_list("closes_at", flat=True)
                .first()
            )
        return max(self.closes_at, latest_override_close or self.closes_at)

    def question_count(self) -> int:
        """Scored questions a new attempt holds, from prefetched slots with their questions."""
        return slots_question_count(self.slots.all())

    def window_for(
        self, override: "AssignmentOverride | None"
    ) -> tuple[datetime.datetime, datetime.datetime]:
        """The open and close times that apply to one student."""
        opens_at = override.opens_at if override and override.opens_at else self.opens_at
        closes_at = override.closes_at if override and override.closes_at else self.closes_at
        return opens_at, closes_at

    def attempts_allowed_for(self, override: "AssignmentOverride | None") -> int:
        """Attempts this student may make; 0 means unlimited."""
        if override and override.attempts_allowed is not None:
            return override.attempts_allowed
        return self.attempts_allowed

    def time_limit_minutes_for(self, override: "AssignmentOverride | None") -> int | None:
        """The time limit, or the student's override of it, before any extra time."""
        if override and override.time_limit_minutes:
            return override.time_limit_minutes
        return self.time_limit_minutes

    def time_limit_for(
        self, *, enrollment: Enrollment, override: "AssignmentOverride | None"
    ) -> datetime.timedelta | None:
        """The time this student gets for one attempt, accommodation applied; None: no limit.

        The close time can still cut an attempt short (see deadline_for).
        """
        limit = self.time_limit_minutes_for(override)
        if limit is None or enrollment.has_unlimited_time:
            return None
        return datetime.timedelta(minutes=float(limit * enrollment.time_multiplier))

    def deadline_for(
        self,
        *,
        enrollment: Enrollment,
        override: "AssignmentOverride | None",
        started_at: datetime.datetime,
    ) -> datetime.datetime:
        """deadline = min(start + time limit x accommodation, close time) (product invariant 3)."""
        _opens_at, closes_at = self.window_for(override)
        limit = self.time_limit_for(enrollment=enrollment, override=override)
        # Compared before adding: a limit longer than the window never overflows a date.
        if limit is None or limit >= closes_at - started_at:
            return closes_at
        return started_at + limit

    def start_refusal(
        self,
        *,
        override: "AssignmentOverride | None",
        attempts_used: int,
        has_attempt_in_progress: bool,
        now: datetime.datetime,
    ) -> ValidationError | None:
        """Why this student cannot start a new attempt now, or None when they can.

        The one home of the can-start rule: attempt_start refuses with it, and the start page
        and dashboard offer Start only when it is None.
        """
        opens_at, closes_at = self.window_for(override)
        if override is not None and override.is_excused:
            return ValidationError(_("You are excused from this assignment."), code="excused")
        if has_attempt_in_progress:
            return ValidationError(_("You have an attempt in progress."), code="in_progress")
        if now < opens_at:
            return ValidationError(_("This assignment is not open yet."), code="not_open")
        if now >= closes_at:
            return ValidationError(_("This assignment has closed."), code="closed")
        allowed = self.attempts_allowed_for(override)
        if allowed and attempts_used >= allowed:
            return ValidationError(
                _("You have used all your attempts at this assignment."), code="no_attempts"
            )
        return None

    def student_state(
        self,
        *,
        attempts: Sequence["Attempt"],
        opens_at: datetime.datetime,
        closes_at: datetime.datetime,
        now: datetime.datetime,
        is_excused: bool = False,
    ) -> StudentState:
        """The state of this assignment for a student with these attempts and this window.

        Once a student has submitted, the assignment no longer needs their attention, even if
        attempts are left; never having attempted a closed assignment is "missed". An excused
        student has nothing to do, whatever they did before; only an attempt they still have
        running comes first, so they can finish it.
        """
        if any(attempt.is_in_progress for attempt in attempts):
            return StudentState.IN_PROGRESS
        if is_excused:
            return StudentState.EXCUSED
        if attempts:
            return StudentState.SUBMITTED
        if now < opens_at:
            return StudentState.UPCOMING
        if now < closes_at:
            return StudentState.OPEN
        return StudentState.MISSED


OVERRIDE_FIELDS = ("opens_at", "closes_at", "attempts_allowed", "time_limit_minutes", "is_excused")


class AssignmentOverride(models.Model):
    """Per-student exceptions to an assignment: other dates, attempts or time limit."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("assignment")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignment_overrides",
        verbose_name=_("student"),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), null=True, blank=True, help_text=_("0 means unlimited.")
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_MINUTES)],
    )
    is_excused = models.BooleanField(
        _("excused"),
        default=False,
        help_text=_("Excused from this assignment: cannot start it, and it counts in no average."),
    )

    class Meta:
        ordering = ["assignment", "student__username"]
        verbose_name = _("student override")
        verbose_name_plural = _("student overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="override_once_per_student"
            ),
            models.CheckConstraint(
                condition=(
                    Q(opens_at__isnull=False)
                    | Q(closes_at__isnull=False)
                    | Q(attempts_allowed__isnull=False)
                    | Q(time_limit_minutes__isnull=False)
                    | Q(is_excused=True)
                ),
                name="override_changes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.assignment}"

    def clean(self) -> None:
        """An override is for a student of the assignment's class, and changes something."""
        if not self.assignment_id or not self.student_id:
            return
        name = display_name(self.student)
        if not is_student_account(self.student):
            raise ValidationError(
                {"student": not_a_student_error(name)},
            )
        if not Enrollment.objects.filter(
            school_class_id=self.assignment.school_class_id, student_id=self.student_id
        ).exists():
            raise ValidationError(
                {
                    "student": ValidationError(
                        _("%(student)s is not in this class; enrol them first."),
                        code="not_enrolled",
                        params={"student": name},
                    )
                }
            )
        if not self.is_excused and all(
            getattr(self, field) is None for field in OVERRIDE_FIELDS if field != "is_excused"
        ):
            raise ValidationError(
                _("The override for %(student)s changes nothing; fill in a field or remove it."),
                code="changes_nothing",
                params={"student": name},
            )
        opens_at, closes_at = self.assignment.window_for(self)
        if closes_at <= opens_at:
            raise ValidationError(
                {
                    "closes_at": ValidationError(
                        _("The override for %(student)s closes before it opens."),
                        code="closes_before_opens",
                        params={"student": name},
                    )
                }
            )


class AssignmentChange(models.Model):
    """One logged change to an assignment's exam: who, when, and each setting from → to.

    Written by quizzes.assigning for every change to the settings, the window, a student's
    override or the quiz's questions while the assignment is live (product invariant 7).
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="changes", verbose_name=_("assignment")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignment_changes",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))
    changes = models.JSONField(
        _("changes"),
        default=list,
        help_text=_('A list of {"what": …, "from": …, "to": …}, in words, as a teacher reads it.'),
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change to the exam")
        verbose_name_plural = _("changes to the exam")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.changed_at):%Y-%m-%d %H:%M}"

"""Assignments: a quiz given to a class, with its window and per-student overrides."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .classes import SchoolClass
from .quiz import Quiz


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def taught_by(self, user: models.Model) -> "AssignmentQuerySet":
        if getattr(user, "is_superuser", False):
            return self.all()
        return self.filter(school_class__teachers=user)


class Assignment(models.Model):
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

    class Meta:
        ordering = ["-opens_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="assignment_closes_after_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz} — {self.school_class}"


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
        _("time limit (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
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
                ),
                name="override_changes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.assignment}"

"""Classes (a teacher's group of students), their join codes and enrollments."""

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

# No 0/O, 1/I/L: join codes are read aloud and copied from a board.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


# Accounts that can be students: teachers (staff) and superusers never take quizzes as one.
# Lists filter with it; saving an enrolment or an override checks is_student_account in clean(),
# so a form names the account it refuses (a field limit would only say "not a valid choice").
STUDENT_ACCOUNTS = Q(is_staff=False, is_superuser=False)


def is_student_account(user: Any) -> bool:
    """The one rule for who can be a student: neither staff nor a superuser."""
    return not (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def display_name(user: Any) -> str:
    """How teachers' pages name an account: "Full Name (username)", or the username alone."""
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def not_a_student_error(name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s is a teacher or administrator account; only students can be enrolled."),
        code="not_a_student",
        params={"name": name},
    )


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class SchoolClassQuerySet(models.QuerySet["SchoolClass"]):
    def taught_by(self, user: User) -> "SchoolClassQuerySet":
        """Every class for a superuser; only the classes they teach for anyone else."""
        if getattr(user, "is_superuser", False):
            return self.all()
        return self.filter(teachers=user)


class SchoolClass(models.Model):
    name = models.CharField(_("name"), max_length=200)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="taught_classes",
        verbose_name=_("teachers"),
        limit_choices_to={"is_staff": True},
    )
    students: "models.ManyToManyField[User, Enrollment]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Enrollment",
        related_name="classes",
        verbose_name=_("students"),
    )
    join_code = models.CharField(
        _("join code"), max_length=16, unique=True, default=new_join_code, editable=False
    )
    is_joinable = models.BooleanField(_("students may join with the code"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")

    def __str__(self) -> str:
        return self.name

    def regenerate_join_code(self) -> None:
        self.join_code = new_join_code()
        self.save(update_fields=["join_code"])


class Enrollment(models.Model):
    """A student's membership of a class, with their accommodation."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("class")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("student"),
    )
    time_multiplier = models.DecimalField(
        _("time multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("10"))],
        help_text=_("Extra time: 1.5 gives half as much again; up to 10."),
    )
    has_unlimited_time = models.BooleanField(_("no time limit"), default=False)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["school_class", "student__username"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "student"], name="enrollment_once_per_class"
            ),
            models.CheckConstraint(
                condition=Q(time_multiplier__gte=1, time_multiplier__lte=10),
                name="enrollment_multiplier_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.school_class}"

    def clean(self) -> None:
        if self.student_id and not is_student_account(self.student):
            raise ValidationError({"student": not_a_student_error(display_name(self.student))})


def students_taught_by(user: User) -> Q:
    """On User: the student accounts enrolled in a class `user` teaches (taught_by), the only
    students a teacher sees; every student account for a superuser."""
    if getattr(user, "is_superuser", False):
        return STUDENT_ACCOUNTS
    return STUDENT_ACCOUNTS & Q(
        Exists(
            Enrollment.objects.filter(
                student=OuterRef("pk"), school_class__in=SchoolClass.objects.taught_by(user)
            )
        )
    )

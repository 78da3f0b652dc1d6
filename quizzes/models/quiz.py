"""Quizzes: ordered slots (a fixed question, or N random questions from a bank/tag), and the
exam settings a quiz suggests and an assignment holds."""

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quizzes import grading

from .bank import Bank, Tag
from .question import Question

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class GradingMethod(models.TextChoices):
    """grading.GradingMethod with labels for people (a test keeps the two in step)."""

    HIGHEST = grading.GradingMethod.HIGHEST.value, _("Highest attempt")
    AVERAGE = grading.GradingMethod.AVERAGE.value, _("Average of attempts")
    FIRST = grading.GradingMethod.FIRST.value, _("First attempt")
    LAST = grading.GradingMethod.LAST.value, _("Last attempt")


class Navigation(models.TextChoices):
    FREE = "free", _("Free: any question, in any order")
    SEQUENTIAL = "sequential", _("Sequential: forward only")


class ReviewTiming(models.TextChoices):
    """When a student may see one part of the review."""

    IMMEDIATELY = "immediately", _("Immediately after the attempt")
    AFTER_CLOSE = "after_close", _("After the assignment has closed for everyone")
    NEVER = "never", _("Never")


# A week: longer is no time limit, and start + limit x 10 must stay a date the database holds.
MAX_TIME_LIMIT_MINUTES = 7 * 24 * 60


def review_field(label: "StrOrPromise", default: str) -> models.CharField:
    return models.CharField(label, max_length=12, choices=ReviewTiming.choices, default=default)


# The parts of the review, in the order the admin lists them (ExamSettings field names).
REVIEW_FIELDS = (
    "review_score",
    "review_correctness",
    "review_correct_answer",
    "review_feedback",
    "review_explanation",
)


class ExamSettings(models.Model):
    """The settings that shape an exam: timing, attempts, grading, order, navigation, review.

    A quiz holds them as defaults; an assignment copies them when it is created and from then
    on holds its own, changed only by the teachers of its class (product invariant 7), so a
    quiz shared by several teachers can never change another teacher's running exam.
    """

    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_MINUTES)],
        help_text=_("Leave empty for no time limit."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, help_text=_("0 means unlimited.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    navigation = models.CharField(
        _("navigation"), max_length=12, choices=Navigation.choices, default=Navigation.FREE
    )
    questions_per_page = models.PositiveSmallIntegerField(
        _("questions per page"), default=1, help_text=_("0 puts every question on one page.")
    )
    review_score = review_field(_("show score"), ReviewTiming.IMMEDIATELY)
    review_correctness = review_field(_("show right/wrong"), ReviewTiming.IMMEDIATELY)
    review_correct_answer = review_field(_("show correct answer"), ReviewTiming.AFTER_CLOSE)
    review_feedback = review_field(_("show choice feedback"), ReviewTiming.AFTER_CLOSE)
    review_explanation = review_field(_("show explanation and source"), ReviewTiming.AFTER_CLOSE)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__isnull=True) | Q(pass_mark__gte=0, pass_mark__lte=100),
                name="%(class)s_pass_mark_percent",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True)
                | Q(time_limit_minutes__gte=1, time_limit_minutes__lte=MAX_TIME_LIMIT_MINUTES),
                name="%(class)s_time_limit_positive",
            ),
        ]

    def exam_settings(self) -> dict[str, Any]:
        """These settings by field name: what a new assignment copies from its quiz."""
        return {name: getattr(self, name) for name in EXAM_SETTING_FIELDS}

    @property
    def is_sequential(self) -> bool:
        return self.navigation == Navigation.SEQUENTIAL

    def review_timings(self) -> set[str]:
        return {getattr(self, name) for name in REVIEW_FIELDS}


EXAM_SETTING_FIELDS: tuple[str, ...] = tuple(f.name for f in ExamSettings._meta.local_fields)


class Quiz(ExamSettings):
    """A reusable set of questions (its slots), with default exam settings for assignments."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published quizzes can be assigned.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_quizzes",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta(ExamSettings.Meta):
        ordering = ["title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title

    def question_count(self) -> int:
        """Scored questions a new attempt will hold (see slots_question_count)."""
        return slots_question_count(self.slots.all())


def slots_question_count(slots: Iterable["Slot"]) -> int:
    """Scored questions an attempt drawn from these slots holds (slots with their questions).

    A random slot counts its draw; a fixed question counts while it is published and scored
    (a retired one is left out of new attempts, see services.draw_questions).
    """
    count = 0
    for slot in slots:
        if slot.is_random:
            count += slot.count
        elif slot.question is not None and slot.question.is_drawable:
            count += 1
    return count


class Slot(models.Model):
    """One place in a quiz or an assignment: a fixed question, or `count` random questions from
    a bank (and tag).

    A quiz's slots are a template; creating an assignment copies them (assigning.
    assignment_save), and from then on the assignment's own slots are what its attempts draw,
    changed only by the teachers of its class. Each slot belongs to exactly one of the two.
    """

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, null=True, blank=True, related_name="slots"
    )
    assignment = models.ForeignKey(
        "quizzes.Assignment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("assignment"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("fixed question"),
    )
    bank = models.ForeignKey(
        Bank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="random_slots",
        verbose_name=_("random from bank"),
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="random_slots",
        verbose_name=_("only with tag"),
    )
    count = models.PositiveSmallIntegerField(
        _("how many"), default=1, validators=[MinValueValidator(1)]
    )
    points = models.DecimalField(
        _("points each"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: the question's default points."),
    )

    class Meta:
        ordering = ["quiz", "assignment", "position", "id"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(question__isnull=False, bank__isnull=True, tag__isnull=True, count=1)
                    | Q(question__isnull=True, bank__isnull=False)
                ),
                name="slot_fixed_xor_random",
                violation_error_message=_(
                    "Each slot is either a fixed question, or a bank to draw random questions "
                    "from (with an optional tag): fill in one of the two, not both."
                ),
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="slot_count_positive"),
            models.CheckConstraint(
                condition=Q(quiz__isnull=False, assignment__isnull=True)
                | Q(quiz__isnull=True, assignment__isnull=False),
                name="slot_of_a_quiz_or_an_assignment",
            ),
        ]

    def __str__(self) -> str:
        if self.question_id:
            return str(self.question)
        tag = f" #{self.tag}" if self.tag_id else ""
        return f"{self.count} × random from {self.bank}{tag}"

    @property
    def is_random(self) -> bool:
        return self.question_id is None

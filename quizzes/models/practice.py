"""Mastery practice: ungraded practice answers, and the mistake cards they and attempts open.

A student's practice answers are numbered in *steps* (their 1st, 2nd, ... practice answer, from
any bank or from their mistakes). Spacing is counted in steps, not in time: a card asked at
step 5 is due again once the student has answered two other questions (step 7 done).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .attempt import Attempt
from .question import Question, QuestionStatus, QuestionType, fraction_decimal_field

# Other questions answered before a card is asked again, and the correct answers in a row
# (each spaced that way) that master it.
MISTAKE_SPACING = 2
MASTERY_STREAK = 2


class PracticeSource(models.TextChoices):
    BANK = "bank", _("Practising a bank")
    MISTAKES = "mistakes", _("Practising mistakes")


class PracticeAnswerQuerySet(models.QuerySet["PracticeAnswer"]):
    def of_student(self, student: User) -> "PracticeAnswerQuerySet":
        return self.filter(student=student)


class PracticeAnswer(models.Model):
    """One ungraded answer and the snapshot it was graded on, so its feedback never changes."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_answers",
        verbose_name=_("student"),
    )
    # PROTECT, as for attempt questions: teachers retire practised questions, never delete them.
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="practice_answers",
        verbose_name=_("question"),
    )
    source = models.CharField(_("source"), max_length=10, choices=PracticeSource.choices)
    step = models.PositiveIntegerField(
        _("step"), help_text=_("This answer's number among the student's practice answers.")
    )
    token = models.CharField(
        _("token"),
        max_length=64,
        help_text=_("Sent with the question; posting it again returns this answer."),
    )
    snapshot = models.JSONField(_("snapshot"))
    answer = models.JSONField(_("answer"), default=dict, blank=True)
    fraction = fraction_decimal_field(_("score fraction"))
    answered_at = models.DateTimeField(_("answered at"))

    objects = PracticeAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["student", "-step"]
        verbose_name = _("practice answer")
        verbose_name_plural = _("practice answers")
        constraints = [
            models.UniqueConstraint(fields=["student", "step"], name="practice_answer_step_unique"),
            models.UniqueConstraint(
                fields=["student", "token"], name="practice_answer_token_unique"
            ),
            models.CheckConstraint(
                condition=Q(fraction__gte=0, fraction__lte=1),
                name="practice_answer_fraction_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.question} (step {self.step})"

    @property
    def is_right(self) -> bool:
        return self.fraction >= 1

    @property
    def is_wrong(self) -> bool:
        return self.fraction <= 0


class MistakeCardQuerySet(models.QuerySet["MistakeCard"]):
    def of_student(self, student: User) -> "MistakeCardQuerySet":
        return self.filter(student=student)

    def open(self) -> "MistakeCardQuerySet":
        """Not mastered yet, on a question practice may ask now.

        That is a published scored question of a bank open for practice: a closed bank's
        cards wait, untouched, until its teacher opens it again.
        """
        return self.filter(
            is_mastered=False,
            question__status=QuestionStatus.PUBLISHED,
            question__bank__is_practice_open=True,
        ).exclude(question__type=QuestionType.DESCRIPTION)

    def due(self, *, answered_steps: int) -> "MistakeCardQuerySet":
        """Open cards the spacing allows now; the longest-waiting first."""
        return (
            self.open()
            .filter(due_after_step__lte=answered_steps)
            .order_by(
                "due_after_step", models.F("last_asked_at").asc(nulls_first=True), "opened_at", "id"
            )
        )


class MistakeCard(models.Model):
    """A question a student got wrong, re-asked until answered correctly twice, spaced out."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mistake_cards",
        verbose_name=_("student"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="mistake_cards", verbose_name=_("question")
    )
    correct_in_a_row = models.PositiveSmallIntegerField(_("correct in a row"), default=0)
    is_mastered = models.BooleanField(_("mastered"), default=False)
    due_after_step = models.PositiveIntegerField(
        _("due after step"),
        default=0,
        help_text=_("Asked again once the student has given this many practice answers."),
    )
    opened_at = models.DateTimeField(_("opened at"))
    last_asked_at = models.DateTimeField(_("last answered at"), null=True, blank=True)
    mastered_at = models.DateTimeField(_("mastered at"), null=True, blank=True)

    objects = MistakeCardQuerySet.as_manager()

    class Meta:
        ordering = ["student", "due_after_step", "id"]
        verbose_name = _("mistake card")
        verbose_name_plural = _("mistake cards")
        constraints = [
            models.UniqueConstraint(fields=["student", "question"], name="mistake_card_once"),
            models.CheckConstraint(
                condition=(
                    Q(is_mastered=True, correct_in_a_row=MASTERY_STREAK, mastered_at__isnull=False)
                    | Q(
                        is_mastered=False,
                        correct_in_a_row__lt=MASTERY_STREAK,
                        mastered_at__isnull=True,
                    )
                ),
                name="mistake_card_mastery_consistent",
            ),
        ]
        indexes = [models.Index(fields=["student", "is_mastered", "due_after_step"])]

    def __str__(self) -> str:
        return f"{self.student} — {self.question}"

    def is_due(self, *, answered_steps: int) -> bool:
        """Whether the spacing allows asking it after `answered_steps` practice answers."""
        return not self.is_mastered and answered_steps >= self.due_after_step

    def record_practice(self, *, fraction: Decimal, step: int, now: datetime.datetime) -> None:
        """Apply the practice answer given at `step` (not saved).

        A wrong or partly right answer starts the streak again and reopens a mastered card. A
        right answer counts only when the card was due: answering it again straight away shows
        short-term memory, not mastery.
        """
        if fraction < 1:
            self.correct_in_a_row = 0
            self.is_mastered = False
            self.mastered_at = None
        elif self.is_due(answered_steps=step - 1):
            self.correct_in_a_row += 1
            if self.correct_in_a_row >= MASTERY_STREAK:
                self.correct_in_a_row = MASTERY_STREAK
                self.is_mastered = True
                self.mastered_at = now
        self.due_after_step = step + MISTAKE_SPACING
        self.last_asked_at = now

    def reopen_after_attempt(self, *, finished_at: datetime.datetime) -> bool:
        """Reset the streak for a wrong answer in an attempt; False when nothing changed.

        Practice answered after the attempt finished is newer evidence and already counted
        (a wrong one reset the card itself), so such a card is left as it is.
        """
        if self.last_asked_at is not None and self.last_asked_at >= finished_at:
            return False
        if not self.is_mastered and self.correct_in_a_row == 0:
            return False
        self.correct_in_a_row = 0
        self.is_mastered = False
        self.mastered_at = None
        return True


class MistakeRecord(models.Model):
    """A finished attempt whose wrong answers have been turned into mistake cards, once.

    Written only when the quiz's review policy lets the student see correct answers, since
    practising a mistake shows its key.
    """

    attempt = models.OneToOneField(
        Attempt, on_delete=models.CASCADE, related_name="mistake_record", verbose_name=_("attempt")
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("attempt recorded for mistakes practice")
        verbose_name_plural = _("attempts recorded for mistakes practice")

    def __str__(self) -> str:
        return str(self.attempt)

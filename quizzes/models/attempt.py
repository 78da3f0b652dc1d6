"""Attempts, the questions they froze, and the student's responses."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from quizzes import grading
from quizzes.review import ReviewOptions

from .assignment import LOOK_UP, Assignment, latest_override_close
from .question import Question, fraction_decimal_field
from .quiz import ReviewTiming, Slot


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")


class FinishReason(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted by the student")
    TIMED_OUT = "timed_out", _("Finished automatically at the deadline")


def grace_period() -> datetime.timedelta:
    """How late after a deadline an answer still counts (a slow connection, a click at 0:00)."""
    return datetime.timedelta(seconds=settings.QUIZZES_GRACE_SECONDS)


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def overdue(self, *, now: datetime.datetime) -> "AttemptQuerySet":
        """In progress, past deadline and grace: abandoned, to be finished (see is_overdue)."""
        return self.filter(state=AttemptState.IN_PROGRESS, deadline__lt=now - grace_period())

    def accepting_answers(self, *, now: datetime.datetime) -> "AttemptQuerySet":
        """In progress and still accepting answers (see accepts_answers)."""
        return self.filter(
            Q(deadline__isnull=True) | Q(deadline__gte=now - grace_period()),
            state=AttemptState.IN_PROGRESS,
        )

    def visible_to_teacher(self, user: User) -> "AttemptQuerySet":
        if getattr(user, "is_superuser", False):
            return self.all()
        return self.filter(assignment__school_class__teachers=user)

    def history_of(self, student: User) -> "AttemptQuerySet":
        """A student's attempts, newest first, with what their review policy reads.

        Each attempt carries `latest_override_close` (see Attempt.results_at), so a list of any
        length costs one query.
        """
        return (
            self.filter(student=student)
            .annotate(latest_override_close=latest_override_close("assignment"))
            .select_related("assignment__quiz", "assignment__school_class")
            .order_by("-started_at", "-pk")
        )


class Attempt(models.Model):
    """One student's run at an assignment; what they saw is frozen in its attempt questions."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("assignment")
    )
    # PROTECT: deleting an account must not take its attempts, and with them a class's
    # statistics, away; `manage.py delete_student_data` erases a student and keeps them.
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("student"),
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    state = models.CharField(
        _("state"), max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(
        _("deadline"), null=True, blank=True, help_text=_("Empty: no time limit and no close.")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finish_reason = models.CharField(
        _("finished by"), max_length=12, choices=FinishReason.choices, blank=True
    )
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=7, null=True, blank=True)
    max_score = models.DecimalField(_("out of"), max_digits=12, decimal_places=2, default=0)
    current_page = models.PositiveSmallIntegerField(
        _("current page"),
        default=0,
        help_text=_("The page the student is on; sequential quizzes never go back."),
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["assignment", "student", "number"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["assignment", "student"],
                condition=Q(state="in_progress"),
                name="attempt_one_in_progress",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            models.CheckConstraint(
                condition=(
                    Q(state="in_progress", finished_at__isnull=True, score__isnull=True)
                    | Q(state="finished", finished_at__isnull=False, score__isnull=False)
                ),
                name="attempt_finished_has_time_and_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.assignment} #{self.number}"

    @property
    def is_in_progress(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    def results_at(self) -> datetime.datetime:
        """When this attempt's assignment has closed for everyone (see Assignment.results_at).

        Reads the `latest_override_close` annotation of history_of() when there is one.
        """
        return self.assignment.results_at(getattr(self, "latest_override_close", LOOK_UP))

    def review_options(self, *, now: datetime.datetime) -> ReviewOptions:
        """What the assignment's review policy lets the student see of this attempt now.

        Nothing while the attempt is in progress, whatever the policy says. "After the
        assignment closes" waits until it has closed for everyone, so a classmate's extension
        keeps answers hidden from the whole class: callers cannot get this wrong, since the
        rule reads the close time itself.
        """
        if self.state != AttemptState.FINISHED:
            return ReviewOptions()
        assignment = self.assignment
        timings = assignment.review_timings()
        is_closed_for_all = ReviewTiming.AFTER_CLOSE in timings and now >= self.results_at()

        def allowed(timing: str) -> bool:
            if timing == ReviewTiming.IMMEDIATELY:
                return True
            return timing == ReviewTiming.AFTER_CLOSE and is_closed_for_all

        return ReviewOptions(
            score=allowed(assignment.review_score),
            correctness=allowed(assignment.review_correctness),
            correct_answer=allowed(assignment.review_correct_answer),
            feedback=allowed(assignment.review_feedback),
            explanation=allowed(assignment.review_explanation),
        )

    def review_shows_more_later(self, *, now: datetime.datetime) -> bool:
        """Whether some part of the review is held back until the assignment closes for all."""
        return ReviewTiming.AFTER_CLOSE in self.assignment.review_timings() and (
            now < self.results_at()
        )

    def accepts_answers(self, *, now: datetime.datetime) -> bool:
        """In progress and not past its deadline plus the grace period (product invariant 3)."""
        if self.state != AttemptState.IN_PROGRESS:
            return False
        return self.deadline is None or now <= self.deadline + grace_period()

    def is_overdue(self, *, now: datetime.datetime) -> bool:
        """In progress but past deadline and grace: to be finished, dated at its deadline."""
        return self.state == AttemptState.IN_PROGRESS and not self.accepts_answers(now=now)

    @property
    def percent(self) -> Decimal | None:
        """The score as an exact percentage (None until graded, or with nothing to score)."""
        if self.score is None or not self.max_score:
            return None
        return self.score / self.max_score * 100

    @property
    def is_passed(self) -> bool | None:
        """Whether this attempt reaches the assignment's pass mark (None: no mark or score)."""
        return grading.passes(percent=self.percent, pass_mark=self.assignment.pass_mark)


class AttemptQuestion(models.Model):
    """A question as drawn into an attempt: position, points, display order, frozen snapshot."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="attempt_questions")
    position = models.PositiveSmallIntegerField(_("position"))
    page = models.PositiveSmallIntegerField(_("page"), default=0)
    slot = models.ForeignKey(
        Slot, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempt_questions"
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="attempt_questions"
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    snapshot = models.JSONField(_("snapshot"))
    display_order = models.JSONField(
        _("display order"),
        default=list,
        help_text=_("Ids of choices, answers or items in the order this student saw them."),
    )

    class Meta:
        ordering = ["attempt", "position"]
        verbose_name = _("attempt question")
        verbose_name_plural = _("attempt questions")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_position_unique"),
            models.UniqueConstraint(fields=["attempt", "question"], name="attempt_question_once"),
        ]

    def __str__(self) -> str:
        return f"Q{self.position}"

    @property
    def is_scored(self) -> bool:
        return grading.is_scored(self.snapshot["type"])


class Response(models.Model):
    """The student's latest answer to one attempt question, and its score once graded."""

    attempt_question = models.OneToOneField(
        AttemptQuestion, on_delete=models.CASCADE, related_name="response"
    )
    answer = models.JSONField(_("answer"), default=dict, blank=True)
    fraction = fraction_decimal_field(
        _("score fraction"),
        null=True,
        blank=True,
        help_text=_("What the key gives the answer (graded at submit, again by a regrade)."),
    )
    override_fraction = fraction_decimal_field(
        _("teacher's score"),
        null=True,
        blank=True,
        help_text=_("Set by a teacher: counts instead of the key's score."),
    )
    override_comment = models.TextField(
        _("teacher's comment"),
        blank=True,
        help_text=_("Why the score was changed; the student sees it where feedback is shown."),
    )
    is_flagged = models.BooleanField(_("flagged for review"), default=False)
    revision = models.PositiveBigIntegerField(
        _("revision"),
        default=0,
        help_text=_(
            "When the answer was given, in milliseconds of the server's clock; a save carrying "
            "an older revision never overwrites a newer one."
        ),
    )
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)

    class Meta:
        ordering = ["attempt_question"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(fraction__isnull=True) | Q(fraction__gte=0, fraction__lte=1),
                name="response_fraction_range",
            ),
            models.CheckConstraint(
                condition=Q(override_fraction__isnull=True)
                | Q(override_fraction__gte=0, override_fraction__lte=1),
                name="response_override_fraction_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.attempt_question}"

    @property
    def score_fraction(self) -> Decimal | None:
        """What counts: the teacher's score if she set one, else the key's."""
        return self.override_fraction if self.override_fraction is not None else self.fraction

    @staticmethod
    def score_fraction_expression() -> Coalesce:
        """score_fraction for a query on responses."""
        return Coalesce("override_fraction", "fraction")

    @staticmethod
    def revision_at(now: datetime.datetime) -> int:
        """The revision of an answer given at `now`: milliseconds of the server's clock."""
        return int(now.timestamp() * 1000)


class ScoreChangeKind(models.TextChoices):
    OVERRIDE = "override", _("Score set by a teacher")
    OVERRIDE_REMOVED = "override_removed", _("Teacher's score removed")
    REGRADE = "regrade", _("Regraded with the current key")


class ScoreChange(models.Model):
    """One logged change to a response's score: who, when, from → to, and why.

    Written by quizzes.scoring for every teacher override and every regrade, never otherwise.
    A regrade's changes share a `batch`, so one run can be read back as a whole; its from → to
    are the key's score (`Response.fraction`), which a teacher's score, if set, still overrides.
    A regrade that corrects the key an attempt shows without changing its score is logged too
    (from equal to to), since `key_before` is the only record of the key it replaced.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="score_changes", verbose_name=_("response")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ScoreChangeKind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="score_changes",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))
    from_fraction = fraction_decimal_field(_("from"), null=True, blank=True)
    to_fraction = fraction_decimal_field(_("to"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    batch = models.UUIDField(_("regrade run"), null=True, blank=True, db_index=True)
    key_before = models.JSONField(
        _("key before"),
        null=True,
        blank=True,
        help_text=_(
            "A regrade: the key the attempt had frozen before it (quizzes.regrading.key_of); "
            "the attempt now keeps the corrected one."
        ),
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_fraction} → {self.to_fraction}"

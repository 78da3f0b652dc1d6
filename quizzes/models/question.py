"""Questions and their parts (choices, accepted answers, numeric answers, pairs, ordered items).

A question's content is edited freely; attempts never read it after they start; they read the
frozen `snapshot()` taken at start, so later edits cannot change what an old attempt means.
"""

import datetime
import os
import random
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes.question_types import KeyParts, QType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .bank import Bank, Tag


class QuestionType(models.TextChoices):
    """quizzes.question_types.QType with labels for people (a test keeps the two in step)."""

    SINGLE = QType.SINGLE.value, _("Single choice")
    MULTIPLE = QType.MULTIPLE.value, _("Multiple response")
    TRUE_FALSE = QType.TRUE_FALSE.value, _("True/false")
    SHORT = QType.SHORT.value, _("Short answer")
    NUMERIC = QType.NUMERIC.value, _("Numeric")
    MATCHING = QType.MATCHING.value, _("Matching")
    ORDERING = QType.ORDERING.value, _("Ordering")
    DESCRIPTION = QType.DESCRIPTION.value, _("Description (not scored)")


class Difficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


def fraction_decimal_field(label: "StrOrPromise", **options: Any) -> models.DecimalField:
    """A stored share of the marks (7 places, as quizzes.grading computes them)."""
    return models.DecimalField(label, max_digits=8, decimal_places=7, **options)


def validate_image_size(image: Any) -> None:
    """Question images are illustrations for phones on slow connections: keep them small."""
    limit = settings.QUIZZES_MAX_IMAGE_BYTES
    if image.size > limit:
        raise ValidationError(
            _("This image is %(size)s; the limit is %(limit)s. Save a smaller copy and upload it."),
            code="image_too_large",
            params={"size": filesizeformat(image.size), "limit": filesizeformat(limit)},
        )


def question_image_path(instance: "Question", filename: str) -> str:
    """A random name (the extension kept): an author's "answer-b.png" must not reach students."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"questions/{timezone.now():%Y}/{uuid.uuid4().hex}{extension}"


class QuestionQuerySet(models.QuerySet["Question"]):
    def published(self) -> "QuestionQuerySet":
        return self.filter(status=QuestionStatus.PUBLISHED)

    def scored(self) -> "QuestionQuerySet":
        return self.exclude(type=QuestionType.DESCRIPTION)

    def drawable_from(self, *, bank: Bank, tag: Tag | None = None) -> "QuestionQuerySet":
        """Questions a random slot may draw: published, scored, in the bank (and tag)."""
        qs = self.published().scored().filter(bank=bank)
        return qs.filter(tags=tag) if tag is not None else qs

    def facts_due(self, *, today: datetime.date, age_days: int) -> "QuestionQuerySet":
        return self.filter(facts_as_of__lt=today - datetime.timedelta(days=age_days))

    def with_parts(self) -> "QuestionQuerySet":
        """Everything `snapshot()` reads, in a fixed number of queries."""
        return self.select_related("bank", "stimulus").prefetch_related(
            "choices",
            "accepted_answers",
            "numeric_answers",
            "match_pairs",
            "order_items",
        )


class Question(models.Model):
    bank = models.ForeignKey(
        Bank, on_delete=models.PROTECT, related_name="questions", verbose_name=_("bank")
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        blank=True,
        help_text=_("Optional stable identifier used by imports, e.g. aa-001."),
    )
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    title = models.CharField(
        _("title"), max_length=200, help_text=_("Short name for teachers; students never see it.")
    )
    prompt = models.TextField(
        _("prompt"), help_text=_("Markdown: *emphasis*, **strong**, lists, [links](https://…).")
    )
    explanation = models.TextField(
        _("explanation"),
        blank=True,
        help_text=_("Why the key is right and why tempting wrong answers are wrong."),
    )
    stimulus = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introduced_questions",
        limit_choices_to={"type": QuestionType.DESCRIPTION},
        verbose_name=_("stimulus"),
        help_text=_("A description question shown above this one (a passage, a table)."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions", verbose_name=_("tags"))
    image = models.ImageField(
        _("image"), upload_to=question_image_path, blank=True, validators=[validate_image_size]
    )
    image_alt = models.CharField(
        _("image alt text"),
        max_length=300,
        blank=True,
        help_text=_("Required with an image: what a student who cannot see it needs to know."),
    )
    source_outlet = models.CharField(_("source outlet"), max_length=200, blank=True)
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    facts_as_of = models.DateField(
        _("facts as of"),
        null=True,
        blank=True,
        help_text=_("The date the facts were true on; old dates are listed for review."),
    )
    difficulty = models.CharField(
        _("difficulty"), max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    default_points = models.DecimalField(
        _("default points"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT
    )
    is_all_or_nothing = models.BooleanField(
        _("all or nothing"),
        default=False,
        help_text=_("Multiple response: full marks only for exactly the right set."),
    )
    is_case_sensitive = models.BooleanField(_("case sensitive"), default=False)
    is_accent_insensitive = models.BooleanField(
        _("ignore accents"),
        default=False,
        help_text=_("Short answer: 'Astana' also matches 'Astaná'."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_questions",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["bank__name", "key", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="question_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="question_image_has_alt"
            ),
            models.CheckConstraint(
                condition=Q(default_points__gte=0), name="question_points_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["bank", "status", "type"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_scored(self) -> bool:
        return self.type != QuestionType.DESCRIPTION

    @property
    def is_drawable(self) -> bool:
        """Whether a new attempt may hold it: published and scored (see drawable_from)."""
        return self.status == QuestionStatus.PUBLISHED and self.is_scored

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = ValidationError(
                _("Describe the image for students who cannot see it."), code="image_needs_alt"
            )
        if self.stimulus_id:
            if self.type == QuestionType.DESCRIPTION:
                errors["stimulus"] = ValidationError(
                    _("A description cannot itself have a stimulus."), code="nested_stimulus"
                )
            elif self.stimulus_id == self.pk:
                errors["stimulus"] = ValidationError(
                    _("A question cannot be its own stimulus."), code="self_stimulus"
                )
        if errors:
            raise ValidationError(errors)

    def key_parts(self) -> KeyParts:
        """This question's saved key rows as plain values, for quizzes.authoring.validate_key."""
        return KeyParts(
            choices=[c.fraction for c in self.choices.all()],
            answers=[(a.text, a.fraction) for a in self.accepted_answers.all()],
            numeric=[(n.value, n.tolerance, n.fraction) for n in self.numeric_answers.all()],
            pairs=[(p.prompt, p.answer) for p in self.match_pairs.all()],
            items=[i.text for i in self.order_items.all()],
        )

    def snapshot(self) -> dict[str, Any]:
        """The frozen, JSON-able content and key an attempt keeps (see quizzes.grading)."""

        def fraction(value: Decimal) -> str:
            return str(value)

        snap: dict[str, Any] = {
            "question_id": self.pk,
            "type": self.type,
            "title": self.title,
            "difficulty": self.difficulty,
            "prompt": self.prompt,
            "stimulus": self.stimulus.prompt if self.stimulus_id and self.stimulus else "",
            "explanation": self.explanation,
            "image": self.image.name if self.image else "",
            "image_alt": self.image_alt,
            "source": {
                "outlet": self.source_outlet,
                "title": self.source_title,
                "url": self.source_url,
            },
            "facts_as_of": self.facts_as_of.isoformat() if self.facts_as_of else "",
            "updated_at": self.updated_at.isoformat() if self.updated_at else "",
            "options": {
                "all_or_nothing": self.is_all_or_nothing,
                "case_sensitive": self.is_case_sensitive,
                "accent_insensitive": self.is_accent_insensitive,
            },
        }
        if self.type in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE):
            snap["choices"] = [
                {
                    "id": c.pk,
                    "text": c.text,
                    "fraction": fraction(c.fraction),
                    "feedback": c.feedback,
                }
                for c in self.choices.all()
            ]
        elif self.type == QuestionType.SHORT:
            snap["answers"] = [
                {
                    "id": a.pk,
                    "text": a.text,
                    "fraction": fraction(a.fraction),
                    "feedback": a.feedback,
                }
                for a in self.accepted_answers.all()
            ]
        elif self.type == QuestionType.NUMERIC:
            snap["numeric"] = [
                {
                    "id": a.pk,
                    "value": str(a.value),
                    "tolerance": str(a.tolerance),
                    "fraction": fraction(a.fraction),
                    "feedback": a.feedback,
                }
                for a in self.numeric_answers.all()
            ]
        elif self.type == QuestionType.MATCHING:
            snap["pairs"] = [
                {"id": p.pk, "prompt": p.prompt, "answer": p.answer} for p in self.match_pairs.all()
            ]
        elif self.type == QuestionType.ORDERING:
            snap["items"] = [{"id": i.pk, "text": i.text} for i in self.order_items.all()]
        return snap


def fraction_field(label: "StrOrPromise", *, minimum: str) -> models.DecimalField:
    return fraction_decimal_field(
        label,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal(minimum)), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the question's points: 1 = fully correct, 0 = no credit."),
    )


class QuestionPart(models.Model):
    """Common shape of the rows that make up a question's key."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


# Not for secrecy of the order itself, only so that ids do not follow authoring order.
_insert_rng = random.SystemRandom()


def key_rows_create(rows: Iterable["QuestionPart"]) -> None:
    """Save new key rows (of any kinds) in a random order.

    Authors tend to write the key first, and ids follow insertion order: inserted as authored,
    an id that ever reached a page would give the key away. Inserted shuffled, ids say nothing;
    `position` still keeps the order the author chose. The admin, the importer and question
    duplication all save key rows through here.
    """
    shuffled = list(rows)
    _insert_rng.shuffle(shuffled)
    by_model: dict[type[QuestionPart], list[QuestionPart]] = {}
    for row in shuffled:
        by_model.setdefault(type(row), []).append(row)
    for model, group in by_model.items():
        model.objects.bulk_create(group)  # type: ignore[attr-defined]


class Choice(QuestionPart):
    """An option of a single-choice, multiple-response or true/false question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.TextField(_("text"))
    fraction = fraction_field(_("fraction"), minimum="-1")
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta(QuestionPart.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.CheckConstraint(
                condition=Q(fraction__gte=-1, fraction__lte=1), name="choice_fraction_range"
            )
        ]

    def __str__(self) -> str:
        return self.text


class AcceptedAnswer(QuestionPart):
    """An accepted answer of a short-answer question; `*` is a wildcard."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="accepted_answers"
    )
    text = models.CharField(
        _("answer"),
        max_length=300,
        help_text=_(
            "* stands for any run of characters. An answer worth 0 names a tempting wrong "
            "answer: a reply that also matches it scores 0."
        ),
    )
    fraction = fraction_field(_("fraction"), minimum="0")
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta(QuestionPart.Meta):
        verbose_name = _("accepted answer")
        verbose_name_plural = _("accepted answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(fraction__gte=0, fraction__lte=1), name="accepted_answer_fraction_range"
            )
        ]

    def __str__(self) -> str:
        return self.text


class NumericAnswer(QuestionPart):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="numeric_answers")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=7)
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=20,
        decimal_places=7,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Answers within ± this much of the value are accepted."),
    )
    fraction = fraction_field(_("fraction"), minimum="0")
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta(QuestionPart.Meta):
        verbose_name = _("numeric answer")
        verbose_name_plural = _("numeric answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="numeric_tolerance_positive"
            ),
            models.CheckConstraint(
                condition=Q(fraction__gte=0, fraction__lte=1), name="numeric_fraction_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} ± {self.tolerance}"


class MatchPair(QuestionPart):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="match_pairs")
    prompt = models.CharField(_("item"), max_length=300)
    answer = models.CharField(_("matches"), max_length=300)

    class Meta(QuestionPart.Meta):
        verbose_name = _("matching pair")
        verbose_name_plural = _("matching pairs")

    def __str__(self) -> str:
        return f"{self.prompt} → {self.answer}"


class OrderItem(QuestionPart):
    """An item of an ordering question; `position` is its place in the correct order."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="order_items")
    text = models.CharField(_("text"), max_length=300)

    class Meta(QuestionPart.Meta):
        verbose_name = _("item in correct order")
        verbose_name_plural = _("items in correct order")

    def __str__(self) -> str:
        return self.text

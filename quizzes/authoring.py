"""Authoring rules for a question's key, shared by the admin forms and the bank loader.

The rules read plain values (no request, no saved rows), so the admin can check an unsaved form
and its inline rows, and the loader can check a file, with the same code and the same messages.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .grading import SUM_TOLERANCE
from .models.question import QuestionType
from .question_types import KEY_ROWS, KeyParts, QType

__all__ = ["KeyParts", "validate_key"]

ONE = Decimal("1")

PART_LABELS = {
    "choices": gettext_lazy("choices"),
    "answers": gettext_lazy("accepted answers"),
    "numeric": gettext_lazy("numeric answers"),
    "pairs": gettext_lazy("matching pairs"),
    "items": gettext_lazy("ordering items"),
}


def validate_key(question_type: str, parts: KeyParts) -> None:
    """Raise ValidationError listing everything wrong with this question's key."""
    errors: list[ValidationError] = []
    used = KEY_ROWS[QType(question_type)]
    for name, label in PART_LABELS.items():
        if name != used and getattr(parts, name):
            errors.append(
                ValidationError(
                    _("A %(type)s question has no %(parts)s; remove them.")
                    % {"type": QuestionType(question_type).label.lower(), "parts": label},
                    code="parts_of_other_type",
                )
            )
    check = _CHECKS.get(QuestionType(question_type))
    if check is not None:
        errors.extend(check(parts))
    if errors:
        raise ValidationError(errors)


def key_warnings(question_type: str, parts: KeyParts) -> list[str]:
    """Things allowed in a key but worth a second look, in words for the author."""
    if QType(question_type) != QType.SHORT:
        return []
    return [
        _(
            "“%(pattern)s” starts or ends with *, so it also accepts any answer that merely "
            "contains it, such as a list of guesses. List the forms you accept instead "
            "(“Kushner”, “Jared Kushner”), and add tempting wrong names as answers worth 0."
        )
        % {"pattern": text}
        for text, fraction in parts.answers
        if fraction > 0 and text.strip() and (text.strip()[0] == "*" or text.strip()[-1] == "*")
    ]


def _check_single(parts: KeyParts) -> list[ValidationError]:
    errors = _at_least(len(parts.choices), 2, _("choices"))
    correct = sum(1 for f in parts.choices if f == ONE)
    if correct != 1:
        errors.append(
            ValidationError(
                _(
                    "A single-choice question needs exactly one fully correct choice "
                    "(fraction 1); this one has %(count)d. Mark exactly one choice as correct, "
                    "or make it a multiple-response question."
                )
                % {"count": correct},
                code="single_needs_one_correct",
            )
        )
    if any(f < 0 for f in parts.choices):
        errors.append(
            ValidationError(
                _("Single-choice fractions cannot be negative; use 0 for a wrong choice."),
                code="single_negative_fraction",
            )
        )
    return errors


def _check_multiple(parts: KeyParts) -> list[ValidationError]:
    errors = _at_least(len(parts.choices), 2, _("choices"))
    positive = [f for f in parts.choices if f > 0]
    if not positive:
        errors.append(
            ValidationError(
                _("A multiple-response question needs at least one correct choice."),
                code="multiple_needs_correct",
            )
        )
    # Shares such as 0.3333333 x 3 sum to 0.9999999: as in grading, that close to 1 is 1.
    elif abs(sum(positive) - ONE) > SUM_TOLERANCE:
        errors.append(
            ValidationError(
                _(
                    "The fractions of the correct choices must add up to 1 (they add up to "
                    "%(total)s). For two correct choices use 0.5 each; for three, 0.3333333."
                )
                % {"total": sum(positive, Decimal(0)).normalize()},
                code="multiple_fractions_sum",
            )
        )
    return errors


def _check_true_false(parts: KeyParts) -> list[ValidationError]:
    if len(parts.choices) != 2 or sorted(parts.choices) != [Decimal(0), ONE]:
        return [
            ValidationError(
                _(
                    "A true/false question has exactly two choices, True and False: mark which "
                    "one is correct (100 %, fraction 1); the other gets 0."
                ),
                code="true_false_shape",
            )
        ]
    return []


def _check_short(parts: KeyParts) -> list[ValidationError]:
    errors = _at_least(len(parts.answers), 1, _("accepted answers"))
    if parts.answers and not any(f == ONE for _text, f in parts.answers):
        errors.append(
            ValidationError(
                _("At least one accepted answer must be fully correct (fraction 1)."),
                code="short_needs_full_answer",
            )
        )
    if any(not text.strip() for text, _f in parts.answers):
        errors.append(
            ValidationError(_("An accepted answer cannot be empty."), code="short_empty_answer")
        )
    return errors


def _check_numeric(parts: KeyParts) -> list[ValidationError]:
    errors = _at_least(len(parts.numeric), 1, _("numeric answers"))
    if parts.numeric and not any(f == ONE for _v, _t, f in parts.numeric):
        errors.append(
            ValidationError(
                _("At least one numeric answer must be fully correct (fraction 1)."),
                code="numeric_needs_full_answer",
            )
        )
    if any(t < 0 for _v, t, _f in parts.numeric):
        errors.append(
            ValidationError(_("A tolerance cannot be negative."), code="numeric_negative_tolerance")
        )
    return errors


def _check_matching(parts: KeyParts) -> list[ValidationError]:
    errors = _at_least(len(parts.pairs), 2, _("matching pairs"))
    prompts = [p.strip().casefold() for p, _a in parts.pairs]
    if len(set(prompts)) != len(prompts):
        errors.append(
            ValidationError(
                _("Each item to match must be different; two pairs have the same item."),
                code="matching_duplicate_item",
            )
        )
    if any(not p.strip() or not a.strip() for p, a in parts.pairs):
        errors.append(
            ValidationError(
                _("Every pair needs both an item and what it matches."), code="matching_empty"
            )
        )
    return errors


def _check_ordering(parts: KeyParts) -> list[ValidationError]:
    errors = _at_least(len(parts.items), 2, _("items to order"))
    texts = [t.strip().casefold() for t in parts.items]
    if len(set(texts)) != len(texts):
        errors.append(
            ValidationError(
                _("Items to order must all be different, or the right order is ambiguous."),
                code="ordering_duplicate_item",
            )
        )
    return errors


def _at_least(count: int, minimum: int, what: str) -> list[ValidationError]:
    if count >= minimum:
        return []
    return [
        ValidationError(
            ngettext(
                "Add at least %(minimum)d %(what)s (there is %(count)d).",
                "Add at least %(minimum)d %(what)s (there are %(count)d).",
                count,
            )
            % {"minimum": minimum, "what": what, "count": count},
            code="too_few_parts",
        )
    ]


_CHECKS = {
    QuestionType.SINGLE: _check_single,
    QuestionType.MULTIPLE: _check_multiple,
    QuestionType.TRUE_FALSE: _check_true_false,
    QuestionType.SHORT: _check_short,
    QuestionType.NUMERIC: _check_numeric,
    QuestionType.MATCHING: _check_matching,
    QuestionType.ORDERING: _check_ordering,
}

"""Writes on the shared library of questions and quizzes: status, bank moves and copies.

Banks, questions and quizzes are shared by every teacher. A quiz in use by another teacher's
exam cannot be changed (Quiz.is_editable_by): a copy is how a teacher makes a version of her
own. The admin's actions call these; none of them decides a rule itself.
"""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .authoring import validate_key
from .models import Bank, Question, QuestionStatus, Quiz, Slot
from .models.question import key_rows_create


def has_valid_key(question: Question) -> bool:
    """Whether the question's saved key passes the authoring rules (reads its prefetched rows)."""
    try:
        validate_key(question.type, question.key_parts())
    except ValidationError:
        return False
    return True


def questions_set_status(
    *, questions: QuerySet[Question], status: str, now: datetime.datetime
) -> int:
    """Publish, retire or return questions to draft; returns how many.

    Publishing refuses, changing nothing, when any of them has an invalid key: a
    ValidationError names them. A retired question is left out of new attempts.
    """
    with transaction.atomic():
        if status == QuestionStatus.PUBLISHED:
            with_parts = Question.objects.with_parts().filter(pk__in=questions.values("pk"))
            invalid = [q.title for q in with_parts if not has_valid_key(q)]
            if invalid:
                raise ValidationError(
                    _("Not published: %(titles)s have an invalid key; open them to see why.")
                    % {"titles": ", ".join(invalid)},
                    code="invalid_key",
                )
        return questions.update(status=status, updated_at=now)


def questions_move(*, questions: QuerySet[Question], bank: Bank, now: datetime.datetime) -> int:
    """Move questions to another bank; returns how many."""
    return questions.update(bank=bank, updated_at=now)


def question_duplicate(*, question: Question, user: User | None) -> Question:
    """A draft copy of a question, with its key rows and tags and no import key."""
    with transaction.atomic():
        kinds = [
            question.choices.all(),
            question.accepted_answers.all(),
            question.numeric_answers.all(),
            question.match_pairs.all(),
            question.order_items.all(),
        ]
        parts = []
        for rows in kinds:
            # Positions 1..n in the original's order: ids will not break ties in the copy.
            for position, row in enumerate(rows, start=1):
                row.position = position
                parts.append(row)
        tags = list(question.tags.all())
        copy = Question.objects.get(pk=question.pk)
        copy.pk = None
        copy.key = ""
        copy.title = _("%(title)s (copy)") % {"title": question.title}
        copy.status = QuestionStatus.DRAFT
        copy.created_by = user
        copy.save()
        copy.tags.set(tags)
        for row in parts:
            row.pk = None
            row.question = copy  # type: ignore[attr-defined]
        key_rows_create(parts)
    return copy


def quiz_duplicate(*, quiz: Quiz, user: User | None) -> Quiz:
    """An unpublished copy of a quiz, its slots and default settings, owned by `user`.

    Its reference code is the original's with a free numbered suffix.
    """
    with transaction.atomic():
        slots = list(quiz.slots.all())
        copy = Quiz.objects.get(pk=quiz.pk)
        copy.pk = None
        copy.title = _("%(title)s (copy)") % {"title": quiz.title}
        copy.slug = _free_slug(quiz.slug)
        copy.is_published = False
        copy.created_by = user
        copy.save()
        Slot.objects.bulk_create(
            [
                Slot(
                    quiz=copy,
                    position=slot.position,
                    question_id=slot.question_id,
                    bank_id=slot.bank_id,
                    tag_id=slot.tag_id,
                    count=slot.count,
                    points=slot.points,
                )
                for slot in slots
            ]
        )
    return copy


def _free_slug(slug: str) -> str:
    max_length = Quiz._meta.get_field("slug").max_length or 100
    taken = set(Quiz.objects.filter(slug__startswith=slug[:80]).values_list("slug", flat=True))
    number = 2
    while True:
        candidate = f"{slug[: max_length - 6]}-{number}"
        if candidate not in taken:
            return candidate
        number += 1

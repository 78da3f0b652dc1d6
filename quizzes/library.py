"""Writes on the shared library of questions and quizzes: status, bank moves and copies.

Banks, questions and quizzes are shared by every teacher. A quiz is a template: each
assignment holds its own copy of the settings and questions, so editing a quiz never reaches an
exam. A question is not copied, so changing one that a live exam asks or can draw is that
exam's teachers' call (shared_questions.question_edits_check) and is logged in it. A copy is how a
teacher makes a version of her own. The admin's actions call these.
"""

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .authoring import validate_key
from .models import Assignment, Bank, Question, QuestionStatus, Quiz, Slot
from .models.question import key_rows_create
from .shared_questions import (
    QuestionEdit,
    QuestionPlace,
    question_edits_check,
    question_edits_record,
)


def has_valid_key(question: Question) -> bool:
    """Whether the question's saved key passes the authoring rules (reads its prefetched rows)."""
    try:
        validate_key(question.type, question.key_parts())
    except ValidationError:
        return False
    return True


def questions_set_status(
    *, questions: QuerySet[Question], status: str, by: User, now: datetime.datetime
) -> tuple[int, list[Assignment]]:
    """Publish, retire or return questions to draft; returns how many changed, and the live
    exams that changed with them (each logs it).

    Refuses, changing nothing, with a ValidationError naming the questions: publishing one with
    an invalid key, or changing one a live exam of a class `by` does not teach asks or could
    draw. A retired question is left out of new attempts.
    """
    with transaction.atomic():
        changing = list(
            Question.objects.with_parts()
            .filter(pk__in=questions.values("pk"))
            .exclude(status=status)
            .prefetch_related("tags")
        )
        if status == QuestionStatus.PUBLISHED:
            invalid = [q.title for q in changing if not has_valid_key(q)]
            if invalid:
                raise ValidationError(
                    _("Not published: %(titles)s have an invalid key; open them to see why.")
                    % {"titles": ", ".join(invalid)},
                    code="invalid_key",
                )
        edits = []
        for question in changing:
            place = QuestionPlace.of(question)
            edits.append(
                QuestionEdit(
                    title=question.title,
                    before=place,
                    after=dataclasses.replace(
                        place, is_published=status == QuestionStatus.PUBLISHED
                    ),
                    was=question.get_status_display(),
                    now_is=str(QuestionStatus(status).label),
                )
            )
        reached = question_edits_check(user=by, edits=edits, now=now)
        count = Question.objects.filter(pk__in=[q.pk for q in changing]).update(
            status=status, updated_at=now
        )
        return count, question_edits_record(reached=reached, changed_by=by, now=now)


def questions_move(
    *, questions: QuerySet[Question], bank: Bank, by: User, now: datetime.datetime
) -> tuple[int, list[Assignment]]:
    """Move questions to another bank; returns how many moved and the live exams reached, as
    questions_set_status does. Refuses, changing nothing, like
    questions_set_status when a live exam of a class `by` does not teach asks or could draw
    one of them, before or after the move."""
    with transaction.atomic():
        moving = list(
            Question.objects.filter(pk__in=questions.values("pk"))
            .exclude(bank=bank)
            .select_related("bank")
            .prefetch_related("tags")
        )
        edits = []
        for question in moving:
            place = QuestionPlace.of(question)
            edits.append(
                QuestionEdit(
                    title=question.title,
                    before=place,
                    after=dataclasses.replace(place, bank_id=bank.pk),
                    was=str(question.bank),
                    now_is=str(bank),
                )
            )
        reached = question_edits_check(user=by, edits=edits, now=now)
        count = Question.objects.filter(pk__in=[q.pk for q in moving]).update(
            bank=bank, updated_at=now
        )
        return count, question_edits_record(reached=reached, changed_by=by, now=now)


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

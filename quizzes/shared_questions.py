"""Questions shared between teachers, inside exams that are not.

Banks and questions are shared; exams are not (product invariant 7). An assignment copies its
quiz's settings and slots, but not the questions: a question an exam asks (a fixed slot) or can
draw (a published question its random slot's bank and tag match) is part of that exam until it
closes for everyone. Changing it changes the exam for every attempt started afterwards
(started attempts keep their snapshot), so only the teachers of every class whose live exam
uses it may change it, and each of those exams logs the change. Every write on questions (the
admin's form and actions, quizzes.library) asks question_edits_check first.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Assignment, AssignmentChange, Question, QuestionStatus, SchoolClass, Slot


@dataclass(frozen=True)
class QuestionPlace:
    """What decides which exams can ask a question: itself, its bank, tags and status."""

    pk: int | None
    bank_id: int
    tag_ids: frozenset[int]
    is_published: bool

    @classmethod
    def of(cls, question: Question) -> "QuestionPlace":
        """The question as saved (its tags prefetched, or one query)."""
        return cls(
            pk=question.pk,
            bank_id=question.bank_id,
            tag_ids=frozenset(tag.pk for tag in question.tags.all()),
            is_published=question.status == QuestionStatus.PUBLISHED,
        )


@dataclass(frozen=True)
class QuestionEdit:
    """One question changed (or added: no `before`), with how the exams' history says it."""

    title: str
    before: QuestionPlace | None
    after: QuestionPlace
    was: str = "—"
    now_is: str = ""


def exams_asking(
    places: Iterable[QuestionPlace], *, now: datetime.datetime
) -> QuerySet[Assignment]:
    """Live assignments (upcoming or open for anyone) that ask or can draw one of these."""
    uses = Q(pk__in=[])
    for place in places:
        if place.pk is not None:
            uses |= Q(question_id=place.pk)
        if place.is_published:
            uses |= Q(question__isnull=True, bank_id=place.bank_id) & (
                Q(tag__isnull=True) | Q(tag_id__in=place.tag_ids)
            )
    slots = Slot.objects.filter(assignment=OuterRef("pk")).filter(uses)
    return (
        Assignment.objects.live(now=now)
        .filter(Exists(slots))
        .select_related("quiz", "school_class")
        .order_by("closes_at", "pk")
    )


def question_edits_check(
    *, user: User, edits: list[QuestionEdit], now: datetime.datetime
) -> list[tuple[QuestionEdit, list[Assignment]]]:
    """Each edit with the live exams it changes (one query per edit).

    A ValidationError, naming the questions, when one of those exams is of a class `user`
    does not teach; superusers may change any.
    """
    reached = [
        (edit, list(exams_asking([p for p in (edit.before, edit.after) if p], now=now)))
        for edit in edits
    ]
    if user.is_superuser:
        return reached
    taught = set(SchoolClass.objects.taught_by(user).values_list("pk", flat=True))
    refused = [
        (edit, [exam for exam in exams if exam.school_class_id not in taught])
        for edit, exams in reached
    ]
    refused = [(edit, exams) for edit, exams in refused if exams]
    if refused:
        # Whose exam and which class stay private; when it ends does not.
        until = max(exam.closed_for_all_at for _, exams in refused for exam in exams)  # type: ignore[attr-defined]
        raise ValidationError(
            _(
                "%(titles)s: part of a running or scheduled exam of a class you do not teach, "
                "so only that class's teachers can change it until %(until)s. Until then, make "
                "your changes on a copy (the Duplicate action) or keep it a draft."
            )
            % {
                "titles": ", ".join(f"“{edit.title}”" for edit, _exams in refused),
                "until": formats.date_format(timezone.localtime(until), "DATETIME_FORMAT"),
            },
            code="question_in_others_exam",
        )
    return reached


def question_edits_record(
    *,
    reached: list[tuple[QuestionEdit, list[Assignment]]],
    changed_by: User,
    now: datetime.datetime,
) -> list[Assignment]:
    """Log each edit in the live exams it changed; returns those exams."""
    changes: dict[int, list[dict[str, str]]] = {}
    exams: dict[int, Assignment] = {}
    for edit, reached_exams in reached:
        for exam in reached_exams:
            exams[exam.pk] = exam
            changes.setdefault(exam.pk, []).append(
                {
                    "what": _("question “%(title)s”") % {"title": edit.title},
                    "from": edit.was,
                    "to": edit.now_is,
                }
            )
    AssignmentChange.objects.bulk_create(
        AssignmentChange(
            assignment=exams[pk], changed_by=changed_by, changed_at=now, changes=entries
        )
        for pk, entries in changes.items()
    )
    return list(exams.values())


def question_edits_message(exams: list[Assignment]) -> str:
    """What the editor is told after changing questions that live exams use."""
    return ngettext(
        "This reaches %(count)d running or scheduled exam (%(exams)s): attempts started from "
        "now on get the change, attempts already started keep what they were given. It is "
        "logged in the exam's history.",
        "This reaches %(count)d running or scheduled exams (%(exams)s): attempts started from "
        "now on get the change, attempts already started keep what they were given. It is "
        "logged in each exam's history.",
        len(exams),
    ) % {"count": len(exams), "exams": "; ".join(str(exam) for exam in exams)}

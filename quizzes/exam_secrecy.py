"""Which questions a student must not see answered, because an exam could still ask them.

Practice shows the key after every answer, the mistakes queue too, and an old attempt's review
may show correct answers: three routes to a question's key besides the exam itself. While an
assignment of the student's classes keeps its answers hidden, every question it could ask is
kept off those routes (product invariant 2), whatever the bank's "open for practice" flag says.

An assignment protects its questions from a student while it has not closed for everyone
(upcoming, open, or open for a classmate with an extension) and either
- its review shows correct answers only after it closes, or never: nobody is to see them yet;
- or it shows them right after each attempt, but this student can still start one (a limited
  number of attempts, some left, their own window still open, not excused): "immediately"
  means after their attempt, not before it. With unlimited attempts the exam itself shows
  every drawn key to whoever tries again, so practice keeps nothing more back.
Questions it "could ask" are its fixed questions and every question of the banks (and tags) its
random slots draw from, whatever their status: a draft published mid-exam could be drawn.
"""

import datetime

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Assignment, AssignmentOverride, Attempt, Question, ReviewTiming, Slot


def protecting_assignments(*, student: User, now: datetime.datetime) -> QuerySet[Assignment]:
    """Assignments of the student's classes that protect their questions from them now."""
    override = AssignmentOverride.objects.filter(assignment=OuterRef("pk"), student=student)
    attempts_used = (
        Attempt.objects.filter(assignment=OuterRef("pk"), student=student)
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    still_to_take = Q(
        is_excused=False,
        own_close__gt=now,
        own_allowed__gt=0,
        attempts_used__lt=F("own_allowed"),
    )
    return (
        Assignment.objects.filter(school_class__enrollments__student=student)
        .live(now=now)
        .annotate(
            own_close=Coalesce(Subquery(override.values("closes_at")[:1]), F("closes_at")),
            own_allowed=Coalesce(
                Subquery(override.values("attempts_allowed")[:1]), F("attempts_allowed")
            ),
            attempts_used=Coalesce(Subquery(attempts_used), Value(0)),
            is_excused=Exists(override.filter(is_excused=True)),
        )
        .filter(~Q(review_correct_answer=ReviewTiming.IMMEDIATELY) | still_to_take)
    )


def protected_questions(
    *,
    student: User,
    now: datetime.datetime,
    except_assignment_id: int | None = None,
) -> QuerySet[Question]:
    """The questions no route but the exam itself may show answered to `student` now.

    `except_assignment_id` leaves one assignment out: its own review follows its own policy.
    Lazy and built of subqueries, so excluding it costs no extra query:
    `.exclude(pk__in=protected.values("pk"))`.
    """
    assignments = protecting_assignments(student=student, now=now)
    if except_assignment_id is not None:
        assignments = assignments.exclude(pk=except_assignment_id)
    slots = Slot.objects.filter(assignment__in=assignments.values("pk"))
    fixed = slots.filter(question__isnull=False).values("question_id")
    drawn_from = slots.filter(question__isnull=True, bank_id=OuterRef("bank_id")).filter(
        Q(tag__isnull=True) | Q(tag__questions=OuterRef("pk"))
    )
    return Question.objects.filter(Q(pk__in=fixed) | Exists(drawn_from))

"""Writes that span several models. Each is atomic and takes `now` so time rules are testable."""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from . import grading
from .models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    AttemptQuestion,
    AttemptState,
    Enrollment,
    FinishReason,
    Question,
    QuestionStatus,
    Response,
    Slot,
)
from .models.question import key_rows_create
from .presentation import draw_display_order


def question_duplicate(*, question: Question, user: AbstractBaseUser | None) -> Question:
    """A draft copy of a question, with its key rows and tags and no import key."""
    with transaction.atomic():
        parts = {
            "choices": list(question.choices.all()),
            "accepted_answers": list(question.accepted_answers.all()),
            "numeric_answers": list(question.numeric_answers.all()),
            "match_pairs": list(question.match_pairs.all()),
            "order_items": list(question.order_items.all()),
        }
        tags = list(question.tags.all())
        copy = Question.objects.get(pk=question.pk)
        copy.pk = None
        copy.key = ""
        copy.title = _("%(title)s (copy)") % {"title": question.title}
        copy.status = QuestionStatus.DRAFT
        copy.created_by = user  # type: ignore[assignment]
        copy.save()
        copy.tags.set(tags)
        for rows in parts.values():
            for row in rows:
                row.pk = None
                row.question = copy
        key_rows_create(row for rows in parts.values() for row in rows)
    return copy


def student_window(
    *, assignment: Assignment, override: AssignmentOverride | None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The open and close times that apply to one student."""
    opens_at = override.opens_at if override and override.opens_at else assignment.opens_at
    closes_at = override.closes_at if override and override.closes_at else assignment.closes_at
    return opens_at, closes_at


def attempt_deadline(
    *,
    assignment: Assignment,
    enrollment: Enrollment,
    override: AssignmentOverride | None,
    started_at: datetime.datetime,
) -> datetime.datetime:
    """deadline = min(start + time limit x accommodation, close time) (product invariant 3)."""
    _opens_at, closes_at = student_window(assignment=assignment, override=override)
    limit = assignment.time_limit_for(enrollment=enrollment, override=override)
    if limit is None:
        return closes_at
    return min(started_at + limit, closes_at)


def draw_questions(slots: list[Slot], rng: random.Random) -> list[tuple[Slot, int]]:
    """(slot, question id) for every question the attempt will hold, in slot order.

    Random slots are filled narrowest pool first (a tagged slot before a whole-bank slot on the
    same bank), so a wide slot never takes the only questions a narrow one could use.
    """
    taken = {slot.question_id for slot in slots if slot.question_id}
    pools = {
        index: list(
            Question.objects.drawable_from(bank=slot.bank, tag=slot.tag)  # type: ignore[arg-type]
            .exclude(pk__in=taken)
            .values_list("pk", flat=True)
        )
        for index, slot in enumerate(slots)
        if not slot.question_id
    }
    picks: dict[int, list[int]] = {}
    for index in sorted(pools, key=lambda i: (len(pools[i]), i)):
        slot = slots[index]
        pool = [pk for pk in pools[index] if pk not in taken]
        if len(pool) < slot.count:
            raise ValidationError(
                _(
                    "This quiz cannot be started: a random slot asks for %(count)d questions "
                    "from %(bank)s but only %(available)d are available. Tell your teacher."
                )
                % {"count": slot.count, "bank": slot.bank, "available": len(pool)},
                code="slot_pool_too_small",
            )
        picks[index] = rng.sample(pool, slot.count)
        taken.update(picks[index])
    chosen: list[tuple[Slot, int]] = []
    for index, slot in enumerate(slots):
        if slot.question_id:
            # A fixed question retired (or set back to draft) after the quiz was built is left
            # out of new attempts: the teacher took it out of use, probably because it was wrong.
            if slot.question is not None and slot.question.status == QuestionStatus.PUBLISHED:
                chosen.append((slot, slot.question_id))
        else:
            chosen.extend((slot, pk) for pk in picks[index])
    return chosen


def attempt_start(
    *,
    student: AbstractBaseUser,
    assignment: Assignment,
    now: datetime.datetime,
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt, or return the one already in progress (starting twice is harmless).

    Freezes the drawn questions, their order, each question's display order and a snapshot of
    its content and key.
    """
    rng = rng or random.Random()
    try:
        with transaction.atomic():
            # Locking the enrollment row serialises concurrent starts by the same student for
            # this class, so attempt numbers are computed from a stable maximum.
            enrollment = (
                Enrollment.objects.select_for_update()
                .filter(school_class_id=assignment.school_class_id, student=student)
                .first()
            )
            if enrollment is None:
                raise ValidationError(_("You are not enrolled in this class."), code="not_enrolled")
            existing = Attempt.objects.filter(
                assignment=assignment, student=student, state=AttemptState.IN_PROGRESS
            ).first()
            if existing is not None:
                return existing
            override = AssignmentOverride.objects.filter(
                assignment=assignment, student=student
            ).first()
            opens_at, closes_at = student_window(assignment=assignment, override=override)
            if now < opens_at:
                raise ValidationError(_("This assignment is not open yet."), code="not_open")
            if now >= closes_at:
                raise ValidationError(_("This assignment has closed."), code="closed")
            used = (
                Attempt.objects.filter(assignment=assignment, student=student).aggregate(
                    last=Max("number")
                )["last"]
                or 0
            )
            allowed = assignment.attempts_allowed_for(override)
            if allowed and used >= allowed:
                raise ValidationError(
                    _("You have used all your attempts at this assignment."), code="no_attempts"
                )
            quiz = assignment.quiz
            slots = list(quiz.slots.select_related("question", "bank", "tag"))
            drawn = draw_questions(slots, rng)
            if quiz.shuffle_questions:
                rng.shuffle(drawn)
            questions = Question.objects.with_parts().in_bulk([pk for _slot, pk in drawn])
            attempt = Attempt.objects.create(
                assignment=assignment,
                student=student,
                number=used + 1,
                started_at=now,
                deadline=attempt_deadline(
                    assignment=assignment, enrollment=enrollment, override=override, started_at=now
                ),
            )
            rows = []
            per_page = quiz.questions_per_page
            for index, (slot, pk) in enumerate(drawn):
                question = questions[pk]
                snapshot = question.snapshot()
                rows.append(
                    AttemptQuestion(
                        attempt=attempt,
                        position=index + 1,
                        page=index // per_page if per_page else 0,
                        slot=slot,
                        question=question,
                        points=slot.points if slot.points is not None else question.default_points,
                        snapshot=snapshot,
                        display_order=draw_display_order(
                            snapshot, rng=rng, shuffle=quiz.shuffle_choices
                        ),
                    )
                )
            AttemptQuestion.objects.bulk_create(rows)
            Response.objects.bulk_create(
                [
                    Response(attempt_question=row)
                    for row in rows
                    if row.snapshot["type"] != "description"
                ]
            )
            attempt.max_score = sum(
                (row.points for row in rows if grading.is_scored(row.snapshot["type"])),
                Decimal(0),
            )
            attempt.save(update_fields=["max_score"])
            return attempt
    except IntegrityError:
        # A concurrent start won the race (one-in-progress or unique number constraint):
        # the attempt it created is the one to continue.
        existing = Attempt.objects.filter(
            assignment=assignment, student=student, state=AttemptState.IN_PROGRESS
        ).first()
        if existing is None:
            raise
        return existing


class AttemptClosedError(Exception):
    """The attempt finished, or passed its deadline and grace, before the answer was stored."""


def response_save(
    *,
    response: Response,
    answer: dict[str, Any],
    revision: int,
    now: datetime.datetime,
    is_flagged: bool | None = None,
) -> bool:
    """Store an answer unless a newer revision is already stored. Returns whether it was stored.

    Raises AttemptClosedError, storing nothing, once the attempt no longer accepts answers.

    A conditional UPDATE, so two tabs or a retried request can never replace a newer answer
    with an older one, whatever order they arrive in.
    """
    changes: dict[str, Any] = {"answer": answer, "revision": revision, "saved_at": now}
    if is_flagged is not None:
        changes["is_flagged"] = is_flagged
    with transaction.atomic():
        # attempt_finish holds this row FOR UPDATE while it grades: a save either commits
        # before grading reads the answers, or finds the attempt closed. Never after.
        attempt = (
            Attempt.objects.select_for_update(no_key=True)
            .only("state", "deadline")
            .get(pk=response.attempt_question.attempt_id)
        )
        if not attempt_accepts_answers(attempt=attempt, now=now):
            raise AttemptClosedError
        stored = Response.objects.filter(pk=response.pk, revision__lt=revision).update(**changes)
    return bool(stored)


def attempt_finish(
    *, attempt: Attempt, now: datetime.datetime, reason: str = FinishReason.SUBMITTED
) -> Attempt:
    """Grade and close an attempt from its saved responses. Finishing twice changes nothing.

    A timed-out attempt finishes at its deadline, not at the moment somebody noticed it.
    """
    with transaction.atomic():
        # The row lock makes two simultaneous submits grade once: the second sees FINISHED.
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state == AttemptState.FINISHED:
            return locked
        questions = list(locked.attempt_questions.select_related("response"))
        marks = []
        graded = []
        for aq in questions:
            if not grading.is_scored(aq.snapshot["type"]):
                continue
            response = aq.response
            response.fraction = grading.grade_response(aq.snapshot, response.answer)
            graded.append(response)
            marks.append((aq.points, response.fraction))
        Response.objects.bulk_update(graded, ["fraction"])
        score, max_score = grading.attempt_total(marks)
        finished_at = now
        if reason == FinishReason.TIMED_OUT and locked.deadline:
            finished_at = min(now, locked.deadline)
        locked.state = AttemptState.FINISHED
        locked.finished_at = finished_at
        locked.finish_reason = reason
        locked.score = score
        locked.max_score = max_score
        locked.save(update_fields=["state", "finished_at", "finish_reason", "score", "max_score"])
        return locked


def attempts_refresh_deadlines(
    *, assignment: Assignment, now: datetime.datetime, student: AbstractBaseUser | None = None
) -> int:
    """Re-apply the deadline rule to attempts in progress after a teacher changed the rules.

    Extra time, an override or a new close time given during an attempt takes effect at once.
    A shorter limit never ends an attempt retroactively: the deadline is at least `now`.
    Returns how many attempts changed.
    """
    attempts = Attempt.objects.filter(
        assignment=assignment, state=AttemptState.IN_PROGRESS
    ).select_related("assignment__quiz")
    if student is not None:
        attempts = attempts.filter(student=student)
    attempts = list(attempts)
    students = {a.student_id for a in attempts}
    enrollments = {
        e.student_id: e
        for e in Enrollment.objects.filter(
            school_class_id=assignment.school_class_id, student_id__in=students
        )
    }
    overrides = {
        o.student_id: o
        for o in AssignmentOverride.objects.filter(assignment=assignment, student_id__in=students)
    }
    changed = []
    for attempt in attempts:
        enrollment = enrollments.get(attempt.student_id)
        if enrollment is None:
            continue
        deadline = max(
            now,
            attempt_deadline(
                assignment=assignment,
                enrollment=enrollment,
                override=overrides.get(attempt.student_id),
                started_at=attempt.started_at,
            ),
        )
        if deadline != attempt.deadline:
            attempt.deadline = deadline
            changed.append(attempt)
    Attempt.objects.bulk_update(changed, ["deadline"])
    return len(changed)


def grace_period() -> datetime.timedelta:
    from django.conf import settings

    return datetime.timedelta(seconds=settings.QUIZZES_GRACE_SECONDS)


def attempt_accepts_answers(*, attempt: Attempt, now: datetime.datetime) -> bool:
    """In progress and not past its deadline plus the grace period (product invariant 3)."""
    if attempt.state != AttemptState.IN_PROGRESS:
        return False
    return attempt.deadline is None or now <= attempt.deadline + grace_period()


def attempt_finish_if_overdue(*, attempt: Attempt, now: datetime.datetime) -> Attempt:
    """Finish an abandoned attempt from its saved answers, dated at its deadline."""
    if attempt.state == AttemptState.IN_PROGRESS and not attempt_accepts_answers(
        attempt=attempt, now=now
    ):
        return attempt_finish(attempt=attempt, now=now, reason=FinishReason.TIMED_OUT)
    return attempt


def attempts_finish_overdue(*, now: datetime.datetime) -> int:
    """Finish every abandoned attempt (for cron). Returns how many were finished."""
    overdue = Attempt.objects.filter(
        state=AttemptState.IN_PROGRESS, deadline__lt=now - grace_period()
    )
    count = 0
    for attempt in overdue.iterator():
        attempt_finish(attempt=attempt, now=now, reason=FinishReason.TIMED_OUT)
        count += 1
    return count


def teacher_create(
    *, username: str, password: str, email: str = "", first_name: str = "", last_name: str = ""
) -> AbstractBaseUser:
    """A staff account in the Teachers group (never a superuser)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.filter(username=username).exists():
            raise ValidationError(
                _("A user named %(username)s already exists.") % {"username": username},
                code="username_taken",
            )
        user = user_model.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=True,
        )
        user.groups.add(Group.objects.get(name="Teachers"))
    return user

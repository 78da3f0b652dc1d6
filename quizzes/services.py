"""The attempt lifecycle: start, save answers, move between pages, submit, finish.

Each function is atomic and takes `now`, so the time rules (invariant 3) are testable. The
rules they apply live on the models (Assignment.start_refusal, deadline_for; Attempt.
accepts_answers); these functions apply them under the right row locks.
"""

import datetime
import random
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from . import drawing, grading
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
from .presentation import draw_display_order


def slot_demands(slots: Sequence[Slot]) -> list[drawing.Demand]:
    """Each random slot's demand: its count, and the pool of questions it may draw.

    A pool is the bank's drawable questions (published, scored; with the slot's tag if it has
    one) less the quiz's fixed questions. Slots may be unsaved (the admin checks a form before
    saving). One query for every pool together.
    """
    fixed = {slot.question_id for slot in slots if slot.question_id}
    randoms = [slot for slot in slots if slot.is_random]
    rows = (
        Question.objects.published()
        .scored()
        .filter(bank_id__in={slot.bank_id for slot in randoms})
        .exclude(pk__in=fixed)
        .values_list("pk", "bank_id", "tags")
    )
    by_bank: dict[int, set[int]] = {}
    by_tag: dict[tuple[int, int], set[int]] = {}
    for pk, bank_id, tag_id in rows:
        by_bank.setdefault(bank_id, set()).add(pk)
        if tag_id is not None:
            by_tag.setdefault((bank_id, tag_id), set()).add(pk)
    return [
        drawing.Demand(
            slot.count,
            frozenset(
                by_bank.get(slot.bank_id, set())  # type: ignore[arg-type]
                if slot.tag_id is None
                else by_tag.get((slot.bank_id, slot.tag_id), set())  # type: ignore[arg-type]
            ),
        )
        for slot in randoms
    ]


def slots_problem(slots: Sequence[Slot]) -> str | None:
    """Why these slots can never be filled, in a teacher's words; None when a draw exists.

    Exact (quizzes.drawing.shortfall): the admin refuses exactly the quizzes no draw can fill.
    """
    shortfall = drawing.shortfall(slot_demands(slots))
    if shortfall is None:
        return None
    randoms = [slot for slot in slots if slot.is_random]
    named = [randoms[index] for index in shortfall.slots]
    values = {
        "slots": "”, “".join(str(slot) for slot in named),
        "places": shortfall.places,
        "questions": shortfall.questions,
    }
    if len(named) == 1:
        return (
            _(
                "The random slot “%(slots)s” cannot be filled: it asks for %(places)d, and only "
                "%(questions)d published questions fit it (not counting this quiz's fixed ones). "
                "Lower the count or publish more questions."
            )
            % values
        )
    return (
        _(
            "The random slots “%(slots)s” cannot all be filled: together they ask for "
            "%(places)d questions, and only %(questions)d different published questions fit "
            "them (not counting this quiz's fixed ones). Lower a count, or publish or tag more "
            "questions."
        )
        % values
    )


def draw_questions(slots: Sequence[Slot], rng: random.Random) -> list[tuple[Slot, int]]:
    """(slot, question id) for every question a new attempt will hold, in slot order.

    Random slots are filled by quizzes.drawing (never refused when some draw exists; uniform
    over the possible draws in all but pathological cases). A fixed question retired (or set
    back to draft) after the quiz was built is left out: its teacher took it out of use,
    probably because it was wrong. ValidationError when the random slots cannot be filled.
    """
    try:
        picks = iter(drawing.draw(slot_demands(slots), rng))
    except drawing.DrawImpossible:
        raise ValidationError(
            _(
                "This quiz cannot be started: it asks for more questions than its banks hold. "
                "Tell your teacher."
            ),
            code="slot_pool_too_small",
        ) from None
    chosen: list[tuple[Slot, int]] = []
    for slot in slots:
        if slot.is_random:
            # Demands (and so picks) come in the order of the random slots.
            chosen.extend((slot, pk) for pk in next(picks))
        elif slot.question is not None and slot.question.status == QuestionStatus.PUBLISHED:
            chosen.append((slot, slot.question.pk))
    return chosen


def attempt_start(
    *,
    student: User,
    assignment: Assignment,
    now: datetime.datetime,
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt, or return the one already in progress (starting twice is harmless).

    Refuses with the ValidationError of Assignment.start_refusal. Freezes the drawn questions,
    their order, each question's display order and a snapshot of its content and key.
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
            used = (
                Attempt.objects.filter(assignment=assignment, student=student).aggregate(
                    last=Max("number")
                )["last"]
                or 0
            )
            refusal = assignment.start_refusal(
                override=override, attempts_used=used, has_attempt_in_progress=False, now=now
            )
            if refusal is not None:
                raise refusal
            slots = list(assignment.quiz.slots.select_related("question", "bank", "tag"))
            drawn = draw_questions(slots, rng)
            if assignment.shuffle_questions:
                rng.shuffle(drawn)
            questions = Question.objects.with_parts().in_bulk([pk for _slot, pk in drawn])
            attempt = Attempt.objects.create(
                assignment=assignment,
                student=student,
                number=used + 1,
                started_at=now,
                deadline=assignment.deadline_for(
                    enrollment=enrollment, override=override, started_at=now
                ),
            )
            rows = []
            per_page = assignment.questions_per_page
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
                            snapshot, rng=rng, shuffle=assignment.shuffle_choices
                        ),
                    )
                )
            AttemptQuestion.objects.bulk_create(rows)
            Response.objects.bulk_create(
                [Response(attempt_question=row) for row in rows if row.is_scored]
            )
            attempt.max_score = sum((row.points for row in rows if row.is_scored), Decimal(0))
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


class PageClosedError(Exception):
    """A sequential quiz already moved past this page (another request got there first)."""


def _lock_open_attempt(attempt_id: int, *, now: datetime.datetime) -> Attempt:
    """The attempt row, locked; AttemptClosedError once it no longer accepts answers.

    attempt_finish holds this row FOR UPDATE while it grades: a save either commits before
    grading reads the answers, or finds the attempt closed. Never after.
    """
    attempt = (
        Attempt.objects.select_for_update(no_key=True)
        .only("state", "deadline", "current_page")
        .get(pk=attempt_id)
    )
    if not attempt.accepts_answers(now=now):
        raise AttemptClosedError
    return attempt


def _store_answer(
    response: Response,
    *,
    answer: dict[str, Any],
    revision: int,
    now: datetime.datetime,
    is_flagged: bool | None,
) -> bool:
    # A conditional UPDATE: two tabs or a retried request can never replace a newer answer
    # with an older one, whatever order they arrive in.
    changes: dict[str, Any] = {"answer": answer, "revision": revision, "saved_at": now}
    if is_flagged is not None:
        changes["is_flagged"] = is_flagged
    return bool(Response.objects.filter(pk=response.pk, revision__lt=revision).update(**changes))


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
    """
    with transaction.atomic():
        _lock_open_attempt(response.attempt_question.attempt_id, now=now)
        return _store_answer(
            response, answer=answer, revision=revision, now=now, is_flagged=is_flagged
        )


def attempt_page_save(
    *,
    attempt: Attempt,
    on_page: Iterable[AttemptQuestion],
    answers: Mapping[int, dict[str, Any]],
    flag: tuple[int, bool] | None,
    page: int,
    target: int,
    now: datetime.datetime,
) -> None:
    """A page's changed answers (by attempt question id), its flag, and the page to go to.

    All or nothing. `flag` is (position, state): the button says which state it sets, so a
    double click cannot undo itself. A sequential quiz moves only from the page it is on, so a
    slower request cannot reopen a page (PageClosedError). AttemptClosedError once the attempt
    no longer accepts answers.
    """
    revision = Response.revision_at(now)
    with transaction.atomic():
        _lock_open_attempt(attempt.pk, now=now)
        for aq in on_page:
            response = getattr(aq, "response", None)
            if response is None:
                continue
            is_flagged = flag[1] if flag and flag[0] == aq.position else None
            if aq.pk in answers:
                _store_answer(
                    response,
                    answer=answers[aq.pk],
                    revision=revision,
                    now=now,
                    is_flagged=is_flagged,
                )
            elif is_flagged is not None:
                Response.objects.filter(pk=response.pk).update(is_flagged=is_flagged)
        moved = Attempt.objects.filter(pk=attempt.pk)
        if attempt.assignment.is_sequential:
            moved = moved.filter(current_page=page)
        if not moved.update(current_page=target):
            raise PageClosedError


def attempt_submit(*, attempt: Attempt, now: datetime.datetime) -> Attempt:
    """The student's submit: graded now, or, past the deadline, recorded as a time-out.

    Whether time ran out is the server's clock's decision alone (invariant 8): a page that
    says its countdown reached zero earns nothing the clock does not confirm.
    """
    reason = (
        FinishReason.TIMED_OUT
        if attempt.deadline is not None and now >= attempt.deadline
        else FinishReason.SUBMITTED
    )
    return attempt_finish(attempt=attempt, now=now, reason=reason)


def attempt_time_up(*, attempt: Attempt, now: datetime.datetime) -> Attempt:
    """The page's countdown reached zero: a time-out if the server's deadline has come.

    Otherwise (a teacher gave extra time since the page was drawn, or the page's clock ran
    fast) the attempt stays open and the page counts on from the server's figure. The page
    never ends an attempt early (invariant 8).
    """
    if attempt.is_in_progress and attempt.deadline is not None and now >= attempt.deadline:
        return attempt_finish(attempt=attempt, now=now, reason=FinishReason.TIMED_OUT)
    return attempt


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
            if not aq.is_scored:
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
    *, assignment: Assignment, now: datetime.datetime, student: User | None = None
) -> int:
    """Re-apply the deadline rule to attempts in progress after a teacher changed the rules.

    Extra time, an override or a new close time given during an attempt takes effect at once.
    A shorter limit never ends an attempt retroactively: the deadline is at least `now`.
    Returns how many attempts changed.
    """
    attempts = Attempt.objects.filter(assignment=assignment, state=AttemptState.IN_PROGRESS)
    if student is not None:
        attempts = attempts.filter(student=student)
    in_progress = list(attempts)
    students = {a.student_id for a in in_progress}
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
    for attempt in in_progress:
        enrollment = enrollments.get(attempt.student_id)
        if enrollment is None:
            continue
        deadline = max(
            now,
            assignment.deadline_for(
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


def attempt_finish_if_overdue(*, attempt: Attempt, now: datetime.datetime) -> Attempt:
    """Finish an abandoned attempt from its saved answers, dated at its deadline."""
    if attempt.is_overdue(now=now):
        return attempt_finish(attempt=attempt, now=now, reason=FinishReason.TIMED_OUT)
    return attempt


def attempts_finish_overdue(*, now: datetime.datetime, student: User | None = None) -> int:
    """Finish every abandoned attempt (cron), or one student's (before their pages read them).

    Returns how many were finished. One query when there is nothing to finish.
    """
    overdue = Attempt.objects.overdue(now=now)
    if student is not None:
        overdue = overdue.filter(student=student)
    count = 0
    for attempt in overdue.iterator():
        attempt_finish(attempt=attempt, now=now, reason=FinishReason.TIMED_OUT)
        count += 1
    return count

"""Mastery practice: what to ask next, and recording answers and mistakes.

Writes are atomic and take `now`. Every write for one student first locks that student's user
row, so two tabs, a double click or a concurrent sync apply one after another: steps stay
consecutive and a mistake card is never opened twice.

Practice shows the key straight after each answer. A mistake from a graded attempt is
therefore only opened once the assignment's review policy shows that attempt's correct answers;
no question an exam of the student's could still ask is asked or shown (quizzes.exam_secrecy),
and nothing of a bank its teacher closed for practice (Bank.is_practice_open) either.
"""

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from . import exam_secrecy, grading
from .models import (
    Attempt,
    AttemptState,
    Bank,
    MistakeCard,
    MistakeRecord,
    PracticeAnswer,
    PracticeSource,
    Question,
    QuestionType,
    Response,
)
from .models.assignment import latest_override_close
from .models.practice import MistakeCardQuerySet
from .models.question import QuestionQuerySet

# Questions of a bank not asked again while other questions of the bank are left to ask.
RECENT_IN_BANK = 5


# --- reading -------------------------------------------------------------------------------


def _not_protected(
    questions: QuestionQuerySet, *, student: User, now: datetime.datetime
) -> QuestionQuerySet:
    protected = exam_secrecy.protected_questions(student=student, now=now)
    return questions.exclude(pk__in=protected.values("pk"))


def banks_for_practice(*, student: User, now: datetime.datetime) -> QuerySet[Bank]:
    """Banks with a question this student may practise now, each with `question_count`."""
    askable = askable_questions(student=student, now=now).filter(bank=OuterRef("pk"))
    return (
        Bank.objects.filter(is_practice_open=True)
        .annotate(
            question_count=Subquery(
                askable.order_by().values("bank").annotate(n=Count("pk")).values("n")[:1]
            )
        )
        .filter(question_count__gt=0)
        .order_by("name", "id")
    )


def askable_questions(
    *, student: User, now: datetime.datetime, bank: Bank | None = None
) -> QuestionQuerySet:
    """The questions practice may ask this student and accept now (of one bank, if given).

    Published and scored, in a bank open for practice, and not a question an exam of the
    student's could still ask (quizzes.exam_secrecy).
    """
    questions = Question.objects.published().scored().filter(bank__is_practice_open=True)
    if bank is not None:
        questions = questions.filter(bank=bank)
    return _not_protected(questions, student=student, now=now)


def pick_bank_question(
    *,
    bank: Bank,
    student: User,
    now: datetime.datetime,
    recent: Sequence[int],
    skip: int | None,
    rng: random.Random,
) -> Question | None:
    """A random askable question of the bank, avoiding the last few asked when others remain.

    Three queries: what exams protect, the candidate ids, then the chosen question with
    everything its snapshot reads.
    """
    ids = list(askable_questions(student=student, now=now, bank=bank).values_list("pk", flat=True))
    if not ids:
        return None
    avoid = [pk for pk in recent if pk in ids][-(len(ids) - 1) :] if len(ids) > 1 else []
    if skip in ids and skip not in avoid and len(ids) - len(avoid) > 1:
        avoid.append(skip)
    candidates = [pk for pk in ids if pk not in set(avoid)]
    return Question.objects.with_parts().get(pk=rng.choice(candidates))


def exam_in_progress(*, student: User, now: datetime.datetime) -> bool:
    """Whether the student has an attempt still accepting answers.

    Practice shows keys, so it pauses while the student could use them in a graded attempt.
    """
    return Attempt.objects.accepting_answers(now=now).filter(student=student).exists()


def answered_steps(*, student: User) -> int:
    """How many practice answers the student has given (the step counter spacing uses)."""
    return PracticeAnswer.objects.of_student(student).aggregate(last=Max("step"))["last"] or 0


@dataclass(frozen=True)
class MistakesState:
    """What the mistakes page shows: the card to ask, or why there is none."""

    open_count: int
    card: MistakeCard | None
    question: Question | None
    # Practice answers still needed before the soonest open card is due (0 when one is due).
    steps_to_wait: int


def _askable_cards(*, student: User, now: datetime.datetime) -> MistakeCardQuerySet:
    """The student's cards on questions no exam of theirs protects now (they wait otherwise)."""
    protected = exam_secrecy.protected_questions(student=student, now=now)
    return MistakeCard.objects.of_student(student).exclude(question__in=protected.values("pk"))


def mistakes_state(
    *, student: User, now: datetime.datetime, skip: int | None = None
) -> MistakesState:
    """The open mistake card to ask now, the longest-waiting due one first.

    Fixed queries: what exams protect, the step counter, open count and soonest due step, the
    due card, and (if there is one) its question with its parts. `skip` passes over one
    question when another card is due too.
    """
    steps = answered_steps(student=student)
    cards = _askable_cards(student=student, now=now)
    summary = cards.open().aggregate(count=Count("id"), soonest=Min("due_after_step"))
    open_count = summary["count"]
    if not open_count:
        return MistakesState(open_count=0, card=None, question=None, steps_to_wait=0)
    due = list(cards.due(answered_steps=steps)[:2])
    if skip is not None and len(due) > 1 and due[0].question_id == skip:
        due.reverse()
    if not due:
        return MistakesState(
            open_count=open_count,
            card=None,
            question=None,
            steps_to_wait=summary["soonest"] - steps,
        )
    card = due[0]
    question = Question.objects.with_parts().get(pk=card.question_id)
    return MistakesState(open_count=open_count, card=card, question=question, steps_to_wait=0)


def open_mistakes_count(*, student: User, now: datetime.datetime) -> int:
    return _askable_cards(student=student, now=now).open().count()


# --- writing -------------------------------------------------------------------------------


def _lock_student(student_id: int) -> None:
    # Serialises this student's practice writes (see the module docstring). SQLite ignores
    # FOR UPDATE but runs one write transaction at a time, and the unique constraints on
    # steps, tokens and cards catch what slips through.
    list(get_user_model().objects.select_for_update().filter(pk=student_id).values_list("pk"))


def practice_answer_record(
    *,
    student: User,
    question: Question,
    snapshot: dict[str, Any],
    answer: dict[str, Any],
    source: PracticeSource | str,
    token: str,
    now: datetime.datetime,
) -> PracticeAnswer:
    """Grade and store one practice answer, and update the question's mistake card.

    Idempotent per `token` (one is sent with each question shown): posting the same form again
    returns the first answer and changes nothing. A wrong or partly right answer opens the
    card (or resets it). From the mistakes page, a question whose card is not open and due is
    refused with ValidationError(code="not_due"): another tab answered it already. A question
    of a bank closed for practice is refused with ValidationError(code="closed"), read inside
    the transaction so a bank closed a moment ago is refused too.
    """
    try:
        with transaction.atomic():
            _lock_student(student.pk)
            existing = PracticeAnswer.objects.filter(student=student, token=token).first()
            if existing is not None:
                return existing
            if not askable_questions(student=student, now=now).filter(pk=question.pk).exists():
                raise ValidationError(
                    _("This question cannot be practised for now."), code="closed"
                )
            step = answered_steps(student=student) + 1
            card = MistakeCard.objects.filter(student=student, question=question).first()
            if source == PracticeSource.MISTAKES and (
                card is None or not card.is_due(answered_steps=step - 1)
            ):
                raise ValidationError(
                    _("That mistake was answered a moment ago. Here is the next one."),
                    code="not_due",
                )
            fraction = grading.grade_response(snapshot, answer)
            practice_answer = PracticeAnswer.objects.create(
                student=student,
                question=question,
                source=source,
                step=step,
                token=token,
                snapshot=snapshot,
                answer=answer,
                fraction=fraction,
                answered_at=now,
            )
            if card is None and fraction < 1:
                card = MistakeCard(student=student, question=question, opened_at=now)
            if card is not None:
                card.record_practice(fraction=fraction, step=step, now=now)
                card.save()
            return practice_answer
    except IntegrityError:
        # A concurrent post of the same form won the race; its answer is the one to show.
        existing = PracticeAnswer.objects.filter(student=student, token=token).first()
        if existing is None:
            raise
        return existing


def _unrecorded_attempts(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """Finished attempts not yet turned into mistake cards, with what the review policy reads."""
    return (
        attempts.filter(state=AttemptState.FINISHED, mistake_record__isnull=True)
        .select_related("assignment")
        .annotate(latest_override_close=latest_override_close("assignment"))
    )


def _shows_correct_answer(attempt: Attempt, now: datetime.datetime) -> bool:
    return attempt.review_options(now=now).correct_answer


def _record_attempts(
    *, student_id: int, attempts: Iterable[Attempt], now: datetime.datetime
) -> int:
    """Open or reset cards for the wrong answers of attempts whose review shows the key."""
    ready = [a for a in attempts if _shows_correct_answer(a, now)]
    if not ready:
        return 0
    with transaction.atomic():
        _lock_student(student_id)
        done = set(
            MistakeRecord.objects.filter(attempt__in=ready).values_list("attempt_id", flat=True)
        )
        todo = {a.pk: a for a in ready if a.pk not in done}
        if not todo:
            return 0
        wrong = (
            # What counts: a teacher's full marks take the question off the queue.
            Response.objects.alias(score=Response.score_fraction_expression())
            .filter(attempt_question__attempt_id__in=todo, score__isnull=False, score__lt=1)
            .exclude(attempt_question__question__type=QuestionType.DESCRIPTION)
            .values_list("attempt_question__question_id", "attempt_question__attempt_id")
        )
        # Per question, the latest attempt that got it wrong.
        wrong_at: dict[int, datetime.datetime] = {}
        for question_id, attempt_id in wrong:
            # A finished attempt always has a finish time (a check constraint says so).
            finished_at = todo[attempt_id].finished_at or now
            wrong_at[question_id] = max(wrong_at.get(question_id, finished_at), finished_at)
        cards = {
            card.question_id: card
            for card in MistakeCard.objects.filter(student_id=student_id, question_id__in=wrong_at)
        }
        new, reset = [], []
        for question_id, finished_at in wrong_at.items():
            card = cards.get(question_id)
            if card is None:
                new.append(
                    MistakeCard(student_id=student_id, question_id=question_id, opened_at=now)
                )
            elif card.reopen_after_attempt(finished_at=finished_at):
                reset.append(card)
        MistakeCard.objects.bulk_create(new)
        MistakeCard.objects.bulk_update(reset, ["correct_in_a_row", "is_mastered", "mastered_at"])
        MistakeRecord.objects.bulk_create(
            [MistakeRecord(attempt_id=pk, recorded_at=now) for pk in todo]
        )
        return len(new) + len(reset)


def mistakes_record_from_attempt(*, attempt: Attempt, now: datetime.datetime | None = None) -> int:
    """Open (or reset) a mistake card for each scored response of `attempt` scoring below 1.

    Does nothing while the attempt is in progress, or while its review policy hides the
    correct answers; call again later (mistakes_sync does) once it shows them. Recording is
    done once per attempt, so calling it again changes nothing. Returns the cards opened or
    reset. `now` defaults to the current time for callers such as attempt_finish.
    """
    now = now or timezone.now()
    attempts = list(_unrecorded_attempts(Attempt.objects.filter(pk=attempt.pk)))
    return _record_attempts(student_id=attempt.student_id, attempts=attempts, now=now)


def mistakes_sync(*, student: User, now: datetime.datetime) -> int:
    """Record every finished attempt of the student whose review now shows correct answers.

    One query when there is nothing new to record (the usual case): the unrecorded finished
    attempts, with quiz and override close time joined in.
    """
    attempts = list(_unrecorded_attempts(Attempt.objects.filter(student=student)))
    return _record_attempts(student_id=student.pk, attempts=attempts, now=now)

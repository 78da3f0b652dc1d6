"""Teachers' changes to scores: one response's score overridden, and a regrade after a key fix.

Every change is logged as a ScoreChange (who, when, from → to, why) and the attempt's score is
recomputed at once by `attempt_rescore`, the one place an attempt's score is summed from its
responses (`questions_total`, which finishing an attempt uses too). Grades and the gradebook
read `Attempt.score`, so they follow without anything else to update.

A teacher's score (`Response.override_fraction`) counts instead of the key's
(`Response.fraction`); a regrade changes only the key's score, so an override survives it.

A regrade grades each finished attempt's frozen answers with the question's *current* key while
keeping what the student saw (the rule per type is quizzes.regrading's). `regrade_plan` is the
dry run: it writes nothing and says whose scores would change and by how much.
`regrade_apply` applies the same plan atomically, and refuses when anything in it changed
since the teacher read it (its fingerprint). Applying also stores the corrected key in each
attempt's snapshot, so the review a student reads agrees with the score: the content they saw
stays, the key is the corrected one, and the key it replaced is kept in the log
(`ScoreChange.key_before`). Attempts still in progress keep the key they froze: they are
counted in the plan, to be regraded once they are finished.
"""

import datetime
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import grading, regrading
from .library import has_valid_key
from .models import (
    Assignment,
    Attempt,
    AttemptQuestion,
    AttemptState,
    Question,
    Response,
    ScoreChange,
    ScoreChangeKind,
)
from .models.attempt import AttemptQuerySet
from .models.classes import display_name

ZERO = Decimal(0)
ONE = Decimal(1)
_PLACES = Decimal("0.0000001")


# --- an attempt's score ----------------------------------------------------------------------


def questions_total(questions: Iterable[AttemptQuestion]) -> tuple[Decimal, Decimal]:
    """(score, max score) of an attempt's questions: their points × the score that counts.

    The score that counts is `Response.score_fraction` (a teacher's score if she set one, else
    the key's; ungraded counts 0). Descriptions carry no marks. Reads each question's
    `response`: load them with select_related("response").
    """
    return grading.attempt_total(
        (aq.points, aq.response.score_fraction or ZERO) for aq in questions if aq.is_scored
    )


def attempt_rescore(*, attempt: Attempt) -> Attempt:
    """Recompute a finished attempt's score from its responses (after an override or regrade).

    ValidationError for an attempt in progress: it has no score until it is finished.
    """
    if attempt.state != AttemptState.FINISHED:
        raise _not_finished()
    totals = _attempts_rescore([attempt.pk])
    attempt.score, attempt.max_score = totals[attempt.pk]
    return attempt


def _attempts_rescore(attempt_ids: Sequence[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Store the score of each of these finished attempts; two queries however many."""
    by_attempt: dict[int, list[AttemptQuestion]] = defaultdict(list)
    for aq in AttemptQuestion.objects.filter(attempt_id__in=attempt_ids).select_related("response"):
        by_attempt[aq.attempt_id].append(aq)
    totals = {pk: questions_total(by_attempt[pk]) for pk in attempt_ids}
    Attempt.objects.bulk_update(
        [Attempt(pk=pk, score=score, max_score=most) for pk, (score, most) in totals.items()],
        ["score", "max_score"],
    )
    return totals


def _not_finished() -> ValidationError:
    return ValidationError(
        _("This attempt is still in progress: scores can be changed once it is finished."),
        code="attempt_in_progress",
    )


# --- a teacher's score on one response -------------------------------------------------------


def fraction_checked(fraction: Any) -> Decimal:
    """A teacher's score as a share of the marks: a number in [0, 1], kept to 7 places."""
    try:
        value = Decimal(fraction)
    except (InvalidOperation, TypeError, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or not ZERO <= value <= ONE:
        raise ValidationError(
            _("A score must be between none and all of the question's marks."),
            code="fraction_out_of_range",
        )
    return value.quantize(_PLACES, rounding=ROUND_HALF_UP)


def _lock_response(response: Response) -> Response:
    """The response, locked under its attempt's row lock; ValidationError unless finished.

    The attempt's lock is the one a regrade takes too, so an override and a regrade of the same
    attempt never interleave (a regrade's fingerprint check stays true until it writes).
    """
    attempt_id = AttemptQuestion.objects.values_list("attempt_id", flat=True).get(
        pk=response.attempt_question_id
    )
    attempt = Attempt.objects.select_for_update().only("state").get(pk=attempt_id)
    if attempt.state != AttemptState.FINISHED:
        raise _not_finished()
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("attempt_question__attempt")
        .get(pk=response.pk)
    )


def response_override(
    *,
    response: Response,
    fraction: Decimal,
    comment: str,
    changed_by: User,
    now: datetime.datetime,
) -> ScoreChange | None:
    """Set a teacher's score on one response of a finished attempt, with her reason.

    `fraction` is a share of the question's marks, in [0, 1]; `comment` says why and is
    required (the student reads it where the review policy shows feedback). Logged from the
    score that counted before to the new one. Setting the same score and comment again changes
    and logs nothing (None); the same score with a new comment updates and logs the comment.
    ValidationError, with nothing changed, for a score out of range, a blank comment or an
    attempt in progress.
    """
    fraction = fraction_checked(fraction)
    comment = comment.strip()
    if not comment:
        raise ValidationError(
            _("Say why the score changes: the student reads it with the feedback."),
            code="comment_required",
        )
    with transaction.atomic():
        locked = _lock_response(response)
        if locked.override_fraction == fraction and locked.override_comment == comment:
            return None
        change = ScoreChange.objects.create(
            response=locked,
            kind=ScoreChangeKind.OVERRIDE,
            changed_by=changed_by,
            changed_at=now,
            from_fraction=locked.score_fraction,
            to_fraction=fraction,
            reason=comment,
        )
        locked.override_fraction = fraction
        locked.override_comment = comment
        locked.save(update_fields=["override_fraction", "override_comment"])
        attempt_rescore(attempt=locked.attempt_question.attempt)
        _copy_scores(locked, response)
        return change


def response_override_remove(
    *, response: Response, changed_by: User, now: datetime.datetime, reason: str = ""
) -> ScoreChange | None:
    """Take a teacher's score away: the key's score counts again. None if there was none.

    Logged from the teacher's score to the key's, with `reason` (optional) and the comment
    that is removed kept in the earlier log entry.
    """
    with transaction.atomic():
        locked = _lock_response(response)
        if locked.override_fraction is None:
            return None
        change = ScoreChange.objects.create(
            response=locked,
            kind=ScoreChangeKind.OVERRIDE_REMOVED,
            changed_by=changed_by,
            changed_at=now,
            from_fraction=locked.override_fraction,
            to_fraction=locked.fraction,
            reason=reason.strip(),
        )
        locked.override_fraction = None
        locked.override_comment = ""
        locked.save(update_fields=["override_fraction", "override_comment"])
        attempt_rescore(attempt=locked.attempt_question.attempt)
        _copy_scores(locked, response)
        return change


def _copy_scores(source: Response, target: Response) -> None:
    """Keep the caller's response object in step with the row just saved."""
    target.override_fraction = source.override_fraction
    target.override_comment = source.override_comment


# --- regrade ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRegrade:
    """One response whose key or key score a regrade changes."""

    response_id: int
    attempt_question_id: int
    position: int
    title: str
    points: Decimal
    fraction_before: Decimal | None
    fraction_after: Decimal
    override_fraction: Decimal | None
    is_key_changed: bool
    key_before: dict[str, Any] = field(compare=False, repr=False)
    snapshot_after: dict[str, Any] = field(compare=False, repr=False)

    @property
    def is_score_changed(self) -> bool:
        """Whether the key's score changes (what counts changes only without an override)."""
        return self.fraction_before != self.fraction_after

    @property
    def is_overridden(self) -> bool:
        return self.override_fraction is not None

    @property
    def marks_before(self) -> Decimal:
        return self.points * (self.fraction_before or ZERO)

    @property
    def marks_after(self) -> Decimal:
        return self.points * self.fraction_after


@dataclass(frozen=True)
class AttemptRegrade:
    """One finished attempt a regrade touches, its score before and after."""

    attempt_id: int
    student: str
    number: int
    class_name: str
    assignment_name: str
    score_before: Decimal
    score_after: Decimal
    max_score: Decimal
    responses: tuple[ResponseRegrade, ...]

    @property
    def difference(self) -> Decimal:
        return self.score_after - self.score_before

    @property
    def is_score_changed(self) -> bool:
        return self.score_after != self.score_before

    @property
    def percent_before(self) -> Decimal | None:
        return self.score_before / self.max_score * 100 if self.max_score else None

    @property
    def percent_after(self) -> Decimal | None:
        return self.score_after / self.max_score * 100 if self.max_score else None


@dataclass(frozen=True)
class RegradePlan:
    """A regrade's dry run: what applying it would change, and what it leaves out.

    `attempts` lists every finished attempt with a response whose key or key score changes,
    by student and attempt number. `fingerprint` sums up all of it: `regrade_apply` refuses
    when a fresh plan's differs.
    """

    attempts: tuple[AttemptRegrade, ...]
    checked: int  # finished attempts looked at
    in_progress: int  # attempts in scope still in progress: not regraded
    left_out: int  # finished attempts of this question in other teachers' classes
    type_changed: tuple[str, ...]  # titles of questions whose type changed: not regraded
    invalid_key: tuple[str, ...]  # titles of questions whose key breaks the authoring rules
    fingerprint: str

    @property
    def is_empty(self) -> bool:
        return not self.attempts

    @property
    def score_changes(self) -> list[AttemptRegrade]:
        return [a for a in self.attempts if a.is_score_changed]

    @property
    def responses(self) -> list[ResponseRegrade]:
        return [r for a in self.attempts for r in a.responses]

    @property
    def key_only_count(self) -> int:
        """Responses whose key is corrected with no change to their score."""
        return sum(1 for r in self.responses if not r.is_score_changed)

    @property
    def overridden_count(self) -> int:
        """Responses whose key score changes under a teacher's score that still counts."""
        return sum(1 for r in self.responses if r.is_score_changed and r.is_overridden)


def _in_scope(
    attempts: AttemptQuerySet,
    *,
    assignment: Assignment | None,
    question: Question | None,
    teacher: User | None,
) -> AttemptQuerySet:
    if assignment is None and question is None:
        raise ValueError("a regrade needs an assignment, a question or both")
    if teacher is not None:
        attempts = attempts.visible_to_teacher(teacher)
    if assignment is not None:
        attempts = attempts.filter(assignment=assignment)
    if question is not None:
        attempts = attempts.filter(attempt_questions__question=question)
    return attempts


def regrade_plan(
    *,
    assignment: Assignment | None = None,
    question: Question | None = None,
    teacher: User | None = None,
) -> RegradePlan:
    """The dry run of a regrade: every change it would make, and nothing written.

    Scope: the finished attempts of `assignment`, or every finished attempt holding `question`
    (its responses to that question only), or both; with `teacher`, only attempts in classes
    she teaches (all for a superuser), the others counted in `left_out`. Each response to a
    question in scope is graded again with the live question's key applied to its frozen
    snapshot (quizzes.regrading.rekeyed). A teacher's score is left as it is and still counts.
    A question whose type changed since, or whose key now breaks the authoring rules (a fix
    half done), is left out and named.

    Queries: the attempts (with student, assignment, quiz and class), their questions with
    responses, the live questions with their key rows (six), with a teacher and a question the
    attempts left out, and the attempts in progress: ten at most, however many attempts.
    """
    scope = _in_scope(Attempt.objects.all(), assignment=assignment, question=question, teacher=None)
    mine = _in_scope(
        Attempt.objects.all(), assignment=assignment, question=question, teacher=teacher
    )
    mine_finished = mine.filter(state=AttemptState.FINISHED)
    finished = {
        a.pk: a
        for a in mine_finished.select_related(
            "student", "assignment__quiz", "assignment__school_class"
        )
    }
    by_attempt: dict[int, list[AttemptQuestion]] = defaultdict(list)
    for aq in (
        AttemptQuestion.objects.filter(attempt__in=mine_finished.values("pk"))
        .select_related("response")
        .order_by("attempt_id", "position")
    ):
        # An attempt finished between the two reads waits for the next plan (a dry run takes
        # no lock; regrade_apply holds them, so there the two reads agree).
        if aq.attempt_id in finished:
            by_attempt[aq.attempt_id].append(aq)
    in_scope = [
        aq
        for rows in by_attempt.values()
        for aq in rows
        if aq.is_scored and (question is None or aq.question_id == question.pk)
    ]
    questions = Question.objects.with_parts().in_bulk({aq.question_id for aq in in_scope})
    live = {pk: q.snapshot() for pk, q in questions.items()}
    type_changed: set[str] = set()
    invalid = {pk for pk, q in questions.items() if not has_valid_key(q)}
    changes: dict[int, list[ResponseRegrade]] = defaultdict(list)
    for aq in in_scope:
        if aq.question_id in invalid:
            continue
        after = regrading.rekeyed(aq.snapshot, live[aq.question_id])
        if after is None:
            type_changed.add(questions[aq.question_id].title)
            continue
        change = _response_regrade(aq, after)
        if change is not None:
            changes[aq.attempt_id].append(change)
    attempts = [
        _attempt_regrade(finished[pk], by_attempt[pk], responses)
        for pk, responses in changes.items()
    ]
    attempts.sort(key=lambda a: (a.class_name, a.student.casefold(), a.number, a.attempt_id))
    left_out = 0
    if teacher is not None and question is not None and not teacher.is_superuser:
        left_out = (
            scope.filter(state=AttemptState.FINISHED).exclude(pk__in=mine.values("pk")).count()
        )
    plan_attempts = tuple(attempts)
    return RegradePlan(
        attempts=plan_attempts,
        checked=len(finished),
        in_progress=mine.filter(state=AttemptState.IN_PROGRESS).count(),
        left_out=left_out,
        type_changed=tuple(sorted(type_changed)),
        invalid_key=tuple(sorted(questions[pk].title for pk in invalid)),
        fingerprint=_fingerprint(plan_attempts),
    )


def _response_regrade(aq: AttemptQuestion, after: dict[str, Any]) -> ResponseRegrade | None:
    """What a regrade to the snapshot `after` changes in one response; None for nothing."""
    response = aq.response
    fraction = grading.grade_response(after, response.answer)
    is_key_changed = regrading.canonical_key(after) != regrading.canonical_key(aq.snapshot)
    if not is_key_changed and fraction == response.fraction:
        return None
    return ResponseRegrade(
        response_id=response.pk,
        attempt_question_id=aq.pk,
        position=aq.position,
        title=str(aq.snapshot.get("title", "")),
        points=aq.points,
        fraction_before=response.fraction,
        fraction_after=fraction,
        override_fraction=response.override_fraction,
        is_key_changed=is_key_changed,
        key_before=regrading.key_of(aq.snapshot),
        snapshot_after=after,
    )


def _attempt_regrade(
    attempt: Attempt, questions: list[AttemptQuestion], responses: list[ResponseRegrade]
) -> AttemptRegrade:
    after = {r.response_id: r.fraction_after for r in responses}
    # The plan's own copies of the responses take the new key scores, so the new total comes
    # from questions_total like every other total. They are never saved.
    for aq in questions:
        if aq.is_scored and aq.response.pk in after:
            aq.response.fraction = after[aq.response.pk]
    score_after, max_score = questions_total(questions)
    return AttemptRegrade(
        attempt_id=attempt.pk,
        student=display_name(attempt.student),
        number=attempt.number,
        class_name=attempt.assignment.school_class.name,
        assignment_name=attempt.assignment.quiz.title,
        score_before=attempt.score if attempt.score is not None else ZERO,
        score_after=score_after,
        max_score=max_score,
        responses=tuple(responses),
    )


def _fingerprint(attempts: Iterable[AttemptRegrade]) -> str:
    """A digest of everything a plan would change: equal plans, equal fingerprints."""
    summary = [
        [
            a.attempt_id,
            str(a.score_before),
            str(a.score_after),
            [
                [
                    r.response_id,
                    str(r.fraction_before),
                    str(r.fraction_after),
                    str(r.override_fraction),
                    regrading.canonical_key(r.key_before),
                    regrading.canonical_key(r.snapshot_after),
                ]
                for r in a.responses
            ],
        ]
        for a in attempts
    ]
    text = json.dumps(summary, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def regrade_apply(
    *,
    fingerprint: str,
    changed_by: User,
    now: datetime.datetime,
    assignment: Assignment | None = None,
    question: Question | None = None,
    teacher: User | None = None,
) -> uuid.UUID:
    """Apply the regrade whose dry run had `fingerprint`; return the run's batch id.

    The same scope as regrade_plan. All or nothing: each changed response's key score and
    its attempt question's snapshot (content kept, key corrected), a ScoreChange of kind
    regrade per response (from → to of the key's score, the key replaced in `key_before`),
    all under one batch id, and the attempts' scores recomputed. ValidationError, with nothing
    changed, when the plan is no longer what the teacher saw (an attempt finished, a score or
    a key changed since) or has nothing to change.
    """
    with transaction.atomic():
        # Locks the attempts in scope, as overrides and finishing do: nothing can change the
        # plan between the check below and the writes.
        scope = _in_scope(
            Attempt.objects.all(), assignment=assignment, question=question, teacher=teacher
        )
        list(scope.select_for_update(of=("self",)).values_list("pk", flat=True))
        plan = regrade_plan(assignment=assignment, question=question, teacher=teacher)
        if plan.fingerprint != fingerprint:
            raise ValidationError(
                _(
                    "Scores or keys changed since this dry run was made, so it was not "
                    "applied. Check the new dry run below and apply it if it is right."
                ),
                code="regrade_stale",
            )
        if plan.is_empty:
            raise ValidationError(
                _("Nothing to regrade: every attempt already has the current key."),
                code="regrade_empty",
            )
        batch = uuid.uuid4()
        responses = plan.responses
        Response.objects.bulk_update(
            [Response(pk=r.response_id, fraction=r.fraction_after) for r in responses],
            ["fraction"],
        )
        AttemptQuestion.objects.bulk_update(
            [
                AttemptQuestion(pk=r.attempt_question_id, snapshot=r.snapshot_after)
                for r in responses
                if r.is_key_changed
            ],
            ["snapshot"],
        )
        ScoreChange.objects.bulk_create(
            [
                ScoreChange(
                    response_id=r.response_id,
                    kind=ScoreChangeKind.REGRADE,
                    changed_by=changed_by,
                    changed_at=now,
                    from_fraction=r.fraction_before,
                    to_fraction=r.fraction_after,
                    key_before=r.key_before if r.is_key_changed else None,
                    batch=batch,
                )
                for r in responses
            ]
        )
        _attempts_rescore([a.attempt_id for a in plan.attempts])
        return batch

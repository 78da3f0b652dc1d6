"""Changing an exam once it exists: every change logged, running attempts kept in step.

An assignment holds its own exam settings (ExamSettings) and its own questions (slots copied
from its quiz when it is created), changed only by the teachers of its class (the admin shows
them only their classes). Whatever changes, the assignment's history (AssignmentChange) says
who, when, and each setting from → to, in the words a teacher reads in the admin (product
invariant 7).
"""

import copy
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import (
    EXAM_SETTING_FIELDS,
    Assignment,
    AssignmentChange,
    AssignmentOverride,
    Attempt,
    AttemptState,
    Enrollment,
    SchoolClass,
    Slot,
)
from .models.assignment import OVERRIDE_FIELDS
from .models.classes import display_name
from .services import attempts_refresh_deadlines, class_attempts_refresh_deadlines

# What a change log records about an assignment itself.
LOGGED_FIELDS: tuple[str, ...] = ("opens_at", "closes_at", *EXAM_SETTING_FIELDS)
# Changes that move running attempts' deadlines.
TIMING_FIELDS = frozenset({"opens_at", "closes_at", "time_limit_minutes"})


def value_text(instance: models.Model, name: str) -> str:
    """A field's value as a teacher reads it: labels for choices, local times, "—" for none."""
    field = cast(models.Field, instance._meta.get_field(name))
    value = getattr(instance, name)
    if value is None or value == "":
        return "—"
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def label(instance: models.Model, name: str) -> str:
    return str(cast(models.Field, instance._meta.get_field(name)).verbose_name)


def differences(
    before: models.Model, after: models.Model, names: Iterable[str], *, prefix: str = ""
) -> list[dict[str, str]]:
    """{"what", "from", "to"} for each field that differs between two versions of a row."""
    return [
        {
            "what": f"{prefix}{label(after, name)}",
            "from": value_text(before, name),
            "to": value_text(after, name),
        }
        for name in names
        if _comparable(getattr(before, name)) != _comparable(getattr(after, name))
    ]


def _comparable(value: object) -> object:
    # The admin's date and time inputs drop microseconds: a form saved unchanged is no change.
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    return value


def assignment_save(
    *, assignment: Assignment, changed_by: User | None, now: datetime.datetime
) -> list[dict[str, str]]:
    """Save an assignment, new or changed; returns the changes logged (none for a new one).

    A new assignment gets its own copy of its quiz's slots: from then on its questions, like
    its settings, are its own, and editing the quiz never changes it. For a change, each setting
    that differs from the stored row is logged, and a change to the timing applies at once to
    attempts in progress (services.attempts_refresh_deadlines).
    """
    with transaction.atomic():
        if assignment.pk is None:
            assignment.save()
            Slot.objects.bulk_create(
                [
                    Slot(
                        assignment=assignment,
                        position=slot.position,
                        question_id=slot.question_id,
                        bank_id=slot.bank_id,
                        tag_id=slot.tag_id,
                        count=slot.count,
                        points=slot.points,
                    )
                    for slot in assignment.quiz.slots.all()
                ]
            )
            return []
        # Locked so two teachers saving at once each log against what the other saved.
        before = Assignment.objects.select_for_update().get(pk=assignment.pk)
        changes = differences(before, assignment, LOGGED_FIELDS)
        assignment.save()
        if changes:
            AssignmentChange.objects.create(
                assignment=assignment, changed_by=changed_by, changed_at=now, changes=changes
            )
        if any(
            _comparable(getattr(before, f)) != _comparable(getattr(assignment, f))
            for f in TIMING_FIELDS
        ):
            attempts_refresh_deadlines(assignment=assignment, now=now)
    return changes


def assignment_changes_record(
    *,
    assignment: Assignment,
    changed_by: User | None,
    now: datetime.datetime,
    changes: list[dict[str, str]],
) -> None:
    """Log changes made alongside an assignment (its students' overrides), and apply them."""
    if not changes:
        return
    with transaction.atomic():
        AssignmentChange.objects.create(
            assignment=assignment, changed_by=changed_by, changed_at=now, changes=changes
        )
        attempts_refresh_deadlines(assignment=assignment, now=now)


def slots_changes(*, before: Iterable[Slot], after: Iterable[Slot]) -> list[dict[str, str]]:
    """The change to an assignment's questions (its slots), as one log entry, or none."""
    old = [str(slot) for slot in before]
    new = [str(slot) for slot in after]
    if old == new:
        return []
    return [
        {
            "what": _("questions of this exam"),
            "from": "; ".join(old) or "—",
            "to": "; ".join(new) or "—",
        }
    ]


def overrides_changes(
    *, before: Iterable[AssignmentOverride], after: Iterable[AssignmentOverride]
) -> list[dict[str, str]]:
    """The changes between two sets of one assignment's overrides, as log entries.

    An override moved to another student reads as removed for one and given to the other.
    """
    old = {o.pk: o for o in before}
    new = {o.pk: o for o in after}
    changes: list[dict[str, str]] = []
    for pk, override in list(old.items()):
        if pk in new and new[pk].student_id != override.student_id:
            # Keyed apart so both the removal and the new override are described.
            old[-pk] = old.pop(pk)
    for pk, override in new.items():
        name = _student_name(override)
        if pk not in old:
            given = ", ".join(
                f"{label(override, f)} {value_text(override, f)}"
                for f in OVERRIDE_FIELDS
                if getattr(override, f) not in (None, False)
            )
            changes.append(
                {"what": _("override for %(name)s") % {"name": name}, "from": "—", "to": given}
            )
        else:
            changes += differences(
                old[pk],
                override,
                OVERRIDE_FIELDS,
                prefix=_("override for %(name)s: ") % {"name": name},
            )
    for pk, override in old.items():
        if pk not in new:
            changes.append(
                {
                    "what": _("override for %(name)s") % {"name": _student_name(override)},
                    "from": _("given"),
                    "to": _("removed"),
                }
            )
    return changes


def _student_name(override: AssignmentOverride) -> str:
    return display_name(override.student)


ENROLLMENT_FIELDS = ("time_multiplier", "has_unlimited_time")


def accommodations_record(
    *,
    school_class: SchoolClass,
    before: Iterable[Enrollment],
    after: Iterable[Enrollment],
    changed_by: User | None,
    now: datetime.datetime,
) -> list[dict[str, str]]:
    """Log changed extra time in every live assignment of the class, and apply it at once.

    Extra time shapes a running exam as much as its time limit does, so each exam of the class
    that has not closed for everyone records it in its history, and attempts in progress get
    their new deadline. Returns the changes.
    """
    old = {e.pk: e for e in before}
    changes: list[dict[str, str]] = []
    for enrollment in after:
        if enrollment.pk in old:
            changes += differences(
                old[enrollment.pk],
                enrollment,
                ENROLLMENT_FIELDS,
                prefix=_("extra time of %(name)s: ") % {"name": display_name(enrollment.student)},
            )
    if changes:
        with transaction.atomic():
            AssignmentChange.objects.bulk_create(
                [
                    AssignmentChange(
                        assignment=assignment,
                        changed_by=changed_by,
                        changed_at=now,
                        changes=changes,
                    )
                    for assignment in school_class.assignments.live(now=now)
                ]
            )
            class_attempts_refresh_deadlines(school_class=school_class, now=now)
    return changes


# One student's override, changed from the teacher's pages (quizzes.admin.roster_views): an
# extra attempt, a later close time, excused or not. Each is logged like the admin's inline.

# What a change to one student's override may look at: their attempts so far.
OverrideChange = Callable[[AssignmentOverride, "StudentAttempts"], None]


@dataclass(frozen=True)
class StudentAttempts:
    used: int
    in_progress: bool


@dataclass(frozen=True)
class OverrideResult:
    """The student's override after a change (None: they have none), and the changes logged
    (none: nothing changed)."""

    override: AssignmentOverride | None
    changes: list[dict[str, str]]


def override_extra_attempt(
    *, assignment: Assignment, student: User, changed_by: User | None, now: datetime.datetime
) -> OverrideResult:
    """One more attempt than the student has now: max(attempts allowed, attempts used) + 1.

    Refused when their attempts are unlimited already, or when they are excused.
    """

    def change(override: AssignmentOverride, attempts: StudentAttempts) -> None:
        _refuse_if_excused(override)
        allowed = assignment.attempts_allowed_for(override)
        if allowed == 0:
            raise ValidationError(
                _("%(student)s already has unlimited attempts at this assignment."),
                code="unlimited",
                params={"student": display_name(student)},
            )
        override.attempts_allowed = max(allowed, attempts.used) + 1

    return _override_change(
        assignment=assignment, student=student, changed_by=changed_by, now=now, change=change
    )


def override_close_later(
    *,
    assignment: Assignment,
    student: User,
    closes_at: datetime.datetime,
    changed_by: User | None,
    now: datetime.datetime,
) -> OverrideResult:
    """Close the assignment later for one student; an attempt they have running gets the time.

    The new close must still be ahead, and after the class's own close (shortening a window is
    the assignment form's business, not an accommodation).
    """

    def change(override: AssignmentOverride, attempts: StudentAttempts) -> None:
        _refuse_if_excused(override)
        if closes_at <= now:
            raise ValidationError(
                _("That time has already passed; choose a later close time."), code="past"
            )
        if closes_at <= assignment.closes_at:
            raise ValidationError(
                _("A later close time must be after the class's close time, %(closes_at)s."),
                code="not_later",
                params={"closes_at": value_text(assignment, "closes_at")},
            )
        override.closes_at = closes_at

    return _override_change(
        assignment=assignment, student=student, changed_by=changed_by, now=now, change=change
    )


def override_excuse(
    *,
    assignment: Assignment,
    student: User,
    is_excused: bool,
    changed_by: User | None,
    now: datetime.datetime,
) -> OverrideResult:
    """Excuse one student from an assignment (they cannot start it), or take the excuse back.

    Refused while the student has an attempt in progress: what would become of it is nobody's
    guess, so the teacher waits until it is submitted (or finished at its deadline). An
    override left changing nothing once the excuse is taken back is removed.
    """

    def change(override: AssignmentOverride, attempts: StudentAttempts) -> None:
        if is_excused and attempts.in_progress and not override.is_excused:
            raise ValidationError(
                _(
                    "%(student)s has an attempt in progress. Excuse them once it is submitted "
                    "(or its time has run out)."
                ),
                code="in_progress",
                params={"student": display_name(student)},
            )
        override.is_excused = is_excused

    return _override_change(
        assignment=assignment, student=student, changed_by=changed_by, now=now, change=change
    )


def _refuse_if_excused(override: AssignmentOverride) -> None:
    if override.is_excused:
        raise ValidationError(
            _("%(student)s is excused from this assignment; take the excuse back first."),
            code="excused",
            params={"student": display_name(override.student)},
        )


def _override_change(
    *,
    assignment: Assignment,
    student: User,
    changed_by: User | None,
    now: datetime.datetime,
    change: OverrideChange,
) -> OverrideResult:
    """Apply `change` to the student's override (made if missing, removed if left empty),
    validate it with the model's rules, log it and refresh the student's running attempt.

    A refusal raises ValidationError and changes nothing.
    """
    with transaction.atomic():
        # Locked so two teachers changing this exam at once each log against what the other
        # saved (as assignment_save does).
        Assignment.objects.select_for_update().filter(pk=assignment.pk).exists()
        before = (
            AssignmentOverride.objects.filter(assignment=assignment, student=student)
            .select_related("student")
            .first()
        )
        override = (
            copy.copy(before)
            if before is not None
            else AssignmentOverride(assignment=assignment, student=student)
        )
        counts = Attempt.objects.filter(assignment=assignment, student=student).aggregate(
            used=Count("pk"), running=Count("pk", filter=Q(state=AttemptState.IN_PROGRESS))
        )
        change(override, StudentAttempts(used=counts["used"], in_progress=counts["running"] > 0))
        empty = _changes_nothing(override)
        if before is None and empty:
            return OverrideResult(None, [])
        # Logged field by field, even when the row goes: "excused: yes → no".
        changes = overrides_changes(before=[before] if before else [], after=[override])
        if not changes:
            return OverrideResult(before, [])
        if empty:
            override.delete()
        else:
            override.assignment = assignment  # the loaded one, for clean()'s window
            override.full_clean(validate_unique=False, validate_constraints=False)
            override.save()
        assignment_changes_record(
            assignment=assignment, changed_by=changed_by, now=now, changes=changes
        )
    return OverrideResult(None if empty else override, changes)


def _changes_nothing(override: AssignmentOverride) -> bool:
    return not override.is_excused and all(
        getattr(override, name) is None for name in OVERRIDE_FIELDS if name != "is_excused"
    )

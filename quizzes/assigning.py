"""Changing an exam once it exists: every change logged, running attempts kept in step.

An assignment holds its own exam settings (ExamSettings) and its own questions (slots copied
from its quiz when it is created), changed only by the teachers of its class (the admin shows
them only their classes). Whatever changes, the assignment's history (AssignmentChange) says
who, when, and each setting from → to, in the words a teacher reads in the admin (product
invariant 7).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import (
    EXAM_SETTING_FIELDS,
    Assignment,
    AssignmentChange,
    AssignmentOverride,
    Enrollment,
    SchoolClass,
    Slot,
)
from .models.assignment import OVERRIDE_FIELDS
from .models.classes import display_name
from .services import attempts_refresh_deadlines

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
            for assignment in school_class.assignments.live(now=now):
                AssignmentChange.objects.create(
                    assignment=assignment, changed_by=changed_by, changed_at=now, changes=changes
                )
                attempts_refresh_deadlines(assignment=assignment, now=now)
    return changes

"""Changing an exam once it exists: every change logged, running attempts kept in step.

An assignment holds its own exam settings (ExamSettings), changed only by the teachers of its
class (the admin shows them only their classes); a quiz's questions are changed only by a
teacher who teaches every class that has it live (Quiz.is_editable_by). Whatever changes, the
assignment's history (AssignmentChange) says who, when, and each setting from → to, in the
words a teacher reads in the admin (product invariant 7).
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
    Quiz,
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

    For a change, each setting that differs from the stored row is logged, and a change to the
    timing applies at once to attempts in progress (services.attempts_refresh_deadlines).
    """
    with transaction.atomic():
        if assignment.pk is None:
            assignment.save()
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


def quiz_changes_record(
    *,
    quiz: Quiz,
    changed_by: User | None,
    now: datetime.datetime,
    changes: list[dict[str, str]],
) -> list[Assignment]:
    """Log a change to a quiz's questions or text in each live assignment of it.

    Returns those assignments, so the teacher can be told which exams the change reaches
    (attempts already started keep the questions they drew).
    """
    live = list(quiz.assignments.live(now=now).select_related("school_class"))
    if changes and live:
        AssignmentChange.objects.bulk_create(
            [
                AssignmentChange(
                    assignment=a, changed_by=changed_by, changed_at=now, changes=changes
                )
                for a in live
            ]
        )
    return live


def overrides_changes(
    *, before: Iterable[AssignmentOverride], after: Iterable[AssignmentOverride]
) -> list[dict[str, str]]:
    """The changes between two sets of one assignment's overrides, as log entries."""
    old = {o.pk: o for o in before}
    new = {o.pk: o for o in after}
    changes: list[dict[str, str]] = []
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

"""Students joining classes with a join code, and their extra time in a class."""

import copy
import datetime
import re
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .assigning import accommodations_record
from .models import Enrollment, SchoolClass
from .models.classes import is_student_account

# Codes are read aloud and copied from a board: people add spaces or dashes to group letters.
_SEPARATORS = re.compile(r"[\s\-‐‑–—]+")


def join_code_normalise(raw: str) -> str:
    """The code as stored: upper case, without the spaces and dashes people type into it."""
    return _SEPARATORS.sub("", raw).upper()


def class_for_join_code(join_code: str) -> SchoolClass:
    """The class a code lets a student join; a ValidationError says why when there is none."""
    code = join_code_normalise(join_code)
    school_class = SchoolClass.objects.filter(join_code__iexact=code).first() if code else None
    if school_class is None:
        raise ValidationError(
            _("No class has this join code. Check the code with your teacher."),
            code="bad_join_code",
        )
    if not school_class.is_joinable:
        raise ValidationError(
            _("%(class)s is not taking new students at the moment. Ask your teacher.")
            % {"class": school_class},
            code="class_closed",
        )
    return school_class


def join_check(student: User) -> None:
    """Only student accounts join classes (models.is_student_account: not staff, not a
    superuser); the admin's enrolments follow the same rule."""
    if not is_student_account(student):
        raise ValidationError(
            _("Teacher accounts cannot join a class as a student."), code="staff_cannot_join"
        )


def enrollment_join(*, student: User, join_code: str) -> Enrollment:
    """Enrol a student in the class with this code. Joining a class twice is harmless."""
    join_check(student)
    with transaction.atomic():
        school_class = class_for_join_code(join_code)
        # get_or_create retries the read when a concurrent join wins the unique constraint.
        enrollment, _created = Enrollment.objects.get_or_create(
            school_class=school_class, student=student
        )
    return enrollment


def enrollment_accommodate(
    *,
    enrollment: Enrollment,
    time_multiplier: Decimal,
    has_unlimited_time: bool,
    changed_by: User | None,
    now: datetime.datetime,
) -> bool:
    """Give a student their extra time in a class (×1 to ×10, or no limit); False if unchanged.

    The model's validators refuse a multiplier out of range. Attempts the student has in
    progress take the new time at once, and each live exam of the class logs the change
    (assigning.accommodations_record).
    """
    if (enrollment.time_multiplier, enrollment.has_unlimited_time) == (
        time_multiplier,
        has_unlimited_time,
    ):
        return False
    before = copy.copy(enrollment)
    enrollment.time_multiplier = time_multiplier
    enrollment.has_unlimited_time = has_unlimited_time
    enrollment.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        enrollment.save(update_fields=["time_multiplier", "has_unlimited_time"])
        accommodations_record(
            school_class=enrollment.school_class,
            before=[before],
            after=[enrollment],
            changed_by=changed_by,
            now=now,
        )
    return True

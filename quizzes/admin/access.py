"""Access-checked getters for the teachers' own pages in the admin (results, scores, roster).

Every such view loads what it shows through one of these: a class, assignment, student or
attempt outside the classes the user teaches is a 404 (superusers see everything), exactly as
the admin's own change pages treat objects outside `get_queryset`. A user who is not staff
never reaches these views: `admin_site.admin_view` sends them to log in.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from quizzes.http import request_user
from quizzes.models import Assignment, Attempt, Enrollment, SchoolClass


def taught_class_or_404(request: HttpRequest, pk: int) -> SchoolClass:
    return get_object_or_404(SchoolClass.objects.taught_by(request_user(request)), pk=pk)


def taught_assignment_or_404(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.taught_by(request_user(request)).select_related("quiz", "school_class"),
        pk=pk,
    )


def class_enrollment_or_404(
    request: HttpRequest, school_class: SchoolClass, student_pk: int
) -> Enrollment:
    """A student of a class the user teaches (the class itself checked by the caller)."""
    return get_object_or_404(
        Enrollment.objects.select_related("student", "school_class"),
        school_class=school_class,
        student_id=student_pk,
    )


def teacher_attempt_or_404(request: HttpRequest, pk: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.visible_to_teacher(request_user(request)).select_related(
            "student", "assignment__quiz", "assignment__school_class"
        ),
        pk=pk,
    )

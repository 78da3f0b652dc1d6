"""The student's dashboard, an assignment's start page and their attempt history.

Each page costs a fixed number of queries, whatever the number of classes, assignments or
attempts: lists come from `Assignment.objects.for_student()`, which prefetches the student's
own attempts and overrides. Each page first finishes the student's abandoned attempts (one
query when there are none), so what it shows is settled.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quizzes import services
from quizzes.http import AuthenticatedHttpRequest
from quizzes.models import Assignment, Attempt, Enrollment, ReviewTiming, Slot, StudentState
from quizzes.student_assignments import StudentAssignment, duration_text


def _multiplier_text(multiplier: Decimal) -> str:
    """1.50 reads "1.5" and 2.00 reads "2" (normalize() alone would turn 10 into 1E+1)."""
    if multiplier == multiplier.to_integral():
        return formats.number_format(multiplier.quantize(Decimal(1)))
    return formats.number_format(multiplier.normalize())


def _student_assignment_or_404(request: AuthenticatedHttpRequest, pk: int) -> Assignment:
    """Only an assignment of one of the student's classes; anything else is a 404."""
    return get_object_or_404(
        Assignment.objects.for_student(request.user).prefetch_related(
            Prefetch("quiz__slots", queryset=Slot.objects.select_related("question"))
        ),
        pk=pk,
    )


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    services.attempts_finish_overdue(now=now, student=request.user)
    enrollments = Enrollment.objects.filter(student=request.user).select_related("school_class")
    rows = sorted(
        (
            StudentAssignment.build(assignment, now=now)
            for assignment in Assignment.objects.for_student(request.user)
        ),
        key=StudentAssignment.attention_key,
    )
    groups = [
        (_("To do"), [r for r in rows if r.state in (StudentState.IN_PROGRESS, StudentState.OPEN)]),
        (_("Coming up"), [r for r in rows if r.state == StudentState.UPCOMING]),
        (
            _("Done"),
            [
                r
                for r in rows
                if r.state in (StudentState.SUBMITTED, StudentState.MISSED, StudentState.EXCUSED)
            ],
        ),
    ]
    return render(
        request,
        "quizzes/dashboard.html",
        {"enrollments": enrollments, "groups": groups, "has_assignments": bool(rows)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    services.attempts_finish_overdue(now=now, student=request.user)
    assignment = _student_assignment_or_404(request, pk)
    if request.method == "POST":
        try:
            attempt = services.attempt_start(
                student=request.user, assignment=assignment, now=timezone.now()
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("quizzes:assignment_start", pk=assignment.pk)
        return redirect("quizzes:attempt_resume", pk=attempt.pk)
    status = StudentAssignment.build(assignment, now=now)
    enrollment = get_object_or_404(
        Enrollment, school_class_id=assignment.school_class_id, student=request.user
    )
    time_limit = assignment.time_limit_for(enrollment=enrollment, override=status.override)
    context = {
        "status": status,
        "quiz": assignment.quiz,
        "enrollment": enrollment,
        "base_limit": assignment.time_limit_minutes_for(status.override),
        "time_limit_text": duration_text(time_limit) if time_limit else None,
        "multiplier_text": _multiplier_text(enrollment.time_multiplier),
        "finish_by": assignment.deadline_for(
            enrollment=enrollment, override=status.override, started_at=now
        )
        if status.can_start
        else None,
    }
    return render(request, "quizzes/start.html", context)


@login_required
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    services.attempts_finish_overdue(now=now, student=request.user)
    rows = []
    for attempt in Attempt.objects.history_of(request.user):
        rows.append(
            {
                "attempt": attempt,
                "review": attempt.review_options(now=now),
                "score_after_close": attempt.assignment.review_score == ReviewTiming.AFTER_CLOSE
                and now < attempt.results_at(),
            }
        )
    return render(request, "quizzes/history.html", {"rows": rows})


urlpatterns = [
    path("", dashboard, name="dashboard"),
    # "/" keeps its old name so existing links (and the admin's "view site") still resolve.
    path("", dashboard, name="home"),
    path("assignments/<int:pk>/", assignment_start, name="assignment_start"),
    path("attempts/", history, name="history"),
]

"""Teacher pages for a class's roster and one student's exceptions, reached from the admin.

From a class: its roster with each student's extra time (an accommodation, ×1 to ×10 or no
limit) and whether they are locked out after too many wrong passwords (with an unlock), and
"Add students from a file": a class list creates and enrols accounts with one-time
passwords, printed on login slips. From an assignment: each student's attempts and window,
with an extra attempt, a later close time, or an excuse.

Every view loads its class, assignment and student through quizzes.admin.access (another
teacher's is a 404; students never get past `admin_view`), checks the model admin's change
permission, and calls one service; every POST redirects, except the upload, whose response
*is* the login slips: the passwords exist nowhere else, so they are rendered straight into the
response to the POST, with `Cache-Control: no-store` (no copy in a cache, none in the
back/forward history; quizzes.middleware.PrivateResponseMiddleware sets it on every signed-in
page). Reloading it resubmits the file, which is then refused (the accounts exist), so a slip
can never be shown twice nor an account created twice.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes import accounts, assigning, enrolment, lockouts, roster
from quizzes.admin.access import (
    class_enrollment_or_404,
    taught_assignment_or_404,
    taught_class_or_404,
)
from quizzes.admin.pages import page_context
from quizzes.http import request_user
from quizzes.models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    AttemptState,
    Enrollment,
    SchoolClass,
)
from quizzes.models.classes import display_name

STUDENT_ORDER = ("student__first_name", "student__last_name", "student__username")


def class_urls(model_admin: Any) -> list[Any]:
    view = model_admin.admin_site.admin_view
    extra = {"model_admin": model_admin}
    return [
        path("<int:pk>/roster/", view(class_roster), extra, name="quizzes_schoolclass_roster"),
        path(
            "<int:pk>/roster/<int:student_pk>/accommodation/",
            view(class_accommodation),
            extra,
            name="quizzes_schoolclass_accommodation",
        ),
        path(
            "<int:pk>/roster/<int:student_pk>/unlock/",
            view(class_login_unlock),
            extra,
            name="quizzes_schoolclass_login_unlock",
        ),
        path(
            "<int:pk>/roster/import/",
            view(roster_upload),
            extra,
            name="quizzes_schoolclass_roster_import",
        ),
        path(
            "<int:pk>/roster/example.csv",
            view(roster_example),
            extra,
            name="quizzes_schoolclass_roster_example",
        ),
    ]


def assignment_urls(model_admin: Any) -> list[Any]:
    view = model_admin.admin_site.admin_view
    extra = {"model_admin": model_admin}
    return [
        path(
            "<int:pk>/students/",
            view(assignment_students),
            extra,
            name="quizzes_assignment_students",
        ),
        path(
            "<int:pk>/students/<int:student_pk>/extra-attempt/",
            view(assignment_extra_attempt),
            extra,
            name="quizzes_assignment_extra_attempt",
        ),
        path(
            "<int:pk>/students/<int:student_pk>/close-later/",
            view(assignment_close_later),
            extra,
            name="quizzes_assignment_close_later",
        ),
        path(
            "<int:pk>/students/<int:student_pk>/excuse/",
            view(assignment_excuse),
            {**extra, "is_excused": True},
            name="quizzes_assignment_excuse",
        ),
        path(
            "<int:pk>/students/<int:student_pk>/unexcuse/",
            view(assignment_excuse),
            {**extra, "is_excused": False},
            name="quizzes_assignment_unexcuse",
        ),
    ]


def _may_change(model_admin: Any, request: HttpRequest, obj: Any) -> None:
    if not model_admin.has_change_permission(request, obj):
        raise PermissionDenied


# The class's roster and extra time -----------------------------------------------------------


class AccommodationForm(forms.ModelForm):
    """A student's extra time in a class; the model's validators keep it within ×1 to ×10."""

    class Meta:
        model = Enrollment
        fields = ["time_multiplier", "has_unlimited_time"]
        widgets = {
            "time_multiplier": forms.NumberInput(attrs={"step": "0.05", "min": "1", "max": "10"})
        }


@require_GET
def class_roster(request: HttpRequest, pk: int, *, model_admin: Any) -> HttpResponse:
    school_class = taught_class_or_404(request, pk)
    _may_change(model_admin, request, school_class)
    enrollments = list(school_class.enrollments.select_related("student").order_by(*STUDENT_ORDER))
    locked = lockouts.locked_out_until(
        [enrollment.student.username for enrollment in enrollments], now=timezone.now()
    )
    rows = [
        (
            enrollment,
            AccommodationForm(instance=enrollment, auto_id=f"id_s{enrollment.pk}_%s"),
            locked.get(enrollment.student.username),
        )
        for enrollment in enrollments
    ]
    return TemplateResponse(
        request,
        "admin/quizzes/schoolclass/roster.html",
        page_context(
            model_admin,
            request,
            title=_("Roster and extra time: %(class)s") % {"class": school_class},
            school_class=school_class,
            rows=rows,
        ),
    )


@require_POST
def class_accommodation(
    request: HttpRequest, pk: int, student_pk: int, *, model_admin: Any
) -> HttpResponse:
    school_class = taught_class_or_404(request, pk)
    _may_change(model_admin, request, school_class)
    enrollment = class_enrollment_or_404(request, school_class, student_pk)
    name = display_name(enrollment.student)
    form = AccommodationForm(request.POST, instance=Enrollment(school_class=school_class))
    if not form.is_valid():
        messages.error(
            request,
            _("Extra time for %(student)s not changed: %(problems)s")
            % {"student": name, "problems": " ".join(_form_problems(form))},
        )
        return _back_to_roster(school_class, enrollment)
    try:
        changed = enrolment.enrollment_accommodate(
            enrollment=enrollment,
            time_multiplier=form.cleaned_data["time_multiplier"],
            has_unlimited_time=form.cleaned_data["has_unlimited_time"],
            changed_by=request_user(request),
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if changed:
            messages.success(
                request,
                _("%(student)s now has %(time)s; an attempt in progress has it already.")
                % {"student": name, "time": accommodation_text(enrollment)},
            )
        else:
            messages.info(request, _("Nothing changed for %(student)s.") % {"student": name})
    return _back_to_roster(school_class, enrollment)


@require_POST
def class_login_unlock(
    request: HttpRequest, pk: int, student_pk: int, *, model_admin: Any
) -> HttpResponse:
    """Let a student of the class log in again at once after too many wrong passwords."""
    school_class = taught_class_or_404(request, pk)
    _may_change(model_admin, request, school_class)
    enrollment = class_enrollment_or_404(request, school_class, student_pk)
    name = display_name(enrollment.student)
    if lockouts.login_unlock(user=enrollment.student, unlocked_by=request_user(request)):
        messages.success(request, _("%(student)s can log in again.") % {"student": name})
    else:
        messages.info(request, _("%(student)s was not locked out.") % {"student": name})
    return _back_to_roster(school_class, enrollment)


def accommodation_text(enrollment: Enrollment) -> str:
    if enrollment.has_unlimited_time:
        return _("no time limit")
    multiplier = enrollment.time_multiplier
    if multiplier == 1:
        return _("the standard time")
    return _("×%(multiplier)s time") % {"multiplier": _decimal_text(multiplier)}


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _back_to_roster(school_class: SchoolClass, enrollment: Enrollment) -> HttpResponse:
    url = reverse("admin:quizzes_schoolclass_roster", args=[school_class.pk])
    return redirect(f"{url}#student-{enrollment.student_id}")


def _form_problems(form: forms.BaseForm) -> list[str]:
    return [
        f"{form.fields[field].label}: {message}" if field in form.fields else str(message)
        for field, errors in form.errors.items()
        for message in errors
    ]


# Adding students from a file -----------------------------------------------------------------


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Class list (CSV file)"),
        help_text=gettext_lazy("Full name, username and (optionally) email, one student a line."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,text/csv", "aria-describedby": "id_file_helptext"}
        ),
    )


@sensitive_post_parameters()
@sensitive_variables("result")
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest, pk: int, *, model_admin: Any) -> HttpResponse:
    school_class = taught_class_or_404(request, pk)
    _may_change(model_admin, request, school_class)
    is_post = request.method == "POST"
    form = RosterUploadForm(request.POST, request.FILES) if is_post else RosterUploadForm()
    problems: tuple[str, ...] = ()
    if is_post and form.is_valid():
        result = accounts.roster_import(
            school_class=school_class,
            upload=form.cleaned_data["file"],
            created_by=request_user(request),
            now=timezone.now(),
        )
        if not result.problems:
            return _login_slips(request, model_admin, school_class, result)
        problems = result.problems
    return TemplateResponse(
        request,
        "admin/quizzes/schoolclass/roster_upload.html",
        page_context(
            model_admin,
            request,
            title=_("Add students from a file: %(class)s") % {"class": school_class},
            school_class=school_class,
            form=form,
            problems=problems,
            max_rows=roster.MAX_ROWS,
            max_kilobytes=roster.MAX_FILE_BYTES // 1000,
        ),
    )


@sensitive_variables("result")
def _login_slips(
    request: HttpRequest,
    model_admin: Any,
    school_class: SchoolClass,
    result: accounts.RosterResult,
) -> HttpResponse:
    """The only time the passwords are shown: rendered into the POST's response, kept by
    nothing (no-store), never in a session or a log."""
    response = TemplateResponse(
        request,
        "admin/quizzes/schoolclass/login_slips.html",
        page_context(
            model_admin,
            request,
            title=_("Login slips: %(class)s") % {"class": school_class},
            school_class=school_class,
            students=result.students,
            encoding=result.encoding,
            site_address=request.build_absolute_uri("/"),
        ),
    )
    return response


EXAMPLE_ROWS = [
    ("Full name", "Username", "Email"),
    ("Aliya Nurlanovna Seitkali", "aliya.seitkali", "aliya@example.kz"),
    ("Әлихан Серікұлы Бөкейханов", "alikhan.b", ""),
    ("Иванова Мария Сергеевна", "m.ivanova", "m.ivanova@example.kz"),
    ("O'Brien, Sean", "sean_obrien", ""),
]


@require_GET
def roster_example(request: HttpRequest, pk: int, *, model_admin: Any) -> HttpResponse:
    """An example class list: UTF-8 with a byte-order mark, so spreadsheets open it right."""
    taught_class_or_404(request, pk)
    lines = [",".join(_csv_cell(cell) for cell in row) for row in EXAMPLE_ROWS]
    response = HttpResponse(
        "\ufeff" + "\r\n".join(lines) + "\r\n", content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="class-list-example.csv"'
    return response


def _csv_cell(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',;"') else value


# One student's exceptions to an assignment ---------------------------------------------------


@dataclass(frozen=True)
class StudentRow:
    """One student of the class as this assignment stands for them."""

    enrollment: Enrollment
    override: AssignmentOverride | None
    used: int
    running: bool
    allowed: int  # 0: unlimited
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    is_extended: bool
    now: datetime.datetime

    @property
    def student(self) -> User:
        return self.enrollment.student

    @property
    def is_excused(self) -> bool:
        return self.override is not None and self.override.is_excused

    @property
    def status(self) -> str:
        """Where the assignment stands for them, in a word (the page shows no colour)."""
        if self.is_excused:
            return _("Excused")
        if self.running:
            return _("Attempt in progress")
        if self.now >= self.closes_at:
            return _("Closed")
        if self.now < self.opens_at:
            return _("Not open yet")
        if self.allowed and self.used >= self.allowed:
            return _("No attempts left")
        return _("Open")


def student_rows(assignment: Assignment, *, now: datetime.datetime) -> list[StudentRow]:
    """Every student of the assignment's class, with their override and attempts: three
    queries, whatever the class size (enrollments, overrides, attempt counts)."""
    enrollments = assignment.school_class.enrollments.select_related("student").order_by(
        *STUDENT_ORDER
    )
    overrides = {o.student_id: o for o in assignment.overrides.all()}
    counts = {
        row["student_id"]: row
        for row in Attempt.objects.filter(assignment=assignment)
        .values("student_id")
        .annotate(used=Count("pk"), running=Count("pk", filter=Q(state=AttemptState.IN_PROGRESS)))
        .order_by()
    }
    rows = []
    for enrollment in enrollments:
        override = overrides.get(enrollment.student_id)
        count = counts.get(enrollment.student_id, {"used": 0, "running": 0})
        opens_at, closes_at = assignment.window_for(override)
        rows.append(
            StudentRow(
                enrollment=enrollment,
                override=override,
                used=count["used"],
                running=count["running"] > 0,
                allowed=assignment.attempts_allowed_for(override),
                opens_at=opens_at,
                closes_at=closes_at,
                is_extended=closes_at != assignment.closes_at,
                now=now,
            )
        )
    return rows


class CloseLaterForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=gettext_lazy("New close time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


@require_GET
def assignment_students(request: HttpRequest, pk: int, *, model_admin: Any) -> HttpResponse:
    assignment = taught_assignment_or_404(request, pk)
    _may_change(model_admin, request, assignment)
    now = timezone.now()
    rows = student_rows(assignment, now=now)
    return TemplateResponse(
        request,
        "admin/quizzes/assignment/students.html",
        page_context(
            model_admin,
            request,
            title=_("Students: %(assignment)s") % {"assignment": assignment},
            assignment=assignment,
            rows=rows,
            suggested_close=timezone.localtime(max(assignment.closes_at, now))
            + datetime.timedelta(days=1),
        ),
    )


@require_POST
def assignment_extra_attempt(
    request: HttpRequest, pk: int, student_pk: int, *, model_admin: Any
) -> HttpResponse:
    assignment, enrollment = _assignment_student(request, pk, student_pk, model_admin)
    now = timezone.now()
    name = display_name(enrollment.student)
    try:
        result = assigning.override_extra_attempt(
            assignment=assignment,
            student=enrollment.student,
            changed_by=request_user(request),
            now=now,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back_to_students(assignment, enrollment)
    messages.success(
        request,
        _("%(student)s may now make %(allowed)s attempts.")
        % {"student": name, "allowed": assignment.attempts_allowed_for(result.override)},
    )
    if now >= assignment.window_for(result.override)[1]:
        messages.warning(
            request,
            _("The assignment has closed for %(student)s: give a later close time too.")
            % {"student": name},
        )
    return _back_to_students(assignment, enrollment)


@require_POST
def assignment_close_later(
    request: HttpRequest, pk: int, student_pk: int, *, model_admin: Any
) -> HttpResponse:
    assignment, enrollment = _assignment_student(request, pk, student_pk, model_admin)
    name = display_name(enrollment.student)
    form = CloseLaterForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The close time for %(student)s was not changed: %(problems)s")
            % {"student": name, "problems": " ".join(_form_problems(form))},
        )
        return _back_to_students(assignment, enrollment)
    closes_at = form.cleaned_data["closes_at"]
    try:
        result = assigning.override_close_later(
            assignment=assignment,
            student=enrollment.student,
            closes_at=closes_at,
            changed_by=request_user(request),
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if result.changes:
            messages.success(
                request,
                _(
                    "The assignment now closes for %(student)s at %(time)s; an attempt in "
                    "progress has the time already."
                )
                % {"student": name, "time": _local_time(closes_at)},
            )
        else:
            messages.info(request, _("Nothing changed for %(student)s.") % {"student": name})
    return _back_to_students(assignment, enrollment)


@require_POST
def assignment_excuse(
    request: HttpRequest, pk: int, student_pk: int, *, model_admin: Any, is_excused: bool
) -> HttpResponse:
    assignment, enrollment = _assignment_student(request, pk, student_pk, model_admin)
    name = display_name(enrollment.student)
    try:
        result = assigning.override_excuse(
            assignment=assignment,
            student=enrollment.student,
            is_excused=is_excused,
            changed_by=request_user(request),
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if not result.changes:
            messages.info(request, _("Nothing changed for %(student)s.") % {"student": name})
        elif is_excused:
            messages.success(
                request,
                _("%(student)s is excused from this assignment: they cannot start it.")
                % {"student": name},
            )
        else:
            messages.success(request, _("%(student)s is no longer excused.") % {"student": name})
    return _back_to_students(assignment, enrollment)


def _local_time(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _assignment_student(
    request: HttpRequest, pk: int, student_pk: int, model_admin: Any
) -> tuple[Assignment, Enrollment]:
    assignment = taught_assignment_or_404(request, pk)
    _may_change(model_admin, request, assignment)
    return assignment, class_enrollment_or_404(request, assignment.school_class, student_pk)


def _back_to_students(assignment: Assignment, enrollment: Enrollment) -> HttpResponse:
    url = reverse("admin:quizzes_assignment_students", args=[assignment.pk])
    return redirect(f"{url}#student-{enrollment.student_id}")

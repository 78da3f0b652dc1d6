"""The teacher's results pages: a class's gradebook (and its exports), one student in a class,
an assignment's report and its live progress.

Each view loads what it shows through an access-checked getter (quizzes.admin.access: another
teacher's class, assignment or student is a 404), builds a read model (quizzes.results,
quizzes.report) and renders it. Nothing here writes. `admin_site.admin_view` keeps everyone who
is not staff out (a student is sent to the admin's login page).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from quizzes import exports, report, results
from quizzes.admin.access import (
    class_enrollment_or_404,
    taught_assignment_or_404,
    taught_class_or_404,
)
from quizzes.admin.pages import page_context
from quizzes.models import Assignment, SchoolClass

# How often the live progress page asks for a fresh table (progress.js), in seconds.
PROGRESS_REFRESH_SECONDS = 10


def admin_page(model_admin: Any, function: Any) -> Any:
    """`function(model_admin, request, **url_kwargs)` as an admin view (staff only)."""

    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return function(model_admin, request, **kwargs)

    return model_admin.admin_site.admin_view(wrapped)


def file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_name(school_class: SchoolClass, extension: str) -> str:
    slug = slugify(school_class.name) or "class"
    return f"gradebook-{slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


# --- class pages ----------------------------------------------------------------------------


def gradebook_view(model_admin: Any, request: HttpRequest, pk: int) -> TemplateResponse:
    school_class = taught_class_or_404(request, pk)
    book = results.gradebook(school_class, now=timezone.now()).sorted_by(request.GET.get("sort"))
    return TemplateResponse(
        request,
        "admin/quizzes/results/gradebook.html",
        page_context(
            model_admin,
            request,
            title=_("Gradebook: %(class)s") % {"class": school_class.name},
            original=school_class,
            book=book,
            states=results.STATE_LEGEND,
        ),
    )


def gradebook_csv_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    school_class = taught_class_or_404(request, pk)
    book = results.gradebook(school_class, now=timezone.now())
    return file_response(
        exports.gradebook_csv(book),
        content_type=exports.CSV_CONTENT_TYPE,
        filename=export_name(school_class, "csv"),
    )


def gradebook_xlsx_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    school_class = taught_class_or_404(request, pk)
    book = results.gradebook(school_class, now=timezone.now())
    return file_response(
        exports.gradebook_xlsx(book),
        content_type=exports.XLSX_CONTENT_TYPE,
        filename=export_name(school_class, "xlsx"),
    )


def student_view(
    model_admin: Any, request: HttpRequest, pk: int, student_pk: int
) -> TemplateResponse:
    school_class = taught_class_or_404(request, pk)
    enrollment = class_enrollment_or_404(request, school_class, student_pk)
    history = results.student_history(enrollment, now=timezone.now())
    return TemplateResponse(
        request,
        "admin/quizzes/results/student.html",
        page_context(
            model_admin,
            request,
            title=_("%(student)s in %(class)s") % {"student": history.name, "class": school_class},
            original=school_class,
            history=history,
        ),
    )


def class_urls(model_admin: Any) -> list[Any]:
    def view(function: Any) -> Any:
        return admin_page(model_admin, function)

    return [
        path(
            "<int:pk>/gradebook/",
            view(gradebook_view),
            name="quizzes_schoolclass_gradebook",
        ),
        path(
            "<int:pk>/gradebook.csv",
            view(gradebook_csv_view),
            name="quizzes_schoolclass_gradebook_csv",
        ),
        path(
            "<int:pk>/gradebook.xlsx",
            view(gradebook_xlsx_view),
            name="quizzes_schoolclass_gradebook_xlsx",
        ),
        path(
            "<int:pk>/students/<int:student_pk>/",
            view(student_view),
            name="quizzes_schoolclass_student",
        ),
    ]


# --- assignment pages -----------------------------------------------------------------------


def report_view(model_admin: Any, request: HttpRequest, pk: int) -> TemplateResponse:
    assignment = taught_assignment_or_404(request, pk)
    which = report.attempt_choice(request.GET.get("attempts"))
    data = report.assignment_report(assignment, which=which)
    return TemplateResponse(
        request,
        "admin/quizzes/results/report.html",
        page_context(
            model_admin,
            request,
            title=_("Report: %(assignment)s") % {"assignment": assignment},
            original=assignment,
            report=data,
            choices=report.ATTEMPT_CHOICES,
        ),
    )


def progress_context(
    model_admin: Any, request: HttpRequest, assignment: Assignment
) -> dict[str, Any]:
    return page_context(
        model_admin,
        request,
        title=_("Live progress: %(assignment)s") % {"assignment": assignment},
        original=assignment,
        progress=results.live_progress(assignment, now=timezone.now()),
        refresh_seconds=PROGRESS_REFRESH_SECONDS,
    )


def progress_view(model_admin: Any, request: HttpRequest, pk: int) -> TemplateResponse:
    assignment = taught_assignment_or_404(request, pk)
    return TemplateResponse(
        request,
        "admin/quizzes/results/progress.html",
        progress_context(model_admin, request, assignment),
    )


def progress_fragment_view(model_admin: Any, request: HttpRequest, pk: int) -> TemplateResponse:
    """The progress table alone, for progress.js to swap in every few seconds."""
    assignment = taught_assignment_or_404(request, pk)
    # Never cached: admin_view marks every admin response so.
    return TemplateResponse(
        request,
        "admin/quizzes/results/_progress_table.html",
        progress_context(model_admin, request, assignment),
    )


def assignment_urls(model_admin: Any) -> list[Any]:
    def view(function: Any) -> Any:
        return admin_page(model_admin, function)

    return [
        path("<int:pk>/report/", view(report_view), name="quizzes_assignment_report"),
        path("<int:pk>/progress/", view(progress_view), name="quizzes_assignment_progress"),
        path(
            "<int:pk>/progress/table/",
            view(progress_fragment_view),
            name="quizzes_assignment_progress_fragment",
        ),
    ]

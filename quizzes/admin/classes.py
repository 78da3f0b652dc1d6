"""Classes, assignments and attempts in the admin, scoped to the classes a teacher teaches.

Banks and questions are shared by every teacher; everything about students is not. Every
queryset here goes through a `taught_by` / `visible_to_teacher` method, so a teacher never sees,
picks or edits another teacher's class, assignment or attempt (superusers see everything).
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizzes.models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    AttemptQuestion,
    Enrollment,
    Quiz,
    SchoolClass,
)
from quizzes.presentation import describe_answer
from quizzes.services import attempts_refresh_deadlines


class StudentFieldMixin:
    """Only students can be enrolled or given overrides, whatever id a form posts."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "student":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=False, is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class EnrollmentInline(StudentFieldMixin, admin.TabularInline):
    model = Enrollment
    fields = ["student", "time_multiplier", "has_unlimited_time", "joined_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["student"]
    extra = 1
    verbose_name = gettext_lazy("student")
    verbose_name_plural = gettext_lazy("roster (students and their accommodations)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrollment]:
        return super().get_queryset(request).select_related("student")


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "join_code", "is_joinable", "student_count", "created_at"]
    search_fields = ["name", "join_code"]
    readonly_fields = ["join_code", "created_at"]
    filter_horizontal = ["teachers"]
    fields = ["name", "teachers", "join_code", "is_joinable", "created_at"]
    inlines = [EnrollmentInline]
    actions = ["regenerate_join_codes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SchoolClass]:
        return (
            SchoolClass.objects.taught_by(request.user)
            .annotate(n_students=Count("enrollments", distinct=True))
            .order_by("name", "id")
        )

    @admin.display(description=gettext_lazy("students"), ordering="n_students")
    def student_count(self, school_class: Any) -> int:
        return school_class.n_students

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"teachers": [request.user.pk]}

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # A teacher who creates a class teaches it, whatever the form said; otherwise it would
        # vanish from their own admin the moment it was saved.
        if not request.user.is_superuser and not change:
            form.instance.teachers.add(request.user)
        # Extra time given to a student during an attempt applies to that attempt at once.
        now = timezone.now()
        for assignment in form.instance.assignments.filter(
            attempts__state="in_progress"
        ).distinct():
            attempts_refresh_deadlines(assignment=assignment, now=now)

    @admin.action(description=gettext_lazy("Give the selected classes new join codes"))
    def regenerate_join_codes(self, request: HttpRequest, queryset: QuerySet[SchoolClass]) -> None:
        for school_class in queryset:
            school_class.regenerate_join_code()
        self.message_user(
            request, _("New join codes made; the old ones no longer work."), messages.SUCCESS
        )


class OverrideFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors) or not self.instance.school_class_id:
            return
        enrolled = set(
            Enrollment.objects.filter(school_class_id=self.instance.school_class_id).values_list(
                "student_id", flat=True
            )
        )
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            student = data.get("student")
            if student is not None and student.pk not in enrolled:
                raise ValidationError(
                    _("%(student)s is not in this class; enrol them first.") % {"student": student}
                )
            opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
            opens_at = opens_at or self.instance.opens_at
            closes_at = closes_at or self.instance.closes_at
            if opens_at and closes_at and closes_at <= opens_at:
                raise ValidationError(
                    _("The override for %(student)s closes before it opens.") % {"student": student}
                )
            if not any(
                data.get(field) is not None
                for field in ("opens_at", "closes_at", "attempts_allowed", "time_limit_minutes")
            ):
                raise ValidationError(
                    _("The override for %(student)s changes nothing; fill in a field or remove it.")
                    % {"student": student}
                )


class OverrideInline(StudentFieldMixin, admin.TabularInline):
    model = AssignmentOverride
    formset = OverrideFormSet
    fields = ["student", "opens_at", "closes_at", "attempts_allowed", "time_limit_minutes"]
    autocomplete_fields = ["student"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentOverride]:
        return super().get_queryset(request).select_related("student")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["quiz", "school_class", "opens_at", "closes_at", "status", "attempt_count"]
    list_filter = [("school_class", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["quiz", "school_class"]
    search_fields = ["quiz__title", "school_class__name"]
    date_hierarchy = "opens_at"
    fields = ["quiz", "school_class", "opens_at", "closes_at", "created_by"]
    readonly_fields = ["created_by"]
    inlines = [OverrideInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return Assignment.objects.taught_by(request.user).annotate(n_attempts=Count("attempts"))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "school_class":
            kwargs["queryset"] = SchoolClass.objects.taught_by(request.user)
        elif db_field.name == "quiz":
            kwargs["queryset"] = Quiz.objects.filter(is_published=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        base_clean = form.clean

        def clean(self_form: Any) -> dict[str, Any]:
            data = base_clean(self_form)
            opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
            if opens_at and closes_at and closes_at <= opens_at:
                raise ValidationError(
                    {"closes_at": _("The close time must be after the open time.")}
                )
            return data

        form.clean = clean
        return form

    def save_model(self, request: HttpRequest, obj: Assignment, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # A new close time or a student's override applies to attempts already running.
        if change:
            attempts_refresh_deadlines(assignment=form.instance, now=timezone.now())

    @admin.display(description=gettext_lazy("status"))
    def status(self, assignment: Assignment) -> str:
        now = timezone.now()
        if now < assignment.opens_at:
            return _("◷ Upcoming")
        if now < assignment.closes_at:
            return _("● Open")
        return _("■ Closed")

    @admin.display(description=gettext_lazy("attempts"), ordering="n_attempts")
    def attempt_count(self, assignment: Any) -> int:
        return assignment.n_attempts


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    fields = ["position", "title", "points", "answer", "fraction"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AttemptQuestion]:
        return super().get_queryset(request).select_related("response")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("question"))
    def title(self, aq: AttemptQuestion) -> str:
        return aq.snapshot.get("title", "")

    @admin.display(description=gettext_lazy("answer"))
    def answer(self, aq: AttemptQuestion) -> str:
        response = getattr(aq, "response", None)
        return describe_answer(aq.snapshot, response.answer if response else None)

    @admin.display(description=gettext_lazy("score"))
    def fraction(self, aq: AttemptQuestion) -> str:
        response = getattr(aq, "response", None)
        if response is None or response.fraction is None:
            return "—"
        return f"{response.fraction * 100:.0f} %"


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["student", "assignment", "number", "state", "percent_display", "finished_at"]
    list_filter = ["state", ("assignment__school_class", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["student", "assignment__quiz", "assignment__school_class"]
    search_fields = ["student__username", "student__first_name", "student__last_name"]
    inlines = [AttemptQuestionInline]
    fields = [
        "assignment",
        "student",
        "number",
        "state",
        "started_at",
        "deadline",
        "finished_at",
        "finish_reason",
        "score_display",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attempt]:
        return Attempt.objects.visible_to_teacher(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("score"))
    def percent_display(self, attempt: Attempt) -> str:
        if attempt.percent is None:
            return "—"
        return format_html("{}&nbsp;%", f"{attempt.percent:.0f}")

    @admin.display(description=gettext_lazy("score"))
    def score_display(self, attempt: Attempt) -> str:
        if attempt.score is None:
            return "—"
        return format_html(
            "{} / {} ({}&nbsp;%)",
            f"{attempt.score:.2f}".rstrip("0").rstrip("."),
            f"{attempt.max_score:.2f}".rstrip("0").rstrip("."),
            f"{attempt.percent:.0f}",
        )

"""Classes, assignments and attempts in the admin, scoped to the classes a teacher teaches.

Banks and questions are shared by every teacher; everything about students is not. Every
queryset here goes through a `taught_by` / `visible_to_teacher` method, so a teacher never sees,
picks or edits another teacher's class, assignment or attempt (superusers see everything).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizzes.admin import results_views, roster_views, scoring_views
from quizzes.assigning import assignment_changes_record, assignment_save, overrides_changes
from quizzes.http import request_user
from quizzes.markup import render_markdown
from quizzes.models import (
    Assignment,
    AssignmentChange,
    AssignmentOverride,
    Attempt,
    AttemptQuestion,
    Enrollment,
    Quiz,
    SchoolClass,
)
from quizzes.models.assignment import OVERRIDE_FIELDS
from quizzes.models.quiz import REVIEW_FIELDS
from quizzes.presentation import describe_answer
from quizzes.services import attempts_refresh_deadlines


class EnrollmentInline(admin.TabularInline):
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
            SchoolClass.objects.taught_by(request_user(request))
            .annotate(n_students=Count("enrollments", distinct=True))
            .order_by("name", "id")
        )

    @admin.display(description=gettext_lazy("students"), ordering="n_students")
    def student_count(self, school_class: Any) -> int:
        return school_class.n_students

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"teachers": [request.user.pk]}

    def get_urls(self) -> list[Any]:
        return [
            *results_views.class_urls(self),
            *roster_views.class_urls(self),
            *super().get_urls(),
        ]

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


class OverrideInline(admin.TabularInline):
    """Per-student exceptions; the rules (enrolled student, a real change) are the model's."""

    model = AssignmentOverride
    fields = ("student", *OVERRIDE_FIELDS)
    autocomplete_fields = ["student"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentOverride]:
        return super().get_queryset(request).select_related("student")


class AssignmentChangeInline(admin.TabularInline):
    """The exam's history: every logged change, newest first. Read-only."""

    model = AssignmentChange
    fields = ["changed_at", "changed_by", "what_changed"]
    readonly_fields = ["changed_at", "changed_by", "what_changed"]
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("history of changes to this exam")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentChange]:
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("what changed"))
    def what_changed(self, change: AssignmentChange) -> str:
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} → {}",
            ((c.get("what", ""), c.get("from", ""), c.get("to", "")) for c in change.changes),
        )


class ChooseQuizForm(forms.Form):
    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.filter(is_published=True),
        label=gettext_lazy("Quiz to assign"),
        help_text=gettext_lazy(
            "Its default exam settings are filled in on the next page; change them there "
            "for this class."
        ),
    )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["quiz", "school_class", "opens_at", "closes_at", "status", "attempt_count"]
    list_filter = [("school_class", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["quiz", "school_class"]
    search_fields = ["quiz__title", "school_class__name"]
    date_hierarchy = "opens_at"
    readonly_fields = ["created_by"]
    inlines = [OverrideInline, AssignmentChangeInline]
    fieldsets = [
        (None, {"fields": ["quiz", "school_class", "opens_at", "closes_at", "created_by"]}),
        (
            gettext_lazy("Timing and attempts"),
            {"fields": ["time_limit_minutes", "attempts_allowed", "grading_method", "pass_mark"]},
        ),
        (
            gettext_lazy("Order and navigation"),
            {
                "fields": [
                    "shuffle_questions",
                    "shuffle_choices",
                    "navigation",
                    "questions_per_page",
                ]
            },
        ),
        (
            gettext_lazy("Review policy"),
            {
                "fields": list(REVIEW_FIELDS),
                "description": gettext_lazy(
                    "What students see after an attempt, and when. Nothing is shown during it. "
                    "Practice and old reviews never show a question this exam could ask until "
                    "its correct answers are shown."
                ),
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return Assignment.objects.taught_by(request_user(request)).annotate(
            n_attempts=Count("attempts")
        )

    def get_urls(self) -> list[Any]:
        return [
            *results_views.assignment_urls(self),
            *scoring_views.assignment_urls(self),
            *roster_views.assignment_urls(self),
            *super().get_urls(),
        ]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        # A new assignment has no history yet.
        return self.inlines if obj is not None else [OverrideInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The quiz is chosen once: its attempts and settings belong to this assignment.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "quiz"] if obj is not None else fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "school_class":
            kwargs["queryset"] = SchoolClass.objects.taught_by(request_user(request))
        elif db_field.name == "quiz":
            kwargs["queryset"] = Quiz.objects.filter(is_published=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _chosen_quiz(self, request: HttpRequest) -> Quiz | None:
        raw = request.GET.get("quiz", "")
        if not raw.isascii() or not raw.isdigit():
            return None
        return Quiz.objects.filter(is_published=True, pk=int(raw)).first()

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        """First the quiz (its defaults fill the form), then the class, window and settings."""
        if self._chosen_quiz(request) is None:
            form = ChooseQuizForm(request.GET if "quiz" in request.GET else None)
            return TemplateResponse(
                request,
                "admin/quizzes/assignment/choose_quiz.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": _("Choose the quiz to assign"),
                    "form": form,
                    "has_view_permission": self.has_view_permission(request),
                },
            )
        return super().add_view(request, form_url, extra_context)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        quiz = self._chosen_quiz(request)
        if quiz is not None:
            initial.update({"quiz": quiz.pk, **quiz.exam_settings()})
        return initial

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "quiz" in form.base_fields:
            # The quiz comes from the chooser, never from the posted form.
            quiz = self._chosen_quiz(request)
            form.base_fields["quiz"].initial = quiz.pk if quiz else None
            form.base_fields["quiz"].disabled = True
        return form

    def save_model(self, request: HttpRequest, obj: Assignment, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        changes = assignment_save(
            assignment=obj, changed_by=request_user(request), now=timezone.now()
        )
        if changes and obj.attempts.exists():
            self.message_user(
                request,
                _(
                    "Students have started this exam: the change applies to them now "
                    "(running attempts included) and is logged in its history."
                ),
                messages.WARNING,
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not AssignmentOverride:
            return super().save_formset(request, form, formset, change)
        assignment = form.instance
        before = list(assignment.overrides.select_related("student"))
        super().save_formset(request, form, formset, change)
        if change:
            after = list(assignment.overrides.select_related("student"))
            assignment_changes_record(
                assignment=assignment,
                changed_by=request_user(request),
                now=timezone.now(),
                changes=overrides_changes(before=before, after=after),
            )
        return None

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
    """Each frozen question of an attempt: what it asked, the answer, and the score that counts
    (the key's, or a teacher's where she set one, shown with her comment). Read-only."""

    model = AttemptQuestion
    template = "admin/quizzes/attempt/_questions_inline.html"
    fields = ("position", "question_text", "points", "answer", "fraction", "teacher_score")
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
    def question_text(self, aq: AttemptQuestion) -> str:
        """The question as frozen in this attempt: its title, then its prompt."""
        return format_html(
            "<strong>{}</strong><div>{}</div>",
            aq.snapshot.get("title", ""),
            render_markdown(aq.snapshot.get("prompt", "")),
        )

    @admin.display(description=gettext_lazy("answer"))
    def answer(self, aq: AttemptQuestion) -> str:
        response = getattr(aq, "response", None)
        return describe_answer(aq.snapshot, response.answer if response else None)

    @admin.display(description=gettext_lazy("score"))
    def fraction(self, aq: AttemptQuestion) -> str:
        response = getattr(aq, "response", None)
        if response is None or response.score_fraction is None:
            return "—"
        return f"{response.score_fraction * 100:.0f} %"

    @admin.display(description=gettext_lazy("teacher's score"))
    def teacher_score(self, aq: AttemptQuestion) -> str:
        response = getattr(aq, "response", None)
        if response is None or response.override_fraction is None:
            return "—"
        key = "—" if response.fraction is None else f"{response.fraction * 100:.0f} %"
        return format_html(
            "{}<br>{}<br>{}",
            f"{response.override_fraction * 100:.0f} %",
            _("instead of the key's %(score)s") % {"score": key},
            response.override_comment,
        )


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["student", "assignment", "number", "state", "percent_display", "finished_at"]
    list_filter = ["state", ("assignment__school_class", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["student", "assignment__quiz", "assignment__school_class"]
    search_fields = ["student__username", "student__first_name", "student__last_name"]
    inlines = [AttemptQuestionInline]
    fields = (
        "assignment",
        "student",
        "number",
        "state",
        "started_at",
        "deadline",
        "finished_at",
        "finish_reason",
        "score_display",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attempt]:
        return Attempt.objects.visible_to_teacher(request_user(request))

    def get_urls(self) -> list[Any]:
        return [*scoring_views.attempt_urls(self), *super().get_urls()]

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

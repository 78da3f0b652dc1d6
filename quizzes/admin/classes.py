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
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizzes.admin import results_views, roster_views, scoring_views
from quizzes.admin.quizzes import AssignmentSlotInline
from quizzes.admin.widgets import LoadedAutocompleteInline
from quizzes.assigning import (
    accommodations_record,
    assignment_changes_record,
    assignment_save,
    overrides_changes,
    slots_changes,
)
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
    Slot,
)
from quizzes.models.assignment import OVERRIDE_FIELDS
from quizzes.models.quiz import REVIEW_FIELDS
from quizzes.presentation import describe_answer


class EnrollmentInline(LoadedAutocompleteInline):
    model = Enrollment
    fields = ["student", "time_multiplier", "has_unlimited_time", "joined_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["student"]
    extra = 1
    verbose_name = gettext_lazy("student")
    verbose_name_plural = gettext_lazy("roster (students and their accommodations)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrollment]:
        return super().get_queryset(request).select_related("student", "school_class")


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
        school_class = form.instance
        before = list(school_class.enrollments.select_related("student")) if change else []
        super().save_related(request, form, formsets, change)
        # A teacher who creates a class teaches it, whatever the form said; otherwise it would
        # vanish from their own admin the moment it was saved.
        if not request.user.is_superuser and not change:
            school_class.teachers.add(request.user)
        if change:
            # Extra time given during an exam applies at once and goes into its history.
            accommodations_record(
                school_class=school_class,
                before=before,
                after=school_class.enrollments.select_related("student"),
                changed_by=request_user(request),
                now=timezone.now(),
            )

    @admin.action(description=gettext_lazy("Give the selected classes new join codes"))
    def regenerate_join_codes(self, request: HttpRequest, queryset: QuerySet[SchoolClass]) -> None:
        for school_class in queryset:
            school_class.regenerate_join_code()
        self.message_user(
            request, _("New join codes made; the old ones no longer work."), messages.SUCCESS
        )


class OverrideInline(LoadedAutocompleteInline):
    """Per-student exceptions; the rules (enrolled student, a real change) are the model's."""

    model = AssignmentOverride
    fields = ("student", *OVERRIDE_FIELDS)
    autocomplete_fields = ["student"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentOverride]:
        return (
            super()
            .get_queryset(request)
            .select_related("student", "assignment__quiz", "assignment__school_class")
        )


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
    inlines = [AssignmentSlotInline, OverrideInline, AssignmentChangeInline]
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
        # A new assignment copies its quiz's questions when saved, and has no history yet.
        return self.inlines if obj is not None else [OverrideInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The quiz and the class are chosen once: the attempts belong to both.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "quiz", "school_class"] if obj is not None else fields

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
        self._note_changes(request, obj, changes)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Save an inline; a change to the exam's questions or overrides is logged."""
        assignment = form.instance
        if not change or formset.model not in (AssignmentOverride, Slot):
            return super().save_formset(request, form, formset, change)
        if formset.model is Slot:
            slots_before = list(assignment.slots.select_related("question", "bank", "tag"))
            super().save_formset(request, form, formset, change)
            slots_after = assignment.slots.select_related("question", "bank", "tag")
            changes = slots_changes(before=slots_before, after=slots_after)
        else:
            before = list(assignment.overrides.select_related("student"))
            super().save_formset(request, form, formset, change)
            after = assignment.overrides.select_related("student")
            changes = overrides_changes(before=before, after=after)
        assignment_changes_record(
            assignment=assignment,
            changed_by=request_user(request),
            now=timezone.now(),
            changes=changes,
        )
        self._note_changes(request, assignment, changes)
        return None

    def _note_changes(
        self, request: HttpRequest, assignment: Assignment, changes: list[dict[str, str]]
    ) -> None:
        """Tell the teacher, once per save, when a logged change reaches a live exam."""
        if not changes or getattr(request, "_exam_change_noted", False):
            return
        request._exam_change_noted = True  # type: ignore[attr-defined]
        if not Assignment.objects.filter(pk=assignment.pk).live(now=timezone.now()).exists():
            return
        message = _(
            "This exam is open or upcoming: the change applies to its students at once, and "
            "it is recorded in the exam's history."
        )
        if assignment.attempts.exists():
            message += " " + _(
                "Students have started it: attempts already started keep their questions, but "
                "new times and review settings apply to them too."
            )
        self.message_user(request, message, messages.WARNING)

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
    fields = (
        "position",
        "question_text",
        "points",
        "answer",
        "key_score",
        "teacher_score",
        "comment",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AttemptQuestion]:
        return super().get_queryset(request).select_related("response", "attempt")

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

    @admin.display(description=gettext_lazy("key's score"))
    def key_score(self, aq: AttemptQuestion) -> str:
        """What the key gives the answer; a teacher's score, if any, counts instead."""
        response = getattr(aq, "response", None)
        if response is None or response.fraction is None:
            return "—"
        return f"{response.fraction * 100:.0f} %"

    @admin.display(description=gettext_lazy("teacher's score"))
    def teacher_score(self, aq: AttemptQuestion) -> str:
        """The teacher's score (it counts instead of the key's), and where to change it."""
        response = getattr(aq, "response", None)
        if response is None:
            return "—"
        shown = (
            "—"
            if response.override_fraction is None
            else f"{response.override_fraction * 100:.0f} %"
        )
        if aq.attempt.is_in_progress:
            return shown
        return format_html(
            '{} <a href="{}">{}</a>',
            shown,
            reverse("admin:quizzes_attempt_override", args=[aq.attempt_id, response.pk]),
            _("Change score"),
        )

    @admin.display(description=gettext_lazy("teacher's comment"))
    def comment(self, aq: AttemptQuestion) -> str:
        response = getattr(aq, "response", None)
        return response.override_comment if response and response.override_comment else "—"


class AttemptAssignmentFilter(admin.SimpleListFilter):
    """The assignments the listed attempts belong to (so only the teacher's), in one query."""

    title = gettext_lazy("assignment")
    parameter_name = "assignment"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        attempts = model_admin.get_queryset(request)
        assignments = Assignment.objects.filter(pk__in=attempts.values("assignment"))
        return [
            (assignment.pk, str(assignment))
            for assignment in assignments.select_related("quiz", "school_class")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(assignment_id=value) if value and value.isdigit() else queryset


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    # The score comes second: a narrow screen shows it without scrolling sideways.
    list_display = [
        "student_name",
        "percent_display",
        "state",
        "assignment",
        "number",
        "finished_at",
    ]
    list_display_links = ["student_name"]
    list_filter = [
        "state",
        ("assignment__school_class", admin.RelatedOnlyFieldListFilter),
        AttemptAssignmentFilter,
        ("assignment__quiz", admin.RelatedOnlyFieldListFilter),
    ]
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

    @admin.display(description=gettext_lazy("student"), ordering="student__last_name")
    def student_name(self, attempt: Attempt) -> str:
        student = attempt.student
        name = student.get_full_name()
        return f"{name} ({student.username})" if name else student.username

    @admin.display(description=gettext_lazy("score"), ordering="score")
    def percent_display(self, attempt: Attempt) -> str:
        if attempt.percent is None:
            return "—"
        return format_html("{}&nbsp;%", f"{attempt.percent:.0f}")

    @admin.display(description=gettext_lazy("score"))
    def score_display(self, attempt: Attempt) -> str:
        if attempt.score is None:
            return "—"
        score = f"{attempt.score:.2f}".rstrip("0").rstrip(".")
        out_of = f"{attempt.max_score:.2f}".rstrip("0").rstrip(".")
        if attempt.percent is None:  # nothing to score (passages only)
            return format_html("{} / {}", score, out_of)
        return format_html("{} / {} ({}&nbsp;%)", score, out_of, f"{attempt.percent:.0f}")

"""Quiz authoring: settings in fieldsets, fixed and random slots inline, a student-view preview."""

import random
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quizzes.admin.widgets import LoadedAutocompleteInline, LoadedRowsFormSet
from quizzes.http import request_user
from quizzes.library import quiz_duplicate
from quizzes.models import Question, QuestionStatus, Quiz, Slot
from quizzes.models.quiz import REVIEW_FIELDS
from quizzes.presentation import draw_display_order, question_for_student
from quizzes.services import draw_questions, slots_problem


class SlotForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A fixed question is one question: the count field only means something for draws.
        if data.get("question") and not data.get("bank") and not data.get("tag"):
            data["count"] = 1
        return data


class SlotFormSet(LoadedRowsFormSet):
    """Fixed questions usable once each, and random slots some draw can fill (exactly)."""

    @property
    def _must_be_usable(self) -> bool:
        # A published quiz or an assignment (whose students start it) needs published questions.
        return getattr(self.instance, "is_published", True)

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        errors: list[str] = []
        fixed_ids = set()
        for form in live:
            question = form.cleaned_data.get("question")
            if not question:
                continue
            if question.status == QuestionStatus.RETIRED or (
                self._must_be_usable and question.status == QuestionStatus.DRAFT
            ):
                errors.append(
                    _("“%(title)s” is %(status)s; a published quiz needs published questions.")
                    % {"title": question.title, "status": question.get_status_display().lower()}
                )
            if question.pk in fixed_ids:
                errors.append(_("“%(title)s” is in the quiz twice.") % {"title": question.title})
            fixed_ids.add(question.pk)
        slots = [
            Slot(
                question=f.cleaned_data.get("question"),
                bank=f.cleaned_data.get("bank"),
                tag=f.cleaned_data.get("tag"),
                count=f.cleaned_data.get("count") or 1,
            )
            for f in live
        ]
        problem = slots_problem(slots)
        if problem:
            errors.append(problem)
        if self._must_be_usable and not live:
            errors.append(_("A published quiz or an assignment needs at least one slot."))
        if errors:
            raise ValidationError(errors)


class SlotInline(LoadedAutocompleteInline):
    """A quiz's slots: the template each new assignment of it copies."""

    model = Slot
    fk_name = "quiz"
    form = SlotForm
    formset = SlotFormSet
    fields = ["position", "question", "bank", "tag", "count", "points"]
    autocomplete_fields = ["question", "bank", "tag"]
    extra = 2
    verbose_name = gettext_lazy("slot (a fixed question, or random questions from a bank)")
    verbose_name_plural = gettext_lazy("questions in this quiz")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Slot]:
        return super().get_queryset(request).select_related("question", "bank", "tag")


class AssignmentSlotInline(SlotInline):
    """An assignment's own slots (copied from its quiz when it was created)."""

    fk_name = "assignment"
    extra = 0
    verbose_name_plural = gettext_lazy("questions in this exam")


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "slot_count", "time_limit_minutes", "grading_method"]
    list_filter = ["is_published", "grading_method", "navigation"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [SlotInline]
    actions = ["duplicate"]
    change_form_template = "admin/quizzes/quiz/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "is_published"]}),
        (
            gettext_lazy("Default timing and attempts"),
            {
                "fields": ["time_limit_minutes", "attempts_allowed", "grading_method", "pass_mark"],
                "description": gettext_lazy(
                    "Default exam settings: each new assignment of this quiz starts with these; "
                    "from then on the assignment has its own, which only the teachers of its "
                    "class change. Changing them here never changes an existing assignment."
                ),
            },
        ),
        (
            gettext_lazy("Default order and navigation"),
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
            gettext_lazy("Default review policy"),
            {
                "fields": list(REVIEW_FIELDS),
                "description": gettext_lazy(
                    "What students see after an attempt, and when. Nothing is shown during it."
                ),
            },
        ),
        (gettext_lazy("History"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        # Grouping drops Meta.ordering: order again, or the autocomplete pages through an
        # unordered list.
        return (
            super().get_queryset(request).annotate(n_slots=Count("slots")).order_by("title", "id")
        )

    @admin.display(description=gettext_lazy("slots"), ordering="n_slots")
    def slot_count(self, quiz: Any) -> int:
        return quiz.n_slots

    def save_model(self, request: HttpRequest, obj: Quiz, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and form.instance.assignments.exists():
            self.message_user(
                request,
                _(
                    "Assignments already made from this quiz keep their own questions and "
                    "settings: this change applies to new assignments only. To change an exam, "
                    "open its assignment."
                ),
                messages.INFO,
            )

    @admin.action(description=gettext_lazy("Duplicate selected quizzes"), permissions=["add"])
    def duplicate(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        copies = [quiz_duplicate(quiz=quiz, user=request_user(request)) for quiz in queryset]
        self.message_user(
            request,
            ngettext(
                "Made %(count)d unpublished copy: %(titles)s.",
                "Made %(count)d unpublished copies: %(titles)s.",
                len(copies),
            )
            % {"count": len(copies), "titles": ", ".join(c.title for c in copies)},
            messages.SUCCESS,
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="quizzes_quiz_preview",
            ),
            path(
                "<int:pk>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name="quizzes_quiz_duplicate",
            ),
            *super().get_urls(),
        ]

    def duplicate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST: an unpublished copy of the quiz for this teacher, opened for editing."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_view_permission(request) and self.has_add_permission(request)):
            raise PermissionDenied
        quiz = get_object_or_404(Quiz, pk=pk)
        copy = quiz_duplicate(quiz=quiz, user=request_user(request))
        self.message_user(
            request,
            _("This is your copy of “%(title)s”: change it freely, then publish it.")
            % {"title": quiz.title},
            messages.SUCCESS,
        )
        return redirect("admin:quizzes_quiz_change", copy.pk)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One sample draw of the quiz, shown as a student would see it (no key)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        quiz = get_object_or_404(Quiz, pk=pk)
        # Not a secret draw: a sample of what students may get.
        rng = random.Random()
        slots = list(quiz.slots.select_related("question", "bank", "tag"))
        problem = slots_problem(slots) or ""
        drawn = [] if problem else draw_questions(slots, rng)
        questions = []
        by_id = Question.objects.with_parts().in_bulk([pk for _slot, pk in drawn])
        for _slot, qpk in drawn:
            snapshot = by_id[qpk].snapshot()
            order = draw_display_order(snapshot, rng=rng, shuffle=quiz.shuffle_choices)
            questions.append(question_for_student(snapshot, order))
        return TemplateResponse(
            request,
            "admin/quizzes/quiz/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": quiz,
                "title": _("Preview: %(title)s") % {"title": quiz.title},
                "questions": questions,
                "problem": problem,
            },
        )

    def view_on_site(self, obj: Quiz) -> str:
        return reverse("admin:quizzes_quiz_preview", args=[obj.pk])

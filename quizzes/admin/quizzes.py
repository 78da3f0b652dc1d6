"""Quiz authoring: settings in fieldsets, fixed and random slots inline, a student-view preview."""

import random
from collections import Counter
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizzes.models import Question, QuestionStatus, Quiz, Slot
from quizzes.presentation import draw_display_order, question_for_student
from quizzes.services import draw_questions


class SlotFormSet(BaseInlineFormSet):
    """Each slot is a fixed question or a random draw, and every draw must be possible."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        errors: list[str] = []
        demand: Counter[tuple[Any, Any]] = Counter()
        fixed_ids = set()
        for form in live:
            data = form.cleaned_data
            question, bank, tag = data.get("question"), data.get("bank"), data.get("tag")
            if question and (bank or tag):
                errors.append(
                    _("A slot holds a fixed question or a random draw from a bank, not both.")
                )
            elif not question and not bank:
                errors.append(_("Choose a fixed question or a bank to draw random questions from."))
            elif question:
                if question.status == QuestionStatus.RETIRED:
                    errors.append(
                        _("“%(title)s” is retired; choose a published question.")
                        % {"title": question.title}
                    )
                if question.pk in fixed_ids:
                    errors.append(
                        _("“%(title)s” is in the quiz twice.") % {"title": question.title}
                    )
                fixed_ids.add(question.pk)
                if data.get("count", 1) != 1:
                    form.instance.count = 1
            else:
                demand[(bank, tag)] += data.get("count") or 1
        for (bank, tag), wanted in demand.items():
            available = (
                Question.objects.drawable_from(bank=bank, tag=tag).exclude(pk__in=fixed_ids).count()
            )
            if wanted > available:
                where = f"{bank} #{tag}" if tag else str(bank)
                errors.append(
                    _(
                        "Random slots ask for %(wanted)d questions from %(where)s, but it has only "
                        "%(available)d published questions (not counting this quiz's fixed ones). "
                        "Lower the count or publish more questions."
                    )
                    % {"wanted": wanted, "where": where, "available": available}
                )
        if self.instance.is_published and not live:
            errors.append(_("A published quiz needs at least one slot."))
        if errors:
            raise ValidationError(errors)


class SlotInline(admin.TabularInline):
    model = Slot
    formset = SlotFormSet
    fields = ["position", "question", "bank", "tag", "count", "points"]
    autocomplete_fields = ["question", "bank", "tag"]
    extra = 2
    verbose_name = gettext_lazy("slot (a fixed question, or random questions from a bank)")


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "slot_count", "time_limit_minutes", "grading_method"]
    list_filter = ["is_published", "grading_method", "navigation"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [SlotInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "is_published"]}),
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
                "fields": [
                    "review_score",
                    "review_correctness",
                    "review_correct_answer",
                    "review_feedback",
                    "review_explanation",
                ],
                "description": gettext_lazy(
                    "What students see after an attempt, and when. Nothing is shown during it."
                ),
            },
        ),
        (gettext_lazy("History"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        return super().get_queryset(request).annotate(n_slots=Count("slots"))

    @admin.display(description=gettext_lazy("slots"), ordering="n_slots")
    def slot_count(self, quiz: Any) -> int:
        return quiz.n_slots

    def save_model(self, request: HttpRequest, obj: Quiz, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="quizzes_quiz_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One sample draw of the quiz, shown as a student would see it (no key)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        quiz = get_object_or_404(Quiz, pk=pk)
        rng = random.Random()
        slots = list(quiz.slots.select_related("bank", "tag"))
        problem = ""
        questions = []
        try:
            drawn = draw_questions(slots, rng)
        except ValidationError as error:
            problem, drawn = error.messages[0], []
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

    def view_on_site(self, obj: Quiz) -> str:  # type: ignore[override]
        return reverse("admin:quizzes_quiz_preview", args=[obj.pk])

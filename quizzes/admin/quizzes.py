"""Quiz authoring: settings in fieldsets, fixed and random slots inline, a student-view preview."""

import random
from collections import Counter
from typing import Any

from django import forms
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


class SlotForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # A fixed question is one question: the count field only means something for draws.
        if data.get("question") and not data.get("bank") and not data.get("tag"):
            data["count"] = 1
        return data


class SlotFormSet(BaseInlineFormSet):
    """Every draw must be possible, alone and together with the quiz's other slots."""

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
                self.instance.is_published and question.status == QuestionStatus.DRAFT
            ):
                errors.append(
                    _("“%(title)s” is %(status)s; a published quiz needs published questions.")
                    % {"title": question.title, "status": question.get_status_display().lower()}
                )
            if question.pk in fixed_ids:
                errors.append(_("“%(title)s” is in the quiz twice.") % {"title": question.title})
            fixed_ids.add(question.pk)
        errors += self._impossible_draws(live, fixed_ids)
        if self.instance.is_published and not live:
            errors.append(_("A published quiz needs at least one slot."))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _impossible_draws(live: list[Any], fixed_ids: set[int]) -> list[str]:
        """Draws asking for more than a bank (or bank and tag) holds, per pool and per bank."""
        by_pool: Counter[tuple[Any, Any]] = Counter()
        by_bank: Counter[Any] = Counter()
        for form in live:
            data = form.cleaned_data
            if data.get("bank"):
                by_pool[(data["bank"], data.get("tag"))] += data.get("count") or 1
                by_bank[data["bank"]] += data.get("count") or 1
        # The whole-bank total replaces the untagged pool's own demand: it is never smaller.
        demands = [*by_pool.items(), *(((bank, None), n) for bank, n in by_bank.items())]
        errors = []
        for (bank, tag), wanted in dict(demands).items():
            available = (
                Question.objects.drawable_from(bank=bank, tag=tag).exclude(pk__in=fixed_ids).count()
            )
            if wanted > available:
                where = f"{bank} #{tag}" if tag else str(bank)
                errors.append(
                    _(
                        "Random slots ask for %(wanted)d questions from %(where)s, but it has "
                        "only %(available)d published questions (not counting this quiz's fixed "
                        "ones). Lower the count or publish more questions."
                    )
                    % {"wanted": wanted, "where": where, "available": available}
                )
        return errors


class SlotInline(admin.TabularInline):
    model = Slot
    form = SlotForm
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
        slots = list(quiz.slots.select_related("question", "bank", "tag"))
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

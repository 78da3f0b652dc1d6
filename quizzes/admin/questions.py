"""Question bank authoring: banks, tags and questions with one inline of key rows per type."""

import dataclasses
import random
from decimal import Decimal
from typing import Any

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from quizzes.admin import scoring_views
from quizzes.admin.key_fields import FractionChoiceField, RowRadio
from quizzes.admin.widgets import AutocompleteWidgetsMixin
from quizzes.authoring import KeyParts, key_warnings, validate_key
from quizzes.fractions import fraction_percent
from quizzes.http import request_user
from quizzes.library import (
    has_valid_key,
    question_duplicate,
    questions_move,
    questions_set_status,
)
from quizzes.models import (
    AcceptedAnswer,
    Assignment,
    Bank,
    Choice,
    MatchPair,
    NumericAnswer,
    OrderItem,
    Question,
    QuestionStatus,
    QuestionType,
    Tag,
)
from quizzes.models.question import key_rows_create
from quizzes.presentation import draw_display_order, question_for_student
from quizzes.question_types import KEY_ROW_KINDS, key_rows
from quizzes.shared_questions import (
    QuestionEdit,
    QuestionPlace,
    question_edits_check,
    question_edits_message,
    question_edits_record,
)

TYPE_HELP = {
    QuestionType.SINGLE: _("One correct answer among several choices."),
    QuestionType.MULTIPLE: _("Several correct choices; partial credit, wrong picks subtract."),
    QuestionType.TRUE_FALSE: _("A statement the student marks true or false."),
    QuestionType.SHORT: _("A typed word or phrase, matched against accepted answers."),
    QuestionType.NUMERIC: _("A typed number, accepted within a tolerance."),
    QuestionType.MATCHING: _("Match each item to its partner from a list."),
    QuestionType.ORDERING: _("Put items in the right order."),
    QuestionType.DESCRIPTION: _("A passage or table that introduces the questions after it."),
}


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "question_count", "published_count", "is_practice_open"]
    list_editable = ["is_practice_open"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bank]:
        from django.db.models import Q

        return (
            super()
            .get_queryset(request)
            .annotate(
                n_questions=Count("questions"),
                n_published=Count("questions", filter=Q(questions__status="published")),
            )
        )

    @admin.display(description=_("questions"), ordering="n_questions")
    def question_count(self, bank: Any) -> int:
        return bank.n_questions

    @admin.display(description=_("published"), ordering="n_published")
    def published_count(self, bank: Any) -> int:
        return bank.n_published


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class KeyRowsFormSet(BaseInlineFormSet):
    """Validates the key rows of one type against the question being saved.

    Each question type has exactly one inline (see QuestionAdmin.get_inlines), so this formset
    sees every key row the question will have, and applies the shared authoring rules to them.
    """

    part_name = ""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        live = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        live.sort(key=lambda form: form.cleaned_data.get("position") or 0)
        try:
            validate_key(self.instance.type, KeyParts(**{self.part_name: self.rows(live)}))
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def rows(self, forms_: list[forms.Form]) -> list[Any]:
        raise NotImplementedError


class ChoiceFormSet(KeyRowsFormSet):
    part_name = "choices"

    def rows(self, forms_: list[forms.Form]) -> list[Any]:
        return [f.cleaned_data["fraction"] for f in forms_]


class AcceptedAnswerFormSet(KeyRowsFormSet):
    part_name = "answers"

    def rows(self, forms_: list[forms.Form]) -> list[Any]:
        return [(f.cleaned_data["text"], f.cleaned_data["fraction"]) for f in forms_]


class NumericAnswerFormSet(KeyRowsFormSet):
    part_name = "numeric"

    def rows(self, forms_: list[forms.Form]) -> list[Any]:
        return [
            (f.cleaned_data["value"], f.cleaned_data["tolerance"], f.cleaned_data["fraction"])
            for f in forms_
        ]


class MatchPairFormSet(KeyRowsFormSet):
    part_name = "pairs"

    def rows(self, forms_: list[forms.Form]) -> list[Any]:
        return [(f.cleaned_data["prompt"], f.cleaned_data["answer"]) for f in forms_]


class OrderItemFormSet(KeyRowsFormSet):
    part_name = "items"

    def rows(self, forms_: list[forms.Form]) -> list[Any]:
        return [f.cleaned_data["text"] for f in forms_]


SMALL_TEXT = forms.Textarea(attrs={"rows": 2, "cols": 40})
POSITION_INPUT = forms.NumberInput(attrs={"style": "width: 4em"})
ONE, ZERO = Decimal(1), Decimal(0)


class KeyRowForm(forms.ModelForm):
    """A blank row comes numbered (QuestionAdmin.get_formset_kwargs); its number alone, or a
    renumbering, does not make it a row to save."""

    def has_changed(self) -> bool:
        if self.instance.pk is not None:
            return super().has_changed()
        return bool(set(self.changed_data) - {"position"})


class GradedRowForm(KeyRowForm):
    """A row whose share of the marks is chosen from the grade menu, negatives included."""

    fraction = FractionChoiceField(
        minimum=-ONE,
        label=_("Grade"),
        help_text=_(
            "Share of the question's points for picking this choice; the correct choices add "
            "up to 100 %, a wrong one may take marks away."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("fraction")
        if self.instance.pk is not None and isinstance(field, FractionChoiceField):
            field.offer(self.instance.fraction)


class AnswerRowForm(GradedRowForm):
    fraction = FractionChoiceField(
        minimum=ZERO,
        label=_("Grade"),
        help_text=_("100 % for a fully right answer; less for a nearly right one."),
    )


class CorrectRowForm(KeyRowForm):
    """A true/false row: the teacher marks which row is correct (100 %); the others get 0."""

    correct = forms.BooleanField(label=_("Correct answer"), required=False, widget=RowRadio)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["correct"] = self.instance.pk is not None and self.instance.fraction == ONE
        if self.initial["correct"] and "fraction" in self.fields:
            self.initial["fraction"] = ZERO  # the partial-credit menu of the correct row

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("correct"):
            cleaned["fraction"] = ONE
        elif "fraction" not in self.fields or cleaned.get("fraction") is None:
            cleaned["fraction"] = ZERO
        if "fraction" not in self.fields:  # not written to the row by the form: write it here
            self.instance.fraction = cleaned["fraction"]
        return cleaned


class SingleChoiceRowForm(CorrectRowForm):
    """A single-choice row: the correct radio, and partial credit for a nearly right choice."""

    fraction = FractionChoiceField(
        minimum=ZERO,
        maximum=Decimal("0.9"),
        required=False,
        label=_("Partial credit"),
        help_text=_("Only for a choice that is not the correct answer but nearly right."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fraction"]
        if self.instance.pk is not None and isinstance(field, FractionChoiceField):
            field.offer(self.instance.fraction if self.instance.fraction != ONE else None)


class KeyRowsInline(admin.TabularInline):
    form: type[forms.ModelForm] = KeyRowForm
    extra = 3
    widgets: dict[str, forms.Widget] = {}

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("widgets", {"position": POSITION_INPUT, **self.widgets})
        return super().get_formset(request, obj, **kwargs)

    def _is_read_only(self, request: HttpRequest, obj: Any) -> bool:
        parent = self.admin_site.get_model_admin(Question)
        return obj is not None and not parent.has_change_permission(request, obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if not self._is_read_only(request, obj):
            return fields
        # Shown read-only, a stored 1.0000000 reads as the grade the menu would show.
        shown = [name for name in fields if name != "correct" or "fraction" not in fields]
        return ["grade" if name in ("fraction", "correct") else name for name in shown]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "grade"] if self._is_read_only(request, obj) else fields

    @admin.display(description=_("Grade"))
    def grade(self, row: Any) -> str:
        return fraction_percent(row.fraction) if hasattr(row, "fraction") else ""


class ChoiceInline(KeyRowsInline):
    """Multiple response: a grade per choice."""

    model = Choice
    form: type[forms.ModelForm] = GradedRowForm
    formset = ChoiceFormSet
    fields = ["text", "fraction", "feedback", "position"]
    widgets = {"text": SMALL_TEXT, "feedback": SMALL_TEXT}
    extra = 4


class SingleChoiceInline(ChoiceInline):
    form = SingleChoiceRowForm
    fields = ["text", "correct", "fraction", "feedback", "position"]


class TrueFalseInline(ChoiceInline):
    form = CorrectRowForm
    fields = ["text", "correct", "feedback", "position"]
    extra = 2
    max_num = 2


class AcceptedAnswerInline(KeyRowsInline):
    model = AcceptedAnswer
    form = AnswerRowForm
    formset = AcceptedAnswerFormSet
    fields = ["text", "fraction", "feedback", "position"]
    widgets = {"feedback": SMALL_TEXT}


class NumericAnswerInline(KeyRowsInline):
    model = NumericAnswer
    form = AnswerRowForm
    formset = NumericAnswerFormSet
    fields = ["value", "tolerance", "fraction", "feedback", "position"]
    widgets = {"feedback": SMALL_TEXT}


class MatchPairInline(KeyRowsInline):
    model = MatchPair
    formset = MatchPairFormSet
    fields = ["prompt", "answer", "position"]
    extra = 4


class OrderItemInline(KeyRowsInline):
    model = OrderItem
    formset = OrderItemFormSet
    fields = ["text", "position"]
    extra = 4


INLINE_BY_KEY_ROWS: dict[str, type[KeyRowsInline]] = {
    "choices": ChoiceInline,
    "answers": AcceptedAnswerInline,
    "numeric": NumericAnswerInline,
    "pairs": MatchPairInline,
    "items": OrderItemInline,
}
INLINE_BY_TYPE: dict[str, type[KeyRowsInline]] = {
    QuestionType.SINGLE: SingleChoiceInline,
    QuestionType.TRUE_FALSE: TrueFalseInline,
}


class FactsReviewFilter(admin.SimpleListFilter):
    title = _("facts review")
    parameter_name = "facts"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("due", _("Due for review")),
            ("current", _("Up to date")),
            ("undated", _("No facts-as-of date")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> QuerySet[Question]:
        age = settings.QUIZZES_FACTS_REVIEW_AGE_DAYS
        today = timezone.localdate()
        due = Question.objects.facts_due(today=today, age_days=age).values("pk")
        if self.value() == "due":
            return queryset.filter(pk__in=due)
        if self.value() == "current":
            return queryset.filter(facts_as_of__isnull=False).exclude(pk__in=due)
        if self.value() == "undated":
            return queryset.filter(facts_as_of__isnull=True)
        return queryset


class QuestionForm(forms.ModelForm):
    """The question form; its clean() asks shared_questions.question_edits_check whether the
    edit may reach the live exams that ask or could draw the question (before or after)."""

    editor: User | None = None  # set per request by QuestionAdmin.get_form
    reached: list[tuple[QuestionEdit, list[Assignment]]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.reached = []
        bank, status = cleaned.get("bank"), cleaned.get("status")
        if self.editor is None or bank is None or not status or "tags" in self.errors:
            return cleaned
        saved = self.instance.pk and Question.objects.prefetch_related("tags").get(
            pk=self.instance.pk
        )
        after = QuestionPlace(
            pk=self.instance.pk,
            bank_id=bank.pk,
            tag_ids=frozenset(tag.pk for tag in cleaned.get("tags") or []),
            is_published=status == QuestionStatus.PUBLISHED,
        )
        edit = QuestionEdit(
            title=cleaned.get("title") or self.instance.title,
            before=QuestionPlace.of(saved) if saved else None,
            after=after,
        )
        try:
            self.reached = question_edits_check(user=self.editor, edits=[edit], now=timezone.now())
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return cleaned


class MoveToBankForm(forms.Form):
    bank = forms.ModelChoiceField(queryset=Bank.objects.all(), label=_("Move to bank"))


@admin.register(Question)
class QuestionAdmin(AutocompleteWidgetsMixin, admin.ModelAdmin):
    form = QuestionForm
    list_display = ["title", "type", "bank", "status", "difficulty", "facts_as_of"]
    list_filter = ["bank", "type", "status", "difficulty", "tags", FactsReviewFilter]
    list_select_related = ["bank"]
    search_fields = ["title", "prompt", "key", "tags__name"]
    autocomplete_fields = ["tags", "stimulus"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    actions = ["publish", "retire", "move_to_bank", "duplicate"]

    class Media:
        js = ["quizzes/authoring.js"]  # numbers rows added in the page (radio value, position)

    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["type", "bank", "title", "status", "key"]}),
        # The key rows (one inline, chosen by type) are shown here; see change_form.html.
        (
            _("Question"),
            {"fields": ["prompt", "stimulus", "image", "image_alt", "explanation"]},
        ),
        (
            _("Source and review"),
            {"fields": ["source_outlet", "source_title", "source_url", "facts_as_of"]},
        ),
        (
            _("Classification"),
            {"fields": ["difficulty", "default_points", "tags"]},
        ),
    ]
    OPTIONS_BY_TYPE: dict[str, Any] = {
        QuestionType.MULTIPLE: ["is_all_or_nothing"],
        QuestionType.SHORT: ["is_case_sensitive", "is_accent_insensitive"],
    }

    def get_fieldsets(self, request: HttpRequest, obj: Question | None = None) -> list[Any]:
        """Only the options that mean something for this type; history once there is some."""
        fieldsets = list(self.fieldsets)
        options = self.OPTIONS_BY_TYPE.get(self.requested_type(request, obj) or "")
        if options:
            fieldsets.insert(2, (_("Options"), {"fields": options}))
        if obj is not None:
            fieldsets.append((_("History"), {"fields": ["created_by", "created_at", "updated_at"]}))
        return fieldsets

    # -- the type decides the inline; it is chosen first and fixed afterwards ------------------

    def requested_type(self, request: HttpRequest, obj: Question | None) -> str | None:
        if obj is not None:
            return obj.type
        value = request.GET.get("type", "")
        return value if value in QuestionType.values else None

    def get_inlines(self, request: HttpRequest, obj: Question | None) -> list[Any]:
        question_type = self.requested_type(request, obj)
        rows = key_rows(question_type) if question_type else None
        if not rows:
            return []
        return [INLINE_BY_TYPE.get(question_type or "") or INLINE_BY_KEY_ROWS[rows]]

    def get_readonly_fields(self, request: HttpRequest, obj: Question | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "type"] if obj is not None else fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.editor = request_user(request)  # type: ignore[attr-defined]
        if obj is None and "type" in form.base_fields:
            # The type comes from the chooser link, never from the posted form.
            form.base_fields["type"].initial = self.requested_type(request, None)
            form.base_fields["type"].disabled = True
        return form

    def get_formset_kwargs(self, request: HttpRequest, obj: Any, inline: Any, prefix: str):
        """Blank rows come numbered after the existing ones: a row added at the bottom of the
        form stays at the bottom (save_formset numbers rows by position, then form order)."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method != "GET" or not isinstance(inline, KeyRowsInline):
            return kwargs
        after = 0
        if obj.pk is not None:
            after = inline.model.objects.filter(question=obj).aggregate(n=Max("position"))["n"] or 0
        initial: list[dict[str, Any]] = [
            {"position": after + n} for n in range(1, inline.get_extra(request, obj) + 1)
        ]
        if obj.pk is None and self.requested_type(request, None) == QuestionType.TRUE_FALSE:
            # The teacher marks which is true: nothing is marked for her.
            initial[0].update(text=_("True"))
            initial[1].update(text=_("False"))
        kwargs["initial"] = initial
        return kwargs

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_changeform_initial_data(request), "type": request.GET.get("type")}

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        if self.requested_type(request, None) is None:
            return TemplateResponse(
                request,
                "admin/quizzes/question/choose_type.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": _("Choose a question type"),
                    "types": [
                        (value, label, TYPE_HELP[QuestionType(value)])
                        for value, label in QuestionType.choices
                    ],
                    "has_view_permission": self.has_view_permission(request),
                },
            )
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if not isinstance(formset, KeyRowsFormSet):
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        # Rows are shown by position. Ids no longer break ties (new rows are inserted in a
        # random order, below), so number them 1..n: by the position given, then form order.
        kept = [
            form.instance
            for form in formset.forms
            if form.has_changed() or form.instance.pk is not None
            if form not in formset.deleted_forms and form.cleaned_data
        ]
        for position, row in enumerate(sorted(kept, key=lambda row: row.position), start=1):
            row.position = position
        for row in kept:
            if row.pk is not None:
                row.save()
        # New key rows go in shuffled, so their ids never follow the order they were written in.
        key_rows_create(row for row in kept if row.pk is None)
        return None

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for warning in key_warnings(form.instance.type, form.instance.key_parts()):
            self.message_user(request, warning, messages.WARNING)
        # Live exams that ask or could draw the question (checked by QuestionForm.clean).
        edited = [form.fields[name].label for name in form.changed_data]
        edited += [fs.model._meta.verbose_name_plural for fs in formsets if fs.has_changed()]
        reached = [(edit, exams) for edit, exams in form.reached if exams]
        if reached and edited:
            described = [
                (
                    dataclasses.replace(
                        edit,
                        was="—" if change else _("not in the bank"),
                        now_is=_("changed: %(fields)s") % {"fields": ", ".join(map(str, edited))}
                        if change
                        else _("added"),
                    ),
                    exams,
                )
                for edit, exams in reached
            ]
            exams = question_edits_record(
                reached=described, changed_by=request_user(request), now=timezone.now()
            )
            self.message_user(request, question_edits_message(exams), messages.WARNING)

    # -- questions inside other teachers' exams --------------------------------------------------

    def edit_refusal(self, request: HttpRequest, obj: Question) -> str:
        """Why this user may not change `obj` now ("" when they may); asked once per request."""
        refusals: dict[int, str] = request.__dict__.setdefault("_question_edit_refusals", {})
        if obj.pk not in refusals:
            place = QuestionPlace.of(obj)
            edit = QuestionEdit(title=obj.title, before=place, after=place)
            try:
                question_edits_check(user=request_user(request), edits=[edit], now=timezone.now())
                refusals[obj.pk] = ""
            except ValidationError as error:
                refusals[obj.pk] = error.messages[0]
        return refusals[obj.pk]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not self.edit_refusal(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not self.edit_refusal(request, obj))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        refusal = self.edit_refusal(request, obj) if obj is not None else ""
        # Attempts keep the snapshot they were given: an edit reaches them only by a regrade.
        in_use = obj is not None and obj.attempt_questions.exists()
        extra_context = {**(extra_context or {}), "edit_refusal": refusal, "is_in_use": in_use}
        return super().change_view(request, object_id, form_url, extra_context)

    # -- bulk actions ---------------------------------------------------------------------------

    @admin.action(description=_("Publish selected questions"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        self._set_status(request, queryset, QuestionStatus.PUBLISHED)

    @admin.action(description=_("Retire selected questions"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        self._set_status(request, queryset, QuestionStatus.RETIRED)

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Question], status: str) -> None:
        try:
            count, exams = questions_set_status(
                questions=queryset, status=status, by=request_user(request), now=timezone.now()
            )
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return
        if exams:
            self.message_user(request, question_edits_message(exams), messages.WARNING)
        self.message_user(
            request,
            ngettext(
                "%(count)d question is now %(status)s.",
                "%(count)d questions are now %(status)s.",
                count,
            )
            % {"count": count, "status": QuestionStatus(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Move selected questions to another bank"), permissions=["change"])
    def move_to_bank(self, request: HttpRequest, queryset: QuerySet[Question]):
        form = MoveToBankForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            bank = form.cleaned_data["bank"]
            try:
                count, exams = questions_move(
                    questions=queryset, bank=bank, by=request_user(request), now=timezone.now()
                )
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
                return None
            if exams:
                self.message_user(request, question_edits_message(exams), messages.WARNING)
            self.message_user(
                request,
                ngettext(
                    "Moved %(count)d question to %(bank)s.",
                    "Moved %(count)d questions to %(bank)s.",
                    count,
                )
                % {"count": count, "bank": bank},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/quizzes/question/move_to_bank.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Move questions to another bank"),
                "form": form,
                "questions": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Duplicate selected questions as drafts"), permissions=["add"])
    def duplicate(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        copies = [question_duplicate(question=q, user=request_user(request)) for q in queryset]
        self.message_user(
            request,
            ngettext("Made %(count)d draft copy.", "Made %(count)d draft copies.", len(copies))
            % {"count": len(copies)},
            messages.SUCCESS,
        )

    # -- preview ---------------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        # The one page framed, and only by the admin's own preview page. (django-csp types a
        # view as taking the request alone.)
        framed_by_admin = csp_replace({"frame-ancestors": ["'self'"]})(
            self.student_preview_view  # type: ignore[arg-type]
        )
        return [
            *scoring_views.question_urls(self),
            path("<int:pk>/preview/", wrap(self.preview_view), name="quizzes_question_preview"),
            path(
                "<int:pk>/preview/student/",
                wrap(xframe_options_sameorigin(framed_by_admin)),
                name="quizzes_question_student_preview",
            ),
            *super().get_urls(),
        ]

    def _previewable(self, request: HttpRequest, pk: int) -> Question:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Question.objects.with_parts(), pk=pk)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The question as a student sees it (in a frame), with the key shown apart from it."""
        question = self._previewable(request, pk)
        snapshot = question.snapshot()
        return TemplateResponse(
            request,
            "admin/quizzes/question/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": question,
                "title": _("Preview: %(title)s") % {"title": question.title},
                "snapshot": snapshot,
                # Named lists: a template reading snapshot.items would get dict.items().
                "key_rows": {name: snapshot.get(name, []) for name in KEY_ROW_KINDS},
                "key_is_valid": has_valid_key(question),
            },
        )

    def student_preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = self._previewable(request, pk)
        snapshot = question.snapshot()
        order = draw_display_order(snapshot, rng=random.Random(question.pk), shuffle=False)
        return TemplateResponse(
            request,
            "quizzes/question_preview.html",
            {"question": question_for_student(snapshot, order), "prefix": "preview"},
        )

    def view_on_site(self, obj: Question) -> str:
        return reverse("admin:quizzes_question_preview", args=[obj.pk])

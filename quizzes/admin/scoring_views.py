"""Teachers' score pages in the admin: a response's score overridden, and regrades.

Reached from the object tools of an attempt, an assignment and a question. Every view loads
what it shows through an access-checked getter (quizzes.admin.access): another teacher's attempt
or assignment is a 404. Questions are shared, so anyone who may view a question opens its
regrade page, but the regrade reaches only attempts in classes she teaches (superusers: all),
and the page says how many it left out. Writes go through quizzes.scoring, from POST only, and
end in a redirect with a message.
"""

import functools
import uuid
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes import grading, scoring
from quizzes.admin.access import taught_assignment_or_404, teacher_attempt_or_404
from quizzes.admin.pages import page_context
from quizzes.http import request_user
from quizzes.models import (
    Assignment,
    Attempt,
    Question,
    Response,
    ScoreChange,
    ScoreChangeKind,
)
from quizzes.presentation import describe_answer

# --- forms -----------------------------------------------------------------------------------


class OverrideForm(forms.Form):
    """A teacher's score for one response, in points or in percent, and why."""

    POINTS = "points"
    PERCENT = "percent"

    score = forms.DecimalField(
        label=gettext_lazy("Score"),
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=7,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(label=gettext_lazy("Given in"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=gettext_lazy("Why (the student reads this with the feedback)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args: Any, points: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.points = points
        units = [(self.PERCENT, _("percent of the marks"))]
        if points > 0:
            out_of = _("points, out of %(points)s") % {"points": _num(points)}
            units.insert(0, (self.POINTS, out_of))
        field = cast(forms.ChoiceField, self.fields["unit"])
        field.choices = units
        field.initial = units[0][0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        score, unit = data.get("score"), data.get("unit")
        if score is None or unit is None:
            return data
        if unit == self.POINTS:
            if score > self.points:
                raise ValidationError(
                    _("At most %(points)s points: the question is worth that much."),
                    code="score_too_high",
                    params={"points": _num(self.points)},
                )
            fraction = score / self.points
        else:
            if score > 100:
                raise ValidationError(_("At most 100 %."), code="score_too_high")
            fraction = score / 100
        data["fraction"] = fraction.quantize(Decimal("0.0000001"), rounding=ROUND_HALF_UP)
        return data


class RemoveOverrideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why (optional, kept in the log)"), max_length=2000, required=False
    )


class RegradeForm(forms.Form):
    """The dry run the teacher read, as its fingerprint; applied only if it still holds."""

    fingerprint = forms.RegexField(regex=r"\A[0-9a-f]{64}\Z", widget=forms.HiddenInput)


def _num(value: Decimal) -> str:
    """A number without trailing zeros: 2, 1.5, 0.25."""
    return format(value.normalize(), "f")


# --- wiring ----------------------------------------------------------------------------------


def _wrap(model_admin: admin.ModelAdmin, view: Callable[..., HttpResponse]) -> Callable[..., Any]:
    return model_admin.admin_site.admin_view(functools.partial(view, model_admin=model_admin))


def attempt_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    return [
        path(
            "<int:pk>/scores/",
            _wrap(model_admin, attempt_scores_view),
            name="quizzes_attempt_scores",
        ),
        path(
            "<int:pk>/scores/<int:response_pk>/",
            _wrap(model_admin, override_view),
            name="quizzes_attempt_override",
        ),
        path(
            "<int:pk>/scores/<int:response_pk>/remove/",
            _wrap(model_admin, override_remove_view),
            name="quizzes_attempt_override_remove",
        ),
    ]


def assignment_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    return [
        path(
            "<int:pk>/regrade/",
            _wrap(model_admin, assignment_regrade_view),
            name="quizzes_assignment_regrade",
        ),
        path(
            "<int:pk>/regrade/<uuid:batch>/",
            _wrap(model_admin, assignment_regrade_done_view),
            name="quizzes_assignment_regrade_done",
        ),
    ]


def question_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    return [
        path(
            "<int:pk>/regrade/",
            _wrap(model_admin, question_regrade_view),
            name="quizzes_question_regrade",
        ),
        path(
            "<int:pk>/regrade/<uuid:batch>/",
            _wrap(model_admin, question_regrade_done_view),
            name="quizzes_question_regrade_done",
        ),
    ]


def class_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    return []


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


# --- overrides -------------------------------------------------------------------------------


def _changes(responses: QuerySet[ScoreChange]) -> QuerySet[ScoreChange]:
    return responses.select_related("changed_by", "response__attempt_question").order_by(
        "-changed_at", "-pk"
    )


@require_GET
def attempt_scores_view(
    request: HttpRequest, pk: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """Every question's score (the key's, the teacher's, what counts) and the log of changes."""
    attempt = teacher_attempt_or_404(request, pk)
    questions = list(attempt.attempt_questions.select_related("response").order_by("position"))
    rows = [
        {"aq": aq, "answer": describe_answer(aq.snapshot, aq.response.answer)}
        for aq in questions
        if aq.is_scored
    ]
    changes = _changes(ScoreChange.objects.filter(response__attempt_question__attempt=attempt))
    return TemplateResponse(
        request,
        "admin/quizzes/scoring/attempt_scores.html",
        page_context(
            model_admin,
            request,
            original=attempt,
            title=_("Scores: %(attempt)s") % {"attempt": attempt},
            attempt=attempt,
            rows=rows,
            changes=changes,
        ),
    )


def _attempt_response_or_404(request: HttpRequest, pk: int, response_pk: int) -> Response:
    """A response of an attempt the user may see (the attempt's getter decides)."""
    attempt = teacher_attempt_or_404(request, pk)
    response = get_object_or_404(
        Response.objects.select_related("attempt_question"),
        pk=response_pk,
        attempt_question__attempt=attempt,
    )
    response.attempt_question.attempt = attempt
    return response


@require_http_methods(["GET", "POST"])
def override_view(
    request: HttpRequest, pk: int, response_pk: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """One response: the teacher's score and why (POST sets it), with its log."""
    response = _attempt_response_or_404(request, pk, response_pk)
    aq = response.attempt_question
    attempt = aq.attempt
    initial = {}
    if response.override_fraction is not None:
        initial = {
            # In percent: exact for any stored share (7 places), so saving it again is a no-op.
            "score": _num(response.override_fraction * 100),
            "unit": OverrideForm.PERCENT,
            "comment": response.override_comment,
        }
    data = request.POST if request.method == "POST" else None
    form = OverrideForm(data, initial=initial, points=aq.points)
    if request.method == "POST" and form.is_valid():
        try:
            change = scoring.response_override(
                response=response,
                fraction=form.cleaned_data["fraction"],
                comment=form.cleaned_data["comment"],
                changed_by=request_user(request),
                now=timezone.now(),
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            if change is None:
                messages.info(request, _("That score and comment were already set."))
            else:
                messages.success(
                    request,
                    _("Question %(position)s: the teacher's score is saved and counts now.")
                    % {"position": aq.position},
                )
            return redirect("admin:quizzes_attempt_scores", attempt.pk)
    return TemplateResponse(
        request,
        "admin/quizzes/scoring/override.html",
        page_context(
            model_admin,
            request,
            original=attempt,
            title=_("Change the score of question %(position)s") % {"position": aq.position},
            attempt=attempt,
            aq=aq,
            response=response,
            answer=describe_answer(aq.snapshot, response.answer),
            correct_answer=describe_answer(aq.snapshot, grading.correct_answer(aq.snapshot)),
            form=form,
            remove_form=RemoveOverrideForm(),
            changes=_changes(ScoreChange.objects.filter(response=response)),
        ),
    )


@require_POST
def override_remove_view(
    request: HttpRequest, pk: int, response_pk: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """POST: the key's score counts again."""
    response = _attempt_response_or_404(request, pk, response_pk)
    form = RemoveOverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
        return redirect("admin:quizzes_attempt_override", pk, response_pk)
    try:
        change = scoring.response_override_remove(
            response=response,
            changed_by=request_user(request),
            now=timezone.now(),
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("admin:quizzes_attempt_override", pk, response_pk)
    if change is None:
        messages.info(request, _("There was no teacher's score to remove."))
    else:
        messages.success(request, _("The teacher's score is removed: the key's score counts."))
    return redirect("admin:quizzes_attempt_scores", pk)


# --- regrade ---------------------------------------------------------------------------------


def _regrade(
    request: HttpRequest,
    *,
    model_admin: admin.ModelAdmin,
    original: Assignment | Question,
    scope: dict[str, Any],
    done: str,
) -> HttpResponse:
    """The dry run (GET) and its application (POST) for one scope of regrade_plan."""
    teacher = request_user(request)
    if request.method == "POST":
        form = RegradeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("This dry run could not be read. Here is a new one."))
            return redirect(request.path)
        try:
            batch = scoring.regrade_apply(
                **scope,
                teacher=teacher,
                fingerprint=form.cleaned_data["fingerprint"],
                changed_by=teacher,
                now=timezone.now(),
            )
        except ValidationError as error:
            _errors(request, error)
            return redirect(request.path)
        messages.success(request, _("Regraded. The scores below are now the students' scores."))
        return redirect(done, original.pk, batch)
    plan = scoring.regrade_plan(**scope, teacher=teacher)
    return TemplateResponse(
        request,
        "admin/quizzes/scoring/regrade_plan.html",
        page_context(
            model_admin,
            request,
            original=original,
            title=_("Regrade: %(name)s") % {"name": original},
            plan=plan,
            form=RegradeForm(initial={"fingerprint": plan.fingerprint}),
            is_question=isinstance(original, Question),
        ),
    )


def _regrade_done(
    request: HttpRequest,
    *,
    model_admin: admin.ModelAdmin,
    original: Assignment | Question,
    changes: QuerySet[ScoreChange],
    back: str,
) -> HttpResponse:
    """What one regrade run changed (its batch), as far as the user may see."""
    rows = list(
        changes.filter(kind=ScoreChangeKind.REGRADE)
        .filter(
            response__attempt_question__attempt__in=Attempt.objects.visible_to_teacher(
                request_user(request)
            )
        )
        .select_related(
            "changed_by",
            "response__attempt_question__attempt__student",
            "response__attempt_question__attempt__assignment__school_class",
        )
        .order_by(
            "response__attempt_question__attempt__assignment__school_class__name",
            "response__attempt_question__attempt__student__last_name",
            "response__attempt_question__attempt__student__first_name",
            "response__attempt_question__attempt__student__username",
            "response__attempt_question__attempt__number",
            "response__attempt_question__position",
        )
    )
    if not rows:
        raise Http404
    return TemplateResponse(
        request,
        "admin/quizzes/scoring/regrade_done.html",
        page_context(
            model_admin,
            request,
            original=original,
            title=_("Regrade done: %(name)s") % {"name": original},
            rows=rows,
            first=rows[0],
            back=back,
            is_question=isinstance(original, Question),
        ),
    )


@require_http_methods(["GET", "POST"])
def assignment_regrade_view(
    request: HttpRequest, pk: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    assignment = taught_assignment_or_404(request, pk)
    return _regrade(
        request,
        model_admin=model_admin,
        original=assignment,
        scope={"assignment": assignment},
        done="admin:quizzes_assignment_regrade_done",
    )


@require_GET
def assignment_regrade_done_view(
    request: HttpRequest, pk: int, batch: uuid.UUID, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    assignment = taught_assignment_or_404(request, pk)
    return _regrade_done(
        request,
        model_admin=model_admin,
        original=assignment,
        changes=ScoreChange.objects.filter(
            batch=batch, response__attempt_question__attempt__assignment=assignment
        ),
        back=reverse("admin:quizzes_assignment_regrade", args=[assignment.pk]),
    )


def _question_or_404(request: HttpRequest, pk: int, model_admin: admin.ModelAdmin) -> Question:
    """A question (shared by all teachers); its regrade is scoped by regrade_plan's teacher."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return get_object_or_404(Question, pk=pk)


@require_http_methods(["GET", "POST"])
def question_regrade_view(
    request: HttpRequest, pk: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    question = _question_or_404(request, pk, model_admin)
    return _regrade(
        request,
        model_admin=model_admin,
        original=question,
        scope={"question": question},
        done="admin:quizzes_question_regrade_done",
    )


@require_GET
def question_regrade_done_view(
    request: HttpRequest, pk: int, batch: uuid.UUID, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    question = _question_or_404(request, pk, model_admin)
    return _regrade_done(
        request,
        model_admin=model_admin,
        original=question,
        changes=ScoreChange.objects.filter(
            batch=batch, response__attempt_question__question=question
        ),
        back=reverse("admin:quizzes_question_regrade", args=[question.pk]),
    )

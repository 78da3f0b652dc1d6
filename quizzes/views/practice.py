"""Mastery practice pages: practise a bank or my mistakes, and the feedback after each answer.

Untimed and not graded. A question page posts the answer with the question's id, a one-off
token and a check; the server grades it on a fresh snapshot, stores a PracticeAnswer and
redirects to its feedback page. Nothing about the key reaches the page before the student has
answered.

Rows are numbered 1..n in the order shown (presentation.FormLayout), so a post can only be read
with the display order its page used. That order is not sent: it is drawn again from the token,
seeded through an HMAC under SECRET_KEY (a seed the student could compute from the token on the
page would let them undo the shuffle and read the authoring order, which usually puts the key
first). The check, an HMAC of the token and the layout, proves the server issued the token for
the question as it is laid out now; an answer to a question edited in between is not misread
but dropped, with a word to the student.
"""

import dataclasses
import json
import random
import re
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from quizzes.answers import TamperedInputError, answer_fields, parse_answer
from quizzes.http import AuthenticatedHttpRequest
from quizzes.models import Bank, MistakeCard, PracticeAnswer, PracticeSource, Question
from quizzes.models.practice import MASTERY_STREAK, MISTAKE_SPACING
from quizzes.practice import (
    RECENT_IN_BANK,
    askable_questions,
    banks_for_practice,
    exam_in_progress,
    mistakes_state,
    mistakes_sync,
    open_mistakes_count,
    pick_bank_question,
    practice_answer_record,
)
from quizzes.presentation import draw_display_order, form_layout, question_for_student
from quizzes.review import EVERYTHING, review_row

PREFIX = "answer"
CONTROL_FIELDS = {"csrfmiddlewaretoken", "question", "token", "check"}
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
CHECK_PATTERN = re.compile(r"[0-9a-f]{64}")
# A database id in a query string or hidden field: ASCII digits only ("²".isdigit() is True).
ID_PATTERN = re.compile(r"[0-9]{1,9}")
SESSION_KEY = "practice"
ORDER_SALT = "quizzes.views.practice.display_order"
CHECK_SALT = "quizzes.views.practice.form_check"

# Which question to pick needs no secrecy, only variety.
_rng = random.SystemRandom()


class _BadPost(Exception):
    """A post no page of ours could have sent: answered with 400, nothing stored."""


class _StaleForm(Exception):
    """The question changed since its page was drawn (or the token is not ours): ask again."""


# --- the form: display order and check, recomputed from the token -----------------------------


def display_order(snapshot: dict[str, Any], token: str) -> list[int]:
    """The order the page for `token` shows the question's rows in: the same on GET and POST.

    Seeded with an HMAC under SECRET_KEY, never with the token itself (see the module docstring).
    """
    seed = salted_hmac(ORDER_SALT, f"{token}:{snapshot['question_id']}", algorithm="sha256")
    # Not a secret: the HMAC above is what keeps the order unpredictable to the student.
    rng = random.Random(seed.hexdigest())  # noqa: S311
    return draw_display_order(snapshot, rng=rng, shuffle=True)


def form_check(snapshot: dict[str, Any], token: str, order: list[int]) -> str:
    """Binds the token to the question and to what each row number meant on the page."""
    layout = json.dumps(dataclasses.asdict(form_layout(snapshot, order)), sort_keys=True)
    value = f"{token}:{snapshot['question_id']}:{layout}"
    return salted_hmac(CHECK_SALT, value, algorithm="sha256").hexdigest()


# --- session: which questions of a bank were asked lately, and how many were answered ------


def _session_state(request: AuthenticatedHttpRequest, key: str) -> dict[str, Any]:
    return request.session.get(SESSION_KEY, {}).get(key, {"recent": [], "answered": 0})


def _session_remember(request: AuthenticatedHttpRequest, key: str, question_id: int) -> None:
    practice = request.session.get(SESSION_KEY, {})
    state = practice.get(key, {"recent": [], "answered": 0})
    recent = [pk for pk in state["recent"] if pk != question_id] + [question_id]
    practice[key] = {"recent": recent[-RECENT_IN_BANK:], "answered": state["answered"] + 1}
    request.session[SESSION_KEY] = practice


def _bank_key(bank: Bank) -> str:
    return f"bank-{bank.pk}"


# --- helpers ---------------------------------------------------------------------------------


def _skip(request: AuthenticatedHttpRequest) -> int | None:
    """The question to pass over (the skip link); anything else in `skip` is ignored."""
    raw = request.GET.get("skip", "")
    return int(raw) if ID_PATTERN.fullmatch(raw) else None


def _posted_question_id(request: AuthenticatedHttpRequest) -> int:
    raw = request.POST.get("question", "")
    if not ID_PATTERN.fullmatch(raw):
        raise _BadPost("question id missing or not a number")
    return int(raw)


def _posted_question_id_or_none(request: AuthenticatedHttpRequest) -> int | None:
    try:
        return _posted_question_id(request)
    except _BadPost:
        return None


def _posted_answer(
    request: AuthenticatedHttpRequest, question: Question
) -> tuple[dict[str, Any], dict, str]:
    """(snapshot, answer, token) from the post, trusting nothing.

    _BadPost for what no page sends; _StaleForm when the check does not match the question as
    it is now laid out for that token.
    """
    token = request.POST.get("token", "")
    if not TOKEN_PATTERN.fullmatch(token):
        raise _BadPost("token missing or malformed")
    check = request.POST.get("check", "")
    if not CHECK_PATTERN.fullmatch(check):
        raise _BadPost("check missing or malformed")
    snapshot = question.snapshot()
    order = display_order(snapshot, token)
    if set(request.POST) - CONTROL_FIELDS - answer_fields(snapshot, order, PREFIX):
        raise _BadPost("fields no practice page sends")
    if not constant_time_compare(check, form_check(snapshot, token, order)):
        raise _StaleForm
    try:
        answer = parse_answer(snapshot, order, request.POST, PREFIX)
    except TamperedInputError as error:
        raise _BadPost(str(error)) from error
    return snapshot, answer, token


def _question_page(
    request: HttpRequest,
    *,
    question: Question,
    template_context: dict[str, Any],
    number: int,
    error: str = "",
) -> HttpResponse:
    snapshot = question.snapshot()
    token = secrets.token_urlsafe(24)
    order = display_order(snapshot, token)
    context = {
        "question": question_for_student(snapshot, order),
        "question_id": question.pk,
        "token": token,
        "check": form_check(snapshot, token, order),
        "number": number,
        "prefix": PREFIX,
        "mastery_streak": MASTERY_STREAK,
        "error": error,
        **template_context,
    }
    return render(request, "quizzes/practice/question.html", context)


def _exam_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "quizzes/practice/paused.html")


def _closed_page(request: AuthenticatedHttpRequest, bank: Bank) -> HttpResponse:
    """A bank closed for practice: a clear page, with 404 as nothing of it may be shown."""
    return render(request, "quizzes/practice/closed.html", {"bank": bank}, status=404)


def _stale_text() -> str:
    return _("This question was changed while you were answering it, so your answer was not kept.")


# --- views -----------------------------------------------------------------------------------


@login_required
@require_GET
def practice_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    mistakes_sync(student=request.user, now=now)
    return render(
        request,
        "quizzes/practice/home.html",
        {
            "banks": list(banks_for_practice(student=request.user, now=now)),
            "open_mistakes": open_mistakes_count(student=request.user, now=now),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_bank(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    bank = get_object_or_404(Bank, slug=slug)
    now = timezone.now()
    if not bank.is_practice_open:
        return _closed_page(request, bank)
    if exam_in_progress(student=request.user, now=now):
        return _exam_page(request)
    state = _session_state(request, _bank_key(bank))
    page = {"bank": bank, "mode": PracticeSource.BANK, "action": request.path}
    if request.method == "POST":
        # The post is checked before anything about the question's standing is said: a forged
        # or stale form gets the same reply whether or not an exam protects the question, so
        # posting ids cannot tell a student which questions an exam could ask.
        question_id = _posted_question_id_or_none(request)
        in_bank = Question.objects.published().scored().with_parts().filter(bank=bank)
        question = in_bank.filter(pk=question_id).first() if question_id is not None else None
        if question is None:  # no page of this bank asks it
            return HttpResponseBadRequest(_("This answer could not be accepted."))
        try:
            snapshot, answer, token = _posted_answer(request, question)
        except _BadPost:
            return HttpResponseBadRequest(_("This answer could not be accepted."))
        except _StaleForm:
            messages.info(request, _stale_text())
            return redirect("quizzes:practice_bank", slug=bank.slug)
        # The server drew this form for the student, so practice asked them this question; a
        # page must still never show it again (even as a blank form) once an exam protects it.
        if (
            not askable_questions(student=request.user, now=now, bank=bank)
            .filter(pk=question.pk)
            .exists()
        ):
            return _closed_page(request, bank)
        if not answer:
            return _question_page(
                request,
                question=question,
                template_context=page,
                number=state["answered"] + 1,
                error=_("Answer the question first, or skip it."),
            )
        try:
            result = practice_answer_record(
                student=request.user,
                question=question,
                snapshot=snapshot,
                answer=answer,
                source=PracticeSource.BANK,
                token=token,
                now=now,
            )
        except ValidationError:
            # The bank was closed, or an exam started to protect the question, meanwhile.
            return _closed_page(request, bank)
        _session_remember(request, _bank_key(bank), question.pk)
        return redirect("quizzes:practice_result", pk=result.pk)
    question = pick_bank_question(
        bank=bank,
        student=request.user,
        now=now,
        recent=state["recent"],
        skip=_skip(request),
        rng=_rng,
    )
    if question is None:
        return _closed_page(request, bank)
    return _question_page(
        request, question=question, template_context=page, number=state["answered"] + 1
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_mistakes(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    if exam_in_progress(student=request.user, now=now):
        return _exam_page(request)
    state = _session_state(request, "mistakes")
    if request.method == "POST":
        try:
            question_id = _posted_question_id(request)
            question = (
                Question.objects.published()
                .scored()
                .with_parts()
                .filter(pk=question_id, mistake_cards__student=request.user)
                .first()
            )
            if question is None:
                raise _BadPost("no mistake card of this student for that question")
            snapshot, answer, token = _posted_answer(request, question)
        except _BadPost:
            return HttpResponseBadRequest(_("This answer could not be accepted."))
        except _StaleForm:
            messages.info(request, _stale_text())
            return redirect("quizzes:practice_mistakes")
        if not answer:
            messages.info(request, _("Answer the question first, or skip it."))
            return redirect("quizzes:practice_mistakes")
        try:
            result = practice_answer_record(
                student=request.user,
                question=question,
                snapshot=snapshot,
                answer=answer,
                source=PracticeSource.MISTAKES,
                token=token,
                now=now,
            )
        except ValidationError as error:  # not due any more, or its bank was closed
            messages.info(request, error.messages[0])
            return redirect("quizzes:practice_mistakes")
        _session_remember(request, "mistakes", question.pk)
        return redirect("quizzes:practice_result", pk=result.pk)
    mistakes_sync(student=request.user, now=now)
    found = mistakes_state(student=request.user, now=now, skip=_skip(request))
    if found.question is None:
        banks = list(banks_for_practice(student=request.user, now=now)) if found.open_count else []
        context = {"found": found, "banks": banks}
        return render(request, "quizzes/practice/mistakes_rest.html", context)
    page = {
        "mode": PracticeSource.MISTAKES,
        "action": reverse("quizzes:practice_mistakes"),
        "card": found.card,
        "open_count": found.open_count,
    }
    return _question_page(
        request, question=found.question, template_context=page, number=state["answered"] + 1
    )


@login_required
@require_GET
def practice_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(
        PracticeAnswer.objects.of_student(request.user).select_related("question__bank"),
        pk=pk,
    )
    now = timezone.now()
    if exam_in_progress(student=request.user, now=now):
        return _exam_page(request)
    # It shows the key: not while the bank is closed or an exam protects the question, though
    # the student saw it once.
    if not askable_questions(student=request.user, now=now).filter(pk=result.question_id).exists():
        return _closed_page(request, result.question.bank)
    card = MistakeCard.objects.filter(student=request.user, question=result.question).first()
    if result.source == PracticeSource.MISTAKES:
        next_url = reverse("quizzes:practice_mistakes")
    else:
        next_url = reverse("quizzes:practice_bank", kwargs={"slug": result.question.bank.slug})
    context = {
        "result": result,
        "bank": result.question.bank,
        "row": review_row(
            result.snapshot, result.answer, options=EVERYTHING, fraction=result.fraction
        ),
        "card": card,
        "mastery_streak": MASTERY_STREAK,
        "spacing": MISTAKE_SPACING,
        "next_url": next_url,
    }
    return render(request, "quizzes/practice/result.html", context)


urlpatterns = [
    path("practice/", practice_home, name="practice_home"),
    # Before the bank route, which would otherwise take "mistakes" for a bank's slug.
    path("practice/mistakes/", practice_mistakes, name="practice_mistakes"),
    path("practice/answers/<int:pk>/", practice_result, name="practice_result"),
    path("practice/<slug:slug>/", practice_bank, name="practice_bank"),
]

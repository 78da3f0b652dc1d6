"""Taking an attempt: one page of questions at a time, autosave, summary, submit, review.

Every view loads the attempt through `_own_attempt` (another student's attempt is a 404), and
finishes it first if its deadline has passed: the server's clock rules, not the page's.

What a page carries, and what it lets a student work out: rows are numbered by their place on
the page (never a database id), each question's "seen" field is a keyed MAC of the answer the
page showed (see answers.seen_token), and replies never differ by correctness.
"""

import re
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from quizzes import exam_secrecy, throttle
from quizzes.answers import (
    TamperedInputError,
    answer_fields,
    parse_answer,
    problem_message,
    problem_messages_for_script,
    problem_summary,
    seen_token,
)
from quizzes.grading import AnswerProblem, answer_problem
from quizzes.http import AuthenticatedHttpRequest
from quizzes.models import Attempt, AttemptQuestion, FinishReason, Response
from quizzes.presentation import is_answered, question_for_student
from quizzes.review import review_row
from quizzes.services import (
    AttemptClosedError,
    PageClosedError,
    attempt_finish_if_overdue,
    attempt_page_save,
    attempt_submit,
    attempt_time_up,
    response_save,
)

PAGE_CONTROL_FIELDS = {"csrfmiddlewaretoken", "nav", "flag"}
# The confirmation a forward-only quiz asks for before leaving a question without a gradable
# answer behind: a query on the page it redirects back to, and the button that moves on anyway.
CONFIRM_SKIP = "skip"
PROBLEM = "problem"
AUTOSAVE_CONTROL_FIELDS = {"csrfmiddlewaretoken", "position", "revision", "flagged"}
FLAG_VALUE = re.compile(r"([0-9]{1,4}):(on|off)")
PAGE_VALUE = re.compile(r"page-([0-9]{1,4})")


def _tampered() -> HttpResponse:
    return HttpResponseBadRequest(_("This form was changed in a way the quiz does not allow."))


def _own_attempt(request: AuthenticatedHttpRequest, pk: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("assignment__quiz", "assignment__school_class"),
        pk=pk,
        student=request.user,
    )


def _questions(attempt: Attempt) -> list[AttemptQuestion]:
    return list(attempt.attempt_questions.select_related("response").order_by("position"))


def _numbers(questions: list[AttemptQuestion]) -> dict[int, int]:
    """Question numbers as students read them: scored questions 1..n (passages unnumbered)."""
    scored = [aq.position for aq in questions if aq.is_scored]
    return {position: number for number, position in enumerate(scored, start=1)}


def _prefix(aq: AttemptQuestion) -> str:
    return f"q{aq.position}"


def _seen(attempt: Attempt, aq: AttemptQuestion, answer: dict[str, Any] | None) -> str:
    return seen_token(answer, scope=f"attempt:{attempt.pk}:{aq.position}")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _page_count(questions: list[AttemptQuestion]) -> int:
    return max((aq.page for aq in questions), default=0) + 1


def _closed_redirect(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    if attempt.finish_reason == FinishReason.TIMED_OUT:
        messages.info(request, _("Time is up: your saved answers were submitted."))
    return redirect("quizzes:attempt_review", pk=attempt.pk)


def _ms_left(attempt: Attempt, now: Any) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds() * 1000))


def _timer_context(attempt: Attempt, now: Any) -> dict[str, Any]:
    """Time left by the server's clock; the page only counts it down."""
    ms_left = _ms_left(attempt, now)
    if ms_left is None:
        return {"seconds_left": None, "server_now_ms": _now_ms()}
    seconds = -(-ms_left // 1000)
    return {
        "seconds_left": seconds,
        "ms_left": ms_left,
        "minutes_left": -(-seconds // 60),
        "server_now_ms": _now_ms(),
        "time_up_url": reverse("quizzes:attempt_time_up", kwargs={"pk": attempt.pk}),
    }


def _answer_state(aq: AttemptQuestion, answer: Any) -> tuple[bool, AnswerProblem | None]:
    """(counts as answered, why it cannot be graded): grading.answer_problem decides both.

    An answer that cannot be graded as it stands ("nineteen ninety-five" for a number) does
    not count as answered; the pages say why instead.
    """
    problem = answer_problem(aq.snapshot, answer)
    return problem is None and is_answered(aq.snapshot, answer), problem


def _nav_items(questions: list[AttemptQuestion], page: int) -> list[dict[str, Any]]:
    numbers = _numbers(questions)
    items = []
    for aq in questions:
        response = getattr(aq, "response", None)
        answered, problem = _answer_state(aq, response.answer if response else None)
        items.append(
            {
                "position": aq.position,
                "number": numbers.get(aq.position),
                "page": aq.page,
                "is_scored": response is not None,
                "is_answered": answered,
                "problem": problem_summary(problem) if problem else "",
                "is_flagged": bool(response and response.is_flagged),
                "is_current": aq.page == page,
            }
        )
    return items


@login_required
@require_GET
def attempt_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Where "Continue" leads: the page the attempt is on, the summary, or the review."""
    attempt = attempt_finish_if_overdue(attempt=_own_attempt(request, pk), now=timezone.now())
    if not attempt.is_in_progress:
        return _closed_redirect(request, attempt)
    return _to_current_page(attempt, _page_count(_questions(attempt)))


def _to_current_page(attempt: Attempt, pages: int) -> HttpResponse:
    if attempt.current_page >= pages:
        return redirect("quizzes:attempt_summary", pk=attempt.pk)
    return redirect("quizzes:attempt_take", pk=attempt.pk, page=attempt.current_page)


@login_required
def attempt_take(request: AuthenticatedHttpRequest, pk: int, page: int) -> HttpResponse:
    attempt = attempt_finish_if_overdue(attempt=_own_attempt(request, pk), now=timezone.now())
    if not attempt.is_in_progress:
        return _closed_redirect(request, attempt)
    questions = _questions(attempt)
    pages = _page_count(questions)
    if page >= pages:
        raise Http404
    if attempt.assignment.is_sequential and page != attempt.current_page:
        if request.method == "POST":
            messages.warning(request, _("This quiz moves forward only; that page is closed."))
        return _to_current_page(attempt, pages)
    on_page = [aq for aq in questions if aq.page == page]
    if request.method == "POST":
        return _save_page(request, attempt, on_page, page, pages)
    context = _take_context(attempt, questions, on_page, page, pages)
    # Asked for by a forward-only quiz's Next (see _save_page); shown while it still applies.
    context["confirm_skip"] = request.GET.get("confirm") == CONFIRM_SKIP and bool(
        context["not_gradable"]
    )
    return render(request, "quizzes/attempt/take.html", context)


def _take_context(
    attempt: Attempt,
    questions: list[AttemptQuestion],
    on_page: list[AttemptQuestion],
    page: int,
    pages: int,
) -> dict[str, Any]:
    shown = []
    last_stimulus = None
    numbers = _numbers(questions)
    for aq in on_page:
        response = getattr(aq, "response", None)
        answer = response.answer if response else None
        view = question_for_student(aq.snapshot, aq.display_order, answer)
        answered, problem = _answer_state(aq, answer)
        shown.append(
            {
                "view": view,
                "prefix": _prefix(aq),
                "position": aq.position,
                "number": numbers.get(aq.position),
                "is_flagged": bool(response and response.is_flagged),
                "is_scored": response is not None,
                "is_answered": answered,
                "problem": problem_message(problem) if problem else "",
                "seen": _seen(attempt, aq, answer) if response else "",
                # A passage shared by consecutive questions is shown once, above the first.
                "hide_stimulus": bool(view["stimulus"]) and view["stimulus"] == last_stimulus,
            }
        )
        last_stimulus = view["stimulus"]
    nav_items = _nav_items(questions, page)
    scored = [item for item in nav_items if item["is_scored"]]
    return {
        "attempt": attempt,
        "quiz": attempt.assignment.quiz,
        "questions": shown,
        "page": page,
        "page_number": page + 1,
        "pages": pages,
        "is_first_page": page == 0,
        "is_last_page": page == pages - 1,
        "is_sequential": attempt.assignment.is_sequential,
        "nav_items": nav_items,
        "answered_count": sum(1 for item in scored if item["is_answered"]),
        "scored_count": len(scored),
        "current_numbers": [item["number"] for item in scored if item["is_current"]],
        "not_gradable": [q for q in shown if q["is_scored"] and not q["is_answered"]],
        "confirm_skip": False,
        "check_messages": problem_messages_for_script(),
        **_timer_context(attempt, timezone.now()),
    }


def _parse_page(
    request: HttpRequest, attempt: Attempt, on_page: list[AttemptQuestion]
) -> dict[int, dict[str, Any]]:
    """The answers this page changed, or TamperedInputError before anything is stored.

    A question whose posted answer is still the one the page was rendered with is left out:
    another tab may have saved a newer answer since, and an untouched field must not undo it.
    """
    allowed = set(PAGE_CONTROL_FIELDS)
    for aq in on_page:
        allowed |= answer_fields(aq.snapshot, aq.display_order, _prefix(aq))
        allowed.add(f"{_prefix(aq)}-seen")
    unknown = set(request.POST) - allowed
    if unknown:
        raise TamperedInputError(f"unexpected fields: {sorted(unknown)}")
    changed = {}
    for aq in on_page:
        if not hasattr(aq, "response"):
            continue
        answer = parse_answer(aq.snapshot, aq.display_order, request.POST, _prefix(aq))
        if request.POST.get(f"{_prefix(aq)}-seen") != _seen(attempt, aq, answer):
            changed[aq.pk] = answer
    return changed


def _save_page(
    request: HttpRequest, attempt: Attempt, on_page: list[AttemptQuestion], page: int, pages: int
) -> HttpResponse:
    try:
        answers = _parse_page(request, attempt, on_page)
    except TamperedInputError:
        return _tampered()
    flag = FLAG_VALUE.fullmatch(request.POST.get("flag", ""))
    if request.POST.get("flag") and not flag:
        return _tampered()
    now = timezone.now()
    nav = request.POST.get("nav", "")
    target = _target_page(attempt, nav, page, pages)
    held = _held_back(attempt, on_page, answers, nav=nav) if target != page and not flag else None
    if held:
        target = page
    try:
        attempt_page_save(
            attempt=attempt,
            on_page=on_page,
            answers=answers,
            flag=(int(flag[1]), flag[2] == "on") if flag else None,
            page=page,
            target=target,
            now=now,
        )
    except AttemptClosedError:
        return _closed_redirect(request, attempt_finish_if_overdue(attempt=attempt, now=now))
    except PageClosedError:
        messages.warning(request, _("This quiz moves forward only; that page is closed."))
        attempt.refresh_from_db(fields=["current_page"])
        return _to_current_page(attempt, pages)
    if flag:
        return redirect(
            reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": page})
            + f"#q{flag[1]}"
        )
    if held and held[0] == CONFIRM_SKIP:
        return redirect(
            reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": page})
            + f"?confirm={CONFIRM_SKIP}#confirm-skip"
        )
    if held:
        messages.warning(
            request,
            _(
                "Some answers on this page cannot be marked as they stand: see the note next "
                "to each. To move on anyway, press the button again."
            ),
        )
        return redirect(
            reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": page})
            + f"#q{held[1]}"
        )
    if target >= pages:
        return redirect("quizzes:attempt_summary", pk=attempt.pk)
    return redirect("quizzes:attempt_take", pk=attempt.pk, page=target)


def _held_back(
    attempt: Attempt,
    on_page: list[AttemptQuestion],
    answers: dict[int, dict[str, Any]],
    *,
    nav: str,
) -> tuple[str, int] | None:
    """Why a page that is leaving should stay, and the question to show: None to go on.

    A forward-only quiz never comes back to a page, so leaving a question without a gradable
    answer behind is confirmed first (CONFIRM_SKIP; its "Move on without answering" button
    goes on). Otherwise a changed answer that cannot be graded as it stands brings the page
    back with the reason next to the field (PROBLEM); pressing the button again, unchanged,
    goes on, and the summary lists it.
    """
    if attempt.assignment.is_sequential:
        if nav == CONFIRM_SKIP:
            return None
        for aq in on_page:
            response = getattr(aq, "response", None)
            if response is not None:
                answered, _problem = _answer_state(aq, answers.get(aq.pk, response.answer))
                if not answered:
                    return CONFIRM_SKIP, aq.position
        return None
    for aq in on_page:
        if aq.pk in answers and answer_problem(aq.snapshot, answers[aq.pk]):
            return PROBLEM, aq.position
    return None


def _target_page(attempt: Attempt, nav: str, page: int, pages: int) -> int:
    """Where a page's buttons lead; `pages` means the summary. Sequential never goes back."""
    sequential = attempt.assignment.is_sequential
    if nav in ("next", CONFIRM_SKIP):
        return page + 1
    if nav == "summary":
        return pages if not sequential or page == pages - 1 else page
    if sequential:
        return page
    if nav == "prev":
        return max(0, page - 1)
    if match := PAGE_VALUE.fullmatch(nav):
        return min(int(match[1]), pages - 1)
    return page


@login_required
@require_POST
def attempt_autosave(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """Background save of one question's answer (JavaScript). Stale saves are ignored.

    The reply is the same whatever the answer's correctness: ok, whether it was stored (a
    newer revision may already be), and whether the question now counts as answered.
    """
    attempt = _own_attempt(request, pk)
    retry_after = throttle.hit(throttle.autosave_limit(), f"attempt:{attempt.pk}")
    if retry_after is not None:
        return _autosave_throttled(retry_after)
    now = timezone.now()
    if not attempt.accepts_answers(now=now):
        return _autosave_closed(attempt, now)
    try:
        position = int(request.POST.get("position", ""))
        revision = int(request.POST.get("revision", ""))
        aq = (
            AttemptQuestion.objects.select_related("response")
            .filter(attempt=attempt, position=position, response__isnull=False)
            .get()
        )
        fields = answer_fields(aq.snapshot, aq.display_order, _prefix(aq))
        if set(request.POST) - AUTOSAVE_CONTROL_FIELDS - fields:
            raise TamperedInputError("unexpected fields")
        if revision <= 0 or revision > _now_ms() + 60_000:
            raise TamperedInputError("revision out of range")
        answer = parse_answer(aq.snapshot, aq.display_order, request.POST, _prefix(aq))
    except (ValueError, AttemptQuestion.DoesNotExist):
        return JsonResponse({"ok": False, "error": "invalid"}, status=400)
    if attempt.assignment.is_sequential and aq.page != attempt.current_page:
        return JsonResponse({"ok": False, "error": "page_closed"}, status=409)
    flagged = request.POST.get("flagged")
    try:
        stored = response_save(
            response=aq.response,
            answer=answer,
            revision=revision,
            now=now,
            is_flagged=None if flagged is None else flagged == "1",
        )
    except AttemptClosedError:
        return _autosave_closed(attempt, now)
    return JsonResponse(
        {
            "ok": True,
            "stored": stored,
            "position": position,
            "answered": _answer_state(aq, answer)[0],
            # The deadline may have moved (extra time): the page's countdown follows it.
            "ms_left": _ms_left(attempt, now),
        }
    )


def _autosave_throttled(retry_after: int) -> JsonResponse:
    """Too many saves for one attempt (settings.QUIZZES_AUTOSAVE_LIMIT): nothing stored; the
    page keeps the answer and sends it again after `retry_after` seconds."""
    response = JsonResponse(
        {
            "ok": False,
            "error": "rate_limited",
            "retry_after": retry_after,
            "message": _("Too many saves at once; your answer is kept and sent again shortly."),
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _autosave_closed(attempt: Attempt, now: Any) -> JsonResponse:
    attempt_finish_if_overdue(attempt=attempt, now=now)
    return JsonResponse(
        {
            "ok": False,
            "error": "closed",
            "message": _("This attempt is closed; answers are no longer saved."),
            "redirect": reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}),
        },
        status=409,
    )


@login_required
@require_GET
def attempt_summary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attempt = attempt_finish_if_overdue(attempt=_own_attempt(request, pk), now=timezone.now())
    if not attempt.is_in_progress:
        return _closed_redirect(request, attempt)
    questions = _questions(attempt)
    pages = _page_count(questions)
    if attempt.assignment.is_sequential and attempt.current_page < pages:
        return redirect("quizzes:attempt_take", pk=attempt.pk, page=attempt.current_page)
    items = [item for item in _nav_items(questions, -1) if item["is_scored"]]
    return render(
        request,
        "quizzes/attempt/summary.html",
        {
            "attempt": attempt,
            "quiz": attempt.assignment.quiz,
            "items": items,
            "unanswered": [i for i in items if not i["is_answered"] and not i["problem"]],
            "not_gradable": [i for i in items if i["problem"]],
            "flagged": [i for i in items if i["is_flagged"]],
            "is_sequential": attempt.assignment.is_sequential,
            "pages": pages,
            **_timer_context(attempt, timezone.now()),
        },
    )


@login_required
@require_POST
def attempt_submit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.is_in_progress:
        attempt = attempt_submit(attempt=attempt, now=timezone.now())
        if attempt.finish_reason == FinishReason.SUBMITTED:
            messages.success(request, _("Your attempt was submitted."))
    return _closed_redirect(request, attempt)


@login_required
@require_POST
def attempt_time_up_view(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The page's countdown reached zero (JavaScript): the server's clock decides."""
    now = timezone.now()
    attempt = attempt_time_up(attempt=_own_attempt(request, pk), now=now)
    if not attempt.is_in_progress:
        review = reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk})
        return JsonResponse({"finished": True, "redirect": review})
    return JsonResponse({"finished": False, "ms_left": _ms_left(attempt, now)})


@login_required
@require_GET
def attempt_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    attempt = attempt_finish_if_overdue(attempt=_own_attempt(request, pk), now=now)
    if attempt.is_in_progress:
        return redirect("quizzes:attempt_resume", pk=attempt.pk)
    options = attempt.review_options(now=now)
    rows = []
    if options.shows_rows:
        questions = _questions(attempt)
        numbers = _numbers(questions)
        # Another assignment that could still ask one of these questions keeps its key hidden:
        # then no row shows right/wrong or marks either, since with the total and the other
        # rows' marks they would give the hidden one away.
        protected = set(
            exam_secrecy.protected_questions(
                student=request.user, now=now, except_assignment_id=attempt.assignment_id
            ).values_list("pk", flat=True)
        )
        has_protected = any(aq.question_id in protected for aq in questions)
        row_options = options.hiding_key() if has_protected else options
        for aq in questions:
            response: Response | None = getattr(aq, "response", None)
            is_protected = aq.question_id in protected
            row = review_row(
                aq.snapshot,
                response.answer if response else None,
                options=row_options,
                fraction=response.score_fraction if response else None,
                points=aq.points,
                is_overridden=response is not None and response.override_fraction is not None,
                teacher_comment=response.override_comment if response else "",
            )
            row.update(
                position=aq.position, number=numbers.get(aq.position), is_protected=is_protected
            )
            rows.append(row)
    return render(
        request,
        "quizzes/attempt/review.html",
        {
            "attempt": attempt,
            "quiz": attempt.assignment.quiz,
            "options": options,
            "rows": rows,
            "has_protected": any(row["is_protected"] for row in rows),
            "shows_more_later": attempt.review_shows_more_later(now=now),
        },
    )


urlpatterns = [
    path("attempts/<int:pk>/", attempt_resume, name="attempt_resume"),
    path("attempts/<int:pk>/page/<int:page>/", attempt_take, name="attempt_take"),
    path("attempts/<int:pk>/autosave/", attempt_autosave, name="attempt_autosave"),
    path("attempts/<int:pk>/summary/", attempt_summary, name="attempt_summary"),
    path("attempts/<int:pk>/submit/", attempt_submit_view, name="attempt_submit"),
    path("attempts/<int:pk>/time-up/", attempt_time_up_view, name="attempt_time_up"),
    path("attempts/<int:pk>/review/", attempt_review, name="attempt_review"),
]

"""Request hygiene that every view relies on, and the one-time password that must go first."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect

from .accounts import must_change_password


def _without_nul(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned


class StripNulMiddleware:
    """Drop NUL characters from query strings and form fields before any view reads them.

    No person types a NUL, and PostgreSQL refuses it in text and jsonb: left in, an admin
    search, an autocomplete term or a typed answer would become a 500 (and an attempt page
    would lose its other answers with it). Typed answers also lose other control characters
    (quizzes.answers); this covers every field of every page in one place.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)  # type: ignore[assignment]  # read-only too
        if request.method == "POST" and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)  # type: ignore[assignment]  # read-only too
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class PasswordChangeRequiredMiddleware:
    """An account still on the one-time password a teacher printed must choose its own first.

    Every page sends it to the password change page (which says why), except that page, logging
    out and static or media files. The answer-saving JSON gets a 403 in JSON rather than a
    redirect to a page it cannot read; a student on a one-time password has never been able to
    start an attempt, so no answer is lost. Costs no query: the user comes with their
    AccountState (quizzes.accounts.AccountStateBackend).
    """

    ALLOWED_VIEWS = frozenset(
        {
            "quizzes:password_change",
            "quizzes:password_change_done",
            "quizzes:logout",
            "admin:logout",
        }
    )
    JSON_VIEWS = frozenset({"quizzes:attempt_autosave"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not must_change_password(request.user):
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if view_name in self.ALLOWED_VIEWS or request.path.startswith(
            (settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")
        ):
            return None
        if view_name in self.JSON_VIEWS:
            return JsonResponse({"ok": False, "error": "password_change_required"}, status=403)
        return redirect("quizzes:password_change")

"""Request hygiene that every view relies on, the one-time password that must go first, and
the response headers and session limits for shared school laptops (CSP, no-store, idle time)."""

import time
from collections.abc import Callable
from typing import Any, ClassVar

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header (the policy is CONTENT_SECURITY_POLICY in settings), with the
    admin's one difference.

    Scripts come from our own origin only, on every page: no page has an inline script or an
    inline event handler (tests/quizzes/test_middleware.py scans every template). The
    student pages have no inline style either. The admin's pages do (Django's change list and
    several of our admin templates carry a `<style>` block), so under /admin/ alone style-src
    also allows 'unsafe-inline'; an injected style cannot run code, and autoescaping is what
    keeps markup out in the first place. A view may still change its own policy with
    django-csp's decorators (the question preview frame allows framing by its own admin page).
    """

    ADMIN_UPDATE: ClassVar[dict[str, list[str]]] = {"style-src": [UNSAFE_INLINE]}

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if parts.update is None and request.path_info.startswith(_admin_prefix()):
            parts.update = self.ADMIN_UPDATE
        return parts


def _admin_prefix() -> str:
    return reverse("admin:index")


class PrivateResponseMiddleware:
    """Every response to a signed-in user is `Cache-Control: no-store, private` (with
    no-cache, must-revalidate and an Expires in the past, as Django's never_cache sets).

    The one home of that rule: on a shared school laptop neither the browser's cache, its
    back/forward history nor a proxy may keep a copy of a student's dashboard, history, start
    page, practice, account or attempt pages, nor of a teacher's results or login slips.
    Deciding it by who asks, not by view, means the next student page cannot forget it.
    Static files never get here (WhiteNoise answers them first) and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if was_signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


IDLE_SESSION_KEY = "quizzes_last_seen"
# The stored timestamp is rewritten at most this often, so a request costs no session write
# in between (the autosave posts every few seconds during an exam).
IDLE_REFRESH_SECONDS = 60


class IdleTimeoutMiddleware:
    """A signed-in session ends after QUIZZES_IDLE_MINUTES without a request.

    The session keeps the time of the last request (epoch seconds), refreshed only when it is
    more than a minute old: at most one session write a minute, however often the autosave
    posts. An idle session is signed out before the view runs, with a message for the login
    page; the view then answers as to anyone signed out (a page redirects to its login page,
    the autosave's JSON becomes that redirect, and the attempt page's script keeps the typed
    answer and asks the student to log in again). Answers saved before are on the server, so
    nothing saved is lost. The same limit applies to teachers, whose pages show a whole class.

    Except during an exam: while the user has an attempt that still accepts answers, the
    session is kept (the attempt's deadline bounds it). A student reading a long exam page with
    JavaScript off posts only when she saves the page, and signing her out then would lose
    everything typed on it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = int(time.time())
        if (
            request.user.is_authenticated
            and self._is_idle(request, now)
            and not self._is_in_an_exam(request)
        ):
            logout(request)
            messages.info(
                request,
                _(
                    "You were signed out after %(minutes)s minutes without activity. "
                    "Answers you had saved are kept: log in to go on."
                )
                % {"minutes": settings.QUIZZES_IDLE_MINUTES},
            )
        response = self.get_response(request)
        if request.user.is_authenticated:
            last_seen = request.session.get(IDLE_SESSION_KEY)
            if not isinstance(last_seen, int) or now - last_seen >= IDLE_REFRESH_SECONDS:
                request.session[IDLE_SESSION_KEY] = now
        return response

    @staticmethod
    def _is_in_an_exam(request: HttpRequest) -> bool:
        """One query, asked only of an idle session."""
        from .models import Attempt, AttemptState

        current = timezone.now()
        return any(
            attempt.accepts_answers(now=current)
            for attempt in Attempt.objects.filter(
                student_id=request.user.pk, state=AttemptState.IN_PROGRESS
            )
        )

    @staticmethod
    def _is_idle(request: HttpRequest, now: int) -> bool:
        last_seen = request.session.get(IDLE_SESSION_KEY)
        # A session from before this rule has no timestamp: it starts counting now.
        if not isinstance(last_seen, int):
            return False
        return now - last_seen > settings.QUIZZES_IDLE_MINUTES * 60


def idle_clock_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Start the idle clock with the login itself (connected to user_logged_in in apps.py), so
    a session's first page writes nothing more to it."""
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_SESSION_KEY] = int(time.time())

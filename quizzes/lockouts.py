"""Failed logins: who is locked out, the page that says so, and a teacher's unlock.

django-axes counts failed logins on both login pages (ours and the admin's) per (username,
address) pair and refuses the pair once it reaches settings.AXES_FAILURE_LIMIT, until
AXES_COOLOFF_TIME has passed since its last failure; a successful login clears the pair. Its
backend refuses before the password is hashed, so a locked pair costs the server nothing.

On top of that, a coarse limit per address (settings.QUIZZES_LOGIN_ADDRESS_LIMIT, counted in
the cache by quizzes.throttle) refuses logins from an address with that many failures in its
window, which stops one address from spraying a password over many accounts. It never
refuses an account that has logged in from that address in the last KNOWN_PAIR_DAYS: a school
behind one NAT address keeps logging in even if someone there trips the limit.
"""

import datetime
import logging
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import throttle

logger = logging.getLogger(__name__)

# An account that logged in from an address is not refused there by the address limit for
# this long (a school term's weekends and holidays are shorter).
KNOWN_PAIR_DAYS = 30


def cool_off() -> datetime.timedelta:
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, datetime.timedelta) else datetime.timedelta(hours=value)


def _pair(username: object, address: str | None) -> str:
    return f"{str(username).casefold()}\x1f{address}"


class AddressLimitBackend:
    """Refuses every login from an address over its failure limit, except for accounts that
    have logged in from there before. It authenticates no one (and has no get_user, so no
    session names it): the next backend does."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        address = throttle.client_ip(request)
        retry_after = throttle.exceeded(throttle.login_address_limit(), str(address))
        if retry_after is None or throttle.is_remembered(_pair(username, address)):
            return None
        logger.warning(
            "Login refused: too many failed logins from address %s",
            throttle.key_digest(address),
        )
        request.login_address_retry_after = retry_after  # type: ignore[attr-defined]
        # Axes's middleware answers a request so marked with the lockout page.
        request.axes_locked_out = True  # type: ignore[attr-defined]
        raise PermissionDenied


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    if isinstance(request, HttpRequest):
        throttle.hit(throttle.login_address_limit(), str(throttle.client_ip(request)))


@receiver(user_logged_in)
def _remember_pair(sender: Any, request: Any, user: User, **_: Any) -> None:
    if isinstance(request, HttpRequest):
        throttle.remember(
            _pair(user.get_username(), throttle.client_ip(request)),
            seconds=KNOWN_PAIR_DAYS * 24 * 3600,
        )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The page a refused login gets instead of the form (settings.AXES_LOCKOUT_CALLABLE):
    429, when to try again, and whom to ask."""
    address_wait = getattr(request, "login_address_retry_after", None)
    if address_wait is not None:
        minutes = max(1, -(-address_wait // 60))
        reason = "address"
    else:
        minutes = max(1, int(cool_off().total_seconds() // 60))
        reason = "account"
        # The address as a keyed digest only (the same address, the same digest; no person).
        address_digest = throttle.key_digest(throttle.client_ip(request))
        page = "admin" if request.path == reverse("admin:login") else "student"
        logger.warning(
            "Login locked out: %d failed logins for one account from address %s (%s login)",
            settings.AXES_FAILURE_LIMIT,
            address_digest,
            page,
        )
    response = render(
        request,
        "quizzes/accounts/locked_out.html",
        {"minutes": minutes, "reason": reason, "is_admin": request.path == reverse("admin:login")},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def locked_out_until(
    usernames: list[str], *, now: datetime.datetime
) -> dict[str, datetime.datetime]:
    """The accounts among `usernames` locked out from some address now, each with the time
    its last lockout ends (one query)."""
    since = now - cool_off()
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by()
    )
    until: dict[str, datetime.datetime] = {}
    for row in rows:
        ends = row["last"] + cool_off()
        until[row["username"]] = max(ends, until.get(row["username"], ends))
    return until


def login_unlock(*, user: User, unlocked_by: User) -> int:
    """Clear every failed login counted against `user` from any address; the number cleared.

    Who may unlock whom is the caller's check (a teacher: students of her classes).
    """
    cleared = axes_reset(username=user.get_username())
    logger.info(
        "User %s cleared %d failed-login records of user %s", unlocked_by.pk, cleared, user.pk
    )
    return cleared


def login_records_forget(*, username: str) -> int:
    """Delete every failed-login record kept under `username` (erasing a student's data: the
    records name the account without a key to it); the number deleted."""
    return sum(
        model.objects.filter(username=username).delete()[0]
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )

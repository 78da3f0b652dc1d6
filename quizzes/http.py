"""Typing for requests that a login guard (login_required, the admin) has let through."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is logged in: what views behind login_required receive."""

    user: User


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a request (admin views); refuses an anonymous one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user

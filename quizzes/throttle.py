"""Rate limits counted in the shared cache (Redis in production), and the client's address.

A limit is a number of events per fixed window of seconds, per key (a student, an attempt, an
address). Keys are stored as keyed hashes, so no address or username sits in the cache. The
cache is a convenience, not a gate: when it fails (Redis down), every limit lets the event
through and says so in the log; a limit must never turn an outage into a page of errors.

Failed logins themselves are django-axes's (quizzes.lockouts); this module is its address
source (`client_ip`, settings.AXES_CLIENT_IP_CALLABLE) and the counter of its coarse
per-address limit.
"""

import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a failing cache raises: Redis's own errors, and socket errors under them.
CACHE_ERRORS = (RedisError, OSError)


@dataclass(frozen=True)
class Limit:
    """At most `events` per `seconds` for one key of `scope` (0 events: no limit)."""

    scope: str
    events: int
    seconds: int

    @classmethod
    def from_setting(cls, scope: str, name: str) -> "Limit":
        events, seconds = getattr(settings, name)
        return cls(scope, int(events), int(seconds))


def login_address_limit() -> Limit:
    return Limit.from_setting("login-address", "QUIZZES_LOGIN_ADDRESS_LIMIT")


def join_code_limit() -> Limit:
    return Limit.from_setting("join-code", "QUIZZES_JOIN_CODE_LIMIT")


def signup_limit() -> Limit:
    return Limit.from_setting("signup", "QUIZZES_SIGNUP_LIMIT")


def autosave_limit() -> Limit:
    return Limit.from_setting("autosave", "QUIZZES_AUTOSAVE_LIMIT")


def key_digest(*parts: object) -> str:
    """A short keyed hash of the key's parts: the cache and the log see this, not the parts."""
    text = "\x1f".join(str(part) for part in parts)
    return salted_hmac("quizzes.throttle", text).hexdigest()[:20]


def _window(limit: Limit, key: str, now: float) -> tuple[str, int]:
    """The cache key of the current window and the seconds until it ends."""
    index = math.floor(now / limit.seconds)
    ends_in = max(1, math.ceil((index + 1) * limit.seconds - now))
    return f"throttle:{limit.scope}:{key_digest(key)}:{index}", ends_in


def hit(limit: Limit, key: str, *, now: float | None = None) -> int | None:
    """Count one event for `key`; None if it is within the limit, else the seconds to wait.

    The refused events count too, so hammering does not help. A failing cache counts nothing
    and refuses nothing (logged).
    """
    if limit.events <= 0:
        return None
    cache_key, ends_in = _window(limit, key, time.time() if now is None else now)
    try:
        # add() starts the window (atomic: only one request creates it); incr() is atomic too.
        cache.add(cache_key, 0, timeout=ends_in + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the window expired between the two calls
            cache.set(cache_key, 1, timeout=ends_in + 1)
            count = 1
    except CACHE_ERRORS:
        logger.warning("Rate limit %s not checked: the cache is unavailable", limit.scope)
        return None
    if count > limit.events:
        if count == limit.events + 1:
            logger.warning(
                "Rate limit %s reached for key %s (%d in %d s)",
                limit.scope,
                key_digest(key),
                limit.events,
                limit.seconds,
            )
        return ends_in
    return None


def exceeded(limit: Limit, key: str, *, now: float | None = None) -> int | None:
    """Like `hit`, without counting: the seconds to wait if the key is over its limit."""
    if limit.events <= 0:
        return None
    cache_key, ends_in = _window(limit, key, time.time() if now is None else now)
    try:
        count = cache.get(cache_key, 0)
    except CACHE_ERRORS:
        logger.warning("Rate limit %s not checked: the cache is unavailable", limit.scope)
        return None
    return ends_in if count >= limit.events else None


def remember(key: str, *, seconds: int) -> None:
    """Note a fact about a key for a while (best effort: a failing cache forgets it)."""
    try:
        cache.set(f"throttle:known:{key_digest(key)}", 1, timeout=seconds)
    except CACHE_ERRORS:
        logger.warning("Not remembered: the cache is unavailable")


def is_remembered(key: str) -> bool:
    try:
        return bool(cache.get(f"throttle:known:{key_digest(key)}"))
    except CACHE_ERRORS:
        logger.warning("Not recalled: the cache is unavailable")
        return False


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or behind a proxy, the header it is configured
    to trust (settings.QUIZZES_CLIENT_IP_HEADER). For X-Forwarded-For that is the last entry,
    the one the proxy itself added; entries before it are whatever the client sent. A missing
    or malformed header falls back to the connection's address; None when there is none (a
    request made in code: django-axes stores it in an address column)."""
    remote = request.META.get("REMOTE_ADDR") or None
    header = settings.QUIZZES_CLIENT_IP_HEADER
    if not header:
        return remote
    meta_name = "HTTP_" + header.upper().replace("-", "_")
    forwarded = request.META.get(meta_name, "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote

"""The teacher home on the admin index: what needs attention in the classes she teaches."""

from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from quizzes import report, results

register = template.Library()


@register.simple_tag(takes_context=True)
def teacher_home(context: Any) -> results.TeacherHome | None:
    """The signed-in teacher's home (None on an admin index without a signed-in staff user)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_staff", False):
        return None
    now = timezone.now()
    home = results.teacher_home(
        user,
        now=now,
        today=timezone.localdate(now),
        facts_age_days=settings.QUIZZES_FACTS_REVIEW_AGE_DAYS,
    )
    return report.with_flagged_questions(home, user=user, now=now)


@register.filter
def percent(value: float | None, places: int = 0) -> str:
    """A fraction as a percentage ("34 %"); an empty string for None (the template then shows
    "—" with the reason, never "None")."""
    if value is None:
        return ""
    return f"{float(value) * 100:.{int(places)}f} %"

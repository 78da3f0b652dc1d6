"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site_time_zone(request: HttpRequest) -> dict[str, str]:
    """The zone every time is shown in, so pages can name it next to the time."""
    return {"SITE_TIME_ZONE": settings.TIME_ZONE}

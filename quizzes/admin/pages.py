"""What the teachers' own admin pages (results, roster, scores) render with."""

from typing import Any

from django.http import HttpRequest


def page_context(model_admin: Any, request: HttpRequest, **context: Any) -> dict[str, Any]:
    """What every admin page needs (site header, user links, permissions, the model's options
    for the breadcrumbs), plus the page's own context."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **context,
    }

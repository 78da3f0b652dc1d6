from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page (the admin's too): the static icon."""
    return redirect(static_url("quizzes/favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("quizzes.urls")),
    # Uploaded question images; only active with DEBUG (production serves media elsewhere).
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

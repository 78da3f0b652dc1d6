"""The user admin, narrowed for teachers: a teacher sees herself and the students of the classes
she teaches (models.classes.students_taught_by), and nobody else; superusers see everyone.

Enrolling a student who is in none of her classes yet is the one exception, and a narrow one:
the class page's enrolment autocomplete also finds a student account by its exact username
(which the student or the school gives her), never by a part of a name, so the school's list of
students cannot be read through it; and what it returns is the username alone.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from quizzes.http import request_user
from quizzes.models.classes import STUDENT_ACCOUNTS, students_taught_by

User = get_user_model()
admin.site.unregister(User)

# (app_label, model_name, field_name) of the autocomplete fields that enrol a student.
ENROLMENT_FIELDS = {("quizzes", "enrollment", "student")}


@admin.register(User)
class SchoolUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "is_staff", "last_login"]
    search_fields = ["username", "first_name", "last_name", "email"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        # Teachers only ever see students here; group and staff filters would leak names.
        return super().get_list_filter(request) if request.user.is_superuser else []

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        user = request_user(request)
        if user.is_superuser:
            return qs
        return qs.filter(Q(pk=user.pk) | students_taught_by(user))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.user.is_superuser or not _is_autocomplete(request):
            return queryset, may_have_duplicates
        # An autocomplete picks a student: never the teacher herself.
        queryset = queryset.filter(STUDENT_ACCOUNTS)
        username = search_term.strip()
        if username and _autocomplete_field(request) in ENROLMENT_FIELDS:
            exact = User.objects.filter(STUDENT_ACCOUNTS, username__iexact=username)
            queryset = queryset | exact
        return queryset, may_have_duplicates


def _is_autocomplete(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name == "autocomplete" and "admin" in match.namespaces


def _autocomplete_field(request: HttpRequest) -> tuple[str, str, str]:
    """The (app_label, model_name, field_name) an autocomplete request is for; Django's view
    has checked they name a real field whose related model is the user."""
    return (
        request.GET.get("app_label", ""),
        request.GET.get("model_name", ""),
        request.GET.get("field_name", ""),
    )

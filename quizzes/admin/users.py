"""The user admin, narrowed for teachers: they can find students to enrol, and nobody else."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from quizzes.models.classes import STUDENT_ACCOUNTS

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class SchoolUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "is_staff", "last_login"]
    search_fields = ["username", "first_name", "last_name", "email"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        # Teachers only ever see students here; group and staff filters would leak names.
        return super().get_list_filter(request) if request.user.is_superuser else []

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(STUDENT_ACCOUNTS)

"""Accounts the school creates: teachers (staff in the Teachers group, never superusers)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

TEACHERS_GROUP = "Teachers"


def teacher_create(
    *, username: str, password: str, email: str = "", first_name: str = "", last_name: str = ""
) -> User:
    """A staff account in the Teachers group (never a superuser)."""
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.filter(username=username).exists():
            raise ValidationError(
                _("A user named %(username)s already exists.") % {"username": username},
                code="username_taken",
            )
        user = user_model.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=True,
        )
        user.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    return user

"""Student account forms: sign up with a class join code, and join another class."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .accounts import username_check
from .enrolment import class_for_join_code, enrollment_join, join_check
from .models import Enrollment, SchoolClass


class DescribedErrorsMixin:
    """Point each invalid input's aria-describedby at its error message (and help text).

    Django 5.2 marks invalid inputs with aria-invalid but leaves the message unannounced;
    our field template gives each error list the id used here.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name not in self.fields:  # type: ignore[attr-defined]
                continue
            bound = self[name]  # type: ignore[index]
            ids = [f"{bound.auto_id}_error"]
            if bound.help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)  # type: ignore[attr-defined]


def join_code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Class join code"),
        max_length=40,
        help_text=_("The code your teacher gave your class, for example K7MP 2QXR."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )


class StudentSignupForm(DescribedErrorsMixin, UserCreationForm):
    """A new student account, enrolled in the class whose join code they type."""

    join_code = join_code_field()

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # stubs lack it
        model = get_user_model()
        fields = ("username", "first_name", "last_name")

    field_order = ["join_code", "username", "first_name", "last_name", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The code comes first on the page, so it, not the username, takes the focus.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].help_text = _(
            "You log in with it. Lower-case Latin letters a–z, digits and . _ - only; no spaces."
        )
        self.fields["join_code"].widget.attrs["autofocus"] = True
        for name, autocomplete in (("first_name", "given-name"), ("last_name", "family-name")):
            self.fields[name].required = True
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.school_class: SchoolClass | None = None

    def clean_join_code(self) -> str:
        code = self.cleaned_data["join_code"]
        self.school_class = class_for_join_code(code)
        return code

    def clean_username(self) -> str:
        username = super().clean_username()
        if username:  # None when Django found it taken (any case), and said so
            username_check(username)
        return username

    def save(self, commit: bool = True) -> User:
        """Create the account and its enrollment together, or neither."""
        if not commit:
            raise ValueError("A sign-up is saved with its enrollment; commit=False is unsupported.")
        with transaction.atomic():
            user = super().save(commit=True)
            # Checked again inside the transaction: the class may have closed since clean().
            enrollment_join(student=user, join_code=self.cleaned_data["join_code"])
        return user


class JoinClassForm(DescribedErrorsMixin, forms.Form):
    join_code = join_code_field()

    def __init__(self, *args: Any, student: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.student = student
        self.school_class: SchoolClass | None = None
        self.is_already_member = False

    def clean_join_code(self) -> str:
        code = self.cleaned_data["join_code"]
        self.school_class = class_for_join_code(code)
        join_check(self.student)
        self.is_already_member = self.school_class.enrollments.filter(student=self.student).exists()
        return code

    def save(self) -> Enrollment:
        return enrollment_join(student=self.student, join_code=self.cleaned_data["join_code"])


class LoginForm(DescribedErrorsMixin, AuthenticationForm):
    pass


class StudentPasswordChangeForm(DescribedErrorsMixin, PasswordChangeForm):
    pass

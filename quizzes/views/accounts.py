"""Accounts: log in and out, change password, sign up with a join code, join another class."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from quizzes import throttle
from quizzes.accounts import account_password_chosen, must_change_password
from quizzes.http import AuthenticatedHttpRequest

from ..forms import JoinClassForm, LoginForm, StudentPasswordChangeForm, StudentSignupForm


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, _("You already have an account. Join another class here."))
        return redirect("quizzes:join_class")
    # A teacher may share a link with the code filled in: /accounts/signup/?code=PEACE25
    initial = {"join_code": request.GET.get("code", "")}
    if request.method == "POST":
        retry_after = throttle.hit(throttle.signup_limit(), str(throttle.client_ip(request)))
        if retry_after is not None:
            return _refused(request, "quizzes/accounts/signup.html", StudentSignupForm, retry_after)
    form = StudentSignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except ValidationError as error:
            form.add_error("join_code", error)
        else:
            # Named: the backends before it (django-axes, the address limit) only refuse.
            login(request, user, backend="quizzes.accounts.AccountStateBackend")
            messages.success(
                request,
                _("Welcome, %(name)s! You have joined %(class)s.")
                % {"name": user.first_name, "class": form.school_class},
            )
            return redirect("quizzes:dashboard")
    return render(request, "quizzes/accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def join_class(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        retry_after = throttle.hit(throttle.join_code_limit(), f"user:{request.user.pk}")
        if retry_after is not None:
            form_class = partial(JoinClassForm, student=request.user)
            return _refused(request, "quizzes/accounts/join_class.html", form_class, retry_after)
    form = JoinClassForm(request.POST or None, student=request.user)
    if request.method == "POST" and form.is_valid():
        if form.is_already_member:
            messages.info(
                request, _("You are already in %(class)s.") % {"class": form.school_class}
            )
            return redirect("quizzes:dashboard")
        try:
            enrollment = form.save()
        except ValidationError as error:
            form.add_error("join_code", error)
        else:
            messages.success(
                request, _("You have joined %(class)s.") % {"class": enrollment.school_class}
            )
            return redirect("quizzes:dashboard")
    return render(request, "quizzes/accounts/join_class.html", {"form": form})


def _refused(
    request: HttpRequest, template: str, form_class: Any, retry_after: int
) -> HttpResponse:
    """The page again with what was typed (no password), not checked: a refused try must not
    tell whether a join code exists. 429, with when to try again."""
    typed = {name: value for name, value in request.POST.items() if "password" not in name}
    minutes = max(1, -(-retry_after // 60))
    refusal = ngettext(
        "Too many tries. Wait %(minutes)d minute, then try again.",
        "Too many tries. Wait %(minutes)d minutes, then try again.",
        minutes,
    ) % {"minutes": minutes}
    response = render(
        request, template, {"form": form_class(initial=typed), "refusal": refusal}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; it also retires a one-time password (the page says why it
    must be changed, when it must: quizzes.middleware sends such accounts here)."""

    template_name = "quizzes/accounts/password_change_form.html"
    form_class = StudentPasswordChangeForm
    success_url = reverse_lazy("quizzes:password_change_done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["must_change_password"] = must_change_password(self.request.user)
        return context

    def form_valid(self, form: StudentPasswordChangeForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            account_password_chosen(user=form.user)
        return response


urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="quizzes/accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    # POST only (Django's LogoutView refuses GET), so a link or prefetch cannot log anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="quizzes/accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/join/", join_class, name="join_class"),
]

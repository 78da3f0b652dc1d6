"""Accounts: log in and out, change password, sign up with a join code, join another class."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quizzes.http import AuthenticatedHttpRequest

from ..forms import JoinClassForm, LoginForm, StudentPasswordChangeForm, StudentSignupForm


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, _("You already have an account. Join another class here."))
        return redirect("quizzes:join_class")
    # A teacher may share a link with the code filled in: /accounts/signup/?code=PEACE25
    form = StudentSignupForm(
        request.POST or None, initial={"join_code": request.GET.get("code", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except ValidationError as error:
            form.add_error("join_code", error)
        else:
            login(request, user)
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
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="quizzes/accounts/password_change_form.html",
            form_class=StudentPasswordChangeForm,
            success_url=reverse_lazy("quizzes:password_change_done"),
        ),
        name="password_change",
    ),
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

"""A one-time password must be replaced first (quizzes.middleware.PasswordChangeRequiredMiddleware):
every page sends the account to the password change page until it has chosen its own."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.accounts import roster_import
from quizzes.middleware import PasswordChangeRequiredMiddleware
from quizzes.models import AccountState
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    EnrollmentFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "violet-harbour-1994"


@pytest.fixture
def flagged(student):
    AccountState.objects.create(user=student, must_change_password=True)
    return student


@pytest.fixture
def flagged_client(client, flagged):
    client.force_login(flagged)
    return client


def change_password(client, old="pw", new=NEW_PASSWORD):
    return client.post(
        reverse("quizzes:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    "url",
    [
        reverse("quizzes:dashboard"),
        reverse("quizzes:history"),
        reverse("quizzes:join_class"),
        reverse("quizzes:practice_home"),
        reverse("quizzes:assignment_start", args=[1]),
        reverse("quizzes:login"),
        reverse("admin:index"),
    ],
)
def test_every_page_sends_a_one_time_password_to_the_change_page(flagged_client, url):
    response = flagged_client.get(url)

    assert response.status_code == 302
    assert response.url == reverse("quizzes:password_change")


def test_a_post_elsewhere_is_refused_the_same_way(flagged_client, flagged):
    EnrollmentFactory(student=flagged)

    response = flagged_client.post(reverse("quizzes:join_class"), {"join_code": "ANYTHING"})

    assert response.status_code == 302
    assert response.url == reverse("quizzes:password_change")


def test_the_change_page_says_why(flagged_client):
    response = flagged_client.get(reverse("quizzes:password_change"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Choose your own password" in content
    assert "one-time password your teacher gave you" in content


def test_the_change_page_of_an_ordinary_account_says_nothing_of_it(student_client):
    content = student_client.get(reverse("quizzes:password_change")).content.decode()

    assert "one-time password" not in content


def test_changing_the_password_clears_the_flag_and_opens_the_site(flagged_client, flagged):
    response = change_password(flagged_client)

    assert response.status_code == 302
    assert response.url == reverse("quizzes:password_change_done")
    assert not AccountState.objects.get(user=flagged).must_change_password
    flagged.refresh_from_db()
    assert flagged.check_password(NEW_PASSWORD)
    # Still logged in (the session follows the new password), and free to go anywhere.
    assert flagged_client.get(reverse("quizzes:password_change_done")).status_code == 200
    assert flagged_client.get(reverse("quizzes:dashboard")).status_code == 200


def test_a_wrong_old_password_keeps_the_flag(flagged_client, flagged):
    response = change_password(flagged_client, old="not-it")

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert AccountState.objects.get(user=flagged).must_change_password
    assert flagged_client.get(reverse("quizzes:dashboard")).status_code == 302


def test_logging_out_is_allowed(flagged_client):
    response = flagged_client.post(reverse("quizzes:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in flagged_client.session


@pytest.mark.parametrize("path", ["/static/quizzes/site.css", "/media/questions/map.png"])
def test_static_and_media_files_pass(rf, flagged, path):
    # WhiteNoise serves static files before any middleware in production; media may reach it.
    request = rf.get(path)
    request.user = User.objects.select_related("account_state").get(pk=flagged.pk)
    middleware = PasswordChangeRequiredMiddleware(lambda request: HttpResponse())

    assert middleware.process_view(request, None, (), {}) is None


def test_the_answer_autosave_gets_a_json_403(flagged_client, flagged):
    assignment = AssignmentFactory(school_class=EnrollmentFactory(student=flagged).school_class)
    SlotFactory(quiz=assignment.quiz)
    attempt = attempt_start(student=flagged, assignment=assignment, now=timezone.now())

    response = flagged_client.post(
        reverse("quizzes:attempt_autosave", args=[attempt.pk]), {"q": "1"}
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"ok": False, "error": "password_change_required"}


def test_an_account_without_the_flag_is_unaffected(student_client, student):
    AccountState.objects.create(user=student, must_change_password=False)

    assert student_client.get(reverse("quizzes:dashboard")).status_code == 200


def test_an_account_with_no_state_row_is_unaffected(student_client):
    assert student_client.get(reverse("quizzes:dashboard")).status_code == 200


def test_the_check_costs_no_query(flagged_client, django_assert_num_queries):
    # 1 session; 2 the user, with their account state joined.
    with django_assert_num_queries(2):
        flagged_client.get(reverse("quizzes:history"))


def test_a_teachers_admin_login_is_unaffected(teacher):
    client = Client()

    login = client.post(
        reverse("admin:login"), {"username": teacher.username, "password": "pw", "next": "/admin/"}
    )
    index = client.get(reverse("admin:index"))

    assert login.status_code == 302 and login.url == "/admin/"
    assert index.status_code == 200
    assert not AccountState.objects.filter(user=teacher).exists()


def test_a_student_logging_in_with_a_one_time_password_lands_on_the_change_page():
    student = StudentFactory(username="fresh")
    AccountState.objects.create(user=student, must_change_password=True)
    client = Client()

    response = client.post(
        reverse("quizzes:login"), {"username": "fresh", "password": "pw"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("quizzes:password_change")
    assert "Choose your own password" in response.content.decode()


def test_a_one_time_password_logs_in_until_the_student_chooses_their_own(teacher):
    school_class = SchoolClassFactory(teachers=[teacher])
    [new] = roster_import(
        school_class=school_class,
        upload=SimpleUploadedFile("class.csv", b"Ann Lee,ann\n"),
        created_by=teacher,
        now=timezone.now(),
    ).students
    client = Client()

    response = client.post(
        reverse("quizzes:login"), {"username": "ann", "password": new.password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("quizzes:password_change")
    client.post(
        reverse("quizzes:password_change"),
        {
            "old_password": new.password,
            "new_password1": "violet-harbour-1994",
            "new_password2": "violet-harbour-1994",
        },
    )
    client.logout()

    assert not Client().login(username="ann", password=new.password)
    assert Client().login(username="ann", password="violet-harbour-1994")
    assert not AccountState.objects.get(user__username="ann").must_change_password

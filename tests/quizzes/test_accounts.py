"""Accounts: sign-up with a join code, joining classes, logging in and out, password change."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from quizzes.enrolment import enrollment_join, join_code_normalise
from quizzes.forms import StudentSignupForm
from quizzes.models import Enrollment
from tests.factories import EnrollmentFactory, SchoolClassFactory, StudentFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "violet-harbour-1994"


@pytest.fixture
def school_class():
    return SchoolClassFactory(name="Year 10 World Affairs", join_code="PEACE25")


def _signup_data(**changes):
    data = {
        "join_code": "PEACE25",
        "username": "aigerim",
        "first_name": "Aigerim",
        "last_name": "Bekova",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **changes}


# Sign-up


def test_signup_creates_an_enrolled_student_and_logs_them_in(client, school_class):
    response = client.post(reverse("quizzes:signup"), _signup_data(join_code=" pe-ace 25 "))

    assert response.status_code == 302
    assert response.url == reverse("quizzes:dashboard")
    user = User.objects.get(username="aigerim")
    assert (user.first_name, user.last_name) == ("Aigerim", "Bekova")
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert list(user.enrollments.values_list("school_class", flat=True)) == [school_class.pk]
    assert client.get(reverse("quizzes:dashboard")).context["user"] == user


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"join_code": "NOSUCH99"}, "join_code", "No class has this join code"),
        ({"password2": "something-else-entirely"}, "password2", "didn’t match"),
        ({"password1": "12345678", "password2": "12345678"}, "password2", "too common"),
        ({"first_name": ""}, "first_name", "required"),
    ],
    ids=["unknown-code", "password-mismatch", "weak-password", "missing-name"],
)
def test_signup_with_bad_input_shows_the_error_and_creates_nothing(
    client, school_class, changes, field, message
):
    response = client.post(reverse("quizzes:signup"), _signup_data(**changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert 'role="alert"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.filter(username="aigerim").exists()
    assert not Enrollment.objects.exists()


def test_signup_for_a_class_not_taking_students_creates_nothing(client, school_class):
    school_class.is_joinable = False
    school_class.save()

    response = client.post(reverse("quizzes:signup"), _signup_data())

    assert "not taking new students" in response.content.decode()
    assert not User.objects.filter(username="aigerim").exists()
    assert not Enrollment.objects.exists()


def test_signup_with_a_taken_username_creates_nothing(client, school_class, student):
    response = client.post(reverse("quizzes:signup"), _signup_data(username="STUDENT_A"))

    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["username"])
    assert User.objects.filter(username__iexact="student_a").count() == 1
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    ("existing", "username", "message"),
    [
        ("student01", "studеnt01", "contains “е” (U+0435 CYRILLIC SMALL LETTER IE)"),
        ("student01", "student0l", "reads the same as a username that is already taken"),
        ("studеnt01", "student01", "reads the same as a username that is already taken"),
        ("student01", "Student02", "lower case: “student02”, not “Student02”"),
    ],
    ids=["cyrillic-e", "l-for-1", "beside-an-old-cyrillic-account", "capitals"],
)
def test_signup_refuses_a_username_that_reads_like_another_and_creates_nothing(
    client, school_class, existing, username, message
):
    StudentFactory(username=existing)

    response = client.post(reverse("quizzes:signup"), _signup_data(username=username))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["username"])
    assert existing not in response.content.decode()  # the other account is not named
    assert User.objects.count() == 1
    assert not Enrollment.objects.exists()


def test_signup_rolls_back_the_user_when_the_class_closes_before_saving(school_class):
    form = StudentSignupForm(_signup_data())
    assert form.is_valid()
    school_class.is_joinable = False
    school_class.save()

    with pytest.raises(ValidationError):
        form.save()

    assert not User.objects.filter(username="aigerim").exists()


def test_signup_link_can_carry_the_join_code(client, school_class):
    response = client.get(reverse("quizzes:signup") + "?code=PEACE25")

    assert response.context["form"]["join_code"].value() == "PEACE25"


def test_signed_in_student_on_signup_is_sent_to_join_a_class(student_client):
    response = student_client.get(reverse("quizzes:signup"))

    assert response.url == reverse("quizzes:join_class")


def test_join_code_ignores_case_spaces_and_dashes():
    assert join_code_normalise(" pe-ace 25\t") == "PEACE25"


# Joining another class


def test_student_joins_another_class_by_code(student_client, student, school_class):
    EnrollmentFactory(student=student)

    response = student_client.post(reverse("quizzes:join_class"), {"join_code": "peace-25"})

    assert response.url == reverse("quizzes:dashboard")
    assert student.enrollments.count() == 2
    assert student.enrollments.filter(school_class=school_class).exists()


def test_joining_a_class_twice_is_harmless(student_client, student, school_class):
    EnrollmentFactory(student=student, school_class=school_class)

    response = student_client.post(
        reverse("quizzes:join_class"), {"join_code": "PEACE25"}, follow=True
    )

    assert "already in Year 10 World Affairs" in response.content.decode()
    assert student.enrollments.count() == 1


def test_joining_with_a_wrong_code_changes_nothing(student_client, student, school_class):
    response = student_client.post(reverse("quizzes:join_class"), {"join_code": "WRONG123"})

    assert response.status_code == 200
    assert "No class has this join code" in response.content.decode()
    assert not student.enrollments.exists()


def test_teacher_cannot_join_a_class_as_a_student(teacher_client, teacher, school_class):
    response = teacher_client.post(reverse("quizzes:join_class"), {"join_code": "PEACE25"})

    assert response.status_code == 200
    assert not Enrollment.objects.filter(student=teacher).exists()
    with pytest.raises(ValidationError):
        enrollment_join(student=teacher, join_code="PEACE25")


def test_anonymous_visitor_is_sent_to_log_in_before_joining(client):
    response = client.get(reverse("quizzes:join_class"))

    assert response.url == f"{reverse('quizzes:login')}?next={reverse('quizzes:join_class')}"


# Logging in and out


def test_student_logs_in_and_lands_on_the_dashboard(client, student):
    response = client.post(
        reverse("quizzes:login"), {"username": "student_a", "password": "pw"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("quizzes:dashboard")
    assert response.context["user"] == student


def test_wrong_password_shows_a_clear_error(client, student):
    response = client.post(reverse("quizzes:login"), {"username": "student_a", "password": "x"})

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_logging_in_here_reach_the_dashboard_with_an_admin_link(client, teacher):
    response = client.post(
        reverse("quizzes:login"), {"username": "teacher_a", "password": "pw"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("quizzes:dashboard")
    assert reverse("admin:index") in response.content.decode()


def test_logout_refuses_get_and_logs_out_on_post(student_client):
    assert student_client.get(reverse("quizzes:logout")).status_code == 405
    assert "_auth_user_id" in student_client.session

    response = student_client.post(reverse("quizzes:logout"))

    assert response.url == reverse("quizzes:login")
    assert "_auth_user_id" not in student_client.session


def test_student_changes_their_password(student_client, student):
    response = student_client.post(
        reverse("quizzes:password_change"),
        {"old_password": "pw", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert response.url == reverse("quizzes:password_change_done")
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


# CSRF


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("quizzes:signup", _signup_data()),
        ("quizzes:login", {"username": "student_a", "password": "pw"}),
    ],
)
def test_anonymous_posts_require_csrf(student, school_class, url_name, data):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse(url_name), data)

    assert response.status_code == 403
    assert not User.objects.filter(username="aigerim").exists()
    assert "_auth_user_id" not in client.session


def test_join_and_logout_require_csrf(student, school_class):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)

    assert client.post(reverse("quizzes:join_class"), {"join_code": "PEACE25"}).status_code == 403
    assert client.post(reverse("quizzes:logout")).status_code == 403

    assert not student.enrollments.exists()
    assert "_auth_user_id" in client.session

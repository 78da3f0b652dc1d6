"""Failed logins (quizzes.lockouts over django-axes): the (username, address) pair is locked
after settings.AXES_FAILURE_LIMIT wrong passwords on either login page, nothing else is; a
success or a teacher's unlock clears it; the coarse per-address limit never refuses an account
that has logged in from that address before.

Personas: the student (`student_a`, of the teacher's class), the teacher who teaches it, the
other teacher (who does not: the roster and its unlock are a 404 to her), a superuser.
"""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from quizzes import throttle
from tests.factories import EnrollmentFactory, SchoolClassFactory, StudentFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lockouts")]
SCHOOL = "203.0.113.7"
HOME = "198.51.100.20"
LOGIN = reverse("quizzes:login")
ADMIN_LOGIN = reverse("admin:login")


def login(username, password, *, address=SCHOOL, url=LOGIN):
    """A login from a fresh browser at `address`; the response."""
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": password})


def fail(username, times, *, address=SCHOOL, url=LOGIN):
    for _ in range(times):
        response = login(username, "wrong", address=address, url=url)
        assert response.status_code in (200, 429)
    return response


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.fixture
def school_class(teacher, student):
    school_class = SchoolClassFactory(teachers=[teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    return school_class


def unlock_url(school_class, student):
    return reverse("admin:quizzes_schoolclass_login_unlock", args=[school_class.pk, student.pk])


# The student login page -------------------------------------------------------------------


def test_the_fifth_wrong_password_locks_the_account_at_that_address(student, caplog):
    assert fail("student_a", 4).status_code == 200  # still the form, with its error

    with caplog.at_level(logging.WARNING, logger="quizzes.lockouts"):
        response = login("student_a", "wrong")

    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.text
    assert "ask your teacher" in response.text
    assert int(response["Retry-After"]) == 15 * 60
    assert "Login locked out" in caplog.text
    assert SCHOOL not in caplog.text and "student_a" not in caplog.text  # no personal data


def test_a_locked_account_is_refused_even_with_the_right_password(student):
    fail("student_a", 5)

    response = login("student_a", "pw")

    assert response.status_code == 429
    assert not logged_in(response)


def test_the_same_account_from_another_address_still_logs_in(student):
    fail("student_a", 5)

    assert logged_in(login("student_a", "pw", address=HOME))


def test_another_account_at_the_same_address_still_logs_in(student, other_student):
    """A whole class behind one school address: one locked student locks no one else."""
    fail("student_a", 5)
    fail("student_c", 5)  # even an attacker trying names at the school's address

    assert logged_in(login("student_b", "pw"))


def test_a_success_clears_the_failures(student):
    fail("student_a", 4)
    assert logged_in(login("student_a", "pw"))

    fail("student_a", 4)

    assert logged_in(login("student_a", "pw"))


def test_the_lock_ends_after_the_cool_off(student):
    fail("student_a", 5)
    last = AccessAttempt.objects.get().attempt_time
    AccessAttempt.objects.update(attempt_time=last - datetime.timedelta(minutes=15, seconds=1))

    assert logged_in(login("student_a", "pw"))


def test_a_forwarded_for_header_is_ignored_unless_configured(student):
    """A client cannot pick a new address per try to escape the lock."""
    for n in range(5):
        Client(REMOTE_ADDR=SCHOOL, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").post(
            LOGIN, {"username": "student_a", "password": "wrong"}
        )

    assert login("student_a", "pw").status_code == 429


# The admin's login page -------------------------------------------------------------------


def test_the_admin_login_locks_a_teacher_at_that_address_too(teacher):
    fail("teacher_a", 4, url=ADMIN_LOGIN)

    response = login("teacher_a", "pw", url=ADMIN_LOGIN)  # the fifth try is the right one...
    assert response.status_code == 302

    fail("teacher_a", 5, url=ADMIN_LOGIN)
    response = login("teacher_a", "pw", url=ADMIN_LOGIN)

    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.text
    assert "administrator" in response.text
    assert logged_in(login("teacher_a", "pw", url=ADMIN_LOGIN, address=HOME))


def test_failures_on_both_pages_count_together(teacher):
    fail("teacher_a", 3, url=ADMIN_LOGIN)
    fail("teacher_a", 2, url=LOGIN)

    assert login("teacher_a", "pw", url=ADMIN_LOGIN).status_code == 429


# The coarse limit per address -------------------------------------------------------------


@pytest.fixture
def address_limit(settings):
    settings.QUIZZES_LOGIN_ADDRESS_LIMIT = (6, 900)


def test_spraying_from_one_address_is_stopped(address_limit, student, caplog):
    """Six names, one wrong password each: no pair reaches five, the address reaches six."""
    for name in ["anna", "bulat", "dana", "erlan", "farida", "gani"]:
        login(name, "Summer2026")

    with caplog.at_level(logging.WARNING, logger="quizzes.lockouts"):
        response = login("student_a", "pw")

    assert response.status_code == 429
    assert "from your network" in response.text
    assert not logged_in(response)
    assert "too many failed logins from address" in caplog.text
    assert logged_in(login("student_a", "pw", address=HOME))


def test_the_address_limit_never_refuses_an_account_that_logged_in_there(
    address_limit, student, other_student
):
    assert logged_in(login("student_a", "pw"))
    fail("someone", 4)
    fail("someone_else", 4)

    assert logged_in(login("student_a", "pw"))
    assert login("student_b", "pw").status_code == 429


def test_the_address_limit_is_off_at_zero(settings, student):
    settings.QUIZZES_LOGIN_ADDRESS_LIMIT = (0, 900)
    for n in range(30):
        login(f"name{n}", "wrong")

    assert logged_in(login("student_a", "pw"))


# A teacher's unlock -----------------------------------------------------------------------


def test_the_roster_shows_a_locked_out_student_with_an_unlock(
    teacher_client, school_class, student
):
    fail("student_a", 5)

    page = teacher_client.get(reverse("admin:quizzes_schoolclass_roster", args=[school_class.pk]))

    assert "Locked out until" in page.text
    assert unlock_url(school_class, student) in page.text


def test_the_roster_shows_no_unlock_for_a_student_with_a_few_failures(
    teacher_client, school_class, student
):
    fail("student_a", 4)

    page = teacher_client.get(reverse("admin:quizzes_schoolclass_roster", args=[school_class.pk]))

    assert "Locked out until" not in page.text


def test_a_teacher_unlocks_a_student_of_her_class(teacher_client, school_class, student, caplog):
    fail("student_a", 5)
    fail("student_a", 5, address=HOME)

    with caplog.at_level(logging.INFO, logger="quizzes.lockouts"):
        response = teacher_client.post(unlock_url(school_class, student))

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)][-1].endswith("can log in again.")
    assert not AccessAttempt.objects.exists()
    assert "cleared 2 failed-login records" in caplog.text
    assert logged_in(login("student_a", "pw"))
    assert logged_in(login("student_a", "pw", address=HOME))


def test_another_teacher_can_neither_see_nor_unlock_the_student(
    client, other_teacher, school_class, student
):
    fail("student_a", 5)
    SchoolClassFactory(teachers=[other_teacher])
    client.force_login(other_teacher)

    roster = client.get(reverse("admin:quizzes_schoolclass_roster", args=[school_class.pk]))
    response = client.post(unlock_url(school_class, student))

    assert roster.status_code == 404
    assert response.status_code == 404
    assert AccessAttempt.objects.count() == 1
    assert login("student_a", "pw").status_code == 429


def test_a_teacher_cannot_unlock_a_student_outside_her_class_through_her_own(
    teacher_client, school_class, student
):
    outsider = StudentFactory(username="outsider")
    fail("outsider", 5)

    response = teacher_client.post(unlock_url(school_class, outsider))

    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username="outsider").exists()


def test_a_teacher_does_not_see_the_axes_records(teacher_client, student):
    fail("student_a", 5)

    response = teacher_client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 403


def test_a_superuser_unlocks_anyone(client, school_class, student, teacher):
    fail("student_a", 5)
    fail("teacher_a", 5, url=ADMIN_LOGIN)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    client.post(unlock_url(school_class, student))
    attempts = reverse("admin:axes_accessattempt_changelist")
    assert "teacher_a" in client.get(attempts).text
    client.post(
        attempts,
        {
            "action": "delete_selected",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert not AccessAttempt.objects.exists()
    assert logged_in(login("student_a", "pw"))
    assert logged_in(login("teacher_a", "pw", url=ADMIN_LOGIN))


def test_unlock_is_post_only(teacher_client, school_class, student):
    assert teacher_client.get(unlock_url(school_class, student)).status_code == 405


# The client's address ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "meta", "expected"),
    [
        ("", {"HTTP_X_FORWARDED_FOR": "1.2.3.4"}, SCHOOL),
        ("X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, "1.2.3.4"),
        ("X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "1.2.3.4, not-an-ip"}, SCHOOL),
        ("X-Forwarded-For", {}, SCHOOL),
        ("X-Real-IP", {"HTTP_X_REAL_IP": "2001:db8::1"}, "2001:db8::1"),
    ],
)
def test_the_client_address_comes_only_from_the_configured_header(
    rf, settings, header, meta, expected
):
    settings.QUIZZES_CLIENT_IP_HEADER = header

    assert throttle.client_ip(rf.get("/", REMOTE_ADDR=SCHOOL, **meta)) == expected


def test_a_request_without_an_address_has_none(rf):
    """A login made in code (force_login): django-axes stores the address in an address
    column, which PostgreSQL refuses anything but an address or NULL for."""
    request = rf.get("/")
    del request.META["REMOTE_ADDR"]

    assert throttle.client_ip(request) is None


def test_behind_a_proxy_the_lock_follows_the_forwarded_address(settings, student):
    settings.QUIZZES_CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = "10.0.0.1"
    for _ in range(5):
        Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=SCHOOL).post(
            LOGIN, {"username": "student_a", "password": "wrong"}
        )

    locked = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=SCHOOL)
    elsewhere = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=HOME)
    assert locked.post(LOGIN, {"username": "student_a", "password": "pw"}).status_code == 429
    assert elsewhere.post(LOGIN, {"username": "student_a", "password": "pw"}).status_code == 302

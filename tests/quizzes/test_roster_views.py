"""The roster pages in the admin (quizzes.admin.roster_views): adding students from a file with
login slips shown once, a student's extra time in a class, and one student's extra attempt,
later close time or excuse from an assignment.

Personas: the owner (`teacher`, who teaches the class), the other teacher (`other_teacher`, who
does not: every URL of the class is a 404 to her) and the student (never past the admin login).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from quizzes.models import (
    AccountState,
    AssignmentChange,
    AssignmentOverride,
    Enrollment,
)
from quizzes.roster import parse_roster
from quizzes.services import attempt_finish, attempt_start
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    EnrollmentFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def school_class(teacher):
    return SchoolClassFactory(name="Year 10 World Affairs", join_code="PEACE25", teachers=[teacher])


@pytest.fixture
def enrollment(school_class, student):
    return EnrollmentFactory(school_class=school_class, student=student)


@pytest.fixture
def assignment(school_class, enrollment):
    quiz = QuizFactory(published=True, time_limit_minutes=20, attempts_allowed=2)
    SlotFactory(quiz=quiz)
    return AssignmentFactory(quiz=quiz, school_class=school_class)


@pytest.fixture
def other_client(client, other_teacher):
    client.force_login(other_teacher)
    return client


def messages_of(response) -> list[str]:
    """The messages waiting after this request (those of earlier ones not yet shown too)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def last_message(response) -> str:
    return messages_of(response)[-1]


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("class.csv", text.encode(), content_type="text/csv")


def roster_url(school_class, name="roster", *args):
    return reverse(f"admin:quizzes_schoolclass_{name}", args=[school_class.pk, *args])


def student_url(assignment, name, student=None):
    args = [assignment.pk] if student is None else [assignment.pk, student.pk]
    return reverse(f"admin:quizzes_assignment_{name}", args=args)


# Buttons on the change pages ------------------------------------------------------------------


def test_the_class_page_links_to_the_roster_and_the_upload(teacher_client, school_class):
    content = teacher_client.get(
        reverse("admin:quizzes_schoolclass_change", args=[school_class.pk])
    ).content.decode()

    assert f'href="{roster_url(school_class)}"' in content
    assert f'href="{roster_url(school_class, "roster_import")}"' in content


def test_the_assignment_page_links_to_its_students(teacher_client, assignment):
    content = teacher_client.get(
        reverse("admin:quizzes_assignment_change", args=[assignment.pk])
    ).content.decode()

    assert f'href="{student_url(assignment, "students")}"' in content


# Adding students from a file ------------------------------------------------------------------


def test_the_upload_page_explains_the_format_and_offers_an_example(teacher_client, school_class):
    response = teacher_client.get(roster_url(school_class, "roster_import"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in content
    assert "CSV UTF-8" in content and "ФИО" in content and "semicolons" in content
    assert "cannot be shown again" in content
    assert roster_url(school_class, "roster_example") in content


def test_the_example_class_list_is_utf8_with_a_bom_and_passes_the_parser(
    teacher_client, school_class
):
    response = teacher_client.get(roster_url(school_class, "roster_example"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    parsed = parse_roster(response.content)
    assert parsed.problems == ()
    assert "Әлихан Серікұлы Бөкейханов" in [row.full_name for row in parsed.rows]


def test_uploading_a_class_list_shows_the_login_slips_once(teacher_client, school_class):
    response = teacher_client.post(
        roster_url(school_class, "roster_import"),
        {"file": csv_file("ФИО;Логин;Почта\nБекова Айгерим;aigerim;\nAnn Lee;ann;a@example.kz\n")},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "admin/quizzes/schoolclass/login_slips.html"
    assert "no-store" in response["Cache-Control"]
    students = response.context["students"]
    assert [s.username for s in students] == ["aigerim", "ann"]
    for new in students:
        assert new.username in content and new.password in content
        assert User.objects.get(username=new.username).check_password(new.password)
    assert content.count('class="login-slip"') == 2
    assert "http://testserver/" in content
    assert "PEACE25" in content and "Year 10 World Affairs" in content
    assert "cannot be shown again" in content
    assert set(
        Enrollment.objects.filter(school_class=school_class).values_list(
            "student__username", flat=True
        )
    ) == {"aigerim", "ann"}


def test_the_slips_page_has_a_print_stylesheet_and_a_print_button_without_inline_script(
    teacher_client, school_class
):
    response = teacher_client.post(
        roster_url(school_class, "roster_import"), {"file": csv_file("Ann Lee,ann\n")}
    )

    content = response.content.decode()
    assert "@media print" in content and "size: A4" in content
    assert "break-inside: avoid" in content
    assert "quizzes/print_button.js" in content
    assert "window.print" not in content  # only in the static script
    assert "data-print hidden" in content  # shown by the script; the text says Ctrl+P
    assert "Ctrl+P" in content


def test_posting_the_same_file_again_creates_nothing_and_shows_no_password(
    teacher_client, school_class
):
    upload = "Ann Lee,ann\nBen Ode,ben\n"
    first = teacher_client.post(
        roster_url(school_class, "roster_import"), {"file": csv_file(upload)}
    )
    passwords = [s.password for s in first.context["students"]]

    again = teacher_client.post(
        roster_url(school_class, "roster_import"), {"file": csv_file(upload)}
    )

    content = again.content.decode()
    assert again.context["problems"]
    assert "was the page of login slips reloaded?" in content
    assert not any(password in content for password in passwords)
    assert User.objects.filter(username__in=["ann", "ben"]).count() == 2


def test_a_bad_file_is_reported_by_line_and_creates_nothing(teacher_client, school_class):
    response = teacher_client.post(
        roster_url(school_class, "roster_import"),
        {"file": csv_file("Ann Lee,ann\nBen Ode,\u0432en\n,cid\n")},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "no account was created" in content
    assert "Line 2: The username “вen” contains “в”" in content
    assert "Line 3: The full name is missing." in content
    assert not User.objects.filter(username="ann").exists()
    assert not school_class.enrollments.exists()


def test_an_upload_without_a_file_asks_for_one(teacher_client, school_class):
    response = teacher_client.post(roster_url(school_class, "roster_import"), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_another_teacher_cannot_reach_or_use_the_roster_pages(
    other_client, school_class, enrollment
):
    urls = [
        roster_url(school_class),
        roster_url(school_class, "roster_import"),
        roster_url(school_class, "roster_example"),
    ]
    for url in urls:
        assert other_client.get(url).status_code == 404

    upload = other_client.post(
        roster_url(school_class, "roster_import"), {"file": csv_file("Mallory,mallory\n")}
    )
    extra_time = other_client.post(
        roster_url(school_class, "accommodation", enrollment.student_id),
        {"time_multiplier": "10"},
    )

    assert upload.status_code == 404 and extra_time.status_code == 404
    assert not User.objects.filter(username="mallory").exists()
    enrollment.refresh_from_db()
    assert enrollment.time_multiplier == 1


def test_a_student_never_reaches_the_roster_pages(student_client, school_class, enrollment):
    for url in (roster_url(school_class), roster_url(school_class, "roster_import")):
        response = student_client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))

    response = student_client.post(
        roster_url(school_class, "roster_import"), {"file": csv_file("Mallory,mallory\n")}
    )

    assert response.status_code == 302
    assert not User.objects.filter(username="mallory").exists()


# Extra time in a class ------------------------------------------------------------------------


def test_the_roster_lists_each_student_with_their_extra_time(
    teacher_client, school_class, enrollment
):
    enrollment.time_multiplier = Decimal("1.5")
    enrollment.save()

    response = teacher_client.get(roster_url(school_class))

    content = response.content.decode()
    assert enrollment.student.username in content
    assert 'value="1.50"' in content
    assert roster_url(school_class, "accommodation", enrollment.student_id) in content


def test_extra_time_is_saved_and_reaches_an_attempt_in_progress(
    teacher_client, school_class, enrollment, assignment, student
):
    attempt = attempt_start(student=student, assignment=assignment, now=timezone.now())
    limit = attempt.deadline - attempt.started_at

    response = teacher_client.post(
        roster_url(school_class, "accommodation", student.pk), {"time_multiplier": "1.5"}
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    attempt.refresh_from_db()
    assert enrollment.time_multiplier == Decimal("1.5")
    assert attempt.deadline - attempt.started_at == limit * 1.5
    assert "×1.5 time" in last_message(response)


def test_no_time_limit_lasts_until_the_close(
    teacher_client, school_class, enrollment, assignment, student
):
    attempt = attempt_start(student=student, assignment=assignment, now=timezone.now())

    teacher_client.post(
        roster_url(school_class, "accommodation", student.pk),
        {"time_multiplier": "1", "has_unlimited_time": "on"},
    )

    attempt.refresh_from_db()
    enrollment.refresh_from_db()
    assert enrollment.has_unlimited_time
    assert attempt.deadline == assignment.closes_at


@pytest.mark.parametrize("value", ["11", "0.5", "0", "-1", "abc", "1.234", "NaN", "Infinity", ""])
def test_tampered_extra_time_is_refused_and_changes_nothing(
    teacher_client, school_class, enrollment, value
):
    response = teacher_client.post(
        roster_url(school_class, "accommodation", enrollment.student_id),
        {"time_multiplier": value},
    )

    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith("Extra time for")
    enrollment.refresh_from_db()
    assert enrollment.time_multiplier == 1


def test_extra_time_for_a_student_outside_the_class_is_a_404(teacher_client, school_class):
    outsider = EnrollmentFactory()

    response = teacher_client.post(
        roster_url(school_class, "accommodation", outsider.student_id), {"time_multiplier": "3"}
    )

    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.time_multiplier == 1


def test_extra_time_is_post_only(teacher_client, school_class, enrollment):
    response = teacher_client.get(roster_url(school_class, "accommodation", enrollment.student_id))

    assert response.status_code == 405


@pytest.mark.parametrize("students", [3, 30])
def test_roster_page_query_count(students, teacher_client, school_class, django_assert_num_queries):
    for _ in range(students):
        EnrollmentFactory(school_class=school_class)

    # 1-2 session, user; 3 the class; 4-5 permissions; 6 enrollments with their students;
    # 7 which of them are locked out after failed logins.
    with django_assert_num_queries(7):
        response = teacher_client.get(roster_url(school_class))

    assert len(response.context["rows"]) == students


# One student's exceptions to an assignment ----------------------------------------------------


def test_the_students_page_shows_each_students_attempts_and_window(
    teacher_client, assignment, student
):
    attempt_start(student=student, assignment=assignment, now=timezone.now())

    response = teacher_client.get(student_url(assignment, "students"))

    content = response.content.decode()
    [row] = response.context["rows"]
    assert (row.used, row.allowed, row.running) == (1, 2, True)
    assert "Attempt in progress" in content
    assert student_url(assignment, "extra_attempt", student) in content
    assert student_url(assignment, "excuse", student) not in content  # not while running


def test_an_extra_attempt_is_one_more_than_the_student_has_and_is_logged(
    teacher_client, assignment, student, teacher
):
    now = timezone.now()
    for _ in range(2):
        attempt = attempt_start(student=student, assignment=assignment, now=now)
        attempt_finish(attempt=attempt, now=now)

    first = teacher_client.post(student_url(assignment, "extra_attempt", student))
    teacher_client.post(student_url(assignment, "extra_attempt", student))

    assert first.status_code == 302
    override = AssignmentOverride.objects.get(assignment=assignment, student=student)
    assert override.attempts_allowed == 4
    assert "may now make 3 attempts" in last_message(first)
    changes = list(AssignmentChange.objects.filter(assignment=assignment).order_by("pk"))
    assert len(changes) == 2
    assert changes[0].changed_by == teacher
    assert changes[0].changes[0]["what"].startswith("override for")
    assert changes[1].changes == [
        {"what": f"override for {student.get_full_name()} (student_a): attempts allowed",
         "from": "3", "to": "4"}
    ]  # fmt: skip


def test_an_extra_attempt_counts_from_the_attempts_used(teacher_client, assignment, student):
    now = timezone.now()
    for _ in range(2):
        attempt_finish(
            attempt=attempt_start(student=student, assignment=assignment, now=now), now=now
        )
    # The teacher has lowered this student's limit below what they used.
    AssignmentOverrideFactory(
        assignment=assignment, student=student, attempts_allowed=1, time_limit_minutes=None
    )

    teacher_client.post(student_url(assignment, "extra_attempt", student))

    assert AssignmentOverride.objects.get(student=student).attempts_allowed == 3


def test_an_extra_attempt_when_attempts_are_unlimited_is_refused(
    teacher_client, school_class, enrollment, student
):
    assignment = AssignmentFactory(
        quiz=QuizFactory(published=True, attempts_allowed=0), school_class=school_class
    )

    response = teacher_client.post(student_url(assignment, "extra_attempt", student))

    assert "already has unlimited attempts" in last_message(response)
    assert not AssignmentOverride.objects.exists()
    assert not AssignmentChange.objects.exists()


def test_an_extra_attempt_after_the_close_says_to_extend_it(
    teacher_client, school_class, enrollment, student
):
    assignment = AssignmentFactory(school_class=school_class, closed=True)

    response = teacher_client.post(student_url(assignment, "extra_attempt", student))

    assert any("give a later close time too" in m for m in messages_of(response))


def test_a_later_close_time_extends_a_running_attempt_and_is_logged(
    teacher_client, assignment, student
):
    assignment.time_limit_minutes = None
    assignment.save()
    attempt = attempt_start(student=student, assignment=assignment, now=timezone.now())
    later = timezone.localtime(assignment.closes_at + DAY).replace(second=0, microsecond=0)

    response = teacher_client.post(
        student_url(assignment, "close_later", student),
        {"closes_at": later.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 302
    assert AssignmentOverride.objects.get(student=student).closes_at == later
    attempt.refresh_from_db()
    assert attempt.deadline == later
    [change] = AssignmentChange.objects.filter(assignment=assignment)
    assert "closes at" in change.changes[0]["to"]
    assert "now closes for" in last_message(response)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2001-01-01T10:00", "already passed"),
        ("not a time", "Enter a valid date/time."),
        ("", "This field is required."),
        ("2030-02-30T10:00", "Enter a valid date/time."),
    ],
)
def test_a_close_time_that_makes_no_sense_is_refused(
    teacher_client, assignment, student, value, message
):
    response = teacher_client.post(
        student_url(assignment, "close_later", student), {"closes_at": value}
    )

    assert message in last_message(response)
    assert not AssignmentOverride.objects.exists()
    assert not AssignmentChange.objects.exists()


def test_a_close_time_before_the_classs_is_not_later(teacher_client, assignment, student):
    earlier = timezone.localtime(assignment.closes_at - datetime.timedelta(hours=1))

    response = teacher_client.post(
        student_url(assignment, "close_later", student),
        {"closes_at": earlier.strftime("%Y-%m-%dT%H:%M")},
    )

    assert "must be after the class's close time" in last_message(response)
    assert not AssignmentOverride.objects.exists()


def test_excusing_a_student_keeps_them_from_starting_and_is_logged(
    teacher_client, assignment, student
):
    response = teacher_client.post(student_url(assignment, "excuse", student))

    assert "is excused" in last_message(response)
    assert AssignmentOverride.objects.get(student=student).is_excused
    [change] = AssignmentChange.objects.filter(assignment=assignment)
    assert change.changes[0]["to"] == "excused yes"
    page = teacher_client.get(student_url(assignment, "students")).content.decode()
    assert student_url(assignment, "unexcuse", student) in page
    assert student_url(assignment, "extra_attempt", student) not in page


def test_taking_back_an_excuse_removes_an_override_left_empty_and_logs_it(
    teacher_client, assignment, student
):
    teacher_client.post(student_url(assignment, "excuse", student))

    response = teacher_client.post(student_url(assignment, "unexcuse", student))

    assert "no longer excused" in last_message(response)
    assert not AssignmentOverride.objects.exists()
    latest = AssignmentChange.objects.filter(assignment=assignment).first()
    assert latest.changes == [
        {"what": f"override for {student.get_full_name()} (student_a): excused",
         "from": "yes", "to": "no"}
    ]  # fmt: skip


def test_taking_back_an_excuse_keeps_the_rest_of_the_override(teacher_client, assignment, student):
    AssignmentOverrideFactory(
        assignment=assignment, student=student, time_limit_minutes=45, is_excused=True
    )

    teacher_client.post(student_url(assignment, "unexcuse", student))

    override = AssignmentOverride.objects.get(student=student)
    assert (override.is_excused, override.time_limit_minutes) == (False, 45)


def test_a_student_with_an_attempt_in_progress_cannot_be_excused(
    teacher_client, assignment, student
):
    attempt_start(student=student, assignment=assignment, now=timezone.now())

    response = teacher_client.post(student_url(assignment, "excuse", student))

    assert "has an attempt in progress" in last_message(response)
    assert not AssignmentOverride.objects.exists()


def test_an_excused_student_gets_no_extra_attempt_nor_later_close(
    teacher_client, assignment, student
):
    teacher_client.post(student_url(assignment, "excuse", student))

    extra = teacher_client.post(student_url(assignment, "extra_attempt", student))
    later = teacher_client.post(
        student_url(assignment, "close_later", student),
        {"closes_at": timezone.localtime(assignment.closes_at + DAY).strftime("%Y-%m-%dT%H:%M")},
    )

    assert "take the excuse back first" in last_message(extra)
    assert "take the excuse back first" in last_message(later)
    override = AssignmentOverride.objects.get(student=student)
    assert (override.attempts_allowed, override.closes_at) == (None, None)


def test_excusing_twice_changes_and_logs_nothing_more(teacher_client, assignment, student):
    teacher_client.post(student_url(assignment, "excuse", student))

    response = teacher_client.post(student_url(assignment, "excuse", student))

    assert "Nothing changed" in last_message(response)
    assert AssignmentChange.objects.filter(assignment=assignment).count() == 1


def test_another_teacher_cannot_change_a_students_exceptions(other_client, assignment, student):
    assert other_client.get(student_url(assignment, "students")).status_code == 404
    for name in ("extra_attempt", "excuse", "unexcuse"):
        assert other_client.post(student_url(assignment, name, student)).status_code == 404
    response = other_client.post(
        student_url(assignment, "close_later", student), {"closes_at": "2040-01-01T10:00"}
    )

    assert response.status_code == 404
    assert not AssignmentOverride.objects.exists()
    assert not AssignmentChange.objects.exists()


def test_a_student_outside_the_class_is_a_404(teacher_client, assignment):
    outsider = StudentFactory()
    EnrollmentFactory(student=outsider)

    for name in ("extra_attempt", "excuse"):
        assert teacher_client.post(student_url(assignment, name, outsider)).status_code == 404

    assert not AssignmentOverride.objects.exists()


def test_a_student_cannot_change_their_own_exceptions(student_client, assignment, student):
    response = student_client.post(student_url(assignment, "extra_attempt", student))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not AssignmentOverride.objects.exists()


def test_the_override_actions_are_post_only(teacher_client, assignment, student):
    for name in ("extra_attempt", "close_later", "excuse", "unexcuse"):
        assert teacher_client.get(student_url(assignment, name, student)).status_code == 405


@pytest.mark.parametrize("students", [3, 30])
def test_students_page_query_count(students, teacher_client, assignment, django_assert_num_queries):
    now = timezone.now()
    for n in range(students):
        other = EnrollmentFactory(school_class=assignment.school_class).student
        if n % 3 == 0:
            AssignmentOverrideFactory(assignment=assignment, student=other)
        if n % 3 == 1:
            attempt_start(student=other, assignment=assignment, now=now)

    # 1-2 session, user; 3 the assignment with its quiz and class; 4-5 permissions;
    # 6 enrollments with their students; 7 overrides; 8 attempt counts per student.
    with django_assert_num_queries(8):
        response = teacher_client.get(student_url(assignment, "students"))

    assert len(response.context["rows"]) == students + 1


def test_an_account_created_from_a_file_is_a_plain_student(teacher_client, school_class):
    teacher_client.post(
        roster_url(school_class, "roster_import"), {"file": csv_file("Ann Lee,ann\n")}
    )

    user = User.objects.get(username="ann")
    assert not user.is_staff and not user.is_superuser
    assert AccountState.objects.get(user=user).must_change_password

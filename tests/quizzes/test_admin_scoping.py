"""Who sees what in the admin: banks and questions are shared; classes, assignments and attempts
are scoped to the classes a teacher teaches; superusers see everything.

Personas: the owner (`teacher`, who teaches class A), the other teacher (`other_teacher`, who
teaches class B) and the outsider (a student, who never gets into the admin at all).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import (
    Assignment,
    AssignmentOverride,
    Attempt,
    Bank,
    Enrollment,
    Question,
    SchoolClass,
)
from quizzes.models.classes import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from quizzes.services import attempt_finish, attempt_start
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
)

User = get_user_model()


def management_form(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def split_datetime(name: str, value: datetime.datetime) -> dict[str, str]:
    """The admin's SplitDateTimeWidget posts a date and a time field, in local time."""
    local = timezone.localtime(value)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


def exam_settings_data(settings: dict) -> dict[str, str]:
    """Exam settings as the admin form posts them (a checkbox posts "on" or nothing)."""
    data = {}
    for name, value in settings.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return data


def assignment_form_data(
    *,
    quiz,
    school_class,
    opens_at,
    closes_at,
    overrides=(),
    settings=None,
    changes=0,
    assignment=None,
):
    """What the assignment form posts: the quiz's default settings unless `settings` given.

    For an existing `assignment`, its own slots are posted back unchanged (the change page's
    "questions in this exam" inline).
    """
    slots = list(assignment.slots.all()) if assignment is not None else []
    data = {
        **management_form("slots", len(slots), len(slots)),
        "quiz": str(quiz.pk),
        "school_class": str(school_class.pk),
        **split_datetime("opens_at", opens_at),
        **split_datetime("closes_at", closes_at),
        **exam_settings_data(settings if settings is not None else quiz.exam_settings()),
        **management_form("overrides", len(overrides)),
        **management_form("changes", changes, changes),
    }
    for index, slot in enumerate(slots):
        row = {
            "id": str(slot.pk),
            "assignment": str(assignment.pk),
            "position": str(slot.position),
            "question": str(slot.question_id or ""),
            "bank": str(slot.bank_id or ""),
            "tag": str(slot.tag_id or ""),
            "count": str(slot.count),
            "points": "" if slot.points is None else str(slot.points),
        }
        data.update({f"slots-{index}-{key}": value for key, value in row.items()})
    for index, override in enumerate(overrides):
        row = {
            "id": "",
            "student": "",
            "opens_at_0": "",
            "opens_at_1": "",
            "closes_at_0": "",
            "closes_at_1": "",
            "attempts_allowed": "",
            "time_limit_minutes": "",
            **override,
        }
        data.update({f"overrides-{index}-{key}": value for key, value in row.items()})
    return data


def class_form_data(*, name, teachers, enrollments=()):
    data = {
        "name": name,
        "teachers": [str(t.pk) for t in teachers],
        "is_joinable": "on",
        **management_form("enrollments", len(enrollments)),
    }
    for index, enrollment in enumerate(enrollments):
        row = {"id": "", "student": "", "time_multiplier": "1", **enrollment}
        data.update({f"enrollments-{index}-{key}": value for key, value in row.items()})
    return data


def warning_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_shown_as_missing(response) -> None:
    """Django admin answers an object outside get_queryset as if it did not exist."""
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert any("doesn’t exist" in message for message in warning_messages(response))


def result_list(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def inline_errors(response) -> list[str]:
    """Every error an inline shows: the formset's own and each row's."""
    errors = []
    for inline in response.context["inline_admin_formsets"]:
        errors += [str(error) for error in inline.formset.non_form_errors()]
        for form_errors_ in inline.formset.errors:
            errors += [str(e) for messages in form_errors_.values() for e in messages]
    return errors


# -- personas and their data --------------------------------------------------------------------


@pytest.fixture
def other_teacher_client(other_teacher) -> Client:
    client = Client()
    client.force_login(other_teacher)
    return client


@pytest.fixture
def class_a(teacher, student) -> SchoolClass:
    school_class = SchoolClassFactory(name="Grade 9A", teachers=[teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    return school_class


@pytest.fixture
def class_b(other_teacher, other_student) -> SchoolClass:
    school_class = SchoolClassFactory(name="Grade 9B", teachers=[other_teacher])
    EnrollmentFactory(school_class=school_class, student=other_student)
    return school_class


def make_assignment(school_class: SchoolClass) -> Assignment:
    assignment = AssignmentFactory(school_class=school_class)
    SlotFactory(quiz=None, assignment=assignment)
    return assignment


@pytest.fixture
def assignment_a(class_a) -> Assignment:
    return make_assignment(class_a)


@pytest.fixture
def assignment_b(class_b) -> Assignment:
    return make_assignment(class_b)


def finished_attempt(*, student, assignment) -> Attempt:
    now = timezone.now()
    attempt = attempt_start(student=student, assignment=assignment, now=now)
    return attempt_finish(attempt=attempt, now=now)


@pytest.fixture
def attempt_a(student, assignment_a) -> Attempt:
    return finished_attempt(student=student, assignment=assignment_a)


@pytest.fixture
def attempt_b(other_student, assignment_b) -> Attempt:
    return finished_attempt(student=other_student, assignment=assignment_b)


# -- classes ------------------------------------------------------------------------------------


def test_each_teacher_lists_only_the_classes_they_teach(
    teacher_client, other_teacher_client, class_a, class_b
):
    assert result_list(teacher_client.get(reverse("admin:quizzes_schoolclass_changelist"))) == [
        class_a
    ]
    assert result_list(
        other_teacher_client.get(reverse("admin:quizzes_schoolclass_changelist"))
    ) == [class_b]


def test_teacher_cannot_open_another_teachers_class(teacher_client, class_b):
    response = teacher_client.get(reverse("admin:quizzes_schoolclass_change", args=[class_b.pk]))

    assert_shown_as_missing(response)


def test_teacher_cannot_edit_another_teachers_class(teacher, teacher_client, class_b):
    data = class_form_data(name="Taken over", teachers=[teacher])

    response = teacher_client.post(
        reverse("admin:quizzes_schoolclass_change", args=[class_b.pk]), data
    )

    assert_shown_as_missing(response)
    class_b.refresh_from_db()
    assert class_b.name == "Grade 9B"
    assert not class_b.teachers.filter(pk=teacher.pk).exists()


def test_teacher_cannot_delete_another_teachers_class(teacher_client, class_b):
    response = teacher_client.post(
        reverse("admin:quizzes_schoolclass_delete", args=[class_b.pk]), {"post": "yes"}
    )

    assert_shown_as_missing(response)
    assert SchoolClass.objects.filter(pk=class_b.pk).exists()


def test_student_is_sent_to_the_admin_login(student_client, class_a):
    url = reverse("admin:quizzes_schoolclass_changelist")

    response = student_client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_teacher_who_creates_a_class_teaches_it_and_it_gets_a_join_code(
    teacher, other_teacher, teacher_client
):
    # The teacher names only a colleague; the admin still makes the creator a teacher of it.
    data = class_form_data(name="Grade 10C", teachers=[other_teacher])

    response = teacher_client.post(reverse("admin:quizzes_schoolclass_add"), data)

    assert response.status_code == 302
    school_class = SchoolClass.objects.get(name="Grade 10C")
    assert set(school_class.teachers.all()) == {teacher, other_teacher}
    assert len(school_class.join_code) == JOIN_CODE_LENGTH
    assert set(school_class.join_code) <= set(JOIN_CODE_ALPHABET)


def test_enrollment_inline_adds_a_student_to_the_class(teacher, teacher_client):
    school_class = SchoolClassFactory(name="Grade 11", teachers=[teacher])
    newcomer = StudentFactory(username="newcomer")
    data = class_form_data(
        name="Grade 11",
        teachers=[teacher],
        enrollments=[{"student": str(newcomer.pk), "time_multiplier": "1.5"}],
    )

    response = teacher_client.post(
        reverse("admin:quizzes_schoolclass_change", args=[school_class.pk]), data
    )

    assert response.status_code == 302
    enrollment = Enrollment.objects.get(school_class=school_class)
    assert enrollment.student == newcomer
    assert enrollment.time_multiplier == Decimal("1.5")


# -- assignments --------------------------------------------------------------------------------


def test_each_teacher_lists_only_assignments_of_their_classes(
    teacher_client, other_teacher_client, assignment_a, assignment_b
):
    url = reverse("admin:quizzes_assignment_changelist")

    assert result_list(teacher_client.get(url)) == [assignment_a]
    assert result_list(other_teacher_client.get(url)) == [assignment_b]


def test_teacher_cannot_open_another_teachers_assignment(teacher_client, assignment_b):
    response = teacher_client.get(
        reverse("admin:quizzes_assignment_change", args=[assignment_b.pk])
    )

    assert_shown_as_missing(response)


def test_teacher_cannot_edit_another_teachers_assignment(teacher_client, class_a, assignment_b):
    closes_at = assignment_b.closes_at
    data = assignment_form_data(
        quiz=assignment_b.quiz,
        school_class=class_a,
        opens_at=assignment_b.opens_at,
        closes_at=closes_at + datetime.timedelta(days=30),
    )

    response = teacher_client.post(
        reverse("admin:quizzes_assignment_change", args=[assignment_b.pk]), data
    )

    assert_shown_as_missing(response)
    assignment_b.refresh_from_db()
    assert assignment_b.school_class_id != class_a.pk
    assert assignment_b.closes_at == closes_at


def add_url(quiz) -> str:
    return reverse("admin:quizzes_assignment_add") + f"?quiz={quiz.pk}"


def test_assignment_add_form_offers_only_the_teachers_own_classes(teacher_client, class_a, class_b):
    response = teacher_client.get(add_url(QuizFactory(published=True)))

    field = response.context["adminform"].form.fields["school_class"]
    assert list(field.queryset) == [class_a]
    assert f'value="{class_b.pk}"' not in str(response.context["adminform"].form["school_class"])


def test_teacher_adds_an_assignment_for_their_own_class(teacher, teacher_client, class_a):
    quiz = QuizFactory(published=True)
    now = timezone.now().replace(microsecond=0)
    data = assignment_form_data(
        quiz=quiz, school_class=class_a, opens_at=now, closes_at=now + datetime.timedelta(days=7)
    )

    response = teacher_client.post(add_url(quiz), data)

    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.school_class == class_a
    assert assignment.created_by == teacher


def test_assignment_for_another_teachers_class_is_refused(teacher_client, class_a, class_b):
    quiz = QuizFactory(published=True)
    now = timezone.now()
    data = assignment_form_data(
        quiz=quiz, school_class=class_b, opens_at=now, closes_at=now + datetime.timedelta(days=7)
    )

    response = teacher_client.post(add_url(quiz), data)

    assert response.status_code == 200
    assert "Select a valid choice" in form_errors(response)["school_class"][0]
    assert not Assignment.objects.exists()


def test_assignment_closing_before_it_opens_is_refused(teacher_client, class_a):
    quiz = QuizFactory(published=True)
    now = timezone.now()
    data = assignment_form_data(
        quiz=quiz, school_class=class_a, opens_at=now, closes_at=now - datetime.timedelta(days=1)
    )

    response = teacher_client.post(add_url(quiz), data)

    assert response.status_code == 200
    assert form_errors(response)["closes_at"] == ["The close time must be after the open time."]
    assert not Assignment.objects.exists()


def test_override_for_an_enrolled_student_is_saved(teacher_client, student, assignment_a):
    data = assignment_form_data(
        assignment=assignment_a,
        quiz=assignment_a.quiz,
        school_class=assignment_a.school_class,
        opens_at=assignment_a.opens_at,
        closes_at=assignment_a.closes_at,
        overrides=[{"student": str(student.pk), "attempts_allowed": "3"}],
    )

    response = teacher_client.post(
        reverse("admin:quizzes_assignment_change", args=[assignment_a.pk]), data
    )

    assert response.status_code == 302
    override = AssignmentOverride.objects.get(assignment=assignment_a)
    assert (override.student, override.attempts_allowed) == (student, 3)


def test_an_override_saved_during_an_attempt_extends_its_deadline(
    teacher_client, student, assignment_a
):
    attempt = attempt_start(student=student, assignment=assignment_a, now=timezone.now())
    data = assignment_form_data(
        assignment=assignment_a,
        quiz=assignment_a.quiz,
        school_class=assignment_a.school_class,
        opens_at=assignment_a.opens_at,
        closes_at=assignment_a.closes_at,
        overrides=[{"student": str(student.pk), "time_limit_minutes": "90"}],
    )

    teacher_client.post(reverse("admin:quizzes_assignment_change", args=[assignment_a.pk]), data)

    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=90)


def test_override_for_a_student_outside_the_class_is_refused(
    teacher_client, other_student, assignment_a
):
    data = assignment_form_data(
        assignment=assignment_a,
        quiz=assignment_a.quiz,
        school_class=assignment_a.school_class,
        opens_at=assignment_a.opens_at,
        closes_at=assignment_a.closes_at,
        overrides=[{"student": str(other_student.pk), "attempts_allowed": "3"}],
    )

    response = teacher_client.post(
        reverse("admin:quizzes_assignment_change", args=[assignment_a.pk]), data
    )

    assert response.status_code == 200
    name = f"{other_student.get_full_name()} (student_b)"
    assert inline_errors(response) == [f"{name} is not in this class; enrol them first."]
    assert not AssignmentOverride.objects.exists()


# -- attempts -----------------------------------------------------------------------------------


def test_each_teacher_lists_only_attempts_in_their_classes(
    teacher_client, other_teacher_client, attempt_a, attempt_b
):
    url = reverse("admin:quizzes_attempt_changelist")

    assert result_list(teacher_client.get(url)) == [attempt_a]
    assert result_list(other_teacher_client.get(url)) == [attempt_b]


def test_teacher_can_open_an_attempt_in_their_class(teacher_client, attempt_a):
    response = teacher_client.get(reverse("admin:quizzes_attempt_change", args=[attempt_a.pk]))

    assert response.status_code == 200
    assert response.context["original"] == attempt_a


def test_teacher_cannot_open_another_teachers_attempt(teacher_client, attempt_b):
    response = teacher_client.get(reverse("admin:quizzes_attempt_change", args=[attempt_b.pk]))

    assert_shown_as_missing(response)


def test_teacher_cannot_edit_another_teachers_attempt(teacher_client, attempt_b):
    score = attempt_b.score

    response = teacher_client.post(
        reverse("admin:quizzes_attempt_change", args=[attempt_b.pk]), {"score": "100"}
    )

    # Attempts are read-only for every teacher, so the POST is refused before the lookup.
    assert response.status_code == 403
    attempt_b.refresh_from_db()
    assert attempt_b.score == score


# -- superuser ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "fixtures"),
    [
        ("admin:quizzes_schoolclass_changelist", ["class_a", "class_b"]),
        ("admin:quizzes_assignment_changelist", ["assignment_a", "assignment_b"]),
        ("admin:quizzes_attempt_changelist", ["attempt_a", "attempt_b"]),
    ],
)
def test_superuser_sees_every_teachers_rows(admin_client, request, url_name, fixtures):
    expected = {request.getfixturevalue(name) for name in fixtures}

    response = admin_client.get(reverse(url_name))

    assert set(result_list(response)) == expected


def test_superuser_can_open_any_teachers_class(admin_client, class_a, class_b):
    for school_class in (class_a, class_b):
        response = admin_client.get(
            reverse("admin:quizzes_schoolclass_change", args=[school_class.pk])
        )
        assert response.status_code == 200
        assert response.context["original"] == school_class


# -- shared banks and questions: permissions ----------------------------------------------------


def test_teachers_are_staff_but_not_superusers(teacher, teachers_group):
    assert teacher.is_staff
    assert not teacher.is_superuser
    assert teacher.groups.filter(pk=teachers_group.pk).exists()


@pytest.mark.parametrize("model", ["question", "bank"])
def test_teachers_group_may_add_and_change_but_not_delete(teacher, teachers_group, model):
    codenames = set(teachers_group.permissions.values_list("codename", flat=True))

    assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames
    assert f"delete_{model}" not in codenames
    assert teacher.has_perm(f"quizzes.change_{model}")
    assert not teacher.has_perm(f"quizzes.delete_{model}")


def test_teachers_read_an_exams_history_but_never_write_it(teacher, teachers_group):
    codenames = set(teachers_group.permissions.values_list("codename", flat=True))

    assert "view_assignmentchange" in codenames
    assert not {"add_assignmentchange", "change_assignmentchange", "delete_assignmentchange"} & (
        codenames
    )
    assert teacher.has_perm("quizzes.view_assignmentchange")


def test_teacher_gets_403_on_the_question_delete_page(teacher_client):
    question = QuestionFactory()
    url = reverse("admin:quizzes_question_delete", args=[question.pk])

    get_response = teacher_client.get(url)
    post_response = teacher_client.post(url, {"post": "yes"})

    assert get_response.status_code == 403
    assert post_response.status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_teacher_gets_403_on_the_bank_delete_page(teacher_client):
    bank = BankFactory()

    response = teacher_client.post(reverse("admin:quizzes_bank_delete", args=[bank.pk]), {})

    assert response.status_code == 403
    assert Bank.objects.filter(pk=bank.pk).exists()


def test_question_changelist_offers_teachers_no_delete_action(teacher_client):
    QuestionFactory()

    response = teacher_client.get(reverse("admin:quizzes_question_changelist"))

    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert "publish" in actions


def test_every_teacher_sees_every_question(teacher, teacher_client, other_teacher):
    mine = QuestionFactory(created_by=teacher)
    theirs = QuestionFactory(created_by=other_teacher)

    response = teacher_client.get(reverse("admin:quizzes_question_changelist"))

    assert set(result_list(response)) == {mine, theirs}


# -- users --------------------------------------------------------------------------------------


def test_user_admin_shows_a_teacher_herself_and_the_students_of_her_classes_only(
    teacher, teacher_client, other_teacher, class_a, class_b, student, admin_user
):
    in_both = StudentFactory(username="in_both")
    EnrollmentFactory(school_class=class_a, student=in_both)
    EnrollmentFactory(school_class=class_b, student=in_both)
    StudentFactory(username="in_no_class")

    response = teacher_client.get(reverse("admin:auth_user_changelist"))

    assert sorted(result_list(response), key=str) == [in_both, student, teacher]


def test_user_admin_search_never_reaches_past_her_students(teacher_client, class_a, class_b):
    response = teacher_client.get(reverse("admin:auth_user_changelist"), {"q": "student_b"})

    assert result_list(response) == []


@pytest.mark.parametrize("persona", ["other_student", "unenrolled"])
def test_teacher_cannot_open_a_student_she_does_not_teach(
    teacher_client, class_a, class_b, request, persona
):
    user = (
        StudentFactory(username="unenrolled")
        if persona == "unenrolled"
        else request.getfixturevalue(persona)
    )

    response = teacher_client.get(reverse("admin:auth_user_change", args=[user.pk]))

    assert_shown_as_missing(response)


def test_teacher_sees_her_own_students_email_and_last_login(teacher_client, class_a, student):
    student.email = "aigerim@example.kz"
    student.last_login = timezone.now()
    student.save()

    response = teacher_client.get(reverse("admin:auth_user_change", args=[student.pk]))

    assert response.status_code == 200
    assert "aigerim@example.kz" in response.text


def student_autocomplete(client, term: str, *, field=("quizzes", "enrollment", "student")):
    """The ids and labels the enrolment (or another) autocomplete offers for `term`."""
    app_label, model_name, field_name = field
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return response.json()["results"]


def test_the_enrolment_autocomplete_finds_only_her_students_by_part_of_a_name(
    teacher_client, teacher, class_a, class_b, student, other_student
):
    other_student.email = "student_b@example.kz"
    other_student.save()

    results = student_autocomplete(teacher_client, "student")

    assert results == [{"id": str(student.pk), "text": "student_a"}]
    assert student_autocomplete(teacher_client, "@example.kz") == []


def test_the_enrolment_autocomplete_finds_any_student_by_exact_username(
    teacher_client, class_a, class_b, other_student
):
    other_student.email = "student_b@example.kz"
    other_student.save()

    results = student_autocomplete(teacher_client, " Student_B ")

    # The username alone: nothing else about a student she does not teach.
    assert results == [{"id": str(other_student.pk), "text": "student_b"}]


@pytest.mark.parametrize("term", ["teacher_b", "admin", "teacher_a"])
def test_the_enrolment_autocomplete_never_offers_a_staff_account(
    teacher_client, class_a, other_teacher, admin_user, term
):
    assert student_autocomplete(teacher_client, term) == []


def test_the_override_autocomplete_finds_only_her_students_even_by_exact_username(
    teacher_client, class_a, class_b, student
):
    field = ("quizzes", "assignmentoverride", "student")

    assert student_autocomplete(teacher_client, "student_b", field=field) == []
    assert student_autocomplete(teacher_client, "student_a", field=field) == [
        {"id": str(student.pk), "text": "student_a"}
    ]


def test_a_student_found_by_exact_username_can_be_enrolled(
    teacher, teacher_client, class_a, class_b, other_student
):
    [found] = student_autocomplete(teacher_client, "student_b")
    data = class_form_data(
        name=class_a.name,
        teachers=[teacher],
        enrollments=[{"student": found["id"]}],
    )

    response = teacher_client.post(
        reverse("admin:quizzes_schoolclass_change", args=[class_a.pk]), data
    )

    assert response.status_code == 302
    assert class_a.enrollments.filter(student=other_student).exists()


def test_superuser_autocomplete_finds_every_student_by_part_of_a_name(
    admin_client, class_a, class_b, student, other_student
):
    results = student_autocomplete(admin_client, "student")

    assert {row["id"] for row in results} == {str(student.pk), str(other_student.pk)}


@pytest.mark.parametrize("persona", ["other_teacher", "admin_user"])
def test_teacher_cannot_open_a_staff_user(teacher_client, request, persona):
    user = request.getfixturevalue(persona)

    response = teacher_client.get(reverse("admin:auth_user_change", args=[user.pk]))

    assert_shown_as_missing(response)


def test_superuser_sees_every_user(admin_client, admin_user, teacher, other_teacher, student):
    response = admin_client.get(reverse("admin:auth_user_changelist"))

    assert set(result_list(response)) == {admin_user, teacher, other_teacher, student}


def test_teacher_cannot_change_a_student_account(teacher_client, student):
    response = teacher_client.post(
        reverse("admin:auth_user_change", args=[student.pk]),
        {"username": "renamed", "is_staff": "on"},
    )

    assert response.status_code == 403
    student.refresh_from_db()
    assert (student.username, student.is_staff) == ("student_a", False)


@pytest.mark.parametrize("persona", ["other_teacher", "admin_user"])
def test_enrollment_inline_refuses_a_staff_user(teacher, teacher_client, request, persona):
    staff_user = request.getfixturevalue(persona)
    school_class = SchoolClassFactory(name="Grade 11", teachers=[teacher])
    data = class_form_data(
        name="Grade 11", teachers=[teacher], enrollments=[{"student": str(staff_user.pk)}]
    )

    response = teacher_client.post(
        reverse("admin:quizzes_schoolclass_change", args=[school_class.pk]), data
    )

    assert response.status_code == 200
    assert not Enrollment.objects.filter(school_class=school_class).exists()

"""A student's data: export covers every relation to the account, delete leaves no trace of the
person but keeps the class's statistics, purge removes only attempts past retention, and bad
input changes nothing (quizzes.student_data and its three commands)."""

import copy
import datetime
import io
import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import assigning, report, results, scoring, services
from quizzes.models import (
    AccountState,
    Assignment,
    AssignmentChange,
    AssignmentOverride,
    Attempt,
    AttemptState,
    Enrollment,
    MistakeCard,
    MistakeRecord,
    PracticeAnswer,
    PracticeSource,
    QuestionType,
    Response,
    ScoreChange,
    ScoreChangeKind,
)
from quizzes.student_data import (
    USER_RELATIONS,
    Erase,
    attempts_purge,
    relation_rows,
    student_data_delete,
    user_relation_fields,
)
from tests.factories import (
    AssignmentFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
    TeacherFactory,
)
from tests.quizzes.results_data import class_with_results

pytestmark = pytest.mark.django_db

User = get_user_model()

LATIN = {
    "username": "aigerim.t",
    "first_name": "Aigerim",
    "last_name": "Tokhtarova",
    "email": "aigerim.t@school.example",
}
CYRILLIC = {
    "username": "айгерим.т",
    "first_name": "Айгерим",
    "last_name": "Тохтарова",
    "email": "aigerim.tokh@school.example",
}


def _answer_with_key(attempt: Attempt, *, text: str) -> None:
    """Answer every question of the attempt: the single choice right, the short one `text`."""
    now = timezone.now()
    for aq in attempt.attempt_questions.select_related("response"):
        if aq.snapshot["type"] == QuestionType.SHORT:
            answer = {"text": text}
        else:
            answer = {"choice": next(c["id"] for c in aq.snapshot["choices"] if c["fraction"])}
        services.response_save(
            response=aq.response, answer=answer, revision=Response.revision_at(now), now=now
        )


def rich_student(names: dict[str, str]):
    """A student with every kind of record, in a class with a classmate who shares her first
    name; returns (student, classmate, teacher, assignment)."""
    now = timezone.now()
    teacher = TeacherFactory(username="ms_amanova", first_name="Dana", last_name="Amanova")
    school_class = SchoolClassFactory(teachers=[teacher], name="Year 10 World Affairs")
    student = StudentFactory(**names)
    classmate = StudentFactory(
        username="a.bekova", first_name=names["first_name"], last_name="Bekova"
    )
    enrolment = EnrollmentFactory(school_class=school_class, student=student)
    EnrollmentFactory(school_class=school_class, student=classmate)
    AccountState.objects.create(user=student, must_change_password=True)
    # A wrong password counted against the account (django-axes keeps the username, no key).
    AccessAttempt.objects.create(
        username=student.username, ip_address="10.0.0.7", user_agent="test", failures_since_start=1
    )
    quiz = QuizFactory(published=True, attempts_allowed=3, time_limit_minutes=None)
    choice = QuestionFactory(published=True, title="Capital of Kazakhstan")
    short = QuestionFactory(published=True, type=QuestionType.SHORT, title="Name the capital")
    SlotFactory(quiz=quiz, question=choice, position=1)
    SlotFactory(quiz=quiz, question=short, position=2)
    assignment = AssignmentFactory(quiz=quiz, school_class=school_class)

    finished = services.attempt_start(student=student, assignment=assignment, now=now)
    # She typed her own name where the capital was asked; the teacher gave full marks anyway.
    _answer_with_key(finished, text=f"{names['first_name']} {names['last_name']}")
    services.attempt_finish(attempt=finished, now=now)
    typed = Response.objects.get(
        attempt_question__attempt=finished, attempt_question__question=short
    )
    scoring.response_override(
        response=typed,
        fraction=Decimal(1),
        comment=f"Well done {names['first_name']}, {names['last_name']} knows it.",
        changed_by=teacher,
        now=now,
    )
    MistakeRecord.objects.create(attempt=finished, recorded_at=now)
    running = services.attempt_start(student=student, assignment=assignment, now=now)
    _answer_with_key(running, text="Astana")

    for who in (student, classmate):
        assigning.override_extra_attempt(
            assignment=assignment, student=who, changed_by=teacher, now=now
        )
    changed = copy.copy(enrolment)
    changed.time_multiplier = Decimal("1.5")
    changed.save()
    assigning.accommodations_record(
        school_class=school_class, before=[enrolment], after=[changed], changed_by=teacher, now=now
    )

    snapshot = choice.snapshot()
    PracticeAnswer.objects.create(
        student=student,
        question=choice,
        source=PracticeSource.BANK,
        step=1,
        token="t1",
        snapshot=snapshot,
        answer={"choice": snapshot["choices"][1]["id"]},
        fraction=Decimal(0),
        answered_at=now,
    )
    MistakeCard.objects.create(student=student, question=choice, opened_at=now)
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.create(
        user=teacher,
        content_type=user_type,
        object_id=str(student.pk),
        object_repr=str(student),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Last name"]}}]),
    )
    LogEntry.objects.create(
        user=teacher,
        content_type=ContentType.objects.get_for_model(Enrollment),
        object_id=str(enrolment.pk),
        object_repr=str(enrolment),
        action_flag=CHANGE,
        change_message=json.dumps(
            [{"changed": {"name": "enrollment", "object": str(enrolment), "fields": ["x"]}}]
        ),
    )
    Client().force_login(student)  # a session in the database
    return student, classmate, teacher, assignment


def former_teacher():
    """A teacher turned student account (staff rights removed), who still has a row in every
    teachers' relation."""
    user = StudentFactory(username="was_teacher", first_name="Olzhas", last_name="Sarsenov")
    school_class = SchoolClassFactory(teachers=[user])
    question = QuestionFactory(published=True, created_by=user)
    quiz = QuizFactory(published=True, created_by=user)
    SlotFactory(quiz=quiz, question=question)
    assignment = AssignmentFactory(quiz=quiz, school_class=school_class, created_by=user)
    AssignmentChange.objects.create(
        assignment=assignment, changed_by=user, changed_at=timezone.now(), changes=[]
    )
    other = StudentFactory()
    EnrollmentFactory(school_class=school_class, student=other)
    attempt = services.attempt_start(student=other, assignment=assignment, now=timezone.now())
    services.attempt_finish(attempt=attempt, now=timezone.now())
    ScoreChange.objects.create(
        response=Response.objects.filter(attempt_question__attempt=attempt).first(),
        kind=ScoreChangeKind.OVERRIDE,
        changed_by=user,
        changed_at=timezone.now(),
    )
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Assignment),
        object_id=str(assignment.pk),
        object_repr=str(assignment),
        action_flag=CHANGE,
    )
    return user


def export(username: str) -> dict:
    out = io.StringIO()
    call_command("export_student_data", username, stdout=out)
    return json.loads(out.getvalue())


def delete(username: str) -> str:
    out = io.StringIO()
    call_command("delete_student_data", username, "--yes", stdout=out)
    return out.getvalue()


def database_state() -> dict[str, list]:
    """Every row of every table, for "nothing changed"."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def texts_naming(terms: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, text) for each text or JSON value, in every table, holding a term."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*(f.attname for f in fields)):
            for field, value in zip(fields, row, strict=True):
                text = (
                    json.dumps(value, ensure_ascii=False)
                    if isinstance(field, models.JSONField)
                    else str(value or "")
                )
                found += [
                    (model._meta.label, field.name, text)
                    for term in terms
                    if term.casefold() in text.casefold()
                ]
    return found


# --- every relation is covered -----------------------------------------------------------------


def test_every_relation_to_the_user_model_is_exported_and_erased():
    """A new foreign key to the user fails here until student_data says what becomes of it."""
    found = {label for label, _model, _field in user_relation_fields()}

    assert found == set(USER_RELATIONS)
    assert "quizzes.Attempt.student" in found and "admin.LogEntry.user" in found


def test_the_export_has_every_record_of_every_relation():
    student, *_ = rich_student(LATIN)
    teacher_side = former_teacher()

    for user in (student, teacher_side):
        data = export(user.username)
        for label, _model, field in user_relation_fields():
            section = data[USER_RELATIONS[label].section]
            count = relation_rows(label, user).count()
            if field.one_to_one:
                assert section["must_change_password"] == bool(count), label
            else:
                assert len(section) == count, label
    # Each relation has rows for one of the two accounts, so none was checked on nothing.
    for label in USER_RELATIONS:
        assert relation_rows(label, student).exists() or relation_rows(label, teacher_side).exists()


def test_the_export_says_what_the_student_answered_in_words():
    student, _classmate, _teacher, assignment = rich_student(LATIN)

    data = export(student.username)

    account = data["account"]
    assert account["username"] == "aigerim.t" and account["email"] == LATIN["email"]
    assert account["must_change_password"] is True
    assert "password" not in json.dumps(account).replace("must_change_password", "")
    assert data["enrolments"] == [
        {
            "class": "Year 10 World Affairs",
            "joined_at": data["enrolments"][0]["joined_at"],
            "time_multiplier": "1.50",
            "has_unlimited_time": False,
        }
    ]
    finished, running = data["attempts"]
    assert (finished["state"], running["state"]) == ("finished", "in_progress")
    assert finished["quiz"] == assignment.quiz.title and finished["score"] is not None
    by_question = {r["question"]: r for r in finished["responses"]}
    assert by_question["Capital of Kazakhstan"]["answer"] == "Astana"
    assert by_question["Name the capital"]["answer"] == "Aigerim Tokhtarova"
    assert Decimal(by_question["Name the capital"]["teacher_score_fraction"]) == 1
    assert [c["kind"] for c in by_question["Name the capital"]["score_changes"]] == ["override"]
    assert data["overrides"][0]["attempts_allowed"] == 4
    assert data["practice_answers"][0]["answer"] == "Almaty"
    assert data["mistake_cards"][0]["question"] == "Capital of Kazakhstan"
    history = [e["what"] for change in data["assignment_history"] for e in change["changes"]]
    assert history == [
        "override for Aigerim Tokhtarova (aigerim.t)",
        "extra time of Aigerim Tokhtarova (aigerim.t): time multiplier",
    ]  # the classmate's override is not hers, though she is an Aigerim too
    assert data["account_history"][0]["action"] == "changed"


def test_export_writes_a_file_with_output(tmp_path):
    student, *_ = rich_student(LATIN)
    target = tmp_path / "export.json"

    call_command(
        "export_student_data",
        student.username,
        "--output",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    assert json.loads(target.read_text(encoding="utf-8"))["account"]["username"] == "aigerim.t"


# --- delete ------------------------------------------------------------------------------------


@pytest.mark.parametrize("names", [LATIN, CYRILLIC], ids=["latin", "cyrillic"])
def test_delete_leaves_no_text_naming_the_student_in_any_table(names):
    _student, classmate, _teacher, _assignment = rich_student(names)
    terms = [
        names["username"],
        names["email"],
        names["last_name"],
        f"{names['first_name']} {names['last_name']}",
    ]
    before = {table for table, _column, _text in texts_naming(terms)}
    assert {
        "auth.User",
        "quizzes.AssignmentChange",
        "quizzes.Response",
        "quizzes.ScoreChange",
        "admin.LogEntry",
        "axes.AccessAttempt",
    } <= before

    delete(names["username"])

    assert texts_naming(terms) == []
    # The classmate who shares her first name is still named in her own history entry.
    assert texts_naming([f"{names['first_name']} Bekova (a.bekova)"])
    assert User.objects.get(pk=classmate.pk).first_name == names["first_name"]


def test_delete_leaves_other_students_history_alone_when_the_username_is_a_word():
    _student, classmate, teacher, assignment = rich_student({**LATIN, "username": "extra"})
    enrolment = Enrollment.objects.get(student=classmate)
    changed = copy.copy(enrolment)
    changed.has_unlimited_time = True
    changed.save()
    assigning.accommodations_record(
        school_class=enrolment.school_class,
        before=[enrolment],
        after=[changed],
        changed_by=teacher,
        now=timezone.now(),
    )
    entries = [
        c.changes for c in AssignmentChange.objects.filter(assignment=assignment).order_by("pk")
    ]
    assert entries[-1][0]["what"].startswith("extra time of Aigerim Bekova (a.bekova)")

    delete("extra")

    after = [
        c.changes for c in AssignmentChange.objects.filter(assignment=assignment).order_by("pk")
    ]
    theirs = [e for e in entries if "Bekova" in json.dumps(e)]
    assert len(theirs) == 2 and all(e in after for e in theirs)
    assert after[-2][0]["what"].startswith("extra time of deleted-")


def test_deleting_the_account_in_the_admin_cannot_take_its_attempts_away(admin_client):
    """The other way to remove a student (the user admin's Delete) would cascade to her
    attempts and change the class's statistics: the attempts protect the account; the admin
    page says so and the command above is the way."""
    student, *_ = rich_student(LATIN)
    attempts = Attempt.objects.filter(student=student).count()
    url = reverse("admin:auth_user_delete", args=[student.pk])

    page = admin_client.get(url)
    admin_client.post(url, {"post": "yes"})

    assert "Cannot delete user" in page.text and 'name="post"' not in page.text
    assert User.objects.filter(pk=student.pk).exists()
    assert Attempt.objects.filter(student=student).count() == attempts >= 1


def test_delete_keeps_finished_attempts_on_an_anonymous_account_and_removes_the_rest():
    student, *_ = rich_student(LATIN)
    finished = Attempt.objects.get(student=student, state=AttemptState.FINISHED)
    Client().force_login(student)

    output = delete(student.username)

    placeholder = User.objects.get(pk=student.pk)
    assert placeholder.username.startswith("deleted-") and placeholder.username in output
    assert (placeholder.first_name, placeholder.last_name, placeholder.email) == ("", "", "")
    assert not placeholder.has_usable_password() and not placeholder.is_active
    assert placeholder.last_login is None and not placeholder.groups.exists()
    assert list(Attempt.objects.filter(student=placeholder)) == [finished]
    assert Response.objects.filter(attempt_question__attempt=finished).count() == 2
    assert not MistakeRecord.objects.exists()
    for label, relation in USER_RELATIONS.items():
        if relation.erase is not Erase.KEEP:
            assert not relation_rows(label, placeholder).exists(), label
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(student.pk)
    ]
    assert not LogEntry.objects.filter(object_id=str(student.pk), content_type__model="user")


def test_delete_unlinks_a_former_teachers_work_and_keeps_it():
    user = former_teacher()

    delete(user.username)

    for label, relation in USER_RELATIONS.items():
        assert not relation_rows(label, user).exists(), label
        if relation.erase is Erase.UNLINK and not label.endswith("teachers"):
            model = apps.get_model(*label.split(".")[:2])
            assert model._default_manager.filter(**{label.split(".")[2]: None}).exists(), label


def report_figures(assignment, which):
    r = report.assignment_report(assignment, which=which)
    return (
        r.attempts,
        r.students,
        r.summary,
        r.pass_rate,
        r.analysis,
        r.histogram,
        [
            (
                q.number,
                q.seen_by,
                q.facility,
                q.sd,
                q.discrimination_index,
                q.discriminative_efficiency,
                [row.row for row in q.responses],
                q.response_sizes,
                [a.code for a in q.advice],
            )
            for q in r.questions
        ],
    )


def test_deleting_students_leaves_the_assignment_report_as_it_was():
    data = class_with_results(teacher=TeacherFactory(), students=30)
    before = {which: report_figures(data.closed, which) for which in report.AttemptChoice}
    book_before = results.gradebook(data.school_class, now=data.now)
    # Two attempts (i % 10 == 2), one (i % 10 == 5), and one excused (i % 10 == 1).
    gone = [data.students[2], data.students[5], data.students[11]]

    for student in gone:
        delete(student.username)

    for which in report.AttemptChoice:
        assert report_figures(data.closed, which) == before[which], which
    book = results.gradebook(data.school_class, now=data.now)
    gone_ids = {s.pk for s in gone}
    kept_rows = [row for row in book_before.rows if row.enrollment.student_id not in gone_ids]
    assert [row.enrollment.student_id for row in book.rows] == [
        row.enrollment.student_id for row in kept_rows
    ]
    assert [[c.state for c in row.cells] for row in book.rows] == [
        [c.state for c in row.cells] for row in kept_rows
    ]


def test_delete_refuses_a_teacher_and_changes_nothing(teacher, student):
    before = database_state()

    with pytest.raises(CommandError, match="teacher or administrator"):
        delete(teacher.username)
    superuser = User.objects.create_superuser("root", "root@school.example", "pw")
    before = database_state()
    with pytest.raises(CommandError, match="teacher or administrator"):
        delete(superuser.username)

    assert database_state() == before


def test_delete_and_export_refuse_an_unknown_username(student):
    before = database_state()

    with pytest.raises(CommandError, match="No account is called nobody"):
        delete("nobody")
    with pytest.raises(CommandError, match="No account is called nobody"):
        export("nobody")

    assert database_state() == before


def test_delete_asks_first_and_a_no_changes_nothing(monkeypatch):
    student, *_ = rich_student(LATIN)
    before = database_state()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Cancelled"):
        call_command("delete_student_data", student.username, stdout=io.StringIO())

    assert database_state() == before
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("delete_student_data", student.username, stdout=io.StringIO())
    assert not User.objects.filter(username=student.username).exists()


def test_the_service_refuses_a_teacher_too(teacher):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        student_data_delete(student=teacher, now=timezone.now())
    assert User.objects.get(pk=teacher.pk).username == teacher.username


# --- retention ---------------------------------------------------------------------------------


def finished_attempt(*, finished_days_ago: int, closes_in_days: int, override_close=None):
    """A finished attempt of a new assignment closing `closes_in_days` from now."""
    now = timezone.now()
    started = now - datetime.timedelta(days=finished_days_ago, hours=1)
    school_class = SchoolClassFactory()
    student = StudentFactory()
    EnrollmentFactory(school_class=school_class, student=student)
    quiz = QuizFactory(published=True, time_limit_minutes=None)
    SlotFactory(quiz=quiz)
    assignment = AssignmentFactory(
        quiz=quiz,
        school_class=school_class,
        opens_at=started - datetime.timedelta(days=1),
        closes_at=max(now + datetime.timedelta(days=closes_in_days), started),
    )
    if override_close is not None:
        AssignmentOverride.objects.create(
            assignment=assignment,
            student=StudentFactory(),
            closes_at=now + datetime.timedelta(days=override_close),
        )
    attempt = services.attempt_start(student=student, assignment=assignment, now=started)
    return services.attempt_finish(
        attempt=attempt, now=now - datetime.timedelta(days=finished_days_ago)
    )


@pytest.fixture
def attempts_of_all_ages():
    return {
        "old": finished_attempt(finished_days_ago=400, closes_in_days=-390),
        "recent": finished_attempt(finished_days_ago=10, closes_in_days=-5),
        "old but still open": finished_attempt(finished_days_ago=400, closes_in_days=3),
        "old, open for one student": finished_attempt(
            finished_days_ago=400, closes_in_days=-390, override_close=2
        ),
    }


def test_purge_removes_only_attempts_finished_before_the_retention_period(
    attempts_of_all_ages, settings
):
    settings.QUIZZES_RETENTION_DAYS = 365
    old = attempts_of_all_ages["old"]
    ScoreChange.objects.create(
        response=Response.objects.filter(attempt_question__attempt=old).first(),
        kind=ScoreChangeKind.REGRADE,
        changed_at=timezone.now(),
    )
    MistakeRecord.objects.create(attempt=old, recorded_at=timezone.now())
    out = io.StringIO()

    call_command("purge_old_attempts", stdout=out)

    assert not Attempt.objects.filter(pk=old.pk).exists()
    assert set(Attempt.objects.values_list("pk", flat=True)) == {
        a.pk for name, a in attempts_of_all_ages.items() if name != "old"
    }
    assert not Response.objects.filter(attempt_question__attempt_id=old.pk).exists()
    assert not MistakeRecord.objects.exists() and not ScoreChange.objects.exists()
    assert out.getvalue().startswith(
        "Removed 1 attempts, 1 attempt questions, 1 responses, 1 score changes, 1 mistake records"
    )


def test_purge_dry_run_counts_and_removes_nothing(attempts_of_all_ages):
    before = database_state()
    out = io.StringIO()

    call_command("purge_old_attempts", "--older-than-days", "5", "--dry-run", stdout=out)

    assert database_state() == before
    assert out.getvalue().startswith("Would remove 2 attempts, 2 attempt questions, 2 responses")


def test_purge_refuses_without_a_retention_period(attempts_of_all_ages, settings):
    settings.QUIZZES_RETENTION_DAYS = None
    before = database_state()

    with pytest.raises(CommandError, match="QUIZZES_RETENTION_DAYS"):
        call_command("purge_old_attempts", stdout=io.StringIO())
    with pytest.raises(CommandError, match="at least one day"):
        call_command("purge_old_attempts", "--older-than-days", "0", stdout=io.StringIO())

    assert database_state() == before


def test_purge_counts_what_it_removed(attempts_of_all_ages):
    result = attempts_purge(older_than_days=5, now=timezone.now())

    assert result.counts["attempts"] == 2
    assert Attempt.objects.count() == 2

"""Management commands: creating a teacher, and the demo data `make run` relies on."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from quizzes.accounts import teacher_create
from quizzes.models import Assignment, Attempt, AttemptState, Enrollment, SchoolClass
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def create_teacher(*args: str, env_password: str | None = None, monkeypatch) -> str:
    """Run create_teacher with its password in QUIZZES_TEACHER_PASSWORD (if given)."""
    if env_password is None:
        monkeypatch.delenv("QUIZZES_TEACHER_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("QUIZZES_TEACHER_PASSWORD", env_password)
    out = io.StringIO()
    call_command("create_teacher", *args, stdout=out)
    return out.getvalue()


def test_create_teacher_makes_a_staff_member_of_the_teachers_group_not_a_superuser(monkeypatch):
    out = create_teacher("ms_amanova", env_password="long-enough-pass", monkeypatch=monkeypatch)

    user = get_user_model().objects.get(username="ms_amanova")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="Teachers").exists()
    assert user.check_password("long-enough-pass")
    assert "ms_amanova created" in out


def test_create_teacher_asks_for_the_password_twice(monkeypatch):
    answers = iter(["long-enough-pass", "long-enough-pass"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    create_teacher("ms_amanova", monkeypatch=monkeypatch)

    assert get_user_model().objects.get(username="ms_amanova").check_password("long-enough-pass")
    assert next(answers, None) is None


def test_create_teacher_refuses_two_different_passwords(monkeypatch):
    answers = iter(["long-enough-pass", "long-enough-pasS"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    with pytest.raises(CommandError, match="differ"):
        create_teacher("ms_amanova", monkeypatch=monkeypatch)

    assert not get_user_model().objects.filter(username="ms_amanova").exists()


def test_create_teacher_without_a_terminal_or_the_variable_says_what_to_set(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    with pytest.raises(CommandError, match="QUIZZES_TEACHER_PASSWORD"):
        create_teacher("ms_amanova", monkeypatch=monkeypatch)

    assert not get_user_model().objects.filter(username="ms_amanova").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1", "too short"),
        ("password123", "too common"),
        ("12345678901", "entirely numeric"),
        ("ms_amanova1", "too similar to the username"),
    ],
)
def test_create_teacher_refuses_a_weak_password_and_creates_nothing(monkeypatch, password, message):
    with pytest.raises(CommandError, match=message) as refused:
        create_teacher("ms_amanova", env_password=password, monkeypatch=monkeypatch)

    assert "Nothing was created" in str(refused.value)
    assert not get_user_model().objects.filter(username="ms_amanova").exists()


def test_create_teacher_refuses_a_password_on_the_command_line(monkeypatch):
    with pytest.raises(CommandError, match="shell history") as refused:
        create_teacher(
            "ms_amanova", "--password", "long-enough-pass", env_password="", monkeypatch=monkeypatch
        )

    assert "QUIZZES_TEACHER_PASSWORD" in str(refused.value)
    assert not get_user_model().objects.filter(username="ms_amanova").exists()


def test_create_teacher_refuses_an_existing_username(teacher, monkeypatch):
    with pytest.raises(CommandError, match="already exists"):
        create_teacher(teacher.username, env_password="long-enough-pass", monkeypatch=monkeypatch)


@pytest.mark.parametrize("username", ["teacher_а", "Teacher_A", "teacher_a "])
def test_create_teacher_refuses_a_username_outside_the_alphabet(teacher, monkeypatch, username):
    with pytest.raises(CommandError, match="Nothing was created"):
        create_teacher(username, env_password="long-enough-pass", monkeypatch=monkeypatch)

    assert get_user_model().objects.count() == 1


def test_create_teacher_refuses_a_username_that_reads_like_an_existing_one(monkeypatch):
    StudentFactory(username="ms_amanova1")

    with pytest.raises(CommandError, match="reads the same"):
        create_teacher("ms_amanoval", env_password="long-enough-pass", monkeypatch=monkeypatch)

    assert not get_user_model().objects.filter(username="ms_amanoval").exists()


def test_teacher_create_checks_the_password_for_every_caller(db):
    with pytest.raises(ValidationError) as refused:
        teacher_create(username="ms_amanova", password="1")

    assert "too short" in " ".join(refused.value.messages)
    assert not get_user_model().objects.filter(username="ms_amanova").exists()


def test_seed_demo_needs_the_banks_first():
    with pytest.raises(CommandError, match="load_banks"):
        call_command("seed_demo", stdout=io.StringIO())


class TestDemo:
    """The demo data, loaded once for these tests (shared `demo` fixture): they only read it."""

    def test_demo_has_the_accounts_the_readme_lists(self, demo):
        users = get_user_model().objects
        teacher = users.get(username="teacher")
        assert teacher.check_password("teacher") and teacher.is_staff and not teacher.is_superuser
        students = users.filter(username__regex=r"^student\d\d$")
        assert students.count() == 25
        assert students.get(username="student01").check_password("student")
        school_class = SchoolClass.objects.get(join_code="PEACE25")
        assert list(school_class.teachers.all()) == [teacher]
        assert Enrollment.objects.filter(school_class=school_class).count() == 25
        assert "join code PEACE25" in demo

    def test_demo_assignments_are_open_closed_and_upcoming_with_a_spread_of_scores(self, demo):
        from django.utils import timezone

        now = timezone.now()
        states = {
            "closed": Assignment.objects.filter(closes_at__lt=now).count(),
            "open": Assignment.objects.filter(opens_at__lte=now, closes_at__gt=now).count(),
            "upcoming": Assignment.objects.filter(opens_at__gt=now).count(),
        }
        assert states == {"closed": 1, "open": 2, "upcoming": 1}
        finished = Attempt.objects.filter(state=AttemptState.FINISHED)
        assert finished.values("student").distinct().count() >= 13
        percents = [a.percent for a in finished]
        assert min(percents) < 50 < max(percents)
        assert not finished.filter(student__username="student01").exists()

    def test_demo_shows_a_teacher_each_kind_of_result_to_act_on(self, demo):
        from django.utils import timezone

        from quizzes.models import AssignmentChange, AssignmentOverride, Response
        from quizzes.report import flagged_questions

        now = timezone.now()
        running = Attempt.objects.filter(state=AttemptState.IN_PROGRESS)
        assert running.count() == 3
        assert all(a.deadline is None or a.deadline > now for a in running)
        assert not running.filter(student__username="student01").exists()
        overrides = AssignmentOverride.objects.order_by("student__username")
        assert [(o.student.username, o.is_excused) for o in overrides] == [
            ("student05", False),
            ("student07", False),
            ("student12", True),
        ]
        scored = Response.objects.exclude(override_fraction=None).get()
        assert scored.override_fraction == 1 and scored.fraction < 1 and scored.override_comment
        teacher = get_user_model().objects.get(username="teacher")
        assert AssignmentChange.objects.filter(changed_by=teacher).count() >= 3
        assert flagged_questions(teacher, now=now)

    def test_running_the_demo_twice_changes_nothing(self, demo):
        counts = (Attempt.objects.count(), get_user_model().objects.count())

        out = io.StringIO()
        call_command("seed_demo", stdout=out)

        assert "already present" in out.getvalue()
        assert (Attempt.objects.count(), get_user_model().objects.count()) == counts

"""Management commands: creating a teacher, and the demo data `make run` relies on."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from quizzes.models import Assignment, Attempt, AttemptState, Enrollment, SchoolClass

pytestmark = pytest.mark.django_db


def test_create_teacher_makes_a_staff_member_of_the_teachers_group_not_a_superuser():
    call_command(
        "create_teacher", "ms_amanova", "--password", "long-enough-pass", stdout=io.StringIO()
    )

    user = get_user_model().objects.get(username="ms_amanova")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="Teachers").exists()
    assert user.check_password("long-enough-pass")


def test_create_teacher_refuses_an_existing_username(teacher):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_teacher", teacher.username, "--password", "x", stdout=io.StringIO())


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

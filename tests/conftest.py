"""Shared fixtures: the personas (teacher, other teacher, student, other student) and clients.

Also the `--screenshots` option: tests marked `screenshots` (pictures of every page, for a
person to look at) are skipped unless it is given.
"""

import pytest
from django.contrib.auth.models import Group

from tests.factories import StudentFactory, TeacherFactory


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="also run the tests marked screenshots (they save artifacts/screens/*.png)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--screenshots"):
        return
    opt_in = pytest.mark.skip(reason="screenshots are opt-in: add --screenshots")
    for item in items:
        if item.get_closest_marker("screenshots"):
            item.add_marker(opt_in)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def teachers_group(db) -> Group:
    return Group.objects.get(name="Teachers")


@pytest.fixture
def teacher(db):
    return TeacherFactory(username="teacher_a")


@pytest.fixture
def other_teacher(db):
    return TeacherFactory(username="teacher_b")


@pytest.fixture
def student(db):
    return StudentFactory(username="student_a")


@pytest.fixture
def other_student(db):
    return StudentFactory(username="student_b")


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client

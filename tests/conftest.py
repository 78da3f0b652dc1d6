"""Shared fixtures: the personas (teacher, other teacher, student, other student) and clients."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import StudentFactory, TeacherFactory


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

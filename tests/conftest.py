"""Shared fixtures: the personas (teacher, other teacher, student, other student) and clients;
the shipped banks and the demo data, loaded once for a class of tests that only read them.

Also the `--screenshots` option: tests marked `screenshots` (pictures of every page, for a
person to look at) are skipped unless it is given.
"""

import io
import uuid
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

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


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> Iterator[None]:
    # For the whole run, so users made by class-scoped fixtures (the demo's 26) get it too.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _throttling_off_unless_asked(request, settings):
    """django-axes refuses authenticate() without a request, which the test client's login()
    calls: it is off unless a test asks for `lockouts` (tests/quizzes/test_lockouts.py).

    The rate limits count in the cache: each test gets a cache of its own (a fresh key prefix,
    and a fresh store for process memory), so no count leaks into another test, nor between
    xdist workers sharing one Redis (where clearing the cache would wipe theirs)."""
    settings.AXES_ENABLED = "lockouts" in request.fixturenames
    fresh = uuid.uuid4().hex
    settings.CACHES = {
        name: {
            **config,
            "KEY_PREFIX": f"test-{fresh}",
            **({"LOCATION": fresh} if config["BACKEND"].endswith("LocMemCache") else {}),
        }
        for name, config in settings.CACHES.items()
    }


@pytest.fixture
def lockouts() -> None:
    """django-axes's failed-login lockouts are on for this test (see above)."""


# shipped_banks and demo take seconds to load, so the tests of one class share them. They are
# loaded in a transaction that is rolled back when the class is done: the rest of the suite
# never sees them. Each test still runs in its own savepoint (pytest-django's `db`, which it
# must request), so a test that writes leaves nothing behind for the next one. Not for
# transactional tests: their flush would empty the shared data. A test outside a class gets
# its own copy (pytest falls back to function scope).


@pytest.fixture(scope="class")
def shipped_banks(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The shipped banks and quizzes (`load_banks`); the command's output."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_banks", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def demo(shipped_banks, django_db_blocker) -> Iterator[str]:
    """The demo data `make run` creates (`seed_demo`), on the shipped banks; its output."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


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

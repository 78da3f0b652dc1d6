"""No personal data in URLs or in the app's logs: pages are addressed by ids, and every log
call in quizzes/ logs ids, never a user object, a username, a name or an email."""

import ast
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from quizzes.accounts import roster_import
from tests.factories import SchoolClassFactory, TeacherFactory

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
# What an argument of a log call must not be: a user, or what names one. `.pk`/`.id` is fine.
PERSONAL = re.compile(
    r"\b(user|users|student|students|teacher|created_by|changed_by|username|email|"
    r"first_name|last_name|full_name|display_name|get_full_name|get_username|request)\b"
)
ID_ONLY = re.compile(r"[\w.]+\.(pk|id|\w+_id)|len\(\w+\)")  # an id, or a count


def named_patterns(resolver: URLResolver, prefix: str = "", space: str = "") -> list[tuple]:
    """(route, namespaced name) of every named URL pattern."""
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{space}{pattern.namespace}:" if pattern.namespace else space
            found += named_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((route, space + pattern.name))
    return found


def test_our_pages_are_addressed_by_ids_not_by_people():
    """Every parameter of the student pages and of our admin pages is a number (an id), a
    bank's slug or a regrade run's uuid: none is a username, a name or an email, which would
    end up in access logs and browser history."""
    routes = [
        (route, name)
        for route, name in named_patterns(get_resolver())
        if name.startswith(("quizzes:", "admin:quizzes_"))
    ]
    assert len(routes) > 30  # the student pages and our admin views, not an empty walk
    parameters = {
        (route, match)
        for route, _name in routes
        for match in re.findall(r"<([^>]+)>", route)
        if not match.startswith("int:")
    }
    assert {parameter for _route, parameter in parameters} <= {
        "slug:slug",  # a bank's
        "path:object_id",  # the admin's, a primary key
        "uuid:batch",  # a regrade run's
    }
    assert all(route.startswith("practice/") for route, p in parameters if p == "slug:slug"), (
        parameters
    )


def log_calls() -> list[tuple[str, int, str]]:
    """(file, line, argument) for each argument but the message of every log call in quizzes/."""
    found = []
    for path in QUIZZES.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in LOG_METHODS
                and isinstance(node.func.value, ast.Name)
                and "log" in node.func.value.id
            ):
                first = 1 if node.func.attr == "log" else 0
                message, *arguments = node.args[first:] or [ast.Constant("")]
                if isinstance(message, ast.JoinedStr):  # an f-string: its parts are arguments
                    arguments += [
                        v.value for v in message.values if isinstance(v, ast.FormattedValue)
                    ]
                found += [(path.name, node.lineno, ast.unparse(argument)) for argument in arguments]
                found += [(path.name, node.lineno, ast.unparse(k.value)) for k in node.keywords]
    return found


def test_no_log_call_in_the_app_logs_a_person():
    calls = log_calls()

    assert calls  # accounts.py logs each class list imported
    personal = [
        (file, line, argument)
        for file, line, argument in calls
        if PERSONAL.search(argument) and not ID_ONLY.fullmatch(argument)
    ]
    assert personal == []


@pytest.mark.django_db
def test_importing_a_class_list_logs_ids_only(caplog):
    teacher = TeacherFactory(username="ms_amanova", email="amanova@school.example")
    school_class = SchoolClassFactory(teachers=[teacher])
    text = "Full name,Username,Email\nAigerim Tokhtarova,aigerim.t,aigerim.t@school.example\n"
    caplog.set_level("DEBUG", logger="quizzes")

    result = roster_import(
        school_class=school_class,
        upload=SimpleUploadedFile("class.csv", text.encode(), content_type="text/csv"),
        created_by=teacher,
        now=timezone.now(),
    )

    assert result.students and caplog.records  # something was created and logged
    logged = caplog.text.casefold()
    for personal in ("ms_amanova", "amanova@", "aigerim", "tokhtarova"):
        assert personal not in logged
    assert f"user {teacher.pk} created 1 student accounts" in caplog.text

"""(being written) Teacher pages reached from the class, assignment, attempt or question admin."""

from typing import Any


def class_urls(model_admin: Any) -> list[Any]:
    return []


def assignment_urls(model_admin: Any) -> list[Any]:
    return []


def attempt_urls(model_admin: Any) -> list[Any]:
    return []


def question_urls(model_admin: Any) -> list[Any]:
    return []

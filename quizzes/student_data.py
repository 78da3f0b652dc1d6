"""A student's data: all of it for the school to hand over (export), erased with the class's
results kept (delete), and old attempts removed after the retention period (purge).

Every relation from a model to the user is listed in USER_RELATIONS with the export section
that holds its rows and what erasing does with them; a relation missing there fails
tests/quizzes/test_student_data.py, so a new one cannot be forgotten.

Erasing keeps the student's finished attempts, so an assignment's report and statistics stay
what they were: the account row is stripped to an anonymous placeholder ("deleted-…", no name,
no email, no password, inactive, in no class) that the attempts still point to. Keeping the row
keeps the order the report reads attempts in, and with it the thirds that split equal scores;
a new placeholder would reorder them. The student leaves the gradebook and live progress, which
list enrolled students. Everything else that is theirs is deleted, and the text that named them
(the exam history, teachers' comments, typed answers, the admin's log) names the placeholder
instead. Teachers and superusers are refused: their accounts own shared work.
"""

import datetime
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from importlib import import_module
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .lockouts import login_records_forget
from .models import (
    AccountState,
    AssignmentChange,
    AssignmentOverride,
    Attempt,
    AttemptQuestion,
    AttemptState,
    Enrollment,
    MistakeCard,
    MistakeRecord,
    PracticeAnswer,
    Response,
    ScoreChange,
)
from .models.classes import display_name, is_student_account
from .presentation import describe_answer

EXPORT_FORMAT = "quizsite student data, version 1"
PLACEHOLDER_PREFIX = "deleted-"


class Erase(Enum):
    """What delete_student_data does with a relation's rows."""

    DELETE = "deleted"
    KEEP = "kept, pointing to the anonymous placeholder"
    UNLINK = "kept, no longer linked to the account"


@dataclass(frozen=True)
class UserRelation:
    section: str  # the key of the export that lists these rows
    erase: Erase


# "app_label.Model.field" of every relation to the user. The teachers' relations (authoring,
# classes taught, changes made) are empty for a student account, but exported and unlinked all
# the same, so nothing depends on that staying true.
USER_RELATIONS: dict[str, UserRelation] = {
    "quizzes.AccountState.user": UserRelation("account", Erase.DELETE),
    "quizzes.Enrollment.student": UserRelation("enrolments", Erase.DELETE),
    "quizzes.SchoolClass.students": UserRelation("enrolments", Erase.DELETE),  # via Enrollment
    "quizzes.AssignmentOverride.student": UserRelation("overrides", Erase.DELETE),
    "quizzes.Attempt.student": UserRelation("attempts", Erase.KEEP),
    "quizzes.PracticeAnswer.student": UserRelation("practice_answers", Erase.DELETE),
    "quizzes.MistakeCard.student": UserRelation("mistake_cards", Erase.DELETE),
    "quizzes.SchoolClass.teachers": UserRelation("classes_taught", Erase.UNLINK),
    "quizzes.Question.created_by": UserRelation("questions_created", Erase.UNLINK),
    "quizzes.Quiz.created_by": UserRelation("quizzes_created", Erase.UNLINK),
    "quizzes.Assignment.created_by": UserRelation("assignments_created", Erase.UNLINK),
    "quizzes.AssignmentChange.changed_by": UserRelation("exam_changes_made", Erase.UNLINK),
    "quizzes.ScoreChange.changed_by": UserRelation("score_changes_made", Erase.UNLINK),
    "admin.LogEntry.user": UserRelation("admin_actions", Erase.DELETE),
}


def user_relation_fields() -> Iterator[tuple[str, type[models.Model], models.Field]]:
    """("app_label.Model.field", model, field) for every field of every model that points to
    the user model: foreign keys, one-to-ones and many-to-manys."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and not field.auto_created
                and field.related_model is user_model
            ):
                label = f"{model._meta.app_label}.{model._meta.object_name}.{field.name}"
                yield label, model, cast(models.Field, field)


def relation_field(label: str) -> tuple[type[models.Model], models.Field]:
    app_label, model_name, field_name = label.split(".")
    model = apps.get_model(app_label, model_name)
    return model, cast(models.Field, model._meta.get_field(field_name))


def relation_rows(label: str, user: User) -> "models.QuerySet[Any]":
    """The rows of one relation in USER_RELATIONS that point to `user`."""
    model, field = relation_field(label)
    return model._default_manager.filter(**{field.name: user})


def is_through_model_relation(label: str) -> bool:
    """A many-to-many through a model of ours (SchoolClass.students through Enrollment):
    its rows are that model's, counted and erased there."""
    _model, field = relation_field(label)
    if not field.many_to_many:
        return False
    through = cast(type[models.Model], cast(models.ManyToManyField, field).remote_field.through)
    return not through._meta.auto_created


# --- finding the student ----------------------------------------------------------------------


def student_account(username: str) -> User:
    """The student account called `username`; ValidationError for none, a teacher or a
    superuser (their accounts own shared questions, quizzes and classes)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError(
            _("No account is called %(username)s; nothing was changed."),
            code="unknown_user",
            params={"username": username},
        )
    if not is_student_account(user):
        raise ValidationError(
            _(
                "%(username)s is a teacher or administrator account; only student accounts "
                "are exported or deleted here. Nothing was changed."
            ),
            code="not_a_student",
            params={"username": username},
        )
    return user


# --- export -----------------------------------------------------------------------------------


def student_data_export(*, student: User, now: datetime.datetime) -> dict[str, Any]:
    """Every record about the student, as plain data (datetimes and decimals left for the
    caller's JSON encoder). One section per USER_RELATIONS section, plus the exam history
    entries and the admin's log entries that name the account."""
    data: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": now}
    data["account"] = _account(student)
    data["enrolments"] = [
        {
            "class": enrolment.school_class.name,
            "joined_at": enrolment.joined_at,
            "time_multiplier": enrolment.time_multiplier,
            "has_unlimited_time": enrolment.has_unlimited_time,
        }
        for enrolment in Enrollment.objects.filter(student=student).select_related("school_class")
    ]
    data["overrides"] = [
        {
            "assignment": str(override.assignment),
            "opens_at": override.opens_at,
            "closes_at": override.closes_at,
            "attempts_allowed": override.attempts_allowed,
            "time_limit_minutes": override.time_limit_minutes,
            "is_excused": override.is_excused,
        }
        for override in AssignmentOverride.objects.filter(student=student).select_related(
            "assignment__quiz", "assignment__school_class"
        )
    ]
    data["attempts"] = [_attempt(attempt) for attempt in _attempts_with_responses(student)]
    data["practice_answers"] = [
        {
            "question": answer.snapshot.get("title", ""),
            "source": answer.source,
            "step": answer.step,
            "answer": describe_answer(answer.snapshot, answer.answer),
            "score_fraction": answer.fraction,
            "answered_at": answer.answered_at,
        }
        for answer in PracticeAnswer.objects.of_student(student).order_by("step")
    ]
    data["mistake_cards"] = [
        {
            "question": card.question.title,
            "correct_in_a_row": card.correct_in_a_row,
            "is_mastered": card.is_mastered,
            "due_after_step": card.due_after_step,
            "opened_at": card.opened_at,
            "last_asked_at": card.last_asked_at,
            "mastered_at": card.mastered_at,
        }
        for card in MistakeCard.objects.of_student(student).select_related("question")
    ]
    data["assignment_history"] = [
        {"assignment": str(change.assignment), "changed_at": change.changed_at, "changes": entries}
        for change, entries in _history_naming(student)
    ]
    data["account_history"] = [
        {
            "at": entry.action_time,
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, ""),
            "message": entry.get_change_message(),
        }
        for entry in _log_entries_about(student).order_by("action_time")
    ]
    for label, relation in USER_RELATIONS.items():
        if relation.section not in data:  # the teachers' relations: what, by id and name
            data[relation.section] = [
                {"id": row.pk, "record": str(row)} for row in relation_rows(label, student)
            ]
    return data


def _account(student: User) -> dict[str, Any]:
    state = AccountState.objects.filter(user=student).first()
    return {
        "username": student.username,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "date_joined": student.date_joined,
        "last_login": student.last_login,
        "is_active": student.is_active,
        "groups": list(student.groups.values_list("name", flat=True)),
        "must_change_password": bool(state and state.must_change_password),
    }


def _attempts_with_responses(student: User) -> "models.QuerySet[Attempt]":
    return (
        Attempt.objects.filter(student=student)
        .select_related("assignment__quiz", "assignment__school_class")
        .prefetch_related(
            models.Prefetch(
                "attempt_questions",
                AttemptQuestion.objects.filter(response__isnull=False)
                .select_related("response")
                .prefetch_related("response__score_changes")
                .order_by("position"),
            )
        )
        .order_by("started_at", "pk")
    )


def _attempt(attempt: Attempt) -> dict[str, Any]:
    return {
        "assignment": str(attempt.assignment),
        "quiz": attempt.assignment.quiz.title,
        "class": attempt.assignment.school_class.name,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "finished_at": attempt.finished_at,
        "finish_reason": attempt.finish_reason,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "responses": [_response(aq, aq.response) for aq in attempt.attempt_questions.all()],
    }


def _response(aq: AttemptQuestion, response: Response) -> dict[str, Any]:
    return {
        "position": aq.position,
        "question": aq.snapshot.get("title", ""),
        "answer": describe_answer(aq.snapshot, response.answer),
        "score_fraction": response.fraction,
        "teacher_score_fraction": response.override_fraction,
        "teacher_comment": response.override_comment,
        "is_flagged": response.is_flagged,
        "saved_at": response.saved_at,
        "score_changes": [
            {
                "kind": change.kind,
                "changed_at": change.changed_at,
                "from": change.from_fraction,
                "to": change.to_fraction,
                "reason": change.reason,
            }
            for change in response.score_changes.all()
        ],
    }


# --- naming the student in text ---------------------------------------------------------------


def _naming_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Any of `terms` as a whole word, ignoring case: "ann" is not found in "anna.b"."""
    words = sorted({term.strip() for term in terms if len(term.strip()) >= 2}, key=len)
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in reversed(words))  # longest first
    return re.compile(
        rf"(?<![\w.@+-])(?:{alternatives})(?![\w@+-]|\.[\w@+-])", re.IGNORECASE | re.UNICODE
    )


def _history_names(student: User) -> list[str]:
    """How the exam history names the student: "Full Name (username)" (display_name), or
    the username alone for an account without a name; the full name and email too."""
    return [display_name(student), student.get_full_name(), student.email]


def _account_names(student: User) -> list[str]:
    """Also the username alone, for the admin's log, which names enrolments and overrides by
    it. (Not for the history: a username that is an everyday word, "extra", would replace
    that word in other students' entries.)"""
    return [*_history_names(student), student.username]


def _personal_names(student: User) -> list[str]:
    """Also the first and last names alone: for the student's own records only, since
    another student may share one."""
    return [*_account_names(student), student.first_name, student.last_name]


def _scrub(value: Any, pattern: re.Pattern[str], replacement: str) -> Any:
    """`value` (text or JSON) with every match of `pattern` in its strings replaced."""
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_scrub(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern, replacement) for key, item in value.items()}
    return value


def _mentions(value: Any, pattern: re.Pattern[str]) -> bool:
    return _scrub(value, pattern, "\x00") != value


def _history_naming(student: User) -> Iterator[tuple[AssignmentChange, list[dict[str, Any]]]]:
    """Each exam history entry that names the student, with the changes that do.

    Read in Python: JSON is stored escaped on SQLite, so a database text search would miss a
    name written in Cyrillic.
    """
    pattern = _naming_pattern(_history_names(student))
    if pattern is None:
        return
    for change in AssignmentChange.objects.select_related(
        "assignment__quiz", "assignment__school_class"
    ).order_by("changed_at", "pk"):
        entries = [entry for entry in change.changes if _mentions(entry, pattern)]
        if entries:
            yield change, entries


def _log_entries_about(student: User) -> "models.QuerySet[LogEntry]":
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(student.pk)
    )


# --- delete -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletionResult:
    placeholder: str  # the anonymous account's username
    counts: dict[str, int]  # what was done, in words → how many


def student_data_summary(*, student: User) -> dict[str, int]:
    """How many rows each USER_RELATIONS section holds for the student (for a confirmation)."""
    counts: dict[str, int] = {}
    for label, relation in USER_RELATIONS.items():
        if not is_through_model_relation(label):
            count = relation_rows(label, student).count()
            counts[relation.section] = counts.get(relation.section, 0) + count
    return counts


def student_data_delete(*, student: User, now: datetime.datetime) -> DeletionResult:
    """Erase the student (see the module's docstring), all or nothing.

    Attempts in progress are deleted: no statistic reads them yet, and nobody could finish
    them. Refuses (ValidationError) an account that is not a student's.
    """
    if not is_student_account(student):
        raise ValidationError(
            _("%(username)s is a teacher or administrator account; nothing was changed."),
            code="not_a_student",
            params={"username": student.username},
        )
    with transaction.atomic():
        # Locked so a save by the student or a teacher's change waits for the erasure.
        student = User.objects.select_for_update().get(pk=student.pk)
        history_pattern = _naming_pattern(_history_names(student))
        account_pattern = _naming_pattern(_account_names(student))
        personal_pattern = _naming_pattern(_personal_names(student))
        placeholder = _placeholder_username()
        counts: dict[str, int] = {}
        counts["attempts in progress deleted"] = (
            Attempt.objects.filter(student=student, state=AttemptState.IN_PROGRESS)
            .delete()[1]
            .get(Attempt._meta.label, 0)
        )
        kept = Attempt.objects.filter(student=student)
        counts["mistake records deleted"] = MistakeRecord.objects.filter(attempt__in=kept).delete()[
            0
        ]
        if personal_pattern is not None:
            counts["own records with the name replaced"] = _scrub_own_records(
                kept, personal_pattern, placeholder
            )
        if history_pattern is not None:
            counts["history entries with the name replaced"] = _scrub_history(
                history_pattern, placeholder
            )
        if account_pattern is not None:
            counts["admin log entries with the name replaced"] = _scrub_log(
                account_pattern, placeholder, about=student
            )
        counts["admin log entries about the account deleted"] = _log_entries_about(
            student
        ).delete()[0]
        counts["sessions ended"] = _sessions_delete(student)
        counts["failed-login records deleted"] = login_records_forget(username=student.username)
        for label, relation in USER_RELATIONS.items():
            if relation.erase is not Erase.KEEP and not is_through_model_relation(label):
                counts[f"{relation.section} {relation.erase.value}"] = _erase_relation(
                    label, relation.erase, student
                )
        counts["attempts kept"] = kept.count()
        _anonymise_account(student, username=placeholder, now=now)
    return DeletionResult(placeholder=placeholder, counts=counts)


def _placeholder_username() -> str:
    while True:
        username = PLACEHOLDER_PREFIX + secrets.token_hex(6)
        if not User.objects.filter(username=username).exists():
            return username


def _scrub_own_records(
    attempts: "models.QuerySet[Attempt]", pattern: re.Pattern[str], replacement: str
) -> int:
    """Typed answers, teachers' comments and score change reasons of the student's attempts."""
    changed = 0
    responses = Response.objects.filter(attempt_question__attempt__in=attempts)
    for response in responses.only("pk", "answer", "override_comment"):
        answer = _scrub(response.answer, pattern, replacement)
        comment = _scrub(response.override_comment, pattern, replacement)
        if (answer, comment) != (response.answer, response.override_comment):
            Response.objects.filter(pk=response.pk).update(answer=answer, override_comment=comment)
            changed += 1
    for change in ScoreChange.objects.filter(response__in=responses).only("pk", "reason"):
        reason = _scrub(change.reason, pattern, replacement)
        if reason != change.reason:
            ScoreChange.objects.filter(pk=change.pk).update(reason=reason)
            changed += 1
    return changed


def _scrub_history(pattern: re.Pattern[str], replacement: str) -> int:
    """The exam history: "override for Name (username)" and "extra time of Name (username)"."""
    changed = 0
    for change in AssignmentChange.objects.only("pk", "changes").iterator():
        changes = _scrub(change.changes, pattern, replacement)
        if changes != change.changes:
            AssignmentChange.objects.filter(pk=change.pk).update(changes=changes)
            changed += 1
    return changed


def _scrub_log(pattern: re.Pattern[str], replacement: str, *, about: User) -> int:
    """The admin's log: rows on the student's enrolments and overrides are named after them."""
    changed = 0
    for entry in LogEntry.objects.only("pk", "object_repr", "change_message").iterator():
        object_repr = _scrub(entry.object_repr, pattern, replacement)
        # change_message is JSON written with non-ASCII escaped; scrub what it says.
        message = entry.change_message
        if message and message.startswith("["):
            message = _json_scrub(message, pattern, replacement)
        else:
            message = _scrub(message, pattern, replacement)
        if (object_repr, message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=object_repr, change_message=message
            )
            changed += 1
    return changed


def _json_scrub(text: str, pattern: re.Pattern[str], replacement: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return cast(str, _scrub(text, pattern, replacement))
    scrubbed = _scrub(value, pattern, replacement)
    return text if scrubbed == value else json.dumps(scrubbed)


def _sessions_delete(student: User) -> int:
    """End the student's sessions stored in the database. (Sessions kept elsewhere end anyway:
    the session's password hash no longer matches the account.)"""
    if settings.SESSION_ENGINE not in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }:
        return 0
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(student.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def _erase_relation(label: str, erase: Erase, student: User) -> int:
    _model, field = relation_field(label)
    if field.many_to_many:  # unlinking and deleting are the same: the link rows go
        m2m = cast(models.ManyToManyField, field)
        through = cast(type[models.Model], m2m.remote_field.through)
        return through._default_manager.filter(**{m2m.m2m_reverse_field_name(): student}).delete()[
            0
        ]
    rows = relation_rows(label, student)
    if erase is Erase.UNLINK:
        return rows.update(**{field.name: None})
    return rows.delete()[0]


def _anonymise_account(student: User, *, username: str, now: datetime.datetime) -> None:
    student.username = username
    student.first_name = student.last_name = student.email = ""
    student.set_unusable_password()
    student.is_active = False
    student.is_staff = student.is_superuser = False
    student.last_login = None
    student.date_joined = now  # when it was joined would still say something about them
    student.save()
    student.groups.clear()
    student.user_permissions.clear()


# --- retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime.datetime
    counts: dict[str, int]  # "attempts", "responses", ... → how many (would be) removed


def attempts_past_retention(
    *, older_than_days: int, now: datetime.datetime
) -> "models.QuerySet[Attempt]":
    """Finished attempts that finished more than `older_than_days` days ago.

    An assignment still open for anyone (its close, or a student's later close, is ahead)
    keeps its attempts: removing one would hand its student an attempt back.
    """
    if older_than_days < 1:
        raise ValidationError(
            _("The retention period must be at least one day; nothing was removed."),
            code="retention_too_short",
        )
    cutoff = now - datetime.timedelta(days=older_than_days)
    return Attempt.objects.filter(
        state=AttemptState.FINISHED, finished_at__lt=cutoff, assignment__closes_at__lte=now
    ).exclude(assignment__overrides__closes_at__gt=now)


def attempts_purge(
    *, older_than_days: int, now: datetime.datetime, dry_run: bool = False
) -> PurgeResult:
    """Remove (or with dry_run, count) the attempts past retention with their questions,
    responses, score changes and mistake records, all or nothing.

    Mistake cards stay: they belong to the student's practice, not to one attempt.
    """
    attempts = attempts_past_retention(older_than_days=older_than_days, now=now)
    cutoff = now - datetime.timedelta(days=older_than_days)
    with transaction.atomic():
        chosen = attempts
        counts = {
            "attempts": chosen.count(),
            "attempt questions": AttemptQuestion.objects.filter(attempt__in=chosen).count(),
            "responses": Response.objects.filter(attempt_question__attempt__in=chosen).count(),
            "score changes": ScoreChange.objects.filter(
                response__attempt_question__attempt__in=chosen
            ).count(),
            "mistake records": MistakeRecord.objects.filter(attempt__in=chosen).count(),
        }
        if not dry_run:
            chosen.delete()
    return PurgeResult(cutoff=cutoff, counts=counts)

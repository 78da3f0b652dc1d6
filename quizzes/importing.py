"""Loading the shipped question banks and quizzes (fixtures/) into the database.

Files are read and every question is checked with the admin's own rules before anything is
written; the whole load runs in one transaction, so a bad file changes nothing. A question or
quiz that already exists (same key / slug) is left alone unless `update=True`, so a teacher's
edits to a shipped question survive `make run`.
"""

import datetime
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .authoring import KeyParts, validate_key
from .models import (
    AcceptedAnswer,
    Bank,
    Choice,
    MatchPair,
    NumericAnswer,
    OrderItem,
    Question,
    QuestionStatus,
    QuestionType,
    Quiz,
    Tag,
)


class ImportFileError(Exception):
    """A problem in an import file, located precisely enough to fix it."""

    def __init__(self, path: Path | str, where: str, message: str) -> None:
        super().__init__(f"{path}: {where}: {message}")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: list[str] = field(default_factory=list)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ImportFileError(
            path, f"line {error.lineno}, column {error.colno}", error.msg
        ) from None
    except UnicodeDecodeError as error:
        raise ImportFileError(path, "encoding", f"not UTF-8 ({error.reason})") from None


def _decimal(value: Any, path: Path, where: str, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ImportFileError(path, where, f"{name} {value!r} is not a number") from None


def _parts(data: dict[str, Any], path: Path, where: str) -> tuple[KeyParts, dict[str, list[Any]]]:
    """The key rows as plain values (for validation) and as unsaved model rows (for saving)."""
    choices = [
        Choice(
            text=c["text"],
            fraction=_decimal(c.get("fraction", 0), path, where, "fraction"),
            feedback=c.get("feedback", ""),
            position=i + 1,
        )
        for i, c in enumerate(data.get("choices", []))
    ]
    answers = [
        AcceptedAnswer(
            text=a["text"],
            fraction=_decimal(a.get("fraction", 1), path, where, "fraction"),
            feedback=a.get("feedback", ""),
            position=i + 1,
        )
        for i, a in enumerate(data.get("answers", []))
    ]
    numeric = [
        NumericAnswer(
            value=_decimal(n["value"], path, where, "value"),
            tolerance=_decimal(n.get("tolerance", 0), path, where, "tolerance"),
            fraction=_decimal(n.get("fraction", 1), path, where, "fraction"),
            feedback=n.get("feedback", ""),
            position=i + 1,
        )
        for i, n in enumerate(data.get("numeric", []))
    ]
    pairs = [
        MatchPair(prompt=p["prompt"], answer=p["answer"], position=i + 1)
        for i, p in enumerate(data.get("pairs", []))
    ]
    items = [OrderItem(text=t, position=i + 1) for i, t in enumerate(data.get("items", []))]
    key = KeyParts(
        choices=[c.fraction for c in choices],
        answers=[(a.text, a.fraction) for a in answers],
        numeric=[(n.value, n.tolerance, n.fraction) for n in numeric],
        pairs=[(p.prompt, p.answer) for p in pairs],
        items=[i.text for i in items],
    )
    rows = {
        "choices": choices,
        "accepted_answers": answers,
        "numeric_answers": numeric,
        "match_pairs": pairs,
        "order_items": items,
    }
    return key, rows


def _question_fields(data: dict[str, Any], path: Path, where: str) -> dict[str, Any]:
    source = data.get("source") or {}
    try:
        facts_as_of = (
            datetime.date.fromisoformat(data["facts_as_of"]) if data.get("facts_as_of") else None
        )
    except ValueError:
        raise ImportFileError(
            path, where, f"facts_as_of {data['facts_as_of']!r} is not a date"
        ) from None
    return {
        "type": data["type"],
        "title": data["title"],
        "prompt": data["prompt"],
        "explanation": data.get("explanation", ""),
        "difficulty": data.get("difficulty", "medium"),
        "default_points": _decimal(data.get("points", 1), path, where, "points"),
        "status": data.get("status", QuestionStatus.PUBLISHED),
        "source_outlet": source.get("outlet", ""),
        "source_title": source.get("title", ""),
        "source_url": source.get("url", ""),
        "facts_as_of": facts_as_of,
        "is_all_or_nothing": bool(data.get("all_or_nothing", False)),
        "is_case_sensitive": bool(data.get("case_sensitive", False)),
        "is_accent_insensitive": bool(data.get("accent_insensitive", False)),
    }


def _validated_question(
    data: dict[str, Any], bank: Bank, path: Path, index: int
) -> tuple[Question, dict[str, list[Any]], list[str]]:
    where = f"question {data.get('key') or '#' + str(index + 1)}"
    missing = [name for name in ("key", "type", "title", "prompt") if not data.get(name)]
    if missing:
        raise ImportFileError(path, where, f"missing {', '.join(missing)}")
    if data["type"] not in QuestionType.values:
        raise ImportFileError(path, where, f"unknown type {data['type']!r}")
    try:
        fields = _question_fields(data, path, where)
        key_parts, rows = _parts(data, path, where)
    except KeyError as error:
        raise ImportFileError(path, where, f"missing field {error}") from None
    question = Question(bank=bank, key=data["key"], **fields)
    try:
        validate_key(question.type, key_parts)
        # The unique key is checked by the upsert, not here (an update finds its own row).
        question.full_clean(exclude=["bank", "stimulus", "key"], validate_unique=False)
        for group in rows.values():
            for row in group:
                row.full_clean(exclude=["question"])
    except ValidationError as error:
        raise ImportFileError(path, where, " ".join(error.messages)) from None
    return question, rows, list(data.get("tags", []))


def import_bank_file(path: Path, *, update: bool = False) -> ImportReport:
    """Create (or, with update, overwrite) one bank and its questions. Call inside atomic()."""
    data = read_json(path)
    if not isinstance(data, dict) or "bank" not in data or "questions" not in data:
        raise ImportFileError(path, "top level", 'expected {"bank": {...}, "questions": [...]}')
    bank_data = data["bank"]
    bank, _created = Bank.objects.get_or_create(
        slug=bank_data["slug"],
        defaults={"name": bank_data["name"], "description": bank_data.get("description", "")},
    )
    seen: set[str] = set()
    validated = []
    for index, item in enumerate(data["questions"]):
        question, rows, tags = _validated_question(item, bank, path, index)
        if question.key in seen:
            raise ImportFileError(path, f"question {question.key}", "duplicate key in this file")
        seen.add(question.key)
        validated.append((question, rows, tags, item.get("stimulus", "")))

    report = ImportReport()
    existing = {q.key: q for q in Question.objects.filter(key__in=seen)}
    saved: dict[str, Question] = {}
    for question, rows, tags, _stimulus in validated:
        current = existing.get(question.key)
        if current is not None and current.bank_id != bank.pk:
            raise ImportFileError(
                path, f"question {question.key}", f"key already used in bank {current.bank}"
            )
        if current is not None and not update:
            report.unchanged += 1
            saved[question.key] = current
            continue
        if current is not None:
            question.pk, question.created_at = current.pk, current.created_at
            for related in rows:
                getattr(current, related).all().delete()
            report.updated += 1
        else:
            report.created += 1
        question.save()
        for group in rows.values():
            for row in group:
                row.question = question
            if group:
                type(group[0]).objects.bulk_create(group)
        question.tags.set(tags_named(tags))
        saved[question.key] = question

    for question, _rows, _tags, stimulus_key in validated:
        if not stimulus_key:
            continue
        stimulus = saved.get(stimulus_key)
        if stimulus is None or stimulus.type != QuestionType.DESCRIPTION:
            raise ImportFileError(
                path,
                f"question {question.key}",
                f"stimulus {stimulus_key!r} is not a description question in this file",
            )
        target = saved[question.key]
        if target.stimulus_id != stimulus.pk:
            target.stimulus = stimulus
            target.save(update_fields=["stimulus"])
    report.lines.append(
        f"{bank.name}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} left as they were"
    )
    return report


def tags_named(names: Iterable[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in names]


QUIZ_FIELDS = [
    "description",
    "is_published",
    "time_limit_minutes",
    "attempts_allowed",
    "grading_method",
    "pass_mark",
    "shuffle_questions",
    "shuffle_choices",
    "navigation",
    "questions_per_page",
    "review_score",
    "review_correctness",
    "review_correct_answer",
    "review_feedback",
    "review_explanation",
]


def import_quiz_file(path: Path, *, update: bool = False) -> ImportReport:
    """Create (or, with update, overwrite) the quizzes in a quiz file. Call inside atomic()."""
    data = read_json(path)
    if not isinstance(data, list):
        raise ImportFileError(path, "top level", "expected a list of quizzes")
    report = ImportReport()
    for index, item in enumerate(data):
        where = f"quiz {item.get('slug') or '#' + str(index + 1)}"
        quiz = Quiz.objects.filter(slug=item.get("slug")).first()
        if quiz is not None and not update:
            report.unchanged += 1
            continue
        fields = {name: item[name] for name in QUIZ_FIELDS if name in item}
        if quiz is None:
            quiz = Quiz(slug=item.get("slug", ""), title=item.get("title", ""), **fields)
            report.created += 1
        else:
            quiz.title = item.get("title", quiz.title)
            for name, value in fields.items():
                setattr(quiz, name, value)
            quiz.slots.all().delete()
            report.updated += 1
        try:
            quiz.full_clean(validate_unique=False)
        except ValidationError as error:
            raise ImportFileError(path, where, " ".join(error.messages)) from None
        quiz.save()
        for position, slot_data in enumerate(item.get("slots", []), start=1):
            quiz.slots.create(position=position, **_slot_fields(slot_data, path, where, position))
        _check_draws(quiz, path, where)
    report.lines.append(
        f"Quizzes: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} left as they were"
    )
    return report


def _slot_fields(data: dict[str, Any], path: Path, where: str, position: int) -> dict[str, Any]:
    points = data.get("points")
    fields: dict[str, Any] = {"points": Decimal(str(points)) if points is not None else None}
    if "question" in data:
        question = Question.objects.filter(key=data["question"]).first()
        if question is None:
            raise ImportFileError(
                path, f"{where}, slot {position}", f"no question {data['question']!r}"
            )
        return {**fields, "question": question}
    random_data = data.get("random") or {}
    bank = Bank.objects.filter(slug=random_data.get("bank")).first()
    if bank is None:
        raise ImportFileError(
            path, f"{where}, slot {position}", f"no bank {random_data.get('bank')!r}"
        )
    tag = None
    if random_data.get("tag"):
        tag = Tag.objects.filter(name=random_data["tag"]).first()
        if tag is None:
            raise ImportFileError(
                path, f"{where}, slot {position}", f"no tag {random_data['tag']!r}"
            )
    return {**fields, "bank": bank, "tag": tag, "count": int(random_data.get("count", 1))}


def _check_draws(quiz: Quiz, path: Path, where: str) -> None:
    from .services import draw_questions

    try:
        draw_questions(list(quiz.slots.select_related("question", "bank", "tag")), random.Random(0))
    except ValidationError as error:
        raise ImportFileError(path, where, " ".join(error.messages)) from None


def import_fixtures(directory: Path, *, update: bool = False) -> list[str]:
    """Load every bank file, then the quiz file, all or nothing."""
    lines: list[str] = []
    with transaction.atomic():
        for bank_file in sorted((directory / "banks").glob("*.json")):
            lines += import_bank_file(bank_file, update=update).lines
        quiz_file = directory / "quizzes.json"
        if quiz_file.exists():
            lines += import_quiz_file(quiz_file, update=update).lines
    return lines

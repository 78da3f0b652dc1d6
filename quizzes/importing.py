"""Loading bank and quiz files into the database: check with the admin's rules, then save.

This is the second of the loader's two steps. quizzes.bankfiles has already read the file into
plain data and checked its shape; here that data meets the rules the admin applies
(quizzes.authoring.validate_key and each model's full_clean, so the messages are the admin's)
and the database: a question's stimulus, a slot's question, bank and tag, a key another bank
already uses. Nothing is written until a whole file has passed, each file is written inside a
transaction, and import_fixtures wraps the whole folder in one, so a bad file changes nothing.

A question or quiz that already exists (same key / slug) is left alone unless `update=True`, so a
teacher's edits to a shipped question survive `make run`.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from .authoring import KeyParts, validate_key
from .bankfiles import (
    BankFile,
    ImportFileError,
    QuestionData,
    QuizData,
    QuizFile,
    located,
    raise_problems,
    read_bank_file,
    read_quiz_file,
    shown,
    unknown_field,
)
from .models import (
    AcceptedAnswer,
    Bank,
    Choice,
    MatchPair,
    NumericAnswer,
    OrderItem,
    Question,
    QuestionType,
    Quiz,
    Slot,
    Tag,
)
from .models.question import QuestionPart, key_rows_create
from .services import slots_problem

__all__ = [
    "QUIZ_FIELDS",
    "ImportFileError",
    "ImportReport",
    "bank_save",
    "import_bank_file",
    "import_fixtures",
    "import_quiz_file",
    "quizzes_save",
]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: list[str] = field(default_factory=list)

    def add_line(self, name: str) -> None:
        self.lines.append(
            f"{name}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} left as they were"
        )


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


def import_bank_file(path: Path, *, update: bool = False) -> ImportReport:
    return bank_save(read_bank_file(path), update=update)


def import_quiz_file(path: Path, *, update: bool = False) -> ImportReport:
    return quizzes_save(read_quiz_file(path), update=update)


# Banks and questions


# The key-row relations of a question (choices, accepted_answers, ...), read from the models.
KEY_ROW_RELATIONS = [
    name
    for relation in Question._meta.related_objects
    if isinstance(relation.related_model, type)
    and issubclass(relation.related_model, QuestionPart)
    and (name := relation.get_accessor_name())
]

# Question model fields whose name in a bank file differs.
QUESTION_FILE_NAMES = {
    "default_points": "points",
    "source_outlet": "source.outlet",
    "source_title": "source.title",
    "source_url": "source.url",
    "is_all_or_nothing": "all_or_nothing",
    "is_case_sensitive": "case_sensitive",
    "is_accent_insensitive": "accent_insensitive",
}


def _question_fields(data: QuestionData) -> dict[str, Any]:
    return {
        "type": data.type,
        "title": data.title,
        "prompt": data.prompt,
        "explanation": data.explanation,
        "difficulty": data.difficulty,
        "default_points": data.points,
        "status": data.status,
        "source_outlet": data.source.outlet,
        "source_title": data.source.title,
        "source_url": data.source.url,
        "facts_as_of": data.facts_as_of,
        "is_all_or_nothing": data.all_or_nothing,
        "is_case_sensitive": data.case_sensitive,
        "is_accent_insensitive": data.accent_insensitive,
    }


def _key_parts(data: QuestionData) -> KeyParts:
    return KeyParts(
        choices=[c.fraction for c in data.choices],
        answers=[(a.text, a.fraction) for a in data.answers],
        numeric=[(n.value, n.tolerance, n.fraction) for n in data.numeric],
        pairs=[(p.prompt, p.answer) for p in data.pairs],
        items=list(data.items),
    )


def _always(line: int) -> Callable[[str], int]:
    """A line_of for rows whose every field is reported at one line."""
    return lambda _name: line


def _key_rows(data: QuestionData) -> list[tuple[str, int, QuestionPart]]:
    """(label, line, unsaved row) for each key row; `position` keeps the authored order."""
    rows: list[tuple[str, int, QuestionPart]] = []
    row: QuestionPart
    for i, c in enumerate(data.choices, start=1):
        row = Choice(text=c.text, fraction=c.fraction, feedback=c.feedback, position=i)
        rows.append((f"choice {i}", c.line, row))
    for i, a in enumerate(data.answers, start=1):
        row = AcceptedAnswer(text=a.text, fraction=a.fraction, feedback=a.feedback, position=i)
        rows.append((f"answer {i}", a.line, row))
    for i, n in enumerate(data.numeric, start=1):
        row = NumericAnswer(
            value=n.value,
            tolerance=n.tolerance,
            fraction=n.fraction,
            feedback=n.feedback,
            position=i,
        )
        rows.append((f"numeric answer {i}", n.line, row))
    for i, p in enumerate(data.pairs, start=1):
        rows.append((f"pair {i}", p.line, MatchPair(prompt=p.prompt, answer=p.answer, position=i)))
    for i, text in enumerate(data.items, start=1):
        rows.append((f"item {i}", data.line_of("items"), OrderItem(text=text, position=i)))
    return rows


@dataclass
class _CheckedQuestion:
    data: QuestionData
    question: Question  # unsaved, or the existing row when there is one
    rows: list[QuestionPart]
    is_new: bool


def bank_save(file: BankFile, *, update: bool = False) -> ImportReport:
    """Create (or, with update, overwrite) one bank's questions; a bad file saves nothing."""
    with transaction.atomic():
        bank = Bank.objects.filter(slug=file.bank.slug).first()
        checked = _questions_checked(file, bank)
        if bank is None:
            bank = Bank.objects.create(
                slug=file.bank.slug, name=file.bank.name, description=file.bank.description
            )
        to_write = [item for item in checked if item.is_new or update]
        tags = _tags_named({name for item in to_write for name in item.data.tags})
        rows: list[QuestionPart] = []
        for item in to_write:
            question = item.question
            if item.is_new:
                question.bank = bank
            else:
                for relation in KEY_ROW_RELATIONS:
                    getattr(question, relation).all().delete()
            question.save()
            question.tags.set([tags[name] for name in item.data.tags])
            for row in item.rows:
                row.question = question  # type: ignore[attr-defined]
            rows += item.rows
        key_rows_create(rows)
        _stimuli_link(file, {item.question.key: item.question for item in to_write})
        created = sum(item.is_new for item in to_write)
        report = ImportReport(
            created=created,
            updated=len(to_write) - created,
            unchanged=len(checked) - len(to_write),
        )
        report.add_line(bank.name)
    return report


def _questions_checked(file: BankFile, bank: Bank | None) -> list[_CheckedQuestion]:
    """Every question of the file as a model row, checked with the admin's rules (no writes)."""
    problems: list[ImportFileError] = []
    if bank is None:
        problems += _model_problems(
            Bank(slug=file.bank.slug, name=file.bank.name, description=file.bank.description),
            path=file.path,
            context="bank",
            line_of=lambda name: file.bank.lines.get(name, file.bank.line),
        )
    keys = [data.key for data in file.questions]
    existing = {q.key: q for q in Question.objects.filter(key__in=keys).select_related("bank")}
    descriptions = {data.key for data in file.questions if data.type == QuestionType.DESCRIPTION}
    checked = []
    for data in file.questions:
        current = existing.get(data.key)
        if current is not None and current.bank.slug != file.bank.slug:
            problems.append(
                located(
                    file.path,
                    data.line,
                    f"question {data.key}",
                    f"key already used in bank {current.bank}",
                )
            )
            continue
        question = current or Question(key=data.key)
        for name, value in _question_fields(data).items():
            setattr(question, name, value)
        question.stimulus = None  # linked once every question is saved (see _stimuli_link)
        problems += _question_problems(data, question, path=file.path)
        if data.stimulus and data.stimulus not in descriptions:
            problems.append(
                located(
                    file.path,
                    data.line_of("stimulus"),
                    f"question {data.key}",
                    f"stimulus {data.stimulus!r} is not a description question in this file",
                )
            )
        rows = [row for _label, _line, row in _key_rows(data)]
        checked.append(_CheckedQuestion(data, question, rows, is_new=current is None))
    raise_problems(problems)
    return checked


def _question_problems(
    data: QuestionData, question: Question, *, path: str
) -> list[ImportFileError]:
    """What the admin would say of this question, its key rows and its tags."""
    context = f"question {data.key}"
    problems = []
    try:
        validate_key(data.type, _key_parts(data))
    except ValidationError as error:
        problems.append(located(path, data.line, context, " ".join(error.messages)))
    problems += _model_problems(
        question,
        path=path,
        context=context,
        line_of=lambda name: data.line_of(QUESTION_FILE_NAMES.get(name, name).split(".")[0]),
        names=QUESTION_FILE_NAMES,
        exclude=["bank", "stimulus"],
    )
    for label, line, row in _key_rows(data):
        problems += _model_problems(
            row,
            path=path,
            context=f"{context}, {label}",
            line_of=_always(line),
            exclude=["question"],
        )
    for name in data.tags:
        problems += _model_problems(
            Tag(name=name),
            path=path,
            context=context,
            line_of=lambda _name: data.line_of("tags"),
            names={"name": f"tag {name!r}"},
            validate_unique=False,
        )
    return problems


def _stimuli_link(file: BankFile, written: Mapping[str, Question]) -> None:
    """Point each written question at its stimulus (which may have been left as it was)."""
    named = {data.key: data.stimulus for data in file.questions if data.stimulus}
    wanted = {key: stimulus for key, stimulus in named.items() if key in written}
    stimuli = {q.key: q for q in Question.objects.filter(key__in=set(wanted.values()))}
    lines = {data.key: data.line_of("stimulus") for data in file.questions}
    for key, stimulus_key in wanted.items():
        question = written[key]
        question.stimulus = stimuli[stimulus_key]
        try:
            question.clean()  # the model's own stimulus rules (no nesting, not itself)
        except ValidationError as error:
            raise located(
                file.path, lines[key], f"question {key}", " ".join(error.messages)
            ) from None
        question.save(update_fields=["stimulus"])


def _tags_named(names: Iterable[str]) -> dict[str, Tag]:
    tags = Tag.objects.in_bulk(set(names), field_name="name")
    for name in set(names) - set(tags):
        tags[name] = Tag.objects.create(name=name)
    return tags


# Quizzes

# What a quiz file may set besides slug, title and slots: the quiz's own editable settings, read
# from the model so that a new setting needs no change here.
QUIZ_FIELDS = tuple(
    f.name
    for f in Quiz._meta.concrete_fields
    if f.editable and not f.is_relation and f.name not in {"id", "slug", "title"}
)


@dataclass
class _CheckedQuiz:
    quiz: Quiz  # unsaved, or the existing row when there is one
    slots: list[Slot]
    is_new: bool


def quizzes_save(file: QuizFile, *, update: bool = False) -> ImportReport:
    """Create (or, with update, overwrite) the quizzes of a quiz file; a bad file saves nothing.

    Slots refer to questions, banks and tags already in the database (load the banks first).
    """
    with transaction.atomic():
        checked = _quizzes_checked(file, update=update)
        to_write = [item for item in checked if item.is_new or update]
        for item in to_write:
            item.quiz.save()
            if not item.is_new:
                item.quiz.slots.all().delete()
            for slot in item.slots:
                slot.quiz = item.quiz
        Slot.objects.bulk_create([slot for item in to_write for slot in item.slots])
        created = sum(item.is_new for item in to_write)
        report = ImportReport(
            created=created,
            updated=len(to_write) - created,
            unchanged=len(checked) - len(to_write),
        )
        report.add_line("Quizzes")
    return report


def _quizzes_checked(file: QuizFile, *, update: bool) -> list[_CheckedQuiz]:
    """Every quiz of the file as a model row with its slots, checked (no writes).

    Whether the random slots can be filled is asked only of quizzes about to be written: one
    left as it was may have lost questions a teacher retired, and that must not stop a load.
    """
    existing = Quiz.objects.in_bulk([q.slug for q in file.quizzes], field_name="slug")
    slots = [slot for quiz in file.quizzes for slot in quiz.slots]
    keys = {s.question for s in slots if s.question}
    targets = _SlotTargets(
        questions={q.key: q for q in Question.objects.filter(key__in=keys)},
        banks=Bank.objects.in_bulk({s.bank for s in slots if s.bank}, field_name="slug"),
        tags=Tag.objects.in_bulk({s.tag for s in slots if s.tag}, field_name="name"),
    )
    problems: list[ImportFileError] = []
    checked = []
    for data in file.quizzes:
        context = f"quiz {data.slug}"
        current = existing.get(data.slug)
        quiz = current or Quiz(slug=data.slug)
        quiz.title = data.title
        found = _settings_problems(quiz, data, path=file.path)
        found += _model_problems(
            quiz, path=file.path, context=context, line_of=data.line_of, validate_unique=False
        )
        quiz_slots, slot_problems = _slots_checked(data, targets, path=file.path)
        found += slot_problems
        if not found and (current is None or update):
            found += [located(file.path, data.line, context, m) for m in _draw_problems(quiz_slots)]
        problems += found
        checked.append(_CheckedQuiz(quiz, quiz_slots, is_new=current is None))
    raise_problems(problems)
    return checked


@dataclass
class _SlotTargets:
    """What the slots of a file name, looked up once: questions by key, banks, tags."""

    questions: dict[str, Question]
    banks: dict[str, Bank]
    tags: dict[str, Tag]


def _slots_checked(
    data: QuizData, targets: _SlotTargets, *, path: str
) -> tuple[list[Slot], list[ImportFileError]]:
    slots, problems = [], []
    for position, slot_data in enumerate(data.slots, start=1):
        context = f"quiz {data.slug}, slot {position}"
        slot = Slot(position=position, count=slot_data.count, points=slot_data.points)
        missing = []
        if slot_data.question:
            slot.question = targets.questions.get(slot_data.question)
            missing += [] if slot.question else [f"no question {slot_data.question!r}"]
        else:
            slot.bank = targets.banks.get(slot_data.bank)
            missing += [] if slot.bank else [f"no bank {slot_data.bank!r}"]
            if slot_data.tag:
                slot.tag = targets.tags.get(slot_data.tag)
                missing += [] if slot.tag else [f"no tag {slot_data.tag!r}"]
        problems += [located(path, slot_data.line, context, message) for message in missing]
        if not missing:
            problems += _model_problems(
                slot,
                path=path,
                context=context,
                line_of=_always(slot_data.line),
                exclude=["quiz"],
            )
        slots.append(slot)
    return slots, problems


def _settings_problems(quiz: Quiz, data: QuizData, *, path: str) -> list[ImportFileError]:
    """Set the file's settings on `quiz`, refusing unknown names and the wrong JSON types.

    The model converts and checks the values afterwards (full_clean); this only stops it from
    reading true as 1 or 60 as "60".
    """
    problems = []
    for name, value in data.settings.items():
        context = f"quiz {data.slug}"
        if name not in QUIZ_FIELDS:
            problems.append(
                located(path, data.line_of(name), context, unknown_field(name, QUIZ_FIELDS))
            )
            continue
        expected = _json_type(Quiz._meta.get_field(name), value)
        if expected:
            problems.append(
                located(
                    path,
                    data.line_of(name),
                    context,
                    f"{name} must be {expected}, not {shown(value)}",
                )
            )
            continue
        setattr(quiz, name, value)
    return problems


def _json_type(model_field: Any, value: Any) -> str:
    """What `model_field` needs from a JSON value, when `value` is not it ("" when it is)."""
    if value is None:
        return ""  # whether null is allowed is the model's to say
    is_number = isinstance(value, int | Decimal) and not isinstance(value, bool)
    if isinstance(model_field, models.BooleanField):
        return "" if isinstance(value, bool) else "true or false"
    if isinstance(model_field, models.IntegerField):
        return "" if is_number and isinstance(value, int) else "a whole number"
    if isinstance(model_field, models.DecimalField):
        return "" if is_number else "a number"
    return "" if isinstance(value, str) else "text"


def _draw_problems(slots: list[Slot]) -> list[str]:
    """Why a quiz with these slots could never be started (nothing when it can); exact."""
    problem = slots_problem(slots)
    return [problem] if problem else []


def _model_problems(
    instance: models.Model,
    *,
    path: str,
    context: str,
    line_of: Callable[[str], int],
    names: Mapping[str, str] | None = None,
    **full_clean: Any,
) -> list[ImportFileError]:
    """The admin's verdict on `instance` (its full_clean), one problem per field.

    `names` gives a model field's name in the file, when it differs; `line_of` a field's line.
    """
    try:
        instance.full_clean(**full_clean)
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            label = (names or {}).get(name, name)
            prefix = "" if name == NON_FIELD_ERRORS else f"{label}: "
            problems.append(located(path, line_of(name), context, prefix + " ".join(messages)))
        return problems
    return []

"""The plain data an import file holds, whatever its format, and the error that locates a problem.

A format's parser (quizzes.bankfiles.jsonfile for the JSON of fixtures/; Moodle XML, GIFT and
Aiken to come) turns a file into these frozen dataclasses and checks its shape;
quizzes.importing checks them with the admin's rules and saves them. Nothing here knows Django.

`line` is where each piece starts in its file, and `lines` maps a field to its line, so that the
saving step can point at the very field the admin's rules refuse.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

# Enough to fix a file in one sitting without burying the first problem.
MAX_REPORTED = 20


class ImportFileError(Exception):
    """A problem in an import file, located precisely enough to fix it.

    `where` reads "line 12, question aa-005, choice 2" (or "line 3, column 7" for JSON syntax).
    When a file has several problems, the first is raised and carries the rest in `others`; the
    message lists them all, one a line (up to MAX_REPORTED).
    """

    def __init__(
        self,
        path: Path | str,
        where: str,
        message: str,
        *,
        line: int | None = None,
        others: Sequence[ImportFileError] = (),
    ) -> None:
        self.path, self.where, self.message = str(path), where, message
        self.line = line
        self.others = tuple(others)
        problems = self.problems
        text = "\n".join(f"{p.path}: {p.where}: {p.message}" for p in problems[:MAX_REPORTED])
        if len(problems) > MAX_REPORTED:
            text += f"\n… and {len(problems) - MAX_REPORTED} more problems"
        super().__init__(text)

    @property
    def problems(self) -> tuple[ImportFileError, ...]:
        return (self, *self.others)


def located(path: Path | str, line: int, context: str, message: str) -> ImportFileError:
    """The error for `message` about `context` ("question aa-005") found on `line`."""
    return ImportFileError(path, f"line {line}, {context}", message, line=line)


def raise_problems(problems: Sequence[ImportFileError]) -> None:
    """Raise one file's problems in line order (the first, carrying the others), if any."""
    if problems:
        first, *others = sorted(problems, key=lambda problem: problem.line or 0)
        raise ImportFileError(
            first.path, first.where, first.message, line=first.line, others=others
        )


def unknown_field(name: str, known: Collection[str]) -> str:
    """The message for a field nobody reads, with the likely intended name."""
    close = difflib.get_close_matches(name, known, n=1)
    return f"unknown field {name!r}" + (f" (did you mean {close[0]}?)" if close else "")


@dataclass(frozen=True)
class ChoiceData:
    """A choice (single, multiple, true/false) or an accepted short answer."""

    text: str
    fraction: Decimal
    feedback: str = ""
    line: int = 0


@dataclass(frozen=True)
class NumericData:
    value: Decimal
    tolerance: Decimal = Decimal(0)
    fraction: Decimal = Decimal(1)
    feedback: str = ""
    line: int = 0


@dataclass(frozen=True)
class PairData:
    prompt: str
    answer: str
    line: int = 0


@dataclass(frozen=True)
class SourceData:
    outlet: str = ""
    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class QuestionData:
    key: str
    type: str
    title: str
    prompt: str
    explanation: str = ""
    difficulty: str = "medium"
    points: Decimal = Decimal(1)
    status: str = "published"
    tags: tuple[str, ...] = ()
    source: SourceData = SourceData()
    facts_as_of: datetime.date | None = None
    stimulus: str = ""  # key of a description question in the same file
    all_or_nothing: bool = False
    case_sensitive: bool = False
    accent_insensitive: bool = False
    choices: tuple[ChoiceData, ...] = ()
    answers: tuple[ChoiceData, ...] = ()
    numeric: tuple[NumericData, ...] = ()
    pairs: tuple[PairData, ...] = ()
    items: tuple[str, ...] = ()
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)


@dataclass(frozen=True)
class BankData:
    slug: str
    name: str
    description: str = ""
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BankFile:
    path: str
    bank: BankData
    questions: tuple[QuestionData, ...]


@dataclass(frozen=True)
class SlotData:
    """A fixed question (`question`), or `count` random questions from `bank` (and `tag`)."""

    question: str = ""
    bank: str = ""
    tag: str = ""
    count: int = 1
    points: Decimal | None = None
    line: int = 0

    @property
    def is_random(self) -> bool:
        return not self.question


@dataclass(frozen=True)
class QuizData:
    slug: str
    title: str
    # Every other field as the file gives it (text, number, true/false or null): the quiz's
    # settings, whose names and types the model knows (quizzes.importing.QUIZ_FIELDS).
    settings: Mapping[str, Any] = field(default_factory=dict)
    slots: tuple[SlotData, ...] = ()
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)


@dataclass(frozen=True)
class QuizFile:
    path: str
    quizzes: tuple[QuizData, ...]

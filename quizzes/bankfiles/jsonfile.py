"""The JSON bank and quiz files of fixtures/ (see fixtures/README.md), read into plain data.

This is the first of the loader's two steps, and it knows nothing of the database: bytes in,
frozen dataclasses out (`BankFile`, `QuizFile`, from quizzes.bankfiles.data). It checks the
file's *shape*: the encoding, the JSON syntax, that each field is of the right JSON type, that
numbers are finite decimals, counts whole and positive, dates ISO, question types known, and
that no field is unknown or given twice (a typo such as "choises" would otherwise drop a
question's key without a word). The authoring rules (a single-choice question has exactly one
correct choice, a slot names a question that exists) are the second step's, quizzes.importing.

Every problem is an `ImportFileError` naming the file, the line and the question key or quiz
slug. A file's problems are collected and raised together, in line order.
"""

from __future__ import annotations

import datetime
import json
import json.decoder
import json.scanner
import re
from bisect import bisect_left
from collections.abc import Callable, Collection
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..question_types import QUESTION_TYPES
from .data import (
    BankData,
    BankFile,
    ChoiceData,
    ImportFileError,
    NumericData,
    PairData,
    QuestionData,
    QuizData,
    QuizFile,
    SlotData,
    SourceData,
    located,
    raise_problems,
    unknown_field,
)


def read_bank_file(path: Path) -> BankFile:
    return parse_bank_file(_read(path), path=path)


def read_quiz_file(path: Path) -> QuizFile:
    return parse_quiz_file(_read(path), path=path)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImportFileError(path, "file", f"cannot be read ({error.strerror})") from None


# Numbers are below this: no quiz number comes near it, and far beyond it decimal arithmetic (the
# authoring rules sum fractions) overflows.
TOO_LARGE = 10**15

# The fields each kind of object may have; any other is reported (a typo must not go unseen).
BANK_FIELDS = frozenset({"slug", "name", "description"})
QUESTION_FIELDS = frozenset(
    {
        *("key", "type", "title", "prompt", "explanation", "difficulty", "points", "status"),
        *("tags", "source", "facts_as_of", "stimulus"),
        *("all_or_nothing", "case_sensitive", "accent_insensitive"),
        *("choices", "answers", "numeric", "pairs", "items"),
    }
)

ANSWER_FIELDS = frozenset({"text", "fraction", "feedback"})
NUMERIC_FIELDS = frozenset({"value", "tolerance", "fraction", "feedback"})
PAIR_FIELDS = frozenset({"prompt", "answer"})
SLOT_FIELDS = frozenset({"question", "random", "points"})
RANDOM_FIELDS = frozenset({"bank", "tag", "count"})


def parse_bank_file(source: bytes | str, *, path: Path | str) -> BankFile:
    """A bank file's content as plain data; ImportFileError lists what is wrong with it."""
    document = _decode(source, path)
    problems = _Problems(path)
    if not isinstance(document, dict):
        problems.add(1, "top level", f"must be an object, not {shown(document)}")
        problems.raise_any()
    top = _Reader(document, "top level", problems, known={"bank", "questions"})
    bank = BankData(slug="", name="")  # stands in for a missing bank, already reported
    bank_object = top.object("bank", required=True)
    if bank_object is not None:
        reader = _Reader(bank_object, "bank", problems, known=BANK_FIELDS)
        bank = BankData(
            slug=reader.text("slug", required=True),
            name=reader.text("name", required=True),
            description=reader.text("description"),
            line=bank_object.line,
            lines=bank_object.lines,
        )
    questions = []
    first_line: dict[str, int] = {}
    for index, line, item in top.objects("questions", "question #{}", required=True, prefix=""):
        key = item.get("key")
        if isinstance(key, str) and key in first_line:
            problems.add(
                line,
                f"question {key}",
                f"key {key!r} is used twice in this file (first on line {first_line[key]})",
            )
        elif isinstance(key, str):
            first_line[key] = line
        question = _question(item, index, problems)
        if question is not None:
            questions.append(question)
    problems.raise_any()
    return BankFile(path=str(path), bank=bank, questions=tuple(questions))


def _question(item: _Object, index: int, problems: _Problems) -> QuestionData | None:
    key = item.get("key")
    context = f"question {key}" if isinstance(key, str) and key.strip() else f"question #{index}"
    found_before = len(problems.found)
    reader = _Reader(item, context, problems, known=QUESTION_FIELDS)
    question_type = reader.text("type", required=True)
    if question_type and question_type not in QUESTION_TYPES:
        reader.problem(
            "type",
            f"unknown type {question_type!r} (one of: {', '.join(sorted(QUESTION_TYPES))})",
        )
    source = reader.object("source")
    source_reader = _Reader(
        source, f"{context}, source", problems, known={"outlet", "title", "url"}
    )
    question = QuestionData(
        key=reader.text("key", required=True),
        type=question_type,
        title=reader.text("title", required=True),
        prompt=reader.text("prompt", required=True),
        explanation=reader.text("explanation"),
        difficulty=reader.text("difficulty", "medium"),
        points=reader.number("points", Decimal(1)),
        status=reader.text("status", "published"),
        tags=reader.texts("tags"),
        source=SourceData(
            outlet=source_reader.text("outlet"),
            title=source_reader.text("title"),
            url=source_reader.text("url"),
        ),
        facts_as_of=reader.date("facts_as_of"),
        stimulus=reader.text("stimulus"),
        all_or_nothing=reader.flag("all_or_nothing"),
        case_sensitive=reader.flag("case_sensitive"),
        accent_insensitive=reader.flag("accent_insensitive"),
        choices=reader.rows("choices", "choice {}", _choice(Decimal(0)), known=ANSWER_FIELDS),
        answers=reader.rows("answers", "answer {}", _choice(Decimal(1)), known=ANSWER_FIELDS),
        numeric=reader.rows("numeric", "numeric answer {}", _numeric, known=NUMERIC_FIELDS),
        pairs=reader.rows("pairs", "pair {}", _pair, known=PAIR_FIELDS),
        items=reader.texts("items"),
        line=item.line,
        lines=item.lines,
    )
    return question if len(problems.found) == found_before else None


def _choice(default_fraction: Decimal) -> Callable[[_Reader, int], ChoiceData]:
    def read(row: _Reader, line: int) -> ChoiceData:
        return ChoiceData(
            text=row.text("text", required=True),
            fraction=row.number("fraction", default_fraction),
            feedback=row.text("feedback"),
            line=line,
        )

    return read


def _numeric(row: _Reader, line: int) -> NumericData:
    return NumericData(
        value=row.number("value"),
        tolerance=row.number("tolerance", Decimal(0)),
        fraction=row.number("fraction", Decimal(1)),
        feedback=row.text("feedback"),
        line=line,
    )


def _pair(row: _Reader, line: int) -> PairData:
    return PairData(
        prompt=row.text("prompt", required=True),
        answer=row.text("answer", required=True),
        line=line,
    )


def parse_quiz_file(source: bytes | str, *, path: Path | str) -> QuizFile:
    """A quiz file's content as plain data; ImportFileError lists what is wrong with it."""
    document = _decode(source, path)
    problems = _Problems(path)
    if not isinstance(document, _Array):
        problems.add(1, "top level", f"must be a list of quizzes, not {shown(document)}")
        problems.raise_any()
    quizzes = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(document, start=1):
        line = document.lines[index - 1]
        if not isinstance(item, _Object):
            problems.add(line, f"quiz #{index}", f"must be an object, not {shown(item)}")
            continue
        slug = item.get("slug")
        if isinstance(slug, str) and slug in first_line:
            problems.add(
                line,
                f"quiz {slug}",
                f"slug {slug!r} is used twice in this file (first on line {first_line[slug]})",
            )
        elif isinstance(slug, str):
            first_line[slug] = line
        quiz = _quiz(item, index, problems)
        if quiz is not None:
            quizzes.append(quiz)
    problems.raise_any()
    return QuizFile(path=str(path), quizzes=tuple(quizzes))


def _quiz(item: _Object, index: int, problems: _Problems) -> QuizData | None:
    slug = item.get("slug")
    context = f"quiz {slug}" if isinstance(slug, str) and slug.strip() else f"quiz #{index}"
    found_before = len(problems.found)
    reader = _Reader(item, context, problems, known=None)
    settings = {}
    for name, value in item.items():
        if name in ("slug", "title", "slots"):
            continue
        if isinstance(value, dict | list | _Constant):
            reader.problem(
                name, f"{name} must be text, a number, true/false or null, not {shown(value)}"
            )
        elif isinstance(value, int | Decimal) and _too_large(value):
            reader.problem(name, f"{name} must be a number below {TOO_LARGE:,}, not {value}")
        else:
            settings[name] = value
    quiz = QuizData(
        slug=reader.text("slug", required=True),
        title=reader.text("title", required=True),
        settings=settings,
        slots=reader.rows("slots", "slot {}", _slot, known=SLOT_FIELDS),
        line=item.line,
        lines=item.lines,
    )
    return quiz if len(problems.found) == found_before else None


def _slot(row: _Reader, line: int) -> SlotData:
    points = row.optional_number("points")
    if "question" in row.obj and "random" in row.obj:
        row.problem(None, "a slot is either a question or random, not both")
    if "question" in row.obj:
        return SlotData(question=row.text("question", required=True), points=points, line=line)
    if "random" not in row.obj:
        row.problem(None, 'a slot needs "question" (a question key) or "random" (bank and count)')
        return SlotData(line=line)
    random_object = row.object("random")
    if random_object is None:
        return SlotData(line=line)
    draw = _Reader(random_object, row.context, row.problems, known=RANDOM_FIELDS)
    return SlotData(
        bank=draw.text("bank", required=True),
        tag=draw.text("tag"),
        count=draw.count("count"),
        points=points,
        line=line,
    )


# Located JSON: Python's own decoder, told to note the line of every object, array and member.
# It runs on the pure-Python scanner, the one whose object and array parsers can be replaced;
# the shipped banks still parse in a tenth of a second.


class _Object(dict[str, Any]):
    line: int = 1
    lines: dict[str, int]
    repeated: list[tuple[str, int, int]]  # (name, first line, repeated line)


class _Array(list[Any]):
    line: int = 1
    lines: list[int]


class _Constant:
    """NaN, Infinity or -Infinity: Python's decoder accepts them, JSON does not."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


def _decode(source: bytes | str, path: Path | str) -> Any:
    text = _text(source, path)
    newlines = [i for i, char in enumerate(text) if char == "\n"]

    def line_at(position: int) -> int:
        return bisect_left(newlines, position) + 1

    def parse_object(
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: Any,
        object_hook: Any,
        _pairs_hook: Any,
        memo: Any,
    ) -> Any:
        starts: list[int] = []

        def scan_member(string: str, index: int) -> Any:
            starts.append(index)
            return scan_once(string, index)

        def build(pairs: list[tuple[str, Any]]) -> _Object:
            obj = _Object()
            obj.line, obj.lines, obj.repeated = line_at(s_and_end[1] - 1), {}, []
            for (name, value), start in zip(pairs, starts, strict=True):
                if name in obj:
                    obj.repeated.append((name, obj.lines[name], line_at(start)))
                obj[name], obj.lines[name] = value, line_at(start)
            return obj

        # The standard library's own object parser (private, typed nowhere), with a hook.
        return json.decoder.JSONObject(  # type: ignore[attr-defined]
            s_and_end, strict, scan_member, object_hook, build, memo
        )

    def parse_array(s_and_end: tuple[str, int], scan_once: Any) -> Any:
        starts: list[int] = []

        def scan_item(string: str, index: int) -> Any:
            starts.append(index)
            return scan_once(string, index)

        values, end = json.decoder.JSONArray(s_and_end, scan_item)  # type: ignore[attr-defined]
        array = _Array(values)
        array.line, array.lines = line_at(s_and_end[1] - 1), [line_at(i) for i in starts]
        return array, end

    decoder = json.JSONDecoder(parse_float=Decimal, parse_constant=_Constant)
    # The pure-Python scanner reads these two hooks (the C scanner would not): undocumented
    # attributes of the standard library's decoder, hence the ignores.
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.parse_array = parse_array  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ImportFileError(
            path, where, f"not valid JSON: {error.msg}", line=error.lineno
        ) from None
    except RecursionError:
        raise ImportFileError(path, "top level", "nested too deeply") from None
    except ValueError:  # the only other one: an integer with thousands of digits
        raise ImportFileError(path, "top level", "a number is too long") from None


def _text(source: bytes | str, path: Path | str) -> str:
    if isinstance(source, str):
        return source.removeprefix("\ufeff")
    if source.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(path, "encoding", "the file is UTF-16; save it as UTF-8")
    try:
        return source.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as error:
        before = source[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise ImportFileError(
            path,
            f"line {line}, column {column}",
            f"not UTF-8 (byte 0x{source[error.start]:02x}); save the file as UTF-8",
            line=line,
        ) from None


class _Problems:
    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.found: list[ImportFileError] = []

    def add(self, line: int, context: str, message: str) -> None:
        self.found.append(located(self.path, line, context, message))

    def raise_any(self) -> None:
        raise_problems(self.found)


class _Reader:
    """Reads one JSON object's fields, noting each problem with its line and context.

    Every getter returns a usable default after noting a problem, so one pass finds them all.
    """

    def __init__(
        self,
        obj: _Object | None,
        context: str,
        problems: _Problems,
        *,
        known: Collection[str] | None,
    ) -> None:
        self.obj = obj if obj is not None else _Object()
        self.context, self.problems = context, problems
        for name, first, again in getattr(self.obj, "repeated", []):
            problems.add(again, context, f"{name} is given twice (first on line {first})")
        if known is not None:  # None: the caller reads the fields it does not know itself
            for name in self.obj:
                if name not in known:
                    self.problem(name, unknown_field(name, known))

    def line(self, name: str | None) -> int:
        lines = getattr(self.obj, "lines", {})
        return lines.get(name, self.obj.line) if name is not None else self.obj.line

    def problem(self, name: str | None, message: str) -> None:
        self.problems.add(self.line(name), self.context, message)

    def _wrong(self, name: str, expected: str) -> None:
        self.problem(name, f"{name} must be {expected}, not {shown(self.obj[name])}")

    def text(self, name: str, default: str = "", *, required: bool = False) -> str:
        value = self.obj.get(name)
        if name not in self.obj or (required and isinstance(value, str) and not value.strip()):
            if required:
                self.problem(None, f"missing {name}")
            return default
        if not isinstance(value, str):
            self._wrong(name, "text")
            return default
        if bad := _unprintable(value):
            self.problem(name, f"{name} holds {bad}, which no text may hold")
            return default
        return value

    def number(self, name: str, default: Decimal | None = None) -> Decimal:
        """A finite decimal; without a default the field is required."""
        if name not in self.obj:
            if default is None:
                self.problem(None, f"missing {name}")
            return default if default is not None else Decimal(0)
        value = self.obj[name]
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self._wrong(name, "a number")
            return default if default is not None else Decimal(0)
        if _too_large(value):
            self._wrong(name, f"a number below {TOO_LARGE:,}")
            return default if default is not None else Decimal(0)
        return Decimal(value)

    def optional_number(self, name: str) -> Decimal | None:
        """A finite decimal, or None when the field is absent or null."""
        return None if self.obj.get(name) is None else self.number(name)

    def count(self, name: str) -> int:
        value = self.obj.get(name, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self._wrong(name, "a whole number of at least 1")
            return 1
        return value

    def flag(self, name: str) -> bool:
        value = self.obj.get(name, False)
        if not isinstance(value, bool):
            self._wrong(name, "true or false")
            return False
        return value

    def date(self, name: str) -> datetime.date | None:
        value = self.obj.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self._wrong(name, "a date (YYYY-MM-DD)")
        return None

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.obj.get(name, _Array())
        if not isinstance(value, _Array):
            self._wrong(name, "a list of text")
            return ()
        wrong = [(i, item) for i, item in enumerate(value) if not isinstance(item, str)]
        for i, item in wrong:
            self.problems.add(
                value.lines[i], self.context, f"{name} must be a list of text, not {shown(item)}"
            )
        unprintable = [(i, bad) for i, item in enumerate(value) if (bad := _unprintable(item))]
        for i, bad in unprintable:
            self.problems.add(
                value.lines[i], self.context, f"{name} holds {bad}, which no text may hold"
            )
        return () if wrong or unprintable else tuple(value)

    def object(self, name: str, *, required: bool = False) -> _Object | None:
        if name not in self.obj:
            if required:
                self.problem(None, f"missing {name}")
            return None
        value = self.obj[name]
        if not isinstance(value, _Object):
            self._wrong(name, "an object")
            return None
        return value

    def objects(
        self, name: str, label: str, *, required: bool = False, prefix: str | None = None
    ) -> list[tuple[int, int, _Object]]:
        """(number from 1, line, object) for each object of the list `name`.

        `label` ("choice {}") names an item in messages, after `prefix` (default: this context).
        """
        if name not in self.obj:
            if required:
                self.problem(None, f"missing {name}")
            return []
        value = self.obj[name]
        if not isinstance(value, _Array):
            self._wrong(name, "a list")
            return []
        prefix = self.context if prefix is None else prefix
        found = []
        for number, (line, item) in enumerate(zip(value.lines, value, strict=True), start=1):
            if isinstance(item, _Object):
                found.append((number, line, item))
            else:
                where = ", ".join(filter(None, [prefix, label.format(number)]))
                self.problems.add(line, where, f"must be an object, not {shown(item)}")
        return found

    def rows(
        self,
        name: str,
        label: str,
        read: Callable[[_Reader, int], Any],
        *,
        known: Collection[str],
    ) -> tuple[Any, ...]:
        """Each object of the list `name`, read by `read(reader for the row, its line)`."""
        rows = []
        for number, line, item in self.objects(name, label):
            reader = _Reader(
                item, f"{self.context}, {label.format(number)}", self.problems, known=known
            )
            rows.append(read(reader, line))
        return tuple(rows)


# Control characters other than tab and line breaks, and halves of surrogate pairs (a JSON
# "\ud800" escape decodes to one): no page or database can hold them as text.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _unprintable(value: Any) -> str:
    """How to name the first character text may not hold, or "" when there is none."""
    found = _UNPRINTABLE.search(value) if isinstance(value, str) else None
    return f"the character U+{ord(found.group()):04X}" if found else ""


def _too_large(number: int | Decimal) -> bool:
    # copy_abs(), unlike abs(), does no arithmetic, which could itself overflow here.
    return Decimal(number).copy_abs() >= TOO_LARGE


def shown(value: Any) -> str:
    """A value from a file, as its author would recognise it in a message."""
    if isinstance(value, _Constant):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    return str(value)

"""An assignment's report: which attempts it reads, the score matrix it analyses, and the
response tables a teacher reads beside the statistics.

A read model: three queries whatever the class size (see load_report_data) and never a write.
What a student answered is read from the attempts' frozen snapshots through
presentation.describe_answer, never from the live question, so a key fixed since the attempt
does not change what the table says they chose.

An item is a question: with random slots, students may have seen different questions; the
test-level figures (alpha, the standard error, discrimination) then read the questions every
analysed attempt holds, and a question only some saw gets its facility and spread from those
who saw it (see `assignment_report`).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Attempt, AttemptQuestion, AttemptState, GradingMethod
from .presentation import describe_answer
from .question_types import CHOICE_TYPES

WRONG_ANSWERS_SHOWN = 5


class AttemptChoice(models.TextChoices):
    FIRST = "first", _("First attempts")
    ALL = "all", _("All attempts")
    GRADED = "graded", _("The attempt that counts for the grade")


ATTEMPT_CHOICES = list(AttemptChoice)


def attempt_choice(raw: str | None) -> AttemptChoice:
    """The `?attempts=` switch; anything else (missing, tampered) means first attempts."""
    try:
        return AttemptChoice(raw or AttemptChoice.FIRST)
    except ValueError:
        return AttemptChoice.FIRST


def chosen_attempts(
    attempts: Sequence[Attempt], *, which: AttemptChoice, method: str
) -> list[Attempt]:
    """From one student's finished attempts (by number), the ones the report reads.

    The graded attempt follows the grading method: the highest (the earliest of equal ones),
    the first or the last. An average counts every attempt, so all of them are read.
    """
    if not attempts:
        return []
    if which == AttemptChoice.ALL:
        return list(attempts)
    if which == AttemptChoice.FIRST or method == GradingMethod.FIRST:
        return [attempts[0]]
    if method == GradingMethod.LAST:
        return [attempts[-1]]
    if method == GradingMethod.HIGHEST:
        best = max(attempts, key=lambda a: (a.percent or Decimal(0), -a.number))
        return [best]
    return list(attempts)


@dataclass
class ItemResponses:
    """One question's answers in the analysed attempts, with what each scored and its total."""

    question_id: int
    title: str
    type: str
    position: int
    snapshot: dict[str, Any]  # the latest attempt's: choice texts and the key as it was then
    # One (attempt index, answer, score fraction) per attempt that held this question.
    answers: list[tuple[int, dict[str, Any] | None, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class OptionRow:
    """One choice: whether the key gives it marks, and the share choosing it in each group."""

    text: str
    is_key: bool
    overall: Decimal | None
    top: Decimal | None
    bottom: Decimal | None

    @property
    def shares(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        return (self.overall, self.top, self.bottom)


@dataclass(frozen=True)
class WrongAnswer:
    text: str
    count: int
    share: Decimal


def share(count: int, total: int) -> Decimal | None:
    return None if not total else Decimal(count) / total


def option_table(item: ItemResponses, *, top: set[int], bottom: set[int]) -> list[OptionRow]:
    """For a choice question: the share of each group choosing each option (several may be
    chosen in a multiple-response question, so the shares need not sum to 1)."""
    groups = {"overall": None, "top": top, "bottom": bottom}
    counts: dict[str, Counter[int]] = {name: Counter() for name in groups}
    sizes = dict.fromkeys(groups, 0)
    for index, answer, _score in item.answers:
        chosen = set()
        if answer:
            chosen = set(answer.get("choices", [])) | {answer.get("choice")}
        for name, members in groups.items():
            if members is None or index in members:
                sizes[name] += 1
                counts[name].update(c for c in chosen if c is not None)
    rows = []
    for choice in item.snapshot.get("choices", []):
        cid = choice["id"]
        rows.append(
            OptionRow(
                text=choice["text"],
                is_key=Decimal(str(choice.get("fraction", "0"))) > 0,
                overall=share(counts["overall"][cid], sizes["overall"]),
                top=share(counts["top"][cid], sizes["top"]),
                bottom=share(counts["bottom"][cid], sizes["bottom"]),
            )
        )
    return rows


def wrong_answers(item: ItemResponses) -> list[WrongAnswer]:
    """The most frequent answers that did not earn full marks, as the student typed them
    (grouped ignoring case and surrounding spaces), so a teacher spots a spelling she forgot
    to accept. Unanswered questions are not answers."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    total = len(item.answers)
    for _index, answer, score in item.answers:
        if not answer or score >= 1:
            continue
        text = describe_answer(item.snapshot, answer).strip()
        if not text or text == "—":
            continue
        key = " ".join(text.casefold().split())
        counts[key] += 1
        shown.setdefault(key, text)
    return [
        WrongAnswer(shown[key], count, Decimal(count) / total)
        for key, count in counts.most_common(WRONG_ANSWERS_SHOWN)
    ]


@dataclass
class ReportData:
    """What the report reads: the analysed attempts, their items and the score matrix."""

    assignment: Assignment
    which: AttemptChoice
    attempts: list[Attempt]
    items: list[ItemResponses]

    @property
    def percents(self) -> list[Decimal]:
        return [a.percent for a in self.attempts if a.percent is not None]

    def common_items(self) -> list[ItemResponses]:
        """The questions every analysed attempt holds (all of them without random slots)."""
        return [item for item in self.items if len(item.answers) == len(self.attempts)]

    def matrix(self, items: Sequence[ItemResponses]) -> list[list[Decimal]]:
        """One row per analysed attempt, one score fraction per item (all of `items` must be
        common to every attempt)."""
        rows: list[list[Decimal]] = [[Decimal(0)] * len(items) for _ in self.attempts]
        for column, item in enumerate(items):
            for index, _answer, score in item.answers:
                rows[index][column] = score
        return rows


def load_report_data(
    assignments: Sequence[Assignment], *, which: AttemptChoice
) -> list[ReportData]:
    """The report data of several assignments in three queries whatever their size: the
    finished attempts; the scored questions' answers and scores (plain values: a class of 300
    with 40 questions is 12,000 rows); one snapshot per question, the latest attempt's.

    One snapshot per question is enough to name what was chosen: a choice keeps its id when a
    question is edited, and describe_answer names an id it does not know "?".
    """
    by_assignment: dict[int, dict[int, list[Attempt]]] = defaultdict(lambda: defaultdict(list))
    for attempt in Attempt.objects.filter(
        assignment__in=assignments, state=AttemptState.FINISHED
    ).order_by("assignment_id", "student_id", "number"):
        by_assignment[attempt.assignment_id][attempt.student_id].append(attempt)
    chosen: dict[int, list[Attempt]] = {}
    for assignment in assignments:
        picked = []
        for attempts in by_assignment[assignment.pk].values():
            picked += chosen_attempts(attempts, which=which, method=assignment.grading_method)
        for attempt in picked:
            attempt.assignment = assignment
        chosen[assignment.pk] = picked
    place = {
        attempt.pk: (assignment_pk, index)
        for assignment_pk, picked in chosen.items()
        for index, attempt in enumerate(picked)
    }
    scored = AttemptQuestion.objects.filter(attempt_id__in=list(place), response__isnull=False)
    latest = scored.values("question_id").annotate(last=models.Max("pk")).values("last")
    snapshots = dict(
        AttemptQuestion.objects.filter(pk__in=models.Subquery(latest)).values_list(
            "question_id", "snapshot"
        )
    )
    items: dict[int, dict[int, ItemResponses]] = defaultdict(dict)
    for attempt_id, question_id, position, answer, fraction, override in scored.values_list(
        "attempt_id",
        "question_id",
        "position",
        "response__answer",
        "response__fraction",
        "response__override_fraction",
    ).order_by("attempt_id", "position"):
        assignment_pk, index = place[attempt_id]
        item = items[assignment_pk].get(question_id)
        if item is None:
            snapshot = snapshots[question_id]
            item = items[assignment_pk][question_id] = ItemResponses(
                question_id=question_id,
                title=snapshot.get("title", ""),
                type=snapshot.get("type", ""),
                position=position,
                snapshot=snapshot,
            )
        item.position = min(item.position, position)
        # What counts, as Response.score_fraction says: the teacher's score, else the key's.
        score = override if override is not None else fraction
        item.answers.append((index, answer or None, score or Decimal(0)))
    return [
        ReportData(
            assignment=assignment,
            which=which,
            attempts=chosen[assignment.pk],
            items=sorted(items[assignment.pk].values(), key=lambda i: (i.position, i.question_id)),
        )
        for assignment in assignments
    ]


def is_choice_item(item: ItemResponses) -> bool:
    return item.type in CHOICE_TYPES


def with_flagged_questions(home: Any, *, user: User, now: datetime.datetime) -> Any:
    """The teacher home with the questions the statistics flag (once statistics exist)."""
    return home


@dataclass
class QuestionReport:
    """One question of the report: its response table, and how many analysed attempts held it."""

    item: ItemResponses
    options: list[OptionRow]  # choice questions
    wrong: list[WrongAnswer]  # every other type

    @property
    def seen_by(self) -> int:
        return len(self.item.answers)


@dataclass
class AssignmentReport:
    data: ReportData
    questions: list[QuestionReport]

    @property
    def assignment(self) -> Assignment:
        return self.data.assignment

    @property
    def which(self) -> AttemptChoice:
        return self.data.which


def thirds(data: ReportData) -> tuple[set[int], set[int]]:
    """(top, bottom): indexes of the analysed attempts in the top and bottom thirds by score."""
    ranked = sorted(range(len(data.attempts)), key=lambda i: data.attempts[i].percent or Decimal(0))
    size = len(ranked) // 3
    return set(ranked[len(ranked) - size :]), set(ranked[:size])


def assignment_report(assignment: Assignment, *, which: AttemptChoice) -> AssignmentReport:
    """The report of one assignment (three queries, see load_report_data)."""
    data = load_report_data([assignment], which=which)[0]
    top, bottom = thirds(data)
    questions = []
    for item in data.items:
        if is_choice_item(item):
            questions.append(QuestionReport(item, option_table(item, top=top, bottom=bottom), []))
        else:
            questions.append(QuestionReport(item, [], wrong_answers(item)))
    return AssignmentReport(data, questions)

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
import string
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import charts, statistics
from .models import (
    Assignment,
    Attempt,
    AttemptQuestion,
    AttemptState,
    GradingMethod,
    QuestionType,
)
from .presentation import describe_answer
from .question_types import CHOICE_TYPES

WRONG_ANSWERS_SHOWN = 5
HISTOGRAM_BINS = 10
# The teacher home reads the statistics of her most recently closed assignments.
HOME_RECENT_DAYS = 30
HOME_ASSIGNMENTS = 3
# Advice that flags a question on the teacher home (an easy question is no problem).
FLAGGING_ADVICE = frozenset(
    {
        "very_few_right",
        "negative_discrimination",
        "weak_discrimination",
        "strong_chose_other",
        "strong_typed_wrong",
    }
)


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
    """One question's answers in the analysed attempts, with what each scored."""

    question_id: int
    title: str
    type: str
    position: int
    points: Decimal
    snapshot: dict[str, Any]  # the latest attempt's: choice texts and the key as it was then
    # One (attempt index, answer, score fraction) per analysed attempt that held this question,
    # in the attempts' order.
    answers: list[tuple[int, dict[str, Any] | None, Decimal]] = field(default_factory=list)

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def type_label(self) -> str:
        return str(QuestionType(self.type).label) if self.type in QuestionType.values else ""


@dataclass
class ReportData:
    """What the report reads: the analysed attempts (students' chosen ones) and their items."""

    assignment: Assignment
    which: AttemptChoice
    attempts: list[Attempt]
    items: list[ItemResponses]

    @property
    def percents(self) -> list[Decimal]:
        return [a.percent for a in self.attempts if a.percent is not None]

    def is_common(self, item: ItemResponses) -> bool:
        """Whether every analysed attempt held this question (not one drawn at random)."""
        return len(item.answers) == len(self.attempts)


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
    for attempt_id, question_id, position, points, answer, fraction, override in scored.values_list(
        "attempt_id",
        "question_id",
        "position",
        "points",
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
                points=points,
                snapshot=snapshot,
            )
        item.position = min(item.position, position)
        # What counts, as Response.score_fraction says: the teacher's score, else the key's.
        score = override if override is not None else fraction
        item.answers.append((index, answer or None, score or Decimal(0)))
    for by_question in items.values():
        for item in by_question.values():
            item.answers.sort(key=lambda answer: answer[0])  # in the attempts' order
    return [
        ReportData(
            assignment=assignment,
            which=which,
            attempts=chosen[assignment.pk],
            items=sorted(items[assignment.pk].values(), key=lambda i: (i.position, i.question_id)),
        )
        for assignment in assignments
    ]


# --- the analysis -----------------------------------------------------------------------------


def option_label(number: int) -> str:
    """A, B, …, Z, then 27, 28, … (options are named by letter, as on a paper test)."""
    return string.ascii_uppercase[number] if number < 26 else str(number + 1)


@dataclass(frozen=True)
class ResponseRowView:
    """One row of a question's response table, with the option's text beside its letter."""

    label: str
    text: str
    row: statistics.ResponseRow

    @property
    def shares(self) -> tuple[float | None, float | None, float | None]:
        return (self.row.share, self.row.top_share, self.row.bottom_share)


def choice_responses(
    item: ItemResponses, thirds: statistics.Thirds
) -> tuple[statistics.ResponseTable, list[ResponseRowView]]:
    """Who chose which option (by letter, in the author's order), overall and by third."""
    choices = item.snapshot.get("choices", [])
    letters = {choice["id"]: option_label(n) for n, choice in enumerate(choices)}
    answers = []
    for _index, answer, _score in item.answers:
        chosen = set()
        if answer:
            chosen = set(answer.get("choices", [])) | {answer.get("choice")}
        answers.append([letters[c] for c in chosen if c in letters])
    keys = [letters[c["id"]] for c in choices if Decimal(str(c.get("fraction", "0"))) >= 1]
    if not keys:  # multiple response: every choice that earns marks is part of the key
        keys = [letters[c["id"]] for c in choices if Decimal(str(c.get("fraction", "0"))) > 0]
    table = statistics.response_table(
        answers, keys=keys, thirds=thirds, options=list(letters.values())
    )
    texts = {letters[c["id"]]: c["text"] for c in choices}
    return table, [ResponseRowView(row.label, texts.get(row.label, ""), row) for row in table.rows]


def typed_responses(
    item: ItemResponses, thirds: statistics.Thirds
) -> tuple[statistics.ResponseTable, list[ResponseRowView]]:
    """The answers given, as the students wrote them (grouped ignoring case and spacing), and
    the most frequent that did not earn full marks: a teacher spots a spelling she forgot."""
    first_form: dict[str, str] = {}
    answers: list[list[str]] = []
    keys = set()
    for _index, answer, score in item.answers:
        text = describe_answer(item.snapshot, answer).strip() if answer else ""
        if not text or text == "—":
            answers.append([])
            continue
        label = first_form.setdefault(" ".join(text.casefold().split()), text)
        answers.append([label])
        if score >= 1:
            keys.add(label)
    table = statistics.response_table(answers, keys=keys, thirds=thirds)
    wrong = [row for row in table.rows if not row.is_key][:WRONG_ANSWERS_SHOWN]
    return table, [ResponseRowView(row.label, row.label, row) for row in wrong]


@dataclass(frozen=True)
class QuestionReport:
    """One question: its figures (None where undefined, with the reason), advice and answers."""

    number: int
    item: ItemResponses
    seen_by: int
    is_common: bool
    facility: float | None
    sd: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    advice: list[statistics.Advice]
    responses: list[ResponseRowView]
    response_sizes: tuple[int, int, int]  # attempts, top third, bottom third

    @property
    def advice_texts(self) -> list[str]:
        return [advice.text(gettext) for advice in self.advice]

    @property
    def is_flagged(self) -> bool:
        return any(advice.code in FLAGGING_ADVICE for advice in self.advice)

    @property
    def undefined_reason(self) -> str:
        """Why a discrimination figure is missing (shown with the "—")."""
        if not self.is_common:
            return gettext(
                "Not every student was given this question (it was drawn at random), so it "
                "is not compared with the rest of the test."
            )
        if self.seen_by < 2:
            return gettext("It takes at least two attempts.")
        return gettext(
            "Everyone scored the same on this question (or on the rest of the test), so there "
            "is nothing to compare."
        )


@dataclass(frozen=True)
class AssignmentReport:
    data: ReportData
    summary: statistics.Summary  # of the attempts' percentages
    pass_rate: float | None
    analysis: statistics.ItemAnalysis  # of the questions every analysed attempt held
    max_marks: Decimal  # of those questions: the unit of the analysis' totals
    histogram: statistics.Histogram
    questions: list[QuestionReport]

    @property
    def assignment(self) -> Assignment:
        return self.data.assignment

    @property
    def which(self) -> AttemptChoice:
        return self.data.which

    @property
    def attempts(self) -> int:
        return len(self.data.attempts)

    @property
    def students(self) -> int:
        return len({a.student_id for a in self.data.attempts})

    @property
    def standard_error_percent(self) -> float | None:
        """The standard error of measurement in percentage points of the whole test."""
        if self.analysis.standard_error is None or not self.max_marks:
            return None
        return self.analysis.standard_error / float(self.max_marks) * 100

    @property
    def histogram_rows(self) -> list[tuple[str, int]]:
        edges = self.histogram.edges
        return [
            (f"{edges[i]:.0f}–{edges[i + 1]:.0f} %", count)
            for i, count in enumerate(self.histogram.counts)
        ]

    def histogram_svg(self) -> str:
        return charts.histogram_svg(
            self.histogram.counts,
            [f"{edge:.0f}" for edge in self.histogram.edges],
            title=gettext("Score distribution"),
            description=gettext(
                "Number of attempts in each band of 10 percentage points, from 0 to 100 %; "
                "the table beside it has the same numbers."
            ),
            x_label=gettext("Score (%)"),
            id_prefix="score-histogram",
        )

    def facility_svg(self) -> str:
        return charts.bars_svg(
            [f"{q.number}. {q.item.title}" for q in self.questions],
            [q.facility for q in self.questions],
            title=gettext("Facility of each question"),
            description=gettext(
                "The share of the marks earned on each question, from 0 to 100 %; the table "
                "below has the same numbers."
            ),
            id_prefix="facility-bars",
        )

    def discrimination_svg(self) -> str:
        return charts.bars_svg(
            [f"{q.number}. {q.item.title}" for q in self.questions],
            [q.discrimination_index for q in self.questions],
            title=gettext("Discrimination index of each question"),
            description=gettext(
                "How well each question separates strong from weak students, from −100 % to "
                "100 %; the dashed line marks 30 %, below which a question deserves a look; "
                "the table below has the same numbers."
            ),
            min_value=-1,
            max_value=1,
            marker=statistics.WEAK_DISCRIMINATION,
            marker_label="30 %",
            id_prefix="discrimination-bars",
        )


def analyse(data: ReportData) -> AssignmentReport:
    """The figures of a report from its data: no query."""
    attempts = data.attempts
    percents = [a.percent or Decimal(0) for a in attempts]
    common = [item for item in data.items if data.is_common(item)]
    matrix = [[Decimal(0)] * len(common) for _ in attempts]
    for column, item in enumerate(common):
        for index, _answer, score in item.answers:
            matrix[index][column] = score
    analysis = statistics.item_analysis(
        matrix, items=len(common), weights=[item.points for item in common]
    )
    by_column = {item.question_id: column for column, item in enumerate(common)}
    all_thirds = statistics.split_thirds(percents)
    questions = []
    for number, item in enumerate(data.items, start=1):
        place = by_column.get(item.question_id)
        figures: tuple[float | None, float | None, float | None, float | None]
        if place is None:  # drawn at random: analysed on its own, among those who saw it
            own = statistics.item_analysis([[score] for _i, _a, score in item.answers], items=1)
            figures = (own.facility[0], own.sd[0], None, None)
        else:
            figures = (
                analysis.facility[place],
                analysis.sd[place],
                analysis.discrimination_index[place],
                analysis.discriminative_efficiency[place],
            )
        # Thirds among the attempts that held the question, by their whole-test score (a
        # question everyone was given has its answers in the attempts' order: the same thirds).
        thirds = (
            all_thirds
            if place is not None
            else statistics.split_thirds([percents[index] for index, _a, _s in item.answers])
        )
        table, rows = (choice_responses if item.is_choice else typed_responses)(item, thirds)
        advice = statistics.item_advice(
            attempts=len(item.answers),
            facility=figures[0],
            discrimination_index=figures[2],
            responses=table,
            typed=not item.is_choice,
        )
        questions.append(
            QuestionReport(
                number,
                item,
                len(item.answers),
                place is not None,
                *figures,
                advice=advice,
                responses=rows,
                response_sizes=(table.attempts, table.top_size, table.bottom_size),
            )
        )
    return AssignmentReport(
        data=data,
        summary=statistics.describe(percents),
        pass_rate=statistics.pass_rate(percents, data.assignment.pass_mark),
        analysis=analysis,
        max_marks=sum((item.points for item in common), Decimal(0)),
        histogram=statistics.histogram(percents, bins=HISTOGRAM_BINS),
        questions=questions,
    )


def assignment_report(assignment: Assignment, *, which: AttemptChoice) -> AssignmentReport:
    """The report of one assignment (three queries, see load_report_data)."""
    return analyse(load_report_data([assignment], which=which)[0])


# --- the teacher home's flagged questions -----------------------------------------------------


@dataclass(frozen=True)
class FlaggedQuestion:
    assignment: Assignment
    question: QuestionReport


def flagged_questions(user: User, *, now: datetime.datetime) -> list[FlaggedQuestion]:
    """Questions the statistics flag in the teacher's most recently closed assignments.

    Four queries whatever the class sizes: the assignments (HOME_ASSIGNMENTS of them at most,
    closed within HOME_RECENT_DAYS), then their report data together (load_report_data).
    """
    recent = list(
        Assignment.objects.taught_by(user)
        .filter(closes_at__lte=now, closes_at__gt=now - datetime.timedelta(days=HOME_RECENT_DAYS))
        .select_related("quiz", "school_class")
        .order_by("-closes_at", "-id")[:HOME_ASSIGNMENTS]
    )
    if not recent:
        return []
    flagged = []
    for data in load_report_data(recent, which=AttemptChoice.FIRST):
        flagged += [
            FlaggedQuestion(data.assignment, question)
            for question in analyse(data).questions
            if question.is_flagged
        ]
    return flagged


def with_flagged_questions(home: Any, *, user: User, now: datetime.datetime) -> Any:
    """The teacher home (results.TeacherHome) with the questions the statistics flag."""
    home.flagged.extend(flagged_questions(user, now=now))
    return home

"""Item analysis and score summaries for the assignment report, free of Django.

Definitions follow Moodle's quiz statistics (classical test theory), read from
moodle/moodle ``question/classes/statistics/questions/calculator.php`` (per question) and
``mod/quiz/report/statistics/classes/calculator.php`` (per test):

* facility = mean item score (a fraction of the item's marks);
* discrimination index = Pearson correlation of the item score with the rest of the test
  (the total minus that item);
* discriminative efficiency = the item-rest covariance divided by the largest covariance the
  two marginal distributions allow (both sorted in the same order);
* Cronbach's alpha (Moodle's "coefficient of internal consistency") =
  p/(p−1) · (1 − Σ item variances / variance of the totals);
* standard error of measurement = sd of the totals · √(1 − alpha).

Contracts:

* Sample (n−1) variances and standard deviations throughout, as Moodle.
* Results are plain floats, fractions rather than percentages. What is undefined (no or one
  attempt, a question everyone scored the same on, totals that do not vary, fewer than two
  questions) is ``None``: never NaN, never an infinity, never an exception.
* Input is trusted to be well formed: ragged rows, a value outside [0, 1] or not a number is a
  caller's bug and raises ``ValueError``.
* Arithmetic is exact (the scores become integers over a common denominator) until the last
  step, so "zero variance" is decided exactly and a rounding error can neither turn an
  undefined figure into noise nor push a correlation past 1.

Advice for teachers (`item_advice`) is returned as codes with English messages marked for
translation (`gettext_noop`, which ``makemessages`` extracts) and parameters; the Django side
shows ``advice.text(gettext)``, so this module stays free of Django.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

Number = Decimal | float | int | Fraction


def gettext_noop(message: str) -> str:
    """Mark *message* for translation without translating it (``makemessages`` finds it)."""
    return message


@dataclass(frozen=True)
class ItemAnalysis:
    """The figures of one set of attempts; per-item lists are in the matrix's column order."""

    attempts: int
    items: int
    facility: list[float | None]
    sd: list[float | None]
    discrimination_index: list[float | None]
    discriminative_efficiency: list[float | None]
    cronbach_alpha: float | None
    standard_error: float | None
    mean: float | None
    median: float | None
    sd_total: float | None


def item_analysis(
    scores: Sequence[Sequence[Number]],
    *,
    items: int | None = None,
    weights: Sequence[Number] | None = None,
) -> ItemAnalysis:
    """Analyse a matrix of item scores: one row per attempt, one fraction in [0, 1] per item.

    *items* gives the number of items when there may be no rows (an empty matrix otherwise has
    none); with rows it must match their length. *weights* (each ≥ 0, default 1) are the
    items' marks: the total of a row is Σ weight·score, as Moodle weights questions by their
    maximum mark; facility and the item's sd stay fractions of the item's marks.
    """
    raise NotImplementedError


@dataclass(frozen=True)
class Summary:
    """Count, mean, median, sample sd, minimum and maximum of some values (None if undefined)."""

    count: int
    mean: float | None
    median: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None


def describe(values: Sequence[Number]) -> Summary:
    """Summarise *values* (e.g. attempts' percentages): sd needs two values, the rest one."""
    raise NotImplementedError


@dataclass(frozen=True)
class Histogram:
    """Counts per bin; ``edges`` has one more entry than ``counts``.

    Bin i holds ``edges[i] <= value < edges[i + 1]``; the last bin also holds its upper edge.
    """

    edges: list[float]
    counts: list[int]


def histogram(
    values: Sequence[Number], *, bins: int = 10, low: Number = 0, high: Number = 100
) -> Histogram:
    """Count *values* into *bins* equal bins over [low, high] (decided exactly: 70 % is in
    70–80, not 60–70). A value outside [low, high] raises ``ValueError``."""
    raise NotImplementedError


def pass_rate(percents: Sequence[Number], pass_mark: Number | None) -> float | None:
    """Share of *percents* reaching *pass_mark* (the rule of `grading.passes`).

    None without a pass mark or without values.
    """
    raise NotImplementedError


@dataclass(frozen=True)
class Thirds:
    """Row indexes of the attempts in the bottom and top thirds by total (each n // 3 rows)."""

    bottom: list[int]
    top: list[int]


def split_thirds(totals: Sequence[Number]) -> Thirds:
    """Split attempts into bottom and top thirds by total, for the response tables.

    Each third has ``len(totals) // 3`` attempts (none below three attempts); equal totals at a
    boundary are split by row order, so pass rows in a stable order (e.g. by attempt id).
    """
    raise NotImplementedError


@dataclass(frozen=True)
class ResponseRow:
    """One option (or one typed answer): how many gave it overall and in each third."""

    label: str
    is_key: bool
    count: int
    top_count: int
    bottom_count: int
    share: float | None
    top_share: float | None
    bottom_share: float | None


@dataclass(frozen=True)
class ResponseTable:
    """Who gave which answer to one question; shares are of all attempts / of each third."""

    attempts: int
    top_size: int
    bottom_size: int
    rows: list[ResponseRow]


def response_table(
    answers: Sequence[Collection[str]],
    *,
    keys: Collection[str],
    thirds: Thirds,
    options: Sequence[str] = (),
    limit: int | None = None,
) -> ResponseTable:
    """Count the answers given to one question.

    *answers* has one entry per attempt, in the rows' order of the matrix *thirds* was split
    from: the labels that attempt chose (several for multiple response; empty when
    unanswered), or its typed answer (normalised by the caller). *keys* are the labels that
    earn full marks. Rows list *options* first in their given order (even those nobody chose),
    then any other label by count, most frequent first (ties by label); *limit* keeps that many
    of those other rows (e.g. the five most frequent typed answers).
    """
    raise NotImplementedError


@dataclass(frozen=True)
class Advice:
    """One piece of advice: a stable ``code``, an English ``message`` to translate, parameters."""

    code: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = lambda message: message) -> str:
        """The message translated by *translate* (Django's ``gettext``), parameters filled in."""
        return translate(self.message) % self.params


def item_advice(
    *,
    attempts: int,
    facility: float | None,
    discrimination_index: float | None,
    responses: ResponseTable | None = None,
    typed: bool = False,
) -> list[Advice]:
    """Plain-language advice on one question for a teacher who is not a statistician.

    *responses* (from `response_table`) enables the advice that needs the top and bottom
    thirds; *typed* says its rows are typed answers rather than options.
    """
    raise NotImplementedError
